"""Self-evaluation tables read as targets plus results.

Each row's 实际完成值, 分值, 得分 and 偏差原因; the fund line (全年预算数, 全年执行数,
执行率, its 分值 and 得分) and the 总分; in Word, Excel and text. The table's year is the
evaluated year.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest
from interp_files import Cell, excel, word

from jixiao.core.document import Budget, ProjectResults, TargetDocument, validate_dict
from jixiao.exporters import export_selfeval
from jixiao.importers import load_document, load_text
from jixiao.importers.selfeval import read_selfeval_xlsx

sys.path.insert(0, str(Path(__file__).parents[1] / "exporters"))
from reports import selfeval_report

D = Decimal
N = None
FUND = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
GRID = ["一级指标", "二级指标", "三级指标", "年初目标值(A)", "实际完成值(B)", "分值", "得分"]
# A provincial self-evaluation table: 年初目标值(A) / 实际完成值(B) / 分值 / 得分 / 偏差原因.
TABLE: list[list[Cell]] = [
    ["项目名称", ("乡村道路养护", 1, 7), N, N, N, N, N, N],
    ["主管部门", ("某县交通运输局", 1, 3), N, N, "实施单位", ("某县公路站", 1, 3), N, N],
    [("项目资金（万元）", 5, 1), "", *FUND],
    [N, "年度资金总额", "120", "118", "106.2", "10", "90%", "9"],
    [N, "其中：当年财政拨款", "100", "100", "90", "—", "90%", "—"],
    [N, "上年结转资金", "15", "15", "14.2", "—", "94.67%", "—"],
    [N, "其他资金", "5", "3", "2", "—", "66.67%", "—"],
    [("年度总体目标", 2, 2), N, ("预期目标", 1, 3), N, N, ("实际完成情况", 1, 3), N, N],
    [N, N, ("养护农村公路120公里", 1, 3), N, N, ("养护农村公路118公里", 1, 3), N, N],
    [*GRID, "偏差原因分析及改进措施"],
    ["产出指标", "数量指标", "养护里程", "≥120公里", "118公里", "20", "19", "两条路段并入改建工程"],
    ["产出指标", "质量指标", "优良路率", "≥80%", "82%", "20", "20", ""],
    ["效益指标", "社会效益指标", "群众出行时间缩短", "有所缩短", "不适用", "不适用", "不适用", ""],
    ["满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥90%", "92%", "40", "40", ""],
    [("总分", 1, 5), N, N, N, N, "100", "88", ""],
]  # fmt: skip


def _assert_selfeval(document: TargetDocument) -> None:
    validate_dict(document.to_dict())
    assert document.year == 2023
    (project,) = document.projects
    assert project.name == "乡村道路养护"
    assert project.budget == Budget("万元", D("120"), D("100"), D("5"), D("15"))
    assert project.results == ProjectResults(
        executed=D("106.2"),
        execution_rate=D("90"),
        execution_points=D("10"),
        execution_score=D("9"),
        total_score=D("88"),
        full_year_budget=D("118"),
    )
    assert project.goal == "养护农村公路120公里"
    rows = [
        (i.level3, i.target, i.actual, i.points, i.score, i.explanation) for i in project.indicators
    ]
    assert rows == [
        ("养护里程", "≥120公里", "118公里", D("20"), D("19"), "两条路段并入改建工程"),
        ("优良路率", "≥80%", "82%", D("20"), D("20"), None),
        ("群众出行时间缩短", "有所缩短", "不适用", D("0"), D("0"), None),
        ("沿线群众满意度", "≥90%", "92%", D("40"), D("40"), None),
    ]
    assert document.warnings == []


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_self_evaluation_table_gives_targets_and_results(tmp_path: Path, fmt: str) -> None:
    title = "项目支出绩效自评表（2023年度）"
    if fmt == "docx":
        path = word(tmp_path / "自评.docx", title, TABLE)
    else:
        path = excel(tmp_path / "自评.xlsx", {"自评表": [[(title, 1, 8)], *TABLE]})
    _assert_selfeval(load_document(path))


def test_self_evaluation_as_web_pipe_text() -> None:
    lines = ["项目支出绩效自评表", "（2023年度）"]
    for row in TABLE:
        cells = [c[0] if isinstance(c, tuple) else ("" if c is None else str(c)) for c in row]
        lines.append("| " + " | ".join(cells) + " |")
    document = load_text("\n".join(lines))
    # Web text loses the merges: the heading repeats nothing, but every value is in place.
    _assert_selfeval(document)


def test_our_exported_self_evaluation_reads_as_the_selfeval_reader_reads_it(
    tmp_path: Path,
) -> None:
    """The interpreter and jixiao.importers.selfeval agree on our own workbook, cell by cell."""
    data = export_selfeval(selfeval_report(), "xlsx")
    path = tmp_path / "自评.xlsx"
    path.write_bytes(data)
    document = load_document(path)
    sheets = read_selfeval_xlsx(data)
    assert document.year == 2021
    assert [p.name for p in document.projects] == [s.name for s in sheets]
    for project, sheet in zip(document.projects, sheets, strict=True):
        assert project.results is not None
        total, fiscal, *_ = sheet.funds
        assert project.results.total_score == sheet.total
        assert (project.results.executed, project.results.execution_score) == (
            total.executed,
            total.score,
        )
        assert (project.budget.total, project.budget.fiscal) == (
            total.budget_initial,
            fiscal.budget_initial,
        )
        assert project.results.full_year_budget == total.budget_full_year
        assert project.goal == sheet.goal
        read = [(i.level3, i.target, i.actual, i.score, i.explanation) for i in project.indicators]
        expected = [
            (i.level3, i.target, i.actual or "不适用", i.score, i.explanation)
            for i in sheet.indicators
        ]
        assert read == expected
        assert [i.points for i in project.indicators] == [i.points for i in sheet.indicators]
    assert document.warnings == []
