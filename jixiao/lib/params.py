"""Reading values from a query string or a URL: anything malformed is 404, never a 500.

Pages that offer a fallback (a default year, today) use the ``_or_none`` forms and show a
notice; downloads and links that must name something exact use the strict forms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.http import Http404
from django.utils.translation import gettext as _

YEAR_MIN, YEAR_MAX = 2000, 2100
# Ids are database keys: more digits than a 64-bit key can hold are not an id.
ID_MAX_DIGITS = 18


def int_or_none(text: str | None, *, lo: int | None = None, hi: int | None = None) -> int | None:
    """A whole number within [lo, hi] from text, None for anything else."""
    text = (text or "").strip()
    if not text or len(text) > ID_MAX_DIGITS or not text.lstrip("-").isdigit():
        return None
    value = int(text)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        return None
    return value


def year_or_none(text: str | None) -> int | None:
    """A fiscal year (2000–2100) from text, None for anything else."""
    return int_or_none(text, lo=YEAR_MIN, hi=YEAR_MAX)


def date_or_none(text: str | None) -> dt.date | None:
    """An ISO date (2021-06-30) from text, None for anything else."""
    text = (text or "").strip()
    if len(text) != 10:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def require_year(query: Mapping[str, str], name: str = "year") -> int:
    """The year a download or a link names exactly; 404 when missing or malformed."""
    year = year_or_none(query.get(name))
    if year is None:
        raise Http404(_("预算年度不正确。"))
    return year


def require_id(text: str | None) -> int:
    """An id a URL or a form names; 404 when it is not one."""
    value = int_or_none(text, lo=1)
    if value is None:
        raise Http404(_("编号不正确。"))
    return value


def require_choice(
    text: str | None, choices: Mapping[str, object] | frozenset[str] | set[str]
) -> str:
    """One of the allowed words (a format, a kind); 404 for anything else."""
    if text is None or text not in choices:
        raise Http404(_("参数不正确。"))
    return text
