"""The metric definitions (口径) the synthetic province binds, one per indicator position.

Indicator ``k`` of every project is bound to ``DEFINITIONS[k % len(DEFINITIONS)]``; the floor
query in ``benchmarks.floor`` is written by hand for exactly these ten, in the same order.
They mix the kinds a real province uses: field filters, workflow events, ``reached``,
expenditure over budget, unit-scope counts, field-against-field, distinct, and a manual one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MEDIA_CITY_UP = ["市", "省", "中央"]
MAIN_CHANNELS = ["微信", "微博", "抖音", "今日头条"]
SATISFIED = ["非常满意", "满意"]


@dataclass(frozen=True)
class BenchIndicator:
    """One indicator row of every synthetic project, with its metric definition."""

    level1: str
    level2: str
    level3: str
    target: str  # as a table writes it; parsed with jixiao.core.targets when written
    definition: dict[str, Any]


def _count(ledger: str, *filters: dict[str, Any], scope: str = "project") -> dict[str, Any]:
    return {"kind": "count", "ledger": ledger, "filters": list(filters), "scope": scope}


_MUST_HANDLE = {"field": "must_handle", "op": "=", "value": True}
_CITY_UP = {"field": "level", "op": "in", "value": MEDIA_CITY_UP}
_VALID = {"field": "valid", "op": "=", "value": True}

DEFINITIONS: list[BenchIndicator] = [
    BenchIndicator(
        "产出指标",
        "数量指标",
        "较大及以上舆情监测数",
        "≥10条",
        _count("opinion", {"field": "grade", "op": "in", "value": ["较大", "重大"]}),
    ),
    BenchIndicator(
        "产出指标",
        "数量指标",
        "舆情监测预警、研判分析数",
        "≥200条",
        {"kind": "events", "ledger": "opinion", "states": ["预警", "研判"], "filters": []},
    ),
    BenchIndicator(
        "产出指标",
        "质量指标",
        "网络舆情处置率",
        "100%",
        {
            "kind": "ratio",
            "numerator": _count("opinion", _MUST_HANDLE, {"reached": "处置"}),
            "denominator": _count("opinion", _MUST_HANDLE),
            "scale": "100",
        },
    ),
    BenchIndicator(
        "产出指标",
        "成本指标",
        "预算控制率",
        "≤100%",
        {
            "kind": "ratio",
            "numerator": {"kind": "sum", "ledger": "expenditure", "field": "amount", "filters": []},
            "denominator": {"kind": "budget"},
            "scale": "100",
        },
    ),
    BenchIndicator(
        "产出指标",
        "数量指标",
        "官方网宣平台信息发布数量",
        "≥500条",
        _count("post", {"field": "channel", "op": "in", "value": MAIN_CHANNELS}, scope="unit"),
    ),
    BenchIndicator(
        "产出指标",
        "时效指标",
        "工作及时完成率",
        "≥95%",
        {
            "kind": "ratio",
            "numerator": _count(
                "task",
                {"field": "completed_on", "op": "not_empty"},
                {"field": "completed_on", "op": "<=", "other_field": "due_on"},
            ),
            "denominator": _count("task"),
            "scale": "100",
        },
    ),
    BenchIndicator(
        "产出指标",
        "数量指标",
        "资金支出经济分类数",
        "≥5类",
        {"kind": "distinct", "ledger": "expenditure", "field": "economic_class", "filters": []},
    ),
    BenchIndicator(
        "产出指标",
        "质量指标",
        "市级及以上网络媒体采稿率",
        "≥30%",
        {
            "kind": "ratio",
            "numerator": _count(
                "submission",
                _CITY_UP,
                {"field": "adopted", "op": "=", "value": True},
                scope="unit",
            ),
            "denominator": _count("submission", _CITY_UP, scope="unit"),
            "scale": "100",
        },
    ),
    BenchIndicator(
        "满意度指标",
        "服务对象满意度指标",
        "服务对象满意度",
        "≥90%",
        {
            "kind": "ratio",
            "numerator": _count(
                "survey", _VALID, {"field": "rating", "op": "in", "value": SATISFIED}
            ),
            "denominator": _count("survey", _VALID),
            "scale": "100",
        },
    ),
    BenchIndicator(
        "效益指标",
        "社会效益指标",
        "构建清朗网络空间",
        "是",
        {"kind": "manual"},
    ),
]
