"""Token lifetimes, the tokens of the accounts one manages, and tokens revoked with a
password reset or change or a disabled account."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jixiao.accounts import services as accounts
from jixiao.api import tokens
from jixiao.api.models import ApiToken
from jixiao.audit.models import ChangeLog
from jixiao.lib.actor import Actor
from jixiao.system.demo.people import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Neu-Passwort-2021!"


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _page(username: str) -> Client:
    client = Client()
    client.force_login(_user(username))
    return client


# --- expiry --------------------------------------------------------------------------------


def test_a_token_lasts_365_days_unless_told_otherwise(demo: None) -> None:
    officer = Actor(user=_user("demo"))
    default = tokens.create_token("默认", actor=officer).token
    assert default.expires_at - default.created_at == dt.timedelta(days=365)
    short = tokens.create_token("短期", actor=officer, days=30).token
    assert short.expires_at - short.created_at == dt.timedelta(days=30)
    forever = tokens.create_token("长期", actor=officer, days=None).token
    assert forever.expires_at is None and not forever.expired()
    with pytest.raises(ValidationError) as refused:
        tokens.create_token("七天", actor=officer, days=7)
    assert refused.value.message_dict == {"days": ["有效期只能是 30、90、365 天或长期有效。"]}


def test_an_expired_token_answers_401_saying_it_expired(demo: None) -> None:
    new = tokens.create_token("舆情系统", actor=Actor(user=_user("demo")), days=30)
    assert _bearer(new.secret).get("/api/me").json()["username"] == "demo"
    ended = timezone.make_aware(dt.datetime(2021, 7, 1, 9, 30))
    ApiToken.objects.filter(pk=new.token.pk).update(expires_at=ended)
    response = _bearer(new.secret).get("/api/me")
    assert response.status_code == 401
    assert response.json()["detail"] == (
        "接口令牌“舆情系统”已于 2021-07-01 09:30 过期，请在“接口令牌”页面创建新的令牌。"
    )
    assert "invalid_token" in response["WWW-Authenticate"]
    # A known token that expired is not a guess: the address is not counted toward the 429.
    assert tokens.bad_tries("127.0.0.1") == 0


def test_the_tokens_page_offers_lifetimes_and_shows_expiry_and_last_use(demo: None) -> None:
    client = _page("demo")
    page = client.get(reverse("api_tokens:list")).content.decode()
    assert '<option value="365" selected>365 天</option>' in page
    assert '<option value="none">长期有效</option>' in page
    created = client.post(
        reverse("api_tokens:list"), {"name": "会计核算", "days": "90"}, follow=True
    )
    token = ApiToken.objects.get(user__username="demo", name="会计核算")
    assert token.expires_at - token.created_at == dt.timedelta(days=90)
    shown = created.content.decode()
    expiry = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")
    assert expiry in shown and "从未使用" in shown
    secret = shown.split('id="token-secret">')[1].split("<")[0]
    assert _bearer(secret).get("/api/me").status_code == 200
    token.refresh_from_db()
    used = timezone.localtime(token.last_used_at).strftime("%Y-%m-%d %H:%M")
    again = client.get(reverse("api_tokens:list")).content.decode()
    assert used in again and "从未使用" not in again
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    assert "已过期" in client.get(reverse("api_tokens:list")).content.decode()


# --- the tokens of the accounts one manages ---------------------------------------------------


def test_an_administrator_lists_and_revokes_tokens_of_the_accounts_in_scope(demo: None) -> None:
    new = tokens.create_token("舆情系统", actor=Actor(user=_user("demo")))
    admin = _page("caizheng")
    page = admin.get(reverse("api_tokens:managed")).content.decode()
    assert "舆情系统" in page and new.token.prefix in page
    assert new.secret not in page and new.token.digest not in page
    revoke = reverse("api_tokens:managed_revoke", kwargs={"pk": new.token.pk})
    assert admin.post(revoke).status_code == 302
    new.token.refresh_from_db()
    assert new.token.revoked_at is not None and new.token.revoked_by == _user("caizheng")
    row = ChangeLog.objects.get(
        object_type="api.apitoken", object_id=str(new.token.pk), action="revoke"
    )
    assert row.user_id == _user("caizheng").pk
    assert row.unit_id == _user("demo").membership.unit_id
    assert _bearer(new.secret).get("/api/me").status_code == 401
    # Revoked tokens are listed only when asked for.
    listed = f"<code>{new.token.prefix}…</code>"
    assert listed not in admin.get(reverse("api_tokens:managed")).content.decode()
    assert listed in admin.get(reverse("api_tokens:managed"), {"all": "1"}).content.decode()


def test_others_see_and_revoke_only_their_own_tokens(demo: None) -> None:
    token = tokens.create_token("舆情系统", actor=Actor(user=_user("demo"))).token
    revoke = reverse("api_tokens:managed_revoke", kwargs={"pk": token.pk})
    for username in ("fuzeren", "shenhe", "demo"):
        assert _page(username).get(reverse("api_tokens:managed")).status_code == 403
        assert _page(username).post(revoke).status_code == 403
    # The own-tokens page finds only one's own: another's token is 404 even for the admin.
    own_revoke = reverse("api_tokens:revoke", kwargs={"pk": token.pk})
    assert _page("caizheng").post(own_revoke).status_code == 404
    head_page = _page("fuzeren").get(reverse("api_tokens:list")).content.decode()
    assert f"<code>{token.prefix}…</code>" not in head_page
    with pytest.raises(PermissionDenied):
        tokens.revoke_token(token, actor=Actor(user=_user("fuzeren")))
    token.refresh_from_db()
    assert token.active


# --- revoked with the password or the account ----------------------------------------------


def _revocations(user: Any) -> list[ChangeLog]:
    return list(
        ChangeLog.objects.filter(object_type="auth.user", object_id=str(user.pk), action="revoke")
    )


def _two_tokens(user: Any) -> list[str]:
    actor = Actor(user=user)
    return [tokens.create_token(name, actor=actor).secret for name in ("甲", "乙")]


def test_a_password_reset_by_the_administrator_revokes_the_accounts_tokens(demo: None) -> None:
    officer = _user("demo")
    secrets = _two_tokens(officer)
    accounts.reset_password(officer, NEW_PASSWORD, actor=Actor(user=_user("caizheng")))
    assert [_bearer(s).get("/api/me").status_code for s in secrets] == [401, 401]
    (row,) = _revocations(officer)
    assert row.user_id == _user("caizheng").pk
    assert row.before == {"api_tokens": ["乙", "甲"]} and row.after == {"api_tokens": []}
    assert row.comment == "因管理员重置密码，撤销该账号的全部接口令牌（2 个）。"


def test_changing_ones_password_revokes_ones_tokens(demo: None) -> None:
    officer = _user("demo")
    officer.set_password(DEMO_PASSWORD)
    officer.save()
    secrets = _two_tokens(officer)
    accounts.change_own_password(officer, DEMO_PASSWORD, NEW_PASSWORD, actor=Actor(user=officer))
    assert [_bearer(s).get("/api/me").status_code for s in secrets] == [401, 401]
    (row,) = _revocations(officer)
    assert row.comment == "因本人修改密码，撤销该账号的全部接口令牌（2 个）。"
    assert ApiToken.objects.filter(user=officer, revoked_at__isnull=True).count() == 0


def test_disabling_an_account_revokes_its_tokens_and_enabling_does_not_bring_them_back(
    demo: None,
) -> None:
    officer = _user("demo")
    _two_tokens(officer)
    admin = Actor(user=_user("caizheng"))
    accounts.set_active(officer, False, actor=admin)
    accounts.set_active(officer, True, actor=admin)
    (row,) = _revocations(officer)
    assert row.comment == "因账号停用，撤销该账号的全部接口令牌（2 个）。"
    assert ApiToken.objects.filter(user=officer, revoked_at__isnull=True).count() == 0
    # Nothing left to revoke: a second reset writes no revocation row.
    accounts.reset_password(officer, NEW_PASSWORD, actor=admin)
    assert len(_revocations(officer)) == 1
