"""The monitoring and self-evaluation pages, the rounds and a unit's report in the review loop.

Thin adapters: the numbers come from ``build`` and ``services.document`` (the same report
objects the exports and the command line use), every write goes through ``services``, which
check the person's permission. Every object is reached through ``jixiao.access`` (404 outside
the person's reach); buttons and forms show only to those who may use them. A ValidationError
becomes a Chinese message or an inline error, and a malformed parameter a 404, never a 500.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from jixiao import exporters
from jixiao.access.lookups import (
    get_indicator_for_user,
    get_project_for_user,
    get_report_for_user,
    get_round_for_user,
    get_unit_for_user,
    rounds_for,
    scoped,
)
from jixiao.access.perms import DENIED, can, is_system, require
from jixiao.access.scope import bureaus_for, units_for
from jixiao.audit.versions import StaleEdit, change_lines
from jixiao.core.reports import MonitoringReport, SelfEvaluationReport
from jixiao.core.scoring import ScoringError
from jixiao.jobs.views import start_export, start_page
from jixiao.lib import fragments
from jixiao.lib.actor import Actor
from jixiao.lib.forms import add_service_errors
from jixiao.lib.params import date_or_none, require_choice, require_id, require_year
from jixiao.lib.picker import UnitYearForm, choose_unit_year, project_years_by_unit, unit_key
from jixiao.rounds import services, target_views
from jixiao.rounds import targets as target_rounds
from jixiao.rounds.choices import TARGET_KINDS, ReportStatus, RoundKind
from jixiao.rounds.forms import (
    REPORT_FORM,
    REVIEW_FORM,
    EntryForm,
    MonitoringForm,
    OpenRoundForm,
    OverrideForm,
    ReviewForm,
    row_comments,
)
from jixiao.rounds.models import (
    IndicatorEntry,
    ProjectEntry,
    Report,
    ReviewComment,
    Round,
    Submission,
)
from jixiao.rounds.tables import (
    EVALUATION,
    MONITORING,
    Document,
    chart_data,
    forms_of,
    kind_of,
    project_views,
    report_views,
)
from jixiao.rounds.target_document import TargetRoundDocument, build_round_layout
from jixiao.rounds.target_goal import GOAL_COMMENT
from jixiao.targets.models import Indicator, Project, RecordedEvaluation
from jixiao.targets.results import recorded_year
from jixiao.units.models import FinanceBureau, Unit

logger = logging.getLogger(__name__)


def doc_title(doc: services.ReportDocument) -> str:
    """The title an exported report's file is named after."""
    if isinstance(doc, TargetRoundDocument):
        return doc.title()
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


def _project_param(request: HttpRequest, doc: services.ReportDocument) -> int | None:
    """The project a download is narrowed to (``?project=<id>``), 404 if not in the report."""
    raw = request.GET.get("project")
    if raw is None or raw == "":
        return None
    project_id = require_id(raw)
    if project_id not in {p.project_id for p in doc.projects}:
        raise Http404(_("报表中没有这个项目。"))
    return project_id


def _format(fmt: str) -> str:
    """The download format a URL names (xlsx, docx, pdf); 404 for anything else."""
    return require_choice(fmt, exporters.CONTENT_TYPES)


def _download(
    doc: services.ReportDocument, fmt: str, back: str, request: HttpRequest
) -> HttpResponse:
    """The report as a file, or a page saying why PDF is unavailable on this server."""
    fmt = _format(fmt)
    project_id = _project_param(request, doc)
    try:
        if isinstance(doc, TargetRoundDocument):
            data = exporters.RENDERERS[fmt](build_round_layout(doc, project_id))
        elif isinstance(doc, MonitoringReport):
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
    title = doc_title(doc)
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


def as_of_in(text: str | None, year: int) -> tuple[dt.date, str | None]:
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
        # Each project's buttons add ``project=`` (rounds_tags.for_project): made at once.
        "project_downloads": [
            (label, f"{reverse(download, args=[fmt])}?{query}")
            for fmt, label in exporters.LABELS.items()
        ],
    }


