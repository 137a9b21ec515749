"""Ledger import: mapping, validation of every row, all-or-nothing writes, vendor files, export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from openpyxl import Workbook, load_workbook

from jixiao.ledgers.exporting import export_entries
from jixiao.ledgers.importing import (
    MAX_LISTED_ERRORS,
    ColumnMap,
    ImportFailure,
    find_mapping,
    import_file,
    import_table,
    plan_columns,
    save_mapping,
)
from jixiao.ledgers.io import Table, read_table
from jixiao.ledgers.models import ImportMapping, LedgerEntry, LedgerType
from jixiao.ledgers.services import EntryInput, ledger_type_for, record_transition, upsert_entries
from jixiao.lib.actor import Actor
from jixiao.system.demo.services import load_demo, seed_document
from jixiao.targets.models import Project
from jixiao.targets.services import import_document
from jixiao.units.models import Unit

FIXTURES = Path(__file__).parent / "fixtures"
SYSTEM = Actor.system("测试")  # the test writes data as the operator would
OPINION_HEADERS = ["标题", "来源平台", "链接", "首次发现时间", "级别", "应处置"]
SECURITY = "13032221C2GKIBLPDEWRQ"  # 网络安全和信息化经费
PUBLICITY = "13032221RDEVGNWRIDTHY"  # 网络宣传管理经费


@pytest.fixture
def unit(org: object) -> Unit:
    """The demo unit (224001) with its two 2021 projects, without the demo year's records."""
    return import_document(seed_document(), actor=SYSTEM, source="seed").unit


@pytest.fixture
def demo(db: None) -> Any:
    """The demo as a user finds it after ``jixiao demo``: its unit, records and people."""
    return load_demo()


@pytest.fixture
def demo_unit(demo: Any) -> Unit:
    """The demo unit with the demo year's records."""
    return demo.targets.unit


@pytest.fixture
def importer(demo: Any) -> Actor:
    """The demo unit's head, who imports here (the demo year's records are the officer's)."""
    return demo.people.head


def ledger(unit: Unit, code: str) -> LedgerType:
    return ledger_type_for(unit, code)


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def opinion_row(n: int, **changes: Any) -> list[Any]:
    row = {
        "标题": f"事件{n}",
        "来源平台": "微博",
        "链接": f"https://weibo.com/p/{n}",
        "首次发现时间": dt.date(2021, 1, 1) + dt.timedelta(days=n % 365),
        "级别": "一般",
        "应处置": "是" if n % 2 else "否",
        **changes,
    }
    return [row[h] for h in OPINION_HEADERS]


def table(*rows: Sequence[Any], name: str = "t.xlsx") -> Table:
    """A table as a reader gives it, numbered from 1."""
    return Table(name, [(n, tuple(r)) for n, r in enumerate(rows, start=1)])


def entry(ledger_type: LedgerType, **values: Any) -> LedgerEntry:
    return LedgerEntry.objects.get(ledger_type=ledger_type, **values)


# Vendor exports, each with its preset mapping


def vendor_import(
    unit: Unit, code: str, file: str, mapping: str, actor: Any, overlap: str = "ask"
) -> Any:
    ledger_type = ledger(unit, code)
    column_map = ColumnMap.of(find_mapping(ledger_type, mapping))
    return import_file(ledger_type, unit, FIXTURES / file, column_map, actor=actor, overlap=overlap)


def imported(ledger_type: LedgerType, actor: Actor) -> QuerySet[LedgerEntry]:
    """The records the actor imported (the demo year's are the demo officer's)."""
    return LedgerEntry.objects.filter(ledger_type=ledger_type, created_by=actor.user)


