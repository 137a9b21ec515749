"""A person's inbox: notifications of what needs them, and how they want them by e-mail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jixiao.notifications.choices import EmailMode, Kind
from jixiao.units.models import Unit


class Notification(models.Model):
    """One message in one person's inbox, with a link to where the work is done."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("预算单位"), null=True, blank=True, on_delete=models.CASCADE
    )
    # A notification a scheduled run sends (e.g. "due in 3 days" for one report) carries a key,
    # so running it again sends nothing new.
    key = models.CharField(_("去重键"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The header's unread count and the inbox list.
            models.Index(fields=["user", "read_at"], name="notification_unread"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~Q(key=""), name="notification_key_once"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values), name="notification_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def unread(self) -> bool:
        """Not read yet."""
        return self.read_at is None


class Preference(models.Model):
    """How a person wants notifications by e-mail; without a row, the default (immediately)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_mode = models.CharField(
        _("邮件提醒"), max_length=16, choices=EmailMode.choices, default=EmailMode.IMMEDIATE
    )

    class Meta:
        verbose_name = _("消息设置")
        verbose_name_plural = _("消息设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(email_mode__in=EmailMode.values), name="preference_email_mode_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_email_mode_display()}"
