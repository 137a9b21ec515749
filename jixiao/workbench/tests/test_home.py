"""The unit's home (工作台): projects with their lights, indicators behind plan, what is due."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Org
from jixiao.lib.actor import Actor
from jixiao.rounds import services
from jixiao.rounds.choices import ReportStatus, RoundKind
from jixiao.rounds.models import Report
from jixiao.rounds.tests.behind import INFLUENCE, PERIOD, interrupted
from jixiao.system.demo.services import load_demo
from jixiao.units.models import Unit
from jixiao.workbench.due import due_items

pytestmark = pytest.mark.django_db
HOME = reverse("workbench:home")


@pytest.fixture
def unit(org: Org) -> Unit:
    load_demo()
    return Unit.objects.get(code="224001")


def text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_home_is_the_first_page_after_login(unit: Unit, officer: User) -> None:
    response = client_of(officer).get("/")
    assert response.status_code == 200
    page = text(response)
    assert "中共昌黎县委网络安全和信息化委员会办公室本级 · 2021 年工作台" in page
    # The demo at 30 June (budget 15 and 5 万元; 6.95 and 2.11 spent; plan 50%): green both.
    assert "网络安全和信息化经费 15.00 万元 6.95 46.36% 50.00% 绿灯" in page
    assert "网络宣传管理经费 5.00 万元 2.11 42.30% 50.00% 绿灯" in page
    assert "所有指标都在计划进度内。" in page
    assert 'data-chart="spending"' in response.content.decode()
    # The target document moved to its own page.
    assert client_of(officer).get(reverse("targets:index")).status_code == 200


def test_indicators_behind_plan_are_listed_red_first(unit: Unit, officer: User) -> None:
    interrupted(unit)  # both 1年 durations at 0.3年
    # 31 July (no round then: computed now): 0.3 ÷ (212/365) = 51.65% of the expected → red.
    query = {"unit": "224001", "year": 2021, "as_of": "2021-07-31"}
    page = text(client_of(officer).get(HOME, query))
    behind = page[page.index("进度落后的指标") :]
    assert "所有指标都在计划进度内" not in behind
    assert behind.index(PERIOD) < behind.index("资金支出进度")
    assert behind.index(INFLUENCE) < behind.index("资金支出进度")
    assert behind.count("红灯") == 2


def test_what_is_due_links_to_where_it_is_done(
    unit: Unit, officer: User, bureau_admin: User
) -> None:
    today = timezone.localdate()
    round_ = services.open_round(
        kind=RoundKind.MONITORING,
        year=2021,
        as_of=dt.date(2021, 9, 30),
        due_on=dt.date(2021, 10, 20),
        bureau=unit.finance_bureau,
        title="三季度监控",
        actor=Actor(bureau_admin),
    )
    report = Report.objects.get(round=round_, unit=unit)
    items = due_items(unit, 2021, today, officer)
    rounds = [i for i in items if i.kind == "round"]
    assert [i.title for i in rounds] == ["三季度监控：填报中"]
    days = (today - dt.date(2021, 10, 20)).days
    assert rounds[0].detail == f"截止 2021-10-20，已逾期 {days} 天"
    assert rounds[0].link == reverse("rounds:report", args=[report.pk])
    assert rounds[0].urgent
    # The demo's 舆情 cases past their deadline and not closed (today is long after 2021).
    overdue = [i for i in items if i.kind == "overdue"]
    assert [i.title for i in overdue] == ["舆情：6 条已逾期"]
    assert overdue[0].link == "/ledgers/opinion/?unit=224001&overdue=1"
    # Once submitted, the round is no longer the unit's to do.
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    assert not [i for i in due_items(unit, 2021, today, officer) if i.kind == "round"]
    page = text(client_of(officer).get(HOME))
    assert "舆情：6 条已逾期" in page


def test_a_returned_report_is_due_first(unit: Unit, officer: User) -> None:
    report = Report.objects.get(unit=unit, round__kind=RoundKind.SELF_EVALUATION)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RETURNED)
    items = due_items(unit, 2021, timezone.localdate(), officer)
    assert items[0].kind == "returned"
    assert items[0].title.endswith("：已退回修改")
    assert items[0].link == reverse("rounds:report", args=[report.pk])


def test_another_units_home_is_not_found(unit: Unit, officer_b: User) -> None:
    assert client_of(officer_b).get(HOME, {"unit": "224001"}).status_code == 404
