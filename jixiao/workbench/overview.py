"""财政总览: every unit and project of a year under a finance bureau, with execution, light,
score and round status, in a bounded number of queries whatever the number of units.

The numbers come from the same core rules as each unit's pages: budget execution and its light
from ``monitoring.monitor_budget`` over the spending ledger (or the amount a unit entered in its
monitoring report of that date), scores from the self-evaluation as submitted (overrides
applied) — never recomputed here by other arithmetic.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from jixiao.core import monitoring
from jixiao.core.policy import Policy
from jixiao.ledgers.models import LedgerEntry
from jixiao.rounds import build
from jixiao.rounds.choices import ReportStatus, RoundKind
from jixiao.rounds.models import ProjectEntry, Report, Round, ScoreOverride, Submission
from jixiao.rounds.services import submitted_evaluation
from jixiao.targets.models import Project, SpendingCheckpoint, plain
from jixiao.units.models import Unit

# Round status of a unit, including "not started" (no report yet).
NOT_STARTED = "not_started"
STATUS_LABELS = {NOT_STARTED: "未开始", **{s.value: str(s.label) for s in ReportStatus}}
LIGHT_RANK = {"red": 0, "yellow": 1, "green": 2, "blue": 3, None: 4}


@dataclass(frozen=True)
class ProjectLine:
    """One project of the overview."""

    unit_id: int
    unit_code: str
    unit_name: str
    project_id: int
    project: str
    money_unit: str
    budget: Decimal | None
    executed: Decimal
    execution_rate: Decimal | None
    plan_percent: Decimal
    light: str | None
    score: Decimal | None  # the self-evaluation total as submitted, None before
    grade: str | None
    status: str  # the unit's report status in the chosen round (NOT_STARTED when none)
    report_id: int | None = None  # the unit's report in the chosen round, when there is one

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class RoundProgress:
    """A round and how many units are at each stage of it."""

    round: Round
    counts: dict[str, int]
    total: int

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def done(self) -> int:
        return self.count(ReportStatus.APPROVED)

    @property
    def pending_units(self) -> int:
        """Units that have not submitted (not started, filling, returned)."""
        return sum(self.count(s) for s in (NOT_STARTED, ReportStatus.DRAFT, ReportStatus.RETURNED))


def _expenditure_cents(projects: Sequence[Project], year: int, as_of: dt.date) -> dict[int, int]:
    """Cents paid per project from 1 January to the as-of date (two queries): a unit's own
    expenditure ledger replaces the preset one, as on its pages (``build.expenditure_q``)."""
    rows = (
        LedgerEntry.objects.filter(
            build.expenditure_q({p.unit_id for p in projects}),
            project__year=year,
            date__gte=dt.date(year, 1, 1),
            date__lte=as_of,
        )
        .values("project_id")
        .annotate(cents=Sum("amount_cents"))
    )
    return {row["project_id"]: int(row["cents"] or 0) for row in rows}


def _manual_executed(units: Sequence[Unit], year: int, as_of: dt.date) -> dict[int, Decimal]:
    """执行数 entered by units in their monitoring report of this date (one query)."""
    rows = ProjectEntry.objects.filter(
        report__unit__in=units,
        report__round__kind=RoundKind.MONITORING,
        report__round__year=year,
        report__round__as_of=as_of,
        executed__isnull=False,
    ).values_list("project_id", "executed")
    return {pk: amount for pk, amount in rows if amount is not None}


def _checkpoints(projects: Sequence[Project]) -> dict[int, list[tuple[int, Decimal]]]:
    found: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    rows = SpendingCheckpoint.objects.filter(project__in=projects).order_by("month")
    for project_id, month, pct in rows.values_list("project_id", "month", "percent"):
        found[project_id].append((month, pct))
    return found


def _scores(units: Sequence[Unit], year: int) -> dict[int, tuple[Decimal, str]]:
    """Each project's self-evaluation total and grade as submitted, overrides applied (three
    queries: the reports, their latest submissions, their overrides)."""
    reports = {
        r.pk: r
        for r in Report.objects.filter(
            unit__in=units, round__kind=RoundKind.SELF_EVALUATION, round__year=year
        ).exclude(status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED])
    }
    latest: dict[int, Submission] = {}
    for submission in Submission.objects.filter(report_id__in=reports).order_by("number"):
        latest[submission.report_id] = submission
    overrides: dict[int, list[ScoreOverride]] = defaultdict(list)
    made = ScoreOverride.objects.filter(report_id__in=reports).select_related("created_by")
    for override in made.order_by("created_at", "id"):
        overrides[override.report_id].append(override)
    found: dict[int, tuple[Decimal, str]] = {}
    for report_id, submission in latest.items():
        in_force = build.in_force(overrides.get(report_id, []))
        doc = submitted_evaluation(submission.snapshot, in_force)
        for project in doc.projects:
            if project.project_id is not None:
                found[project.project_id] = (project.total, project.grade)
    return found


def rounds_of(bureau_id: int, year: int) -> list[Round]:
    """The bureau's rounds of the year, latest cut-off first."""
    return list(Round.objects.filter(bureau_id=bureau_id, year=year).order_by("-as_of", "-pk"))


