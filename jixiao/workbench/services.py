"""The overview's one write: reminding the units that have not submitted a round (催报)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from jixiao.access.perms import require
from jixiao.access.scope import reach
from jixiao.accounts.choices import Role
from jixiao.accounts.models import Membership
from jixiao.audit.choices import Action
from jixiao.audit.log import record
from jixiao.lib.actor import Actor
from jixiao.notifications.choices import Kind
from jixiao.notifications.services import notify
from jixiao.rounds.models import Report, Round
from jixiao.units.models import Unit
from jixiao.workbench.overview import NOT_STARTED, unit_statuses


def may_remind(who: Any) -> bool:
    """A bureau's reviewers and administrators remind units; its auditors only read."""
    found = reach(who)
    return found.superuser or found.everything or found.role in (Role.REVIEWER, Role.ADMIN)


# The report states of a unit still to submit.
PENDING = (NOT_STARTED, "draft", "returned")


@transaction.atomic
def remind(round_: Round, units: list[Unit], *, actor: Actor) -> list[Unit]:
    """Tell the officers and heads of every unit that has not submitted the round; returns the
    units reminded. One change-log row names them."""
    require(actor, "view_bureau", round_.bureau)
    if may_remind(actor) is False:
        raise PermissionDenied("审计人员只能查看，不能催报。")
    statuses = unit_statuses(round_, units)
    pending = [u for u in units if statuses.get(u.pk) in PENDING]
    reports = dict(
        Report.objects.filter(round=round_, unit__in=pending).values_list("unit_id", "pk")
    )
    name = round_.title or f"{round_.year} 年{round_.get_kind_display()}"
    people: dict[int | None, list[Any]] = defaultdict(list)
    found = Membership.objects.filter(
        unit__in=pending, role__in=[Role.OFFICER, Role.HEAD], user__is_active=True
    ).select_related("user")
    for membership in found.order_by("user_id"):
        people[membership.unit_id].append(membership.user)
    for unit in pending:
        report = reports.get(unit.pk)
        link = reverse("rounds:report", args=[report]) if report else reverse("workbench:home")
        notify(
            people.get(unit.pk, []),
            Kind.ROUND_DUE,
            f"请按时填报：{name}（截止 {round_.due_on}）",
            link=link,
            unit=unit,
        )
    record(
        actor,
        Action.REMIND,
        round_,
        bureau=round_.bureau_id,
        comment="催报：" + "、".join(u.name for u in pending) if pending else "没有需要催报的单位",
        object_repr=name,
    )
    return pending
