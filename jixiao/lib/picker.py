"""The unit and year picker of the unit-year pages, within the units the person reaches.

A unit named in the query string that the person does not reach (or that does not exist)
is 404, the same answer either way; without a choice, the first unit in reach with data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jixiao.access.lookups import NOT_FOUND, unit_key
from jixiao.access.scope import reach_ids, units_for, user_of
from jixiao.lib import fragments
from jixiao.lib.params import year_or_none
from jixiao.units.models import Unit

__all__ = [
    "UnitYearChoice",
    "UnitYearForm",
    "choose_unit_year",
    "project_years_by_unit",
    "unit_key",
]


@dataclass
class UnitYearChoice:
    """A page's unit and year, from the query string or the defaults, and what was asked."""

    units: list[Unit]
    unit: Unit | None
    years: list[int]
    asked: int | None  # the year the query string asked for (it may not exist for the unit)
    year: int | None


def project_years_by_unit(who: Any) -> dict[int, list[int]]:
    """Each reachable unit's years with projects, latest first (what the report pages offer)."""
    return fragments.cached(
        "project-years",
        units=reach_ids(who),
        user=user_of(who),
        parts=(),
        compute=lambda: _project_years_by_unit(who),
    )


def _project_years_by_unit(who: Any) -> dict[int, list[int]]:
    from jixiao.targets.models import Project

    years: dict[int, list[int]] = defaultdict(list)
    pairs = (
        Project.objects.filter(unit__in=units_for(who))
        .values_list("unit_id", "year")
        .distinct()
        .order_by("-year")
    )
    for unit_id, year in pairs:
        if year not in years[unit_id]:
            years[unit_id].append(year)
    return years


def choose_unit_year(
    query: Mapping[str, str], years_by_unit: Mapping[int, list[int]], *, who: Any
) -> UnitYearChoice:
    """The unit named in ``query`` (else the first unit in reach with years) and its asked or
    latest year. ``years_by_unit`` gives each unit's years, latest first."""
    units = list(units_for(who))
    key = query.get("unit", "")
    unit = next((u for u in units if unit_key(u) == key), None)
    if key and unit is None:
        raise Http404(NOT_FOUND)
    if unit is None:
        unit = next((u for u in units if u.pk in years_by_unit), units[0] if units else None)
    years = list(years_by_unit.get(unit.pk, [])) if unit else []
    asked = year_or_none(query.get("year"))
    if asked is None and query.get("year", "").strip():
        # Not a year at all (abc, 1999, 40 digits) is a wrong URL. A real year the unit has
        # nothing for is shown as its latest with a notice: the picker sends the year of the
        # unit picked before, which the next unit may not have.
        raise Http404(_("预算年度不正确。"))
    year = asked if asked in years else (years[0] if years else None)
    return UnitYearChoice(units, unit, years, asked, year)


class UnitYearForm(forms.Form):
    """Pick a unit and a year (a GET form; the view decides what a missing choice means)."""

    unit = forms.ChoiceField(label=_lazy("预算单位"))
    year = forms.TypedChoiceField(label=_lazy("预算年度"), coerce=int)

    def __init__(self, units: list[Unit], years: list[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        unit_field = cast(forms.ChoiceField, self.fields["unit"])
        year_field = cast(forms.ChoiceField, self.fields["year"])
        unit_field.choices = [(unit_key(u), str(u)) for u in units]
        year_field.choices = [(y, _("%(year)s 年") % {"year": y}) for y in years]
