"""``jixiao actuals``: JSON lines in indicator order, a readable table, one-line errors."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import TYPE_CHECKING, Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jixiao.metrics.management.commands.actuals import Command
from jixiao.metrics.services import enter_manual_actual
from jixiao.metrics.tests.conftest import SYSTEM, Builder
from jixiao.metrics.tests.definitions import ALERTS, BUDGET, DISPOSAL, MANUAL, POSTS

if TYPE_CHECKING:
    from conftest import Org

D = dt.date


@pytest.fixture
def seeded(build: Builder) -> None:
    """Two projects with counted, manual and unbound indicators, and a few records."""
    cyber = build.project("13032221C2GKIBLPDEWRQ", position=1)
    publicity = build.project("13032221RDEVGNWRIDTHY", position=2, budget="5")
    build.indicator(cyber, "舆情监测预警、研判分析数", ALERTS)
    build.indicator(cyber, "网络舆情处置率", DISPOSAL, target="100%")
    space = build.indicator(cyber, "构建清朗网络空间", MANUAL, target="是", kind="qualitative")
    build.indicator(publicity, "官方网宣平台信息发布数量", POSTS, target="≥500条")
    build.indicator(publicity, "预算控制率", BUDGET, target="≤100%")
    term = build.indicator(publicity, "网络宣传影响力持续期限", target="1年")
    build.opinion(cyber, D(2021, 2, 1), ("预警", D(2021, 2, 1)), ("处置", D(2021, 2, 3)))
    build.opinion(cyber, D(2021, 3, 1), ("预警", D(2021, 3, 1)), ("研判", D(2021, 3, 2)))
    build.entry("post", published_on=D(2021, 1, 4))
    build.entry("expenditure", publicity, paid_on=D(2021, 3, 1), amount="12345.67")
    enter_manual_actual(space, as_of=D(2021, 6, 1), value="达成", evidence="总结", actor=SYSTEM)
    enter_manual_actual(term, as_of=D(2021, 6, 1), value="1年", evidence="运营记录", actor=SYSTEM)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("actuals", *args, stdout=out)
    return out.getvalue()


def test_json_lines_in_indicator_order(seeded: None) -> None:
    args = ("--unit", "224001", "--year", "2021", "--as-of", "2021-06-30", "--json")
    lines = [json.loads(line) for line in run(*args).splitlines()]
    assert [line["level3"] for line in lines] == [
        "舆情监测预警、研判分析数",
        "网络舆情处置率",
        "构建清朗网络空间",
        "官方网宣平台信息发布数量",
        "预算控制率",
        "网络宣传影响力持续期限",
    ]
    assert lines[0] == {
        "project": "13032221C2GKIBLPDEWRQ",
        "project_name": "项目13032221C2GKIBLPDEWRQ",
        "level1": "产出指标",
        "level2": "数量指标",
        "level3": "舆情监测预警、研判分析数",
        "target": "≥200条",
        "actual": "3",
        "text": "3",
        "source": "metric",
        "metric": {
            "kind": "events",
            "ledger": "opinion",
            "states": ["预警", "研判"],
            "filters": [],
            "scope": "project",
        },
        "metric_text": "舆情台账的记录在统计期内到达“预警”、“研判”的次数",
        "records": 2,
        "numerator": None,
        "denominator": None,
        "error": None,
    }
    disposal, space, posts, budget, term = lines[1:]
    assert (disposal["actual"], disposal["numerator"], disposal["denominator"]) == (
        "50.00",
        "1",
        "2",
    )
    assert (space["actual"], space["text"], space["source"], space["records"]) == (
        None,
        "达成",
        "manual",
        0,
    )
    assert space["metric_text"] == "手工填报实际完成值（附佐证材料）"
    assert (posts["actual"], posts["records"]) == ("1", 1)
    assert (budget["actual"], budget["numerator"], budget["denominator"]) == (
        "24.69",
        "12345.67",
        "50000.00",
    )
    assert (term["actual"], term["text"], term["source"], term["metric"]) == (
        "1",
        "1年",
        "manual",
        None,
    )


def test_table_in_chinese(seeded: None) -> None:
    text = run("--unit", "224001", "--year", "2021", "--as-of", "2021-06-30")
    assert text.splitlines()[:3] == [
        "项目13032221C2GKIBLPDEWRQ（13032221C2GKIBLPDEWRQ）",
        "  舆情监测预警、研判分析数：指标值 ≥200条，实际完成值 3（按口径计算，2 条记录）",
        "  网络舆情处置率：指标值 100%，实际完成值 50.00（1 / 2）（按口径计算，2 条记录）",
    ]
    assert "  网络宣传影响力持续期限：指标值 1年，实际完成值 1年（手工填报）" in text


def _exit(*argv: str) -> tuple[int, str]:
    """Run as from the command line: the exit status and stderr."""
    err = io.StringIO()
    command = Command(stdout=io.StringIO(), stderr=err)
    command._called_from_command_line = True
    parser = command.create_parser("jixiao", "actuals")
    # The system checks refuse the test settings' key; they are not what is tested here.
    options = vars(parser.parse_args([*argv, "--skip-checks"]))
    with pytest.raises(SystemExit) as caught:
        command.execute(**options)
    return int(caught.value.code or 0), err.getvalue()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--unit", "999999", "--year", "2021", "--as-of", "2021-06-30"), "找不到预算单位：999999"),
        (
            ("--unit", "224001", "--year", "二〇二一", "--as-of", "2021-06-30"),
            "预算年度应为四位数字，如 2021：二〇二一",
        ),
        (
            ("--unit", "224001", "--year", "2021", "--as-of", "2021/6/30"),
            "日期格式不对：2021/6/30（应如 2021-06-30）",
        ),
        (
            ("--unit", "224001", "--year", "2019", "--as-of", "2019-06-30"),
            "预算单位 224001 中共昌黎县委网络安全和信息化委员会办公室本级 没有 2019 年的预算项目。",
        ),
    ],
)
def test_bad_input_exits_2_with_one_chinese_line(
    seeded: None, argv: tuple[str, ...], message: str
) -> None:
    status, err = _exit(*argv)
    assert status == 2
    assert err == message + "\n"


def test_called_from_code_the_error_propagates(seeded: None) -> None:
    with pytest.raises(CommandError, match="找不到预算单位"):
        run("--unit", "0", "--year", "2021", "--as-of", "2021-06-30")


def test_help_is_chinese(capsys: Any) -> None:
    parser = Command().create_parser("jixiao", "actuals")
    assert "统计日" in parser.format_help()


def test_the_operator_reaches_every_bureaus_units(org: Org) -> None:
    other = Builder(org.other_unit)
    project = other.project("LL1")
    other.indicator(project, "舆情数", ALERTS)
    text = run("--unit", "324001", "--year", "2021", "--as-of", "2021-06-30")
    assert text.splitlines() == [
        "项目LL1（LL1）",
        "  舆情数：指标值 ≥200条，实际完成值 0（按口径计算，0 条记录）",
    ]
