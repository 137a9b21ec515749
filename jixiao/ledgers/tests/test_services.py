"""The ledger write services: records, workflow steps, bulk upserts, overdue, attachments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao.core.document import TargetDocument
from jixiao.ledgers import services
from jixiao.ledgers.models import Attachment, LedgerEntry, LedgerTransition, LedgerType
from jixiao.ledgers.services import EntryInput
from jixiao.lib.actor import Actor
from jixiao.targets.models import Project
from jixiao.targets.services import import_document
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("测试")  # the test writes data as the operator would

TODAY = dt.date(2021, 6, 30)


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    """Logins here test pages, not password hashing; the default hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def unit(org: object, demo_document: TargetDocument) -> Unit:
    """The seed's unit (224001, unit A of the personas' bureau) with its two 2021 projects."""
    return import_document(demo_document, actor=SYSTEM, source="seed.txt").unit


@pytest.fixture
def opinion() -> LedgerType:
    return LedgerType.objects.get(code="opinion", unit__isnull=True)


def case(**changes: object) -> dict[str, object]:
    """The raw values of an opinion case, as a form or a spreadsheet gives them."""
    values: dict[str, object] = {
        "title": "某小区停水引发网民不满",
        "platform": "微博",
        "link": "https://weibo.com/1/abc",
        "first_seen": "2021-03-01",
        "grade": "一般",
        "must_handle": "是",
        "deadline": "2021-03-10",
    }
    values.update(changes)
    return values


def test_create_entry_starts_in_the_initial_state_on_its_own_date(unit, opinion, officer):
    entry = services.create_entry(opinion, unit, case(), actor=Actor(officer))

    assert entry.state == "监测"
    assert entry.state_dates == {"监测": "2021-03-01"}
    assert entry.date == dt.date(2021, 3, 1)
    assert entry.natural_key == "https://weibo.com/1/abc"
    assert entry.data["must_handle"] is True
    assert entry.created_by == officer
    step = LedgerTransition.objects.get(entry=entry)
    assert (step.from_state, step.to_state, step.on, step.by) == (
        "",
        "监测",
        dt.date(2021, 3, 1),
        officer,
    )


def test_create_entry_reports_every_bad_field_by_code(unit, opinion):
    with pytest.raises(ValidationError) as caught:
        services.create_entry(
            opinion, unit, case(title="", grade="特大", link="weibo"), actor=SYSTEM
        )

    assert caught.value.message_dict == {
        "title": ["“标题”必填"],
        "grade": ["“级别”的值“特大”不在选项中（一般、较大、重大）"],
        "link": ["“链接”不是有效的链接：weibo"],
    }
    assert LedgerEntry.objects.count() == 0


def test_create_entry_refuses_a_second_record_with_the_same_key(unit, opinion):
    services.create_entry(opinion, unit, case(), actor=SYSTEM)

    with pytest.raises(ValidationError) as caught:
        services.create_entry(opinion, unit, case(title="另一个标题"), actor=SYSTEM)

    assert caught.value.messages == ["已有相同链接的记录"]
    assert LedgerEntry.objects.count() == 1


def test_create_entry_refuses_another_units_project(unit, opinion, org):
    other = org.unit_b
    project = Project.objects.filter(unit=unit).first()

    with pytest.raises(ValidationError) as caught:
        services.create_entry(opinion, other, case(), actor=SYSTEM, project=project)

    assert caught.value.message_dict == {"project": [f"项目“{project}”不属于本单位"]}


def test_expenditure_amount_is_mirrored_in_exact_cents(unit):
    expenditure = LedgerType.objects.get(code="expenditure")
    values = {
        "paid_on": "2021/04/02",
        "amount": "1,234.5",
        "economic_class": "办公费",
        "voucher": "记-0012",
    }

    entry = services.create_entry(expenditure, unit, values, actor=SYSTEM)

    assert entry.amount_cents == 123450
    assert entry.data["amount"] == "1234.50"
    assert entry.date == dt.date(2021, 4, 2)
    assert entry.state == ""
    assert not entry.transitions.exists()


def test_update_entry_replaces_values_and_moves_the_initial_date(unit, opinion):
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)
    project = Project.objects.filter(unit=unit).first()

    services.update_entry(
        entry, case(first_seen="2021-03-03", grade="较大"), actor=SYSTEM, project=project
    )

    entry.refresh_from_db()
    assert entry.date == dt.date(2021, 3, 3)
    assert entry.data["grade"] == "较大"
    assert entry.project == project
    assert entry.state_dates == {"监测": "2021-03-03"}
    assert entry.transitions.get().on == dt.date(2021, 3, 3)


