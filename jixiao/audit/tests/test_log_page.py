"""The audit log page: who sees which rows, the filters, the pages and the download."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PERSONA_PASSWORD
from jixiao.audit.choices import Action
from jixiao.audit.log import Entry, record, record_many
from jixiao.audit.models import ChangeLog
from jixiao.lib.actor import Actor

pytestmark = pytest.mark.django_db

LOG = "/audit/"


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rows(org, officer, officer_b, reviewer):
    """One row in each scope: unit A, unit B, A's bureau, the other bureau's unit, nowhere."""
    record(
        Actor(officer), Action.UPDATE, object_type="targets.project", object_id=7,
        object_repr="甲单位的项目", unit=org.unit,
    )  # fmt: skip
    record(
        Actor(officer_b), Action.UPDATE, object_type="targets.project", object_id=8,
        object_repr="乙单位的项目", unit=org.unit_b,
    )  # fmt: skip
    record(
        Actor(reviewer), Action.OPEN, object_type="rounds.round", object_id=3,
        object_repr="本局的轮次", bureau=org.bureau,
    )  # fmt: skip
    record(
        Actor.system("测试"), Action.UPDATE, object_type="targets.project", object_id=9,
        object_repr="外局单位的项目", unit=org.other_unit, bureau=org.other_bureau,
    )  # fmt: skip
    record(Actor.system("测试"), Action.DEMO, object_type="system", object_repr="无归属的记录")


def _shown(client: Client, **query: str) -> set[str]:
    response = client.get(LOG, query)
    assert response.status_code == 200
    return {item.row.object_repr for item, _url in response.context["items"]}


NAMES = {"甲单位的项目", "乙单位的项目", "本局的轮次", "外局单位的项目", "无归属的记录"}


def test_the_head_sees_only_its_units_rows(head, rows):
    assert _shown(_as(head)) & NAMES == {"甲单位的项目"}


def test_the_bureau_reviewer_sees_its_units_and_its_bureau(reviewer, rows):
    assert _shown(_as(reviewer)) & NAMES == {"甲单位的项目", "乙单位的项目", "本局的轮次"}


@pytest.mark.parametrize("persona", ["bureau_admin", "auditor"])
def test_the_bureau_admin_and_auditor_see_the_same(persona, rows, request):
    shown = _shown(_as(request.getfixturevalue(persona)))

    assert shown & NAMES == {"甲单位的项目", "乙单位的项目", "本局的轮次"}


def test_a_units_auditor_sees_its_units_rows(rows, org):
    from conftest import make_person
    from jixiao.accounts.choices import Role

    unit_auditor = make_person("unit_auditor", org.unit_b, Role.AUDITOR, "乙单位审计")

    assert _shown(_as(unit_auditor)) & NAMES == {"乙单位的项目"}


def test_account_rows_link_to_the_account_page_for_its_administrator_only(
    reviewer, bureau_admin, officer
):
    query = {"action": "create", "object_type": "auth.user", "object_id": str(officer.pk)}

    [(_item, admin_url)] = _as(bureau_admin).get(LOG, query).context["items"]
    [(_item, reviewer_url)] = _as(reviewer).get(LOG, query).context["items"]

    assert (admin_url, reviewer_url) == (reverse("accounts:detail", args=[officer.pk]), "")


def test_another_bureaus_reviewer_sees_none_of_as_rows(other_reviewer, rows):
    assert _shown(_as(other_reviewer)) & NAMES == {"外局单位的项目"}


def test_a_superuser_sees_every_row(rows):
    root = User.objects.create_superuser("root", "", PERSONA_PASSWORD)

    assert _shown(_as(root)) & NAMES == NAMES


@pytest.mark.parametrize("persona", ["officer", "officer_b"])
def test_officers_get_403(persona, rows, request):
    assert _as(request.getfixturevalue(persona)).get(LOG).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, rows):
    response = client.get(LOG)

    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_an_account_without_an_organisation_gets_403(rows):
    loner = User.objects.create_user("loner", password=PERSONA_PASSWORD)

    assert _as(loner).get(LOG).status_code == 403


def test_logins_of_a_unit_are_in_its_heads_log(client, head, officer, officer_b):
    client.post("/login/", {"username": "officer", "password": PERSONA_PASSWORD})
    Client().post("/login/", {"username": "officer_b", "password": PERSONA_PASSWORD})
    Client().post("/login/", {"username": "officer", "password": "Wrong-one-123"})

    shown = _as(head).get(LOG, {"action": "login"}).context["items"]
    failed = _as(head).get(LOG, {"action": "login_failed"}).context["items"]

    logged_in = {item.row.user_id for item, _ in shown}
    assert officer.pk in logged_in and officer_b.pk not in logged_in
    assert [item.row.object_repr for item, _ in failed] == ["officer"]


# -- filters -------------------------------------------------------------------------------


def test_the_unit_filter(reviewer, rows, org):
    shown = _shown(_as(reviewer), unit=str(org.unit_b.pk))

    assert shown & NAMES == {"乙单位的项目"}
    assert "officer_b" in shown  # the account created in unit B


def test_a_unit_outside_reach_is_404(reviewer, rows, org):
    assert _as(reviewer).get(LOG, {"unit": str(org.other_unit.pk)}).status_code == 404


def test_the_person_filter(reviewer, rows):
    assert _shown(_as(reviewer), person="乙单位经办人") == {"乙单位的项目"}


def test_the_object_filter(reviewer, rows):
    client = _as(reviewer)

    assert _shown(client, object_type="targets.project", object_id="8") == {"乙单位的项目"}
    assert _shown(client, object_type="rounds.round") == {"本局的轮次"}


def test_the_action_filter(reviewer, rows):
    assert _shown(_as(reviewer), action="open") == {"本局的轮次"}


def test_the_date_filter(reviewer, rows, monkeypatch):
    past = timezone.now() - dt.timedelta(days=10)
    monkeypatch.setattr(timezone, "now", lambda: past)
    record(
        Actor(reviewer),
        Action.OPEN,
        object_type="rounds.round",
        object_id=1,
        object_repr="旧轮次",
        bureau=reviewer.membership.bureau,
    )
    monkeypatch.undo()
    day = timezone.localtime(past).date()
    client = _as(reviewer)

    only_then = _shown(client, date_from=day.isoformat(), date_to=day.isoformat())
    since = _shown(client, date_from=(day + dt.timedelta(days=1)).isoformat())

    assert only_then == {"旧轮次"}
    assert "旧轮次" not in since and "本局的轮次" in since


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2021-13-45"},
        {"date_from": "9" * 40},
        {"action": "drop-table"},
        {"object_type": "<script>"},
        {"before": "9" * 40},
        {"after": "-1"},
        {"unit": "abc"},
        {"object_id": "x" * 500},
    ],
)
def test_malformed_filters_answer_a_form_error_or_404_never_500(reviewer, rows, query):
    response = _as(reviewer).get(LOG, query)

    assert response.status_code in (200, 404)


def test_a_malformed_date_shows_its_error_and_the_other_filters_still_apply(reviewer, rows):
    response = _as(reviewer).get(LOG, {"date_from": "2021-13-45", "action": "open"})

    assert "起始日期" in response.content.decode()
    assert {item.row.object_repr for item, _ in response.context["items"]} == {"本局的轮次"}


def test_a_row_links_to_its_objects_page(reviewer, rows):
    response = _as(reviewer).get(LOG, {"action": "open"})

    [(_item, url)] = response.context["items"]
    assert url == reverse("rounds:index") + "#round-3"


def test_names_in_rows_are_escaped(reviewer, org):
    record(
        Actor(reviewer), Action.UPDATE, object_type="targets.project", object_id=1,
        object_repr="<img src=x onerror=alert(1)>", unit=org.unit,
    )  # fmt: skip

    text = _as(reviewer).get(LOG).content.decode()

    assert "<img src=x" not in text and "&lt;img src=x" in text


# -- pages ---------------------------------------------------------------------------------


def _many(n: int, org) -> None:
    record_many(
        Actor.system("测试"),
        [
            Entry.of(
                Action.UPDATE,
                object_type="targets.project",
                object_id=i,
                object_repr=f"第{i}条",
                unit=org.unit.pk,
            )
            for i in range(1, n + 1)
        ],
    )


def _reprs(response) -> list[str]:
    return [item.row.object_repr for item, _ in response.context["items"]]


def test_rows_come_newest_first_fifty_a_page(reviewer, org):
    _many(120, org)
    client = _as(reviewer)

    only = {"unit": str(org.unit.pk), "object_type": "targets.project"}
    first = client.get(LOG, only)
    assert _reprs(first) == [f"第{i}条" for i in range(120, 70, -1)]
    assert first.context["older"] and not first.context["newer"]

    second = client.get(LOG, {**only, "before": first.context["last_seq"]})
    assert _reprs(second) == [f"第{i}条" for i in range(70, 20, -1)]
    assert second.context["older"] and second.context["newer"]

    third = client.get(LOG, {**only, "before": second.context["last_seq"]})
    assert _reprs(third) == [f"第{i}条" for i in range(20, 0, -1)]
    assert not third.context["older"]

    back = client.get(LOG, {**only, "after": second.context["first_seq"]})
    assert _reprs(back) == _reprs(first)
    assert "before=" in first.content.decode()


def test_a_page_costs_the_same_queries_however_long_the_log(
    reviewer, org, django_assert_max_num_queries
):
    client = _as(reviewer)
    _many(60, org)
    client.get(LOG)  # warm the session
    with django_assert_max_num_queries(12) as small:
        client.get(LOG)
    _many(600, org)
    before = str(ChangeLog.objects.order_by("-seq")[100].seq)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(LOG, {"before": before})

    assert len(response.context["items"]) == 50


# -- the download --------------------------------------------------------------------------


def test_the_csv_download_holds_the_filtered_rows_with_formulas_neutralised(reviewer, org):
    record(
        Actor(reviewer), Action.UPDATE, object_type="targets.project", object_id=5,
        object_repr="=HYPERLINK(\"http://x\")", unit=org.unit,
        before={"name": "旧"}, after={"name": "新"},
    )  # fmt: skip
    record(
        Actor(reviewer),
        Action.OPEN,
        object_type="rounds.round",
        object_id=3,
        object_repr="轮次",
        bureau=org.bureau,
    )

    response = _as(reviewer).get(LOG, {"action": "update", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:3] == ["序号", "时间", "操作人"]
    [row] = table[1:]
    assert row[9] == '\'=HYPERLINK("http://x")'
    assert row[10] == "修改"
    assert row[2] == "财政审核员（reviewer）"
    assert "旧" in row[11] and "新" in row[11]


def test_the_csv_download_is_403_for_officers(officer):
    assert _as(officer).get(LOG, {"format": "csv"}).status_code == 403
