"""The content security policy in a real browser (Chromium): the pages and charts still work.

Chromium reports each blocked inline script or style as a ``securitypolicyviolation`` event
and a console error; both are collected from the first page on.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from jixiao.rounds.models import Report
from jixiao.system.demo.services import DEMO_PASSWORD, DEMO_USERNAME, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.sourceFile || e.blockedURI));
});
"""
MONITORING = "/rounds/monitoring/?unit=224001&year=2021&as_of=2021-06-30"
EVALUATION = "/rounds/evaluation/?unit=224001&year=2021"


class Watched:
    """A page with its policy violations and console errors collected."""

    def __init__(self, page: Page, base: str) -> None:
        self.page, self.base = page, base
        self.console: list[str] = []
        page.add_init_script(WATCH)
        page.on(
            "console",
            lambda m: self.console.append(m.text) if "Content Security Policy" in m.text else None,
        )

    def open(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"]

    def violations(self) -> list[str]:
        return [*self.page.evaluate("window.__violations"), *self.console]

    def log_in(self) -> None:
        self.open("/login/")
        self.page.get_by_label("用户名").fill(DEMO_USERNAME)
        self.page.get_by_label("密码").fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        expect(self.page.locator(".account .user")).to_be_visible()


@pytest.fixture
def watched(page: Page, live_server) -> Watched:
    load_demo()
    page.set_viewport_size({"width": 1400, "height": 900})
    watched = Watched(page, live_server.url)
    watched.log_in()
    return watched


def charts_are_drawn(page: Page) -> None:
    """Every chart container holds an ECharts canvas of real size."""
    for kind in ("spending", "completion"):
        charts = page.locator(f'[data-chart="{kind}"]')
        expect(charts).to_have_count(3)  # the unit's and each project's
        for i in range(3):
            canvas = charts.nth(i).locator("canvas")
            expect(canvas).to_have_count(1)
            box = canvas.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 150


def hover_until_tooltip(page: Page, chart: str) -> str:
    """Move over the first chart of a kind until ECharts shows its tooltip; its text."""
    box = page.locator(f'[data-chart="{chart}"]').first.bounding_box()
    assert box is not None
    tooltip = page.locator(f'[data-chart="{chart}"]').first.locator("div >> text=%")
    for fy in (0.2, 0.3, 0.4, 0.5, 0.6):
        for fx in (0.35, 0.5, 0.65):
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            page.wait_for_timeout(150)
            if tooltip.count() and tooltip.first.is_visible():
                return tooltip.first.inner_text()
    raise AssertionError(f"no tooltip on the {chart} chart")


def test_the_monitoring_charts_draw_under_the_policy_with_no_violation(watched: Watched):
    watched.open(MONITORING)

    expect(watched.page.locator("h1.doc-title")).to_contain_text("2021 年绩效运行监控")
    charts_are_drawn(watched.page)
    assert "%" in hover_until_tooltip(watched.page, "completion")
    assert watched.violations() == []


def test_the_main_pages_load_with_no_violation(watched: Watched):
    report = Report.objects.filter(unit__code="224001").order_by("pk").first()
    assert report is not None

    for path in (
        "/?unit=224001&year=2021",
        "/targets/?unit=224001&year=2021",
        "/ledgers/",
        "/ledgers/opinion/",
        "/actuals/?unit=224001&year=2021&as_of=2021-06-30",
        EVALUATION,
        "/rounds/",
        f"/rounds/reports/{report.pk}/",
    ):
        watched.open(path)
        watched.page.wait_for_load_state("load")

    charts_on_evaluation = watched.page.goto(watched.base + EVALUATION)
    assert charts_on_evaluation is not None
    charts_are_drawn(watched.page)
    assert watched.violations() == []


def test_the_unit_picker_swaps_the_page_in_place_with_no_violation(watched: Watched):
    """htmx swaps #page (with its chart data) and adds no <style> element of its own."""
    watched.open(MONITORING)
    watched.page.get_by_label("截至日期").fill("2021-09-30")
    watched.page.get_by_label("截至日期").dispatch_event("change")

    expect(watched.page).to_have_url(re.compile(r"as_of=2021-09-30"))
    expect(watched.page.locator(".doc-sub")).to_contain_text("2021年9月30日")
    charts_are_drawn(watched.page)
    assert watched.page.locator("style").count() == 0
    assert watched.violations() == []


def test_the_spending_tooltip_shows_with_no_violation(watched: Watched):
    watched.open(MONITORING)

    assert "%" in hover_until_tooltip(watched.page, "spending")
    assert watched.violations() == []


def test_the_admin_works_under_the_policy(page: Page, live_server):
    load_demo()
    watched = Watched(page, live_server.url)
    watched.open("/admin/login/")
    page.locator("#id_username").fill("admin")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_contain_text("绩效管理系统 管理后台")

    for path in ("/admin/", "/admin/targets/indicator/", "/admin/auth/user/?q=demo"):
        watched.open(path)
    page.locator("#result_list tbody th a").first.click()  # a change form, with its scripts

    expect(page.locator("#content h1")).to_be_visible()
    assert watched.violations() == []
