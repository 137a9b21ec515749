"""Every change to a survey: build it, open and close it, invite, take an answer, void one.

Each function checks its permission and writes its change-log row in one transaction. An
answer from the public form is taken by :func:`submit_response`, whose permission is the open
survey and its unspent token; it writes the ``survey`` ledger record the metrics count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.access.perms import require
from jixiao.audit.choices import Action
from jixiao.audit.log import Entry, record, record_many, snapshot
from jixiao.ledgers.services import create_entry, ledger_type_for, update_entry
from jixiao.lib.actor import Actor
from jixiao.surveys import answers as core
from jixiao.surveys.choices import Access, QuestionKind, SurveyStatus
from jixiao.surveys.models import Invitation, Question, Response, Survey
from jixiao.surveys.presets import RATING_SCALE, TEMPLATES
from jixiao.targets.models import Indicator, Project
from jixiao.units.models import Unit

SURVEY_FIELDS = ("title", "intro", "access", "project", "indicator", "status")
MAX_INVITATIONS = 500  # at one time; a unit may generate more in several steps
MAX_QUESTIONS = 50
LEDGER = "survey"


def today() -> dt.date:
    """The day an answer is dated (a function, so tests can set the day)."""
    return timezone.localdate()


class SurveyClosed(Exception):
    """The survey takes no answers (not open, or the invitation is spent)."""


@dataclass
class QuestionInput:
    """A question as the builder posts it."""

    text: str
    kind: str
    choices: list[str] = field(default_factory=list)
    required: bool = True
    feeds_rating: bool = False


def _check_links(unit: Unit, project: Project | None, indicator: Indicator | None) -> None:
    if project is not None and project.unit_id != unit.pk:
        raise ValidationError({"project": _("项目不属于本单位。")})
    if indicator is not None and (project is None or indicator.project_id != project.pk):
        raise ValidationError({"indicator": _("指标应属于所选项目。")})


def _require_draft(survey: Survey) -> None:
    if survey.status != SurveyStatus.DRAFT:
        raise ValidationError(_("问卷已开始收集，题目不能再修改（答卷按题目记录）。"))


@transaction.atomic
def create_survey(
    unit: Unit,
    *,
    template: str,
    actor: Actor,
    project: Project | None = None,
    indicator: Indicator | None = None,
    title: str = "",
    access: str = Access.OPEN,
) -> Survey:
    """A new questionnaire of the unit, with the template's questions; in draft."""
    require(actor, "edit", unit)
    spec = TEMPLATES.get(template)
    if spec is None:
        raise ValidationError({"template": _("没有这个问卷模板。")})
    if access not in Access.values:
        raise ValidationError({"access": _("填写方式不对。")})
    _check_links(unit, project, indicator)
    survey = Survey.objects.create(
        unit=unit,
        project=project,
        indicator=indicator,
        title=(title or spec["title"])[:200],
        intro=spec["intro"],
        template=template,
        access=access,
        created_by=actor.user,
    )
    Question.objects.bulk_create(
        Question(survey=survey, position=n, **q) for n, q in enumerate(spec["questions"], 1)
    )
    record(actor, Action.CREATE, survey, after=snapshot(survey, SURVEY_FIELDS))
    return survey


@transaction.atomic
def update_survey(
    survey: Survey,
    *,
    title: str,
    intro: str,
    access: str,
    project: Project | None,
    indicator: Indicator | None,
    actor: Actor,
) -> Survey:
    """Change a survey's title, introduction, project and indicator (and, in draft, access)."""
    require(actor, "edit", survey.unit)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _check_links(survey.unit, project, indicator)
    if access != survey.access:
        _require_draft(survey)
        if access not in Access.values:
            raise ValidationError({"access": _("填写方式不对。")})
    if not title.strip():
        raise ValidationError({"title": _("请填写标题。")})
    before = snapshot(survey, SURVEY_FIELDS)
    survey.title, survey.intro, survey.access = title.strip()[:200], intro.strip(), access
    survey.project, survey.indicator = project, indicator
    survey.save()
    record(actor, Action.UPDATE, survey, before=before, after=snapshot(survey, SURVEY_FIELDS))
    return survey


