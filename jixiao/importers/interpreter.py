"""Grid -> target document: all the understanding of target tables, for every file format.

The interpreter walks a :class:`Source` in order. Paragraphs give the year, project titles and
the department-wide part (部门整体绩效目标). Tables give each project's header block (code, name,
money, spending plan, goal: label cells followed by their values) and its indicator grid (a
header row whose cells name column roles by synonym, then indicator rows). Whatever cannot be
read cleanly becomes a warning with its place; nothing is silently dropped or guessed.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.core.document import (
    Budget,
    Checkpoint,
    IndicatorRow,
    ProjectResults,
    ProjectTargets,
    TargetDocument,
    UnitRef,
    Warning,
)
from jixiao.core.targets import looks_corrupted, normalize_op, parse_target
from jixiao.importers import limits, placement
from jixiao.importers import places as at
from jixiao.importers import values as cv
from jixiao.importers import vocab as v
from jixiao.importers.flat import rows_from_flat_text, segment_spans, stream_rows
from jixiao.importers.grid import ImportFailure, Paragraph, Source, Table
from jixiao.importers.unit_goal import read_unit_goal
from jixiao.importers.values import squash_ws

# A year that ends a range (2023-2025年) is not the table's year.
_YEAR_TITLE = re.compile(r"(?<![-—~～至到])(20\d{2})\s*年度")
_YEAR_ANY = re.compile(r"(?<![-—~～至到])(20\d{2})\s*年")
_YEAR_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_PROJECT_TITLE = re.compile(
    r"^\s*\d{1,3}\s*[.、．]\s*(.{2,60}?)(?:项目)?(?:支出)?绩效目标(?:申报|批复)?表\s*$"
)
_PLAN_PAIR = re.compile(
    r"(\d{1,2})\s*月(?:份)?(?:底|末)?(?:前|止)?\s*[:：]?\s*(?:完成|支出|累计)?\s*(\d+(?:\.\d+)?)\s*[%％]"
)
_ROW_NUMBER = re.compile(r"^指[标標]\s*\d+\s*[:：]\s*")
# A column's name in a warning when the table's own header text is not known.
_ROLE_NAMES = {
    v.LEVEL1: "一级指标",
    v.LEVEL2: "二级指标",
    v.LEVEL3: "三级指标",
    v.TARGET: "指标值",
    v.WEIGHT: "权重",
    v.ACTUAL: "实际完成值",
    v.SCORE: "得分",
}
_CONTINUED_LABELS = (v.LABEL_GOAL, v.LABEL_GOAL_ANNUAL, v.LABEL_GOAL_LONG, v.LABEL_FUND_USE)


def interpret(source: Source) -> TargetDocument:
    """Turn a read file into the jixiao.targets/1 document model."""
    return _Interpreter(source).run()


@dataclass
class _Header:
    """Header-block values of one project, gathered before its indicator grid."""

    code: str | None = None
    name: str | None = None
    total: Decimal | None = None
    fiscal: Decimal | None = None
    other: Decimal | None = None
    carryover: Decimal | None = None
    money_unit: str | None = None
    # A self-evaluation's fund line (全年预算数, 全年执行数, 执行率, 分值, 得分) by budget column.
    fund_results: dict[str, Decimal] = field(default_factory=dict)
    # Where a money label (资金总额, 财政拨款 …) was met: amounts are expected then.
    money_label_at: str | None = None
    money_unreadable: bool = False  # an amount already warned about as unreadable
    fund_use: str | None = None
    plan: list[Checkpoint] = field(default_factory=list)
    goals: dict[str, str] = field(default_factory=dict)

    def has_identity(self) -> bool:
        return bool(self.code or self.name)

    def goal(self) -> str | None:
        for kind in (v.LABEL_GOAL_ANNUAL, v.LABEL_GOAL, v.LABEL_GOAL_LONG):
            if self.goals.get(kind):
                return self.goals[kind]
        return None


@dataclass
class _Grid:
    """The indicator grid being read: column roles and the row above (for filling down)."""

    roles: list[str | None]
    names: list[str]  # header text per column, for warning places
    width: int
    previous: dict[str, str] = field(default_factory=dict)

    @property
    def self_evaluation(self) -> bool:
        """A self-evaluation table: its rows carry actuals and scores beside the targets."""
        return v.ACTUAL in self.roles or v.SCORE in self.roles

    def column(self, row_place: str, role: str) -> str:
        """A cell's place, named by its column's header as the table writes it."""
        for r, name in zip(self.roles, self.names, strict=False):
            if r == role and name:
                return at.column(row_place, name)
        return at.column(row_place, _ROLE_NAMES.get(role, role))


class _Interpreter:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.doc = TargetDocument()
        self.warnings: list[Warning] = []
        self.money_unit: str | None = None
        self.title_name: str | None = None
        self.header = _Header()
        self.project: ProjectTargets | None = None
        self.grid: _Grid | None = None
        self.found_grid = False
        self.last_label: str | None = None
        self.paragraph_numbers: dict[int, int] = {}
        # Columns of a budget block laid out as a grid (中期资金总额 | 年度资金总额 over money
        # lines), while its rows are being read.
        self.budget_columns: dict[int, str] | None = None

    # ----------------------------------------------------------------- driver

    def run(self) -> TargetDocument:
        blocks = [_as_paragraphs(b) for b in self.source.blocks]
        flat: list[Paragraph | Table] = [
            x for group in blocks for x in group if not _is_page_furniture(x)
        ]
        paragraphs = [b.text for b in flat if isinstance(b, Paragraph)]
        self.doc.year = self._find_year(flat)
        self.doc.unit_goal = read_unit_goal(paragraphs)
        self._scan_money_unit(paragraphs)
        self.paragraph_numbers = _paragraph_numbers(flat)
        streams = _cell_per_line_runs(flat)
        index = 0
        while index < len(flat):
            block = flat[index]
            if index in streams:
                end = streams[index]
                self._read_stream(
                    [
                        (b.text, at.paragraph(self.paragraph_numbers[k]))
                        for k, b in enumerate(flat[index:end], start=index)
                        if isinstance(b, Paragraph)
                    ]
                )
                index = end
                continue
            index += 1
            if isinstance(block, Paragraph):
                limits.check_time(at.paragraph(self.paragraph_numbers[index - 1]))
                self._paragraph(block, flat, index - 1)
            else:
                self._table(block)
        self._close_project()
        if self.doc.unit is None:
            self.doc.unit = _unit_from_title(flat)
        if not self.found_grid:
            if self.doc.unit_goal is None:
                raise ImportFailure(
                    f"{self.source.name} 中没有找到绩效指标表"
                    "（缺少“一级指标/二级指标/三级指标/指标值”等列）"
                )
            self.warn(self.source.name, "文件中只有部门整体绩效目标，没有项目绩效指标表")
        self.doc.warnings = [Warning(w, m) for w, m in self.source.notes] + self.warnings
        return self.doc

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(Warning(where, message))

    # ------------------------------------------------------------- paragraphs

    def _find_year(self, blocks: list[Paragraph | Table]) -> int | None:
        """The year from a title (`2021年度`), a 预算年度 field, the text, or the file name."""
        texts: list[str] = []
        fields: list[str] = []
        for b in blocks:
            if isinstance(b, Paragraph):
                texts.append(cv.year_digits(b.text))
                continue
            for row in b.rows[:12]:
                cells = [cv.year_digits(c.text.strip()) for c in row if c.text.strip()]
                texts.extend(cells)
                for i, text in enumerate(cells):
                    if v.label_kind(text) == v.LABEL_YEAR and i + 1 < len(cells):
                        fields.append(cells[i + 1])
                    elif (split := _inline_label(text)) and v.label_kind(split[0]) == v.LABEL_YEAR:
                        fields.append(split[1])
        short = [squash_ws(t) for t in texts if len(t) <= 80]
        for text in short:
            if m := _YEAR_TITLE.search(text):
                return int(m.group(1))
        for text in fields:
            if m := re.fullmatch(r"\s*(20\d{2})\s*(?:年度?)?\s*", text):
                return int(m.group(1))
        for text in short:
            if m := _YEAR_ANY.search(text):
                return int(m.group(1))
        for text in texts:
            if m := _YEAR_TITLE.search(squash_ws(text)):
                return int(m.group(1))
        titles = [at.sheet_title(b.place) or "" for b in blocks if isinstance(b, Table)]
        for text in [*titles, self.source.name]:
            if m := _YEAR_NAME.search(cv.year_digits(text)):
                return int(m.group(1))
        return None

    def _scan_money_unit(self, paragraphs: list[str]) -> None:
        for text in paragraphs:
            if len(text) < 60 and (m := v.MONEY_UNIT.search(text)):
                self.money_unit = m.group(1)
                return
        # 目标表（万元）.xlsx: the file's name is the last place that may state it.
        name = self.source.name
        if m := v.MONEY_UNIT.search(name) or v.MONEY_UNIT_IN_LABEL.search(name):
            self.money_unit = m.group(1)

    def _paragraph(self, block: Paragraph, blocks: list[Paragraph | Table], index: int) -> None:
        text = block.text
        if m := _PROJECT_TITLE.match(text):
            self._close_project()
            self.grid = None
            self.title_name = m.group(1).strip()
            return
        if len(text) < 60 and (m := v.MONEY_UNIT.search(text)):
            self.money_unit = m.group(1)
        if "一级" in text and "二级" in text and "指标" in text:
            # A table that lost its borders: cells run together in paragraphs.
            later = [
                (at.paragraph(self.paragraph_numbers[i]), b.text)
                for i, b in enumerate(blocks)
                if i > index and isinstance(b, Paragraph)
            ]
            place = at.paragraph(self.paragraph_numbers[index])
            result = rows_from_flat_text(text, [t for _, t in later], place, [w for w, _ in later])
            if result is None:
                return
            self.found_grid = True
            self.warnings.extend(result.warnings)
            if re.search(r"一级指标\s+二级指标", text):
                # Cells separated by spaces: the header block before the grid reads as a stream.
                head = text[: text.find("一级指标")].split()
                self._read_stream([(t, place) for t in head], grids=False)
            self._open_project_if_needed(force=True)
            grid = _Grid(
                _resolve_duplicates(result.roles, [""] * len(result.roles)),
                result.names,
                len(result.roles),
            )
            self.grid = None
            for row, where in zip(result.rows, result.places, strict=True):
                self._grid_row(row, where, grid)

    # ------------------------------------------------------------------ tables

    def _table(self, table: Table) -> None:
        rows = table.rows
        r = 0
        if self.grid is not None and not _continues_grid(table, self.grid):
            self.grid = None
        while r < len(rows):
            if r % 500 == 0:
                limits.check_time(at.row(table.place, r + 1))
            texts = [_cell_text(table, r, c) for c in range(len(rows[r]))]
            place = at.row(table.place, r + 1)
            if not any(texts):
                r += 1
                continue
            if self.grid is None and sum(1 for t in texts if t) > 12:
                # A whole table run into one row (web text that lost its row breaks).
                self._long_row([t for t in texts if t], place)
                r += 1
                continue
            if self.grid is None or _header_roles(texts) is not None:
                header = _header_roles(texts)
                if header is not None:
                    r = self._start_grid(table, r, texts, header)
                    continue
                if self.grid is None:
                    r = self._header_row(table, r, texts)
                    continue
            grid = self.grid
            assert grid is not None
            if all(cell.origin[0] < r for t, cell in zip(texts, rows[r], strict=True) if t):
                # Nothing but copies of merges from the rows above (a page break cut a row
                # beside a merged side heading): the row says nothing the one above did not.
                r += 1
                continue
            first = next(t for t in texts if t)
            if v.is_trailer(first):
                self._total_score(texts, grid)
                self.grid = None
                r += 1
                continue
            if self._is_header_block_row(texts):
                self.grid = None
                continue
            # A heading merged down the grid's side (绩效指标) is no cell of any row.
            side = [
                "" if c < len(grid.roles) and grid.roles[c] is None and cell.origin[0] != r else t
                for c, (t, cell) in enumerate(zip(texts, rows[r], strict=True))
            ]
            self._grid_row(side, place, grid)
            r += 1

    def _is_header_block_row(self, texts: list[str]) -> bool:
        """A row that starts another project's header block ends the grid above it."""
        filled = [t for t in texts if t]
        kinds = {v.label_kind(split[0] if (split := _inline_label(t)) else t) for t in filled}
        starts = {v.LABEL_CODE, v.LABEL_NAME, v.LABEL_UNIT, v.LABEL_TOTAL, v.LABEL_FISCAL}
        unit_line = len(filled) <= 2 and any(
            v.UNIT_CODE_NAME.match(t.strip()) or (len(t) < 30 and v.MONEY_UNIT.search(t))
            for t in filled
        )
        return bool(kinds & starts) or unit_line

    def _start_grid(self, table: Table, r: int, texts: list[str], roles: list[str | None]) -> int:
        """Begin an indicator grid at header row r; return the next row to read."""
        for text in texts:
            if len(text) < 40 and (m := v.MONEY_UNIT.search(text)):
                self.money_unit = m.group(1)  # 金额单位：万元 run into the header's row
        names = [squash_ws(t) for t in texts]
        r += 1
        # A second header row splitting 指标值 into 符号 | 值 | 单位.
        if r < len(table.rows):
            below = [_cell_text(table, r, c, keep_copies=True) for c in range(len(table.rows[r]))]
            # A sub-cell merged across several grid columns (a PDF's rulings, or another band of
            # the table, split the columns finer) names its first column only: the data rows
            # put their value there too, and a copy would read as a second, long-term set.
            sub = [
                v.subheader_role(t) if table.rows[r][c].origin[1] == c else None
                for c, t in enumerate(below)
            ]
            if sum(1 for s in sub if s) >= 2:
                placed = [c for c, role in enumerate(sub) if role]
                target = next((c for c, x in enumerate(roles) if x in (v.TARGET, v.NATURE)), None)
                shifted = placed[0] != target and not any(below[: placed[0]])
                named_after = (
                    any(roles[target + 1 : target + len(placed)]) if target is not None else False
                )
                if target is not None and (shifted or named_after):
                    # Text lost the merges: the sub-cells start the row, or the header's next
                    # columns follow 指标值 at once. The sub-cells take the place of the
                    # column they split, the columns after it move right.
                    split = [(sub[c], squash_ws(below[c])) for c in placed]
                    roles = roles[:target] + [x for x, _ in split] + roles[target + 1 :]
                    names = names[:target] + [n for _, n in split] + names[target + 1 :]
                else:
                    for c, role in enumerate(sub):
                        if role and c < len(roles) and roles[c] in (v.TARGET, v.NATURE, None):
                            roles[c] = role
                            names[c] = squash_ws(below[c])
                r += 1
        roles, names, consumed = _unfold_header(roles, names)
        roles = _resolve_duplicates(roles, names)
        if self.grid is not None and self.grid.roles == roles and self.project is not None:
            return r  # the header repeated after a page break
        self._open_project_if_needed(force=True)
        self.grid = _Grid(roles, names, len(roles))
        self.found_grid = True
        # Web-page text may run the first data rows into the header row.
        last = consumed if consumed is not None else max(c for c, role in enumerate(roles) if role)
        rest = [t for t in texts[last + 1 :]]
        if any(rest):
            place = at.row(table.place, r)
            self._stream(rest, place, self.grid)
        return r

    def _stream(self, cells: list[str], place: str, grid: _Grid) -> None:
        result = stream_rows(cells, grid.roles, place)
        for row, where in zip(result.rows, result.places, strict=True):
            self._grid_row(row, where, grid)

    # ------------------------------------------------------------ header block

    def _header_row(self, table: Table, r: int, texts: list[str]) -> int:
        """Read one header-block row (labels and values); return the next row to read."""
        place = at.row(table.place, r + 1)
        anchors = _split_inline_labels(
            [(c, t) for c, t in enumerate(texts) if t and table.is_anchor(r, c)]
        )
        for _, text in anchors:
            if m := v.MONEY_UNIT.search(text):
                self.money_unit = m.group(1)
            elif len(text) <= 24 and (m := v.MONEY_UNIT_IN_LABEL.search(text)):
                # 项目资金（万元）, 预算金额(元): the unit of the amounts beside or below it.
                self.header.money_unit = self.header.money_unit or m.group(1)
        kinds = [v.label_kind(t) for _, t in anchors]
        if any(k in _MONEY_KINDS and k != v.LABEL_FUNDS for k in kinds):
            self.header.money_label_at = self.header.money_label_at or place
        if self.budget_columns is not None:
            if self._budget_line(table, r, anchors, kinds, place):
                return r + 1
            self.budget_columns = None
        if (columns := _budget_columns(anchors, kinds)) is not None:
            self.budget_columns = columns
            return r + 1
        if len(anchors) == 1 and kinds[0] is None and self.last_label in _CONTINUED_LABELS:
            # A field's second paragraph in a row of its own (a goal's item 2).
            self._append_header(self.last_label, anchors[0][1])
            return r + 1
        separate = len({c for c, _ in anchors}) == len(anchors)  # no `label：value` cell
        if len(anchors) >= 2 and separate and all(kinds) and v.LABEL_PLAN not in kinds:
            below = self._values_below(table, r, anchors)
            if below is not None:
                for field_kind, field_value in below:
                    self._set_header(field_kind, field_value, place)
                return r + 2
        i = 0
        next_row = r + 1
        while i < len(anchors):
            text = anchors[i][1]
            kind = kinds[i]
            if kind is None:
                self._maybe_unit_cell(text)
                i += 1
                continue
            if kind == v.LABEL_PLAN:
                return self._plan(table, r, anchors[i + 1 :], place)
            value: str | None = None
            if i + 1 < len(anchors) and kinds[i + 1] is None:
                value = anchors[i + 1][1]
                i += 1
            elif kind == v.LABEL_FUND_USE and (value := _long_text_below(table, r)) is not None:
                next_row = r + 2
            if value is not None:
                self._set_header(kind, value, place)
            i += 1
        return next_row

    def _budget_line(
        self,
        table: Table,
        r: int,
        anchors: list[tuple[int, str]],
        kinds: list[str | None],
        place: str,
    ) -> bool:
        """Read one money line under the budget block's columns; False when the block ended."""
        columns = self.budget_columns
        assert columns is not None
        money = [k for k in kinds if k in _MONEY_KINDS and k != v.LABEL_FUNDS]
        labelled = {c for c, _ in anchors if c not in columns}
        if not money and any(v.label_kind(t) or c in labelled for c, t in anchors):
            return False
        kind = money[0] if money else v.LABEL_TOTAL  # values right under the column labels
        values = {role: _cell_text(table, r, c, keep_copies=True) for c, role in columns.items()}
        self._budget_values(kind, values, place)
        return True

    def _budget_values(self, kind: str, values: dict[str, str], place: str) -> None:
        """A money line's amounts by budget column: the budget, and a self-evaluation's results."""
        values = {role: text for role, text in values.items() if text and text not in cv.BLANKS}
        pick = next((values[k] for k in _BUDGET_VALUE_ORDER if k in values), None)
        if pick is not None:
            self._set_header(kind, pick, place)
        if kind == v.LABEL_TOTAL:
            for role in _RESULT_COLUMNS:
                if role in values:
                    text = values[role]
                    number = cv.percent(text) if role == v.BCOL_RATE else cv.decimal(text)
                    if number is not None:
                        self.header.fund_results[role] = number

    def _values_below(
        self, table: Table, r: int, labels: list[tuple[int, str]]
    ) -> list[tuple[str, str]] | None:
        """A row of labels over a row of values (`实施期目标 | 年度目标` above their texts)."""
        if r + 1 >= len(table.rows):
            return None
        below = table.rows[r + 1]
        found: list[tuple[str, str]] = []
        filled = [
            c.text.strip() for i, c in enumerate(below) if c.text.strip() and c.origin[1] == i
        ]
        first = v.label_kind(labels[0][1])
        if (
            first in (v.LABEL_GOAL, v.LABEL_FUNDS)
            and len(filled) == len(labels) - 1
            and all(v.label_kind(t) is None for t in filled)
            and below[labels[0][0]].text.strip() == filled[0]
        ):
            # 绩效目标 | 实施期目标 | 年度目标 over two texts: the heading merged down over the
            # values lost its merge (web text), so the texts moved left under it.
            kinds = [v.label_kind(t) for _, t in labels[1:]]
            return [(k, t) for k, t in zip(kinds, filled, strict=True) if k is not None]
        for c, text in labels:
            if c >= len(below) or below[c].origin == (r, c):
                continue  # a label merged down over both rows heads the group
            cell = below[c]
            value = cell.text.strip()
            if not value and cell.origin == (r + 1, c):
                continue  # a heading whose merge web text lost, or a field left blank
            if cell.origin != (r + 1, c) or not value or v.label_kind(value):
                return None
            kind = v.label_kind(text)
            assert kind is not None
            found.append((kind, value))
        return found or None

    def _append_header(self, kind: str, text: str) -> None:
        h = self.header
        if kind == v.LABEL_FUND_USE and h.fund_use:
            h.fund_use += "\n" + text
        elif kind in h.goals:
            h.goals[kind] += "\n" + text

    def _long_row(self, cells: list[str], place: str) -> None:
        """A row holding a header block and perhaps a whole grid (web text lost the rows)."""
        self._read_stream([(t, place) for t in cells])

    def _read_stream(self, cells: list[tuple[str, str]], grids: bool = True) -> None:
        """Cells that lost their rows, each with its place.

        Read in order: header-block labels and their values, budget blocks under their column
        labels, and indicator grids (rows recovered from content); a new header block or a
        footer ends a grid.
        """
        texts = [t.strip() for t, _ in cells]
        i = 0
        while i < len(texts):
            text = texts[i]
            place = cells[i][1]
            if i % 500 == 0:
                limits.check_time(place)
            if grids and _starts_header(texts, i) and (end := self._stream_grid(cells, i)):
                i = end
                continue
            if v.budget_column(text) and i + 1 < len(texts) and v.budget_column(texts[i + 1]):
                i = self._stream_budget(texts, i, place)
                continue
            if m := v.MONEY_UNIT.search(text):
                self.money_unit = m.group(1)
            elif len(text) <= 24 and (m := v.MONEY_UNIT_IN_LABEL.search(text)):
                self.header.money_unit = self.header.money_unit or m.group(1)
            split = _inline_label(text)
            label, value = split if split else (text, None)
            kind = v.label_kind(label)
            if kind is None:
                self._maybe_unit_cell(text)
            elif kind == v.LABEL_PLAN:
                rest = " ".join(texts[i + 1 : i + 13])
                if pairs := _PLAN_PAIR.findall(rest):
                    self.header.plan = _checkpoints([(int(m), p) for m, p in pairs], place, self)
            elif value is not None:
                self._set_header(kind, value, place)
            elif i + 1 < len(texts):
                nxt = texts[i + 1]
                taken = v.label_kind(nxt) or v.column_role(nxt) or v.budget_column(nxt)
                if nxt and not taken and (kind != v.LABEL_FUNDS or cv.is_amount(nxt)):
                    self._set_header(kind, nxt, place)
                    i += 1
            i += 1

    def _stream_grid(self, cells: list[tuple[str, str]], i: int) -> int | None:
        """Read the grid whose header starts at cell i; the index after it, None if no header."""
        texts = [t.strip() for t, _ in cells]
        end = i
        while end < len(texts) and v.column_role(texts[end]):
            end += 1
        header = texts[i:end]
        roles = _header_roles(header)
        if roles is None:
            return None
        names = [squash_ws(t) for t in header]
        roles, names, _ = _unfold_header(roles, names)
        self._open_project_if_needed(force=True)
        grid = _Grid(_resolve_duplicates(roles, names), names, len(roles))
        self.grid = grid
        self.found_grid = True
        stop = end
        while stop < len(texts) and not _ends_stream_grid(texts, stop):
            stop += 1
        for n, (start, row) in enumerate(segment_spans(texts[end:stop], grid.roles)):
            if n % 200 == 0:
                limits.check_time(cells[end + start][1])
            self._grid_row(row, cells[end + start][1], grid)
        total = next(
            (k for k in range(stop, min(stop + 8, len(texts))) if squash_ws(texts[k]) == "总分"),
            None,
        )
        if total is not None:
            self._total_score(texts[total : total + 4], grid, stream=True)
        if stop < len(texts):
            self.grid = None  # else the grid may go on in the table's next rows
        return stop

    def _stream_budget(self, texts: list[str], i: int, place: str) -> int:
        """Budget column labels, then money lines each followed by its amounts in order."""
        columns: list[str] = []
        while i < len(texts) and (role := v.budget_column(texts[i])):
            line = v.label_kind(texts[i]) in _MONEY_KINDS
            if columns and line and i + 1 < len(texts) and cv.is_amount(texts[i + 1]):
                break  # 年度资金总额 followed by its amounts: the first money line
            columns.append(role)
            i += 1
        while i < len(texts):
            split = _inline_label(texts[i])
            label = split[0] if split else texts[i]
            kind = v.label_kind(label)
            if kind not in _MONEY_KINDS or kind == v.LABEL_FUNDS:
                break
            i += 1
            amounts = [split[1]] if split else []
            while i < len(texts) and len(amounts) < len(columns) and cv.is_amount(texts[i]):
                amounts.append(texts[i])
                i += 1
            self._budget_values(kind, dict(zip(columns, amounts, strict=False)), place)
        return i

    def _maybe_unit_cell(self, text: str) -> None:
        if self.doc.unit is None and (m := v.UNIT_CODE_NAME.match(text.strip())):
            self.doc.unit = UnitRef(m.group(1), m.group(2).strip())

    def _set_header(self, kind: str, value: str, place: str) -> None:
        h = self.header
        value = value.strip()
        self.last_label = kind
        if kind == v.LABEL_CODE:
            if h.code and self.project is None and h.code != value:
                self.header = h = _Header(money_unit=h.money_unit)
            h.code = value
        elif kind == v.LABEL_NAME:
            code, name = _split_code_name(value)
            h.name = name
            if code and not h.code:
                h.code = code
        elif kind == v.LABEL_UNIT:
            # 填报单位：某局（盖章）: the seal's note is no part of the name.
            value = _SEAL_NOTE.sub("", value).strip()
            other_field = v.label_kind(value) is not None or _inline_label(value) is not None
            money = value in ("元", "万元", "千元") or cv.is_unit_note(value)  # 单位：万元
            if self.doc.unit is None and value and not money and not other_field:
                m = v.UNIT_CODE_NAME.match(value)
                code_name = re.match(r"^(\d{3,})\s*[-—－_]\s*(.+)$", value)
                if m:
                    self.doc.unit = UnitRef(m.group(1), m.group(2).strip())
                elif code_name:
                    self.doc.unit = UnitRef(code_name.group(1), code_name.group(2).strip())
                else:
                    self.doc.unit = UnitRef(None, value)
        elif kind == v.LABEL_YEAR:
            if self.doc.year is None and (m := _YEAR_NAME.search(cv.year_digits(value))):
                self.doc.year = int(m.group(1))
        elif kind in _MONEY_KINDS:
            amount, unit = cv.money(value)
            if amount is None and v.label_kind(value) is not None:
                return  # the next label, in a layout that left this amount blank
            if amount is None:
                if value not in ("", "—", "-", "/", "无"):
                    self.warn(place, f"无法读取金额“{value}”")
                    h.money_unreadable = True
                return
            if unit:
                h.money_unit = h.money_unit or unit
            if kind in (v.LABEL_TOTAL, v.LABEL_FUNDS) and h.total is None:
                h.total = amount
            elif kind == v.LABEL_CARRYOVER and h.carryover is None:
                h.carryover = amount
            elif kind == v.LABEL_FISCAL and h.fiscal is None:
                h.fiscal = amount
            elif kind == v.LABEL_OTHER and h.other is None:
                h.other = amount
        elif kind == v.LABEL_FUND_USE:
            h.fund_use = value or None
        elif kind in (v.LABEL_GOAL, v.LABEL_GOAL_ANNUAL, v.LABEL_GOAL_LONG):
            h.goals.setdefault(kind, value)

    def _plan(self, table: Table, r: int, rest: list[tuple[int, str]], place: str) -> int:
        """Read the spending plan: months in this row and percents below, or pairs in text."""
        text = " ".join(t for _, t in rest)
        pairs = _PLAN_PAIR.findall(text)
        if pairs:
            self.header.plan = _checkpoints([(int(m), p) for m, p in pairs], place, self)
            return r + 1
        months = [(c, int(m.group(1))) for c, t in rest if (m := v.MONTH.match(squash_ws(t)))]
        if not months or r + 1 >= len(table.rows):
            self.warn(place, "无法读取资金支出计划")
            return r + 1
        below = [(c, _cell_text(table, r + 1, c)) for c in range(len(table.rows[r + 1]))]
        percents = [(c, t) for c, t in below if t and cv.percent(t) is not None]
        by_column = {c: t for c, t in percents}
        if all(c in by_column for c, _ in months):
            values = [(month, by_column[c]) for c, month in months]
        elif len(percents) == len(months):
            values = [(month, t) for (_, month), (_, t) in zip(months, percents, strict=True)]
        else:
            self.warn(at.row(table.place, r + 2), "资金支出计划的月份与百分比个数不一致，未导入")
            return r + 2
        self.header.plan = _checkpoints(values, at.row(table.place, r + 2), self)
        return r + 2

    # --------------------------------------------------------------- projects

    def _open_project_if_needed(self, force: bool = False) -> None:
        h = self.header
        if self.project is not None and not h.has_identity() and not force:
            return
        if self.project is not None and not h.has_identity():
            # A grid without a new header block continues the current project.
            return
        if self.project is not None:
            self._close_project()
        amounts = (h.total, h.fiscal, h.other, h.carryover)
        if h.money_label_at and not h.money_unreadable and all(a is None for a in amounts):
            self.warn(h.money_label_at, "表中有资金栏目，但没有读到任何金额，请核对预算数")
        name = h.name or self.title_name
        self.project = ProjectTargets(
            code=h.code,
            name=name,
            budget=Budget(
                unit=h.money_unit or self.money_unit,
                total=h.total,
                fiscal=h.fiscal,
                other=h.other,
                carryover=h.carryover,
            ),
            fund_use=h.fund_use,
            spending_plan=h.plan,
            goal=h.goal(),
            results=_fund_results(h.fund_results),
        )
        self.doc.projects.append(self.project)
        self.header = _Header()
        self.title_name = None

    def _close_project(self) -> None:
        if self.project is not None and not self.project.indicators:
            label = self.project.name or self.project.code
            number = self.doc.projects.index(self.project) + 1
            where = f"项目“{label}”" if label else f"第 {number} 个项目"
            self.warn(where, "该项目没有读到任何绩效指标")
        self.project = None

    # ------------------------------------------------------------- grid rows

    def _grid_row(self, cells: list[str], place: str, grid: _Grid) -> None:
        roles = placement.align(cells, grid.roles)
        if roles is None:
            text = "｜".join(c for c in cells if c)
            self.warn(place, f"无法对应到指标表的列，未导入：{text[:80]}")
            return
        values: dict[str, str] = {}
        for role, text in zip(roles, cells, strict=False):
            if role and text and role not in values:
                values[role] = text.strip()
        self._flat_list_project(values, place, grid)
        self._add_indicator(values, place, grid)

    def _flat_list_project(self, values: dict[str, str], place: str, grid: _Grid) -> None:
        """Tables listing many projects: a project-name column starts a new project."""
        name = values.get(v.PROJECT_NAME)
        if v.UNIT_NAME in values and self.doc.unit is None:
            self._set_header(v.LABEL_UNIT, values[v.UNIT_NAME], place)
        if not name:
            return
        code, name = _split_code_name(name)
        current = self.project
        if current is not None and current.name == name:
            return
        if current is not None and not current.indicators and current.name is None:
            self.doc.projects.remove(current)
            self.project = None
        self.header = _Header(code=code or values.get(v.PROJECT_CODE), name=name)
        if v.BUDGET in values:
            self._set_header(v.LABEL_TOTAL, values[v.BUDGET], place)
            # 预算数（万元）: the column's header states the unit of its amounts.
            header = "".join(
                n for r, n in zip(grid.roles, grid.names, strict=False) if r == v.BUDGET
            )
            if not self.header.money_unit and (m := v.MONEY_UNIT_IN_LABEL.search(header)):
                self.header.money_unit = m.group(1)
        if v.GOAL in values:
            self._set_header(v.LABEL_GOAL, values[v.GOAL], place)
        if values.get(v.LEVEL3) or values.get(v.TARGET):
            self._open_project_if_needed()
        # else: a total row (e.g. the department's own line) opens nothing until an indicator

    def _add_indicator(self, values: dict[str, str], place: str, grid: _Grid) -> None:
        previous = grid.previous
        level1 = v.normalize_level(values.get(v.LEVEL1, ""))
        level2 = v.normalize_level(values.get(v.LEVEL2, ""))
        # The national template numbers its rows (指标1：…); the number is not part of the name.
        level3 = _ROW_NUMBER.sub("", " ".join(values.get(v.LEVEL3, "").split()))
        target_text = values.get(v.TARGET, "").strip()
        op_text = values.get(v.OP) or values.get(v.NATURE)
        unit_text = values.get(v.UNIT)
        if level1:
            if level1 != previous.get(v.LEVEL1) and not level2:
                previous.pop(v.LEVEL2, None)
            previous[v.LEVEL1] = level1
        else:
            level1 = previous.get(v.LEVEL1, "")
        if level2:
            previous[v.LEVEL2] = level2
        else:
            level2 = previous.get(v.LEVEL2, "")
        if not level3 and not target_text:
            return  # a level-2 heading with no indicator under it (e.g. an empty 生态效益指标)
        if not level3:
            self.warn(grid.column(place, v.LEVEL3), f"三级指标为空，指标值“{target_text}”未导入")
            return
        if not target_text and not op_text:
            self.warn(grid.column(place, v.TARGET), f"指标“{level3}”的指标值为空，未导入")
            return
        if not level1 or not level2:
            missing = "一级指标" if not level1 else "二级指标"
            role = v.LEVEL1 if not level1 else v.LEVEL2
            self.warn(grid.column(place, role), f"指标“{level3}”缺少{missing}，未导入")
            return
        op = normalize_op(op_text) if op_text else None
        target = _compose_target(op_text if op else None, target_text, unit_text)
        year = self.doc.year
        try:
            parsed = parse_target(target_text, op=op, unit=unit_text or None, year=year)
        except ValueError:
            self.warn(grid.column(place, v.TARGET), f"无法识别指标值“{target}”")
            return
        if op_text and op is None and squash_ws(op_text) in ("定性",):
            parsed = parse_target(target_text, year=year)
        if note := looks_corrupted(target):
            self.warn(grid.column(place, v.TARGET), note)
        weight = None
        not_applicable = grid.self_evaluation and cv.is_not_applicable(values.get(v.ACTUAL, ""))
        if (raw := values.get(v.WEIGHT)) and not (not_applicable and cv.decimal(raw) is None):
            weight = cv.decimal(raw)
            if weight is None:
                self.warn(grid.column(place, v.WEIGHT), f"无法读取权重“{raw}”")
        if self.project is None or self.header.has_identity():
            self._open_project_if_needed(force=True)
        assert self.project is not None
        row = IndicatorRow(
            level1=level1,
            level2=level2,
            level3=level3,
            target=target,
            parsed=parsed,
            description=values.get(v.DESCRIPTION) or None,
            basis=values.get(v.BASIS) or None,
            weight=weight,
        )
        if grid.self_evaluation:
            row = self._with_results(row, values, place, grid, not_applicable)
        self.project.indicators.append(row)

    def _with_results(
        self,
        row: IndicatorRow,
        values: dict[str, str],
        place: str,
        grid: _Grid,
        not_applicable: bool,
    ) -> IndicatorRow:
        """A self-evaluation row's 实际完成值, 分值, 得分 and 偏差原因 beside its target.

        A row marked 不适用 keeps that as its actual and scores 0 of 0 points.
        """
        self._mark_results()
        score = None
        if (raw := values.get(v.SCORE)) and not (not_applicable and cv.decimal(raw) is None):
            # 9.00（计算 9.84）: the score as decided, with the computed one in brackets.
            score = cv.decimal(cv.BRACKETED_TAIL.sub("", raw))
            if score is None:
                self.warn(grid.column(place, v.SCORE), f"无法读取得分“{raw}”")
        actual = values.get(v.ACTUAL) or None
        zero = Decimal(0) if not_applicable else None
        return dataclasses.replace(
            row,
            actual=None if actual in cv.BLANKS else actual,
            points=zero if row.weight is None else row.weight,
            score=zero if score is None else score,
            explanation=values.get(v.EXPLANATION) or None,
        )

    def _mark_results(self) -> None:
        """The current project comes from a self-evaluation table: it carries results."""
        if self.project is not None and self.project.results is None:
            self.project.results = ProjectResults()

    def _total_score(self, texts: list[str], grid: _Grid, stream: bool = False) -> None:
        """The 总分 row of a self-evaluation table: the score after the points total."""
        cells = [squash_ws(t) for t in texts]
        if "总分" not in cells or not grid.self_evaluation or self.project is None:
            return
        after = cells[cells.index("总分") + 1 :]
        if v.SCORE in grid.roles and len(cells) == grid.width and not stream:
            under = cells[grid.roles.index(v.SCORE)]
            if cv.decimal(under) is not None:
                after = [under]
        numbers = [n for t in after if (n := cv.decimal(t)) is not None]
        if numbers:
            self._mark_results()
            assert self.project.results is not None
            self.project.results.total_score = numbers[1] if len(numbers) >= 2 else numbers[0]


