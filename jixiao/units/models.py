"""Budget units (预算单位)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    """A budget unit with its own budget code and a parent (主管部门)."""

    code = models.CharField(
        _("单位编码"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text=_("预算单位编码，如 224001；没有编码的单位按名称识别。"),
    )
    name = models.CharField(_("单位名称"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("主管部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("预算单位")
        verbose_name_plural = _("预算单位")
        ordering = ["code", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__isnull=False) | ~models.Q(name=""),
                name="unit_code_or_name",
            ),
        ]

    def __str__(self) -> str:
        return " ".join(part for part in (self.code, self.name) if part)

    def clean(self) -> None:
        if not self.code and not self.name:
            raise ValidationError(_("单位编码和单位名称至少要填一项。"))
        # Walk up the tree: a unit may not end up as its own ancestor.
        seen = {self.pk} if self.pk else set()
        parent = self.parent
        while parent is not None:
            if parent.pk in seen:
                raise ValidationError({"parent": _("主管部门不能是本单位或其下级单位。")})
            seen.add(parent.pk)
            parent = parent.parent
