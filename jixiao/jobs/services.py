"""Asking for long work and doing it: ``enqueue_job`` (pages, commands, other apps) and
``run_job`` (the worker), with the progress the job page shows.

``enqueue_job`` checks the parameters and the permission in the request, so a refusal is
immediate; the worker then does the work as the system, and tells the person in the inbox.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.access.lookups import NOT_FOUND, _pk
from jixiao.access.scope import reach
from jixiao.jobs.choices import JobStatus
from jixiao.jobs.kinds import KINDS, Outcome, Output
from jixiao.jobs.models import Job
from jixiao.lib.actor import Actor

logger = logging.getLogger(__name__)


def enqueue_job(kind: str, params: Mapping[str, Any], *, actor: Actor) -> Job:
    """Queue a job of a registered kind for the acting person; the worker runs it.

    Raises ValidationError for bad parameters and PermissionDenied when the person may not
    (e.g. export a unit they do not reach). The job's unit decides who else may see it.
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationError(_("未知的任务类型：%(kind)s") % {"kind": kind})
    if actor.user is None and not actor.operator:
        raise PermissionDenied(_("请先登录。"))
    checked = spec.check(params, actor)
    job = Job.objects.create(
        kind=kind,
        params=dict(params),
        title=checked.title[:300],
        unit=checked.unit,
        requested_by=actor.user,
        message=_("等待后台处理……"),
    )
    from jixiao.jobs.tasks import run_job

    # With the database backend this only writes the queue row (in the caller's transaction,
    # so the worker never sees a job that was rolled back); the immediate backend runs it now.
    result = run_job.enqueue(job.pk)
    Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def set_progress(job_id: int, done: int, total: int, message: str) -> None:
    """Record how far a job got: on its row, and in a small file beside the jobs' files.

    The row is what the page reads once the job ends. A job that works inside one
    transaction (an import: all rows or none) cannot show its row's progress to the page
    before it commits, so the page reads the file while the job runs (``live``).
    """
    total = max(total, 1)
    done = min(max(done, 0), total)
    Job.objects.filter(pk=job_id).update(done=done, total=total, message=message[:300])
    path = _progress_file(job_id)
    spare = path.with_suffix(".tmp")
    spare.write_text(
        json.dumps({"done": done, "total": total, "message": message[:300]}), encoding="utf-8"
    )
    os.replace(spare, path)  # the page never reads half a file


def _progress_file(job_id: int) -> Path:
    return files_dir() / f"progress-{int(job_id)}.json"


def live(job: Job) -> Job:
    """The job with the progress its worker last told, when it is still running."""
    if job.status != JobStatus.RUNNING:
        return job
    try:
        told = json.loads(_progress_file(job.pk).read_text(encoding="utf-8"))
        done, total, message = int(told["done"]), int(told["total"]), str(told["message"])
    except (OSError, ValueError, KeyError, TypeError):
        return job
    if total >= 1 and 0 <= done <= total:
        job.done, job.total, job.message = done, total, message
    return job


def files_dir() -> Path:
    """Where finished jobs keep their files."""
    path = Path(settings.JOB_FILES_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _save(job: Job, output: Output) -> str:
    suffix = Path(output.filename).suffix[:10]
    name = f"{job.pk}-{secrets.token_hex(8)}{suffix}"
    (files_dir() / name).write_bytes(output.data)
    return name


def job_url(job: Job) -> str:
    """The job's page (its progress, then its download link)."""
    return reverse("jobs:detail", args=[job.pk])


def run_job_now(job_id: int) -> str:
    """Do a queued job: running → done with its file, or failed with the reason; the person
    who asked is told in the inbox either way. Returns the final status."""
    job = Job.objects.select_related("requested_by", "unit").filter(pk=job_id).first()
    if job is None or job.status != JobStatus.QUEUED:
        return job.status if job is not None else ""
    spec = KINDS[job.kind]
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=now)

    def progress(done: int, total: int, message: str) -> None:
        set_progress(job.pk, done, total, message)

    try:
        try:
            output = spec.run(job.params, progress)
            path = _save(job, output) if isinstance(output, Output) else ""
        finally:
            _progress_file(job.pk).unlink(missing_ok=True)
    except Exception as exc:
        if isinstance(exc, ValidationError):
            reason = "；".join(exc.messages)
        elif isinstance(exc, PermissionDenied):
            reason = str(exc) or _("没有权限。")
        elif isinstance(exc, (ImportError, OSError)) and job.params.get("fmt") == "pdf":
            reason = _("本服务器暂时无法导出 PDF，Excel 和 Word 格式不受影响。")
        else:
            reason = _("任务出错，请稍后重试或联系管理员。")
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=reason, message=reason[:300], finished_at=timezone.now()
        )
        _tell(job, done=False, reason=reason)
        return JobStatus.FAILED
    if isinstance(output, Outcome):
        return _finish(job, output)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        done=models_total(job.pk),
        message=_("已完成"),
        result_path=path,
        result_name=output.filename[:300],
        content_type=output.content_type,
        finished_at=timezone.now(),
    )
    _tell(job, done=True)
    return JobStatus.DONE


