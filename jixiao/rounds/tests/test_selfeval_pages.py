"""The demo's 项目支出绩效自评表 as a finance bureau gets it: every fund row filled, each project
on a page of its own with its total, grade and signatures (issue 10, point 5)."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pdfplumber
import pytest

from jixiao.core.reports import FundRow
from jixiao.exporters import export_selfeval
from jixiao.rounds import build
from jixiao.rounds.services import evaluation_document
from jixiao.system.demo.services import load_demo
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db

TITLE = "项目支出绩效自评表（2021年度）"


@pytest.fixture
def unit() -> Unit:
    load_demo()
    return Unit.objects.get(code="224001")


def test_every_fund_row_is_filled_where_it_is_known(unit: Unit) -> None:
    report = build.build_self_evaluation(unit, 2021)
    first, second = report.projects
    # 网络安全和信息化经费: 15万元, all fiscal; 14.20 spent; 14.20 / 15 = 94.67%.
    assert first.funds[1:] == (
        FundRow("其中：当年财政拨款", D(15), D(15), D("14.20"), None, D("94.67"), None),
        # Carry-over is not recorded: unknown, shown “—”.
        FundRow("上年结转资金", None, None, None, None, None, None),
        # No other money: nothing of it spent, and no rate of a zero budget.
        FundRow("其他资金", D(0), D(0), D(0), None, None, None),
    )
    # 网络宣传管理经费: 5万元, 4.86 spent, 97.20%.
    assert second.funds[3] == FundRow("其他资金", D(0), D(0), D(0), None, None, None)
    assert second.funds[1].executed == D("4.86") and second.funds[1].rate == D("97.20")


def test_the_demo_pdf_gives_each_project_whole_pages(unit: Unit) -> None:
    doc, _report = evaluation_document(unit, 2021)
    data = export_selfeval(doc, "pdf")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = [(p.extract_text() or "").replace("\n", "").replace(" ", "") for p in pdf.pages]
    # The summary page, then one page per project: each starts on a new page with its title.
    assert len(pages) == 1 + len(doc.projects) == 3
    for page, project in zip(pages[1:], doc.projects, strict=True):
        assert page.startswith(TITLE + "项目名称" + project.name)
        # The grid header, the fund rows with their dashes, the total, grade and signatures are
        # all on the project's one page: no total on a page of its own.
        for text in ("偏差原因分析及改进措施", "上年结转资金——————", "总分", "自评等级"):
            assert text in page, (project.name, text)
        assert f"总分100.00{project.total}" in page
        assert "项目负责人：" in page and "财务负责人：" in page
    assert sum(page.count("总分") for page in pages[1:]) == 2
