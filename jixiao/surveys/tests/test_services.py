"""Building a survey, and answers feeding the satisfaction indicator through the ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jixiao.audit.models import ChangeLog
from jixiao.ledgers.models import LedgerEntry
from jixiao.lib.actor import Actor
from jixiao.metrics.evaluate import evaluate
from jixiao.surveys import services
from jixiao.surveys.choices import Access, SurveyStatus
from jixiao.surveys.models import Survey
from jixiao.surveys.tests.conftest import ANSWER_DAY, answer
from jixiao.targets.models import Indicator
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db
YEAR_END = dt.date(2021, 12, 31)


def _actual(indicator: Indicator) -> Any:
    return evaluate([indicator.project], YEAR_END)[indicator.pk]


def test_answers_change_the_satisfaction_indicator_by_the_right_amount(
    open_survey: Survey, satisfaction: Indicator
) -> None:
    before = _actual(satisfaction)
    satisfied, valid = before.numerator, before.denominator
    # The demo's 2021 for this project: 93 satisfied of 97 valid questionnaires, 95.88 %.
    assert (satisfied, valid, before.value) == (93, 97, Decimal("95.88"))
    for rating in ("非常满意", "基本满意", "满意"):
        services.submit_response(open_survey, answer(open_survey, rating), device=rating)
    after = _actual(satisfaction)
    # 非常满意 and 满意 count as satisfied; 基本满意 is a valid answer that is not.
    assert after.numerator == satisfied + 2
    assert after.denominator == valid + 3
    # (93 + 2) / (97 + 3) × 100 = 95 / 100 × 100 = 95.00 %
    assert after.value == Decimal("95.00")
    assert after.text == "95.00"


def test_each_answer_writes_one_survey_record_of_the_project(open_survey: Survey) -> None:
    response = services.submit_response(open_survey, answer(open_survey, "满意"), device="d1")
    entry = LedgerEntry.objects.get(pk=response.entry_id)
    assert entry.ledger_type.code == "survey"
    assert entry.project_id == open_survey.project_id
    assert entry.date == ANSWER_DAY
    assert entry.data["number"] == response.number == f"WJ{open_survey.pk:04d}-00001"
    assert entry.data["rating"] == "满意"
    assert entry.data["valid"] is True
    assert entry.data["respondent"] == "公开链接"
    logged = ChangeLog.objects.filter(object_type="surveys.response", object_id=str(response.pk))
    assert logged.get().unit_id == open_survey.unit_id


def test_a_wrong_answer_writes_nothing(open_survey: Survey) -> None:
    raw = answer(open_survey, "还行")
    with pytest.raises(ValidationError) as caught:
        services.submit_response(open_survey, raw, device="d1")
    assert list(caught.value.message_dict.values()) == [["请从选项中选择一项。"]]
    assert not open_survey.responses.exists()


def test_one_answer_per_device(open_survey: Survey) -> None:
    services.submit_response(open_survey, answer(open_survey, "满意"), device="same")
    with pytest.raises(services.SurveyClosed):
        services.submit_response(open_survey, answer(open_survey, "满意"), device="same")
    assert open_survey.responses.count() == 1


def test_an_invitation_answers_once(open_survey: Survey, demo_officer: Any) -> None:
    actor = Actor(user=demo_officer)
    # Access changes only in draft: a new survey by invitation.
    survey = services.create_survey(
        open_survey.unit,
        template="training",
        project=open_survey.project,
        access=Access.INVITATION,
        actor=actor,
    )
    services.open_survey(survey, actor=actor)
    first, second = services.create_invitations(survey, 2, actor=actor)
    assert [first.number, second.number] == [1, 2]
    assert first.token != second.token and len(first.token) >= 22
    key = survey.questions.get(feeds_rating=True).key
    other = survey.questions.get(text="培训内容对您的工作是否有帮助").key
    raw = {key: ["满意"], other: ["有帮助"], survey.questions.get(position=3).key: ["满意"]}
    response = services.submit_response(survey, raw, invitation=first)
    assert response.entry is not None and response.entry.data["respondent"] == "邀请码 1"
    with pytest.raises(services.SurveyClosed):
        services.submit_response(survey, raw, invitation=first)
    with pytest.raises(services.SurveyClosed):
        services.submit_response(survey, raw)  # no invitation
    services.submit_response(survey, raw, invitation=second)
    assert survey.responses.count() == 2


def test_a_closed_or_draft_survey_takes_no_answer(open_survey: Survey, demo_officer: Any) -> None:
    services.close_survey(open_survey, actor=Actor(user=demo_officer))
    with pytest.raises(services.SurveyClosed):
        services.submit_response(open_survey, answer(open_survey, "满意"), device="d")


def test_only_the_units_own_people_build_its_surveys(demo_officer: Any) -> None:
    from django.contrib.auth import get_user_model

    unit = Unit.objects.get(code="224001")
    reviewer = get_user_model().objects.get(username="shenhe")
    with pytest.raises(PermissionDenied):
        services.create_survey(unit, template="service", actor=Actor(user=reviewer))


def test_questions_are_saved_in_order_and_only_in_draft(demo_officer: Any) -> None:
    actor = Actor(user=demo_officer)
    survey = services.create_survey(
        Unit.objects.get(code="224001"), template="awareness", actor=actor
    )
    items = [
        services.QuestionInput("总体评价", "rating", ["满意", "不满意"], False, True),
        services.QuestionInput("建议", "text"),
    ]
    services.save_questions(survey, items, actor=actor)
    saved = list(survey.questions.values_list("position", "text", "required", "feeds_rating"))
    # The rating feeds the ledger's required 评价: it is made required.
    assert saved == [(1, "总体评价", True, True), (2, "建议", True, False)]
    services.open_survey(survey, actor=actor)
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.OPEN
    with pytest.raises(ValidationError):
        services.save_questions(survey, items, actor=actor)


def test_question_errors_name_the_question() -> None:
    errors = services.question_errors(
        [
            services.QuestionInput("", "single", ["甲"]),
            services.QuestionInput("评价", "single", ["好", "坏"], feeds_rating=True),
        ]
    )
    assert errors == [
        "第 1 题：请填写题目。",
        "第 1 题：选择题至少两个选项。",
        "第 2 题：计入满意度的题须为满意度评价题，选项取自：非常满意、满意、基本满意、不满意。",
    ]
