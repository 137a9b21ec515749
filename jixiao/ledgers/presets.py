"""The ready-made ledgers a county 网信办 works from (and most units need some of).

Each preset is plain data; ``jixiao.ledgers.services.ensure_presets()`` writes it into the
database idempotently, so an administrator can later add fields or whole types in the admin.
Field codes are the names metrics and import mappings refer to; never rename one.
"""

from __future__ import annotations

from typing import Any

ECONOMIC_CLASSES = [
    "办公费",
    "印刷费",
    "邮电费",
    "差旅费",
    "维修（护）费",
    "会议费",
    "培训费",
    "公务接待费",
    "专用材料费",
    "委托业务费",
    "设备购置费",
    "信息网络及软件购置更新",
    "其他商品和服务支出",
]

OPINION_STATES = ["监测", "预警", "研判", "处置", "办结"]

# 资金来源 of a payment, as the self-evaluation table's fund rows split spending: 当年财政拨款,
# 上年结转资金 and 其他资金 (jixiao.core.monitoring.spending_by_source).
FUND_FISCAL = "财政拨款"
FUND_CARRYOVER = "上年结转"
FUND_OTHER = "其他资金"
FUND_SOURCES = [FUND_FISCAL, FUND_CARRYOVER, FUND_OTHER]


def _f(code: str, label: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "label": label, "kind": kind, **extra}


