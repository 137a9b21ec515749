"""Monitoring report -> layout: the official 绩效运行监控表, one per project (rules.md §5).

The unit file opens with a one-page summary (the projects' budget execution and lights, then
the spending and completion charts) and gives each project a landscape page of its own.
"""

from __future__ import annotations

from decimal import Decimal

from jixiao.core.reports import (
    LIGHT_LABELS,
    MonitoringReport,
    MonitoringRow,
    ProjectMonitoring,
    UnitInfo,
)
from jixiao.core.series import unit_execution
from jixiao.exporters.charts import LIGHT_COLOURS, select_projects, summary_page
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

GRID_LABELS = (
    "一级指标",
    "二级指标",
    "三级指标",
    "指标值",
    "当前完成值",
    "全年预计完成",
    "完成可能性",
    "偏差原因",
    "纠偏措施",
    "预警",
)
BUDGET_LABELS = ("年初预算", "调整后预算", "实际执行数", "执行率", "序时进度", "计划进度")
# Relative column widths of the project table (landscape A4).
WIDTHS = (7.0, 8.0, 14.0, 8.0, 8.0, 8.5, 7.5, 15.0, 15.0, 6.0)
SUMMARY_LABELS = ("序号", "项目名称", "调整后预算", "实际执行数", "执行率", "序时进度", "预警")
SUMMARY_WIDTHS = (7.0, 33.0, 12.0, 12.0, 12.0, 12.0, 12.0)


def table_title(year: int) -> str:
    """The official table's title."""
    return f"{year}年项目支出绩效运行监控表"


def light_cell(light: str | None) -> Cell:
    """A 预警 cell: the light's Chinese label on the light's colour."""
    if light is None:
        return Cell("", align="center")
    return Cell(LIGHT_LABELS[light], align="center", fill=LIGHT_COLOURS[light])


def deviation_text(category: str | None, reason: str | None) -> str:
    """``category：reason``, or whichever of the two is given."""
    if category and reason:
        return f"{category}：{reason}"
    return reason or category or ""


def project_label(n: int, project: ProjectMonitoring) -> str:
    """``{n}.{project name}``: the sheet name of the project's table."""
    return f"{n}.{project.name}"


def build_monitoring_layout(report: MonitoringReport, project_id: int | None = None) -> Layout:
    """The unit file (summary, then every project), or one project's table alone."""
    title = table_title(report.year)
    if project_id is not None:
        (project,) = select_projects(report.projects, project_id)
        n = report.projects.index(project) + 1
        return Layout(f"{project.name}{title}", project_blocks(report, n, project), landscape=True)
    blocks = summary_blocks(report)
    for n, project in enumerate(report.projects, start=1):
        blocks.append(PageBreak(landscape=True))
        blocks += project_blocks(report, n, project)
    return Layout(f"{report.unit.name}{title}", blocks)


# --- one project ------------------------------------------------------------------------------


def project_blocks(report: MonitoringReport, n: int, project: ProjectMonitoring) -> list[Block]:
    """The title and the table of one project."""
    section = project_label(n, project)
    table = project_table(report, project)
    table.section = section
    return [Paragraph(table_title(report.year), "title", 0, section, "center"), table]


def project_table(report: MonitoringReport, project: ProjectMonitoring) -> Table:
    """Header, budget block and indicator grid of one project (10 columns)."""
    unit = report.unit
    budget = project.budget
    rows: list[list[Cell]] = [
        [
            label_cell("主管部门", col_span=2),
            Cell(_department(unit), col_span=3),
            label_cell("实施单位", col_span=2),
            Cell(unit.name, col_span=3),
        ],
        [
            label_cell("项目名称", col_span=2),
            Cell(project.name, col_span=3),
            label_cell("项目编码", col_span=2),
            Cell(project.code or "", col_span=3),
        ],
        [
            label_cell("截至日期", col_span=2),
            Cell(format_date(report.as_of), col_span=3),
            Cell(f"单位：{budget.money_unit}", col_span=5, align="right"),
        ],
        [
            label_cell("预算执行情况", row_span=2, col_span=2),
            *(label_cell(text) for text in BUDGET_LABELS),
            label_cell("计划执行数"),
            label_cell("预警"),
        ],
        [
            *(
                Cell(text, align="center")
                for text in (
                    format_money(budget.budget_initial),
                    format_money(budget.budget_adjusted),
                    format_money(budget.executed),
                    format_percent(budget.execution_rate),
                    format_percent(budget.time_progress),
                    format_percent(budget.plan_percent),
                    format_money(budget.planned),
                )
            ),
            light_cell(budget.light),
        ],
    ]
    reason = deviation_text(budget.deviation_category, budget.deviation_reason)
    if reason or budget.correction:
        rows.append(
            [
                label_cell("执行偏差原因", col_span=2),
                Cell(reason, col_span=3),
                label_cell("纠偏措施", col_span=2),
                Cell(budget.correction or "", col_span=3),
            ]
        )
    header_row = len(rows)
    rows.append([label_cell(text) for text in GRID_LABELS])
    levels = [(r.level1, r.level2) for r in project.rows]
    for i, row in enumerate(project.rows):
        rows.append(level_cells(levels, i) + _grid_cells(row))
    return Table(len(WIDTHS), WIDTHS, rows, header_row)


def _department(unit: UnitInfo) -> str:
    return unit.department or unit.name


def _grid_cells(row: MonitoringRow) -> list[Cell]:
    """A row's cells from 三级指标 on."""
    likelihood = row.likelihood or row.likelihood_suggested or ""
    return [
        Cell(row.level3),
        Cell(row.target, align="center"),
        Cell(row.current or "", align="center"),
        Cell(row.projected or "", align="center"),
        Cell(likelihood, align="center"),
        Cell(deviation_text(row.deviation_category, row.deviation_reason)),
        Cell(row.correction or ""),
        light_cell(row.light),
    ]


# --- the unit summary -------------------------------------------------------------------------


def summary_blocks(report: MonitoringReport) -> list[Block]:
    """Title, unit and date lines, the projects table and the two charts (one portrait page)."""
    units = {p.budget.money_unit for p in report.projects}
    money_unit = units.pop() if len(units) == 1 else None
    progress = format_percent(report.time_progress)
    dates = f"截至日期：{format_date(report.as_of)}　　序时进度：{progress}"
    if money_unit:
        dates += f"　　金额单位：{money_unit}"
    title = f"{report.year}年项目支出绩效运行监控汇总"
    return summary_page(report, title, dates, summary_table(report, money_unit))


def summary_table(report: MonitoringReport, money_unit: str | None) -> Table:
    """One row per project and a total row (when all projects share a money unit)."""

    def money(value: Decimal | None, unit: str) -> str:
        # Mixed money units: every amount says its own.
        text = format_money(value)
        return text if money_unit or not text else text + unit

    rows: list[list[Cell]] = [[label_cell(text) for text in SUMMARY_LABELS]]
    for n, project in enumerate(report.projects, start=1):
        budget = project.budget
        rows.append(
            [
                Cell(str(n), align="center"),
                Cell(project.name),
                Cell(money(budget.budget_adjusted, budget.money_unit), align="right"),
                Cell(money(budget.executed, budget.money_unit), align="right"),
                Cell(format_percent(budget.execution_rate), align="center"),
                Cell(format_percent(budget.time_progress), align="center"),
                light_cell(budget.light),
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
                Cell(format_percent(report.time_progress), align="center"),
                Cell(""),
            ]
        )
    return Table(len(SUMMARY_WIDTHS), SUMMARY_WIDTHS, rows, header_row=0)
