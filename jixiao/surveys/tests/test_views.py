"""The survey pages: the public phone form and the unit's pages."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jixiao.lib.actor import Actor
from jixiao.surveys import services
from jixiao.surveys.choices import Access
from jixiao.surveys.models import Survey
from jixiao.surveys.public import HONEYPOT
from jixiao.surveys.tests.conftest import answer
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    cache.clear()


def _form_url(survey: Survey) -> str:
    return reverse("surveys_public:answer", kwargs={"token": survey.token})


def _phone() -> Client:
    """A member of the public: no login, CSRF checked as in a browser."""
    return Client(enforce_csrf_checks=True)


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    page = client.get(url)
    assert page.status_code == 200
    token = (
        page.cookies["csrftoken"].value
        if "csrftoken" in page.cookies
        else client.cookies["csrftoken"].value
    )
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


def test_the_public_form_needs_no_login_and_records_one_answer_per_device(
    open_survey: Survey,
) -> None:
    phone = _phone()
    url = _form_url(open_survey)
    page = phone.get(url)
    assert page.status_code == 200
    assert "您对我单位工作的总体评价" in page.content.decode()
    assert page.headers["Content-Security-Policy"]  # the site's policy holds here too
    done = _post(phone, url, answer(open_survey, "非常满意"))
    assert "提交成功" in done.content.decode()
    assert open_survey.responses.get().rating == "非常满意"
    again = phone.get(url)
    assert "本设备已经填写过该问卷" in again.content.decode()
    second = _post(phone, url, answer(open_survey, "满意"))
    assert "本设备已经填写过该问卷" in second.content.decode()
    assert open_survey.responses.count() == 1
    # Another phone answers too.
    _post(_phone(), url, answer(open_survey, "满意"))
    assert open_survey.responses.count() == 2


def test_the_form_refuses_a_post_without_its_csrf_token(open_survey: Survey) -> None:
    phone = _phone()
    phone.get(_form_url(open_survey))
    response = phone.post(_form_url(open_survey), answer(open_survey, "满意"))
    assert response.status_code == 403
    assert not open_survey.responses.exists()


def test_a_missing_answer_shows_the_form_again_with_the_error(open_survey: Survey) -> None:
    phone = _phone()
    key = open_survey.questions.get(feeds_rating=True).key
    response = _post(phone, _form_url(open_survey), {key: ["满意"]})
    assert response.status_code == 400
    body = response.content.decode()
    assert "此题必答。" in body and 'value="满意" required checked' in body
    assert not open_survey.responses.exists()


def test_the_honeypot_is_thanked_and_nothing_is_stored(open_survey: Survey) -> None:
    response = _post(
        _phone(), _form_url(open_survey), {**answer(open_survey, "满意"), HONEYPOT: "x"}
    )
    assert "提交成功" in response.content.decode()
    assert not open_survey.responses.exists()


def test_answers_from_one_address_are_limited_per_hour(open_survey: Survey, settings: Any) -> None:
    settings.SURVEY_ANSWERS_PER_HOUR = 2
    for _n in range(2):
        _post(_phone(), _form_url(open_survey), answer(open_survey, "满意"))
    refused = _post(_phone(), _form_url(open_survey), answer(open_survey, "满意"))
    assert refused.status_code == 429
    assert open_survey.responses.count() == 2


def test_a_draft_is_404_and_a_closed_survey_says_so(demo_officer: Any) -> None:
    actor = Actor(user=demo_officer)
    survey = services.create_survey(
        Unit.objects.get(code="224001"), template="service", actor=actor
    )
    assert Client().get(_form_url(survey)).status_code == 404
    services.open_survey(survey, actor=actor)
    services.close_survey(survey, actor=actor)
    page = Client().get(_form_url(survey))
    assert page.status_code == 200 and "本问卷已结束" in page.content.decode()
    assert Client().get("/s/" + "x" * 22 + "/").status_code == 404
    assert Client().get(f"/s/{survey.pk}/").status_code == 404


def test_an_invitation_link_answers_once_and_the_open_link_refuses(demo_officer: Any) -> None:
    actor = Actor(user=demo_officer)
    survey = services.create_survey(
        Unit.objects.get(code="224001"), template="service", access=Access.INVITATION, actor=actor
    )
    services.open_survey(survey, actor=actor)
    (invitation,) = services.create_invitations(survey, 1, actor=actor)
    url = reverse("surveys_public:invited", kwargs={"token": invitation.token})
    assert "凭邀请码填写" in Client().get(_form_url(survey)).content.decode()
    _post(_phone(), url, answer(survey, "满意"))
    assert survey.responses.get().invitation_id == invitation.pk
    assert "该邀请码已经填写过" in Client().get(url).content.decode()


def test_the_units_pages_show_link_qr_results_and_export(open_survey: Survey) -> None:
    services.submit_response(open_survey, answer(open_survey, "非常满意"), device="a")
    services.submit_response(open_survey, answer(open_survey, "不满意", "企业"), device="b")
    client = Client()
    client.force_login(get_user_model().objects.get(username="demo"))
    detail = client.get(reverse("surveys:detail", args=[open_survey.pk])).content.decode()
    assert f"/s/{open_survey.token}/" in detail
    svg = client.get(reverse("surveys:qr", args=[open_survey.pk, "svg"]))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    png = client.get(reverse("surveys:qr", args=[open_survey.pk, "png"]))
    assert png.content.startswith(b"\x89PNG")
    assert client.get(reverse("surveys:poster", args=[open_survey.pk])).status_code == 200
    results = client.get(reverse("surveys:results", args=[open_survey.pk])).content.decode()
    assert 'class="survey-answered">2<' in results
    # The indicator's actual on the results page is the metric's: (93 + 1) / (97 + 2) = 94.95 %.
    assert "<strong>94.95</strong>（94 / 99）" in results
    book = load_workbook(
        io.BytesIO(client.get(reverse("surveys:export", args=[open_survey.pk])).content)
    )
    rows = list(book["答卷明细"].iter_rows(values_only=True))
    assert rows[1][:4] == (f"WJ{open_survey.pk:04d}-00001", rows[1][1], "是", "非常满意")
    assert rows[2][3] == "不满意" and rows[2][4] == "企业"
    counts = list(book["统计结果"].iter_rows(values_only=True))
    assert ("非常满意", 1, 50) in [tuple(r[:3]) for r in counts]


def test_a_text_answer_like_a_formula_stays_text_in_excel(open_survey: Survey) -> None:
    note = open_survey.questions.get(text="您的意见和建议").key
    raw = {**answer(open_survey, "满意"), note: ['=HYPERLINK("http://x")']}
    services.submit_response(open_survey, raw, device="a")
    client = Client()
    client.force_login(get_user_model().objects.get(username="demo"))
    data = client.get(reverse("surveys:export", args=[open_survey.pk])).content
    sheet = load_workbook(io.BytesIO(data))["答卷明细"]
    cell = sheet.cell(2, 8)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


def test_builder_creates_from_a_template_and_saves_reordered_questions(demo_officer: Any) -> None:
    client = Client()
    client.force_login(demo_officer)
    unit = Unit.objects.get(code="224001")
    made = client.post(
        reverse("surveys:index"), {"unit": unit.pk, "template": "training", "access": "open"}
    )
    survey = Survey.objects.get()
    assert made.headers["Location"] == reverse("surveys:detail", args=[survey.pk])
    assert survey.title == "培训满意度调查问卷" and survey.questions.count() == 4
    data = {
        "q-TOTAL_FORMS": "3",
        "q-INITIAL_FORMS": "0",
        "q-0-position": "2",
        "q-0-text": "总体评价",
        "q-0-kind": "rating",
        "q-0-choices": "非常满意\n满意\n不满意",
        "q-0-feeds_rating": "on",
        "q-1-position": "1",
        "q-1-text": "您来自",
        "q-1-kind": "single",
        "q-1-choices": "机关\n企业",
        "q-1-required": "on",
        "q-2-position": "3",
        "q-2-text": "删掉我",
        "q-2-kind": "text",
        "q-2-delete": "on",
    }
    saved = client.post(reverse("surveys:questions", args=[survey.pk]), data)
    assert saved.status_code == 302
    assert list(survey.questions.values_list("text", "choices")) == [
        ("您来自", ["机关", "企业"]),
        ("总体评价", ["非常满意", "满意", "不满意"]),
    ]


def test_another_units_officer_gets_404(open_survey: Survey, org_b_officer: Any) -> None:
    client = Client()
    client.force_login(org_b_officer)
    for name in ("detail", "results", "poster", "export", "invitations"):
        assert client.get(reverse(f"surveys:{name}", args=[open_survey.pk])).status_code == 404
