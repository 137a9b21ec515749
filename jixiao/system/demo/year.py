"""The demo year: a reproducible 2021 of ledger records for the seed's unit (昌黎县委网信办).

``generate()`` builds every record as plain data from one ``random.Random(2021)``, so two runs
give the same rows byte for byte; ``load_year()`` writes them through ``upsert_entries`` (the
one write path, validated, idempotent by natural key). The year is shaped to be true to a
county office: fewer posts over Spring Festival and National Day, busier weekdays, opinion
cases peaking in the beach season, spending slow in Q1 with catch-ups in June and December,
a few must-handle cases not disposed in time and a few overdue at year end.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from jixiao.ledgers.models import LedgerType
from jixiao.ledgers.presets import PRESETS
from jixiao.ledgers.services import (
    EntryInput,
    UpsertResult,
    ensure_presets,
    ledger_type_for,
    upsert_entries,
)
from jixiao.lib.actor import Actor
from jixiao.targets.models import Project
from jixiao.units.models import Unit

__all__ = [
    "LEDGER_ORDER",
    "P1",
    "P2",
    "YEAR",
    "Row",
    "YearResult",
    "generate",
    "is_workday",
    "load_year",
]

YEAR = 2021
SEED = 2021
P1 = "13032221C2GKIBLPDEWRQ"  # 网络安全和信息化经费, 15 万元
P2 = "13032221RDEVGNWRIDTHY"  # 网络宣传管理经费, 5 万元
START = dt.date(YEAR, 1, 1)
END = dt.date(YEAR, 12, 31)
MID = dt.date(YEAR, 6, 30)

# The 2021 public holidays and the weekend days worked in exchange (国务院办公厅 2020 年通知).
HOLIDAYS = [
    (dt.date(2021, 1, 1), dt.date(2021, 1, 3)),
    (dt.date(2021, 2, 11), dt.date(2021, 2, 17)),
    (dt.date(2021, 4, 3), dt.date(2021, 4, 5)),
    (dt.date(2021, 5, 1), dt.date(2021, 5, 5)),
    (dt.date(2021, 6, 12), dt.date(2021, 6, 14)),
    (dt.date(2021, 9, 19), dt.date(2021, 9, 21)),
    (dt.date(2021, 10, 1), dt.date(2021, 10, 7)),
]
MAKEUP_WORKDAYS = {
    dt.date(2021, 2, 7),
    dt.date(2021, 2, 20),
    dt.date(2021, 4, 25),
    dt.date(2021, 5, 8),
    dt.date(2021, 9, 18),
    dt.date(2021, 9, 26),
    dt.date(2021, 10, 9),
}
SPRING_FESTIVAL = HOLIDAYS[1]
NATIONAL_DAY = HOLIDAYS[6]

# The order records are written in (and the order of the summary line).
LEDGER_ORDER = [
    "opinion",
    "post",
    "submission",
    "task",
    "expenditure",
    "survey",
    "inspection",
    "training",
    "asset",
    "rule",
]


def _words(text: str) -> list[str]:
    """The words of a text block, split at white space."""
    return text.split()


def _table(text: str) -> list[list[str]]:
    """A compact data table: one row a line, cells separated by "|"."""
    return [[c.strip() for c in line.split("|")] for line in text.strip().splitlines()]


TOWNS = _words("""
昌黎镇 靖安镇 安山镇 龙家店镇 泥井镇 大蒲河镇 新集镇 刘台庄镇
茹荷镇 朱各庄镇 荒佃庄镇 团林乡 葛条港乡 马坨店乡 两山乡 十里铺乡
""")
STAFF = ["王某某", "李某", "张某某", "刘同志", "赵某"]
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _in(day: dt.date, span: tuple[dt.date, dt.date]) -> bool:
    return span[0] <= day <= span[1]


def is_workday(day: dt.date) -> bool:
    """True on a 2021 working day (weekdays and make-up days, holidays excepted)."""
    if day in MAKEUP_WORKDAYS:
        return True
    return day.weekday() < 5 and not any(_in(day, h) for h in HOLIDAYS)


def _days(start: dt.date = START, end: dt.date = END) -> list[dt.date]:
    return [start + dt.timedelta(n) for n in range((end - start).days + 1)]


def _workday(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A random working day in [start, end] (which must hold one)."""
    return rng.choice([d for d in _days(start, end) if is_workday(d)])


def _on_or_after_workday(day: dt.date) -> dt.date:
    while not is_workday(day):
        day += dt.timedelta(1)
    return day


def _last_workday(year: int, month: int) -> dt.date:
    day = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(1)
    while not is_workday(day):
        day -= dt.timedelta(1)
    return day


def _token(rng: random.Random, length: int, alphabet: str = BASE62) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def _digits(rng: random.Random, length: int) -> str:
    return str(rng.randint(1, 9)) + _token(rng, length - 1, "0123456789")


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


@dataclass(frozen=True)
class Row:
    """One record to write: its ledger type code, field values, project code and workflow."""

    ledger: str
    values: dict[str, Any]
    project: str | None = None
    state: str | None = None
    state_dates: dict[str, str] | None = None


# --- 舆情 (opinion cases) -------------------------------------------------------------------

