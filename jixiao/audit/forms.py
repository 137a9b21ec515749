"""The audit log page's filters: unit, person, object (type and id), action, dates."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jixiao.access.lookups import get_unit_by_pk_for_user
from jixiao.access.scope import units_for
from jixiao.audit.choices import Action
from jixiao.units.models import Unit

# The applications whose objects the change log names (plus accounts, which are auth.user).
LOGGED_APPS = ("units", "accounts", "targets", "ledgers", "metrics", "rounds", "scoring", "api")


def object_types() -> list[tuple[str, str]]:
    """The kinds of object a log row may name, by their Chinese names."""
    found = {"auth.user": _("账号")}
    for model in apps.get_models():
        if model._meta.app_label in LOGGED_APPS:
            found[model._meta.label_lower] = str(model._meta.verbose_name)
    return sorted(found.items(), key=lambda item: item[1])


class LogFilterForm(forms.Form):
    """Filters of the audit log; a unit outside the person's reach is 404."""

    unit = forms.CharField(label=_lazy("预算单位"), required=False, widget=forms.Select)
    person = forms.CharField(
        label=_lazy("操作人"),
        required=False,
        max_length=100,
        help_text=_lazy("姓名或用户名的一部分"),
    )
    object_type = forms.ChoiceField(label=_lazy("对象类型"), required=False)
    object_id = forms.CharField(label=_lazy("对象编号"), required=False, max_length=64)
    action = forms.ChoiceField(
        label=_lazy("操作"), required=False, choices=[("", "全部"), *Action.choices]
    )
    date_from = forms.DateField(
        label=_lazy("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_lazy("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, who: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.who = who
        units = units_for(who).order_by("code", "name")
        self.fields["unit"].widget.choices = [
            ("", "全部"),
            *[(str(u.pk), str(u)) for u in units],
        ]
        cast(forms.ChoiceField, self.fields["object_type"]).choices = [
            ("", "全部"),
            *object_types(),
        ]

    def clean_unit(self) -> Unit | None:
        value = self.cleaned_data.get("unit")
        return get_unit_by_pk_for_user(self.who, value) if value else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return data

    def apply(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        """The rows narrowed by every filter that is filled in and valid."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()  # a malformed filter shows its error; the valid ones still apply
            data = self.cleaned_data
        if data.get("unit") is not None:
            rows = rows.filter(unit_id=data["unit"].pk)
        if data.get("person"):
            rows = rows.filter(username__icontains=data["person"])
        if data.get("object_type"):
            rows = rows.filter(object_type=data["object_type"])
        if data.get("object_id"):
            rows = rows.filter(object_id=data["object_id"].strip())
        if data.get("action"):
            rows = rows.filter(action=data["action"])
        if data.get("date_from"):
            rows = rows.filter(at__gte=_start_of(data["date_from"]))
        if data.get("date_to"):
            rows = rows.filter(at__lt=_start_of(data["date_to"] + dt.timedelta(days=1)))
        return rows


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of a day, in the server's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
