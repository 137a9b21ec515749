"""Metrics (口径): how an indicator's actual is computed from ledgers, or entered by hand.

A metric is data: ``definition`` is a JSON document (see ``jixiao/core/metrics.py`` for the
grammar) that the evaluator compiles into set-based aggregate queries. Indicators whose
actual cannot be counted (qualitative ones, durations) take a ``ManualActual`` with evidence.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jixiao.targets.models import Indicator


class Metric(models.Model):
    """The rule (口径) bound to one indicator."""

    indicator = models.OneToOneField(
        Indicator, verbose_name=_("绩效指标"), on_delete=models.CASCADE, related_name="metric"
    )
    definition = models.JSONField(_("口径定义"))
    note = models.TextField(_("口径说明"), blank=True)
    # Rebinding edits the row in place: a form names the version it read (no lost work).
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("口径")
        verbose_name_plural = _("口径")
        ordering = ["indicator_id"]

    def __str__(self) -> str:
        return f"{self.indicator}：{self.definition.get('kind', '')}"

    @property
    def is_manual(self) -> bool:
        """True when the actual is entered by hand with evidence."""
        return bool(self.definition.get("kind") == "manual")


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.actual.indicator_id}/{filename}"


class EvidenceQuerySet(models.QuerySet["Evidence"]):
    """Evidence files; removed ones are kept (and restorable) but not shown with the entry."""

    def live(self) -> EvidenceQuerySet:
        """The files not removed."""
        return self.filter(removed_at__isnull=True)

    def removed(self) -> EvidenceQuerySet:
        """The files removed (kept, restorable)."""
        return self.filter(removed_at__isnull=False)


class ManualActual(models.Model):
    """An actual entered by hand (实际完成值) as of a date, with its evidence (佐证材料)."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("绩效指标"),
        on_delete=models.CASCADE,
        related_name="manual_actuals",
    )
    as_of = models.DateField(_("截至日期"))
    value = models.CharField(_("实际完成值"), max_length=100)
    number = models.DecimalField(
        _("数值"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("实际完成值中的数字（如“1年”的 1），定性指标为空。"),
    )
    evidence = models.TextField(_("佐证说明"))
    entered_at = models.DateTimeField(_("填报时间"), default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("手工填报的实际完成值")
        verbose_name_plural = _("手工填报的实际完成值")
        ordering = ["indicator_id", "-as_of", "-entered_at"]

    def __str__(self) -> str:
        return f"{self.indicator}：{self.value}（截至 {self.as_of}）"


class Evidence(models.Model):
    """A file backing a hand-entered actual."""

    actual = models.ForeignKey(
        ManualActual, verbose_name=_("实际完成值"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    # Evidence is never deleted: removing one hides it and keeps the file, and it can be restored.
    removed_at = models.DateTimeField(_("移除时间"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("移除人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["actual_id", "uploaded_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def removed(self) -> bool:
        """True when the file was removed (hidden, kept, restorable)."""
        return self.removed_at is not None
