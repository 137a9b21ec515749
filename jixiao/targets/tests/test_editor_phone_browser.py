"""The target grid at 390 px (a phone): the table scrolls in its box, the page does not; the
level cells can be renamed and a level 2 added; 保存 is reachable. Screenshots under
tests/screenshots/ (or ``JIXIAO_WEB_CHECK_DIR``)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from jixiao.system.demo.services import DEMO_PASSWORD, load_demo
from jixiao.targets.editing import NEW_LEVEL2
from jixiao.targets.models import Indicator, Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(
    os.environ.get("JIXIAO_WEB_CHECK_DIR")
    or Path(__file__).resolve().parents[3] / "tests" / "screenshots"
)
CODE = "13032221C2GKIBLPDEWRQ"


def test_the_grid_at_390px_renames_a_level_adds_a_level2_and_saves(page: Page, live_server) -> None:
    load_demo()
    project = Project.objects.get(code=CODE, year=2021)
    first = Indicator.objects.filter(project=project).order_by("position")[0]
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/targets/project/{project.pk}/edit/")
    page.get_by_label("用户名").fill("demo")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name=re.compile("编辑「"))).to_be_visible()

    # The page itself does not scroll sideways: the tables scroll inside their boxes.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 392, width
    box = page.locator(".table-editor .table-scroll").nth(1)
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "targets-editor-390.png"), full_page=True)

    page.get_by_label("第 1 行起的一级指标名称").fill("产出")
    page.get_by_role("button", name=f"在“{first.level1}”下添加二级指标").click()
    new_row = page.locator(".edit-grid tr.new-row")
    expect(new_row).to_have_count(1)
    expect(new_row.locator("textarea.level-name").first).to_have_value(NEW_LEVEL2)
    expect(page.get_by_label("第 1 行起的一级指标名称")).to_have_value("产出")
    new_row.locator("textarea.level-name").first.fill("时效指标")
    new_row.locator("textarea[name$='-level3']").fill("按时完成率")
    new_row.locator("input[name$='-target']").fill("≥95%")
    expect(new_row.locator(".reading")).to_have_text(re.compile("定量 ≥ 95"))
    save = page.get_by_role("button", name="保存")
    save.scroll_into_view_if_needed()
    expect(save).to_be_in_viewport()
    page.screenshot(path=str(SHOTS / "targets-editor-390-new-level2.png"), full_page=True)
    save.click()
    expect(page).to_have_url(re.compile(rf"/project/{project.pk}/history/$"))
    assert Indicator.objects.get(pk=first.pk).level1 == "产出"
    added = Indicator.objects.get(project=project, level3="按时完成率")
    assert (added.level1, added.level2, added.target) == ("产出", "时效指标", "≥95%")
