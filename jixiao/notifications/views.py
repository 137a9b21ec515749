"""The inbox: a person's notifications, each a link to where the work is done; mark read;
the e-mail setting. Only one's own notifications are reachable (anyone else's is 404)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from jixiao.access.lookups import NOT_FOUND, _pk
from jixiao.notifications import services
from jixiao.notifications.choices import EmailMode
from jixiao.notifications.forms import PreferenceForm
from jixiao.notifications.models import Notification

PAGE_SIZE = 30


def _own(request: HttpRequest, pk: int) -> Notification:
    found = Notification.objects.filter(pk=_pk(pk), user_id=request.user.pk or 0).first()
    if found is None:
        raise Http404(NOT_FOUND)
    return found


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1


@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    """收件箱: newest first, unread ones marked, with the e-mail setting."""
    rows = Notification.objects.filter(user_id=request.user.pk or 0).select_related("unit")
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, PAGE_SIZE).get_page(_page_number(request))
    context = {
        "page": page,
        "only_unread": only_unread,
        "form": PreferenceForm(initial={"email_mode": services.email_mode(request.user)}),
        "email_on": settings.NOTIFY_EMAIL,
        "has_email": bool(getattr(request.user, "email", "")),
        "here": "inbox",
    }
    return render(request, "notifications/inbox.html", context)


def _safe(link: str, request: HttpRequest) -> str:
    if link and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return link
    return ""


@login_required
@require_safe
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notification: it is read, and the person goes where the work is done."""
    found = _own(request, pk)
    services.mark_read(found, user=request.user)
    return redirect(_safe(found.link, request) or "notifications:inbox")


@login_required
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read, staying on the inbox."""
    services.mark_read(_own(request, pk), user=request.user)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    """Mark every notification read."""
    count = services.mark_all_read(user=request.user)
    messages.success(request, _("已将 %(n)s 条消息标为已读。") % {"n": count})
    return redirect("notifications:inbox")


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    """Keep the e-mail setting."""
    form = PreferenceForm(request.POST)
    if form.is_valid():
        services.set_email_mode(form.cleaned_data["email_mode"], user=request.user)
        label = EmailMode(form.cleaned_data["email_mode"]).label
        messages.success(request, _("邮件提醒已设为：%(mode)s") % {"mode": label})
    else:
        messages.error(request, _("请选择一种邮件提醒方式。"))
    return redirect("notifications:inbox")
