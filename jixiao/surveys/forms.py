"""Forms of the survey pages: a new survey, its settings, its questions, invitations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jixiao.surveys.choices import Access, QuestionKind
from jixiao.surveys.presets import template_choices
from jixiao.surveys.services import MAX_INVITATIONS, MAX_QUESTIONS, QuestionInput
from jixiao.targets.models import Indicator, Project
from jixiao.units.models import Unit


class ProjectChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A project named with its year and unit."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.year}年 · {obj.name}"


class NewSurveyForm(forms.Form):
    """Start a questionnaire from a template, for one of the units the person keeps."""

    unit = forms.ModelChoiceField(label=_("预算单位"), queryset=Unit.objects.none())
    template = forms.ChoiceField(label=_("模板"), choices=template_choices())
    title = forms.CharField(label=_("标题"), max_length=200, required=False)
    access = forms.ChoiceField(label=_("填写方式"), choices=Access.choices, initial=Access.OPEN)
    project = ProjectChoice(
        label=_("关联项目"),
        queryset=Project.objects.none(),
        required=False,
        help_text=_("答卷记入该项目的满意度调查台账，满意度指标由此计数。"),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["project"].queryset = Project.objects.filter(  # type: ignore[attr-defined]
            unit__in=units
        ).order_by("-year", "position", "id")
        if len(units) == 1:
            self.fields["unit"].initial = units[0]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        project, unit = data.get("project"), data.get("unit")
        if project is not None and unit is not None and project.unit_id != unit.pk:
            self.add_error("project", _("项目不属于所选单位。"))
        return data


class SettingsForm(forms.Form):
    """A survey's title, introduction, access, project and indicator."""

    title = forms.CharField(label=_("标题"), max_length=200)
    intro = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    access = forms.ChoiceField(label=_("填写方式"), choices=Access.choices)
    project = ProjectChoice(label=_("关联项目"), queryset=Project.objects.none(), required=False)
    indicator = forms.ModelChoiceField(
        label=_("对应指标"), queryset=Indicator.objects.none(), required=False
    )

    def __init__(self, *args: Any, unit: Unit, project: Project | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(  # type: ignore[attr-defined]
            unit=unit
        ).order_by("-year", "position", "id")
        indicators = Indicator.objects.filter(project__unit=unit)
        if not self.is_bound:  # offer the current project's; a post may name a new project's
            indicators = indicators.filter(project=project) if project else indicators.none()
        self.fields["indicator"].queryset = indicators.order_by(  # type: ignore[attr-defined]
            "position", "id"
        )


class QuestionForm(forms.Form):
    """One question of the builder; choices one per line."""

    position = forms.IntegerField(label=_("序号"), min_value=0, max_value=999, required=False)
    text = forms.CharField(label=_("题目"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("题型"), choices=QuestionKind.choices)
    choices = forms.CharField(
        label=_("选项（每行一个）"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    required = forms.BooleanField(label=_("必答"), required=False)
    feeds_rating = forms.BooleanField(label=_("计入满意度"), required=False)
    delete = forms.BooleanField(label=_("删除"), required=False)

    def item(self) -> QuestionInput | None:
        """The question as the service takes it; None when deleted or left blank."""
        data = self.cleaned_data
        if data.get("delete") or not (data.get("text") or "").strip():
            return None
        lines = [c.strip() for c in (data.get("choices") or "").splitlines() if c.strip()]
        return QuestionInput(
            text=data["text"],
            kind=data["kind"],
            choices=[] if data["kind"] == QuestionKind.TEXT else lines,
            required=bool(data.get("required")),
            feeds_rating=bool(data.get("feeds_rating")),
        )


QuestionFormSet = forms.formset_factory(
    QuestionForm, extra=1, max_num=MAX_QUESTIONS, validate_max=True, absolute_max=MAX_QUESTIONS + 5
)


def ordered_items(formset: Any) -> list[QuestionInput]:
    """The builder's questions in the order of their 序号 (ties keep the page's order)."""
    rows = []
    for index, form in enumerate(formset.forms):
        item = form.item()
        if item is not None:
            position = form.cleaned_data.get("position")
            rows.append((position if position is not None else 1000 + index, index, item))
    return [item for _p, _i, item in sorted(rows, key=lambda r: (r[0], r[1]))]


class InvitationForm(forms.Form):
    """How many one-time invitation tokens to generate."""

    count = forms.IntegerField(
        label=_("生成数量"), min_value=1, max_value=MAX_INVITATIONS, initial=20
    )
