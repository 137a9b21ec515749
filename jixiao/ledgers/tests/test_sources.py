"""A second source: the accounting system's export over the demo's typed expenditures is
told that both cover the same projects and year; replacing leaves execution equal to the
export's own total. Repeats are listed before anything is added."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Sum
from openpyxl import load_workbook

from jixiao.audit.choices import Action
from jixiao.audit.models import ChangeLog
from jixiao.ledgers.importing import ColumnMap, find_mapping, import_file, import_table
from jixiao.ledgers.io import Table
from jixiao.ledgers.models import LedgerEntry, Origin
from jixiao.ledgers.services import ledger_type_for
from jixiao.rounds.build import spent_by_month
from jixiao.system.demo.services import load_demo
from jixiao.targets.models import Project

EXPORT = Path(__file__).parent / "fixtures" / "expenditure-ledger-export-2021.xlsx"
SECURITY = "13032221C2GKIBLPDEWRQ"  # 网络安全和信息化经费, 15 万元
PUBLICITY = "13032221RDEVGNWRIDTHY"  # 网络宣传管理经费, 5 万元


@pytest.fixture
def demo(db: None) -> Any:
    return load_demo()


def export_totals() -> dict[str, int]:
    """The export's own debit total per project code, in cents, read straight from the file."""
    sheet = load_workbook(EXPORT, read_only=True).active
    totals: dict[str, int] = {}
    for row in list(sheet.iter_rows(values_only=True))[2:]:
        code = str(row[5]).split()[0]
        totals[code] = totals.get(code, 0) + round(Decimal(str(row[6])) * 100)
    return totals


def import_export(demo: Any, overlap: str, *, dry_run: bool = False) -> Any:
    unit = demo.targets.unit
    expenditure = ledger_type_for(unit, "expenditure")
    column_map = ColumnMap.of(find_mapping(expenditure, "财务软件明细账"))
    return import_file(
        expenditure,
        unit,
        EXPORT,
        column_map,
        actor=demo.people.head,
        overlap=overlap,
        dry_run=dry_run,
    )


def spent(demo: Any) -> dict[str, int]:
    unit = demo.targets.unit
    projects = list(Project.objects.filter(unit=unit, year=2021))
    months = spent_by_month(unit, projects, 2021, dt.date(2021, 12, 31))
    return {p.code: sum(months.get(p.pk, {}).values()) for p in projects}


def test_the_export_over_typed_expenditures_is_told_both_cover_the_same_projects_and_year(demo):
    report = import_export(demo, "ask")

    assert report.needs_choice and not report.written
    assert [(o.project.code, o.first, o.last, o.count, o.sources) for o in report.overlaps] == [
        (SECURITY, dt.date(2021, 1, 1), dt.date(2021, 12, 31), 13, {"手工录入": 13}),
        (PUBLICITY, dt.date(2021, 1, 1), dt.date(2021, 12, 31), 16, {"手工录入": 16}),
    ]
    assert report.notes()[0] == (
        f"文件覆盖项目“{SECURITY} 网络安全和信息化经费” 2021-01-01 至 2021-12-31，台账中这段时间"
        "已有 13 条不在文件中的记录（手工录入 13 条），金额合计 142,000.00 元"
    )
    assert spent(demo) == {SECURITY: 142_000_00, PUBLICITY: 48_600_00}  # nothing written
    assert LedgerEntry.objects.filter(origin=Origin.IMPORT).count() == 0


def test_replace_leaves_execution_equal_to_the_exports_own_total(demo):
    totals = export_totals()
    assert totals == {SECURITY: 120_006_14, PUBLICITY: 55_699_17}

    report = import_export(demo, "replace")

    assert (report.written, report.created, report.replaced) == (True, 52, 29)
    assert spent(demo) == totals
    imported = LedgerEntry.objects.filter(ledger_type__code="expenditure", unit=demo.targets.unit)
    assert {e.source_text.split("（")[0] for e in imported} == {
        "文件导入：expenditure-ledger-export-2021.xlsx"
    }
    replaced = ChangeLog.objects.filter(action=Action.DELETE, comment__startswith="被替换")
    assert replaced.count() == 29
    # The publicity project's export itself passes its 5 万元: the import warns.
    assert report.warnings == [
        "注意：项目“网络宣传管理经费”2021 年支出合计 55,699.17 元，超过预算 50,000.00 元"
        "（执行率 111.40%），请核对是否重复导入或漏记调整预算"
    ]


def test_adding_keeps_both_and_warns_that_execution_passes_the_budget(demo):
    checked = import_export(demo, "add", dry_run=True)

    assert not checked.written and checked.warnings[0].startswith(
        "注意：项目“网络安全和信息化经费”2021 年支出合计 262,006.14 元，超过预算 150,000.00 元"
        "（执行率 174.67%）"
    )
    assert spent(demo) == {SECURITY: 142_000_00, PUBLICITY: 48_600_00}  # a check writes nothing

    import_export(demo, "add")
    assert spent(demo) == {SECURITY: 262_006_14, PUBLICITY: 104_299_17}


def test_rows_repeating_one_another_or_a_record_are_listed_before_anything_is_added(demo):
    unit = demo.targets.unit
    expenditure = ledger_type_for(unit, "expenditure")
    typed = (
        LedgerEntry.objects.filter(ledger_type=expenditure, unit=unit)
        .order_by("date", "id")
        .first()
    )
    assert typed is not None
    headers = ["支付日期", "金额（元）", "经济分类", "凭证号", "收款方", "摘要"]
    data = typed.data
    rows = [
        (1, headers),
        # The typed payment again under the accounting system's voucher number.
        (
            2,
            [data["paid_on"], data["amount"], data["economic_class"], "记-0001", data["payee"], ""],
        ),
        (3, ["2021-03-02", "300.00", "办公费", "记-0002", "昌黎县某某文具店", "文具"]),
        (4, ["2021-03-02", "300.00", "办公费", "记-0003", "昌黎县某某文具店", "文具"]),
    ]

    report = import_table(expenditure, unit, Table("march.xlsx", rows), actor=demo.people.head)

    assert report.needs_choice and not report.written
    assert report.summary().startswith("“march.xlsx”中有可能重复的记录，尚未导入")
    assert [r.text() for r in report.repeats] == [
        f"第 2 行与台账中已有的记录（手工录入，编号 {typed.pk}）重复：支付日期“{data['paid_on']}”，"
        f"金额（元）“{data['amount']}”，收款方“{data['payee']}”",
        "第 4 行与文件第 3 行重复：支付日期“2021-03-02”，金额（元）“300.00”，"
        "收款方“昌黎县某某文具店”",
    ]
    total = LedgerEntry.objects.filter(ledger_type=expenditure).aggregate(s=Sum("amount_cents"))
    assert total["s"] == 142_000_00 + 48_600_00


def test_a_record_with_attachments_is_not_replaced_and_nothing_is_written(demo):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jixiao.ledgers.services import add_attachment

    typed = LedgerEntry.objects.filter(
        ledger_type__code="expenditure", unit=demo.targets.unit, project__code=SECURITY
    ).order_by("date", "id")[0]
    receipt = SimpleUploadedFile("发票.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
    add_attachment(typed, receipt, actor=demo.people.head)

    with pytest.raises(ValidationError, match="有 1 条要被替换的记录带有附件"):
        import_export(demo, "replace")
    # Nothing written: the typed expenditures stand, no import batch record exists.
    assert spent(demo) == {SECURITY: 142_000_00, PUBLICITY: 48_600_00}
    assert LedgerEntry.objects.filter(origin=Origin.IMPORT).count() == 0
