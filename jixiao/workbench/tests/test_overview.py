"""财政总览: every unit and project of the bureau's year, the rounds' progress, 催报, Excel."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Org
from jixiao.audit.models import ChangeLog
from jixiao.ledgers.services import create_entry, ledger_type_for
from jixiao.lib.actor import Actor
from jixiao.notifications.models import Notification
from jixiao.rounds import services
from jixiao.rounds.choices import ReportStatus, RoundKind
from jixiao.rounds.models import Report
from jixiao.system.demo.services import load_demo
from jixiao.targets.models import Project, SpendingCheckpoint
from jixiao.units.models import Unit
from jixiao.units.services import create_unit

pytestmark = pytest.mark.django_db
OVERVIEW = reverse("workbench:overview")
SYSTEM = Actor.system("测试")


@pytest.fixture
def unit(org: Org) -> Unit:
    load_demo()
    return Unit.objects.get(code="224001")


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def add_units(unit: Unit, count: int) -> None:
    """More units of the bureau, each with a project of 2021 (10 万元, half by June, 2 paid)."""
    expenditure = None
    for n in range(count):
        other = create_unit(
            code=f"9{n:05d}", name=f"测试单位{n}", actor=SYSTEM, bureau=unit.finance_bureau
        )
        project = Project.objects.create(
            unit=other,
            year=2021,
            code=f"P{n}",
            name=f"项目{n}",
            money_unit="万元",
            budget_total=Decimal(10),
        )
        SpendingCheckpoint.objects.create(project=project, month=6, percent=Decimal(50))
        SpendingCheckpoint.objects.create(project=project, month=12, percent=Decimal(100))
        expenditure = expenditure or ledger_type_for(other, "expenditure")
        values = {
            "paid_on": "2021-03-01",
            "amount": "20000",
            "economic_class": "办公费",
            "voucher": f"V{n}",
        }
        create_entry(expenditure, other, values, actor=SYSTEM, project=project)


def test_the_reviewer_lands_on_the_overview_with_every_unit(unit: Unit, reviewer: User) -> None:
    client = client_of(reviewer)
    assert client.get("/")["Location"] == OVERVIEW
    add_units(unit, 1)
    page = text(client.get(OVERVIEW, {"as_of": "2021-06-30"}))
    assert "2021 年财政总览" in page
    # The demo's two projects as its pages show them, scored as submitted (98.56 / 99.37).
    assert "网络安全和信息化经费 15.00 万元 6.95 46.36% 绿灯 98.56 优 待财政审核" in page
    assert "网络宣传管理经费 5.00 万元 2.11 42.30% 绿灯 99.37 优 待财政审核" in page
    # 2 万元 of 10 by 30 June against a plan of 50%: 2 ÷ 5 = 40% of plan → red; not scored.
    assert "测试单位0 项目0 10.00 万元 2.00 20.00% 红灯 — 未开始" in page
    # The status is a link to the unit's report in the round (none for a unit not started).
    html = client.get(OVERVIEW, {"as_of": "2021-06-30"}).content.decode()
    (report,) = Report.objects.filter(unit=unit, status=ReportStatus.SUBMITTED)
    assert html.count(f'<a href="/rounds/reports/{report.pk}/">待财政审核</a>') == 2
    assert "<td>未开始</td>" in html


def test_filter_and_sort(unit: Unit, reviewer: User) -> None:
    add_units(unit, 2)
    client = client_of(reviewer)
    page = text(client.get(OVERVIEW, {"as_of": "2021-06-30", "light": "red"}))
    assert "项目0" in page and "项目1" in page and "网络安全和信息化经费" not in page
    page = text(client.get(OVERVIEW, {"as_of": "2021-06-30", "sort": "execution", "dir": "desc"}))
    assert page.index("网络安全和信息化经费") < page.index("网络宣传管理经费") < page.index("项目0")
    page = text(client.get(OVERVIEW, {"q": "宣传"}))
    assert "网络宣传管理经费" in page and "网络安全和信息化经费" not in page


def test_the_query_count_does_not_grow_with_the_units(unit: Unit, reviewer: User) -> None:
    client = client_of(reviewer)
    add_units(unit, 2)
    client.get(OVERVIEW)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(OVERVIEW).status_code == 200
    add_units_more = 10
    Unit.objects.filter(code__startswith="9").count()
    for n in range(2, 2 + add_units_more):
        other = create_unit(
            code=f"8{n:05d}", name=f"又一单位{n}", actor=SYSTEM, bureau=unit.finance_bureau
        )
        Project.objects.create(unit=other, year=2021, code=f"Q{n}", name=f"又一项目{n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(OVERVIEW)
    assert "又一项目11" in text(response)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_units_people_have_no_overview(unit: Unit, officer: User) -> None:
    assert client_of(officer).get(OVERVIEW).status_code == 403


def test_remind_tells_the_units_that_have_not_submitted(
    unit: Unit, reviewer: User, bureau_admin: User, officer: User, auditor: User
) -> None:
    add_units(unit, 1)
    round_ = services.open_round(
        kind=RoundKind.MONITORING,
        year=2021,
        as_of=dt.date(2021, 9, 30),
        due_on=dt.date(2021, 10, 20),
        bureau=unit.finance_bureau,
        title="三季度监控",
        actor=Actor(bureau_admin),
    )
    before = Notification.objects.filter(user=officer).count()
    url = reverse("workbench:remind", args=[round_.pk])
    assert client_of(auditor).post(url).status_code == 403
    response = client_of(reviewer).post(url, follow=True)
    page = text(response)
    # All three units of the bureau are still to fill in (a draft each, or none).
    assert "已提醒 3 个单位" in page
    mine = Notification.objects.filter(user=officer).order_by("-pk")
    assert mine.count() == before + 1
    assert mine[0].title == "请按时填报：三季度监控（截止 2021-10-20）"
    row = ChangeLog.objects.filter(action="remind").get()
    assert row.comment.startswith("催报：") and "测试单位0" in row.comment


def test_the_overview_as_excel(unit: Unit, reviewer: User) -> None:
    response = client_of(reviewer).get(OVERVIEW, {"as_of": "2021-06-30", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("单位编码", "预算单位", "预算项目")
    first = rows[1]
    assert first[2] == "网络安全和信息化经费"
    assert (first[4], first[5], first[6], first[8]) == (15, 6.95, 46.36, "绿灯")
    assert (first[9], first[10]) == (98.56, "优")
