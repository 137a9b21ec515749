"""The floor: one hand-written aggregate query computing every actual of the province.

It knows the ten definitions of ``benchmarks.definitions`` by heart (indicator position
``k`` has definition ``k % 10``) and computes them all in a single scan of the ledger:
conditional aggregates per definition grouped by unit and project, unit totals for the
unit-scope ones, then one row per indicator with its numerator and denominator. Python only
turns those integers into the metric grammar's values (``Decimal``, ratios rounded half-up).
Nothing generic can be faster on the same database, which is what makes it the baseline.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection

from benchmarks.definitions import DEFINITIONS, MAIN_CHANNELS, MEDIA_CITY_UP, SATISFIED
from jixiao.ledgers.models import LedgerEntry
from jixiao.targets.models import Indicator, Project

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
WAN = Decimal(10_000)  # 万元 -> 元


@dataclass(frozen=True)
class FloorValue:
    """An indicator's actual as the floor computes it."""

    definition: str  # the indicator's name (三级指标), for messages
    value: Decimal | None
    records: int = 0  # the distinct records behind it (a ratio: its numerator's and denominator's)
    numerator: Decimal | None = None
    denominator: Decimal | None = None


def _quoted(values: list[str]) -> str:
    # Literals from our own constants, never user input; quotes doubled all the same.
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _json(vendor: str) -> tuple[Any, Any, Any]:
    """Per-database accessors: a data field as text, a state's date, a boolean field."""
    if vendor == "postgresql":
        return (
            lambda name: f"e.data ->> '{name}'",
            lambda state: f"e.state_dates ->> '{state}'",
            lambda name: f"e.data -> '{name}' = 'true'::jsonb",
        )
    # Django writes JSON ASCII-escaped ({"\u9884\u8b66": …}) and SQLite matches a path's key
    # against the stored text as is: a Chinese state name must be written escaped too.
    return (
        lambda name: f"json_extract(e.data, '$.{name}')",
        lambda state: f"json_extract(e.state_dates, '$.{json.dumps(state)}')",
        lambda name: f"json_extract(e.data, '$.{name}') = 1",
    )


def floor_sql(type_ids: dict[str, int], vendor: str | None = None) -> str:
    """The floor query for this database; parameters ``start``, ``as_of`` and ``year``."""
    field, reached, true = _json(vendor or connection.vendor)
    assert len(DEFINITIONS) == 10, "the floor is written for the ten benchmark definitions"
    opinion, post, submission, task, expenditure, survey = (
        int(type_ids[c]) for c in ("opinion", "post", "submission", "task", "expenditure", "survey")
    )
    in_window = "e.date >= %(start)s"  # and e.date <= %(as_of)s, in the WHERE clause

    def count(type_id: int, *conditions: str) -> str:
        test = " AND ".join([f"e.ledger_type_id = {type_id}", in_window, *conditions])
        return f"SUM(CASE WHEN {test} THEN 1 ELSE 0 END)"

    def arrived(state: str) -> str:
        return f"CASE WHEN {reached(state)} BETWEEN %(start)s AND %(as_of)s THEN 1 ELSE 0 END"

    city_up = f"{field('level')} IN ({_quoted(MEDIA_CITY_UP)})"
    columns = {
        "d0": count(opinion, f"{field('grade')} IN ('较大', '重大')"),
        "d1": f"SUM(CASE WHEN e.ledger_type_id = {opinion} "
        f"THEN ({arrived('预警')}) + ({arrived('研判')}) ELSE 0 END)",
        "d1r": f"SUM(CASE WHEN e.ledger_type_id = {opinion} "
        f"AND ({reached('预警')} BETWEEN %(start)s AND %(as_of)s "
        f"OR {reached('研判')} BETWEEN %(start)s AND %(as_of)s) THEN 1 ELSE 0 END)",
        "d2n": count(opinion, true("must_handle"), f"{reached('处置')} <= %(as_of)s"),
        "d2d": count(opinion, true("must_handle")),
        "d3n": f"SUM(CASE WHEN e.ledger_type_id = {expenditure} AND {in_window} "
        "THEN e.amount_cents ELSE 0 END)",
        "d3r": count(expenditure),
        "d4": count(post, f"{field('channel')} IN ({_quoted(MAIN_CHANNELS)})"),
        "d5n": count(
            task,
            f"{field('completed_on')} IS NOT NULL",
            f"{field('completed_on')} <= {field('due_on')}",
        ),
        "d5d": count(task),
        "d6": f"COUNT(DISTINCT CASE WHEN e.ledger_type_id = {expenditure} AND {in_window} "
        f"THEN {field('economic_class')} END)",
        "d7n": count(submission, city_up, true("adopted")),
        "d7d": count(submission, city_up),
        "d8n": count(survey, true("valid"), f"{field('rating')} IN ({_quoted(SATISFIED)})"),
        "d8d": count(survey, true("valid")),
    }
    aggregates = ",\n    ".join(f"{sql} AS {name}" for name, sql in columns.items())
    return f"""
WITH agg AS (
  SELECT e.unit_id, e.project_id,
    {aggregates}
  FROM {LedgerEntry._meta.db_table} e
  WHERE e.date <= %(as_of)s
  GROUP BY e.unit_id, e.project_id
),
per_unit AS (
  SELECT unit_id, SUM(d4) AS d4, SUM(d7n) AS d7n, SUM(d7d) AS d7d FROM agg GROUP BY unit_id
)
SELECT i.id, i.position, p.budget_total,
  CASE i.position %% 10
    WHEN 0 THEN a.d0 WHEN 1 THEN a.d1 WHEN 2 THEN a.d2n WHEN 3 THEN a.d3n WHEN 4 THEN u.d4
    WHEN 5 THEN a.d5n WHEN 6 THEN a.d6 WHEN 7 THEN u.d7n WHEN 8 THEN a.d8n END AS num,
  CASE i.position %% 10
    WHEN 2 THEN a.d2d WHEN 5 THEN a.d5d WHEN 7 THEN u.d7d WHEN 8 THEN a.d8d END AS den,
  CASE i.position %% 10
    WHEN 0 THEN a.d0 WHEN 1 THEN a.d1r WHEN 2 THEN a.d2d WHEN 3 THEN a.d3r WHEN 4 THEN u.d4
    WHEN 5 THEN a.d5d WHEN 6 THEN a.d3r WHEN 7 THEN u.d7d WHEN 8 THEN a.d8d END AS rec
FROM {Indicator._meta.db_table} i
JOIN {Project._meta.db_table} p ON p.id = i.project_id
LEFT JOIN agg a ON a.project_id = p.id
LEFT JOIN per_unit u ON u.unit_id = p.unit_id
WHERE p.year = %(year)s
"""


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (numerator * HUNDRED / denominator).quantize(CENT, rounding=ROUND_HALF_UP)


