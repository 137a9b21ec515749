"""The seed's 18 indicators bound: a metric (口径) for each, and the hand-entered actuals.

Ten indicators are counted from the ledgers by the seed's own formulas; the eight qualitative
ones and durations take a value entered by hand with evidence, at 30 June and 31 December.
Indicators are found by project code and level-3 name, so a re-imported seed keeps them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from jixiao.core import metrics as core
from jixiao.lib.actor import Actor
from jixiao.metrics.models import ManualActual, Metric
from jixiao.metrics.services import bind_metric, enter_manual_actual
from jixiao.system.demo.year import P1, P2, YEAR
from jixiao.targets.models import Indicator
from jixiao.units.models import Unit

__all__ = ["COUNTED", "MANUAL", "MANUAL_DATES", "BindResult", "bind_demo"]

MUST_HANDLE = {"field": "must_handle", "op": "=", "value": True}
CITY_OR_HIGHER = {"field": "level", "op": "in", "value": ["市", "省", "中央"]}
VALID = {"field": "valid", "op": "=", "value": True}

TIMELY = (
    {
        "kind": "ratio",
        "numerator": {
            "kind": "count",
            "ledger": "task",
            "filters": [
                {"field": "completed_on", "op": "not_empty"},
                {"field": "completed_on", "op": "<=", "other_field": "due_on"},
            ],
        },
        "denominator": {"kind": "count", "ledger": "task"},
        "scale": "100",
    },
    "工作及时完成率 = 按期完成的任务数 ÷ 应完成的任务数 × 100%。应完成的任务：本项目工作任务台账中"
    "完成期限在统计期内（1月1日至统计日）的任务；按期完成：完成日期不晚于完成期限。",
)
BUDGET_CONTROL = (
    {
        "kind": "ratio",
        "numerator": {"kind": "sum", "ledger": "expenditure", "field": "amount"},
        "denominator": {"kind": "budget"},
        "scale": "100",
    },
    "预算控制率 = 实际支出 ÷ 预算安排数 × 100%。实际支出：本项目支出台账中支付日期在统计期内的"
    "金额合计；预算安排数：项目全年预算数（万元折合为元）。",
)
SATISFACTION = (
    {
        "kind": "ratio",
        "numerator": {
            "kind": "count",
            "ledger": "survey",
            "filters": [
                VALID,
                {"field": "rating", "op": "in", "value": ["非常满意", "满意"]},
            ],
        },
        "denominator": {"kind": "count", "ledger": "survey", "filters": [VALID]},
        "scale": "100",
    },
    "满意度 = 满意份数 ÷ 有效问卷数 × 100%。满意份数：评价为“非常满意”或“满意”的有效问卷"
    "（“基本满意”“不满意”不计入）；统计本项目在统计期内填写的问卷。",
)

# (project code, level 3) -> (definition, 口径说明)
COUNTED: dict[tuple[str, str], tuple[dict[str, Any], str]] = {
    (P1, "舆情监测预警、研判分析数"): (
        {"kind": "events", "ledger": "opinion", "states": ["预警", "研判"]},
        "舆情监测预警、研判分析数 = 统计期内出具的预警单数 + 研判报告数。舆情台账中每条舆情"
        "到达“预警”计一份预警单、到达“研判”计一份研判报告，按到达日期计入统计期。",
    ),
    (P1, "网络舆情处置率"): (
        {
            "kind": "ratio",
            "numerator": {
                "kind": "count",
                "ledger": "opinion",
                "filters": [MUST_HANDLE, {"reached": "处置"}],
            },
            "denominator": {"kind": "count", "ledger": "opinion", "filters": [MUST_HANDLE]},
            "scale": "100",
        },
        "网络舆情处置率 = 已处置的网络舆情数量 ÷ 应处置的网络舆情数量 × 100%。应处置：统计期内"
        "首次发现、标记为应处置的舆情；已处置：其中截至统计日已到达“处置”的。",
    ),
    (P1, "工作及时完成率"): TIMELY,
    (P1, "预算控制率"): BUDGET_CONTROL,
    (P1, "服务对象满意度"): SATISFACTION,
    (P2, "官方网宣平台信息发布数量"): (
        {"kind": "count", "ledger": "post", "scope": "unit"},
        "官方网宣平台信息发布数量 = 统计期内在微信、微博、抖音、今日头条等官方网宣平台发布的"
        "信息条数（全单位网宣发布台账，按发布日期）。",
    ),
    (P2, "市级及以上网络媒体采稿率"): (
        {
            "kind": "ratio",
            "numerator": {
                "kind": "count",
                "ledger": "submission",
                "filters": [CITY_OR_HIGHER, {"field": "adopted", "op": "=", "value": True}],
                "scope": "unit",
            },
            "denominator": {
                "kind": "count",
                "ledger": "submission",
                "filters": [CITY_OR_HIGHER],
                "scope": "unit",
            },
            "scale": "100",
        },
        "市级及以上网络媒体采稿率 = 市级及以上采稿数 ÷ 市级及以上报送稿件数量 × 100%。统计全单位"
        "稿件报送台账中报送日期在统计期内、媒体级别为市、省、中央的稿件。",
    ),
    (P2, "工作及时完成率"): TIMELY,
    (P2, "预算控制率"): BUDGET_CONTROL,
    (P2, "服务对象满意度"): SATISFACTION,
}

MANUAL_NOTE = (
    "{name}为定性（或期限）指标，无法由台账计数，由经办人按统计日手工填报实际完成值并附佐证说明。"
)
MANUAL_DATES = (dt.date(YEAR, 6, 30), dt.date(YEAR, 12, 31))
# (project code, level 3) -> the value and evidence at 30 June and at 31 December
MANUAL: dict[tuple[str, str], tuple[tuple[str, str], tuple[str, str]]] = {
    (P1, "避免经济损失"): (
        (
            "是",
            "上半年通过官方网宣平台发布防范电信网络诈骗等网络安全提示，未发生因网络安全宣传"
            "不到位造成的重大经济损失，见网宣发布台账及县公安局反诈中心通报。",
        ),
        (
            "是",
            "全年未发生因网络诈骗宣传不到位造成的重大经济损失；国家网络安全宣传周期间开展"
            "进社区、进校园宣传，见网宣发布台账、网络安全检查台账及县公安局反诈中心全年通报。",
        ),
    ),
    (P1, "构建清朗网络空间"): (
        (
            "是",
            "上半年监测处置网络舆情，建党100周年等重要时间节点未发生重大负面舆情，见舆情台账"
            "及上半年网络舆情分析报告。",
        ),
        (
            "是",
            "全年出具预警单和研判报告200余份，应处置舆情绝大多数已处置，网络空间总体清朗；"
            "见舆情台账、月度网络舆情分析报告和县委网信委全体会议材料。",
        ),
    ),
    (P1, "达到绿色产业标准"): (
        (
            "达到",
            "项目不进行基础设施建设，经费用于舆情监测服务、网络安全检查和培训，对生态环境无不利影响。",
        ),
        ("达到", "全年项目未进行基础设施建设，无污染排放，属于绿色生态产业，见项目支出明细。"),
    ),
    (P1, "网络安全稳定运行期限"): (
        (
            "0.5年",
            "1—6月全县党政机关网站和重要信息系统安全稳定运行，未发生重大网络安全事件，"
            "见第一次网络安全检查报告。",
        ),
        (
            "1年",
            "全年开展网络安全检查3次，发现问题已整改或正在整改，重要网络和信息系统全年安全"
            "稳定运行，未发生重大网络安全事件（事故），见网络安全检查台账。",
        ),
    ),
    (P2, "资源节约集约利用"): (
        (
            "是",
            "上半年网宣工作依托微信、微博、抖音、今日头条等免费平台开展，办公用品按需采购，见支出台账。",
        ),
        (
            "是",
            "全年依托官方网宣平台开展网络宣传，未新建平台，办公费、接待费控制在预算内，见支出台账。",
        ),
    ),
    (P2, "宣传、活动影响力"): (
        (
            "是",
            "上半年围绕党史学习教育、建党100周年、碣石山开园等开展网上宣传，稿件被市级及以上"
            "媒体采用，见网宣发布台账和稿件报送台账。",
        ),
        (
            "是",
            "全年发布信息500余条，葡萄节、黄金海岸旅游季等重点宣传阅读量较高，市级及以上媒体"
            "采稿率达到目标，见网宣发布台账、稿件报送台账和优秀新媒体作品评选结果。",
        ),
    ),
    (P2, "达到绿色产业标准"): (
        ("达到", "网络宣传工作不进行基础设施建设，对生态环境无不利影响。"),
        ("达到", "全年网络宣传工作未进行基础设施建设，无污染排放，属于绿色生态产业。"),
    ),
    (P2, "网络宣传影响力持续期限"): (
        ("0.5年", "上半年官方网宣平台持续运营，粉丝数稳步增长，见网宣平台季度运营分析。"),
        (
            "1年",
            "官方网宣平台全年持续运营、未中断更新，宣传影响力持续，见网宣平台季度运营分析和年度总结。",
        ),
    ),
}


@dataclass
class BindResult:
    """What binding the demo's indicators did."""

    bound: int = 0  # metrics written (new or changed)
    entered: int = 0  # hand-entered actuals written
    total: int = 0  # indicators with a metric after the run

    @property
    def changed(self) -> bool:
        """True when something was written."""
        return bool(self.bound or self.entered)