def question_errors(items: Sequence[QuestionInput]) -> list[str]:
    """What is wrong with a questionnaire's questions (Chinese), empty when it can be saved."""
    errors = []
    if not items:
        errors.append(_("问卷至少要有一道题。"))
    if len(items) > MAX_QUESTIONS:
        errors.append(_("一份问卷最多 %(n)s 道题。") % {"n": MAX_QUESTIONS})
    for n, item in enumerate(items, 1):
        if not item.text.strip():
            errors.append(_("第 %(n)s 题：请填写题目。") % {"n": n})
        if item.kind not in QuestionKind.values:
            errors.append(_("第 %(n)s 题：题型不对。") % {"n": n})
        elif item.kind != QuestionKind.TEXT and len(item.choices) < 2:
            errors.append(_("第 %(n)s 题：选择题至少两个选项。") % {"n": n})
        if len(set(item.choices)) != len(item.choices):
            errors.append(_("第 %(n)s 题：选项重复。") % {"n": n})
        if item.feeds_rating and (
            item.kind != QuestionKind.RATING or not set(item.choices) <= set(RATING_SCALE)
        ):
            errors.append(
                _("第 %(n)s 题：计入满意度的题须为满意度评价题，选项取自：%(scale)s。")
                % {"n": n, "scale": "、".join(RATING_SCALE)}
            )
    if sum(item.feeds_rating for item in items) > 1:
        errors.append(_("只能有一道题计入满意度。"))
    return errors


@transaction.atomic
def save_questions(survey: Survey, items: Sequence[QuestionInput], *, actor: Actor) -> None:
    """Replace a draft survey's questions with these, in this order."""
    require(actor, "edit", survey.unit)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _require_draft(survey)
    errors = question_errors(items)
    if errors:
        raise ValidationError(errors)
    before = [q.text for q in survey.questions.all()]
    survey.questions.all().delete()
    Question.objects.bulk_create(
        Question(
            survey=survey,
            position=n,
            kind=item.kind,
            text=item.text.strip()[:300],
            choices=[c.strip()[:100] for c in item.choices],
            # The rating is the ledger record's required 评价: its question is always required.
            required=item.required or item.feeds_rating,
            feeds_rating=item.feeds_rating,
        )
        for n, item in enumerate(items, 1)
    )
    record(
        actor,
        Action.UPDATE,
        survey,
        before={"questions": before},
        after={"questions": [item.text.strip() for item in items]},
        comment=_("修改题目"),
    )


@transaction.atomic
def open_survey(survey: Survey, *, actor: Actor) -> Survey:
    """Start taking answers (again, after a close)."""
    require(actor, "edit", survey.unit)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not survey.questions.exists():
        raise ValidationError(_("问卷还没有题目。"))
    if survey.project_id is not None and not survey.questions.filter(feeds_rating=True).exists():
        raise ValidationError(_("问卷关联了项目，须有一道“计入满意度”的题，答卷才能计入台账。"))
    before = snapshot(survey, ["status"])
    survey.status, survey.opened_at, survey.closed_at = SurveyStatus.OPEN, timezone.now(), None
    survey.save(update_fields=["status", "opened_at", "closed_at"])
    record(actor, Action.OPEN, survey, before=before, after=snapshot(survey, ["status"]))
    return survey


@transaction.atomic
def close_survey(survey: Survey, *, actor: Actor) -> Survey:
    """Stop taking answers; the link then says the survey has ended."""
    require(actor, "edit", survey.unit)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    before = snapshot(survey, ["status"])
    survey.status, survey.closed_at = SurveyStatus.CLOSED, timezone.now()
    survey.save(update_fields=["status", "closed_at"])
    record(
        actor,
        Action.UPDATE,
        survey,
        before=before,
        after=snapshot(survey, ["status"]),
        comment=_("结束收集"),
    )
    return survey


@transaction.atomic
def create_invitations(survey: Survey, count: int, *, actor: Actor) -> list[Invitation]:
    """``count`` new one-time invitation tokens, numbered after the existing ones."""
    require(actor, "edit", survey.unit)
    if not 1 <= count <= MAX_INVITATIONS:
        raise ValidationError(_("一次生成 1 至 %(n)s 个邀请码。") % {"n": MAX_INVITATIONS})
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    last = survey.invitations.aggregate(n=Max("number"))["n"] or 0
    made = Invitation.objects.bulk_create(
        Invitation(survey=survey, number=last + n) for n in range(1, count + 1)
    )
    record(
        actor,
        Action.CREATE,
        survey,
        after={"invitations": count, "numbers": f"{last + 1}-{last + count}"},
        comment=_("生成邀请码"),
    )
    return made


def device_hash(survey: Survey, device_id: str) -> str:
    """The per-survey hash of a device's cookie id: the same device answers a survey once,
    and the stored value says nothing about which device it was on another survey."""
    message = f"{survey.pk}:{device_id}".encode()
    key = f"jixiao.surveys.device:{settings.SECRET_KEY}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def public_actor(survey: Survey, *, ip: str = "", request_id: str = "") -> Actor:
    """Who the change log names for an answer from the public form (no account)."""
    return Actor(
        user=None,
        ip=ip,
        request_id=request_id,
        # The open survey and its token are the permission (checked by submit_response).
        operator=True,
        label=_("公众（问卷：%(title)s）") % {"title": survey.title[:60]},
    )


