"""The records behind an actual come in pages of 100 with page links, whatever their number."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from jixiao.ledgers.services import EntryInput, ledger_type_for, upsert_entries
from jixiao.metrics.tests.conftest import SYSTEM, Builder
from jixiao.metrics.tests.definitions import DISPOSAL, POSTS
from jixiao.metrics.views import PAGE_SIZE
from jixiao.targets.models import Indicator

pytestmark = pytest.mark.django_db
RECORDS = 1200


@pytest.fixture
def posts(build: Builder) -> Indicator:
    """A count of posts bound to an indicator, with 1,200 posts of 2021 behind it."""
    project = build.project("13032221RDEVGNWRIDTHY")
    indicator = build.indicator(project, "官方网宣平台信息发布数量", POSTS, target="≥500条")
    start = dt.date(2021, 1, 1)
    rows = [
        EntryInput(
            {
                "channel": "微信",
                "published_on": (start + dt.timedelta(days=n % 300)).isoformat(),
                "title": f"信息{n:04d}",
                "link": f"https://mp.weixin.qq.com/s/{n}",
            }
        )
        for n in range(RECORDS)
    ]
    upsert_entries(ledger_type_for(build.unit, "post"), build.unit, rows, actor=SYSTEM)
    return indicator


def records_page(client: Client, user: User, indicator: Indicator, **query: str):
    client.force_login(user)
    url = reverse("metrics:records", args=[indicator.pk])
    response = client.get(url, {"as_of": "2021-12-31", **query})
    assert response.status_code == 200
    return response


def shown(response) -> list[str]:
    return re.findall(r"<td>(信息\d{4})</td>", response.content.decode())


def test_the_first_page_shows_100_of_1200_with_the_total_and_page_links(
    client: Client, officer: User, posts: Indicator
) -> None:
    response = records_page(client, officer, posts)
    html = response.content.decode()

    assert PAGE_SIZE == 100
    assert "记录：1200 条（网宣发布台账）" in html
    assert "第 1–100 条，共 1200 条" in html
    assert len(shown(response)) == 100
    assert "第 1 / 12 页，共 1200 条" in html
    assert 'href="?as_of=2021-12-31&amp;page=2"' in html
    assert 'href="?as_of=2021-12-31&amp;page=12"' in html  # the last page is always linked
    assert "仅列出前" not in html


def test_each_page_continues_where_the_last_stopped(
    client: Client, officer: User, posts: Indicator
) -> None:
    pages = [shown(records_page(client, officer, posts, page=str(n))) for n in range(1, 13)]

    assert [len(p) for p in pages] == [100] * 12
    every = [title for p in pages for title in p]
    assert len(set(every)) == RECORDS
    last = records_page(client, officer, posts, page="12").content.decode()
    assert "第 1101–1200 条，共 1200 条" in last
    assert re.search(r'title="查看记录">1101</a>', last)


@pytest.mark.parametrize("bad", ["abc", "-1", "0", "9" * 30])
def test_a_malformed_page_number_shows_the_first_page_with_a_notice(
    client: Client, officer: User, posts: Indicator, bad: str
) -> None:
    response = records_page(client, officer, posts, page=bad)
    html = response.content.decode()
    assert "页码不正确，已显示第 1 页。" in html
    assert "第 1–100 条，共 1200 条" in html


def test_a_page_past_the_last_shows_the_last(
    client: Client, officer: User, posts: Indicator
) -> None:
    html = records_page(client, officer, posts, page="999").content.decode()
    assert "第 1101–1200 条" in html and "页码不正确" not in html


def test_a_ratios_two_lists_page_on_their_own(
    client: Client, officer: User, build: Builder
) -> None:
    project = build.project("13032221C2GKIBLPDEWRQ")
    indicator = build.indicator(project, "网络舆情处置率", DISPOSAL, target="100%")
    rows = [
        EntryInput(
            {
                "title": f"舆情{n:04d}",
                "platform": "微博",
                "link": f"https://weibo.com/x/{n}",
                "first_seen": "2021-03-01",
                "grade": "一般",
                "must_handle": "是",
            },
            project,
        )
        for n in range(150)
    ]
    upsert_entries(ledger_type_for(build.unit, "opinion"), build.unit, rows, actor=SYSTEM)

    html = records_page(client, officer, indicator, denominator_page="2").content.decode()

    assert "分子：0 条（" not in html  # an empty numerator has no ledger to name
    assert "分母：150 条（舆情台账）" in html
    assert "第 101–150 条，共 150 条" in html
    assert 'href="?as_of=2021-12-31&amp;denominator_page=1"' in html


def test_the_page_costs_the_same_queries_for_1200_records_as_for_a_few(
    client: Client,
    officer: User,
    posts: Indicator,
    build: Builder,
    django_assert_max_num_queries: object,
) -> None:
    weibo = {"field": "channel", "op": "=", "value": "微博"}
    few = build.indicator(posts.project, "微博发布数量", {**POSTS, "filters": [weibo]})
    for n in range(3):
        build.entry("post", channel="微博", published_on=dt.date(2021, 5, 1 + n), title=f"微博{n}")
    client.force_login(officer)
    url = reverse("metrics:records", args=[few.pk])
    with django_assert_max_num_queries(40) as small:  # type: ignore[operator]
        response = client.get(url, {"as_of": "2021-12-31"})
    assert "记录：3 条（网宣发布台账）" in response.content.decode()
    url = reverse("metrics:records", args=[posts.pk])
    with django_assert_max_num_queries(len(small.captured_queries) + 2):  # type: ignore[operator]
        client.get(url, {"as_of": "2021-12-31"})