def test_opinion_vendor_export_imports_every_row_with_its_mapping(demo_unit, importer):
    report = vendor_import(
        demo_unit, "opinion", "opinion-vendor-export-2021Q2.xlsx", "舆情监测服务导出", importer
    )

    assert report.error_lines() == []
    assert (report.header_row, report.rows, report.created, report.updated) == (2, 400, 400, 0)
    opinion = ledger(demo_unit, "opinion")
    first = entry(opinion, natural_key="https://kuaishou.com/p/781848168")
    assert first.data == {
        "title": "黄金海岸招聘信息",
        "summary": "网民反映黄金海岸招聘信息相关情况，引发关注。",
        "platform": "快手",
        "link": "https://kuaishou.com/p/781848168",
        "first_seen": "2021-05-28",
        "grade": "一般",  # no alert level
        "must_handle": False,  # 中性
    }
    assert (first.date, first.state, first.project) == (dt.date(2021, 5, 28), "监测", None)
    board = entry(opinion, natural_key="https://liuyan.people.com.cn/p/461937329")
    assert (board.data["platform"], board.data["grade"], board.data["must_handle"]) == (
        "论坛",
        "较大",
        True,
    )
    entries = imported(opinion, importer)
    assert entries.count() == 400
    assert entries.filter(data__grade="重大").count() == 43
    assert entries.filter(data__must_handle=True).count() == 164  # 负面
    assert entries.filter(data__platform="微信").count() == 57  # 微信公众号


def test_expenditure_ledger_export_imports_with_projects_and_economic_classes(demo_unit, importer):
    # The demo's typed expenditures cover the same projects and year: added beside them here
    # (jixiao/ledgers/tests/test_sources.py asks and replaces).
    report = vendor_import(
        demo_unit,
        "expenditure",
        "expenditure-ledger-export-2021.xlsx",
        "财务软件明细账",
        importer,
        overlap="add",
    )

    assert report.error_lines() == []
    assert (report.header_row, report.created, report.updated) == (2, 52, 0)
    assert [o.count for o in report.overlaps] == [13, 16]
    expenditure = ledger(demo_unit, "expenditure")
    camera = entry(expenditure, natural_key="记-0004")
    assert camera.data == {
        "paid_on": "2021-01-03",
        "amount": "4607.28",
        "economic_class": "设备购置费",  # 一般公共服务支出-办公设备购置
        "voucher": "记-0004",
        "summary": "购置摄像设备",
    }
    assert (camera.project.code, camera.amount_cents) == (PUBLICITY, 460728)
    assert entry(expenditure, natural_key="记-0001").data["economic_class"] == "委托业务费"
    sums = dict(
        imported(expenditure, importer)
        .values_list("project__code")
        .annotate(cents=Sum("amount_cents"))
    )
    assert sums == {SECURITY: 12000614, PUBLICITY: 5569917}


def test_publicity_posts_csv_imports_both_posts_of_one_headline(demo_unit, importer):
    # The demo's typed posts of the half year stay beside the file's.
    report = vendor_import(
        demo_unit, "post", "publicity-posts-2021H1.csv", "网宣平台发布记录", importer, "add"
    )

    assert report.error_lines() == []
    assert report.overlaps and report.written
    assert (report.rows, report.created, report.updated) == (248, 248, 0)
    posts = imported(ledger(demo_unit, "post"), importer)
    # Rows 166 and 167: same channel, day and title, two links, two posts.
    twice = posts.filter(data__title="黄金海岸推进葡萄产业发展", date=dt.date(2021, 4, 24))
    assert sorted(e.data["reads"] for e in twice) == [15511, 18106]
    assert posts.filter(data__kind="原创").count() == 125
    first = posts.get(data__link="https://example.invalid/微博/98071")
    assert first.data == {
        "channel": "微博",
        "published_on": "2021-01-01",
        "title": "碣石山举办葡萄产业发展",
        "link": "https://example.invalid/微博/98071",
        "kind": "转发",
        "reads": 8077,
    }


def test_vendor_export_imported_twice_changes_nothing(unit):
    file, name = "opinion-vendor-export-2021Q2.xlsx", "舆情监测服务导出"
    vendor_import(unit, "opinion", file, name, SYSTEM)

    again = vendor_import(unit, "opinion", file, name, SYSTEM)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 400)
    assert LedgerEntry.objects.count() == 400


