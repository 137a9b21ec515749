"""The words target tables use: column headers, header-block labels, indicator level names.

A new layout met in the wild is usually a new synonym here, tested once, and then it works
for every file format.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_SPACE = re.compile(r"\s+")
# Notes in brackets after a name: 产出指标(50分), 时效指标(工期指标), 指标值（或计划水平）.
_BRACKETED = re.compile(r"[(（][^()（）]*[)）]")


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def simplify(text: str) -> str:
    """Traditional characters as Simplified (產出指標 -> 产出指标), for matching vocabulary."""
    return str(_t2s().convert(text)) if text else text


def squash(text: str) -> str:
    """Remove all whitespace, unify colons, Simplified characters: the form used for matching."""
    return simplify(_SPACE.sub("", text)).replace("：", ":").strip(":")


def bare(text: str) -> str:
    """squash() without bracketed notes: 产出指标(50分) -> 产出指标."""
    return _BRACKETED.sub("", squash(text))


# Column roles of the indicator grid.
LEVEL1 = "level1"
LEVEL2 = "level2"
LEVEL3 = "level3"
DESCRIPTION = "description"
TARGET = "target"
OP = "op"
UNIT = "unit"
BASIS = "basis"
WEIGHT = "weight"
ACTUAL = "actual"
SCORE = "score"
NATURE = "nature"  # 指标性质: an operator in some tables, 定量/定性 in others
DIRECTION = "direction"
PROJECT_NAME = "project_name"
PROJECT_CODE = "project_code"
UNIT_NAME = "unit_name"
BUDGET = "budget"
GOAL = "goal"
LONG_TERM = "long_term"  # a long-term (实施期/中长期) value column, read but not kept
EXPLANATION = "explanation"  # 偏差原因分析及改进措施 of a self-evaluation table
IGNORED = "ignored"

_COLUMN_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (LEVEL1, re.compile(r"^一级(指标)?(名称)?$")),
    (LEVEL2, re.compile(r"^二级(指标)?(名称)?$")),
    (LEVEL3, re.compile(r"^(三级(指标)?(名称|内容)?|指标名称|绩效指标名称)$")),
    (DESCRIPTION, re.compile(r"^(绩效)?指标(描述|解释|说明|内涵|定义)$|^指标值?说明$|^评价内容$")),
    (LONG_TERM, re.compile(r"^(实施期|中长期|中期|长期).*(指标值|目标值|目标)$")),
    (
        ACTUAL,
        re.compile(
            r"^(实际|全年|当前|年度)?(实际)?完成(值|情况)$|^(全年|年度)?实际(完成)?值$"
            r"|^.*指标执行情况$|^(全年)?实际完成(指标)?值$"
        ),
    ),
    (BASIS, re.compile(r"^(指标值)?(确定|设定)?依据$|^绩效标准$|^指标来源$|^评价标准$|^标准$")),
    (
        TARGET,
        re.compile(
            r"^(本)?(年度|全年|当年)?(绩效)?(指标|目标)值(及单位)?$|^预期.*值$|^指标目标值$"
            r"|^(计划)?指标值\(或计划水平\)$|^计划指标值.*$|^(年度)?指标值.*$|^当年预期实现值$"
            r"|^(年度|年初|全年)?目标值$|^预期指标值$|^预期(实现|目标)值?$"
            r"|^年初(设定)?(目标|指标)值$"
        ),
    ),
    (OP, re.compile(r"^(计算)?符号$|^运算符号?$|^指标符号$")),
    (NATURE, re.compile(r"^指标性质$|^指标类型$")),
    (UNIT, re.compile(r"^(计量|度量)?单位$|^指标单位$")),
    (WEIGHT, re.compile(r"^(权重|分值|指标分值|权重分值|分值权重)(\(%\)|%)?$")),
    (SCORE, re.compile(r"^(得分|自评得分|评分)$")),
    (DIRECTION, re.compile(r"^指标方向(性)?$")),
    (
        EXPLANATION,
        re.compile(r"^(偏差原因|未完成原因|原因分析|偏差及原因|纠偏措施).*$|^.*改进措施$"),
    ),
    (IGNORED, re.compile(r"^(备注|完成目标可能性).*$")),
    (PROJECT_NAME, re.compile(r"^(项目(支出)?名称|专项(资金)?名称)$")),
    (PROJECT_CODE, re.compile(r"^项目(编码|代码|编号)$")),
    (UNIT_NAME, re.compile(r"^(单位|部门|预算单位|实施单位)(名称)?$")),
    (BUDGET, re.compile(r"^(预算数|预算金额|项目金额|年度预算数?)$")),
    (GOAL, re.compile(r"^(年度)?(绩效)?目标$")),
]


def column_role(text: str) -> str | None:
    """The role a header cell gives its column, or None when it names none."""
    key = bare(text)
    if not key:
        return None
    for role, pattern in _COLUMN_PATTERNS:
        if pattern.match(key):
            return role
    return None


# Sub-header cells under a spanning 指标值 header: 符号 | 值 | 单位.
_SUB_OP = re.compile(r"^(计算)?符号$|^指标性质$|^运算符$")
_SUB_VALUE = re.compile(r"^(指标)?值$|^数值$|^指标值$")
_SUB_UNIT = re.compile(r"^(计量|度量)?单位$")


def subheader_role(text: str) -> str | None:
    """Role of a cell in a second header row that splits the target column."""
    key = bare(text)
    if _SUB_OP.match(key):
        return OP
    if _SUB_VALUE.match(key):
        return TARGET
    if _SUB_UNIT.match(key):
        return UNIT
    return None


# Indicator level names. Real tables abbreviate (数量, 产出) and add notes; both are normalised.
LEVEL1_NAMES = ("产出指标", "效益指标", "满意度指标", "成本指标", "效果指标", "影响指标")
# Short forms met in real tables, completed with 指标.
_SHORT_LEVELS = {
    "产出",
    "效益",
    "满意度",
    "效果",
    "数量",
    "质量",
    "时效",
    "成本",
    "经济效益",
    "社会效益",
    "生态效益",
    "可持续影响",
    "服务对象满意度",
    "社会公众满意度",
    "经济成本",
    "社会成本",
    "生态环境成本",
    "进度",
    "社会公众或服务对象满意度",
}
_LEVEL2_CORE = re.compile(r"(数量|质量|时效|成本|效益|影响|满意度|进度|规模|控制)")


def normalize_level(text: str) -> str:
    """Normalise a level name: no spaces or notes, short forms completed (数量 -> 数量指标)."""
    name = bare(text)
    if name in _SHORT_LEVELS:
        name += "指标"
    return name


def is_level1_name(text: str) -> bool:
    """True for a recognised level-1 name (产出指标, 效益指标, 满意度指标, 成本指标 …)."""
    name = normalize_level(text)
    return name in LEVEL1_NAMES or name in ("预期产出指标", "预期效果指标")


def is_level2_name(text: str) -> bool:
    """True for a recognised level-2 name (数量指标 … 服务对象满意度指标)."""
    name = normalize_level(text)
    if name in ("产出指标", "效益指标", "效果指标", "预期产出指标", "预期效果指标"):
        return False
    head = name[:-2]
    return (
        name.endswith("指标")
        and 2 <= len(head) <= 14
        and bool(_LEVEL2_CORE.search(head))
        and not re.search(r"\d", head)
    )


def is_level_name(text: str) -> bool:
    """True for any recognised level-1 or level-2 name."""
    return is_level1_name(text) or is_level2_name(text)


# Basis cells: standards and document numbers.
_BASIS = re.compile(
    r"(计划|行业|历史|其他|国家|地方)标准|文件|办法|通知|方案|规定|[〔\[［]\d{4}[〕\]］]|号$|调查"
)


def is_basis_like(text: str) -> bool:
    """True for a cell that reads like a target's basis (计划标准, 冀干考发[2020]2号)."""
    return bool(_BASIS.search(squash(text)))