def unit_downloads(name: str, query: str) -> list[tuple[str, str]]:
    """The whole unit's download buttons (label, link) of a page: each starts a job."""
    return [
        (label, f"{reverse(name, args=[fmt])}?{query}&{BACKGROUND}")
        for fmt, label in exporters.LABELS.items()
    ]


# A whole unit's file, in any format, is made in the background from the pages' links (a
# PDF takes 2–5 s to draw, a large unit's Excel or Word a while too); one project's file
# downloads at once (``_in_background``).
BACKGROUND = "background=1"


@login_required
@require_safe
def monitoring(request: HttpRequest) -> HttpResponse:
    """运行监控: a unit's lights, projections and budget execution at any date of the year."""
    context: dict[str, Any] = {"here": "monitoring", "notices": []}
    unit, year = _unit_year(request, context)
    if unit is None or year is None:
        return render(request, "rounds/monitoring.html", context)
    as_of, notice = as_of_in(request.GET.get("as_of"), year)
    if notice:
        context["notices"].append(notice)
    query = _query(unit=unit_key(unit), year=year, as_of=as_of.isoformat())
    context.update(
        as_of=as_of,
        # The picker's buttons (the cached body below has the projects' own).
        downloads=unit_downloads("rounds:monitoring_download", query),
        form=MonitoringForm(
            context["units"],
            context["years"],
            initial={"unit": unit_key(unit), "year": year, "as_of": as_of},
        ),
        body=fragments.with_token(
            fragments.cached(
                "monitoring",
                units=[unit.pk],
                user=request.user,
                parts=(unit.pk, year, as_of),
                compute=lambda: _monitoring_body(request, unit, year, as_of),
            ),
            request,
        ),
    )
    return render(request, "rounds/monitoring.html", context)


def _monitoring_body(request: HttpRequest, unit: Unit, year: int, as_of: dt.date) -> str:
    """The monitoring document as the page shows it below the picker."""
    doc, report = services.monitoring_document(unit, year, as_of)
    query = _query(unit=unit_key(unit), year=year, as_of=as_of.isoformat())
    context = _page(doc, report, _reports_of(unit, RoundKind.MONITORING, year), query)
    return fragments.render("rounds/_monitoring_body.html", context, request)


def _download_params(request: HttpRequest) -> QueryDict:
    """A download's parameters: the query string, or a POST's fields when it has none."""
    if request.method == "POST" and not request.GET:
        return request.POST
    return request.GET


def _in_background(request: HttpRequest, params: QueryDict) -> bool:
    """Whether a whole-unit download is asked to run as a job: a POST starts it, a link
    with ``background=1`` opens the page that starts it. One project's file stays immediate."""
    if params.get("project"):
        return False
    return request.method == "POST" or params.get("background") == "1"


def _job_or_start(
    request: HttpRequest, kind: str, params: dict[str, Any], *, title: str, back: str
) -> HttpResponse:
    """Start the export job (POST) or show the page that starts it (GET)."""
    if request.method == "POST":
        return start_export(request, kind, params, back=back)
    return start_page(request, title, cancel=back)


