"""Units, projects and indicators, actuals, monitoring and self-evaluation: reads.

Every object comes through the permission seam (``units_for``, ``get_unit_for_user``,
``get_project_for_user``); the numbers come from the same functions as the pages
(``jixiao.metrics.evaluate``, ``jixiao.rounds.services``), so they never differ.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from jixiao.access.lookups import get_project_for_user, get_unit_for_user, unit_key
from jixiao.access.scope import bureaus_of, units_for
from jixiao.api.schemas import (
    ActualOut,
    ActualsOut,
    DocumentOut,
    ErrorOut,
    IndicatorOut,
    ParsedTargetOut,
    ProjectOut,
    ReportRef,
    UnitOut,
)
from jixiao.lib.params import YEAR_MAX, YEAR_MIN
from jixiao.metrics.evaluate import evaluate
from jixiao.rounds import services as rounds
from jixiao.targets.models import Indicator, Project, plain
from jixiao.units.models import FinanceBureau, Unit

router = Router(tags=["单位、项目与指标"])
READ_ERRORS: dict[int | tuple[int, ...], Any] = {(401, 403, 404): ErrorOut}


def decimal_text(value: Decimal | None) -> str | None:
    """A Decimal as the API sends it: a plain string without trailing zeros, or None."""
    number = plain(value)
    return None if number is None else str(number)


def unit_year(request: HttpRequest, unit: str, year: int) -> Unit:
    """The unit a path names, within reach, and a year that is one (else 404, as the pages)."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise Http404(_("预算年度不正确。"))
    return get_unit_for_user(request.user, unit)


@router.get(
    "/units", response={200: list[UnitOut], **READ_ERRORS}, url_name="units", summary="范围内的单位"
)
def list_units(request: HttpRequest) -> list[dict[str, Any]]:
    """The units the person reaches (a unit's people: theirs and those under it; a bureau's
    people: every unit it reviews)."""
    units = list(units_for(request.user).select_related("parent").order_by("code", "name", "pk"))
    rows = list(Unit.objects.values_list("pk", "parent_id", "finance_bureau_id"))
    bureau_of = bureaus_of(rows)
    names = dict(FinanceBureau.objects.values_list("pk", "name"))
    return [
        {
            "id": u.pk,
            "code": u.code,
            "name": u.name,
            "key": unit_key(u),
            "parent": unit_key(u.parent) if u.parent is not None else None,
            "bureau": names.get(bureau_of.get(u.pk) or 0),
        }
        for u in units
    ]


def indicator_out(indicator: Indicator) -> dict[str, Any]:
    """An indicator as the API sends it."""
    parsed = indicator.parsed
    return {
        "id": indicator.pk,
        "position": indicator.position,
        "level1": indicator.level1,
        "level2": indicator.level2,
        "level3": indicator.level3,
        "description": indicator.description,
        "target": indicator.target,
        "parsed": ParsedTargetOut(**parsed.to_dict()),
        "basis": indicator.basis,
        "weight": decimal_text(indicator.weight),
    }


def project_out(project: Project) -> dict[str, Any]:
    """A project with its indicators in force."""
    return {
        "id": project.pk,
        "unit": unit_key(project.unit),
        "year": project.year,
        "code": project.code,
        "name": project.name,
        "money_unit": project.money_unit,
        "budget_total": decimal_text(project.budget_total),
        "budget_fiscal": decimal_text(project.budget_fiscal),
        "budget_other": decimal_text(project.budget_other),
        "fund_use": project.fund_use,
        "goal": project.goal,
        "indicators": [IndicatorOut(**indicator_out(i)) for i in project.indicators.all()],
    }


@router.get(
    "/units/{unit}/years/{int:year}/projects",
    response={200: list[ProjectOut], **READ_ERRORS},
    url_name="projects",
    summary="某单位某年的项目和指标",
)
def list_projects(request: HttpRequest, unit: str, year: int) -> list[dict[str, Any]]:
    """The unit's projects of the year, each with its indicators and their parsed targets."""
    found = unit_year(request, unit, year)
    projects = (
        Project.objects.filter(unit=found, year=year)
        .select_related("unit")
        .prefetch_related("indicators")
        .order_by("position", "id")
    )
    return [project_out(p) for p in projects]


