"""``jixiao score FILE.json [--json]``: a thin adapter over jixiao.core.scoring.score_project."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jixiao.scoring.management.commands.score import Command

PROJECT = {
    "budget": {"total": "15.00", "executed": "14.20"},
    "indicators": [
        {
            "level1": "产出指标",
            "level2": "数量指标",
            "level3": "舆情监测预警、研判分析数",
            "target": "≥200条",
            "actual": "230",
        },
        {
            "level1": "效益指标",
            "level2": "社会效益指标",
            "level3": "构建清朗网络空间",
            "target": "是",
            "actual": "部分达成",
            "score": None,
        },
    ],
    "settings": {},
}


@pytest.fixture
def project_file(tmp_path):
    path = tmp_path / "project.json"
    path.write_text(json.dumps(PROJECT, ensure_ascii=False), encoding="utf-8")
    return path


def call(*args: str, stdin: str | None = None) -> str:
    out = StringIO()
    options = {} if stdin is None else {"stdin": StringIO(stdin)}
    call_command("score", *args, stdout=out, **options)
    return out.getvalue()


def test_json_output_of_the_issue_example(project_file):
    got = json.loads(call(str(project_file), "--json"))

    # No 满意度: its 10 go 6.25 to 产出 (56.25) and 3.75 to 效益 (33.75). 230 ≥ 200 → 56.25;
    # 部分达成 → 60% of 33.75 = 20.25. Execution 14.20/15 = 94.67% → 9.47.
    # Total 56.25 + 20.25 + 9.47 = 85.97 → 良.
    assert [(i["points"], i["score"]) for i in got["indicators"]] == [
        ("56.25", "56.25"),
        ("33.75", "20.25"),
    ]
    assert got["execution"] == {"rate": "94.67", "points": "10.00", "score": "9.47"}
    assert (got["total"], got["grade"]) == ("85.97", "良")
    assert got["indicators"][1]["explanation_required"] is True


def test_readable_output_is_one_line_per_indicator_then_execution_and_total(project_file):
    assert call(str(project_file)).splitlines() == [
        "舆情监测预警、研判分析数：指标值 ≥200条，实际完成值 230，分值 56.25，得分 56.25",
        "构建清朗网络空间：指标值 是，实际完成值 部分达成，分值 33.75，得分 20.25"
        "（部分达成，得分范围 20.25–27.00；需说明偏差原因）",
        "预算执行率 94.67%（全年预算数 15.00，全年执行数 14.20）：分值 10.00，得分 9.47",
        "总分 85.97，等级 良",
    ]


def test_readable_output_shows_not_applicable_rows_and_the_cap():
    data = {
        "budget": {"total": "100", "executed": "45"},
        "indicators": [
            {"level1": "产出指标", "level2": "", "level3": "甲", "target": "是", "actual": "是"},
            {"level1": "效益指标", "level2": "", "level3": "乙", "target": "是", "actual": None},
        ],
        "settings": {"execution_cap": True},
    }
    lines = call("-", stdin=json.dumps(data)).splitlines()

    # 效益 (不适用) and 满意度 are absent: 产出 gets all 90, 达成 band 80–100% = 72.00–90.00.
    # Execution 10 × 0.45 = 4.50; 90 + 4.50 = 94.50, capped at 59 (rate 45 is under 50).
    assert lines == [
        "甲：指标值 是，实际完成值 是，分值 90.00，得分 90.00（达成，得分范围 72.00–90.00）",
        "乙：指标值 是，实际完成值 不适用，分值 0.00，得分 0.00（不适用）",
        "预算执行率 45.00%（全年预算数 100，全年执行数 45）：分值 10.00，得分 4.50"
        "；执行率偏低，需说明原因",
        "总分 59.00，等级 差（按执行率封顶，封顶前 94.50）",
    ]


def test_dash_reads_standard_input():
    got = json.loads(call("-", "--json", stdin=json.dumps(PROJECT)))
    assert got["total"] == "85.97"


def test_numbers_in_the_file_stay_exact(tmp_path):
    # 12.5 and 15.1 are JSON numbers: read as Decimal, 14.2 / 15.1 = 94.039… → 94.04% → 9.40.
    path = tmp_path / "p.json"
    row = (
        '{"level1": "产出指标", "level2": "数量指标", "level3": "甲", "target": "≥2", '
        '"actual": 12.5}'
    )
    path.write_text(f'{{"budget": {{"total": 15.1, "executed": 14.2}}, "indicators": [{row}]}}')
    got = json.loads(call(str(path), "--json"))
    assert got["execution"] == {"rate": "94.04", "points": "10.00", "score": "9.40"}
    # The one indicator takes all 90 points and meets ≥2 with 12.5: 90 + 9.40.
    assert got["total"] == "99.40"


def test_a_table_without_indicators_is_refused(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('{"budget": {"total": "15", "executed": "14"}, "indicators": []}')
    with pytest.raises(CommandError, match="绩效指标表中没有指标，无法自评计分"):
        call(str(path))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "不是有效的 JSON：第 1 行第 2 列"),
        ('{"indicators": []}', "缺少 budget"),
        ('{"budget": {"total": "1", "executed": "1"}, "indicators": [], "settings": {"x": 1}}',
         "未知的规则设置“x”"),
    ],
)  # fmt: skip
def test_bad_input_raises_a_chinese_command_error(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call(str(path))


def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call(str(tmp_path / "nope.json"))


@pytest.fixture
def keep_connection(monkeypatch):
    """run_from_argv closes every connection when it ends, as a real process would.

    Inside a test that would close the test transaction's connection (PostgreSQL then fails
    the next query), so the command line is run here without that last step.
    """
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def test_inconsistent_weights_exit_2_with_one_chinese_line(tmp_path, capsys, keep_connection):
    data = json.loads(json.dumps(PROJECT))
    for row, weight in zip(data["indicators"], ("50", "30"), strict=True):
        row["weight"] = weight
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["jixiao", "score", "--skip-checks", str(path)])

    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    # 50 + 30 = 80, but the indicators share 100 − 10 = 90.
    assert err == "各指标分值合计为 80，应为 90\n"
