"""The target-table editor in a real browser: type a target and see the parse, add a row,
save; the saved table has the new target and row. A screenshot of the grid is kept under
tests/screenshots/ (or ``JIXIAO_WEB_CHECK_DIR``)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from jixiao.system.demo.services import DEMO_PASSWORD, load_demo
from jixiao.targets.models import Indicator, Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(
    os.environ.get("JIXIAO_WEB_CHECK_DIR")
    or Path(__file__).resolve().parents[3] / "tests" / "screenshots"
)
CODE = "13032221C2GKIBLPDEWRQ"


def test_edit_a_target_see_the_parse_add_a_row_and_save(page: Page, live_server) -> None:
    load_demo()
    project = Project.objects.get(code=CODE, year=2021)
    url = f"{live_server.url}/targets/project/{project.pk}/edit/"
    page.goto(url)
    page.get_by_label("用户名").fill("demo")  # the demo unit's officer
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(
        page.get_by_role("heading", name=re.compile("编辑「网络安全和信息化经费」"))
    ).to_be_visible()

    first = page.get_by_label("第 1 行指标值", exact=True)
    reading = page.locator("td.target .reading").first
    first.fill("≥abc")
    expect(reading).to_contain_text("有计算符号，但后面没有可以识别的数值")
    first.fill("不低于260条")
    expect(reading).to_have_text("定量 ≥ 260 条")

    rows_before = page.locator(".edit-grid tbody tr:not(.row-errors)").count()
    page.get_by_role("button", name="在第 1 行的二级指标下添加一行").click()
    expect(page.locator(".edit-grid tr.new-row")).to_have_count(1)
    assert page.locator(".edit-grid tbody tr:not(.row-errors)").count() == rows_before + 1
    new_row = page.locator(".edit-grid tr.new-row")
    new_row.locator("textarea[name$='-level3']").fill("舆情分析报告期数")
    new_row.locator("input[name$='-target']").fill("≥12期")
    expect(new_row.locator(".reading")).to_have_text("定量 ≥ 12 期")
    expect(first).to_have_value("不低于260条")  # the typed target survived the redraw
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "targets-editor.png"), full_page=True)

    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(rf"/project/{project.pk}/history/$"))
    expect(page.get_by_text("已保存「网络安全和信息化经费」的绩效目标表")).to_be_visible()
    page.screenshot(path=str(SHOTS / "targets-editor-saved.png"), full_page=True)
    rows = list(Indicator.objects.filter(project=project))
    assert rows[0].target == "不低于260条"
    assert [r.level3 for r in rows if r.target == "≥12期"] == ["舆情分析报告期数"]
