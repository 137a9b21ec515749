"""Hand-built monitoring and self-evaluation reports of the demo unit, shared by the export tests.

The unit 224001 and its two projects are the seed's (jixiao/system/demo/seed-changli-cac-2021.txt):
网络安全和信息化经费 (15.00 万元) and 网络宣传管理经费 (5.00 万元), nine indicators each. The
numbers follow the rules (rules.md §3, §4) and are worked out in the comments.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from decimal import Decimal
from pathlib import Path

import pdfplumber

from jixiao.core.reports import (
    BLUE,
    GREEN,
    RED,
    YELLOW,
    BudgetExecution,
    EvaluationRow,
    ExecutionScore,
    FundRow,
    MonitoringFund,
    MonitoringReport,
    MonitoringRow,
    PlanPoint,
    ProjectEvaluation,
    ProjectMonitoring,
    SelfEvaluationReport,
    UnitInfo,
)
from jixiao.importers.doc import soffice_path

D = Decimal
YEAR = 2021
UNIT = UnitInfo("224001", "中共昌黎县委网络安全和信息化委员会办公室本级", "中共昌黎县委员会")
NAME_1 = "网络安全和信息化经费"
NAME_2 = "网络宣传管理经费"
CODE_1 = "13032221C2GKIBLPDEWRQ"
CODE_2 = "13032221RDEVGNWRIDTHY"
GOAL_1 = (
    "1.牢牢把握正确导向，为全县经济社会发展提供有力的舆论支持；提升网信从业人员的政治意识、"
    "责任意识和职业素养；提高舆情研判能力和信息服务水平，及时化解、妥善处理有关负面舆情。"
)
GOAL_2 = "充分利用微博、微信、抖音、今日头条等5个官方网宣平台，宣传好全县的中心工作、重要活动。"


def decimals(text: str) -> list[Decimal]:
    """Space-separated numbers as decimals."""
    return [Decimal(v) for v in text.split()]


MONTH_ENDS = [dt.date(YEAR, m, d) for m, d in enumerate((31, 28, 31, 30, 31, 30), start=1)] + [
    dt.date(YEAR, m, d) for m, d in zip(range(7, 13), (31, 31, 30, 31, 30, 31), strict=True)
]
# The seed plan (Mar 25%, Jun 50%, Oct 75%, Dec 100%) at each month end, linear in days from
# 0% on 1 January: Jan 31 (day 31) 25×31/90 = 8.61; Feb 28 (59) 16.39; Apr 30 (120)
# 25 + 25×30/91 = 33.24; May 31 (151) 41.76; Jul 31 (212) 50 + 25×31/123 = 56.30; Aug 31 (243)
# 62.60; Sep 30 (273) 68.70; Nov 30 (334) 75 + 25×30/61 = 87.30.
PLAN = decimals("8.61 16.39 25.00 33.24 41.76 50.00 56.30 62.60 68.70 75.00 87.30 100.00")
# Cumulative spending, percent of the budget, at each month end of the year.
# Project 1 (15 万元): 0.80 1.50 2.90 3.95 5.20 6.954046 | 7.80 8.90 10.10 11.60 12.90 14.20 万元.
SPENT_1 = decimals("5.33 10.00 19.33 26.33 34.67 46.36 52.00 59.33 67.33 77.33 86.00 94.67")
# Project 2 (5 万元): 0.10 0.25 0.50 0.70 0.95 1.20 | 1.60 2.00 2.40 2.90 3.40 3.90 万元.
SPENT_2 = decimals("2.00 5.00 10.00 14.00 19.00 24.00 32.00 40.00 48.00 58.00 68.00 78.00")


def curve(spent: list[Decimal], as_of: dt.date) -> tuple[PlanPoint, ...]:
    """The plan and the spending at every month end, spending None after ``as_of``."""
    return tuple(
        PlanPoint(day, planned, s if day <= as_of else None)
        for day, planned, s in zip(MONTH_ENDS, PLAN, spent, strict=True)
    )


# --- monitoring at 2021-06-30: 序时进度 181/365 = 49.59% ------------------------------------

MONITORING_AS_OF = dt.date(YEAR, 6, 30)
TIME_PROGRESS = D("49.59")


def mrow(
    n: int,
    levels: tuple[str, str, str],
    target: str,
    current: str | None,
    projected: str | None,
    ratio: str | None,
    light: str | None,
    likelihood: str | None,
    **reason: str,
) -> MonitoringRow:
    """A monitoring row; a red, yellow or blue light asks for a reason."""
    return MonitoringRow(
        indicator_id=n,
        level1=levels[0],
        level2=levels[1],
        level3=levels[2],
        target=target,
        current=current,
        expected=None,
        projected=projected,
        projection_method="",
        ratio=None if ratio is None else D(ratio),
        light=light,
        likelihood_suggested=likelihood,
        likelihood=likelihood,
        reason_required=light in (RED, YELLOW, BLUE),
        deviation_category=reason.get("category"),
        deviation_reason=reason.get("reason"),
        correction=reason.get("correction"),
        source="manual" if current is not None else "none",
        remark=reason.get("remark"),
    )


OUT, BEN, SAT = "产出指标", "效益指标", "满意度指标"

MONITORING_ROWS_1 = (
    # ≥200条, cumulative: expected 200 × 181/365 = 99.18; v = 93 / 99.178 = 93.77 → green;
    # projected 93 ÷ 49.59% = 187.54.
    mrow(1, (OUT, "数量指标", "舆情监测预警、研判分析数"), "≥200条", "93", "187.54", "93.77", GREEN,
         "有可能"),
    mrow(2, (OUT, "质量指标", "网络舆情处置率"), "100%", "92.31", "92.31", "92.31", GREEN,
         "有可能", remark="1起涉及跨部门协调"),
    # 75 / 100 = 75 → yellow: a reason and its category.
    mrow(3, (OUT, "时效指标", "工作及时完成率"), "100%", "75", "75", "75.00", YELLOW, "有可能",
         category="人员保障", reason="上半年人员调整，部分工作延期完成",
         correction="充实工作力量，9月底前完成积压工作"),
    mrow(4, (OUT, "成本指标", "预算控制率"), "≤100%", "46.36", "46.36", None, GREEN, "确定能"),
    mrow(5, (BEN, "经济效益指标", "避免经济损失"), "是", "是", "是", None, GREEN, "确定能"),
    mrow(6, (BEN, "社会效益指标", "构建清朗网络空间"), "是", "部分达成", "部分达成", None, YELLOW,
         "有可能", category="其他", reason="网络环境治理需持续推进",
         correction="加强网上巡查，及时处置有害信息"),
    mrow(7, (BEN, "生态效益指标", "达到绿色产业标准"), "达到", "达到", "达到", None, GREEN,
         "确定能"),
    # A duration is a level: 0.5 / 1 = 50 → red.
    mrow(8, (BEN, "可持续影响指标", "网络安全稳定运行期限"), "1年", "0.5年", "0.5年", "50.00", RED,
         "有可能", reason="运行期限按年度计算，年中仅满半年", correction="持续保障系统稳定运行"),
    mrow(9, (SAT, "服务对象满意度指标", "服务对象满意度"), "≥90%", None, None, None, None, None),
)  # fmt: skip

MONITORING_ROWS_2 = (
    # expected 500 × 181/365 = 247.95; v = 268 / 247.945 = 108.09 → green; 268 ÷ 49.59% = 540.44.
    mrow(11, (OUT, "数量指标", "官方网宣平台信息发布数量"), "≥500条", "268", "540.44", "108.09",
         GREEN, "确定能"),
    # A rate is a level: 41.2 / 30 = 137.33 → blue (an over-run to explain).
    mrow(12, (OUT, "质量指标", "市级及以上网络媒体采稿率"), "≥30%", "41.2", "41.2", "137.33", BLUE,
         "确定能", category="其他", reason="上半年重大活动集中，采稿率高于预期",
         correction="保持稿件质量，合理安排下半年报送"),
    mrow(13, (OUT, "时效指标", "工作及时完成率"), "100%", "100", "100", "100.00", GREEN, "确定能"),
    mrow(14, (OUT, "成本指标", "预算控制率"), "≤100%", "24", "24", None, GREEN, "确定能"),
    mrow(15, (BEN, "经济效益指标", "资源节约集约利用"), "是", "是", "是", None, GREEN, "确定能"),
    mrow(16, (BEN, "社会效益指标", "宣传、活动影响力"), "是", "是", "是", None, GREEN, "确定能"),
    mrow(17, (BEN, "生态效益指标", "达到绿色产业标准"), "达到", "达到", "达到", None, GREEN,
         "确定能"),
    mrow(18, (BEN, "可持续影响指标", "网络宣传影响力持续期限"), "1年", "0.5年", "0.5年", "50.00",
         RED, "有可能", reason="影响力持续期限按年度计算", correction="持续做好网络宣传"),
    # 93.5 / 90 = 103.89 → green.
    mrow(19, (SAT, "服务对象满意度指标", "服务对象满意度"), "≥90%", "93.5", "93.5", "103.89", GREEN,
         "确定能"),
)  # fmt: skip

BUDGET_1 = BudgetExecution(
    money_unit="万元",
    budget_initial=D("15.00"),
    budget_adjusted=D("15.00"),
    executed=D("6.954046"),
    executed_source="ledger",
    plan_percent=D("50.00"),
    planned=D("7.50"),  # 15 × 50%
    execution_rate=D("46.36"),  # 6.954046 / 15
    time_progress=TIME_PROGRESS,
    ratio=D("92.72"),  # 6.954046 / 7.50 → green
    light=GREEN,
    reason_required=False,
    curve=curve(SPENT_1, MONITORING_AS_OF),
    projected=D("14.45"),  # 6.954046 + 15 × (100% − 50%) = 14.454046
)
# All of project 1's money is fiscal: the execution is all 财政拨款.
FUNDS_1 = (
    MonitoringFund("年度资金总额", D("15.00"), D("15.00"), D("6.954046"), D("46.36"), D("14.45")),
    MonitoringFund("其中：财政拨款", D("15.00"), D("15.00"), D("6.954046"), D("46.36"), D("14.45")),
    MonitoringFund("其他资金", D("0"), D("0"), D("0"), None, D("0")),
)

BUDGET_2 = BudgetExecution(
    money_unit="万元",
    budget_initial=D("5.00"),
    budget_adjusted=D("5.00"),
    executed=D("1.20"),
    executed_source="ledger",
    plan_percent=D("50.00"),
    planned=D("2.50"),
    execution_rate=D("24.00"),  # 1.20 / 5
    time_progress=TIME_PROGRESS,
    ratio=D("48.00"),  # 1.20 / 2.50 → red
    light=RED,
    reason_required=True,
    deviation_category="经费保障",
    deviation_reason="设备购置尚未完成政府采购",
    correction="加快采购进度，8月底前完成支付",
    curve=curve(SPENT_2, MONITORING_AS_OF),
    projected=D("4.00"),  # entered by the unit
    projected_source="manual",
)
# Project 2 has 1.00 万元 of other money: spending by source is unknown (—).
FUNDS_2 = (
    MonitoringFund("年度资金总额", D("5.00"), D("5.00"), D("1.20"), D("24.00"), D("4.00")),
    MonitoringFund("其中：财政拨款", D("4.00"), D("4.00"), None, None, None),
    MonitoringFund("其他资金", D("1.00"), D("1.00"), None, None, None),
)


def monitoring_report() -> MonitoringReport:
    """The demo unit's monitoring at 2021-06-30."""
    return MonitoringReport(
        unit=UNIT,
        year=YEAR,
        as_of=MONITORING_AS_OF,
        time_progress=TIME_PROGRESS,
        projects=(
            ProjectMonitoring(
                1,
                CODE_1,
                NAME_1,
                BUDGET_1,
                MONITORING_ROWS_1,
                goal=GOAL_1,
                achievement="上半年共监测预警、研判分析舆情93条，处置率92.31%。",
                funds=FUNDS_1,
            ),
            ProjectMonitoring(
                2, CODE_2, NAME_2, BUDGET_2, MONITORING_ROWS_2, goal=GOAL_2, funds=FUNDS_2
            ),
        ),
    )


