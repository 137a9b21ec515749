"""One working day of every role on the demo, in Chromium, as a single story.

The bureau's administrator opens a 目标调整 round. The officer, on a phone (390 × 844), sees it
among what is due on the home page, logs a 舆情 case, then — at a desk — raises a target in the
draft's grid and submits. The unit's head endorses. The bureau's reviewer finds the unit in the
财政总览, opens its report, returns one row with a comment. The officer sees the comment, changes
the target again and resubmits; the head endorses; the reviewer gets the resubmission in the
inbox and approves — and the table in force, which monitoring uses, has the new target. A member
of the public answers the satisfaction survey on a phone and the indicator's actual moves. The
reviewer publishes the unit's targets; the public page shows them and nothing unpublished.

Screenshots of each main page go to ``JIXIAO_WEB_CHECK_DIR`` when set, else to
``test-output/screenshots`` (``day-*.png``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from jixiao.ledgers.models import LedgerEntry
from jixiao.publication.models import Publication
from jixiao.rounds.choices import ReportStatus, RoundKind
from jixiao.rounds.models import Report, ReviewComment, Round
from jixiao.surveys import services as surveys
from jixiao.surveys.models import Survey
from jixiao.surveys.tests.conftest import ANSWER_DAY
from jixiao.system.demo.services import DEMO_PASSWORD, load_demo
from jixiao.system.demo.year import P1
from jixiao.targets.models import Indicator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("JIXIAO_WEB_CHECK_DIR") or "test-output/screenshots")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1366, "height": 900}}
HELD = "舆情监测预警、研判分析数"  # the indicator the adjustment changes (≥200条 in the demo)
ACTUALS = "/actuals/?unit=224001&year=2021&as_of=2021-12-31"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"day-{name}.png"), full_page=True)


def fits(page: Page) -> None:
    """Nothing makes a phone page scroll sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def log_in(browser: Browser, base: str, username: str, **context: object) -> Page:
    page = browser.new_context(**context).new_page()  # type: ignore[arg-type]
    page.goto(base + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))
    return page