OPINION_COUNT = 135
# Cases per month, relative: the beach season at 黄金海岸 (July–August) is the busy time.
OPINION_MONTHS = {1: 7, 2: 6, 3: 7, 4: 8, 5: 9, 6: 9, 7: 15, 8: 16, 9: 10, 10: 11, 11: 8, 12: 8}
PLATFORMS = ["微博", "抖音", "今日头条", "微信", "快手", "论坛", "新闻网站"]
PLATFORM_WEIGHTS = [30, 25, 15, 15, 8, 4, 3]
SCENIC = ["碣石山景区", "黄金海岸", "葡萄沟景区", "翡翠岛", "源影寺塔"]
URBAN = ["县城", "县城人民路", "县城民生路", "县城碣阳大街"]
PLACES = {"县城": URBAN, "乡镇": TOWNS, "景区": SCENIC}
# (topic, issue, where it happens, department it is handed to)
ISSUES = _table("""
交通 | 道路施工致交通拥堵 | 县城 | 县交通运输局
交通 | 路面破损长期未修复 | 乡镇 | 县交通运输局
交通 | 违停车辆占用消防通道 | 县城 | 县公安局交警大队
交通 | 公交线路调整出行不便 | 乡镇 | 县交通运输局
环境 | 河道垃圾堆积 | 乡镇 | 县生态环境分局
环境 | 夜间施工噪声扰民 | 县城 | 县住房和城乡建设局
环境 | 养殖场异味扰民 | 乡镇 | 县生态环境分局
环境 | 焚烧秸秆烟雾较大 | 乡镇 | 县生态环境分局
教育 | 学校周边交通安全隐患 | 县城 | 县教育和体育局
教育 | 幼儿园收费标准疑问 | 县城 | 县教育和体育局
教育 | 校外培训机构违规招生 | 县城 | 县教育和体育局
医疗 | 医院挂号排队时间长 | 县城 | 县卫生健康局
医疗 | 新冠疫苗接种预约难 | 乡镇 | 县卫生健康局
医疗 | 村卫生室药品短缺 | 乡镇 | 县卫生健康局
旅游 | 景区停车收费过高 | 景区 | 县文化广电和旅游局
旅游 | 海鲜排档价格不透明 | 黄金海岸 | 县市场监督管理局
旅游 | 浴场管理秩序混乱 | 黄金海岸 | 县文化广电和旅游局
旅游 | 民宿卫生条件差 | 黄金海岸 | 县文化广电和旅游局
旅游 | 景区门票优惠政策未落实 | 景区 | 县文化广电和旅游局
物价 | 葡萄收购价格下跌 | 葡萄沟景区 | 县农业农村局
物价 | 蔬菜价格上涨 | 县城 | 县市场监督管理局
物价 | 供暖费收取标准疑问 | 县城 | 县住房和城乡建设局
民生 | 小区物业服务纠纷 | 县城 | 县住房和城乡建设局
民生 | 冬季供暖温度不达标 | 县城 | 县住房和城乡建设局
民生 | 农民工工资拖欠 | 乡镇 | 县人力资源和社会保障局
民生 | 自来水停水未提前通知 | 乡镇 | 县水务局
""")
WINTER_ONLY = {"冬季供暖温度不达标", "供暖费收取标准疑问", "焚烧秸秆烟雾较大"}
SUMMER_ONLY = {"浴场管理秩序混乱", "海鲜排档价格不透明", "民宿卫生条件差"}
TITLE_FORMS = [
    "网民反映{place}{issue}",
    "{place}{issue}引发网民关注",
    "网帖称{place}{issue}",
    "{platform}网民投诉{place}{issue}",
]


@dataclass
class _Case:
    """An opinion case while it is being built."""

    first_seen: dt.date
    kind: str = "normal"
    grade: str = "一般"
    must_handle: bool = False
    steps: dict[str, dt.date] = field(default_factory=dict)
    deadline: dt.date | None = None


def _link(rng: random.Random, platform: str) -> str:
    if platform == "微博":
        return f"https://weibo.com/{_digits(rng, 10)}/{_token(rng, 9)}"
    if platform == "抖音":
        return f"https://www.douyin.com/video/69{_token(rng, 17, '0123456789')}"
    if platform == "今日头条":
        return f"https://www.toutiao.com/article/69{_token(rng, 17, '0123456789')}/"
    if platform == "微信":
        return f"https://mp.weixin.qq.com/s/{_token(rng, 22)}"
    if platform == "快手":
        return f"https://www.kuaishou.com/short-video/3x{_token(rng, 13).lower()}"
    if platform == "论坛":
        return f"https://tieba.baidu.com/p/{_digits(rng, 10)}"
    return f"https://www.qhdnews.com/xw/202{_digits(rng, 6)}.html"


def _issue_for(rng: random.Random, day: dt.date) -> tuple[str, str, str]:
    """(place, issue, department) of an ordinary case, in season."""
    while True:
        _topic, issue, where, dept = rng.choice(ISSUES)
        if issue in WINTER_ONLY and 4 <= day.month <= 10:
            continue
        if issue in SUMMER_ONLY and not 6 <= day.month <= 9:
            continue
        return rng.choice(PLACES.get(where, [where])), issue, dept


def _case_dates(rng: random.Random) -> list[_Case]:
    """The cases' first-seen days: ordinary ones drawn by season, the scripted ones placed."""
    days = _days()
    weights = [OPINION_MONTHS[d.month] * (1.0 if is_workday(d) else 0.8) for d in days]
    scripted = [
        # Two must-handle cases of late June are disposed only in July.
        _Case(_workday(rng, dt.date(2021, 6, 16), dt.date(2021, 6, 22)), "june_late"),
        _Case(_workday(rng, dt.date(2021, 6, 23), dt.date(2021, 6, 25)), "june_late"),
        # The year's one major case: 天价海鲜 at the beach in August.
        _Case(rng.choice(_days(dt.date(2021, 8, 7), dt.date(2021, 8, 15))), "major"),
        # At year end one must-handle case is still not disposed, past its deadline …
        _Case(_workday(rng, dt.date(2021, 12, 14), dt.date(2021, 12, 20)), "undisposed"),
        # … two were disposed but the closing reply is overdue, one analysis stalled.
        _Case(_workday(rng, dt.date(2021, 12, 6), dt.date(2021, 12, 10)), "unclosed"),
        _Case(_workday(rng, dt.date(2021, 12, 13), dt.date(2021, 12, 17)), "unclosed"),
        _Case(_workday(rng, dt.date(2021, 11, 22), dt.date(2021, 12, 3)), "stalled"),
        # The last days of the year leave cases open within their deadlines.
        _Case(dt.date(2021, 12, 28), "recent"),
        _Case(dt.date(2021, 12, 30), "recent"),
    ]
    ordinary = [_Case(d) for d in rng.choices(days, weights, k=OPINION_COUNT - len(scripted))]
    return sorted(scripted + ordinary, key=lambda c: (c.first_seen, c.kind))


