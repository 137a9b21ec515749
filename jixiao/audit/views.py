"""The audit log page (审计日志): the change log within the person's scope, filtered, newest first.

Who sees what is decided by ``jixiao.access.lookups.changelog_for``. Pages are cut by row
number (``before``/``after`` a row), never by counting or skipping rows, so a page costs the
same few queries however long the log grows.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from jixiao.access.lookups import changelog_for, manages_accounts, reads_log
from jixiao.access.perms import DENIED
from jixiao.audit.forms import LogFilterForm
from jixiao.audit.history import HistoryRow, describe
from jixiao.audit.models import ChangeLog
from jixiao.lib.params import int_or_none

PER_PAGE = 50
# A download holds at most this many rows (narrow the filters for more).
EXPORT_MAX_ROWS = 100_000

# The page of each kind of object, for the rows that name one (others are shown as text).
OBJECT_PAGES: dict[str, tuple[str, str]] = {
    "auth.user": ("accounts:detail", ""),
    "units.financebureau": ("accounts:settings", ""),
    "targets.project": ("targets:history", ""),
    "targets.indicator": ("metrics:records", ""),
    "ledgers.ledgerentry": ("ledgers:entry", ""),
    "rounds.report": ("rounds:report", ""),
    "rounds.round": ("rounds:index", "round-"),
}


def object_url(row: ChangeLog, *, accounts: bool = False) -> str:
    """The page of the object a row names, or "" when it has none (or the reader may not
    open it: accounts are pages of their administrators)."""
    if row.object_type == "auth.user" and not accounts:
        return ""
    target = OBJECT_PAGES.get(row.object_type)
    object_id = int_or_none(row.object_id, lo=1)
    if target is None or object_id is None:
        return ""
    name, anchor = target
    try:
        if anchor:
            return f"{reverse(name)}#{anchor}{object_id}"
        return reverse(name, args=[object_id])
    except NoReverseMatch:
        return ""


def _require_reader(request: HttpRequest) -> None:
    if not reads_log(request.user):
        raise PermissionDenied(DENIED["view_log"])


def _page(
    rows: QuerySet[ChangeLog], before: int | None, after: int | None
) -> tuple[list[ChangeLog], bool, bool]:
    """One page of rows, newest first, and whether there are newer and older ones."""
    rows = rows.select_related("unit", "bureau")
    if after is not None:
        found = list(rows.filter(seq__gt=after).order_by("seq")[: PER_PAGE + 1])
        newer = len(found) > PER_PAGE
        page = list(reversed(found[:PER_PAGE]))
        older = rows.filter(seq__lte=after).exists()
        return page, newer, older
    if before is not None:
        rows = rows.filter(seq__lt=before)
    found = list(rows.order_by("-seq")[: PER_PAGE + 1])
    return found[:PER_PAGE], before is not None, len(found) > PER_PAGE


@login_required
@require_safe
def audit_log(request: HttpRequest) -> HttpResponseBase:
    """The change log within the person's scope, filtered, 50 rows a page."""
    _require_reader(request)
    form = LogFilterForm(request.GET or None, who=request.user)
    rows = form.apply(changelog_for(request.user))
    if request.GET.get("format") == "csv":
        return _csv(rows)
    before = int_or_none(request.GET.get("before"), lo=1)
    after = int_or_none(request.GET.get("after"), lo=0)
    page, newer, older = _page(rows, before, after)
    query = request.GET.copy()
    for key in ("before", "after", "format"):
        query.pop(key, None)
    manages = manages_accounts(request.user)
    items = [(describe(row), object_url(row, accounts=manages)) for row in page]
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "items": items,
            "query": query.urlencode(),
            "newer": newer,
            "older": older,
            "first_seq": page[0].seq if page else None,
            "last_seq": page[-1].seq if page else None,
            "per_page": PER_PAGE,
        },
    )


# -- the download --------------------------------------------------------------------------

# Excel and WPS read a cell starting with these as a formula; the download keeps them text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


HEADINGS = [
    *("序号", "时间", "操作人", "途径", "来源地址", "单位", "财政局"),
    *("对象类型", "对象编号", "对象", "操作", "修改内容", "说明"),
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _lines(rows: QuerySet[ChangeLog]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # Excel opens UTF-8 with a byte-order mark as UTF-8
    yield writer.writerow(HEADINGS)
    chosen = rows.select_related("unit", "bureau").order_by("-seq")[:EXPORT_MAX_ROWS]
    for row in chosen.iterator(chunk_size=2000):
        item: HistoryRow = describe(row)
        yield writer.writerow(
            [
                _cell(v)
                for v in (
                    row.seq,
                    timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S"),
                    row.username,
                    row.via,
                    row.ip,
                    row.unit or "",
                    row.bureau or "",
                    row.object_type,
                    row.object_id,
                    row.object_repr,
                    item.action,
                    "；".join(item.lines),
                    row.comment,
                )
            ]
        )


def _csv(rows: QuerySet[ChangeLog]) -> StreamingHttpResponse:
    name = _("审计日志-%(day)s.csv") % {"day": timezone.localdate().isoformat()}
    response = StreamingHttpResponse(_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
