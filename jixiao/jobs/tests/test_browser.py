"""An Excel export as a job in a real browser (Chromium): the monitoring page's button starts
it, the job page waits, the worker runs it, the bar reaches 100 and the download is there.

Set ``JIXIAO_WEB_CHECK_DIR`` to keep screenshots of the job page, waiting and done.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from jixiao.jobs.models import Job
from jixiao.jobs.tests.test_jobs import run_worker
from jixiao.system.demo.services import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("JIXIAO_WEB_CHECK_DIR")


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_an_excel_export_runs_in_the_worker_while_the_page_waits(
    page: Page, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.JOB_FILES_DIR = tmp_path / "jobs"
    load_demo()
    base = live_server.url
    path = "/rounds/monitoring/?unit=224001&year=2021&as_of=2021-06-30"
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(base + path)
    page.get_by_label("用户名").fill("demo")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.locator("form.picker").get_by_role("link", name="Excel").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("#job-status")).to_contain_text("排队中")
    screenshot(page, "job-queued")

    run_worker()  # the worker, while the page keeps asking

    expect(page.locator("#job-status progress")).to_have_attribute("value", "100")
    expect(page.locator("#job-status")).to_contain_text("已完成")
    screenshot(page, "job-done")
    job = Job.objects.get()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^下载 ")).click()
    assert download.value.suggested_filename == job.result_name
    saved = tmp_path / "saved.xlsx"
    download.value.save_as(saved)
    assert openpyxl.load_workbook(saved).sheetnames
    # The inbox says it is done.
    page.goto(base + "/inbox/")
    expect(page.locator("main")).to_contain_text(f"已完成：{job.title}")
    screenshot(page, "job-inbox")


def test_a_large_import_with_a_bad_row_shows_its_problems_on_the_job_page(
    page: Page, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    from django.contrib.auth import get_user_model

    from jixiao.jobs.ledger_import import KIND, keep_upload
    from jixiao.jobs.services import enqueue_job
    from jixiao.jobs.tests.test_ledger_import import cases
    from jixiao.ledgers.models import LedgerType
    from jixiao.lib.actor import Actor
    from jixiao.units.models import Unit

    settings.JOB_FILES_DIR = tmp_path / "jobs"
    load_demo()
    officer = get_user_model().objects.get(username="demo")
    source = tmp_path / "cases.csv"
    source.write_bytes(cases(600, bad={9, 300}))
    params = {
        "file": keep_upload(source),
        "name": "舆情季度导出.csv",
        "unit": Unit.objects.get(code="224001").pk,
        "ledger_type": LedgerType.objects.get(code="opinion", unit=None).pk,
        "by": officer.pk,
        "rows": 600,
        "columns": None,
        "overlap": "ask",
    }
    job = enqueue_job(KIND, params, actor=Actor(officer))
    run_worker()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + f"/jobs/{job.pk}/")
    page.get_by_label("用户名").fill("demo")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#job-status")).to_contain_text(
        "有 2 处问题（共 600 行），没有导入任何记录"
    )
    expect(page.locator("table.import-errors tbody tr")).to_have_count(2)
    screenshot(page, "job-import-failed")
