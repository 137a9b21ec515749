"""The province benchmark at a tiny size, so breakage shows in CI (correct numbers, no timing)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.db import connection

from benchmarks.definitions import DEFINITIONS, MAIN_CHANNELS, MEDIA_CITY_UP, SATISFIED
from benchmarks.floor import FloorValue, differences, run_floor
from benchmarks.generate import Province, RecordMaker, Size, build_register, load_records
from jixiao.ledgers.models import LedgerEntry
from jixiao.metrics.evaluate import evaluate
from jixiao.metrics.models import Metric
from jixiao.targets.models import Indicator, Project
from jixiao.units.models import Unit

SIZE = Size(units=4, projects=20, indicators=10, records=2000, seed=11)
AS_OF = dt.date(2021, 6, 30)
START = "2021-01-01"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def province(db: None) -> Province:
    """A tiny synthetic province: 4 units, 20 projects, 200 indicators, 2,000 records."""
    built = build_register(SIZE)
    load_records(RecordMaker(built, SIZE, connection.vendor), 0, SIZE.records)
    return built


def test_generator_writes_the_requested_rows(province: Province) -> None:
    assert Unit.objects.count() == 4
    assert Project.objects.count() == 20
    assert Indicator.objects.count() == 200
    assert Metric.objects.count() == 200
    assert LedgerEntry.objects.count() == 2000
    by_type = defaultdict(int)
    for code in LedgerEntry.objects.values_list("ledger_type__code", flat=True):
        by_type[code] += 1
    assert dict(by_type) == province.records_by_type
    assert set(by_type) == {"opinion", "post", "submission", "task", "expenditure", "survey"}


def test_records_keep_the_ledger_invariants(province: Province) -> None:
    entries = LedgerEntry.objects.select_related("ledger_type", "project")
    for entry in entries:
        kind = entry.ledger_type
        assert entry.date.isoformat() == entry.data[kind.date_field]
        if kind.has_project:
            assert entry.project.unit_id == entry.unit_id
        else:
            assert entry.project is None
        if kind.code == "expenditure":
            assert Decimal(entry.amount_cents) / 100 == Decimal(entry.data["amount"])
        if kind.code == "opinion":
            # The current state is the last one reached, and no step precedes the record.
            assert entry.state_dates["监测"] == min(entry.state_dates.values())
            assert entry.state_dates["监测"] == entry.date.isoformat()
            assert entry.state_dates[entry.state] == max(entry.state_dates.values())


def _recount(entries: list[LedgerEntry], project: Project, k: int) -> Decimal | None:
    """One definition counted by hand from the records, straight from docs/metrics.md."""
    last = AS_OF.isoformat()

    def window(day: str | None) -> bool:
        return day is not None and START <= day <= last

    def of(code: str, unit_scope: bool = False) -> list[LedgerEntry]:
        return [
            e
            for e in entries
            if e.ledger_type.code == code
            and window(e.date.isoformat())
            and (e.unit_id == project.unit_id if unit_scope else e.project_id == project.pk)
        ]

    def rate(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
        if not denominator:
            return None
        value = Decimal(numerator) * 100 / Decimal(denominator)
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    if k == 0:
        return Decimal(sum(e.data["grade"] in ("较大", "重大") for e in of("opinion")))
    if k == 1:
        mine = [e for e in entries if e.project_id == project.pk]
        return Decimal(sum(window(e.state_dates.get(s)) for e in mine for s in ("预警", "研判")))
    if k == 2:
        must = [e for e in of("opinion") if e.data["must_handle"]]
        return rate(sum(e.state_dates.get("处置", "9999") <= last for e in must), len(must))
    if k == 3:
        spent = sum(Decimal(e.data["amount"]) for e in of("expenditure"))
        return rate(spent, project.budget_total * 10000)
    if k == 4:
        return Decimal(sum(e.data["channel"] in MAIN_CHANNELS for e in of("post", True)))
    if k == 5:
        tasks = [e.data for e in of("task")]
        on_time = sum("completed_on" in d and d["completed_on"] <= d["due_on"] for d in tasks)
        return rate(on_time, len(tasks))
    if k == 6:
        return Decimal(len({e.data["economic_class"] for e in of("expenditure")}))
    if k == 7:
        sent = [e.data for e in of("submission", True) if e.data["level"] in MEDIA_CITY_UP]
        return rate(sum(d["adopted"] for d in sent), len(sent))
    if k == 8:
        valid = [e.data for e in of("survey") if e.data["valid"]]
        return rate(sum(d["rating"] in SATISFIED for d in valid), len(valid))
    return None  # the manual indicator: nothing entered


def test_floor_matches_a_count_by_hand(province: Province) -> None:
    floor = run_floor(province.type_ids, AS_OF)
    entries = list(LedgerEntry.objects.select_related("ledger_type"))
    checked = 0
    for indicator in Indicator.objects.select_related("project"):
        expected = _recount(entries, indicator.project, indicator.position % 10)
        assert floor[indicator.pk].value == expected, indicator.level3
        checked += 1
    assert checked == 200


def test_every_definition_counts_something(province: Province) -> None:
    floor = run_floor(province.type_ids, AS_OF)
    nonzero = {v.definition for v in floor.values() if v.value}
    # All but the manual one: the comparison with the evaluator is never between zeros only.
    assert nonzero == {d.level3 for d in DEFINITIONS if d.definition["kind"] != "manual"}


def test_evaluator_agrees_with_the_floor_on_every_indicator(province: Province) -> None:
    floor = run_floor(province.type_ids, AS_OF)
    actuals = evaluate(Project.objects.all(), AS_OF)
    assert len(floor) == len(actuals) == 200
    assert differences(floor, actuals) == []


def test_differences_names_the_indicator_and_the_number(province: Province) -> None:
    floor = run_floor(province.type_ids, AS_OF)
    actuals = evaluate(Project.objects.all(), AS_OF)
    some = next(i for i, v in floor.items() if v.definition == "网络舆情处置率" and v.value)
    actuals[some] = dataclasses.replace(actuals[some], denominator=actuals[some].denominator + 1)
    assert differences(floor, actuals) == [
        f"indicator {some} (网络舆情处置率) denominator: floor {floor[some].denominator}, "
        f"evaluator {floor[some].denominator + 1}"
    ]
    assert differences({**floor, -1: FloorValue("x", None)}, actuals)[0] == (
        "indicator -1: missing from the evaluator"
    )


def _run_benchmark(module: str, args: list[str], keep: Path) -> subprocess.CompletedProcess[str]:
    """Run a benchmark command at a tiny size, its database kept in ``keep``; it must succeed."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args, "--keep", str(keep)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(keep)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_benchmark_command_runs_end_to_end(tmp_path: Path) -> None:
    args = ["--units", "2", "--projects", "4", "--records", "600", "--runs", "1"]
    done = _run_benchmark("benchmarks.province", args, tmp_path)
    assert "| 600 | 4 | 40 |" in done.stdout
    assert "Evaluator and floor agree on every indicator." in done.stdout


