"""Benchmark: every unit's monitoring and self-evaluation report, beside its actuals alone.

    python -m benchmarks.rounds [--db sqlite|postgres] [--units 200] [--projects 2000]
        [--records 500000] [--as-of 2021-06-30] [--runs 3] [--keep DIR]

Builds the synthetic province of ``benchmarks.generate`` (or reuses it from ``--keep``), then
for every unit times (a) ``evaluate`` of its projects, (b) ``build_monitoring`` at the as-of
date and (c) ``build_self_evaluation`` (31 December, beside the actuals at 31 December), counts
the queries each issues per unit and measures their peak memory. Exits 1 if the queries of a
report vary from one unit to another. Figures and how to read them: ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from benchmarks import province
from benchmarks.measure import MIB, Memory, Timing

Build = Callable[[Any], Any]  # one unit -> its actuals or report


@dataclass
class Measure:
    """One thing built for every unit, and its figures."""

    key: str  # a, b, a′, c
    label: str
    build: Build
    baseline: str | None = None  # the key of the measure it is a ratio over
    queries: list[int] = field(default_factory=list)  # per unit, in unit order
    timing: Timing | None = None
    memory: Memory | None = None


@dataclass
class Work:
    """What the reports held, to show the rules and the budget part did real work."""

    lights: Counter[str | None] = field(default_factory=Counter)
    budget_lights: Counter[str | None] = field(default_factory=Counter)
    execution: list[Decimal] = field(default_factory=list)  # monitoring, % of the budget
    planned: list[Decimal] = field(default_factory=list)  # the spending plan at the date, %
    grades: Counter[str] = field(default_factory=Counter)
    totals: list[Decimal] = field(default_factory=list)
    year_execution: list[Decimal] = field(default_factory=list)  # self-evaluation, %

    def monitoring(self, report: Any) -> None:
        """Count the lights and the budget execution of one unit's monitoring."""
        for project in report.projects:
            self.lights.update(row.light for row in project.rows)
            self.budget_lights[project.budget.light] += 1
            if project.budget.execution_rate is not None:
                self.execution.append(project.budget.execution_rate)
            self.planned.append(project.budget.plan_percent)

    def self_evaluation(self, report: Any) -> None:
        """Count the grades, totals and execution of one unit's self-evaluation."""
        for project in report.projects:
            self.grades[project.grade] += 1
            self.totals.append(project.total)
            self.year_execution.append(project.execution.rate)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line: the province benchmark's options, with a smaller province."""
    parser = province.options(
        "python -m benchmarks.rounds",
        "Time every unit's monitoring and self-evaluation reports against its actuals alone, "
        "count their queries and measure their peak memory.",
    )
    parser.set_defaults(units=200, projects=2_000, records=500_000)
    return province.checked(parser, argv)


def measures(as_of: dt.date) -> list[Measure]:
    """The baselines and the two reports, in the order they are timed."""
    from benchmarks.generate import YEAR
    from jixiao.metrics.evaluate import evaluate
    from jixiao.rounds.build import build_monitoring, build_self_evaluation
    from jixiao.targets.models import Project

    year_end = dt.date(YEAR, 12, 31)

    def actuals(day: dt.date) -> Build:
        return lambda unit: evaluate(Project.objects.filter(unit=unit, year=YEAR), day)

    found = [
        Measure("a", f"actuals at {as_of}", actuals(as_of)),
        Measure("b", f"monitoring at {as_of}", lambda u: build_monitoring(u, YEAR, as_of), "a"),
    ]
    if as_of != year_end:
        found.append(Measure("a′", f"actuals at {year_end}", actuals(year_end)))
    self_baseline = "a′" if as_of != year_end else "a"
    found.append(
        Measure(
            "c",
            f"self-evaluation ({year_end})",
            lambda u: build_self_evaluation(u, YEAR),
            self_baseline,
        )
    )
    return found


def every_unit(units: list[Any], build: Build) -> Callable[[], None]:
    """One pass over all units; each result is dropped before the next unit is built."""

    def run() -> None:
        for unit in units:
            build(unit)

    return run


