"""The monitoring and self-evaluation pages, the rounds and a unit's report in the review loop.

Thin adapters: the numbers come from ``build`` and ``services.document`` (the same report
objects the exports and the command line use), every write goes through ``services``. A
ValidationError becomes a Chinese message or an inline error, never a 500.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao import exporters
from jixiao.core.reports import MonitoringReport, SelfEvaluationReport
from jixiao.core.scoring import ScoringError
from jixiao.lib.picker import UnitYearForm, choose_unit_year, project_years_by_unit, unit_key
from jixiao.rounds import services
from jixiao.rounds.choices import ReportStatus, RoundKind
from jixiao.rounds.forms import (
    EntryForm,
    MonitoringForm,
    OpenRoundForm,
    OverrideForm,
    ReviewForm,
    entry_form,
    project_form,
)
from jixiao.rounds.models import IndicatorEntry, ProjectEntry, Report, Round, Submission
from jixiao.rounds.tables import (
    EVALUATION,
    MONITORING,
    Document,
    ProjectView,
    chart_data,
    find_row,
    kind_of,
    project_views,
    report_views,
    row_views,
)
from jixiao.targets.models import Indicator, Project
from jixiao.units.models import Unit

logger = logging.getLogger(__name__)


def _doc_title(doc: Document) -> str:
    if isinstance(doc, MonitoringReport):
        return _("%(unit)s%(year)s年绩效运行监控表（截至%(date)s）") % {
            "unit": doc.unit.name,
            "year": doc.year,
            "date": f"{doc.as_of:%Y-%m-%d}",
        }
    return _("%(unit)s%(year)s年度项目支出绩效自评表") % {
        "unit": doc.unit.name,
        "year": doc.year,
    }


def _project_param(request: HttpRequest, doc: Document) -> int | None:
    """The project a download is narrowed to (``?project=<id>``), 404 if not in the report."""
    raw = request.GET.get("project")
    if not raw:
        return None
    if not raw.isdigit() or int(raw) not in {p.project_id for p in doc.projects}:
        raise Http404(_("报表中没有这个项目。"))
    return int(raw)


def _download(doc: Document, fmt: str, back: str, request: HttpRequest) -> HttpResponse:
    """The report as a file, or a page saying why PDF is unavailable on this server."""
    if fmt not in exporters.CONTENT_TYPES:
        raise Http404(_("不支持的格式：%(fmt)s") % {"fmt": fmt})
    project_id = _project_param(request, doc)
    try:
        if isinstance(doc, MonitoringReport):
            data = exporters.export_monitoring(doc, fmt, project_id=project_id)
        else:
            data = exporters.export_selfeval(doc, fmt, project_id=project_id)
    except (ImportError, OSError):
        if fmt != "pdf":
            raise
        # WeasyPrint's system libraries may be missing; the other formats still work.
        logger.exception("PDF export unavailable")
        return render(request, "rounds/pdf_unavailable.html", {"back": back}, status=503)
    response = HttpResponse(data, content_type=exporters.CONTENT_TYPES[fmt])
    # Chinese file names need RFC 5987's filename*=utf-8''…, which this helper writes.
    title = _doc_title(doc)
    if project_id is not None:
        title += "-" + next(p.name for p in doc.projects if p.project_id == project_id)
    response["Content-Disposition"] = content_disposition_header(
        True, title + exporters.SUFFIXES[fmt]
    )
    return response


# --- the unit-year pages -------------------------------------------------------------------


def default_as_of(year: int) -> dt.date:
    """Today when it falls in the year, else 30 June of the year."""
    today = timezone.localdate()
    return today if today.year == year else dt.date(year, 6, 30)


def _as_of(text: str | None, year: int) -> tuple[dt.date, str | None]:
    """The date asked for (inside the year), else the default with a notice saying why."""
    if not text:
        return default_as_of(year), None
    try:
        asked = dt.date.fromisoformat(text)
    except ValueError:
        fallback = default_as_of(year)
        return fallback, _("日期格式不对：%(text)s，下面是截至 %(date)s 的监控。") % {
            "text": text,
            "date": fallback,
        }
    if asked.year != year:
        fallback = default_as_of(year)
        return fallback, _("%(date)s 不在 %(year)s 年内，下面是截至 %(fallback)s 的监控。") % {
            "date": asked,
            "year": year,
            "fallback": fallback,
        }
    return asked, None


def _query(**params: object) -> str:
    return urlencode({k: str(v) for k, v in params.items() if v is not None})


def _unit_year(request: HttpRequest, context: dict[str, Any]) -> tuple[Unit | None, int | None]:
    """The picked unit and year into the context (with a notice when the year was missing)."""
    choice = choose_unit_year(request.GET, project_years_by_unit(request.user), who=request.user)
    context.update(unit=choice.unit, year=choice.year, units=choice.units, years=choice.years)
    if choice.unit is not None:
        context["unit_key"] = unit_key(choice.unit)
    if choice.asked is not None and choice.year is not None and choice.asked != choice.year:
        context["notices"].append(
            _("%(unit)s 没有 %(asked)s 年的预算项目，下面是 %(year)s 年的。")
            % {"unit": choice.unit, "asked": choice.asked, "year": choice.year}
        )
    return choice.unit, choice.year


def _reports_of(unit: Unit, kind: str, year: int) -> list[Report]:
    """The unit's reports of a kind in the year's rounds, latest round first."""
    return list(
        Report.objects.filter(unit=unit, round__kind=kind, round__year=year)
        .select_related("round")
        .order_by("-round__as_of", "-round__opened_at")
    )


def _page(doc: Document, report: Report | None, rounds: Any, query: str) -> dict[str, Any]:
    """What the monitoring and self-evaluation pages show of a report, and its downloads."""
    monitoring = isinstance(doc, MonitoringReport)
    download = "rounds:monitoring_download" if monitoring else "rounds:evaluation_download"
    return {
        "doc": doc,
        "kind": MONITORING if monitoring else EVALUATION,
        "report": report,
        "rounds": rounds,
        "projects": project_views(doc, charts=True),
        "unit_charts": chart_data(doc, None),
        "downloads": [
            (label, f"{reverse(download, args=[fmt])}?{query}")
            for fmt, label in exporters.LABELS.items()
        ],
    }


@login_required
def monitoring(request: HttpRequest) -> HttpResponse:
    """运行监控: a unit's lights, projections and budget execution at any date of the year."""
    context: dict[str, Any] = {"here": "monitoring", "notices": []}
    unit, year = _unit_year(request, context)
    if unit is None or year is None:
        return render(request, "rounds/monitoring.html", context)
    as_of, notice = _as_of(request.GET.get("as_of"), year)
    if notice:
        context["notices"].append(notice)
    doc, report = services.monitoring_document(unit, year, as_of)
    query = _query(unit=unit_key(unit), year=year, as_of=as_of.isoformat())
    context.update(
        as_of=as_of,
        form=MonitoringForm(
            context["units"],
            context["years"],
            initial={"unit": unit_key(unit), "year": year, "as_of": as_of},
        ),
        **_page(doc, report, _reports_of(unit, RoundKind.MONITORING, year), query),
    )
    return render(request, "rounds/monitoring.html", context)


