"""A large ledger import runs as a job: the import pages' preview and confirm stay, the confirm
of a file past the threshold queues the import, the worker writes every row or none as the
person who confirmed it, the job page shows the rows checked and then what was imported or
the problems by row, and the inbox says so."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jixiao.audit.models import ChangeLog
from jixiao.jobs import services as job_services
from jixiao.jobs.choices import JobStatus
from jixiao.jobs.models import Job
from jixiao.jobs.tests.test_jobs import run_worker
from jixiao.ledgers.models import ImportMapping, LedgerEntry, LedgerType
from jixiao.lib.actor import Actor
from jixiao.notifications.choices import Kind
from jixiao.notifications.models import Notification
from jixiao.system.demo.services import seed_document
from jixiao.targets.services import import_document
from jixiao.units.models import Unit

VENDOR = Path(__file__).parents[2] / "ledgers" / "tests" / "fixtures"
HEADER = "标题,来源平台,链接,首次发现时间,级别,应处置,备注\n"


def cases(count: int, bad: set[int] = frozenset()) -> bytes:  # type: ignore[assignment]
    """A CSV of opinion cases; the rows numbered in ``bad`` (file rows) have a grade that is
    not one of the ledger's choices."""
    lines = [HEADER]
    for n in range(2, count + 2):
        grade = "特大" if n in bad else "一般"
        lines.append(f"案例{n},微博,https://a.cn/{n},2021-03-{n % 28 + 1:02d},{grade},是,x\n")
    return "".join(lines).encode()


@pytest.fixture(autouse=True)
def dirs(settings: Any, tmp_path: Path) -> None:
    settings.UPLOAD_DIR = tmp_path / "uploads"
    settings.JOB_FILES_DIR = tmp_path / "jobs"
    settings.LEDGER_IMPORT_JOB_ROWS = 100


@pytest.fixture
def unit(org: object) -> Unit:
    return import_document(seed_document(), actor=Actor.system(), source="seed").unit


@pytest.fixture
def client(officer: Any) -> Client:
    client = Client()
    client.force_login(officer)
    return client


def through_the_check(client: Client, unit: Unit, name: str, data: bytes, mapping: str) -> str:
    """Upload, keep the mapping offered, look at the check: the import's token."""
    ledger_type = LedgerType.objects.get(code="opinion", unit=None)
    response = client.post(
        reverse("ledgers:import"),
        {
            "file": SimpleUploadedFile(name, data),
            "unit": unit.pk,
            "ledger_type": ledger_type.pk,
            "mapping": mapping,
        },
    )
    token = re.search(r"/ledgers/import/([0-9a-f]{32})/", response["Location"]).group(1)  # type: ignore[union-attr]
    page = client.get(reverse("ledgers:import_mapping", args=[token]))
    initial = {k: f.initial for k, f in page.context["form"].fields.items()}
    client.post(reverse("ledgers:import_mapping", args=[token]), initial | {"save_as": ""})
    check = client.get(reverse("ledgers:import_check", args=[token]))
    assert check.status_code == 200
    # The page says beforehand whether the confirmed import runs in the background.
    rows = check.context["report"].rows
    assert ("确认后将在后台导入" in check.text) == (rows > 100 and check.context["report"].ok)
    return token


