"""The data behind the report charts and the unit totals: computed once, here, for the pages and
the exported files alike (the exporters only lay them out).

Completion values (``completion_series``):

- monitoring: the row's ratio ``v`` (rules.md §3, percent). A row lit without a ratio (reverse,
  qualitative and deadline indicators) is drawn at the bottom of its light's band: green 100,
  red 0, yellow ``light_yellow`` (60), blue ``light_blue`` (120); a row without a light is left out.
- self-evaluation: the row's completion as scoring computed it (actual ÷ target for a numeric
  row, the unrounded score ÷ points otherwise), lit by the same bands as monitoring (the report's
  settings, i.e. the policy defaults unless the finance bureau changed them); not-applicable rows
  (no points) are left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from jixiao.core import metrics
from jixiao.core.monitoring import light_for, time_progress
from jixiao.core.numbers import percent, round2
from jixiao.core.policy import Policy
from jixiao.core.reports import (
    BLUE,
    GREEN,
    RED,
    YELLOW,
    MonitoringReport,
    PlanPoint,
    ProjectEvaluation,
    ProjectMonitoring,
    SelfEvaluationReport,
)

Report = MonitoringReport | SelfEvaluationReport
Project = ProjectMonitoring | ProjectEvaluation
P = TypeVar("P", bound=Project)


# --- data ------------------------------------------------------------------------------------


def select_projects(projects: Sequence[P], project_id: int | None) -> list[P]:
    """Every project (``project_id`` None) or the one with that id; ValueError if it is absent."""
    if project_id is None:
        return list(projects)
    chosen = [p for p in projects if p.project_id == project_id]
    if not chosen:
        raise ValueError(f"报告中没有编号为 {project_id} 的项目。")
    return chosen


def _curve(project: Project) -> tuple[PlanPoint, ...]:
    if isinstance(project, ProjectMonitoring):
        return project.budget.curve
    return project.curve


def budget_in_yuan(project: Project) -> Decimal | None:
    """The project's full-year budget in 元 (调整后预算, or 全年预算数 of 年度资金总额)."""
    if isinstance(project, ProjectMonitoring):
        amount = project.budget.budget_adjusted
        if amount is None:
            amount = project.budget.budget_initial
        unit = project.budget.money_unit
    else:
        amount = project.funds[0].budget_full_year if project.funds else None
        unit = project.money_unit
    return metrics.budget_in_yuan(amount, unit)


def elapsed_percent(day: dt.date, year: int) -> Decimal:
    """序时进度 at ``day``: the elapsed share of ``year`` in percent, 2 places."""
    return time_progress(day, year)


def _at(points: Sequence[PlanPoint], day: dt.date, attr: str) -> Decimal | None:
    """A curve's value at ``day``: the point's own, else linear between its neighbours."""
    before = after = None
    for point in points:
        if point.date == day:
            value: Decimal | None = getattr(point, attr)
            return value
        if point.date < day:
            before = point
        elif after is None:
            after = point
    if before is None or after is None:
        return None
    low, high = getattr(before, attr), getattr(after, attr)
    if low is None or high is None:
        return None
    share = Decimal((day - before.date).days) / Decimal((after.date - before.date).days)
    result: Decimal = low + (high - low) * share
    return result


