"""Logging in: lockout after repeated failures, unlock, the change log of logins, the forced
password change and the idle timeout."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PERSONA_PASSWORD
from jixiao.accounts.models import Membership
from jixiao.accounts.services import unlock_account, unlock_address
from jixiao.audit.choices import Action
from jixiao.audit.models import ChangeLog
from jixiao.lib.actor import Actor

pytestmark = pytest.mark.django_db

LOGIN = "/login/"


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _rows(action: str) -> list[ChangeLog]:
    return list(ChangeLog.objects.filter(action=action).order_by("seq"))


def test_a_login_through_the_form_is_recorded_with_the_address(client, officer, org):
    response = _login(client, "officer", PERSONA_PASSWORD)

    assert response.status_code == 302
    [row] = _rows(Action.LOGIN)
    assert (row.user_id, row.ip, row.object_type, row.object_id) == (
        officer.pk,
        "10.0.0.7",
        "auth.user",
        str(officer.pk),
    )
    assert row.unit_id == org.unit.pk  # the officer's unit: its head and bureau see it


def test_a_logout_is_recorded(client, officer):
    client.force_login(officer)

    client.post("/logout/")

    [row] = _rows(Action.LOGOUT)
    assert (row.user_id, row.object_id) == (officer.pk, str(officer.pk))


def test_a_failed_login_names_the_username_and_the_address_never_the_password(client, officer, org):
    response = _login(client, "officer", "Wrong-password-123")

    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()  # Django's Chinese message
    [row] = _rows(Action.LOGIN_FAILED)
    assert row.user_id is None and row.username == "未登录用户"
    assert (row.object_repr, row.object_id, row.ip) == ("officer", str(officer.pk), "10.0.0.7")
    assert "officer" in row.comment
    assert row.unit_id == org.unit.pk
    stored = f"{row.before}{row.after}{row.comment}{row.object_repr}"
    assert "Wrong-password-123" not in stored


def test_a_failed_login_with_an_unknown_username_is_recorded_outside_any_unit(client, db):
    _login(client, "nobody-here", "Whatever-123!")

    [row] = _rows(Action.LOGIN_FAILED)
    assert (row.object_repr, row.object_id, row.unit_id, row.bureau_id) == (
        "nobody-here",
        "",
        None,
        None,
    )


def test_five_failures_lock_the_account_with_a_chinese_page_and_one_lockout_row(client, officer):
    answers = [_login(client, "officer", f"Wrong-{n}-password").status_code for n in range(5)]

    assert answers == [200, 200, 200, 200, 429]
    locked = _login(client, "officer", PERSONA_PASSWORD)  # the right password: still locked
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "登录已锁定" in text and "30 分钟" in text
    assert "_auth_user_id" not in client.session
    [row] = _rows(Action.LOCKED_OUT)
    assert (row.object_repr, row.object_id, row.ip) == ("officer", str(officer.pk), "10.0.0.7")
    assert "5 次" in row.comment
    assert len(_rows(Action.LOGIN_FAILED)) == 6  # the attempt during the lockout too
    assert _rows(Action.LOGIN) == []


def test_the_lockout_is_by_username_from_any_address(client, officer):
    for n in range(5):
        _login(client, "officer", f"Wrong-{n}-password", ip=f"10.0.1.{n}")

    assert _login(client, "officer", PERSONA_PASSWORD, ip="10.0.2.1").status_code == 429


def test_the_lockout_is_by_address_for_any_username(client, officer, head):
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        _login(client, name, "Wrong-password-1", ip="10.0.3.3")

    assert _login(client, "head", PERSONA_PASSWORD, ip="10.0.3.3").status_code == 429
    assert _login(client, "head", PERSONA_PASSWORD, ip="10.0.3.4").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, officer, monkeypatch):
    for n in range(5):
        _login(client, "officer", f"Wrong-{n}-password")
    later = timezone.now() + dt.timedelta(minutes=31)
    monkeypatch.setattr("axes.handlers.proxy.now", lambda: later)

    assert _login(client, "officer", PERSONA_PASSWORD).status_code == 302


def test_the_failure_limit_is_a_setting(client, officer, settings):
    settings.AXES_FAILURE_LIMIT = 2

    answers = [_login(client, "officer", f"Wrong-{n}-password").status_code for n in range(2)]

    assert answers == [200, 429]


def test_the_bureau_admin_unlocks_an_account_in_its_unit(client, officer, bureau_admin):
    for n in range(5):
        _login(client, "officer", f"Wrong-{n}-password")
    admin = Client()
    admin.force_login(bureau_admin)

    response = admin.post(reverse("accounts:unlock", args=[officer.pk]))

    assert response.status_code == 302
    [row] = _rows(Action.UNLOCK)
    assert (row.user_id, row.object_id, row.before, row.after) == (
        bureau_admin.pk,
        str(officer.pk),
        {"failures": 5},
        {"failures": 0},
    )
    assert _login(client, "officer", PERSONA_PASSWORD).status_code == 302


def test_unlocking_an_account_of_another_bureau_is_404(client, officer, other_reviewer, db):
    from conftest import make_person
    from jixiao.accounts.choices import Role

    outsider_admin = make_person(
        "outsider_admin", other_reviewer.membership.bureau, Role.ADMIN, "外"
    )
    client.force_login(outsider_admin)

    assert client.post(reverse("accounts:unlock", args=[officer.pk])).status_code == 404


def test_unlock_is_refused_to_a_reviewer(officer, reviewer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        unlock_account(officer, actor=Actor(reviewer))


def test_unlocking_an_address_is_the_superusers(client, officer, bureau_admin):
    from django.core.exceptions import PermissionDenied

    for name in ["a1", "a2", "a3", "a4", "a5"]:
        _login(client, name, "Wrong-password-1", ip="10.0.3.3")
    with pytest.raises(PermissionDenied):
        unlock_address("10.0.3.3", actor=Actor(bureau_admin))
    root = User.objects.create_superuser("root", "", PERSONA_PASSWORD)

    assert unlock_address("10.0.3.3", actor=Actor(root)) == 5

    [row] = _rows(Action.UNLOCK)
    assert (row.object_type, row.object_id, row.user_id) == (
        "axes.accessattempt",
        "10.0.3.3",
        root.pk,
    )
    assert _login(client, "officer", PERSONA_PASSWORD, ip="10.0.3.3").status_code == 302


def test_the_test_clients_login_still_works(client, officer):
    assert client.login(username="officer", password=PERSONA_PASSWORD)
    assert client.get("/").status_code == 200


# -- the password that must be changed first -----------------------------------------------


def test_a_new_account_is_sent_to_the_password_page_until_it_changes_it(client, officer):
    Membership.objects.filter(user=officer).update(must_change_password=True)
    client.force_login(officer)

    response = client.get("/ledgers/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:password") + "?next=")
    page = client.get(reverse("accounts:password"))
    assert page.status_code == 200 and "请先修改密码" in page.content.decode()
    assert client.get("/static/css/jixiao.css").status_code in (200, 404)  # never redirected
    assert client.get("/audit/").status_code == 302

    changed = client.post(
        reverse("accounts:password"),
        {
            "old_password": PERSONA_PASSWORD,
            "password": "New-Secret-2026",
            "password2": "New-Secret-2026",
            "next": "/ledgers/",
        },
    )

    assert (changed.status_code, changed["Location"]) == (302, "/ledgers/")
    assert client.get("/ledgers/").status_code == 200  # the same session goes on
    membership = Membership.objects.get(user=officer)
    assert membership.must_change_password is False
    assert membership.password_changed_at is not None
    [row] = _rows(Action.PASSWORD_CHANGE)
    assert row.user_id == officer.pk


def test_an_htmx_request_is_sent_to_the_password_page_by_header(client, officer):
    Membership.objects.filter(user=officer).update(must_change_password=True)
    client.force_login(officer)

    response = client.get("/ledgers/", HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("accounts:password")


def test_logout_is_allowed_before_the_password_is_changed(client, officer):
    Membership.objects.filter(user=officer).update(must_change_password=True)
    client.force_login(officer)

    response = client.post("/logout/")

    assert response.status_code == 302 and response["Location"] == "/login/"


def test_a_password_reset_ends_the_sessions_and_forces_a_change(client, officer, bureau_admin):
    from jixiao.accounts.services import reset_password

    client.force_login(officer)
    assert client.get("/ledgers/").status_code == 200

    reset_password(officer, "Temp-Pass-2026", actor=Actor(bureau_admin))

    assert client.get("/ledgers/")["Location"].startswith("/login/")
    assert _login(client, "officer", "Temp-Pass-2026").status_code == 302
    assert client.get("/ledgers/")["Location"].startswith(reverse("accounts:password"))


def test_changing_the_password_refuses_a_wrong_old_password_in_chinese(client, officer):
    client.force_login(officer)

    response = client.post(
        reverse("accounts:password"),
        {"old_password": "not-it", "password": "New-Secret-2026", "password2": "New-Secret-2026"},
    )

    assert response.status_code == 200
    assert "原密码不正确" in response.content.decode()
    assert User.objects.get(pk=officer.pk).check_password(PERSONA_PASSWORD)


def test_changing_the_password_refuses_a_weak_one_in_chinese(client, officer):
    client.force_login(officer)

    response = client.post(
        reverse("accounts:password"),
        {"old_password": PERSONA_PASSWORD, "password": "abcdefghij", "password2": "abcdefghij"},
    )

    text = response.content.decode()
    assert "至少 3 类" in text
    assert User.objects.get(pk=officer.pk).check_password(PERSONA_PASSWORD)


# -- the idle timeout ----------------------------------------------------------------------


def _at(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_session_idle_for_longer_than_the_setting_is_logged_out(client, officer, monkeypatch):
    start = timezone.now()
    _at(monkeypatch, start)
    client.force_login(officer)
    assert client.get("/ledgers/").status_code == 200

    _at(monkeypatch, start + dt.timedelta(minutes=31))

    response = client.get("/ledgers/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_an_active_session_is_not_logged_out(client, officer, monkeypatch):
    start = timezone.now()
    _at(monkeypatch, start)
    client.force_login(officer)

    for minutes in (20, 40, 60, 80, 109):  # a request every 20–29 minutes, 109 in all
        _at(monkeypatch, start + dt.timedelta(minutes=minutes))
        assert client.get("/ledgers/").status_code == 200


def test_the_idle_timeout_is_thirty_minutes_by_default(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert "jixiao.accounts.middleware.SessionRenewalMiddleware" in settings.MIDDLEWARE