@login_required
def monitoring_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The monitoring page's tables as an xlsx, docx or pdf file."""
    unit, year = _picked(request)
    as_of, _notice = _as_of(request.GET.get("as_of"), year)
    doc, _report = services.monitoring_document(unit, year, as_of)
    back = f"{reverse('rounds:monitoring')}?{request.GET.urlencode()}"
    return _download(doc, fmt, back, request)


def _picked(request: HttpRequest) -> tuple[Unit, int]:
    """The unit and year a download names; 404 when either does not exist."""
    years = project_years_by_unit(request.user)
    choice = choose_unit_year(request.GET, years, who=request.user)
    if (
        choice.unit is None
        or unit_key(choice.unit) != request.GET.get("unit")
        or choice.year is None
        or choice.asked != choice.year
    ):
        raise Http404(_("找不到该预算单位或年度的预算项目。"))
    return choice.unit, choice.year


@login_required
def evaluation(request: HttpRequest) -> HttpResponse:
    """绩效自评: a unit's year scored, with the fund block, totals and grades."""
    context: dict[str, Any] = {"here": "evaluation", "notices": []}
    unit, year = _unit_year(request, context)
    if unit is None or year is None:
        return render(request, "rounds/evaluation.html", context)
    context["form"] = UnitYearForm(
        context["units"], context["years"], initial={"unit": unit_key(unit), "year": year}
    )
    try:
        doc, report = services.evaluation_document(unit, year)
    except ScoringError as exc:
        context["error"] = str(exc)
        return render(request, "rounds/evaluation.html", context)
    query = _query(unit=unit_key(unit), year=year)
    context.update(**_page(doc, report, _reports_of(unit, RoundKind.SELF_EVALUATION, year), query))
    return render(request, "rounds/evaluation.html", context)