def spending_series(report: Report, project_id: int | None = None) -> dict[str, Any]:
    """Planned, spent and 序时进度 curves (cumulative % of the budget) of a project or the unit.

    The unit's curves weigh each project's percents by its budget in 元 (万元 × 10000), leaving
    out projects without a budget or a curve.
    """
    all_projects: Sequence[Project] = report.projects
    projects = select_projects(all_projects, project_id)
    weighted: list[tuple[tuple[PlanPoint, ...], Decimal]] = []
    for project in projects:
        budget = budget_in_yuan(project)
        points = _curve(project)
        if points and (project_id is not None or (budget is not None and budget > 0)):
            weighted.append((points, budget or Decimal(1)))
    days = sorted({p.date for points, _ in weighted for p in points})
    series: dict[str, Any] = {
        "dates": [],
        "planned": [],
        "spent": [],
        "time_progress": [],
        "as_of": report.as_of.isoformat(),
    }
    total = sum((budget for _, budget in weighted), Decimal(0))
    for day in days:
        planned = [_at(points, day, "planned") for points, _ in weighted]
        if any(p is None for p in planned):
            continue  # outside some project's curve: no unit total there
        spent = [_at(points, day, "spent") for points, _ in weighted]
        budgets = [budget for _, budget in weighted]
        series["dates"].append(day.isoformat())
        series["planned"].append(round2(_weighted(planned, budgets) / total))
        series["spent"].append(
            None
            if day > report.as_of or any(s is None for s in spent)
            else round2(_weighted(spent, budgets) / total)
        )
        series["time_progress"].append(elapsed_percent(day, report.year))
    return series


def _weighted(values: Sequence[Decimal | None], weights: Sequence[Decimal]) -> Decimal:
    return sum((v * w for v, w in zip(values, weights, strict=True) if v is not None), Decimal(0))


def completion_series(report: Report, project_id: int | None = None) -> dict[str, Any]:
    """Each indicator's completion in percent and its light (see the module docstring).

    For the whole unit with several projects, each label starts with the project's number
    (``2.工作及时完成率``), as the sheets and the summary table number them.
    """
    policy = Policy.from_mapping(report.settings)
    all_projects: Sequence[Project] = report.projects
    projects = select_projects(all_projects, project_id)
    numbered = project_id is None and len(projects) > 1
    series: dict[str, Any] = {"labels": [], "values": [], "lights": []}
    for n, project in enumerate(projects, start=1):
        for label, value, light in _completions(project, policy):
            series["labels"].append(f"{n}.{label}" if numbered else label)
            series["values"].append(value)
            series["lights"].append(light)
    return series


def _completions(project: Project, policy: Policy) -> Iterator[tuple[str, Decimal, str]]:
    if isinstance(project, ProjectMonitoring):
        floor = {RED: Decimal(0), YELLOW: policy.light_yellow, GREEN: Decimal(100)}
        floor[BLUE] = policy.light_blue
        for row in project.rows:
            if row.light is None:
                continue
            ratio = row.ratio if row.ratio is not None else floor[row.light]
            yield row.level3, ratio, row.light
        return
    for erow in project.rows:
        if erow.not_applicable or erow.points <= 0:
            continue
        # The completion the scoring computed (actual ÷ target for a numeric row, as the table
        # shows it); a snapshot taken before it was kept falls back to score ÷ points.
        done = erow.completion
        if done is None:
            done = round2(erow.score / erow.points * 100)
        light = light_for(done, policy)
        assert light is not None
        yield erow.level3, done, light


@dataclass(frozen=True)
class UnitExecution:
    """The unit's budget and execution over its projects (the summary table's 合计 row)."""

    budget: Decimal
    executed: Decimal
    rate: Decimal | None  # %, 2 places; None without a budget


def unit_execution(report: Report) -> UnitExecution | None:
    """The 合计 of the projects' budgets and execution; None when their money units differ (no
    sum of 万元 and 元) or there are no projects."""
    if not report.projects:
        return None
    if isinstance(report, MonitoringReport):
        units = {p.budget.money_unit for p in report.projects}
        budget = sum((p.budget.budget_adjusted or Decimal(0) for p in report.projects), Decimal(0))
        executed = sum((p.budget.executed for p in report.projects), Decimal(0))
    else:
        units = {p.money_unit for p in report.projects}
        funds = [p.funds[0] if p.funds else None for p in report.projects]
        budget = sum((f.budget_full_year or Decimal(0) for f in funds if f is not None), Decimal(0))
        executed = sum((f.executed or Decimal(0) for f in funds if f is not None), Decimal(0))
    if len(units) != 1:
        return None
    return UnitExecution(budget, executed, percent(executed, budget))