@transaction.atomic
def submit_response(
    survey: Survey,
    raw: Mapping[str, Sequence[str]],
    *,
    invitation: Invitation | None = None,
    device: str = "",
    ip: str = "",
    request_id: str = "",
) -> Response:
    """Take one answer from the public form; write its ``survey`` ledger record.

    Raises ``ValidationError`` (a dict of question key -> message) when an answer is missing
    or wrong, and :class:`SurveyClosed` when the survey takes no answer from this token or
    device. Nobody logs in: the open survey and the unspent token are the permission.
    """
    survey = (
        Survey.objects.select_for_update(of=("self",))
        .select_related("unit", "project")
        .get(pk=survey.pk)
    )
    if not survey.is_open:
        raise SurveyClosed(_("问卷已结束或尚未开始。"))
    if survey.access == Access.INVITATION:
        if invitation is None or invitation.survey_id != survey.pk:
            raise SurveyClosed(_("本问卷凭邀请码填写。"))
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.used_at is not None:
            raise SurveyClosed(_("该邀请码已经填写过。"))
        device = ""
    else:
        invitation = None
        if not device:
            raise SurveyClosed(_("请允许浏览器保存 Cookie 后再填写。"))
        if survey.responses.filter(device=device).exists():
            raise SurveyClosed(_("本设备已经填写过该问卷，感谢参与。"))
    questions = list(survey.questions.all())
    answers, errors = core.clean_answers([q.spec() for q in questions], raw)
    if errors:
        raise ValidationError(errors)
    rating_question = next((q for q in questions if q.feeds_rating), None)
    rating = str(answers.get(rating_question.key, "")) if rating_question else ""
    sequence = (survey.responses.aggregate(n=Max("sequence"))["n"] or 0) + 1
    day = today()
    response = Response(
        survey=survey,
        sequence=sequence,
        number=f"WJ{survey.pk:04d}-{sequence:05d}",
        invitation=invitation,
        device=device,
        answers=answers,
        valid=core.is_complete([q.spec() for q in questions], answers),
        rating=rating,
        answered_on=day,
    )
    actor = public_actor(survey, ip=ip, request_id=request_id)
    if rating_question is not None and rating:
        response.entry = create_entry(
            ledger_type_for(survey.unit, LEDGER),
            survey.unit,
            {
                "number": response.number,
                "answered_on": day.isoformat(),
                "respondent": (
                    _("邀请码 %(n)s") % {"n": invitation.number} if invitation else _("公开链接")
                ),
                "valid": response.valid,
                "rating": rating,
            },
            actor=actor,
            project=survey.project,
        )
    response.save()
    if invitation is not None:
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
    record_many(
        actor,
        [
            Entry.of(
                Action.CREATE,
                response,
                after={"number": response.number, "valid": response.valid, "rating": rating},
                unit=survey.unit_id,
            )
        ],
    )
    return response


VOID_REASON_MAX = 200


def live_responses(survey: Survey) -> QuerySet[Response]:
    """The survey's answers that count (not voided), in order: the results and the export."""
    return survey.responses.filter(voided_at__isnull=True).order_by("sequence")


@transaction.atomic
def void_response(response: Response, reason: str, *, actor: Actor) -> Response:
    """Void an answer (a duplicate, a test, an answer from a staff member …), with a reason.

    The answer is kept, marked void, and counted nowhere; its ``survey`` ledger record is
    marked not valid (有效问卷 = 否) through the ledger service, so the satisfaction
    indicator's numerator and denominator drop by what the answer added. The record stays,
    with its own change-log row, so the ledger still shows what happened.
    """
    survey = response.survey
    require(actor, "edit", survey.unit)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写作废原因。")})
    if len(reason) > VOID_REASON_MAX:
        raise ValidationError({"reason": _("作废原因最多 %(n)s 个字。") % {"n": VOID_REASON_MAX}})
    locked = Response.objects.select_for_update().get(pk=response.pk)
    if locked.voided_at is not None:
        raise ValidationError(_("答卷 %(n)s 已作废。") % {"n": locked.number})
    entry = locked.entry
    if entry is not None and entry.data.get("valid") is not False:
        update_entry(entry, {**entry.data, "valid": False}, actor=actor)
    locked.voided_at, locked.voided_by, locked.void_reason = timezone.now(), actor.user, reason
    locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
    record(
        actor,
        Action.UPDATE,
        locked,
        before={"voided": False},
        after={"voided": True, "reason": reason},
        comment=_("作废答卷 %(n)s：%(reason)s") % {"n": locked.number, "reason": reason},
        unit=survey.unit_id,
    )
    response.voided_at, response.voided_by, response.void_reason = (
        locked.voided_at,
        locked.voided_by,
        reason,
    )
    return locked
