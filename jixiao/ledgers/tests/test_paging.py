"""A ledger's record list pages 1,200 records by 50, with page links and the total."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from conftest import Org
from jixiao.core.document import TargetDocument
from jixiao.ledgers import services
from jixiao.ledgers.models import LedgerType
from jixiao.ledgers.services import EntryInput
from jixiao.ledgers.views import PAGE_SIZE
from jixiao.lib.actor import Actor
from jixiao.targets.services import import_document

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("测试")
RECORDS = 1200
LIST = "/ledgers/opinion/"


@pytest.fixture
def cases(org: Org, demo_document: TargetDocument) -> None:
    """Unit A with 1,200 opinion cases of 2021."""
    unit = import_document(demo_document, actor=SYSTEM, source="seed.txt").unit
    opinion = LedgerType.objects.get(code="opinion", unit__isnull=True)
    rows = [
        EntryInput(
            {
                "title": f"案例{n:04d}",
                "platform": "微博",
                "link": f"https://weibo.com/p/{n}",
                "first_seen": f"2021-{1 + n % 12:02d}-{1 + n % 28:02d}",
                "grade": "一般",
                "must_handle": "是",
                "deadline": "2099-12-31",
            }
        )
        for n in range(RECORDS)
    ]
    services.upsert_entries(opinion, unit, rows, actor=SYSTEM)


def get(client: Client, user: User, **query: str):
    client.force_login(user)
    response = client.get(LIST, {"unit": "224001", "year": "2021", **query})
    assert response.status_code == 200
    return response


def titles(response) -> list[str]:
    return re.findall(r">(案例\d{4})</a>", response.content.decode())


def test_1200_records_make_24_pages_of_50_with_links_and_the_total(
    client: Client, officer: User, cases: None
) -> None:
    response = get(client, officer)
    html = response.content.decode()

    assert PAGE_SIZE == 50
    assert len(titles(response)) == 50
    assert "共 1200 条，第 1/24 页" in html
    assert "第 1 / 24 页，共 1200 条" in html
    for n in (2, 3, 24):  # the next pages and the last are linked; the middle elided
        assert f'href="?unit=224001&amp;year=2021&amp;page={n}"' in html
    assert 'href="?unit=224001&amp;year=2021&amp;page=12"' not in html
    assert '<span class="page-gap">…</span>' in html


def test_every_page_holds_different_records_and_together_all(
    client: Client, officer: User, cases: None
) -> None:
    seen = [t for n in range(1, 25) for t in titles(get(client, officer, page=str(n)))]
    assert len(seen) == RECORDS == len(set(seen))


def test_a_middle_page_links_its_neighbours_and_both_ends(
    client: Client, officer: User, cases: None
) -> None:
    html = get(client, officer, page="12").content.decode()
    assert '<span class="page-current" aria-current="page">12</span>' in html
    for n in (1, 10, 11, 13, 14, 24):
        assert f'href="?unit=224001&amp;year=2021&amp;page={n}"' in html
    assert 'rel="prev"' in html and 'rel="next"' in html


def test_the_page_links_keep_the_search(client: Client, officer: User, cases: None) -> None:
    response = get(client, officer, q="案例1")  # 案例1000–1199 and 案例1xxx: 200 records
    html = response.content.decode()
    assert "共 200 条，第 1/4 页" in html
    assert 'href="?unit=224001&amp;year=2021&amp;q=%E6%A1%88%E4%BE%8B1&amp;page=4"' in html


@pytest.mark.parametrize("bad", ["x", "-3", "0", "1.5", "9" * 30])
def test_a_malformed_page_number_shows_page_1_with_a_notice(
    client: Client, officer: User, cases: None, bad: str
) -> None:
    response = get(client, officer, page=bad)
    html = response.content.decode()
    assert "页码不正确，已显示第 1 页。" in html
    assert "共 1200 条，第 1/24 页" in html


def test_a_page_past_the_last_is_the_last(client: Client, officer: User, cases: None) -> None:
    response = get(client, officer, page="500")
    assert "共 1200 条，第 24/24 页" in response.content.decode()
    assert len(titles(response)) == 50
