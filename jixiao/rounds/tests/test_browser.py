"""The review loop in a real browser (Chromium): each person logs in through the login form.

Set ``JIXIAO_WEB_CHECK_DIR`` to keep full-page screenshots of the pages for a look by eye.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Locator, Page, expect

from jixiao.lib.actor import Actor
from jixiao.rounds import services
from jixiao.rounds.choices import ReportStatus, RoundKind
from jixiao.rounds.models import IndicatorEntry, Report, ReviewComment
from jixiao.rounds.tests.behind import INFLUENCE, PERIOD, interrupted
from jixiao.system.demo.services import DEMO_PASSWORD, load_demo
from jixiao.targets.models import Indicator
from jixiao.units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("JIXIAO_WEB_CHECK_DIR")


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def wait_until_settled(page: Page) -> None:
    """Wait for htmx to finish a swap (its request, swap and settle classes are gone)."""
    page.wait_for_function(
        "() => !document.querySelector("
        "'.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )
    page.wait_for_timeout(50)


@pytest.fixture
def draft() -> Report:
    """The demo, and a second monitoring round at 30 June with the unit's report in draft."""
    load_demo()
    unit = Unit.objects.get(code="224001")
    interrupted(unit)  # both durations behind: the two rows that need reasons
    round_ = services.open_round(
        kind=RoundKind.MONITORING,
        year=2021,
        as_of=dt.date(2021, 6, 30),
        due_on=dt.date(2021, 7, 31),
        bureau=unit.finance_bureau,
        title="复核监控",
        actor=Actor.system("测试"),
    )
    return Report.objects.get(round=round_, unit=unit)


def log_in(page: Page, base: str, path: str, username: str = "demo") -> None:
    """Open a page; the login form comes first, then the page itself."""
    page.goto(base + path)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(re.escape(path.split("?")[0])))


def person(browser: Browser, base: str, path: str, username: str) -> Page:
    """A browser of its own for one person (their own cookies), logged in at a page."""
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    log_in(page, base, path, username)
    return page


def row_of(page: Page, level3: str) -> Locator:
    ind = Indicator.objects.get(project__unit__code="224001", project__year=2021, level3=level3)
    return page.locator(f"#row-{ind.pk}")


def status_of(page: Page) -> Locator:
    return page.locator(".page-head .status")


def test_monitoring_charts_are_drawn_and_reasons_save_all_at_once(
    page: Page, live_server, draft: Report
) -> None:
    page.set_viewport_size({"width": 1400, "height": 900})
    log_in(page, live_server.url, "/rounds/monitoring/?unit=224001&year=2021&as_of=2021-06-30")
    expect(page.locator("h1.doc-title")).to_contain_text("2021 年绩效运行监控")

    # Every chart container gets an ECharts canvas: the unit's two and each project's two.
    for kind in ("spending", "completion"):
        charts = page.locator(f'[data-chart="{kind}"]')
        expect(charts).to_have_count(3)
        for i in range(3):
            expect(charts.nth(i).locator("canvas")).to_have_count(1)
    screenshot(page, "web-monitoring")

    # The picker swaps the page in place; the charts are drawn again.
    page.get_by_label("截至日期").fill("2021-09-30")
    page.get_by_label("截至日期").dispatch_event("change")
    expect(page).to_have_url(re.compile(r"as_of=2021-09-30"))
    wait_until_settled(page)
    expect(page.locator(".doc-sub")).to_contain_text("74.79%")
    expect(page.locator('[data-chart="spending"] canvas')).to_have_count(3)

    # The report: reasons typed in two rows, one 保存全部 keeps both.
    page.goto(f"{live_server.url}/rounds/reports/{draft.pk}/")
    for level3, reason in ((PERIOD, "全年期限指标，半年已过。"), (INFLUENCE, "全年持续期限。")):
        row = row_of(page, level3)
        expect(row).to_contain_text("需说明")
        row.get_by_label("偏差原因类别").select_option("其他")
        row.get_by_label("偏差原因", exact=True).fill(reason)
    page.get_by_role("button", name="保存全部").first.click()
    expect(page.locator(".messages")).to_contain_text("已保存 2 项修改。")
    entries = dict(
        IndicatorEntry.objects.filter(report=draft).values_list(
            "indicator__level3", "deviation_reason"
        )
    )
    assert entries == {PERIOD: "全年期限指标，半年已过。", INFLUENCE: "全年持续期限。"}
    expect(row_of(page, PERIOD).get_by_label("偏差原因", exact=True)).to_have_value(
        "全年期限指标，半年已过。"
    )
    screenshot(page, "web-report")


def test_leaving_with_unsaved_text_asks_first(page: Page, live_server, draft: Report) -> None:
    page.set_viewport_size({"width": 1400, "height": 900})
    log_in(page, live_server.url, f"/rounds/reports/{draft.pk}/")
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    # Nothing typed yet: leaving does not ask.
    page.get_by_role("link", name="← 填报轮次").click()
    expect(page).to_have_url(re.compile(r"/rounds/#round-"))
    assert asked == []
    page.go_back()
    row_of(page, PERIOD).get_by_label("偏差原因", exact=True).fill("还没保存的原因")
    report_url = page.url
    page.get_by_role("link", name="← 填报轮次").click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    assert page.url == report_url  # the question was answered "stay"
    expect(row_of(page, PERIOD).get_by_label("偏差原因", exact=True)).to_have_value(
        "还没保存的原因"
    )
    # Saving leaves the page on purpose: no question; afterwards leaving is free again.
    page.get_by_role("button", name="保存全部").first.click()
    expect(page.locator(".messages")).to_contain_text("已保存 1 项修改。")
    page.get_by_role("link", name="← 填报轮次").click()
    expect(page).to_have_url(re.compile(r"/rounds/#round-"))
    assert asked == ["beforeunload"]


