"""Writes to accounts: create, change role, disable and enable, passwords. Each is logged.

Bureau administrators manage the accounts of their bureau and of the units under it; the
server's superuser and the operator at the command line manage all of them. Passwords go
through Django's validators (docs/deploy.md lists the policy); a new or reset password must
be changed by its owner at the next login. A password reset or change, and disabling an
account, revoke the account's API tokens (one change-log row for them all).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.access.perms import require, require_system
from jixiao.accounts import lockout
from jixiao.accounts.choices import Role
from jixiao.accounts.models import Membership
from jixiao.api.tokens import revoke_all_tokens
from jixiao.audit.choices import Action
from jixiao.audit.log import record
from jixiao.lib.actor import Actor
from jixiao.units.models import FinanceBureau, Unit

Organisation = Unit | FinanceBureau


def _place(organisation: Organisation) -> dict[str, Any]:
    if isinstance(organisation, FinanceBureau):
        return {"bureau": organisation, "unit": None}
    return {"unit": organisation, "bureau": None}


def _scope_of(membership: Membership | None) -> dict[str, Any]:
    # The log row sits in the account's organisation, so that its administrators see it.
    if membership is None:
        return {}
    return {"unit": membership.unit_id, "bureau": membership.bureau_id}


def account_snapshot(user: User) -> dict[str, Any]:
    """What the change log keeps of an account (never the password)."""
    membership = Membership.objects.filter(user=user).select_related("unit", "bureau").first()
    return {
        "username": user.username,
        "full_name": user.first_name,
        "is_active": user.is_active,
        "organisation": str(membership.organisation) if membership else "",
        "role": membership.role if membership else "",
    }


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None


@transaction.atomic
def create_account(
    *,
    username: str,
    password: str,
    organisation: Organisation,
    role: str,
    actor: Actor,
    full_name: str = "",
    email: str = "",
) -> User:
    """A new account in a unit or a bureau, with a role; it must change its password first."""
    require(actor, "manage_accounts", organisation)
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("请填写用户名。")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("用户名“%(name)s”已被使用。") % {"name": username}})
    user = User(username=username, first_name=(full_name or "").strip()[:150], email=email or "")
    user.full_clean(exclude=["password"])
    _validate_password(password, user)
    user.set_password(password)
    user.save()
    membership = Membership(user=user, role=role, **_place(organisation))
    membership.full_clean()
    membership.save()
    record(
        actor,
        Action.CREATE,
        user,
        object_repr=username,
        after=account_snapshot(user),
        **_scope_of(membership),
    )
    return user


def _require_manage(actor: Actor, user: User) -> Membership | None:
    membership = Membership.objects.filter(user=user).select_related("unit", "bureau").first()
    if membership is None:
        require_system(actor, _("只有系统管理员可以管理不属于任何单位的账号。"))
        return None
    require(actor, "manage_accounts", membership.organisation)
    return membership


@transaction.atomic
def update_account(
    user: User,
    *,
    actor: Actor,
    role: str | None = None,
    organisation: Organisation | None = None,
    full_name: str | None = None,
) -> User:
    """Change an account's role, organisation or name."""
    membership = _require_manage(actor, user)
    before = account_snapshot(user)
    if full_name is not None:
        user.first_name = full_name.strip()[:150]
        user.save(update_fields=["first_name"])
    if role is not None or organisation is not None:
        if membership is None:
            if organisation is None or role is None:
                raise ValidationError(_("请同时选择账号的单位和角色。"))
            membership = Membership(user=user, role=role, must_change_password=False)
        if organisation is not None:
            require(actor, "manage_accounts", organisation)
            for name, value in _place(organisation).items():
                setattr(membership, name, value)
        if role is not None:
            membership.role = role
        membership.full_clean()
        membership.save()
    if (
        user == actor.user
        and role is not None
        and role != Role.ADMIN
        and before["role"] == Role.ADMIN
    ):
        raise ValidationError(_("不能取消自己的财政管理员角色。"))
    record(
        actor,
        Action.UPDATE,
        user,
        object_repr=user.username,
        before=before,
        after=account_snapshot(user),
        **_scope_of(membership),
    )
    return user


@transaction.atomic
def set_active(user: User, active: bool, *, actor: Actor) -> User:
    """Disable (nobody can log in with it, its sessions end) or enable an account."""
    membership = _require_manage(actor, user)
    if user == actor.user and not active:
        raise ValidationError(_("不能停用自己的账号。"))
    if user.is_active == active:
        return user
    before = account_snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        revoke_all_tokens(user, actor=actor, reason="disabled")
    record(
        actor,
        Action.ENABLE if active else Action.DISABLE,
        user,
        object_repr=user.username,
        before=before,
        after=account_snapshot(user),
        **_scope_of(membership),
    )
    return user


@transaction.atomic
def reset_password(user: User, password: str, *, actor: Actor) -> User:
    """An administrator sets a new password; the owner must change it at the next login."""
    membership = _require_manage(actor, user)
    _validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    if membership is not None:
        membership.must_change_password = True
        membership.save(update_fields=["must_change_password"])
    revoke_all_tokens(user, actor=actor, reason="password_reset")
    record(actor, Action.PASSWORD_RESET, user, object_repr=user.username, **_scope_of(membership))
    return user


@transaction.atomic
def change_own_password(user: User, old: str, new: str, *, actor: Actor) -> User:
    """The owner changes their password: the old one is checked, the new one must differ."""
    if actor.user is None or actor.user.pk != user.pk:
        raise PermissionDenied(_("只能修改自己的密码。"))
    if not user.check_password(old):
        raise ValidationError({"old_password": _("原密码不正确。")})
    if old == new:
        raise ValidationError({"new_password": _("新密码不能与原密码相同。")})
    _validate_password(new, user)
    user.set_password(new)
    user.save(update_fields=["password"])
    membership = Membership.objects.filter(user=user).first()
    if membership is not None:
        membership.must_change_password = False
        membership.password_changed_at = timezone.now()
        membership.save(update_fields=["must_change_password", "password_changed_at"])
    revoke_all_tokens(user, actor=actor, reason="password_change")
    record(actor, Action.PASSWORD_CHANGE, user, object_repr=user.username, **_scope_of(membership))
    return user


@transaction.atomic
def unlock_account(user: User, *, actor: Actor) -> int:
    """Lift a login lockout of the account (its failed logins from every address are forgotten).

    Returns how many failure records were removed; nothing is logged when there were none.
    """
    membership = _require_manage(actor, user)
    failures = lockout.failures_of(user.username)
    removed = lockout.clear_username(user.username)
    if removed:
        record(
            actor,
            Action.UNLOCK,
            user,
            object_repr=user.username,
            before={"failures": failures},
            after={"failures": 0},
            comment=_("解除账号“%(name)s”的登录锁定。") % {"name": user.username},
            **_scope_of(membership),
        )
    return removed


@transaction.atomic
def unlock_address(ip_address: str, *, actor: Actor) -> int:
    """Lift the lockout of an address (every username's failed logins from it are forgotten).

    An address is shared by everyone behind it, so this is the server's superuser's (or the
    operator's) to do.
    """
    require_system(actor, _("只有系统管理员可以解除来源地址的锁定。"))
    removed = lockout.clear_address(ip_address)
    if removed:
        record(
            actor,
            Action.UNLOCK,
            object_type="axes.accessattempt",
            object_id=ip_address,
            object_repr=ip_address,
            comment=_("解除来源地址 %(ip)s 的登录锁定。") % {"ip": ip_address},
        )
    return removed