def count_queries(units: list[Any], found: list[Measure], work: Work) -> None:
    """Build everything once, counting each unit's queries (this is also the warm-up)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for m in found:
        for unit in units:
            with CaptureQueriesContext(connection) as captured:
                result = m.build(unit)
            m.queries.append(len(captured.captured_queries))
            if m.key == "b":
                work.monitoring(result)
            elif m.key == "c":
                work.self_evaluation(result)


def run(args: argparse.Namespace, out: Callable[[str], None]) -> tuple[list[Measure], Work]:
    """Build (or reuse) the province, then count, time and weigh every measure."""
    from benchmarks.measure import peak_memory, time_runs
    from jixiao.targets.models import SpendingCheckpoint
    from jixiao.units.models import Unit

    for _stage in province.loaded(args, out):
        pass  # one stage: the whole province is loaded (or found) before anything is measured
    if not SpendingCheckpoint.objects.exists():
        raise SystemExit(f"{args.keep} holds a province without spending plans (built by an "
                         "older generator); use another --keep DIR")  # fmt: skip
    units = list(Unit.objects.order_by("id"))
    found = measures(args.as_of)
    work = Work()
    out(f"building every report of {len(units):,} units once, counting queries (warm-up) …")
    count_queries(units, found, work)
    out(f"timing {args.runs} runs of each, interleaved …")
    named = {m.key: every_unit(units, m.build) for m in found}
    timings = time_runs(named, runs=args.runs, warmup=0)
    for m in found:
        m.timing = timings[m.key]
    out("  " + ", ".join(f"({m.key}) {timings[m.key].median:.2f} s" for m in found))
    out("measuring peak memory …")
    for m in found:
        m.memory = peak_memory(named[m.key])
    return found, work


def sizes() -> str:
    """Projects and indicators per unit, smallest to largest."""
    from django.db.models import Count

    from jixiao.units.models import Unit

    per_unit = Unit.objects.annotate(
        n_projects=Count("projects", distinct=True), n_indicators=Count("projects__indicators")
    ).values_list("n_projects", "n_indicators")
    projects = [p for p, _i in per_unit]
    indicators = [i for _p, i in per_unit]
    return (
        f"projects per unit {min(projects)}–{max(projects)}, "
        f"indicators per unit {min(indicators)}–{max(indicators)}"
    )


def _queries(m: Measure) -> str:
    low, high = min(m.queries), max(m.queries)
    return str(low) if low == high else f"{low}–{high} (varies)"


def _mib(value: int | None) -> str:
    return "n/a" if value is None else f"{value / MIB:,.1f}"


def _mean(values: list[Decimal]) -> str:
    if not values:
        return "n/a"
    return f"{sum(values, Decimal(0)) / len(values):.2f}"


def _counts(counter: Counter[Any], order: list[Any]) -> str:
    return ", ".join(f"{name or 'none'} {counter[name]:,}" for name in order if counter[name])


def report(
    found: list[Measure], work: Work, args: argparse.Namespace, label: str, version: str
) -> str:
    """The printed summary: the table, the work the reports did, the machine."""
    from jixiao.core.policy import GRADES
    from jixiao.core.reports import BLUE, GREEN, RED, YELLOW

    by_key = {m.key: m for m in found}
    units = len(found[0].queries)
    header = (
        "| measure | all units s | per unit ms | ratio | queries per unit "
        "| peak MiB (traced / RSS growth) |"
    )
    title = (
        f"Every unit's reports on {version} ({label}): {units:,} units, {args.projects:,} "
        f"projects, {args.projects * args.indicators:,} indicators, {args.records:,} records"
    )
    lines = province.heading(title, header)
    for m in found:
        assert m.timing is not None and m.memory is not None
        ratio = "—"
        if m.baseline is not None:
            base = by_key[m.baseline].timing
            assert base is not None
            ratio = f"{m.key}/{m.baseline} {m.timing.median / base.median:.2f}"
        lines.append(
            f"| ({m.key}) {m.label} | {m.timing.median:.2f} | {m.timing.median / units * 1000:.1f} "
            f"| {ratio} | {_queries(m)} "
            f"| {_mib(m.memory.traced_peak)} / {_mib(m.memory.rss_growth)} |"
        )
    lines.append("")
    lines.append(
        f"Times: median of {args.runs} passes over all units, the measures interleaved, after "
        "a first pass that counted the queries. Peak memory: the largest unit's (each report "
        "is dropped before the next unit's is built)."
    )
    if version.startswith("SQLite"):
        cpu = ", ".join(f"({m.key}) {m.timing.cpu_median:.2f} s" for m in found if m.timing)
        lines.append(f"  CPU time of this process (SQLite runs inside it): {cpu}")
    a, c = by_key["a"].timing, by_key["c"].timing
    if "a′" in by_key and a is not None and c is not None:
        lines.append(f"  (c) over the actuals at {args.as_of}: c/a {c.median / a.median:.2f}")
    lights = [RED, YELLOW, GREEN, BLUE, None]
    lines.append(
        f"Monitoring: {sum(work.lights.values()):,} indicator rows ({_counts(work.lights, lights)}"
        f"); {sum(work.budget_lights.values()):,} budgets ({_counts(work.budget_lights, lights)}),"
        f" mean execution {_mean(work.execution)} % against the plan's {_mean(work.planned)} %."
    )
    lines.append(
        f"Self-evaluation: {len(work.totals):,} projects scored, mean total {_mean(work.totals)}"
        f" ({_counts(work.grades, [g for g, _low in GRADES])}), mean execution "
        f"{_mean(work.year_execution)} %."
    )
    varying = [m.key for m in found if m.key in ("b", "c") and len(set(m.queries)) > 1]
    if varying:
        lines.append(
            f"QUERIES VARY from unit to unit for ({'), ('.join(varying)}): they depend on the "
            f"unit's size ({sizes()})."
        )
    else:
        lines.append(
            f"Queries per unit: (b) {_queries(by_key['b'])} and (c) {_queries(by_key['c'])}, "
            f"the same for every unit ({sizes()})."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 1 if a report's queries vary from one unit to another."""
    args = parse_args(argv)

    def out(line: str) -> None:
        print(line, flush=True)

    with province.database(args) as label:
        version = province.server_version()
        out(f"benchmark database: {version} ({label})")
        found, work = run(args, out)
        out(report(found, work, args, label, version))
    return 1 if any(len(set(m.queries)) > 1 for m in found if m.key in ("b", "c")) else 0


if __name__ == "__main__":
    sys.exit(main())
