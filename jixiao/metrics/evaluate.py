"""Every indicator's actual at a date, computed in the database with a few set-based queries.

How: load the indicators and their metrics of all the projects (one query); parse each
distinct definition once; compile each distinct (part × ledger type × window) into one
conditional aggregate (``COUNT(id) FILTER (WHERE …)``, ``SUM(amount_cents) FILTER (…)``);
run ONE grouped query over ``LedgerEntry`` for all of them, grouped by (unit, project). A
project-scope value is its (unit, project) group; a unit-scope value is the sum of the unit's
groups (records without a project included). Distinct counts at unit scope are not additive
and take one more query grouped by unit. Ratios divide two aggregates per indicator in
Python: a loop over indicators' results, never over records.

Equal definitions share their aggregates, so 20,000 projects bound to the same ten
definitions cost the same few queries as one project. ``records_for`` runs the very same
conditions as a list query: the records behind a number.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Count, Q, QuerySet, TextField
from django.db.models import Sum as SumOf
from django.db.models.functions import Cast

from jixiao.core import metrics as m
from jixiao.ledgers.models import LedgerEntry, LedgerType
from jixiao.metrics import sql
from jixiao.metrics.models import ManualActual, Metric
from jixiao.targets.models import Indicator, Project, plain
from jixiao.units.models import Unit

__all__ = ["Actual", "catalog_for", "evaluate", "evaluate_unit", "records_for"]

METRIC = "metric"
MANUAL = "manual"
NONE = "none"
# SQLite allows 32,766 parameters in one statement; longer id lists are queried in chunks.
CHUNK = 30000


@dataclass(frozen=True)
class Actual:
    """An indicator's actual at a date, and where it came from."""

    indicator_id: int
    value: Decimal | None  # counts as integers, sums in 元 (2 places), ratios scaled (2 places)
    text: str | None  # manual: as entered (是, 达成, 1年); computed: value as text ("230", "96.55")
    source: str  # "metric" | "manual" | "none"
    records: int  # distinct records behind it (ratio: union of numerator's and denominator's)
    numerator: Decimal | None  # ratios only
    denominator: Decimal | None
    metric: dict[str, Any] | None  # the definition, canonical JSON (shared: do not mutate)
    error: str | None = None  # why a bound metric could not be computed (Chinese)


# --- ledgers as the compiler needs them ----------------------------------------------------


@dataclass(frozen=True)
class _Ledger:
    """A resolved ledger type: its id and schema (fields with kinds, states, amount field)."""

    id: int
    schema: m.LedgerSchema

    @property
    def kinds(self) -> dict[str, str]:
        return {code: info.kind for code, info in self.schema.fields.items()}


def _schema(ledger_type: LedgerType) -> m.LedgerSchema:
    fields = {
        f.code: m.FieldInfo(f.label, f.kind, tuple(f.choices or ()))
        for f in ledger_type.fields.all()
    }
    return m.LedgerSchema(
        code=ledger_type.code,
        name=ledger_type.name,
        fields=fields,
        states=tuple(ledger_type.states),
        amount_field=ledger_type.amount_field,
        has_project=ledger_type.has_project,
    )


class _Ledgers:
    """Which ledger type each unit's code means: the unit's own type, else the preset."""

    def __init__(self, unit_ids: Iterable[int], codes: Iterable[str] | None = None) -> None:
        unit_ids = list(unit_ids)
        types = LedgerType.objects.filter(Q(unit__isnull=True) | Q(unit_id__in=unit_ids))
        if codes is not None:
            types = types.filter(code__in=list(codes))
        self.own: dict[tuple[int, str], _Ledger] = {}
        self.presets: dict[str, _Ledger] = {}
        for ledger_type in types.prefetch_related("fields"):
            ledger = _Ledger(ledger_type.pk, _schema(ledger_type))
            if ledger_type.unit_id is None:
                self.presets[ledger_type.code] = ledger
            else:
                self.own[(ledger_type.unit_id, ledger_type.code)] = ledger

    def get(self, unit_id: int, code: str) -> _Ledger | None:
        """The ledger a unit means by a code."""
        return self.own.get((unit_id, code)) or self.presets.get(code)

    def catalog(self, unit_id: int) -> dict[str, m.LedgerSchema]:
        """Every ledger the unit sees, by code (its own override the presets)."""
        found = {code: ledger.schema for code, ledger in self.presets.items()}
        found.update({c: led.schema for (u, c), led in self.own.items() if u == unit_id})
        return found


