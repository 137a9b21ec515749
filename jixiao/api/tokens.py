"""API tokens: create (shown once), revoke, and find the account a presented token acts for.

A token is 40 random characters after ``jx_``; only its SHA-256 digest is kept. A token has
as much entropy as a key, so a fast digest is enough: nobody guesses one by trying, and a
copy of the database does not give the tokens away.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.access.lookups import accounts_for
from jixiao.access.perms import is_system, require
from jixiao.accounts.models import Membership
from jixiao.api.models import ApiToken
from jixiao.audit.choices import Action
from jixiao.audit.log import record, snapshot
from jixiao.lib.actor import Actor

PREFIX = "jx_"
# How often a token's "last used" time is written: not on every call of a busy client.
TOUCH_EVERY = dt.timedelta(minutes=1)
MAX_LIVE_TOKENS = 20
TOKEN_FIELDS = ["name", "prefix", "created_at", "expires_at", "revoked_at"]
# The lifetimes the tokens page offers, in days (None: never expires); the first is the default.
EXPIRY_DAYS: tuple[int | None, ...] = (365, 90, 30, None)
DEFAULT_EXPIRY_DAYS = 365
EXPIRED = _("接口令牌“%(name)s”已于 %(at)s 过期，请在“接口令牌”页面创建新的令牌。")
# Unknown tokens from one address: this many within the cool-off refuse its calls (429).
COOLOFF_MINUTES = 10


def bad_token_limit() -> int:
    """How many unknown tokens one address may present (setting JIXIAO_API_BAD_TOKEN_LIMIT)."""
    return int(getattr(settings, "JIXIAO_API_BAD_TOKEN_LIMIT", 20))


def _bad_key(address: str) -> str:
    return f"jixiao-api-bad-token:{address}"


def bad_tries(address: str) -> int:
    """Unknown tokens presented from the address in the last cool-off period."""
    return int(cache.get(_bad_key(address), 0))


def count_bad_try(address: str) -> None:
    """Count an unknown token from the address (the count lapses after the cool-off)."""
    key = _bad_key(address)
    if not cache.add(key, 1, timeout=COOLOFF_MINUTES * 60):
        try:
            cache.incr(key)
        except ValueError:  # lapsed between add and incr
            cache.add(key, 1, timeout=COOLOFF_MINUTES * 60)


@dataclass(frozen=True)
class NewToken:
    """A token just created: the stored row, and the secret shown to its owner this once."""

    token: ApiToken
    secret: str


def digest(secret: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """A person's tokens, newest first (revoked ones too, for the record)."""
    return ApiToken.objects.filter(user=user)


def _scope(user: Any) -> dict[str, Any]:
    # The log row sits in the account's organisation, so its administrators see it.
    membership = Membership.objects.filter(user=user).first()
    if membership is None:
        return {}
    return {"unit": membership.unit_id, "bureau": membership.bureau_id}


def _require_owner_or_manager(actor: Actor, token_user: Any) -> None:
    """The token's owner, or whoever manages the owner's account (docs/permissions.md)."""
    if actor.operator or (actor.user is not None and actor.user.pk == token_user.pk):
        return
    membership = Membership.objects.filter(user=token_user).select_related("unit", "bureau").first()
    if membership is None:
        if is_system(actor):
            return
        raise PermissionDenied(_("只能管理本人的接口令牌。"))
    require(actor, "manage_accounts", membership.organisation)


def tokens_managed_by(who: Any) -> QuerySet[ApiToken]:
    """The tokens of the accounts a person manages (a bureau administrator's bureau and its
    units, every account for superusers), newest first; none for anybody else."""
    return ApiToken.objects.filter(user__in=accounts_for(who)).select_related(
        "user", "revoked_by", "user__membership__unit", "user__membership__bureau"
    )


