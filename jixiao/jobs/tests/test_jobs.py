"""Background jobs: a whole-unit export goes queued → running → done through the database
queue and the worker's own code, with its progress; its file only for those who reach the
unit; the pages start jobs; failures are told."""

from __future__ import annotations

import io
from typing import Any
from unittest import mock

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from jixiao.jobs import kinds
from jixiao.jobs.choices import JobStatus
from jixiao.jobs.models import Job
from jixiao.jobs.services import enqueue_job
from jixiao.lib.actor import Actor
from jixiao.notifications.choices import Kind
from jixiao.notifications.models import Notification
from jixiao.system.demo.services import load_demo
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db


def person(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def client_of(username: str) -> Client:
    client = Client()
    client.force_login(person(username))
    return client


@pytest.fixture
def unit(settings: Any, tmp_path: Any) -> Unit:
    settings.JOB_FILES_DIR = tmp_path / "jobs"
    load_demo()
    return Unit.objects.get(code="224001")


@pytest.fixture
def immediate(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def run_worker() -> None:
    """The library's worker loop, as ``jixiao worker --batch`` runs it.

    The worker closes connections it thinks stale; inside the test's transaction (autocommit
    off) Django would drop the connection — on PostgreSQL that ends the test's transaction —
    so that one housekeeping call is left out here.
    """
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        _worker().run()


def _worker() -> Worker:
    return Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def test_an_export_job_runs_through_the_database_queue_with_progress(
    unit: Unit, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = {"unit": unit.pk, "year": 2021, "as_of": "2021-06-30", "fmt": "xlsx"}
    job = enqueue_job("export_monitoring", params, actor=Actor(person("demo")))
    assert job.status == JobStatus.QUEUED and job.done == 0
    queued = DBTaskResult.objects.get(id=job.task_id)
    assert queued.task_path == "jixiao.jobs.tasks.run_job" and queued.status == "READY"

    # What the job's row says while the work runs, step by step.
    seen: list[tuple[str, int, int, str]] = []
    real = kinds.KINDS["export_monitoring"]

    def watched(p: Any, progress: kinds.Progress) -> kinds.Output:
        def spy(done: int, total: int, message: str) -> None:
            progress(done, total, message)
            row = Job.objects.get(pk=job.pk)
            seen.append((row.status, row.done, row.total, row.message))

        return real.run(p, spy)

    monkeypatch.setitem(
        kinds.KINDS, "export_monitoring", kinds.Kind(real.label, real.check, watched)
    )
    run_worker()

    assert seen == [
        ("running", 0, 3, "正在计算监控表……"),
        ("running", 1, 3, "正在生成 Excel 文件……"),
        ("running", 2, 3, "正在保存文件……"),
    ]
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == ("done", 3, 3, 100)
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"
    assert job.result_name.endswith("年绩效运行监控表（截至2021-06-30）.xlsx")
    # The person is told, with a link to the job.
    told = Notification.objects.get(user=person("demo"), kind=Kind.JOB_DONE)
    assert told.link == reverse("jobs:detail", args=[job.pk])

    # The file: to the officer who asked and the bureau's reviewer (same unit in reach) …
    url = reverse("jobs:download", args=[job.pk])
    for username in ("demo", "shenhe"):
        response = client_of(username).get(url)
        assert response.status_code == 200, username
        workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert workbook.sheetnames
    # … and 404 to another unit's officer, for the file, the page and the progress alike.
    outsider = client_of("dangan")
    for name in ("jobs:download", "jobs:detail", "jobs:status"):
        assert outsider.get(reverse(name, args=[job.pk])).status_code == 404, name


def test_the_job_page_polls_until_done_then_links_the_file(unit: Unit) -> None:
    params = {"unit": unit.pk, "year": 2021, "fmt": "xlsx"}
    job = enqueue_job("export_targets", params, actor=Actor(person("demo")))
    client = client_of("demo")
    waiting = client.get(reverse("jobs:detail", args=[job.pk])).text
    assert 'hx-trigger="every 1s"' in waiting and "<progress" in waiting and "排队中" in waiting
    run_worker()
    done = client.get(reverse("jobs:status", args=[job.pk])).text
    assert "hx-trigger" not in done
    assert 'value="100"' in done and reverse("jobs:download", args=[job.pk]) in done


def test_the_monitoring_page_starts_its_pdf_as_a_job(unit: Unit, immediate: None) -> None:
    client = client_of("demo")
    page = client.get(reverse("rounds:monitoring"), {"unit": "224001", "year": "2021"}).text
    link = reverse("rounds:monitoring_download", args=["pdf"])
    assert f"{link}?unit=224001&amp;year=2021&amp;as_of=" in page and "background=1" in page
    query = {"unit": "224001", "year": "2021", "as_of": "2021-06-30", "background": "1"}
    start = client.get(link, query)
    assert start.status_code == 200 and "开始生成" in start.text
    # The start page's form posts to the same address: the job is made and run (immediate).
    response = client.post(f"{link}?unit=224001&year=2021&as_of=2021-06-30&background=1")
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == JobStatus.DONE and job.content_type == "application/pdf"
    pdf = client.get(reverse("jobs:download", args=[job.pk]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    # htmx asks for the job page by HX-Redirect instead.
    htmx = client.post(
        f"{link}?unit=224001&year=2021&as_of=2021-06-30", headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith("/jobs/")


def test_one_projects_file_stays_immediate(unit: Unit) -> None:
    from jixiao.targets.models import Project

    project = Project.objects.filter(unit=unit, year=2021).first()
    url = reverse("rounds:evaluation_download", args=["xlsx"])
    response = client_of("demo").get(
        url, {"unit": "224001", "year": "2021", "project": project.pk, "background": "1"}
    )
    assert response.status_code == 200 and not Job.objects.exists()


def test_a_job_is_refused_outside_reach_or_with_bad_parameters(unit: Unit) -> None:
    params = {"unit": unit.pk, "year": 2021, "fmt": "xlsx"}
    with pytest.raises(PermissionDenied):
        enqueue_job("export_targets", params, actor=Actor(person("dangan")))
    with pytest.raises(ValidationError):
        enqueue_job("export_targets", {**params, "fmt": "exe"}, actor=Actor(person("demo")))
    with pytest.raises(ValidationError):
        enqueue_job("no_such_kind", params, actor=Actor(person("demo")))
    assert not Job.objects.exists()


def test_a_failing_job_says_why_in_the_inbox(
    unit: Unit, immediate: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jixiao import exporters

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise OSError("no pango")

    monkeypatch.setattr(exporters, "export_targets", broken)
    params = {"unit": unit.pk, "year": 2021, "fmt": "pdf"}
    job = enqueue_job("export_targets", params, actor=Actor(person("demo")))
    assert job.status == JobStatus.FAILED and "无法导出 PDF" in job.error
    told = Notification.objects.get(user=person("demo"), kind=Kind.JOB_FAILED)
    assert "无法导出 PDF" in told.body
    assert client_of("demo").get(reverse("jobs:download", args=[job.pk])).status_code == 404
