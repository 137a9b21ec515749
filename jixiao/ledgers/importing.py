"""Ledger import: a table read from a file -> mapped rows -> every row validated -> one write.

The steps, each usable alone (the web import shows them one by one):

1. ``plan_columns``: find the header row and decide what each column becomes — a field, the
   record's project, its workflow state, or nothing — from a saved mapping or, without one,
   from headers equal to a field's label or code.
2. ``import_table``: translate values through the mapping, find each row's project, and hand
   every row to ``services.upsert_entries``, which validates all rows and writes all or none.
   Errors name the spreadsheet's own row number and the source column's header.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum

from jixiao.access.perms import require, require_system
from jixiao.access.scope import units_for
from jixiao.audit.choices import Action
from jixiao.audit.log import record, snapshot
from jixiao.core import metrics as core_metrics
from jixiao.importers.grid import ImportFailure
from jixiao.ledgers import sources
from jixiao.ledgers.io import Table, find_header_row, normalize_header, read_table
from jixiao.ledgers.models import ImportBatch, ImportMapping, LedgerEntry, LedgerType
from jixiao.ledgers.services import EntryInput, RowError, specs, upsert_entries
from jixiao.ledgers.values import FieldSpec, clean_value, is_blank, natural_key
from jixiao.lib.actor import Actor
from jixiao.targets.models import Project
from jixiao.units.models import Unit

__all__ = [
    "IGNORE",
    "MAX_LISTED_ERRORS",
    "PROJECT",
    "STATE",
    "ColumnMap",
    "ImportFailure",
    "ImportReport",
    "Plan",
    "delete_mapping",
    "find_mapping",
    "import_file",
    "import_table",
    "mappings_for",
    "missing_message",
    "plan_columns",
    "save_mapping",
    "target_choices",
]

PROJECT = "project"
STATE = "state"
IGNORE = ""
# A report lists this many problems and counts the rest: a wrong mapping can fail every row.
MAX_LISTED_ERRORS = 200
PROJECT_HEADERS = ("项目", "预算项目", "项目名称", "项目编码", "所属项目")
STATE_HEADERS = ("状态", "流程状态", "当前状态", "办理状态")
# Accounting and vendor exports end with totals rows; they are not records.
TOTAL_WORDS = ("合计", "总计", "小计", "本月合计", "本期合计", "本年累计", "累计", "本页小计")
# Account names and categories come as paths ("一般公共服务支出-办公费"): the last part names it.
_PATH_SEPARATORS = re.compile(r"[-－—/／>＞|｜·:：\\]")
_CODE_CHAR = re.compile(r"[A-Za-z0-9]")
_SEPARATORS = " -－—_:：·/／|｜\u3000"


def _norm(value: Any) -> str:
    """A cell value as compared with mapping keys and choices: NFKC, trimmed."""
    return unicodedata.normalize("NFKC", str(value)).strip()


@dataclass
class ColumnMap:
    """How a file's columns become a record: header -> target, value translations, header row.

    A target is a field code, ``project``, ``state`` or ``""`` (not imported). ``values`` maps
    per target a source value to the value stored; its key ``""`` is the value of a blank cell
    (and of every row when no column feeds the field).
    """

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    header_row: int | None = None
    name: str = ""

    @classmethod
    def of(cls, mapping: ImportMapping) -> ColumnMap:
        """A saved mapping as a column map."""
        return cls(
            columns=dict(mapping.columns or {}),
            values={k: dict(v) for k, v in (mapping.values or {}).items()},
            header_row=mapping.header_row,
            name=mapping.name,
        )


@dataclass
class Column:
    """One headed column of the source and what it feeds."""

    index: int
    header: str
    target: str


@dataclass
class Plan:
    """A table's header row and every headed column with its target."""

    header_row: int
    columns: list[Column]
    missing: list[str]  # labels of required fields nothing feeds
    constants: dict[str, Any]  # targets no column feeds, set on every row from values[""]

    @property
    def headers(self) -> list[str]:
        """The source headers, left to right."""
        return [c.header for c in self.columns]

    def fed(self) -> list[Column]:
        """The columns that are imported."""
        return [c for c in self.columns if c.target != IGNORE]


