"""Notifications: who is told what, and the e-mail of it.

``notify`` and ``notify_roles`` are called by the services whose steps people must hear of
(the review loop, the jobs), inside their transaction: a step rolled back tells nobody.
E-mail goes after the commit, and only when the server has an SMTP host
(``JIXIAO_EMAIL_HOST``): each notification at once, or one digest a day, or none, as each
person chose on the inbox page.

An inbox is its person's own mailbox, not unit data: reading and settings need no permission
beyond being that person, and they write no change-log rows (the change log records the
step that caused a notification, e.g. 退回).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.accounts.choices import Role
from jixiao.notifications.choices import EmailMode, Kind
from jixiao.notifications.models import Notification, Preference
from jixiao.units.models import FinanceBureau, Unit

logger = logging.getLogger(__name__)

DUE_WITHIN_DAYS = 3


def _users(users: Iterable[Any]) -> list[Any]:
    """Distinct active accounts, in the order given."""
    seen: set[int] = set()
    found = []
    for user in users:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        found.append(user)
    return found


def notify(
    users: Iterable[Any],
    kind: str,
    title: str,
    *,
    link: str = "",
    body: str = "",
    unit: Unit | None = None,
    key: str = "",
) -> list[Notification]:
    """Put a notification in each person's inbox (once per ``key`` when one is given) and
    e-mail it after the commit to those who want each one at once."""
    people = _users(users)
    if key:
        already = set(
            Notification.objects.filter(user__in=people, key=key).values_list("user_id", flat=True)
        )
        people = [u for u in people if u.pk not in already]
    if not people:
        return []
    rows = Notification.objects.bulk_create(
        Notification(
            user=user,
            kind=kind,
            title=title[:300],
            body=body,
            link=link[:500],
            unit=unit,
            key=key[:120],
        )
        for user in people
    )
    if settings.NOTIFY_EMAIL:
        ids = [row.pk for row in rows if row.pk is not None]
        if not ids:  # a backend that returns no ids from a bulk insert
            ids = list(
                Notification.objects.filter(user__in=people, kind=kind, title=title[:300])
                .order_by("-pk")
                .values_list("pk", flat=True)[: len(people)]
            )
        transaction.on_commit(lambda: send_immediate(ids))
    return rows


def members(units: Iterable[Unit | int], roles: Sequence[str]) -> list[Any]:
    """The active accounts of the units holding one of the roles."""
    ids = [u.pk if isinstance(u, Unit) else u for u in units]
    return list(
        get_user_model()
        .objects.filter(
            membership__unit_id__in=ids, membership__role__in=list(roles), is_active=True
        )
        .order_by("pk")
    )


def notify_roles(
    unit: Unit,
    roles: Sequence[str],
    kind: str,
    title: str,
    *,
    link: str = "",
    body: str = "",
    key: str = "",
    exclude: Any = None,
) -> list[Notification]:
    """Notify the people of a unit who hold one of the roles (not ``exclude``, the person who
    acted: nobody is told of their own step)."""
    people = [u for u in members([unit], roles) if exclude is None or u.pk != exclude.pk]
    return notify(people, kind, title, link=link, body=body, unit=unit, key=key)


def notify_bureau(
    bureau: FinanceBureau | None,
    roles: Sequence[str],
    kind: str,
    title: str,
    *,
    link: str = "",
    body: str = "",
    unit: Unit | None = None,
    exclude: Any = None,
) -> list[Notification]:
    """Notify the people of a finance bureau who hold one of the roles."""
    if bureau is None:
        return []
    people = get_user_model().objects.filter(
        membership__bureau=bureau, membership__role__in=list(roles), is_active=True
    )
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    return notify(people.order_by("pk"), kind, title, link=link, body=body, unit=unit)


# --- the inbox ---------------------------------------------------------------------------------


def unread_count(user: Any) -> int:
    """How many of the person's notifications are unread (the header's number)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(notification: Notification, *, user: Any) -> None:
    """Mark one of the person's own notifications read."""
    if notification.user_id != user.pk:
        raise Notification.DoesNotExist
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )


def mark_all_read(*, user: Any) -> int:
    """Mark all the person's notifications read; how many were unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def email_mode(user: Any) -> str:
    """The person's choice of e-mail (immediately when they never chose)."""
    found = Preference.objects.filter(user=user).values_list("email_mode", flat=True).first()
    return found or EmailMode.IMMEDIATE


def set_email_mode(mode: str, *, user: Any) -> Preference:
    """Keep the person's choice of e-mail: immediately, a daily digest, or none."""
    if mode not in EmailMode.values:
        raise ValueError(mode)
    preference, _created = Preference.objects.update_or_create(
        user=user, defaults={"email_mode": mode}
    )
    return preference


# --- e-mail ------------------------------------------------------------------------------------


def _absolute(link: str) -> str:
    return f"{settings.SITE_URL}{link}" if link.startswith("/") else link