def test_reimport_keeps_what_staff_added_to_fields_the_file_lacks(unit):
    file, name = "opinion-vendor-export-2021Q2.xlsx", "舆情监测服务导出"
    vendor_import(unit, "opinion", file, name, SYSTEM)
    opinion = ledger(unit, "opinion")
    case = entry(opinion, natural_key="https://douyin.com/p/823471275")
    project = Project.objects.get(code=SECURITY)
    upsert_entries(
        opinion,
        unit,
        [EntryInput({**case.data, "assignee": "张三", "handling": "已回复网民"}, project)],
        actor=SYSTEM,
    )
    case.refresh_from_db()
    record_transition(case, "预警", actor=SYSTEM, on=dt.date(2021, 6, 16))

    again = vendor_import(unit, "opinion", file, name, SYSTEM)

    assert (again.updated, again.unchanged) == (0, 400)
    case.refresh_from_db()
    assert (case.data["assignee"], case.data["handling"], case.project) == (
        "张三",
        "已回复网民",
        project,
    )
    assert case.state == "预警"


# The 5,000-row spreadsheet


def test_5000_rows_with_3_bad_import_nothing_then_all_then_nothing_new(unit, tmp_path):
    opinion = ledger(unit, "opinion")
    rows: list[list[Any]] = [opinion_row(n) for n in range(5000)]
    rows[100] = opinion_row(100, 首次发现时间="2021-13-45")
    rows[2001] = opinion_row(2001, 级别="特大")
    rows[4002] = opinion_row(4002, 链接="https://weibo.com/p/7")
    title = ["昌黎县网络舆情台账（2021年）"]
    bad = write_xlsx(tmp_path / "bad.xlsx", [title, OPINION_HEADERS, *rows])

    report = import_file(opinion, unit, bad, actor=SYSTEM)

    # The title is row 1 and the header row 2, so data row n sits on spreadsheet row n + 3.
    assert [(e.row, e.column) for e in report.errors] == [
        (103, "首次发现时间"),
        (2004, "级别"),
        (4005, "链接"),
    ]
    assert report.error_lines() == [
        "第 103 行，列“首次发现时间”：“首次发现时间”不是有效日期：2021-13-45（应如 2021-03-31）",
        "第 2004 行，列“级别”：“级别”的值“特大”不在选项中（一般、较大、重大）",
        "第 4005 行，列“链接”：与第 10 行重复（链接相同）",
    ]
    assert (report.written, report.created, LedgerEntry.objects.count()) == (False, 0, 0)

    rows[100], rows[2001], rows[4002] = opinion_row(100), opinion_row(2001), opinion_row(4002)
    fixed = write_xlsx(tmp_path / "fixed.xlsx", [title, OPINION_HEADERS, *rows])
    report = import_file(opinion, unit, fixed, actor=SYSTEM)
    assert (report.error_count, report.created, LedgerEntry.objects.count()) == (0, 5000, 5000)

    again = import_file(opinion, unit, fixed, actor=SYSTEM)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5000)
    assert LedgerEntry.objects.count() == 5000


def test_errors_listed_are_capped_and_counted(unit):
    rows = [opinion_row(n, 级别="特大") for n in range(MAX_LISTED_ERRORS + 5)]

    report = import_table(
        ledger(unit, "opinion"), unit, table(OPINION_HEADERS, *rows), actor=SYSTEM
    )

    assert (len(report.errors), report.error_count) == (MAX_LISTED_ERRORS, MAX_LISTED_ERRORS + 5)
    assert report.error_lines()[-1] == "……另有 5 处问题未列出"


def test_dry_run_counts_without_writing(unit):
    opinion = ledger(unit, "opinion")
    import_table(opinion, unit, table(OPINION_HEADERS, opinion_row(1)), actor=SYSTEM)
    rows = table(OPINION_HEADERS, opinion_row(1, 级别="重大"), opinion_row(2), opinion_row(3))

    report = import_table(opinion, unit, rows, actor=SYSTEM, dry_run=True)

    assert (report.created, report.updated, report.unchanged, report.written) == (2, 1, 0, False)
    assert report.summary() == "检查通过：共 3 行，将新建 2 条，更新 1 条，0 条无变化；尚未写入。"
    assert list(LedgerEntry.objects.values_list("data__grade", flat=True)) == ["一般"]