def expiry_for(days: int | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """When a token made now for ``days`` days expires (None: never)."""
    if days is None:
        return None
    return (now or timezone.now()) + dt.timedelta(days=days)


@transaction.atomic
def create_token(name: str, *, actor: Actor, days: int | None = DEFAULT_EXPIRY_DAYS) -> NewToken:
    """A new named token of the acting person, valid for ``days`` days (None: no expiry);
    the secret is returned once, never stored."""
    user = actor.user
    if user is None or not user.is_active:
        raise PermissionDenied(_("需要登录后才能创建接口令牌。"))
    if days not in EXPIRY_DAYS:
        raise ValidationError({"days": _("有效期只能是 30、90、365 天或长期有效。")})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请为令牌起一个名称，例如“舆情系统”。")})
    if len(name) > 60:
        raise ValidationError({"name": _("名称最多 60 个字。")})
    live = tokens_of(user).select_for_update().filter(revoked_at__isnull=True)
    if live.filter(name=name).exists():
        raise ValidationError({"name": _("已有同名的令牌：“%(name)s”。") % {"name": name}})
    if live.count() >= MAX_LIVE_TOKENS:
        raise ValidationError(
            _("每个账号最多 %(n)s 个有效令牌，请先撤销不用的。") % {"n": MAX_LIVE_TOKENS}
        )
    secret = PREFIX + secrets.token_urlsafe(30)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[: len(PREFIX) + 5],
        digest=digest(secret),
        created_at=now,
        expires_at=expiry_for(days, now),
    )
    record(
        actor,
        Action.CREATE,
        token,
        after=snapshot(token, TOKEN_FIELDS[:4]),
        comment=_("接口令牌"),
        **_scope(user),
    )
    return NewToken(token, secret)


@transaction.atomic
def revoke_token(token: ApiToken, *, actor: Actor) -> ApiToken:
    """Revoke a token: from now on a call carrying it answers 401. Its row stays, marked.

    Its owner may, and so may whoever manages the owner's account (the tokens page of the
    accounts, docs/api.md).
    """
    _require_owner_or_manager(actor, token.user)
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        raise ValidationError(_("令牌“%(name)s”已撤销。") % {"name": locked.name})
    before = snapshot(locked, TOKEN_FIELDS)
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor.user
    locked.save(update_fields=["revoked_at", "revoked_by"])
    record(
        actor,
        Action.REVOKE,
        locked,
        before=before,
        after=snapshot(locked, TOKEN_FIELDS),
        comment=_("接口令牌"),
        **_scope(locked.user),
    )
    token.revoked_at, token.revoked_by_id = locked.revoked_at, locked.revoked_by_id
    return locked


# Why an account's tokens all go at once (the comment of the change-log row).
REVOKE_REASONS = {
    "password_reset": _("管理员重置密码"),
    "password_change": _("本人修改密码"),
    "disabled": _("账号停用"),
}


def revoke_all_tokens(user: Any, *, actor: Actor, reason: str) -> int:
    """Revoke every token of the account still in force, with ONE change-log row naming
    them; called by the accounts services (password reset and change, disabling) inside
    their transaction. Returns how many were revoked (no row when there were none)."""
    _require_owner_or_manager(actor, user)
    live = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    names = sorted(live.values_list("name", flat=True))
    if not names:
        return 0
    now = timezone.now()
    live.update(revoked_at=now, revoked_by=actor.user)
    record(
        actor,
        Action.REVOKE,
        user,
        object_repr=user.username,
        before={"api_tokens": names},
        after={"api_tokens": []},
        comment=_("因%(reason)s，撤销该账号的全部接口令牌（%(n)s 个）。")
        % {"reason": REVOKE_REASONS[reason], "n": len(names)},
        **_scope(user),
    )
    return len(names)


class TokenExpired(Exception):
    """A known token whose time is over: the call answers 401 saying so."""

    def __init__(self, token: ApiToken) -> None:
        assert token.expires_at is not None
        at = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")
        super().__init__(EXPIRED % {"name": token.name, "at": at})
        self.token = token


def authenticate(secret: str) -> Any:
    """The active account a presented token belongs to, or None (unknown, revoked, disabled).

    An expired token raises :class:`TokenExpired`. Its "last used" time is kept, at most
    once a minute.
    """
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expired(now):
        raise TokenExpired(token)
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
