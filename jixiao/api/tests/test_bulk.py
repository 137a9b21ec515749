"""Bulk import through the API: 1,000 records in one call, all or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Sum
from django.test import Client

from jixiao.api.tests.conftest import UNIT
from jixiao.audit.models import ChangeLog
from jixiao.ledgers.models import ImportBatch, LedgerEntry

pytestmark = pytest.mark.django_db
MakeClient = Callable[[str], Client]
JSON = "application/json"
PROJECT = "13032221C2GKIBLPDEWRQ"


def opinions(count: int, start: int = 0) -> list[dict[str, Any]]:
    """``count`` distinct 舆情 records of 2021, as a 舆情 service would push them."""
    day = dt.date(2021, 1, 1)
    return [
        {
            "values": {
                "title": f"网民反映第 {n} 号问题",
                "platform": "微博",
                "link": f"https://weibo.com/push/{n}",
                "first_seen": (day + dt.timedelta(days=n % 360)).isoformat(),
                "grade": "一般",
                "must_handle": n % 2 == 0,
            },
            "project": PROJECT,
        }
        for n in range(start, start + count)
    ]


def push(client: Client, records: list[dict[str, Any]], **extra: Any) -> Any:
    body = {"unit": UNIT, "type": "opinion", "records": records, "overlap": "add", **extra}
    return client.post("/api/records/bulk", body, content_type=JSON)


def test_a_thousand_records_in_one_call_are_all_created_in_one_batch(
    api_client: MakeClient,
) -> None:
    before = LedgerEntry.objects.filter(unit__code=UNIT, ledger_type__code="opinion").count()
    seq = ChangeLog.objects.order_by("-seq").values_list("seq", flat=True).first()
    response = push(api_client("demo"), opinions(1000))
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert (body["created"], body["updated"], body["written"]) == (1000, 0, True)
    pushed = LedgerEntry.objects.filter(batch_id=body["batch"])
    assert pushed.count() == 1000
    assert LedgerEntry.objects.filter(unit__code=UNIT, ledger_type__code="opinion").count() == (
        before + 1000
    )
    batch = ImportBatch.objects.get(pk=body["batch"])
    assert (batch.origin, batch.rows, batch.by.username) == ("api", 1000, "demo")
    assert set(pushed.values_list("origin", flat=True)) == {"api"}
    assert set(pushed.values_list("project__code", flat=True)) == {PROJECT}
    # One change-log batch: 1,000 rows appended together, through the API, by the officer.
    rows = ChangeLog.objects.filter(seq__gt=seq, object_type="ledgers.ledgerentry")
    assert rows.count() == 1000
    assert set(rows.values_list("via", "action", "username")) == {
        ("api", "import", "王经办（demo）")
    }
    assert rows.values("at").distinct().count() == 1


def test_one_bad_row_among_a_thousand_creates_nothing_and_is_named(
    api_client: MakeClient,
) -> None:
    records = opinions(1000, start=5000)
    records[736]["values"]["first_seen"] = "2021-02-30"
    records[911]["values"]["platform"] = "小红书"
    client = api_client("demo")
    before = LedgerEntry.objects.count()
    logged = ChangeLog.objects.count()
    response = push(client, records)
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == [
        {
            "row": 737,
            "column": "首次发现时间",
            "message": "“首次发现时间”不是有效日期：2021-02-30（应如 2021-03-31）",
        },
        {
            "row": 912,
            "column": "来源平台",
            "message": "“来源平台”的值“小红书”不在选项中"
            "（微博、微信、抖音、今日头条、快手、论坛、新闻网站、其他）",
        },
    ]
    assert body["detail"].startswith("有 2 处问题，没有导入任何记录：第 737 行")
    assert LedgerEntry.objects.count() == before
    assert ChangeLog.objects.count() == logged
    assert not ImportBatch.objects.filter(origin="api").exists()


def test_a_key_repeated_in_the_call_and_an_unknown_project_are_row_errors(
    api_client: MakeClient,
) -> None:
    records = opinions(3, start=9000)
    records[2]["values"]["link"] = records[0]["values"]["link"]
    records[1]["project"] = "没有这个项目"
    body = push(api_client("demo"), records).json()
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(2, "项目"), (3, "链接")]
    assert body["errors"][1]["message"] == "与第 1 行重复（链接相同）"


def test_pushing_again_updates_by_natural_key(api_client: MakeClient) -> None:
    client = api_client("demo")
    assert push(client, opinions(5, start=7000)).json()["created"] == 5
    again = opinions(5, start=7000)
    again[0]["values"]["title"] = "标题更正"
    body = push(client, again).json()
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 1, 4)
    entry = LedgerEntry.objects.get(natural_key="https://weibo.com/push/7000")
    assert entry.data["title"] == "标题更正"


def test_dry_run_counts_without_writing(api_client: MakeClient) -> None:
    before = LedgerEntry.objects.count()
    body = push(api_client("demo"), opinions(10, start=8000), dry_run=True).json()
    assert (body["created"], body["written"], body["batch"]) == (10, False, None)
    assert LedgerEntry.objects.count() == before


def test_expenditure_overlapping_typed_records_asks_first(api_client: MakeClient) -> None:
    """Spending already typed for the project in those months: ask (409), as the import does."""
    payments = [
        {
            "values": {
                "paid_on": "2021-03-15",
                "amount": "1200.50",
                "economic_class": "办公费",
                "voucher": "API-0001",
                "payee": "某文具店",
            },
            "project": PROJECT,
        }
    ]
    client = api_client("demo")
    body = {"unit": UNIT, "type": "expenditure", "records": payments}
    asked = client.post("/api/records/bulk", body, content_type=JSON)
    assert asked.status_code == 409, asked.content
    assert "overlap=replace" in asked.json()["detail"]
    assert not LedgerEntry.objects.filter(natural_key="API-0001").exists()
    added = client.post("/api/records/bulk", {**body, "overlap": "add"}, content_type=JSON)
    assert added.status_code == 200
    entry = LedgerEntry.objects.get(natural_key="API-0001")
    assert (entry.amount_cents, entry.project.code) == (120050, PROJECT)
    total = LedgerEntry.objects.filter(batch_id=added.json()["batch"]).aggregate(
        s=Sum("amount_cents")
    )
    assert total["s"] == 120050


def test_more_than_the_limit_is_refused(api_client: MakeClient, settings: Any) -> None:
    settings.JIXIAO_API_BULK_MAX = 10
    response = push(api_client("demo"), opinions(11))
    assert response.status_code == 400
    assert response.json()["detail"] == "一次最多导入 10 条记录，本次 11 条。"


def test_the_bureau_may_not_push(api_client: MakeClient) -> None:
    response = push(api_client("shenhe"), opinions(2))
    assert response.status_code == 403