# ---------------------------------------------------------------- grid helpers


_PAGE_MARK = re.compile(
    r"^(第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?|-\s*\d+\s*-|\d+\s*/\s*\d+"
    r"|[Pp]age\s*\d+(\s*of\s*\d+)?)$"
)


def _is_page_furniture(block: Paragraph | Table) -> bool:
    """Page numbers a printed or PDF source puts between paragraphs and tables."""
    return isinstance(block, Paragraph) and bool(_PAGE_MARK.match(block.text.strip()))


_SEAL_NOTE = re.compile(r"[(（]\s*(盖章|公章|签章|章)\s*[)）]")
_MONEY_KINDS = (
    v.LABEL_TOTAL,
    v.LABEL_FISCAL,
    v.LABEL_OTHER,
    v.LABEL_CARRYOVER,
    v.LABEL_FUNDS,
)
# Which budget column gives the budget: the annual amount, the year's initial budget, …
_BUDGET_VALUE_ORDER = (v.BCOL_ANNUAL, v.BCOL_INITIAL, v.BCOL_AMOUNT, v.BCOL_FULL_YEAR)
_RESULT_COLUMNS = (v.BCOL_FULL_YEAR, v.BCOL_EXECUTED, v.BCOL_RATE, v.BCOL_POINTS, v.BCOL_SCORE)