def _without_background(params: QueryDict) -> str:
    return urlencode({k: v for k, v in params.items() if k != "background"})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def monitoring_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The monitoring page's tables as an xlsx, docx or pdf file; the whole unit's file can be
    made in the background (POST, or a link with ``background=1``: see ``jixiao.jobs``)."""
    fmt = _format(fmt)
    params = _download_params(request)
    unit, year = _picked(request, params)
    text = params.get("as_of")
    as_of = date_or_none(text) if text else default_as_of(year)
    if as_of is None or as_of.year != year:
        raise Http404(_("数据截至日期不正确。"))
    back = f"{reverse('rounds:monitoring')}?{_without_background(params)}"
    if _in_background(request, params):
        return _job_or_start(
            request,
            "export_monitoring",
            {"unit": unit.pk, "year": year, "as_of": as_of.isoformat(), "fmt": fmt},
            title=_("%(unit)s %(year)s年运行监控表") % {"unit": unit.name, "year": year},
            back=back,
        )
    doc, _report = services.monitoring_document(unit, year, as_of)
    return _download(doc, fmt, back, request)


def _picked(request: HttpRequest, params: QueryDict | None = None) -> tuple[Unit, int]:
    """The unit (within reach) and year a download names exactly; 404 when the unit has no
    projects that year, is out of reach, or either is malformed."""
    params = request.GET if params is None else params
    unit = get_unit_for_user(request.user, params.get("unit", ""))
    year = require_year(params)
    if not Project.objects.filter(unit=unit, year=year).exists():
        raise Http404(_("找不到该预算单位或年度的预算项目。"))
    return unit, year


@login_required
@require_safe
def evaluation(request: HttpRequest) -> HttpResponse:
    """绩效自评: a unit's year scored, with the fund block, totals and grades; a past year
    whose self-evaluation table was imported shows the results that table recorded."""
    context: dict[str, Any] = {"here": "evaluation", "notices": []}
    unit, year = _unit_year(request, context)
    if unit is None or year is None:
        return render(request, "rounds/evaluation.html", context)
    context["form"] = UnitYearForm(
        context["units"], context["years"], initial={"unit": unit_key(unit), "year": year}
    )
    query = _query(unit=unit_key(unit), year=year)
    if request.GET.get("live") != "1":
        recorded = fragments.cached(
            "evaluation-recorded",
            units=[unit.pk],
            user=request.user,
            parts=(unit.pk, year),
            compute=lambda: _recorded_body(request, unit, year, query),
        )
        if recorded:
            context["body"] = fragments.with_token(recorded, request)
            return render(request, "rounds/evaluation.html", context)
    elif RecordedEvaluation.objects.filter(project__unit=unit, project__year=year).exists():
        # The live engine's scores of a year with imported results: say where those are.
        context["recorded_url"] = f"{reverse('rounds:evaluation')}?{query}"
    body, error = fragments.cached(
        "evaluation",
        units=[unit.pk],
        user=request.user,
        parts=(unit.pk, year),
        compute=lambda: _evaluation_body(request, unit, year),
    )
    context.update(body=fragments.with_token(body, request) if body else "", error=error)
    if body:  # the picker's buttons (the cached body below has the projects' own)
        context["downloads"] = unit_downloads("rounds:evaluation_download", query)
    return render(request, "rounds/evaluation.html", context)


def _recorded_body(request: HttpRequest, unit: Unit, year: int, query: str) -> str:
    """The self-evaluation results imported for the year, as the page shows them below the
    picker; empty when no project of the year has any."""
    found = recorded_year(unit, year)
    if found is None:
        return ""
    context = {
        "recorded": found,
        "live_url": f"{reverse('rounds:evaluation')}?{query}&live=1",
        "may_import": can(request.user, "edit", unit),
    }
    return fragments.render("rounds/_recorded_body.html", context, request)


def _evaluation_body(request: HttpRequest, unit: Unit, year: int) -> tuple[str, str]:
    """The self-evaluation as the page shows it below the picker, or why it cannot be scored."""
    try:
        doc, report = services.evaluation_document(unit, year)
    except ScoringError as exc:
        return "", str(exc)
    query = _query(unit=unit_key(unit), year=year)
    context = _page(doc, report, _reports_of(unit, RoundKind.SELF_EVALUATION, year), query)
    return fragments.render("rounds/_evaluation_body.html", context, request), ""


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def evaluation_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The self-evaluation page's tables as an xlsx, docx or pdf file; the whole unit's file
    can be made in the background, as the monitoring's."""
    fmt = _format(fmt)
    params = _download_params(request)
    unit, year = _picked(request, params)
    back = f"{reverse('rounds:evaluation')}?{_without_background(params)}"
    if _in_background(request, params):
        return _job_or_start(
            request,
            "export_evaluation",
            {"unit": unit.pk, "year": year, "fmt": fmt},
            title=_("%(unit)s %(year)s年度绩效自评表") % {"unit": unit.name, "year": year},
            back=back,
        )
    try:
        doc, _report = services.evaluation_document(unit, year)
    except ScoringError as exc:
        raise Http404(str(exc)) from None
    return _download(doc, fmt, back, request)