# Rows after the grid that close it: reviewer opinions, signatures, totals, notes.
_TRAILER = re.compile(
    r"^(财政部门|主管部门)?(审核|审批|审查)意见|^填表人|^填报人|^总分|^其他需要说明|^说明|^注[:：\d]"
    r"|^单位负责人|^项目负责人|^财务负责人|^偏差或不能完成|^相关建议|^备注$"
)


def is_trailer(text: str) -> bool:
    """True for a cell that starts the table's footer (审核意见, 填表人, 总分 …)."""
    return bool(_TRAILER.match(squash(text)))


# Header-block labels (the part of a project table above the indicator grid).
LABEL_CODE = "code"
LABEL_NAME = "name"
LABEL_UNIT = "unit"
LABEL_TOTAL = "total"
LABEL_FISCAL = "fiscal"
LABEL_OTHER = "other"
LABEL_CARRYOVER = "carryover"
LABEL_FUNDS = "funds"  # 项目资金（万元）: the heading of a budget block, carrying its money unit
LABEL_YEAR = "year"
LABEL_FUND_USE = "fund_use"
LABEL_PLAN = "spending_plan"
LABEL_GOAL = "goal"
LABEL_GOAL_LONG = "goal_long"
LABEL_GOAL_ANNUAL = "goal_annual"
LABEL_IGNORED = "ignored"

