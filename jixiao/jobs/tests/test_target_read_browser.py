"""A long PDF uploaded to the target import in a real browser (Chromium): the person lands on
the job's page, the bar shows the page being read while the worker reads it, then the link
查看识别结果并导入 opens the preview.

Set ``JIXIAO_WEB_CHECK_DIR`` to keep screenshots of the job page (queued, reading, done) and
of the preview.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from jixiao.exporters import export_targets
from jixiao.jobs import services as job_services
from jixiao.jobs.tests.test_jobs import run_worker
from jixiao.system.demo.services import DEMO_PASSWORD, load_demo, seed_document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("JIXIAO_WEB_CHECK_DIR")


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_a_long_pdf_is_read_in_the_worker_while_the_page_shows_its_pages(
    page: Page, live_server: Any, settings: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    settings.JOB_FILES_DIR = tmp_path / "jobs"
    settings.UPLOAD_DIR = tmp_path / "uploads"
    settings.TARGET_READ_JOB_PAGES = 3
    load_demo()
    pdf = tmp_path / "2021年度绩效目标表.pdf"
    pdf.write_bytes(export_targets(seed_document(), "pdf"))  # four pages
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/import/")
    page.get_by_label("用户名").fill("demo")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.get_by_label("上传文件").set_input_files(pdf)
    page.get_by_role("button", name="预览").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("#job-status")).to_contain_text("排队中")
    expect(page.locator("#job-status")).to_contain_text("文件在后台读取")
    screenshot(page, "read-targets-queued")

    # While the worker reads page 3, the page (asking each second) shows it.
    real = job_services.set_progress
    shown: list[str] = []

    def watched(job_id: int, done: int, total: int, message: str) -> None:
        real(job_id, done, total, message)
        if message == "正在读取第 3 / 4 页……":
            expect(page.locator("#job-status")).to_contain_text("第 3 / 4 页", timeout=5000)
            shown.append(page.locator("#job-status progress").get_attribute("value") or "")
            screenshot(page, "read-targets-reading")

    monkeypatch.setattr(job_services, "set_progress", watched)
    run_worker()

    assert shown == ["40"]  # 2 of 5 steps (four pages, then the interpretation)
    expect(page.locator("#job-status")).to_contain_text("已完成")
    expect(page.locator("#job-status")).to_contain_text("2 个项目，18 条绩效指标")
    expect(page.locator("#job-status")).not_to_contain_text("文件在后台读取")
    screenshot(page, "read-targets-done")
    page.get_by_role("link", name="查看识别结果并导入").click()
    expect(page).to_have_url(re.compile(r"/import/preview/[0-9a-f]{32}/$"))
    expect(page.locator("main")).to_contain_text("导入预览：2021年度绩效目标表.pdf")
    expect(page.locator("main")).to_contain_text(seed_document().projects[1].name)
    screenshot(page, "read-targets-preview")
