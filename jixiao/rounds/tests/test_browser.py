"""The monitoring page's charts and a report's htmx save in a real browser (Chromium).

Set ``JIXIAO_WEB_CHECK_DIR`` to keep full-page screenshots of the monitoring page and the
report page for a look by eye.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from jixiao.rounds import services
from jixiao.rounds.choices import RoundKind
from jixiao.rounds.models import IndicatorEntry, Report
from jixiao.system.demo.services import DEMO_PASSWORD, DEMO_USERNAME, load_demo
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
    round_ = services.open_round(
        kind=RoundKind.MONITORING,
        year=2021,
        as_of=dt.date(2021, 6, 30),
        due_on=dt.date(2021, 7, 31),
        title="复核监控",
        actor=None,
    )
    return Report.objects.get(round=round_, unit__code="224001")


def log_in(page: Page, base: str, path: str) -> None:
    page.goto(base + path)
    page.get_by_label("用户名").fill(DEMO_USERNAME)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_monitoring_charts_are_drawn_and_a_reason_saves_in_place(
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

    # The report: write a reason for the red row and save it without leaving the page.
    period = Indicator.objects.get(project__unit__code="224001", level3="网络安全稳定运行期限")
    page.goto(f"{live_server.url}/rounds/reports/{draft.pk}/")
    row = page.locator(f"#row-{period.pk}")
    expect(row).to_contain_text("需说明")
    row.get_by_label("偏差原因类别").select_option("其他")
    row.get_by_label("偏差原因", exact=True).fill("全年期限指标，半年已过。")
    row.get_by_label("纠偏措施").fill("继续值守。")
    url_before = page.url
    row.get_by_role("button", name="保存").click()
    expect(page.locator(f"#row-{period.pk} .saved")).to_have_text("已保存")
    assert page.url == url_before
    entry = IndicatorEntry.objects.get(report=draft, indicator=period)
    assert (entry.deviation_category, entry.deviation_reason) == (
        "其他",
        "全年期限指标，半年已过。",
    )
    screenshot(page, "web-report")

    # A second save of the redrawn row works too (htmx wired the new form up).
    wait_until_settled(page)
    page.locator(f"#row-{period.pk}").get_by_label("纠偏措施").fill("按月巡查。")
    # The row already says 已保存 from the first save: wait for this save's response instead.
    with page.expect_response(
        lambda r: f"/indicators/{period.pk}/" in r.url and r.request.method == "POST"
    ):
        page.locator(f"#row-{period.pk}").get_by_role("button", name="保存").click()
    wait_until_settled(page)
    entry.refresh_from_db()
    assert entry.correction == "按月巡查。"


def test_report_page_of_a_submitted_self_evaluation(page: Page, live_server) -> None:
    load_demo()
    unit = Unit.objects.get(code="224001")
    report = Report.objects.get(unit=unit, round__kind=RoundKind.SELF_EVALUATION)
    page.set_viewport_size({"width": 1400, "height": 900})
    log_in(page, live_server.url, f"/rounds/reports/{report.pk}/")
    expect(page.get_by_role("heading", name="审核")).to_be_visible()
    screenshot(page, "web-evaluation-report")