@router.get(
    "/projects/{int:pk}",
    response={200: ProjectOut, **READ_ERRORS},
    url_name="project",
    summary="一个项目及其指标",
)
def get_project(request: HttpRequest, pk: int) -> dict[str, Any]:
    """One project with its indicators."""
    return project_out(get_project_for_user(request.user, pk))


class AsOf(Schema):
    """The date actuals and monitoring are computed at."""

    as_of: dt.date | None = None


def as_of_in(year: int, asked: dt.date | None) -> dt.date:
    """The date asked for, inside the year; by default today, or 30 June of another year."""
    if asked is None:
        today = timezone.localdate()
        return today if today.year == year else dt.date(year, 6, 30)
    if asked.year != year:
        from ninja.errors import HttpError

        raise HttpError(400, _("%(date)s 不在 %(year)s 年内。") % {"date": asked, "year": year})
    return asked


@router.get(
    "/units/{unit}/years/{int:year}/actuals",
    response={200: ActualsOut, 400: ErrorOut, **READ_ERRORS},
    url_name="actuals",
    summary="实际完成值",
)
def actuals(request: HttpRequest, unit: str, year: int, query: Query[AsOf]) -> dict[str, Any]:
    """Each indicator's actual at a date: counted from the ledgers by its metric, or the
    value entered by hand; with the records behind it and, for ratios, both parts."""
    found = unit_year(request, unit, year)
    as_of = as_of_in(year, query.as_of)
    projects = list(
        Project.objects.filter(unit=found, year=year)
        .prefetch_related("indicators")
        .order_by("position", "id")
    )
    values = evaluate(projects, as_of)
    rows = []
    for project in projects:
        for indicator in project.indicators.all():
            actual = values.get(indicator.pk)
            if actual is None:
                continue
            rows.append(
                ActualOut(
                    indicator=indicator.pk,
                    project=project.pk,
                    level3=indicator.level3,
                    target=indicator.target,
                    value=None if actual.value is None else str(actual.value),
                    text=actual.text,
                    source=actual.source,
                    records=actual.records,
                    numerator=None if actual.numerator is None else str(actual.numerator),
                    denominator=None if actual.denominator is None else str(actual.denominator),
                    error=actual.error,
                )
            )
    return {"unit": unit_key(found), "year": year, "as_of": as_of, "actuals": rows}


def _report_ref(report: Any) -> ReportRef | None:
    if report is None:
        return None
    return ReportRef(id=report.pk, round=str(report.round), state=report.status)


@router.get(
    "/units/{unit}/years/{int:year}/monitoring",
    response={200: DocumentOut, 400: ErrorOut, **READ_ERRORS},
    url_name="monitoring",
    summary="运行监控",
)
def monitoring(request: HttpRequest, unit: str, year: int, query: Query[AsOf]) -> dict[str, Any]:
    """运行监控 at a date, as the page shows it: the unit's report in a round of that date
    (its snapshot once submitted), else computed now. Lights, projections, budget execution."""
    found = unit_year(request, unit, year)
    as_of = as_of_in(year, query.as_of)
    document, report = rounds.monitoring_document(found, year, as_of)
    return {
        "unit": unit_key(found),
        "year": year,
        "report": _report_ref(report),
        "document": document.to_json(),
    }


@router.get(
    "/units/{unit}/years/{int:year}/evaluation",
    response={200: DocumentOut, 409: ErrorOut, **READ_ERRORS},
    url_name="evaluation",
    summary="绩效自评",
)
def evaluation(request: HttpRequest, unit: str, year: int) -> dict[str, Any]:
    """绩效自评 of the year, as the page shows it: scores, with overrides applied."""
    found = unit_year(request, unit, year)
    document, report = rounds.evaluation_document(found, year)
    return {
        "unit": unit_key(found),
        "year": year,
        "report": _report_ref(report),
        "document": document.to_json(),
    }
