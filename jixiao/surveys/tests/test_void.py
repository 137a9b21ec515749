"""Voiding an answer: kept and marked, its ledger record no longer valid, the satisfaction
indicator back to what it was, and results and Excel without it."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jixiao.audit.models import ChangeLog
from jixiao.ledgers.models import LedgerEntry
from jixiao.lib.actor import Actor
from jixiao.metrics.evaluate import evaluate
from jixiao.surveys import services
from jixiao.surveys.models import Response, Survey
from jixiao.surveys.tests.conftest import answer
from jixiao.targets.models import Indicator

pytestmark = pytest.mark.django_db
YEAR_END = dt.date(2021, 12, 31)


def _actual(indicator: Indicator) -> tuple[Any, Any, Decimal | None]:
    found = evaluate([indicator.project], YEAR_END)[indicator.pk]
    return found.numerator, found.denominator, found.value


def _answers(survey: Survey, *ratings: str) -> list[Response]:
    return [
        services.submit_response(survey, answer(survey, rating), device=f"d{n}")
        for n, rating in enumerate(ratings)
    ]


def test_voiding_answers_takes_them_back_out_of_the_satisfaction_indicator(
    open_survey: Survey, satisfaction: Indicator, demo_officer: Any
) -> None:
    # The demo's 2021: 93 satisfied of 97 valid questionnaires.
    assert _actual(satisfaction) == (93, 97, Decimal("95.88"))
    satisfied, unsure = _answers(open_survey, "非常满意", "基本满意")
    assert _actual(satisfaction) == (94, 99, Decimal("94.95"))  # 94 / 99
    officer = Actor(user=demo_officer)
    services.void_response(satisfied, "本单位工作人员测试", actor=officer)
    assert _actual(satisfaction) == (93, 98, Decimal("94.90"))  # 93 / 98
    services.void_response(unsure, "重复填写", actor=officer)
    assert _actual(satisfaction) == (93, 97, Decimal("95.88"))  # back to the demo's
    # The answer is kept, marked; its ledger record stays, no longer a valid questionnaire.
    satisfied.refresh_from_db()
    assert satisfied.voided and satisfied.void_reason == "本单位工作人员测试"
    assert satisfied.voided_by == demo_officer
    entry = LedgerEntry.objects.get(pk=satisfied.entry_id)
    assert entry.data["valid"] is False and entry.data["rating"] == "非常满意"


def test_voiding_is_audited_and_needs_a_reason_and_the_units_own_people(
    open_survey: Survey, demo_officer: Any, org_b_officer: Any
) -> None:
    (response,) = _answers(open_survey, "满意")
    with pytest.raises(ValidationError) as refused:
        services.void_response(response, "  ", actor=Actor(user=demo_officer))
    assert refused.value.message_dict == {"reason": ["请填写作废原因。"]}
    with pytest.raises(PermissionDenied):
        services.void_response(response, "测试", actor=Actor(user=org_b_officer))
    services.void_response(response, "测试", actor=Actor(user=demo_officer))
    row = ChangeLog.objects.get(
        object_type="surveys.response", object_id=str(response.pk), action="update"
    )
    assert row.comment == f"作废答卷 {response.number}：测试"
    assert row.user_id == demo_officer.pk and row.unit_id == open_survey.unit_id
    # The ledger record's change is its own row, written by the ledger service.
    assert ChangeLog.objects.filter(
        object_type="ledgers.ledgerentry", object_id=str(response.entry_id), action="update"
    ).exists()
    with pytest.raises(ValidationError):
        services.void_response(response, "再次", actor=Actor(user=demo_officer))


def test_results_and_excel_leave_voided_answers_out_and_count_them(
    open_survey: Survey, demo_officer: Any
) -> None:
    kept, voided, other = _answers(open_survey, "满意", "不满意", "满意")
    client = Client()
    client.force_login(demo_officer)
    page = client.post(
        reverse("surveys:responses", kwargs={"pk": open_survey.pk}),
        {"number": voided.number, "reason": "重复填写"},
    )
    assert page.status_code == 302
    results = client.get(reverse("surveys:results", kwargs={"pk": open_survey.pk})).content
    text = results.decode()
    assert '<strong class="survey-answered">2</strong>' in text
    assert "另有作废 1 份，不计入统计。" in text
    # The rating question: 满意 2 of 2 (100.00 %), 不满意 0.
    assert '<td>满意</td><td class="num">2</td><td class="num">100.00%</td>' in text
    assert '<td>不满意</td><td class="num">0</td>' in text
    book = load_workbook(
        io.BytesIO(client.get(reverse("surveys:export", kwargs={"pk": open_survey.pk})).content)
    )
    assert book["统计结果"]["A2"].value == "答卷 2 份（另有作废 1 份，不计入）"
    numbers = [row[0] for row in book["答卷明细"].iter_rows(min_row=2, values_only=True)]
    assert numbers == [kept.number, other.number]
    listing = client.get(reverse("surveys:responses", kwargs={"pk": open_survey.pk}))
    shown = listing.content.decode()
    assert "已作废" in shown and "重复填写" in shown and voided.number in shown


def test_only_the_units_people_void_on_the_page(open_survey: Survey, demo_officer: Any) -> None:
    from django.contrib.auth import get_user_model

    (response,) = _answers(open_survey, "满意")
    url = reverse("surveys:responses", kwargs={"pk": open_survey.pk})
    reviewer = Client()
    reviewer.force_login(get_user_model().objects.get(username="shenhe"))
    assert reviewer.get(url).status_code == 200
    assert reviewer.post(url, {"number": response.number, "reason": "x"}).status_code == 403
    officer = Client()
    officer.force_login(demo_officer)
    missing = officer.post(url, {"number": "WJ9999-00001", "reason": "x"})
    assert missing.status_code == 400
    assert "找不到编号为“WJ9999-00001”的答卷。" in missing.content.decode()
    response.refresh_from_db()
    assert not response.voided
