"""财政总览 for a province-sized bureau beside one unit's 工作台, with their query counts.

    python -m benchmarks.overview [--units 400] [--projects 20000] [--records 200000] [--runs 3]

Builds the synthetic province of ``benchmarks.province`` (units, projects with spending plans,
indicators with metrics, ledger records — spending included) under one finance bureau, then
times over the test client, as a bureau reviewer:

- the overview page of the whole year (every unit and project: execution, light, score,
  round status), HTML, and its Excel export;
- one unit's home page (its monitoring computed: every indicator of its projects);

and prints each one's median time and query count, and the overview's ratio to the unit home
(the baseline of the same run). The query counts show the overview's are bounded: they do not
depend on the number of units (``jixiao/workbench/tests/test_overview.py`` checks that).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable

from benchmarks.province import database, machine, server_version


def options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.overview", description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--units", type=int, default=400)
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--indicators", type=int, default=10, help="per project")
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2021, 6, 30))
    args = parser.parse_args(argv)
    args.keep = None
    return args


def timed(call: Callable[[], object], runs: int) -> tuple[float, int]:
    """The median seconds of ``runs`` calls after a warm-up, and the queries of one call."""
    from django.db import connection

    # Counted by an execute wrapper: a request start clears Django's own query log.
    count = 0

    def counter(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        call()
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds), count


def main(argv: list[str] | None = None) -> int:
    args = options(argv)
    with database(args) as label:
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import setup_test_environment

        from benchmarks import generate
        from jixiao.accounts.choices import Role
        from jixiao.accounts.models import Membership
        from jixiao.units.models import FinanceBureau, Unit

        setup_test_environment()
        call_command("migrate", verbosity=0)
        size = generate.Size(args.units, args.projects, args.indicators, args.records, args.seed)
        began = time.perf_counter()
        province = generate.build_register(size)
        maker = generate.RecordMaker(province, size, connection.vendor)
        generate.load_records(maker, 0, size.records, fast=True)
        generate.analyze()
        bureau = FinanceBureau.objects.create(name="某省财政厅")
        Unit.objects.update(finance_bureau=bureau)
        reviewer = User.objects.create_user("reviewer")
        Membership.objects.create(
            user=reviewer, bureau=bureau, role=Role.REVIEWER, must_change_password=False
        )
        built = time.perf_counter() - began
        client = Client()
        client.force_login(reviewer)
        unit = Unit.objects.order_by("code").first()
        assert unit is not None
        as_of = args.as_of.isoformat()

        def page(path: str, **query: str) -> Callable[[], object]:
            def call() -> object:
                response = client.get(path, {"year": "2021", "as_of": as_of, **query})
                assert response.status_code == 200, response.status_code
                return response

            return call

        home, home_q = timed(page("/", unit=unit.code or ""), args.runs)
        overview, overview_q = timed(page("/overview/"), args.runs)
        excel, excel_q = timed(page("/overview/", format="xlsx"), args.runs)
        print(f"machine: {machine()}")
        print(f"database: {server_version()} ({label}); built in {built:.0f} s")
        print(
            f"province: {args.units:,} units, {args.projects:,} projects, "
            f"{args.projects * args.indicators:,} indicators, {args.records:,} records; "
            f"median of {args.runs} runs after a warm-up, as of {as_of}"
        )
        print(f"{'page':<34}{'seconds':>10}{'queries':>9}{'× home':>9}")
        for name, seconds, queries in (
            (f"one unit's 工作台 ({len(province.projects_by_unit[0])} projects)", home, home_q),
            (f"财政总览, HTML ({args.projects:,} projects)", overview, overview_q),
            ("财政总览, Excel", excel, excel_q),
        ):
            print(f"{name:<34}{seconds:>10.2f}{queries:>9}{seconds / home:>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