def catalog_for(unit: Unit | int) -> dict[str, m.LedgerSchema]:
    """The ledgers a unit sees, for checking and describing metrics (two queries)."""
    unit_id = unit if isinstance(unit, int) else unit.pk
    return _Ledgers([unit_id]).catalog(unit_id)


# --- compiling ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Select:
    """The records a part looks at: a ledger type, a window on some dates, filters."""

    ledger_type_id: int
    start: dt.date
    end: dt.date
    dates: tuple[str | None, ...]  # in the window on any of these (None: the record's date)
    filters: tuple[m.Filter, ...]

    def within(self, other: _Select) -> bool:
        """Every record this selects, ``other`` selects too (judged from the definitions)."""
        return (
            self.ledger_type_id == other.ledger_type_id
            and (self.start, self.end) == (other.start, other.end)
            and set(self.dates) <= set(other.dates)
            and set(other.filters) <= set(self.filters)
        )


def _select_q(
    select: _Select, kinds: Mapping[str, str], *, typed: bool, known: sql.Bounds = sql.NO_BOUNDS
) -> Q:
    """The select as one condition; the type and date bounds may already be in the WHERE."""
    condition = Q(ledger_type_id=select.ledger_type_id) if typed else Q()
    windows = [sql.window_q(spec, select.start, select.end, known=known) for spec in select.dates]
    if all(windows):  # an empty Q is a window the WHERE clause already guarantees
        either = Q()
        for window in windows:
            either |= window
        condition &= either
    for item in select.filters:
        condition &= sql.filter_q(item, kinds, select.end)
    return condition


@dataclass(frozen=True)
class _PartPlan:
    """Where a part's value and record count are read from."""

    scope: str
    values: tuple[str, ...]  # aliases whose sum is the value (events: one per state)
    records: str  # alias counting the records
    select: _Select  # the records counted by ``records``
    cents: bool = False  # the value is money in cents
    per_unit: bool = False  # the value comes from the unit query (distinct at unit scope)


@dataclass(frozen=True)
class _RatioPlan:
    """A ratio: two parts (or a part and the budget) and the union of their records."""

    numerator: _PartPlan
    denominator: _PartPlan | None  # None: the project's budget
    records: str
    scale: Decimal


_AggKey = tuple[Any, ...]