# --- rounds --------------------------------------------------------------------------------


def _bureaus_administered(who: Any) -> QuerySet[FinanceBureau]:
    """The bureaus whose rounds the person may open (their own as its administrator; any for
    a superuser)."""
    ids = [b.pk for b in bureaus_for(who) if can(who, "open_round", b)]
    return FinanceBureau.objects.filter(pk__in=ids).order_by("name")


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """填报轮次: the rounds the person sees, each with the reports of units in reach; the
    bureau's administrator opens a new round here."""
    who = request.user
    bureaus = _bureaus_administered(who)
    for_all = is_system(who)
    form: OpenRoundForm | None = None
    if for_all or bureaus.exists():
        # The year offered is the latest one with projects: the one a bureau is most likely at.
        latest = (
            Project.objects.filter(unit__in=units_for(who))
            .order_by("-year")
            .values_list("year", flat=True)
            .first()
        )
        initial = {"year": latest or timezone.localdate().year, "kind": RoundKind.MONITORING}
        data = request.POST if request.method == "POST" else None
        form = OpenRoundForm(data, initial=initial, bureaus=bureaus, for_all=for_all)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(DENIED["open_round"])
        opened = _open_round(request, form)
        if opened is not None:
            return opened
    reports = scoped(Report.objects.select_related("unit"), who).order_by(
        "unit__code", "unit__name"
    )
    rounds = (
        rounds_for(who)
        .select_related("bureau")
        .prefetch_related(Prefetch("reports", queryset=reports))
    )
    scope: services.Scope | None = None
    by_year: dict[int, list[Round]] = defaultdict(list)
    for round_ in rounds:  # (rounds_for gives untyped rounds: the marks below are the page's)
        round_.may_join = can(who, "open_round", round_.bureau) if round_.bureau else for_all
        round_.missing = 0
        for report in round_.reports.all():
            # 填报 for those who fill it now, 查看 for everyone else.
            report.may_fill = report.editable and can(who, "edit", report)
        if round_.may_join:
            scope = scope or services.Scope()
            present = {r.unit_id for r in round_.reports.all()}
            # Units that got projects (or a bureau) after the round opened: offered a report.
            round_.missing = len(scope.unit_ids(round_.bureau_id, round_.year) - present)
        by_year[round_.year].append(round_)
    context = {"form": form, "by_year": sorted(by_year.items(), reverse=True), "here": "rounds"}
    return render(request, "rounds/index.html", context)


def _open_round(request: HttpRequest, form: OpenRoundForm) -> HttpResponse | None:
    """Open the round the form describes; the redirect to it, or None (errors on the form)."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        round_ = services.open_round(
            kind=data["kind"],
            year=data["year"],
            as_of=data["as_of"],
            due_on=data["due_on"],
            bureau=data["bureau"],
            title=data["title"],
            actor=Actor.from_request(request),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(
        request,
        _("已开启“%(round)s”，%(count)s 个单位待填报。")
        % {"round": round_, "count": round_.reports.count()},
    )
    return redirect(f"{reverse('rounds:index')}#round-{round_.pk}")


@login_required
@require_POST
def join(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft reports for the units that came into a round's scope after it opened."""
    round_ = get_round_for_user(request.user, pk)
    joined = services.join_round(round_, actor=Actor.from_request(request))
    messages.success(request, _("已为 %(count)s 个单位建立本轮填报。") % {"count": len(joined)})
    return redirect(f"{reverse('rounds:index')}#round-{round_.pk}")


