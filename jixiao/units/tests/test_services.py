from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jixiao.audit.models import ChangeLog
from jixiao.lib.actor import Actor
from jixiao.units.models import Unit
from jixiao.units.services import (
    create_bureau,
    create_unit,
    find_or_create_unit,
    set_unit_bureau,
    update_bureau_settings,
)

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("测试")


def test_unit_is_created_then_found_by_code_with_name_updated():
    unit, created = find_or_create_unit(code=" 224001 ", name="网信办", actor=SYSTEM)
    again, created_again = find_or_create_unit(
        code="224001", name="中共昌黎县委网信办", actor=SYSTEM
    )

    assert (created, created_again, again.pk) == (True, False, unit.pk)
    assert Unit.objects.get().name == "中共昌黎县委网信办"


def test_unit_without_name_keeps_its_name():
    find_or_create_unit(code="224001", name="网信办", actor=SYSTEM)

    unit, _ = find_or_create_unit(code="224001", name=None, actor=SYSTEM)

    assert unit.name == "网信办"


def test_unit_without_code_is_found_by_name():
    coded, _ = find_or_create_unit(code="224001", name="网信办", actor=SYSTEM)

    unit, created = find_or_create_unit(code=None, name="网信办", actor=SYSTEM)

    assert (unit.pk, created) == (coded.pk, False)


def test_ambiguous_name_without_code_is_refused():
    Unit.objects.create(code="1", name="财政局")
    Unit.objects.create(code="2", name="财政局")

    with pytest.raises(ValidationError, match="有多个名为「财政局」的预算单位"):
        find_or_create_unit(code=None, name="财政局", actor=SYSTEM)


# Permissions and the change log of each service


def last_rows(n: int) -> list[ChangeLog]:
    return list(ChangeLog.objects.order_by("-seq")[:n])[::-1]


def test_creating_a_unit_by_import_is_logged():
    unit, _created = find_or_create_unit(code="224001", name="网信办", actor=SYSTEM)

    (row,) = last_rows(1)
    assert (row.object_type, row.object_id, row.action, row.unit_id) == (
        "units.unit",
        str(unit.pk),
        "create",
        unit.pk,
    )
    assert row.after == {"code": "224001", "name": "网信办", "parent": None, "finance_bureau": None}


def test_renaming_a_unit_by_import_logs_the_name_before_and_after(org, officer):
    find_or_create_unit(code="224001", name="中共昌黎县委网信办", actor=Actor(officer))

    (row,) = last_rows(1)
    assert (row.action, row.user_id, row.before, row.after) == (
        "update",
        officer.pk,
        {"name": "中共昌黎县委网络安全和信息化委员会办公室本级"},
        {"name": "中共昌黎县委网信办"},
    )


def test_an_officer_may_not_create_a_unit_or_reach_another(org, officer):
    count = ChangeLog.objects.count()

    with pytest.raises(PermissionDenied, match="系统中没有预算单位「999001」"):
        find_or_create_unit(code="999001", name="新单位", actor=Actor(officer))
    with pytest.raises(PermissionDenied):
        find_or_create_unit(code="224002", name="改名", actor=Actor(officer))

    assert not Unit.objects.filter(code="999001").exists()
    assert Unit.objects.get(code="224002").name == "昌黎县档案馆"
    assert ChangeLog.objects.count() == count


def test_create_bureau_is_for_the_system_and_logged(bureau_admin):
    with pytest.raises(PermissionDenied):
        create_bureau(name="抚宁区财政局", actor=Actor(bureau_admin))

    bureau = create_bureau(name="抚宁区财政局", actor=SYSTEM)

    (row,) = last_rows(1)
    assert (row.object_type, row.action, row.bureau_id) == (
        "units.financebureau",
        "create",
        bureau.pk,
    )
    assert row.after == {"name": "抚宁区财政局", "settings": {}}


def test_bureau_admin_creates_a_unit_under_its_bureau_only(org, bureau_admin):
    with pytest.raises(PermissionDenied):
        create_unit(
            code="324002", name="外局单位", bureau=org.other_bureau, actor=Actor(bureau_admin)
        )

    unit = create_unit(
        code="224003", name="昌黎县某局", bureau=org.bureau, actor=Actor(bureau_admin)
    )

    (row,) = last_rows(1)
    assert (row.action, row.user_id, row.unit_id) == ("create", bureau_admin.pk, unit.pk)
    assert row.after == {
        "code": "224003",
        "name": "昌黎县某局",
        "parent": None,
        "finance_bureau": org.bureau.pk,
    }


def test_moving_a_unit_to_another_bureau_is_for_the_system_and_logged(org, bureau_admin):
    with pytest.raises(PermissionDenied):
        set_unit_bureau(org.unit_b, org.other_bureau, actor=Actor(bureau_admin))

    set_unit_bureau(org.unit_b, org.other_bureau, actor=SYSTEM)

    (row,) = last_rows(1)
    assert (row.action, row.before, row.after) == (
        "update",
        {"finance_bureau": org.bureau.pk},
        {"finance_bureau": org.other_bureau.pk},
    )


def test_bureau_settings_change_is_logged_before_and_after(org, bureau_admin, reviewer):
    with pytest.raises(PermissionDenied):
        update_bureau_settings(
            org.bureau, {"points_output": "40", "points_benefit": "40"}, actor=Actor(reviewer)
        )

    settings = {"points_output": "40", "points_benefit": "40"}
    update_bureau_settings(org.bureau, settings, actor=Actor(bureau_admin))

    (row,) = last_rows(1)
    assert (row.action, row.bureau_id, row.object_version) == ("settings", org.bureau.pk, 2)
    assert (row.before, row.after) == (
        {"settings": {}},
        {"settings": settings},
    )