class _Compiler:
    """Collects the distinct aggregates all plans need, each under one alias."""

    def __init__(self) -> None:
        self.main: dict[_AggKey, str] = {}
        self.per_unit: dict[_AggKey, str] = {}
        self.kinds: dict[int, dict[str, str]] = {}
        self.amount_fields: dict[int, str] = {}

    def _alias(self, key: _AggKey, *, per_unit: bool = False) -> str:
        table = self.per_unit if per_unit else self.main
        if key not in table:
            table[key] = f"{'u' if per_unit else 'm'}{len(table)}"
        return table[key]

    def part(self, part: m.Part, ledger: _Ledger, start: dt.date, end: dt.date) -> _PartPlan:
        """The plan of one count, events, sum or distinct part."""
        self.kinds[ledger.id] = ledger.kinds
        self.amount_fields[ledger.id] = ledger.schema.amount_field
        if isinstance(part, m.Events):
            states = tuple(m.STATE_PREFIX + s for s in part.states)
            values = tuple(
                self._alias(("count", _Select(ledger.id, start, end, (s,), part.filters)))
                for s in states
            )
            every = _Select(ledger.id, start, end, states, part.filters)
            return _PartPlan(part.scope, values, self._alias(("count", every)), every)
        select = _Select(ledger.id, start, end, (part.date,), part.filters)
        records = self._alias(("count", select))
        if isinstance(part, m.Count):
            return _PartPlan(part.scope, (records,), records, select)
        if isinstance(part, m.Sum):
            kind = ledger.kinds.get(part.field, "integer")
            value = self._alias(("sum", select, part.field))
            return _PartPlan(part.scope, (value,), records, select, cents=kind == "money")
        unit_scope = part.scope == m.UNIT
        value = self._alias(("distinct", select, part.field), per_unit=unit_scope)
        return _PartPlan(part.scope, (value,), records, select, per_unit=unit_scope)

    def ratio(
        self, ratio: m.Ratio, ledgers: Sequence[_Ledger], start: dt.date, end: dt.date
    ) -> _RatioPlan:
        """The plan of a ratio; ``ledgers`` are the numerator's and denominator's types."""
        numerator = self.part(ratio.numerator, ledgers[0], start, end)
        if isinstance(ratio.denominator, m.Budget):
            return _RatioPlan(numerator, None, numerator.records, ratio.scale)
        denominator = self.part(ratio.denominator, ledgers[1], start, end)
        # Most ratios count a subset over its set (已处置 / 应处置): the union is the larger
        # one's records and needs no aggregate of its own.
        if numerator.select.within(denominator.select):
            records = denominator.records
        elif denominator.select.within(numerator.select):
            records = numerator.records
        else:
            records = self._alias(("union", numerator.select, denominator.select))
        return _RatioPlan(numerator, denominator, records, ratio.scale)

    def selects(self) -> list[_Select]:
        """Every select any aggregate uses."""
        found = []
        for key in (*self.main, *self.per_unit):
            found += [part for part in key[1:] if isinstance(part, _Select)]
        return found

    def aggregates(self, per_unit: bool, *, typed: bool, known: sql.Bounds) -> dict[str, Any]:
        """The aggregate expressions by alias, for the main or the per-unit query."""
        table = self.per_unit if per_unit else self.main
        result: dict[str, Any] = {}
        for key, alias in table.items():
            what, select = key[0], key[1]
            condition = _select_q(
                select, self.kinds[select.ledger_type_id], typed=typed, known=known
            )
            kinds = self.kinds[select.ledger_type_id]
            if what == "count":
                result[alias] = Count("id", filter=condition)
            elif what == "sum":
                code = key[2]
                expression = sql.sum_expression(
                    code, kinds.get(code, "integer"), self.amount_fields[select.ledger_type_id]
                )
                result[alias] = SumOf(expression, filter=condition)
            elif what == "distinct":
                value = sql.JsonValue(sql.DATA, key[2])
                result[alias] = Count(value, distinct=True, filter=condition)
            else:  # union of two selects
                other = key[2]
                other_q = _select_q(
                    other, self.kinds[other.ledger_type_id], typed=typed, known=known
                )
                result[alias] = Count("id", filter=condition | other_q)
        return result


# --- evaluating --------------------------------------------------------------------------


class _Row(NamedTuple):
    """An indicator as evaluation needs it (read with values_list: no model instances)."""

    id: int
    project_id: int
    unit_id: int
    year: int
    budget_total: Decimal | None
    money_unit: str
    definition: str | None  # the metric's JSON text, None without a metric


def _ids_and_filter(projects: Iterable[Project]) -> list[Any]:
    """Project filters in chunks: a subquery for a queryset, id lists otherwise."""
    if isinstance(projects, QuerySet):
        return [projects.values("pk")]
    ids = sorted({p if isinstance(p, int) else p.pk for p in projects})
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _indicator_rows(projects: Iterable[Project]) -> list[_Row]:
    rows: list[_Row] = []
    for chunk in _ids_and_filter(projects):
        query = (
            Indicator.objects.filter(project__in=chunk)
            # The definition as text: equal definitions are parsed once, and no JSON is
            # decoded per indicator.
            .annotate(definition_text=Cast("metric__definition", TextField()))
            .order_by("project__position", "project_id", "position", "id")
            .values_list(
                "id",
                "project_id",
                "project__unit_id",
                "project__year",
                "project__budget_total",
                "project__money_unit",
                "definition_text",
            )
        )
        rows += [_Row._make(values) for values in query]
    return rows


