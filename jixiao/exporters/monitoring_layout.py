"""Monitoring report -> layout: the official 绩效运行监控表, one per project (rules.md §5).

The unit file opens with a one-page summary (the projects' budget execution and lights, then
the spending and completion charts) and gives each project a landscape page of its own.
"""

from __future__ import annotations

from decimal import Decimal

from jixiao.core.reports import (
    LIGHT_LABELS,
    MonitoringFund,
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

# 财预〔2019〕136号 项目支出绩效目标执行监控表 (rules.md §5): the national layout, the default.
NATIONAL = "national"
# Hubei's form: one 完成目标可能性 column; 偏差原因分析 and 相关建议或举措 as rows under the grid.
HUBEI = "hubei"
LAYOUTS = (NATIONAL, HUBEI)

FUND_LABELS = ("年度资金总额", "其中：财政拨款", "其他资金")
REASON_LABELS = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")
LIKELIHOOD_LABELS = ("确定能", "有可能", "完全不可能")
TICK = "✓"
INDICATOR_LABEL = "绩效指标"
# Relative column widths (landscape A4): label, 一级, 二级, 三级, 年度指标值, 1-N月执行情况,
# 全年预计完成情况, five reasons, three likelihoods, 备注.
WIDTHS = (3.0, 6.5, 7.5, 11.0, 7.0, 7.5, 7.5, 5.5, 5.5, 5.5, 6.0, 5.5, 5.0, 5.0, 5.5, 6.5)
# Hubei: label, 一级, 二级, 三级, 年度指标值, 1-N月执行情况, 全年预计完成情况, 完成目标可能性, 备注.
WIDTHS_HUBEI = (3.5, 9.0, 10.0, 16.0, 10.0, 11.0, 11.0, 10.0, 19.5)
SUMMARY_LABELS = ("序号", "项目名称", "调整后预算", "实际执行数", "执行率", "序时进度", "预警")
SUMMARY_WIDTHS = (7.0, 33.0, 12.0, 12.0, 12.0, 12.0, 12.0)


def table_title(year: int) -> str:
    """The official table's title (财预〔2019〕136号)."""
    return f"项目支出绩效目标执行监控表（{year}年度）"


def months(report: MonitoringReport) -> str:
    """``1-N月``: the months the round covers (N the as-of date's month)."""
    return f"1-{report.as_of.month}月"


DASH = "—"


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
    """The 136号 table of one project (or the finance bureau's provincial variant)."""
    layout = report.settings.get("monitoring_layout", NATIONAL)
    hubei = layout == HUBEI
    widths = WIDTHS_HUBEI if hubei else WIDTHS
    cols = len(widths)
    n = months(report)
    unit = report.unit
    rows: list[list[Cell]] = [
        [label_cell("项目名称", col_span=3), Cell(project.name, col_span=cols - 3)],
        [
            label_cell("主管部门及代码", col_span=3),
            Cell(_department(unit), col_span=cols - 3 - (cols - 3) // 2 - 2),
            label_cell("实施单位", col_span=2),
            Cell(unit.name, col_span=(cols - 3) // 2),
        ],
    ]
    rows += _fund_block(project, n, cols)
    rows += _goal_block(project, n, cols)
    header_row = len(rows)
    indicators = project.rows
    if hubei:
        rows.append(
            [
                _side(1 + max(len(indicators), 1)),
                *(label_cell(text) for text in (*_row_labels(n), "完成目标可能性", "备注")),
            ]
        )
    else:
        rows.append(
            [
                _side(2 + max(len(indicators), 1)),
                *(label_cell(text, row_span=2) for text in _row_labels(n)),
                label_cell("偏差原因分析", col_span=len(REASON_LABELS)),
                label_cell("完成目标可能性", col_span=len(LIKELIHOOD_LABELS)),
                label_cell("备注", row_span=2),
            ]
        )
        rows.append([label_cell(text) for text in (*REASON_LABELS, *LIKELIHOOD_LABELS)])
    levels = [(r.level1, r.level2) for r in indicators]
    for i, row in enumerate(indicators):
        cells = [
            *level_cells(levels, i),
            Cell(row.level3),
            Cell(row.target, align="center"),
            Cell(row.current or "", align="center"),
            Cell(row.projected or "", align="center"),
        ]
        likelihood = row.likelihood or row.likelihood_suggested or ""
        if hubei:
            cells += [Cell(likelihood, align="center"), Cell(row.remark or "")]
        else:
            cells += _reason_cells(row) + [
                Cell(TICK if likelihood == label else "", align="center")
                for label in LIKELIHOOD_LABELS
            ]
            cells.append(Cell(row.remark or ""))
        rows.append(cells)
    if not indicators:
        rows.append([Cell("（没有绩效指标）", col_span=cols - 1, align="center")])
    notes = _hubei_notes(project, cols) if hubei else []
    # The grid's header repeats on each page in every format; Hubei's two rows under the grid
    # stay on the page of its last row.
    return Table(
        cols,
        widths,
        rows + notes,
        header_row,
        header_rows=1 if hubei else 2,
        repeat_header=True,
        keep_tail=len(notes),
    )


def _row_labels(n: str) -> tuple[str, ...]:
    """The grid's header words from 一级指标 to 全年预计完成情况 (N the round's last month)."""
    return ("一级指标", "二级指标", "三级指标", "年度指标值", f"{n}执行情况", "全年预计完成情况")


def _side(rows: int) -> Cell:
    """The 绩效指标 label down the left of the grid, from its header to its last row."""
    return Cell(INDICATOR_LABEL, row_span=rows, bold=True, align="center", side=True)


def _fund_block(project: ProjectMonitoring, n: str, cols: int) -> list[list[Cell]]:
    """项目资金 rows: a header and 年度资金总额 / 其中：财政拨款 / 其他资金."""
    budget = project.budget
    funds = project.funds or (
        MonitoringFund(
            FUND_LABELS[0],
            budget.budget_initial,
            budget.budget_adjusted,
            budget.executed,
            budget.execution_rate,
            budget.projected,
        ),
    )
    # label | fund name | five amounts sharing the rest
    label, name = (3, 2) if cols >= 13 else (2, 1)
    rest = cols - label - name
    spans = [rest // 5 + (1 if i < rest % 5 else 0) for i in range(5)]
    header = [
        label_cell(f"项目资金（{budget.money_unit}）", row_span=1 + len(funds), col_span=label),
        label_cell("", col_span=name),
        *(
            label_cell(text, col_span=span)
            for text, span in zip(
                ("年初预算数", "全年预算数", f"{n}执行数", f"{n}执行率", "全年预计执行数"),
                spans,
                strict=True,
            )
        ),
    ]
    rows = [header]
    for fund in funds:
        values = (
            format_money(fund.budget_initial),
            format_money(fund.budget_full_year),
            format_money(fund.executed),
            format_percent(fund.rate),
            format_money(fund.projected),
        )
        rows.append(
            [
                label_cell(fund.label, col_span=name),
                *(
                    Cell(text or DASH, col_span=span, align="center")
                    for text, span in zip(values, spans, strict=True)
                ),
            ]
        )
    return rows


def _goal_block(project: ProjectMonitoring, n: str, cols: int) -> list[list[Cell]]:
    """年度总体目标: 全年预期目标 | 1-N月执行情况."""
    left = (cols - 3) // 2
    right = cols - 3 - left
    return [
        [
            label_cell("年度总体目标", row_span=2, col_span=3),
            label_cell("全年预期目标", col_span=left),
            label_cell(f"{n}执行情况", col_span=right),
        ],
        [Cell(project.goal or "", col_span=left), Cell(project.achievement or "", col_span=right)],
    ]


def _reason_cells(row: MonitoringRow) -> list[Cell]:
    """The five 偏差原因分析 columns: the reason's text (or ✓) under its category."""
    category = row.deviation_category or ("其他" if row.deviation_reason else None)
    return [
        Cell((row.deviation_reason or TICK) if label == category else "", align="center")
        for label in REASON_LABELS
    ]


def _hubei_notes(project: ProjectMonitoring, cols: int) -> list[list[Cell]]:
    """Hubei's rows under the grid: 偏差原因分析 and 相关建议或举措, a line per row having one."""
    reasons = [
        f"{r.level3}：{deviation_text(r.deviation_category, r.deviation_reason)}"
        for r in project.rows
        if r.deviation_reason or r.deviation_category
    ]
    budget = project.budget
    if budget.deviation_reason or budget.deviation_category:
        reasons.insert(
            0, "预算执行：" + deviation_text(budget.deviation_category, budget.deviation_reason)
        )
    measures = [f"{r.level3}：{r.correction}" for r in project.rows if r.correction]
    if budget.correction:
        measures.insert(0, f"预算执行：{budget.correction}")
    return [
        [label_cell("偏差原因分析", col_span=3), Cell("\n".join(reasons), col_span=cols - 3)],
        [label_cell("相关建议或举措", col_span=3), Cell("\n".join(measures), col_span=cols - 3)],
    ]


def _department(unit: UnitInfo) -> str:
    return unit.department or unit.name


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
    blocks = summary_page(report, title, dates, summary_table(report, money_unit))
    analysis = analysis_table(report)
    if analysis is not None:
        blocks.append(PageBreak())
        blocks.append(Paragraph("偏差原因及纠偏措施", "heading", 2, analysis.section))
        blocks.append(analysis)
    return blocks


ANALYSIS_LABELS = ("序号", "项目", "指标", "预警", "偏差原因", "纠偏措施")
ANALYSIS_WIDTHS = (6.0, 18.0, 18.0, 8.0, 25.0, 25.0)


def analysis_table(report: MonitoringReport) -> Table | None:
    """Our own analysis beside the official tables: every budget block and indicator with a
    reason or a measure (or a light asking for one), with its light; None when there is none."""
    rows: list[list[Cell]] = [[label_cell(text) for text in ANALYSIS_LABELS]]
    for project in report.projects:
        budget = project.budget
        items = [
            (
                "预算执行",
                budget.light,
                budget.reason_required,
                budget.deviation_category,
                budget.deviation_reason,
                budget.correction,
            )
        ]
        items += [
            (
                r.level3,
                r.light,
                r.reason_required,
                r.deviation_category,
                r.deviation_reason,
                r.correction,
            )
            for r in project.rows
        ]
        if budget.over_budget:
            rate = format_percent(budget.execution_rate)
            warning = f"实际执行数超过全年预算（执行率 {rate}）"
            reason = budget.deviation_reason
            items[0] = (*items[0][:4], f"{reason}；{warning}" if reason else warning, items[0][5])
        for name, light, required, category, reason, correction in items:
            if not (required or reason or category or correction):
                continue
            rows.append(
                [
                    Cell(str(len(rows)), align="center"),
                    Cell(project.name),
                    Cell(name),
                    light_cell(light),
                    Cell(deviation_text(category, reason) or ("（未填写）" if required else "")),
                    Cell(correction or ""),
                ]
            )
    if len(rows) == 1:
        return None
    return Table(len(ANALYSIS_WIDTHS), ANALYSIS_WIDTHS, rows, header_row=0, section="偏差分析")


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
