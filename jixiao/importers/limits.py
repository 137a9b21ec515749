"""Limits every import is held to, checked before the expensive work begins.

A hostile or careless file must be refused while refusing is still cheap: a 15 MB workbook that
unpacked to 190 MB once took 80–90 s and 2.3 GB before the sheet-size check after loading
refused it, and a 500-page PDF held a web request for 94 s. So, before a reader parses anything:

- a zip container (xlsx, docx) is refused when its members would unpack past
  ``unpacked_bytes``, or one large member unpacks to more than ``compression_ratio`` times its
  packed size (the zip-bomb guard of Apache POI, whose 100-fold default is known to refuse
  real workbooks, hence 200 here and only for parts over 10 MB);
- a workbook's rows and cells (a Word document's paragraphs and table rows) are counted by
  streaming the XML a chunk at a time, and refused past ``rows`` (or ``cells``), before openpyxl
  or python-docx loads it;
- a PDF's pages are counted from its page tree, and refused past ``pdf_pages``, before any text
  is extracted;
- the whole import runs under a cooperative deadline of ``seconds``: readers and the interpreter
  call :func:`check_time` between pages, tables and batches of rows.

The limits are Django settings (``IMPORT_MAX_…``, see the README's settings table) with the
defaults below; outside Django (a plain script) the defaults apply. Every refusal is a Chinese
message naming the limit and how to get under it.
"""

from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from jixiao.importers.grid import ImportFailure