def test_update_entry_refuses_a_date_after_a_later_step(unit, opinion):
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)
    services.record_transition(entry, "预警", actor=SYSTEM, on=dt.date(2021, 3, 2))

    with pytest.raises(ValidationError) as caught:
        services.update_entry(entry, case(first_seen="2021-03-05"), actor=SYSTEM)

    assert caught.value.message_dict == {
        "first_seen": ["“首次发现时间”不能晚于流程中已记录的日期 2021-03-02"]
    }
    assert LedgerEntry.objects.get().date == dt.date(2021, 3, 1)


def test_record_transition_keeps_the_step_who_when_and_the_product(unit, opinion, officer):
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)

    step = services.record_transition(
        entry,
        "预警",
        actor=Actor(officer),
        on=dt.date(2021, 3, 2),
        note="已报县委宣传部",
        values={"alert_note": "预警单：停水舆情升温"},
    )

    entry.refresh_from_db()
    assert entry.state == "预警"
    assert entry.state_dates == {"监测": "2021-03-01", "预警": "2021-03-02"}
    assert entry.data["alert_note"] == "预警单：停水舆情升温"
    assert (step.from_state, step.to_state, step.on, step.by, step.note) == (
        "监测",
        "预警",
        dt.date(2021, 3, 2),
        officer,
        "已报县委宣传部",
    )
    assert list(entry.transitions.values_list("to_state", flat=True)) == ["监测", "预警"]


def test_record_transition_refuses_a_step_the_workflow_does_not_allow(unit, opinion):
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)

    with pytest.raises(ValidationError) as caught:
        services.record_transition(entry, "研判", actor=SYSTEM, on=dt.date(2021, 3, 2))

    assert caught.value.messages == ["“舆情”不能从“监测”转到“研判”"]
    assert LedgerEntry.objects.get().state == "监测"


def test_record_transition_refuses_a_date_before_the_record_or_the_last_step(unit, opinion):
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)
    with pytest.raises(ValidationError) as before_record:
        services.record_transition(entry, "预警", actor=SYSTEM, on=dt.date(2021, 2, 28))
    services.record_transition(entry, "预警", actor=SYSTEM, on=dt.date(2021, 3, 5))

    with pytest.raises(ValidationError) as before_step:
        services.record_transition(entry, "研判", actor=SYSTEM, on=dt.date(2021, 3, 4))

    assert before_record.value.messages == ["流转日期 2021-02-28 早于记录日期 2021-03-01"]
    assert before_step.value.messages == ["流转日期 2021-03-04 早于上一步的日期 2021-03-05"]
    assert LedgerEntry.objects.get().state == "预警"


def test_upsert_entries_creates_then_updates_by_key_and_skips_unchanged(unit, opinion):
    rows = [EntryInput(case(link=f"https://weibo.com/1/{n}", title=f"舆情{n}")) for n in range(3)]
    first = services.upsert_entries(opinion, unit, rows, actor=SYSTEM)
    rows[1] = EntryInput(case(link="https://weibo.com/1/1", title="舆情1（更新）"))

    second = services.upsert_entries(opinion, unit, rows, actor=SYSTEM)

    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 1, 2)
    assert LedgerEntry.objects.count() == 3
    assert LedgerEntry.objects.get(natural_key="https://weibo.com/1/1").data["title"] == (
        "舆情1（更新）"
    )


def test_upsert_entries_writes_nothing_when_a_row_is_bad(unit, opinion):
    rows = [
        EntryInput(case(link="https://weibo.com/1/a")),
        EntryInput(case(link="https://weibo.com/1/b", first_seen="三月一日")),
        EntryInput(case(link="https://weibo.com/1/a")),
    ]

    result = services.upsert_entries(opinion, unit, rows, actor=SYSTEM, first_row=2)

    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "首次发现时间", "“首次发现时间”不是有效日期：三月一日（应如 2021-03-31）"),
        (4, "链接", "与第 2 行重复（链接相同）"),
    ]
    assert LedgerEntry.objects.count() == 0


def test_upsert_entries_keeps_given_states_and_their_dates(unit, opinion):
    row = EntryInput(case(), state="研判", state_dates={"预警": "2021-03-02", "研判": "2021-03-04"})

    services.upsert_entries(opinion, unit, [row], actor=SYSTEM)

    entry = LedgerEntry.objects.get()
    assert entry.state == "研判"
    assert entry.state_dates == {"预警": "2021-03-02", "研判": "2021-03-04", "监测": "2021-03-01"}


