"""The account services: each checks its permission and logs its change, before → after."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import PERSONA_PASSWORD
from jixiao.accounts import services
from jixiao.accounts.choices import Role
from jixiao.accounts.models import Membership
from jixiao.audit.choices import Action
from jixiao.audit.log import verify
from jixiao.audit.models import ChangeLog
from jixiao.lib.actor import Actor
from jixiao.units.models import FinanceBureau
from jixiao.units.services import create_unit, update_bureau_settings

pytestmark = pytest.mark.django_db

NEW = "Brand-New-2026"


def _last(action: str) -> ChangeLog:
    return ChangeLog.objects.filter(action=action).order_by("-seq").first()


def test_create_account_logs_the_new_account_without_its_password(bureau_admin, org):
    user = services.create_account(
        username="lisi",
        password=NEW,
        organisation=org.unit_b,
        role=Role.HEAD,
        full_name="李四",
        actor=Actor(bureau_admin, ip="10.1.1.1"),
    )

    row = _last(Action.CREATE)
    assert (row.object_type, row.object_id, row.unit_id, row.ip) == (
        "auth.user",
        str(user.pk),
        org.unit_b.pk,
        "10.1.1.1",
    )
    assert row.before is None
    assert row.after == {
        "username": "lisi",
        "full_name": "李四",
        "is_active": True,
        "organisation": "224002 昌黎县档案馆",
        "role": "head",
    }
    assert NEW not in str(row.after)


def test_create_account_in_another_bureaus_unit_is_refused(bureau_admin, org):
    with pytest.raises(PermissionDenied):
        services.create_account(
            username="x",
            password=NEW,
            organisation=org.other_unit,
            role=Role.OFFICER,
            actor=Actor(bureau_admin),
        )
    assert not User.objects.filter(username="x").exists()


def test_a_reviewer_cannot_create_accounts(reviewer, org):
    with pytest.raises(PermissionDenied):
        services.create_account(
            username="x", password=NEW, organisation=org.unit, role="officer", actor=Actor(reviewer)
        )


def test_update_account_logs_the_role_before_and_after(bureau_admin, officer):
    services.update_account(officer, role=Role.HEAD, actor=Actor(bureau_admin))

    row = _last(Action.UPDATE)
    assert (row.before, row.after, row.object_id) == (
        {"role": "officer"},
        {"role": "head"},
        str(officer.pk),
    )


def test_update_account_moves_an_account_to_another_unit_in_reach(bureau_admin, officer, org):
    services.update_account(officer, organisation=org.unit_b, actor=Actor(bureau_admin))

    assert Membership.objects.get(user=officer).unit_id == org.unit_b.pk
    row = _last(Action.UPDATE)
    assert row.before == {"organisation": str(org.unit)}
    assert row.after == {"organisation": str(org.unit_b)}


def test_an_admin_cannot_drop_its_own_admin_role(bureau_admin):
    with pytest.raises(ValidationError, match="不能取消自己的财政管理员角色"):
        services.update_account(bureau_admin, role=Role.REVIEWER, actor=Actor(bureau_admin))
    assert Membership.objects.get(user=bureau_admin).role == Role.ADMIN


def test_set_active_logs_disable_and_enable(bureau_admin, officer):
    services.set_active(officer, False, actor=Actor(bureau_admin))
    disabled = _last(Action.DISABLE)
    services.set_active(officer, True, actor=Actor(bureau_admin))
    enabled = _last(Action.ENABLE)

    assert (disabled.before, disabled.after) == ({"is_active": True}, {"is_active": False})
    assert (enabled.before, enabled.after) == ({"is_active": False}, {"is_active": True})


def test_reset_password_logs_without_the_password_and_forces_a_change(bureau_admin, officer):
    services.reset_password(officer, NEW, actor=Actor(bureau_admin))

    row = _last(Action.PASSWORD_RESET)
    assert (row.user_id, row.object_id, row.before, row.after) == (
        bureau_admin.pk,
        str(officer.pk),
        None,
        None,
    )
    assert Membership.objects.get(user=officer).must_change_password is True
    assert User.objects.get(pk=officer.pk).check_password(NEW)


def test_change_own_password_checks_the_old_one_and_the_policy(officer):
    with pytest.raises(ValidationError, match="原密码不正确"):
        services.change_own_password(officer, "nope", NEW, actor=Actor(officer))
    with pytest.raises(ValidationError, match="新密码不能与原密码相同"):
        services.change_own_password(
            officer, PERSONA_PASSWORD, PERSONA_PASSWORD, actor=Actor(officer)
        )
    with pytest.raises(ValidationError, match="至少 3 类"):
        services.change_own_password(officer, PERSONA_PASSWORD, "abcdefghijk", actor=Actor(officer))

    services.change_own_password(officer, PERSONA_PASSWORD, NEW, actor=Actor(officer))

    row = _last(Action.PASSWORD_CHANGE)
    assert (row.user_id, row.object_id) == (officer.pk, str(officer.pk))
    assert NEW not in f"{row.before}{row.after}{row.comment}"


def test_nobody_changes_another_persons_own_password(officer, bureau_admin):
    with pytest.raises(PermissionDenied):
        services.change_own_password(officer, PERSONA_PASSWORD, NEW, actor=Actor(bureau_admin))


def test_unlock_without_failures_writes_nothing(bureau_admin, officer):
    before = ChangeLog.objects.count()

    assert services.unlock_account(officer, actor=Actor(bureau_admin)) == 0

    assert ChangeLog.objects.count() == before


def test_create_unit_logs_in_the_unit_and_its_bureau(bureau_admin, org):
    unit = create_unit(
        code="224005", name="昌黎县文化馆", bureau=org.bureau, actor=Actor(bureau_admin)
    )

    row = _last(Action.CREATE)
    assert (row.object_type, row.unit_id, row.bureau_id) == ("units.unit", unit.pk, org.bureau.pk)
    assert row.after == {
        "code": "224005",
        "name": "昌黎县文化馆",
        "parent": None,
        "finance_bureau": org.bureau.pk,
    }


def test_create_unit_in_another_bureau_is_refused(bureau_admin, org):
    with pytest.raises(PermissionDenied):
        create_unit(code="9", name="外", bureau=org.other_bureau, actor=Actor(bureau_admin))


def test_update_bureau_settings_logs_before_and_after(bureau_admin, org):
    bureau = FinanceBureau.objects.get(pk=org.bureau.pk)

    update_bureau_settings(
        bureau, {"overrun_deduction": "2"}, actor=Actor(bureau_admin), version=bureau.version
    )

    row = _last(Action.SETTINGS)
    assert (row.before, row.after) == (
        {"settings": {}},
        {"settings": {"overrun_deduction": "2"}},
    )


def test_a_reviewer_cannot_change_the_settings(reviewer, org):
    with pytest.raises(PermissionDenied):
        update_bureau_settings(org.bureau, {}, actor=Actor(reviewer))


def test_the_chain_holds_after_every_account_service(bureau_admin, officer, org):
    actor = Actor(bureau_admin)
    services.update_account(officer, full_name="改", actor=actor)
    services.set_active(officer, False, actor=actor)
    services.reset_password(officer, NEW, actor=actor)

    assert verify().ok
