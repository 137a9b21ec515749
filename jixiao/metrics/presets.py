"""Metric definitions (口径) offered as presets on an indicator's binding page.

The definitions of the seed's counted indicators, by indicator name; the demo binds these same
ones (``jixiao.system.demo.bindings``). A person picks one, or writes their own JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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

_COUNTED: dict[str, tuple[dict[str, Any], str]] = {
    "舆情监测预警、研判分析数": (
        {"kind": "events", "ledger": "opinion", "states": ["预警", "研判"]},
        "舆情监测预警、研判分析数 = 统计期内出具的预警单数 + 研判报告数。舆情台账中每条舆情"
        "到达“预警”计一份预警单、到达“研判”计一份研判报告，按到达日期计入统计期。",
    ),
    "网络舆情处置率": (
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
    "工作及时完成率": TIMELY,
    "预算控制率": BUDGET_CONTROL,
    "服务对象满意度": SATISFACTION,
    "官方网宣平台信息发布数量": (
        {"kind": "count", "ledger": "post", "scope": "unit"},
        "官方网宣平台信息发布数量 = 统计期内在微信、微博、抖音、今日头条等官方网宣平台发布的"
        "信息条数（全单位网宣发布台账，按发布日期）。",
    ),
    "市级及以上网络媒体采稿率": (
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
}

MANUAL_PRESET = "手工填报"


@dataclass(frozen=True)
class Preset:
    """A named definition with its 口径说明."""

    name: str
    definition: dict[str, Any]
    note: str


PRESETS: dict[str, Preset] = {
    MANUAL_PRESET: Preset(
        MANUAL_PRESET,
        {"kind": "manual"},
        "定性（或期限）指标，无法由台账计数，由经办人按统计日手工填报实际完成值并附佐证说明。",
    ),
    **{name: Preset(name, definition, note) for name, (definition, note) in _COUNTED.items()},
}
