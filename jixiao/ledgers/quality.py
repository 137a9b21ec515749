"""Data quality (数据质量): the records already in the ledgers that break their type's rules.

The services refuse a record that breaks a consistency rule; records written before a rule
existed (or before it was changed) are found here, for the data-quality page and
``jixiao ledger check``. One pass over the records in scope, each type's rules parsed once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from jixiao.ledgers import consistency
from jixiao.ledgers.models import LedgerEntry, LedgerType
from jixiao.ledgers.services import rules_of

__all__ = ["Finding", "findings"]


@dataclass(frozen=True)
class Finding:
    """A record and a rule it breaks."""

    entry: LedgerEntry
    violation: consistency.Violation

    def line(self) -> str:
        """One Chinese line: the ledger, the record (its id, date and title) and what is wrong."""
        entry = self.entry
        title = entry.data.get("title") or entry.data.get("summary") or ""
        where = f"{entry.ledger_type.name} #{entry.pk} {entry.date or ''} {title}".strip()
        return f"{where}：{self.violation.message}（{self.violation.column}）"


def findings(entries: QuerySet[LedgerEntry]) -> Iterator[Finding]:
    """The rule violations of these records, by ledger type, date and id."""
    type_ids = entries.values_list("ledger_type_id", flat=True).distinct()
    types = [t for t in LedgerType.objects.filter(pk__in=type_ids) if t.rules]
    for ledger_type in sorted(types, key=lambda t: (t.position, t.code, t.pk)):
        rules = rules_of(ledger_type)
        schema = consistency.schema_of(ledger_type)
        scoped = (
            entries.filter(ledger_type=ledger_type)
            .select_related("ledger_type", "unit", "project", "batch")
            .order_by("date", "id")
        )
        for entry in scoped.iterator(chunk_size=2000):
            for violation in consistency.broken_rules(
                rules, schema, entry.data, state=entry.state, state_dates=entry.state_dates
            ):
                yield Finding(entry, violation)
