"""The self-evaluation page of a past year whose self-evaluation table was imported: it shows
the results the table recorded, marked as imported, never the live engine's numbers."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from conftest import Org
from jixiao.core.document import (
    Budget,
    IndicatorRow,
    ProjectResults,
    ProjectTargets,
    TargetDocument,
    UnitRef,
)
from jixiao.core.targets import parse_target
from jixiao.exporters import export_selfeval
from jixiao.importers.selfeval import SelfEvalSheet, read_selfeval_xlsx
from jixiao.lib.actor import Actor
from jixiao.rounds import services
from jixiao.system.demo.services import load_demo
from jixiao.targets.models import RecordedEvaluation
from jixiao.targets.services import import_document
from jixiao.targets.tests.selfeval import PROJECT, selfeval_document
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db

EVALUATION = reverse("rounds:evaluation")
MARK = "导入的自评结果"


def text_of(html: str) -> str:
    """The page's text with tags dropped and white space squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def page(client: Client, year: int, **extra: str) -> str:
    response = client.get(EVALUATION, {"unit": "224001", "year": year, **extra})
    assert response.status_code == 200
    return text_of(response.content.decode())


@pytest.fixture
def unit(org: Org) -> Unit:
    """The demo year 2021 on unit A, whose 2020 self-evaluation table is then imported."""
    load_demo()
    return Unit.objects.get(code="224001")


@pytest.fixture
def imported_2020(unit: Unit, demo_document: TargetDocument, officer: User) -> None:
    import_document(
        selfeval_document(demo_document, 2020), actor=Actor(officer), source="2020年自评表.xlsx"
    )


def client_as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.usefixtures("imported_2020")
def test_a_past_year_shows_the_imported_results_marked_as_imported(officer: User) -> None:
    text = page(client_as(officer), 2020)

    today = f"{RecordedEvaluation.objects.get().imported_at:%Y-%m-%d}"
    assert f"{MARK} ：下面是 2020 年自评表所记录的实际完成值、分值和得分" in text
    assert "来自导入的文件「2020年自评表.xlsx」，不是系统按台账计算的得分" in text
    assert f"{MARK} · 「2020年自评表.xlsx」 · {today} · 经办人" in text
    header = "一级指标 二级指标 三级指标 年初目标值 实际完成值 分值 得分 偏差原因分析及改进措施"
    assert header in text
    # Each row: the target as written, then the table's actual, points and score.
    assert "产出指标 数量指标 舆情监测预警、研判分析数 ≥200条 230条 25.00 25.00" in text
    assert (
        "网络舆情处置率 100% 98.21% 25.00 24.55 个别舆情处置滞后，已建立24小时值班制度。"
    ) in text
    assert "效益指标 社会效益指标 构建清朗网络空间 是 达成 30.00 30.00" in text
    # The fund line (年初预算数, 全年执行数, 分值, 执行率, 得分) and the total.
    assert "年度资金总额 15.00 14.20 10.00 94.67% 9.47" in text
    assert "总分 100.00 99.02" in text
    assert f"1.{PROJECT} 15.00 万元 14.20 万元 94.67% 99.02 2020年自评表.xlsx {today}" in text
    assert "本年度以下项目没有导入自评结果：网络宣传管理经费。" in text
    # Not the live engine's page.
    assert "按台账实时计算" not in text and "自评等级" not in text


def test_a_year_without_imported_results_shows_the_live_evaluation(
    imported_2020: None, officer: User
) -> None:
    text = page(client_as(officer), 2021)

    assert MARK not in text
    # The demo's 2021 self-evaluation, submitted in its round: the engine's scores.
    assert "按 2021年12月31日 的实际完成值和全年预算执行计分" in text
    assert "1.网络安全和信息化经费 15.00 万元 14.20 万元 94.67% 98.56 优" in text


@pytest.mark.usefixtures("imported_2020")
def test_the_picker_offers_the_past_year_and_the_live_scores_link_back(officer: User) -> None:
    client = client_as(officer)
    response = client.get(EVALUATION, {"unit": "224001", "year": 2020})
    html = response.content.decode()
    assert '<option value="2021"' in html and '<option value="2020" selected' in html
    assert f'href="{EVALUATION}?unit=224001&amp;year=2020&amp;live=1"' in html

    live = page(client, 2020, live="1")

    assert "下面是系统按台账计算的 2020 年自评；本年度另有 导入的自评结果 。" in live
    assert "来自导入的文件" not in live