def target_choices(ledger_type: LedgerType) -> list[tuple[str, str]]:
    """What a column can feed, as (target, Chinese label): nothing, each field, project, state."""
    choices = [(IGNORE, "（不导入）")]
    choices += [(s.code, s.label + ("（必填）" if s.required else "")) for s in specs(ledger_type)]
    if ledger_type.has_project:
        choices.append((PROJECT, "预算项目"))
    if ledger_type.states:
        choices.append((STATE, "流程状态"))
    return choices


def _auto_targets(ledger_type: LedgerType, field_specs: Sequence[FieldSpec]) -> dict[str, str]:
    """Normalised header -> target for headers that name a field (label, code) or project."""
    names: dict[str, str] = {}
    for header in STATE_HEADERS if ledger_type.states else ():
        names[normalize_header(header)] = STATE
    for header in PROJECT_HEADERS if ledger_type.has_project else ():
        names[normalize_header(header)] = PROJECT
    # Fields come last so that a field called 状态 (a rule's status) wins over the workflow.
    for spec in reversed(field_specs):
        short = re.sub(r"[（(][^）)]*[）)]$", "", spec.label)  # 金额（元） is also 金额
        for name in (spec.code, short, spec.label):
            names[normalize_header(name)] = spec.code
    return names


def plan_columns(
    ledger_type: LedgerType, table: Table, column_map: ColumnMap | None = None
) -> Plan:
    """Find the header row and each column's target; ImportFailure when the map is unusable."""
    field_specs = specs(ledger_type)
    auto = _auto_targets(ledger_type, field_specs)
    given = {normalize_header(k): v for k, v in column_map.columns.items()} if column_map else None
    header_row = _header_row(table, given, auto, column_map)
    targets = given if given is not None else auto
    columns: list[Column] = []
    taken: dict[str, str] = {}
    for index, cell in enumerate(table.row(header_row)):
        if is_blank(cell):
            continue
        header = str(cell).strip()
        target = targets.get(normalize_header(header), IGNORE)
        if target != IGNORE and target in taken:
            # A header repeated in the file is the same name twice: the first column counts.
            if given is not None and normalize_header(taken[target]) != normalize_header(header):
                raise ImportFailure(
                    f"“{taken[target]}”和“{header}”两列都对应到同一字段，请只保留一列"
                )
            target = IGNORE
        if target != IGNORE:
            taken[target] = header
        columns.append(Column(index, header, target))
    _check_targets(ledger_type, field_specs, columns, column_map)
    values = column_map.values if column_map else {}
    constants = {
        code: table_values[""]
        for code, table_values in values.items()
        if code not in taken and "" in table_values
    }
    missing = [
        s.label
        for s in field_specs
        if s.required and s.code not in taken and s.code not in constants
    ]
    return Plan(header_row, columns, missing, constants)


def _header_row(
    table: Table,
    given: Mapping[str, str] | None,
    auto: Mapping[str, str],
    column_map: ColumnMap | None,
) -> int:
    if not table.rows:
        raise ImportFailure(f"文件中没有数据：{table.name}")
    if given is not None and column_map is not None and column_map.header_row:
        # The saved row, if it still holds the saved headers; vendors add title lines.
        cells = table.row(column_map.header_row)
        hits = sum(1 for c in cells if not is_blank(c) and normalize_header(c) in given)
        if hits >= min(2, len(given)):
            return column_map.header_row
    known = set(auto) | set(given or ())
    found = find_header_row(table.rows, known)
    if found is not None:
        return found
    # Nothing known: the first row wide enough to be a header, so that the columns can be
    # mapped by hand (the missing required fields say what is wrong in the meantime).
    for number, cells in table.rows:
        if sum(1 for c in cells if not is_blank(c)) >= 2:
            return number
    return table.rows[0][0]


