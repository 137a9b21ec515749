"""What the seed (seed-changli-cac-2021.txt) says, written out by hand as plain data.

The seed is the 2021 target document of the Changli County Cyberspace Affairs Office: a
department-wide part (overall goal, four sub-goals, seven safeguards) and the target tables of
two projects. Every importer test compares what it read with these values; the layout builders
(layouts.py) write these same values into Word, Excel and PDF files.

Parsed targets are written literally, as ``jixiao.core.targets.parse_target`` reads them
(kind, op, value, unit).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from jixiao.core.document import TargetDocument

YEAR = 2021
UNIT_CODE = "224001"
UNIT_NAME = "中共昌黎县委网络安全和信息化委员会办公室本级"
MONEY_UNIT = "万元"


class SubGoal(NamedTuple):
    title: str  # without its （一） numbering
    goal: str
    indicators: str


class Parsed(NamedTuple):
    kind: str
    op: str | None
    value: str | None
    unit: str | None


class Row(NamedTuple):
    """One indicator row as the seed prints it."""

    level1: str
    level2: str
    level3: str
    description: str
    target: str
    basis: str
    parsed: Parsed


class Project(NamedTuple):
    title: str  # the title paragraph above the project's table
    code: str
    name: str
    total: Decimal  # 万元
    fiscal: Decimal
    other: Decimal
    fund_use: str
    plan: list[tuple[int, Decimal]]  # (month, cumulative percent)
    goal: str
    rows: list[Row]


OVERALL = (
    "以习近平新时代中国特色社会主义思想为指导，全面贯彻党的十九大和十九届二中、三中、四中、五中全会"
    "精神，深入学习贯彻习近平总书记关于网信工作的重要论述，贯彻落实国家、省、市网信工作会议，以及县委"
    "十二届五次、六次全会和县委网络安全和信息化委员会会议精神，增强“四个意识”、坚定“四个自信”、做到"
    "“两个维护”，打造政治过硬、本领高强、求实创新、能打胜仗的网信队伍，为开创网信工作新格局提供坚实"
    "保障。2021年度工作目标为，一是营造网络正面舆论强势，官方网宣平台发布信息数量500条以上，市级及以上"
    "网络媒体采稿率达到30%以上；二是强化网络舆情监控处置，舆情监测预警、研判分析数200条以上，网络舆情"
    "处置率达到100%；三是提升网络安全防护能力和信息化水平，开展网络安全检查2次以上，加强信息化工作的"
    "研究。"
)

SUB_GOALS = [
    SubGoal(
        "营造网络正面舆论强势",
        "充分利用微信、抖音、今日头条等3个官方网宣平台，做好网络宣传引导工作，凝聚正能量。",
        "官方网宣平台发布信息数量500条以上，市级及以上网络媒体采稿率达到30%以上。",
    ),
    SubGoal(
        "强化网络舆情监控处置",
        "提高舆情研判能力和信息服务水平，及时化解、妥善处理有关负面舆情，构建清朗网络环境。",
        "舆情监测预警、研判分析数200条以上，网络舆情处置率达到100%。",
    ),
    SubGoal(
        "提升网络安全防护能力",
        "提高各单位网站、信息系统防入侵、防窃密、防篡改的综合安全防护能力，坚决防止发生重大网络"
        "安全事件（事故），切实保障重要网络和信息系统的安全稳定运行。",
        "开展网络安全检查2次以上。",
    ),
    SubGoal(
        "推动信息化工作惠民利民",
        "促进信息化与我县经济社会深度融合，让信息化更好造福全县人民。",
        "加强信息化工作的研究，主动与县行政审批、公安、环保、交通、金融、卫健、旅游、教育、通讯等"
        "部门进行沟通，积极推动“互联网+”行动、电子政务建设、“宽带昌黎”建设。",
    ),
]

SAFEGUARDS = [
    "完善制度建设。制定完善《中共昌黎县委网络安全和信息化委员会办公室预算管理制度》《中共昌黎县委"
    "网络安全和信息化委员会办公室专项资金使用监督管理办法》等内部制度二十余个，为全年预算绩效目标的"
    "实现奠定制度基础。",
    "加强支出管理。优化支出结构，编细编实预算，尽快启动项目，及时支付资金，并按规定及时下达资金，"
    "确保支出进度达标。",
    "加强绩效运行监控。按要求开展绩效运行监控，发现问题及时采取措施，确保绩效目标如期保质实现。",
    "做好绩效自评。按要求开展上年度部门预算绩效自评和重点评价工作，对评价中发现的问题及时整改，"
    "调整优化支出结构，提高财政资金使用效益。",
    "规范财务资产管理。完善财务管理制度，严格审批程序，加强固定资产登记、使用和报废处置管理，"
    "做到支出合理，物尽其用。",
    "加强内部监督。加强内部监督制度建设，对绩效运行情况、重大支出决策、资产处置及其他重要经济业务"
    "事项的决策和执行进行督导，对会计资料进行内部审计，并配合做好审计、财政监督等外部监督工作，确保"
    "财政资金安全有效。",
    "加强宣传培训调研等。加强人员培训，提高本部门党员干部业务素质；加强调研，提出优化财政资金配置、"
    "提高资金使用效益的意见；加大宣传力度，强化预算绩效管理意识，促进预算绩效管理水平进一步提升。",
]

# The numbering the seed puts before sub-goal titles and safeguards.
NUMERALS = ["一", "二", "三", "四", "五", "六", "七"]

BASIS = "冀干考发[2020]2号、昌办字[2019]14号"
SURVEY = "调查问卷"
PLAN = [
    (3, Decimal("25.00")),
    (6, Decimal("50.00")),
    (10, Decimal("75.00")),
    (12, Decimal("100.00")),
]

_COUNT = "quantitative"
_WORDS = "qualitative"
NO_VALUE = Parsed(_WORDS, None, None, None)

PROJECTS = [
    Project(
        title="1.网络安全和信息化经费绩效目标表",
        code="13032221C2GKIBLPDEWRQ",
        name="网络安全和信息化经费",
        total=Decimal("15.00"),
        fiscal=Decimal("15.00"),
        other=Decimal("0"),
        fund_use="预算数15万元。其中：财政资金15万元，其他资金0万元。主要用于舆情小秘书经费10万元，"
        "网络安全检查及服务保障4万元，培训费1万元。",
        plan=PLAN,
        goal="1.牢牢把握正确导向，为全县经济社会发展提供有力的舆论支持；提升网信从业人员的政治意识、"
        "责任意识和职业素养；提高舆情研判能力和信息服务水平，及时化解、妥善处理有关负面舆情。\n"
        "2.完善互联网管理领导体制，加强网上舆论引导，营造良好网络舆论氛围，发展健康向上网络文化。",
        rows=[
            Row(
                "产出指标",
                "数量指标",
                "舆情监测预警、研判分析数",
                "舆情监测预警、研判分析数",
                "≥200条",
                BASIS,
                Parsed(_COUNT, ">=", "200", "条"),
            ),
            Row(
                "产出指标",
                "质量指标",
                "网络舆情处置率",
                "网络舆情处置率=已处置的网络舆情数量/应处置的网络舆情数量",
                "100%",
                BASIS,
                Parsed(_COUNT, "=", "100", "%"),
            ),
            Row(
                "产出指标",
                "时效指标",
                "工作及时完成率",
                "工作及时完成率=实际完成的工作/应该完成的工作",
                "100%",
                BASIS,
                Parsed(_COUNT, "=", "100", "%"),
            ),
            Row(
                "产出指标",
                "成本指标",
                "预算控制率",
                "预算控制率=实际支出/预算安排数",
                "≤100%",
                BASIS,
                Parsed(_COUNT, "<=", "100", "%"),
            ),
            Row(
                "效益指标",
                "经济效益指标",
                "避免经济损失",
                "是否提升广大网民依法、文明、安全上网的意识，避免经济损失",
                "是",
                BASIS,
                NO_VALUE,
            ),
            Row(
                "效益指标",
                "社会效益指标",
                "构建清朗网络空间",
                "是否提高网络管理和建设水平，加强网络安全宣传引导，构建清朗网络空间",
                "是",
                BASIS,
                NO_VALUE,
            ),
            Row(
                "效益指标",
                "生态效益指标",
                "达到绿色产业标准",
                "不进行基础设施建设，不对生态环境产生坏的影响，属于绿色生态产业",
                "达到",
                BASIS,
                NO_VALUE,
            ),
            Row(
                "效益指标",
                "可持续影响指标",
                "网络安全稳定运行期限",
                "网络安全稳定运行期限",
                "1年",
                BASIS,
                Parsed(_COUNT, "=", "1", "年"),
            ),
            Row(
                "满意度指标",
                "服务对象满意度指标",
                "服务对象满意度",
                "对服务对象进行满意度调查，满意度=满意份数/有效问卷数",
                "≥90%",
                SURVEY,
                Parsed(_COUNT, ">=", "90", "%"),
            ),
        ],
    ),
    Project(
        title="2.网络宣传管理经费绩效目标表",
        code="13032221RDEVGNWRIDTHY",
        name="网络宣传管理经费",
        total=Decimal("5.00"),
        fiscal=Decimal("5.00"),
        other=Decimal("0"),
        fund_use="预算数5万元。其中：财政资金5万元，其他资金0万元。主要用于日常办公费、公务接待费、"
        "设备购置费、差旅费和其他商品服务支出。",
        plan=PLAN,
        goal="1.充分利用微博、微信、抖音、今日头条等5个官方网宣平台，宣传好全县的中心工作、重要活动，"
        "发布权威声音，营造良好氛围。\n"
        "2.加强新媒体平台建设，组织好优秀新媒体作品评选活动，提升网信部门的影响力和号召力。",
        rows=[
            Row(
                "产出指标",
                "数量指标",
                "官方网宣平台信息发布数量",
                "官方网宣平台发布信息数量",
                "≥500条",
                BASIS,
                Parsed(_COUNT, ">=", "500", "条"),
            ),
            Row(
                "产出指标",
                "质量指标",
                "市级及以上网络媒体采稿率",
                "市级及以上网络媒体采稿率=市级及以上采稿数/市级及以上报送稿件数量",
                "≥30%",
                BASIS,
                Parsed(_COUNT, ">=", "30", "%"),
            ),
            Row(
                "产出指标",
                "时效指标",
                "工作及时完成率",
                "工作及时完成率=实际完成的工作/应该完成的工作",
                "100%",
                BASIS,
                Parsed(_COUNT, "=", "100", "%"),
            ),
            Row(
                "产出指标",
                "成本指标",
                "预算控制率",
                "预算控制率=实际支出/预算安排数",
                "≤100%",
                BASIS,
                Parsed(_COUNT, "<=", "100", "%"),
            ),
            Row(
                "效益指标",
                "经济效益指标",
                "资源节约集约利用",
                "是否促进资源节约集约利用，加强网络宣传节约集约利用力度，促进生态文明建设",
                "是",
                BASIS,
                NO_VALUE,
            ),
            Row(
                "效益指标",
                "社会效益指标",
                "宣传、活动影响力",
                "通过网上宣传推介全县重点工作和重大活动，是否提升干部群众凝聚力和向心力",
                "是",
                BASIS,
                NO_VALUE,
            ),
            Row(
                "效益指标",
                "生态效益指标",
                "达到绿色产业标准",
                "不进行基础设施建设，不对生态环境产生坏的影响，属于绿色生态产业",
                "达到",
                BASIS,
                NO_VALUE,
            ),
            Row(
                "效益指标",
                "可持续影响指标",
                "网络宣传影响力持续期限",
                "网络宣传影响力持续期限",
                "1年",
                BASIS,
                Parsed(_COUNT, "=", "1", "年"),
            ),
            Row(
                "满意度指标",
                "服务对象满意度指标",
                "服务对象满意度",
                "对服务对象进行满意度调查，满意度=满意份数/有效问卷数",
                "≥90%",
                SURVEY,
                Parsed(_COUNT, ">=", "90", "%"),
            ),
        ],
    ),
]

ALL_ROWS = [row for project in PROJECTS for row in project.rows]
assert len(SUB_GOALS) == 4 and len(SAFEGUARDS) == 7 and len(ALL_ROWS) == 18


# --- the expected document ---------------------------------------------------------------------


class OneOf(tuple):
    """An expected value that may be any of a few equivalent forms."""


def expected_document(
    *,
    unit_goal: bool = True,
    money_unit: str = MONEY_UNIT,
    money_factor: Decimal = Decimal(1),
    fiscal_other: bool = True,
    code: bool = True,
    fund_use: bool = True,
    plan: bool = True,
    goal: bool = True,
    description: bool = True,
    basis: bool = True,
    weights: list[Decimal] | None = None,
    targets: list[str | OneOf] | None = None,
) -> dict[str, object]:
    """The seed as ``TargetDocument.to_dict()`` should give it, for a layout holding these parts.

    A part a layout does not hold is expected empty (None or []), so an importer that invents
    one fails. Money is compared as numbers (``15`` equals ``15.00``), in the table's unit.
    """
    rows = [row for project in PROJECTS for row in project.rows]
    weights = weights if weights is not None else [None] * len(rows)
    targets = targets if targets is not None else [row.target for row in rows]
    assert len(weights) == len(targets) == len(rows)
    rows_iter = iter(zip(rows, weights, targets, strict=True))
    projects = []
    for project in PROJECTS:
        indicators = []
        for _ in project.rows:
            row, weight, target = next(rows_iter)
            indicators.append(
                {
                    "level1": row.level1,
                    "level2": row.level2,
                    "level3": row.level3,
                    "description": row.description if description else None,
                    "target": target,
                    "parsed": row.parsed._asdict(),
                    "basis": row.basis if basis else None,
                    "weight": weight,
                }
            )
        projects.append(
            {
                "code": project.code if code else None,
                "name": project.name,
                "budget": {
                    "unit": money_unit,
                    "total": project.total * money_factor,
                    "fiscal": project.fiscal * money_factor if fiscal_other else None,
                    "other": project.other * money_factor if fiscal_other else None,
                },
                "fund_use": project.fund_use if fund_use else None,
                "spending_plan": (
                    [{"month": m, "percent": p} for m, p in project.plan] if plan else []
                ),
                "goal": project.goal if goal else None,
                "indicators": indicators,
            }
        )
    return {
        "year": YEAR,
        "unit": {"code": UNIT_CODE, "name": UNIT_NAME},
        "unit_goal": (
            {
                "overall": OVERALL,
                "sub_goals": [g._asdict() for g in SUB_GOALS],
                "safeguards": list(SAFEGUARDS),
            }
            if unit_goal
            else None
        ),
        "projects": projects,
    }


_MISSING = object()


def differences(actual: object, expected: object, path: str = "document") -> list[str]:
    """Every place where ``actual`` (a to_dict() tree) differs from ``expected``, in order."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected a mapping, got {actual!r}"]
        found: list[str] = []
        for key, value in expected.items():
            found += differences(actual.get(key, _MISSING), value, f"{path}.{key}")
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: expected a list of {len(expected)}, got {actual!r}"]
        found = []
        if len(actual) != len(expected):
            found.append(
                f"{path}: {len(actual)} items, expected {len(expected)}"
                f" (got {[_label(a) for a in actual]})"
            )
        for i, (a, e) in enumerate(zip(actual, expected, strict=False)):
            found += differences(a, e, f"{path}[{i}]{_label(e, brackets=True)}")
        return found
    if isinstance(expected, OneOf):
        if any(not differences(actual, option, path) for option in expected):
            return []
        return [f"{path}: got {actual!r}, expected one of {list(expected)!r}"]
    if isinstance(expected, Decimal):
        try:
            ok = actual is not None and actual is not _MISSING and Decimal(str(actual)) == expected
        except ArithmeticError:
            ok = False
        return [] if ok else [f"{path}: got {_show(actual)}, expected {expected}"]
    if actual != expected:
        return [f"{path}: got {_show(actual)}, expected {expected!r}"]
    return []


def _show(value: object) -> str:
    return "nothing (key missing)" if value is _MISSING else repr(value)


def _label(item: object, brackets: bool = False) -> str:
    """A short name for a list item in messages: an indicator's level3, a project's name."""
    if isinstance(item, dict):
        for key in ("level3", "name", "title", "month"):
            if isinstance(item.get(key), str | int):
                return f"({item[key]})" if brackets else str(item[key])
    return "" if brackets else repr(item)[:30]


def assert_document(document: TargetDocument, expected: dict[str, object]) -> None:
    """Compare an imported TargetDocument with an expected tree; fail on the first difference."""
    found = differences(document.to_dict(), expected)
    if found:
        shown = "\n  ".join(found[:12])
        more = f"\n  … and {len(found) - 12} more" if len(found) > 12 else ""
        raise AssertionError(
            f"{len(found)} difference(s); first: {found[0]}\nall:\n  {shown}{more}"
        )
