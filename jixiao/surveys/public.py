"""The public phone form: no login, one answer per invitation token or per device.

Abuse is held back by CSRF on the form, a honeypot field people never see, and a limit on
answers per address per hour (counted in a cache all server processes share); docs/surveys.md
says what each stops and what not.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.signing import BadSignature
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jixiao.lib.actor import client_ip
from jixiao.surveys import limits, services
from jixiao.surveys.choices import Access, SurveyStatus
from jixiao.surveys.models import Invitation, Survey

DEVICE_COOKIE = "jx_survey_device"
DEVICE_SALT = "jixiao.surveys.device"
DEVICE_MAX_AGE = 365 * 24 * 3600
HONEYPOT = "website"  # a field hidden by CSS; a person leaves it empty, a form-filling bot not
TOKEN_MAX = 40


def _token(value: str) -> str:
    if not value or len(value) > TOKEN_MAX:
        raise Http404(_("问卷不存在。"))
    return value


def _device_id(request: HttpRequest) -> str:
    try:
        value = request.get_signed_cookie(DEVICE_COOKIE, salt=DEVICE_SALT)
    except (KeyError, BadSignature):
        return ""
    return str(value)[:64]


def _limited(request: HttpRequest) -> bool:
    """Whether this address has sent more answers this hour than the setting allows
    (counted in the cache every server process shares: :mod:`jixiao.surveys.limits`)."""
    return limits.over_limit(client_ip(request))


def _page(
    request: HttpRequest,
    survey: Survey,
    invitation: Invitation | None,
    *,
    device: str,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    questions = list(survey.questions.all())
    context: dict[str, Any] = {
        "survey": survey,
        "questions": questions,
        "invitation": invitation,
        "errors": {},
        "posted": {},
        "honeypot": HONEYPOT,
    }
    context.update(extra)
    response = render(request, "surveys/public_form.html", context, status=status)
    if survey.access == Access.OPEN and not device:
        response.set_signed_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(24),
            salt=DEVICE_SALT,
            max_age=DEVICE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def _closed(request: HttpRequest, survey: Survey, message: str, status: int = 200) -> HttpResponse:
    context = {"survey": survey, "message": message}
    return render(request, "surveys/public_closed.html", context, status=status)


def _answer(request: HttpRequest, survey: Survey, invitation: Invitation | None) -> HttpResponse:
    if survey.status == SurveyStatus.DRAFT:
        raise Http404(_("问卷不存在。"))  # a draft is not public yet
    if not survey.is_open:
        return _closed(request, survey, _("本问卷已结束，感谢关注。"))
    if invitation is not None and invitation.used_at is not None:
        return _closed(request, survey, _("该邀请码已经填写过，感谢参与。"))
    device = _device_id(request) if survey.access == Access.OPEN else ""
    hashed = services.device_hash(survey, device) if device else ""
    if request.method != "POST":
        if hashed and survey.responses.filter(device=hashed).exists():
            return _closed(request, survey, _("本设备已经填写过该问卷，感谢参与。"))
        return _page(request, survey, invitation, device=device)
    if _limited(request):
        return _closed(request, survey, _("提交过于频繁，请稍后再试。"), status=429)
    if request.POST.get(HONEYPOT):
        # A bot filled the hidden field: thank it and store nothing.
        return render(request, "surveys/public_done.html", {"survey": survey})
    try:
        services.submit_response(
            survey,
            {key: request.POST.getlist(key) for key in request.POST},
            invitation=invitation,
            device=hashed,
            ip=client_ip(request),
            request_id=getattr(request, "request_id", "") or "",
        )
    except ValidationError as exc:
        posted = {key: request.POST.getlist(key) for key in request.POST}
        return _page(
            request,
            survey,
            invitation,
            device=device,
            status=400,
            errors=exc.message_dict,
            posted=posted,
        )
    except services.SurveyClosed as exc:
        return _closed(request, survey, str(exc))
    return render(request, "surveys/public_done.html", {"survey": survey})


@require_http_methods(["GET", "HEAD", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """An open survey's public form (a survey by invitation answers only its invitations)."""
    survey = Survey.objects.filter(token=_token(token)).first()
    if survey is None:
        raise Http404(_("问卷不存在。"))
    if survey.access == Access.INVITATION:
        if survey.status == SurveyStatus.DRAFT:
            raise Http404(_("问卷不存在。"))
        return _closed(request, survey, _("本问卷凭邀请码填写，请使用您收到的链接或二维码。"))
    return _answer(request, survey, None)


@require_http_methods(["GET", "HEAD", "POST"])
def invited(request: HttpRequest, token: str) -> HttpResponse:
    """The form of one invitation: answered once, then spent."""
    invitation = Invitation.objects.select_related("survey").filter(token=_token(token)).first()
    if invitation is None or invitation.survey.access != Access.INVITATION:
        raise Http404(_("问卷不存在。"))
    return _answer(request, invitation.survey, invitation)
