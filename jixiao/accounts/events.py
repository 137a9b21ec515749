"""Logins, logouts, failed logins and lockouts in the change log (等保 2.0: 安全审计).

Django sends ``user_logged_in`` / ``user_logged_out`` / ``user_login_failed`` and django-axes
sends ``user_locked_out``; each becomes one change-log row, placed in the account's unit or
bureau so that its administrators and auditors see it. A failed login names the username that
was tried and the address it came from, never the password.

A successful login also notes in the session whether the person must change their password
first (``jixiao.accounts.middleware``), so no request after it pays a query for that.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils.translation import gettext as _

from jixiao.accounts import lockout
from jixiao.audit.choices import Action
from jixiao.audit.log import record
from jixiao.lib.actor import WEB, Actor, client_ip

# The session key that sends a person to the password page until they change it.
MUST_CHANGE_PASSWORD = "jixiao_must_change_password"
# Who the change log names for an attempt by somebody not logged in.
ANONYMOUS = "未登录用户"
USERNAME_MAX = 150


def _account(username: str) -> Mapping[str, Any] | None:
    """The account with this username: its id, organisation and password flag (one query)."""
    if not username:
        return None
    return (
        get_user_model()
        .objects.filter(username=username)
        .values(
            "pk",
            "membership__unit_id",
            "membership__bureau_id",
            "membership__must_change_password",
        )
        .first()
    )


def _place(account: Mapping[str, Any] | None) -> dict[str, Any]:
    if account is None:
        return {}
    return {"unit": account["membership__unit_id"], "bureau": account["membership__bureau_id"]}


def _actor(request: Any, user: Any = None) -> Actor:
    if request is None:
        return Actor(user=user, via=WEB, label=ANONYMOUS)
    return Actor(
        user=user,
        via=WEB,
        ip=client_ip(request),
        request_id=getattr(request, "request_id", "") or "",
        label=ANONYMOUS,
    )


@receiver(user_logged_in, dispatch_uid="jixiao-accounts-login")
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Record the login; note a password that must be changed first."""
    account = _account(user.get_username())
    record(
        _actor(request, user),
        Action.LOGIN,
        user,
        object_repr=user.get_username(),
        **_place(account),
    )
    session = getattr(request, "session", None)
    if session is not None:
        if account is not None and account["membership__must_change_password"]:
            session[MUST_CHANGE_PASSWORD] = True
        else:
            session.pop(MUST_CHANGE_PASSWORD, None)


@receiver(user_logged_out, dispatch_uid="jixiao-accounts-logout")
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Record the logout (nothing when nobody was logged in)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    record(
        _actor(request, user),
        Action.LOGOUT,
        user,
        object_repr=user.get_username(),
        **_place(_account(user.get_username())),
    )


@receiver(user_login_failed, dispatch_uid="jixiao-accounts-login-failed")
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    """Record the username tried and the address; Django has already masked the password."""
    username = str(credentials.get("username") or "")[:USERNAME_MAX]
    account = _account(username)
    record(
        _actor(request),
        Action.LOGIN_FAILED,
        object_type="auth.user",
        object_id=account["pk"] if account else "",
        object_repr=username,
        comment=_("以用户名“%(name)s”登录失败（用户名或密码不正确，或账号已停用、已锁定）。")
        % {"name": username},
        **_place(account),
    )


@receiver(user_locked_out, dispatch_uid="jixiao-accounts-locked-out")
def on_locked_out(
    sender: Any, request: Any, username: Any = None, ip_address: Any = None, **kwargs: Any
) -> None:
    """Record the moment a username or an address gets locked (once, not at every retry)."""
    limit = lockout.failure_limit()
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures > limit:
        return  # already locked: this failure only restarts the wait, and has its own row
    name = str(username or "")[:USERNAME_MAX]
    account = _account(name)
    record(
        _actor(request),
        Action.LOCKED_OUT,
        object_type="auth.user",
        object_id=account["pk"] if account else "",
        object_repr=name,
        comment=_(
            "登录失败已达 %(n)s 次（用户名“%(name)s”，来源地址 %(ip)s），锁定 %(minutes)s 分钟。"
        )
        % {
            "n": failures if failures is not None else limit,
            "name": name,
            "ip": ip_address or "（未知）",
            "minutes": lockout.cool_off_minutes(),
        },
        **_place(account),
    )
