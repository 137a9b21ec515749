from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from jixiao.audit.choices import Action
from jixiao.audit.log import record, snapshot, verify
from jixiao.audit.models import AppendOnly, AuditHead, ChangeLog
from jixiao.audit.versions import StaleEdit, bump, check_version
from jixiao.lib.actor import Actor
from jixiao.units.models import FinanceBureau
from jixiao.units.services import update_bureau_settings

pytestmark = pytest.mark.django_db


def _rows(n: int, actor: Actor) -> list[ChangeLog]:
    bureau = FinanceBureau.objects.create(name="测试财政局")
    with transaction.atomic():
        return [
            record(actor, Action.UPDATE, bureau, before={"n": i}, after={"n": i + 1})
            for i in range(n)
        ]


def test_rows_chain_and_keep_only_what_changed(officer):
    rows = _rows(3, Actor(officer, ip="10.0.0.7", request_id="abc123"))

    first, second = ChangeLog.objects.filter(seq__gte=rows[0].seq).order_by("seq")[:2]
    assert [r.seq for r in rows] == [r.seq for r in ChangeLog.objects.order_by("seq")][-3:]
    assert second.prev_hash == first.hash
    assert (first.username, first.ip, first.request_id) == (
        "经办人（officer）",
        "10.0.0.7",
        "abc123",
    )
    last = ChangeLog.objects.get(seq=rows[-1].seq)
    assert (last.before, last.after) == ({"n": 2}, {"n": 3})
    assert AuditHead.objects.get().seq == last.seq
    assert verify().ok


def test_snapshot_stores_decimals_and_dates_as_text():
    bureau = FinanceBureau(name="甲", settings={"points_output": "40"})
    assert snapshot(bureau, ["name", "settings"]) == {
        "name": "甲",
        "settings": {"points_output": "40"},
    }
    with transaction.atomic():
        row = record(
            Actor.system(), Action.CREATE, None, object_type="x.y", after={"v": Decimal("1.50")}
        )
    assert ChangeLog.objects.get(pk=row.pk).after == {"v": "1.50"}


def test_log_rows_cannot_be_changed_or_deleted_through_the_application():
    (row,) = _rows(1, Actor.system())
    row.comment = "改"
    with pytest.raises(AppendOnly):
        row.save()
    with pytest.raises(AppendOnly):
        row.delete()
    with pytest.raises(AppendOnly):
        ChangeLog.objects.all().delete()
    with pytest.raises(AppendOnly):
        ChangeLog.objects.filter(pk=row.pk).update(comment="改")


def test_verify_names_a_row_edited_in_sql(capsys):
    rows = _rows(4, Actor.system())
    target = rows[2].seq
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_changelog SET comment = %s WHERE seq = %s", ["篡改", target])

    result = verify()

    assert (result.ok, result.bad_seq) == (False, target)
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    assert exit_info.value.code == 1
    assert f"第 {target} 条记录的内容与其哈希不符" in capsys.readouterr().err


def test_verify_notices_a_deleted_row_and_a_cut_tail():
    rows = _rows(4, Actor.system())
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_changelog WHERE seq = %s", [rows[-1].seq])
    assert verify().bad_seq == rows[-1].seq
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_changelog WHERE seq = %s", [rows[1].seq])
    assert verify().bad_seq == rows[1].seq


def test_audit_verify_passes_on_an_intact_log(capsys):
    _rows(2, Actor.system())
    call_command("audit", "verify")
    assert "哈希链校验通过" in capsys.readouterr().out


def test_a_stale_version_is_refused_with_what_changed_meanwhile(bureau_admin, org):
    bureau = FinanceBureau.objects.get(pk=org.bureau.pk)
    read_at = bureau.version
    update_bureau_settings(
        bureau,
        {"points_output": "40", "points_benefit": "40"},
        actor=Actor(bureau_admin),
        version=read_at,
    )

    with pytest.raises(StaleEdit) as refused:
        update_bureau_settings(
            bureau,
            {"points_output": "60", "points_benefit": "20"},
            actor=Actor(bureau_admin),
            version=read_at,
        )

    text = "\\n".join(refused.value.messages)
    assert "已被他人修改" in text
    assert "财政管理员（bureau_admin）" in text
    assert "绩效规则设置" in text
    assert FinanceBureau.objects.get(pk=bureau.pk).settings["points_output"] == "40"


def test_check_version_without_a_version_read_does_not_check():
    bureau = FinanceBureau.objects.create(name="乙")
    bump(bureau)
    check_version(bureau, None)


def test_history_lines_show_a_choice_by_its_label():
    from jixiao.audit.versions import change_lines
    from jixiao.rounds.models import Report

    assert change_lines(Report, {"status": "unit_review"}, {"status": "submitted"}) == [
        "状态：待单位审核 → 待财政审核"
    ]
