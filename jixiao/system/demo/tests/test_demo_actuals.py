"""Done when: ``jixiao actuals`` on the demo year gives what a person counts by the seed's formulas.

The expected figures are counted here by hand, in plain Python over the demo's ledger rows, by
the formulas printed in the seed (not with the metrics engine or its filters).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from jixiao.ledgers.models import LedgerEntry
from jixiao.system.demo.bindings import MANUAL, MANUAL_DATES
from jixiao.system.demo.services import load_demo
from jixiao.system.demo.year import P1, P2
from jixiao.targets.models import Project

pytestmark = pytest.mark.django_db

START = "2021-01-01"
DATES = ["2021-06-30", "2021-12-31"]
CITY_OR_HIGHER = {"市", "省", "中央"}
SATISFIED = {"非常满意", "满意"}  # 满意度 = 满意份数 / 有效问卷数; 基本满意 is not 满意


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def in_window(day: str | None, as_of: str) -> bool:
    return day is not None and START <= day <= as_of


class Ledgers:
    """The demo unit's records, read straight from the rows."""

    def __init__(self) -> None:
        self.rows = list(
            LedgerEntry.objects.filter(unit__code="224001").select_related("ledger_type", "project")
        )

    def of(self, code: str, project: str | None = None) -> list[LedgerEntry]:
        return [
            e
            for e in self.rows
            if e.ledger_type.code == code
            and (project is None or (e.project is not None and e.project.code == project))
        ]


def expected_actuals(as_of: str) -> dict[tuple[str, str], Decimal]:
    """Every counted indicator's actual, by the seed's formula, counted by hand."""
    books = Ledgers()
    opinions = books.of("opinion", P1)
    # 舆情监测预警、研判分析数: each alert (预警单) and each analysis report (研判报告) issued.
    products = sum(
        in_window(case.state_dates.get(state), as_of)
        for case in opinions
        for state in ("预警", "研判")
    )
    # 网络舆情处置率 = 已处置的网络舆情数量 / 应处置的网络舆情数量
    must = [c for c in opinions if c.data["must_handle"] and in_window(c.data["first_seen"], as_of)]
    disposed = [c for c in must if in_window(c.state_dates.get("处置"), as_of)]
    # 官方网宣平台发布信息数量: the unit's posts.
    posts = sum(in_window(p.data["published_on"], as_of) for p in books.of("post"))
    # 市级及以上网络媒体采稿率 = 市级及以上采稿数 / 市级及以上报送稿件数量
    stories = [
        s
        for s in books.of("submission")
        if s.data["level"] in CITY_OR_HIGHER and in_window(s.data["submitted_on"], as_of)
    ]
    adopted = [s for s in stories if s.data["adopted"] is True]
    actuals = {
        (P1, "舆情监测预警、研判分析数"): Decimal(products),
        (P1, "网络舆情处置率"): percent(len(disposed), len(must)),
        (P2, "官方网宣平台信息发布数量"): Decimal(posts),
        (P2, "市级及以上网络媒体采稿率"): percent(len(adopted), len(stories)),
    }
    for code in (P1, P2):
        # 工作及时完成率 = 实际完成的工作 / 应该完成的工作: tasks due by then, done in time.
        due = [t for t in books.of("task", code) if in_window(t.data["due_on"], as_of)]
        on_time = [
            t
            for t in due
            if t.data.get("completed_on") is not None and t.data["completed_on"] <= t.data["due_on"]
        ]
        actuals[code, "工作及时完成率"] = percent(len(on_time), len(due))
        # 预算控制率 = 实际支出 / 预算安排数 (the budget is in 万元; amounts are kept in cents).
        cents = sum(
            e.amount_cents
            for e in books.of("expenditure", code)
            if in_window(e.data["paid_on"], as_of)
        )
        budget = Project.objects.get(code=code).budget_total * 10000 * 100
        actuals[code, "预算控制率"] = percent(cents, budget)
        # 满意度 = 满意份数 / 有效问卷数
        valid = [
            s
            for s in books.of("survey", code)
            if s.data["valid"] is True and in_window(s.data["answered_on"], as_of)
        ]
        satisfied = [s for s in valid if s.data["rating"] in SATISFIED]
        actuals[code, "服务对象满意度"] = percent(len(satisfied), len(valid))
    return actuals


def run_actuals(as_of: str) -> dict[tuple[str, str], dict[str, Any]]:
    out = StringIO()
    call_command(
        "actuals", "--unit", "224001", "--year", "2021", "--as-of", as_of, "--json", stdout=out
    )
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    return {(line["project"], line["level3"]): line for line in lines}


@pytest.mark.parametrize("as_of", DATES)
def test_counted_actuals_match_a_count_by_hand(as_of):
    load_demo()
    expected = expected_actuals(as_of)

    got = run_actuals(as_of)

    assert len(expected) == 10
    computed = {key: Decimal(str(got[key]["actual"])) for key in expected}
    assert computed == expected
    for key in expected:
        assert got[key]["records"] > 0, key


def test_year_end_headline_figures():
    """Pinned so that a change to the generator is noticed (and the docs' figures updated)."""
    load_demo()

    got = run_actuals("2021-12-31")

    counted = expected_actuals("2021-12-31")
    figures = {key: Decimal(str(got[key]["actual"])) for key in counted}
    assert figures == {
        (P1, "舆情监测预警、研判分析数"): Decimal("212"),
        (P1, "网络舆情处置率"): Decimal("98.21"),
        (P1, "工作及时完成率"): Decimal("94.44"),
        (P1, "预算控制率"): Decimal("94.67"),
        (P1, "服务对象满意度"): Decimal("95.88"),
        (P2, "官方网宣平台信息发布数量"): Decimal("524"),
        (P2, "市级及以上网络媒体采稿率"): Decimal("32.35"),
        (P2, "工作及时完成率"): Decimal("97.22"),
        (P2, "预算控制率"): Decimal("97.20"),
        (P2, "服务对象满意度"): Decimal("94.79"),
    }
    mid_year = run_actuals("2021-06-30")
    assert Decimal(str(mid_year[P1, "舆情监测预警、研判分析数"]["actual"])) == 93  # behind plan
    assert Decimal(str(mid_year[P1, "网络舆情处置率"]["actual"])) == Decimal("92.31")


def test_all_18_bound_and_manual_actuals_keep_their_text():
    load_demo()

    for as_of, index in zip(DATES, range(2), strict=True):
        got = run_actuals(as_of)

        assert len(got) == 18
        assert all(line["source"] != "none" for line in got.values())
        assert MANUAL_DATES[index] == dt.date.fromisoformat(as_of)
        for key, entries in MANUAL.items():
            value, _evidence = entries[index]
            assert (got[key]["source"], got[key]["text"]) == ("manual", value), key
