"""Build the monitoring and self-evaluation reports of a unit-year from the database.

The numbers come from the pure rules in ``jixiao.core`` (``monitoring``, ``scoring``); this
module only gathers their inputs: targets, actuals at the date (``jixiao.metrics.evaluate``),
spending from the expenditure ledger, and what the unit wrote in its report. The result is a
:mod:`jixiao.core.reports` object, the same one the tables, pages and snapshots show.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import F, Q, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import ExtractMonth

from jixiao.core import monitoring, scoring
from jixiao.core.monitoring import Funds
from jixiao.core.numbers import percent, round2
from jixiao.core.policy import Policy
from jixiao.core.reports import (
    BudgetExecution,
    EvaluationRow,
    ExecutionScore,
    FundRow,
    MonitoringFund,
    MonitoringReport,
    MonitoringRow,
    PlanPoint,
    ProjectEvaluation,
    ProjectMonitoring,
    SelfEvaluationReport,
    UnitInfo,
)
from jixiao.core.targets import NOT_APPLICABLE, QUANTITATIVE
from jixiao.exporters.targets_layout import DEFAULT_MONEY_UNIT
from jixiao.ledgers.models import LedgerEntry, LedgerType
from jixiao.ledgers.presets import FUND_CARRYOVER, FUND_FISCAL, FUND_OTHER, FUND_SOURCES
from jixiao.metrics.evaluate import Actual, evaluate
from jixiao.rounds.models import IndicatorEntry, ProjectEntry, Report, ScoreOverride
from jixiao.targets.choices import RevisionKind
from jixiao.targets.models import Indicator, Project, Revision, plain
from jixiao.units.models import Unit

EXPENDITURE = "expenditure"
CENT = Decimal("0.01")
TEN_THOUSAND = Decimal(10000)


def q2(value: Decimal) -> Decimal:
    """Two places, half up: how every shown number is rounded (jixiao.core.numbers)."""
    return round2(value)


def shown(value: Decimal | str | None, unit: str | None = None) -> str | None:
    """A value as a table cell shows it: a bare number gets the target's unit (93条, 92.31%)."""
    if value is None:
        return None
    text = str(value)
    if unit and _is_number(text):
        return f"{text}{unit}"
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


# --- inputs ------------------------------------------------------------------------------


def unit_info(unit: Unit) -> UnitInfo:
    """The unit as reports name it, with its department in charge."""
    department = unit.parent.name if unit.parent_id and unit.parent else None
    return UnitInfo(unit.code, unit.name or str(unit), department or unit.name)


def projects_of(unit: Unit, year: int) -> list[Project]:
    """The unit's projects of the year with their indicators and plan, in table order."""
    return list(
        Project.objects.filter(unit=unit, year=year)
        .prefetch_related("indicators", "checkpoints")
        .order_by("position", "id")
    )


def expenditure_q(unit_ids: Iterable[int]) -> Q:
    """The spending records of these units (one query to build): a unit's own expenditure
    ledger replaces the preset one, as for metrics."""
    ids = set(unit_ids)
    owners = set(
        LedgerType.objects.filter(code=EXPENDITURE, unit_id__in=ids).values_list(
            "unit_id", flat=True
        )
    )
    preset = Q(ledger_type__unit_id=None) & ~Q(unit_id__in=owners)
    return Q(ledger_type__code=EXPENDITURE, unit_id__in=ids) & (
        preset | Q(ledger_type__unit_id=F("unit_id"))
    )


@dataclass(frozen=True)
class Spending:
    """A project's payments from 1 January to the as-of date, in cents."""

    monthly: dict[int, int] = field(default_factory=dict)  # month -> cents
    # 资金来源 -> cents; "" for the records that name none (or a source not among the three)
    by_source: dict[str, int] = field(default_factory=dict)


def spending_of(
    unit: Unit, projects: Sequence[Project], year: int, as_of: dt.date
) -> dict[int, Spending]:
    """Each project's spending by month and by fund source, to the as-of date (one query)."""
    rows = (
        LedgerEntry.objects.filter(
            expenditure_q([unit.pk]),
            project_id__in=[p.pk for p in projects],
            date__gte=dt.date(year, 1, 1),
            date__lte=as_of,
        )
        # ->> on PostgreSQL, JSON_EXTRACT on SQLite: the source as text, NULL when absent.
        .annotate(month=ExtractMonth("date"), source=KeyTextTransform("fund_source", "data"))
        .values("project_id", "month", "source")
        .annotate(cents=Sum("amount_cents"))
    )
    monthly: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    sources: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        cents = int(row["cents"] or 0)
        source = row["source"] if row["source"] in FUND_SOURCES else ""
        monthly[row["project_id"]][row["month"]] += cents
        sources[row["project_id"]][source] += cents
    return {pk: Spending(dict(monthly[pk]), dict(sources[pk])) for pk in monthly}


