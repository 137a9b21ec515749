"""Compare an imported document with the generated truth: rows exact, fields right, a readable diff.

Indicator rows are matched in order (a longest common subsequence of exact rows, so one lost
row does not make every later row wrong); a row is exact when levels, target text, parsed target,
description, basis and weight all equal the truth. Document fields: year, unit (code, name) and
per project code, name, budget (unit, total, fiscal, other, carryover), spending plan, goal and
fund use. Money and percents compare as numbers (``15`` equals ``15.00``). Goals and fund uses
compare without line breaks: printing a cell loses the difference between a wrapped line and a
new paragraph, and web text joins them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher

from jixiao.core.document import IndicatorRow, ProjectTargets, TargetDocument

ROW_FIELDS = ("level1", "level2", "level3", "target", "parsed", "description", "basis", "weight")
FIELD_NAMES = {
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "target": "指标值",
    "parsed": "指标值解析",
    "description": "指标描述",
    "basis": "确定依据",
    "weight": "权重",
}


@dataclass
class Outcome:
    """One imported file against its truth."""

    rows: int  # indicator rows in the truth
    exact: int  # of them read exactly
    field_diffs: list[str] = field(default_factory=list)
    row_diffs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # the import failed (ImportFailure or a crash)

    @property
    def right(self) -> bool:
        """Fully right: every field and row, and no warning."""
        return (
            self.error is None
            and self.exact == self.rows
            and not self.field_diffs
            and not self.row_diffs
            and not self.warnings
        )

    def report(self) -> str:
        lines: list[str] = []
        if self.error:
            lines.append(f"IMPORT FAILED: {self.error}")
        lines.append(f"rows exact: {self.exact}/{self.rows}")
        if self.field_diffs:
            lines.append("fields:")
            lines += [f"  {d}" for d in self.field_diffs]
        if self.row_diffs:
            lines.append("rows:")
            lines += [f"  {d}" for d in self.row_diffs]
        if self.warnings:
            lines.append("warnings:")
            lines += [f"  {w}" for w in self.warnings]
        return "\n".join(lines) + "\n"


def _num(value: Decimal | None) -> str | None:
    """A number as plain text without trailing zeros: equal numbers give equal texts."""
    return None if value is None else format(Decimal(value).normalize(), "f")


def _text(value: str | None) -> str | None:
    return None if value is None else value.replace("\n", "")


def row_key(row: IndicatorRow) -> tuple[object, ...]:
    return (
        row.level1,
        row.level2,
        row.level3,
        row.target,
        (row.parsed.kind, row.parsed.op, row.parsed.value, row.parsed.unit),
        row.description,
        row.basis,
        _num(row.weight),
    )


def _show_row(row: IndicatorRow) -> str:
    parts = [f"{row.level1}/{row.level2}/{row.level3}", f"指标值={row.target!r}"]
    if row.description is not None:
        parts.append(f"描述={row.description[:20]!r}")
    if row.basis is not None:
        parts.append(f"依据={row.basis!r}")
    if row.weight is not None:
        parts.append(f"权重={row.weight}")
    return " ".join(parts)


def _row_diff(got: IndicatorRow, want: IndicatorRow) -> str:
    g, w = row_key(got), row_key(want)
    bits = [
        f"{FIELD_NAMES[name]} got {a!r} expected {b!r}"
        for name, a, b in zip(ROW_FIELDS, g, w, strict=True)
        if a != b
    ]
    return f"{want.level3}: " + "; ".join(bits)


def _where(projects: list[ProjectTargets], index: int) -> str:
    """'项目 2 第 5 行' for a flat row index."""
    for p_index, project in enumerate(projects):
        if index < len(project.indicators):
            return f"项目{p_index + 1}第{index + 1}行"
        index -= len(project.indicators)
    return f"第{index + 1}行"


def compare(actual: TargetDocument, truth: TargetDocument) -> Outcome:
    want_rows = [r for p in truth.projects for r in p.indicators]
    got_rows = [r for p in actual.projects for r in p.indicators]
    outcome = Outcome(rows=len(want_rows), exact=0)
    outcome.warnings = [f"{w.where}: {w.message}" for w in actual.warnings]
    # Rows: exact matches in order, then the rest explained pair by pair.
    matcher = SequenceMatcher(
        None, [row_key(r) for r in got_rows], [row_key(r) for r in want_rows], autojunk=False
    )
    for tag, g1, g2, w1, w2 in matcher.get_opcodes():
        if tag == "equal":
            outcome.exact += w2 - w1
            continue
        pairs = min(g2 - g1, w2 - w1)
        for j in range(pairs):
            where = _where(truth.projects, w1 + j)
            outcome.row_diffs.append(f"{where} {_row_diff(got_rows[g1 + j], want_rows[w1 + j])}")
        for j in range(w1 + pairs, w2):
            outcome.row_diffs.append(
                f"{_where(truth.projects, j)} MISSING {_show_row(want_rows[j])}"
            )
        for j in range(g1 + pairs, g2):
            outcome.row_diffs.append(f"EXTRA {_show_row(got_rows[j])}")
    # Document fields.
    d = outcome.field_diffs
    if actual.year != truth.year:
        d.append(f"year got {actual.year!r} expected {truth.year!r}")
    want_unit = (truth.unit.code, truth.unit.name) if truth.unit else None
    got_unit = (actual.unit.code, actual.unit.name) if actual.unit else None
    if got_unit != want_unit:
        d.append(f"unit got {got_unit!r} expected {want_unit!r}")
    if len(actual.projects) != len(truth.projects):
        d.append(
            f"projects: got {len(actual.projects)} {[p.name for p in actual.projects]!r},"
            f" expected {len(truth.projects)} {[p.name for p in truth.projects]!r}"
        )
    for i, (got, want) in enumerate(zip(actual.projects, truth.projects, strict=False)):
        label = f"项目{i + 1}"
        checks: list[tuple[str, object, object]] = [
            ("code", got.code, want.code),
            ("name", got.name, want.name),
            ("budget.unit", got.budget.unit, want.budget.unit),
            ("budget.total", _num(got.budget.total), _num(want.budget.total)),
            ("budget.fiscal", _num(got.budget.fiscal), _num(want.budget.fiscal)),
            ("budget.other", _num(got.budget.other), _num(want.budget.other)),
            ("budget.carryover", _num(got.budget.carryover), _num(want.budget.carryover)),
            (
                "spending_plan",
                [(c.month, _num(c.percent)) for c in got.spending_plan],
                [(c.month, _num(c.percent)) for c in want.spending_plan],
            ),
            ("goal", _text(got.goal), _text(want.goal)),
            ("fund_use", _text(got.fund_use), _text(want.fund_use)),
        ]
        for name, a, b in checks:
            if a != b:
                d.append(f"{label}.{name} got {_short(a)} expected {_short(b)}")
        if len(got.indicators) != len(want.indicators):
            d.append(f"{label}: {len(got.indicators)} rows, expected {len(want.indicators)}")
    return outcome


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 90 else text[:87] + "…'"


def failed(error: str, truth: TargetDocument) -> Outcome:
    rows = sum(len(p.indicators) for p in truth.projects)
    return Outcome(rows=rows, exact=0, error=error)
