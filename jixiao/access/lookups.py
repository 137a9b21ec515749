"""``get_…_for_user``: every object a page, download, command or API call names by id is
fetched here, within what the person reaches; anything else is 404.

Lists use :func:`scoped` (a queryset narrowed to the person's units). Writes are then checked
by the services (``jixiao.access.perms.require``): reaching an object is not changing it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from jixiao.access.scope import reach, units_for
from jixiao.units.models import FinanceBureau, Unit

M = TypeVar("M", bound=models.Model)

# The lookup path from a model to its unit, for narrowing querysets.
UNIT_LOOKUPS: dict[str, str] = {
    "units.unit": "pk",
    "targets.indicator": "project__unit",
    "targets.subgoal": "unit_goal__unit",
    "targets.safeguard": "unit_goal__unit",
    "targets.spendingcheckpoint": "project__unit",
    "targets.recordedevaluation": "project__unit",
    "targets.recordedresult": "indicator__project__unit",
    "ledgers.attachment": "entry__unit",
    "ledgers.ledgertransition": "entry__unit",
    "metrics.metric": "indicator__project__unit",
    "metrics.manualactual": "indicator__project__unit",
    "metrics.evidence": "actual__indicator__project__unit",
    "rounds.indicatorentry": "report__unit",
    "rounds.projectentry": "report__unit",
    "rounds.submission": "report__unit",
    "rounds.scoreoverride": "report__unit",
    "rounds.reportevent": "report__unit",
}

NOT_FOUND = _("找不到该对象，或您无权访问。")


def scoped(queryset: QuerySet[M], who: Any) -> QuerySet[M]:
    """The queryset narrowed to the objects whose unit ``who`` reaches."""
    found = reach(who)
    if found.everything:
        return queryset
    path = UNIT_LOOKUPS.get(queryset.model._meta.label_lower, "unit")
    if path == "pk":
        return queryset.filter(pk__in=found.unit_ids)
    return queryset.filter(**{f"{path}__in": found.unit_ids})


def get_for_user(queryset: QuerySet[M], who: Any, **lookup: Any) -> M:
    """One object within reach, else Http404 (the same answer whether or not it exists)."""
    try:
        return scoped(queryset, who).get(**lookup)
    except (ObjectDoesNotExist, MultipleObjectsReturned, ValueError, TypeError, OverflowError):
        raise Http404(NOT_FOUND) from None


def _pk(value: Any) -> int:
    """An id from a URL or a form; anything that is not one is 404, never a 500."""
    text = str(value)
    if not text.isdigit() or len(text) > 18:
        raise Http404(NOT_FOUND)
    return int(text)


def unit_key(unit: Unit) -> str:
    """How URLs name a unit: its budget code, or its name when it has none."""
    return unit.code or unit.name


def get_unit_for_user(who: Any, key: str) -> Unit:
    """The unit a URL or a command names by its code (or its name when it has none)."""
    if not key or len(key) > 200 or "\x00" in key:  # PostgreSQL refuses NUL in text
        raise Http404(NOT_FOUND)
    units = units_for(who)
    found = units.filter(code=key).first() or units.filter(code__isnull=True, name=key).first()
    if found is None:
        raise Http404(NOT_FOUND)
    return found


def get_unit_by_pk_for_user(who: Any, pk: Any) -> Unit:
    """A unit by id, within reach."""
    return get_for_user(Unit.objects.all(), who, pk=_pk(pk))


def get_bureau_for_user(who: Any, pk: Any) -> FinanceBureau:
    """A finance bureau the person belongs to (any, for superusers)."""
    from jixiao.access.scope import bureaus_for

    try:
        return bureaus_for(who).get(pk=_pk(pk))
    except FinanceBureau.DoesNotExist:
        raise Http404(NOT_FOUND) from None


def get_project_for_user(who: Any, pk: Any) -> Any:
    """A budget project within reach."""
    from jixiao.targets.models import Project

    return get_for_user(Project.objects.select_related("unit"), who, pk=_pk(pk))


def get_indicator_for_user(who: Any, pk: Any) -> Any:
    """An indicator within reach."""
    from jixiao.targets.models import Indicator

    return get_for_user(Indicator.objects.select_related("project__unit"), who, pk=_pk(pk))


def get_entry_for_user(who: Any, pk: Any) -> Any:
    """A ledger record within reach."""
    from jixiao.ledgers.models import LedgerEntry

    queryset = LedgerEntry.objects.select_related("ledger_type", "unit", "project")
    return get_for_user(queryset, who, pk=_pk(pk))


def get_attachment_for_user(who: Any, pk: Any) -> Any:
    """A ledger record's attachment within reach."""
    from jixiao.ledgers.models import Attachment

    return get_for_user(Attachment.objects.select_related("entry__unit"), who, pk=_pk(pk))