def spent_by_month(
    unit: Unit, projects: Sequence[Project], year: int, as_of: dt.date
) -> dict[int, dict[int, int]]:
    """Cents paid per project and month, from 1 January to the as-of date (one query)."""
    return {pk: s.monthly for pk, s in spending_of(unit, projects, year, as_of).items()}


def money_unit_of(project: Project) -> str:
    """The money unit the project's amounts are in; most tables are in 万元 when they say none."""
    return project.money_unit or DEFAULT_MONEY_UNIT


def in_money_unit(cents: int, money_unit: str) -> Decimal:
    """Cents as an amount in the project's money unit (万元 keeps six places)."""
    yuan = Decimal(cents) / 100
    return yuan / TEN_THOUSAND if money_unit == "万元" else yuan


def initial_budgets(projects: Sequence[Project]) -> dict[int, dict[str, Decimal | None]]:
    """Each project's budget as first imported (年初预算): total, fiscal, other, carryover."""
    first: dict[int, dict[str, Decimal | None]] = {}
    revisions = Revision.objects.filter(
        kind=RevisionKind.PROJECT, project__in=list(projects)
    ).order_by("project_id", "number")
    for revision in revisions:
        if revision.project_id in first or revision.project_id is None:
            continue
        budget = revision.snapshot.get("budget") or {}
        first[revision.project_id] = {
            key: (Decimal(str(budget[key])) if budget.get(key) not in (None, "") else None)
            for key in ("total", "fiscal", "other", "carryover")
        }
    return first


def _checkpoints(project: Project) -> list[tuple[int, Decimal]]:
    return [(c.month, c.percent) for c in project.checkpoints.all()]


def curve(
    checkpoints: list[tuple[int, Decimal]],
    budget: Decimal | None,
    monthly: dict[int, int],
    year: int,
    as_of: dt.date,
    money_unit: str,
) -> tuple[PlanPoint, ...]:
    """The plan and the spending, cumulative percent of the budget, at every month end."""
    points: list[PlanPoint] = []
    dates = [dt.date(year, m, calendar.monthrange(year, m)[1]) for m in range(1, 13)]
    if as_of.year == year and as_of not in dates:
        dates.append(as_of)
        dates.sort()
    for day in dates:
        planned = monitoring.plan_percent_at(checkpoints, day, year)
        spent: Decimal | None = None
        if day <= as_of and budget:
            # The query stops at the as-of date, so its month is counted only up to it.
            cents = sum(c for month, c in monthly.items() if month <= day.month)
            spent = q2(in_money_unit(cents, money_unit) / budget * 100)
        points.append(PlanPoint(day, planned, spent))
    return tuple(points)


def _entries(report: Report | None) -> tuple[dict[int, IndicatorEntry], dict[int, ProjectEntry]]:
    if report is None:
        return {}, {}
    indicators = {e.indicator_id: e for e in report.indicators.all()}
    projects = {e.project_id: e for e in report.projects.all()}
    return indicators, projects


def _current(actual: Actual | None) -> Decimal | str | None:
    """An actual as the rules take it: a number, a text, or None when there is none."""
    if actual is None:
        return None
    if actual.value is not None:
        return actual.value
    return actual.text or None


def _actual_shown(actual: Actual | None, unit: str | None) -> str | None:
    """An actual as a cell shows it: its text as kept, a bare number with the target's unit."""
    if actual is None:
        return None
    return shown(actual.text or actual.value, unit)


def _executed(
    entry: ProjectEntry | None, monthly: dict[int, int], money_unit: str
) -> tuple[Decimal, str]:
    """Spent to date in the money unit, as shown (元 to the cent), and where it came from."""
    if entry is not None and entry.executed is not None:
        return as_shown(entry.executed, money_unit), "manual"
    return as_shown(in_money_unit(sum(monthly.values()), money_unit), money_unit), "ledger"


def as_shown(amount: Decimal, money_unit: str) -> Decimal:
    """An amount spent as the tables show it: 元 to the cent, 万元 as exact as it is."""
    if money_unit == "元":
        return q2(amount)
    return plain(amount) or Decimal(0)


