"""Self-evaluation report -> layout: the official 项目支出绩效自评表 (财预〔2020〕10号, §5).

The unit file opens with a one-page summary (the projects' execution, totals and grades, then
the two charts) and gives each project a page of its own. ``jixiao.importers.selfeval`` reads
the xlsx back by the labels below, so they are a contract.
"""

from __future__ import annotations

from decimal import Decimal

from jixiao.core.reports import (
    EvaluationRow,
    FundRow,
    ProjectEvaluation,
    SelfEvaluationReport,
)
from jixiao.core.series import unit_execution
from jixiao.exporters.charts import elapsed_percent, select_projects, summary_page
from jixiao.exporters.targets_layout import (
    Block,
    Cell,
    Layout,
    PageBreak,
    Paragraph,
    Table,
    format_date,
    format_money,
    format_percent,
    label_cell,
    level_cells,
)

NOT_APPLICABLE = "不适用"
# What a fund cell shows when it has no figure: 分值/得分 of the sub-rows, unknown amounts.
DASH = "—"
GRID_TITLE = "绩效指标"
FUND_LABELS = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
GRID_LABELS = (
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
)
TOTAL_LABEL = "总分"
GRADE_LABEL = "自评等级"
TAIL_LABELS = (TOTAL_LABEL, GRADE_LABEL)
SIGNATURES = "项目负责人：　　　　　　　　财务负责人：　　　　　　　　填报日期："
# Relative column widths of the project table (portrait A4): the label column, then the grid.
WIDTHS = (5.0, 10.0, 10.0, 14.0, 9.0, 9.0, 9.0, 10.0, 24.0)
SUMMARY_LABELS = (
    "序号",
    "项目名称",
    "全年预算数",
    "全年执行数",
    "执行率",
    "序时进度",
    "总分",
    "自评等级",
)
SUMMARY_WIDTHS = (6.0, 28.0, 12.0, 12.0, 10.0, 10.0, 10.0, 12.0)


def table_title(year: int) -> str:
    """The official table's title."""
    return f"项目支出绩效自评表（{year}年度）"


def project_label(n: int, project: ProjectEvaluation) -> str:
    """``{n}.{project name}``: the sheet name of the project's table."""
    return f"{n}.{project.name}"


def build_selfeval_layout(report: SelfEvaluationReport, project_id: int | None = None) -> Layout:
    """The unit file (summary, then every project), or one project's table alone."""
    title = table_title(report.year)
    if project_id is not None:
        (project,) = select_projects(report.projects, project_id)
        n = report.projects.index(project) + 1
        return Layout(f"{project.name}{title}", project_blocks(report, n, project))
    blocks = summary_blocks(report)
    for n, project in enumerate(report.projects, start=1):
        blocks.append(PageBreak())
        blocks += project_blocks(report, n, project)
    return Layout(f"{report.unit.name}{report.year}年度项目支出绩效自评表", blocks)


# --- one project ------------------------------------------------------------------------------


def project_blocks(report: SelfEvaluationReport, n: int, project: ProjectEvaluation) -> list[Block]:
    """Title, table, adjustment notes and the signature line of one project."""
    section = project_label(n, project)
    table = project_table(project)
    table.section = section
    blocks: list[Block] = [
        Paragraph(table_title(report.year), "title", 0, section, "center"),
        table,
    ]
    # The notes and the signature line stay on the page of the table's last rows.
    blocks += [
        Paragraph(text, "note", 0, section, keep_with_previous=True)
        for text in [*adjustment_notes(project), SIGNATURES]
    ]
    return blocks


def score_text(score: Decimal, computed: Decimal) -> str:
    """``9.00``, or ``9.00（计算 9.84）`` when a reviewer changed the computed score."""
    if score == computed:
        return format_money(score)
    return f"{format_money(score)}（计算 {format_money(computed)}）"


def adjustment_notes(project: ProjectEvaluation) -> list[str]:
    """One ``调整说明`` line per overridden score, and the execution deviation if explained."""
    notes = []
    changes: list[tuple[str, Decimal, Decimal, str | None, str | None]] = [
        (r.level3, r.computed, r.score, r.override_reason, r.override_by) for r in project.rows
    ]
    ex = project.execution
    changes.append(("预算执行率", ex.computed, ex.score, ex.override_reason, ex.override_by))
    for name, computed, score, reason, by in changes:
        if score == computed and not reason:
            continue
        text = f"调整说明：{name}得分由 {format_money(computed)} 调整为 {format_money(score)}"
        if reason:
            text += f"，{reason}"
        if by:
            text += f"（调整人 {by}）"
        notes.append(text + "。")
    if ex.explanation:
        notes.append(f"预算执行偏差原因：{ex.explanation}")
    return notes


