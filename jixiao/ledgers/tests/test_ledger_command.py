"""``jixiao ledger import|export``: a thin adapter over jixiao.ledgers.importing/exporting."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from jixiao.audit.models import ChangeLog
from jixiao.importers.grid import ImportFailure
from jixiao.ledgers.management.commands.ledger import Command, RowErrors
from jixiao.ledgers.models import LedgerEntry
from jixiao.lib.actor import Actor
from jixiao.system.demo.services import seed_document
from jixiao.targets.services import import_document
from jixiao.units.models import Unit

FIXTURES = Path(__file__).parent / "fixtures"
OPINION = FIXTURES / "opinion-vendor-export-2021Q2.xlsx"
HEADER = "标题,来源平台,链接,首次发现时间,级别,应处置\n"


@pytest.fixture
def unit(db: None) -> Unit:
    """The demo unit with its 2021 projects, the only unit."""
    return import_document(seed_document(), actor=Actor.system(), source="seed").unit


def call(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ledger", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_with_a_saved_mapping_into_the_only_unit(unit):
    out, err = call("import", "opinion", str(OPINION), "--mapping", "舆情监测服务导出")

    assert err == ""
    assert out == (
        "已导入“opinion-vendor-export-2021Q2.xlsx”到“舆情”台账：新建 400 条，更新 0 条，"
        "0 条无变化。\n"
    )
    assert LedgerEntry.objects.filter(unit=unit).count() == 400


def test_dry_run_reports_what_would_change_and_writes_nothing(unit):
    out, _ = call("import", "opinion", str(OPINION), "--mapping", "舆情监测服务导出", "--dry-run")

    assert out == "检查通过：共 400 行，将新建 400 条，更新 0 条，0 条无变化；尚未写入。\n"
    assert LedgerEntry.objects.count() == 0


@pytest.fixture
def keep_connection(monkeypatch):
    """run_from_argv closes every connection when it ends, as a real process would.

    Inside a test that would close the test transaction's connection (PostgreSQL then fails
    the next query), so the command line is run here without that last step.
    """
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def test_bad_rows_exit_2_with_a_summary_and_one_line_per_row(
    unit, tmp_path, capsys, keep_connection
):
    path = tmp_path / "cases.csv"
    path.write_text(
        HEADER
        + "甲,微博,https://a.cn/1,2021-03-01,一般,是\n"
        + "乙,微博,https://a.cn/2,2021-03-01,特大,是\n"
        + "丙,微博,https://a.cn/3,2021-02-30,一般,也许\n",
        encoding="utf-8",
    )

    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(
            ["jixiao", "ledger", "--skip-checks", "import", "opinion", str(path)]
        )

    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "“cases.csv”有 3 处问题（共 3 行），没有导入任何记录；请改正后重新导入。",
        "第 3 行，列“级别”：“级别”的值“特大”不在选项中（一般、较大、重大）",
        "第 4 行，列“首次发现时间”：“首次发现时间”不是有效日期：2021-02-30（应如 2021-03-31）",
        "第 4 行，列“应处置”：“应处置”应为“是”或“否”：也许",
    ]
    assert LedgerEntry.objects.count() == 0


def test_bad_rows_through_call_command_raise_with_the_report(unit, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(HEADER + "甲,微博,https://a.cn/1,2021-03-01,特大,是\n", encoding="utf-8")

    with pytest.raises(RowErrors) as raised:
        call("import", "opinion", str(path))

    assert [(e.row, e.column) for e in raised.value.report.errors] == [(2, "级别")]


def test_missing_required_headers_end_in_one_chinese_line(unit, tmp_path, capsys, keep_connection):
    path = tmp_path / "x.csv"
    path.write_text("标题,链接\n甲,https://a.cn/1\n", encoding="utf-8")

    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(
            ["jixiao", "ledger", "--skip-checks", "import", "opinion", str(path)]
        )

    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        "文件第 1 行的表头中找不到“舆情”台账的必填字段：来源平台、首次发现时间、级别、应处置。"
        "文件的表头是：标题、链接。请选择合适的导入映射，或把表头改为台账的字段名称。"
    ]


def test_unit_is_required_when_there_are_several(unit):
    Unit.objects.create(code="224002", name="另一个单位")

    with pytest.raises(CommandError, match="有多个预算单位，请用 --unit 指定单位编码"):
        call("import", "opinion", str(OPINION), "--mapping", "舆情监测服务导出")
    out, _ = call(
        "import", "opinion", str(OPINION), "--mapping", "舆情监测服务导出", "--unit", "224001"
    )
    assert "新建 400 条" in out


def test_unknown_unit_type_and_mapping_are_named(unit):
    with pytest.raises(CommandError, match="找不到预算单位：999"):
        call("import", "opinion", str(OPINION), "--unit", "999")
    with pytest.raises(ValidationError, match="没有代码为“cases”的台账类型"):
        call("import", "cases", str(OPINION))
    with pytest.raises(ImportFailure, match="没有名为“别的”的导入映射（已有：舆情监测服务导出）"):
        call("import", "opinion", str(OPINION), "--mapping", "别的")


def test_export_takes_the_format_from_the_suffix_and_imports_back(unit, tmp_path):
    call("import", "opinion", str(OPINION), "--mapping", "舆情监测服务导出")
    path = tmp_path / "舆情.csv"

    out, _ = call("export", "opinion", "-o", str(path))

    assert out == f"已导出 400 条记录：{path}\n"
    assert path.read_bytes().startswith("\ufeff标题,".encode())
    out, _ = call("import", "opinion", str(path))
    assert out.endswith("新建 0 条，更新 0 条，400 条无变化。\n")


def test_export_format_option_and_year_filter(unit, tmp_path):
    call("import", "opinion", str(OPINION), "--mapping", "舆情监测服务导出")
    path = tmp_path / "out.data"

    out, _ = call("export", "opinion", "-o", str(path), "--format", "xlsx", "--year", "2020")

    assert out == f"已导出 0 条记录：{path}\n"
    with path.open("rb") as fh:
        rows = list(load_workbook(fh).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("标题", "来源平台", "链接")
    assert len(rows) == 1


def test_export_without_output_names_the_file_after_the_ledger(unit, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    out, _ = call("export", "expenditure", "--year", "2021")

    assert out == "已导出 0 条记录：224001-2021-支出台账.xlsx\n"
    assert (tmp_path / "224001-2021-支出台账.xlsx").is_file()


def test_an_import_is_logged_as_the_operator_at_the_command_line(unit):
    call("import", "opinion", str(OPINION), "--mapping", "舆情监测服务导出")

    rows = ChangeLog.objects.filter(object_type="ledgers.ledgerentry")
    assert rows.count() == 400
    assert set(rows.values_list("via", "action", "unit_id")) == {("cli", "import", unit.pk)}
    assert rows.first().username.startswith("命令行（")
    assert rows.first().comment == "新建：导入“opinion-vendor-export-2021Q2.xlsx”"


def test_user_option_names_the_person_beside_the_operator(unit, tmp_path):
    clerk = User.objects.create_user("clerk", first_name="录入员")
    path = tmp_path / "cases.csv"
    path.write_text(HEADER + "甲,微博,https://a.cn/1,2021-03-01,一般,是\n", encoding="utf-8")

    call("import", "opinion", str(path), "--user", "clerk")

    entry = LedgerEntry.objects.get()
    row = ChangeLog.objects.get(object_type="ledgers.ledgerentry")
    assert (entry.created_by, row.user_id, row.username, row.via) == (
        clerk,
        clerk.pk,
        "录入员（clerk）",
        "cli",
    )