def _plan_case(rng: random.Random, case: _Case) -> None:
    """Grade, must-handle, deadline and the day each workflow state is reached."""
    t0, kind = case.first_seen, case.kind
    if kind == "normal":
        case.grade = "较大" if rng.random() < 0.06 else "一般"
        # A case graded 较大 is always alerted and handled; an ordinary one may close unalerted.
        alerted = case.grade != "一般" or rng.random() < 0.84
        analysed = alerted and rng.random() < 0.83
        case.must_handle = alerted and (case.grade != "一般" or rng.random() < 0.42)
    else:
        case.grade = {"major": "重大", "june_late": "较大", "undisposed": "较大"}.get(kind, "一般")
        alerted = True
        if kind == "unclosed":
            analysed = rng.random() < 0.5
        else:  # the last case of the year is only just alerted
            analysed = not (kind == "recent" and t0.day == 30)
        case.must_handle = kind in ("major", "june_late", "undisposed", "unclosed")
    days_given = {"重大": 1, "较大": 3}.get(case.grade, rng.randint(4, 7))
    case.deadline = t0 + dt.timedelta(7 if kind == "recent" else days_given)
    # Steps never cross the end of the half year they started in (except where scripted), so
    # the mid-year figures miss only what the story says they miss.
    cap = MID if t0 <= MID else END

    def step(after: dt.date, lag: int) -> dt.date:
        return min(after + dt.timedelta(lag), cap)

    steps = case.steps = {"监测": t0}
    if not alerted:  # looked at, not worth an alert: closed straight from monitoring
        steps["办结"] = step(t0, rng.randint(0, 2))
        return
    steps["预警"] = last = step(t0, 0 if rng.random() < 0.7 else 1)
    if analysed:
        steps["研判"] = last = step(last, rng.randint(0, 2))
    if kind in ("stalled", "undisposed", "recent"):
        return  # still open at year end
    if kind == "june_late":
        steps["处置"] = last = t0 + dt.timedelta(rng.randint(13, 17))  # in July, too late
    elif case.must_handle:
        steps["处置"] = last = step(last, rng.randint(0, 2))
    elif not analysed:
        # An alert found not to need handling is closed from 预警, never through 处置 (the
        # ledger's rule: a case that reached 处置 is 应处置). The draw stays, and the day the
        # case is closed with it, so the rest of the year is the same.
        last = step(last, rng.randint(0, 2))
    if kind == "unclosed":
        return  # disposed, the closing reply overdue
    steps["办结"] = step(last, rng.randint(0, 3)) if kind != "june_late" else last + dt.timedelta(3)


def _opinion_texts(
    rng: random.Random, case: _Case, platform: str
) -> tuple[str, str, dict[str, str]]:
    """Title, summary, and the products' texts (预警单, 研判报告, 处置情况, 办结回复)."""
    if case.kind == "major":
        place, issue, dept = "黄金海岸", "海鲜排档被指“天价海鲜”宰客", "县市场监督管理局"
        title = f"网传{place}某海鲜排档“天价海鲜”宰客"
    else:
        place, issue, dept = _issue_for(rng, case.first_seen)
        form = rng.choice(TITLE_FORMS)
        title = form.format(place=place, issue=issue, platform=platform)
    reads = rng.randint(800, 9000) if case.grade == "一般" else rng.randint(20000, 380000)
    t0 = case.first_seen
    summary = (
        f"{t0.month}月{t0.day}日，{platform}出现网民帖文称{place}{issue}，"
        f"发现时阅读量约{reads}次、评论{reads // rng.randint(25, 120)}条，"
        f"{'网民情绪较为激动' if case.grade != '一般' else '以诉求表达为主'}。"
    )
    texts = {}
    if "预警" in case.steps:
        texts["alert_note"] = (
            f"预警单：{title}。级别{case.grade}，已推送{dept}及属地，请及时核实回应。"
        )
    if "研判" in case.steps:
        trend = "有扩散风险，建议尽快回应" if case.must_handle else "热度有限，建议持续关注"
        texts["analysis_report"] = f"研判报告：该信息主要在{platform}传播，涉及{place}，{trend}。"
    if "处置" in case.steps:
        texts["handling"] = (
            f"已转{dept}核实处置，相关部门通过{platform}账号发布情况说明，对网民诉求逐一回应。"
        )
    if "办结" in case.steps:
        if "处置" in case.steps:
            texts["closing_reply"] = f"{dept}反馈：问题已处理完毕，网民表示认可，舆情平息。"
        else:
            texts["closing_reply"] = "经核实为一般性诉求，热度自然回落，无需处置，予以办结。"
    return title, summary, texts


def _opinions(rng: random.Random) -> list[Row]:
    rows: list[Row] = []
    links: set[str] = set()
    for case in _case_dates(rng):
        _plan_case(rng, case)
        platform = rng.choices(PLATFORMS, PLATFORM_WEIGHTS)[0]
        if case.kind == "major":
            platform = "抖音"
        link = _link(rng, platform)
        while link in links:
            link = _link(rng, platform)
        links.add(link)
        title, summary, texts = _opinion_texts(rng, case, platform)
        state = list(case.steps)[-1]
        assert case.deadline is not None
        rows.append(
            Row(
                "opinion",
                {
                    "title": title,
                    "platform": platform,
                    "link": link,
                    "first_seen": case.first_seen.isoformat(),
                    "summary": summary,
                    "grade": case.grade,
                    "must_handle": case.must_handle,
                    "assignee": rng.choice(STAFF),
                    "deadline": case.deadline.isoformat(),
                    **texts,
                },
                P1,
                state,
                {s: d.isoformat() for s, d in case.steps.items()},
            )
        )
    return rows


# --- 网宣发布 (posts) -----------------------------------------------------------------------