def _finish(job: Job, outcome: Outcome) -> str:
    """End a job that makes no file: done with what it did, or failed with why not."""
    status = JobStatus.DONE if outcome.ok else JobStatus.FAILED
    if outcome.ok:
        Job.objects.filter(pk=job.pk).update(done=models_total(job.pk))
    Job.objects.filter(pk=job.pk).update(
        status=status,
        message=outcome.summary[:300],
        error="" if outcome.ok else outcome.summary,
        result=outcome.as_json(),
        finished_at=timezone.now(),
    )
    _tell(job, done=outcome.ok, reason=outcome.summary)
    return status


def models_total(job_id: int) -> int:
    """The job's total steps (done = total when it finishes)."""
    return int(Job.objects.filter(pk=job_id).values_list("total", flat=True).get())


def _tell(job: Job, *, done: bool, reason: str = "") -> None:
    from jixiao.notifications.choices import Kind
    from jixiao.notifications.services import notify

    if job.requested_by is None:
        return
    if done:
        notify(
            [job.requested_by],
            Kind.JOB_DONE,
            _("已完成：%(title)s") % {"title": job.title},
            body=reason,
            link=job_url(job),
            unit=job.unit,
        )
    else:
        notify(
            [job.requested_by],
            Kind.JOB_FAILED,
            _("未完成：%(title)s") % {"title": job.title},
            body=reason,
            link=job_url(job),
            unit=job.unit,
        )


# --- reading ---------------------------------------------------------------------------------


def jobs_for(who: Any) -> QuerySet[Job]:
    """The jobs a person may see: those of units in reach (anyone there may run the same
    export), and their own jobs that concern no unit."""
    user = getattr(who, "user", who)
    if user is None or not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    found = reach(who)
    own = Q(unit__isnull=True, requested_by=user)
    if found.everything:
        return Job.objects.filter(Q(unit__isnull=False) | own)
    return Job.objects.filter(Q(unit_id__in=found.unit_ids) | own)


def get_job_for_user(who: Any, pk: Any) -> Job:
    """A job the person may see, else 404 (the same answer as for one that does not exist)."""
    job = jobs_for(who).select_related("unit", "requested_by").filter(pk=_pk(pk)).first()
    if job is None:
        raise Http404(NOT_FOUND)
    return job


def result_file(job: Job) -> Path | None:
    """The finished job's file, or None when it has none (any more)."""
    if job.status != JobStatus.DONE or not job.result_path:
        return None
    path = files_dir() / Path(job.result_path).name
    return path if path.is_file() else None


def prune_files(days: int | None = None) -> int:
    """Delete the files of jobs finished more than ``days`` days ago; how many went."""
    import datetime as dt

    keep = settings.JOB_FILES_DAYS if days is None else days
    cutoff = timezone.now() - dt.timedelta(days=keep)
    old = Job.objects.filter(finished_at__lt=cutoff).exclude(result_path="")
    count = 0
    for job in old:
        path = files_dir() / Path(job.result_path).name
        if path.is_file():
            path.unlink()
            count += 1
    old.update(result_path="")
    # An import's kept upload and a progress file outlive their job only when its worker was
    # stopped mid-way: gone after the same days.
    for stale in (*files_dir().glob("import-*"), *files_dir().glob("progress-*")):
        if stale.stat().st_mtime < cutoff.timestamp():
            stale.unlink(missing_ok=True)
            count += 1
    return count