def _spent_by_source(
    spending: Spending, executed: Decimal, executed_source: str, money_unit: str
) -> tuple[Funds, Decimal]:
    """What records naming their source spent from each, and the rest that names none.

    A figure the unit entered by hand says nothing of its sources: all of it is unsourced.
    """
    if executed_source == "manual":
        return Funds(Decimal(0), Decimal(0), Decimal(0)), executed
    by = spending.by_source

    def amount(key: str) -> Decimal:
        return as_shown(in_money_unit(by.get(key, 0), money_unit), money_unit)

    return Funds(amount(FUND_FISCAL), amount(FUND_CARRYOVER), amount(FUND_OTHER)), amount("")


# --- monitoring --------------------------------------------------------------------------


def build_monitoring(
    unit: Unit, year: int, as_of: dt.date, *, report: Report | None = None
) -> MonitoringReport:
    """The unit's monitoring at a date: lights, projections and budget execution."""
    policy = unit.policy
    projects = projects_of(unit, year)
    actuals = evaluate(projects, as_of)
    spent = spending_of(unit, projects, year, as_of)
    initial = initial_budgets(projects)
    indicator_entries, project_entries = _entries(report)
    tables = []
    for project in projects:
        plan = _checkpoints(project)
        rows = tuple(
            _monitoring_row(
                i, actuals.get(i.pk), indicator_entries.get(i.pk), as_of, year, policy, plan
            )
            for i in project.indicators.all()
        )
        spending = spent.get(project.pk, Spending())
        budget = _budget_execution(
            project,
            project_entries.get(project.pk),
            spending.monthly,
            initial.get(project.pk, {}),
            as_of,
            year,
            policy,
        )
        entry = project_entries.get(project.pk)
        tables.append(
            ProjectMonitoring(
                project.pk,
                project.code,
                project.label,
                budget,
                rows,
                goal=project.goal or None,
                achievement=(entry.achievement or None) if entry else None,
                funds=_monitoring_funds(project, budget, spending, initial.get(project.pk, {})),
            )
        )
    return MonitoringReport(
        unit=unit_info(unit),
        year=year,
        as_of=as_of,
        time_progress=monitoring.time_progress(as_of, year),
        projects=tuple(tables),
        settings=policy.changes(),
    )


def _monitoring_row(
    indicator: Indicator,
    actual: Actual | None,
    entry: IndicatorEntry | None,
    as_of: dt.date,
    year: int,
    policy: Policy,
    plan: list[tuple[int, Decimal]],
) -> MonitoringRow:
    current = _current(actual)
    unit = indicator.parsed.unit
    status = monitoring.monitor_indicator(
        indicator.parsed,
        current,
        as_of,
        year,
        policy,
        target_text=indicator.target,
        name=indicator.level3,
        plan=plan,
        fractions=indicator.fraction_actuals,
    )
    return MonitoringRow(
        indicator_id=indicator.pk,
        level1=indicator.level1,
        level2=indicator.level2,
        level3=indicator.level3,
        target=indicator.target,
        current=_actual_shown(actual, unit),
        expected=shown(status.expected, unit),
        projected=shown(status.projected, unit),
        projection_method=status.projection_method,
        ratio=status.ratio,
        light=status.light,
        likelihood_suggested=status.likelihood,
        likelihood=(entry.likelihood if entry and entry.likelihood else status.likelihood),
        reason_required=status.reason_required,
        deviation_category=(entry.deviation_category or None) if entry else None,
        deviation_reason=(entry.deviation_reason or None) if entry else None,
        correction=(entry.correction or None) if entry else None,
        source=actual.source if actual is not None else "none",
        remark=(entry.remark or None) if entry else None,
    )


