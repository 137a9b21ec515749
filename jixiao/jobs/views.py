"""A job's page with its progress bar (htmx asks for the bar again each second until the job
finishes), and its file, served only to those who reach the job's unit (404 to anyone else).
Starting a job is the job's own page's business: e.g. the export downloads' POST
(``start_export``), which other views call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from jixiao.jobs.choices import JobStatus
from jixiao.jobs.kinds import KINDS
from jixiao.jobs.models import Job
from jixiao.jobs.services import enqueue_job, get_job_for_user, job_url, live, result_file
from jixiao.lib.actor import Actor


def _context(job: Job) -> dict[str, Any]:
    spec = KINDS.get(job.kind)
    return {
        "job": live(job),
        "result": job.result or {},
        "label": spec.label if spec else job.kind,
        "hint": spec.hint if spec else None,
        "has_file": result_file(job) is not None,
        "back": job.params.get("back", ""),
    }


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """后台任务: what was asked, its progress bar, then its download link."""
    job = get_job_for_user(request.user, pk)
    return render(request, "jobs/detail.html", _context(job) | {"here": "jobs"})


@login_required
@require_safe
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress part of the job's page, which the page asks for again until it ends."""
    job = get_job_for_user(request.user, pk)
    return render(request, "jobs/_status.html", _context(job))


@login_required
@require_safe
def download(request: HttpRequest, pk: int) -> FileResponse:
    """The finished job's file (404 before it is finished or after it was pruned)."""
    job = get_job_for_user(request.user, pk)
    path = result_file(job)
    if path is None:
        raise Http404(_("该任务没有可下载的文件。"))
    response = FileResponse(path.open("rb"), content_type=job.content_type)
    response["Content-Disposition"] = content_disposition_header(True, job.result_name)
    return response


def start_export(
    request: HttpRequest, kind: str, params: Mapping[str, Any], *, back: str
) -> HttpResponse:
    """Queue an export for the person and send them to its page (htmx: by ``HX-Redirect``)."""
    try:
        job = enqueue_job(kind, {**params, "back": back}, actor=Actor.from_request(request))
    except ValidationError as exc:
        raise Http404("；".join(exc.messages)) from None
    url = job_url(job)
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def start_page(request: HttpRequest, title: str, *, cancel: str) -> HttpResponse:
    """The page a whole-unit download link opens: it starts the export as a job (by itself
    with htmx, or with the button), so the file is made in the background."""
    return render(
        request,
        "jobs/start.html",
        {"title": title, "action": request.get_full_path(), "cancel": cancel},
    )


__all__ = ["JobStatus", "detail", "download", "start_export", "start_page", "status"]
