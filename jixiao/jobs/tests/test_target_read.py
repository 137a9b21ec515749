"""A slow target upload is read in the background (job kind ``read_targets``): a PDF of more
pages than ``TARGET_READ_JOB_PAGES``, a scan (OCR), a picture or a .doc goes to the worker and
the person lands on the job's page, which shows the pages read and then links to the preview;
a file the readers refuse ends the job with their message and leaves no upload; a small Word
file is still read in the request.

The files are real: the demo's target document exported by the project's own exporters (a
four-page PDF with a text layer, a Word file), and its pages rendered to pictures (a scanned
PDF without a text layer, read by OCR in the one test marked ``ocr``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jixiao import importers
from jixiao.exporters import export_targets
from jixiao.importers.pages import slow_to_read
from jixiao.jobs import services as job_services
from jixiao.jobs.choices import JobStatus
from jixiao.jobs.models import Job
from jixiao.jobs.services import enqueue_job
from jixiao.jobs.tests.test_jobs import run_worker
from jixiao.lib.actor import Actor
from jixiao.notifications.choices import Kind
from jixiao.notifications.models import Notification
from jixiao.system.demo.services import seed_document
from jixiao.targets.models import Project

PREVIEW = re.compile(r"/import/preview/([0-9a-f]{32})/$")


@pytest.fixture(autouse=True)
def dirs(settings: Any, tmp_path: Path) -> None:
    settings.UPLOAD_DIR = tmp_path / "uploads"
    settings.JOB_FILES_DIR = tmp_path / "jobs"
    settings.TARGET_READ_JOB_PAGES = 3


@pytest.fixture(scope="module")
def seed_pdf() -> bytes:
    """The demo's two project tables as the PDF export prints them: four pages, with text."""
    return export_targets(seed_document(), "pdf")


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, name: str, data: bytes) -> Any:
    return client.post(reverse("targets:import"), {"file": SimpleUploadedFile(name, data)})


def uploads_left(settings: Any) -> list[Path]:
    root = Path(settings.UPLOAD_DIR)
    return list(root.iterdir()) if root.is_dir() else []


def watch_progress(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int, str]]:
    """Each step the worker tells, as the job's page would read it at that moment."""
    seen: list[tuple[int, int, str]] = []
    real = job_services.set_progress

    def spy(job_id: int, done: int, total: int, message: str) -> None:
        real(job_id, done, total, message)
        row = job_services.live(Job.objects.get(pk=job_id))
        seen.append((row.done, row.total, row.message))

    monkeypatch.setattr(job_services, "set_progress", spy)
    return seen


def test_a_long_pdf_is_read_by_the_worker_page_by_page_and_previewed(
    officer: Any, head: Any, officer_b: Any, seed_pdf: bytes, settings: Any, monkeypatch: Any
) -> None:
    client = client_of(officer)
    response = upload(client, "2021年绩效目标.pdf", seed_pdf)

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.status, job.unit, job.requested_by) == (
        "read_targets",
        JobStatus.QUEUED,
        None,
        officer,
    )
    assert job.title == "读取“2021年绩效目标.pdf”中的绩效目标"
    # The file waits under its upload token, not yet read.
    (folder,) = uploads_left(settings)
    assert folder.name == job.params["upload"]
    assert sorted(p.name for p in folder.iterdir()) == ["2021年绩效目标.pdf", "owner"]
    page = client.get(response["Location"]).text
    assert "文件在后台读取" in page and 'hx-trigger="every 1s"' in page

    seen = watch_progress(monkeypatch)
    run_worker()

    assert seen == [
        (0, 3, "正在读取文件……"),
        (0, 5, "正在读取第 1 / 4 页……"),
        (1, 5, "正在读取第 2 / 4 页……"),
        (2, 5, "正在读取第 3 / 4 页……"),
        (3, 5, "正在读取第 4 / 4 页……"),
    ]
    job.refresh_from_db()
    summary = "已读取“2021年绩效目标.pdf”：2 个项目，18 条绩效指标。导入前请在预览中核对。"
    assert (job.status, job.percent, job.message) == (JobStatus.DONE, 100, summary)
    preview_url = reverse("targets:preview", kwargs={"token": folder.name})
    assert job.result["link"] == preview_url
    assert job.result["link_label"] == "查看识别结果并导入"
    told = Notification.objects.get(user=officer, kind=Kind.JOB_DONE)
    assert (told.title, told.body) == (f"已完成：{job.title}", summary)
    assert told.link == reverse("jobs:detail", args=[job.pk])
    done = client.get(reverse("jobs:detail", args=[job.pk])).text
    assert summary in done and "hx-trigger" not in done
    assert f'href="{preview_url}">查看识别结果并导入</a>' in done

    # The preview shows what the worker read, exactly as after an immediate read.
    preview = client.get(preview_url)
    assert preview.status_code == 200
    assert "导入预览：2021年绩效目标.pdf" in preview.text
    assert "将更新已有单位「224001 中共昌黎县委网络安全和信息化委员会办公室本级」" in preview.text
    names = [p.name for p in seed_document().projects]
    assert names == [p.name for p in preview.context["document"].projects]
    assert all(name in preview.text for name in names)
    assert Project.objects.count() == 0  # nothing imported before the confirmation

    # Nobody else sees the reading: not the unit's head, not another unit's officer.
    for other in (head, officer_b):
        someone = client_of(other)
        refused = someone.get(preview_url, follow=True)
        assert refused.redirect_chain == [(reverse("targets:import"), 302)]
        assert "上传的文件已过期，请重新上传。" in refused.text
        assert someone.get(reverse("jobs:detail", args=[job.pk])).status_code == 404


