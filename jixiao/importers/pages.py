"""Page-by-page progress of a read, and the cheap look that tells a slow read beforehand.

A reader that goes page by page (a PDF's text layer, OCR of a scan or a picture) calls
:func:`tell` before each page; whoever asked for the read (a background job's progress bar)
passes a callback to ``load_document(path, pages=...)``, which sets it here for the read.
Outside such a read :func:`tell` does nothing.

:func:`slow_to_read` decides, without reading a file's content, whether its read is likely to
take long (more than a web request should hold): a picture or a scanned PDF (OCR, about 4 s a
page), a PDF of many pages, a legacy .doc (converted by LibreOffice first).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

__all__ = ["PageProgress", "reporting", "slow_to_read", "tell"]

# page (from 1), pages, whether the page is read by OCR
PageProgress = Callable[[int, int, bool], None]

_callback: ContextVar[PageProgress | None] = ContextVar("jixiao_import_pages", default=None)

# Read by OCR, or converted by another program first: slow whatever their size.
SLOW_SUFFIXES = frozenset({".doc", ".png", ".jpg", ".jpeg"})


@contextmanager
def reporting(callback: PageProgress | None) -> Iterator[None]:
    """Tell ``callback`` each page the enclosed read begins (nothing when it is None)."""
    token = _callback.set(callback)
    try:
        yield
    finally:
        _callback.reset(token)


def tell(page: int, pages: int, *, ocr: bool = False) -> None:
    """A reader begins page ``page`` of ``pages``."""
    callback = _callback.get()
    if callback is not None:
        callback(page, max(pages, page), ocr)


def slow_to_read(path: Path, max_pages: int) -> bool:
    """Whether reading the file is likely slow: by its suffix, and for a PDF by its page count
    (more than ``max_pages``) and whether its pages have a text layer (none: OCR, as the PDF
    reader decides). What the readers refuse before reading (an empty or too large file, a PDF
    past the page limit, one that cannot be opened) is not slow: the refusal comes at once."""
    from jixiao.importers import MAX_FILE_BYTES, limits

    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        return False
    if size == 0 or size > MAX_FILE_BYTES:
        return False  # refused before any reading: at once, in the request
    suffix = path.suffix.lower()
    if suffix in SLOW_SUFFIXES:
        return True
    if suffix != ".pdf":
        return False
    try:
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(str(path))
    except Exception:  # broken or encrypted: the reader says why, quickly
        return False
    try:
        count = len(document)
        if count > limits.current().pdf_pages:
            return False  # refused for its pages before any reading
        if count > max_pages:
            return True
        for index in range(count):
            page = document[index]
            try:
                text = page.get_textpage()
                try:
                    if text.count_chars() > 0:
                        return False  # a text layer: read without OCR
                finally:
                    text.close()
            finally:
                page.close()
        return count > 0  # no text on any page: a scan, read by OCR
    except Exception:
        return False
    finally:
        document.close()
