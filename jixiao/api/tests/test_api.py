"""The API on the demo: reads, writes through the services, errors, tokens and the schema."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from openapi_spec_validator import validate

from jixiao.api.models import ApiToken
from jixiao.api.tests.conftest import UNIT, UNIT_B, YEAR
from jixiao.api.tokens import authenticate, create_token, digest, revoke_token
from jixiao.audit.models import ChangeLog
from jixiao.ledgers.models import LedgerEntry
from jixiao.lib.actor import Actor
from jixiao.metrics.evaluate import evaluate
from jixiao.targets.models import Project

pytestmark = pytest.mark.django_db
MakeClient = Callable[[str], Client]
JSON = "application/json"


def _opinion(link: str, **extra: object) -> dict[str, object]:
    return {
        "title": "县城某小区停水引发网民关注",
        "platform": "微博",
        "link": link,
        "first_seen": "2021-07-01",
        "grade": "一般",
        "must_handle": True,
        **extra,
    }


# --- the schema and its page ----------------------------------------------------------------


def test_openapi_schema_validates(demo: None) -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert "/api/records/bulk" in schema["paths"]
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_docs_page_loads_swagger_from_this_server_not_a_cdn(demo: None) -> None:
    html = Client().get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui-init.js" in html
    assert "cdn" not in html.lower() and "https://" not in html


# --- tokens ---------------------------------------------------------------------------------


def test_a_token_is_stored_hashed_and_acts_as_its_account(demo: None) -> None:
    user = get_user_model().objects.get(username="demo")
    new = create_token("舆情系统", actor=Actor(user=user))
    stored = ApiToken.objects.get(pk=new.token.pk)
    assert new.secret.startswith("jx_") and len(new.secret) == 43
    assert stored.digest == digest(new.secret) != new.secret
    assert new.secret not in str(ApiToken.objects.filter(pk=stored.pk).values().get())
    me = Client(headers={"Authorization": f"Bearer {new.secret}"}).get("/api/me").json()
    assert (me["username"], me["role"], me["via"]) == ("demo", "officer", "token")
    row = ChangeLog.objects.get(object_type="api.apitoken", object_id=str(stored.pk))
    assert (row.action, row.after["name"], row.unit_id) == (
        "create",
        "舆情系统",
        user.membership.unit_id,
    )


def test_a_revoked_token_answers_401_and_the_revocation_is_logged(demo: None) -> None:
    user = get_user_model().objects.get(username="demo")
    new = create_token("会计系统", actor=Actor(user=user))
    client = Client(headers={"Authorization": f"Bearer {new.secret}"})
    assert client.get("/api/units").status_code == 200
    revoke_token(new.token, actor=Actor(user=user))
    response = client.get("/api/units")
    assert response.status_code == 401
    assert "令牌无效、已撤销" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert authenticate(new.secret) is None
    actions = ChangeLog.objects.filter(object_type="api.apitoken", object_id=str(new.token.pk))
    assert sorted(actions.values_list("action", flat=True)) == ["create", "revoke"]


def test_a_disabled_account_s_token_answers_401(demo: None) -> None:
    user = get_user_model().objects.get(username="demo")
    secret = create_token("x", actor=Actor(user=user)).secret
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/me").status_code == 401


def test_unknown_or_missing_token_answers_401_in_chinese(demo: None) -> None:
    for headers in ({}, {"Authorization": "Bearer jx_nothing"}, {"Authorization": "Basic eDp4"}):
        response = Client(headers=headers).get("/api/units")
        assert response.status_code == 401
        assert response.json()["detail"].startswith("未登录")


def test_nobody_revokes_another_person_s_token(demo: None) -> None:
    owner = get_user_model().objects.get(username="demo")
    token = create_token("x", actor=Actor(user=owner)).token
    other = Client()
    other.force_login(get_user_model().objects.get(username="fuzeren"))
    assert other.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).active


def test_the_tokens_page_shows_a_new_token_once(demo: None) -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(username="demo"))
    posted = client.post("/api/tokens/", {"name": "舆情系统"})
    # Post, redirect, get: reloading the page shown after it does not post again.
    assert (posted.status_code, posted["Location"]) == (302, "/api/tokens/")
    created = client.get("/api/tokens/")
    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user__username="demo", name="舆情系统")
    secret = created.context["secret"]
    assert digest(secret) == token.digest and secret in created.content.decode()
    again = client.get("/api/tokens/").content.decode()
    assert secret not in again and token.prefix in again
    assert client.post("/api/tokens/", {"name": "舆情系统"}).status_code == 400  # same name
    client.post(f"/api/tokens/{token.pk}/revoke/")
    assert not ApiToken.objects.get(pk=token.pk).active


# --- the session, for the browser -----------------------------------------------------------


def test_session_writes_need_the_csrf_token(demo: None) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username="demo"))
    assert client.get("/api/units").status_code == 200
    body = {"unit": UNIT, "type": "opinion", "values": _opinion("https://weibo.com/csrf/1")}
    response = client.post("/api/records", body, content_type=JSON)
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    token = str(client.get("/api/tokens/").context["csrf_token"])
    response = client.post("/api/records", body, content_type=JSON, headers={"X-CSRFToken": token})
    assert response.status_code == 201
    log = ChangeLog.objects.get(
        object_type="ledgers.ledgerentry", object_id=str(response.json()["id"])
    )
    assert log.via == "api"


# --- reads ----------------------------------------------------------------------------------


def test_units_are_those_in_reach(api_client: MakeClient) -> None:
    assert [u["key"] for u in api_client("demo").get("/api/units").json()] == [UNIT]
    bureau = {u["key"] for u in api_client("shenhe").get("/api/units").json()}
    assert {UNIT, UNIT_B} <= bureau


def test_projects_carry_indicators_with_parsed_targets(api_client: MakeClient) -> None:
    projects = api_client("demo").get(f"/api/units/{UNIT}/years/{YEAR}/projects").json()
    first = projects[0]
    assert (first["name"], first["money_unit"], first["budget_total"]) == (
        "网络安全和信息化经费",
        "万元",
        "15",
    )
    row = first["indicators"][0]
    assert (row["level3"], row["target"]) == ("舆情监测预警、研判分析数", "≥200条")
    assert row["parsed"] == {"kind": "quantitative", "op": ">=", "value": "200", "unit": "条"}


def test_another_unit_s_objects_are_404(api_client: MakeClient) -> None:
    client = api_client("dangan")  # unit B's officer
    record = LedgerEntry.objects.filter(unit__code=UNIT).first()
    project = Project.objects.filter(unit__code=UNIT).first()
    assert client.get(f"/api/records/{record.pk}").status_code == 404
    assert client.get(f"/api/projects/{project.pk}").status_code == 404
    assert client.get(f"/api/units/{UNIT}/years/{YEAR}/actuals").status_code == 404
    response = client.put(f"/api/records/{record.pk}", {"values": {}}, content_type=JSON)
    assert response.status_code == 404
    assert response.json()["detail"] == "找不到该对象，或您无权访问。"
    listed = client.get("/api/records", {"type": "opinion"}).json()
    assert all(item["unit"] != UNIT for item in listed["items"])


def test_records_are_paged_and_filtered(api_client: MakeClient) -> None:
    client = api_client("demo")
    query = {"type": "opinion", "date_from": "2021-03-01", "date_to": "2021-03-31"}
    expected = LedgerEntry.objects.filter(
        unit__code=UNIT, ledger_type__code="opinion", date__month=3, date__year=2021
    ).count()
    first = client.get("/api/records", {**query, "page_size": 5}).json()
    assert first["count"] == expected > 5
    assert first["pages"] == -(-expected // 5)
    assert len(first["items"]) == 5
    assert all("2021-03-01" <= i["date"] <= "2021-03-31" for i in first["items"])
    last = client.get("/api/records", {**query, "page_size": 5, "page": first["pages"]}).json()
    seen = {i["id"] for i in first["items"]} & {i["id"] for i in last["items"]}
    assert seen == set()
    assert client.get("/api/records", {"page_size": 501}).status_code == 400


def test_actuals_are_the_metrics_engine_s(api_client: MakeClient) -> None:
    body = api_client("demo").get(f"/api/units/{UNIT}/years/{YEAR}/actuals?as_of=2021-06-30")
    rows = {a["indicator"]: a for a in body.json()["actuals"]}
    import datetime as dt

    engine = evaluate(Project.objects.filter(unit__code=UNIT, year=YEAR), dt.date(2021, 6, 30))
    assert rows.keys() == engine.keys()
    for pk, actual in engine.items():
        assert rows[pk]["value"] == (None if actual.value is None else str(actual.value))
    ratio = next(a for a in rows.values() if a["level3"] == "网络舆情处置率")
    assert Decimal(ratio["numerator"]) / Decimal(ratio["denominator"]) * 100 == pytest.approx(
        Decimal(ratio["value"]), abs=Decimal("0.01")
    )


def test_a_date_outside_the_year_is_400(api_client: MakeClient) -> None:
    response = api_client("demo").get(f"/api/units/{UNIT}/years/{YEAR}/actuals?as_of=2022-01-01")
    assert response.status_code == 400
    assert "不在 2021 年内" in response.json()["detail"]


def test_monitoring_and_evaluation_are_the_pages_documents(api_client: MakeClient) -> None:
    client = api_client("shenhe")
    monitoring = client.get(f"/api/units/{UNIT}/years/{YEAR}/monitoring?as_of=2021-06-30").json()
    assert monitoring["document"]["format"] == "jixiao.monitoring/1"
    assert monitoring["document"]["time_progress"] == "49.59"
    budget = monitoring["document"]["projects"][0]["budget"]
    assert (budget["execution_rate"], budget["light"]) == ("46.36", "green")
    evaluation = client.get(f"/api/units/{UNIT}/years/{YEAR}/evaluation").json()
    assert evaluation["document"]["format"] == "jixiao.selfeval/1"
    assert evaluation["report"]["round"] == "2021年度项目支出绩效自评"


# --- writes ---------------------------------------------------------------------------------


def test_create_update_and_move_a_record_logged_as_api(api_client: MakeClient) -> None:
    client = api_client("demo")
    body = {"unit": UNIT, "type": "opinion", "project": "13032221C2GKIBLPDEWRQ"}
    body["values"] = _opinion("https://weibo.com/api/1")
    created = client.post("/api/records", body, content_type=JSON)
    assert created.status_code == 201, created.content
    record = created.json()
    assert (record["state"], record["project"]["name"], record["version"]) == (
        "监测",
        "网络安全和信息化经费",
        1,
    )
    log = ChangeLog.objects.get(object_type="ledgers.ledgerentry", object_id=str(record["id"]))
    assert (log.via, log.action, log.username) == ("api", "create", "王经办（demo）")

    values = {**record["values"], "summary": "已核实"}
    updated = client.put(
        f"/api/records/{record['id']}", {"values": values, "version": 1}, content_type=JSON
    )
    assert updated.status_code == 200 and updated.json()["values"]["summary"] == "已核实"
    assert updated.json()["version"] == 2
    stale = client.put(
        f"/api/records/{record['id']}", {"values": values, "version": 1}, content_type=JSON
    )
    assert stale.status_code == 409 and stale["X-Current-Version"] == "2"
    assert "已被他人修改" in stale.json()["detail"]

    moved = client.post(
        f"/api/records/{record['id']}/transition",
        {"to_state": "预警", "on": "2021-07-02", "version": 2},
        content_type=JSON,
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["record"]["state_dates"] == {"监测": "2021-07-01", "预警": "2021-07-02"}
    wrong = client.post(
        f"/api/records/{record['id']}/transition", {"to_state": "监测"}, content_type=JSON
    )
    assert wrong.status_code == 400 and "不能从“预警”转到“监测”" in wrong.json()["detail"]


def test_a_bad_value_is_400_naming_the_field(api_client: MakeClient) -> None:
    body = {"unit": UNIT, "type": "opinion", "values": _opinion("not a link", grade="特大")}
    response = api_client("demo").post("/api/records", body, content_type=JSON)
    assert response.status_code == 400
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert fields["link"].startswith("“链接”不是有效的链接")
    assert "不在选项中" in fields["grade"]


def test_the_bureau_reads_but_may_not_write(api_client: MakeClient) -> None:
    body = {"unit": UNIT, "type": "opinion", "values": _opinion("https://weibo.com/api/2")}
    response = api_client("shenhe").post("/api/records", body, content_type=JSON)
    assert response.status_code == 403
    assert response.json()["detail"] == "只有本单位的填报员或单位负责人可以修改本单位的数据。"


def test_an_address_trying_many_bad_tokens_is_refused_for_a_while(
    demo: None, settings: Any
) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.JIXIAO_API_BAD_TOKEN_LIMIT = 3
    user = get_user_model().objects.get(username="demo")
    good = Client(
        headers={"Authorization": f"Bearer {create_token('x', actor=Actor(user=user)).secret}"}
    )
    for n in range(3):
        bad = Client(headers={"Authorization": f"Bearer jx_guess{n}"})
        assert bad.get("/api/units").status_code == 401
    refused = good.get("/api/units")
    assert refused.status_code == 429
    assert refused.json()["detail"] == "无效令牌次数过多，请 10 分钟后再试。"
    cache.clear()
    assert good.get("/api/units").status_code == 200


def test_json_answers_carry_no_raw_markup_and_read_back_the_same(api_client: MakeClient) -> None:
    title = '网信办<script>alert(1)</script>&"'
    body = {"unit": UNIT, "type": "opinion", "values": _opinion("https://x.cn/m", title=title)}
    response = api_client("demo").post("/api/records", body, content_type=JSON)
    raw = response.content.decode()
    assert "<script>" not in raw and "\\u003cscript\\u003e" in raw
    assert "网信办" in raw  # UTF-8, not \\u escapes
    assert response.json()["values"]["title"] == title


def test_a_page_of_records_costs_the_same_queries_whatever_its_size(
    api_client: MakeClient, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_client("shenhe")
    client.get("/api/me")  # the token's first use is written down once
    counts = []
    for size in (5, 200):
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/api/records", {"page_size": size}).json()
        assert len(body["items"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8
    with django_assert_max_num_queries(8):
        projects = client.get(f"/api/units/{UNIT}/years/{YEAR}/projects").json()
    assert sum(len(p["indicators"]) for p in projects) > 10