def _check_targets(
    ledger_type: LedgerType,
    field_specs: Sequence[FieldSpec],
    columns: Sequence[Column],
    column_map: ColumnMap | None,
) -> None:
    codes = {s.code for s in field_specs}
    where = f"映射“{column_map.name}”中" if column_map and column_map.name else ""
    for column in columns:
        target = column.target
        if target in codes or target == IGNORE:
            continue
        if target == PROJECT and not ledger_type.has_project:
            raise ImportFailure(
                f"“{ledger_type.name}”台账不关联预算项目，列“{column.header}”不能对应到项目"
            )
        if target == STATE and not ledger_type.states:
            raise ImportFailure(
                f"“{ledger_type.name}”台账没有流程，列“{column.header}”不能对应到状态"
            )
        if target not in (PROJECT, STATE):
            raise ImportFailure(
                f"{where}列“{column.header}”对应的字段“{target}”在“{ledger_type.name}”台账中不存在"
            )


def missing_message(ledger_type: LedgerType, plan: Plan) -> str:
    """The Chinese error for required fields no column feeds, naming the headers found."""
    return (
        f"文件第 {plan.header_row} 行的表头中找不到“{ledger_type.name}”台账的必填字段："
        f"{'、'.join(plan.missing)}。文件的表头是：{'、'.join(plan.headers) or '（无）'}。"
        "请选择合适的导入映射，或把表头改为台账的字段名称。"
    )


@dataclass
class ImportReport:
    """What an import did, or would do: counts, and the problems by row and column."""

    ledger_type: str
    source: str
    header_row: int = 0
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    skipped: list[int] = field(default_factory=list)  # totals rows, not records
    dry_run: bool = False
    written: bool = False
    # A second source (see jixiao.ledgers.sources): what the file overlaps, what repeats.
    overlaps: list[sources.Overlap] = field(default_factory=list)
    repeats: list[sources.Repeat] = field(default_factory=list)
    overlap: str = sources.ASK
    replaced: int = 0
    warnings: list[str] = field(default_factory=list)  # e.g. spending past the budget

    @property
    def needs_choice(self) -> bool:
        """True when the file overlaps records of another source, or repeats records, and
        nobody chose yet what to do."""
        return self.ok and bool(self.overlaps or self.repeats) and self.overlap == sources.ASK

    @property
    def ok(self) -> bool:
        """True when every row is valid."""
        return self.error_count == 0

    def summary(self) -> str:
        """One Chinese sentence on the outcome."""
        if not self.ok:
            return (
                f"“{self.source}”有 {self.error_count} 处问题（共 {self.rows} 行），"
                f"没有导入任何记录；请改正后重新导入。"
            )
        if self.needs_choice and not self.overlaps:
            return (
                f"“{self.source}”中有可能重复的记录，尚未导入：请核对后选择仍然导入，"
                "或改正文件后重新导入。"
            )
        if self.needs_choice:
            return (
                f"“{self.source}”与台账中已有的记录覆盖同一项目和期间，尚未导入："
                "请选择替换已有记录，或追加到已有记录之后。"
            )
        counts = f"新建 {self.created} 条，更新 {self.updated} 条，{self.unchanged} 条无变化"
        if self.overlaps and self.overlap == sources.REPLACE:
            counts += f"，替换已有记录 {self.replaced} 条"
        skipped = (
            f"（跳过合计行：第 {'、'.join(map(str, self.skipped))} 行）" if self.skipped else ""
        )
        if self.written:
            return f"已导入“{self.source}”到“{self.ledger_type}”台账：{counts}。{skipped}"
        return f"检查通过：共 {self.rows} 行，将{counts}；尚未写入。{skipped}"

    def notes(self) -> list[str]:
        """The overlaps, repeats and warnings, one Chinese line each."""
        lines = [o.text() for o in self.overlaps]
        lines += [f"重复：{r.text()}" for r in self.repeats]
        return lines + self.warnings

    def error_lines(self) -> list[str]:
        """Each listed problem as “第 12 行，列“级别”：…”, and how many more there are."""
        lines = [f"第 {e.row} 行，列“{e.column}”：{e.message}" for e in self.errors]
        if self.error_count > len(self.errors):
            lines.append(f"……另有 {self.error_count - len(self.errors)} 处问题未列出")
        return lines


