"""Plain or pasted text -> grid.

Three text layouts are met in practice, often in one file:

* Word text (the seed): table cells as tab-indented lines, one cell per line, a blank cell as a
  line holding only a tab, rows separated by empty lines, a cell's second paragraph as an
  unindented line right after it. Word's table-of-contents field codes (``TC … \\f A \\l 1``)
  are stripped.
* Web-page text: cells separated by ``|``, either a row per line (``| a | b |``) or a cell per
  line (``a |``) with rows ended by a run of pipes (``||``).
* Anything else: each non-empty line is a paragraph (the interpreter reads indicator tables
  that lost their cell borders from paragraphs).
"""

from __future__ import annotations

import re
from pathlib import Path

from jixiao.importers import limits, places, vocab
from jixiao.importers.grid import ImportFailure, Paragraph, Source, Table

# Word TOC field code left in copied text: "TC 1、标题 \f C \l 1".
_FIELD_CODE = re.compile(r"\s*\bTC\s.*?\\f\s*\w\s*\\l\s*\d+\s*$")
_PIPES_ONLY = re.compile(r"^[|\s]*$")
# A run of pipes closing a line: the empty cells HTML padding leaves at a row's end.
_ROW_END = re.compile(r"\|\s*\|\s*$")
# Word text has no header marker; a row holding this cell starts the indicator grid, whose
# width tells how to rejoin a row that a stray empty line split in two.
_GRID_HEADER = re.compile(r"^一级\s*指标")
# A row opening a project's header block ends the grid above it.
_BLOCK_START = (vocab.LABEL_NAME, vocab.LABEL_CODE, vocab.LABEL_UNIT)


def read(path: Path) -> Source:
    """Read a text file (UTF-8 with or without BOM, UTF-16, or GB18030)."""
    data = path.read_bytes()
    return read_string(_decode(data, path.name), path.name)


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFailure(f"无法读取 {name}：不是文本文件")
    for encoding in ("utf-8-sig", "utf-16", "gb18030"):
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailure(f"无法读取 {name}：文字编码无法识别（请另存为 UTF-8）")


def read_string(content: str, name: str) -> Source:
    """Split text into paragraphs and tables by the layouts described above."""
    source = Source(name)
    # One cell per line is a layout of its own: a text's lines are as many as a sheet's cells.
    limit = limits.current().cells
    if content.count("\n") > limit:
        raise ImportFailure(
            f"无法读取 {name}：文本超过 {limit} 行（上限 {limit} 行）；"
            "请只保留绩效目标表及其说明，或分几次导入"
        )
    lines = content.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines):
        limits.check_time(f"第 {i + 1} 行")  # between paragraphs and tables
        line = lines[i]
        if line.startswith("\t"):
            i = _read_tab_table(lines, i, source)
        elif "|" in line or (i + 1 < len(lines) and lines[i + 1].strip() == "|" and line.strip()):
            i = _read_pipe_table(lines, i, source)
        else:
            text = _FIELD_CODE.sub("", line).strip()
            if text:
                source.blocks.append(Paragraph(text))
            i += 1
    return source


def _table_place(source: Source) -> str:
    return places.table(len(source.tables) + 1)


def _read_tab_table(lines: list[str], i: int, source: Source) -> int:
    """Read tab-indented cells from line i on; return the index of the first line after."""
    rows: list[list[str]] = []
    row: list[str] = []
    last_was_cell = False
    while i < len(lines):
        line = lines[i]
        if line.startswith("\t"):
            row.append(_FIELD_CODE.sub("", line).strip())
            last_was_cell = True
        elif not line.strip():
            if row:
                rows.append(row)
                row = []
            last_was_cell = False
        elif last_was_cell and row:
            # An unindented line right after a cell is the cell's next paragraph.
            row[-1] = f"{row[-1]}\n{line.strip()}".strip()
        else:
            break
        i += 1
    if row:
        rows.append(row)
    source.blocks.append(Table.from_texts(_table_place(source), _rejoin_split_rows(rows)))
    return i


def _rejoin_split_rows(rows: list[list[str]]) -> list[list[str]]:
    """Join grid rows that an empty line inside a cell split in two (the header gives the width)."""
    out: list[list[str]] = []
    width = 0
    for row in rows:
        if any(_GRID_HEADER.match(c) for c in row):
            width = len(row)
            out.append(row)
            continue
        if row and vocab.label_kind(row[0]) in _BLOCK_START:
            width = 0  # the next project's header block: its rows are its own until a grid

        if width and out and len(out[-1]) < width and len(out[-1]) + len(row) <= width:
            previous = out[-1]
            if not any(_GRID_HEADER.match(c) for c in previous):
                out[-1] = previous + row
                continue
        out.append(row)
    return out


def _split_pipe_line(line: str) -> list[str]:
    cells = [c.strip() for c in line.strip().split("|")]
    if cells and cells[0] == "" and line.strip().startswith("|"):
        cells = cells[1:]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def _read_pipe_table(lines: list[str], i: int, source: Source) -> int:
    """Read a web-page pipe table from line i on; return the index of the first line after."""
    rows: list[list[str]] = []
    row: list[str] = []
    pending_text: list[str] = []
    whole_rows = False  # the table writes each row on a line of its own

    def end_row() -> None:
        nonlocal row
        if pending_text:
            row.append(" ".join(pending_text))
            pending_text.clear()
        if any(row):
            rows.append(row)
        row = []

    while i < len(lines):
        raw = lines[i]
        line = raw.strip()
        if "|" not in line:
            if not line:
                i += 1
                continue
            # A bare text line inside a pipe table is a cell whose "|" sits on the next line;
            # a text line followed by no pipe at all ends the table.
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
            if whole_rows and nxt.startswith("|") and not pending_text:
                break  # a title between two tables of whole-row lines ("| a | b |")
            if "|" in nxt or (row and pending_text):
                pending_text.append(line)
                i += 1
                continue
            break
        if _PIPES_ONLY.match(line):
            if pending_text:
                row.append(" ".join(pending_text))
                pending_text.clear()
            elif line.count("|") >= 2:
                end_row()
            elif row:
                # A lone pipe inside a row closes an empty cell.
                row.append("")
            i += 1
            continue
        cells = _split_pipe_line(line)
        if pending_text:
            row.append(" ".join(pending_text))
            pending_text.clear()
        if line.startswith("|"):
            # A whole row on one line ("| a | b |").
            end_row()
            rows.append(cells)
            whole_rows = True
        else:
            row.extend(cells or [""])
            if _ROW_END.search(line):
                end_row()
        i += 1
    end_row()
    if rows:
        place = _table_place(source)
        source.blocks.append(Table.from_texts(place, rows))
        last = next((x.strip() for x in reversed(lines[:i]) if x.strip()), "")
        if not any(x.strip() for x in lines[i:]) and not last.endswith("|"):
            source.notes.append(
                (places.row(place, len(rows)), "文本在这一行中断，这一行的内容可能不完整，请核对")
            )
    return i