# Mapping


def test_headers_equal_to_labels_or_codes_map_themselves(unit):
    headers = ["title", "来源平台", "链接", "首次发现时间", "级别", "应处置", "备注", "金额"]

    plan = plan_columns(ledger(unit, "opinion"), table(headers))

    assert [c.target for c in plan.columns] == [
        "title",
        "platform",
        "link",
        "first_seen",
        "grade",
        "must_handle",
        "",
        "",
    ]


def test_money_label_without_its_unit_and_project_header_map_automatically(unit):
    plan = plan_columns(
        ledger(unit, "expenditure"), table(["支付日期", "金额", "经济分类", "凭证号", "预算项目"])
    )

    assert [c.target for c in plan.columns] == [
        "paid_on",
        "amount",
        "economic_class",
        "voucher",
        "project",
    ]


def test_missing_required_fields_are_named_before_any_row_is_read(unit):
    rows = table(["标题", "链接", "发布时间", "预警级别"], ["t", "x", "y", "z"])

    with pytest.raises(ImportFailure) as failure:
        import_table(ledger(unit, "opinion"), unit, rows, actor=SYSTEM)

    assert str(failure.value) == (
        "文件第 1 行的表头中找不到“舆情”台账的必填字段：来源平台、首次发现时间、级别、应处置。"
        "文件的表头是：标题、链接、发布时间、预警级别。"
        "请选择合适的导入映射，或把表头改为台账的字段名称。"
    )


def test_header_row_found_below_a_title_when_the_saved_one_moved(unit):
    opinion = ledger(unit, "opinion")
    column_map = ColumnMap.of(find_mapping(opinion, "舆情监测服务导出"))
    rows = table(
        ["昌黎县网络舆情日报"],
        ["导出时间：2021-07-01"],
        ["标题", "来源平台", "发布时间", "原文链接", "情感倾向", "预警级别"],
        [
            "道路施工扰民",
            "新浪微博",
            "2021-06-15 19:10:00",
            "https://weibo.com/p/1",
            "负面",
            "橙色",
        ],
    )

    report = import_table(opinion, unit, rows, column_map, actor=SYSTEM)

    assert (report.header_row, report.created) == (3, 1)
    assert entry(opinion, natural_key="https://weibo.com/p/1").data == {
        "title": "道路施工扰民",
        "platform": "微博",
        "link": "https://weibo.com/p/1",
        "first_seen": "2021-06-15",
        "grade": "较大",
        "must_handle": True,
    }


def test_two_columns_mapped_to_one_field_are_refused(unit):
    column_map = ColumnMap(columns={"标题": "title", "题目": "title"})

    with pytest.raises(ImportFailure, match="“标题”和“题目”两列都对应到同一字段"):
        plan_columns(ledger(unit, "opinion"), table(["标题", "题目"]), column_map)


def test_a_mapping_naming_a_field_the_ledger_lacks_is_refused(unit):
    column_map = ColumnMap(columns={"标题": "title", "热度": "heat"}, name="旧映射")

    with pytest.raises(ImportFailure, match="映射“旧映射”中列“热度”对应的字段“heat”"):
        plan_columns(ledger(unit, "opinion"), table(["标题", "热度"]), column_map)


def test_a_blank_value_and_an_unmapped_field_take_the_mappings_default(unit):
    opinion = ledger(unit, "opinion")
    column_map = ColumnMap(
        columns={"标题": "title", "平台": "platform", "链接": "link", "日期": "first_seen"},
        values={"grade": {"": "一般"}, "must_handle": {"": "否"}, "platform": {"": "其他"}},
    )
    rows = table(["标题", "平台", "链接", "日期"], ["t", None, "https://a.cn/1", "2021-02-03"])

    report = import_table(opinion, unit, rows, column_map, actor=SYSTEM)

    assert report.created == 1
    data = entry(opinion, natural_key="https://a.cn/1").data
    assert (data["platform"], data["grade"], data["must_handle"]) == ("其他", "一般", False)