POST_COUNT = 524
CHANNELS = ["微信", "微博", "抖音", "今日头条"]
CHANNEL_WEIGHTS = [35, 25, 20, 20]
# Month themes of a county's publicity year; {town} takes a town's name.
POST_THEMES = {
    int(month): themes.split("；")
    for month, themes in _table("""
1 | {town}开展冬季安全生产大检查；昌黎县召开2021年网信工作会议；{town}做好冬季疫情防控
2 | 昌黎县春节期间疫情防控提示；{town}开展春节前走访慰问；昌黎县推动企业节后复工复产
3 | {town}启动春季植树造林；昌黎县党史学习教育动员部署；{town}开展学雷锋志愿服务
4 | 碣石山景区春季开园迎客；{town}开展党史学习教育专题宣讲；全民国家安全教育日宣传
5 | “五一”假期文旅市场平稳有序；{town}开展防范电信网络诈骗宣传；{town}推进人居环境整治
6 | 黄金海岸浴场开放；{town}开展安全生产月活动；昌黎县庆祝建党100周年文艺演出
7 | 收听收看庆祝中国共产党成立100周年大会；黄金海岸旅游旺季安全提示；{town}做好防汛备汛
8 | 黄金海岸接待游客量创新高；{town}扎实推进乡村振兴；昌黎县葡萄陆续上市
9 | 昌黎县举办国家网络安全宣传周活动；第三十届昌黎葡萄节开幕；{town}开展中秋节前市场检查
10 | 昌黎县国庆假期旅游市场综述；{town}秋收工作有序推进；{town}开展秸秆禁烧宣传
11 | {town}推进冬季清洁取暖；昌黎县开展宪法宣传周活动；{town}开展消防安全宣传月活动
12 | 昌黎县召开经济工作会议；{town}开展“12·4”国家宪法日宣传；{town}做好冬季供暖保障
""")
}
POST_SERIES = ["【昌黎发布】", "【网信昌黎】", "【碣石快讯】", "【党史学习】", "【文明昌黎】", ""]


def _post_weight(day: dt.date) -> float:
    weight = 1.0 if is_workday(day) else 0.45
    if _in(day, SPRING_FESTIVAL) or _in(day, NATIONAL_DAY):
        weight = 0.2
    return weight * (1.3 if day > MID else 1.0)


def _posts(rng: random.Random) -> list[Row]:
    days = _days()
    chosen = sorted(rng.choices(days, [_post_weight(d) for d in days], k=POST_COUNT))
    rows: list[Row] = []
    keys: set[tuple[str, str, str]] = set()
    account = _digits(rng, 10)
    reads = {
        "微信": (300, 3000),
        "微博": (500, 8000),
        "抖音": (1000, 30000),
        "今日头条": (500, 9000),
    }
    for day in chosen:
        channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        while True:
            theme = rng.choice(POST_THEMES[day.month]).format(town=rng.choice(TOWNS))
            title = rng.choice(POST_SERIES) + theme
            if (channel, day.isoformat(), title) not in keys:
                break
        keys.add((channel, day.isoformat(), title))
        link = {
            "微信": f"https://mp.weixin.qq.com/s/{_token(rng, 22)}",
            "微博": f"https://weibo.com/{account}/{_token(rng, 9)}",
            "抖音": f"https://www.douyin.com/video/69{_token(rng, 17, '0123456789')}",
            "今日头条": f"https://www.toutiao.com/article/69{_token(rng, 17, '0123456789')}/",
        }[channel]
        low, high = reads[channel]
        rows.append(
            Row(
                "post",
                {
                    "channel": channel,
                    "published_on": day.isoformat(),
                    "title": title,
                    "link": link,
                    "kind": "原创" if rng.random() < 0.7 else "转发",
                    "reads": rng.randint(low, high),
                },
            )
        )
    return rows


# --- 稿件报送 (submissions) -------------------------------------------------------------------

SUBMISSION_COUNT = 92
# (level, outlet, where its stories are published)
OUTLETS = _table("""
县 | 昌黎县融媒体中心 | https://www.clrmt.cn/xw/
县 | 昌黎县人民政府网 | http://www.changli.gov.cn/zwdt/
市 | 秦皇岛新闻网 | https://www.qhdnews.com/xw/
市 | 秦皇岛日报 | https://epaper.qhdnews.com/qhdrb/
市 | 秦皇岛广播电视台 | https://www.qhdtv.cn/news/
市 | 秦皇岛发布 | https://www.qhd.gov.cn/front_pcthi.do?uuid=
省 | 河北新闻网 | https://hebei.hebnews.cn/
省 | 长城网 | https://report.hebei.com.cn/system/
省 | 河北日报客户端 | https://hbrb.hebnews.cn/
省 | 冀时客户端 | https://www.hebtv.com/news/
中央 | 人民网 | http://he.people.com.cn/n2/
中央 | 新华网 | http://he.news.cn/
中央 | 央视网 | https://news.cctv.com/
中央 | 中国网 | http://hebei.china.com.cn/
""")
LEVELS = ["县", "市", "省", "中央"]
LEVEL_WEIGHTS = [22, 44, 20, 6]
COUNTY_ADOPTION = 0.85
# Share of city-or-higher stories adopted per half year: the seed's target is 30 %; the first
# half falls a little short, the second makes up for it.
CITY_ADOPTION = {False: 0.28, True: 0.37}
STORIES = (
    """
{town}“网格化”服务打通民生最后一公里；葡萄产业链条延伸助农增收；黄金海岸文旅融合发展见实效
{town}党史学习教育走深走实；网络安全宣传周活动精彩纷呈；{town}人居环境整治扮靓乡村
碣石山下书写乡村振兴新篇章；{town}志愿服务温暖人心；“我为群众办实事”实践活动落地见效
{town}特色产业带动群众致富；筑牢网络安全防线护航发展；干红葡萄酒产业集群加速发展
""".replace("\n", "；")
    .strip("；")
    .split("；")
)