# --- self-evaluation of 2021 -----------------------------------------------------------------

SELFEVAL_AS_OF = dt.date(YEAR, 12, 31)


def erow(
    n: int,
    levels: tuple[str, str, str],
    target: str,
    actual: str | None,
    points: str,
    score: str,
    computed: str | None = None,
    **extra: str,
) -> EvaluationRow:
    """A scored row; ``computed`` differs from ``score`` when a reviewer overrode it."""
    return EvaluationRow(
        indicator_id=n,
        level1=levels[0],
        level2=levels[1],
        level3=levels[2],
        target=target,
        actual=actual,
        points=D(points),
        computed=D(computed or score),
        score=D(score),
        not_applicable=actual is None,
        met=D(score) == D(points),
        explanation_required=D(score) < D(points),
        explanation=extra.get("explanation"),
        override_reason=extra.get("override_reason"),
        override_by=extra.get("override_by"),
    )


# Project 1 (rules.md §4 defaults): 产出 50 over four = 12.50 each, 效益 30 over four = 7.50,
# 满意度 10. 98.21% of 100% → 12.5 × 0.9821 = 12.28; 94.44% → 12.5 × 0.9444 = 11.81.
EVALUATION_ROWS_1 = (
    erow(1, (OUT, "数量指标", "舆情监测预警、研判分析数"), "≥200条", "212", "12.50", "12.50"),
    erow(2, (OUT, "质量指标", "网络舆情处置率"), "100%", "98.21%", "12.50", "12.28",
         explanation="个别舆情涉及外地，需协调处置，下年度完善协调机制"),
    erow(3, (OUT, "时效指标", "工作及时完成率"), "100%", "94.44%", "12.50", "11.81",
         explanation="人员调整致部分工作延期，已建立工作台账"),
    erow(4, (OUT, "成本指标", "预算控制率"), "≤100%", "94.67%", "12.50", "12.50"),
    erow(5, (BEN, "经济效益指标", "避免经济损失"), "是", "是", "7.50", "7.50"),
    erow(6, (BEN, "社会效益指标", "构建清朗网络空间"), "是", "是", "7.50", "7.50"),
    erow(7, (BEN, "生态效益指标", "达到绿色产业标准"), "达到", "达到", "7.50", "7.50"),
    erow(8, (BEN, "可持续影响指标", "网络安全稳定运行期限"), "1年", "1年", "7.50", "7.50"),
    erow(9, (SAT, "服务对象满意度指标", "服务对象满意度"), "≥90%", "95.88%", "10.00", "10.00"),
)  # fmt: skip

