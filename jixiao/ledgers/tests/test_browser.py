"""The ledger pages in a real browser (Chromium through Playwright) against a live server.

Set ``JIXIAO_WEB_CHECK_DIR`` to keep full-page screenshots of the record form, a record with
its workflow, and the 舆情 list for a look by eye.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from conftest import PERSONA_PASSWORD, make_person
from jixiao.accounts.choices import Role
from jixiao.ledgers import services
from jixiao.ledgers.models import LedgerEntry, LedgerType
from jixiao.lib.actor import Actor
from jixiao.targets.models import Project
from jixiao.targets.services import import_document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("JIXIAO_WEB_CHECK_DIR")
USERNAME, PASSWORD = "yuqing", PERSONA_PASSWORD
OVERDUE_TITLE = "某景区游客投诉乱收费"

# (title, platform, grade, first seen, deadline, steps taken after 监测 with their days)
CASES = [
    ("县城区某路段积水严重", "微博", "一般", "2021-01-08", "2021-01-20", [("办结", "01-12")]),
    ("网传某学校食堂卫生问题", "抖音", "较大", "2021-02-03", "2099-12-31", [("预警", "02-03")]),
    (
        OVERDUE_TITLE,
        "今日头条",
        "较大",
        "2021-02-15",
        "2021-03-01",
        [("预警", "02-16"), ("研判", "02-18")],
    ),
    ("供暖温度不达标投诉", "微信", "一般", "2021-03-02", "2099-12-31", []),
    ("某小区物业纠纷视频", "快手", "一般", "2021-03-05", "2099-12-31", [("预警", "03-06")]),
    (
        "农民工讨薪求助帖",
        "论坛",
        "重大",
        "2021-03-09",
        "2021-03-20",
        [("预警", "03-09"), ("研判", "03-10"), ("处置", "03-12"), ("办结", "03-15")],
    ),
]


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def opinion_year(settings, tmp_path, demo_document, org) -> None:
    """The seed's unit with its projects, its officer's login, and six 2021 cases (one
    overdue)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    unit = import_document(demo_document, actor=Actor.system(), source="seed.txt").unit
    user = Actor(make_person(USERNAME, org.unit, Role.OFFICER, "舆情专员"))
    opinion = LedgerType.objects.get(code="opinion")
    project = Project.objects.get(unit=unit, year=2021, code="13032221C2GKIBLPDEWRQ")
    for n, (title, platform, grade, seen, deadline, steps) in enumerate(CASES):
        values = {
            "title": title,
            "platform": platform,
            "link": f"https://example.cn/case/{n}",
            "first_seen": seen,
            "grade": grade,
            "must_handle": "是",
            "assignee": "李明",
            "deadline": deadline,
        }
        entry = services.create_entry(opinion, unit, values, actor=user, project=project)
        for state, day in steps:
            on = dt.date.fromisoformat(f"2021-{day}")
            services.record_transition(entry, state, actor=user, on=on)


def test_create_a_case_move_it_to_alert_and_see_overdue(page: Page, live_server, opinion_year):
    base = live_server.url
    page.goto(base + "/ledgers/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/ledgers/$"))
    page.get_by_label("用户名").fill(USERNAME)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name=re.compile("^台账"))).to_be_visible()

    # The ledger list: 舆情 with its six 2021 cases.
    screenshot(page, "index")
    row = page.locator("tr", has=page.get_by_role("link", name="舆情", exact=True))
    expect(row.locator("td.num")).to_have_text("6")
    row.get_by_role("link", name="舆情", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("^舆情"))).to_be_visible()

    # A new case, with its project.
    page.get_by_role("link", name="新增记录").click()
    page.get_by_label("标题").fill("网民反映某乡镇垃圾清运不及时")
    page.get_by_label("来源平台").select_option("微博")
    page.get_by_label("链接").fill("https://weibo.com/7001/abc")
    page.get_by_label("首次发现时间").fill("2021-04-06")
    page.get_by_label("级别").select_option("一般")
    page.get_by_role("radio", name="是").check()
    page.get_by_label("责任人").fill("王芳")
    page.get_by_label("处置期限").fill("2099-12-31")
    page.get_by_label("预算项目").select_option(label="网络安全和信息化经费")
    screenshot(page, "form")
    page.get_by_role("button", name="保存").click()

    expect(page.locator(".message.success")).to_have_text("已新增舆情记录。")
    expect(page.locator(".step.current")).to_contain_text("监测")
    expect(page.locator(".step.current")).to_contain_text("2021-04-06")

    # Move it to 预警 with the alert note.
    step = page.locator("details.step-form", has_text="转到“预警”")
    step.locator("summary").click()
    step.get_by_label("日期").fill("2021-04-07")
    step.get_by_label("预警单").fill("预警单：垃圾清运舆情在本地群转发较多，建议立即核实。")
    step.get_by_label("说明").fill("已报分管领导")
    screenshot(page, "step")
    step.get_by_role("button", name="确认转到“预警”").click()

    expect(page.locator(".message.success")).to_have_text("已转到“预警”。")
    expect(page.locator(".step.current")).to_contain_text("预警")
    expect(page.locator(".step.current")).to_contain_text("2021-04-07")
    history = page.locator("table.history tbody tr")
    expect(history).to_have_count(2)
    expect(history.nth(1)).to_contain_text("监测 → 预警")
    expect(history.nth(1)).to_contain_text("舆情专员")
    expect(history.nth(1)).to_contain_text("已报分管领导")
    expect(page.locator("table.fields")).to_contain_text("建议立即核实")
    # The change log's own history of the record: created, then moved on.
    changes = page.locator("table.history-table tbody tr")
    expect(changes).to_have_count(2)
    expect(changes.nth(0)).to_contain_text("流程流转")
    expect(changes.nth(0)).to_contain_text("状态：监测 → 预警")
    expect(changes.nth(1)).to_contain_text("新建")
    screenshot(page, "detail")
    entry = LedgerEntry.objects.get(natural_key="https://weibo.com/7001/abc")
    assert (entry.state, entry.state_dates["预警"]) == ("预警", "2021-04-07")

    # Back on the list: the overdue case is marked, the others are not.
    page.get_by_role("link", name="← 舆情台账").click()
    late = page.locator("tr", has_text=OVERDUE_TITLE)
    expect(late.locator(".badge.overdue")).to_have_text("逾期")
    expect(page.locator("tbody .badge.overdue")).to_have_count(1)
    expect(page.locator(".chip", has_text="预警")).to_contain_text("3")
    screenshot(page, "list")

    # 只看逾期 leaves the one case, and its page says why.
    page.get_by_label("只看逾期").check()
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("table.records tbody tr")).to_have_count(1)
    page.get_by_role("link", name=OVERDUE_TITLE).click()
    expect(page.locator(".overdue-banner")).to_contain_text("处置期限 2021-03-01 已过")
