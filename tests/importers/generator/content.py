"""What target tables say: places, budget units, projects and indicators, as drawn at random.

Everything here is plain vocabulary taken from the family of real tables (the seed, the
provincial tables in the corpus, the national templates): units of many kinds in many provinces,
projects of their sectors, and indicators under the standard three levels with the targets,
descriptions and bases such tables write. Nothing is copied from one file; a generator draws
from these pools with its own ``random.Random``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# (province, city, county) — county-level places of many provinces.
PLACES = [
    ("河北省", "秦皇岛市", "昌黎县"),
    ("河北省", "邢台市", "宁晋县"),
    ("河北省", "保定市", "涞水县"),
    ("湖南省", "湘潭市", "湘潭县"),
    ("湖南省", "衡阳市", "衡山县"),
    ("湖南省", "衡阳市", "南岳区"),
    ("湖北省", "黄石市", "阳新县"),
    ("湖北省", "鄂州市", "华容区"),
    ("四川省", "乐山市", "井研县"),
    ("四川省", "绵阳市", "三台县"),
    ("福建省", "宁德市", "霞浦县"),
    ("山西省", "运城市", "稷山县"),
    ("安徽省", "亳州市", "蒙城县"),
    ("安徽省", "池州市", "贵池区"),
    ("云南省", "临沧市", "永德县"),
    ("甘肃省", "嘉峪关市", "峪泉镇"),
    ("广东省", "东莞市", "常平镇"),
    ("江西省", "赣州市", "于都县"),
    ("河南省", "周口市", "鹿邑县"),
    ("山东省", "临沂市", "沂南县"),
    ("广西壮族自治区", "桂林市", "阳朔县"),
    ("浙江省", "丽水市", "松阳县"),
    ("贵州省", "遵义市", "湄潭县"),
    ("陕西省", "汉中市", "城固县"),
]

TOWNS = ["城关镇", "马踏镇", "棠溪镇", "翟店镇", "新城镇", "东坝镇", "石桥镇", "河口乡", "永兴乡"]


@dataclass(frozen=True)
class Sector:
    """A kind of budget unit and the work its projects pay for."""

    unit_names: tuple[str, ...]  # with {county} / {town}
    projects: tuple[str, ...]
    things: tuple[tuple[str, str], ...]  # (what is counted, its counter unit)
    service: str  # who the service is for (服务对象)
    work: tuple[str, ...]  # activities for descriptions and goals


SECTORS: dict[str, Sector] = {
    "education": Sector(
        ("{county}教育体育局", "{county}第一中学", "{county}明德小学", "{county}职业技术学校"),
        (
            "义务教育营养改善计划专项资金",
            "学前教育幼儿资助经费",
            "高中助学金",
            "教师培训经费",
            "校舍维修改造项目",
            "农村义务教育学校公用经费",
        ),
        (
            ("受资助学生", "人"),
            ("发放营养餐", "份"),
            ("开展安全教育", "次"),
            ("培训教师", "人次"),
            ("维修校舍面积", "平方米"),
            ("配备教学设备", "台"),
        ),
        "学生及家长",
        ("按时足额发放资助资金", "改善办学条件", "提升教师专业能力", "保障学校正常运转"),
    ),
    "health": Sector(
        (
            "{county}卫生健康委员会",
            "{county}人民医院",
            "{county}{town}卫生院",
            "{county}疾病预防控制中心",
        ),
        (
            "国家基本公共卫生服务项目",
            "基本药物制度补助资金",
            "家庭医生签约服务经费",
            "重大传染病防控经费",
            "计划生育家庭奖励扶助资金",
        ),
        (
            ("建立居民健康档案", "人"),
            ("高血压规范管理", "人"),
            ("孕产妇健康访视", "人次"),
            ("开展健康教育讲座", "次"),
            ("老年人健康体检", "人"),
            ("发放宣传资料", "份"),
        ),
        "辖区居民",
        (
            "规范管理慢性病患者",
            "做好传染病防控",
            "提高基本公共卫生服务均等化水平",
            "落实奖励扶助政策",
        ),
    ),
    "agriculture": Sector(
        ("{county}农业农村局", "{county}乡村振兴局", "{county}{town}人民政府", "{county}水利局"),
        (
            "高标准农田建设项目",
            "耕地地力保护补贴",
            "农村人居环境整治经费",
            "雨露计划就学补助项目",
            "县级储备粮管理经费",
            "小型农田水利设施维修养护",
        ),
        (
            ("建设高标准农田", "亩"),
            ("开展技术培训", "期"),
            ("新建灌溉渠道", "公里"),
            ("发放补贴农户", "户"),
            ("整治村庄", "个"),
            ("储备粮规模", "吨"),
        ),
        "农户",
        ("按政策足额发放补贴", "改善农业生产条件", "巩固拓展脱贫攻坚成果", "保障粮食安全"),
    ),
    "transport": Sector(
        ("{county}交通运输局", "{county}公路管理段", "{county}城市管理和综合执法局"),
        (
            "农村公路养护经费",
            "镇际联网路升级改造工程",
            "城市道路照明维护经费",
            "环卫作业市场化服务项目",
            "雾炮车降尘抑尘服务",
        ),
        (
            ("养护农村公路里程", "公里"),
            ("处置道路病害", "处"),
            ("开展安全巡查", "次"),
            ("维修路灯", "盏"),
            ("配备作业车辆", "辆"),
            ("清扫保洁面积", "万平方米"),
        ),
        "沿线群众",
        ("保障道路安全畅通", "提升城市环境卫生水平", "按时完成养护任务", "改善群众出行条件"),
    ),
    "culture": Sector(
        ("{county}文化和旅游局", "{county}博物馆", "{county}图书馆", "{county}文物保护中心"),
        (
            "博物馆纪念馆免费开放补助资金",
            "公共文化服务体系建设专项资金",
            "非物质文化遗产保护经费",
            "送戏下乡惠民演出经费",
            "文物保护修缮经费",
        ),
        (
            ("免费开放天数", "天"),
            ("举办专题展览", "个"),
            ("开展流动服务", "场次"),
            ("举办惠民演出", "场"),
            ("接待观众", "人次"),
            ("修缮文物建筑", "处"),
        ),
        "群众及观众",
        ("保障场馆正常免费开放", "丰富群众文化生活", "保护和传承历史文化", "提升公共文化服务水平"),
    ),
    "cyberspace": Sector(
        (
            "中共{county}委网络安全和信息化委员会办公室",
            "中共{county}委宣传部",
            "{county}融媒体中心",
        ),
        (
            "网络安全和信息化经费",
            "网络宣传管理经费",
            "舆情监测服务经费",
            "新闻宣传及媒体融合经费",
        ),
        (
            ("舆情监测预警、研判分析数", "条"),
            ("开展网信业务培训", "期"),
            ("处置网络有害信息", "条"),
            ("官方平台发布信息", "条"),
            ("开展网络安全检查", "次"),
            ("制作宣传作品", "件"),
        ),
        "网民及社会公众",
        ("营造良好网络舆论氛围", "提升网络安全防护能力", "及时处置网络舆情", "做好网上正面宣传"),
    ),
    "civil": Sector(
        ("{county}民政局", "{county}残疾人联合会", "{county}退役军人事务局", "{county}社会福利院"),
        (
            "城乡居民最低生活保障资金",
            "困难残疾人生活补贴",
            "特困人员救助供养经费",
            "优抚对象抚恤补助经费",
        ),
        (
            ("保障低保对象", "人"),
            ("开展政策宣传", "次"),
            ("核查救助对象", "户"),
            ("发放补贴人数", "人"),
            ("集中供养特困人员", "人"),
            ("走访慰问", "户"),
        ),
        "困难群众",
        ("按时足额发放救助资金", "兜牢民生底线", "规范救助对象管理", "提升群众获得感"),
    ),
}

# Bases (指标值确定依据 / 绩效标准) as tables write them.
BASES_PLAN = ("计划标准", "历史标准", "行业标准", "其他标准", "计划标准、历史标准")
BASES_DOCUMENT = (
    "{prov_short}财预〔{year0}〕{n}号",
    "{county_short}政办发〔{year0}〕{n}号",
    "《{sector_doc}》",
    "项目实施方案",
    "年度工作计划",
    "上年度实际完成情况",
)
SECTOR_DOCS = (
    "中央财政补助资金管理办法",
    "专项资金管理暂行办法",
    "项目资金管理实施细则",
    "绩效目标管理办法",
)

LEVEL1_OUTPUT = "产出指标"
LEVEL1_BENEFIT = "效益指标"
LEVEL1_SATISFACTION = "满意度指标"
LEVEL1_COST = "成本指标"


@dataclass(frozen=True)
class Indicator:
    level1: str
    level2: str
    level3: str
    description: str
    target: str  # as one text (the single-column form)
    split: tuple[str, str, str] | None  # (op as written, value, unit) for the split layout


def _count(rng: random.Random, low: int, high: int) -> int:
    n = rng.randint(low, high)
    if n > 50:
        n = round(n, -1)
    return n


def _percent_target(rng: random.Random) -> tuple[str, tuple[str, str, str]]:
    op = rng.choice(["≥", "≥", "≥", "=", "≧", ">="])
    value = rng.choice(["80", "85", "90", "95", "98", "100", "60", "92.5"])
    if op == "=":
        return f"{value}%", ("=", value, "%")
    return f"{op}{value}%", (op, value, "%")


def indicator(
    rng: random.Random,
    sector: Sector,
    level1: str,
    level2: str,
    budget_text: str,
    used: set[str],
) -> Indicator:
    """One realistic indicator under the given levels (``used``: things already counted)."""
    thing, counter = rng.choice(sector.things)
    work = rng.choice(sector.work)
    if level2 == "数量指标":
        fresh = [t for t in sector.things if t[0] not in used]
        thing, counter = rng.choice(fresh) if fresh else (f"开展{work}相关工作", "次")
        used.add(thing)
        few = counter in ("期", "次", "场", "场次", "个", "处", "辆", "台", "件", "盏")
        n = _count(rng, 2, 60) if few else _count(rng, 20, 3000)
        op = rng.choice(["≥", "≥", "=", "≥", ">="])
        name = rng.choice([thing, thing, f"{thing}数量", f"{thing}数"])
        desc = rng.choice(
            [f"反映{thing}的数量情况", f"{thing}达到计划数量", f"年内{thing}{n}{counter}以上"]
        )
        shown = f"{op}{n}{counter}" if op != "=" else f"{n}{counter}"
        return Indicator(level1, level2, name, desc, shown, (op, str(n), counter))
    if level2 == "质量指标":
        name = rng.choice(
            [
                "验收合格率",
                "资金发放准确率",
                "政策覆盖率",
                f"{thing}合格率",
                "制度执行率",
                "工作规范性",
            ]
        )
        if name == "工作规范性":
            word = rng.choice(["规范", "符合相关规定", "严格执行相关制度规定"])
            return Indicator(
                level1, level2, name, f"反映{work}的规范情况", word, ("定性", word, "")
            )
        text, split = _percent_target(rng)
        desc = f"{name}={name[:-1]}完成数/应完成数×100%"
        return Indicator(level1, level2, name, desc, text, split)
    if level2 == "时效指标":
        choice = rng.random()
        if choice < 0.4:
            name = rng.choice(["资金发放及时率", "工作及时完成率", "资金拨付及时率"])
            text, split = _percent_target(rng)
            return Indicator(level1, level2, name, f"反映{work}是否按时完成", text, split)
        if choice < 0.7:
            month = rng.choice([6, 10, 11, 12])
            text = rng.choice([f"{month}月底前", f"{month}月底前完成", "年底前完成"])
            return Indicator(
                level1, level2, "项目完成时间", "项目在规定时间内完成", text, ("定性", text, "")
            )
        word = rng.choice(["及时", "按时完成", "按期完成"])
        return Indicator(
            level1, level2, "完成及时性", f"反映{work}的及时程度", word, ("定性", word, "")
        )
    if level2 in ("成本指标", "经济成本指标"):
        choice = rng.random()
        if choice < 0.5:
            name = rng.choice(["预算控制率", "项目成本控制率"])
            return Indicator(
                level1,
                level2,
                name,
                "预算控制率=实际支出/预算安排数×100%",
                "≤100%",
                ("≤", "100", "%"),
            )
        if choice < 0.8:
            return Indicator(
                level1,
                level2,
                "项目总成本",
                "项目支出控制在预算范围内",
                f"≤{budget_text}",
                ("≤", budget_text[:-2], budget_text[-2:]),
            )
        n = rng.choice([200, 1500, 3000, 50, 120])
        unit = rng.choice(["元/人", "元/亩", "元/年"])
        return Indicator(
            level1, level2, "补助标准", "按政策规定的标准执行", f"{n}{unit}", ("=", str(n), unit)
        )
    if level2 in ("社会成本指标", "生态环境成本指标"):
        word = rng.choice(["无不良影响", "不产生负面影响", "低", "无明显影响"])
        name = "对社会的负面影响" if level2 == "社会成本指标" else "对生态环境的影响"
        return Indicator(
            level1, level2, name, f"反映项目实施的{name[1:]}", word, ("定性", word, "")
        )
    if level2 == "经济效益指标":
        name = rng.choice(["减轻群众经济负担", "带动相关产业发展", "节约运行成本", "促进增收"])
        word = rng.choice(["有效", "明显", "效果明显", "是"])
        return Indicator(level1, level2, name, f"是否{name}", word, ("定性", word, ""))
    if level2 == "社会效益指标":
        if rng.random() < 0.5:
            name = rng.choice(["政策知晓率", "群众受益率", f"{sector.service}受益覆盖率"])
            text, split = _percent_target(rng)
            return Indicator(level1, level2, name, f"反映{name}情况", text, split)
        name = rng.choice([work, "提升公共服务水平", "维护社会稳定", "促进社会和谐"])
        word = rng.choice(["有效提升", "明显提高", "效果显著", "逐步提高", "是"])
        return Indicator(level1, level2, name, f"项目实施对{work}的作用", word, ("定性", word, ""))
    if level2 == "生态效益指标":
        name = rng.choice(["对生态环境的影响", "环境卫生改善情况", "资源节约利用"])
        word = rng.choice(["无负面影响", "改善", "达到", "有所改善"])
        return Indicator(level1, level2, name, "项目实施对生态环境的影响", word, ("定性", word, ""))
    if level2 == "可持续影响指标":
        if rng.random() < 0.5:
            n = rng.choice([1, 2, 3, 5])
            return Indicator(
                level1,
                level2,
                "项目效益持续期限",
                "项目效益持续发挥作用的年限",
                f"≥{n}年",
                ("≥", str(n), "年"),
            )
        name = rng.choice(["长效管理机制", f"{work}的持续影响", "制度建设完善程度"])
        word = rng.choice(["长期", "持续", "健全", "长期有效"])
        return Indicator(level1, level2, name, f"反映{name}", word, ("定性", word, ""))
    # satisfaction
    name = rng.choice([f"{sector.service}满意度", "服务对象满意度", "群众满意度", "社会公众满意度"])
    text, split = _percent_target(rng)
    desc = rng.choice(["通过问卷调查了解满意程度", "满意度=满意人数/调查总人数×100%"])
    return Indicator(level1, level2, name, desc, text, split)


def structure(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(level1, level2) for each of ``count`` rows, in the order tables print them."""
    satisfaction = rng.choice(
        ["服务对象满意度指标", "服务对象满意度指标", "社会公众或服务对象满意度指标"]
    )
    cost_level1 = rng.random() < 0.3  # the 2021+ framework: 成本指标 as a level-1 group
    output = ["数量指标", "质量指标", "时效指标"] + ([] if cost_level1 else ["成本指标"])
    benefit = ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"]
    groups: list[tuple[str, list[str]]] = [(LEVEL1_OUTPUT, output)]
    if cost_level1:
        groups.append((LEVEL1_COST, ["经济成本指标", "社会成本指标", "生态环境成本指标"]))
    groups += [(LEVEL1_BENEFIT, benefit), (LEVEL1_SATISFACTION, [satisfaction])]
    slots = [(l1, l2) for l1, l2s in groups for l2 in l2s]
    # Every level-2 at least once when there is room, else a random subset; the rest are extra
    # rows under the output and benefit groups (数量指标 most of all).
    if count < len(slots):
        keep = sorted(rng.sample(range(len(slots)), count))
        chosen = [slots[i] for i in keep]
    else:
        chosen = list(slots)
        weights = [
            3 if l2 == "数量指标" else 2 if l1 != LEVEL1_SATISFACTION else 1 for l1, l2 in slots
        ]
        while len(chosen) < count:
            chosen.append(rng.choices(slots, weights)[0])
    order = {slot: i for i, slot in enumerate(slots)}
    return sorted(chosen, key=lambda s: order[s])


def sentence_goal(rng: random.Random, sector: Sector, project: str, year: int) -> str:
    works = rng.sample(sector.work, 2)
    thing, counter = rng.choice(sector.things)
    n = _count(rng, 5, 2000)
    return (
        f"{year}年通过实施{project}，{works[0]}，{thing}{n}{counter}以上，"
        f"{works[1]}，{sector.service}满意度达到90%以上。"
    )


def fund_use(rng: random.Random, project: str, total: str, unit: str) -> str:
    parts = rng.sample(
        ["人员经费", "设备购置", "委托服务", "宣传培训", "维修维护", "差旅及会议"], 3
    )
    return f"预算数{total}{unit}，主要用于{project}的{parts[0]}、{parts[1]}和{parts[2]}等支出。"
