"""API tokens: a person's named keys for programs that call the API in their name."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A named token of one account; only its SHA-256 digest is stored (the token is shown once).

    A request carrying it (``Authorization: Bearer …``) acts as the account, with exactly the
    account's permissions; a revoked token, or one of a disabled account, answers 401.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("名称"), max_length=60)
    # The token's first characters, so a person can tell their tokens apart; not secret alone.
    prefix = models.CharField(_("前缀"), max_length=12)
    digest = models.CharField(_("摘要"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    # None: never expires (the owner chose so); a call after this time answers 401.
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="apitoken_unique_live_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def active(self) -> bool:
        """True until the token is revoked (an expired token is still "active", but refused)."""
        return self.revoked_at is None

    def expired(self, now: dt.datetime | None = None) -> bool:
        """Whether the token's time is over (a token without expiry never is)."""
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def usable(self) -> bool:
        """Neither revoked nor expired: a call carrying it is taken."""
        return self.active and not self.expired()