_LABEL_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (LABEL_CODE, re.compile(r"^项目(编码|代码|编号)$")),
    (LABEL_NAME, re.compile(r"^(项目(支出)?名称|专项(资金)?名称|二级项目名称|项目名)$")),
    (
        LABEL_UNIT,
        re.compile(
            r"^(预算单位|单位名称|部门\(单位\)名称|部门名称|实施单位|项目实施单位|预算部门|项目单位"
            r"|填报单位|申报单位|预算单位名称|部门|单位)$"
        ),
    ),
    (
        LABEL_FISCAL,
        re.compile(
            r"^(其中:?)?(本年|当年|年度|本级)?(财政(性)?(资金|拨款|投款|拨款资金|补助)"
            r"|.*一般公共预算(拨款|资金)?)$"
        ),
    ),
    (LABEL_OTHER, re.compile(r"^(其中:?)?其他(资金|来源|来源资金)?$")),
    (LABEL_CARRYOVER, re.compile(r"^(其中:?)?(上年|以前年度)(结转|结余|结转结余)(资金)?$")),
    (
        LABEL_TOTAL,
        re.compile(
            r"^(预算数|预算金额|年度预算金额|年度本级预算金额|项目总投资|预算申报数"
            r"|(年度|当年|本年|本年度)?资金总额|资金(总额)?合计|项目金额|年度预算安排|项目预算|预算总额"
            r"|本年度申请.*预算资金|本年度预计投入)$"
        ),
    ),
    (LABEL_FUNDS, re.compile(r"^(项目|预算)?资金(情况|构成|来源|安排)?$|^项目资金总额及来源$")),
    (LABEL_YEAR, re.compile(r"^(预算|填报|申报|评价|自评|项目|绩效)?年度$|^年份$")),
    (LABEL_FUND_USE, re.compile(r"^(预算规模及)?资金用途$|^主要用途$|^资金使用(内容|范围)$")),
    (LABEL_PLAN, re.compile(r"^(资金)?(支出|用款)计划(\(%\))?$")),
    (LABEL_GOAL_ANNUAL, re.compile(r"^(本)?年度(绩效)?目标$|^年度总体目标$|^本年度绩效目标$")),
    (LABEL_GOAL_LONG, re.compile(r"^(实施期|中长期|中期(滚动)?|长期)(绩效)?目标$")),
    (LABEL_GOAL, re.compile(r"^(项目)?绩效目标$|^总体目标$|^预期目标$|^年初设定目标$")),
    (
        LABEL_IGNORED,
        re.compile(
            r"^(主管部门|项目属性|项目类型|项目期|项目性质|联系人.*|负责人.*|(项目|单位|财务)负责人.*"
            r"|(全年)?实际完成情况|自评等级)$"
        ),
    ),
]


def label_kind(text: str) -> str | None:
    """Which header-block field a label cell introduces, or None when it is not a label."""
    key = bare(text) if len(squash(text)) <= 30 else ""
    key = key.strip(":")
    if not key:
        return None
    for kind, pattern in _LABEL_PATTERNS:
        if pattern.match(key):
            return kind
    return None


MONEY_UNIT = re.compile(
    r"(?:金额|资金|货币)?单位\s*(?:[:：]\s*[(（]?|[(（])\s*(万元|千元|元)\s*[)）]?"
)
MONEY_UNIT_IN_LABEL = re.compile(r"[(（]\s*(万元|千元|元)\s*[)）]")
UNIT_CODE_NAME = re.compile(r"^(\d{6,})\s*[-—－_]?\s*([\u4e00-\u9fff][^\n]{1,60})$")
MONTH = re.compile(r"^(\d{1,2})\s*月(?:份)?(?:底|末)?(?:前|止)?$")


# Column labels of a budget block laid out as a grid: amounts per money line (资金总额,
# 其中：财政拨款 …) under columns for the long-term and the annual amount, or a
# self-evaluation's 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分.
BCOL_LONG = "long"
BCOL_ANNUAL = "annual"
BCOL_INITIAL = "initial"
BCOL_FULL_YEAR = "full_year"
BCOL_EXECUTED = "executed"
BCOL_RATE = "rate"
BCOL_POINTS = "points"
BCOL_SCORE = "score"
BCOL_AMOUNT = "amount"

_BUDGET_COLUMNS: list[tuple[str, re.Pattern[str]]] = [
    (BCOL_LONG, re.compile(r"^(中期|实施期|中长期|项目期|项目周期)(资金总额|资金|预算数?|金额)?$")),
    (BCOL_ANNUAL, re.compile(r"^(年度|当年|本年|本年度)(资金总额|资金|预算数?|金额)?$")),
    (BCOL_INITIAL, re.compile(r"^年初预算数?$")),
    (BCOL_FULL_YEAR, re.compile(r"^(全年|调整后)预算数?$")),
    (BCOL_EXECUTED, re.compile(r"^(全年)?执行数$|^实际(支出|执行)数?$")),
    (BCOL_RATE, re.compile(r"^(预算)?执行率$")),
    (BCOL_POINTS, re.compile(r"^分值$")),
    (BCOL_SCORE, re.compile(r"^得分$")),
    (BCOL_AMOUNT, re.compile(r"^(金额|数额|预算数)$")),
]


def budget_column(text: str) -> str | None:
    """The role a column label gives a budget block's column, or None."""
    key = bare(text)
    for role, pattern in _BUDGET_COLUMNS:
        if pattern.match(key):
            return role
    return None