__all__ = [
    "DEFAULTS",
    "Limits",
    "check_pages",
    "check_sheet_rows",
    "check_time",
    "check_word_lines",
    "check_zip_size",
    "count_elements",
    "current",
    "remaining_seconds",
    "time_budget",
]

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one import may cost; each field has a setting of the same meaning."""

    unpacked_bytes: int  # IMPORT_MAX_UNPACKED_BYTES
    compression_ratio: int  # IMPORT_MAX_COMPRESSION_RATIO
    rows: int  # IMPORT_MAX_ROWS
    cells: int  # IMPORT_MAX_CELLS
    pdf_pages: int  # IMPORT_MAX_PDF_PAGES
    seconds: int  # IMPORT_TIME_LIMIT_SECONDS
    doc_convert_seconds: int  # DOC_CONVERT_TIMEOUT_SECONDS


# A real target table is a few hundred rows in well under 1 MB; a year of a unit's ledger
# records a few thousand. 50 000 rows of ten columns take openpyxl about 4 s (read-only) to
# 6 s and 250 MB (full load, as the target reader needs for merged cells); a million cells
# about twice that. The time limit stays under gunicorn's default 30 s worker timeout.
DEFAULTS = Limits(
    unpacked_bytes=100 * MB,
    compression_ratio=200,
    rows=50_000,
    cells=1_000_000,
    pdf_pages=100,
    seconds=25,
    doc_convert_seconds=20,
)

_SETTINGS = {
    "unpacked_bytes": "IMPORT_MAX_UNPACKED_BYTES",
    "compression_ratio": "IMPORT_MAX_COMPRESSION_RATIO",
    "rows": "IMPORT_MAX_ROWS",
    "cells": "IMPORT_MAX_CELLS",
    "pdf_pages": "IMPORT_MAX_PDF_PAGES",
    "seconds": "IMPORT_TIME_LIMIT_SECONDS",
    "doc_convert_seconds": "DOC_CONVERT_TIMEOUT_SECONDS",
}

# Members smaller than this unpacked are never refused for their ratio: a regular part (a
# column of one repeated value, styled empty cells) compresses 100–200 fold in real files, and
# at this size costs little anyway; only a large part packed past the ratio is a bomb.
RATIO_GRACE_BYTES = 10 * MB
# How much XML is inflated at a time while counting elements.
_CHUNK = 1 * MB


def current() -> Limits:
    """The limits in force: Django settings when configured, else the defaults."""
    from django.conf import settings

    if not settings.configured:
        return DEFAULTS
    values = {
        field: int(getattr(settings, name, getattr(DEFAULTS, field)))
        for field, name in _SETTINGS.items()
    }
    return Limits(**values)


def _mb(size: float) -> str:
    return f"{size / MB:.0f} MB" if size >= 10 * MB else f"{size / MB:.1f} MB"


# --- zip containers ------------------------------------------------------------------------


def check_zip_size(infos: Iterable[zipfile.ZipInfo], limits: Limits | None = None) -> str | None:
    """Why a zip's members unpack too far (a Chinese reason), or None when they are within limits.

    The sizes are the ones the zip declares; Python's zipfile never inflates a member past its
    declared size (a lying member fails its CRC check instead), so they bound what reading costs.
    """
    limits = limits or current()
    members = list(infos)
    total = sum(i.file_size for i in members)
    if total > limits.unpacked_bytes:
        return (
            f"文件解压后约 {_mb(total)}，超过上限 {_mb(limits.unpacked_bytes)}；"
            "请删除无关的工作表、图片或空行后另存，再重试"
        )
    for info in members:
        if info.file_size <= RATIO_GRACE_BYTES:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.compression_ratio:
            return (
                f"文件中的 {info.filename} 解压后是压缩前的 {ratio:.0f} 倍，超过上限 "
                f"{limits.compression_ratio} 倍（可能是恶意构造的压缩包）；"
                "请用 Excel/WPS/Word 打开后重新另存，再重试"
            )
    return None


def count_elements(
    zf: zipfile.ZipFile, members: Iterable[str], pattern: re.Pattern[bytes], stops: dict[bytes, int]
) -> dict[bytes, int]:
    """How many elements of each kind ``pattern`` matches (its group 1 names the kind) occur in
    the members' XML, counting no further than one kind passes its number in ``stops``.

    The members are inflated a chunk at a time, never whole; a match cut by a chunk boundary
    is found because each chunk is searched together with the tail of the one before.
    """
    counts = dict.fromkeys(stops, 0)
    keep = 64  # longer than any element start the patterns match
    for name in members:
        tail = b""
        with zf.open(name) as fh:
            while chunk := fh.read(_CHUNK):
                data = tail + chunk
                for m in pattern.finditer(data):
                    # Matches wholly inside the carried-over tail were counted last time.
                    if m.end() > len(tail):
                        counts[m.group(1)] += 1
                if any(counts[kind] > stop for kind, stop in stops.items()):
                    return counts
                tail = data[-keep:]
    return counts


# Element starts: <row …>, <x:row …> (a prefixed namespace), <c …>; not <rowBreaks>, <cols>.
_SHEET_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)[\s/>]")
# Word: paragraphs and table rows, <w:p …> and <w:tr …> (not <w:pPr>, <w:trPr>).
_WORD_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(p|tr)[\s/>]")
_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")


def check_sheet_rows(zf: zipfile.ZipFile, limits: Limits | None = None) -> str | None:
    """Why a workbook has too many rows or cells to load (Chinese), or None.

    Counted from the sheets' XML before any library loads the workbook.
    """
    limits = limits or current()
    sheets = [n for n in zf.namelist() if _WORKSHEET.match(n)]
    counts = count_elements(zf, sheets, _SHEET_ELEMENT, {b"row": limits.rows, b"c": limits.cells})
    if counts[b"row"] > limits.rows:
        return (
            f"工作表共有超过 {limits.rows} 行（上限 {limits.rows} 行）；"
            "请删除空行、无关的行或工作表，或把数据拆成几个文件分别导入"
        )
    if counts[b"c"] > limits.cells:
        return (
            f"工作表共有超过 {limits.cells} 个单元格（上限 {limits.cells} 个）；"
            "请删除无关的列、行或工作表，或把数据拆成几个文件分别导入"
        )
    return None


def check_word_lines(zf: zipfile.ZipFile, limits: Limits | None = None) -> str | None:
    """Why a Word document has too many paragraphs and table rows to load (Chinese), or None."""
    limits = limits or current()
    parts = [n for n in zf.namelist() if n == "word/document.xml"]
    counts = count_elements(zf, parts, _WORD_ELEMENT, {b"p": limits.rows, b"tr": limits.rows})
    if counts[b"p"] + counts[b"tr"] > limits.rows:
        return (
            f"文档的段落和表格行超过 {limits.rows} 个（上限 {limits.rows} 个）；"
            "请只保留绩效目标表及其说明，或把文档拆成几个文件分别导入"
        )
    return None


# --- PDF -----------------------------------------------------------------------------------


def check_pages(pages: int, limits: Limits | None = None) -> str | None:
    """Why a PDF has too many pages to read (Chinese), or None."""
    limits = limits or current()
    if pages > limits.pdf_pages:
        return (
            f"PDF 共 {pages} 页，超过上限 {limits.pdf_pages} 页；"
            "请只保留绩效目标表所在的页（用 PDF 工具提取页面）后重试"
        )
    return None


# --- time ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Deadline:
    ends_at: float
    seconds: int


_deadline: ContextVar[_Deadline | None] = ContextVar("jixiao_import_deadline", default=None)
# The clock the deadline reads; a test may replace it with one that jumps ahead.
clock = time.monotonic


@contextmanager
def time_budget(seconds: int | None = None) -> Iterator[None]:
    """Run the enclosed import under a deadline; an inner budget never extends an outer one."""
    if seconds is None:
        seconds = current().seconds
    outer = _deadline.get()
    mine = _Deadline(clock() + seconds, seconds)
    token = _deadline.set(mine if outer is None or outer.ends_at > mine.ends_at else outer)
    try:
        yield
    finally:
        _deadline.reset(token)


def check_time(where: str = "") -> None:
    """Refuse (ImportFailure) when the running import has used up its time; cheap to call often.

    ``where`` says how far the import got (第 37 页), so the person knows what to cut.
    """
    deadline = _deadline.get()
    if deadline is None or clock() <= deadline.ends_at:
        return
    got = f"（读到{where}时）" if where else ""
    raise ImportFailure(
        f"导入用时超过上限 {deadline.seconds} 秒{got}；"
        "文件内容过多，请删除无关的页、工作表或行，或拆成几个文件分别导入"
    )


def remaining_seconds() -> float | None:
    """Seconds left in the running import's budget, or None outside any budget."""
    deadline = _deadline.get()
    return None if deadline is None else max(0.0, deadline.ends_at - clock())
