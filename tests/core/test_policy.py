"""Tests for the rule settings (jixiao.core.policy) and their documentation."""

from __future__ import annotations

import re
from dataclasses import fields
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.core.policy import COST, OUTPUT, Policy, PolicyError, grade_for

SETTINGS_DOC = Path(__file__).resolve().parents[2] / "docs" / "settings.md"
# A setting's row in a table of docs/settings.md: | `name` | default | meaning |
DOCUMENTED = re.compile(r"^\|\s*`([a-z_]+)`\s*\|", re.MULTILINE)


def documented_names() -> list[str]:
    return DOCUMENTED.findall(SETTINGS_DOC.read_text(encoding="utf-8"))


def test_every_setting_is_documented():
    missing = [f.name for f in fields(Policy) if f.name not in documented_names()]
    assert missing == []


def test_every_documented_setting_exists():
    names = documented_names()
    assert len(names) == len(set(names))  # each once
    unknown = sorted(set(names) - {f.name for f in fields(Policy)})
    assert unknown == []


def test_the_documented_defaults_are_the_defaults():
    # The default column shows the JSON a finance bureau would store (without quotes for
    # numbers): every one must read back as the field's default.
    text = SETTINGS_DOC.read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*`([a-z_]+)`\s*\|\s*`([^`]*)`\s*\|", text, re.MULTILINE)
    assert len(rows) == len(fields(Policy))
    for name, shown in rows:
        default = Policy().to_json()[name]
        if isinstance(default, bool):
            assert shown == str(default).lower(), name
        elif isinstance(default, list):
            assert shown.replace('"', "") == str(default).replace("'", "").replace(" ", ""), name
        else:
            assert shown == default, name


def test_from_mapping_applies_only_the_given_names():
    policy = Policy.from_mapping({"overrun_deduction": "2", "execution_cap": True})
    assert policy.overrun_deduction == Decimal("2")
    assert policy.execution_cap is True
    assert policy.points_output == Decimal("50")
    assert policy.changes() == {"overrun_deduction": "2", "execution_cap": True}


def test_changes_read_back_to_the_same_policy():
    policy = Policy.from_mapping(
        {"reverse_formula": "linear", "execution_caps": [["85", "88"]], "points_cost": 5}
    )
    assert Policy.from_mapping(policy.changes()) == policy
    assert policy.execution_caps == ((Decimal("85"), Decimal("88")),)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"no_such": 1}, "未知的规则设置“no_such”"),
        ({"execution_cap": "yes"}, "execution_cap 应为 true 或 false"),
        ({"points_output": "abc"}, "points_output 的值“abc”不是数字"),
        ({"points_output": "-1"}, "points_output 不能为负数"),
        ({"absent_group": "nobody"}, "absent_group 只能是 proportional 或 output"),
        ({"band_met_low": "90", "band_met_high": "85"}, "band_met_low 和 band_met_high"),
        ({"execution_caps": [["80"]]}, "execution_caps 的每一项应为"),
    ],
)
def test_bad_settings_are_refused_in_chinese(values, message):
    with pytest.raises(PolicyError, match=message):
        Policy.from_mapping(values)


def test_group_points_include_cost_only_when_it_stands_alone():
    assert COST not in Policy().group_points()
    alone = Policy(cost_in_output=False, points_cost=Decimal("10"), points_output=Decimal("40"))
    assert alone.group_points()[COST] == Decimal("10")
    assert alone.group_points()[OUTPUT] == Decimal("40")


@pytest.mark.parametrize(
    ("total", "grade"),
    [("100", "优"), ("90", "优"), ("89.99", "良"), ("80", "良"), ("79.99", "中"), ("60", "中"),
     ("59.99", "差"), ("0", "差")],
)  # fmt: skip
def test_grades_by_total(total, grade):
    assert grade_for(Decimal(total)) == grade


def test_the_wording_doc_lists_the_national_words():
    from jixiao.core import wording

    text = (Path(__file__).resolve().parents[2] / "docs" / "wording.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## (\S+) \([^)]*\)\n\n(.+)$", text, re.MULTILINE))
    assert set(sections["达成"].split(" · ")) == wording.MET_WORDS
    assert set(sections["部分达成"].split(" · ")) == wording.PARTIAL_WORDS
    assert set(sections["未达成"].split(" · ")) == wording.UNMET_WORDS
    assert set(sections["未发生"].split(" · ")) == wording.ZERO_WORDS