def _rule(
    code: str, message: str, *, then: list[dict[str, Any]], when: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A consistency rule (see jixiao.ledgers.consistency): when … then …, and what to say."""
    return {"code": code, "when": when or [], "then": then, "message": message}


PRESETS: list[dict[str, Any]] = [
    {
        "code": "opinion",
        "name": "舆情",
        "description": "网络舆情：监测 → 预警 → 研判 → 处置 → 办结。预警单和研判报告是计入"
        "“舆情监测预警、研判分析数”的产品。",
        "date_field": "first_seen",
        "natural_key": ["link"],
        "workflow": {
            "states": OPINION_STATES,
            "initial": "监测",
            "transitions": [
                ["监测", "预警"],
                ["监测", "办结"],
                ["预警", "研判"],
                ["预警", "处置"],
                ["研判", "处置"],
                ["预警", "办结"],
                ["研判", "办结"],
                ["处置", "办结"],
            ],
            "final": ["办结"],
            "overdue_field": "deadline",
        },
        "fields": [
            _f("title", "标题", "text", required=True),
            _f(
                "platform",
                "来源平台",
                "choice",
                choices=["微博", "微信", "抖音", "今日头条", "快手", "论坛", "新闻网站", "其他"],
                required=True,
            ),
            _f("link", "链接", "url", required=True),
            _f("first_seen", "首次发现时间", "date", required=True),
            _f("summary", "摘要", "longtext"),
            _f("grade", "级别", "choice", choices=["一般", "较大", "重大"], required=True),
            _f("must_handle", "应处置", "boolean", required=True),
            _f("assignee", "责任人", "text"),
            _f("deadline", "处置期限", "date"),
            _f("alert_note", "预警单", "longtext"),
            _f("analysis_report", "研判报告", "longtext"),
            _f("handling", "处置情况", "longtext"),
            _f("closing_reply", "办结回复", "longtext"),
        ],
        "rules": [
            _rule(
                "disposed_must_handle",
                "已到达“处置”的舆情，“应处置”应为“是”（无需处置的舆情直接办结）",
                then=[{"field": "must_handle", "op": "=", "value": True}],
                when=[{"reached": "处置"}],
            ),
            _rule(
                "deadline_after_found",
                "“处置期限”不能早于“首次发现时间”",
                then=[{"field": "deadline", "op": ">=", "other_field": "first_seen"}],
            ),
        ],
        "repeats": [["link"]],
    },
    {
        "code": "post",
        "name": "网宣发布",
        "description": "官方网宣平台发布的信息。",
        "date_field": "published_on",
        # The link tells apart the same headline posted twice on one channel and day.
        "natural_key": ["channel", "published_on", "title", "link"],
        "has_project": False,
        "fields": [
            _f(
                "channel",
                "平台",
                "choice",
                choices=["微信", "微博", "抖音", "今日头条", "快手", "网站"],
                required=True,
            ),
            _f("published_on", "发布日期", "date", required=True),
            _f("title", "标题", "text", required=True),
            _f("link", "链接", "url"),
            _f("kind", "类型", "choice", choices=["原创", "转发"]),
            _f("reads", "阅读量", "integer"),
        ],
        "repeats": [["link"]],
    },
    {
        "code": "submission",
        "name": "稿件报送",
        "description": "向各级网络媒体报送的稿件及采用情况。",
        "date_field": "submitted_on",
        "natural_key": ["outlet", "submitted_on", "title"],
        "has_project": False,
        "fields": [
            _f("title", "稿件标题", "text", required=True),
            _f("outlet", "报送媒体", "text", required=True),
            _f("level", "媒体级别", "choice", choices=["县", "市", "省", "中央"], required=True),
            _f("submitted_on", "报送日期", "date", required=True),
            _f("adopted", "是否采用", "boolean", required=True),
            _f("adopted_on", "采用日期", "date"),
            _f("link", "采用链接", "url"),
        ],
        "rules": [
            _rule(
                "adopted_after_submitted",
                "“采用日期”不能早于“报送日期”",
                then=[{"field": "adopted_on", "op": ">=", "other_field": "submitted_on"}],
            ),
            _rule(
                "adopted_on_means_adopted",
                "填写了“采用日期”的稿件，“是否采用”应为“是”",
                then=[{"field": "adopted", "op": "=", "value": True}],
                when=[{"field": "adopted_on", "op": "not_empty"}],
            ),
        ],
        "repeats": [["link"]],
    },
    {
        "code": "inspection",
        "name": "网络安全检查",
        "description": "对各单位网站、信息系统的安全检查及整改。",
        "date_field": "inspected_on",
        "natural_key": ["inspected_on", "title"],
        "fields": [
            _f("title", "检查名称", "text", required=True),
            _f("inspected_on", "检查日期", "date", required=True),
            _f("units", "被检查单位", "longtext", required=True),
            _f("systems", "检查的网站和系统", "longtext"),
            _f("findings", "发现问题", "longtext"),
            _f("issues", "问题数", "integer"),
            _f(
                "rectification",
                "整改情况",
                "choice",
                choices=["无需整改", "整改中", "已整改"],
                required=True,
            ),
        ],
        "rules": [
            _rule(
                "issues_need_rectification",
                "“问题数”大于 0 时，“整改情况”不能为“无需整改”",
                then=[{"field": "rectification", "op": "!=", "value": "无需整改"}],
                when=[{"field": "issues", "op": ">", "value": 0}],
            ),
        ],
    },
    {
        "code": "task",
        "name": "工作任务",
        "description": "有完成期限的工作任务，用于“工作及时完成率”。",
        "date_field": "due_on",
        "natural_key": ["title", "due_on"],
        "fields": [
            _f("title", "任务", "text", required=True),
            _f("source", "任务来源", "text"),
            _f("assigned_on", "布置日期", "date"),
            _f("due_on", "完成期限", "date", required=True),
            _f("completed_on", "完成日期", "date"),
            _f("owner", "责任人", "text"),
        ],
        "rules": [
            _rule(
                "due_after_assigned",
                "“完成期限”不能早于“布置日期”",
                then=[{"field": "due_on", "op": ">=", "other_field": "assigned_on"}],
            ),
            _rule(
                "completed_after_assigned",
                "“完成日期”不能早于“布置日期”",
                then=[{"field": "completed_on", "op": ">=", "other_field": "assigned_on"}],
            ),
        ],
    },
    {
        "code": "expenditure",
        "name": "支出",
        "description": "每一笔支出，是各项目预算执行的依据。",
        "date_field": "paid_on",
        "amount_field": "amount",
        "natural_key": ["voucher"],
        "fields": [
            _f("paid_on", "支付日期", "date", required=True),
            _f("amount", "金额（元）", "money", required=True),
            _f("economic_class", "经济分类", "choice", choices=ECONOMIC_CLASSES, required=True),
            _f("voucher", "凭证号", "text", required=True),
            _f("payee", "收款方", "text"),
            _f("summary", "摘要", "text"),
            # Optional: a payment without it is split by the budget where one source holds all
            # the money, and otherwise leaves its project's fund rows unknown (“—”).
            _f("fund_source", "资金来源", "choice", choices=FUND_SOURCES),
        ],
        # The same day, amount and payee twice is one payment booked twice, whatever the voucher.
        "repeats": [["paid_on", "amount", "payee"]],
    },
    {
        "code": "survey",
        "name": "满意度调查",
        "description": "服务对象满意度调查的每一份问卷；满意度 = 满意份数 / 有效问卷数。",
        "date_field": "answered_on",
        "natural_key": ["number"],
        "fields": [
            _f("number", "问卷编号", "text", required=True),
            _f("answered_on", "填写日期", "date", required=True),
            _f("respondent", "调查对象", "text"),
            _f("valid", "有效问卷", "boolean", required=True),
            _f(
                "rating",
                "评价",
                "choice",
                choices=["非常满意", "满意", "基本满意", "不满意"],
                required=True,
            ),
        ],
    },
    {
        "code": "training",
        "name": "培训",
        "description": "组织或参加的培训。",
        "date_field": "held_on",
        "natural_key": ["held_on", "title"],
        "fields": [
            _f("title", "培训名称", "text", required=True),
            _f("held_on", "日期", "date", required=True),
            _f("organizer", "主办单位", "text"),
            _f("participants", "参训人数", "integer", required=True),
            _f("hours", "学时", "decimal"),
        ],
    },
    {
        "code": "asset",
        "name": "资产",
        "description": "固定资产：登记 → 使用 → 报废处置。",
        "date_field": "registered_on",
        "amount_field": "value",
        "natural_key": ["asset_number"],
        "workflow": {
            "states": ["登记", "使用", "报废处置"],
            "initial": "登记",
            "transitions": [["登记", "使用"], ["使用", "报废处置"], ["登记", "报废处置"]],
            "final": ["报废处置"],
        },
        "fields": [
            _f("asset_number", "资产编号", "text", required=True),
            _f("name", "资产名称", "text", required=True),
            _f(
                "category",
                "类别",
                "choice",
                choices=["通用设备", "专用设备", "家具", "软件", "其他"],
            ),
            _f("registered_on", "登记日期", "date", required=True),
            _f("value", "原值（元）", "money", required=True),
            _f("keeper", "使用人", "text"),
        ],
    },
    {
        "code": "rule",
        "name": "制度",
        "description": "内部管理制度。",
        "date_field": "issued_on",
        "natural_key": ["title"],
        "has_project": False,
        "fields": [
            _f("title", "制度名称", "text", required=True),
            _f("document_number", "文号", "text"),
            _f("issued_on", "印发日期", "date", required=True),
            _f("status", "状态", "choice", choices=["有效", "已修订", "已废止"], required=True),
        ],
    },
]
