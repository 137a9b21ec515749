"""The task the queue carries: run one of our jobs by id (django-tasks, module level)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_job(job_id: int) -> str:
    """Run the job (``jixiao.jobs.services.run_job_now``); its status is the return value."""
    from jixiao.jobs.services import run_job_now

    return run_job_now(job_id)