class _Projects:
    """A unit's projects by year, found from a cell holding a code, a name or both."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.by_year: dict[int, list[Project]] = {}
        for project in Project.objects.filter(unit=unit).order_by("position", "id"):
            self.by_year.setdefault(project.year, []).append(project)

    def find(self, raw: Any, year: int) -> Project:
        """The project the cell names among the year's; ValueError (Chinese) when none."""
        text = _norm(raw)
        projects = self.by_year.get(year, [])
        flat = normalize_header(text)
        for project in projects:
            if project.code and project.code.upper() == text.upper():
                return project
        for project in projects:
            if project.name and normalize_header(project.name) == flat:
                return project
        # "code name", "code-name", "code（name）": the code leads and ends at a non-code char.
        leading = [
            p
            for p in projects
            if p.code
            and text.upper().startswith(p.code.upper())
            and not _CODE_CHAR.match(text[len(p.code) : len(p.code) + 1])
        ]
        if leading:
            return max(leading, key=lambda p: len(p.code or ""))
        known = "、".join(p.code or p.name for p in projects[:6]) or "无"
        raise ValueError(f"找不到 {year} 年的项目“{text[:60]}”（本单位 {year} 年的项目：{known}）")


def _translate(raw: Any, table: Mapping[str, Any], choices: Mapping[str, str]) -> Any:
    """A source value through the mapping's value table, and onto a choice where one fits."""
    if is_blank(raw):
        return table.get("", None)
    key = _norm(raw)
    if key in table:
        return table[key]
    if not choices:
        return raw
    if key in choices:
        return choices[key]
    last = _PATH_SEPARATORS.split(key)[-1].strip()
    if last != key and last:
        if last in table:
            return table[last]
        if last in choices:
            return choices[last]
    return raw


def _is_total(cells: Sequence[Any]) -> bool:
    first = next((c for c in cells if not is_blank(c)), None)
    if not isinstance(first, str):
        return False
    word = normalize_header(first).rstrip(":")
    return word in TOTAL_WORDS or word.startswith("合计")


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    project: Any = None
    state: Any = None


