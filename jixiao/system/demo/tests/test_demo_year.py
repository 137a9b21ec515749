"""The demo year: reproducible, realistic in its volumes, and loaded only once."""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal

import pytest

from jixiao.ledgers.models import LedgerEntry
from jixiao.metrics.models import ManualActual, Metric
from jixiao.system.demo.services import load_demo
from jixiao.system.demo.year import P1, P2, generate

YEAR_END = "2021-12-31"


def as_json(rows: list) -> str:
    return json.dumps(
        [(r.ledger, r.values, r.project, r.state, r.state_dates) for r in rows],
        ensure_ascii=False,
        sort_keys=True,
    )


def entries(code: str, project: str | None = None) -> list[LedgerEntry]:
    found = LedgerEntry.objects.filter(unit__code="224001", ledger_type__code=code)
    if project is not None:
        found = found.filter(project__code=project)
    return list(found.order_by("id"))


def snapshot() -> list[list[tuple[object, ...]]]:
    """Every row the demo year writes, ids and timestamps included, to see that nothing moved."""
    return [
        list(model.objects.order_by("pk").values_list())
        for model in (LedgerEntry, Metric, ManualActual)
    ]


def test_generator_gives_the_same_rows_for_the_same_seed():
    first, second = as_json(generate()), as_json(generate())

    assert first == second
    assert as_json(generate(seed=2022)) != first


@pytest.mark.django_db
def test_loaded_records_are_exactly_the_generated_rows():
    load_demo()

    stored = sorted(
        json.dumps(
            [
                e.ledger_type.code,
                e.data,
                e.project.code if e.project else None,
                e.state or None,
                e.state_dates or None,
            ],
            ensure_ascii=False,
            sort_keys=True,
        )
        for e in LedgerEntry.objects.select_related("ledger_type", "project")
    )
    generated = sorted(
        json.dumps(
            [r.ledger, r.values, r.project, r.state, r.state_dates],
            ensure_ascii=False,
            sort_keys=True,
        )
        for r in generate()
    )
    assert stored == generated


@pytest.mark.django_db
def test_demo_year_has_a_county_offices_volumes():
    load_demo()

    counts = Counter(LedgerEntry.objects.values_list("ledger_type__code", flat=True))
    assert 120 <= counts["opinion"] <= 140
    assert 500 <= counts["post"] <= 540
    assert 80 <= counts["submission"] <= 100
    assert (counts["inspection"], counts["training"], counts["rule"]) == (3, 2, 22)
    assert 10 <= counts["asset"] <= 14
    for project in (P1, P2):
        assert 34 <= len(entries("task", project)) <= 38
        assert 95 <= len(entries("survey", project)) <= 106
    # Opinion cases: grades, must-handle share, how many reach the two products.
    opinions = entries("opinion")
    grades = Counter(e.data["grade"] for e in opinions)
    assert grades["重大"] == 1 and 5 <= grades["较大"] <= 15
    share = Decimal(sum(e.data["must_handle"] for e in opinions)) / len(opinions)
    assert Decimal("0.35") <= share <= Decimal("0.45")
    alerted = sum("预警" in e.state_dates for e in opinions) / len(opinions)
    analysed = sum("研判" in e.state_dates for e in opinions) / len(opinions)
    assert 0.8 <= alerted <= 0.9 and 0.65 <= analysed <= 0.75
    assert len({e.data["link"] for e in opinions}) == len(opinions)
    # Fewer posts in the Spring Festival week than in an ordinary week, more in the second half.
    posts = [e.data["published_on"] for e in entries("post")]
    festival = sum("2021-02-11" <= d <= "2021-02-17" for d in posts)
    ordinary = sum("2021-03-08" <= d <= "2021-03-14" for d in posts)
    assert festival < ordinary / 2
    assert sum(d > "2021-06-30" for d in posts) > sum(d <= "2021-06-30" for d in posts)
    assert sum(e.data["inspected_on"] <= "2021-06-30" for e in entries("inspection")) == 1
    assert [e.state for e in entries("asset")].count("报废处置") == 1


@pytest.mark.django_db
def test_some_cases_are_overdue_at_year_end():
    load_demo()

    overdue = [e for e in entries("opinion") if e.data["deadline"] < YEAR_END and e.state != "办结"]
    undisposed = [
        e for e in entries("opinion") if e.data["must_handle"] and "处置" not in e.state_dates
    ]
    assert len(overdue) in (3, 4)
    assert len(undisposed) == 1 and undisposed[0] in overdue
    # Cases of the last days are open but still within their deadline.
    assert any(e.state != "办结" and e.data["deadline"] > YEAR_END for e in entries("opinion"))


@pytest.mark.django_db
def test_spending_is_slow_in_q1_and_below_budget_at_year_end():
    load_demo()

    def spent(project: str, by: str) -> Decimal:
        cents = sum(
            e.amount_cents for e in entries("expenditure", project) if e.data["paid_on"] <= by
        )
        return Decimal(cents) / 100

    assert spent(P1, YEAR_END) == Decimal("142000.00")
    assert spent(P2, YEAR_END) == Decimal("48600.00")
    for project, budget in ((P1, Decimal(150000)), (P2, Decimal(50000))):
        assert spent(project, "2021-03-31") < budget * Decimal("0.10")  # plan: 25 %
        assert budget * Decimal("0.40") < spent(project, "2021-06-30") < budget / 2  # plan: 50 %
        assert spent(project, "2021-10-31") < budget * Decimal("0.60")  # plan: 75 %
    vouchers = [e.data["voucher"] for e in entries("expenditure")]
    assert all(re.fullmatch(r"记-2021-(0[1-9]|1[0-2])-\d{4}", v) for v in vouchers)
    classes = {e.data["economic_class"] for e in entries("expenditure", P2)}
    assert classes == {"办公费", "公务接待费", "设备购置费", "差旅费", "其他商品和服务支出"}


@pytest.mark.django_db
def test_second_load_changes_no_row():
    load_demo()
    rows = snapshot()

    result = load_demo()

    assert snapshot() == rows
    assert not result.changed
    assert result.summary_lines()[0] == "演示数据已是最新，无变化。"


@pytest.mark.django_db
def test_first_load_reports_the_year_and_the_bindings():
    lines = load_demo().summary_lines()

    year_line = next(line for line in lines if "2021 年台账" in line)
    assert year_line.startswith(
        "  2021 年台账：新增 1090 条，更新 0 条（舆情 135 条、网宣发布 524 条"
    )
    assert "  口径：18 个绩效指标均已绑定（本次写入口径 18 个，手工填报实际完成值 16 条）" in lines


@pytest.mark.django_db
def test_reset_reloads_the_year():
    load_demo()
    LedgerEntry.objects.filter(ledger_type__code="post").first().delete()
    before = LedgerEntry.objects.count()

    load_demo(reset=True)

    assert LedgerEntry.objects.count() == before + 1 == len(generate())
    assert Metric.objects.count() == 18
    assert ManualActual.objects.count() == 16
