"""Pages keep answering while whole-unit exports run as background jobs.

    python -m benchmarks.export_task [--jobs 4] [--format pdf]

Loads the demo into a fresh SQLite data dir, times a page (the unit's 运行监控 page, and the
inbox) idle, then queues whole-unit exports and runs ``jixiao worker --batch`` in its own
process, timing the same pages while it works. Prints the median times and their ratio, and
how long the exports took (what a synchronous download would have kept one request waiting).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--format", default="pdf", choices=["pdf", "xlsx", "docx"])
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="jixiao-bench-")
    os.environ["JIXIAO_DATA_DIR"] = data
    os.environ["JIXIAO_TASK_BACKEND"] = "database"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from jixiao.jobs.models import Job
    from jixiao.jobs.services import enqueue_job
    from jixiao.lib.actor import Actor
    from jixiao.system.demo.services import load_demo
    from jixiao.units.models import Unit

    setup_test_environment()
    call_command("migrate", verbosity=0)
    load_demo()
    user = get_user_model().objects.get(username="demo")
    client = Client()
    client.force_login(user)
    pages = ["/rounds/monitoring/?unit=224001&year=2021&as_of=2021-06-30", "/inbox/"]

    def timed() -> float:
        start = time.perf_counter()
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        return time.perf_counter() - start

    timed()  # warm caches
    idle = [timed() for _ in range(10)]
    unit = Unit.objects.get(code="224001")
    ids = [
        enqueue_job(
            "export_monitoring",
            {"unit": unit.pk, "year": 2021, "as_of": "2021-06-30", "fmt": args.format},
            actor=Actor(user),
        ).pk
        for _ in range(args.jobs)
    ]
    started = time.perf_counter()
    worker = subprocess.Popen(
        [sys.executable, "-m", "jixiao.cli", "worker", "--batch", "--verbosity", "0"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    busy: list[float] = []
    while worker.poll() is None:
        running = Job.objects.filter(pk__in=ids, status="running").exists()
        took = timed()
        if running:
            busy.append(took)
    elapsed = time.perf_counter() - started
    statuses = list(Job.objects.filter(pk__in=ids).values_list("status", flat=True))
    idle_ms = statistics.median(idle) * 1000
    busy_ms = statistics.median(busy) * 1000 if busy else float("nan")
    print(
        f"exports: {args.jobs} × whole-unit {args.format}, {statuses.count('done')} done, "
        f"worker {elapsed:.1f} s ({elapsed / args.jobs:.2f} s each)"
    )
    print(f"two pages idle:            median {idle_ms:.0f} ms over {len(idle)} runs")
    print(f"two pages during exports:  median {busy_ms:.0f} ms over {len(busy)} runs")
    print(f"ratio busy / idle: {busy_ms / idle_ms:.2f}")


if __name__ == "__main__":
    main()
