"""工作台: a unit's year at a glance — its projects with budget, execution and a light, the
indicators behind plan, what is due, and the two charts. Thin: the numbers come from the
monitoring document (core), the to-dos from ``due``."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from openpyxl import Workbook

from jixiao.access.lookups import get_bureau_for_user, get_round_for_user, unit_key
from jixiao.access.perms import can, require
from jixiao.access.scope import bureaus_for, bureaus_of, reach, units_for
from jixiao.core.numbers import round2
from jixiao.core.reports import LIGHT_LABELS, MonitoringReport, MonitoringRow, ProjectMonitoring
from jixiao.lib.actor import Actor
from jixiao.lib.params import int_or_none, year_or_none
from jixiao.lib.picker import choose_unit_year, project_years_by_unit
from jixiao.rounds import services as round_services
from jixiao.rounds.forms import MonitoringForm
from jixiao.rounds.tables import chart_data
from jixiao.rounds.views import as_of_in
from jixiao.targets.models import Project
from jixiao.units.models import FinanceBureau, Unit
from jixiao.workbench import overview
from jixiao.workbench.due import due_items
from jixiao.workbench.services import may_remind
from jixiao.workbench.services import remind as remind_units

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
    found = reach(request.user)
    if found.bureau_id is not None and found.unit_id is None and "unit" not in request.GET:
        return redirect("workbench:overview")  # a bureau's people start at its overview
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
    doc, report = round_services.monitoring_document(unit, year, as_of)
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


# --- 财政总览 ------------------------------------------------------------------------------


def _bureau_units(who: Any, bureau_id: int) -> list[Unit]:
    """The units of the bureau (its own and those below them) the person reaches (2 queries)."""
    rows = list(Unit.objects.values_list("pk", "parent_id", "finance_bureau_id"))
    ids = [pk for pk, bureau in bureaus_of(rows).items() if bureau == bureau_id]
    return list(units_for(who).filter(pk__in=ids).order_by("code", "pk"))


def _pick_bureau(request: HttpRequest) -> FinanceBureau:
    bureaus = list(bureaus_for(request.user).order_by("pk"))
    key = request.GET.get("bureau", "")
    if key:
        return get_bureau_for_user(request.user, key)
    if not bureaus:
        raise PermissionDenied("财政总览只对财政局的人员开放。")
    return bureaus[0]


def _overview_context(request: HttpRequest) -> dict[str, Any]:
    """Everything the overview page and its Excel file show."""
    bureau = _pick_bureau(request)
    require(Actor.from_request(request), "view_bureau", bureau)
    units = _bureau_units(request.user, bureau.pk)
    years = sorted(
        set(Project.objects.filter(unit__in=units).values_list("year", flat=True)), reverse=True
    )
    text = request.GET.get("year", "")
    asked = year_or_none(text)
    if text.strip() and asked is None:
        raise Http404("预算年度不正确。")
    year: int = (
        asked
        if asked is not None and asked in years
        else (years[0] if years else timezone.localdate().year)
    )
    as_of, notice = as_of_in(request.GET.get("as_of"), year)
    rounds = overview.rounds_of(bureau.pk, year)
    round_key = int_or_none(request.GET.get("round"), lo=1)
    chosen = next((r for r in rounds if r.pk == round_key), rounds[0] if rounds else None)
    lines = overview.project_lines(
        units, year, as_of, bureau.policy, overview.unit_reports(chosen, units)
    )
    sort = request.GET.get("sort", "unit")
    light = request.GET.get("light", "")
    status = request.GET.get("status", "")
    shown = overview.arrange(
        lines,
        sort=sort if sort in overview.SORTS else "unit",
        descending=request.GET.get("dir") == "desc",
        light=light if light in LIGHT_LABELS else "",
        status=status if status in overview.STATUS_LABELS else "",
        q=(request.GET.get("q") or "").strip()[:50],
    )
    notices = [notice] if notice else []
    page_text = request.GET.get("page", "")
    page_number = int_or_none(page_text, lo=1)
    if page_text and page_number is None:
        notices.append("页码不正确，已显示第 1 页。")
    # A page past the last shows the last one, never an error.
    page = Paginator(shown, PAGE_SIZE).get_page(page_number or 1)
    return {
        "here": "overview",
        "page": page,
        "page_query": _without(request, "page", "format"),
        "bureau": bureau,
        "bureaus": list(bureaus_for(request.user).order_by("pk")),
        "units": units,
        "years": years,
        "year": year,
        "as_of": as_of,
        "notices": notices,
        "rounds": rounds,
        "round": chosen,
        "progress": overview.progress(rounds, units),
        "lines": shown,
        "total_lines": len(lines),
        "sort": sort,
        "dir": request.GET.get("dir", ""),
        "light": light,
        "status": status,
        "q": request.GET.get("q", ""),
        "lights": LIGHT_LABELS,
        "statuses": overview.STATUS_LABELS,
        "may_remind": can(request.user, "view_bureau", bureau) and may_remind(request.user),
        "sort_columns": SORT_COLUMNS,
        "sort_query": _without(request, "sort", "dir", "format", "page"),
    }


# Lines per page: a province has tens of thousands of projects; the Excel file has them all.
PAGE_SIZE = 100

SORT_COLUMNS = (
    ("unit", "预算单位"),
    ("", "预算项目"),
    ("", "预算数"),
    ("", "已执行"),
    ("execution", "执行率"),
    ("light", "预警"),
    ("score", "自评得分"),
    ("status", "填报状态"),
)


def _without(request: HttpRequest, *names: str) -> str:
    """The query string without some parameters (for the sort links)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@login_required
