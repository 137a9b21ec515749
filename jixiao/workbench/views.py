"""工作台: a unit's year at a glance — its projects with budget, execution and a light, the
indicators behind plan, what is due, and the two charts. Thin: the numbers come from the
monitoring document (core), the to-dos from ``due``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from jixiao.access.lookups import unit_key
from jixiao.core.reports import MonitoringReport, MonitoringRow, ProjectMonitoring
from jixiao.lib.picker import choose_unit_year, project_years_by_unit
from jixiao.rounds import services
from jixiao.rounds.forms import MonitoringForm
from jixiao.rounds.tables import chart_data
from jixiao.rounds.views import as_of_in
from jixiao.workbench.due import due_items

# Lights in the order the page lists indicators: the furthest behind first.
LIGHT_ORDER = {"red": 0, "yellow": 1}


def behind_plan(doc: MonitoringReport) -> list[tuple[ProjectMonitoring, MonitoringRow]]:
    """Indicators under a red or yellow light, red first, then the lowest ratio."""
    found = [
        (project, row)
        for project in doc.projects
        for row in project.rows
        if row.light in LIGHT_ORDER
    ]
    return sorted(
        found,
        key=lambda pair: (LIGHT_ORDER[pair[1].light or ""], pair[1].ratio is None, pair[1].ratio),
    )


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The unit's home (工作台) for its year: projects, indicators behind plan, what is due."""
    choice = choose_unit_year(request.GET, project_years_by_unit(request.user), who=request.user)
    context: dict[str, Any] = {"here": "home", "unit": choice.unit, "year": choice.year}
    unit, year = choice.unit, choice.year
    if unit is None or year is None:
        return render(request, "workbench/home.html", context)
    notices = []
    if choice.asked is not None and choice.asked != year:
        notices.append(f"{unit} 没有 {choice.asked} 年的预算项目，下面是 {year} 年的。")
    today = timezone.localdate()
    as_of, notice = as_of_in(request.GET.get("as_of"), year)
    if notice:
        notices.append(notice)
    doc, report = services.monitoring_document(unit, year, as_of)
    query = urlencode({"unit": unit_key(unit), "year": year, "as_of": as_of.isoformat()})
    context.update(
        notices=notices,
        as_of=as_of,
        today=today,
        doc=doc,
        report=report,
        behind=behind_plan(doc),
        due=due_items(unit, year, today, request.user),
        charts=chart_data(doc, None),
        kind="monitoring",
        monitoring_url=f"{reverse('rounds:monitoring')}?{query}",
        form=MonitoringForm(
            choice.units,
            choice.years,
            initial={"unit": unit_key(unit), "year": year, "as_of": as_of},
        ),
    )
    return render(request, "workbench/home.html", context)
