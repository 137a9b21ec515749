"""What is due for a unit: open rounds and returned reports, overdue records, data problems.

Each item links to where the work is done. A bounded number of queries whatever the unit holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from jixiao.access.lookups import rounds_for, scoped, unit_key
from jixiao.ledgers.models import LedgerEntry
from jixiao.ledgers.quality import findings
from jixiao.ledgers.services import overdue_q
from jixiao.ledgers.views import types_for
from jixiao.lib import fragments
from jixiao.rounds.choices import ReportStatus, RoundKind
from jixiao.rounds.models import Report, Round
from jixiao.units.models import Unit

# How many days before a round's due date it counts as due soon.
DUE_SOON_DAYS = 3
# Report states in which the unit still has work to do.
UNIT_WORK = (ReportStatus.DRAFT, ReportStatus.RETURNED)


@dataclass(frozen=True)
class DueItem:
    """One thing to do: what, when, and the page where it is done."""

    kind: str  # round | returned | overdue | quality
    title: str
    detail: str
    link: str
    due_on: dt.date | None = None
    urgent: bool = False  # overdue, returned, or due within DUE_SOON_DAYS


def _round_page(round_: Round, unit: Unit) -> str:
    page = "rounds:monitoring" if round_.kind == RoundKind.MONITORING else "rounds:evaluation"
    params: dict[str, Any] = {"unit": unit_key(unit), "year": round_.year}
    if round_.kind == RoundKind.MONITORING:
        params["as_of"] = round_.as_of.isoformat()
    return f"{reverse(page)}?{urlencode(params)}"


def round_items(unit: Unit, year: int, today: dt.date, who: Any) -> list[DueItem]:
    """The year's rounds the unit still has to fill in or resubmit (two queries)."""
    bureau = unit.bureau
    mine = Q(bureau=bureau) if bureau is not None else Q(reports__unit=unit)
    rounds = list(rounds_for(who).filter(mine, year=year).distinct().order_by("due_on", "pk"))
    reports = {
        r.round_id: r for r in Report.objects.filter(unit=unit, round__in=[r.pk for r in rounds])
    }
    items = []
    for round_ in rounds:
        report = reports.get(round_.pk)
        if report is not None and report.status not in UNIT_WORK:
            continue
        name = round_.title or f"{round_.year} 年{round_.get_kind_display()}"
        link = (
            reverse("rounds:report", args=[report.pk])
            if report is not None
            else _round_page(round_, unit)
        )
        days = (round_.due_on - today).days
        when = (
            f"已逾期 {-days} 天" if days < 0 else ("今天截止" if days == 0 else f"还有 {days} 天")
        )
        if report is not None and report.status == ReportStatus.RETURNED:
            items.append(
                DueItem(
                    "returned",
                    f"{name}：已退回修改",
                    f"截止 {round_.due_on}，{when}",
                    link,
                    round_.due_on,
                    True,
                )
            )
        else:
            state = "填报中" if report is not None else "未开始填报"
            items.append(
                DueItem(
                    "round",
                    f"{name}：{state}",
                    f"截止 {round_.due_on}，{when}",
                    link,
                    round_.due_on,
                    days <= DUE_SOON_DAYS,
                )
            )
    return items


def overdue_items(unit: Unit, today: dt.date, who: Any) -> list[DueItem]:
    """Records past their deadline and not finished, one item per ledger type with any."""
    items = []
    for ledger_type in types_for(unit):
        if not (ledger_type.workflow or {}).get("overdue_field"):
            continue
        entries = scoped(LedgerEntry.objects.filter(unit=unit, ledger_type=ledger_type), who)
        count = entries.filter(overdue_q(ledger_type, today)).count()
        if count:
            query = urlencode({"unit": unit_key(unit), "overdue": 1})
            items.append(
                DueItem(
                    "overdue",
                    f"{ledger_type.name}：{count} 条已逾期",
                    "超过期限仍未办结",
                    f"{reverse('ledgers:records', args=[ledger_type.code])}?{query}",
                    urgent=True,
                )
            )
    return items


def quality_items(unit: Unit, year: int, who: Any) -> list[DueItem]:
    """The year's records that break their ledger's consistency rules, as one item."""
    entries = scoped(LedgerEntry.objects.filter(unit=unit), who).filter(
        Q(date__year=year) | Q(date__isnull=True)
    )
    # Checking the rules walks every record of the year: kept until the unit's data changes.
    count = fragments.cached(
        "quality-count",
        units=[unit.pk],
        user=who,
        parts=(unit.pk, year),
        compute=lambda: sum(1 for _ in findings(entries)),
    )
    if not count:
        return []
    query = urlencode({"unit": unit_key(unit), "year": year})
    return [
        DueItem(
            "quality",
            f"数据质量：{count} 条记录不符合一致性规则",
            "请核对后修改",
            f"{reverse('ledgers:quality')}?{query}",
        )
    ]


def due_items(unit: Unit, year: int, today: dt.date, who: Any) -> list[DueItem]:
    """Everything due for the unit, the urgent first, then by date."""
    items = [
        *round_items(unit, year, today, who),
        *overdue_items(unit, today, who),
        *quality_items(unit, year, who),
    ]
    far = dt.date.max
    return sorted(items, key=lambda i: (not i.urgent, i.due_on or far))