@login_required
def evaluation_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The self-evaluation page's tables as an xlsx, docx or pdf file."""
    unit, year = _picked(request)
    try:
        doc, _report = services.evaluation_document(unit, year)
    except ScoringError as exc:
        raise Http404(str(exc)) from None
    back = f"{reverse('rounds:evaluation')}?{request.GET.urlencode()}"
    return _download(doc, fmt, back, request)


# --- rounds --------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """填报轮次: the rounds by year with each unit's report status; open a new round."""
    # The year offered is the latest one with projects: the one a bureau is most likely at.
    latest = Project.objects.order_by("-year").values_list("year", flat=True).first()
    initial = {"year": latest or timezone.localdate().year, "kind": RoundKind.MONITORING}
    form = OpenRoundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = services.open_round(
                kind=data["kind"],
                year=data["year"],
                as_of=data["as_of"],
                due_on=data["due_on"],
                bureau=data["bureau"],
                title=data["title"],
                actor=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("已开启“%(round)s”，%(count)s 个单位待填报。")
                % {"round": round_, "count": round_.reports.count()},
            )
            return redirect(f"{reverse('rounds:index')}#round-{round_.pk}")
    reports = Report.objects.select_related("unit").order_by("unit__code", "unit__name")
    rounds = Round.objects.select_related("bureau").prefetch_related(
        Prefetch("reports", queryset=reports)
    )
    scope = services.Scope()
    by_year: dict[int, list[Round]] = defaultdict(list)
    for round_ in rounds:
        present = {r.unit_id for r in round_.reports.all()}
        # Units that got projects (or a bureau) after the round opened: offered a report.
        round_.missing = len(scope.unit_ids(round_.bureau_id, round_.year) - present)
        by_year[round_.year].append(round_)
    context = {"form": form, "by_year": sorted(by_year.items(), reverse=True), "here": "rounds"}
    return render(request, "rounds/index.html", context)


@login_required
@require_POST
def join(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft reports for the units that came into a round's scope after it opened."""
    round_ = get_object_or_404(Round, pk=pk)
    joined = services.join_round(round_, actor=request.user)
    messages.success(request, _("已为 %(count)s 个单位建立本轮填报。") % {"count": len(joined)})
    return redirect(f"{reverse('rounds:index')}#round-{round_.pk}")


def _form_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError on the form: by field where it names one the form has."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


# --- a unit's report -----------------------------------------------------------------------


def _report(pk: int) -> Report:
    """The report with its round and unit; 404 when there is none."""
    return get_object_or_404(Report.objects.select_related("round__bureau", "unit"), pk=pk)


def _report_url(report: Report, anchor: str = "") -> str:
    url = reverse("rounds:report", args=[report.pk])
    return f"{url}#{anchor}" if anchor else url


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _history(report: Report) -> tuple[list[Any], list[Submission]]:
    """The report's events (each with the names of the fields it changed) and submissions."""
    events = list(report.events.select_related("actor").order_by("-at", "-id"))
    for event in events:
        event.fields = _changed_fields(event.detail)
    submissions = list(
        report.submissions.select_related("submitted_by", "decided_by").order_by("-number")
    )
    return events, submissions


def _changed_fields(detail: dict[str, Any]) -> str:
    """The Chinese names of the fields a save changed (for the history list)."""
    changes = detail.get("changes") or {}
    model = IndicatorEntry if "indicator" in detail else ProjectEntry
    names = []
    for name in changes:
        try:
            names.append(str(getattr(model._meta.get_field(name), "verbose_name", name)))
        except FieldDoesNotExist:  # a field renamed since the event was written
            names.append(name)
    return "、".join(names)


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """单位填报: the report's tables, the unit's inputs, the review actions and the history."""
    report = _report(pk)
    events, submissions = _history(report)
    context: dict[str, Any] = {
        "report": report,
        "round": report.round,
        "here": "rounds",
        "events": events,
        "submissions": submissions,
        "review_form": ReviewForm(),
        "reviewable": report.status == ReportStatus.SUBMITTED,
        "downloads": [
            (label, reverse("rounds:report_download", args=[report.pk, fmt]))
            for fmt, label in exporters.LABELS.items()
        ],
    }
    try:
        doc = services.document(report)
    except ScoringError as exc:
        context["error"] = str(exc)
        return render(request, "rounds/report.html", context)
    context.update(doc=doc, kind=kind_of(doc), projects=report_views(report, doc))
    context["page_url"] = _page_for(report)
    return render(request, "rounds/report.html", context)


def _page_for(report: Report) -> str:
    """The monitoring or self-evaluation page of the report's unit, year (and date)."""
    round_ = report.round
    if round_.kind == RoundKind.SELF_EVALUATION:
        query = _query(unit=unit_key(report.unit), year=round_.year)
        return f"{reverse('rounds:evaluation')}?{query}"
    query = _query(unit=unit_key(report.unit), year=round_.year, as_of=round_.as_of.isoformat())
    return f"{reverse('rounds:monitoring')}?{query}"


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errors in exc.message_dict.values() for m in errors]
    return list(exc.messages)


