"""A person's place in the unit tree: one organisation (a unit or a finance bureau) and a role."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jixiao.accounts.choices import BUREAU_ROLES, UNIT_ROLES, Role
from jixiao.units.models import FinanceBureau, Unit


class Membership(models.Model):
    """The organisation an account belongs to and its role there.

    Exactly one of ``unit`` and ``bureau`` is set. A unit's people see the unit and the units
    under it (a 主管部门 sees its subordinates); a bureau's people see every unit it reviews.
    An account without a membership sees nothing (the server's superuser aside).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="membership",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("预算单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    bureau = models.ForeignKey(
        FinanceBureau,
        verbose_name=_("财政局"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    must_change_password = models.BooleanField(
        _("下次登录须修改密码"),
        default=True,
        help_text=_("新建账号和重置密码后为是，本人修改密码后为否。"),
    )
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("账号所属单位与角色")
        verbose_name_plural = _("账号所属单位与角色")
        ordering = ["bureau_id", "unit_id", "user_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=True, bureau__isnull=False)
                | Q(unit__isnull=False, bureau__isnull=True),
                name="membership_one_organisation",
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"

    @property
    def organisation(self) -> Unit | FinanceBureau:
        """The unit or the bureau the account belongs to."""
        organisation = self.unit if self.unit_id is not None else self.bureau
        assert organisation is not None  # the constraint makes one of them set
        return organisation

    @property
    def in_bureau(self) -> bool:
        """True for a finance bureau's people."""
        return self.bureau_id is not None

    def clean(self) -> None:
        if (self.unit_id is None) == (self.bureau_id is None):
            raise ValidationError(_("账号须属于一个预算单位或一个财政局（只能选一个）。"))
        if self.unit_id is not None and self.role not in UNIT_ROLES:
            raise ValidationError({"role": _("预算单位的账号只能是填报员、单位负责人或审计。")})
        if self.bureau_id is not None and self.role not in BUREAU_ROLES:
            raise ValidationError({"role": _("财政局的账号只能是财政审核员、财政管理员或审计。")})
