"""Forms of the ledger pages, generated from a ledger type's fields, and the checks the admin
runs on a ledger type's configuration (fields, workflow, key fields)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jixiao.ledgers.models import FieldKind, LedgerField, LedgerType
from jixiao.ledgers.services import attachment_limit
from jixiao.targets.models import Project

# Field kinds that can be searched as text on the record list.
TEXT_KINDS = {FieldKind.TEXT, FieldKind.LONGTEXT, FieldKind.URL}
NUMBER_STEPS = {FieldKind.INTEGER: "1", FieldKind.DECIMAL: "any", FieldKind.MONEY: "0.01"}
BOOLEAN_CHOICES = [("true", "是"), ("false", "否")]
# The field a workflow step fills, for the preset 舆情 ledger; a type may name its own
# with "step_fields" in its workflow.
PRESET_STEP_FIELDS = {
    "opinion": {
        "预警": "alert_note",
        "研判": "analysis_report",
        "处置": "handling",
        "办结": "closing_reply",
    }
}
WORKFLOW_KEYS = {"states", "initial", "transitions", "final", "overdue_field", "step_fields"}
STATE_MAX_LENGTH = 20  # LedgerEntry.state's column width
# The hidden field carrying the version a record was read at; a ledger field's code is a slug
# and never starts with "_", so the names cannot meet.
VERSION = "_version"
VERSION_MAX = 2_147_483_647


def version_field() -> forms.IntegerField:
    """The hidden field holding the version a record was read at (no lost work)."""
    expired = _("页面内容已过期，请刷新页面后重新填写。")
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=VERSION_MAX,
        required=True,
        error_messages={
            "required": expired,
            "invalid": expired,
            "min_value": expired,
            "max_value": expired,
        },
    )


def carry_version(form: forms.Form, version: int) -> None:
    """After a stale save was refused, the form carries the record's current version: the
    person reads what changed, and saving again (their typed text kept) is their choice."""
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict: lists kept
    data[form.add_prefix(VERSION)] = str(version)
    form.data = data


def step_fields(ledger_type: LedgerType) -> dict[str, str]:
    """Which field each workflow state fills when a record moves into it."""
    workflow = ledger_type.workflow or {}
    given = workflow.get("step_fields")
    if isinstance(given, dict):
        return {str(k): str(v) for k, v in given.items()}
    return dict(PRESET_STEP_FIELDS.get(ledger_type.code, {})) if ledger_type.preset else {}


class _ServiceChecked:
    """A choice field whose value the services check, so every error reads the same."""

    def validate(self, value: Any) -> None:
        return None


class ChoiceField(_ServiceChecked, forms.ChoiceField):
    """A select or radio group; values outside the choices are reported by the services."""


class MultipleChoiceField(_ServiceChecked, forms.MultipleChoiceField):
    """Checkboxes; values outside the choices are reported by the services."""


def form_field(field: LedgerField) -> forms.Field:
    """The form field of one ledger field; every value is checked by the services, not here."""
    common: dict[str, Any] = {
        "label": field.label,
        "required": False,
        "help_text": field.help_text,
    }
    kind = field.kind
    if kind == FieldKind.LONGTEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == FieldKind.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == FieldKind.DATETIME:
        return forms.CharField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common
        )
    if kind in NUMBER_STEPS:
        attrs = {"step": NUMBER_STEPS[FieldKind(kind)], "inputmode": "decimal"}
        return forms.CharField(widget=forms.NumberInput(attrs=attrs), **common)
    if kind == FieldKind.BOOLEAN:
        return ChoiceField(choices=BOOLEAN_CHOICES, widget=forms.RadioSelect, **common)
    if kind == FieldKind.CHOICE:
        options = [("", "—"), *((c, c) for c in field.choices)]
        return ChoiceField(choices=options, **common)
    if kind == FieldKind.MULTICHOICE:
        return MultipleChoiceField(
            choices=[(c, c) for c in field.choices],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if kind == FieldKind.URL:
        return forms.CharField(widget=forms.URLInput(attrs={"placeholder": "https://"}), **common)
    return forms.CharField(**common)


def initial_value(field: LedgerField, value: Any) -> Any:
    """A stored value as its form field shows it."""
    if value is None:
        return None
    if field.kind == FieldKind.BOOLEAN:
        return "true" if value else "false"
    if field.kind == FieldKind.DATETIME:
        return str(value)[:16]
    return value


class EntryForm(forms.Form):
    """A record of a ledger type: one form field per ledger field, and the project if any."""

    def __init__(
        self,
        ledger_type: LedgerType,
        projects: Iterable[Project] = (),
        *args: Any,
        versioned: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.ledger_type = ledger_type
        self.ledger_fields = list(ledger_type.fields.all())
        for field in self.ledger_fields:
            self.fields[field.code] = form_field(field)
        if versioned:  # an edit: the version the record was read at
            self.fields[VERSION] = version_field()
        if ledger_type.has_project:
            self.project_choices = {str(p.pk): p for p in projects}
            self.fields["project"] = forms.ChoiceField(
                label=_("预算项目"),
                required=False,
                choices=[
                    ("", "（不关联项目）"),
                    *((k, p.label) for k, p in self.project_choices.items()),
                ],
            )

    @classmethod
    def initial_for(cls, ledger_type: LedgerType, data: Mapping[str, Any]) -> dict[str, Any]:
        """Form initial values from a record's stored data."""
        return {f.code: initial_value(f, data.get(f.code)) for f in ledger_type.fields.all()}

    def required_codes(self) -> set[str]:
        """The codes of required fields, to mark them."""
        return {f.code for f in self.ledger_fields if f.required}

    def values(self) -> dict[str, Any]:
        """The raw values for create_entry/update_entry."""
        return {f.code: self.cleaned_data.get(f.code) for f in self.ledger_fields}

    def project(self) -> Project | None:
        """The chosen project, None when none is chosen or the type has no projects."""
        key = self.cleaned_data.get("project") or ""
        return self.project_choices.get(key) if self.ledger_type.has_project else None

    def version(self) -> int | None:
        """The version the record was read at (None for a new record)."""
        value = self.cleaned_data.get(VERSION)
        return int(value) if value is not None else None


