"""The actuals pages through Django's test client: the table, the records, hand entry."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jixiao.metrics.models import ManualActual
from jixiao.metrics.services import enter_manual_actual
from jixiao.metrics.tests.conftest import SYSTEM, Builder
from jixiao.metrics.tests.definitions import ALERTS, BUDGET, DISPOSAL, MANUAL, POSTS
from jixiao.targets.models import Indicator

D = dt.date
INDEX = reverse("metrics:index")


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    """Evidence files go to a scratch directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def seeded(build: Builder) -> dict[str, Indicator]:
    """Two projects of 2021 with counted, manual and unbound indicators and some records."""
    cyber = build.project("13032221C2GKIBLPDEWRQ", position=1)
    publicity = build.project("13032221RDEVGNWRIDTHY", position=2, budget="5")
    found = {
        "alerts": build.indicator(cyber, "舆情监测预警、研判分析数", ALERTS),
        "disposal": build.indicator(cyber, "网络舆情处置率", DISPOSAL, target="100%"),
        "space": build.indicator(
            cyber, "构建清朗网络空间", MANUAL, target="是", kind="qualitative"
        ),
        "posts": build.indicator(publicity, "官方网宣平台信息发布数量", POSTS, target="≥500条"),
        "budget": build.indicator(publicity, "预算控制率", BUDGET, target="≤100%"),
        "term": build.indicator(publicity, "网络宣传影响力持续期限", target="1年"),
    }
    build.opinion(
        cyber,
        D(2021, 2, 1),
        ("预警", D(2021, 2, 1)),
        ("研判", D(2021, 2, 2)),
        ("处置", D(2021, 2, 3)),
        title="某地网传信息",
    )
    build.opinion(cyber, D(2021, 3, 1), ("预警", D(2021, 3, 1)), title="另一条舆情")
    for day in (D(2021, 1, 4), D(2021, 5, 6), D(2021, 8, 1)):
        build.entry("post", published_on=day)
    build.entry("expenditure", publicity, paid_on=D(2021, 3, 1), amount="12345.67")
    build.project("OLD", year=2020)
    return found


@pytest.fixture
def client_in(client: Client, officer: User) -> Client:
    client.force_login(officer)
    return client