def import_table(
    ledger_type: LedgerType,
    unit: Unit,
    table: Table,
    column_map: ColumnMap | None = None,
    *,
    actor: Actor,
    dry_run: bool = False,
    overlap: str = sources.ASK,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Validate every row of a table and write them all, or nothing when any row is bad.

    The file is a source of its own (an ``ImportBatch``): where it covers a project and
    months that records of another source already cover, the report lists them and, unless
    ``overlap`` says ``replace`` or ``add``, nothing is written. Rows that repeat one another
    or a record already there are listed, and spending past a project's budget is warned of.

    ``dry_run`` checks and counts (created, updated, unchanged) without writing. A record
    that already exists keeps the values of fields the file does not have (staff fill in a
    case's handling after the vendor's export brought it in). ImportFailure when the file
    cannot be mapped at all (no header, required fields missing). Importing into a unit
    takes ``edit`` on it; each record written gets its change-log row. ``progress(done,
    total)`` is told as the rows are checked (a background import's progress bar); it is
    called inside the import's transaction.
    """
    require(actor, "edit", unit)
    if ledger_type.unit_id is not None and ledger_type.unit_id != unit.pk:
        raise ImportFailure(f"台账类型“{ledger_type.name}”属于其他单位")
    plan = plan_columns(ledger_type, table, column_map)
    if plan.missing:
        raise ImportFailure(missing_message(ledger_type, plan))
    report = ImportReport(
        ledger_type.name, table.name, plan.header_row, dry_run=dry_run, overlap=overlap
    )
    field_specs = {s.code: s for s in specs(ledger_type)}
    value_tables = {
        k: {_norm(key): v for key, v in table_.items()}
        for k, table_ in (column_map.values if column_map else {}).items()
    }
    choices = {
        code: {_norm(c): c for c in spec.choices}
        for code, spec in field_specs.items()
        if spec.kind in ("choice", "multichoice")
    }
    choices[STATE] = {_norm(s): s for s in ledger_type.states}
    rows = _read_rows(table, plan, value_tables, choices, report)
    own_errors = _find_projects(ledger_type, unit, rows, plan, field_specs)
    items = _entry_inputs(ledger_type, unit, rows, plan, field_specs)
    batch = ImportBatch(
        ledger_type=ledger_type,
        unit=unit,
        name=table.name[:200],
        mapping=(column_map.name if column_map else "")[:60],
        by=actor.user,
    )
    with transaction.atomic():
        # A check writes too, then rolls back: the warnings see the ledger as it would be.
        result = upsert_entries(
            ledger_type,
            unit,
            items if progress is None else _counted(items, progress),
            actor=actor,
            dry_run=bool(own_errors),
            comment=f"导入“{table.name}”",
            batch=batch,
            overlap=overlap,
        )
        if not (own_errors or result.errors or result.needs_choice):
            report.warnings = over_budget(ledger_type, unit, [i.project for i in items])
        if own_errors or result.errors or result.needs_choice or dry_run:
            transaction.set_rollback(True)  # nothing of a check or a refused import stays
    names = _column_names(plan, field_specs)
    errors = own_errors + [_named(e, names) for e in result.errors]
    order = {c.header: c.index for c in plan.columns}
    errors.sort(key=lambda e: (e.row, order.get(e.column.split("、")[0], 10**6)))
    report.error_count = len(errors)
    report.errors = errors[:MAX_LISTED_ERRORS]
    report.overlaps, report.repeats = result.overlaps, result.repeats
    if report.ok:
        report.created, report.updated = result.created, result.updated
        report.unchanged, report.replaced = result.unchanged, result.replaced
        report.written = not dry_run and not result.needs_choice
    return report


def _counted(
    items: Sequence[EntryInput], progress: Callable[[int, int], None]
) -> Iterator[EntryInput]:
    """The items, telling ``progress`` every hundredth of the way (and at the end)."""
    total = len(items)
    step = max(1, total // 100)
    for done, item in enumerate(items, start=1):
        yield item
        if done % step == 0 or done == total:
            progress(done, total)


def over_budget(
    ledger_type: LedgerType, unit: Unit, projects: Sequence[Project | None]
) -> list[str]:
    """A warning for each of these projects whose spending in its year passes its budget.

    Only a ledger with an amount (支出) speaks for a project's execution.
    """
    if not ledger_type.amount_field or not ledger_type.has_project:
        return []
    warnings = []
    for project in sorted({p for p in projects if p is not None}, key=lambda p: (p.year, p.pk)):
        budget = core_metrics.budget_in_yuan(project.budget_total, project.money_unit or "万元")
        if not budget:
            continue
        cents = LedgerEntry.objects.filter(
            ledger_type=ledger_type, unit=unit, project=project, date__year=project.year
        ).aggregate(total=Sum("amount_cents"))["total"]
        spent = core_metrics.cents_to_yuan(cents)
        if spent > budget:
            rate = core_metrics.ratio_value(spent, budget, Decimal(100))
            warnings.append(
                f"注意：项目“{project.label}”{project.year} 年支出合计 {spent:,} 元，"
                f"超过预算 {budget.quantize(Decimal('0.01')):,} 元（执行率 {rate}%），"
                "请核对是否重复导入或漏记调整预算"
            )
    return warnings


def _read_rows(
    table: Table,
    plan: Plan,
    value_tables: Mapping[str, Mapping[str, Any]],
    choices: Mapping[str, Mapping[str, str]],
    report: ImportReport,
) -> list[_Row]:
    """The data rows below the header, values translated; blank and totals rows left out."""
    fed = plan.fed()
    rows: list[_Row] = []
    for number, cells in table.rows:
        if number <= plan.header_row:
            continue
        picked = {c.target: cells[c.index] if c.index < len(cells) else None for c in fed}
        if all(is_blank(v) for v in picked.values()):
            continue  # only unmapped columns (a 序号) filled: not a record
        if _is_total(cells):
            report.skipped.append(number)
            continue
        row = _Row(number, {})
        translated = {
            target: _translate(raw, value_tables.get(target, {}), choices.get(target, {}))
            for target, raw in picked.items()
        }
        for target, value in {**plan.constants, **translated}.items():
            if target == PROJECT:
                row.project = value
            elif target == STATE:
                row.state = None if is_blank(value) else str(value)
            else:
                row.values[target] = value
        rows.append(row)
    report.rows = len(rows)
    return rows


def _find_projects(
    ledger_type: LedgerType,
    unit: Unit,
    rows: Sequence[_Row],
    plan: Plan,
    field_specs: Mapping[str, FieldSpec],
) -> list[RowError]:
    """Replace each row's project cell by the project it names; errors for unknown ones."""
    header = next((c.header for c in plan.fed() if c.target == PROJECT), "项目")
    date_spec = field_specs.get(ledger_type.date_field)
    if all(is_blank(row.project) for row in rows):
        return []
    projects = _Projects(unit)
    errors: list[RowError] = []
    for row in rows:
        cell, row.project = row.project, None
        if is_blank(cell):
            continue
        year = _year(date_spec, row.values.get(ledger_type.date_field))
        if year is None:
            continue  # the date's own error says what is wrong
        try:
            row.project = projects.find(cell, year)
        except ValueError as exc:
            errors.append(RowError(row.number, header, str(exc)))
    return errors


def _year(spec: FieldSpec | None, raw: Any) -> int | None:
    if spec is None:
        return None
    try:
        value = clean_value(spec, raw)
    except ValueError:
        return None
    return int(str(value)[:4]) if value else None


def _entry_inputs(
    ledger_type: LedgerType,
    unit: Unit,
    rows: Sequence[_Row],
    plan: Plan,
    field_specs: Mapping[str, FieldSpec],
) -> list[EntryInput]:
    """The rows as upsert inputs; a row matching a stored record keeps what the file lacks."""
    fed = {c.target for c in plan.fed()} | set(plan.constants)
    keeps_fields = set(field_specs) - fed
    keeps_project = ledger_type.has_project and PROJECT not in fed
    existing: dict[str, LedgerEntry] = {}
    keys: list[str] = []
    if ledger_type.natural_key and (keeps_fields or keeps_project):
        keys = [_key(ledger_type, field_specs, row.values) for row in rows]
        existing = {
            e.natural_key: e
            for e in LedgerEntry.objects.filter(
                ledger_type=ledger_type, unit=unit, natural_key__in=[k for k in keys if k]
            ).select_related("project")
        }
    items = []
    for index, row in enumerate(rows):
        values, project = row.values, row.project
        current = existing.get(keys[index]) if existing and keys[index] else None
        if current is not None:
            kept = {c: v for c, v in current.data.items() if c in keeps_fields}
            values = {**kept, **values}
            if keeps_project:
                project = current.project
        items.append(EntryInput(values, project, row.state, row=row.number))
    return items


def _key(ledger_type: LedgerType, field_specs: Mapping[str, FieldSpec], values: Any) -> str:
    data = {}
    for code in ledger_type.natural_key:
        spec = field_specs.get(code)
        if spec is None:
            continue
        try:
            data[code] = clean_value(spec, values.get(code))
        except ValueError:
            return ""  # the row is invalid; upsert reports it
    return natural_key(ledger_type.natural_key, {k: v for k, v in data.items() if v is not None})


def _column_names(plan: Plan, field_specs: Mapping[str, FieldSpec]) -> dict[str, str]:
    """Field label (as upsert names columns), project or state -> the source column's header."""
    names = {PROJECT: "项目", STATE: "状态"}
    for column in plan.fed():
        spec = field_specs.get(column.target)
        names[spec.label if spec else column.target] = column.header
    return names


def _named(error: RowError, names: Mapping[str, str]) -> RowError:
    """The error with the source column's header instead of the field's label or code."""
    column = "、".join(names.get(part, part) for part in error.column.split("、"))
    return RowError(error.row, column, error.message)


def import_file(
    ledger_type: LedgerType,
    unit: Unit,
    path: Path,
    column_map: ColumnMap | None = None,
    *,
    actor: Actor,
    dry_run: bool = False,
    name: str | None = None,
    overlap: str = sources.ASK,
) -> ImportReport:
    """Read a .csv or .xlsx file and import it (see import_table)."""
    table = read_table(Path(path), name)
    return import_table(
        ledger_type, unit, table, column_map, actor=actor, dry_run=dry_run, overlap=overlap
    )


def find_mapping(ledger_type: LedgerType, name: str) -> ImportMapping:
    """The ledger type's saved mapping of this name; ImportFailure listing the known ones."""
    mapping = ledger_type.mappings.filter(name=name).first()
    if mapping is None:
        known = "、".join(ledger_type.mappings.values_list("name", flat=True)) or "无"
        raise ImportFailure(f"“{ledger_type.name}”台账没有名为“{name}”的导入映射（已有：{known}）")
    return mapping


def mappings_for(who: Any, ledger_type: LedgerType | None = None) -> QuerySet[ImportMapping]:
    """The saved mappings a person may choose: the presets, and those of units in reach."""
    found = ImportMapping.objects.filter(Q(unit__isnull=True) | Q(unit__in=units_for(who)))
    if ledger_type is not None:
        found = found.filter(ledger_type=ledger_type)
    return found


MAPPING_FIELDS = ["ledger_type", "unit", "name", "header_row", "columns", "values"]


def _require_mapping(actor: Actor, unit: Unit | None) -> None:
    if unit is None:
        require_system(actor, "只有系统管理员可以修改公用的导入映射。")
    else:
        require(actor, "edit", unit)


@transaction.atomic
def save_mapping(
    ledger_type: LedgerType,
    name: str,
    column_map: ColumnMap,
    *,
    actor: Actor,
    unit: Unit | None = None,
) -> ImportMapping:
    """Save a column map under a name for the ledger type, owned by ``unit`` (whose people
    may change it again); a preset's name, or another unit's, is refused.

    A unit's own ledger type keeps its mappings in that unit.
    """
    if ledger_type.unit_id is not None:
        unit = ledger_type.unit
    _require_mapping(actor, unit)
    name = name.strip()
    if not name or len(name) > 60:
        raise ValidationError("映射名称不能为空，最多 60 个字")
    found = ledger_type.mappings.select_for_update().filter(name=name).first()
    if found is not None and found.preset:
        raise ValidationError(f"“{name}”是预置映射，不能覆盖，请换一个名称")
    if found is not None and found.unit_id != (unit.pk if unit else None):
        raise ValidationError(f"“{name}”是其他单位保存的映射，不能覆盖，请换一个名称")
    before = snapshot(found, MAPPING_FIELDS) if found is not None else None
    mapping = found or ImportMapping(ledger_type=ledger_type, name=name, unit=unit)
    mapping.header_row = column_map.header_row or 1
    mapping.columns = column_map.columns
    mapping.values = column_map.values
    mapping.preset = False
    mapping.save()
    after = snapshot(mapping, MAPPING_FIELDS)
    action = Action.CREATE if before is None else Action.UPDATE
    record(actor, action, mapping, before=before, after=after)
    return mapping


@transaction.atomic
def delete_mapping(mapping: ImportMapping, *, actor: Actor) -> None:
    """Delete a saved mapping (not a preset); its last content stays in the change log."""
    _require_mapping(actor, mapping.unit)
    if mapping.preset:
        raise ValidationError(f"“{mapping.name}”是预置映射，不能删除")
    before = snapshot(mapping, MAPPING_FIELDS)
    record(actor, Action.DELETE, mapping, before=before)
    mapping.delete()
