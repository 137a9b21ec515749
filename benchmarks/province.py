"""Benchmark: recompute every actual of a synthetic province, beside the hand-written floor.

    python -m benchmarks.province [--db sqlite|postgres] [--projects 20000] [--indicators 10]
        [--records 5000000] [--as-of 2021-06-30] [--keep DIR] [--scaling [N]]

Builds the province (Django migrations, then bulk inserts; see ``benchmarks.generate``),
checks that ``jixiao.metrics.evaluate.evaluate`` and the floor query (``benchmarks.floor``)
give the same numbers for every indicator, then times both and measures their peak memory.
Exits 1 if any indicator differs. Figures and how to read them: ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.measure import MIB, Memory, Timing

MARKER = "province.json"
GOAL = 1.5  # the goal for evaluator time over floor time, at full size


@dataclass
class Stage:
    """The figures of one record count."""

    records: int
    load_seconds: float
    floor: Timing
    evaluator: Timing
    floor_memory: Memory
    evaluator_memory: Memory
    indicators: int
    differences: list[str]

    @property
    def ratio(self) -> float:
        """Evaluator time over floor time (medians): the figure the goal is set on."""
        return self.evaluator.median / self.floor.median


def options(prog: str, description: str) -> argparse.ArgumentParser:
    """The options every benchmark over the province takes: database, sizes, date, runs, --keep."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--units", type=int, default=400)
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--indicators", type=int, default=10, help="per project")
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2021, 6, 30))
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (median)")
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep the database in DIR (and reuse a province of the same size found there)",
    )
    return parser


