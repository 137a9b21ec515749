"""The fund rows from the expenditure ledger's 资金来源: the 136号 monitoring table (财政拨款
with the carry-over, 其他资金) and the self-evaluation table (当年财政拨款, 上年结转资金, 其他资金),
in the reports and in the xlsx, docx and pdf files."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace
from decimal import Decimal as D
from typing import Any

import docx
import openpyxl
import pdfplumber
import pytest

from jixiao.core.document import Budget, TargetDocument
from jixiao.core.monitoring import Funds
from jixiao.core.reports import FundRow, MonitoringFund
from jixiao.exporters import export_monitoring, export_selfeval
from jixiao.ledgers.importing import ColumnMap, find_mapping, import_table
from jixiao.ledgers.io import Table
from jixiao.ledgers.models import LedgerEntry
from jixiao.ledgers.services import create_entry, ledger_type_for
from jixiao.lib.actor import Actor
from jixiao.rounds.build import Spending, _spent_by_source, build_monitoring, build_self_evaluation
from jixiao.targets.models import Project
from jixiao.targets.services import import_document
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("测试")
MIXED = "13032221C2GKIBLPDEWRQ"  # 15 万元: 10 财政拨款 + 5 其他资金
CARRIED = "13032221RDEVGNWRIDTHY"  # 7 万元: 5 当年财政拨款 + 2 上年结转
JUNE_30 = dt.date(2021, 6, 30)


@pytest.fixture
def unit(org: Any, demo_document: TargetDocument) -> Unit:
    """Unit 224001 with a mixed-budget project and one with carried-over money."""
    mixed, carried = demo_document.projects
    mixed.budget = Budget("万元", D(15), D(10), D(5))
    carried.budget = Budget("万元", D(7), D(5), D(0), carryover=D(2))
    import_document(demo_document, actor=SYSTEM, source="test")
    return Unit.objects.get(code="224001")


def pay(unit: Unit, code: str, day: str, yuan: str, source: str | None = None) -> None:
    """One payment of the project, with its 资金来源 when given."""
    values = {
        "paid_on": day,
        "amount": yuan,
        "economic_class": "委托业务费",
        "voucher": f"{code[-3:]}-{day}-{yuan}",
    }
    if source is not None:
        values["fund_source"] = source
    create_entry(
        ledger_type_for(unit, "expenditure"),
        unit,
        values,
        actor=SYSTEM,
        project=Project.objects.get(unit=unit, code=code),
    )


def monitoring_funds(unit: Unit, code: str) -> tuple[MonitoringFund, ...]:
    report = build_monitoring(unit, 2021, JUNE_30)
    (project,) = [p for p in report.projects if p.code == code]
    return project.funds


def evaluation_funds(unit: Unit, code: str) -> tuple[FundRow, ...]:
    report = build_self_evaluation(unit, 2021)
    (project,) = [p for p in report.projects if p.code == code]
    return project.funds


def row(rows: tuple[Any, ...], label: str) -> tuple[Any, ...]:
    """A fund row's figures after its label."""
    (found,) = [r for r in rows if r.label == label]
    return tuple(vars(found).values())[1:]


# --- the mixed budget (10 财政拨款 + 5 其他资金) -----------------------------------------------


def test_all_records_sourced_split_a_mixed_budget_exactly(unit: Unit) -> None:
    pay(unit, MIXED, "2021-03-10", "30000", "财政拨款")
    pay(unit, MIXED, "2021-04-12", "10000", "其他资金")

    funds = evaluation_funds(unit, MIXED)
    # 3 + 1 = 4 of 15: 26.67%. 3 / 10 = 30.00%; 1 / 5 = 20.00%.
    assert row(funds, "年度资金总额")[:3] == (D(15), D(15), D(4))
    assert row(funds, "年度资金总额")[4] == D("26.67")
    assert row(funds, "其中：当年财政拨款") == (D(10), D(10), D(3), None, D("30.00"), None)
    assert row(funds, "其他资金") == (D(5), D(5), D(1), None, D("20.00"), None)
    # No carry-over stated and none spent: the row is all “—”.
    assert row(funds, "上年结转资金") == (None,) * 6

    monitored = monitoring_funds(unit, MIXED)
    assert row(monitored, "其中：财政拨款")[:4] == (D(10), D(10), D(3), D("30.00"))
    assert row(monitored, "其他资金")[:4] == (D(5), D(5), D(1), D("20.00"))