@login_required
@require_POST
def save_indicator(request: HttpRequest, pk: int, indicator_id: int) -> HttpResponse:
    """Save the unit's inputs for one row; with htmx, answer with the row redrawn."""
    report = _report(pk)
    indicator = get_object_or_404(Indicator.objects.select_related("project"), pk=indicator_id)
    try:
        doc = services.document(report)
    except ScoringError as exc:
        messages.error(request, str(exc))
        return redirect(_report_url(report))
    found = find_row(doc, indicator.pk)
    if found is None:
        raise Http404(_("本填报中没有这个绩效指标。"))
    form = entry_form(found[1].row, request.POST)
    errors, page = _save_form(
        request,
        form,
        lambda values: services.save_indicator_entry(
            report, indicator, actor=request.user, **values
        ),
        indicator.level3,
        _report_url(report, f"row-{indicator.pk}"),
    )
    if page is not None:
        return page
    return _row_response(request, report, indicator.pk, form if errors else None, errors)


def _save_form(
    request: HttpRequest,
    form: EntryForm,
    save: Callable[[dict[str, Any]], object],
    label: str,
    back: str,
) -> tuple[list[str], HttpResponse | None]:
    """Validate and save a row's or a project's form: its errors, and, for a page without
    htmx, the redirect back with the outcome as messages (None with htmx)."""
    errors: list[str] = []
    if form.is_valid():
        try:
            save(form.values())
        except ValidationError as exc:
            errors = _messages_of(exc)
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    if _is_htmx(request):
        return errors, None
    for error in errors:
        messages.error(request, f"{label}：{error}")
    if not errors:
        messages.success(request, _("已保存“%(name)s”。") % {"name": label})
    return errors, redirect(back)


def _row_response(
    request: HttpRequest,
    report: Report,
    indicator_id: int,
    bound: EntryForm | None,
    errors: list[str],
) -> HttpResponse:
    """A row redrawn after a save (with the typed values and errors when it was refused)."""
    doc = services.document(report)
    found = find_row(doc, indicator_id)
    assert found is not None
    table, row_view = found
    row_view.form = bound if bound is not None else entry_form(row_view.row)
    # The totals the response redraws need the project's editing layout (its extra column).
    project = ProjectView(table, [], form=project_form(table))
    context = {
        "report": report,
        "kind": kind_of(doc),
        "project": project,
        "item": row_view,
        "row_errors": errors,
        "saved": not errors,
    }
    return render(request, "rounds/_row_saved.html", context)


