"""The pure helpers behind the target pages: merged level cells and change lines."""

from __future__ import annotations

from jixiao.core.document import IndicatorRow, ParsedTarget
from jixiao.exporters.targets_layout import project_table
from jixiao.targets.tables import change_line, merge_levels, project_blocks


def rows(*levels: str) -> list[IndicatorRow]:
    """Indicator rows from "level1/level2" strings."""
    result = []
    for n, pair in enumerate(levels):
        level1, level2 = pair.split("/")
        result.append(IndicatorRow(level1, level2, f"指标{n}", "是", ParsedTarget("qualitative")))
    return result


def spans(indicators: list[IndicatorRow]) -> tuple[list[int], list[int]]:
    merged = merge_levels(indicators)
    return [r.level1_span for r in merged], [r.level2_span for r in merged]


def test_merge_levels_spans_consecutive_equal_values():
    indicators = rows(
        "产出指标/数量指标",
        "产出指标/数量指标",
        "产出指标/质量指标",
        "效益指标/社会效益指标",
        "效益指标/社会效益指标",
        "满意度指标/服务对象满意度指标",
    )

    assert spans(indicators) == ([3, 0, 0, 2, 0, 1], [2, 0, 1, 2, 0, 1])


def test_level2_run_stops_at_a_level1_boundary():
    assert spans(rows("产出指标/数量指标", "效益指标/数量指标")) == ([1, 1], [1, 1])


def test_equal_values_apart_are_not_merged():
    assert spans(rows("产出指标/数量指标", "效益指标/数量指标", "产出指标/数量指标")) == (
        [1, 1, 1],
        [1, 1, 1],
    )


def test_no_indicators_no_rows():
    assert merge_levels([]) == []


def test_merged_cells_match_the_exported_table(demo_document):
    # The page and the downloads must merge the same cells.
    for project in demo_document.projects:
        table = project_table(project, "")
        assert table.header_row is not None
        exported: dict[int, list[int]] = {0: [], 1: []}
        for r, c, cell in table.placed():
            if r > table.header_row and c in exported:
                exported[c].append(cell.row_span)

        level1, level2 = spans(project.indicators)

        assert [s for s in level1 if s] == exported[0]
        assert [s for s in level2 if s] == exported[1]


def test_project_blocks_number_projects_and_take_the_header_from_the_layout(demo_document):
    blocks = project_blocks(demo_document, {2: "/project/7/history/"})

    assert [(b.number, b.title, b.history_url) for b in blocks] == [
        (1, "1.网络安全和信息化经费绩效目标表", None),
        (2, "2.网络宣传管理经费绩效目标表", "/project/7/history/"),
    ]
    first_row = [cell.text for cell in blocks[0].head[0]]
    assert first_row == ["224001中共昌黎县委网络安全和信息化委员会办公室本级", "单位：万元"]
    assert sum(blocks[0].widths) == 100
    assert not blocks[0].weighted


def test_change_line_names_the_indicator_and_keeps_full_texts():
    long_text = "提高舆情研判能力" * 20
    line = change_line(
        {
            "field": "指标值",
            "indicator": "舆情监测预警、研判分析数",
            "path": "产出指标 / 数量指标 / 舆情监测预警、研判分析数",
            "before": "≥200条",
            "after": long_text,
        }
    )

    assert line.what == "指标「产出指标 / 数量指标 / 舆情监测预警、研判分析数」的指标值"
    assert (line.before, line.after) == ("≥200条", long_text)


def test_change_line_for_added_indicator_and_plain_fields():
    added = change_line(
        {"field": "新增指标", "indicator": "培训人次", "path": "产出指标 / 数量指标 / 培训人次"}
        | {"before": None, "after": "≥50人次"}
    )
    budget = change_line({"field": "预算数", "before": "15.00万元", "after": "18.00万元"})
    safeguard = change_line(
        {"field": "工作保障措施", "item": "第 2 条", "before": "旧", "after": "新"}
    )

    assert (added.what, added.before, added.after) == (
        "新增指标「产出指标 / 数量指标 / 培训人次」",
        None,
        "≥50人次",
    )
    assert budget.what == "预算数"
    assert safeguard.what == "工作保障措施第 2 条"