def _indicator(unit: Unit, project_code: str, level3: str) -> Indicator:
    return Indicator.objects.select_related("project").get(
        project__unit=unit, project__year=YEAR, project__code=project_code, level3=level3
    )


@transaction.atomic
def bind_demo(unit: Unit, *, actor: Actor) -> BindResult:
    """Bind all 18 seed indicators and enter the manual actuals; writes only what differs.

    ``actor`` is the demo's officer of the unit: the bindings and entries are in its name and
    change log, as if entered on the pages.
    """
    result = BindResult()
    wanted = dict(COUNTED)
    for key in MANUAL:
        wanted[key] = ({"kind": "manual"}, MANUAL_NOTE.format(name=key[1]))
    for (code, level3), (definition, note) in wanted.items():
        indicator = _indicator(unit, code, level3)
        current = Metric.objects.filter(indicator=indicator).first()
        if current is None or not _same(current, definition, note):
            bind_metric(indicator, definition, actor=actor, note=note)
            result.bound += 1
        result.total += 1
    for (code, level3), entries in MANUAL.items():
        indicator = _indicator(unit, code, level3)
        for as_of, (value, evidence) in zip(MANUAL_DATES, entries, strict=True):
            latest = (
                ManualActual.objects.filter(indicator=indicator, as_of=as_of)
                .order_by("-entered_at", "-id")
                .first()
            )
            if latest is None or (latest.value, latest.evidence) != (value, evidence):
                enter_manual_actual(
                    indicator, as_of=as_of, value=value, evidence=evidence, actor=actor
                )
                result.entered += 1
    return result


def _same(metric: Metric, definition: dict[str, Any], note: str) -> bool:
    """True when the stored metric already says this (compared in canonical form)."""
    try:
        stored = core.parse(metric.definition)
    except core.MetricError:
        return False
    return stored == core.parse(definition) and metric.note == note
