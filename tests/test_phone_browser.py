"""Every main page at 390 × 844 (a phone), in Chromium, as the demo's officer and reviewer.

On each page nothing scrolls the page sideways (what is wider than the screen scrolls inside
its own box), and 退出登录 is reached through the menu button. Screenshots go to
``JIXIAO_WEB_CHECK_DIR`` when set, else to ``test-output/screenshots`` (``phone-*.png``).
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from jixiao.ledgers.models import LedgerEntry
from jixiao.rounds.models import Report
from jixiao.system.demo.services import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("JIXIAO_WEB_CHECK_DIR") or "test-output/screenshots")
PHONE = {"width": 390, "height": 844}
UNIT_YEAR = "unit=224001&year=2021"

# The elements that stick out past the right edge of the screen and are not inside a box that
# scrolls sideways: the outermost of each, so a failure names the culprit.
OVERFLOW = """
() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if ((x === "auto" || x === "scroll" || x === "hidden") && p.clientWidth <= width) return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1 || scrolls(el)) continue;
    const parent = el.parentElement.getBoundingClientRect();
    if (parent.right > width + 1 && !scrolls(el.parentElement)) continue;
    const classes = el.className ? "." + String(el.className).split(" ").join(".") : "";
    out.push(el.tagName.toLowerCase() + classes + " right=" + Math.round(box.right));
  }
  return {scrollWidth: document.documentElement.scrollWidth, culprits: out.slice(0, 8)};
}
"""


def log_in(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto(base + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".menu-button")).to_be_visible()
    return page


def overflow(page: Page, name: str) -> dict[str, object] | None:
    """What makes the page scroll sideways (None: nothing); its screenshot is kept."""
    found = page.evaluate(OVERFLOW)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"phone-{name}.png"), full_page=True)
    return None if found["scrollWidth"] <= PHONE["width"] else {"page": name, **found}


def logout_is_reachable(page: Page, name: str) -> None:
    """The bar shows only the menu button; opened, it lists the links and 退出登录."""
    expect(page.locator(".topbar > .nav")).to_be_hidden()
    expect(page.locator(".topbar > .account")).to_be_hidden()
    logout = page.locator(".menu").get_by_role("button", name="退出登录", include_hidden=True)
    expect(logout).to_be_hidden()
    page.locator(".menu-button").click()
    expect(page.locator(".menu-nav").get_by_role("link", name="台账")).to_be_visible()
    page.screenshot(path=str(SHOTS / f"phone-{name}-menu.png"))
    logout.scroll_into_view_if_needed()
    expect(logout).to_be_in_viewport()
    box = logout.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    page.locator(".menu-button").click()
    expect(logout).to_be_hidden()


def pages_for(role: str) -> list[tuple[str, str]]:
    """(name, path) of every main page the role's menu leads to, and a record and a report."""
    entry = LedgerEntry.objects.filter(unit__code="224001", ledger_type__code="opinion").first()
    report = Report.objects.filter(unit__code="224001").order_by("pk").first()
    assert entry is not None and report is not None
    pages = [
        ("home", f"/?{UNIT_YEAR}"),
        ("targets", f"/targets/?{UNIT_YEAR}"),
        ("ledgers", "/ledgers/"),
        ("ledger-list", f"/ledgers/opinion/?{UNIT_YEAR}"),
        ("record", f"/ledgers/entry/{entry.pk}/"),
        ("actuals", f"/actuals/?{UNIT_YEAR}&as_of=2021-06-30"),
        ("monitoring", f"/rounds/monitoring/?{UNIT_YEAR}&as_of=2021-06-30"),
        ("evaluation", f"/rounds/evaluation/?{UNIT_YEAR}"),
        ("rounds", "/rounds/"),
        ("report", f"/rounds/reports/{report.pk}/"),
        ("inbox", "/inbox/"),
        ("surveys", "/surveys/"),
        ("publication", "/publication/"),
        ("search", "/search/?q=舆情"),
    ]
    if role == "officer":
        pages.insert(5, ("record-form", f"/ledgers/opinion/new/?{UNIT_YEAR}"))
    else:
        pages += [
            ("overview", "/overview/?year=2021"),
            ("audit", "/audit/"),
            ("settings", "/accounts/settings/"),
        ]
    pages.append(("tokens", reverse("api_tokens:list")))
    return pages