def _submissions(rng: random.Random) -> list[Row]:
    days = [d for d in _days() if is_workday(d)]
    weights = [1.15 if d > MID else 1.0 for d in days]
    chosen = sorted(rng.choices(days, weights, k=SUBMISSION_COUNT))
    drafts: list[tuple[dt.date, list[str], str]] = []
    keys: set[tuple[str, str, str]] = set()
    for day in chosen:
        level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
        outlet = rng.choice([o for o in OUTLETS if o[0] == level])
        while True:
            title = "昌黎：" + rng.choice(STORIES).format(town=rng.choice(TOWNS))
            if (outlet[1], day.isoformat(), title) not in keys:
                break
        keys.add((outlet[1], day.isoformat(), title))
        drafts.append((day, outlet, title))
    adopted = {
        n
        for n, (_, place, _) in enumerate(drafts)
        if place[0] == "县" and rng.random() < COUNTY_ADOPTION
    }
    for second_half, share in CITY_ADOPTION.items():
        pool = [
            n
            for n, (day, place, _) in enumerate(drafts)
            if place[0] != "县" and (day > MID) == second_half
        ]
        adopted.update(rng.sample(pool, round(share * len(pool))))
    rows: list[Row] = []
    for n, (day, (level, name, site), title) in enumerate(drafts):
        values: dict[str, Any] = {
            "title": title,
            "outlet": name,
            "level": level,
            "submitted_on": day.isoformat(),
            "adopted": n in adopted,
        }
        if n in adopted:
            # Adoption follows within days, in the same half year (so as-of figures are true).
            cap = MID if day <= MID else END
            values["adopted_on"] = min(day + dt.timedelta(rng.randint(0, 3)), cap).isoformat()
            values["link"] = f"{site}{_digits(rng, 8)}.html"
        rows.append(Row("submission", values))
    return rows


# --- 工作任务 (tasks) -------------------------------------------------------------------------

P1_TASKS = [
    *[(f"报送{m}月份网络舆情分析报告", m) for m in range(1, 13)],
    *[(f"报送第{q}季度网络安全态势报告", q * 3) for q in range(1, 5)],
    *[
        (title, int(month))
        for month, title in _table("""
1 | 舆情小秘书服务合同续签
2 | 春节期间网络舆情24小时值班值守
3 | 全国两会期间网络安全保障
4 | 开展第一次网络安全检查
4 | 关键信息基础设施摸底调查
5 | 举办第一期网信业务培训班
5 | 舆情小秘书上半年服务质量评估
6 | 建党100周年网络安全保障方案
6 | 建党100周年舆情应急处置演练
7 | 网络安全责任制落实情况自查
8 | 重要信息系统等级保护测评
9 | 国家网络安全宣传周活动筹备
9 | 开展第二次网络安全检查
9 | 国庆期间网络舆情值班值守
11 | 举办网络安全知识培训
12 | 开展第三次网络安全检查
12 | 县委网信委全体会议材料准备
12 | 年度网络安全工作总结
12 | 信息化工作调研报告
12 | 网络安全和信息化经费绩效自评
""")
    ],
]
P2_TASKS = [
    *[(f"编发{m}月份网络宣传工作要点", m) for m in range(1, 13)],
    *[(f"第{q}季度网宣平台运营分析", q * 3) for q in range(1, 5)],
    *[
        (title, int(month))
        for month, title in _table("""
2 | 春节网上宣传方案
3 | 全国两会网上宣传
3 | 党史学习教育网上宣传专栏
4 | 碣石山景区开园网上推介
4 | 五一假期文旅网上宣传
5 | 网评员队伍业务培训
6 | 建党100周年网上主题宣传
6 | 网络宣传管理经费绩效运行监控
7 | 黄金海岸旅游季网上推介
8 | 优秀新媒体作品评选活动方案
9 | 葡萄节网上宣传报道
9 | 国庆假期网上宣传
10 | 优秀新媒体作品评选结果发布
11 | 官方网宣平台账号年度核查
12 | 县经济工作会议网上宣传
12 | 年度网络宣传工作总结
12 | 下年度网宣平台运营计划
12 | 新媒体矩阵建设调研
12 | 网宣平台信息发布审核台账整理
12 | 网络宣传管理经费绩效自评
""")
    ],
]
# Tasks completed after their due date: (project, title); the rest are on time.
LATE_TASKS = {
    (P1, "建党100周年舆情应急处置演练"),
    (P1, "重要信息系统等级保护测评"),
    (P2, "优秀新媒体作品评选结果发布"),
}


def _tasks(rng: random.Random) -> list[Row]:
    rows: list[Row] = []
    for project, tasks, source in (
        (P1, P1_TASKS, "县委网信委"),
        (P2, P2_TASKS, "县委宣传部"),
    ):
        owners = STAFF[:3] if project == P1 else STAFF[2:]
        for index, (title, month) in enumerate(tasks):
            if index < 16:  # the monthly and quarterly reports are due at the month's end
                due = _last_workday(YEAR, month)
            else:
                due = _workday(rng, dt.date(YEAR, month, 8), _last_workday(YEAR, month))
            assigned = due - dt.timedelta(rng.randint(10, 25))
            while not is_workday(assigned) and assigned > START:
                assigned -= dt.timedelta(1)
            if (project, title) in LATE_TASKS:
                done = due + dt.timedelta(rng.randint(3, 9))
                if due <= MID:
                    done = max(done, MID + dt.timedelta(2))  # so it is also open at 30 June
                done = _on_or_after_workday(done)
            else:
                done = due - dt.timedelta(rng.choice([0, 0, 1, 1, 2, 3, 5]))
                while not is_workday(done):
                    done -= dt.timedelta(1)
            rows.append(
                Row(
                    "task",
                    {
                        "title": title,
                        "source": source,
                        "assigned_on": max(assigned, START).isoformat(),
                        "due_on": due.isoformat(),
                        "completed_on": done.isoformat(),
                        "owner": rng.choice(owners),
                    },
                    project,
                )
            )
    return rows


# --- 支出 (expenditures), 培训 (training), 网络安全检查 (inspections) -------------------------

