"""The unit's survey pages: list and create, build, open and close, invite, QR, results,
the answers (and voiding one).

Every survey is reached through the permission seam (``get_for_user``): a survey of a unit
out of reach is 404. Changes go through :mod:`jixiao.surveys.services`, which check ``edit``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from jixiao.access.lookups import _pk, get_for_user, scoped
from jixiao.access.perms import can, require
from jixiao.access.scope import units_for
from jixiao.lib.actor import Actor
from jixiao.lib.forms import add_service_errors
from jixiao.lib.params import int_or_none
from jixiao.metrics.evaluate import evaluate
from jixiao.surveys import services
from jixiao.surveys.answers import tally
from jixiao.surveys.choices import SurveyStatus
from jixiao.surveys.exporting import survey_workbook
from jixiao.surveys.forms import (
    InvitationForm,
    NewSurveyForm,
    QuestionFormSet,
    SettingsForm,
    ordered_items,
)
from jixiao.surveys.models import Invitation, Survey
from jixiao.surveys.qr import CONTENT_TYPES, qr_code
from jixiao.targets.models import Project
from jixiao.units.models import Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def get_survey_for_user(who: Any, pk: Any) -> Survey:
    """A survey of a unit within reach, else 404."""
    queryset = Survey.objects.select_related("unit", "project", "indicator")
    return get_for_user(queryset, who, pk=_pk(pk))


def _require_edit(request: HttpRequest, survey: Survey) -> None:
    """Refuse (403) a change by anyone but the unit's own people, before reading the form."""
    require(Actor.from_request(request), "edit", survey.unit)


def _kept_units(user: Any) -> list[Any]:
    """The units whose surveys the person may build (officers and heads of the unit)."""
    return [unit for unit in units_for(user) if can(user, "edit", unit)]


def public_url(request: HttpRequest, survey: Survey, invitation: Invitation | None = None) -> str:
    """The absolute link a respondent opens (the survey's, or one invitation's)."""
    if invitation is not None:
        path = reverse("surveys_public:invited", kwargs={"token": invitation.token})
    else:
        path = reverse("surveys_public:answer", kwargs={"token": survey.token})
    return request.build_absolute_uri(path)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The surveys of the units in reach, and a form to start one from a template."""
    units = _kept_units(request.user)
    form = NewSurveyForm(
        request.POST or None, units=Unit.objects.filter(pk__in=[u.pk for u in units])
    )
    if request.method == "POST":
        if not units:
            raise PermissionDenied(_("只有预算单位的填报员或单位负责人可以创建问卷。"))
        if form.is_valid():
            data = form.cleaned_data
            project: Project | None = data["project"]
            indicator = (
                project.indicators.filter(level3__contains="满意度").order_by("position").first()
                if project is not None
                else None
            )
            try:
                survey = services.create_survey(
                    data["unit"],
                    template=data["template"],
                    title=data["title"],
                    access=data["access"],
                    project=project,
                    indicator=indicator,
                    actor=Actor.from_request(request),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已创建问卷，请检查题目后开始收集。"))
                return redirect("surveys:detail", pk=survey.pk)
    surveys = (
        scoped(Survey.objects.select_related("unit", "project"), request.user)
        .annotate(answered=Count("responses", filter=Q(responses__voided_at__isnull=True)))
        .order_by("-created_at", "-id")[:200]
    )
    context = {"surveys": surveys, "form": form, "can_create": bool(units), "here": "surveys"}
    return render(request, "surveys/index.html", context)


def _detail_context(request: HttpRequest, survey: Survey, **extra: Any) -> dict[str, Any]:
    editable = can(request.user, "edit", survey.unit)
    questions = list(survey.questions.all())
    initial = [
        {
            "position": q.position,
            "text": q.text,
            "kind": q.kind,
            "choices": "\n".join(q.choices),
            "required": q.required,
            "feeds_rating": q.feeds_rating,
        }
        for q in questions
    ]
    context: dict[str, Any] = {
        "survey": survey,
        "questions": questions,
        "editable": editable,
        "draft": survey.status == SurveyStatus.DRAFT,
        "link": public_url(request, survey),
        "invitations": survey.invitations.count(),
        "used": survey.invitations.exclude(used_at=None).count(),
        "answered": services.live_responses(survey).count(),
        "settings_form": SettingsForm(
            initial={
                "title": survey.title,
                "intro": survey.intro,
                "access": survey.access,
                "project": survey.project_id,
                "indicator": survey.indicator_id,
            },
            unit=survey.unit,
            project=survey.project,
        ),
        "formset": QuestionFormSet(initial=initial, prefix="q"),
        "invitation_form": InvitationForm(),
        "here": "surveys",
    }
    context.update(extra)
    return context


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A survey: its link and QR code, its settings, its questions (editable in draft)."""
    survey = get_survey_for_user(request.user, pk)
    return render(request, "surveys/detail.html", _detail_context(request, survey))


