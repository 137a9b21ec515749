"""File -> target document. One reader per format, one interpreter for all of them.

``load_document(path)`` is the single entry point: it checks the file, picks the reader by
suffix (and by content where the suffix lies), and interprets the grid, all under the import's
time limit; the readers refuse what is too big before parsing it (``jixiao.importers.limits``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from jixiao.core.document import TargetDocument
from jixiao.importers import limits
from jixiao.importers.grid import ImportFailure, Source
from jixiao.importers.pages import PageProgress, reporting

__all__ = [
    "MAX_FILE_BYTES",
    "READERS",
    "ImportFailure",
    "PageProgress",
    "load_document",
    "load_text",
    "read_source",
]

# Larger files are refused before any parsing: real target tables are well under 5 MB.
MAX_FILE_BYTES = int(os.environ.get("JIXIAO_MAX_IMPORT_BYTES", str(20 * 1024 * 1024)))

Reader = Callable[[Path], Source]


def _readers() -> dict[str, Reader]:
    from jixiao.importers import doc, docx, image, pdf, text, xlsx

    return {
        ".txt": text.read,
        ".docx": docx.read,
        ".xlsx": xlsx.read,
        ".xlsm": xlsx.read,
        ".pdf": pdf.read,
        ".doc": doc.read,
        # Scans and photos, read by OCR (a PDF without a text layer goes there from pdf.py).
        ".png": image.read,
        ".jpg": image.read,
        ".jpeg": image.read,
    }


READERS: dict[str, Reader] = {}


def read_source(path: Path, *, seconds: int | None = None) -> Source:
    """Read a file into a grid, refusing empty, huge and unsupported files (time-limited:
    ``seconds``, else the import's limit)."""
    path = Path(path)
    if not path.is_file():
        raise ImportFailure(f"找不到文件：{path.name}")
    size = path.stat().st_size
    if size == 0:
        raise ImportFailure(f"文件为空：{path.name}")
    if size > MAX_FILE_BYTES:
        raise ImportFailure(
            f"文件过大：{path.name}（{size / 1024 / 1024:.1f} MB，上限 "
            f"{MAX_FILE_BYTES / 1024 / 1024:.0f} MB）"
        )
    if not READERS:
        READERS.update(_readers())
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        supported = "、".join(sorted(READERS))
        raise ImportFailure(f"不支持的文件类型：{path.name}（支持 {supported}）")
    with limits.time_budget(seconds):
        return reader(path)


def load_document(
    path: Path, *, seconds: int | None = None, pages: PageProgress | None = None
) -> TargetDocument:
    """Read and interpret one file; raises ImportFailure with a Chinese message.

    A scan's OCR'd values come with the document as ``to_confirm``. ``seconds`` replaces the
    import's time limit (a background job has longer than a web request); ``pages`` is told
    each page a page-by-page reader (PDF, OCR) begins: (page, pages, read by OCR).
    """
    from jixiao.importers.interpreter import interpret

    with limits.time_budget(seconds), reporting(pages):
        source = read_source(Path(path), seconds=seconds)
        document = interpret(source)
    if source.confirmations:
        # Values read by OCR wait for a person's check, the least sure first.
        document.to_confirm = sorted(source.confirmations, key=lambda c: c.confidence)
    return document


def load_text(content: str, name: str = "粘贴文本") -> TargetDocument:
    """Interpret pasted text in any of the text layouts."""
    from jixiao.importers import text
    from jixiao.importers.interpreter import interpret

    if not content.strip():
        raise ImportFailure("文本为空")
    with limits.time_budget():
        return interpret(text.read_string(content, name))