def test_unsourced_money_in_a_mixed_budget_makes_the_split_unknown(unit: Unit) -> None:
    pay(unit, MIXED, "2021-03-10", "30000", "财政拨款")
    pay(unit, MIXED, "2021-04-12", "10000", "其他资金")
    pay(unit, MIXED, "2021-05-14", "5000")  # no source: 财政拨款 or 其他资金?

    funds = evaluation_funds(unit, MIXED)
    # The whole project is known: 3 + 1 + 0.5 = 4.5 of 15 = 30.00%.
    assert row(funds, "年度资金总额")[2:5:2] == (D("4.5"), D("30.00"))
    # 3 and 1 are only lower bounds: both rows say “—” rather than guess a proportion.
    assert row(funds, "其中：当年财政拨款") == (D(10), D(10), None, None, None, None)
    assert row(funds, "其他资金") == (D(5), D(5), None, None, None, None)

    monitored = monitoring_funds(unit, MIXED)
    assert row(monitored, "年度资金总额")[2:4] == (D("4.5"), D("30.00"))
    assert row(monitored, "其中：财政拨款")[2:4] == (None, None)
    assert row(monitored, "其他资金")[2:4] == (None, None)


def test_a_figure_entered_by_hand_splits_like_unsourced_money() -> None:
    spending = Spending({3: 30000_00, 4: 10000_00}, {"财政拨款": 30000_00, "": 10000_00})
    # From the ledger: 3 万元 named 财政拨款, 1 万元 named nothing.
    assert _spent_by_source(spending, D(4), "ledger", "万元") == (Funds(D(3), D(0), D(0)), D(1))
    # The unit typed 4.5 instead: the records say nothing of that figure's sources.
    assert _spent_by_source(spending, D("4.5"), "manual", "万元") == (
        Funds(D(0), D(0), D(0)),
        D("4.5"),
    )
    # In 元 the amounts are to the cent.
    assert _spent_by_source(spending, D(40000), "ledger", "元") == (
        Funds(D("30000.00"), D("0.00"), D("0.00")),
        D("10000.00"),
    )


# --- carried-over money (5 当年财政拨款 + 2 上年结转) ------------------------------------------


def test_carryover_has_its_row_in_the_self_evaluation(unit: Unit) -> None:
    pay(unit, CARRIED, "2021-03-10", "20000", "财政拨款")
    pay(unit, CARRIED, "2021-04-12", "10000", "上年结转")

    funds = evaluation_funds(unit, CARRIED)
    # 2 + 1 = 3 of 7 = 42.86%; 2 / 5 = 40.00%; 1 / 2 = 50.00%.
    assert row(funds, "年度资金总额")[2:5:2] == (D(3), D("42.86"))
    assert row(funds, "其中：当年财政拨款") == (D(5), D(5), D(2), None, D("40.00"), None)
    assert row(funds, "上年结转资金") == (D(2), D(2), D(1), None, D("50.00"), None)
    # 其他资金 0: budget 0, spent 0, no rate of a zero budget.
    assert row(funds, "其他资金") == (D(0), D(0), D(0), None, None, None)


def test_the_136_table_counts_carryover_in_fiscal_money(unit: Unit) -> None:
    pay(unit, CARRIED, "2021-03-10", "20000", "财政拨款")
    pay(unit, CARRIED, "2021-04-12", "10000", "上年结转")
    pay(unit, CARRIED, "2021-05-14", "5000")  # 当年财政拨款 or 上年结转: 财政拨款 either way

    funds = monitoring_funds(unit, CARRIED)
    labels = [f.label for f in funds]
    assert labels == ["年度资金总额", "其中：财政拨款", "其他资金"]
    # 财政拨款 = 5 + 2 = 7, spent 2 + 1 + 0.5 = 3.5: 50.00%.
    assert row(funds, "其中：财政拨款")[:4] == (D(7), D(7), D("3.5"), D("50.00"))
    assert row(funds, "其他资金")[:4] == (D(0), D(0), D(0), None)
    # The self-evaluation keeps them apart, so the unsourced 0.5 leaves both unknown.
    evaluated = evaluation_funds(unit, CARRIED)
    assert row(evaluated, "其中：当年财政拨款")[2] is None
    assert row(evaluated, "上年结转资金")[:3] == (D(2), D(2), None)