def _budget_execution(
    project: Project,
    entry: ProjectEntry | None,
    monthly: dict[int, int],
    initial: dict[str, Decimal | None],
    as_of: dt.date,
    year: int,
    policy: Policy,
) -> BudgetExecution:
    budget = plain(project.budget_total)
    money_unit = money_unit_of(project)
    executed, source = _executed(entry, monthly, money_unit)
    checkpoints = _checkpoints(project)
    status = monitoring.monitor_budget(budget, executed, checkpoints, as_of, year, policy)
    if entry is not None and entry.projected_spending is not None:
        projected, projected_source = plain(entry.projected_spending), "manual"
    else:
        projected = monitoring.projected_spending(budget, executed, checkpoints, as_of, year)
        projected_source = "plan"
    return BudgetExecution(
        money_unit=money_unit,
        budget_initial=plain(initial.get("total")) if initial else budget,
        budget_adjusted=budget,
        executed=executed,
        executed_source=source,
        plan_percent=status.plan_percent,
        planned=status.planned,
        execution_rate=status.execution_rate,
        time_progress=status.time_progress,
        ratio=status.ratio,
        light=status.light,
        reason_required=status.reason_required,
        deviation_category=(entry.deviation_category or None) if entry else None,
        deviation_reason=(entry.deviation_reason or None) if entry else None,
        correction=(entry.correction or None) if entry else None,
        curve=curve(checkpoints, budget, monthly, year, as_of, money_unit),
        projected=projected,
        projected_source=projected_source,
    )


def _rate(spent: Decimal | None, budget: Decimal | None) -> Decimal | None:
    """A fund row's execution rate, %, 2 places; None when the spending or budget is unknown."""
    return None if spent is None or budget is None else percent(spent, budget)


def _budget_parts(
    total: Decimal | None,
    fiscal: Decimal | None,
    other: Decimal | None,
    carryover: Decimal | None,
) -> Funds:
    """A budget's 当年财政拨款, 上年结转资金 and 其他资金 as the fund rows show them."""
    return Funds(plain(fiscal), plain(carryover), _other_money(total, fiscal, other, carryover))


def _plus(fiscal: Decimal | None, carryover: Decimal | None) -> Decimal | None:
    """财政拨款 including the carry-over, unknown when the fiscal part is."""
    return None if fiscal is None else fiscal + (carryover or Decimal(0))


def _monitoring_funds(
    project: Project,
    budget: BudgetExecution,
    spending: Spending,
    initial: dict[str, Decimal | None],
) -> tuple[MonitoringFund, ...]:
    """The 136号 table's fund rows: 年度资金总额, 其中：财政拨款, 其他资金.

    The 136号 table splits 年度资金总额 into 财政拨款 and 其他资金 only, so that the two rows add
    up to the total; 上年结转资金 (money appropriated last year and carried over, as the
    self-evaluation table lists it apart) is counted in 其中：财政拨款, budget and spending alike.
    """
    total = plain(project.budget_total)
    parts = _budget_parts(
        total, project.budget_fiscal, project.budget_other, project.budget_carryover
    )
    fiscal = _plus(parts.fiscal, parts.carryover)
    funds = Funds(fiscal, None, parts.other)
    if initial:
        start = _budget_parts(
            plain(initial.get("total")),
            initial.get("fiscal"),
            initial.get("other"),
            initial.get("carryover"),
        )
    else:
        start = parts
    sourced, unsourced = _spent_by_source(
        spending, budget.executed, budget.executed_source, budget.money_unit
    )
    sourced = Funds(_plus(sourced.fiscal, sourced.carryover), None, sourced.other)
    spent = monitoring.spending_by_source(sourced, unsourced, funds)
    # A projection follows the spending plan of the whole budget, not of each source.
    projected = (
        monitoring.spending_by_source(Funds(), budget.projected, funds)
        if budget.projected is not None
        else Funds()
    )
    return (
        MonitoringFund(
            "年度资金总额",
            budget.budget_initial,
            budget.budget_adjusted,
            budget.executed,
            budget.execution_rate,
            budget.projected,
        ),
        MonitoringFund(
            "其中：财政拨款",
            _plus(start.fiscal, start.carryover),
            fiscal,
            spent.fiscal,
            _rate(spent.fiscal, fiscal),
            projected.fiscal,
        ),
        MonitoringFund(
            "其他资金",
            start.other,
            parts.other,
            spent.other,
            _rate(spent.other, parts.other),
            projected.other,
        ),
    )


# --- self-evaluation ---------------------------------------------------------------------


def build_self_evaluation(
    unit: Unit, year: int, *, report: Report | None = None
) -> SelfEvaluationReport:
    """The unit's self-evaluation: actuals at 31 December scored, with overrides applied."""
    policy = unit.policy
    as_of = dt.date(year, 12, 31)
    projects = projects_of(unit, year)
    actuals = evaluate(projects, as_of)
    spent = spending_of(unit, projects, year, as_of)
    initial = initial_budgets(projects)
    indicator_entries, project_entries = _entries(report)
    info = unit_info(unit)
    tables = [
        _project_evaluation(
            project,
            info,
            actuals,
            indicator_entries,
            project_entries.get(project.pk),
            spent.get(project.pk, Spending()),
            initial.get(project.pk, {}),
            year,
            policy,
        )
        for project in projects
    ]
    evaluation = SelfEvaluationReport(
        unit=info, year=year, as_of=as_of, projects=tuple(tables), settings=policy.changes()
    )
    if report is not None:
        evaluation = apply_overrides(evaluation, overrides_in_force(report), policy)
    return evaluation


