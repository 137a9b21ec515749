"""Budget units (预算单位) and the finance bureaus (财政局) that review them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jixiao.core.policy import DEFAULT, Policy, PolicyError


class FinanceBureau(models.Model):
    """A finance bureau (财政局): opens rounds for its units and holds their rule settings."""

    name = models.CharField(_("名称"), max_length=200, unique=True)
    settings = models.JSONField(
        _("绩效规则设置"),
        default=dict,
        blank=True,
        help_text=_(
            '只填与默认值不同的设置，如 {"points_output": "40"}；名称见 docs/settings.md。'
        ),
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("财政局")
        verbose_name_plural = _("财政局")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            Policy.from_mapping(self.settings)
        except PolicyError as exc:
            raise ValidationError({"settings": str(exc)}) from None

    @property
    def policy(self) -> Policy:
        """The rule settings: the defaults with this bureau's changes."""
        return Policy.from_mapping(self.settings)


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
    finance_bureau = models.ForeignKey(
        FinanceBureau,
        verbose_name=_("财政局"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
        help_text=_("审核本单位的财政局；不填时沿用主管部门的，都没有时用默认规则。"),
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

    @property
    def bureau(self) -> FinanceBureau | None:
        """The finance bureau of this unit, or of its nearest ancestor that has one."""
        unit: Unit | None = self
        seen: set[int | None] = set()
        while unit is not None and unit.pk not in seen:
            if unit.finance_bureau_id is not None:
                return unit.finance_bureau
            seen.add(unit.pk)
            unit = unit.parent
        return None

    @property
    def policy(self) -> Policy:
        """The rule settings this unit is scored and monitored by."""
        bureau = self.bureau
        return bureau.policy if bureau is not None else DEFAULT