def test_a_large_import_runs_in_the_worker_as_the_person_with_progress(
    client: Client, unit: Unit, officer: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    mapping = ImportMapping.objects.get(name="舆情监测服务导出")
    data = (VENDOR / "opinion-vendor-export-2021Q2.xlsx").read_bytes()
    token = through_the_check(client, unit, "舆情.xlsx", data, str(mapping.pk))

    confirmed = client.post(reverse("ledgers:import_confirm", args=[token]))

    job = Job.objects.get()
    assert confirmed["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.status, job.unit, job.requested_by) == (
        "import_ledger",
        JobStatus.QUEUED,
        unit,
        officer,
    )
    assert job.title == f"导入“舆情.xlsx”到{unit.name}的“舆情”台账"
    # The file waits in the jobs' files dir, the upload's own folder is gone, nothing written.
    kept = Path(settings.JOB_FILES_DIR) / job.params["file"]
    assert kept.read_bytes() == data and job.params["rows"] == 400
    assert not any(Path(settings.UPLOAD_DIR).iterdir())
    assert LedgerEntry.objects.count() == 0
    page = client.get(reverse("jobs:detail", args=[job.pk])).text
    assert "正在后台导入" in page and 'hx-trigger="every 1s"' in page

    # What the page would show at each step the worker tells (the file beside the row).
    seen: list[tuple[int, int, str]] = []
    real = job_services.set_progress

    def spy(job_id: int, done: int, total: int, message: str) -> None:
        real(job_id, done, total, message)
        row = job_services.live(Job.objects.get(pk=job_id))
        seen.append((row.done, row.total, row.message))

    monkeypatch.setattr(job_services, "set_progress", spy)
    run_worker()

    assert seen[0] == (0, 400, "正在读取文件……")
    assert seen[1] == (4, 400, "已检查 4 / 400 行")
    assert seen[-2] == (396, 400, "已检查 396 / 400 行")
    assert seen[-1] == (400, 400, "已检查 400 行，正在写入……") and len(seen) == 101
    job.refresh_from_db()
    summary = "已导入“舆情.xlsx”到“舆情”台账：新建 400 条，更新 0 条，0 条无变化。"
    assert (job.status, job.percent, job.message) == (JobStatus.DONE, 100, summary)
    assert LedgerEntry.objects.filter(unit=unit).count() == 400
    assert not kept.exists()  # kept until the job ended
    assert not list(Path(settings.JOB_FILES_DIR).glob("progress-*"))
    # The change log names the person, through a job.
    rows = ChangeLog.objects.filter(object_type="ledgers.ledgerentry")
    assert rows.count() == 400
    assert set(rows.values_list("user_id", "via")) == {(officer.pk, "job")}
    told = Notification.objects.get(user=officer, kind=Kind.JOB_DONE)
    assert (told.title, told.body) == (f"已完成：{job.title}", summary)
    assert told.link == reverse("jobs:detail", args=[job.pk])
    done = client.get(reverse("jobs:detail", args=[job.pk])).text
    assert summary in done and "hx-trigger" not in done and 'value="100"' in done
    assert reverse("ledgers:records", args=["opinion"]) + "?unit=224001" in done


def test_a_bad_row_writes_nothing_and_the_job_page_lists_the_problems_by_row(
    client: Client, unit: Unit, officer: Any, settings: Any
) -> None:
    token = through_the_check(client, unit, "cases.csv", cases(150, bad={7, 90}), "")
    before = ChangeLog.objects.count()
    client.post(reverse("ledgers:import_confirm", args=[token]))
    job = Job.objects.get()

    run_worker()

    job.refresh_from_db()
    summary = "“cases.csv”有 2 处问题（共 150 行），没有导入任何记录；请改正后重新导入。"
    assert (job.status, job.error) == (JobStatus.FAILED, summary)
    assert LedgerEntry.objects.count() == 0 and ChangeLog.objects.count() == before
    assert [(e["row"], e["column"]) for e in job.result["errors"]] == [(7, "级别"), (90, "级别")]
    page = client.get(reverse("jobs:detail", args=[job.pk])).text
    assert "不能导入的问题（2 处）" in page
    assert '<th scope="col">行</th><th scope="col">列</th><th scope="col">问题</th>' in page
    assert '<td class="num">90</td><td>级别</td>' in page
    assert "“级别”的值“特大”不在选项中" in page
    told = Notification.objects.get(user=officer, kind=Kind.JOB_FAILED)
    assert told.body == summary
    assert not list(Path(settings.JOB_FILES_DIR).glob("import-*"))


def test_a_file_within_the_threshold_is_imported_in_the_request(client: Client, unit: Unit) -> None:
    token = through_the_check(client, unit, "cases.csv", cases(100), "")
    done = client.post(reverse("ledgers:import_confirm", args=[token]), follow=True)
    assert not Job.objects.exists()
    assert LedgerEntry.objects.count() == 100
    assert [str(m) for m in done.context["messages"]] == [
        "已导入“cases.csv”到“舆情”台账：新建 100 条，更新 0 条，0 条无变化。"
    ]


def test_the_job_is_the_confirmers_own_and_checked_again_when_it_runs(
    client: Client, unit: Unit, officer: Any, officer_b: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    from jixiao.jobs.services import enqueue_job

    token = through_the_check(client, unit, "cases.csv", cases(120), "")
    client.post(reverse("ledgers:import_confirm", args=[token]))
    job = Job.objects.get()
    # Nobody queues an import in somebody else's name, or into a unit they do not keep.
    with pytest.raises(PermissionDenied):
        enqueue_job("import_ledger", job.params, actor=Actor(officer_b))
    # The officer loses the unit before the worker gets to it: nothing is written.
    officer.is_active = False
    officer.save()
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "发起导入的账号已停用。"
    assert LedgerEntry.objects.count() == 0
    # Another unit's officer sees neither the job nor its problems.
    outsider = Client()
    outsider.force_login(officer_b)
    assert outsider.get(reverse("jobs:detail", args=[job.pk])).status_code == 404


def test_the_page_reads_the_progress_the_worker_tells_while_the_row_cannot_show_it(
    client: Client, unit: Unit
) -> None:
    token = through_the_check(client, unit, "cases.csv", cases(120), "")
    client.post(reverse("ledgers:import_confirm", args=[token]))
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    job_services.set_progress(job.pk, 60, 120, "已检查 60 / 120 行")
    # The worker's transaction has not committed: the row the page reads still says 0.
    Job.objects.filter(pk=job.pk).update(done=0, total=1, message="")
    status = client.get(reverse("jobs:status", args=[job.pk])).text
    assert 'value="50"' in status and "已检查 60 / 120 行" in status


def test_a_kept_upload_left_by_a_stopped_worker_is_pruned_with_old_files(db: None) -> None:
    import os
    import time

    from jixiao.jobs.services import files_dir, prune_files

    old = files_dir() / "import-0123456789abcdef01234567.csv"
    fresh = files_dir() / "import-fedcba9876543210fedcba98.csv"
    progress = files_dir() / "progress-7.json"
    for path in (old, fresh, progress):
        path.write_text("x", encoding="utf-8")
    eight_days = time.time() - 8 * 86400
    os.utime(old, (eight_days, eight_days))
    os.utime(progress, (eight_days, eight_days))
    assert prune_files() == 2
    assert sorted(p.name for p in files_dir().iterdir()) == [fresh.name]
