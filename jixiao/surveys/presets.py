"""The common questionnaires as plain data: a unit starts from one and edits it.

The rating scale of the satisfaction question is the ``survey`` ledger's (jixiao.ledgers.presets),
so its answer is the ledger record's 评价 and the satisfaction metric counts it unchanged.
"""

from __future__ import annotations

from typing import Any

# The survey ledger's 评价 choices, best first; 满意 counts 非常满意 and 满意 (demo bindings).
RATING_SCALE = ["非常满意", "满意", "基本满意", "不满意"]


def _q(
    text: str,
    kind: str,
    choices: list[str] | None = None,
    *,
    required: bool = True,
    feeds_rating: bool = False,
) -> dict[str, Any]:
    return {
        "text": text,
        "kind": kind,
        "choices": choices or [],
        "required": required,
        "feeds_rating": feeds_rating,
    }


TEMPLATES: dict[str, dict[str, Any]] = {
    "service": {
        "name": "服务对象满意度",
        "title": "服务对象满意度调查问卷",
        "intro": "为了解我单位工作的服务质量，请您根据实际感受填写本问卷。问卷匿名，约需 1 分钟。",
        "questions": [
            _q("您的身份", "single", ["县直部门", "乡镇（街道）", "企业", "群众", "其他"]),
            _q("您对我单位工作的总体评价", "rating", RATING_SCALE, feeds_rating=True),
            _q(
                "您认为我单位做得较好的方面（可多选）",
                "multiple",
                ["工作效率", "服务态度", "信息公开", "问题处置", "宣传引导"],
                required=False,
            ),
            _q("您的意见和建议", "text", required=False),
        ],
    },
    "training": {
        "name": "培训满意度",
        "title": "培训满意度调查问卷",
        "intro": "感谢您参加本次培训。请对培训的内容和组织作出评价，帮助我们改进今后的培训。",
        "questions": [
            _q("您对本次培训的总体评价", "rating", RATING_SCALE, feeds_rating=True),
            _q("培训内容对您的工作是否有帮助", "single", ["很有帮助", "有帮助", "帮助不大"]),
            _q("您对培训组织（时间、场地、材料）的评价", "rating", RATING_SCALE),
            _q("您希望今后增加的培训内容", "text", required=False),
        ],
    },
    "awareness": {
        "name": "网络安全宣传满意度",
        "title": "网络安全宣传周活动满意度调查",
        "intro": "请对本次网络安全宣传活动作出评价。问卷匿名，约需 1 分钟。",
        "questions": [
            _q("您对本次网络安全宣传活动的总体评价", "rating", RATING_SCALE, feeds_rating=True),
            _q(
                "您通过哪些渠道了解到本次活动（可多选）",
                "multiple",
                ["现场活动", "微信公众号", "短视频平台", "电视广播", "社区宣传栏", "其他"],
            ),
            _q(
                "参加活动后，您识别网络诈骗的能力",
                "single",
                ["明显提高", "有所提高", "没有变化"],
            ),
            _q("您对今后宣传活动的建议", "text", required=False),
        ],
    },
}


def template_choices() -> list[tuple[str, str]]:
    """(code, name) of each template, for the new-survey form."""
    return [(code, spec["name"]) for code, spec in TEMPLATES.items()]