@login_required
@require_POST
def settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Save a survey's settings."""
    survey = get_survey_for_user(request.user, pk)
    _require_edit(request, survey)
    form = SettingsForm(request.POST, unit=survey.unit, project=survey.project)
    if form.is_valid():
        data = form.cleaned_data
        indicator = data["indicator"]
        if indicator is not None and indicator.project_id != getattr(data["project"], "pk", None):
            indicator = None  # the project changed: pick the indicator again
        try:
            services.update_survey(
                survey,
                title=data["title"],
                intro=data["intro"],
                access=data["access"],
                project=data["project"],
                indicator=indicator,
                actor=Actor.from_request(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存问卷设置。"))
            return redirect("surveys:detail", pk=survey.pk)
    context = _detail_context(request, survey, settings_form=form)
    return render(request, "surveys/detail.html", context, status=400)


@login_required
@require_POST
def questions(request: HttpRequest, pk: int) -> HttpResponse:
    """Save a draft survey's questions (add, remove, reorder by 序号)."""
    survey = get_survey_for_user(request.user, pk)
    _require_edit(request, survey)
    formset = QuestionFormSet(request.POST, prefix="q")
    errors: list[str] = []
    if formset.is_valid():
        try:
            services.save_questions(
                survey, ordered_items(formset), actor=Actor.from_request(request)
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("已保存题目。"))
            return redirect("surveys:detail", pk=survey.pk)
    context = _detail_context(request, survey, formset=formset, question_errors=errors)
    return render(request, "surveys/detail.html", context, status=400)


@login_required
@require_POST
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """Open or close a survey."""
    survey = get_survey_for_user(request.user, pk)
    _require_edit(request, survey)
    actor = Actor.from_request(request)
    try:
        if request.POST.get("action") == "open":
            services.open_survey(survey, actor=actor)
            messages.success(request, _("问卷已开始收集。"))
        elif request.POST.get("action") == "close":
            services.close_survey(survey, actor=actor)
            messages.success(request, _("问卷已结束收集。"))
        else:
            return HttpResponse(_("未知操作。"), status=400)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("surveys:detail", pk=survey.pk)


@login_required
def invitations(request: HttpRequest, pk: int) -> HttpResponse:
    """The invitation links and QR codes (printable); POST generates more."""
    survey = get_survey_for_user(request.user, pk)
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        _require_edit(request, survey)
        if form.is_valid():
            try:
                made = services.create_invitations(
                    survey, form.cleaned_data["count"], actor=Actor.from_request(request)
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已生成 %(n)s 个邀请码。") % {"n": len(made)})
                return redirect("surveys:invitations", pk=survey.pk)
        return render(
            request,
            "surveys/detail.html",
            _detail_context(request, survey, invitation_form=form),
            status=400,
        )
    rows = [
        {"invitation": inv, "link": public_url(request, survey, inv)}
        for inv in survey.invitations.all()[:1000]
    ]
    context = {"survey": survey, "rows": rows, "here": "surveys"}
    return render(request, "surveys/invitations.html", context)


@login_required
@require_safe
def qr(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The QR code of the survey's link (or of one invitation: ``?invitation=<token>``)."""
    survey = get_survey_for_user(request.user, pk)
    if fmt not in CONTENT_TYPES:
        raise Http404(_("没有这种格式。"))
    invitation = None
    token = request.GET.get("invitation", "")
    if token:
        invitation = survey.invitations.filter(token=token[:40]).first()
        if invitation is None:
            raise Http404(_("找不到该邀请码。"))
    response = HttpResponse(
        qr_code(public_url(request, survey, invitation), fmt), content_type=CONTENT_TYPES[fmt]
    )
    if request.GET.get("download"):
        name = f"{survey.title}-二维码{'-' + str(invitation.number) if invitation else ''}.{fmt}"
        response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_safe
def poster(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable A4 poster: the title, the introduction, the QR code and the link."""
    survey = get_survey_for_user(request.user, pk)
    context = {"survey": survey, "link": public_url(request, survey)}
    return render(request, "surveys/poster.html", context)


def _results(survey: Survey) -> tuple[list[Any], list[Any], list[Any]]:
    """The questions, the answers that count (voided ones left out) and their tally."""
    questions = list(survey.questions.all())
    responses = list(services.live_responses(survey))
    results = tally([q.spec() for q in questions], [r.answers for r in responses])
    return questions, responses, results


def _voided(survey: Survey) -> int:
    return survey.responses.filter(voided_at__isnull=False).count()


@login_required
@require_safe
def results(request: HttpRequest, pk: int) -> HttpResponse:
    """Counts and charts per question, and the indicator's actual the answers feed."""
    survey = get_survey_for_user(request.user, pk)
    _questions, responses, found = _results(survey)
    actual = None
    if survey.indicator is not None:
        project = survey.indicator.project
        # Today within the project's year, else its last day (a past year's survey).
        today = services.today()
        as_of = today if today.year == project.year else dt.date(project.year, 12, 31)
        actual = evaluate([project], as_of).get(survey.indicator.pk)
    rows = [
        {"result": r, "chart_id": f"survey-chart-{n}", "chart": r.chart()}
        for n, r in enumerate(found, 1)
    ]
    context = {
        "survey": survey,
        "rows": rows,
        "answered": len(responses),
        "valid": sum(r.valid for r in responses),
        "voided": _voided(survey),
        "actual": actual,
        "here": "surveys",
    }
    return render(request, "surveys/results.html", context)


@login_required
@require_safe
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """The results and every answer as an Excel workbook."""
    survey = get_survey_for_user(request.user, pk)
    questions, responses, found = _results(survey)
    workbook = survey_workbook(survey, questions, responses, found, voided=_voided(survey))
    response = HttpResponse(workbook, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{survey.title}.xlsx")
    return response


RESPONSES_PER_PAGE = 100


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def responses(request: HttpRequest, pk: int) -> HttpResponse:
    """Every answer of the survey, voided ones marked; a POST voids one (by its number, with
    a reason), which only the unit's officer and head may."""
    survey = get_survey_for_user(request.user, pk)
    editable = can(request.user, "edit", survey.unit)
    # A row's 作废… link names its answer, so the form comes filled in.
    error, number, reason = "", request.GET.get("number", "").strip()[:40], ""
    if request.method == "POST":
        _require_edit(request, survey)
        number = request.POST.get("number", "").strip()[:40]
        reason = request.POST.get("reason", "").strip()
        found = survey.responses.filter(number=number).first() if number else None
        if found is None:
            error = _("找不到编号为“%(n)s”的答卷。") % {"n": number}
        else:
            try:
                services.void_response(found, reason, actor=Actor.from_request(request))
            except ValidationError as exc:
                error = "；".join(exc.messages)
            else:
                messages.success(
                    request, _("已作废答卷 %(n)s，不再计入统计和满意度。") % {"n": found.number}
                )
                return redirect("surveys:responses", pk=survey.pk)
    page = Paginator(
        survey.responses.select_related("voided_by").order_by("-sequence"), RESPONSES_PER_PAGE
    ).get_page(int_or_none(request.GET.get("page")))
    context = {
        "survey": survey,
        "page": page,
        "editable": editable,
        "answered": survey.responses.count(),
        "voided": _voided(survey),
        "error": error,
        "number": number,
        "reason": reason,
        "here": "surveys",
    }
    return render(request, "surveys/responses.html", context, status=400 if error else 200)
