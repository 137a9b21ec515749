"""Excel (.xlsx/.xlsm) reader: one table per visible sheet, values as the text a person sees."""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from jixiao.importers import docx as office
from jixiao.importers import limits, places
from jixiao.importers.grid import Cell, ImportFailure, Source, Table

__all__ = ["MAX_SHEET_CELLS", "format_value", "read"]

# A target table is a few hundred cells; refuse sheets whose used area is absurd. (The rows
# and cells stored are counted before loading, jixiao.importers.limits; this catches a few
# cells stored far apart, whose rectangle would be huge.)
MAX_SHEET_CELLS = 500_000
# The time limit is checked after this many cells.
_CHECK_EVERY = 10_000

_LABEL = "Excel"
# Quoted literals, escaped characters, [colour]/[locale] tags, _x padding and *x fill.
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_DECIMALS = re.compile(r"\.([0#?]+)")


def read(path: Path) -> Source:
    """Read every visible, non-empty worksheet of a workbook into a table."""
    path = Path(path)
    name = path.name
    kind = office.sniff(path)
    if kind == "ole":
        if office.is_encrypted_ole(path):
            raise office.failure(_LABEL, name, "文件已加密（设置了密码），请去掉密码后再导入")
        raise office.failure(
            _LABEL, name, "这是旧版 Excel 97-2003（.xls）文件，请另存为 .xlsx 后再导入"
        )
    if kind != "zip":
        raise office.failure(_LABEL, name, office.mismatch_reason(kind, ".xlsx"))
    # Size, compression ratio, rows and cells are refused here, before openpyxl loads a cell.
    office.check_zip(path, _LABEL, ".xlsx", "xl/workbook.xml")
    try:
        from openpyxl import load_workbook

        with path.open("rb") as fh, warnings.catch_warnings():
            # openpyxl warns about unsupported extensions (data validation, slicers …).
            warnings.simplefilter("ignore")
            workbook = load_workbook(fh, read_only=False, data_only=True)
            try:
                tables = []
                for sheet in workbook.worksheets:
                    limits.check_time(places.sheet(sheet.title))
                    if sheet.sheet_state != "visible":
                        continue
                    if (table := _sheet_table(sheet, name)) is not None:
                        tables.append(table)
            finally:
                workbook.close()
    except ImportFailure:
        raise
    except Exception as exc:  # any library error means the file cannot be read
        raise office.failure(_LABEL, name, "文件已损坏或不是 .xlsx 格式") from exc
    return Source(name, list(tables))


def _sheet_table(sheet: Any, name: str) -> Table | None:
    """The used area of a sheet as a table (empty outer rows/columns dropped), or None."""
    # Worksheet._cells holds only the cells stored in the file; iterating the sheet's
    # dimensions instead would create every empty cell up to the furthest styled one.
    texts: dict[tuple[int, int], str] = {}
    for n, ((r, c), cell) in enumerate(sheet._cells.items()):
        if n % _CHECK_EVERY == 0:
            limits.check_time(places.row(places.sheet(sheet.title), r))
        text = format_value(cell.value, cell.number_format)
        if text:
            texts[(r, c)] = text
    if not texts:
        return None
    top, bottom = min(r for r, _ in texts), max(r for r, _ in texts)
    left, right = min(c for _, c in texts), max(c for _, c in texts)
    height, width = bottom - top + 1, right - left + 1
    if height * width > MAX_SHEET_CELLS:
        raise office.failure(
            _LABEL, name, f"{places.sheet(sheet.title)}过大（{height} 行 × {width} 列），无法导入"
        )
    rows = [
        [Cell(texts.get((top + r, left + c), ""), (r, c)) for c in range(width)]
        for r in range(height)
    ]
    for merged in sheet.merged_cells.ranges:
        anchor = (merged.min_row - top, merged.min_col - left)
        text = texts.get((merged.min_row, merged.min_col), "")
        for r in range(max(merged.min_row, top), min(merged.max_row, bottom) + 1):
            for c in range(max(merged.min_col, left), min(merged.max_col, right) + 1):
                rows[r - top][c - left] = Cell(text, anchor)
    return Table(places.sheet(sheet.title), rows)


def format_value(value: Any, number_format: str | None = "General") -> str:
    """A cell value as displayed: numbers by their format (plain digits), ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds" if value.second else "minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds" if value.second else "minutes")
    if isinstance(value, int | float | Decimal):
        return _format_number(value, number_format or "General")
    text = str(value).replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def _format_number(value: float | int | Decimal, number_format: str) -> str:
    """Render a number by the decimals and percent of its format, without separators."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        # 15 significant digits is what Excel keeps; it drops float artefacts like 0.1+0.2.
        number = Decimal(format(value, ".15g"))
    else:
        try:
            number = Decimal(value)
        except InvalidOperation:
            return str(value)
    section = _FORMAT_NOISE.sub("", number_format.split(";", 1)[0]).strip()
    lowered = section.lower()
    if lowered in ("", "general", "@") or "e+" in lowered or "e-" in lowered or "/" in section:
        return _plain(number)
    if not any(ch in section for ch in "0#?"):
        return _plain(number)
    percent = "%" in section
    if percent:
        number *= 100
    match = _DECIMALS.search(section)
    fewest = match.group(1).count("0") if match else 0
    most = len(match.group(1)) if match else 0
    rounded = number.quantize(Decimal(1).scaleb(-most), rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    if most > fewest:  # optional digits (#) are dropped when they are trailing zeros
        whole, _, fraction = text.partition(".")
        fraction = fraction.rstrip("0").ljust(fewest, "0")
        text = f"{whole}.{fraction}" if fraction else whole
    if text.startswith("-") and not text.strip("-0."):
        text = text[1:]  # -0.00 displays as 0.00
    return text + ("%" if percent else "")


def _plain(number: Decimal) -> str:
    """A decimal without exponent or trailing zeros ("15", "8827620.53")."""
    text = f"{number.normalize():f}"
    return "0" if text in ("-0", "0") else text
