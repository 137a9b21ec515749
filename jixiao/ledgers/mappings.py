"""Preset import mappings: how the exports of other systems a 网信办 receives map to ledgers.

Each mapping is data written into ``ImportMapping`` by ``ensure_preset_mappings()`` (run by a
data migration and safe to run again). ``columns`` maps a source header to a field code, to
``project`` or ``state``, or to ``""`` (read but not imported, listed so the file's every
column is accounted for). ``values`` maps, per field, a source value to the stored one; the
key ``""`` gives the value of a blank cell. A choice cell holding a path such as
"一般公共服务支出-办公费" is also looked up by its last part, so only odd names need listing.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

__all__ = ["FUND_SOURCE_WORDS", "PRESET_MAPPINGS", "ensure_preset_mappings"]

# The words accounting systems use for a payment's fund source (资金来源 / 资金性质).
FUND_SOURCE_WORDS: dict[str, str] = {
    "当年财政拨款": "财政拨款",
    "本年财政拨款": "财政拨款",
    "财政资金": "财政拨款",
    "财政拨款资金": "财政拨款",
    "上年结转资金": "上年结转",
    "结转资金": "上年结转",
    "上年结转结余": "上年结转",
    "自有资金": "其他资金",
    "单位资金": "其他资金",
    "其他": "其他资金",
}

PRESET_MAPPINGS: list[dict[str, Any]] = [
    {
        # A monitoring service's export: a title row above the header, sentiment and alert
        # level in the vendor's words, several platforms our choices name differently.
        "ledger": "opinion",
        "name": "舆情监测服务导出",
        "header_row": 2,
        "columns": {
            "序号": "",
            "标题": "title",
            "摘要": "summary",
            "来源平台": "platform",
            "作者": "",
            "发布时间": "first_seen",
            "原文链接": "link",
            "情感倾向": "must_handle",
            "相似文章数": "",
            "涉及地域": "",
            "命中关键词": "",
            "预警级别": "grade",
        },
        "values": {
            "platform": {
                "微信公众号": "微信",
                "新浪微博": "微博",
                "头条": "今日头条",
                "头条号": "今日头条",
                "快手短视频": "快手",
                "抖音短视频": "抖音",
                "百度贴吧": "论坛",
                "贴吧": "论坛",
                "人民网领导留言板": "论坛",
                "留言板": "论坛",
                "新闻": "新闻网站",
                "网站": "新闻网站",
                "客户端": "其他",
            },
            # Only negative items need handling (应处置); neutral and positive ones are watched.
            "must_handle": {
                "负面": True,
                "敏感": True,
                "中性": False,
                "正面": False,
                "非敏感": False,
            },
            # No alert level means the item was only monitored: the lowest grade.
            "grade": {
                "": "一般",
                "红色": "重大",
                "橙色": "较大",
                "黄色": "一般",
                "蓝色": "一般",
                "特别重大": "重大",
            },
        },
    },
    {
        # An accounting system's detail ledger: voucher date and number, the economic class as
        # the last part of the account name, a "code name" project cell, debit amounts.
        "ledger": "expenditure",
        "name": "财务软件明细账",
        "header_row": 2,
        "columns": {
            "凭证日期": "paid_on",
            "凭证字号": "voucher",
            "摘要": "summary",
            "科目编码": "",
            "科目名称": "economic_class",
            "项目": "project",
            "借方金额": "amount",
            "贷方金额": "",
            # Not in every export; where a column names the payment's fund source it is kept.
            "资金来源": "fund_source",
            "资金性质": "fund_source",
        },
        "values": {
            "fund_source": FUND_SOURCE_WORDS,
            "economic_class": {
                "办公设备购置": "设备购置费",
                "专用设备购置": "设备购置费",
                "信息网络及软件购置": "信息网络及软件购置更新",
                "维修费": "维修（护）费",
                "维护费": "维修（护）费",
                "接待费": "公务接待费",
            },
        },
    },
    {
        # The official channels' post list: 是否原创 is yes/no where the ledger has 原创/转发.
        "ledger": "post",
        "name": "网宣平台发布记录",
        "header_row": 1,
        "columns": {
            "平台": "channel",
            "账号": "",
            "标题": "title",
            "发布日期": "published_on",
            "链接": "link",
            "阅读量": "reads",
            "是否原创": "kind",
        },
        "values": {
            "channel": {
                "微信公众号": "微信",
                "新浪微博": "微博",
                "头条号": "今日头条",
                "抖音号": "抖音",
                "快手号": "快手",
                "门户网站": "网站",
            },
            "kind": {"是": "原创", "否": "转发"},
        },
    },
]


@transaction.atomic
def ensure_preset_mappings(type_model: Any = None, mapping_model: Any = None) -> int:
    """Write the preset mappings for the preset ledger types; idempotent. Returns created.

    The models are parameters so the data migration can pass its historical ones.
    """
    if type_model is None or mapping_model is None:
        from jixiao.ledgers.models import ImportMapping, LedgerType

        type_model, mapping_model = LedgerType, ImportMapping
    created = 0
    for preset in PRESET_MAPPINGS:
        ledger_type = type_model.objects.filter(unit=None, code=preset["ledger"]).first()
        if ledger_type is None:
            continue  # the preset type was removed by an administrator
        _mapping, was_created = mapping_model.objects.update_or_create(
            ledger_type=ledger_type,
            name=preset["name"],
            defaults={
                "header_row": preset["header_row"],
                "columns": preset["columns"],
                "values": preset["values"],
                "preset": True,
            },
        )
        created += was_created
    return created