def project_table(project: ProjectEvaluation) -> Table:
    """Header, fund block, overall goal, indicator grid, total and grade (9 columns).

    As in the official form, the first column labels the blocks: 项目资金 down the fund rows,
    年度总体目标 down the goal, and the vertical 绩效指标 down the grid and its header.
    """
    funds = project.funds
    rows: list[list[Cell]] = [
        [label_cell("项目名称", col_span=3), Cell(project.name, col_span=6)],
        [
            label_cell("主管部门", col_span=3),
            Cell(project.department, col_span=2),
            label_cell("实施单位", col_span=2),
            Cell(project.implementer, col_span=2),
        ],
        [
            label_cell(f"项目资金（{project.money_unit}）", row_span=len(funds) + 1),
            Cell("", col_span=2),
            *(label_cell(text) for text in FUND_LABELS),
        ],
    ]
    rows += [_fund_cells(project, fund, fund is funds[0]) for fund in funds]
    rows += [
        [
            label_cell("年度总体目标", row_span=2),
            label_cell("预期目标", col_span=4),
            label_cell("实际完成情况", col_span=4),
        ],
        [Cell(project.goal or "", col_span=4), Cell(project.achievement or "", col_span=4)],
    ]
    header_row = len(rows)
    spine = Cell(
        GRID_TITLE,
        row_span=len(project.rows) + 1,
        bold=True,
        align="center",
        side=True,
        vertical=True,
    )
    rows.append([spine, *(label_cell(text) for text in GRID_LABELS)])
    levels = [(r.level1, r.level2) for r in project.rows]
    for i, row in enumerate(project.rows):
        rows.append(level_cells(levels, i) + _grid_cells(row))
    points = sum((r.points for r in project.rows), project.execution.points)
    capped = ""
    if project.capped_from is not None:
        capped = f"（按执行率封顶，原 {format_money(project.capped_from)}）"
    rows += [
        [
            label_cell(TOTAL_LABEL, col_span=6),
            Cell(format_money(points), align="center"),
            Cell(format_money(project.total), bold=True, align="center"),
            Cell(capped),
        ],
        [
            label_cell(GRADE_LABEL, col_span=6),
            Cell(project.grade, col_span=3, bold=True, align="center"),
        ],
    ]
    return Table(
        len(WIDTHS),
        WIDTHS,
        rows,
        header_row,
        repeat_header=True,
        keep_tail=len(TAIL_LABELS),
        dense=True,
    )


def _fund_cells(project: ProjectEvaluation, fund: FundRow, first: bool) -> list[Cell]:
    """A fund row: its label over two columns, then the six numbers.

    分值 and 得分 belong to 年度资金总额 alone; every other empty place is an amount nobody
    knows (spending is not recorded by fund source, no carry-over is recorded): “—”.
    """
    score = format_money(fund.score)
    if first and fund.score is not None:
        score = score_text(fund.score, project.execution.computed)
    values = (
        format_money(fund.budget_initial),
        format_money(fund.budget_full_year),
        format_money(fund.executed),
        format_money(fund.points) if first else "",
        format_percent(fund.rate),
        score if first else "",
    )
    return [
        label_cell(fund.label, col_span=2),
        *(Cell(v or DASH, align="center") for v in values),
    ]


def _grid_cells(row: EvaluationRow) -> list[Cell]:
    """A row's cells from 三级指标 on."""
    if row.not_applicable:
        actual = points = score = NOT_APPLICABLE
    else:
        actual = row.actual or ""
        points = format_money(row.points)
        score = score_text(row.score, row.computed)
    return [
        Cell(row.level3),
        Cell(row.target, align="center"),
        Cell(actual, align="center"),
        Cell(points, align="center"),
        Cell(score, align="center"),
        Cell(row.explanation or ""),
    ]


# --- the unit summary -------------------------------------------------------------------------


def summary_blocks(report: SelfEvaluationReport) -> list[Block]:
    """Title, unit and date lines, the projects table and the two charts (one page)."""
    units = {p.money_unit for p in report.projects}
    money_unit = units.pop() if len(units) == 1 else None
    dates = f"自评截至日期：{format_date(report.as_of)}"
    if money_unit:
        dates += f"　　金额单位：{money_unit}"
    title = f"{report.year}年度项目支出绩效自评汇总"
    return summary_page(report, title, dates, summary_table(report, money_unit))


def summary_table(report: SelfEvaluationReport, money_unit: str | None) -> Table:
    """One row per project and a money total row (when all projects share a money unit)."""
    progress = format_percent(elapsed_percent(report.as_of, report.year))

    def money(value: Decimal | None, unit: str) -> str:
        text = format_money(value)
        return text if money_unit or not text else text + unit

    rows: list[list[Cell]] = [[label_cell(text) for text in SUMMARY_LABELS]]
    for n, project in enumerate(report.projects, start=1):
        fund = project.funds[0] if project.funds else None
        budget = fund.budget_full_year if fund else None
        executed = fund.executed if fund else None
        rows.append(
            [
                Cell(str(n), align="center"),
                Cell(project.name),
                Cell(money(budget, project.money_unit), align="right"),
                Cell(money(executed, project.money_unit), align="right"),
                Cell(format_percent(project.execution.rate), align="center"),
                Cell(progress, align="center"),
                Cell(format_money(project.total), align="center"),
                Cell(project.grade, align="center"),
            ]
        )
    totals = unit_execution(report)
    if money_unit and totals is not None and len(report.projects) > 1:
        rows.append(
            [
                label_cell("合计", col_span=2),
                Cell(format_money(totals.budget), align="right"),
                Cell(format_money(totals.executed), align="right"),
                Cell(format_percent(totals.rate), align="center"),
                Cell(progress, align="center"),
                Cell("", col_span=2),
            ]
        )
    return Table(len(SUMMARY_WIDTHS), SUMMARY_WIDTHS, rows, header_row=0)