def test_every_role_through_its_day(
    live_server: object, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo()
    monkeypatch.setattr(surveys, "today", lambda: ANSWER_DAY)  # an answer in the demo year
    base = str(live_server)
    due_on = timezone.localdate() + dt.timedelta(days=10)
    held = Indicator.objects.get(project__unit__code="224001", project__year=2021, level3=HELD)
    project = held.project
    assert held.target == "≥200条"

    # --- the bureau's administrator opens a 目标调整 round ------------------------------------
    admin = log_in(browser, base, "caizheng", **DESK)
    admin.goto(base + "/rounds/")
    admin.locator("summary", has_text="开启新一轮填报").click()
    admin.get_by_label("类别").select_option(label="目标调整")
    admin.get_by_label("预算年度").fill("2021")
    admin.get_by_label("填报截止日期").fill(due_on.isoformat())
    admin.get_by_label("名称").fill("2021年年中目标调整")
    admin.get_by_role("button", name="开启", exact=True).click()
    expect(admin.locator(".messages")).to_contain_text("2021年年中目标调整")
    round_ = Round.objects.get(kind=RoundKind.ADJUSTMENT)
    report = Report.objects.get(round=round_, unit__code="224001")
    shot(admin, "admin-rounds")
    admin.context.close()

    # --- the officer on a phone: what is due, then a 舆情 case --------------------------------
    phone = log_in(browser, base, "demo", **PHONE)
    phone.goto(base + "/?unit=224001&year=2021")
    due = phone.locator(".due-list")
    expect(due).to_contain_text("2021年年中目标调整")
    expect(due).to_contain_text("还有 10 天")
    fits(phone)
    shot(phone, "officer-home-phone")
    phone.locator(".menu-button").click()
    phone.locator(".menu-nav").get_by_role("link", name="台账").click()
    phone.get_by_role("link", name="舆情", exact=True).first.click()
    phone.get_by_role("link", name="新增记录").click()
    phone.get_by_label("标题").fill("网民反映县城供暖不足")
    phone.get_by_label("来源平台").select_option("微博")
    phone.get_by_label("链接").fill("https://weibo.com/8002/heating")
    phone.get_by_label("首次发现时间").fill("2021-11-05")
    phone.get_by_label("级别").select_option("一般")
    phone.get_by_role("radio", name="是").check()
    phone.get_by_label("责任人").fill("王芳")
    phone.get_by_label("处置期限").fill("2021-11-25")
    phone.get_by_label("预算项目").select_option(label="网络安全和信息化经费")
    fits(phone)
    phone.get_by_role("button", name="保存").click()
    expect(phone.locator(".message.success")).to_have_text("已新增舆情记录。")
    shot(phone, "officer-case-phone")
    case = LedgerEntry.objects.get(natural_key="https://weibo.com/8002/heating")
    assert (case.state, case.unit.code) == ("监测", "224001")

    # --- the officer at a desk: the draft's grid, a raised target, submit ---------------------
    phone.context.close()
    officer = log_in(browser, base, "demo", **DESK)
    officer.goto(base + f"/rounds/reports/{report.pk}/")
    officer.locator(f"#project-{project.pk}").get_by_role("link", name="编辑目标表").click()
    target = officer.get_by_label("第 1 行指标值", exact=True)
    expect(target).to_have_value("≥200条")
    target.fill("≥260条")
    expect(officer.locator("td.target .reading").first).to_have_text("定量 ≥ 260 条")
    shot(officer, "officer-draft-grid")
    officer.get_by_role("button", name="保存").click()
    expect(officer.locator(f"#row-{held.pk}")).to_contain_text("≥260条")
    assert Indicator.objects.get(pk=held.pk).target == "≥200条"  # in force until approval
    officer.get_by_role("button", name="提交").click()
    expect(officer.locator(".targets-report .status")).to_contain_text("单位审核")

    # --- the head endorses ------------------------------------------------------------------
    head = log_in(browser, base, "fuzeren", **DESK)
    head.goto(base + "/inbox/")
    head.get_by_role("link", name=re.compile("2021年年中目标调整")).first.click()
    expect(head).to_have_url(re.compile(rf"/rounds/reports/{report.pk}/$"))
    head.get_by_role("button", name="审核通过（报财政）").click()
    expect(head.locator(".targets-report .status")).to_contain_text("财政审核")

    # --- the reviewer: the overview, the unit's report, a row returned ------------------------
    reviewer = log_in(browser, base, "shenhe", **DESK)
    reviewer.goto(base + "/overview/?year=2021")
    reviewer.get_by_label("填报轮次").select_option(label="2021年年中目标调整")
    reviewer.get_by_label("单位或项目").fill("224001")
    reviewer.get_by_label("单位或项目").press("Enter")
    lines = reviewer.locator("section[aria-labelledby=lines-title] tbody tr")
    expect(lines).to_have_count(2)  # the demo unit's two projects
    shot(reviewer, "reviewer-overview")
    lines.first.get_by_role("link", name="待财政审核").click()
    expect(reviewer).to_have_url(re.compile(rf"/rounds/reports/{report.pk}/$"))
    reviewer.get_by_label(f"对“{HELD}”的意见").fill("调增幅度请附测算依据")
    reviewer.get_by_label("审核意见", exact=True).fill("请补充依据后重新提交")
    shot(reviewer, "reviewer-report")
    reviewer.get_by_role("button", name="退回修改").click()
    expect(reviewer.locator(".targets-report .status")).to_contain_text("已退回")
    assert ReviewComment.objects.get(indicator=held).text == "调增幅度请附测算依据"

    # --- the officer fixes the row and resubmits; the head endorses again ---------------------
    officer.goto(base + "/inbox/")
    officer.get_by_role("link", name=re.compile("退回")).first.click()
    expect(officer.locator(f"#row-{held.pk}")).to_contain_text("调增幅度请附测算依据")
    officer.locator(f"#project-{project.pk}").get_by_role("link", name="编辑目标表").click()
    officer.get_by_label("第 1 行指标值", exact=True).fill("≥240条")
    officer.get_by_label("第 1 行指标值确定依据", exact=True).fill("按2020年实际数218条测算")
    officer.get_by_role("button", name="保存").click()
    officer.get_by_role("button", name="提交").click()
    expect(officer.locator(".targets-report .status")).to_contain_text("单位审核")
    head.goto(base + f"/rounds/reports/{report.pk}/")
    head.get_by_role("button", name="审核通过（报财政）").click()
    expect(head.locator(".targets-report .status")).to_contain_text("财政审核")

    # --- the reviewer gets the resubmission in the inbox and approves -------------------------
    reviewer.goto(base + "/overview/?year=2021")
    bar = reviewer.locator(".topbar > .account .inbox-link")
    expect(bar.locator(".unread-count")).to_be_visible()
    bar.click()
    resubmitted = reviewer.locator(".inbox-item.unread", has_text="2021年年中目标调整")
    resubmitted = resubmitted.filter(has_text="第 2 次提交")
    expect(resubmitted).to_be_visible()
    shot(reviewer, "reviewer-inbox")
    resubmitted.locator("a.inbox-title").click()
    expect(reviewer.locator(f"#row-{held.pk}")).to_contain_text("≥240条")
    reviewer.get_by_label("审核意见", exact=True).fill("同意调整")
    reviewer.get_by_role("button", name="审核通过（目标表生效）").click()
    expect(reviewer.locator(".targets-report .status")).to_contain_text("审核通过")
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    in_force = Indicator.objects.get(pk=held.pk)
    assert (in_force.target, in_force.basis) == ("≥240条", "按2020年实际数218条测算")

    # Monitoring uses the approved table (30 June is the frozen report of the first half).
    officer.goto(base + "/rounds/monitoring/?unit=224001&year=2021&as_of=2021-09-30")
    expect(officer.locator(f"#row-{held.pk}")).to_contain_text("≥240条")
    shot(officer, "officer-monitoring")

    # --- the public answers the survey on a phone; the indicator moves ------------------------
    satisfaction = Indicator.objects.get(
        project__code=P1, project__year=2021, level3="服务对象满意度"
    )
    officer.goto(base + "/surveys/")
    officer.get_by_label("关联项目").select_option(label=f"2021年 · {satisfaction.project.name}")
    officer.get_by_role("button", name="从模板创建").click()
    officer.get_by_role("button", name="开始收集").click()
    link = officer.locator("a.survey-link").inner_text()
    assert link.endswith(f"/s/{Survey.objects.get().token}/")
    shot(officer, "officer-survey")
    officer.goto(base + ACTUALS)
    cell = officer.locator(f"#indicator-{satisfaction.pk} td.actual strong")
    expect(cell).to_have_text("95.88")  # 93 / 97
    public = browser.new_context(**PHONE).new_page()  # type: ignore[arg-type]
    public.goto(link)
    public.get_by_label("群众").check()
    public.get_by_label("非常满意").check()
    fits(public)
    public.get_by_role("button", name="提交").click()
    expect(public.get_by_role("status")).to_contain_text("提交成功")
    shot(public, "public-survey-phone")
    officer.reload()
    expect(cell).to_have_text("95.92")  # 94 / 98

    # --- the reviewer publishes the targets; the public sees only that ------------------------
    reviewer.goto(base + "/publication/")
    reviewer.get_by_role("button", name="公开目标").first.click()
    expect(reviewer.locator(".messages")).to_contain_text("已发布")
    shot(reviewer, "reviewer-publication")
    published = Publication.objects.get()
    public.goto(base + "/public/")
    titles = public.locator("main a")
    expect(titles.filter(has_text=published.title)).to_have_count(1)
    assert not titles.filter(has_text="自评").count()  # no self-evaluation was published
    titles.filter(has_text=published.title).click()
    expect(public.locator(".public-doc")).to_contain_text("≥240条")
    expect(public.locator("main")).to_contain_text("经财政审核通过（目标调整")
    fits(public)
    shot(public, "public-targets-phone")
    missing = public.goto(base + "/public/p/not-a-token/")
    assert missing is not None and missing.status == 404
