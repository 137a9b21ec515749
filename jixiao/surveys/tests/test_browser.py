"""In Chromium: the officer publishes a survey, a member of the public answers it on a phone
(390 px) and the satisfaction indicator's actual moves; the bureau's reviewer publishes the
unit's targets and the public page keeps showing what was published.

Screenshots go to ``JIXIAO_WEB_CHECK_DIR`` when set, else to ``test-output/screenshots``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from jixiao.publication.models import Publication
from jixiao.surveys import services
from jixiao.surveys.models import Survey
from jixiao.surveys.tests.conftest import ANSWER_DAY
from jixiao.system.demo.services import DEMO_PASSWORD, load_demo
from jixiao.system.demo.year import P1
from jixiao.targets.models import Indicator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("JIXIAO_WEB_CHECK_DIR") or "test-output/screenshots")
PHONE = {"width": 390, "height": 844}
ACTUALS = "/actuals/?unit=224001&year=2021&as_of=2021-12-31"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def person(browser: Browser, base: str, path: str, username: str, **context: object) -> Page:
    page = browser.new_context(**context).new_page()  # type: ignore[arg-type]
    page.goto(base + path)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(re.escape(path.split("?")[0])))
    return page


def satisfaction_cell(page: Page, indicator: Indicator) -> str:
    return page.locator(f"#indicator-{indicator.pk} td.actual strong").inner_text()


def test_the_public_answers_on_a_phone_and_the_indicator_moves(
    live_server: object, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo()
    monkeypatch.setattr(services, "today", lambda: ANSWER_DAY)  # an answer in the demo year
    base = str(live_server)
    indicator = Indicator.objects.get(project__code=P1, project__year=2021, level3="服务对象满意度")
    officer = person(browser, base, "/surveys/", "demo", viewport={"width": 1280, "height": 900})
    officer.get_by_label("关联项目").select_option(label=f"2021年 · {indicator.project.name}")
    officer.get_by_role("button", name="从模板创建").click()
    officer.get_by_role("button", name="开始收集").click()
    expect(officer.locator(".messages")).to_contain_text("问卷已开始收集")
    survey = Survey.objects.get()
    assert survey.indicator_id == indicator.pk  # the project's satisfaction indicator, found
    shot(officer, "survey-detail")
    link = officer.locator("a.survey-link").inner_text()
    assert link.endswith(f"/s/{survey.token}/")

    officer.goto(base + ACTUALS)
    assert satisfaction_cell(officer, indicator) == "95.88"  # 93 / 97

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(link)
    expect(phone.get_by_role("heading", name="服务对象满意度调查问卷")).to_be_visible()
    # Nothing is wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_label("群众").check()
    phone.get_by_label("非常满意").check()
    shot(phone, "survey-phone-form")
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_role("status")).to_contain_text("提交成功")
    shot(phone, "survey-phone-done")
    phone.goto(link)
    expect(phone.get_by_role("status")).to_contain_text("本设备已经填写过")

    officer.goto(base + ACTUALS)
    # (93 + 1) / (97 + 1) × 100 = 94 / 98 × 100 = 95.92
    assert satisfaction_cell(officer, indicator) == "95.92"
    officer.goto(base + f"/surveys/{survey.pk}/results/")
    expect(officer.locator(".survey-actual")).to_contain_text("95.92")
    officer.wait_for_selector("[data-drawn=true]")
    shot(officer, "survey-results")

    # The answer turns out to be a colleague's test: the officer voids it.
    (answered,) = survey.responses.all()
    officer.get_by_role("link", name="答卷明细").click()
    officer.get_by_label("答卷编号").fill(answered.number)
    officer.get_by_label("作废原因").fill("本单位工作人员测试")
    officer.get_by_role("button", name="作废答卷").click()
    expect(officer.locator(".messages")).to_contain_text(f"已作废答卷 {answered.number}")
    expect(officer.locator(".survey-responses")).to_contain_text("本单位工作人员测试")
    shot(officer, "survey-responses-voided")
    officer.set_viewport_size(PHONE)
    assert officer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(officer, "survey-responses-390")
    officer.set_viewport_size({"width": 1280, "height": 900})
    officer.goto(base + f"/surveys/{survey.pk}/results/")
    expect(officer.locator(".survey-answered")).to_have_text("0")
    expect(officer.locator(".survey-voided")).to_contain_text("另有作废 1 份")
    expect(officer.locator(".survey-actual")).to_contain_text("95.88")  # 93 / 97 again
    officer.goto(base + ACTUALS)
    assert satisfaction_cell(officer, indicator) == "95.88"


def test_the_public_page_shows_only_what_was_published(
    live_server: object, browser: Browser
) -> None:
    load_demo()
    base = str(live_server)
    reviewer = person(
        browser, base, "/publication/", "shenhe", viewport={"width": 1280, "height": 900}
    )
    reviewer.get_by_role("button", name="公开目标").first.click()
    expect(reviewer.locator(".messages")).to_contain_text("已发布")
    shot(reviewer, "publication-reviewer")
    publication = Publication.objects.get()
    indicator = Indicator.objects.filter(project__unit__code="224001").order_by("pk").first()
    assert indicator is not None
    published_name = indicator.level3
    Indicator.objects.filter(pk=indicator.pk).update(level3="发布后才改的指标名")

    phone = browser.new_context(viewport=PHONE, is_mobile=True).new_page()
    phone.goto(base + "/public/")
    phone.get_by_role("link", name=publication.title).click()
    expect(phone.locator(".public-doc")).to_contain_text(published_name)
    expect(phone.locator(".public-doc")).not_to_contain_text("发布后才改的指标名")
    shot(phone, "publication-public-phone")

    reviewer.get_by_label("撤回原因").first.fill("测试撤回")
    reviewer.get_by_role("button", name="撤回").first.click()
    expect(reviewer.locator(".messages")).to_contain_text("已撤回")
    gone = phone.goto(base + f"/public/p/{publication.token}/")
    assert gone is not None and gone.status == 404