def test_rounds_benchmark_builds_every_report_with_the_same_queries_per_unit(
    tmp_path: Path,
) -> None:
    # 7 projects over 3 units: 3, 2 and 2 projects, so the units differ in size.
    args = ["--units", "3", "--projects", "7", "--records", "600", "--runs", "1"]
    done = _run_benchmark("benchmarks.rounds", args, tmp_path)
    assert "Monitoring: 70 indicator rows" in done.stdout  # 7 projects × 10 indicators
    # Projects 0..6 take the spending plans 0,1,2,3,0,1,2, due by 30 June 50,40,60,60,50,40,60:
    # 360 / 7 = 51.43 (without the plans it would be the time progress, 49.59).
    assert "against the plan's 51.43 %" in done.stdout
    assert "Self-evaluation: 7 projects scored" in done.stdout
    assert "the same for every unit (projects per unit 2–3, indicators per unit 20–30)" in (
        done.stdout
    )


def test_import_benchmark_reads_the_seed_and_a_long_print(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.importing", "--pages", "3", "--runs", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "JIXIAO_DATA_DIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # The seed's two projects of nine indicators, in Word and printed to PDF alike.
    assert "seed_docx: 2 projects, 18 indicators, 0 warnings" in done.stdout
    assert "seed_pdf: 2 projects, 18 indicators, 0 warnings" in done.stdout
    assert "long_pdf (" in done.stdout