COUNTS = frozenset({0, 1, 4, 6})
RATIOS = frozenset({2, 5, 7, 8})
BUDGET_RATIO = 3
MANUAL = 9
NAMES = [d.level3 for d in DEFINITIONS]


def run_floor(type_ids: dict[str, int], as_of: dt.date) -> dict[int, FloorValue]:
    """Every indicator's actual at ``as_of``, by indicator id, from the one floor query."""
    params = {"start": f"{as_of.year}-01-01", "as_of": as_of.isoformat(), "year": as_of.year}
    results: dict[int, FloorValue] = {}
    with connection.cursor() as cursor:
        cursor.execute(floor_sql(type_ids), params)
        for indicator_id, position, budget, num, den, rec in cursor:
            k = position % 10
            name = NAMES[k]
            records = int(rec or 0)
            if k in COUNTS:
                results[indicator_id] = FloorValue(name, Decimal(int(num or 0)), records)
            elif k in RATIOS:
                n, d = Decimal(int(num or 0)), Decimal(int(den or 0))
                results[indicator_id] = FloorValue(name, _ratio(n, d), records, n, d)
            elif k == BUDGET_RATIO:
                spent = Decimal(int(num or 0)).scaleb(-2)  # cents -> 元
                # SQLite hands NUMERIC columns back as float or int; str() keeps their digits.
                budget_yuan = Decimal(str(budget)) * WAN
                results[indicator_id] = FloorValue(
                    name, _ratio(spent, budget_yuan), records, spent, budget_yuan
                )
            else:
                results[indicator_id] = FloorValue(name, None)
    return results


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return Decimal(str(a)) == Decimal(str(b))


def differences(floor: dict[int, FloorValue], actuals: dict[int, Any]) -> list[str]:
    """Where the evaluator's actuals differ from the floor's: one line per indicator."""
    found = []
    for indicator_id in sorted(floor.keys() | actuals.keys()):
        expected = floor.get(indicator_id)
        actual = actuals.get(indicator_id)
        if expected is None or actual is None:
            side = "floor" if expected is None else "evaluator"
            found.append(f"indicator {indicator_id}: missing from the {side}")
            continue
        pairs = [
            ("value", expected.value, actual.value),
            ("records", expected.records, actual.records),
        ]
        if expected.denominator is not None:
            pairs += [
                ("numerator", expected.numerator, actual.numerator),
                ("denominator", expected.denominator, actual.denominator),
            ]
        for name, want, got in pairs:
            if not _same(want, got):
                found.append(
                    f"indicator {indicator_id} ({expected.definition}) {name}: "
                    f"floor {want}, evaluator {got}"
                )
    return found