def test_a_reimport_shows_at_once(imported_2020: None, demo_document, officer: User) -> None:
    client = client_as(officer)
    assert "98.21%" in page(client, 2020)  # cached now
    document = selfeval_document(demo_document, 2020)
    document.projects[0].indicators[1].actual = "99.10%"
    import_document(document, actor=Actor(officer), source="2020年自评表（修订）.xlsx")

    text = page(client, 2020)

    assert "99.10%" in text and "98.21%" not in text
    assert "「2020年自评表（修订）.xlsx」" in text


@pytest.mark.usefixtures("imported_2020")
def test_who_sees_the_past_year_and_who_is_offered_the_import(
    officer: User, head: User, reviewer: User, officer_b: User, other_reviewer: User
) -> None:
    for person in (officer, head):
        assert "重新导入自评表" in page(client_as(person), 2020)
    # The bureau's reviewer reads the year but keeps no unit data.
    text = page(client_as(reviewer), 2020)
    assert MARK in text and "99.02" in text and "重新导入自评表" not in text
    for outsider in (officer_b, other_reviewer):
        response = client_as(outsider).get(EVALUATION, {"unit": "224001", "year": 2020})
        assert response.status_code == 404


def _document_from(sheets: list[SelfEvalSheet], year: int, money_unit: str) -> TargetDocument:
    """The workbook's sheets as the document a self-evaluation table gives: its targets and
    the year's results (the interpreter's job for any file; here from the workbook reader)."""
    projects = []
    for sheet in sheets:
        fund = sheet.funds[0]
        rows = [
            IndicatorRow(
                line.level1,
                line.level2,
                line.level3,
                line.target,
                parse_target(line.target, year=year),
                actual=line.actual,
                points=line.points,
                score=line.score,
                explanation=line.explanation,
            )
            for line in sheet.indicators
        ]
        projects.append(
            ProjectTargets(
                code=None,
                name=sheet.name,
                budget=Budget(money_unit, fund.budget_initial),
                indicators=rows,
                results=ProjectResults(
                    fund.executed, fund.rate, fund.points, fund.score, sheet.total
                ),
            )
        )
    return TargetDocument(year=year, unit=UnitRef("224001", None), projects=projects)


def test_our_own_exported_workbook_loads_as_a_past_year(unit: Unit, officer: User) -> None:
    # The demo's 2021 self-evaluation, scored by the engine and exported as our workbook, is
    # read back and imported as the unit's 2020 history: the page shows the same numbers.
    report, _report = services.evaluation_document(unit, 2021)
    workbook = export_selfeval(report, "xlsx")
    sheets = read_selfeval_xlsx(workbook, "2021年度项目支出绩效自评表.xlsx")
    assert [s.name for s in sheets] == [p.name for p in report.projects]
    document = _document_from(sheets, 2020, report.projects[0].money_unit)

    result = import_document(document, actor=Actor(officer), source="上年自评表.xlsx")

    assert {o.results for o in result.objects} == {"created"}
    text = page(client_as(officer), 2020)
    assert MARK in text and "「上年自评表.xlsx」" in text
    for table in report.projects:
        fund = table.funds[0]
        assert (
            f"年度资金总额 {fund.budget_initial:.2f} {fund.executed:.2f} "
            f"{table.execution.points:.2f} {table.execution.rate:.2f}% {table.execution.score:.2f}"
        ) in text
        for row in table.rows:
            shown = "不适用" if row.actual is None else row.actual
            assert f"{row.level3} {row.target} {shown} {row.points:.2f} {row.score:.2f}" in text
        points = sum((r.points for r in table.rows), table.execution.points)
        assert f"总分 {points:.2f} {table.total:.2f}" in text
    assert sum(RecordedEvaluation.objects.values_list("total_score", flat=True)) == sum(
        (p.total for p in report.projects), Decimal(0)
    )