class _Evaluation:
    """One evaluation: plans per indicator, then the queries, then the actuals."""

    def __init__(self, as_of: dt.date) -> None:
        self.as_of = as_of
        self.compiler = _Compiler()
        self.parsed: dict[str, m.Definition | m.MetricError] = {}
        self.dicts: dict[str, dict[str, Any]] = {}
        self.plans: dict[tuple[str, int, int], _PartPlan | _RatioPlan | str] = {}
        self.checked: dict[tuple[str, tuple[int, ...]], str | None] = {}

    def definition(self, text: str) -> m.Definition | m.MetricError:
        """The parsed definition of a metric's JSON text (each distinct text parsed once)."""
        if text not in self.parsed:
            data = json.loads(text)
            try:
                parsed = m.parse(data)
            except m.MetricError as exc:
                self.parsed[text] = exc
            else:
                self.parsed[text] = parsed
                # The canonical form: the same on both databases (PostgreSQL reorders keys).
                data = m.to_dict(parsed)
            self.dicts[text] = data
        return self.parsed[text]

    def plan(self, row: _Row, ledgers: _Ledgers) -> _PartPlan | _RatioPlan | str:
        """The plan of a computed metric for the row's unit and year, or an error text."""
        assert row.definition is not None
        key = (row.definition, row.unit_id, row.year)
        if key not in self.plans:
            self.plans[key] = self._plan(row, ledgers)
        return self.plans[key]

    def _plan(self, row: _Row, ledgers: _Ledgers) -> _PartPlan | _RatioPlan | str:
        assert row.definition is not None
        definition = self.definition(row.definition)
        if isinstance(definition, m.MetricError):
            return str(definition)
        assert not isinstance(definition, m.Manual)
        parts = _parts(definition)
        resolved = []
        for part in parts:
            ledger = ledgers.get(row.unit_id, part.ledger)
            if ledger is None:
                return f"没有代码为“{part.ledger}”的台账"
            resolved.append(ledger)
        check_key = (row.definition, tuple(ledger.id for ledger in resolved))
        if check_key not in self.checked:
            catalog = {ledger.schema.code: ledger.schema for ledger in resolved}
            try:
                m.check(definition, catalog)
                self.checked[check_key] = None
            except m.MetricError as exc:
                self.checked[check_key] = str(exc)
        error = self.checked[check_key]
        if error is not None:
            return error
        start, end = m.window(row.year, self.as_of)
        if isinstance(definition, m.Ratio):
            return self.compiler.ratio(definition, resolved, start, end)
        return self.compiler.part(definition, resolved[0], start, end)


def _parts(definition: m.Definition) -> list[m.Part]:
    if isinstance(definition, m.Ratio):
        parts: list[m.Part] = [definition.numerator]
        if not isinstance(definition.denominator, m.Budget):
            parts.append(definition.denominator)
        return parts
    assert not isinstance(definition, m.Manual)
    return [definition]


def evaluate(projects: Iterable[Project], as_of: dt.date) -> dict[int, Actual]:
    """Every indicator's actual of these projects at ``as_of``, keyed by indicator id.

    A constant number of queries whatever the number of projects: indicators (1), ledger
    types and their fields (2), manual actuals (1), the grouped aggregate (1), and one more
    only for distinct counts at unit scope.
    """
    rows = _indicator_rows(projects)
    work = _Evaluation(as_of)
    computed: list[_Row] = []
    by_hand: list[int] = []
    codes: set[str] = set()
    for row in rows:
        definition = work.definition(row.definition) if row.definition is not None else None
        if definition is None or isinstance(definition, m.Manual):
            by_hand.append(row.id)
            continue
        computed.append(row)
        if not isinstance(definition, m.MetricError):
            codes |= {part.ledger for part in _parts(definition)}
    plans: dict[int, _PartPlan | _RatioPlan | str] = {}
    if computed:
        ledgers = _Ledgers({r.unit_id for r in computed}, codes)
        plans = {row.id: work.plan(row, ledgers) for row in computed}
    groups, unit_totals, unit_distinct = _run(work.compiler, {r.unit_id for r in computed})
    manual = _latest_manual(by_hand, as_of)
    result: dict[int, Actual] = {}
    reader = _Reader(groups, unit_totals, unit_distinct)
    for row in rows:
        metric = work.dicts.get(row.definition) if row.definition is not None else None
        plan = plans.get(row.id)
        if plan is None:
            result[row.id] = _manual_actual(row.id, manual.get(row.id), metric)
        elif isinstance(plan, str):
            result[row.id] = Actual(row.id, None, None, METRIC, 0, None, None, metric, plan)
        else:
            result[row.id] = reader.actual(row, plan, metric)
    return result


