"""The change log: who changed what, when, from where, before → after; rows are never changed.

Each row carries the hash of the row before it and its own hash over its content, so an
edit or a deletion made outside the application (in SQL) breaks the chain at that row, and
``jixiao audit verify`` names it. ``AuditHead`` holds the last row's number and hash: writers
lock it, which keeps the chain in order across concurrent transactions, and a row deleted at
the end of the chain is noticed too.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """Raised on any attempt to change or delete change-log rows through the application."""


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AppendOnly("审计日志只能追加，不能修改或删除。")


class ChangeLogQuerySet(models.QuerySet["ChangeLog"]):
    """Reads only: updates and deletes are refused."""

    update = _refuse
    delete = _refuse
    bulk_update = _refuse


def _soft_fk(model: str, verbose_name: Any) -> models.ForeignKey[Any, Any]:
    # No database constraint and no cascade: deleting a user or a unit never touches the log,
    # and the log keeps naming them by id and by the text written at the time.
    return models.ForeignKey(
        model,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )


class ChangeLog(models.Model):
    """One change: an object created, updated, deleted, or a step such as submit or login."""

    seq = models.BigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"))
    user = _soft_fk(settings.AUTH_USER_MODEL, _("操作人"))
    username = models.CharField(_("操作人名称"), max_length=200, blank=True)
    via = models.CharField(_("途径"), max_length=12)
    ip = models.CharField(_("来源地址"), max_length=45, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=32, blank=True)
    unit = _soft_fk("units.Unit", _("预算单位"))
    bureau = _soft_fk("units.FinanceBureau", _("财政局"))
    object_type = models.CharField(_("对象类型"), max_length=60)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    object_version = models.PositiveIntegerField(_("对象版本"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=32)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    comment = models.TextField(_("说明"), blank=True)
    prev_hash = models.CharField(_("上一条的哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)

    objects = ChangeLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["unit", "at"], name="changelog_unit_at"),
            models.Index(fields=["bureau", "at"], name="changelog_bureau_at"),
            models.Index(fields=["user", "at"], name="changelog_user_at"),
            models.Index(fields=["object_type", "object_id"], name="changelog_object"),
            models.Index(fields=["at"], name="changelog_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.username} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()


class AuditHead(models.Model):
    """The chain's last row number and hash (one row); writers lock it to append in order."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("审计日志链尾")
        verbose_name_plural = _("审计日志链尾")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class DataVersion(models.Model):
    """The change-log row number of the last change to a unit's data (``unit:<id>``) or to
    anything not kept by one unit (``global``: bureau settings, rounds, shared ledger types).

    Written with the change-log rows, in their transaction; pages computed from a unit's data
    are cached under these numbers (jixiao.lib.fragments), so a change is seen at once and
    nothing else is recomputed. Logins and password changes change no data and bump nothing.
    """

    key = models.CharField(max_length=40, unique=True)
    seq = models.BigIntegerField()

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")

    def __str__(self) -> str:
        return f"{self.key} #{self.seq}"