def test_a_choice_is_found_by_the_last_part_of_a_path_and_by_width(unit):
    expenditure = ledger(unit, "expenditure")
    rows = table(
        ["支付日期", "金额", "经济分类", "凭证号"],
        ["2021-03-01", "100", "商品和服务支出/差旅费", "v1"],
        ["2021-03-02", "200", "维修(护)费", "v2"],
        ["2021-03-03", "300", "差旅", "v3"],
    )

    report = import_table(expenditure, unit, rows, actor=SYSTEM)

    assert report.error_lines() == [
        "第 4 行，列“经济分类”：“经济分类”的值“差旅”不在选项中（办公费、印刷费、邮电费、差旅费、"
        "维修（护）费、会议费、培训费、公务接待费、专用材料费、委托业务费、设备购置费、"
        "信息网络及软件购置更新、其他商品和服务支出）"
    ]
    rows.rows.pop()
    import_table(expenditure, unit, rows, actor=SYSTEM)
    classes = LedgerEntry.objects.order_by("date").values_list("data__economic_class", flat=True)
    assert list(classes) == ["差旅费", "维修（护）费"]


def test_state_column_takes_vendor_words_through_the_mapping(unit):
    opinion = ledger(unit, "opinion")
    codes = ["title", "platform", "link", "first_seen", "grade", "must_handle"]
    column_map = ColumnMap(
        columns={**dict(zip(OPINION_HEADERS, codes, strict=True)), "办理状态": "state"},
        values={"state": {"已办结": "办结", "处置中": "处置"}},
    )
    rows = table(
        [*OPINION_HEADERS, "办理状态"],
        [*opinion_row(1), "已办结"],
        [*opinion_row(2, 应处置="是"), "处置中"],  # a case in 处置 is 应处置 (the rule)
        [*opinion_row(3), "挂起"],
    )

    report = import_table(opinion, unit, rows, column_map, actor=SYSTEM)

    assert report.error_lines() == [
        "第 4 行，列“办理状态”：状态“挂起”不在流程中（监测、预警、研判、处置、办结）"
    ]
    rows.rows.pop()
    import_table(opinion, unit, rows, column_map, actor=SYSTEM)
    assert entry(opinion, natural_key="https://weibo.com/p/1").state == "办结"
    assert entry(opinion, natural_key="https://weibo.com/p/2").state_dates == {
        "监测": "2021-01-03",
        "处置": "2021-01-03",
    }


# Projects


@pytest.mark.parametrize(
    "cell",
    [
        SECURITY,
        "网络安全和信息化经费",
        f"{SECURITY} 网络安全和信息化经费",
        f"{SECURITY}-网络安全和信息化经费",
        f"{SECURITY}（网信经费）",
    ],
)
def test_a_project_cell_may_hold_its_code_its_name_or_both(unit, cell):
    expenditure = ledger(unit, "expenditure")
    rows = table(
        ["支付日期", "金额", "经济分类", "凭证号", "项目"], ["2021-03-01", 10, "办公费", "v", cell]
    )

    report = import_table(expenditure, unit, rows, actor=SYSTEM)

    assert report.created == 1
    assert entry(expenditure, natural_key="v").project.code == SECURITY


def test_an_unknown_project_or_one_of_another_year_is_a_row_error(unit):
    rows = table(
        ["支付日期", "金额", "经济分类", "凭证号", "项目"],
        ["2021-03-01", 10, "办公费", "v1", f"{SECURITY}X 网络安全和信息化经费"],
        ["2022-03-01", 10, "办公费", "v2", SECURITY],
        ["2021-03-01", 10, "办公费", "v3", SECURITY],
    )

    report = import_table(ledger(unit, "expenditure"), unit, rows, actor=SYSTEM)

    assert report.error_lines() == [
        f"第 2 行，列“项目”：找不到 2021 年的项目“{SECURITY}X 网络安全和信息化经费”"
        f"（本单位 2021 年的项目：{SECURITY}、{PUBLICITY}）",
        f"第 3 行，列“项目”：找不到 2022 年的项目“{SECURITY}”（本单位 2022 年的项目：无）",
    ]
    assert LedgerEntry.objects.count() == 0