_Groups = dict[tuple[int, int | None], dict[str, Any]]


def _run(
    compiler: _Compiler, unit_ids: set[int]
) -> tuple[_Groups, dict[int, dict[str, int]], dict[int, dict[str, int]]]:
    """Run the grouped aggregate (and the per-unit one if needed)."""
    groups: _Groups = {}
    unit_totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    unit_distinct: dict[int, dict[str, int]] = {}
    if not compiler.main and not compiler.per_unit:
        return groups, unit_totals, unit_distinct
    selects = compiler.selects()
    type_ids = sorted({s.ledger_type_id for s in selects})
    base = LedgerEntry.objects.filter(unit_id__in=sorted(unit_ids), ledger_type_id__in=type_ids)
    # Bounds on the record's own (indexed) date that every aggregate implies go into the
    # WHERE clause, so the scan skips what no aggregate counts (records after the as-of date).
    specs = [spec for s in selects for spec in s.dates]
    lower = min(s.start for s in selects) if all(spec is None for spec in specs) else None
    upper_ok = all(spec is None or m.date_state(spec) is not None for spec in specs)
    known = sql.Bounds(lower, max(s.end for s in selects) if upper_ok else None)
    if known.start is not None:
        base = base.filter(date__gte=known.start)
    if known.end is not None:
        base = base.filter(date__lte=known.end)
    typed = len(type_ids) > 1
    additive = {
        alias for key, alias in compiler.main.items() if key[0] != "distinct"
    }  # distinct counts don't add up across a unit's groups
    if compiler.main:
        query: Any = (
            base.values("unit_id", "project_id")
            .annotate(**compiler.aggregates(False, typed=typed, known=known))
            .order_by()
        )
        for group in query:
            groups[(group["unit_id"], group["project_id"])] = group
            totals = unit_totals[group["unit_id"]]
            for alias in additive:
                totals[alias] += int(group[alias] or 0)
    if compiler.per_unit:
        query = (
            base.values("unit_id")
            .annotate(**compiler.aggregates(True, typed=typed, known=known))
            .order_by()
        )
        unit_distinct = {group["unit_id"]: group for group in query}
    return groups, unit_totals, unit_distinct


class _Reader:
    """Reads indicators' numbers out of the grouped results."""

    def __init__(
        self,
        groups: _Groups,
        unit_totals: dict[int, dict[str, int]],
        unit_distinct: dict[int, dict[str, int]],
    ) -> None:
        self.groups = groups
        self.unit_totals = unit_totals
        self.unit_distinct = unit_distinct

    def _found(self, row: _Row, scope: str, per_unit: bool = False) -> Mapping[str, Any]:
        """The results a part of this scope reads: its project's group or its unit's totals."""
        if per_unit:
            return self.unit_distinct.get(row.unit_id, _EMPTY)
        if scope == m.UNIT:
            return self.unit_totals.get(row.unit_id, _EMPTY)
        return self.groups.get((row.unit_id, row.project_id), _EMPTY)

    def part(self, row: _Row, plan: _PartPlan) -> tuple[Decimal, int]:
        """A part's value (an integer, or 元 for money sums) and its record count."""
        found = self._found(row, plan.scope, plan.per_unit)
        total = sum(int(found.get(alias) or 0) for alias in plan.values)
        value = m.cents_to_yuan(total) if plan.cents else Decimal(total)
        if plan.per_unit:
            found = self._found(row, plan.scope)
        return value, int(found.get(plan.records) or 0)

    def actual(
        self, row: _Row, plan: _PartPlan | _RatioPlan, metric: dict[str, Any] | None
    ) -> Actual:
        """The actual of a computed metric."""
        if isinstance(plan, _PartPlan):
            value, records = self.part(row, plan)
            return Actual(row.id, value, m.value_text(value), METRIC, records, None, None, metric)
        numerator, records = self.part(row, plan.numerator)
        denominator: Decimal | None
        if plan.denominator is None:
            budget = m.budget_in_yuan(row.budget_total, row.money_unit)
            denominator = None if budget is None else budget.quantize(m.TWO_PLACES)
        else:
            denominator, _ = self.part(row, plan.denominator)
            records = int(self._found(row, plan.numerator.scope).get(plan.records) or 0)
        ratio = m.ratio_value(numerator, denominator, plan.scale)
        return Actual(
            row.id, ratio, m.value_text(ratio), METRIC, records, numerator, denominator, metric
        )