@login_required
@require_POST
def save_project(request: HttpRequest, pk: int, project_id: int) -> HttpResponse:
    """Save the unit's inputs for a project; with htmx, answer with its blocks redrawn."""
    report = _report(pk)
    project = get_object_or_404(Project, pk=project_id)
    try:
        doc = services.document(report)
    except ScoringError as exc:
        messages.error(request, str(exc))
        return redirect(_report_url(report))
    table = next((t for t in doc.projects if t.project_id == project.pk), None)
    if table is None:
        raise Http404(_("本填报中没有这个预算项目。"))
    form = project_form(table, request.POST)
    errors, page = _save_form(
        request,
        form,
        lambda values: services.save_project_entry(report, project, actor=request.user, **values),
        project.label,
        _report_url(report, f"project-{project.pk}"),
    )
    if page is not None:
        return page
    # Redrawn from the saved state: a manual executed amount moves the budget block and scores.
    doc = services.document(report)
    table = next(t for t in doc.projects if t.project_id == project.pk)
    view = ProjectView(table, row_views(table.rows))
    view.form = form if errors else project_form(table)
    context = {
        "report": report,
        "kind": kind_of(doc),
        "project": view,
        "project_errors": errors,
        "saved": not errors,
    }
    return render(request, "rounds/_project_saved.html", context)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit the report; when inputs are missing, say which."""
    report = _report(pk)
    try:
        submission = services.submit_report(report, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except ScoringError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("已提交（第 %(n)s 次提交），等待审核。") % {"n": submission.number}
        )
    return redirect(_report_url(report))


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """退回 (a comment required) or 审核通过 (a comment optional)."""
    report = _report(pk)
    comment = request.POST.get("comment", "")
    try:
        if decision == "return":
            services.return_report(report, actor=request.user, comment=comment)
            messages.success(request, _("已退回，单位可修改后重新提交。"))
        elif decision == "approve":
            services.approve_report(report, actor=request.user, comment=comment)
            messages.success(request, _("已审核通过。"))
        else:
            raise Http404(_("未知的审核操作。"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(_report_url(report, "review"))


@login_required
@require_POST
def override(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer's score in place of a computed one (or the adjustment withdrawn)."""
    report = _report(pk)
    form = OverrideForm(request.POST, prefix=request.POST.get("prefix") or None)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("调整得分：%(e)s") % {"e": error})
        return redirect(_report_url(report))
    data = form.cleaned_data
    project = get_object_or_404(Project, pk=data["project"])
    indicator = get_object_or_404(Indicator, pk=data["indicator"]) if data["indicator"] else None
    anchor = f"row-{indicator.pk}" if indicator else f"project-{project.pk}"
    try:
        services.override_score(
            report,
            project=project,
            indicator=indicator,
            score=data["score"],
            reason=data["reason"],
            actor=request.user,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except ScoringError as exc:
        messages.error(request, str(exc))
    else:
        name = indicator.level3 if indicator else _("预算执行率")
        if data["score"] is None:
            messages.success(request, _("已撤销“%(name)s”的得分调整。") % {"name": name})
        else:
            messages.success(
                request,
                _("已将“%(name)s”的得分调整为 %(score)s。")
                % {"name": name, "score": data["score"]},
            )
    return redirect(_report_url(report, anchor))


@login_required
def submission(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A submission's frozen snapshot: the tables exactly as they were submitted."""
    report = _report(pk)
    found = get_object_or_404(
        Submission.objects.select_related("submitted_by", "decided_by"),
        report=report,
        number=number,
    )
    frozen: Document
    if report.round.kind == RoundKind.SELF_EVALUATION:
        frozen = SelfEvaluationReport.from_json(found.snapshot)
    else:
        frozen = MonitoringReport.from_json(found.snapshot)
    context = {
        "report": report,
        "round": report.round,
        "submission": found,
        "doc": frozen,
        "kind": kind_of(frozen),
        "projects": project_views(frozen),
        "here": "rounds",
    }
    return render(request, "rounds/submission.html", context)


@login_required
def report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The report's tables (as the report page shows them) as an xlsx, docx or pdf file."""
    report = _report(pk)
    try:
        doc = services.document(report)
    except ScoringError as exc:
        raise Http404(str(exc)) from None
    return _download(doc, fmt, _report_url(report), request)