def checked(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The parsed command line, refused if some unit would have no project."""
    args = parser.parse_args(argv)
    if args.projects < args.units:
        parser.error("--projects must be at least --units (every unit has a project)")
    return args


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = options(
        "python -m benchmarks.province",
        "Time the metric evaluator over a synthetic province against the "
        "hand-written floor query, and measure its peak memory.",
    )
    parser.add_argument(
        "--scaling",
        nargs="?",
        type=int,
        const=0,
        help="measure first at N records (default a fifth of --records), then add records "
        "up to --records and measure again, to show memory does not grow with records",
    )
    args = checked(parser, argv)
    if args.scaling is not None:
        args.scaling = args.scaling or args.records // 5
        if not 0 < args.scaling < args.records:
            parser.error("--scaling N needs 0 < N < --records")
    return args


@contextlib.contextmanager
def database(args: argparse.Namespace) -> Iterator[str]:
    """Point Django's settings at the benchmark database and set Django up; yields a label."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "jixiao.settings"
    # DEBUG would log every query; a non-development key keeps the system checks quiet.
    os.environ["JIXIAO_DEBUG"] = "false"
    os.environ["JIXIAO_SECRET_KEY"] = "benchmark-key-not-used-for-anything-secret"
    with contextlib.ExitStack() as stack:
        if args.db == "postgres":
            if os.environ.get("DATABASE_URL"):
                label = "DATABASE_URL"
            else:
                from benchmarks.pgcluster import cluster

                os.environ["DATABASE_URL"] = stack.enter_context(cluster(args.keep))
                label = "a throwaway cluster" + (f" in {args.keep}" if args.keep else "")
        else:
            os.environ.pop("DATABASE_URL", None)
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                data_dir = args.keep
            else:
                data_dir = Path(tempfile.mkdtemp(prefix="jixiao-bench-"))
                stack.callback(shutil.rmtree, data_dir, True)
            os.environ["JIXIAO_DATA_DIR"] = str(data_dir)
            label = "a temporary file, WAL, synchronous=NORMAL"
            if args.keep:
                label = f"{data_dir / 'jixiao.sqlite3'}, WAL, synchronous=NORMAL"
        import django

        django.setup()
        from django.db import connections

        stack.callback(connections.close_all)
        yield label


def machine() -> str:
    """Cores, memory, CPU, OS and Python, for the figures' context."""
    memory = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    system = platform.platform()
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                system = line.split("=", 1)[1].strip('"')
    return f"{os.cpu_count()} cores ({cpu}), {memory}, {system}, Python {platform.python_version()}"


def server_version() -> str:
    """The database server's version string."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def run(args: argparse.Namespace, out: Callable[[str], None]) -> list[Stage]:
    """Build (or reuse) the province and measure it at each record count."""
    from benchmarks import generate
    from benchmarks.floor import differences, run_floor
    from benchmarks.measure import peak_memory, time_runs
    from jixiao.metrics.evaluate import evaluate
    from jixiao.targets.models import Indicator, Project

    stages: list[Stage] = []
    for count, load in loaded(args, out):
        stages.append(
            measure(
                count,
                load,
                floor=functools.partial(run_floor, generate.preset_type_ids(), args.as_of),
                evaluator=lambda: evaluate(Project.objects.filter(year=generate.YEAR), args.as_of),
                differences=differences,
                time_runs=time_runs,
                peak_memory=peak_memory,
                runs=args.runs,
                indicators=Indicator.objects.count(),
                out=out,
            )
        )
    return stages


def loaded(args: argparse.Namespace, out: Callable[[str], None]) -> Iterator[tuple[int, float]]:
    """Build the province, or reuse the one in --keep; yield (records, load seconds so far).

    It yields at each record count of the run, so that the caller measures between two loads.
    """
    from django.core.management import call_command
    from django.db import connection

    from benchmarks import generate
    from jixiao.ledgers.models import LedgerEntry
    from jixiao.targets.models import Project

    size = generate.Size(args.units, args.projects, args.indicators, args.records, args.seed)
    marker = args.keep / MARKER if args.keep else None
    call_command("migrate", verbosity=0)
    wanted = {"db": args.db, **asdict(size)}
    scaling = getattr(args, "scaling", None)
    reuse = marker is not None and marker.exists() and scaling is None
    if reuse:
        assert marker is not None
        saved = json.loads(marker.read_text())
        if saved.get("size") != wanted:
            raise SystemExit(f"{args.keep} holds another province ({saved.get('size')}); "
                             "use another --keep DIR")  # fmt: skip
        out(f"reusing the province in {args.keep} (loaded earlier in {saved['load']:.0f} s)")
    elif LedgerEntry.objects.exists() or Project.objects.exists():
        raise SystemExit("the benchmark database is not empty; use a new --keep DIR or database")

    counts = [scaling, size.records] if scaling else [size.records]
    load = saved["load"] if reuse else 0.0
    maker = None
    if not reuse:
        began = time.perf_counter()
        out(f"writing {size.units:,} units, {size.projects:,} projects, "
            f"{size.projects * size.indicators:,} indicators and their metrics …")  # fmt: skip
        province = generate.build_register(size)
        load = time.perf_counter() - began
        out(f"  register written in {load:.1f} s")
        maker = generate.RecordMaker(province, size, connection.vendor)
    done = size.records if reuse else 0
    for count in counts:
        if maker is not None and done < count:
            out(f"writing ledger records {done:,} to {count:,} …")
            seconds = generate.load_records(
                maker, done, count, fast=True, progress=generate.StderrProgress()
            )
            began = time.perf_counter()
            generate.analyze()
            seconds += time.perf_counter() - began
            out(f"  records written and analysed in {seconds:.1f} s")
            load += seconds
            done = count
            if marker is not None:
                marker.write_text(json.dumps({"size": wanted, "load": load}))
        yield count, load


def measure(
    records: int,
    load: float,
    *,
    floor: Callable[[], Any],
    evaluator: Callable[[], Any],
    differences: Callable[[Any, Any], list[str]],
    time_runs: Callable[..., dict[str, Timing]],
    peak_memory: Callable[[Callable[[], Any]], Memory],
    runs: int,
    indicators: int,
    out: Callable[[str], None],
) -> Stage:
    """Check both agree (this first run is also the warm-up), then time and weigh them."""
    out(f"checking evaluator against floor at {records:,} records (also the warm-up) …")
    found = differences(floor(), evaluator())
    if found:
        out(f"  {len(found):,} indicators differ, e.g.:")
        for line in found[:10]:
            out(f"    {line}")
    else:
        out(f"  all {indicators:,} indicators agree")
    out(f"timing {runs} runs of each …")
    timings = time_runs({"floor": floor, "evaluator": evaluator}, runs=runs, warmup=0)
    out(
        f"  floor {timings['floor'].median:.2f} s, evaluator {timings['evaluator'].median:.2f} s "
        f"(medians); measuring peak memory …"
    )
    stage = Stage(
        records=records,
        load_seconds=load,
        floor=timings["floor"],
        evaluator=timings["evaluator"],
        floor_memory=peak_memory(floor),
        evaluator_memory=peak_memory(evaluator),
        indicators=indicators,
        differences=found,
    )
    out(
        f"  evaluator peak {_mib(stage.evaluator_memory.traced_peak)} MiB traced, "
        f"{_mib(stage.evaluator_memory.rss_growth)} MiB RSS growth"
    )
    return stage


def _mib(value: int | None) -> str:
    return "n/a" if value is None else f"{value / MIB:,.0f}"


def heading(title: str, header: str) -> list[str]:
    """A summary's first lines: its title, the machine, and the table's header row."""
    return ["", title, f"Machine: {machine()}", "", header, "|" + "---|" * (header.count("|") - 1)]


def report(stages: list[Stage], args: argparse.Namespace, label: str, version: str) -> str:
    """The printed summary: the table, the machine, how it was measured."""
    in_process = version.startswith("SQLite")
    header = (
        "| records | projects | indicators | load s | floor s | evaluator s | ratio "
        "| evaluator peak MiB (traced / RSS growth) | floor peak MiB (traced / RSS growth) |"
    )
    lines = heading(f"Synthetic province on {version} ({label}), as of {args.as_of}", header)
    for s in stages:
        lines.append(
            f"| {s.records:,} | {args.projects:,} | {s.indicators:,} | {s.load_seconds:.0f} "
            f"| {s.floor.median:.2f} | {s.evaluator.median:.2f} | {s.ratio:.2f} "
            f"| {_mib(s.evaluator_memory.traced_peak)} / {_mib(s.evaluator_memory.rss_growth)} "
            f"| {_mib(s.floor_memory.traced_peak)} / {_mib(s.floor_memory.rss_growth)} |"
        )
    lines.append("")
    lines.append(
        f"Times: median of {args.runs} runs each, floor and evaluator interleaved, after a "
        "first run of each that also checked they agree. Load: register + records + ANALYZE "
        "(cumulative), not part of the measure."
    )
    for s in stages:
        runs = ", ".join(f"{t:.2f}" for t in s.evaluator.runs)
        floor_runs = ", ".join(f"{t:.2f}" for t in s.floor.runs)
        lines.append(f"  {s.records:,} records: evaluator runs {runs} s; floor runs {floor_runs} s")
        if in_process:
            lines.append(
                f"    CPU time of this process (SQLite runs inside it): floor "
                f"{s.floor.cpu_median:.2f} s, evaluator {s.evaluator.cpu_median:.2f} s, ratio "
                f"{s.evaluator.cpu_median / s.floor.cpu_median:.2f}"
            )
    if len(stages) == 2:
        small, big = stages
        growth = big.evaluator_memory.traced_peak / max(small.evaluator_memory.traced_peak, 1)
        lines.append(
            f"Scaling: {big.records / small.records:.1f}× the records, evaluator time "
            f"{big.evaluator.median / small.evaluator.median:.2f}×, traced peak memory "
            f"{growth:.2f}× ({_mib(small.evaluator_memory.traced_peak)} → "
            f"{_mib(big.evaluator_memory.traced_peak)} MiB)"
        )
    verdicts = [
        f"{'met' if s.ratio <= GOAL else 'NOT met'} at {s.records:,} records ({s.ratio:.2f})"
        for s in reversed(stages)
    ]
    lines.append(f"Goal ratio ≤ {GOAL}: " + "; ".join(verdicts))
    bad = sum(len(s.differences) for s in stages)
    lines.append(
        "Evaluator and floor agree on every indicator."
        if not bad
        else f"DIFFERENCES: {bad:,} indicator values differ (see above)."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 1 if the evaluator and the floor disagree anywhere."""
    args = parse_args(argv)

    def out(line: str) -> None:
        print(line, flush=True)

    with database(args) as label:
        out(f"benchmark database: {server_version()} ({label})")
        stages = run(args, out)
        out(report(stages, args, label, server_version()))
    return 1 if any(s.differences for s in stages) else 0


if __name__ == "__main__":
    sys.exit(main())