def test_carryover_spent_without_a_stated_carryover_shows_its_spending(unit: Unit) -> None:
    pay(unit, MIXED, "2021-03-10", "8000", "上年结转")
    funds = evaluation_funds(unit, MIXED)
    # No budget for it: spent 0.8, budget and rate “—”.
    assert row(funds, "上年结转资金") == (None, None, D("0.8"), None, None, None)


# --- the files -----------------------------------------------------------------------------


def sheet_rows(data: bytes, title_part: str) -> list[list[str]]:
    """The cell texts of the sheet whose project table names ``title_part``."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        rows = [
            [str(c) if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)
        ]
        if any(title_part in cell for r in rows for cell in r):
            return rows
    raise AssertionError(f"no sheet names {title_part}")


def figures(rows: list[list[str]], label: str) -> list[str]:
    """The cells of the first row holding ``label``, without the labels and empty cells (the
    xlsx leaves a merged range's other cells empty)."""
    (found, *_) = [r for r in rows if label in r]
    return [c for c in found if c and c != label and not c.startswith("项目资金")]


def test_exports_show_the_rows_by_source(unit: Unit) -> None:
    pay(unit, MIXED, "2021-03-10", "30000", "财政拨款")
    pay(unit, MIXED, "2021-04-12", "10000", "其他资金")
    pay(unit, CARRIED, "2021-03-10", "20000", "财政拨款")
    pay(unit, CARRIED, "2021-04-12", "10000", "上年结转")
    evaluation = build_self_evaluation(unit, 2021)
    mixed = next(p for p in evaluation.projects if p.code == MIXED)
    carried = next(p for p in evaluation.projects if p.code == CARRIED)

    xlsx = export_selfeval(evaluation, "xlsx", project_id=carried.project_id)
    rows = sheet_rows(xlsx, "上年结转资金")
    # 年初 | 全年 | 全年执行数 | 分值 — | 执行率 | 得分 —
    assert figures(rows, "其中：当年财政拨款") == ["5.00", "5.00", "2.00", "—", "40.00%", "—"]
    assert figures(rows, "上年结转资金") == ["2.00", "2.00", "1.00", "—", "50.00%", "—"]
    rows = sheet_rows(export_selfeval(evaluation, "xlsx", project_id=mixed.project_id), "其他资金")
    assert figures(rows, "其中：当年财政拨款") == ["10.00", "10.00", "3.00", "—", "30.00%", "—"]
    assert figures(rows, "其他资金") == ["5.00", "5.00", "1.00", "—", "20.00%", "—"]

    document = docx.Document(
        io.BytesIO(export_selfeval(evaluation, "docx", project_id=carried.project_id))
    )
    cells = [[c.text for c in r.cells] for t in document.tables for r in t.rows]
    # Word repeats a merged cell's text in each cell it spans; the figures are in order.
    shown = figures(cells, "上年结转资金")
    assert [c for i, c in enumerate(shown) if i == 0 or c != shown[i - 1]] == [
        "2.00",
        "1.00",
        "—",
        "50.00%",
        "—",
    ]

    pdf = export_selfeval(evaluation, "pdf", project_id=mixed.project_id)
    with pdfplumber.open(io.BytesIO(pdf)) as opened:
        text = "\n".join(page.extract_text() or "" for page in opened.pages)
    assert "10.00 10.00 3.00 — 30.00% —" in text
    assert "5.00 5.00 1.00 — 20.00% —" in text

    monitoring = build_monitoring(unit, 2021, JUNE_30)
    rows = sheet_rows(
        export_monitoring(monitoring, "xlsx", project_id=carried.project_id), "其中：财政拨款"
    )
    # 财政拨款 with the carry-over: 7.00 budget, 3.00 spent, 42.86%.
    assert figures(rows, "其中：财政拨款")[:4] == ["7.00", "7.00", "3.00", "42.86%"]


# --- recording the source ------------------------------------------------------------------


def accounting_export() -> Table:
    """The accounting system's detail ledger, a title row above it, with a 资金性质 column."""
    header = ("凭证日期", "凭证字号", "摘要", "科目名称", "项目", "借方金额", "资金性质")
    lines = [
        ("2021-03-01", "记-0001", "技术服务", "委托业务费", MIXED, "20000", "本年财政拨款"),
        ("2021-03-02", "记-0002", "技术服务", "委托业务费", MIXED, "6000", "单位资金"),
        ("2021-03-03", "记-0003", "技术服务", "委托业务费", MIXED, "3000", ""),
        ("2021-03-04", "记-0004", "技术服务", "委托业务费", CARRIED, "4000", "结转资金"),
        ("2021-03-05", "记-0005", "技术服务", "委托业务费", CARRIED, "1000", "财政拨款"),
    ]
    rows = [(1, ("科目明细账",)), (2, header)]
    return Table("明细账.xlsx", rows + [(n, line) for n, line in enumerate(lines, start=3)])


def test_the_accounting_mapping_reads_fund_source_words(unit: Unit) -> None:
    expenditure = ledger_type_for(unit, "expenditure")
    column_map = ColumnMap.of(find_mapping(expenditure, "财务软件明细账"))
    report = import_table(expenditure, unit, accounting_export(), column_map, actor=SYSTEM)

    assert report.error_lines() == [] and report.written
    sources = dict(
        LedgerEntry.objects.filter(unit=unit).values_list("data__voucher", "data__fund_source")
    )
    # 本年财政拨款 → 财政拨款, 单位资金 → 其他资金, 结转资金 → 上年结转; a blank names none.
    assert sources == {
        "记-0001": "财政拨款",
        "记-0002": "其他资金",
        "记-0003": None,
        "记-0004": "上年结转",
        "记-0005": "财政拨款",
    }


def test_a_file_headed_with_the_field_label_maps_without_a_mapping(unit: Unit) -> None:
    header = ("支付日期", "金额", "经济分类", "凭证号", "项目", "资金来源")
    table = Table(
        "支出.xlsx", [(1, header), (2, ("2021-03-01", "1000", "办公费", "V1", MIXED, "其他资金"))]
    )
    report = import_table(ledger_type_for(unit, "expenditure"), unit, table, actor=SYSTEM)
    assert report.error_lines() == []
    assert LedgerEntry.objects.get(unit=unit).data["fund_source"] == "其他资金"


def test_a_source_not_among_the_choices_is_refused(unit: Unit) -> None:
    header = ("支付日期", "金额", "经济分类", "凭证号", "项目", "资金来源")
    table = Table(
        "支出.xlsx", [(1, header), (2, ("2021-03-01", "1000", "办公费", "V1", MIXED, "捐赠"))]
    )
    report = import_table(ledger_type_for(unit, "expenditure"), unit, table, actor=SYSTEM)
    assert any("资金来源" in line and "不在选项中" in line for line in report.error_lines())
    assert not LedgerEntry.objects.filter(unit=unit).exists()


def test_the_carryover_is_kept_from_the_imported_table_and_in_its_revision(unit: Unit) -> None:
    carried = Project.objects.get(unit=unit, code=CARRIED)
    assert carried.budget_carryover == D(2)
    assert carried.as_targets().budget == Budget("万元", D(7), D(5), D(0), D(2))
    assert replace(carried.as_targets().budget, carryover=None).to_dict() == {
        "unit": "万元",
        "total": "7",
        "fiscal": "5",
        "other": "0",
    }


# --- the demo ------------------------------------------------------------------------------


def test_the_demo_names_the_source_of_every_expenditure_and_fills_its_fund_rows(db: None) -> None:
    from jixiao.system.demo.services import load_demo

    unit = load_demo().targets.unit
    sources = set(
        LedgerEntry.objects.filter(unit=unit, ledger_type__code="expenditure").values_list(
            "data__fund_source", flat=True
        )
    )
    assert sources == {"财政拨款"}  # both budgets are all 当年财政拨款
    evaluation = build_self_evaluation(unit, 2021)
    # 14.2 of 15 and 4.86 of 5 万元, all from 当年财政拨款: 94.67% and 97.20%.
    expected = {
        "13032221C2GKIBLPDEWRQ": ("14.2", "94.67"),
        "13032221RDEVGNWRIDTHY": ("4.86", "97.20"),
    }
    for project in evaluation.projects:
        spent, rate = expected[project.code]
        fiscal = row(project.funds, "其中：当年财政拨款")
        assert (fiscal[2], fiscal[4]) == (D(spent), D(rate))
        assert row(project.funds, "其他资金")[2] == D(0)
