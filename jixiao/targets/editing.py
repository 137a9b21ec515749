"""The target-table editor's form: a project's table as rows a person edits in the browser.

The grid posts one field per cell (``row-3-target``); a button (``op``) adds a row under a
row's level 2, removes a row or moves it up or down, which only re-draws the grid, or saves.
Rows carry their indicator id, so a save keeps each row's indicator (see
``services.save_project_targets``). Everything here reads and checks; nothing writes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from jixiao.core import document as doc
from jixiao.core.targets import OP_SYMBOLS, QUANTITATIVE, looks_corrupted, parse_target
from jixiao.targets.choices import MoneyUnit, TargetKind
from jixiao.targets.tables import level_spans

# Operator symbols and words a target may start with; after one, a number must follow.
_LEADING_OPERATOR = re.compile(
    r"^\s*(?:[≥≤≧≦><=＞＜＝]|大于|小于|不低于|不少于|不高于|不超过|不大于|不小于|至少|至多|低于|高于)"
)
_CHECKPOINT = re.compile(r"(\d{1,2})\s*月\s*(?:底|末)?\s*[:：]?\s*(\d+(?:\.\d+)?)\s*[%％]?")
BUDGET_FIELDS = ("budget_total", "budget_fiscal", "budget_other", "budget_carryover")


def target_problem(text: str, *, year: int | None = None) -> str | None:
    """Why a typed target (指标值) cannot be saved, in Chinese; None when it can.

    The parser reads any non-empty text (what it cannot read is qualitative). An editor can ask
    more of a person than an import can of a file: a target that starts with an operator
    (``≥abc``, ``≥``) must go on with a number, or it is a typing mistake.
    """
    if not text.strip():
        return _("指标值不能为空。")
    parsed = parse_target(text, year=year)
    if _LEADING_OPERATOR.match(text) and (parsed.kind != QUANTITATIVE or parsed.value is None):
        return _("指标值「%(text)s」有计算符号，但后面没有可以识别的数值（例如「≥95%%」）。") % {
            "text": text.strip()
        }
    return None


@dataclass(frozen=True)
class Reading:
    """A typed target as the parser reads it, for the cell beside it."""

    kind: str
    kind_label: str
    op: str
    value: str
    unit: str
    error: str | None = None
    warning: str | None = None

    @property
    def text(self) -> str:
        """``定量 ≥ 95 %``: the kind, then the operator, value and unit read."""
        parts = [self.kind_label, self.op, self.value, self.unit]
        return " ".join(p for p in parts if p)


def read_target(text: str, *, year: int | None = None) -> Reading:
    """What the parser makes of a typed target, or the reason it cannot be saved."""
    error = target_problem(text, year=year)
    if error is not None:
        return Reading("", "", "", "", "", error=error)
    parsed = parse_target(text, year=year)
    return Reading(
        kind=parsed.kind,
        kind_label=str(TargetKind(parsed.kind).label),
        op=OP_SYMBOLS.get(parsed.op or "", ""),
        value=parsed.value or "",
        unit=parsed.unit or "",
        warning=looks_corrupted(text),
    )


@dataclass
class EditRow:
    """One indicator row of the grid; ``id`` is its indicator's, None for a new row."""

    id: int | None
    level1: str = ""
    level2: str = ""
    level3: str = ""
    description: str = ""
    target: str = ""
    basis: str = ""
    weight: str = ""
    errors: list[str] = field(default_factory=list)
    # Level names typed in the merged cells this row heads, as posted (None: not sent).
    renames: tuple[str | None, str | None] = (None, None)
    level1_span: int = 1
    level2_span: int = 1
    reading: Reading | None = None


@dataclass
class TableEdit:
    """A project's table as being edited: the header block, the rows, the version read."""

    money_unit: str = ""
    budget_total: str = ""
    budget_fiscal: str = ""
    budget_other: str = ""
    budget_carryover: str = ""
    fund_use: str = ""
    spending_plan: str = ""
    goal: str = ""
    rows: list[EditRow] = field(default_factory=list)
    version: int | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def weighted(self) -> bool:
        """Whether the table has a 权重 column (any row carries a weight)."""
        return any(r.weight.strip() for r in self.rows)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(r.errors for r in self.rows)

    def span(self) -> TableEdit:
        """Merge level-1 and level-2 cells down equal runs, as the printed table does."""
        spans = level_spans([(r.level1, r.level2) for r in self.rows])
        for row, (one, two) in zip(self.rows, spans, strict=True):
            row.level1_span, row.level2_span = one, two
        return self


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def spending_plan_text(plan: Sequence[doc.Checkpoint]) -> str:
    """``6月底50%、12月底100%``: the plan as the editor's one-line field shows it."""
    return "、".join(f"{c.month}月底{c.percent}%" for c in plan)


