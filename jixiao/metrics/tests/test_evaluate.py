"""The evaluator against small ledgers built through the ledger services: exact numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from jixiao.ledgers.models import LedgerField, LedgerType
from jixiao.metrics.evaluate import Actual, evaluate, evaluate_unit, records_for
from jixiao.metrics.models import ManualActual, Metric
from jixiao.metrics.services import enter_manual_actual, unbind_metric
from jixiao.metrics.tests.conftest import SYSTEM, Builder
from jixiao.metrics.tests.definitions import (
    ADOPTION,
    ALERTS,
    BUDGET,
    DISPOSAL,
    MANUAL,
    POSTS,
    TIMELY,
    count,
)
from jixiao.targets.models import Indicator, Project
from jixiao.units.models import Unit

if TYPE_CHECKING:
    from conftest import Org

D = dt.date
JUNE = D(2021, 6, 30)
YEAR_END = D(2021, 12, 31)


def actual_of(indicator: Indicator, as_of: dt.date = JUNE) -> Actual:
    return evaluate([indicator.project], as_of)[indicator.pk]


def ids(queryset: Any) -> list[int]:
    return [entry.pk for entry in queryset]


# --- count and windows ---------------------------------------------------------------------


def test_count_takes_the_projects_records_inside_the_window(build: Builder) -> None:
    p, other = build.project("P1"), build.project("P2")
    posts = build.indicator(p, "舆情数", count("opinion"))
    for day in (D(2021, 1, 1), D(2021, 3, 15), D(2021, 6, 30), D(2021, 7, 1), D(2020, 12, 31)):
        build.opinion(p, day)
    build.opinion(other, D(2021, 2, 1))
    build.opinion(None, D(2021, 2, 1))
    result = actual_of(posts)
    assert (result.value, result.text, result.records, result.source) == (
        Decimal(3),
        "3",
        3,
        "metric",
    )
    assert actual_of(posts, YEAR_END).value == 4


def test_a_record_of_july_first_is_not_counted_on_june_thirtieth(build: Builder) -> None:
    p = build.project()
    cases = build.indicator(p, "舆情数", count("opinion"))
    build.opinion(p, D(2021, 7, 1))
    assert actual_of(cases, JUNE).value == 0
    assert actual_of(cases, D(2021, 7, 1)).value == 1


def test_an_as_of_date_after_the_year_counts_the_year_only(build: Builder) -> None:
    p = build.project()
    cases = build.indicator(p, "舆情数", count("opinion"))
    build.opinion(p, D(2021, 12, 31))
    build.opinion(p, D(2022, 1, 5))
    assert actual_of(cases, D(2022, 3, 1)).value == 1
    assert actual_of(cases, D(2020, 12, 31)).value == 0


def test_count_dated_by_another_field(build: Builder) -> None:
    p = build.project()
    done = build.indicator(p, "完成任务数", count("task", date="completed_on"))
    build.entry("task", p, due_on=D(2021, 3, 31), completed_on=D(2021, 7, 2))
    build.entry("task", p, due_on=D(2020, 12, 31), completed_on=D(2021, 1, 4))
    build.entry("task", p, due_on=D(2021, 8, 15), completed_on=D(2021, 6, 20))  # done early
    build.entry("task", p, due_on=D(2021, 5, 31))
    assert actual_of(done, JUNE).value == 2
    assert actual_of(done, YEAR_END).value == 3


def test_date_bounds_in_the_scan_never_drop_counted_records(build: Builder) -> None:
    p = build.project()
    by_record = build.indicator(p, "任务数", count("task"))
    by_state = build.indicator(p, "处置数", count("opinion", date="state:处置"))
    by_field = build.indicator(p, "完成任务数", count("task", date="completed_on"))
    build.entry("task", p, due_on=D(2021, 8, 15), completed_on=D(2021, 6, 20))
    build.entry("task", p, due_on=D(2021, 6, 1))
    build.opinion(p, D(2020, 12, 30), ("预警", D(2020, 12, 31)), ("处置", D(2021, 1, 2)))
    build.opinion(p, D(2021, 7, 1), ("预警", D(2021, 7, 1)), ("处置", D(2021, 7, 2)))
    result = evaluate([p], JUNE)
    assert [result[i.pk].value for i in (by_record, by_state, by_field)] == [1, 1, 1]
    unbind_metric(by_field, actor=SYSTEM)  # now every window bounds the record's date above
    result = evaluate([p], JUNE)
    assert [result[i.pk].value for i in (by_record, by_state)] == [1, 1]


def test_count_dated_by_the_day_a_state_was_reached(build: Builder) -> None:
    p = build.project()
    handled = build.indicator(p, "处置数", count("opinion", date="state:处置"))
    build.opinion(p, D(2020, 12, 20), ("预警", D(2020, 12, 21)), ("处置", D(2021, 1, 3)))
    build.opinion(p, D(2021, 6, 1), ("预警", D(2021, 6, 2)), ("处置", D(2021, 7, 2)))
    build.opinion(p, D(2021, 6, 1))
    assert actual_of(handled, JUNE).value == 1
    assert actual_of(handled, YEAR_END).value == 2


# --- events ------------------------------------------------------------------------------


def test_events_count_every_arrival_inside_the_window(build: Builder) -> None:
    p = build.project()
    products = build.indicator(p, "舆情监测预警、研判分析数", ALERTS)
    both = build.opinion(p, D(2021, 2, 1), ("预警", D(2021, 2, 1)), ("研判", D(2021, 2, 3)))
    alert = build.opinion(p, D(2021, 3, 1), ("预警", D(2021, 3, 2)))
    late = build.opinion(p, D(2020, 12, 30), ("预警", D(2020, 12, 31)), ("研判", D(2021, 1, 2)))
    build.opinion(p, D(2021, 6, 29), ("预警", D(2021, 6, 30)), ("研判", D(2021, 7, 1)))
    build.opinion(p, D(2021, 4, 1))  # monitored only: no product
    result = actual_of(products)
    assert result.value == 2 + 1 + 1 + 1
    assert result.records == 4
    listed = records_for(products, JUNE)["records"]
    assert len(listed) == 4
    assert {both.pk, alert.pk, late.pk} <= set(ids(listed))
    assert actual_of(products, YEAR_END).value == 6


# --- ratios ------------------------------------------------------------------------------


def test_disposal_rate_counts_cases_handled_by_the_as_of_date(build: Builder) -> None:
    p = build.project()
    rate = build.indicator(p, "网络舆情处置率", DISPOSAL, target="100%")
    build.opinion(p, D(2021, 3, 1), ("预警", D(2021, 3, 1)), ("处置", D(2021, 3, 5)))
    build.opinion(p, D(2021, 6, 28), ("预警", D(2021, 6, 29)), ("处置", D(2021, 7, 2)))
    build.opinion(p, D(2021, 5, 1), ("预警", D(2021, 5, 2)), ("处置", D(2021, 5, 3)))
    build.opinion(p, D(2021, 5, 1), must_handle=False)
    at_june = actual_of(rate, JUNE)
    assert (at_june.numerator, at_june.denominator) == (Decimal(2), Decimal(3))
    assert (at_june.value, at_june.text) == (Decimal("66.67"), "66.67")
    assert at_june.records == 3
    at_july = actual_of(rate, D(2021, 7, 2))
    assert (at_july.value, at_july.numerator) == (Decimal("100.00"), Decimal(3))


def test_ratio_rounds_half_up_to_two_places(build: Builder) -> None:
    p = build.project()
    rate = build.indicator(p, "网络舆情处置率", DISPOSAL)
    for n in range(29):
        steps = [("预警", D(2021, 2, 1)), ("处置", D(2021, 2, 2))] if n < 28 else []
        build.opinion(p, D(2021, 2, 1), *steps)
    assert actual_of(rate).value == Decimal("96.55")


def test_ratio_with_a_zero_denominator_has_no_value(build: Builder) -> None:
    p = build.project()
    rate = build.indicator(p, "网络舆情处置率", DISPOSAL)
    build.opinion(p, D(2021, 2, 1), must_handle=False)
    result = actual_of(rate)
    assert (result.value, result.text) == (None, None)
    assert (result.numerator, result.denominator, result.records) == (0, 0, 0)


def test_timely_completion_compares_two_fields(build: Builder) -> None:
    p = build.project()
    rate = build.indicator(p, "工作及时完成率", TIMELY)
    build.entry("task", p, due_on=D(2021, 3, 31), completed_on=D(2021, 3, 30))
    build.entry("task", p, due_on=D(2021, 4, 30), completed_on=D(2021, 5, 3))
    build.entry("task", p, due_on=D(2021, 5, 31))
    build.entry("task", p, due_on=D(2021, 6, 15), completed_on=D(2021, 6, 15))
    build.entry("task", p, due_on=D(2021, 8, 15), completed_on=D(2021, 6, 15))
    result = actual_of(rate)
    assert (result.numerator, result.denominator, result.value) == (2, 4, Decimal("50.00"))
    assert result.records == 4


def test_budget_control_rate_over_a_budget_in_wan_yuan(build: Builder) -> None:
    p = build.project(budget="15", money_unit="万元")
    rate = build.indicator(p, "预算控制率", BUDGET, target="≤100%")
    build.entry("expenditure", p, paid_on=D(2021, 2, 1), amount="100000.00")
    build.entry("expenditure", p, paid_on=D(2021, 5, 1), amount="23456.78")
    build.entry("expenditure", p, paid_on=D(2021, 7, 1), amount="9999.99")
    build.entry("expenditure", None, paid_on=D(2021, 5, 1), amount="500.00")
    result = actual_of(rate)
    assert (result.numerator, result.denominator) == (Decimal("123456.78"), Decimal("150000.00"))
    assert result.value == Decimal("82.30")
    assert result.records == 2


def test_budget_control_rate_over_a_budget_in_yuan(build: Builder) -> None:
    p = build.project(budget="8000", money_unit="元")
    rate = build.indicator(p, "预算控制率", BUDGET)
    build.entry("expenditure", p, paid_on=D(2021, 2, 1), amount="2000")
    result = actual_of(rate)
    assert (result.numerator, result.denominator, result.value) == (
        Decimal("2000.00"),
        Decimal("8000.00"),
        Decimal("25.00"),
    )


def test_budget_ratio_without_a_budget_has_no_value(build: Builder) -> None:
    p = build.project(budget=None)
    rate = build.indicator(p, "预算控制率", BUDGET)
    build.entry("expenditure", p, paid_on=D(2021, 2, 1), amount="2000")
    result = actual_of(rate)
    assert (result.value, result.denominator, result.numerator) == (None, None, Decimal("2000.00"))


def test_adoption_rate_counts_the_whole_unit(build: Builder) -> None:
    p = build.project()
    rate = build.indicator(p, "市级及以上网络媒体采稿率", ADOPTION)
    submissions = [("市", True), ("省", True), ("中央", False), ("市", False), ("县", True)]
    for level, adopted in submissions:
        build.entry("submission", level=level, adopted=adopted, submitted_on=D(2021, 4, 1))
    result = actual_of(rate)
    assert (result.numerator, result.denominator, result.value) == (2, 4, Decimal("50.00"))
    assert result.records == 4


def test_ratio_records_are_the_union_of_both_sides(build: Builder) -> None:
    p = build.project()
    definition = {
        "kind": "ratio",
        "numerator": count("opinion", {"field": "grade", "op": "=", "value": "重大"}),
        "denominator": count("opinion", {"field": "must_handle", "op": "=", "value": True}),
    }
    rate = build.indicator(p, "重大占比", definition)
    build.opinion(p, D(2021, 2, 1), grade="重大", must_handle=False)
    build.opinion(p, D(2021, 2, 1), grade="重大")
    build.opinion(p, D(2021, 2, 1))
    build.opinion(p, D(2021, 2, 1), must_handle=False)
    result = actual_of(rate)
    assert (result.numerator, result.denominator, result.value) == (2, 2, Decimal("1.00"))
    assert result.records == 3
    lists = records_for(rate, JUNE)
    assert len(set(ids(lists["numerator"])) | set(ids(lists["denominator"]))) == 3


# --- sums and distinct -------------------------------------------------------------------


def test_money_sum_is_exact_in_yuan(build: Builder) -> None:
    p = build.project()
    spent = build.indicator(p, "支出", {"kind": "sum", "ledger": "expenditure", "field": "amount"})
    for amount in ("0.10", "0.20", "0.10", "1234.56"):
        build.entry("expenditure", p, paid_on=D(2021, 3, 1), amount=amount)
    result = actual_of(spent)
    assert (result.value, result.text, result.records) == (Decimal("1234.96"), "1234.96", 4)


def test_sum_of_nothing_is_zero_yuan(build: Builder) -> None:
    p = build.project()
    spent = build.indicator(p, "支出", {"kind": "sum", "ledger": "expenditure", "field": "amount"})
    assert actual_of(spent).text == "0.00"


def test_integer_sum(build: Builder) -> None:
    p = build.project()
    people = build.indicator(
        p, "参训人次", {"kind": "sum", "ledger": "training", "field": "participants"}
    )
    for participants in (30, 45, 120):
        build.entry("training", p, held_on=D(2021, 4, 1), participants=participants)
    result = actual_of(people)
    assert (result.value, result.text) == (Decimal(195), "195")


def test_sum_of_a_money_field_that_is_not_the_amount_field(build: Builder, unit: Unit) -> None:
    ledger = LedgerType.objects.create(
        unit=unit, code="contract", name="合同", date_field="signed_on", amount_field="amount"
    )
    for position, (code, label, kind) in enumerate(
        [("signed_on", "签订日期", "date"), ("amount", "金额", "money"), ("fee", "服务费", "money")]
    ):
        LedgerField.objects.create(
            ledger_type=ledger, code=code, label=label, kind=kind, position=position
        )
    p = build.project()
    fees = build.indicator(p, "服务费", {"kind": "sum", "ledger": "contract", "field": "fee"})
    for fee in ("0.10", "0.20", "1234.55", "0.01"):
        build.entry("contract", p, signed_on=D(2021, 3, 1), amount="1", fee=fee)
    assert actual_of(fees).value == Decimal("1234.86")


def test_distinct_at_project_and_unit_scope(build: Builder) -> None:
    p = build.project()
    project_units = build.indicator(
        p, "检查单位数", {"kind": "distinct", "ledger": "inspection", "field": "units"}
    )
    all_units = build.indicator(
        p,
        "全县检查单位数",
        {"kind": "distinct", "ledger": "inspection", "field": "units", "scope": "unit"},
    )
    for project, units in [(p, "县委办"), (p, "县政府办"), (p, "县委办"), (None, "县教育局")]:
        build.entry("inspection", project, inspected_on=D(2021, 4, 1), units=units)
    build.entry("inspection", p, inspected_on=D(2021, 8, 1), units="县公安局")
    result = evaluate([p], JUNE)
    assert (result[project_units.pk].value, result[project_units.pk].records) == (2, 3)
    assert (result[all_units.pk].value, result[all_units.pk].records) == (3, 4)


# --- scope -------------------------------------------------------------------------------


def test_unit_scope_counts_every_record_of_the_unit(build: Builder, org: Org) -> None:
    p, other = build.project("P1"), build.project("P2")
    posts = build.indicator(p, "官方网宣平台信息发布数量", POSTS)
    cases = build.indicator(p, "全县舆情数", count("opinion", scope="unit"))
    for day in (D(2021, 1, 5), D(2021, 6, 30), D(2021, 7, 1)):
        build.entry("post", published_on=day)
    build.opinion(p, D(2021, 2, 1))
    build.opinion(other, D(2021, 2, 1))
    build.opinion(None, D(2021, 2, 1))
    stranger = Builder(org.unit_b)
    stranger.entry("post", published_on=D(2021, 2, 1))
    stranger.opinion(None, D(2021, 2, 1))
    result = evaluate([p], JUNE)
    assert result[posts.pk].value == 2
    assert result[cases.pk].value == 3


def test_a_units_own_ledger_type_replaces_the_preset(build: Builder, unit: Unit, org: Org) -> None:
    own = LedgerType.objects.create(unit=unit, code="post", name="本单位发布", date_field="day")
    LedgerField.objects.create(ledger_type=own, code="day", label="日期", kind="date")
    p = build.project()
    posts = build.indicator(p, "发布数", POSTS)
    build.entry("post", day=D(2021, 2, 1))  # resolves to the unit's own type
    build.entry("post", day=D(2021, 2, 2))
    other = Builder(org.unit_b)
    q = other.project("Q1")
    their_posts = other.indicator(q, "发布数", POSTS)
    other.entry("post", published_on=D(2021, 3, 1))
    result = evaluate([p, q], JUNE)
    assert result[posts.pk].value == 2
    assert result[their_posts.pk].value == 1


# --- filters -----------------------------------------------------------------------------


@pytest.fixture
def inspections(build: Builder) -> Project:
    """Four inspections with 0, 3, 12 and no issues, and their rectification state."""
    p = build.project()
    for issues, state in [(0, "无需整改"), (3, "整改中"), (12, "已整改"), (None, "已整改")]:
        values: dict[str, Any] = {"inspected_on": D(2021, 3, 1), "rectification": state}
        if issues is not None:
            values["issues"] = issues
        build.entry("inspection", p, units="县委办", **values)
    return p


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"field": "issues", "op": ">", "value": 5}, 1),  # as text "3" > "5" is false too
        ({"field": "issues", "op": ">", "value": 2}, 2),  # as text "12" > "2" would be false
        ({"field": "issues", "op": ">=", "value": 3}, 2),
        ({"field": "issues", "op": "<", "value": 3}, 1),
        ({"field": "issues", "op": "<=", "value": "3"}, 2),
        ({"field": "issues", "op": "=", "value": 3}, 1),
        ({"field": "issues", "op": "!=", "value": 3}, 3),  # a missing value is not 3
        ({"field": "issues", "op": "in", "value": [0, 12]}, 2),
        ({"field": "issues", "op": "not_in", "value": [0]}, 3),
        ({"field": "issues", "op": "empty"}, 1),
        ({"field": "issues", "op": "not_empty"}, 3),
        ({"field": "rectification", "op": "=", "value": "已整改"}, 2),
        ({"field": "rectification", "op": "!=", "value": "已整改"}, 2),
        ({"field": "rectification", "op": "in", "value": ["整改中", "无需整改"]}, 2),
        ({"field": "rectification", "op": "not_in", "value": ["整改中"]}, 3),
        ({"field": "findings", "op": "empty"}, 4),
    ],
)
def test_field_filters_on_numbers_and_choices(
    build: Builder, inspections: Project, item: dict[str, Any], expected: int
) -> None:
    indicator = build.indicator(inspections, "检查数", count("inspection", item))
    assert actual_of(indicator).value == expected
    assert len(records_for(indicator, JUNE)["records"]) == expected


@pytest.fixture
def tasks(build: Builder) -> Project:
    """Tasks: done early, done late, open, done on the day; owners 张三/李四/none."""
    p = build.project()
    for due, done, owner in [
        (D(2021, 3, 31), D(2021, 3, 30), "张三"),
        (D(2021, 4, 30), D(2021, 5, 3), "李四"),
        (D(2021, 5, 31), None, "张三"),
        (D(2021, 6, 15), D(2021, 6, 15), None),
    ]:
        values: dict[str, Any] = {"due_on": due}
        if done:
            values["completed_on"] = done
        if owner:
            values["owner"] = owner
        build.entry("task", p, **values)
    return p


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"field": "completed_on", "op": "<=", "other_field": "due_on"}, 2),
        ({"field": "completed_on", "op": "<", "other_field": "due_on"}, 1),
        ({"field": "completed_on", "op": ">", "other_field": "due_on"}, 1),
        ({"field": "completed_on", "op": ">=", "other_field": "due_on"}, 2),
        ({"field": "completed_on", "op": "=", "other_field": "due_on"}, 1),
        ({"field": "completed_on", "op": "!=", "other_field": "due_on"}, 2),
        ({"field": "due_on", "op": "<", "value": "2021-05-01"}, 2),
        ({"field": "due_on", "op": ">=", "value": "2021-05-31"}, 2),
        ({"field": "completed_on", "op": "empty"}, 1),
        ({"field": "completed_on", "op": "not_empty"}, 3),
        ({"field": "owner", "op": "=", "value": "张三"}, 2),
        ({"field": "owner", "op": "!=", "value": "张三"}, 2),
        ({"field": "owner", "op": "empty"}, 1),
    ],
)
def test_field_filters_on_dates_and_text(
    build: Builder, tasks: Project, item: dict[str, Any], expected: int
) -> None:
    indicator = build.indicator(tasks, "任务数", count("task", item))
    assert actual_of(indicator).value == expected
    assert len(records_for(indicator, JUNE)["records"]) == expected


@pytest.fixture
def cases(build: Builder) -> Project:
    """Opinion cases of each grade, handled or not, one closed after the as-of date."""
    p = build.project()
    build.opinion(p, D(2021, 2, 1), ("预警", D(2021, 2, 1)), grade="重大")
    build.opinion(p, D(2021, 2, 1), ("预警", D(2021, 2, 1)), ("处置", D(2021, 2, 2)), grade="较大")
    build.opinion(
        p,
        D(2021, 3, 1),
        ("预警", D(2021, 3, 1)),
        ("处置", D(2021, 3, 5)),
        ("办结", D(2021, 7, 2)),
    )
    build.opinion(p, D(2021, 4, 1), must_handle=False)
    return p


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"field": "must_handle", "op": "=", "value": True}, 3),
        ({"field": "must_handle", "op": "=", "value": False}, 1),
        ({"field": "must_handle", "op": "!=", "value": True}, 1),
        ({"field": "grade", "op": "=", "value": "重大"}, 1),
        ({"field": "grade", "op": "!=", "value": "一般"}, 2),
        ({"field": "grade", "op": "in", "value": ["较大", "重大"]}, 2),
        ({"state": ["处置", "办结"]}, 2),  # the state now, whatever the as-of date
        ({"state": ["监测"]}, 1),
        ({"reached": "处置"}, 2),
        ({"reached": "办结"}, 0),  # closed on 2 July
        ({"not_reached": "办结"}, 4),
        ({"not_reached": "处置"}, 2),
        ({"reached": "预警"}, 3),
    ],
)
def test_state_and_boolean_filters(
    build: Builder, cases: Project, item: dict[str, Any], expected: int
) -> None:
    indicator = build.indicator(cases, "舆情数", count("opinion", item))
    assert actual_of(indicator).value == expected
    assert len(records_for(indicator, JUNE)["records"]) == expected


def test_filters_combine_with_and(build: Builder, cases: Project) -> None:
    definition = count("opinion", {"reached": "处置"}, {"not_reached": "办结"}, {"state": ["办结"]})
    indicator = build.indicator(cases, "舆情数", definition)
    assert actual_of(indicator).value == 1
    assert actual_of(indicator, YEAR_END).value == 0


# --- manual and unbound ------------------------------------------------------------------


def test_manual_takes_the_latest_entry_on_or_before_the_as_of_date(build: Builder) -> None:
    p = build.project()
    space = build.indicator(p, "构建清朗网络空间", MANUAL, target="是", kind="qualitative")
    entries = [(D(2021, 3, 31), "部分达成"), (D(2021, 6, 30), "达成"), (D(2021, 9, 30), "是")]
    for day, value in entries:
        enter_manual_actual(space, as_of=day, value=value, evidence="工作总结", actor=SYSTEM)
    assert actual_of(space, JUNE).text == "达成"
    assert actual_of(space, D(2021, 5, 1)).text == "部分达成"
    assert actual_of(space, YEAR_END).text == "是"
    early = actual_of(space, D(2021, 1, 31))
    assert (early.source, early.text, early.value, early.metric) == (
        "manual",
        None,
        None,
        {"kind": "manual"},
    )


def test_a_later_entry_for_the_same_day_wins(build: Builder) -> None:
    p = build.project()
    space = build.indicator(p, "构建清朗网络空间", MANUAL, target="是", kind="qualitative")
    enter_manual_actual(space, as_of=JUNE, value="部分达成", evidence="初报", actor=SYSTEM)
    enter_manual_actual(space, as_of=JUNE, value="达成", evidence="更正", actor=SYSTEM)
    assert actual_of(space).text == "达成"


def test_manual_quantitative_value_has_its_number(build: Builder) -> None:
    p = build.project()
    term = build.indicator(p, "网络宣传影响力持续期限", MANUAL, target="1年")
    enter_manual_actual(term, as_of=JUNE, value="1年", evidence="平台运行记录", actor=SYSTEM)
    result = actual_of(term)
    assert (result.value, result.text, result.source, result.records) == (
        Decimal(1),
        "1年",
        "manual",
        0,
    )


def test_unbound_indicator_has_no_source_until_entered_by_hand(build: Builder) -> None:
    p = build.project()
    loose = build.indicator(p, "避免经济损失", target="是", kind="qualitative")
    assert actual_of(loose) == Actual(loose.pk, None, None, "none", 0, None, None, None)
    enter_manual_actual(loose, as_of=JUNE, value="是", evidence="无经济损失事件", actor=SYSTEM)
    assert (actual_of(loose).source, actual_of(loose).text) == ("manual", "是")
    assert records_for(loose, JUNE) == {}


def test_a_broken_stored_definition_is_reported_not_raised(build: Builder) -> None:
    p = build.project()
    gone = build.indicator(p, "旧口径")
    Metric.objects.create(indicator=gone, definition={"kind": "count", "ledger": "gone"})
    typo = build.indicator(p, "错字段")
    Metric.objects.create(
        indicator=typo,
        definition=count("opinion", {"field": "gradee", "op": "=", "value": "重大"}),
    )
    unparsable = build.indicator(p, "无法解析")
    Metric.objects.create(indicator=unparsable, definition={"kind": "avg"})
    fine = build.indicator(p, "舆情数", count("opinion"))
    build.opinion(p, D(2021, 2, 1))
    result = evaluate([p], JUNE)
    assert result[gone.pk].error == "没有代码为“gone”的台账"
    assert "没有字段“gradee”" in (result[typo.pk].error or "")
    assert result[unparsable.pk].error == (
        "口径：未知的统计方式“avg”（可用：count、events、sum、distinct、ratio、manual）"
    )
    assert result[unparsable.pk].metric == {"kind": "avg"}
    assert (result[gone.pk].source, result[gone.pk].value) == ("metric", None)
    assert result[fine.pk].value == 1


# --- many projects, few queries ----------------------------------------------------------

SEED_LIKE = [ALERTS, DISPOSAL, TIMELY, BUDGET, POSTS, ADOPTION, MANUAL, None]


def _projects(build: Builder, n: int) -> list[Project]:
    """n projects each with the seed-like indicators, and records for every one of them."""
    projects = [build.project(f"P{i:03d}", position=i) for i in range(n)]
    indicators = Indicator.objects.bulk_create(
        Indicator(project=p, position=k, level3=f"指标{k}", target="≥1", target_kind="quantitative")
        for p in projects
        for k in range(len(SEED_LIKE))
    )
    Metric.objects.bulk_create(
        Metric(indicator=ind, definition=SEED_LIKE[ind.position])
        for ind in indicators
        if SEED_LIKE[ind.position] is not None
    )
    for p in projects[:3]:
        build.opinion(p, D(2021, 2, 1), ("预警", D(2021, 2, 1)), ("处置", D(2021, 2, 2)))
        build.entry("expenditure", p, paid_on=D(2021, 3, 1), amount="1000")
        build.entry("task", p, due_on=D(2021, 3, 1), completed_on=D(2021, 2, 1))
    build.entry("post", published_on=D(2021, 2, 1))
    build.entry("submission", level="省", adopted=True, submitted_on=D(2021, 4, 1))
    return projects


@pytest.mark.parametrize("n", [1, 50])
def test_the_number_of_queries_does_not_grow_with_projects(
    build: Builder, n: int, django_assert_num_queries: Any
) -> None:
    projects = _projects(build, n)
    # indicators, ledger types, their fields, the grouped aggregate, manual actuals
    with django_assert_num_queries(5):
        result = evaluate(projects, JUNE)
    assert len(result) == n * len(SEED_LIKE)
    first = [result[i.pk] for i in projects[0].indicators.order_by("position")]
    assert [a.text for a in first] == ["1", "100.00", "100.00", "0.67", "1", "100.00", None, None]
    assert [a.source for a in first[-2:]] == ["manual", "none"]


def test_distinct_at_unit_scope_costs_one_more_query(
    build: Builder, django_assert_num_queries: Any
) -> None:
    projects = _projects(build, 3)
    build.indicator(
        projects[0],
        "全县检查单位数",
        {"kind": "distinct", "ledger": "inspection", "field": "units", "scope": "unit"},
    )
    with django_assert_num_queries(6):
        evaluate(projects, JUNE)


def test_evaluate_unit_follows_project_and_indicator_order(build: Builder) -> None:
    second = build.project("B", position=2)
    first = build.project("A", position=1)
    build.project("OLD", year=2020)
    names = []
    for p in (second, first):
        for name in ("甲", "乙"):
            names.append(build.indicator(p, f"{p.code}{name}", count("opinion")).pk)
    build.opinion(first, D(2021, 2, 1))
    actuals = evaluate_unit(build.unit, 2021, JUNE)
    assert [a.indicator_id for a in actuals] == names[2:] + names[:2]
    assert [a.value for a in actuals] == [1, 1, 0, 0]


def test_projects_of_different_years_use_their_own_windows(build: Builder) -> None:
    old, new = build.project("P", year=2020), build.project("P", year=2021)
    old_count = build.indicator(old, "舆情数", count("opinion"))
    new_count = build.indicator(new, "舆情数", count("opinion"))
    build.opinion(old, D(2020, 5, 1))
    build.opinion(old, D(2021, 5, 1))  # outside the 2020 window
    build.opinion(new, D(2021, 5, 1))
    result = evaluate(Project.objects.all(), JUNE)
    assert result[old_count.pk].value == 1
    assert result[new_count.pk].value == 1


# --- provenance --------------------------------------------------------------------------


def test_provenance_lists_match_the_numbers(build: Builder) -> None:
    p = build.project()
    indicators = {
        "alerts": build.indicator(p, "舆情监测预警、研判分析数", ALERTS),
        "disposal": build.indicator(p, "网络舆情处置率", DISPOSAL),
        "timely": build.indicator(p, "工作及时完成率", TIMELY),
        "budget": build.indicator(p, "预算控制率", BUDGET),
        "posts": build.indicator(p, "官方网宣平台信息发布数量", POSTS),
        "adoption": build.indicator(p, "市级及以上网络媒体采稿率", ADOPTION),
    }
    build.opinion(p, D(2021, 2, 1), ("预警", D(2021, 2, 1)), ("研判", D(2021, 2, 3)))
    build.opinion(p, D(2021, 3, 1), ("预警", D(2021, 3, 1)), ("处置", D(2021, 3, 2)))
    build.opinion(p, D(2021, 7, 3), ("预警", D(2021, 7, 3)))
    build.entry("task", p, due_on=D(2021, 3, 31), completed_on=D(2021, 3, 30))
    build.entry("task", p, due_on=D(2021, 4, 30))
    build.entry("expenditure", p, paid_on=D(2021, 3, 1), amount="1500.50")
    build.entry("expenditure", p, paid_on=D(2021, 8, 1), amount="99")
    build.entry("post", published_on=D(2021, 2, 1))
    build.entry("submission", level="市", adopted=True, submitted_on=D(2021, 4, 1))
    build.entry("submission", level="县", adopted=True, submitted_on=D(2021, 4, 1))
    result = evaluate([p], JUNE)
    for name, indicator in indicators.items():
        actual = result[indicator.pk]
        lists = records_for(indicator, JUNE)
        if actual.numerator is None:
            assert len(lists["records"]) == actual.records, name
            continue
        listed = set(ids(lists["numerator"]))
        if "denominator" in lists:
            listed |= set(ids(lists["denominator"]))
            assert len(lists["denominator"]) == actual.denominator, name
        else:
            assert name == "budget"
        assert len(listed) == actual.records, name
        if name != "budget":
            assert len(lists["numerator"]) == actual.numerator, name
    assert result[indicators["budget"].pk].numerator == Decimal("1500.50")


def test_records_are_ordered_by_date(build: Builder) -> None:
    p = build.project()
    cases = build.indicator(p, "舆情数", count("opinion"))
    later = build.opinion(p, D(2021, 5, 1))
    earlier = build.opinion(p, D(2021, 2, 1))
    assert ids(records_for(cases, JUNE)["records"]) == [earlier.pk, later.pk]


def test_manual_entries_are_history(build: Builder) -> None:
    p = build.project()
    space = build.indicator(p, "构建清朗网络空间", MANUAL, target="是", kind="qualitative")
    enter_manual_actual(space, as_of=JUNE, value="达成", evidence="总结", actor=SYSTEM)
    enter_manual_actual(space, as_of=YEAR_END, value="是", evidence="年终总结", actor=SYSTEM)
    assert ManualActual.objects.filter(indicator=space).count() == 2