def test_a_project_on_a_ledger_without_projects_is_refused(unit):
    column_map = ColumnMap(columns={"标题": "title", "项目": "project"})

    with pytest.raises(ImportFailure, match="“网宣发布”台账不关联预算项目"):
        plan_columns(ledger(unit, "post"), table(["标题", "项目"]), column_map)


# Rows that are not records


def test_totals_and_blank_rows_are_left_out(unit):
    rows = table(
        ["支付日期", "金额", "经济分类", "凭证号", "序号"],
        ["2021-03-01", 10, "办公费", "v1", 1],
        [None, None, None, None, 2],
        ["合计", 10, None, None, None],
    )

    report = import_table(ledger(unit, "expenditure"), unit, rows, actor=SYSTEM)

    assert (report.rows, report.created, report.skipped) == (1, 1, [4])
    assert report.summary() == (
        "已导入“t.xlsx”到“支出”台账：新建 1 条，更新 0 条，0 条无变化。（跳过合计行：第 4 行）"
    )


# Reading files


def test_csv_in_gbk_with_semicolons_is_read(unit, tmp_path):
    text = (
        "昌黎县网信办支出明细\r\n支付日期;金额;经济分类;凭证号\r\n2021/3/1;1234.5;办公费;记-1\r\n"
    )
    path = tmp_path / "gbk.csv"
    path.write_bytes(text.encode("gbk"))

    report = import_file(ledger(unit, "expenditure"), unit, path, actor=SYSTEM)

    assert report.created == 1
    assert entry(ledger(unit, "expenditure"), natural_key="记-1").data["amount"] == "1234.50"


def test_tab_separated_utf16_and_quoted_line_breaks_keep_row_numbers(tmp_path):
    text = '标题\t摘要\r\n"a"\t"第一行\n第二行"\r\nb\t\r\n'
    path = tmp_path / "t.txt"
    path.write_bytes(text.encode("utf-16"))

    assert read_table(path).rows == [
        (1, ("标题", "摘要")),
        (2, ("a", "第一行\n第二行")),
        (3, ("b", None)),
    ]


def test_xlsx_cells_come_as_dates_and_exact_decimals(tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [[dt.datetime(2021, 3, 1), dt.datetime(2021, 3, 1, 9, 30), 0.1 + 0.2, 12.0, " x "]],
    )

    ((number, cells),) = read_table(path).rows

    assert number == 1
    assert [str(c) for c in cells] == ["2021-03-01", "2021-03-01 09:30:00", "0.3", "12", "x"]


def test_old_excel_and_unknown_files_fail_in_chinese(tmp_path):
    old = tmp_path / "a.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    other = tmp_path / "a.docx"
    other.write_bytes(b"PK")

    with pytest.raises(ImportFailure, match=r"旧版 Excel 97-2003（\.xls）"):
        read_table(old)
    with pytest.raises(ImportFailure, match=r"不支持的文件类型：a\.docx"):
        read_table(other)


# Export and round trip