@require_safe
def overview_page(request: HttpRequest) -> HttpResponse:
    """财政总览: every unit and project of a year under the bureau, sortable and filterable."""
    context = _overview_context(request)
    if request.GET.get("format") == "xlsx":
        return _overview_xlsx(context)
    params = request.GET.copy()
    params["format"] = "xlsx"
    context["xlsx_url"] = f"{reverse('workbench:overview')}?{params.urlencode()}"
    return render(request, "workbench/overview.html", context)


def _two(value: Decimal | None) -> Decimal | None:
    """An amount as the page shows it (2 places, half up)."""
    return None if value is None else round2(value)


WIDTHS = (12, 36, 36, 8, 12, 12, 12, 12, 8, 10, 8, 12)


def _overview_xlsx(context: dict[str, Any]) -> HttpResponse:
    """The overview's lines as an Excel sheet (the same figures as the page)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{context['year']}年财政总览"
    sheet.append(
        [
            "单位编码",
            "预算单位",
            "预算项目",
            "金额单位",
            "预算数",
            "已执行",
            "执行率（%）",
            "计划进度（%）",
            "预警",
            "自评得分",
            "自评等级",
            "填报状态",
        ]
    )
    for line in context["lines"]:
        sheet.append(
            [
                line.unit_code,
                line.unit_name,
                line.project,
                line.money_unit,
                _two(line.budget),
                _two(line.executed),
                line.execution_rate,
                line.plan_percent,
                LIGHT_LABELS.get(line.light or "", ""),
                line.score,
                line.grade or "",
                line.status_label,
            ]
        )
    for column in "EFGHJ":
        for cell in sheet[column][1:]:
            cell.number_format = "0.00"
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHIJKL", WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    name = f"{context['bureau'].name}{context['year']}年财政总览.xlsx"
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_POST
def remind(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    """催报: notify the units of the bureau that have not submitted the round."""
    round_ = get_round_for_user(request.user, pk)
    units = _bureau_units(request.user, round_.bureau_id)
    reminded = remind_units(round_, units, actor=Actor.from_request(request))
    if reminded:
        messages.success(
            request, f"已提醒 {len(reminded)} 个单位：" + "、".join(u.name for u in reminded)
        )
    else:
        messages.info(request, "所有单位都已提交，无需催报。")
    query = urlencode({"bureau": round_.bureau_id, "year": round_.year, "round": round_.pk})
    return redirect(f"{reverse('workbench:overview')}?{query}")