# --- a unit's report -----------------------------------------------------------------------


def _report_url(report: Report, anchor: str = "") -> str:
    url = reverse("rounds:report", args=[report.pk])
    return f"{url}#{anchor}" if anchor else url


def _history_and_comments(
    report: Report,
) -> tuple[list[Any], list[Submission], list[ReviewComment]]:
    """The report's history, and the comments of the return the unit is correcting (shown
    beside their rows)."""
    events, submissions = _history(report)
    comments: list[ReviewComment] = []
    if report.status == ReportStatus.RETURNED and submissions:
        comments = list(submissions[0].row_comments.select_related("created_by"))
    return events, submissions, comments


def _history(report: Report) -> tuple[list[Any], list[Submission]]:
    """The report's events (each with what it changed) and submissions, latest first."""
    events = list(report.events.select_related("actor").order_by("-at", "-id"))
    for event in events:
        event.fields = _changed_fields(event.detail)  # type: ignore[attr-defined]
        event.lines = _changed_lines(event.detail)  # type: ignore[attr-defined]
    submissions = list(
        report.submissions.select_related("submitted_by", "endorsed_by", "decided_by").order_by(
            "-number"
        )
    )
    return events, submissions


def _entry_model(detail: dict[str, Any]) -> type[IndicatorEntry] | type[ProjectEntry]:
    return IndicatorEntry if "indicator" in detail else ProjectEntry


def _changed_fields(detail: dict[str, Any]) -> str:
    """The Chinese names of the fields a save changed (for the history list)."""
    changes = detail.get("changes") or {}
    model = _entry_model(detail)
    names = []
    for name in changes:
        try:
            names.append(str(getattr(model._meta.get_field(name), "verbose_name", name)))
        except FieldDoesNotExist:  # a field renamed since the event was written
            names.append(name)
    return "、".join(names)


def _changed_lines(detail: dict[str, Any]) -> list[str]:
    """One line per field a save changed: ``偏差原因：（空） → 全年期限指标…``."""
    changes = detail.get("changes") or {}
    if not isinstance(changes, dict):
        return []
    before = {k: v[0] for k, v in changes.items() if isinstance(v, list) and len(v) == 2}
    after = {k: v[1] for k, v in changes.items() if isinstance(v, list) and len(v) == 2}
    return change_lines(_entry_model(detail), before, after)


def _report_context(report: Report, who: Any) -> dict[str, Any]:
    """What the person may do on the report now, for the page's buttons and forms."""
    editing = report.editable and can(who, "edit", report)
    endorsing = report.status == ReportStatus.UNIT_REVIEW and can(who, "endorse_report", report)
    reviewing = report.status == ReportStatus.SUBMITTED and can(who, "review_report", report)
    return {"editing": editing, "endorsing": endorsing, "reviewing": reviewing}


def _render_report(
    request: HttpRequest,
    report: Report,
    *,
    data: Any = None,
    review_data: Any = None,
    dirty: bool = False,
) -> HttpResponse:
    """单位填报: the report's tables, the inputs the person may use, the history.

    ``data``: the unit's inputs as posted (after a refused save: nothing typed is lost);
    ``review_data``: the head's or reviewer's comments as posted (after a refused decision).
    """
    events, submissions, comments = fragments.cached(
        "report-history",
        units=[report.unit_id],
        user=None,
        parts=(report.pk,),
        compute=lambda: _history_and_comments(report),
    )
    may = _report_context(report, request.user)
    deciding = may["endorsing"] or may["reviewing"]
    last = submissions[0] if submissions else None
    context: dict[str, Any] = {
        "report": report,
        "round": report.round,
        "here": "rounds",
        "events": events,
        "submissions": submissions,
        "last": last,
        "returned_rows": len(comments),
        "review_form": ReviewForm(review_data) if review_data is not None else ReviewForm(),
        "report_form": REPORT_FORM,
        "review_form_id": REVIEW_FORM,
        "dirty": dirty,
        "downloads": [
            (
                label,
                reverse("rounds:report_download", args=[report.pk, fmt]) + "?" + BACKGROUND,
            )
            for fmt, label in exporters.LABELS.items()
        ],
        **may,
    }

    def article() -> dict[str, str]:
        return _report_article(request, report, may, deciding, data, comments, review_data)

    if data is None and review_data is None:
        # A plain view: the tables are computed once per change of the unit's data.
        shown = fragments.cached(
            "report",
            units=[report.unit_id],
            user=request.user,
            parts=(report.pk,),
            compute=article,
        )
    else:
        shown = article()
    if shown["error"]:
        context["error"] = shown["error"]
        context["editing"] = False
    else:
        context.update(
            kind=shown["kind"],
            article=fragments.with_token(shown["html"], request),
            page_url=_page_for(report),
        )
    return render(request, "rounds/report.html", context)


