"""Writing and checking the change log.

Services call :func:`record` inside their transaction, so a change and its row land together
or not at all. Values are stored as JSON (Decimal and dates as strings); the hash is taken over
exactly what is stored, so ``verify`` can recompute it from the database alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from jixiao.audit.choices import Action
from jixiao.audit.models import AuditHead, ChangeLog, DataVersion
from jixiao.lib.actor import Actor

GENESIS = "0" * 64
# The columns a row's hash covers, in this order.
HASHED = (
    "seq",
    "at",
    "user_id",
    "username",
    "via",
    "ip",
    "request_id",
    "unit_id",
    "bureau_id",
    "object_type",
    "object_id",
    "object_repr",
    "object_version",
    "action",
    "before",
    "after",
    "comment",
    "prev_hash",
)


def jsonable(value: Any) -> Any:
    """A value as the change log stores it: JSON types only, Decimal and dates as strings."""
    if value is None or isinstance(value, bool | int | str):
        return value.replace("\x00", "") if isinstance(value, str) else value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, Iterable):
        return [jsonable(v) for v in value]
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The object's field values as JSON (foreign keys by id); all concrete fields by default."""
    names = (
        list(fields)
        if fields is not None
        else [f.name for f in instance._meta.concrete_fields if not f.primary_key]
    )
    values: dict[str, Any] = {}
    for name in names:
        model_field = instance._meta.get_field(name)
        attname = getattr(model_field, "attname", name)
        values[name] = jsonable(getattr(instance, attname))
    return values


