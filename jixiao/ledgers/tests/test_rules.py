"""Consistency rules as data: refused on entry, import and workflow steps; listed for what
is already there (data-quality page, ``jixiao ledger check``); the demo passes."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from jixiao.ledgers.consistency import RuleError, broken_rules, parse_rules, schema_of
from jixiao.ledgers.importing import import_table
from jixiao.ledgers.io import Table
from jixiao.ledgers.models import LedgerEntry, LedgerType
from jixiao.ledgers.quality import findings
from jixiao.ledgers.services import (
    create_entry,
    ledger_type_for,
    record_transition,
    update_entry,
)
from jixiao.lib.actor import Actor
from jixiao.system.demo.services import load_demo, seed_document
from jixiao.system.demo.year import generate
from jixiao.targets.services import import_document
from jixiao.units.models import Unit

SYSTEM = Actor.system("测试")


@pytest.fixture
def unit(db: None) -> Unit:
    """The demo unit with its two 2021 projects, no records."""
    return import_document(seed_document(), actor=SYSTEM, source="seed").unit


def opinion(unit: Unit) -> LedgerType:
    return ledger_type_for(unit, "opinion")


def case(unit: Unit, **values: Any) -> LedgerEntry:
    return create_entry(
        opinion(unit),
        unit,
        {
            "title": "网民反映县城道路施工致交通拥堵",
            "platform": "微博",
            "link": "https://weibo.com/1/a",
            "first_seen": "2021-05-03",
            "grade": "一般",
            "must_handle": "否",
            **values,
        },
        actor=SYSTEM,
    )


def test_a_deadline_before_discovery_is_refused_beside_the_deadline(unit):
    with pytest.raises(ValidationError) as refused:
        case(unit, deadline="2021-05-01")

    assert refused.value.message_dict == {"deadline": ["“处置期限”不能早于“首次发现时间”"]}
    assert LedgerEntry.objects.count() == 0
    assert (
        case(unit, deadline="2021-05-03").data["deadline"] == "2021-05-03"
    )  # the same day is fine


def test_a_case_not_to_be_handled_cannot_reach_disposal(unit):
    entry = case(unit)
    record_transition(entry, "预警", actor=SYSTEM, on=dt.date(2021, 5, 3))

    with pytest.raises(ValidationError) as refused:
        record_transition(entry, "处置", actor=SYSTEM, on=dt.date(2021, 5, 4))

    assert refused.value.message_dict == {
        "must_handle": ["已到达“处置”的舆情，“应处置”应为“是”（无需处置的舆情直接办结）"]
    }
    entry.refresh_from_db()
    assert entry.state == "预警"
    # Closed straight from the alert instead, as the preset workflow now allows.
    record_transition(entry, "办结", actor=SYSTEM, on=dt.date(2021, 5, 5))
    entry.refresh_from_db()
    assert entry.state_dates == {"监测": "2021-05-03", "预警": "2021-05-03", "办结": "2021-05-05"}


def test_an_edit_that_makes_a_disposed_case_not_to_be_handled_is_refused(unit):
    entry = case(unit, must_handle="是")
    record_transition(entry, "预警", actor=SYSTEM, on=dt.date(2021, 5, 3))
    record_transition(entry, "处置", actor=SYSTEM, on=dt.date(2021, 5, 4))

    with pytest.raises(ValidationError) as refused:
        update_entry(entry, {**entry.data, "must_handle": False}, actor=SYSTEM)

    assert "“应处置”应为“是”" in refused.value.message_dict["must_handle"][0]
    entry.refresh_from_db()
    assert entry.data["must_handle"] is True


def test_an_import_row_breaking_a_rule_is_named_by_its_columns_and_nothing_is_written(unit):
    headers = ["标题", "来源平台", "链接", "首次发现时间", "级别", "应处置", "处置期限", "状态"]
    rows = [
        (1, headers),
        (
            2,
            [
                "甲",
                "微博",
                "https://weibo.com/p/1",
                "2021-03-01",
                "一般",
                "是",
                "2021-03-04",
                "处置",
            ],
        ),
        (
            3,
            [
                "乙",
                "微博",
                "https://weibo.com/p/2",
                "2021-03-02",
                "一般",
                "否",
                "2021-03-05",
                "处置",
            ],
        ),
        (
            4,
            [
                "丙",
                "微博",
                "https://weibo.com/p/3",
                "2021-03-09",
                "一般",
                "是",
                "2021-03-08",
                "预警",
            ],
        ),
    ]

    report = import_table(opinion(unit), unit, Table("cases.xlsx", rows), actor=SYSTEM)

    assert report.error_lines() == [
        "第 3 行，列“应处置”：已到达“处置”的舆情，“应处置”应为“是”（无需处置的舆情直接办结）",
        "第 4 行，列“处置期限、首次发现时间”：“处置期限”不能早于“首次发现时间”",
    ]
    assert LedgerEntry.objects.count() == 0


@pytest.mark.django_db
def test_rules_are_checked_against_the_type_when_read():
    schema_of_opinion = _schema()
    with pytest.raises(RuleError, match="“舆情”台账没有字段“handled”"):
        parse_rules(
            [
                {
                    "code": "x",
                    "then": [{"field": "handled", "op": "=", "value": True}],
                    "message": "m",
                }
            ],
            schema_of_opinion,
        )
    with pytest.raises(RuleError, match="缺少说明"):
        parse_rules([{"code": "x", "then": [{"reached": "处置"}]}], schema_of_opinion)
    with pytest.raises(RuleError, match="结案"):
        parse_rules(
            [
                {
                    "code": "x",
                    "when": [{"reached": "结案"}],
                    "then": [{"reached": "处置"}],
                    "message": "m",
                }
            ],
            schema_of_opinion,
        )


def _schema() -> Any:
    from jixiao.ledgers.services import ensure_presets

    ensure_presets()
    return schema_of(LedgerType.objects.get(unit=None, code="opinion"))


@pytest.mark.django_db
def test_a_comparison_with_a_blank_field_neither_applies_nor_breaks_a_rule():
    schema = _schema()
    rules = parse_rules(LedgerType.objects.get(unit=None, code="opinion").rules, schema)
    data = {"first_seen": "2021-05-03", "must_handle": False}

    assert broken_rules(rules, schema, data) == []  # no deadline: nothing to compare
    late = broken_rules(rules, schema, {**data, "deadline": "2021-05-02"})
    assert [(v.rule, v.labels) for v in late] == [
        ("deadline_after_found", ("处置期限", "首次发现时间"))
    ]
    disposed = broken_rules(rules, schema, data, state="办结", state_dates={"处置": "2021-05-04"})
    assert [v.rule for v in disposed] == ["disposed_must_handle"]


def test_existing_violations_are_listed_by_the_check_command_and_the_page(unit, client):
    entry = case(unit, must_handle="是", deadline="2021-05-06")
    # Written before the rule existed (or by hand in the database): the check finds it.
    LedgerEntry.objects.filter(pk=entry.pk).update(data={**entry.data, "deadline": "2021-04-30"})

    found = list(findings(LedgerEntry.objects.all()))
    assert [f.line() for f in found] == [
        f"舆情 #{entry.pk} 2021-05-03 网民反映县城道路施工致交通拥堵：“处置期限”不能早于"
        "“首次发现时间”（处置期限、首次发现时间）"
    ]
    out = StringIO()
    with pytest.raises(CommandError, match="共 1 处违反台账一致性规则") as failed:
        call_command("ledger", "check", "--year", "2021", stdout=out)
    assert failed.value.returncode == 1
    assert "“处置期限”不能早于“首次发现时间”" in out.getvalue()
    out = StringIO()
    call_command("ledger", "check", "--year", "2020", stdout=out)  # nothing that year
    assert out.getvalue() == "台账数据一致：没有违反一致性规则的记录。\n"


def test_the_demo_ledgers_pass_the_check(db):
    load_demo()
    out = StringIO()

    call_command("ledger", "check", stdout=out)

    assert out.getvalue() == "台账数据一致：没有违反一致性规则的记录。\n"


def test_the_demo_closes_nine_unhandled_alerts_from_the_alert_not_through_disposal():
    cases = [r for r in generate() if r.ledger == "opinion"]
    closed_from_alert = [
        r for r in cases if r.state_dates and list(r.state_dates) == ["监测", "预警", "办结"]
    ]

    assert len(closed_from_alert) == 9
    assert all(r.values["must_handle"] is False for r in closed_from_alert)
    disposed = [r for r in cases if r.state_dates and "处置" in r.state_dates]
    assert all(r.values["must_handle"] is True for r in disposed)