def _split_inline_labels(anchors: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """`资金总额：15万元` in one cell reads as the label and its value."""
    out: list[tuple[int, str]] = []
    for c, text in anchors:
        split = _inline_label(text)
        out.extend([(c, split[0]), (c, split[1])] if split else [(c, text)])
    return out


def _inline_label(text: str) -> tuple[str, str] | None:
    """(label, value) for a cell holding both (`其中：财政拨款：15万元`), else None."""
    if v.label_kind(text) is not None or v.MONEY_UNIT.match(text.strip()):
        return None  # a label alone, or 单位：万元
    for m in re.finditer(r"[:：]", text[:20]):
        label, value = text[: m.start()].strip(), text[m.end() :].strip()
        if value and len(label) >= 2 and v.label_kind(label) is not None:
            if cv.is_unit_note(value) or v.MONEY_UNIT.match(value):
                return None  # 填报单位（盖章）： 单位：万元 — a form's blank, then the money unit
            return label, value
    return None


def _budget_columns(
    anchors: list[tuple[int, str]], kinds: list[str | None]
) -> dict[int, str] | None:
    """A row of budget column labels (中期资金总额 | 年度资金总额, 年初预算数 | … | 得分), or None.

    Besides the column labels the row may hold only the block's heading (项目资金（万元）).
    """
    columns: dict[int, str] = {}
    for (c, text), kind in zip(anchors, kinds, strict=True):
        role = v.budget_column(text)
        if role is not None:
            columns[c] = role
        elif kind != v.LABEL_FUNDS and not cv.is_unit_note(text):
            return None
    roles = set(columns.values())
    if len(columns) < 2 or len(roles) < 2:
        return None
    if not roles & {v.BCOL_LONG, v.BCOL_ANNUAL, v.BCOL_INITIAL, v.BCOL_FULL_YEAR, v.BCOL_EXECUTED}:
        return None
    return columns


def _fund_results(values: dict[str, Decimal]) -> ProjectResults | None:
    """A self-evaluation's fund line as the project's results (None in a target table)."""
    if not values.keys() & {v.BCOL_EXECUTED, v.BCOL_RATE, v.BCOL_SCORE}:
        return None
    return ProjectResults(
        executed=values.get(v.BCOL_EXECUTED),
        execution_rate=values.get(v.BCOL_RATE),
        execution_points=values.get(v.BCOL_POINTS),
        execution_score=values.get(v.BCOL_SCORE),
        full_year_budget=values.get(v.BCOL_FULL_YEAR),
    )


_TITLE_UNIT = re.compile(
    r"^(?:附件\s*\d*\s*[:：]?\s*)?(?P<unit>[\u4e00-\u9fff（）()]{4,40}?)\s*20\d{2}\s*年度?"
    r".{0,24}?(?:绩效|目标|自评|监控).{0,12}?表"
)
_ORGANISATION = re.compile(
    r"(局|委|委员会|办|办公室|中心|院|馆|站|所|队|政府|学校|小学|中学|大学|学院|幼儿园|医院"
    r"|卫生院|公司|协会|联合会|社|部|厅|处|室|台|团|园|场|庭|监狱|法院|检察院|段|股|组|办事处"
    r"|街道|镇|乡|社区|分局|支队|大队|中队|人民政府)$"
)


def _unit_from_title(blocks: list[Paragraph | Table]) -> UnitRef | None:
    """The budget unit a title names before its year (`某县某局2024年度项目支出绩效目标表`).

    Only a whole organisation's name is taken (it ends like one: 局, 中心, 办公室 …); the
    person importing still confirms the unit before anything is saved.
    """
    texts: list[str] = []
    for b in blocks[:8]:
        if isinstance(b, Paragraph):
            texts.append(b.text)
        elif b.rows:
            texts.extend(c.text for c in b.rows[0][:1])
    for text in texts:
        m = _TITLE_UNIT.match(squash_ws(text))
        if m and _ORGANISATION.search(m.group("unit")):
            return UnitRef(None, m.group("unit"))
    return None


# A paragraph that opens a table rather than being one of its cells: a table title.
_TABLE_TITLE = re.compile(
    r"绩效(目标|自评|监控)[^，。,;；]{0,12}表|^[(（]?\s*20\d{2}\s*年度?\s*[)）]?$"
)


def _cell_per_line_runs(blocks: list[Paragraph | Table]) -> dict[int, int]:
    """Runs of paragraphs that are a table's cells one per line (text copied from a web page).

    A run holds a grid header spread over several paragraphs (一级指标, 二级指标, …, one per
    line); it reaches back over the header block above it to the table's title and forward to
    the next title or table. Returns {first block index: index after the run}.
    """
    runs: dict[int, int] = {}
    texts = [b.text.strip() if isinstance(b, Paragraph) else None for b in blocks]
    i = 0
    while i < len(blocks):
        if not _is_header_run(texts, i):
            i += 1
            continue
        start = i
        while (
            start > 0
            and (prev := texts[start - 1]) is not None
            and start - 1 not in runs.values()
            and len(prev) <= 300
            and not _TABLE_TITLE.search(prev)
            and not _PROJECT_TITLE.match(prev)
        ):
            start -= 1
        if runs and start < max(runs.values()):
            start = max(runs.values())
        end = i + 1
        while end < len(blocks) and (text := texts[end]) is not None:
            if len(text) < 60 and (_TABLE_TITLE.search(text) or _PROJECT_TITLE.match(text)):
                break
            end += 1
        runs[start] = end
        i = end
    return runs


def _is_header_run(texts: list[str | None], i: int) -> bool:
    """Paragraph i is 一级指标 alone, and the paragraphs after it name the grid's columns."""
    text = texts[i]
    if text is None or v.column_role(text) != v.LEVEL1:
        return False
    names: list[str] = []
    k = i
    while k < len(texts) and (t := texts[k]) is not None and len(t) <= 30 and v.column_role(t):
        names.append(t)
        k += 1
    return len(names) >= 3 and _header_roles(names) is not None


def _starts_header(texts: list[str], i: int) -> bool:
    """A run of column names from cell i that includes 一级指标 (a flattened grid header)."""
    k = i
    while k < len(texts) and (role := v.column_role(texts[k])):
        if role == v.LEVEL1:
            return True
        k += 1
    return False


def _ends_stream_grid(texts: list[str], k: int) -> bool:
    """Where a grid in a stream of cells ends: a footer, or the next project's header block."""
    text = texts[k]
    if v.is_trailer(text) or squash_ws(text) == "总分":
        return True
    kind = v.label_kind(text)
    if kind in (v.LABEL_CODE, v.LABEL_NAME) and k + 1 < len(texts):
        return v.label_kind(texts[k + 1]) is None
    return bool(_PROJECT_TITLE.match(text))


def _paragraph_numbers(blocks: list[Paragraph | Table]) -> dict[int, int]:
    """Each paragraph's number among the paragraphs (1-based), by its index among the blocks."""
    numbers: dict[int, int] = {}
    for index, block in enumerate(blocks):
        if isinstance(block, Paragraph):
            numbers[index] = len(numbers) + 1
    return numbers


def _as_paragraphs(block: Paragraph | Table) -> list[Paragraph | Table]:
    """A table whose only filled column is the first reads as paragraphs (e.g. a goal sheet)."""
    if isinstance(block, Paragraph):
        return [block]
    if block.width and all(not c.text or c.origin[1] == 0 for row in block.rows for c in row):
        return [Paragraph(row[0].text) for row in block.rows if row and row[0].text.strip()]
    return [block]


def _cell_text(table: Table, r: int, c: int, keep_copies: bool = False) -> str:
    """A position's text; horizontal merge copies read as blank unless keep_copies.

    Vertical copies are kept: they are the merged level cells that fill down.
    """
    cell = table.rows[r][c]
    if not keep_copies and cell.origin[1] != c:
        return ""
    return cell.text.strip()


def _header_roles(texts: list[str]) -> list[str | None] | None:
    """Column roles when this row is an indicator grid header, else None."""
    roles = [v.column_role(t) if len(t) <= 30 else None for t in texts]
    present = set(roles)
    has_levels = v.LEVEL1 in present or (v.LEVEL2 in present and v.LEVEL3 in present)
    has_value = bool(present & {v.TARGET, v.OP, v.NATURE})
    if has_levels and v.LEVEL3 in present and has_value:
        return roles
    if v.LEVEL1 in present and v.LEVEL2 in present and has_value:
        return roles
    return None


def _unfold_header(
    roles: list[str | None], names: list[str]
) -> tuple[list[str | None], list[str], int | None]:
    """A two-row header that web text ran into one row, put back in column order.

    Self-evaluation tables split 年度指标值 into 指标性质 | 指标值 | 度量单位 on a second header
    row; flattened, the row reads `年度指标值 实际完成值 分值 得分 … 一级指标 二级指标 三级指标
    指标性质 指标值 度量单位`. The level columns and the split value group go first, then the
    first row's remaining columns. Returns the roles, names and the last header cell's index.
    """
    present = [r for r in roles if r]
    if not present or present[0] == v.LEVEL1 or v.LEVEL1 not in roles:
        return roles, names, None
    start = roles.index(v.LEVEL1)
    before = [(r, n) for r, n in zip(roles[:start], names[:start], strict=True) if r]
    after: list[tuple[str | None, str]] = []
    end = start
    while end < len(roles) and roles[end]:
        after.append((roles[end], names[end]))
        end += 1
    split = [r for r, _ in after if r in (v.OP, v.NATURE, v.UNIT)]
    if not split or not any(r == v.TARGET for r, _ in before):
        return roles, names, None
    merged = after + [(r, n) for r, n in before if r != v.TARGET]
    return [r for r, _ in merged], [n for _, n in merged], end - 1


def _resolve_duplicates(roles: list[str | None], names: list[str]) -> list[str | None]:
    """Side-by-side long-term and annual sets: keep the annual (the later) set of each role."""
    out = list(roles)
    for c, name in enumerate(names):
        if out[c] == v.TARGET and re.search(r"实施期|中长期|中期", name):
            out[c] = v.LONG_TERM
    seen: dict[str, int] = {}
    for c, role in enumerate(out):
        if role in (v.LEVEL2, v.LEVEL3, v.TARGET, v.DESCRIPTION, v.BASIS, v.UNIT, v.OP):
            if role in seen:
                out[seen[role]] = v.LONG_TERM
            seen[role] = c
    return out


def _continues_grid(table: Table, grid: _Grid) -> bool:
    """A table with the grid's width and no header block continues it (a page break)."""
    if table.width != grid.width or not table.rows or at.is_sheet(table.place):
        return False  # a spreadsheet's sheets are separate tables by nature
    anchors = [c for i, c in enumerate(table.rows[0]) if c.text.strip() and c.origin[1] == i]
    if len(anchors) == 1 and table.width > 2:
        return False  # a title row spanning the table
    first = [c.text.strip() for c in table.rows[0] if c.text.strip()]
    return not any(
        v.label_kind(t) or v.UNIT_CODE_NAME.match(t) or v.MONEY_UNIT.search(t) for t in first
    )


def _long_text_below(table: Table, r: int) -> str | None:
    """The fund-use text the seed's layout puts in the row below its label's row."""
    if r + 1 >= len(table.rows):
        return None
    texts = [c.text.strip() for i, c in enumerate(table.rows[r + 1]) if table.is_anchor(r + 1, i)]
    texts = [t for t in texts if t]
    if len(texts) != 1:
        return None
    return texts[0] if len(texts[0]) >= 8 and v.label_kind(texts[0]) is None else None


def _split_code_name(value: str) -> tuple[str | None, str]:
    """`13032221C2GKIBLPDEWRQ-网络安全和信息化经费` -> (code, name)."""
    m = re.match(r"^([0-9A-Za-z]{6,})\s*[-—－_ ]\s*(.+)$", value.strip())
    if m:
        return m.group(1), m.group(2).strip()
    return None, value.strip()


def _checkpoints(values: list[tuple[int, str]], place: str, it: _Interpreter) -> list[Checkpoint]:
    out: list[Checkpoint] = []
    for month, text in values:
        percent = cv.percent(text)
        if percent is None or not 1 <= month <= 12 or not Decimal(0) <= percent <= Decimal(100):
            it.warn(place, f"资金支出计划“{month}月 {text}”无法读取，未导入")
            continue
        out.append(Checkpoint(month, percent))
    months = [c.month for c in out]
    if months != sorted(set(months)):
        it.warn(place, "资金支出计划的月份不是递增的，请核对")
    return out


def _compose_target(op: str | None, value: str, unit: str | None) -> str:
    """The target as one text when the table splits it over columns (≥ | 95 | %)."""
    text = value.strip()
    if op:
        text = op.strip() + text
    if unit and not text.endswith(unit.strip()):
        text += unit.strip()
    return text
