"""The unit-wide goal in a target round, in a browser: the officer opens 编辑部门整体目标 from
the report, raises the 舆情 sub-goal's indicators, sees the goal marked 已修改 with what changed
(desktop and 390 px), submits, and the submission shows the note. Screenshots under
tests/screenshots/."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from jixiao.lib.actor import Actor
from jixiao.rounds import services
from jixiao.rounds.choices import RoundKind
from jixiao.rounds.models import GoalDraft, Report
from jixiao.system.demo.services import DEMO_PASSWORD, load_demo
from jixiao.targets.models import UnitGoal
from jixiao.units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(
    os.environ.get("JIXIAO_WEB_CHECK_DIR")
    or Path(__file__).resolve().parents[3] / "tests" / "screenshots"
)
OLD = "舆情监测预警、研判分析数200条以上，网络舆情处置率达到100%。"
NEW = "舆情监测预警、研判分析数260条以上，网络舆情处置率达到100%。"


def test_the_officer_edits_the_goal_in_the_round(page: Page, live_server) -> None:
    from django.contrib.auth import get_user_model

    load_demo()
    users = get_user_model().objects
    unit = Unit.objects.get(code="224001")
    round_ = services.open_round(
        kind=RoundKind.ADJUSTMENT,
        year=2021,
        due_on=dt.date(2021, 7, 15),
        bureau=unit.finance_bureau,
        actor=Actor(users.get(username="caizheng")),
    )
    report = Report.objects.get(round=round_, unit=unit)

    page.goto(f"{live_server.url}/rounds/reports/{report.pk}/")
    page.get_by_label("用户名").fill("demo")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    goal = page.locator("#unit-goal")
    expect(goal.locator(".badge")).to_have_text("未修改")
    goal.get_by_role("link", name="编辑部门整体目标").click()
    expect(page.locator(".hint")).to_contain_text("草稿")
    box = page.locator("textarea", has_text=OLD)
    box.fill(NEW)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "target-round-goal-edit.png"), full_page=True)
    page.get_by_role("button", name="保存").click()

    goal = page.locator("#unit-goal")
    expect(goal.locator(".badge")).to_have_text("已修改（草稿）")
    expect(goal.locator(".change-summary")).to_contain_text(f"绩效指标改为“{NEW}”")
    expect(goal).to_contain_text(NEW)
    assert GoalDraft.objects.filter(report=report).count() == 1
    assert OLD in "".join(
        s.indicators or "" for s in UnitGoal.objects.get(unit=unit, year=2021).sub_goals.all()
    )
    goal.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "target-round-goal.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 392, width
    page.screenshot(path=str(SHOTS / "target-round-goal-390.png"), full_page=True)

    page.get_by_role("button", name="提交").click()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/rounds/reports/{report.pk}/submissions/1/")
    expect(page.get_by_text("【已修改】与现行部门整体绩效目标相比")).to_be_visible()
    page.screenshot(path=str(SHOTS / "target-round-goal-submission.png"), full_page=True)