def _report_article(
    request: HttpRequest,
    report: Report,
    may: dict[str, Any],
    deciding: bool,
    data: Any,
    comments: list[ReviewComment],
    review_data: Any,
) -> dict[str, str]:
    """The report's tables with the inputs the person may use, as HTML (or why not)."""
    try:
        doc = services.tables_document(report)
    except ScoringError as exc:
        return {"error": str(exc), "kind": "", "html": ""}
    typed = {k: str(v) for k, v in (review_data or {}).items() if k.startswith("rc-")}
    kind = kind_of(doc)
    context = {
        "report": report,
        "round": report.round,
        "doc": doc,
        "kind": kind,
        "report_form": REPORT_FORM,
        "review_form_id": REVIEW_FORM,
        **may,
        "projects": report_views(
            report,
            doc,
            editing=may["editing"],
            deciding=deciding,
            overriding=may["reviewing"] and report.is_self_evaluation,
            data=data,
            comments=comments,
            typed=typed,
        ),
    }
    html = fragments.render("rounds/_document.html", context, request)
    return {"error": "", "kind": kind, "html": html}


@login_required
@require_safe
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """单位填报: the report's tables, the unit's inputs, the review actions and the history."""
    found = get_report_for_user(request.user, pk)
    if found.round.kind in TARGET_KINDS:
        return target_views.targets_report(request, found)
    return _render_report(request, found)


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


def _posted_forms(request: HttpRequest, report: Report) -> list[tuple[str, int, EntryForm]]:
    """The unit's forms of every row and project the page sent, bound to what it sent."""
    doc = services.tables_document(report)
    views = report_views(report, doc, editing=True, data=request.POST)
    return [(kind, key, form) for kind, key, form in forms_of(views) if form.is_bound]


def _save_all(request: HttpRequest, report: Report) -> HttpResponse | None:
    """Save every row and project the page sent, all or none. None when saved; else the page
    again with everything the person typed and why it was refused."""
    actor = Actor.from_request(request)
    require(actor, "edit", report)
    try:
        posted = _posted_forms(request, report)
    except ScoringError as exc:
        messages.error(request, str(exc))
        return redirect(_report_url(report))
    invalid = [form for _kind, _key, form in posted if not form.is_valid()]
    if invalid:
        messages.error(
            request,
            _("有 %(n)s 处填写不正确，全部没有保存；请按标红的提示修改后再保存。")
            % {"n": len(invalid)},
        )
        return _render_report(request, report, data=request.POST, dirty=True)
    rows = {
        key: services.EntryInput(form.changed_values(), form.cleaned_data["version"])
        for kind, key, form in posted
        if kind == "indicator"
    }
    projects = {
        key: services.EntryInput(form.changed_values(), form.cleaned_data["version"])
        for kind, key, form in posted
        if kind == "project"
    }
    try:
        saved = services.save_report_inputs(report, rows, projects, actor=actor)
    except StaleEdit as exc:
        for message in exc.messages:
            messages.error(request, message)
        report.refresh_from_db()
        return _render_report(
            request, report, data=_refreshed(report, request.POST, posted), dirty=True
        )
    except ValidationError as exc:
        messages.error(request, _("没有保存："))
        for message in _messages_of(exc):
            messages.error(request, message)
        report.refresh_from_db()
        return _render_report(request, report, data=request.POST, dirty=True)
    if saved.count:
        messages.success(request, _("已保存 %(n)s 项修改。") % {"n": saved.count})
    return None