def test_officer_head_and_reviewer_take_the_loop_and_another_unit_sees_none_of_it(
    browser: Browser, live_server, draft: Report
) -> None:
    base = live_server.url
    report_path = f"/rounds/reports/{draft.pk}/"

    # The officer fills both reasons the rules ask for and submits (提交 saves first).
    officer = person(browser, base, report_path, "demo")
    for level3 in (PERIOD, INFLUENCE):
        row = row_of(officer, level3)
        row.get_by_label("偏差原因类别").select_option("其他")
        row.get_by_label("偏差原因", exact=True).fill("全年指标，年中未到期。")
        row.get_by_label("纠偏措施").fill("按月调度。")
    officer.get_by_role("button", name="提交").first.click()
    expect(officer.locator(".messages")).to_contain_text("等待单位负责人审核")
    expect(status_of(officer)).to_have_text("待单位审核")

    # The unit's head approves it for the bureau.
    head = person(browser, base, report_path, "fuzeren")
    head.get_by_role("button", name="审核通过，报财政局").click()
    expect(status_of(head)).to_have_text("待财政审核")

    # The bureau's reviewer returns it with a comment on one row.
    reviewer = person(browser, base, report_path, "shenhe")
    row = row_of(reviewer, PERIOD)
    row.locator("summary", has_text="写逐行意见").click()
    row.get_by_label(f"对“{PERIOD}”的意见").fill("请写明截至6月30日已运行的天数。")
    reviewer.get_by_role("button", name="退回修改").click()
    expect(status_of(reviewer)).to_have_text("已退回修改")
    screenshot(reviewer, "web-returned")
    comment = ReviewComment.objects.get()
    assert (comment.indicator.level3, comment.created_by.username) == (PERIOD, "shenhe")

    # The officer sees the comment beside its row, corrects it and submits again.
    officer.reload()
    expect(row_of(officer, PERIOD).locator(".review-comment")).to_contain_text(
        "请写明截至6月30日已运行的天数。"
    )
    expect(row_of(officer, INFLUENCE).locator(".review-comment")).to_have_count(0)
    screenshot(officer, "web-correcting")
    row_of(officer, PERIOD).get_by_label("偏差原因", exact=True).fill(
        "全年期限指标，截至6月30日已安全运行181天。"
    )
    officer.get_by_role("button", name="提交").last.click()
    expect(officer.locator(".messages")).to_contain_text("第 2 次提交")
    expect(status_of(officer)).to_have_text("待单位审核")

    head.reload()
    head.get_by_role("button", name="审核通过，报财政局").click()
    expect(status_of(head)).to_have_text("待财政审核")
    reviewer.reload()
    reviewer.get_by_role("button", name="审核通过", exact=True).click()
    expect(status_of(reviewer)).to_have_text("已审核通过")

    draft.refresh_from_db()
    assert draft.status == ReportStatus.APPROVED
    second = draft.submissions.get(number=2)
    period = next(
        r for p in second.snapshot["projects"] for r in p["rows"] if r["level3"] == PERIOD
    )
    assert period["deviation_reason"] == "全年期限指标，截至6月30日已安全运行181天。"
    assert (second.endorsed_by.username, second.decided_by.username) == ("fuzeren", "shenhe")

    # An officer of another unit gets 404 for every one of those pages by URL.
    outsider = person(browser, base, "/rounds/", "dangan")
    for path in (
        report_path,
        f"{report_path}submissions/1/",
        f"{report_path}submissions/2/",
        f"{report_path}download/xlsx/",
        "/rounds/monitoring/?unit=224001&year=2021&as_of=2021-06-30",
        "/rounds/evaluation/?unit=224001&year=2021",
        "/rounds/monitoring/download/xlsx/?unit=224001&year=2021&as_of=2021-06-30",
    ):
        response = outsider.goto(base + path)
        assert response is not None and response.status == 404, path
    # The rounds page lists none of unit A's reports for them.
    outsider.goto(base + "/rounds/")
    expect(outsider.locator("body")).not_to_contain_text("网络安全和信息化委员会")


def test_report_page_of_a_self_evaluation_awaiting_the_bureau(page: Page, live_server) -> None:
    load_demo()
    report = Report.objects.get(unit__code="224001", round__kind=RoundKind.SELF_EVALUATION)
    page.set_viewport_size({"width": 1400, "height": 900})
    log_in(page, live_server.url, f"/rounds/reports/{report.pk}/", "shenhe")
    expect(page.get_by_role("heading", name="财政审核")).to_be_visible()
    expect(page.get_by_role("button", name="审核通过", exact=True)).to_be_visible()
    screenshot(page, "web-evaluation-report")