def diff(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only what changed between two snapshots: (before, after) of the differing keys."""
    keys = [k for k in {**before, **after} if jsonable(before.get(k)) != jsonable(after.get(k))]
    return {k: jsonable(before.get(k)) for k in keys}, {k: jsonable(after.get(k)) for k in keys}


def object_type(instance: models.Model | type[models.Model]) -> str:
    """The change log's name of a model: ``app_label.model_name``."""
    return instance._meta.label_lower


def _canonical(row: Mapping[str, Any]) -> bytes:
    payload = [row[name] for name in HASHED]
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def row_hash(row: Mapping[str, Any]) -> str:
    """The hash of a row's content (its ``prev_hash`` included, so rows chain)."""
    return hashlib.sha256(_canonical(row)).hexdigest()


def _hashable(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row's hashed columns as JSON values (``at`` in ISO form, in UTC)."""
    values = {name: row[name] for name in HASHED}
    at = values["at"]
    if isinstance(at, dt.datetime):
        values["at"] = at.astimezone(dt.UTC).isoformat()
    return values


@dataclass
class Entry:
    """One row to append, before it gets its number and hash."""

    action: str
    object_type: str
    object_id: str = ""
    object_repr: str = ""
    object_version: int | None = None
    before: Any = None
    after: Any = None
    comment: str = ""
    unit_id: int | None = None
    bureau_id: int | None = None

    @classmethod
    def of(
        cls,
        action: str,
        obj: models.Model | None = None,
        *,
        before: Any = None,
        after: Any = None,
        comment: str = "",
        unit: Any = None,
        bureau: Any = None,
        object_type: str = "",
        object_id: Any = "",
        object_repr: str = "",
    ) -> Entry:
        """An entry about ``obj`` (or about what ``object_type``/``object_id`` name)."""
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = object_id or obj.pk
            object_repr = object_repr or str(obj)
        if before is not None and after is not None:
            before, after = diff(before, after)
        return cls(
            action=str(action),
            object_type=object_type,
            object_id="" if object_id in (None, "") else str(object_id),
            object_repr=(object_repr or "")[:300],
            object_version=getattr(obj, "version", None) if obj is not None else None,
            before=jsonable(before),
            after=jsonable(after),
            comment=comment or "",
            unit_id=_id(unit) if unit is not None else _unit_of(obj),
            bureau_id=_id(bureau) if bureau is not None else _bureau_of(obj),
        )


def _unit_of(obj: models.Model | None) -> int | None:
    # The unit an object belongs to places its row in the log pages' scopes by default.
    if obj is None:
        return None
    from jixiao.access.perms import unit_id_of

    return unit_id_of(obj)


def _bureau_of(obj: models.Model | None) -> int | None:
    if obj is None:
        return None
    if obj._meta.label_lower == "units.financebureau":
        return int(obj.pk)
    bureau_id: int | None = getattr(obj, "bureau_id", None)
    return bureau_id


def _id(value: Any) -> int | None:
    found = value.pk if isinstance(value, models.Model) else value
    return None if found is None else int(found)


def record(actor: Actor, action: str, obj: models.Model | None = None, **kwargs: Any) -> ChangeLog:
    """Append one row; call inside the transaction of the change it records.

    ``before``/``after`` are snapshots (see :func:`snapshot`); when both are given only the
    keys that differ are kept. ``unit``/``bureau`` place the row in a scope for the log page
    (taken from ``obj.unit_id``/``obj.bureau_id`` when not given).
    """
    return record_many(actor, [Entry.of(action, obj, **kwargs)])[0]


def record_many(actor: Actor, entries: Iterable[Entry]) -> list[ChangeLog]:
    """Append rows in order, in one insert (bulk imports write thousands at once)."""
    entries = list(entries)
    if not entries:
        return []
    with transaction.atomic():
        head = _locked_head()
        now = timezone.now()
        rows: list[ChangeLog] = []
        seq, prev = head.seq, head.hash or GENESIS
        for entry in entries:
            seq += 1
            row = ChangeLog(
                seq=seq,
                at=now,
                user_id=actor.user_id,
                username=actor.name[:200],
                via=actor.via,
                ip=actor.ip,
                request_id=actor.request_id,
                unit_id=entry.unit_id,
                bureau_id=entry.bureau_id,
                object_type=entry.object_type,
                object_id=entry.object_id,
                object_repr=entry.object_repr,
                object_version=entry.object_version,
                action=entry.action,
                before=entry.before,
                after=entry.after,
                comment=entry.comment,
                prev_hash=prev,
            )
            row.hash = row_hash(_hashable(row.__dict__))
            prev = row.hash
            rows.append(row)
        ChangeLog.objects.bulk_create(rows, batch_size=500)
        head.seq, head.hash = seq, prev
        head.save(update_fields=["seq", "hash"])
        _bump_versions(rows)
    from jixiao.lib.fragments import forget

    forget()  # this request reads the new versions from now on
    return rows


# Steps of a person's session: they change no data, so no page computed from data goes stale.
SESSION_ACTIONS = frozenset(
    {
        Action.LOGIN,
        Action.LOGOUT,
        Action.LOGIN_FAILED,
        Action.LOCKED_OUT,
        Action.UNLOCK,
        Action.PASSWORD_CHANGE,
        Action.PASSWORD_RESET,
        Action.BACKUP,
    }
)


def _bump_versions(rows: list[ChangeLog]) -> None:
    """Advance the data version of every unit the rows changed (``global`` for the rest)."""
    latest: dict[str, int] = {}
    for row in rows:
        if row.action in SESSION_ACTIONS:
            continue
        key = f"unit:{row.unit_id}" if row.unit_id is not None else "global"
        latest[key] = row.seq
    if latest:
        DataVersion.objects.bulk_create(
            [DataVersion(key=key, seq=seq) for key, seq in latest.items()],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["seq"],
        )


def _locked_head() -> AuditHead:
    # The lock orders appends: a second writer waits here until the first one commits.
    # (On SQLite the IMMEDIATE transaction mode already serialises writers.)
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        last = ChangeLog.objects.order_by("-seq").values("seq", "hash").first()
        head = AuditHead(pk=1, seq=last["seq"] if last else 0, hash=last["hash"] if last else "")
        head.save(force_insert=True)
    return head


@dataclass
class Verification:
    """What ``verify`` found: the rows checked and the first one that does not match."""

    checked: int = 0
    bad_seq: int | None = None
    problem: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.bad_seq is None and not self.problem


def _rows() -> Iterator[dict[str, Any]]:
    columns = [*HASHED, "hash"]
    yield from ChangeLog.objects.order_by("seq").values(*columns).iterator(chunk_size=2000)


def verify() -> Verification:
    """Recompute the chain from the first row; stop at the first row that does not match."""
    result = Verification()
    expected_seq, prev = 1, GENESIS
    with transaction.atomic():
        for row in _rows():
            result.checked += 1
            seq = row["seq"]
            if seq != expected_seq:
                result.bad_seq = expected_seq
                result.problem = f"第 {expected_seq} 条记录缺失（下一条是第 {seq} 条）"
                return result
            if row["prev_hash"] != prev:
                result.bad_seq = seq
                result.problem = f"第 {seq} 条记录与上一条的哈希不衔接（上一条被修改或删除）"
                return result
            if row_hash(_hashable(row)) != row["hash"]:
                result.bad_seq = seq
                result.problem = f"第 {seq} 条记录的内容与其哈希不符（记录被修改）"
                return result
            expected_seq, prev = seq + 1, row["hash"]
        head = AuditHead.objects.filter(pk=1).first()
        last_seq = expected_seq - 1
        if head is not None and (head.seq, head.hash or GENESIS) != (last_seq, prev):
            result.bad_seq = last_seq + 1 if head.seq > last_seq else head.seq
            result.problem = (
                f"链尾记录为第 {head.seq} 条，但日志只到第 {last_seq} 条（末尾的记录被删除）"
                if head.seq > last_seq
                else f"链尾与第 {head.seq} 条记录不符"
            )
    return result