def _refreshed(
    report: Report, sent: QueryDict, posted: list[tuple[str, int, EntryForm]]
) -> QueryDict:
    """The posted data after a stale save, ready for the person to look at and save again:
    rows they changed keep what they typed, the others show what the report holds now; every
    row carries its current version."""
    touched = {(kind, key): form for kind, key, form in posted if form.touched()}
    data = QueryDict(mutable=True)
    prefixes = tuple(f"{form.prefix}-" for _kind, _key, form in posted)
    for name, value in sent.lists():
        if name.startswith(prefixes):
            data.setlist(name, value)
    current = report_views(report, services.tables_document(report), editing=True)
    for kind, key, fresh in forms_of(current):
        if (kind, key) not in {(k, i) for k, i, _f in posted}:
            continue
        values = {} if (kind, key) in touched else fresh.shown()
        for name, value in {**values, "version": fresh.initial["version"]}.items():
            data[fresh.add_prefix(name)] = "" if value is None else str(value)
        data[fresh.add_prefix("loaded")] = fresh.initial["loaded"]
    return data


@login_required
@require_POST
def save(request: HttpRequest, pk: int) -> HttpResponse:
    """保存全部: save every row and project of the report at once (all or none)."""
    report = get_report_for_user(request.user, pk)
    if report.round.kind in TARGET_KINDS:
        # A target round's tables are saved one by one in the grid (rounds:draft).
        messages.info(request, _("目标表请在“编辑目标表”中逐表保存。"))
        return redirect(_report_url(report))
    refused = _save_all(request, report)
    if refused is not None:
        return refused
    if not messages.get_messages(request):
        messages.info(request, _("没有需要保存的修改。"))
    return redirect(_report_url(report))


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """提交: save what the page sent, then submit to the unit's head; when inputs are
    missing, say which (what was saved stays saved)."""
    report = get_report_for_user(request.user, pk)
    actor = Actor.from_request(request)
    require(actor, "edit", report)
    # A target round's drafts are saved table by table (rounds:draft); nothing else is posted.
    if report.editable and report.round.kind not in TARGET_KINDS:
        refused = _save_all(request, report)
        if refused is not None:
            return refused
    try:
        submission = services.submit_report(report, actor=actor)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("已提交（第 %(n)s 次提交），等待单位负责人审核。") % {"n": submission.number},
        )
    return redirect(_report_url(report))


DECISIONS = frozenset({"endorse", "return", "approve"})