def test_a_broken_picture_ends_the_job_with_the_readers_message_and_no_upload(
    officer: Any, settings: Any, tmp_path: Path
) -> None:
    data = b"\xff\xd8\xff\xe0 not really a JPEG" + bytes(200)
    client = client_of(officer)
    response = upload(client, "扫描件.jpg", data)
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])

    run_worker()

    # The message the import page gives for the same file read in a request.
    copy = tmp_path / "扫描件.jpg"
    copy.write_bytes(data)
    with pytest.raises(importers.ImportFailure) as refused:
        importers.load_document(copy)
    message = str(refused.value)
    assert message == "无法读取 图片 文件 扫描件.jpg：文件已损坏或不是 PNG/JPEG 图片"
    job.refresh_from_db()
    assert (job.status, job.error, job.message) == (JobStatus.FAILED, message, message)
    assert job.result["link"] == reverse("targets:import")
    assert job.result["link_label"] == "重新上传"
    assert uploads_left(settings) == []
    told = Notification.objects.get(user=officer, kind=Kind.JOB_FAILED)
    assert (told.title, told.body) == (f"未完成：{job.title}", message)
    page = client.get(reverse("jobs:detail", args=[job.pk])).text
    assert message in page and "重新上传" in page


def test_a_small_word_file_is_still_read_in_the_request(officer: Any, settings: Any) -> None:
    response = upload(client_of(officer), "目标.docx", export_targets(seed_document(), "docx"))

    assert PREVIEW.search(response["Location"])
    assert Job.objects.count() == 0


def test_a_pdf_of_few_pages_is_read_in_the_request(
    officer: Any, settings: Any, seed_pdf: bytes
) -> None:
    settings.TARGET_READ_JOB_PAGES = 4  # the export has four pages
    response = upload(client_of(officer), "目标.pdf", seed_pdf)

    assert PREVIEW.search(response["Location"])
    assert Job.objects.count() == 0


def test_which_files_are_slow_to_read(tmp_path: Path, seed_pdf: bytes, settings: Any) -> None:
    import pypdfium2 as pdfium

    def file(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    text_pdf = file("text.pdf", seed_pdf)
    document = pdfium.PdfDocument(str(text_pdf))
    picture = document[0].render(scale=1).to_pil().convert("RGB")
    document.close()
    picture.save(tmp_path / "scan.pdf")  # one page, an image only: a scan
    assert slow_to_read(text_pdf, 3) is True  # four pages
    assert slow_to_read(text_pdf, 4) is False  # a text layer, few pages
    assert slow_to_read(tmp_path / "scan.pdf", 3) is True  # no text layer: OCR
    assert slow_to_read(file("broken.pdf", b"%PDF-1.4 broken"), 3) is False  # fails at once
    settings.IMPORT_MAX_PDF_PAGES = 3
    assert slow_to_read(text_pdf, 1) is False  # past the page limit: refused at once
    assert slow_to_read(file("empty.jpg", b""), 3) is False
    for name in ("a.png", "a.JPG", "a.jpeg", "a.doc"):
        assert slow_to_read(file(name, b"x"), 3) is True
    for name in ("a.docx", "a.xlsx", "a.txt"):
        assert slow_to_read(file(name, b"x"), 3) is False


def test_only_the_uploader_may_ask_for_the_read(officer: Any, head: Any, settings: Any) -> None:
    from jixiao.targets import uploads

    token, _path = uploads.save("目标.jpg", [b"x"], owner=officer.pk)
    with pytest.raises(PermissionDenied):
        enqueue_job("read_targets", {"upload": token, "by": officer.pk}, actor=Actor(head))
    with pytest.raises(Exception, match="上传的文件已过期"):
        enqueue_job("read_targets", {"upload": token, "by": head.pk}, actor=Actor(head))
    assert Job.objects.count() == 0


@pytest.mark.ocr
def test_a_scanned_pdf_is_read_by_ocr_in_the_worker_page_by_page(
    officer: Any, seed_pdf: bytes, settings: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """The first two pages of the export rendered at 200 dpi and bound as an image-only PDF
    (about 10–30 s of OCR)."""
    import pypdfium2 as pdfium

    source = tmp_path / "printed.pdf"
    source.write_bytes(seed_pdf)
    document = pdfium.PdfDocument(str(source))
    pictures = [document[i].render(scale=200 / 72).to_pil().convert("RGB") for i in (0, 1)]
    document.close()
    scan = tmp_path / "扫描件.pdf"
    pictures[0].save(scan, save_all=True, append_images=pictures[1:], resolution=200)
    client = client_of(officer)
    response = upload(client, scan.name, scan.read_bytes())
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])

    seen = watch_progress(monkeypatch)
    run_worker()

    # The text layer is looked for first (none), then each page is read by OCR.
    assert seen == [
        (0, 3, "正在读取文件……"),
        (0, 3, "正在读取第 1 / 2 页……"),
        (1, 3, "正在读取第 2 / 2 页……"),
        (0, 3, "正在识别第 1 / 2 页（文字识别）……"),
        (1, 3, "正在识别第 2 / 2 页（文字识别）……"),
    ]
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert re.fullmatch(
        r"已读取“扫描件\.pdf”：1 个项目，\d+ 条绩效指标；\d+ 处文字识别结果待核对。"
        r"导入前请在预览中核对。",
        job.message,
    )
    preview = client.get(job.result["link"])
    assert preview.status_code == 200
    assert preview.context["document"].to_confirm  # OCR'd values wait for the person's check
    assert seed_document().projects[0].name in preview.text