def test_overdue_means_a_passed_deadline_and_not_final(unit, opinion):
    late = services.create_entry(opinion, unit, case(link="https://a.cn/1"), actor=SYSTEM)
    due_today = services.create_entry(
        opinion, unit, case(link="https://a.cn/2", deadline="2021-06-30"), actor=SYSTEM
    )
    closed = services.create_entry(opinion, unit, case(link="https://a.cn/3"), actor=SYSTEM)
    services.record_transition(closed, "办结", actor=SYSTEM, on=dt.date(2021, 3, 9))
    no_deadline = services.create_entry(
        opinion, unit, case(link="https://a.cn/4", deadline=""), actor=SYSTEM
    )

    found = LedgerEntry.objects.filter(services.overdue_q(opinion, TODAY))

    assert list(found) == [late]
    assert [services.is_overdue(e, TODAY) for e in (late, due_today, closed, no_deadline)] == [
        True,
        False,
        False,
        False,
    ]
    assert services.is_overdue(due_today, dt.date(2021, 7, 1)) is True


def test_a_type_without_a_deadline_has_no_overdue_records(unit):
    task = LedgerType.objects.get(code="task")
    services.create_entry(task, unit, {"title": "年度总结", "due_on": "2021-01-31"}, actor=SYSTEM)

    assert LedgerEntry.objects.filter(services.overdue_q(task, TODAY)).count() == 0


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_add_attachment_stores_the_file_under_its_record(unit, opinion, officer, media):
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)

    attachment = services.add_attachment(
        entry, SimpleUploadedFile("研判报告.pdf", b"%PDF-1.4 report"), actor=Actor(officer)
    )

    assert attachment.name == "研判报告.pdf"
    assert attachment.uploaded_by == officer
    stored = media / attachment.file.name
    assert stored.read_bytes() == b"%PDF-1.4 report"
    assert stored.parent == media / "attachments" / str(unit.pk) / str(entry.pk)


def test_add_attachment_refuses_a_file_over_the_limit(unit, opinion, media, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)

    with pytest.raises(ValidationError) as caught:
        services.add_attachment(
            entry, SimpleUploadedFile("big.zip", b"x" * (3 * 1024 * 1024 // 2)), actor=SYSTEM
        )

    assert caught.value.messages == ["附件过大（1.5 MB），上限为 1 MB"]
    assert not Attachment.objects.exists()
    assert not media.exists()


def test_remove_attachment_keeps_row_and_file_and_restore_brings_it_back(
    unit, opinion, media, officer, django_capture_on_commit_callbacks
):
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)
    attachment = services.add_attachment(entry, SimpleUploadedFile("a.txt", b"abc"), actor=SYSTEM)
    stored = media / attachment.file.name

    with django_capture_on_commit_callbacks(execute=True):
        services.remove_attachment(attachment, actor=Actor(officer))

    removed = Attachment.objects.get()
    assert removed.removed_by == officer and removed.removed_at is not None
    assert list(entry.attachments.kept()) == []
    assert stored.read_bytes() == b"abc"  # the evidence stays on disk
    with pytest.raises(ValidationError) as twice:
        services.remove_attachment(removed, actor=Actor(officer))
    assert twice.value.messages == ["附件“a.txt”已被删除"]

    services.restore_attachment(removed, actor=Actor(officer))

    assert list(entry.attachments.kept()) == [removed]
    assert Attachment.objects.get().removed_by is None


def test_bulk_written_cases_get_the_step_history_of_their_state_dates(unit, opinion, officer):
    dates = {"监测": "2021-03-01", "预警": "2021-03-02", "研判": "2021-03-04"}
    result = services.upsert_entries(
        opinion, unit, [EntryInput(case(), state="研判", state_dates=dates)], actor=Actor(officer)
    )

    assert result.created == 1
    entry = LedgerEntry.objects.get()
    steps = [(t.from_state, t.to_state, t.on.isoformat(), t.by) for t in entry.transitions.all()]
    assert steps == [
        ("", "监测", "2021-03-01", officer),
        ("监测", "预警", "2021-03-02", officer),
        ("预警", "研判", "2021-03-04", officer),
    ]


def test_bulk_state_dates_before_the_record_or_outside_the_workflow_are_row_errors(unit, opinion):
    early = EntryInput(case(), state="预警", state_dates={"预警": "2021-02-27"}, row=7)
    unknown = EntryInput(
        case(link="https://weibo.com/2"), state_dates={"归档": "2021-03-02"}, row=8
    )

    result = services.upsert_entries(opinion, unit, [early, unknown], actor=SYSTEM)

    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (7, "状态", "到达“预警”的日期 2021-02-27 早于记录日期 2021-03-01"),
        (8, "状态", "状态“归档”不在流程中（监测、预警、研判、处置、办结）"),
    ]
    assert LedgerEntry.objects.count() == 0


def test_update_without_a_project_keeps_the_record_linked(unit, opinion):
    project = Project.objects.filter(unit=unit).first()
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM, project=project)

    services.update_entry(entry, case(title="标题改了"), actor=SYSTEM)
    entry.refresh_from_db()
    assert (entry.project, entry.data["title"]) == (project, "标题改了")

    services.update_entry(entry, case(), actor=SYSTEM, project=None)
    entry.refresh_from_db()
    assert entry.project is None
