"""Forms of the monitoring, self-evaluation and review pages.

The forms only parse what a person typed; every rule (what may change when, which score is
allowed) is the services' to check, so the pages and the command line refuse the same things.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jixiao.core.reports import (
    DEVIATION_CATEGORIES,
    LIKELIHOODS,
    EvaluationRow,
    MonitoringRow,
    ProjectEvaluation,
    ProjectMonitoring,
)
from jixiao.lib.picker import UnitYearForm
from jixiao.metrics.forms import DateInput
from jixiao.rounds.choices import TARGET_KINDS, RoundKind
from jixiao.targets.models import YEAR_VALIDATORS
from jixiao.units.models import FinanceBureau

BLANK = [("", "—")]
LIKELIHOOD_CHOICES = BLANK + [(v, v) for v in LIKELIHOODS]
CATEGORY_CHOICES = BLANK + [(v, v) for v in DEVIATION_CATEGORIES]
TEXT_ROWS = 2
# The one <form> of a report page: every row's and project's inputs name it (form="…").
REPORT_FORM = "report-form"
# The reviewer's (or head's) form: the general comment and a comment per row.
REVIEW_FORM = "review-form"


class TextField(forms.CharField):
    """A multi-line text; browsers send line ends as CRLF, kept as LF so a resent text is equal."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).replace("\r\n", "\n")


def _text(label: Any, rows: int = TEXT_ROWS) -> forms.CharField:
    return TextField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}))


