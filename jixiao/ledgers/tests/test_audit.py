"""Every ledger write leaves its change-log row (before → after) in the same transaction; a
stale save of a record is refused with what changed meanwhile; writes take ``edit`` on the unit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jixiao.audit.log import verify
from jixiao.audit.models import ChangeLog
from jixiao.audit.versions import StaleEdit
from jixiao.core.document import TargetDocument
from jixiao.ledgers import services
from jixiao.ledgers.importing import ColumnMap, delete_mapping, import_table, save_mapping
from jixiao.ledgers.io import Table
from jixiao.ledgers.models import Attachment, ImportMapping, LedgerEntry, LedgerField, LedgerType
from jixiao.ledgers.services import EntryInput
from jixiao.lib.actor import Actor
from jixiao.targets.models import Project
from jixiao.targets.services import import_document
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("测试")
SECURITY = "13032221C2GKIBLPDEWRQ"  # 网络安全和信息化经费


@pytest.fixture
def unit(org: object, demo_document: TargetDocument) -> Unit:
    """Unit A (224001) with its two 2021 projects."""
    return import_document(demo_document, actor=SYSTEM, source="seed.txt").unit


@pytest.fixture
def opinion() -> LedgerType:
    return LedgerType.objects.get(code="opinion", unit__isnull=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def case(n: int = 1, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "title": f"舆情{n}",
        "platform": "微博",
        "link": f"https://weibo.com/1/{n}",
        "first_seen": "2021-03-01",
        "grade": "一般",
        "must_handle": "是",
        "deadline": "2021-03-10",
    }
    values.update(changes)
    return values


def rows_of(obj: object) -> list[ChangeLog]:
    """The change-log rows about one object, oldest first."""
    return list(
        ChangeLog.objects.filter(
            object_type=obj._meta.label_lower,  # type: ignore[attr-defined]
            object_id=str(obj.pk),  # type: ignore[attr-defined]
        ).order_by("seq")
    )


def last_row(obj: object) -> ChangeLog:
    return rows_of(obj)[-1]


# One change-log row per service, with its before → after.


def test_create_entry_logs_the_record_under_its_field_labels(unit, opinion, officer):
    project = Project.objects.get(unit=unit, year=2021, code=SECURITY)

    entry = services.create_entry(opinion, unit, case(), actor=Actor(officer), project=project)

    row = last_row(entry)
    assert (row.action, row.user_id, row.username, row.unit_id) == (
        "create",
        officer.pk,
        "经办人（officer）",
        unit.pk,
    )
    assert (row.before, row.object_version) == (None, 1)
    assert row.after == {
        "标题": "舆情1",
        "来源平台": "微博",
        "链接": "https://weibo.com/1/1",
        "首次发现时间": "2021-03-01",
        "级别": "一般",
        "应处置": True,
        "处置期限": "2021-03-10",
        "project": f"{SECURITY} 网络安全和信息化经费",
        "state": "监测",
    }


def test_update_entry_logs_only_the_changed_fields_and_project(unit, opinion, officer):
    project = Project.objects.get(unit=unit, year=2021, code=SECURITY)
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM, project=project)

    services.update_entry(
        entry, case(grade="较大", summary="新增摘要"), actor=Actor(officer), project=None
    )

    row = last_row(entry)
    assert (row.action, row.user_id, row.object_version) == ("update", officer.pk, 2)
    assert row.before == {
        "级别": "一般",
        "摘要": None,
        "project": f"{SECURITY} 网络安全和信息化经费",
    }
    assert row.after == {"级别": "较大", "摘要": "新增摘要", "project": None}
    assert LedgerEntry.objects.get().version == 2
    assert entry.version == 2  # the caller's object shows what was saved


def test_record_transition_logs_states_day_note_and_the_steps_field(unit, opinion, officer):
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)

    services.record_transition(
        entry,
        "预警",
        actor=Actor(officer),
        on=dt.date(2021, 3, 2),
        note="已报县委宣传部",
        values={"alert_note": "预警单：停水舆情升温"},
    )

    row = last_row(entry)
    assert (row.action, row.comment, row.object_version) == ("transition", "已报县委宣传部", 2)
    assert row.before == {"state": "监测", "预警单": None, "流转日期": None}
    assert row.after == {
        "state": "预警",
        "预警单": "预警单：停水舆情升温",
        "流转日期": "2021-03-02",
    }


def test_upsert_logs_one_row_per_created_or_changed_record_in_one_append(unit, opinion, officer):
    rows = [EntryInput(case(n)) for n in range(3)]
    with CaptureQueriesContext(connection) as first_run:
        services.upsert_entries(opinion, unit, rows, actor=Actor(officer), comment="导入“a.xlsx”")
    created = list(LedgerEntry.objects.order_by("id"))
    rows[1] = EntryInput(case(1, title="舆情1（更新）", grade="重大"))

    result = services.upsert_entries(opinion, unit, rows, actor=Actor(officer))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    logged = ChangeLog.objects.filter(object_type="ledgers.ledgerentry").order_by("seq")
    assert [(r.object_id, r.action, r.comment) for r in logged] == [
        (str(created[0].pk), "import", "新建：导入“a.xlsx”"),
        (str(created[1].pk), "import", "新建：导入“a.xlsx”"),
        (str(created[2].pk), "import", "新建：导入“a.xlsx”"),
        (str(created[1].pk), "import", "更新"),  # the unchanged rows write nothing
    ]
    assert logged[0].after["标题"] == "舆情0"
    assert logged[0].after["state_dates"] == {"监测": "2021-03-01"}
    update = logged[3]
    assert (update.before, update.after) == (
        {"标题": "舆情1", "级别": "一般"},
        {"标题": "舆情1（更新）", "级别": "重大"},
    )
    assert update.object_version == 2
    inserts = [q["sql"] for q in first_run.captured_queries if "audit_changelog" in q["sql"]]
    assert len([q for q in inserts if q.startswith("INSERT")]) == 1  # three rows, one insert


def test_a_5000_row_import_appends_its_rows_in_batches_and_verifies(unit, opinion):
    headers = ["标题", "来源平台", "链接", "首次发现时间", "级别", "应处置"]
    rows = [(n + 2, (f"事件{n}", "微博", f"https://a.cn/{n}", "2021-04-01", "一般", "是"))
            for n in range(5000)]  # fmt: skip
    table = Table("big.csv", [(1, tuple(headers)), *rows])

    with CaptureQueriesContext(connection) as run:
        report = import_table(opinion, unit, table, actor=SYSTEM)
    again = import_table(opinion, unit, table, actor=SYSTEM)

    assert report.created == 5000 and again.unchanged == 5000
    assert ChangeLog.objects.filter(object_type="ledgers.ledgerentry").count() == 5000
    inserts = [
        q for q in run.captured_queries if q["sql"].startswith('INSERT INTO "audit_changelog"')
    ]
    # Appended in bulk: a few hundred rows an insert (SQLite caps an insert's parameters at
    # 999, 52 rows of the log's 19 columns; PostgreSQL takes 500), never one insert a row.
    assert len(inserts) <= 5000 // 52 + 1
    assert verify().ok


def test_a_dry_run_and_a_refused_import_write_no_log(unit, opinion):
    headers = ("标题", "来源平台", "链接", "首次发现时间", "级别", "应处置")
    good = (2, ("甲", "微博", "https://a.cn/1", "2021-04-01", "一般", "是"))
    bad = (3, ("乙", "微博", "https://a.cn/2", "2021-04-01", "特大", "是"))

    checked = import_table(opinion, unit, Table("t.csv", [(1, headers), good]), actor=SYSTEM,
                           dry_run=True)  # fmt: skip
    refused = import_table(opinion, unit, Table("t.csv", [(1, headers), good, bad]), actor=SYSTEM)

    assert (checked.created, refused.error_count) == (1, 1)
    assert not LedgerEntry.objects.exists()
    assert not ChangeLog.objects.filter(object_type="ledgers.ledgerentry").exists()


def test_attachments_log_attach_remove_and_restore(unit, opinion, officer, head):
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)
    attachment = services.add_attachment(
        entry, SimpleUploadedFile("研判报告.pdf", b"%PDF-1.4"), actor=Actor(officer)
    )
    services.remove_attachment(attachment, actor=Actor(head))
    services.restore_attachment(attachment, actor=Actor(officer))

    attach, remove, restore = rows_of(attachment)
    assert (attach.action, attach.user_id, attach.unit_id) == ("attach", officer.pk, unit.pk)
    assert attach.after == {
        "name": "研判报告.pdf",
        "file": attachment.file.name,
        "entry": entry.pk,
    }
    assert (remove.action, remove.user_id) == ("remove", head.pk)
    assert remove.before == {"removed_at": None, "removed_by": None}
    assert remove.after["removed_by"] == head.pk and remove.after["removed_at"]
    assert (restore.action, restore.after) == ("restore", {"removed_at": None, "removed_by": None})
    assert restore.before["removed_by"] == head.pk


def test_saved_mappings_log_create_update_and_delete(unit, opinion, officer):
    column_map = ColumnMap(columns={"题目": "title", "网址": "link"}, header_row=2)

    mapping = save_mapping(opinion, "某系统", column_map, actor=Actor(officer), unit=unit)
    save_mapping(
        opinion, "某系统", ColumnMap(columns={"题目": "title"}), actor=Actor(officer), unit=unit
    )
    delete_mapping(ImportMapping.objects.get(name="某系统"), actor=Actor(officer))

    create, update, delete = rows_of(mapping)
    assert (create.action, create.unit_id, create.before) == ("create", unit.pk, None)
    assert create.after == {
        "ledger_type": opinion.pk,
        "unit": unit.pk,
        "name": "某系统",
        "header_row": 2,
        "columns": {"题目": "title", "网址": "link"},
        "values": {},
    }
    assert (update.action, update.before, update.after) == (
        "update",
        {"header_row": 2, "columns": {"题目": "title", "网址": "link"}},
        {"header_row": 1, "columns": {"题目": "title"}},
    )
    assert (delete.action, delete.after) == ("delete", None)
    assert delete.before["name"] == "某系统"
    assert not ImportMapping.objects.filter(name="某系统").exists()


def test_mappings_of_other_units_and_presets_are_not_anybodys_to_change(
    unit, opinion, officer, officer_b, org
):
    save_mapping(opinion, "甲单位的", ColumnMap(columns={"标题": "title"}), actor=Actor(officer),
                 unit=unit)  # fmt: skip

    with pytest.raises(ValidationError) as taken:
        save_mapping(opinion, "甲单位的", ColumnMap(), actor=Actor(officer_b), unit=org.unit_b)
    with pytest.raises(PermissionDenied):
        delete_mapping(ImportMapping.objects.get(name="甲单位的"), actor=Actor(officer_b))
    with pytest.raises(PermissionDenied):
        delete_mapping(ImportMapping.objects.get(name="舆情监测服务导出"), actor=Actor(officer))
    with pytest.raises(ValidationError) as preset:
        delete_mapping(ImportMapping.objects.get(name="舆情监测服务导出"), actor=SYSTEM)

    assert taken.value.messages == ["“甲单位的”是其他单位保存的映射，不能覆盖，请换一个名称"]
    assert preset.value.messages == ["“舆情监测服务导出”是预置映射，不能删除"]


def test_save_ledger_type_logs_settings_and_fields(unit, officer):
    petition = LedgerType(unit=unit, code="petition", name="信访件", date_field="received")
    fields = [
        LedgerField(code="title", label="事项", kind="text", required=True, position=0),
        LedgerField(code="received", label="受理日期", kind="date", required=True, position=1),
    ]

    services.save_ledger_type(petition, actor=Actor(officer), save_fields=fields)
    petition.name = "信访事项"
    fields[0].label = "事由"
    services.save_ledger_type(
        petition,
        actor=Actor(officer),
        save_fields=[fields[0]],
        delete_fields=[fields[1]],
    )

    create, update = rows_of(petition)
    assert create.action == "create"
    assert create.after["字段 title"] == "0. 事项（文本，必填）"
    assert create.after["字段 received"] == "1. 受理日期（日期，必填）"
    assert (update.before, update.after) == (
        {
            "name": "信访件",
            "字段 title": "0. 事项（文本，必填）",
            "字段 received": "1. 受理日期（日期，必填）",
        },
        {"name": "信访事项", "字段 title": "0. 事由（文本，必填）", "字段 received": None},
    )
    assert [f.code for f in petition.fields.all()] == ["title"]


def test_only_the_operator_changes_a_preset_ledger_type(opinion, officer):
    opinion.description = "改了说明"

    with pytest.raises(PermissionDenied):
        services.save_ledger_type(opinion, actor=Actor(officer))
    services.save_ledger_type(opinion, actor=SYSTEM)

    assert last_row(opinion).after == {"description": "改了说明"}


# Who may write.


@pytest.mark.parametrize("persona", ["officer_b", "reviewer", "auditor", "bureau_admin"])
def test_people_who_do_not_keep_the_unit_cannot_write_its_records(unit, opinion, persona, request):
    who = Actor(request.getfixturevalue(persona))
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)
    attachment = services.add_attachment(entry, SimpleUploadedFile("a.txt", b"a"), actor=SYSTEM)
    writes = [
        lambda: services.create_entry(opinion, unit, case(2), actor=who),
        lambda: services.update_entry(entry, case(title="改"), actor=who),
        lambda: services.record_transition(entry, "预警", actor=who, on=dt.date(2021, 3, 2)),
        lambda: services.upsert_entries(opinion, unit, [EntryInput(case(3))], actor=who),
        lambda: services.add_attachment(entry, SimpleUploadedFile("b.txt", b"b"), actor=who),
        lambda: services.remove_attachment(attachment, actor=who),
        lambda: save_mapping(opinion, "x", ColumnMap(), actor=who, unit=unit),
    ]

    for write in writes:
        with pytest.raises(PermissionDenied):
            write()

    entry.refresh_from_db()
    assert (entry.data["title"], entry.state, entry.version) == ("舆情1", "监测", 1)
    assert LedgerEntry.objects.count() == 1
    assert Attachment.objects.kept().count() == 1


def test_the_head_keeps_the_units_records_too(unit, opinion, head):
    entry = services.create_entry(opinion, unit, case(), actor=Actor(head))

    services.record_transition(entry, "预警", actor=Actor(head), on=dt.date(2021, 3, 2))

    assert (entry.created_by, entry.state) == (head, "预警")


def test_a_ledger_type_of_another_unit_cannot_take_records(unit, org):
    theirs = LedgerType.objects.create(
        unit=org.unit_b, code="complaint", name="信访件", date_field="received"
    )

    with pytest.raises(ValidationError) as caught:
        services.create_entry(theirs, unit, {}, actor=SYSTEM)

    assert caught.value.messages == ["台账类型“信访件”属于其他单位"]


# No lost work.


def test_a_stale_update_is_refused_with_who_changed_what(unit, opinion, officer, head):
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)
    read_at = entry.version
    services.update_entry(entry, case(grade="较大"), actor=Actor(officer), version=read_at)

    with pytest.raises(StaleEdit) as stale:
        services.update_entry(
            entry, case(title="负责人改的标题"), actor=Actor(head), version=read_at
        )

    lines = stale.value.messages
    assert lines[0] == (
        "“舆情 2021-03-01 舆情1”在你打开之后已被他人修改，你的修改没有保存。"
        "请核对下面的变化后重新填写："
    )
    assert lines[1].startswith("经办人（officer）（")
    assert lines[1].endswith("）：级别：一般 → 较大")
    assert stale.value.current_version == 2
    stored = LedgerEntry.objects.get()
    assert (stored.data["title"], stored.data["grade"], stored.version) == ("舆情1", "较大", 2)
    assert len(rows_of(stored)) == 2  # create, the officer's update; nothing of the refusal


def test_a_stale_transition_is_refused_and_names_the_step_taken(unit, opinion, officer, head):
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)
    services.record_transition(
        entry, "预警", actor=Actor(officer), on=dt.date(2021, 3, 2), version=1
    )

    with pytest.raises(StaleEdit) as stale:
        services.record_transition(
            entry, "办结", actor=Actor(head), on=dt.date(2021, 3, 3), version=1
        )

    assert "状态：监测 → 预警" in stale.value.messages[1]
    assert "流转日期：（空） → 2021-03-02" in stale.value.messages[1]
    assert LedgerEntry.objects.get().state == "预警"


def test_an_import_makes_an_open_form_stale(unit, opinion, officer):
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)
    services.upsert_entries(opinion, unit, [EntryInput(case(title="导入的标题"))], actor=SYSTEM)

    with pytest.raises(StaleEdit):
        services.update_entry(entry, case(title="表单里的标题"), actor=Actor(officer), version=1)

    assert LedgerEntry.objects.get().data["title"] == "导入的标题"


def test_a_save_at_the_current_version_goes_through(unit, opinion, officer):
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)
    services.update_entry(entry, case(grade="较大"), actor=Actor(officer), version=1)

    services.update_entry(entry, case(grade="重大"), actor=Actor(officer), version=2)

    assert LedgerEntry.objects.get().data["grade"] == "重大"


def test_saving_a_record_unchanged_writes_nothing(unit, opinion, officer):
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)

    services.update_entry(entry, case(), actor=Actor(officer), version=1)

    assert LedgerEntry.objects.get().version == 1
    assert [r.action for r in rows_of(entry)] == ["create"]