def page(client: Client, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def row_of(html: str, indicator: Indicator) -> str:
    match = re.search(rf'<tr id="indicator-{indicator.pk}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {indicator}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def test_pages_need_a_login(client: Client, seeded: dict[str, Indicator]) -> None:
    indicator = seeded["alerts"]
    for url in (
        INDEX,
        reverse("metrics:records", args=[indicator.pk]),
        reverse("metrics:manual", args=[indicator.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_index_shows_every_indicator_with_its_actual(
    client_in: Client, seeded: dict[str, Indicator]
) -> None:
    html = page(client_in, INDEX, unit="224001", year=2021, as_of="2021-06-30")
    assert "224001" in html and "2021 年绩效指标实际完成值" in html
    assert "统计期：2021-01-01 至 2021-06-30" in html
    assert row_of(html, seeded["alerts"]) == (
        "产出指标 数量指标 舆情监测预警、研判分析数 ≥200条 3 按口径计算 "
        "舆情台账的记录在统计期内到达“预警”、“研判”的次数 2"
    )
    assert "50.00 1 / 2" in row_of(html, seeded["disposal"])
    assert row_of(html, seeded["posts"]).endswith("全单位网宣发布台账的记录数 2")
    assert "24.69 12345.67 / 50000.00" in row_of(html, seeded["budget"])
    assert row_of(html, seeded["space"]) == "构建清朗网络空间 是 — 手工填报 填报 —"
    assert row_of(html, seeded["term"]).endswith("1年 — 未设置口径 填报 —")
    records = reverse("metrics:records", args=[seeded["alerts"].pk])
    assert f'href="{records}?as_of=2021-06-30"' in html
    assert 'aria-current="page">实际完成值' in html


def test_index_defaults_to_the_latest_year_and_a_date_inside_it(
    client_in: Client, seeded: dict[str, Indicator]
) -> None:
    html = page(client_in, INDEX)
    expected = min(timezone.localdate(), D(2021, 12, 31))
    assert f'value="{expected.isoformat()}"' in html
    assert f"统计期：2021-01-01 至 {expected.isoformat()}" in html
    assert re.search(r'<option value="2021" selected>', html)


def test_index_says_when_the_date_is_bad(client_in: Client, seeded: dict[str, Indicator]) -> None:
    html = page(client_in, INDEX, unit="224001", year=2021, as_of="2021-13-01")
    assert "日期格式不对：2021-13-01" in html


def test_index_shows_the_hand_entry_and_its_evidence(
    client_in: Client, seeded: dict[str, Indicator]
) -> None:
    entry = enter_manual_actual(
        seeded["space"],
        as_of=D(2021, 6, 1),
        value="达成",
        evidence="开展清朗专项行动 3 次",
        files=[SimpleUploadedFile("专项行动总结.pdf", b"%PDF")],
        actor=SYSTEM,
    )
    html = page(client_in, INDEX, unit="224001", year=2021, as_of="2021-06-30")
    assert row_of(html, seeded["space"]) == (
        "构建清朗网络空间 是 达成 手工填报 "
        "截至 2021-06-01：开展清朗专项行动 3 次 专项行动总结.pdf 更新 —"
    )
    evidence = entry.files.get()
    download = client_in.get(reverse("metrics:evidence", args=[evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF"


def test_records_page_lists_numerator_and_denominator(
    client_in: Client, seeded: dict[str, Indicator]
) -> None:
    url = reverse("metrics:records", args=[seeded["disposal"].pk])
    html = page(client_in, url, as_of="2021-06-30")
    assert "分子：1 条（舆情台账）" in html
    assert "分母：2 条（舆情台账）" in html
    assert html.count("某地网传信息") == 2
    assert html.count("另一条舆情") == 1
    assert "预警 2021-02-01" in html
    assert "舆情台账中“应处置”为是且截至统计日已到达“处置”的记录数" in html


def test_records_page_of_a_count(client_in: Client, seeded: dict[str, Indicator]) -> None:
    url = reverse("metrics:records", args=[seeded["posts"].pk])
    html = page(client_in, url, as_of="2021-12-31")
    assert "记录：3 条（网宣发布台账）" in html


def test_records_page_of_a_budget_ratio_names_the_budget(
    client_in: Client, seeded: dict[str, Indicator]
) -> None:
    html = page(client_in, reverse("metrics:records", args=[seeded["budget"].pk]))
    assert "分母为项目全年预算数：50000.00 元" in html
    assert "分子：1 条（支出台账）" in html
    assert "分母：" not in html.replace("分母为", "")


def test_records_page_of_a_manual_indicator(
    client_in: Client, seeded: dict[str, Indicator]
) -> None:
    html = page(client_in, reverse("metrics:records", args=[seeded["space"].pk]))
    assert "该指标不按台账计算，没有计入的记录" in html


def test_manual_entry_through_the_form(
    client_in: Client, seeded: dict[str, Indicator], officer: User
) -> None:
    indicator = seeded["term"]
    url = reverse("metrics:manual", args=[indicator.pk])
    assert "填报实际完成值：网络宣传影响力持续期限" in page(client_in, url, as_of="2021-06-30")
    response = client_in.post(
        url,
        {
            "as_of": "2021-06-30",
            "value": "1年",
            "evidence": "平台持续运营",
            "files": [
                SimpleUploadedFile("运营报告.docx", b"doc"),
                SimpleUploadedFile("b.png", b"p"),
            ],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{INDEX}?unit=224001&year=2021&as_of=2021-06-30"
    entry = ManualActual.objects.get(indicator=indicator)
    assert (entry.value, entry.number, entry.entered_by) == ("1年", 1, officer)
    assert sorted(entry.files.values_list("name", flat=True)) == ["b.png", "运营报告.docx"]
    html = page(client_in, INDEX, unit="224001", year=2021, as_of="2021-06-30")
    assert "已填报“网络宣传影响力持续期限”的实际完成值：1年（截至 2021-06-30）" in html
    assert "1年 手工填报" in row_of(html, indicator)


def test_manual_entry_without_evidence_is_refused(
    client_in: Client, seeded: dict[str, Indicator]
) -> None:
    url = reverse("metrics:manual", args=[seeded["term"].pk])
    response = client_in.post(url, {"as_of": "2021-06-30", "value": "1年", "evidence": ""})
    assert response.status_code == 200
    assert "这个字段是必填项。" in response.content.decode()
    assert not ManualActual.objects.exists()


def test_manual_entry_of_a_computed_indicator_is_refused(
    client_in: Client, seeded: dict[str, Indicator]
) -> None:
    url = reverse("metrics:manual", args=[seeded["disposal"].pk])
    assert "该指标按口径自动计算，不能手工填报" in page(client_in, url)
    client_in.post(url, {"as_of": "2021-06-30", "value": "100%", "evidence": "台账"})
    assert not ManualActual.objects.exists()


def test_index_costs_the_same_queries_for_more_projects(
    client_in: Client,
    build: Builder,
    seeded: dict[str, Indicator],
    django_assert_max_num_queries: Any,
) -> None:
    with django_assert_max_num_queries(20) as few:
        page(client_in, INDEX, unit="224001", year=2021, as_of="2021-06-30")
    for n in range(10):
        project = build.project(f"EXTRA{n}", position=10 + n)
        build.indicator(project, "舆情监测预警、研判分析数", ALERTS)
        build.indicator(project, "构建清朗网络空间", MANUAL, kind="qualitative")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page(client_in, INDEX, unit="224001", year=2021, as_of="2021-06-30")