def _score_input(
    indicator: Indicator, actual: Actual | None, entry: IndicatorEntry | None
) -> scoring.IndicatorInput:
    parsed = indicator.parsed
    value: Decimal | str | None
    if parsed.kind == NOT_APPLICABLE:
        value = None
    elif actual is not None and actual.value is not None and parsed.kind == QUANTITATIVE:
        value = actual.value
    else:
        # Texts keep their words (是, 部分达成, 2021-11-30); nothing entered is "".
        value = (actual.text if actual is not None else None) or ""
    return scoring.IndicatorInput(
        level1=indicator.level1,
        level2=indicator.level2,
        level3=indicator.level3,
        target=parsed,
        actual=value,
        weight=plain(indicator.weight),
        score=entry.score if entry is not None else None,
        target_text=indicator.target,
        fractions=indicator.fraction_actuals,
    )


def _project_evaluation(
    project: Project,
    info: UnitInfo,
    actuals: dict[int, Actual],
    entries: dict[int, IndicatorEntry],
    entry: ProjectEntry | None,
    spending: Spending,
    initial: dict[str, Decimal | None],
    year: int,
    policy: Policy,
) -> ProjectEvaluation:
    monthly = spending.monthly
    indicators = list(project.indicators.all())
    inputs = [_score_input(i, actuals.get(i.pk), entries.get(i.pk)) for i in indicators]
    budget = plain(project.budget_total)
    money_unit = money_unit_of(project)
    executed, source = _executed(entry, monthly, money_unit)
    if not budget:
        raise scoring.ScoringError(f"项目“{project.label}”没有全年预算数，无法计算预算执行率。")
    result = scoring.score_project(inputs, budget_total=budget, executed=executed, policy=policy)
    rows = tuple(
        _evaluation_row(i, actuals.get(i.pk), entries.get(i.pk), score)
        for i, score in zip(indicators, result.indicators, strict=True)
    )
    execution = ExecutionScore(
        rate=result.execution.rate,
        points=result.execution.points,
        computed=result.execution.score,
        score=result.execution.score,
        explanation_required=result.execution.explanation_required,
        explanation=(entry.explanation or None) if entry else None,
    )
    return ProjectEvaluation(
        project_id=project.pk,
        code=project.code,
        name=project.label,
        department=info.department or info.name,
        implementer=info.name,
        money_unit=money_unit,
        funds=_fund_rows(
            project,
            initial,
            executed,
            result.execution,
            _spent_by_source(spending, executed, source, money_unit),
        ),
        goal=project.goal or None,
        achievement=(entry.achievement or None) if entry else None,
        rows=rows,
        execution=execution,
        total=result.total,
        grade=result.grade,
        capped_from=result.capped_from,
        curve=curve(
            _checkpoints(project),
            budget,
            monthly,
            year,
            dt.date(year, 12, 31),
            money_unit,
        ),
    )


def _evaluation_row(
    indicator: Indicator,
    actual: Actual | None,
    entry: IndicatorEntry | None,
    score: scoring.IndicatorScore,
) -> EvaluationRow:
    shown_actual = None if score.not_applicable else _actual_shown(actual, indicator.parsed.unit)
    return EvaluationRow(
        indicator_id=indicator.pk,
        level1=indicator.level1,
        level2=indicator.level2,
        level3=indicator.level3,
        target=indicator.target,
        actual=shown_actual,
        points=score.points,
        computed=score.score,
        score=score.score,
        not_applicable=score.not_applicable,
        grade=score.grade,
        band=score.band,
        met=score.met,
        explanation_required=score.explanation_required,
        explanation=(entry.explanation or None) if entry else None,
        note=score.note,
        completion=score.completion,
    )


