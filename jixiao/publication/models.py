"""A publication: what was published, frozen when it was published."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jixiao.publication.choices import PublicationKind
from jixiao.rounds.models import Report
from jixiao.targets.models import YEAR_VALIDATORS
from jixiao.units.models import FinanceBureau, Unit


def new_token() -> str:
    """A random, unguessable URL token (128 bits)."""
    return secrets.token_urlsafe(16)


def _user(name: Any) -> models.ForeignKey[object, object]:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class Publication(models.Model):
    """A unit's targets or self-evaluation as published: the snapshot never changes after.

    The public page and its PDF read only ``snapshot`` (the document as it stood when it was
    published), so a later change to the targets or the report cannot leak onto them. A
    withdrawn publication stays as a record; its public URLs answer 404.
    """

    token = models.CharField(_("公开链接码"), max_length=32, unique=True, default=new_token)
    kind = models.CharField(_("类别"), max_length=16, choices=PublicationKind.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("预算单位"), on_delete=models.PROTECT, related_name="publications"
    )
    bureau = models.ForeignKey(
        FinanceBureau,
        verbose_name=_("财政局"),
        on_delete=models.PROTECT,
        related_name="publications",
    )
    year = models.PositiveSmallIntegerField(_("预算年度"), validators=YEAR_VALIDATORS)
    title = models.CharField(_("标题"), max_length=300)
    report = models.ForeignKey(
        Report,
        verbose_name=_("自评填报"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="publications",
    )
    snapshot = models.JSONField(_("发布内容快照"))
    # The PDF drawn from the snapshot, kept once drawn (the same bytes for every visitor).
    pdf = models.BinaryField(_("PDF 文件"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    published_by = _user(_("发布人"))
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = _user(_("撤回人"))
    withdraw_reason = models.TextField(_("撤回原因"), blank=True)

    class Meta:
        verbose_name = _("信息公开")
        verbose_name_plural = _("信息公开")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PublicationKind.values), name="publication_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def live(self) -> bool:
        """Whether the public can read it."""
        return self.withdrawn_at is None
