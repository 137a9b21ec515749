"""Forms of the account pages: accounts, passwords, units and a bureau's rule settings.

Organisations and parent units chosen in a form are looked up through the permission seam,
so one outside the person's reach is 404 (the same answer as one that does not exist).
"""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jixiao.access.lookups import get_bureau_for_user, get_unit_by_pk_for_user
from jixiao.access.scope import bureaus_for, units_for
from jixiao.accounts.choices import BUREAU_ROLES, UNIT_ROLES, Role
from jixiao.accounts.passwords import policy_lines
from jixiao.core.policy import DEFAULT, LINEAR, PROPORTIONAL, RATIO, TO_OUTPUT, Policy
from jixiao.lib.params import int_or_none
from jixiao.units.models import FinanceBureau, Unit

Organisation = Unit | FinanceBureau


# -- organisations -------------------------------------------------------------------------


def organisation_value(organisation: Organisation) -> str:
    """How a form names an organisation: ``b<id>`` for a bureau, ``u<id>`` for a unit."""
    prefix = "b" if isinstance(organisation, FinanceBureau) else "u"
    return f"{prefix}{organisation.pk}"


def resolve_organisation(who: Any, value: str | None) -> Organisation | None:
    """The bureau or unit a form names, within reach (Http404 outside); None when malformed."""
    value = (value or "").strip()
    if len(value) < 2 or value[0] not in "bu" or int_or_none(value[1:], lo=1) is None:
        return None
    if value[0] == "b":
        return get_bureau_for_user(who, value[1:])
    return get_unit_by_pk_for_user(who, value[1:])


def organisation_choices(who: Any) -> list[tuple[str, str]]:
    """The bureaus a person belongs to (all, for superusers) and the units in reach."""
    choices = [(organisation_value(b), f"{b.name}（财政局）") for b in bureaus_for(who)]
    choices += [(organisation_value(u), str(u)) for u in units_for(who).order_by("code", "name")]
    return choices


def role_choices(organisation: Organisation | None) -> list[tuple[str, Any]]:
    """The roles an account of this kind of organisation may hold (all when unknown)."""
    if organisation is None:
        allowed = set(Role.values)
    elif isinstance(organisation, FinanceBureau):
        allowed = set(BUREAU_ROLES)
    else:
        allowed = set(UNIT_ROLES)
    return [(value, label) for value, label in Role.choices if value in allowed]


ROLE_HELP = _lazy(
    "预算单位的账号可以是填报员、单位负责人或审计；财政局的账号可以是财政审核员、财政管理员或审计。"
)


# -- passwords -----------------------------------------------------------------------------


