"""Benchmark: 1,000 records pushed through the API in one call, beside the import service.

    python -m benchmarks.api_bulk [--records 1000] [--runs 3]

Builds a throwaway data directory with the demo (SQLite), makes an API token for the demo
officer, then times, interleaved and each rolled back after its run:

(a) ``POST /api/records/bulk`` with ``--records`` 舆情 records, through Django's full request
    handling (middleware, token check, JSON parsing and the schema, the import service, the
    change log, the JSON answer) — what a 舆情 service pushing its records costs the server;
(b) the same rows as a table through ``jixiao.ledgers.importing.import_table`` — the path a
    spreadsheet import takes, without HTTP;
(c) the same rows straight to ``jixiao.ledgers.services.upsert_entries`` — the floor both stand on.

Prints the medians and the ratios (a)/(b) and (a)/(c). Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.measure import time_runs

UNIT = "224001"
PROJECT = "13032221C2GKIBLPDEWRQ"
FIELDS = ["title", "platform", "link", "first_seen", "grade", "must_handle"]


def records(count: int) -> list[dict[str, Any]]:
    """``count`` distinct 舆情 records of 2021 as the API takes them."""
    day = dt.date(2021, 1, 1)
    return [
        {
            "values": {
                "title": f"网民反映第 {n} 号问题",
                "platform": "微博",
                "link": f"https://weibo.com/bench/{n}",
                "first_seen": (day + dt.timedelta(days=n % 360)).isoformat(),
                "grade": "一般",
                "must_handle": n % 2 == 0,
            },
            "project": PROJECT,
        }
        for n in range(count)
    ]


def setup(data_dir: Path) -> None:
    """Django on a fresh data directory with the demo loaded."""
    os.environ["JIXIAO_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "jixiao.settings"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from jixiao.system.demo.services import load_demo

    call_command("migrate", verbosity=0)
    load_demo()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jixiao-api-bench-") as tmp:
        setup(Path(tmp))
        return measure(args.records, args.runs)


def measure(count: int, runs: int) -> int:
    """Time the three paths on ``count`` records; print the figures."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import Client

    from jixiao.api.tokens import create_token
    from jixiao.ledgers import importing, services, sources
    from jixiao.ledgers.io import Table
    from jixiao.ledgers.models import LedgerEntry
    from jixiao.lib.actor import Actor
    from jixiao.targets.models import Project
    from jixiao.units.models import Unit

    settings.ALLOWED_HOSTS.append("testserver")  # Django's test client names this host
    user = get_user_model().objects.get(username="demo")
    secret = create_token("基准测试", actor=Actor(user=user)).secret
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    rows = records(count)
    body = json.dumps({"unit": UNIT, "type": "opinion", "records": rows, "overlap": "add"})
    unit = Unit.objects.get(code=UNIT)
    ledger_type = services.ledger_type_for(unit, "opinion")
    project = Project.objects.get(unit=unit, year=2021, code=PROJECT)
    table = Table(
        "基准.xlsx",
        [(1, (*FIELDS, "项目"))]
        + [(n + 2, (*(r["values"][f] for f in FIELDS), PROJECT)) for n, r in enumerate(rows)],
    )
    actor = Actor(user=user)
    before = LedgerEntry.objects.count()

    def api() -> None:
        with transaction.atomic():
            response = client.post("/api/records/bulk", body, content_type="application/json")
            assert response.status_code == 200, response.content[:300]
            assert response.json()["created"] == count
            transaction.set_rollback(True)

    def import_table() -> None:
        with transaction.atomic():
            report = importing.import_table(
                ledger_type, unit, table, actor=actor, overlap=sources.ADD
            )
            assert report.ok and report.created == count, report.error_lines()[:3]
            transaction.set_rollback(True)

    def upsert() -> None:
        items = [services.EntryInput(r["values"], project) for r in rows]
        with transaction.atomic():
            result = services.upsert_entries(ledger_type, unit, items, actor=actor)
            assert result.created == count and not result.errors
            transaction.set_rollback(True)

    timings = time_runs(
        {"api": api, "import_table": import_table, "upsert": upsert}, runs=runs, warmup=1
    )
    assert LedgerEntry.objects.count() == before  # every run rolled back
    a, b, c = (timings[k].median for k in ("api", "import_table", "upsert"))
    print(f"{count:,} 舆情 records, SQLite, median of {runs} runs (after one warm-up):")
    print(f"  (a) POST /api/records/bulk, one call        {a:7.3f} s  {count / a:8,.0f} records/s")
    print(f"  (b) importing.import_table, same rows       {b:7.3f} s  {count / b:8,.0f} records/s")
    print(f"  (c) services.upsert_entries, same rows      {c:7.3f} s  {count / c:8,.0f} records/s")
    print(f"  ratio (a)/(b) = {a / b:.2f}   (a)/(c) = {a / c:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
