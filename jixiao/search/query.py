"""Search across projects, indicators, ledger records and reports, within what a person reaches.

Every kind is one bounded query narrowed through the permission seam (``scoped``,
``rounds_for``): at most ``limit`` hits per kind, plus one count when there are more, so the
cost does not grow with the data. Ledger records are matched on their text fields inside the
JSON ``data`` (one ``icontains`` per field code, restricted to the ledger types that have it),
which works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.urls import reverse

from jixiao.access.lookups import rounds_for, scoped, unit_key
from jixiao.access.scope import reach
from jixiao.ledgers.forms import TEXT_KINDS
from jixiao.ledgers.models import LedgerEntry, LedgerField
from jixiao.rounds.choices import RoundKind
from jixiao.rounds.models import Report
from jixiao.targets.models import Indicator, Project

PER_KIND = 10  # hits shown per kind; the rest are counted and offered as "more"
QUERY_MAX = 100  # characters of the box that are searched for
TITLE_FIELDS = ("title", "summary", "name", "subject")  # a record's heading, when it has one


@dataclass
class Hit:
    """One result: what it is, where it belongs, and the link to it."""

    title: str
    url: str
    detail: str = ""


@dataclass
class More:
    """Further hits of a kind in one list that can be opened filtered (a ledger's records)."""

    label: str
    count: int
    url: str


@dataclass
class Section:
    """The hits of one kind: the first ``PER_KIND``, the total, and links to the rest."""

    key: str
    name: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    more: list[More] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        """True when there are more hits than are shown."""
        return self.total > len(self.hits)


def clean_query(text: str | None) -> str:
    """The search text as searched for: trimmed, cut to QUERY_MAX characters, no NUL."""
    return (text or "").replace("\x00", "").strip()[:QUERY_MAX]


def search(who: Any, text: str, *, limit: int = PER_KIND) -> list[Section]:
    """Every kind's hits for ``text`` among what ``who`` reaches (empty text: no sections)."""
    text = clean_query(text)
    if not text:
        return []
    return [
        _projects(who, text, limit),
        _indicators(who, text, limit),
        _records(who, text, limit),
        _reports(who, text, limit),
    ]


def _first(queryset: QuerySet[Any], limit: int) -> tuple[list[Any], int]:
    """The first ``limit`` rows and the total (counted only when there are more)."""
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, len(rows)
    return rows[:limit], queryset.count()


def _targets_url(project: Project) -> str:
    query = urlencode({"unit": unit_key(project.unit), "year": project.year})
    return f"{reverse('targets:index')}?{query}"


def _projects(who: Any, text: str, limit: int) -> Section:
    found = scoped(Project.objects.all(), who).filter(
        Q(name__icontains=text) | Q(code__icontains=text)
    )
    rows, total = _first(
        found.select_related("unit").order_by("-year", "unit__code", "position", "id"), limit
    )
    hits = [
        Hit(
            p.label,
            _targets_url(p),
            f"{p.unit} · {p.year} 年" + (f" · {p.code}" if p.code and p.code != p.label else ""),
        )
        for p in rows
    ]
    return Section("projects", "预算项目", hits, total)


def _indicators(who: Any, text: str, limit: int) -> Section:
    found = scoped(Indicator.objects.all(), who).filter(
        Q(level3__icontains=text) | Q(target__icontains=text)
    )
    rows, total = _first(
        found.select_related("project__unit").order_by(
            "-project__year", "project__unit__code", "project__position", "position", "id"
        ),
        limit,
    )
    hits = [
        Hit(
            f"{i.level3}：{i.target}" if i.target else i.level3,
            reverse("metrics:records", args=[i.pk]),
            f"{i.project.unit} · {i.project.year} 年 · {i.project.label}",
        )
        for i in rows
    ]
    return Section("indicators", "绩效指标", hits, total)


def _text_fields(who: Any) -> dict[str, list[int]]:
    """Each text field code with the ledger types (presets and those of units in reach) that
    have it."""
    found = reach(who)
    fields = LedgerField.objects.filter(kind__in=TEXT_KINDS)
    if not found.everything:
        fields = fields.filter(
            Q(ledger_type__unit__isnull=True) | Q(ledger_type__unit__in=found.unit_ids)
        )
    by_code: dict[str, list[int]] = defaultdict(list)
    for code, type_id in fields.values_list("code", "ledger_type_id"):
        by_code[code].append(type_id)
    return by_code


def _record_title(entry: LedgerEntry) -> str:
    for code in TITLE_FIELDS:
        value = entry.data.get(code)
        if value:
            return str(value)
    return next((str(v) for v in entry.data.values() if isinstance(v, str) and v), "—")


def _records(who: Any, text: str, limit: int) -> Section:
    section = Section("records", "台账记录")
    condition = Q()
    for code, type_ids in _text_fields(who).items():
        condition |= Q(ledger_type_id__in=type_ids, **{f"data__{code}__icontains": text})
    if not condition:
        return section
    found = scoped(LedgerEntry.objects.all(), who).filter(condition)
    rows, section.total = _first(
        found.select_related("ledger_type", "unit").order_by("-date", "-id"), limit
    )
    section.hits = [
        Hit(
            _record_title(e),
            reverse("ledgers:entry", args=[e.pk]),
            " · ".join(
                part
                for part in (
                    f"{e.ledger_type.name}台账",
                    str(e.unit),
                    e.date.isoformat() if e.date else "",
                    e.state,
                )
                if part
            ),
        )
        for e in rows
    ]
    if section.truncated:
        section.more = _record_lists(found, text)
    return section


def _record_lists(found: QuerySet[LedgerEntry], text: str) -> list[More]:
    """Where the hits are, by ledger, unit and year: each a link to that list, searched."""
    groups = (
        found.annotate(year=ExtractYear("date"))
        .values("ledger_type__code", "ledger_type__name", "unit__code", "unit__name", "year")
        .annotate(n=Count("id"))
        .order_by("-year", "unit__code", "ledger_type__code")
    )
    more = []
    for g in groups[:20]:
        unit = g["unit__code"] or g["unit__name"]
        query: dict[str, Any] = {"unit": unit, "q": text}
        if g["year"] is not None:
            query["year"] = g["year"]
        url = reverse("ledgers:records", args=[g["ledger_type__code"]]) + "?" + urlencode(query)
        year = f"{g['year']} 年" if g["year"] is not None else "无日期"
        label = f"{g['ledger_type__name']}台账 · {g['unit__name']} · {year}"
        more.append(More(label, g["n"], url))
    return more


def _reports(who: Any, text: str, limit: int) -> Section:
    kinds = [k for k in RoundKind if text in str(k.label) or str(k.label) in text]
    condition = (
        Q(round__title__icontains=text)
        | Q(unit__name__icontains=text)
        | Q(unit__code__icontains=text)
        | Q(round__kind__in=kinds)
    )
    found = scoped(Report.objects.filter(round__in=rounds_for(who)), who).filter(condition)
    rows, total = _first(
        found.select_related("round", "unit").order_by(
            "-round__year", "-round__as_of", "unit__code", "id"
        ),
        limit,
    )
    hits = [
        Hit(
            f"{r.unit} · {r.round}",
            reverse("rounds:report", args=[r.pk]),
            f"{r.get_status_display()} · 截止 {r.round.due_on:%Y-%m-%d}",
        )
        for r in rows
    ]
    return Section("reports", "填报", hits, total)