def get_evidence_for_user(who: Any, pk: Any) -> Any:
    """An evidence file of a hand-entered actual, within reach."""
    from jixiao.metrics.models import Evidence

    queryset = Evidence.objects.select_related("actual__indicator__project__unit")
    return get_for_user(queryset, who, pk=_pk(pk))


def get_report_for_user(who: Any, pk: Any) -> Any:
    """A unit's report in a round, within reach."""
    from jixiao.rounds.models import Report

    queryset = Report.objects.select_related("round__bureau", "unit")
    return get_for_user(queryset, who, pk=_pk(pk))


def rounds_for(who: Any) -> QuerySet[Any]:
    """The rounds a person sees: their bureau's, and those holding a report of a unit in reach."""
    from jixiao.rounds.models import Round

    found = reach(who)
    if found.everything:
        return Round.objects.all()
    condition = Q(reports__unit__in=found.unit_ids)
    if found.bureau_id is not None:
        condition |= Q(bureau_id=found.bureau_id)
    ids = Round.objects.filter(condition).values("pk")
    return Round.objects.filter(pk__in=ids)


def get_round_for_user(who: Any, pk: Any) -> Any:
    """A round the person sees."""
    try:
        return rounds_for(who).get(pk=_pk(pk))
    except rounds_for(who).model.DoesNotExist:
        raise Http404(NOT_FOUND) from None


def accounts_for(who: Any) -> QuerySet[Any]:
    """The accounts a person manages: a bureau administrator's bureau and the units in its
    reach; every account for superusers and the operator; none for anybody else."""
    from django.contrib.auth import get_user_model

    from jixiao.accounts.choices import Role

    users = get_user_model().objects.all()
    found = reach(who)
    if found.everything:
        return users
    if found.role != Role.ADMIN or found.bureau_id is None:
        return users.none()
    return users.filter(
        Q(membership__bureau_id=found.bureau_id) | Q(membership__unit_id__in=found.unit_ids)
    )


def get_account_for_user(who: Any, pk: Any) -> Any:
    """An account the person manages (404 for any other, existing or not)."""
    return get_for_user_in(accounts_for(who).select_related("membership"), pk)


def get_for_user_in(queryset: QuerySet[M], pk: Any) -> M:
    """One object of an already narrowed queryset by id, else Http404."""
    try:
        return queryset.get(pk=_pk(pk))
    except ObjectDoesNotExist:
        raise Http404(NOT_FOUND) from None


def changelog_for(who: Any) -> QuerySet[Any]:
    """The change-log rows a person may read (docs/permissions.md):

    superusers and the operator every row; a bureau's reviewers, administrators and auditors
    the rows of the units in reach and of their bureau; a unit's head (or auditor) the rows
    of their unit and the units under it; anybody else none.
    """
    from jixiao.accounts.choices import Role
    from jixiao.audit.models import ChangeLog

    rows = ChangeLog.objects.all()
    found = reach(who)
    if found.unit_ids is None:
        return rows
    if found.bureau_id is not None and found.role in (Role.REVIEWER, Role.ADMIN, Role.AUDITOR):
        return rows.filter(Q(unit_id__in=found.unit_ids) | Q(bureau_id=found.bureau_id))
    if found.unit_id is not None and found.role in (Role.HEAD, Role.AUDITOR):
        return rows.filter(unit_id__in=found.unit_ids)
    return rows.none()


def reads_log(who: Any) -> bool:
    """Whether the person may open the audit log at all (heads, bureau people, auditors)."""
    from jixiao.accounts.choices import Role

    found = reach(who)
    if found.everything:
        return True
    if found.bureau_id is not None:
        return found.role in (Role.REVIEWER, Role.ADMIN, Role.AUDITOR)
    return found.unit_id is not None and found.role in (Role.HEAD, Role.AUDITOR)


def manages_accounts(who: Any) -> bool:
    """Whether the person manages accounts at all: a bureau's administrator or a superuser."""
    from jixiao.accounts.choices import Role

    found = reach(who)
    return found.everything or (found.role == Role.ADMIN and found.bureau_id is not None)
