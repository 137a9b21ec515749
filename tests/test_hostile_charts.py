"""Hostile names in the report charts: hovering a bar or a point never runs the name as script.

An indicator named ``<img src=x onerror=…>`` used to run when the monitoring or the
self-evaluation chart's tooltip showed it (ECharts puts a formatter's string into the page as
HTML). The pages are computed live (the demo's rounds are cleared), so the renamed indicator is
what the charts draw.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from jixiao.system.demo.rounds import clear_rounds
from jixiao.system.demo.services import DEMO_PASSWORD, DEMO_USERNAME, load_demo
from jixiao.targets.models import Indicator, Project
from jixiao.units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XSS = '<img src=x onerror="window.__xss=1">'
PROJECT_XSS = '"><img src=x onerror="window.__xss=2">'


@pytest.fixture
def hostile_names() -> int:
    """The demo without its rounds; an indicator and a project carry markup in their names."""
    load_demo()
    clear_rounds(Unit.objects.get(code="224001"))
    indicator = Indicator.objects.get(
        project__unit__code="224001", level3="舆情监测预警、研判分析数"
    )
    # Test set-up, not an application write: the names a hostile document would import.
    Indicator.objects.filter(pk=indicator.pk).update(level3=XSS)
    Project.objects.filter(pk=indicator.project_id).update(name=PROJECT_XSS)
    return indicator.project_id


def log_in(page: Page, base: str, path: str) -> None:
    page.goto(base + path)
    page.get_by_label("用户名").fill(DEMO_USERNAME)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()


def hover_first_item(page: Page, chart: Locator) -> Locator:
    """Move the mouse onto the chart's first bar (or first point) and return its tooltip."""
    chart.scroll_into_view_if_needed()
    expect(chart.locator("canvas")).to_have_count(1)
    # Where ECharts drew the first data item, in the chart's own pixels.
    x, y = chart.evaluate(
        """el => {
            const chart = echarts.getInstanceByDom(el);
            const first = chart.getOption().series[0].data[0];
            if (Array.isArray(first)) {  // a line's point: [day, percent, date]
                return chart.convertToPixel({ seriesIndex: 0 }, first);
            }
            // A horizontal bar: halfway along it, on its category.
            return chart.convertToPixel({ seriesIndex: 0 }, [first.value / 2, 0]);
        }"""
    )
    box = chart.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + x, box["y"] + y)
    tooltip = chart.locator("div").filter(has_text="：").last
    expect(tooltip).to_be_visible()
    return tooltip


def assert_no_script_ran(page: Page) -> None:
    # A broken image fires its error at once; give the browser a moment to try.
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("img[src=x]").count() == 0


def check_charts(page: Page, project_id: int) -> None:
    """Hover the project's and the unit's completion bars and spending points."""
    source = f"chart-data-{project_id}"
    project_chart = page.locator(f'[data-chart="completion"][data-source="{source}"]')
    tooltip = hover_first_item(page, project_chart)
    # The name is shown as text, markup and all.
    expect(tooltip).to_contain_text(XSS)
    assert_no_script_ran(page)

    unit_chart = page.locator('[data-chart="completion"][data-source="chart-data-unit"]')
    tooltip = hover_first_item(page, unit_chart)
    expect(tooltip).to_contain_text("1." + XSS)
    assert_no_script_ran(page)

    spending = page.locator(f'[data-chart="spending"][data-source="{source}"]')
    tooltip = hover_first_item(page, spending)
    expect(tooltip).to_contain_text("实际支出进度")
    assert_no_script_ran(page)


def test_monitoring_chart_tooltips_show_markup_as_text(
    page: Page, live_server, hostile_names: int
) -> None:
    page.set_viewport_size({"width": 1400, "height": 900})
    log_in(page, live_server.url, "/rounds/monitoring/?unit=224001&year=2021&as_of=2021-09-30")
    expect(page.locator("h1.doc-title")).to_contain_text("2021 年绩效运行监控")
    # The project's heading shows its hostile name as text too.
    expect(page.get_by_text(PROJECT_XSS).first).to_be_visible()
    check_charts(page, hostile_names)


def test_self_evaluation_chart_tooltips_show_markup_as_text(
    page: Page, live_server, hostile_names: int
) -> None:
    page.set_viewport_size({"width": 1400, "height": 900})
    log_in(page, live_server.url, "/rounds/evaluation/?unit=224001&year=2021")
    expect(page.locator("h1.doc-title")).to_contain_text("自评")
    expect(page.get_by_text(PROJECT_XSS).first).to_be_visible()
    check_charts(page, hostile_names)
