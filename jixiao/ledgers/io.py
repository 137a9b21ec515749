"""Ledger tables in and out: CSV and Excel files <-> rows of plain cell values.

Readers know formats, never fields: they give every non-blank row of the first sheet with the
spreadsheet's own row number, and cell values as Python values (str, int, Decimal, date,
datetime, bool). Writers take headers and rows of the same kinds of values. What a column
means is decided in ``jixiao.ledgers.importing``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from jixiao import importers
from jixiao.exporters.text import FORMULA_START, is_formula_like, printable
from jixiao.importers import docx as office
from jixiao.importers import limits
from jixiao.importers.grid import ImportFailure

__all__ = [
    "FORMATS",
    "Row",
    "Table",
    "find_header_row",
    "normalize_header",
    "read_table",
    "write_table",
]

# The formats ledgers are written in, with their content types.
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
DELIMITERS = (",", ";", "\t")
# Enough lines to see past a title above the header, few enough to stay instant.
_SNIFF_LINES = 30
# The import's time limit is checked after this many rows.
_CHECK_EVERY = 1000
# Excel and WPS read a text cell starting with these as a formula: a title taken from the
# internet could run one. CSV cells starting so get a leading apostrophe, dropped on import.
_FORMULA_START = FORMULA_START
_SPACES = re.compile(r"\s+")

Row = tuple[int, tuple[Any, ...]]


@dataclass
class Table:
    """The non-blank rows of a file's first sheet, each with its spreadsheet row number."""

    name: str
    rows: list[Row]

    def row(self, number: int) -> tuple[Any, ...]:
        """The cells of the row with this spreadsheet number (empty when blank or absent)."""
        for found, cells in self.rows:
            if found == number:
                return cells
        return ()


def read_table(path: Path, name: str | None = None) -> Table:
    """Read a .csv or .xlsx file; ImportFailure (Chinese) when it cannot be read.

    Within the import limits (jixiao.importers.limits): a workbook's unpacked size, rows and
    cells are checked before openpyxl opens it, a CSV's rows as they are read, and reading
    stops when the import's time is up.
    """
    path = Path(path)
    name = name or path.name
    if not path.is_file():
        raise ImportFailure(f"找不到文件：{name}")
    size = path.stat().st_size
    if size == 0:
        raise ImportFailure(f"文件为空：{name}")
    if size > importers.MAX_FILE_BYTES:
        limit = importers.MAX_FILE_BYTES / 1024 / 1024
        raise ImportFailure(f"文件过大：{name}（{size / 1024 / 1024:.1f} MB，上限 {limit:.0f} MB）")
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        raise ImportFailure(f"{name} 是旧版 Excel 97-2003（.xls）文件，请另存为 .xlsx 后再导入")
    if suffix not in (".xlsx", ".xlsm", ".csv", ".txt", ".tsv"):
        raise ImportFailure(f"不支持的文件类型：{name}（请使用 .xlsx 或 .csv）")
    with limits.time_budget():
        if suffix in (".xlsx", ".xlsm"):
            rows = _read_xlsx(path, name)
        else:
            rows = _read_csv(path.read_bytes(), name)
    return Table(name, rows)


def _counted(number: int, name: str, label: str) -> None:
    """Between rows: refuse a table past the row limit, or an import past its time."""
    if number % _CHECK_EVERY:
        return
    limit = limits.current().rows
    if number > limit:
        raise office.failure(
            label,
            name,
            f"超过 {limit} 行（上限 {limit} 行）；请删除空行或无关的行，"
            "或把数据拆成几个文件分别导入",
        )
    limits.check_time(f"第 {number} 行")


def _read_csv(data: bytes, name: str) -> list[Row]:
    text = _decode(data, name)
    delimiter = _sniff_delimiter(text)
    rows: list[Row] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # Excel shows a quoted cell with line breaks as one row: count records, not lines.
        for number, record in enumerate(reader, start=1):
            _counted(number, name, "CSV")
            cells = tuple(_csv_cell(c) for c in record)
            if any(c is not None for c in cells):
                rows.append((number, cells))
    except csv.Error as exc:
        raise ImportFailure(f"无法读取 CSV 文件 {name}：{exc}") from exc
    return rows