def _text(row: Notification) -> str:
    lines = [row.title]
    if row.body:
        lines.append(row.body)
    if row.link:
        lines.append(_absolute(row.link))
    return "\n".join(lines)


def send_immediate(ids: Sequence[int]) -> int:
    """E-mail the notifications to those who want each at once; how many mails went."""
    if not settings.NOTIFY_EMAIL:
        return 0
    rows = list(
        Notification.objects.filter(pk__in=ids, emailed_at__isnull=True)
        .exclude(user__email="")
        .select_related("user")
    )
    wanted = [r for r in rows if email_mode(r.user) == EmailMode.IMMEDIATE]
    mails = [
        EmailMessage(
            subject=_("【绩效管理系统】%(title)s") % {"title": r.title},
            body=_text(r),
            to=[r.user.email],
        )
        for r in wanted
    ]
    return _send(mails, [r.pk for r in wanted])


def _send(mails: list[EmailMessage], ids: list[int]) -> int:
    if not mails:
        return 0
    try:
        sent = get_connection(fail_silently=False).send_messages(mails) or 0
    except OSError:
        # An unreachable SMTP server must not fail the step that notified: the inbox has it.
        logger.exception("sending %s notification e-mails failed", len(mails))
        return 0
    Notification.objects.filter(pk__in=ids).update(emailed_at=timezone.now())
    return int(sent)


def send_digests() -> int:
    """One e-mail per person who chose the daily digest, listing what came since the last;
    how many mails went."""
    if not settings.NOTIFY_EMAIL:
        return 0
    digest_users = Preference.objects.filter(email_mode=EmailMode.DIGEST).values("user_id")
    rows = (
        Notification.objects.filter(user_id__in=digest_users, emailed_at__isnull=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id", "created_at", "pk")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for row in rows:
        by_user[row.user_id].append(row)
    mails, ids = [], []
    for items in by_user.values():
        body = "\n\n".join(_text(r) for r in items)
        mails.append(
            EmailMessage(
                subject=_("【绩效管理系统】今日消息汇总（%(n)s 条）") % {"n": len(items)},
                body=body,
                to=[items[0].user.email],
            )
        )
        ids += [r.pk for r in items]
    return _send(mails, ids)


# --- the daily run -----------------------------------------------------------------------------


@dataclass
class Daily:
    """What a daily run did."""

    due: int = 0
    overdue: int = 0
    digests: int = 0
    pruned: int = 0


def notify_due_rounds(today: dt.date) -> int:
    """Tell each unit whose report is not yet submitted that its round is due within three
    days (once per report); how many notifications went."""
    from jixiao.rounds.choices import EDITABLE
    from jixiao.rounds.models import Report

    reports = Report.objects.filter(
        status__in=EDITABLE,
        round__due_on__gte=today,
        round__due_on__lte=today + dt.timedelta(days=DUE_WITHIN_DAYS),
    ).select_related("round", "unit")
    count = 0
    for report in reports:
        days = (report.round.due_on - today).days
        title = _("%(round)s将于 %(date)s 截止（还有 %(days)s 天），本单位尚未提交") % {
            "round": report.round,
            "date": report.round.due_on.isoformat(),
            "days": days,
        }
        count += len(
            notify_roles(
                report.unit,
                [Role.OFFICER, Role.HEAD],
                Kind.ROUND_DUE,
                title,
                link=reverse("rounds:report", args=[report.pk]),
                key=f"round_due:{report.pk}",
            )
        )
    return count


def notify_overdue_records(today: dt.date) -> int:
    """Tell each unit of its records (舆情 cases, tasks) past their deadline and not closed,
    once per record; how many notifications went."""
    from jixiao.ledgers.models import LedgerEntry, LedgerType
    from jixiao.ledgers.services import overdue_q

    count = 0
    for ledger_type in LedgerType.objects.exclude(workflow__isnull=True):
        if not (ledger_type.workflow or {}).get("overdue_field"):
            continue
        entries = LedgerEntry.objects.filter(ledger_type=ledger_type).filter(
            overdue_q(ledger_type, today)
        )
        for entry in entries.select_related("unit", "ledger_type"):
            title = _("逾期未办结：%(entry)s") % {"entry": entry}
            count += len(
                notify_roles(
                    entry.unit,
                    [Role.OFFICER, Role.HEAD],
                    Kind.CASE_OVERDUE,
                    title,
                    link=reverse("ledgers:entry", args=[entry.pk]),
                    key=f"overdue:{entry.pk}",
                )
            )
    return count


def run_daily(today: dt.date | None = None) -> Daily:
    """The daily run (``jixiao notify daily``): due rounds, overdue records, the digests, and
    old job files pruned. Running it twice a day sends nothing twice."""
    from jixiao.jobs.services import prune_files

    today = today or timezone.localdate()
    with transaction.atomic():
        due = notify_due_rounds(today)
        overdue = notify_overdue_records(today)
    return Daily(due=due, overdue=overdue, digests=send_digests(), pruned=prune_files())
