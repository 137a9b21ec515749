"""The target pages in a real browser (Chromium through Playwright) against a live server.

Set ``JIXIAO_WEB_CHECK_DIR`` to keep full-page screenshots of the main page, the import
preview and the history page for a look by eye.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from jixiao.lib.actor import Actor
from jixiao.system.demo.people import SUPERUSER
from jixiao.system.demo.services import DEMO_PASSWORD, load_demo, seed_document
from jixiao.targets.services import import_document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_PATH = Path(__file__).resolve().parents[2] / "system" / "demo" / "seed-changli-cac-2021.txt"
SCREENSHOTS = os.environ.get("JIXIAO_WEB_CHECK_DIR")


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def register(settings, tmp_path, demo_document):
    """The demo, an earlier year of it, a second unit, and a revised target.

    The first project's first target was edited to ≥250条 after the demo load, so uploading
    the seed again turns it back to ≥200条: a real change for the history page.
    """
    settings.UPLOAD_DIR = tmp_path / "uploads"
    settings.JOB_FILES_DIR = tmp_path / "jobs"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    load_demo()
    revised = seed_document()
    first = revised.projects[0].indicators[0]
    revised.projects[0].indicators[0] = dataclasses.replace(first, target="≥250条")
    import_document(revised, actor=Actor.system(), source="修订稿.docx")
    import_document(
        dataclasses.replace(demo_document, year=2020), actor=Actor.system(), source="a.txt"
    )
    other = dataclasses.replace(
        demo_document,
        unit=dataclasses.replace(demo_document.unit, code="224002", name="昌黎县某局"),
    )
    import_document(other, actor=Actor.system(), source="b.txt")


def log_in(page: Page, base: str) -> None:
    """Log in as the demo's superuser: the walk crosses two units, which no unit's officer
    reaches."""
    page.goto(base + "/targets/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/targets/$"))
    page.get_by_label("用户名").fill(SUPERUSER)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="1.网络安全和信息化经费绩效目标表")).to_be_visible()


def wait_until_settled(page: Page) -> None:
    """Wait for htmx to finish a swap (its request, swap and settle classes are gone)."""
    page.wait_for_function(
        "() => !document.querySelector("
        "'.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )
    page.wait_for_timeout(50)


def test_browse_switch_download_import_and_history(page: Page, live_server, register, tmp_path):
    base = live_server.url
    log_in(page, base)

    # The table, merged like the printed form.
    first = page.locator("#project-1 table")
    expect(first.locator("td[rowspan='4']", has_text="产出指标")).to_have_count(1)
    expect(first).to_contain_text("≥250条")
    screenshot(page, "main")

    # The picker swaps the page in place (htmx) and the address follows. The new picker is
    # wired up once htmx has settled the swap; a person never picks within those milliseconds.
    page.get_by_label("预算年度").select_option("2020")
    expect(page).to_have_url(re.compile(r"year=2020"))
    expect(page.locator("h1.doc-title")).to_contain_text("2020年度预算绩效目标")
    wait_until_settled(page)
    page.get_by_label("预算单位").select_option("224002")
    expect(page).to_have_url(re.compile(r"unit=224002"))
    expect(page.locator("h1.doc-title")).to_have_text("昌黎县某局2021年度预算绩效目标")
    wait_until_settled(page)
    page.get_by_label("预算单位").select_option("224001")
    expect(page.locator("h1.doc-title")).to_contain_text("本级2021年度预算绩效目标")

    # Download: the whole unit's file is made as a job (run at once here), whose page links it.
    page.get_by_role("link", name="Excel").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("#job-status progress")).to_have_attribute("value", "100")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^下载 ")).click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "中共昌黎县委网络安全和信息化委员会办公室本级2021年度预算绩效目标.xlsx"
    assert "1.网络安全和信息化经费" in openpyxl.load_workbook(saved).sheetnames

    # Import the seed: preview with its warning section, then confirm.
    page.get_by_role("link", name="导入文档").click()
    page.get_by_label("上传文件").set_input_files(SEED_PATH)
    page.get_by_role("button", name="预览").click()
    expect(page.get_by_role("heading", name=re.compile("识别警告"))).to_be_visible()
    expect(page.locator("#project-1 table")).to_contain_text("≥200条")
    screenshot(page, "preview")
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".message.success")).to_contain_text(
        "网络安全和信息化经费：更新，第 3 版（1 处变化）"
    )
    expect(page.locator("#project-1 table")).to_contain_text("≥200条")

    # History: the change just made, before and after.
    page.locator("#project-1").get_by_role("link", name="修改记录").click()
    expect(page.get_by_role("heading", name="网络安全和信息化经费 修改记录")).to_be_visible()
    latest = page.locator(".revision").first
    expect(latest).to_contain_text("第 3 版")
    expect(latest.locator("td.before")).to_have_text("≥250条")
    expect(latest.locator("td.after")).to_have_text("≥200条")
    screenshot(page, "history")


def test_pages_work_without_javascript(browser, live_server, register):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    base = live_server.url
    log_in(page, base)

    page.get_by_label("预算年度").select_option("2020")
    page.get_by_role("button", name="查看").click()

    expect(page).to_have_url(re.compile(r"unit=224001&year=2020"))
    expect(page.locator("h1.doc-title")).to_contain_text("2020年度预算绩效目标")
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    context.close()