def progress(rounds: Sequence[Round], units: Sequence[Unit]) -> list[RoundProgress]:
    """How far each round has got over the units (one query)."""
    statuses: dict[int, dict[int, str]] = defaultdict(dict)
    rows = Report.objects.filter(round__in=rounds, unit__in=units).values_list(
        "round_id", "unit_id", "status"
    )
    for round_id, unit_id, status in rows:
        statuses[round_id][unit_id] = status
    found = []
    for round_ in rounds:
        counts = Counter(statuses[round_.pk].get(u.pk, NOT_STARTED) for u in units)
        found.append(RoundProgress(round_, dict(counts), len(units)))
    return found


def unit_reports(round_: Round | None, units: Sequence[Unit]) -> dict[int, tuple[str, int]]:
    """Each unit's report in the round: its status and id (units without one are left out)."""
    if round_ is None:
        return {}
    rows = Report.objects.filter(round=round_, unit__in=units).values_list(
        "unit_id", "status", "pk"
    )
    return {unit_id: (status, pk) for unit_id, status, pk in rows}


def unit_statuses(round_: Round | None, units: Sequence[Unit]) -> dict[int, str]:
    """Each unit's report status in the round (NOT_STARTED without a report)."""
    found = unit_reports(round_, units)
    if round_ is None:
        return {}
    return {u.pk: found[u.pk][0] if u.pk in found else NOT_STARTED for u in units}


def project_lines(
    units: Sequence[Unit],
    year: int,
    as_of: dt.date,
    policy: Policy,
    reports: dict[int, tuple[str, int]],
) -> list[ProjectLine]:
    """Every project of the units in the year with its execution, light and score, and the
    unit's report in the chosen round (``unit_reports``)."""
    projects = list(
        Project.objects.filter(unit__in=units, year=year)
        .select_related("unit")
        .order_by("unit__code", "position", "pk")
    )
    cents = _expenditure_cents(projects, year, as_of)
    manual = _manual_executed(units, year, as_of)
    plans = _checkpoints(projects)
    scores = _scores(units, year)
    lines = []
    for project in projects:
        money_unit = build.money_unit_of(project)
        budget = plain(project.budget_total)
        if project.pk in manual:
            executed = build.as_shown(manual[project.pk], money_unit)
        else:
            amount = build.in_money_unit(cents.get(project.pk, 0), money_unit)
            executed = build.as_shown(amount, money_unit)
        status = monitoring.monitor_budget(
            budget, executed, plans.get(project.pk, []), as_of, year, policy
        )
        score = scores.get(project.pk)
        unit = project.unit
        lines.append(
            ProjectLine(
                unit_id=unit.pk,
                unit_code=unit.code or "",
                unit_name=unit.name,
                project_id=project.pk,
                project=project.label,
                money_unit=money_unit,
                budget=budget,
                executed=executed,
                execution_rate=status.execution_rate,
                plan_percent=status.plan_percent,
                light=status.light,
                score=score[0] if score else None,
                grade=score[1] if score else None,
                status=reports[unit.pk][0] if unit.pk in reports else NOT_STARTED,
                report_id=reports[unit.pk][1] if unit.pk in reports else None,
            )
        )
    return lines


SORTS = {
    "unit": lambda line: (line.unit_code, line.unit_name),
    "execution": lambda line: (line.execution_rate is None, line.execution_rate or 0),
    "light": lambda line: LIGHT_RANK.get(line.light, 4),
    "score": lambda line: (line.score is None, line.score or 0),
    "status": lambda line: (
        list(STATUS_LABELS).index(line.status) if line.status in STATUS_LABELS else 99
    ),
}


def arrange(
    lines: list[ProjectLine], *, sort: str, descending: bool, light: str, status: str, q: str
) -> list[ProjectLine]:
    """The lines filtered (light, round status, a word of the unit or project) and sorted."""
    found = [
        line
        for line in lines
        if (not light or line.light == light)
        and (not status or line.status == status)
        and (not q or q in line.unit_name or q in line.project or q in line.unit_code)
    ]
    key = SORTS.get(sort, SORTS["unit"])
    return sorted(found, key=key, reverse=descending)  # type: ignore[arg-type]