# Project 2: the 生态 row is not applicable, so 效益's 30 points go to the other three (10.00
# each); 部分达成 takes the bottom of its band, 60% × 10 = 6.00; 88.6% of ≥90% gives
# 10 × 88.6 / 90 = 9.84, which a reviewer lowered to 9.00; 96% of 100% → 12.5 × 0.96 = 12.00.
EVALUATION_ROWS_2 = (
    erow(11, (OUT, "数量指标", "官方网宣平台信息发布数量"), "≥500条", "536", "12.50", "12.50"),
    erow(12, (OUT, "质量指标", "市级及以上网络媒体采稿率"), "≥30%", "33.5%", "12.50", "12.50"),
    erow(13, (OUT, "时效指标", "工作及时完成率"), "100%", "96%", "12.50", "12.00",
         explanation="个别工作因人员调整延期，已完善工作台账"),
    erow(14, (OUT, "成本指标", "预算控制率"), "≤100%", "78%", "12.50", "12.50"),
    erow(15, (BEN, "经济效益指标", "资源节约集约利用"), "是", "是", "10.00", "10.00"),
    erow(16, (BEN, "社会效益指标", "宣传、活动影响力"), "是", "部分达成", "10.00", "6.00",
         explanation="部分活动延期举办，下年度提前谋划"),
    erow(17, (BEN, "生态效益指标", "达到绿色产业标准"), "达到", None, "0", "0"),
    erow(18, (BEN, "可持续影响指标", "网络宣传影响力持续期限"), "1年", "1年", "10.00", "10.00"),
    erow(19, (SAT, "服务对象满意度指标", "服务对象满意度"), "≥90%", "88.6%", "10.00", "9.00",
         computed="9.84", explanation="信息更新频率偏低，下年度增加更新频次",
         override_reason="满意度调查样本不足，按抽查结果调整", override_by="县财政局 李明"),
)  # fmt: skip