def _fund_rows(
    project: Project,
    initial: dict[str, Decimal | None],
    executed: Decimal,
    execution: scoring.ExecutionResult,
    by_source: tuple[Funds, Decimal],
) -> tuple[FundRow, ...]:
    """The self-evaluation fund block; None where an amount is not known (shown “—”).

    全年执行数 splits by the 资金来源 the expenditure records name; records naming none go to
    the one source the budget has money in, and otherwise leave the rows they could belong to
    unknown (jixiao.core.monitoring.spending_by_source).
    """
    total = plain(project.budget_total)
    parts = _budget_parts(
        total, project.budget_fiscal, project.budget_other, project.budget_carryover
    )
    if initial:
        start_total = plain(initial.get("total"))
        start = _budget_parts(
            start_total, initial.get("fiscal"), initial.get("other"), initial.get("carryover")
        )
    else:
        start_total, start = total, parts
    sourced, unsourced = by_source
    spent = monitoring.spending_by_source(sourced, unsourced, parts)
    if parts.carryover is None and not spent.carryover:
        # No carry-over stated and none spent: nothing to show, as the table leaves it.
        carryover = FundRow("上年结转资金", None, None, None, None, None, None)
    else:
        carryover = FundRow(
            "上年结转资金",
            start.carryover,
            parts.carryover,
            spent.carryover,
            None,
            _rate(spent.carryover, parts.carryover),
            None,
        )
    return (
        FundRow(
            "年度资金总额",
            start_total,
            total,
            executed,
            execution.points,
            execution.rate,
            execution.score,
        ),
        FundRow(
            "其中：当年财政拨款",
            start.fiscal,
            parts.fiscal,
            spent.fiscal,
            None,
            _rate(spent.fiscal, parts.fiscal),
            None,
        ),
        carryover,
        FundRow(
            "其他资金",
            start.other,
            parts.other,
            spent.other,
            None,
            _rate(spent.other, parts.other),
            None,
        ),
    )


def _other_money(
    total: Decimal | None,
    fiscal: Decimal | None,
    other: Decimal | None,
    carryover: Decimal | None = None,
) -> Decimal | None:
    """其他资金 as given; 0 when left empty on a budget whose fiscal money (with any carry-over)
    is its total."""
    if other is None and total is not None and fiscal is not None:
        return Decimal(0) if fiscal + (carryover or Decimal(0)) == total else None
    return plain(other)


# --- overrides ---------------------------------------------------------------------------


def overrides_in_force(report: Report) -> list[ScoreOverride]:
    """The latest override per score of the report (withdrawn ones have no score)."""
    return in_force(report.overrides.select_related("created_by").order_by("created_at", "id"))


def in_force(overrides: Iterable[ScoreOverride]) -> list[ScoreOverride]:
    """Of overrides in the order they were made, the latest per score that still holds one."""
    latest: dict[tuple[int, int | None], ScoreOverride] = {}
    for override in overrides:
        latest[(override.project_id, override.indicator_id)] = override
    return [o for o in latest.values() if o.score is not None]


def _actor_name(override: ScoreOverride) -> str | None:
    user: Any = override.created_by
    if user is None:
        return None
    return str(user.get_full_name() or user.get_username())


def apply_overrides(
    evaluation: SelfEvaluationReport, overrides: Iterable[ScoreOverride], policy: Policy
) -> SelfEvaluationReport:
    """The evaluation with the reviewers' scores in force, totals and grades recomputed.

    Scores without an override in force go back to the computed ones, so applying the current
    overrides to any earlier state (a snapshot) gives the same result.
    """
    by_key: dict[tuple[int | None, int | None], ScoreOverride] = {
        (o.project_id, o.indicator_id): o for o in overrides if o.score is not None
    }
    projects = []
    for project in evaluation.projects:
        rows = tuple(
            _overridden(row, by_key.get((project.project_id, row.indicator_id)))
            for row in project.rows
        )
        execution = _overridden(project.execution, by_key.get((project.project_id, None)))
        total, capped_from, grade = scoring.total_and_grade(
            [r.score for r in rows], execution.score, execution.rate, policy
        )
        funds = tuple(
            replace(f, score=execution.score) if f.score is not None else f for f in project.funds
        )
        projects.append(
            replace(
                project,
                rows=rows,
                execution=execution,
                funds=funds,
                total=total,
                grade=grade,
                capped_from=capped_from,
            )
        )
    return replace(evaluation, projects=tuple(projects))


Scored = TypeVar("Scored", EvaluationRow, ExecutionScore)


def _overridden(item: Scored, override: ScoreOverride | None) -> Scored:
    if override is None or override.score is None:
        return replace(item, score=item.computed, override_reason=None, override_by=None)
    return replace(
        item,
        score=q2(override.score),
        override_reason=override.reason,
        override_by=_actor_name(override),
    )