_EMPTY: Mapping[str, Any] = {}


def _latest_manual(indicator_ids: list[int], as_of: dt.date) -> dict[int, tuple[str, Any]]:
    """The latest hand-entered (value, number) on or before ``as_of`` of each indicator."""
    latest: dict[int, tuple[str, Any]] = {}
    for start in range(0, len(indicator_ids), CHUNK):
        entries = (
            ManualActual.objects.filter(
                indicator_id__in=indicator_ids[start : start + CHUNK], as_of__lte=as_of
            )
            .order_by("indicator_id", "-as_of", "-entered_at", "-id")
            .values_list("indicator_id", "value", "number")
        )
        for indicator_id, value, number in entries:
            latest.setdefault(indicator_id, (value, number))
    return latest


def _manual_actual(
    indicator_id: int, entry: tuple[str, Any] | None, metric: dict[str, Any] | None
) -> Actual:
    if entry is None:
        source = MANUAL if metric is not None else NONE
        return Actual(indicator_id, None, None, source, 0, None, None, metric)
    text, number = entry
    value = plain(Decimal(number)) if number is not None else None
    return Actual(indicator_id, value, text, MANUAL, 0, None, None, metric)


def evaluate_unit(unit: Unit, year: int, as_of: dt.date) -> list[Actual]:
    """The actuals of a unit's projects for a year, in project and indicator order."""
    projects = Project.objects.filter(unit=unit, year=year)
    return list(evaluate(projects, as_of).values())


# --- provenance --------------------------------------------------------------------------


def records_for(indicator: Indicator, as_of: dt.date) -> dict[str, QuerySet[LedgerEntry]]:
    """The records behind an actual, ordered by date: ``{"records": qs}`` for a count, sum,
    events or distinct; ``{"numerator": qs, "denominator": qs}`` for a ratio (no denominator
    list when it is the budget); ``{}`` for manual and unbound indicators.

    The conditions are the ones :func:`evaluate` aggregates, so the lists hold exactly the
    records counted.
    """
    metric = Metric.objects.filter(indicator=indicator).first()
    if metric is None:
        return {}
    definition = m.parse(metric.definition)
    if isinstance(definition, m.Manual):
        return {}
    project = indicator.project
    parts = _parts(definition)
    ledgers = _Ledgers([project.unit_id], {part.ledger for part in parts})
    resolved = []
    for part in parts:
        ledger = ledgers.get(project.unit_id, part.ledger)
        if ledger is None:
            raise m.MetricError(f"口径：没有代码为“{part.ledger}”的台账")
        resolved.append(ledger)
    m.check(definition, {ledger.schema.code: ledger.schema for ledger in resolved})
    start, end = m.window(project.year, as_of)
    compiler = _Compiler()
    lists = {}
    for name, part, ledger in zip(_list_names(definition), parts, resolved, strict=False):
        plan = compiler.part(part, ledger, start, end)
        condition = _select_q(plan.select, ledger.kinds, typed=True)
        scope = Q(project_id=project.pk) if part.scope == m.PROJECT else Q()
        lists[name] = (
            LedgerEntry.objects.filter(unit_id=project.unit_id)
            .filter(scope & condition)
            .select_related("project")
            .order_by("date", "id")
        )
    return lists


def _list_names(definition: m.Definition) -> list[str]:
    return ["numerator", "denominator"] if isinstance(definition, m.Ratio) else ["records"]
