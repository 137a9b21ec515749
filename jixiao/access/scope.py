"""The units a person reaches, from their organisation and the unit tree.

Superusers reach every unit. A unit's people reach the unit and the units below it (a 主管部门
sees its subordinates); a finance bureau's people reach every unit whose bureau — its own, or
its nearest ancestor's — is theirs. Anybody else reaches nothing.

The tree is read in one query and the answer kept on the user object for the request; any
change to units, bureaus or memberships in this process clears it.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save

from jixiao.lib.actor import Actor
from jixiao.units.models import FinanceBureau, Unit

_generation = itertools.count()
_current = next(_generation)


def _invalidate(**kwargs: Any) -> None:
    global _current
    _current = next(_generation)


@dataclass(frozen=True)
class Reach:
    """What one person reaches: unit ids (None: all), their own unit and bureau, their role."""

    unit_ids: frozenset[int] | None
    unit_id: int | None = None  # the unit the person belongs to
    bureau_id: int | None = None  # the bureau the person belongs to
    role: str = ""
    superuser: bool = False
    organisation: str = ""  # the unit's or bureau's name, as the top bar shows it

    @property
    def everything(self) -> bool:
        return self.unit_ids is None

    def reaches(self, unit_id: int | None) -> bool:
        """Whether the unit (by id) is in reach."""
        if unit_id is None:
            return False
        return self.unit_ids is None or unit_id in self.unit_ids


NOTHING = Reach(unit_ids=frozenset())
EVERYTHING = Reach(unit_ids=None, superuser=True)


def user_of(who: Any) -> Any:
    """The user behind an Actor, a user, or None."""
    return who.user if isinstance(who, Actor) else who


def reach(who: Any) -> Reach:
    """What ``who`` (an Actor, a user, an anonymous user or None) reaches."""
    if isinstance(who, Actor) and who.operator:
        return EVERYTHING
    user = user_of(who)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    cached = getattr(user, "_jixiao_reach", None)
    if cached is not None and cached[0] == _current:
        return cached[1]  # type: ignore[no-any-return]
    found = _compute(user)
    user._jixiao_reach = (_current, found)
    return found


def _compute(user: Any) -> Reach:
    if user.is_superuser:
        return EVERYTHING
    from jixiao.accounts.models import Membership

    membership = Membership.objects.filter(user=user).select_related("unit", "bureau").first()
    if membership is None:
        return NOTHING
    rows = list(Unit.objects.values_list("pk", "parent_id", "finance_bureau_id"))
    if membership.unit_id is not None:
        ids = subtree(rows, membership.unit_id)
    else:
        ids = frozenset(u for u, b in bureaus_of(rows).items() if b == membership.bureau_id)
    return Reach(
        unit_ids=ids,
        unit_id=membership.unit_id,
        bureau_id=membership.bureau_id,
        role=membership.role,
        organisation=str(membership.organisation),
    )


Row = tuple[int, int | None, int | None]


def subtree(rows: Sequence[Row], root: int) -> frozenset[int]:
    """The unit and every unit below it."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent, _bureau in rows:
        children[parent].append(pk)
    found: set[int] = set()
    stack = [root]
    while stack:
        pk = stack.pop()
        if pk in found:
            continue
        found.add(pk)
        stack.extend(children.get(pk, []))
    return frozenset(found)


def bureaus_of(rows: Sequence[Row]) -> dict[int, int | None]:
    """Each unit's finance bureau: its own, else its nearest ancestor's."""
    parent = {pk: p for pk, p, _b in rows}
    own = {pk: b for pk, _p, b in rows if b is not None}
    result: dict[int, int | None] = {}
    for pk, _p, _b in rows:
        node: int | None = pk
        seen: set[int] = set()
        bureau = None
        while node is not None and node not in seen:
            if node in own:
                bureau = own[node]
                break
            seen.add(node)
            node = parent.get(node)
        result[pk] = bureau
    return result


def reach_ids(who: Any) -> frozenset[int] | None:
    """The ids of the units ``who`` reaches; None for all of them (superusers, the operator)."""
    return reach(who).unit_ids


def units_for(who: Any) -> QuerySet[Unit]:
    """The units ``who`` may see, as a queryset (lists are filtered through it)."""
    found = reach(who)
    if found.unit_ids is None:
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=found.unit_ids)


def bureaus_for(who: Any) -> QuerySet[FinanceBureau]:
    """The finance bureaus ``who`` belongs to or, for superusers, all of them."""
    found = reach(who)
    if found.everything:
        return FinanceBureau.objects.all()
    return (
        FinanceBureau.objects.filter(pk=found.bureau_id)
        if found.bureau_id
        else (FinanceBureau.objects.none())
    )


for _model in ("units.Unit", "units.FinanceBureau", "accounts.Membership"):
    post_save.connect(_invalidate, sender=_model, dispatch_uid=f"access-scope-save-{_model}")
    post_delete.connect(_invalidate, sender=_model, dispatch_uid=f"access-scope-del-{_model}")