class TransitionForm(forms.Form):
    """Move a record into one state: the day, a note, and the field the step fills."""

    on = forms.DateField(
        label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, to_state: str, step_field: LedgerField | None, *args: Any, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("on", timezone.localdate())
        # One form per next state on the same page: the prefix keeps their ids apart.
        kwargs.setdefault("prefix", f"to-{to_state}")
        super().__init__(*args, **kwargs)
        self.state = to_state
        self.step_field = step_field
        self.fields[VERSION] = version_field()
        if step_field is not None:
            # The step's product (the 预警单, the 研判报告) comes before the note.
            self.fields[step_field.code] = form_field(step_field)
            self.order_fields(["on", step_field.code, "note"])

    @property
    def version(self) -> int:
        """The version the record was read at."""
        return int(self.cleaned_data[VERSION])

    def step_values(self) -> dict[str, Any] | None:
        """The step's field value for record_transition, None when left empty."""
        if self.step_field is None:
            return None
        value = self.cleaned_data.get(self.step_field.code)
        return {self.step_field.code: value} if value not in (None, "", []) else None

    @property
    def day(self) -> dt.date:
        """The chosen date."""
        day: dt.date = self.cleaned_data["on"]
        return day


class AttachmentForm(forms.Form):
    """A file to attach to a record."""

    file = forms.FileField(label=_("上传附件"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = attachment_limit()
        if upload.size > limit:
            # The service checks again; checking here keeps the message beside the field.
            raise ValidationError(
                _("附件过大（%(size)s MB），上限为 %(limit)s MB。"),
                params={
                    "size": f"{upload.size / 1024 / 1024:.1f}",
                    "limit": f"{limit / 1024 / 1024:.0f}",
                },
                code="too_big",
            )
        return upload


# The admin's checks of a ledger type: pure functions over plain values.


def workflow_problems(workflow: Any) -> list[str]:
    """What is wrong with a workflow's own shape (without looking at the fields)."""
    if workflow in (None, "", {}):
        return []
    if not isinstance(workflow, dict):
        return ['流程应为 JSON 对象，如 {"states": ["登记", "办结"], …}，不需要流程时留空 {}']
    problems = [f"流程中有未知的项“{k}”" for k in workflow if k not in WORKFLOW_KEYS]
    states = workflow.get("states")
    if (
        not isinstance(states, list)
        or not states
        or not all(isinstance(s, str) and s.strip() for s in states)
    ):
        return [*problems, "流程的状态（states）应为非空的文字列表"]
    seen: set[str] = set()
    for state in states:
        if state in seen:
            problems.append(f"状态“{state}”重复")
        seen.add(state)
        if len(state) > STATE_MAX_LENGTH:
            problems.append(f"状态“{state}”过长（最多 {STATE_MAX_LENGTH} 个字）")
    initial = workflow.get("initial")
    if initial not in seen:
        problems.append(f"初始状态（initial）“{initial or ''}”不在状态列表中")
    transitions = workflow.get("transitions", [])
    if not isinstance(transitions, list):
        problems.append("流转（transitions）应为 [原状态, 新状态] 的列表")
        transitions = []
    for pair in transitions:
        if not (isinstance(pair, list) and len(pair) == 2):
            problems.append(f"流转 {json.dumps(pair, ensure_ascii=False)} 应为 [原状态, 新状态]")
            continue
        shown = f"{pair[0]} → {pair[1]}"
        for state in pair:
            if state not in seen:
                problems.append(f"流转“{shown}”中的“{state}”不是已定义的状态")
        if pair[0] == pair[1]:
            problems.append(f"流转“{shown}”的原状态和新状态相同")
    final = workflow.get("final", [])
    if not isinstance(final, list):
        problems.append("终结状态（final）应为状态的列表")
    else:
        problems += [f"终结状态“{s}”不是已定义的状态" for s in final if s not in seen]
    given = workflow.get("step_fields", {})
    if not isinstance(given, dict):
        problems.append("环节字段（step_fields）应为 {状态: 字段代码}")
    else:
        problems += [f"环节字段中的“{s}”不是已定义的状态" for s in given if s not in seen]
    return problems


def config_problems(
    *,
    date_field: str,
    amount_field: str,
    natural_key: Any,
    workflow: Any,
    kinds: Mapping[str, str],
    required: Iterable[str] = (),
) -> list[str]:
    """What is wrong between a type's settings and its fields (``kinds``: code -> kind)."""
    required = set(required)
    problems: list[str] = []

    def check(code: str, what: str, allowed: set[str], kind_name: str) -> None:
        if code not in kinds:
            problems.append(f"{what}“{code}”不是本台账的字段代码")
        elif kinds[code] not in allowed:
            problems.append(f"{what}“{code}”应为{kind_name}类型的字段")

    check(date_field, "日期字段", {FieldKind.DATE}, "日期")
    if date_field in kinds and date_field not in required:
        # An undated record belongs to no year: metrics could never count it.
        problems.append(f"日期字段“{date_field}”应设为必填")
    if amount_field:
        check(amount_field, "金额字段", {FieldKind.MONEY}, "金额（元）")
    if not isinstance(natural_key, list):
        problems.append('唯一标识字段应为字段代码的列表，如 ["voucher"]')
    else:
        problems += [
            f"唯一标识字段“{code}”不是本台账的字段代码" for code in natural_key if code not in kinds
        ]
    if isinstance(workflow, dict) and workflow:
        overdue = workflow.get("overdue_field")
        if overdue:
            check(overdue, "流程的逾期字段（overdue_field）", {FieldKind.DATE}, "日期")
        given = workflow.get("step_fields", {})
        if isinstance(given, dict):
            problems += [
                f"环节字段中的“{code}”不是本台账的字段代码"
                for code in given.values()
                if code not in kinds
            ]
    return problems
