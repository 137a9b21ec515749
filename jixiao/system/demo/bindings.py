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
from jixiao.metrics.presets import PRESETS
from jixiao.metrics.services import bind_metric, enter_manual_actual
from jixiao.system.demo.year import P1, P2, YEAR
from jixiao.targets.models import Indicator
from jixiao.units.models import Unit

__all__ = ["COUNTED", "MANUAL", "MANUAL_DATES", "BindResult", "bind_demo"]

# The seed's counted indicators, by project: the definitions offered as presets on the binding
# page (jixiao.metrics.presets), so the demo binds exactly what a person can pick.
_COUNTED_BY_PROJECT = {
    P1: (
        "舆情监测预警、研判分析数",
        "网络舆情处置率",
        "工作及时完成率",
        "预算控制率",
        "服务对象满意度",
    ),
    P2: (
        "官方网宣平台信息发布数量",
        "市级及以上网络媒体采稿率",
        "工作及时完成率",
        "预算控制率",
        "服务对象满意度",
    ),
}

# (project code, level 3) -> (definition, 口径说明)
COUNTED: dict[tuple[str, str], tuple[dict[str, Any], str]] = {
    (code, name): (PRESETS[name].definition, PRESETS[name].note)
    for code, names in _COUNTED_BY_PROJECT.items()
    for name in names
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
