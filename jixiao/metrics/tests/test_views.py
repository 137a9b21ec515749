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

from jixiao.lib.actor import Actor
from jixiao.metrics.models import ManualActual
from jixiao.metrics.services import add_evidence, bind_metric, enter_manual_actual, unbind_metric
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


def test_an_ambiguous_entry_asks_which_reading_then_keeps_it_written_out(
    client_in: Client, build: Builder
) -> None:
    indicator = build.indicator(build.project("SAT"), "服务对象满意度", target="≥90%")
    url = reverse("metrics:manual", args=[indicator.pk])
    form = {"as_of": "2021-06-30", "value": "0.95", "evidence": "问卷汇总"}
    html = client_in.post(url, form).content.decode()
    assert "实际完成值“0.95”是比例还是百分数不明确" in html
    assert 'name="reading" value="95%"' in html and 'name="reading" value="0.95%"' in html
    assert not ManualActual.objects.exists()
    response = client_in.post(url, {**form, "reading": "95%"})
    assert response.status_code == 302
    entry = ManualActual.objects.get(indicator=indicator)
    assert (entry.value, entry.number) == ("95%", 95)


def test_the_fraction_switch_on_the_entry_page(client_in: Client, build: Builder) -> None:
    indicator = build.indicator(build.project("SAT"), "服务对象满意度", target="≥90%")
    url = reverse("metrics:manual", args=[indicator.pk])
    assert "0.95 会请您确认是 95% 还是 0.95%" in page(client_in, url)
    switch = reverse("metrics:fractions", args=[indicator.pk])
    assert client_in.get(switch).status_code == 405
    assert client_in.post(switch, {"on": "1"})["Location"] == url
    assert "本指标的实际值按小数填写" in page(client_in, url)
    client_in.post(url, {"as_of": "2021-06-30", "value": "0.95", "evidence": "问卷汇总"})
    entry = ManualActual.objects.get(indicator=indicator)
    assert (entry.value, entry.number) == ("0.95", 95)
    # A count target has no such switch.
    count = build.indicator(build.project("CNT"), "发布数", target="≥500条")
    assert "按小数填写" not in page(client_in, reverse("metrics:manual", args=[count.pk]))


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
    # 21: the page's own, and the header's unread-message count (one COUNT).
    with django_assert_max_num_queries(21) as few:
        page(client_in, INDEX, unit="224001", year=2021, as_of="2021-06-30")
    for n in range(10):
        project = build.project(f"EXTRA{n}", position=10 + n)
        build.indicator(project, "舆情监测预警、研判分析数", ALERTS)
        build.indicator(project, "构建清朗网络空间", MANUAL, kind="qualitative")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page(client_in, INDEX, unit="224001", year=2021, as_of="2021-06-30")


# --- who sees and who writes ----------------------------------------------------------------


@pytest.fixture
def entered(seeded: dict[str, Indicator]) -> ManualActual:
    """A hand entry of unit A with one evidence file."""
    return enter_manual_actual(
        seeded["space"],
        as_of=D(2021, 6, 1),
        value="达成",
        evidence="开展清朗专项行动 3 次",
        files=[SimpleUploadedFile("专项行动总结.pdf", b"%PDF")],
        actor=SYSTEM,
    )


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def unit_a_urls(seeded: dict[str, Indicator], entered: ManualActual) -> list[str]:
    evidence = entered.files.get()
    return [
        reverse("metrics:records", args=[seeded["disposal"].pk]),
        reverse("metrics:records", args=[seeded["space"].pk]),
        reverse("metrics:manual", args=[seeded["space"].pk]),
        reverse("metrics:evidence", args=[evidence.pk]),
    ]