@pytest.mark.parametrize(("role", "username"), [("officer", "demo"), ("reviewer", "shenhe")])
def test_every_main_page_fits_a_phone(
    live_server: object, browser: Browser, role: str, username: str
) -> None:
    load_demo()
    base = str(live_server)
    page = log_in(browser, base, username)
    too_wide = []
    for name, path in pages_for(role):
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("load")
        too_wide.append(overflow(page, f"{role}-{name}"))
    bad = [found for found in too_wide if found]
    assert not bad, "\n".join(map(str, bad))
    logout_is_reachable(page, role)
    page.locator(".menu-button").click()
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/login/"))


def test_the_bureau_admin_manages_accounts_on_a_phone(
    live_server: object, browser: Browser
) -> None:
    load_demo()
    base = str(live_server)
    page = log_in(browser, base, "caizheng")
    too_wide = []
    for name, path in (("accounts", "/accounts/"), ("units", "/accounts/units/")):
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        too_wide.append(overflow(page, f"admin-{name}"))
    bad = [found for found in too_wide if found]
    assert not bad, "\n".join(map(str, bad))
    logout_is_reachable(page, "admin")


# A 2 × 2 PNG, as a phone's camera would hand the form a JPEG or PNG.
PHOTO = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
)
TITLE = "网民反映某村道路破损严重"


def test_the_officer_logs_a_case_moves_it_on_and_adds_a_photo_on_a_phone(
    live_server: object, browser: Browser, settings: object, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    load_demo()
    base = str(live_server)
    page = log_in(browser, base, "demo")

    # From the menu to the opinion ledger and its form.
    page.locator(".menu-button").click()
    page.locator(".menu-nav").get_by_role("link", name="台账").click()
    page.get_by_role("link", name="舆情", exact=True).first.click()
    expect(page.get_by_role("heading", name=re.compile("^舆情"))).to_be_visible()
    page.get_by_role("link", name="新增记录").click()
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("来源平台").select_option("微博")
    page.get_by_label("链接").fill("https://weibo.com/8001/road")
    page.get_by_label("首次发现时间").fill("2021-11-02")
    page.get_by_label("级别").select_option("一般")
    page.get_by_role("radio", name="是").check()
    page.get_by_label("责任人").fill("王芳")
    page.get_by_label("处置期限").fill("2021-11-20")
    page.get_by_label("预算项目").select_option(label="网络安全和信息化经费")
    assert overflow(page, "case-form") is None
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".message.success")).to_have_text("已新增舆情记录。")
    expect(page.locator(".step.current")).to_contain_text("监测")

    # The next step with its button.
    step = page.locator("details.step-form", has_text="转到“预警”")
    step.locator("summary").click()
    step.get_by_label("日期").fill("2021-11-03")
    step.get_by_label("预警单").fill("预警单：道路破损引发网民关注，已转交通部门核实。")
    assert overflow(page, "case-step") is None
    step.get_by_role("button", name="确认转到“预警”").click()
    expect(page.locator(".message.success")).to_have_text("已转到“预警”。")
    expect(page.locator(".step.current")).to_contain_text("预警")
    expect(page.locator(".step.current")).to_contain_text("2021-11-03")

    # A photo from the camera: the phone form asks for an image straight from it.
    camera = page.get_by_label("拍照上传")
    expect(camera).to_be_visible()
    assert camera.get_attribute("accept") == "image/*"
    assert camera.get_attribute("capture") == "environment"
    camera.set_input_files(files=[{"name": "road.png", "mimeType": "image/png", "buffer": PHOTO}])
    page.get_by_role("button", name="上传照片").click()
    expect(page.locator(".message.success")).to_have_text("已上传附件“road.png”。")
    expect(page.locator("ul.attachments")).to_contain_text("road.png")
    assert overflow(page, "case-detail") is None

    entry = LedgerEntry.objects.get(natural_key="https://weibo.com/8001/road")
    assert (entry.state, entry.state_dates["预警"]) == ("预警", "2021-11-03")
    assert entry.data["title"] == TITLE
    assert [a.name for a in entry.attachments.all()] == ["road.png"]
    with entry.attachments.get().file.open("rb") as stored:
        assert stored.read() == PHOTO


def test_a_wide_screen_keeps_the_links_in_the_bar_and_searches_from_it(
    live_server: object, browser: Browser
) -> None:
    load_demo()
    base = str(live_server)
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(base + "/login/")
    page.get_by_label("用户名").fill("demo")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".menu-button")).to_be_hidden()
    expect(page.locator(".topbar > .nav").get_by_role("link", name="台账")).to_be_visible()
    expect(
        page.locator(".topbar > .account").get_by_role("button", name="退出登录")
    ).to_be_visible()

    page.get_by_role("searchbox", name="搜索").fill("网络")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    expect(page.locator("#search-projects")).to_contain_text("网络安全和信息化经费")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "wide-search.png"))