def _password(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class NewPasswordMixin(forms.Form):
    """A new password typed twice; the policy is stated on the page."""

    password = _password(_lazy("新密码"))
    password2 = _password(_lazy("再次输入新密码"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password2") != data.get("password"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data

    @property
    def policy(self) -> list[str]:
        """The password rules, in Chinese."""
        return policy_lines()


class ChangeOwnPasswordForm(NewPasswordMixin):
    """A person changes their own password."""

    old_password = forms.CharField(
        label=_lazy("原密码"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    field_order = ["old_password", "password", "password2"]


class ResetPasswordForm(NewPasswordMixin):
    """An administrator sets a temporary password; its owner must change it at the next login."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("临时密码")
        self.fields["password2"].label = _("再次输入临时密码")


# -- accounts ------------------------------------------------------------------------------


class AccountCreateForm(ResetPasswordForm):
    """A new account: username, name, organisation (within reach), role, temporary password."""

    username = forms.CharField(
        label=_lazy("用户名"),
        max_length=150,
        help_text=_lazy("登录时使用，建立后不能修改；可用字母、数字和 @ . + - _。"),
    )
    full_name = forms.CharField(label=_lazy("姓名"), max_length=150, required=False)
    organisation = forms.CharField(label=_lazy("所属单位"), widget=forms.Select)
    role = forms.ChoiceField(label=_lazy("角色"), choices=Role.choices, help_text=ROLE_HELP)
    field_order = ["username", "full_name", "organisation", "role", "password", "password2"]

    def __init__(
        self, *args: Any, who: Any, organisation: Organisation | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.who = who
        self.fields["organisation"].widget.choices = [
            ("", "——请选择——"),
            *organisation_choices(who),
        ]
        if organisation is not None:
            self.fields["organisation"].initial = organisation_value(organisation)
            cast(forms.ChoiceField, self.fields["role"]).choices = role_choices(organisation)

    def clean_organisation(self) -> Organisation:
        """The organisation, looked up within reach: one outside it is 404."""
        found = resolve_organisation(self.who, self.cleaned_data.get("organisation"))
        if found is None:
            raise ValidationError(_("请选择账号所属的预算单位或财政局。"))
        return found


class AccountEditForm(forms.Form):
    """An account's name and role (the roles its organisation allows)."""

    full_name = forms.CharField(label=_lazy("姓名"), max_length=150, required=False)
    role = forms.ChoiceField(label=_lazy("角色"), choices=Role.choices, help_text=ROLE_HELP)

    def __init__(self, *args: Any, organisation: Organisation | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisation is None:
            del self.fields["role"]  # an account outside any organisation has no role
        else:
            cast(forms.ChoiceField, self.fields["role"]).choices = role_choices(organisation)


class AccountFilterForm(forms.Form):
    """The account list's filters (GET): organisation, text, disabled accounts too."""

    org = forms.CharField(label=_lazy("所属单位"), required=False, widget=forms.Select)
    q = forms.CharField(label=_lazy("用户名或姓名"), required=False, max_length=150)
    inactive = forms.BooleanField(label=_lazy("包括已停用的账号"), required=False)

    def __init__(self, *args: Any, who: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.who = who
        self.fields["org"].widget.choices = [("", "全部"), *organisation_choices(who)]

    def clean_org(self) -> Organisation | None:
        value = self.cleaned_data.get("org")
        if not value:
            return None
        found = resolve_organisation(self.who, value)
        if found is None:
            raise ValidationError(_("请选择列表中的单位。"))
        return found


# -- units ---------------------------------------------------------------------------------


class UnitCreateForm(forms.Form):
    """A new budget unit: directly under a bureau, or under a 主管部门 in reach."""

    code = forms.CharField(
        label=_lazy("单位编码"),
        max_length=32,
        required=False,
        help_text=_lazy("预算单位编码，如 224003；没有编码的单位按名称识别。"),
    )
    name = forms.CharField(label=_lazy("单位名称"), max_length=200)
    parent = forms.CharField(
        label=_lazy("主管部门"),
        required=False,
        widget=forms.Select,
        help_text=_lazy("下属单位选其主管部门；不选时直属本财政局。"),
    )
    bureau = forms.CharField(label=_lazy("财政局"), required=False, widget=forms.Select)

    def __init__(self, *args: Any, who: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.who = who
        units = units_for(who).order_by("code", "name")
        self.fields["parent"].widget.choices = [
            ("", "（无，直属财政局）"),
            *[(str(u.pk), str(u)) for u in units],
        ]
        bureaus = list(bureaus_for(who))
        self.fields["bureau"].widget.choices = [(str(b.pk), b.name) for b in bureaus]
        if len(bureaus) <= 1:
            # A bureau's administrator creates units of their own bureau only.
            del self.fields["bureau"]
            self.own_bureau = bureaus[0] if bureaus else None

    def clean_parent(self) -> Unit | None:
        value = self.cleaned_data.get("parent")
        return get_unit_by_pk_for_user(self.who, value) if value else None

    def clean_bureau(self) -> FinanceBureau | None:
        value = self.cleaned_data.get("bureau")
        return get_bureau_for_user(self.who, value) if value else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "bureau" not in self.fields:
            data["bureau"] = self.own_bureau
        if not data.get("code") and not data.get("name"):
            raise ValidationError(_("单位编码和单位名称至少要填一项。"))
        return data

    def service_arguments(self) -> dict[str, Any]:
        """The arguments of ``units.services.create_unit``: a parent or a bureau, not both."""
        data = self.cleaned_data
        parent = data.get("parent")
        return {
            "code": data.get("code") or None,
            "name": data.get("name") or "",
            "parent": parent,
            "bureau": None if parent is not None else data.get("bureau"),
        }


# -- a bureau's rule settings --------------------------------------------------------------

# Each rule setting's Chinese name (docs/settings.md says more); a test keeps it complete.
SETTING_LABELS: dict[str, str] = {
    "points_output": "产出指标分值",
    "points_benefit": "效益指标分值",
    "points_satisfaction": "满意度指标分值",
    "points_execution": "预算执行率分值",
    "cost_in_output": "成本指标计入产出指标",
    "points_cost": "成本指标单独计分时的分值",
    "absent_group": "缺少的一级指标的分值",
    "reverse_formula": "反向指标未达标时的公式",
    "band_met_low": "定性指标“达成”得分下限（%）",
    "band_met_high": "定性指标“达成”得分上限（%）",
    "band_partial_low": "“部分达成”得分下限（%）",
    "band_partial_high": "“部分达成”得分上限（%）",
    "band_unmet_low": "“未达成”得分下限（%）",
    "band_unmet_high": "“未达成”得分上限（%）",
    "overrun_threshold": "超额完成的比例（%）",
    "overrun_deduction": "超额完成扣减的分数",
    "execution_explain_below": "预算执行率低于该值须说明原因（%）",
    "execution_cap": "按预算执行率限制总分",
    "execution_caps": "限制总分的档次",
    "light_yellow": "红灯上限 v（低于为红灯）",
    "light_green": "黄灯上限 v（低于为黄灯）",
    "light_blue": "绿灯上限 v（达到及以上为蓝灯）",
    "reason_on_blue": "蓝灯也须填写偏差原因",
    "monitoring_overrun_reason": "河北模式：超过全年指标值一定比例须填写原因",
    "monitoring_overrun_threshold": "河北模式的超出比例（%）",
    "monitoring_layout": "导出的运行监控表格式",
    "words_met": "表示“达成”的本地用语",
    "words_partial": "表示“部分达成”的本地用语",
    "words_unmet": "表示“未达成”的本地用语",
    "words_zero": "表示“未发生”的本地用语",
}
WORD_SETTINGS = ("words_met", "words_partial", "words_unmet", "words_zero")
_WORD_SEPARATORS = re.compile(r"[\s,，、;；]+")

# The settings that take one of a few words.
SETTING_CHOICES: dict[str, list[tuple[str, str]]] = {
    "absent_group": [
        (PROPORTIONAL, "按比例分给其他一级指标（proportional）"),
        (TO_OUTPUT, "全部计入产出指标（output）"),
    ],
    "reverse_formula": [
        (RATIO, "分值 × 指标值 / 实际值（ratio）"),
        (LINEAR, "分值 × (1 − (实际值 − 指标值)/指标值)（linear）"),
    ],
    "monitoring_layout": [
        ("national", "财预〔2019〕136号 项目支出绩效目标执行监控表（national）"),
        ("hubei", "湖北省格式（hubei）"),
    ],
}

# Sections of the page, in docs/settings.md's order.
SETTING_SECTIONS: list[tuple[str, list[str]]] = [
    (
        "自评分值",
        [
            "points_output",
            "points_benefit",
            "points_satisfaction",
            "points_execution",
            "cost_in_output",
            "points_cost",
            "absent_group",
        ],
    ),
    (
        "指标计分",
        [
            "reverse_formula",
            "band_met_low",
            "band_met_high",
            "band_partial_low",
            "band_partial_high",
            "band_unmet_low",
            "band_unmet_high",
            "overrun_threshold",
            "overrun_deduction",
        ],
    ),
    ("预算执行", ["execution_explain_below", "execution_cap", "execution_caps"]),
    (
        "运行监控预警",
        [
            "light_yellow",
            "light_green",
            "light_blue",
            "reason_on_blue",
            "monitoring_overrun_reason",
            "monitoring_overrun_threshold",
            "monitoring_layout",
        ],
    ),
    ("完成情况用语", list(WORD_SETTINGS)),
]


def plain(value: Decimal) -> str:
    """A decimal as a person writes it: 50, 12.5 (no exponent, no trailing zeros)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def caps_text(caps: tuple[tuple[Decimal, Decimal], ...]) -> str:
    """Execution caps as the form shows them: ``80:89, 70:79``."""
    return ", ".join(f"{plain(rate)}:{plain(cap)}" for rate, cap in caps)


def _show_default(name: str) -> str:
    value = getattr(DEFAULT, name)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return plain(value)
    if name in WORD_SETTINGS:
        return "、".join(value) or "（无，只用全国通用词表）"
    if isinstance(value, tuple):
        return caps_text(value)
    for word, label in SETTING_CHOICES.get(name, []):
        if word == value:
            return label
    return str(value)


class BureauSettingsForm(forms.Form):
    """Every rule setting of a bureau, each with its default; saved with the version read."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, policy: Policy, version: int, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {**self.initial_from(policy), "version": version, **kwargs["initial"]}
        super().__init__(*args, **kwargs)
        for spec in dataclasses.fields(Policy):
            self.fields[spec.name] = self._field(spec.name)

    @staticmethod
    def initial_from(policy: Policy) -> dict[str, Any]:
        """The form's values for a policy."""
        values: dict[str, Any] = {}
        for spec in dataclasses.fields(Policy):
            value = getattr(policy, spec.name)
            if spec.name in WORD_SETTINGS:
                values[spec.name] = "、".join(value)
            elif isinstance(value, tuple):
                values[spec.name] = caps_text(value)
            elif isinstance(value, Decimal):
                values[spec.name] = plain(value)
            else:
                values[spec.name] = value
        return values

    @staticmethod
    def _field(name: str) -> forms.Field:
        label = SETTING_LABELS.get(name, name)
        help_text = _("默认：%(value)s（设置名 %(name)s）") % {
            "value": _show_default(name),
            "name": name,
        }
        default = getattr(DEFAULT, name)
        if name in SETTING_CHOICES:
            return forms.ChoiceField(
                label=label, choices=SETTING_CHOICES[name], help_text=help_text
            )
        if isinstance(default, bool):
            return forms.BooleanField(label=label, required=False, help_text=help_text)
        if name in WORD_SETTINGS:
            return forms.CharField(
                label=label,
                required=False,
                max_length=2000,
                help_text=_(
                    "多个词语用顿号或逗号分隔，如“已办结、全部办结”（词表见 docs/wording.md）。"
                )
                + help_text,
            )
        if isinstance(default, Decimal):
            return forms.DecimalField(
                label=label,
                max_digits=9,
                decimal_places=2,
                help_text=help_text,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}),
            )
        if isinstance(default, tuple):
            return forms.CharField(
                label=label,
                required=False,
                max_length=500,
                help_text=_("每档写成“执行率下限:总分上限”，各档用逗号分隔，如 80:89, 70:79。")
                + help_text,
            )
        return forms.CharField(label=label, max_length=100, help_text=help_text)

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields grouped as on the page."""
        return [(title, [self[name] for name in names]) for title, names in SETTING_SECTIONS]

    def clean_execution_caps(self) -> list[list[str]]:
        text = (self.cleaned_data.get("execution_caps") or "").replace("，", ",")
        text = text.replace("；", ",").replace(";", ",").replace("：", ":")
        caps: list[list[str]] = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            rate, sep, cap = part.partition(":")
            try:
                pair = [Decimal(rate.strip()), Decimal(cap.strip())]
            except ArithmeticError:
                pair = []
            if not sep or len(pair) != 2 or not all(v.is_finite() for v in pair):
                raise ValidationError(
                    _("“%(part)s”不是“执行率下限:总分上限”的形式。") % {"part": part}
                )
            caps.append([plain(pair[0]), plain(pair[1])])
        return caps

    def _clean_words(self, name: str) -> list[str]:
        text = self.cleaned_data.get(name) or ""
        return [word for word in _WORD_SEPARATORS.split(text) if word]

    def clean_words_met(self) -> list[str]:
        return self._clean_words("words_met")

    def clean_words_partial(self) -> list[str]:
        return self._clean_words("words_partial")

    def clean_words_unmet(self) -> list[str]:
        return self._clean_words("words_unmet")

    def clean_words_zero(self) -> list[str]:
        return self._clean_words("words_zero")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.policy = Policy.from_mapping(self._mapping(data))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        return data

    @staticmethod
    def _mapping(data: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for spec in dataclasses.fields(Policy):
            value = data.get(spec.name)
            values[spec.name] = plain(value) if isinstance(value, Decimal) else value
        return values

    def changes(self) -> dict[str, Any]:
        """Only the settings that differ from the defaults (what the bureau stores)."""
        return self.policy.changes()

    def read_only(self) -> None:
        """Show the values without letting them change (reviewers and auditors)."""
        for field in self.fields.values():
            field.disabled = True
