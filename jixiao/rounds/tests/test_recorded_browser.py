"""A past year's imported self-evaluation in a real browser (Chromium): picked with the year
picker, shown marked as imported, with the way to the live scores and back.

Set ``JIXIAO_WEB_CHECK_DIR`` to keep full-page screenshots for a look by eye.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Page, expect

from jixiao.core.document import TargetDocument
from jixiao.lib.actor import Actor
from jixiao.system.demo.services import DEMO_PASSWORD, load_demo
from jixiao.targets.services import import_document
from jixiao.targets.tests.selfeval import selfeval_document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("JIXIAO_WEB_CHECK_DIR")


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_pick_the_past_year_see_the_imported_results_and_the_live_ones(
    page: Page, live_server, demo_document: TargetDocument
) -> None:
    load_demo()
    import_document(
        selfeval_document(demo_document, 2020),
        actor=Actor(User.objects.get(username="demo")),
        source="2020年自评表.xlsx",
    )
    page.goto(live_server.url + reverse("rounds:evaluation"))
    page.get_by_label("用户名").fill("demo")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".doc-title")).to_contain_text("2021 年度项目支出绩效自评")
    expect(page.locator(".imported-mark")).to_have_count(0)

    # htmx swaps the page in place once it has wired the picker up (after the page's load;
    # a person never picks within those milliseconds, a loaded test machine's script might).
    page.wait_for_load_state("load")
    page.get_by_label("预算年度").select_option("2020")

    mark = page.locator(".imported-mark")
    expect(mark).to_contain_text("导入的自评结果")
    expect(mark).to_contain_text("「2020年自评表.xlsx」")
    expect(page).to_have_url(re.compile(r"year=2020"))
    row = page.locator(".recorded-table tr", has_text="网络舆情处置率")
    expect(row.locator("td")).to_have_text(
        [
            "质量指标",
            "网络舆情处置率",
            "100%",
            "98.21%",
            "25.00",
            "24.55",
            "个别舆情处置滞后，已建立24小时值班制度。",
        ]
    )
    expect(page.locator(".recorded-table .totals")).to_contain_text("99.02")
    expect(page.locator(".imported-tag")).to_contain_text("王经办")
    screenshot(page, "evaluation-2020-imported")

    page.get_by_role("link", name="查看系统按台账计算的 2020 年自评").click()
    expect(page.locator(".notice")).to_contain_text("下面是系统按台账计算的 2020 年自评")
    expect(page.locator(".imported-mark")).to_have_count(0)
    screenshot(page, "evaluation-2020-live")
    page.locator(".notice").get_by_role("link", name="导入的自评结果").click()
    expect(page.locator(".imported-mark")).to_contain_text("「2020年自评表.xlsx」")