def edit_of(targets: doc.ProjectTargets, ids: Sequence[int | None], version: int) -> TableEdit:
    """The editor's state for a table read from the register (``project.as_targets()``)."""
    budget = targets.budget
    rows = [
        EditRow(
            id=pk,
            level1=row.level1,
            level2=row.level2,
            level3=row.level3,
            description=row.description or "",
            target=row.target,
            basis=row.basis or "",
            weight=_text(row.weight),
        )
        for row, pk in zip(targets.indicators, ids, strict=True)
    ]
    return TableEdit(
        money_unit=budget.unit or "",
        budget_total=_text(budget.total),
        budget_fiscal=_text(budget.fiscal),
        budget_other=_text(budget.other),
        budget_carryover=_text(budget.carryover),
        fund_use=targets.fund_use or "",
        spending_plan=spending_plan_text(targets.spending_plan),
        goal=targets.goal or "",
        rows=rows,
        version=version,
    ).span()


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def edit_from_post(data: Mapping[str, Any]) -> TableEdit:
    """The editor's state as posted (``row-N-…`` fields in grid order, ``rows`` their count)."""

    def text(name: str) -> str:
        return str(data.get(name, "")).strip()

    edit = TableEdit(
        money_unit=text("money_unit"),
        budget_total=text("budget_total"),
        budget_fiscal=text("budget_fiscal"),
        budget_other=text("budget_other"),
        budget_carryover=text("budget_carryover"),
        fund_use=text("fund_use"),
        spending_plan=text("spending_plan"),
        goal=text("goal"),
        version=_int(data.get("version")),
    )
    count = min(_int(data.get("rows")) or 0, 1000)
    for n in range(count):
        prefix = f"row-{n}-"
        if prefix + "level3" not in data:
            continue
        edit.rows.append(
            EditRow(
                id=_int(data.get(prefix + "id")),
                level1=text(prefix + "level1"),
                level2=text(prefix + "level2"),
                level3=text(prefix + "level3"),
                description=text(prefix + "description"),
                target=text(prefix + "target"),
                basis=text(prefix + "basis"),
                weight=text(prefix + "weight"),
            )
        )
        # The merged level cells: a run's first row carries its name as typed (``row-N-
        # level1-name``); the hidden ``row-N-level1`` keeps the name the grid was drawn with.
        edit.rows[-1].renames = (
            text(prefix + "level1-name") if prefix + "level1-name" in data else None,
            text(prefix + "level2-name") if prefix + "level2-name" in data else None,
        )
    _rename_runs(edit.rows)
    return edit


def _rename_runs(rows: list[EditRow]) -> None:
    """Apply the names typed in merged level cells to every row of their run: a level-1
    cell renames the consecutive rows that had its level 1, a level-2 cell those that had its
    level 1 and level 2."""
    drawn = [(r.level1, r.level2) for r in rows]
    new1: str | None = None
    new2: str | None = None
    for n, row in enumerate(rows):
        one, two = row.renames
        starts1 = n == 0 or drawn[n][0] != drawn[n - 1][0]
        starts2 = starts1 or drawn[n] != drawn[n - 1]
        if starts1:
            new1 = one
        if starts2:
            new2 = two
        if new1 is not None:
            row.level1 = new1
        if new2 is not None:
            row.level2 = new2
        row.renames = (None, None)


NEW_LEVEL1 = "新一级指标"
NEW_LEVEL2 = "新二级指标"


