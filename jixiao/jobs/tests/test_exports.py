"""Whole-unit Excel and Word exports run as jobs: the pages' links start them, the worker makes
them, and the file is the one the immediate download makes (every part of the Office file but
its creation time), for monitoring, self-evaluation, a round's report and the targets."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import docx
import openpyxl
import pytest
from django.urls import reverse

from jixiao import exporters
from jixiao.jobs.choices import JobStatus
from jixiao.jobs.models import Job
from jixiao.jobs.tests.test_jobs import client_of, run_worker
from jixiao.rounds import services as round_services
from jixiao.targets.services import document_for
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db

# The only part of an Office file that differs between two runs: its creation time.
TIMESTAMPED = {"docProps/core.xml"}


@pytest.fixture
def unit(settings: Any, tmp_path: Any) -> Unit:
    from jixiao.system.demo.services import load_demo

    settings.JOB_FILES_DIR = tmp_path / "jobs"
    load_demo()
    return Unit.objects.get(code="224001")


def parts(data: bytes) -> dict[str, bytes]:
    """An Office file's parts by name, without the one stamped with the time it was made."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n not in TIMESTAMPED}


def href(page: str, link: str) -> str:
    """The page's whole-unit download link to this address (the projects' have ``project=``)."""
    found = {
        link + rest.split('"', 1)[0]
        for rest in page.split(f'href="{link}')[1:]
        if "project=" not in rest.split('"', 1)[0]
    }
    assert len(found) == 1, found
    return found.pop()


def start_and_run(path: str, query: dict[str, str]) -> tuple[Job, bytes]:
    """Follow the page's link as a person does: the start page, its form's POST, the worker,
    then the job page's download."""
    client = client_of("demo")
    start = client.get(path, {**query, "background": "1"})
    assert start.status_code == 200 and "开始生成" in start.text
    posted = client.post(path + "?" + "&".join(f"{k}={v}" for k, v in query.items()))
    job = Job.objects.latest("pk")
    assert posted["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == JobStatus.QUEUED
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.percent) == (JobStatus.DONE, 100), job.error
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    return job, b"".join(response.streaming_content)


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_the_monitoring_pages_links_start_jobs_making_the_immediate_file(
    unit: Unit, fmt: str
) -> None:
    client = client_of("demo")
    page = client.get(reverse("rounds:monitoring"), {"unit": "224001", "year": "2021"}).text
    link = reverse("rounds:monitoring_download", args=[fmt])
    assert href(page, link).endswith("&amp;background=1")
    query = {"unit": "224001", "year": "2021", "as_of": "2021-06-30"}
    job, data = start_and_run(link, query)
    doc, _report = round_services.monitoring_document(unit, 2021, dt.date(2021, 6, 30))
    direct = exporters.export_monitoring(doc, fmt)
    assert parts(data) == parts(direct)
    assert job.result_name == f"{unit.name}2021年绩效运行监控表（截至2021-06-30）.{fmt}"
    assert job.content_type == exporters.CONTENT_TYPES[fmt]


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_the_self_evaluation_exports_run_as_jobs_and_match(unit: Unit, fmt: str) -> None:
    link = reverse("rounds:evaluation_download", args=[fmt])
    page = client_of("demo").get(reverse("rounds:evaluation"), {"unit": "224001", "year": "2021"})
    assert href(page.text, link) == f"{link}?unit=224001&amp;year=2021&amp;background=1"
    _job, data = start_and_run(link, {"unit": "224001", "year": "2021"})
    doc, _report = round_services.evaluation_document(unit, 2021)
    assert parts(data) == parts(exporters.export_selfeval(doc, fmt))
    if fmt == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(data))
        cells = [c.value for sheet in workbook for row in sheet.iter_rows() for c in row]
        assert "网络安全和信息化经费" in "".join(str(v) for v in cells if v)
    else:
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
        assert "项目支出绩效自评表" in text


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_the_targets_exports_run_as_jobs_and_match(unit: Unit, fmt: str) -> None:
    link = reverse("targets:export", args=["224001", 2021, fmt])
    page = client_of("demo").get(reverse("targets:index"), {"unit": "224001", "year": "2021"})
    assert f'href="{link}?background=1"' in page.text
    job, data = start_and_run(link, {})
    direct = exporters.export_targets(document_for(unit, 2021), fmt)
    assert parts(data) == parts(direct)
    assert job.result_name == f"{unit.name}2021年度预算绩效目标.{fmt}"


def test_one_projects_excel_still_downloads_at_once(unit: Unit) -> None:
    from jixiao.targets.models import Project

    project = Project.objects.filter(unit=unit, year=2021).order_by("position", "pk").first()
    assert project is not None
    url = reverse("rounds:monitoring_download", args=["docx"])
    query = {"unit": "224001", "year": "2021", "background": "1", "project": project.pk}
    response = client_of("demo").get(url, query)
    assert response.status_code == 200 and response["Content-Type"].startswith(
        exporters.CONTENT_TYPES["docx"]
    )
    assert not Job.objects.exists()


def test_a_rounds_report_exports_its_word_file_as_a_job(unit: Unit) -> None:
    from jixiao.rounds.models import Report

    report = Report.objects.filter(unit=unit).order_by("pk").first()
    assert report is not None
    link = reverse("rounds:report_download", args=[report.pk, "docx"])
    page = client_of("demo").get(reverse("rounds:report", args=[report.pk])).text
    assert f'href="{link}?background=1"' in page
    job, data = start_and_run(link, {})
    assert parts(data) == parts(
        exporters.export_monitoring(round_services.document(report), "docx")
        if report.round.kind == "monitoring"
        else exporters.export_selfeval(round_services.document(report), "docx")  # type: ignore[arg-type]
    )
    assert job.kind == "export_report" and job.result_name.endswith(".docx")