@pytest.mark.parametrize("who", ["officer_b", "other_reviewer"])
def test_unit_a_is_not_found_outside_its_reach(
    request: pytest.FixtureRequest,
    client: Client,
    seeded: dict[str, Indicator],
    entered: ManualActual,
    who: str,
) -> None:
    login(client, request.getfixturevalue(who))
    for url in unit_a_urls(seeded, entered):
        assert client.get(url).status_code == 404, url
    evidence = entered.files.get()
    posts = [
        (reverse("metrics:manual", args=[seeded["space"].pk]), {"as_of": "2021-06-30"}),
        (reverse("metrics:evidence_remove", args=[evidence.pk]), {}),
        (reverse("metrics:evidence_restore", args=[evidence.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert client.get(INDEX, {"unit": "224001"}).status_code == 404
    assert ManualActual.objects.count() == 1
    assert entered.files.get().removed_at is None


def test_an_officer_of_unit_b_sees_only_unit_b(
    client: Client, seeded: dict[str, Indicator], officer_b: User
) -> None:
    html = page(login(client, officer_b), INDEX)
    assert "224001" not in html
    assert "昌黎县档案馆 还没有预算项目" in html


@pytest.mark.parametrize("who", ["reviewer", "auditor", "head"])
def test_the_bureau_and_the_head_read_every_page(
    request: pytest.FixtureRequest,
    client: Client,
    seeded: dict[str, Indicator],
    entered: ManualActual,
    who: str,
) -> None:
    login(client, request.getfixturevalue(who))
    html = page(client, INDEX, unit="224001", year=2021, as_of="2021-06-30")
    assert "截至 2021-06-01：开展清朗专项行动 3 次" in row_of(html, seeded["space"])
    for url in unit_a_urls(seeded, entered):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["reviewer", "auditor"])
def test_readers_get_no_form_and_403_for_a_post(
    request: pytest.FixtureRequest,
    client: Client,
    seeded: dict[str, Indicator],
    entered: ManualActual,
    who: str,
) -> None:
    login(client, request.getfixturevalue(who))
    html = page(client, INDEX, unit="224001", year=2021, as_of="2021-06-30")
    assert row_of(html, seeded["term"]).endswith("未设置口径 填报记录 —")
    assert "填报" not in row_of(html, seeded["space"]).replace("填报记录", "").replace(
        "手工填报", ""
    )
    url = reverse("metrics:manual", args=[seeded["space"].pk])
    html = page(client, url)
    assert 'class="form manual-form"' not in html
    assert "实际完成值由本单位的填报员或单位负责人填报" in html
    assert "移除</button>" not in html
    response = client.post(url, {"as_of": "2021-06-30", "value": "是", "evidence": "材料"})
    assert response.status_code == 403
    evidence = entered.files.get()
    assert client.post(reverse("metrics:evidence_remove", args=[evidence.pk])).status_code == 403
    assert ManualActual.objects.count() == 1
    assert entered.files.get().removed_at is None


def test_the_head_enters_an_actual(
    client: Client, seeded: dict[str, Indicator], head: User
) -> None:
    url = reverse("metrics:manual", args=[seeded["term"].pk])
    response = login(client, head).post(
        url, {"as_of": "2021-06-30", "value": "1年", "evidence": "平台持续运营"}
    )
    assert response.status_code == 302
    assert ManualActual.objects.get(indicator=seeded["term"]).entered_by == head


def test_evidence_is_removed_and_restored_from_the_page(
    client_in: Client, seeded: dict[str, Indicator], entered: ManualActual, officer: User
) -> None:
    evidence = entered.files.get()
    manual = reverse("metrics:manual", args=[seeded["space"].pk])
    html = page(client_in, manual)
    assert f'action="{reverse("metrics:evidence_remove", args=[evidence.pk])}"' in html
    assert client_in.get(reverse("metrics:evidence_remove", args=[evidence.pk])).status_code == 405
    response = client_in.post(reverse("metrics:evidence_remove", args=[evidence.pk]))
    assert (response.status_code, response["Location"]) == (302, manual)
    html = page(client_in, manual)
    assert "已移除佐证材料“专项行动总结.pdf”（文件仍保留，可恢复）" in html
    assert "<del>" in html and "恢复</button>" in html
    index = page(client_in, INDEX, unit="224001", year=2021, as_of="2021-06-30")
    assert "专项行动总结.pdf" not in row_of(index, seeded["space"])
    # Kept: still downloadable by those in reach, and in the history.
    download = client_in.get(reverse("metrics:evidence", args=[evidence.pk]))
    assert b"".join(download.streaming_content) == b"%PDF"
    assert "移除（可恢复）" in html
    response = client_in.post(reverse("metrics:evidence_restore", args=[evidence.pk]))
    index = page(client_in, INDEX, unit="224001", year=2021, as_of="2021-06-30")
    assert "专项行动总结.pdf" in row_of(index, seeded["space"])
    assert "已恢复佐证材料“专项行动总结.pdf”" in index


def test_the_indicator_pages_show_its_history(
    client_in: Client, seeded: dict[str, Indicator], officer: User
) -> None:
    indicator = seeded["term"]
    actor = Actor(officer)
    bind_metric(indicator, BUDGET, actor=actor, note="先按预算")
    bind_metric(indicator, BUDGET, actor=actor, note="预算控制率口径")
    unbind_metric(indicator, actor=actor)
    entry = enter_manual_actual(
        indicator, as_of=D(2021, 6, 30), value="1年", evidence="平台持续运营", actor=actor
    )
    add_evidence(entry, SimpleUploadedFile("运营报告.docx", b"doc"), actor=actor)
    for name in ("manual", "records"):
        html = page(client_in, reverse(f"metrics:{name}", args=[indicator.pk]))
        history = html[html.index('id="history-title"') :]
        cells = re.findall(r"<td>(.*?)</td>", history, re.S)
        actions = [c for c in cells if c in ("绑定口径", "解除口径", "新建", "上传附件")]
        assert actions == ["上传附件", "新建", "解除口径", "绑定口径", "绑定口径"], name
        assert "口径说明：先按预算 → 预算控制率口径" in history
        assert "实际完成值：（空） → 1年" in history
        assert history.count("经办人（officer）") == 5
    # Another indicator's page shows only its own: the binding the fixture made.
    other = page(client_in, reverse("metrics:manual", args=[seeded["space"].pk]))
    history = other[other.index('id="history-title"') :]
    assert re.findall(r"<td>(绑定口径|解除口径|新建|上传附件)</td>", history) == ["绑定口径"]
    assert "经办人（officer）" not in history


# --- hostile query strings ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        # A real year the unit has nothing for: the picker sends the previous unit's year.
        ({"unit": "224001", "year": "2030"}, "没有 2030 年的预算项目，下面是 2021 年的"),
        ({"unit": "224001", "as_of": "9" * 40}, "日期格式不对：" + "9" * 40),
        ({"unit": "224001", "as_of": "2021-02-30"}, "日期格式不对：2021-02-30"),
        ({"unit": "224001", "as_of": "x" * 500}, "日期格式不对：" + "x" * 40 + "，"),
    ],
)
def test_a_malformed_query_falls_back_with_a_notice(
    client_in: Client, seeded: dict[str, Indicator], params: dict[str, str], notice: str
) -> None:
    html = page(client_in, INDEX, **params)
    assert notice in html
    assert "2021 年绩效指标实际完成值" in html


@pytest.mark.parametrize("year", ["9" * 40, "二〇二一", "1999", "2021abc", " x "])
def test_a_year_that_is_not_one_is_not_found(
    client_in: Client, seeded: dict[str, Indicator], year: str
) -> None:
    for url in (INDEX, reverse("rounds:monitoring"), reverse("rounds:evaluation"), "/"):
        assert client_in.get(url, {"unit": "224001", "year": year}).status_code == 404, url


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31", "2021-06-30"])
def test_any_real_date_answers(client_in: Client, seeded: dict[str, Indicator], as_of: str) -> None:
    page(client_in, INDEX, unit="224001", year=2021, as_of=as_of)
    page(client_in, reverse("metrics:records", args=[seeded["disposal"].pk]), as_of=as_of)
    page(client_in, reverse("metrics:manual", args=[seeded["space"].pk]), as_of=as_of)


@pytest.mark.parametrize("key", ["999999", "x" * 300, "224002", "324001"])
def test_a_unit_not_in_reach_is_not_found(
    client_in: Client, seeded: dict[str, Indicator], key: str
) -> None:
    assert client_in.get(INDEX, {"unit": key}).status_code == 404


def test_ids_too_large_for_the_database_are_not_found(client_in: Client) -> None:
    huge = "9" * 40
    for name in ("records", "manual", "evidence", "evidence_remove"):
        url = reverse(f"metrics:{name}", args=[1]).replace("/1/", f"/{huge}/")
        method = client_in.post if name == "evidence_remove" else client_in.get
        assert method(url).status_code == 404, url
