"""The bureau's publication page: what may be published, what is, and withdrawing it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from jixiao.access.lookups import (
    _pk,
    get_for_user,
    get_report_for_user,
    get_unit_for_user,
    scoped,
)
from jixiao.access.perms import DENIED, can
from jixiao.access.scope import reach
from jixiao.accounts.choices import Role
from jixiao.lib.actor import Actor
from jixiao.lib.params import year_or_none
from jixiao.publication import services
from jixiao.publication.choices import PublicationKind
from jixiao.publication.forms import WithdrawForm
from jixiao.publication.models import Publication
from jixiao.rounds.choices import ReportStatus, RoundKind
from jixiao.rounds.models import Report
from jixiao.targets.models import Project
from jixiao.units.models import Unit

CANDIDATES = 300  # rows of each candidate list; older years are further down the page


def _publishable(user: Any) -> Any:
    """A memo of can(user, "publish", unit) by unit id (one lookup per unit on the page)."""
    known: dict[int, bool] = {}

    def check(unit: Unit) -> bool:
        if unit.pk not in known:
            known[unit.pk] = can(user, "publish", unit)
        return known[unit.pk]

    return check


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Publications of the units in reach; for the bureau's reviewer, what can be published."""
    user = request.user
    check = _publishable(user)
    publications = list(
        scoped(Publication.objects.select_related("unit", "published_by"), user).order_by(
            "withdrawn_at", "-published_at"
        )[:500]
    )
    reports = [
        r
        for r in scoped(
            Report.objects.select_related("unit", "round").filter(
                status=ReportStatus.APPROVED, round__kind=RoundKind.SELF_EVALUATION
            ),
            user,
        ).order_by("-round__year", "unit__code")[:CANDIDATES]
        if check(r.unit)
    ]
    pairs = (
        scoped(Project.objects.all(), user)
        .values_list("unit_id", "year")
        .distinct()
        .order_by("-year", "unit_id")[:CANDIDATES]
    )
    units = Unit.objects.in_bulk({unit_id for unit_id, _year in pairs})
    live = {
        (p.unit_id, p.kind, p.year, p.report_id) for p in publications if p.withdrawn_at is None
    }
    targets = [
        {
            "unit": units[unit_id],
            "year": year,
            "live": (unit_id, PublicationKind.TARGETS, year, None) in live,
        }
        for unit_id, year in pairs
        if unit_id in units and check(units[unit_id])
    ]
    context = {
        "publications": publications,
        "reports": [
            {
                "report": r,
                "live": (r.unit_id, PublicationKind.SELF_EVALUATION, r.round.year, r.pk) in live,
            }
            for r in reports
        ],
        "targets": targets,
        "can_publish": bool(reports or targets),
        "publishable": {p.pk for p in publications if check(p.unit)},
        "withdraw_form": WithdrawForm(),
        "here": "publication",
    }
    return render(request, "publication/index.html", context)


@login_required
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    """Publish a unit's targets of a year, or an approved self-evaluation."""
    found = reach(request.user)
    if not (found.superuser or (found.role == Role.REVIEWER and found.bureau_id is not None)):
        raise PermissionDenied(DENIED["publish"])
    actor = Actor.from_request(request)
    kind = request.POST.get("kind", "")
    try:
        if kind == PublicationKind.TARGETS:
            unit = get_unit_for_user(request.user, request.POST.get("unit", ""))
            year = year_or_none(request.POST.get("year"))
            if year is None:
                return HttpResponse(_("年度不对。"), status=400)
            made = services.publish_targets(unit, year, actor=actor)
        elif kind == PublicationKind.SELF_EVALUATION:
            report = get_report_for_user(request.user, request.POST.get("report", ""))
            made = services.publish_self_evaluation(report, actor=actor)
        else:
            return HttpResponse(_("未知的公开类别。"), status=400)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("publication:index")
    messages.success(request, _("已发布：%(title)s") % {"title": made.title})
    return redirect("publication:index")


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a publication; its public page and PDF answer 404 from now on."""
    publication = get_for_user(Publication.objects.select_related("unit"), request.user, pk=_pk(pk))
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.withdraw_publication(publication, actor=Actor.from_request(request), reason=reason)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已撤回：%(title)s") % {"title": publication.title})
    return redirect("publication:index")