def _decode(data: bytes, name: str) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            # Excel's "Unicode text" export: UTF-16 with a BOM, tab-separated.
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Excel on a Chinese Windows saves CSV in the ANSI code page (GBK); GB18030 contains it.
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportFailure(
            f"无法识别 CSV 文件 {name} 的编码，请另存为“CSV UTF-8（逗号分隔）”后再导入"
        ) from None


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most rows of one width above one."""
    sample = "\n".join(text.splitlines()[:_SNIFF_LINES])
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter)]
        except csv.Error:
            continue
        widths = [w for w in widths if w > 1]
        if not widths:
            continue
        width, rows = Counter(widths).most_common(1)[0]
        score = (rows, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_cell(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if text.startswith("'") and text[1:2] in _FORMULA_START:
        return text[1:]
    return text


def _read_xlsx(path: Path, name: str) -> list[Row]:
    kind = office.sniff(path)
    if kind == "ole":
        if office.is_encrypted_ole(path):
            raise office.failure("Excel", name, "文件已加密（设置了密码），请去掉密码后再导入")
        raise office.failure("Excel", name, "这是旧版 Excel 97-2003（.xls）文件，请另存为 .xlsx")
    if kind != "zip":
        raise office.failure("Excel", name, office.mismatch_reason(kind, ".xlsx"))
    # Size, compression ratio, rows and cells are refused here, before openpyxl opens it.
    office.check_zip(path, "Excel", ".xlsx", "xl/workbook.xml")
    from openpyxl import load_workbook

    try:
        with path.open("rb") as fh, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unsupported extensions: data validation …
            workbook = load_workbook(fh, read_only=True, data_only=True)
            try:
                for sheet in workbook.worksheets:
                    # Some writers store a wrong used range (A1); read what is really there.
                    sheet.reset_dimensions()
                    rows = []
                    for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
                        _counted(number, name, "Excel")
                        cells = tuple(map(_xlsx_cell, values))
                        if any(c is not None for c in cells):
                            rows.append((number, cells))
                    if rows:
                        return rows
            finally:
                workbook.close()
    except ImportFailure:
        raise
    except Exception as exc:  # any library error means the file cannot be read
        raise office.failure("Excel", name, "文件已损坏或不是 .xlsx 格式") from exc
    return []


def _xlsx_cell(value: Any) -> Any:
    """A cell's value without float artefacts, dates at midnight as dates, blanks as None."""
    if value is None or isinstance(value, bool | int | Decimal):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        # Excel keeps 15 significant digits; a sum stored as 0.30000000000000004 shows 0.3.
        return Decimal(f"{value:.15g}")
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, str):
        return value.strip() or None
    return value if isinstance(value, dt.date) else str(value)


def normalize_header(value: Any) -> str:
    """A header as compared: full-width forms folded, no spaces, no required-field stars."""
    text = unicodedata.normalize("NFKC", str(value if value is not None else ""))
    return _SPACES.sub("", text).strip("*")


def find_header_row(rows: Sequence[Row], known: Iterable[str], *, limit: int = 30) -> int | None:
    """The first row (of the first ``limit``) with two or more cells that are known headers."""
    wanted = {normalize_header(k) for k in known} - {""}
    for number, cells in rows[:limit]:
        hits = sum(1 for c in cells if c is not None and normalize_header(c) in wanted)
        if hits >= 2:
            return number
    return None


def write_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str) -> bytes:
    """Headers and rows as a file: ``csv`` (UTF-8 with BOM, for Excel) or ``xlsx``."""
    if fmt == "csv":
        return _write_csv(headers, rows)
    if fmt == "xlsx":
        return _write_xlsx(headers, rows)
    raise ValueError(f"不支持的格式：{fmt}")


def _write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    # The BOM is what makes Excel open a UTF-8 CSV as UTF-8 rather than the ANSI code page.
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return str(value)


def _write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for index, header in enumerate(headers, start=1):
        width = max(10, min(40, len(header) * 2 + 4))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=printable(header))
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    for row in rows:
        sheet.append([_xlsx_value(sheet, v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_value(sheet: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, str):
        value = printable(value)  # openpyxl refuses control characters (Word's line break …)
        if is_formula_like(value):
            # openpyxl stores a string starting with "=" as a formula: keep it text, with
            # Excel's quote prefix so it stays text when the cell is edited.
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cell.quotePrefix = True
            return cell
    return value