def fingerprint(values: Mapping[str, Any]) -> str:
    """A short digest of a row's values, to tell on saving whether the person changed the row
    since the page was read (the page carries the digest of what it showed)."""

    def plain(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return format(value.normalize(), "f") if value.is_finite() else str(value)
        return str(value).replace("\r\n", "\n").strip()

    text = json.dumps({k: plain(v) for k, v in sorted(values.items())}, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class MonitoringForm(UnitYearForm):
    """Pick a unit, a year and the date to monitor at."""

    as_of = forms.DateField(label=_("截至日期"), widget=DateInput())


class OpenRoundForm(forms.Form):
    """Open a round: monitoring at a date, or the year's self-evaluation (as of 31 December)."""

    kind = forms.ChoiceField(label=_("类别"), choices=RoundKind.choices)
    year = forms.IntegerField(label=_("预算年度"), validators=YEAR_VALIDATORS)
    as_of = forms.DateField(
        label=_("数据截至日期"),
        required=False,
        widget=DateInput(),
        help_text=_("绩效运行监控必填；绩效自评固定为 12 月 31 日；目标申报、目标调整不需要。"),
    )
    due_on = forms.DateField(label=_("填报截止日期"), widget=DateInput())
    bureau = forms.ModelChoiceField(
        label=_("财政局"),
        queryset=FinanceBureau.objects.none(),
        required=False,
        empty_label=_("（不限，面向所有单位）"),
    )
    title = forms.CharField(
        label=_("名称"),
        max_length=200,
        required=False,
        help_text=_("不填时按类别和日期命名。"),
    )

    def __init__(
        self, *args: Any, bureaus: QuerySet[FinanceBureau], for_all: bool, **kwargs: Any
    ) -> None:
        """``bureaus``: those the person administers; ``for_all``: may open a round for every
        unit (the operator, a superuser)."""
        super().__init__(*args, **kwargs)
        field = self.fields["bureau"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = bureaus
        if not for_all:
            field.required = True
            field.empty_label = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == RoundKind.SELF_EVALUATION or data.get("kind") in TARGET_KINDS:
            # The self-evaluation is of the whole year, a target round counts nothing at a
            # date: the service fixes the date of both.
            data["as_of"] = None
        elif data.get("kind") and data.get("as_of") is None and "as_of" not in self.errors:
            self.add_error("as_of", _("绩效运行监控请填写数据截至日期。"))
        return data


class EntryForm(forms.Form):
    """One row's (or project's) inputs: they sit in the table's cells and all name the page's
    one <form> by its id, so 保存全部 sends every row at once.

    ``version`` is the entry's version when the page was read (0: none saved yet); ``loaded``
    the digest of the values the page showed, to tell which rows the person changed.
    """

    CONTROL = ("version", "loaded")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    loaded = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, form_id: str = REPORT_FORM, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.form_id = form_id
        for field in self.fields.values():
            field.widget.attrs["form"] = form_id

    def values(self) -> dict[str, Any]:
        """The cleaned values by service field name (only the fields the form has)."""
        return {name: self.cleaned_data[name] for name in self.fields if name not in self.CONTROL}

    def changed_values(self) -> dict[str, Any]:
        """The cleaned values that differ from what the report holds now."""
        return {
            name: self.cleaned_data[name] for name in self.changed_data if name not in self.CONTROL
        }

    def touched(self) -> bool:
        """Whether the person changed anything in this row since the page was read."""
        return fingerprint(self.values()) != (self.cleaned_data.get("loaded") or "")

    def shown(self) -> dict[str, Any]:
        """The values this form shows when unbound (what the report holds now)."""
        return {name: self.initial.get(name) for name in self.fields if name not in self.CONTROL}


class MonitoringEntryForm(EntryForm):
    """What the unit writes for an indicator at a monitoring date."""

    likelihood = forms.ChoiceField(
        label=_("完成目标可能性"), choices=LIKELIHOOD_CHOICES, required=False
    )
    deviation_category = forms.ChoiceField(
        label=_("偏差原因类别"), choices=CATEGORY_CHOICES, required=False
    )
    deviation_reason = _text(_("偏差原因"))
    correction = _text(_("纠偏措施"))
    remark = _text(_("备注"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The row's two text boxes share a cell: each says what it is for.
        self.fields["correction"].widget.attrs["placeholder"] = _("纠偏措施")
        self.fields["remark"].widget.attrs["placeholder"] = _("备注（填入监控表“备注”栏）")


class EvaluationEntryForm(EntryForm):
    """What the unit writes for an indicator in its self-evaluation (a score if qualitative)."""

    explanation = _text(_("偏差原因分析及改进措施"))
    score = forms.DecimalField(
        label=_("得分"), required=False, max_digits=7, decimal_places=2, min_value=0
    )

    def __init__(self, *args: Any, graded: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not graded:
            # Only qualitative rows, and numeric rows whose actual cannot be compared with
            # the target, take a score from a person; the rest are computed.
            del self.fields["score"]
        else:
            self.fields["score"].widget.attrs.update(step="0.01", inputmode="decimal")


class MonitoringProjectForm(EntryForm):
    """The unit's notes on a project's budget execution at a monitoring date."""

    executed = forms.DecimalField(
        label=_("实际执行数（手工填写）"),
        required=False,
        max_digits=18,
        decimal_places=6,
        min_value=0,
        help_text=_("按项目的金额单位填写；不填时按支出台账计算。"),
    )
    projected_spending = forms.DecimalField(
        label=_("全年预计执行数（手工填写）"),
        required=False,
        max_digits=18,
        decimal_places=6,
        min_value=0,
        help_text=_("按项目的金额单位填写；不填时按资金支出计划预计。"),
    )
    deviation_category = forms.ChoiceField(
        label=_("偏差原因类别"), choices=CATEGORY_CHOICES, required=False
    )
    deviation_reason = _text(_("预算执行偏差原因"), 2)
    correction = _text(_("纠偏措施"), 2)
    achievement = _text(_("年度总体目标执行情况"), 2)


class EvaluationProjectForm(EntryForm):
    """The unit's year-end account of a project: results, and why spending fell short."""

    achievement = _text(_("年度总体目标实际完成情况"), 3)
    explanation = _text(_("预算执行偏差原因分析及改进措施"), 2)


class ReviewForm(forms.Form):
    """A reviewer's (or the unit head's) comment on a submission: required to return it
    unless a row has one, optional to approve it. Comments on rows are read by
    :func:`row_comments`."""

    comment = TextField(
        label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def comment_name(indicator_id: int | None = None, project_id: int | None = None) -> str:
    """The name of a row's (or a project's budget block's) comment box in the review form."""
    return f"rc-i{indicator_id}" if indicator_id is not None else f"rc-p{project_id}"


def row_comments(
    data: Mapping[str, Any], indicator_ids: list[int], project_ids: list[int]
) -> tuple[dict[int, str], dict[int, str]]:
    """The comments typed on rows and on projects' budget blocks (only the report's own)."""

    def text(name: str) -> str:
        return str(data.get(name) or "").replace("\r\n", "\n").strip()

    on_rows = {i: text(comment_name(i)) for i in indicator_ids if text(comment_name(i))}
    on_projects = {
        p: text(comment_name(project_id=p)) for p in project_ids if text(comment_name(project_id=p))
    }
    return on_rows, on_projects


class OverrideForm(forms.Form):
    """A reviewer's score for a row or for budget execution; an empty score withdraws it."""

    project = forms.IntegerField(widget=forms.HiddenInput)
    indicator = forms.IntegerField(widget=forms.HiddenInput, required=False)
    score = forms.DecimalField(
        label=_("调整后得分"),
        required=False,
        max_digits=7,
        decimal_places=2,
        help_text=_("留空表示撤销调整，恢复计算得分。"),
    )
    reason = forms.CharField(
        label=_("调整理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- forms filled from a report ------------------------------------------------------------


def _with_control(initial: dict[str, Any], version: int) -> dict[str, Any]:
    return {**initial, "version": version, "loaded": fingerprint(initial)}


def entry_form(
    row: MonitoringRow | EvaluationRow, data: Any = None, *, version: int = 0
) -> EntryForm:
    """The unit's inputs for one row, filled with what the report shows now.

    ``version``: the row's saved entry's version (0 when none); the prefix keeps the rows of
    one page apart.
    """
    prefix = f"i{row.indicator_id}"
    if isinstance(row, MonitoringRow):
        initial: dict[str, Any] = {
            "likelihood": row.likelihood or "",
            "deviation_category": row.deviation_category or "",
            "deviation_reason": row.deviation_reason or "",
            "correction": row.correction or "",
            "remark": row.remark or "",
        }
        return MonitoringEntryForm(data, initial=_with_control(initial, version), prefix=prefix)
    graded = row.band is not None
    initial = {"explanation": row.explanation or ""}
    if graded:
        initial["score"] = row.score
    return EvaluationEntryForm(
        data, initial=_with_control(initial, version), prefix=prefix, graded=graded
    )


def project_form(
    table: ProjectMonitoring | ProjectEvaluation, data: Any = None, *, version: int = 0
) -> EntryForm:
    """The unit's inputs for a project, filled with what the report shows now."""
    prefix = f"p{table.project_id}"
    if isinstance(table, ProjectMonitoring):
        budget = table.budget
        initial: dict[str, Any] = {
            "executed": budget.executed if budget.executed_source == "manual" else None,
            "projected_spending": budget.projected if budget.projected_source == "manual" else None,
            "deviation_category": budget.deviation_category or "",
            "deviation_reason": budget.deviation_reason or "",
            "correction": budget.correction or "",
            "achievement": table.achievement or "",
        }
        return MonitoringProjectForm(data, initial=_with_control(initial, version), prefix=prefix)
    initial = {
        "achievement": table.achievement or "",
        "explanation": table.execution.explanation or "",
    }
    return EvaluationProjectForm(data, initial=_with_control(initial, version), prefix=prefix)


def override_form(table: ProjectEvaluation, row: EvaluationRow | None) -> OverrideForm:
    """A reviewer's form for a row's score, or (row None) for budget execution's."""
    scored = row if row is not None else table.execution
    prefix = f"o{table.project_id}-{row.indicator_id if row else 'execution'}"
    return OverrideForm(
        prefix=prefix,
        initial={
            "project": table.project_id,
            "indicator": row.indicator_id if row else None,
            "score": scored.score if scored.override_reason else None,
            "reason": "",
        },
    )