def _require_decider(actor: Actor, report: Report, decision: str) -> None:
    """403 unless the person may take this decision at the report's stage."""
    unit_step = decision == "endorse" or (
        decision == "return" and report.status == ReportStatus.UNIT_REVIEW
    )
    require(actor, "endorse_report" if unit_step else "review_report", report)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """The head's 审核通过 (to the bureau) or 退回, the reviewer's 退回 or 审核通过; a return
    takes a general comment and a comment per row."""
    report = get_report_for_user(request.user, pk)
    decision = require_choice(decision, DECISIONS)
    actor = Actor.from_request(request)
    _require_decider(actor, report, decision)
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    year = report.round.year
    indicator_ids = list(
        Indicator.objects.filter(project__unit=report.unit, project__year=year).values_list(
            "pk", flat=True
        )
    )
    project_ids = list(
        Project.objects.filter(unit=report.unit, year=year).values_list("pk", flat=True)
    )
    on_rows, on_projects = row_comments(request.POST, indicator_ids, project_ids)
    waiting = report.latest_submission()
    on_new = (
        target_rounds.new_row_comments(waiting, request.POST)
        if report.round.kind in TARGET_KINDS and waiting is not None
        else {}
    )
    on_goal = (
        str(request.POST.get(GOAL_COMMENT, "")).strip() if report.round.kind in TARGET_KINDS else ""
    )
    try:
        if decision != "return" and (on_rows or on_projects or on_new or on_goal):
            raise ValidationError(_("逐行意见只在退回时保存；要退回修改请点“退回修改”。"))
        if decision == "endorse":
            services.endorse_report(report, actor=actor, comment=comment)
            messages.success(request, _("已审核通过，报财政局审核。"))
        elif decision == "return":
            services.return_report(
                report,
                actor=actor,
                comment=comment,
                indicator_comments=on_rows,
                project_comments=on_projects,
                new_row_comments=on_new,
                goal_comment=on_goal,
            )
            messages.success(request, _("已退回，填报人可按意见修改后重新提交。"))
        else:
            services.approve_report(report, actor=actor, comment=comment)
            messages.success(request, _("已审核通过。"))
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
        report.refresh_from_db()
        if report.round.kind in TARGET_KINDS:
            return redirect(_report_url(report, "review"))
        return _render_report(request, report, review_data=request.POST, dirty=True)
    return redirect(_report_url(report, "review"))


@login_required
@require_POST
def override(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer's score in place of a computed one (or the adjustment withdrawn)."""
    report = get_report_for_user(request.user, pk)
    actor = Actor.from_request(request)
    require(actor, "review_report", report)
    form = OverrideForm(request.POST, prefix=(request.POST.get("prefix") or "")[:40] or None)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("调整得分：%(e)s") % {"e": error})
        return redirect(_report_url(report))
    data = form.cleaned_data
    project = get_project_for_user(request.user, data["project"])
    indicator = (
        get_indicator_for_user(request.user, data["indicator"]) if data["indicator"] else None
    )
    anchor = f"row-{indicator.pk}" if indicator else f"project-{project.pk}"
    try:
        services.override_score(
            report,
            project=project,
            indicator=indicator,
            score=data["score"],
            reason=data["reason"],
            actor=actor,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
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
@require_safe
def submission(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A submission's frozen snapshot: the tables exactly as they were submitted, with the
    comments made on its rows when it was returned."""
    report = get_report_for_user(request.user, pk)
    found = get_object_or_404(
        Submission.objects.select_related("submitted_by", "endorsed_by", "decided_by"),
        report=report,
        number=require_id(str(number)),
    )
    if report.round.kind in TARGET_KINDS:
        return target_views.targets_submission(request, report, found)
    frozen: Document
    if report.round.kind == RoundKind.SELF_EVALUATION:
        frozen = SelfEvaluationReport.from_json(found.snapshot)
    else:
        frozen = MonitoringReport.from_json(found.snapshot)
    comments = list(found.row_comments.select_related("created_by"))
    context = {
        "report": report,
        "round": report.round,
        "submission": found,
        "doc": frozen,
        "kind": kind_of(frozen),
        "projects": report_views(report, frozen, comments=comments),
        "here": "rounds",
    }
    return render(request, "rounds/submission.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The report's tables (as the report page shows them) as an xlsx, docx or pdf file;
    made in the background on a POST or a link with ``background=1``."""
    report = get_report_for_user(request.user, pk)
    fmt = _format(fmt)
    params = _download_params(request)
    if _in_background(request, params):
        return _job_or_start(
            request,
            "export_report",
            {"report": report.pk, "fmt": fmt},
            title=f"{report.unit} · {report.round}",
            back=_report_url(report),
        )
    try:
        doc = services.document(report)
    except ScoringError as exc:
        raise Http404(str(exc)) from None
    return _download(doc, fmt, _report_url(report), request)
