"""``jixiao monitor`` and ``jixiao evaluate`` on the demo year."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import make_person
from jixiao.accounts.choices import Role
from jixiao.lib.actor import Actor
from jixiao.rounds.management.commands import monitor
from jixiao.rounds.management.commands._common import unit_with_projects
from jixiao.system.demo.services import load_demo
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo() -> None:
    load_demo()


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_monitor_json_is_the_submitted_report_at_that_date() -> None:
    data = json.loads(
        run("monitor", "--unit", "224001", "--year", "2021", "--as-of", "2021-06-30", "--json")
    )
    assert data["format"] == "jixiao.monitoring/1"
    assert data["time_progress"] == "49.59"
    assert data["report"]["status"] == "approved"  # the demo's mid-year round
    first = data["projects"][0]
    assert first["budget"]["ratio"] == "92.72" and first["budget"]["light"] == "green"
    period = next(r for r in first["rows"] if r["level3"] == "网络安全稳定运行期限")
    # 1年 runs with the calendar: on plan at 30 June, green, 确定能, nothing to explain.
    assert (period["light"], period["likelihood_suggested"], period["likelihood"]) == (
        "green",
        "确定能",
        "确定能",
    )
    assert (period["ratio"], period["projected"]) == ("100.83", "1年")
    assert not period["deviation_reason"]
    opinion = next(r for r in first["rows"] if r["level3"] == "舆情监测预警、研判分析数")
    # 有可能 (187.54 of 200 projected): the office explained it.
    assert opinion["likelihood"] == "有可能"
    assert opinion["deviation_reason"] == "上半年工作进度略慢于序时进度。"


def test_monitor_at_a_date_without_a_round_is_computed_live() -> None:
    text = run("monitor", "--unit", "224001", "--year", "2021", "--as-of", "2021-09-15")
    assert "填报" not in text.splitlines()[0]
    # 15 September is day 258: 258/365 = 70.68%
    assert "序时进度 70.68%" in text
    # 151 opinion products against 200 × 258/365 = 141.37 → 106.81% → green
    assert "舆情监测预警、研判分析数：指标值 ≥200条，当前 151条，应达 141.37条" in text


def test_evaluate_prints_scores_total_and_grade() -> None:
    text = run("evaluate", "--unit", "224001", "--year", "2021")
    assert "网络舆情处置率：指标值 100%，实际 98.21%，分值 12.50，得分 12.28" in text
    assert "总分 98.56，等级 优" in text and "总分 99.37，等级 优" in text
    data = json.loads(run("evaluate", "--unit", "224001", "--year", "2021", "--json"))
    assert [p["total"] for p in data["projects"]] == ["98.56", "99.37"]
    assert data["report"]["status"] == "submitted"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--unit", "999", "--year", "2021"), "找不到预算单位"),
        (("--unit", "224001", "--year", "2019"), "没有 2019 年的预算项目"),
        (("--unit", "224001", "--year", "21"), "四位数字"),
    ],
)
def test_evaluate_refuses_bad_input_in_chinese(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("evaluate", *args)


def test_a_bad_date_exits_with_status_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # run_from_argv closes every connection when done; keep the test database's.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        monitor.Command().run_from_argv(
            [
                "jixiao",
                "monitor",
                "--skip-checks",
                "--unit",
                "224001",
                "--year",
                "2021",
                "--as-of",
                "2021-13-01",
            ]
        )
    assert exited.value.code == 2
    assert "日期格式不对：2021-13-01" in capsys.readouterr().err


def test_commands_reach_units_through_the_permission_seam() -> None:
    """The command line is the operator's: any unit, by code or (without one) by name; a
    person's actor reaches only their own units."""
    unit = Unit.objects.get(code="224001")
    assert unit_with_projects("224001", 2021) == unit
    nameless = Unit.objects.create(code=None, name="无编码单位")
    with pytest.raises(CommandError, match="无编码单位 没有 2021 年的预算项目"):
        unit_with_projects("无编码单位", 2021)
    assert nameless.pk
    other = make_person("other_officer", Unit.objects.get(code="224002"), Role.OFFICER, "乙")
    with pytest.raises(CommandError, match="找不到预算单位：224001"):
        unit_with_projects("224001", 2021, Actor(other))