P1_TOTAL_CENTS = 142_000_00
P2_TOTAL_CENTS = 48_600_00
INSPECTIONS = [
    (dt.date(2021, 4, 12), dt.date(2021, 4, 23), "2021年第一次网络安全检查（党政机关网站）"),
    (dt.date(2021, 9, 6), dt.date(2021, 9, 17), "2021年第二次网络安全检查（关键信息基础设施）"),
    (dt.date(2021, 12, 1), dt.date(2021, 12, 10), "2021年第三次网络安全检查（年终专项）"),
]
TRAININGS = [
    (dt.date(2021, 5, 17), dt.date(2021, 5, 28), "全县网信业务培训班（第一期）", 6),
    (dt.date(2021, 11, 8), dt.date(2021, 11, 19), "全县网络安全知识培训", 4),
]
# A payment: its window ("MM-DD~MM-DD", or "培训N" for the bill of training session N), economic
# class, summary, payee and nominal yuan; a project's last line balances its total.
P1_SPENDING = _table("""
02-01~02-26 | 信息网络及软件购置更新 | 终端杀毒软件授权续费 | 某某软件有限公司 | 3680
03-15~03-31 | 维修（护）费 | 机房网络设备维护 | 秦皇岛某某网络安全技术有限公司 | 2450
04-26~05-14 | 委托业务费 | 第一次网络安全检查技术服务费 | 秦皇岛某某网络安全技术有限公司 | 5200
培训0 | 培训费 | 网信业务培训班（第一期）场地及教材费 | 昌黎县某某宾馆 | 3650
06-21~06-30 | 委托业务费 | 舆情小秘书服务费（上半年） | 某某舆情科技有限公司 | 50000
06-21~06-30 | 委托业务费 | 建党100周年网络安全保障服务费 | 秦皇岛某某网络安全技术有限公司 | 3800
08-02~08-31 | 维修（护）费 | 网络设备及线路维护 | 秦皇岛某某网络安全技术有限公司 | 1980
09-22~10-15 | 委托业务费 | 第二次网络安全检查技术服务费 | 秦皇岛某某网络安全技术有限公司 | 4800
10-11~10-29 | 信息网络及软件购置更新 | 防火墙特征库升级服务 | 某某软件有限公司 | 3600
培训1 | 培训费 | 网络安全知识培训场地及讲课费 | 昌黎县某某宾馆 | 4280
12-13~12-24 | 委托业务费 | 第三次网络安全检查技术服务费 | 秦皇岛某某网络安全技术有限公司 | 4500
12-20~12-29 | 委托业务费 | 舆情小秘书服务费（下半年） | 某某舆情科技有限公司 | 50000
12-20~12-30 | 委托业务费 | 等级保护测评复核服务费 | 秦皇岛某某网络安全技术有限公司 | 0
""")
P2_SPENDING = _table("""
01-18~01-29 | 办公费 | 办公用纸及文具 | 昌黎县某某文具店 | 860
03-08~03-26 | 办公费 | 打印机硒鼓墨盒 | 昌黎县某某办公用品店 | 1240
04-12~04-30 | 差旅费 | 赴石家庄参加全省网络宣传工作培训 |  | 1380
05-10~05-28 | 公务接待费 | 接待市委网信办调研 | 昌黎县某某宾馆 | 420
06-07~06-18 | 设备购置费 | 采购单反相机一台（新闻采编用） | 秦皇岛某某数码科技有限公司 | 9800
06-15~06-29 | 其他商品和服务支出 | 建党100周年网上主题宣传制作费 | 某某文化传媒有限公司 | 6200
06-21~06-30 | 办公费 | 办公用品购置 | 昌黎县某某文具店 | 1530
07-05~07-23 | 差旅费 | 赴秦皇岛参加全市网评员培训 |  | 560
08-16~09-10 | 其他商品和服务支出 | 优秀新媒体作品评选活动费用 | 某某文化传媒有限公司 | 4600
09-13~09-30 | 公务接待费 | 接待省网信办督导 | 昌黎县某某宾馆 | 610
10-18~10-29 | 办公费 | 打印机硒鼓墨盒 | 昌黎县某某办公用品店 | 980
11-08~11-26 | 设备购置费 | 采购笔记本电脑一台（网宣编辑用） | 秦皇岛某某电脑有限公司 | 6480
11-15~11-30 | 差旅费 | 赴北京参加网络传播工作交流 |  | 1760
12-06~12-17 | 办公费 | 办公用纸及文具 | 昌黎县某某文具店 | 1120
12-13~12-24 | 公务接待费 | 接待市委网信办年终考核 | 昌黎县某某宾馆 | 380
12-20~12-30 | 其他商品和服务支出 | 官方网宣平台年度运营维护费 | 某某文化传媒有限公司 | 0
""")


def _jitter(rng: random.Random, yuan: int) -> int:
    """Cents near a nominal amount (±8 %), round to the yuan as real invoices mostly are."""
    cents = round(yuan * 100 * rng.uniform(0.92, 1.08))
    return cents - cents % 100 if rng.random() < 0.7 else cents


def _spending(
    rng: random.Random,
    plan: list[list[str]],
    total_cents: int,
    training_days: list[dt.date],
) -> list[tuple[dt.date, int, str, str, str]]:
    """(paid_on, cents, class, summary, payee), the last line balancing the project's total."""
    lines = []
    for window, klass, summary, payee, yuan in plan:
        if window.startswith("培训"):  # the bill of a training session, paid after it
            session = training_days[int(window.removeprefix("培训"))]
            day = _on_or_after_workday(session + dt.timedelta(3))
        else:
            first, last = (dt.date.fromisoformat(f"{YEAR}-{d}") for d in window.split("~"))
            day = _workday(rng, first, last)
        fixed = summary.startswith("舆情小秘书")  # a contract price, not an invoice total
        cents = int(yuan) * 100 if fixed else _jitter(rng, int(yuan))
        lines.append((day, cents, klass, summary, payee))
    day, _, klass, summary, payee = lines[-1]
    balance = total_cents - sum(c for _, c, *_ in lines[:-1])
    assert balance > 0, "the demo's spending plan overshoots its total"
    lines[-1] = (day, balance, klass, summary, payee)
    return lines