@pytest.fixture
def records(unit):
    """Opinion cases in several states, one with a project and every kind of value."""
    opinion = ledger(unit, "opinion")
    project = Project.objects.get(code=SECURITY)
    items = [
        EntryInput(
            {
                "title": "=1+1 看似公式的标题",
                "platform": "微信",
                "link": "https://a.cn/1",
                "first_seen": "2021-03-04",
                "grade": "重大",
                "must_handle": True,
                "deadline": "2021-03-10",
                "summary": "第一行\n第二行",
            },
            project,
            "处置",
        ),
        EntryInput(
            {
                "title": "-负号开头",
                "platform": "抖音",
                "link": "https://a.cn/2",
                "first_seen": "2021-07-01",
                "grade": "一般",
                "must_handle": False,
            }
        ),
    ]
    upsert_entries(opinion, unit, items, actor=SYSTEM)
    return opinion


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_imports_back_unchanged(unit, records, tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    path.write_bytes(export_entries(records, fmt, unit=unit))
    before = list(LedgerEntry.objects.order_by("id").values_list("data", "state", "project"))

    report = import_file(records, unit, path, actor=SYSTEM)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    after = list(LedgerEntry.objects.order_by("id").values_list("data", "state", "project"))
    assert after == before


def test_xlsx_export_has_labels_dates_as_dates_and_project_code_name(unit, records, tmp_path):
    path = tmp_path / "out.xlsx"
    path.write_bytes(export_entries(records, "xlsx", unit=unit, year=2021))

    rows = list(load_workbook(path).active.iter_rows(values_only=True))

    assert rows[0] == (
        "标题", "来源平台", "链接", "首次发现时间", "摘要", "级别", "应处置", "责任人",
        "处置期限", "预警单", "研判报告", "处置情况", "办结回复", "项目", "状态",
    )  # fmt: skip
    assert rows[1][:7] == (
        "=1+1 看似公式的标题",
        "微信",
        "https://a.cn/1",
        dt.datetime(2021, 3, 4),
        "第一行\n第二行",
        "重大",
        "是",
    )
    assert rows[1][13:] == (f"{SECURITY} 网络安全和信息化经费", "处置")
    assert len(rows) == 3


def test_csv_export_is_utf8_with_bom_iso_dates_and_guarded_formulas(unit, records):
    data = export_entries(records, "csv", unit=unit)

    assert data.startswith("\ufeff标题,来源平台,".encode())
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("'=1+1 看似公式的标题,微信,https://a.cn/1,2021-03-04,")
    assert lines[-1].startswith("'-负号开头,抖音,https://a.cn/2,2021-07-01,,一般,否,")


def test_export_filters_by_year(unit, records):
    data = export_entries(records, "csv", unit=unit, year=2021)
    empty = export_entries(records, "csv", unit=unit, year=2020)

    assert len(data.decode("utf-8-sig").splitlines()) == 4  # header, 2 records (one has 2 lines)
    assert len(empty.decode("utf-8-sig").splitlines()) == 1


def test_export_of_every_unit_names_each_rows_unit(unit, records):
    lines = export_entries(records, "csv").decode("utf-8-sig").splitlines()

    assert lines[0].endswith(",项目,状态,预算单位")
    assert lines[-1].endswith(",监测,224001 中共昌黎县委网络安全和信息化委员会办公室本级")


# Saved mappings


def test_preset_mappings_exist_for_the_three_vendor_exports(db):
    names = set(ImportMapping.objects.values_list("ledger_type__code", "name", "preset"))

    assert names == {
        ("opinion", "舆情监测服务导出", True),
        ("expenditure", "财务软件明细账", True),
        ("post", "网宣平台发布记录", True),
    }


def test_save_mapping_stores_and_updates_but_never_overwrites_a_preset(unit):
    opinion = ledger(unit, "opinion")
    column_map = ColumnMap(columns={"题目": "title"}, values={"grade": {"": "一般"}}, header_row=3)

    saved = save_mapping(opinion, " 我的映射 ", column_map, actor=SYSTEM)
    save_mapping(opinion, "我的映射", ColumnMap(columns={"标题": "title"}), actor=SYSTEM)

    saved.refresh_from_db()
    assert (saved.name, saved.columns, saved.values, saved.header_row) == (
        "我的映射",
        {"标题": "title"},
        {},
        1,
    )
    with pytest.raises(ValidationError, match="“舆情监测服务导出”是预置映射"):
        save_mapping(opinion, "舆情监测服务导出", column_map, actor=SYSTEM)


def test_an_unknown_mapping_name_lists_the_known_ones(unit):
    with pytest.raises(ImportFailure) as failure:
        find_mapping(ledger(unit, "opinion"), "别的")

    assert str(failure.value) == "“舆情”台账没有名为“别的”的导入映射（已有：舆情监测服务导出）"