def funds(initial: str, executed: str, rate: str, score: str) -> tuple[FundRow, ...]:
    """The fund block: all money is this year's fiscal money, none carried over (not recorded:
    None), no other money (0 budgeted, 0 spent, no rate)."""
    budget, spent = D(initial), D(executed)
    return (
        FundRow("年度资金总额", budget, budget, spent, D("10.00"), D(rate), D(score)),
        FundRow("其中：当年财政拨款", budget, budget, spent, None, D(rate), None),
        FundRow("上年结转资金", None, None, None, None, None, None),
        FundRow("其他资金", D("0.00"), D("0.00"), D("0.00"), None, None, None),
    )


def selfeval_report() -> SelfEvaluationReport:
    """The demo unit's self-evaluation of 2021, with the execution-rate cap switched on."""
    dept = UNIT.department or UNIT.name
    project_1 = ProjectEvaluation(
        project_id=1,
        code=CODE_1,
        name=NAME_1,
        department=dept,
        implementer=UNIT.name,
        money_unit="万元",
        # 14.20 / 15 = 94.67%; 10 × 0.9467 = 9.47.
        funds=funds("15.00", "14.20", "94.67", "9.47"),
        goal=GOAL_1,
        achievement="全年开展舆情监测预警、研判分析212条，网络舆情处置率98.21%，未发生重大网络安全事件。",
        rows=EVALUATION_ROWS_1,
        execution=ExecutionScore(D("94.67"), D("10.00"), D("9.47"), D("9.47"), False),
        # 12.50 + 12.28 + 11.81 + 12.50 + 4 × 7.50 + 10.00 + 9.47 = 98.56
        total=D("98.56"),
        grade="优",
        curve=curve(SPENT_1, SELFEVAL_AS_OF),
    )
    project_2 = ProjectEvaluation(
        project_id=2,
        code=CODE_2,
        name=NAME_2,
        department=dept,
        implementer=UNIT.name,
        money_unit="万元",
        # 3.90 / 5 = 78.00%; 10 × 0.78 = 7.80.
        funds=funds("5.00", "3.90", "78.00", "7.80"),
        goal=GOAL_2,
        achievement="全年发布信息536条，市级及以上网络媒体采稿率33.5%。",
        rows=EVALUATION_ROWS_2,
        execution=ExecutionScore(
            D("78.00"), D("10.00"), D("7.80"), D("7.80"), True, "部分设备采购延至下年度"
        ),
        # 12.50 + 12.50 + 12.00 + 12.50 + 10.00 + 6.00 + 10.00 + 9.00 + 7.80 = 92.30; the rate
        # 78% is under 80%, so the total is capped at 89.00 (良).
        total=D("89.00"),
        grade="良",
        capped_from=D("92.30"),
        curve=curve(SPENT_2, SELFEVAL_AS_OF),
    )
    return SelfEvaluationReport(
        unit=UNIT,
        year=YEAR,
        as_of=SELFEVAL_AS_OF,
        projects=(project_1, project_2),
        settings={"execution_cap": True},
    )


# --- helpers for the export tests ------------------------------------------------------------


def office_pdfs(files: dict[str, bytes], folder: Path) -> dict[str, bytes]:
    """Convert ``{suffix: data}`` (xlsx, docx) to PDF with one headless LibreOffice run."""
    soffice = soffice_path()
    assert soffice is not None
    sources = []
    for suffix, data in files.items():
        # Distinct stems: LibreOffice names each PDF after its source.
        source = folder / f"导出-{suffix}.{suffix}"
        source.write_bytes(data)
        sources.append(source)
    subprocess.run(
        [
            soffice,
            # A profile of its own: two runs sharing one fail silently (STACK-NOTES).
            f"-env:UserInstallation={(folder / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *map(str, sources),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return {suffix: (folder / f"导出-{suffix}.pdf").read_bytes() for suffix in files}


def pdf_pages(data: bytes) -> list[str]:
    """The text of each PDF page."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]