def apply_op(edit: TableEdit, op: str) -> TableEdit:
    """Add a row under row N's level 2 (``add:N``), a new level 2 at the end of row N's level 1
    (``add2:N``), a new level 1 at the end of the table (``add1``); remove (``remove:N``),
    move (``up:N``, ``down:N``); an unknown op or row number changes nothing. A new level's
    cell is named 新一级指标/新二级指标 for the person to rename."""
    verb, _sep, number = op.partition(":")
    n = _int(number)
    rows = edit.rows
    if verb == "add1":
        taken = {r.level1 for r in rows}
        rows.append(EditRow(id=None, level1=_fresh(NEW_LEVEL1, taken), level2=NEW_LEVEL2))
        return edit.span()
    if n is None or not 0 <= n < len(rows):
        return edit.span()
    if verb == "add2":
        end = n
        while end + 1 < len(rows) and rows[end + 1].level1 == rows[n].level1:
            end += 1
        taken = {r.level2 for r in rows if r.level1 == rows[n].level1}
        level2 = _fresh(NEW_LEVEL2, taken)
        rows.insert(end + 1, EditRow(id=None, level1=rows[n].level1, level2=level2))
    elif verb == "add":
        # Under the row's level 2: after the last row of its run, so the new row joins it.
        end = n
        while end + 1 < len(rows) and (rows[end + 1].level1, rows[end + 1].level2) == (
            rows[n].level1,
            rows[n].level2,
        ):
            end += 1
        rows.insert(end + 1, EditRow(id=None, level1=rows[n].level1, level2=rows[n].level2))
    elif verb == "remove":
        del rows[n]
    elif verb in ("up", "down"):
        other = n - 1 if verb == "up" else n + 1
        # A row moves within its level 2: across a boundary it would change its level names.
        if 0 <= other < len(rows) and (rows[other].level1, rows[other].level2) == (
            rows[n].level1,
            rows[n].level2,
        ):
            rows[n], rows[other] = rows[other], rows[n]
    return edit.span()


def _fresh(name: str, taken: set[str]) -> str:
    """``name``, or ``name2``, ``name3``… whichever is not taken (so runs do not merge)."""
    if name not in taken:
        return name
    n = 2
    while f"{name}{n}" in taken:
        n += 1
    return f"{name}{n}"


def _decimal(edit: TableEdit, name: str, label: str) -> Decimal | None:
    text = getattr(edit, name).replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0:
        edit.errors[name] = _("%(label)s「%(text)s」不是一个非负的数。") % {
            "label": label,
            "text": text,
        }
        return None
    return value


def _spending_plan(edit: TableEdit) -> list[doc.Checkpoint]:
    text = edit.spending_plan
    found = _CHECKPOINT.findall(text)
    leftover = _CHECKPOINT.sub("", text).strip(" 、,，;；\n\r\t")
    if leftover:
        edit.errors["spending_plan"] = _(
            "资金支出计划请写成「6月底50%%、12月底100%%」的形式，无法识别：「%(text)s」。"
        ) % {"text": leftover[:30]}
        return []
    return [doc.Checkpoint(int(month), Decimal(percent)) for month, percent in found]


def targets_of(edit: TableEdit, *, year: int) -> tuple[doc.ProjectTargets, list[int | None]]:
    """The edited table as the document model has it, and each row's indicator id.

    Records every problem on ``edit`` (``edit.errors`` and each row's ``errors``); the caller
    saves only when ``edit.has_errors`` is false.
    """
    if edit.money_unit and edit.money_unit not in MoneyUnit.values:
        edit.errors["money_unit"] = _("金额单位只能是万元或元。")
    budget = doc.Budget(
        edit.money_unit or None,
        _decimal(edit, "budget_total", _("预算数")),
        _decimal(edit, "budget_fiscal", _("财政资金")),
        _decimal(edit, "budget_other", _("其他资金")),
        _decimal(edit, "budget_carryover", _("上年结转资金")),
    )
    plan = _spending_plan(edit)
    rows = []
    for row in edit.rows:
        row.errors = []
        if not row.level1 or not row.level2:
            row.errors.append(_("一级指标和二级指标不能为空。"))
        if not row.level3:
            row.errors.append(_("三级指标不能为空。"))
        problem = target_problem(row.target, year=year)
        if problem is not None:
            row.errors.append(problem)
        weight: Decimal | None = None
        if row.weight:
            try:
                weight = Decimal(row.weight)
            except InvalidOperation:
                row.errors.append(_("权重「%(text)s」不是数。") % {"text": row.weight})
        parsed = (
            parse_target(row.target, year=year)
            if problem is None
            else doc.ParsedTarget(TargetKind.QUALITATIVE)
        )
        rows.append(
            doc.IndicatorRow(
                level1=row.level1,
                level2=row.level2,
                level3=row.level3,
                target=row.target,
                parsed=parsed,
                description=row.description or None,
                basis=row.basis or None,
                weight=weight,
            )
        )
    targets = doc.ProjectTargets(
        code=None,
        name=None,
        budget=budget,
        fund_use=edit.fund_use or None,
        spending_plan=plan,
        goal=edit.goal or None,
        indicators=rows,
    )
    return targets, [r.id for r in edit.rows]


def with_readings(edit: TableEdit, *, year: int) -> TableEdit:
    """Each row with what the parser reads in its target, for the cell beside it."""
    for row in edit.rows:
        row.reading = read_target(row.target, year=year) if row.target else None
    return edit