def _expenditures(rng: random.Random, training_days: list[dt.date]) -> list[Row]:
    lines = [(P1, *ln) for ln in _spending(rng, P1_SPENDING, P1_TOTAL_CENTS, training_days)]
    lines += [(P2, *ln) for ln in _spending(rng, P2_SPENDING, P2_TOTAL_CENTS, training_days)]
    lines.sort(key=lambda line: (line[1], line[0], line[4]))
    # One voucher sequence per month for the whole unit; other vouchers (salaries …) fall
    # between ours, hence the gaps.
    serial: dict[int, int] = {}
    rows = []
    for project, day, cents, klass, summary, payee in lines:
        serial[day.month] = serial.get(day.month, rng.randint(1, 6)) + rng.randint(2, 9)
        values = {
            "paid_on": day.isoformat(),
            "amount": _money(cents),
            "economic_class": klass,
            "voucher": f"记-{YEAR}-{day.month:02d}-{serial[day.month]:04d}",
            "summary": summary,
            # Both projects' budgets are all 当年财政拨款 (seed: 其他资金0万元, no carry-over).
            "fund_source": "财政拨款",
        }
        # Travel is reimbursed to the one who travelled.
        values["payee"] = payee or rng.choice(STAFF)
        rows.append(Row("expenditure", values, project))
    return rows


def _trainings(rng: random.Random) -> tuple[list[Row], list[dt.date]]:
    rows, days = [], []
    for start, end, title, hours in TRAININGS:
        day = _workday(rng, start, end)
        days.append(day)
        values = {
            "title": title,
            "held_on": day.isoformat(),
            "organizer": "中共昌黎县委网信办",
            "participants": rng.randint(55, 90),
            "hours": str(hours),
        }
        rows.append(Row("training", values, P1))
    return rows, days


def _inspections(rng: random.Random) -> list[Row]:
    rows = []
    findings = [
        ("部分网站后台弱口令、个别系统未及时更新补丁", "已整改"),
        ("个别单位网站存在过期页面，一处信息系统日志留存不足六个月", "已整改"),
        ("两个单位网站 SSL 证书即将到期，一处系统存在中危漏洞", "整改中"),
    ]
    scope = [
        ("县政府门户网站等12个党政机关网站", 12),
        ("县融媒体中心、县供电公司等8个关键信息基础设施运营单位", 8),
        ("全县各乡镇及县直部门共28个单位", 28),
    ]
    for (start, end, title), (finding, status), (units, count) in zip(
        INSPECTIONS, findings, scope, strict=True
    ):
        rows.append(
            Row(
                "inspection",
                {
                    "title": title,
                    "inspected_on": _workday(rng, start, end).isoformat(),
                    "units": units,
                    "systems": f"门户网站、办公系统等共{count + rng.randint(2, 9)}个网站和信息系统",
                    "findings": finding,
                    "issues": rng.randint(2, 7),
                    "rectification": status,
                },
                P1,
            )
        )
    return rows


# --- 满意度调查 (surveys) --------------------------------------------------------------------

SURVEYS = [
    (P1, "A", ["县直部门网信联络员", "乡镇网信专干", "重点网站负责人"]),
    (P2, "B", ["网民", "县直部门通讯员", "网评员"]),
]
SURVEY_WINDOWS = [
    (6, dt.date(2021, 6, 15), dt.date(2021, 6, 25)),
    (12, dt.date(2021, 12, 8), dt.date(2021, 12, 20)),
]
# 满意度 = 满意份数 / 有效问卷数, where 满意 means 非常满意 or 满意 (基本满意 is not counted).
SATISFIED = ("非常满意", "满意")


def _surveys(rng: random.Random) -> list[Row]:
    rows = []
    for project, letter, respondents in SURVEYS:
        for month, start, end in SURVEY_WINDOWS:
            count = rng.randint(48, 53)
            invalid = set(rng.sample(range(count), rng.randint(1, 3)))
            unhappy = rng.randint(2, 4)  # valid responses not satisfied: ≥ 90 % stay satisfied
            ratings = ["基本满意"] * (unhappy - 1) + ["不满意"]
            ratings += [
                "非常满意" if rng.random() < 0.58 else "满意"
                for _ in range(count - len(invalid) - unhappy)
            ]
            rng.shuffle(ratings)
            answers = iter(ratings)
            for n in range(count):
                valid = n not in invalid
                rows.append(
                    Row(
                        "survey",
                        {
                            "number": f"MY{YEAR}{month:02d}-{letter}-{n + 1:03d}",
                            "answered_on": _workday(rng, start, end).isoformat(),
                            "respondent": rng.choice(respondents),
                            "valid": valid,
                            # An invalid form still carries what was ticked (often several boxes).
                            "rating": next(answers) if valid else rng.choice(SATISFIED),
                        },
                        project,
                    )
                )
    return rows


# --- 资产 (assets) and 制度 (rules) -------------------------------------------------------------

# The assets the office held before 2021: (name, category, year bought, original value in cents).
ASSETS = [
    ("台式计算机", "通用设备", 2013, 5200_00),  # worn out: scrapped in July
    ("台式计算机", "通用设备", 2016, 4850_00),
    ("台式计算机", "通用设备", 2016, 4850_00),
    ("激光打印机", "通用设备", 2017, 2380_00),
    ("笔记本电脑", "通用设备", 2018, 5600_00),
    ("办公桌椅（套）", "家具", 2018, 3200_00),
    ("文件柜", "家具", 2018, 1650_00),
    ("复印机", "通用设备", 2019, 12600_00),
    ("服务器", "专用设备", 2019, 26800_00),
    ("防火墙", "专用设备", 2019, 18500_00),
    ("舆情监测工作站", "专用设备", 2020, 9200_00),
]


