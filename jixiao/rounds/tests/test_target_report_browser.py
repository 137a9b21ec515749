"""A target round's report in a browser: the changed and added rows marked, what changed said
under each table, the warning when the table in force moved, at desktop width and at 390 px;
the submission snapshot drawn as the official table. Screenshots under tests/screenshots/."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from jixiao.lib.actor import Actor
from jixiao.rounds import services
from jixiao.rounds import targets as target_rounds
from jixiao.rounds.choices import RoundKind
from jixiao.rounds.models import Report
from jixiao.system.demo.services import DEMO_PASSWORD, load_demo
from jixiao.targets.editing import edit_of, targets_of
from jixiao.targets.models import Indicator
from jixiao.units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(
    os.environ.get("JIXIAO_WEB_CHECK_DIR")
    or Path(__file__).resolve().parents[3] / "tests" / "screenshots"
)
NAME = "舆情监测预警、研判分析数"


def test_the_report_marks_the_drafts_changes(page: Page, live_server) -> None:
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
    project = Indicator.objects.get(project__unit=unit, project__year=2021, level3=NAME).project
    table = target_rounds.draft_table(report, project)
    state = edit_of(table.targets, table.row_ids, table.version)
    at = next(n for n, r in enumerate(state.rows) if r.level3 == NAME)
    state.rows[at].target = "≥260条"
    state.rows.insert(
        at + 1, replace(state.rows[at], id=None, level3="宣传活动场次", target="≥4场")
    )
    targets, ids = targets_of(state, year=2021)
    officer = Actor(users.get(username="demo"))
    target_rounds.save_target_draft(report, project, targets, row_ids=ids, version=0, actor=officer)

    page.goto(f"{live_server.url}/rounds/reports/{report.pk}/")
    page.get_by_label("用户名").fill("demo")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    section = page.locator(f"#project-{project.pk}")
    expect(section.locator("tr.row-changed")).to_have_count(1)
    expect(section.locator("tr.row-added")).to_have_count(1)
    expect(section.locator(".change-summary")).to_contain_text("修改 1 行")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "target-round-report.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 392, width
    expect(page.get_by_role("button", name="提交")).to_be_attached()
    page.screenshot(path=str(SHOTS / "target-round-report-390.png"), full_page=True)

    page.get_by_role("button", name="提交").click()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/rounds/reports/{report.pk}/submissions/1/")
    expect(page.get_by_text(NAME + "【修改】")).to_be_visible()
    page.screenshot(path=str(SHOTS / "target-round-submission.png"), full_page=True)
