"""The search page: each kind found within the person's reach and nowhere else, bounded."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from conftest import Org
from jixiao.core.document import TargetDocument
from jixiao.ledgers import services as ledgers
from jixiao.ledgers.models import LedgerType
from jixiao.ledgers.services import EntryInput
from jixiao.lib.actor import Actor
from jixiao.rounds import services as rounds
from jixiao.rounds.choices import RoundKind
from jixiao.search.query import PER_KIND, QUERY_MAX, search
from jixiao.targets.services import import_document
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("测试")
WORD = "垃圾清运"


def case(n: int, title: str, unit_code: str = "224001") -> dict[str, object]:
    return {
        "title": title,
        "platform": "微博",
        "link": f"https://weibo.com/{unit_code}/{n}",
        "first_seen": f"2021-03-{1 + n % 28:02d}",
        "grade": "一般",
        "must_handle": "是",
        "deadline": "2099-12-31",
    }


@pytest.fixture
def unit(org: Org, demo_document: TargetDocument) -> Unit:
    """Unit A (224001) with its two 2021 projects and their indicators."""
    return import_document(demo_document, actor=SYSTEM, source="seed.txt").unit


@pytest.fixture
def opinion() -> LedgerType:
    return LedgerType.objects.get(code="opinion", unit__isnull=True)


def add_cases(ledger: LedgerType, unit: Unit, titles: list[str], start: int = 0) -> None:
    code = unit.code or "x"
    rows = [EntryInput(case(start + n, title, code)) for n, title in enumerate(titles)]
    ledgers.upsert_entries(ledger, unit, rows, actor=SYSTEM)


@pytest.fixture
def cases(unit: Unit, org: Org, opinion: LedgerType) -> None:
    """A case of unit A and one of unit B with the same word in their titles."""
    add_cases(opinion, unit, [f"网民反映某乡镇{WORD}不及时", "供暖温度不达标投诉"])
    add_cases(opinion, org.unit_b, [f"档案馆门前{WORD}问题"])


def page(client: Client, user: User, q: str) -> str:
    client.force_login(user)
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def titles(html: str, section: str) -> list[str]:
    """The linked titles of one section of the results page."""
    block = re.search(
        rf'<section class="search-section" id="search-{section}">'
        r'.*?<ul class="search-hits">(.*?)</ul>',
        html,
        re.S,
    )
    if block is None:
        return []
    return re.findall(r'<li><a href="[^"]+">([^<]+)</a>', block.group(1))


def test_the_officer_finds_their_units_case_by_a_word_of_its_title(
    client: Client, officer: User, cases: None
) -> None:
    html = page(client, officer, WORD)

    assert titles(html, "records") == [f"网民反映某乡镇{WORD}不及时"]
    assert "档案馆门前" not in html


def test_the_other_units_officer_finds_only_their_own_case(
    client: Client, officer_b: User, cases: None
) -> None:
    html = page(client, officer_b, WORD)

    assert titles(html, "records") == [f"档案馆门前{WORD}问题"]
    assert "网民反映某乡镇" not in html


def test_the_bureau_finds_both_units_and_another_bureau_neither(
    client: Client, reviewer: User, other_reviewer: User, cases: None
) -> None:
    assert sorted(titles(page(client, reviewer, WORD), "records")) == sorted(
        [f"网民反映某乡镇{WORD}不及时", f"档案馆门前{WORD}问题"]
    )
    html = page(client, other_reviewer, WORD)
    assert titles(html, "records") == []
    assert "没有找到与“垃圾清运”相关的内容" in html


def test_a_hit_links_to_the_record(client: Client, officer: User, cases: None) -> None:
    html = page(client, officer, WORD)
    link = re.search(r'<li><a href="(/ledgers/entry/\d+/)">网民反映', html)
    assert link is not None
    assert client.get(link.group(1)).status_code == 200


def test_projects_by_name_and_code_and_indicators_by_name_and_target(
    client: Client, officer: User, officer_b: User, unit: Unit
) -> None:
    assert titles(page(client, officer, "宣传管理"), "projects") == ["网络宣传管理经费"]
    assert titles(page(client, officer, "RDEVGNWRIDTHY"), "projects") == ["网络宣传管理经费"]
    assert titles(page(client, officer, "处置率"), "indicators") == ["网络舆情处置率：100%"]
    assert titles(page(client, officer, "≥500条"), "indicators") == [
        "官方网宣平台信息发布数量：≥500条"
    ]
    assert titles(page(client, officer_b, "宣传管理"), "projects") == []
    assert titles(page(client, officer_b, "处置率"), "indicators") == []


def test_reports_by_round_title_kind_and_unit(
    client: Client, officer: User, officer_b: User, other_reviewer: User, unit: Unit, org: Org
) -> None:
    rounds.open_round(
        kind=RoundKind.MONITORING,
        year=2021,
        as_of=dt.date(2021, 6, 30),
        due_on=dt.date(2021, 7, 15),
        bureau=org.bureau,
        title="2021年上半年运行监控",
        actor=SYSTEM,
    )
    own = titles(page(client, officer, "上半年"), "reports")
    assert own == [f"{unit} · 2021年上半年运行监控"]
    assert titles(page(client, officer, "运行监控"), "reports") == own
    assert titles(page(client, officer_b, "上半年"), "reports") == []  # unit B has no report
    assert titles(page(client, other_reviewer, "上半年"), "reports") == []


def test_more_hits_than_shown_link_to_the_ledger_list_searched(
    client: Client, officer: User, unit: Unit, opinion: LedgerType
) -> None:
    add_cases(opinion, unit, [f"{WORD}问题{n}" for n in range(PER_KIND + 5)])

    html = page(client, officer, WORD)

    assert len(titles(html, "records")) == PER_KIND
    assert f'台账记录<span class="subtitle">{PER_KIND + 5} 项</span>' in html
    more = re.search(r'<ul class="search-more">\s*<li><a href="([^"]+)">([^<]+)</a>', html)
    assert more is not None
    url = more.group(1).replace("&amp;", "&")
    assert more.group(2) == f"舆情台账 · {unit.name} · 2021 年：{PER_KIND + 5} 条 →"
    listed = client.get(url)
    assert listed.status_code == 200
    assert listed.context["page"].paginator.count == PER_KIND + 5


def test_an_empty_query_shows_the_box_and_a_long_one_is_cut(
    client: Client, officer: User, unit: Unit
) -> None:
    html = page(client, officer, "   ")
    assert "可搜索本人权限范围内的" in html and "search-section" not in html
    client.force_login(officer)
    response = client.get("/search/", {"q": "网" * 500})
    assert response.status_code == 200
    assert response.context["search_query"] == "网" * QUERY_MAX


def test_the_page_needs_a_login(client: Client) -> None:
    response = client.get("/search/", {"q": "网络"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_markup_in_the_query_is_shown_as_text(client: Client, officer: User, unit: Unit) -> None:
    html = page(client, officer, "<b>网络</b>")
    assert "&lt;b&gt;网络&lt;/b&gt;" in html and "<b>网络</b>" not in html


def test_the_search_function_answers_the_same_for_the_operator(unit: Unit, cases: None) -> None:
    sections = {s.key: s for s in search(Actor.system("运维"), WORD)}
    assert sections["records"].total == 2


def test_the_query_count_does_not_grow_with_the_data(
    client: Client,
    reviewer: User,
    unit: Unit,
    org: Org,
    opinion: LedgerType,
    django_assert_max_num_queries: object,
) -> None:
    client.force_login(reviewer)
    add_cases(opinion, unit, [f"{WORD}{n}" for n in range(3)])
    with django_assert_max_num_queries(16) as few:  # type: ignore[operator]
        client.get("/search/", {"q": WORD})
    add_cases(opinion, unit, [f"{WORD}多{n}" for n in range(200)], start=3)
    add_cases(opinion, org.unit_b, [f"{WORD}乙{n}" for n in range(200)])
    with django_assert_max_num_queries(len(few.captured_queries) + 2):  # type: ignore[operator]
        response = client.get("/search/", {"q": WORD})
    assert response.context["sections"][2].total == 403