def _assets(rng: random.Random, expenditures: list[Row]) -> list[Row]:
    """The held assets, registered in the January stock-take, and this year's purchases."""
    rows = []

    def add(
        number: int, item: tuple[str, str, int, int], dates: dict[str, str], **row: Any
    ) -> None:
        name, category, bought, cents = item
        values = {
            "asset_number": f"CL-WX-{bought}-{number:03d}",
            "name": name,
            "category": category,
            "registered_on": dates["登记"],
            "value": _money(cents),
            "keeper": rng.choice(STAFF),
        }
        rows.append(Row("asset", values, row.get("project"), list(dates)[-1], dates))

    # The new 固定资产管理办法 (January 2021) began with a stock-take: every asset held was
    # registered in the ledger then, so the year's asset ledger shows them all.
    stock_take = _workday(rng, dt.date(2021, 1, 18), dt.date(2021, 1, 29)).isoformat()
    scrapped = _workday(rng, dt.date(2021, 7, 5), dt.date(2021, 7, 16)).isoformat()
    for number, item in enumerate(ASSETS, start=1):
        dates = {"登记": stock_take, "使用": stock_take}
        if number == 1:  # the 2013 computer, beyond repair
            dates["报废处置"] = scrapped
        add(number, item, dates)
    # This year's equipment purchases are registered the day they are paid for.
    purchases = [r for r in expenditures if r.values["economic_class"] == "设备购置费"]
    for number, row in enumerate(purchases, start=len(ASSETS) + 1):
        day = dt.date.fromisoformat(row.values["paid_on"])
        name = "单反相机" if "相机" in row.values["summary"] else "笔记本电脑"
        cents = int(row.values["amount"].replace(".", ""))
        used = _on_or_after_workday(day + dt.timedelta(1))
        dates = {"登记": day.isoformat(), "使用": used.isoformat()}
        add(number, (name, "通用设备", YEAR, cents), dates, project=row.project)
    return rows


UNIT_SHORT = "中共昌黎县委网络安全和信息化委员会办公室"
RULES = _words("""
预算管理制度 专项资金使用监督管理办法 财务管理制度 内部控制制度 固定资产管理办法
政府采购管理办法 公务接待管理办法 差旅费管理办法 合同管理办法 预算绩效管理办法
网络舆情监测预警处置工作制度 网络安全事件应急预案 网络安全检查工作制度
官方网宣平台信息发布审核制度 网评员队伍管理办法 保密工作制度 值班值守制度 档案管理制度
公文处理办法 印章管理制度 考勤管理制度 学习培训制度
""")


def _rules(rng: random.Random) -> list[Row]:
    # The seed's safeguards promise "内部制度二十余个": most were revised in a spring overhaul.
    days = sorted(_workday(rng, dt.date(2021, 1, 11), dt.date(2021, 4, 30)) for _ in RULES)
    return [
        Row(
            "rule",
            {
                "title": f"《{UNIT_SHORT}{name}》",
                "document_number": f"昌网办字〔{YEAR}〕{number}号",
                "issued_on": day.isoformat(),
                "status": "有效",
            },
        )
        for number, (name, day) in enumerate(zip(RULES, days, strict=True), start=1)
    ]


# --- the whole year -----------------------------------------------------------------------------


def generate(seed: int = SEED) -> list[Row]:
    """Every record of the demo year, in write order; the same rows for the same seed."""
    rng = random.Random(seed)
    parts: dict[str, list[Row]] = {}
    parts["training"], training_days = _trainings(rng)
    parts["expenditure"] = _expenditures(rng, training_days)
    parts["opinion"] = _opinions(rng)
    parts["post"] = _posts(rng)
    parts["submission"] = _submissions(rng)
    parts["task"] = _tasks(rng)
    parts["survey"] = _surveys(rng)
    parts["inspection"] = _inspections(rng)
    parts["asset"] = _assets(rng, parts["expenditure"])
    parts["rule"] = _rules(rng)
    return [row for code in LEDGER_ORDER for row in parts[code]]


@dataclass
class YearResult:
    """What loading the demo year wrote, per ledger type code."""

    results: dict[str, UpsertResult]
    counts: dict[str, int]  # records of the demo year per ledger type code

    @property
    def created(self) -> int:
        """Records created."""
        return sum(r.created for r in self.results.values())

    @property
    def updated(self) -> int:
        """Records changed."""
        return sum(r.updated for r in self.results.values())

    @property
    def changed(self) -> bool:
        """True when at least one record was written."""
        return bool(self.created or self.updated)

    def counts_text(self) -> str:
        """The year's records per ledger, in Chinese: "舆情 135 条、网宣发布 524 条 …"."""
        names = {p["code"]: p["name"] for p in PRESETS}
        return "、".join(f"{names[code]} {n} 条" for code, n in self.counts.items())


@transaction.atomic
def load_year(unit: Unit, *, actor: Actor) -> YearResult:
    """Write the demo year for the seed's unit; records already there are left as they are.

    The records are written as ``actor`` (the demo's officer), each with its change-log row.
    """
    projects = {p.code: p for p in Project.objects.filter(unit=unit, year=YEAR, code__in=[P1, P2])}
    if set(projects) != {P1, P2}:
        raise ValidationError("演示年度需要先载入种子文件中的两个预算项目")
    present = set(
        LedgerType.objects.filter(unit=None, code__in=LEDGER_ORDER).values_list("code", flat=True)
    )
    if present != set(LEDGER_ORDER):
        # The presets come with a data migration; a database flushed since (as tests that
        # truncate tables do) lacks them, and the demo must still load.
        ensure_presets()
    rows = generate()
    results = {}
    for code in LEDGER_ORDER:
        items = [
            EntryInput(
                r.values,
                projects[r.project] if r.project else None,
                r.state,
                r.state_dates,
            )
            for r in rows
            if r.ledger == code
        ]
        result = upsert_entries(
            ledger_type_for(unit, code), unit, items, actor=actor, comment="演示年度数据"
        )
        if result.errors:  # a bug in the generator, not a user's mistake
            first = result.errors[0]
            raise ValidationError(
                f"演示数据有误（{code} 第 {first.row} 行 {first.column}）：{first.message}"
            )
        results[code] = result
    return YearResult(results, Counter(r.ledger for r in rows))
