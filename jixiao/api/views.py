"""The tokens pages: a person creates named API tokens (each shown once, with a lifetime)
and revokes them; an account manager sees the tokens of the accounts they manage (never the
secret) and revokes them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jixiao.access.lookups import get_for_user_in, manages_accounts
from jixiao.access.perms import DENIED
from jixiao.api import tokens
from jixiao.lib.actor import Actor
from jixiao.lib.params import int_or_none, require_id

TOKENS_PER_PAGE = 100
# The lifetimes offered on the page, as (value posted, label).
EXPIRY_OPTIONS = [
    (str(days) if days else "none", f"{days} 天" if days else "长期有效")
    for days in tokens.EXPIRY_DAYS
]


def _days(value: str) -> int | None:
    """The posted lifetime: a number of days, "none", or the default when left out."""
    if value == "none":
        return None
    if not value:
        return tokens.DEFAULT_EXPIRY_DAYS
    return int_or_none(value) or -1  # anything else is refused by the service


NEW_TOKEN = "api-new-token"  # session key: the token just made, shown once


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """One's own tokens; a POST with a name creates one and shows its secret this once."""
    secret = ""
    created = None
    error = ""
    name = ""
    days = str(tokens.DEFAULT_EXPIRY_DAYS)
    if request.method == "POST":
        name = request.POST.get("name", "")
        days = request.POST.get("days", "")[:8]
        try:
            new = tokens.create_token(name, actor=Actor.from_request(request), days=_days(days))
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            # Post, redirect, get: reloading the page must not make a second token. The secret
            # waits in the (server-side) session for the one page that shows it.
            request.session[NEW_TOKEN] = [new.token.pk, new.secret]
            return redirect("api_tokens:list")
    else:
        shown = request.session.pop(NEW_TOKEN, None)
        if shown:
            created = tokens.tokens_of(request.user).filter(pk=shown[0]).first()
            secret = shown[1] if created is not None else ""
    context = {
        "here": "tokens",
        "tokens": tokens.tokens_of(request.user).select_related("revoked_by"),
        "secret": secret,
        "created": created,
        "error": error,
        "name": name,
        "days": days,
        "expiry_options": EXPIRY_OPTIONS,
        "docs_url": reverse("api:openapi-view"),
        "manages": manages_accounts(request.user),
    }
    response = render(request, "api/tokens.html", context, status=400 if error else 200)
    if secret:
        response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of one's own tokens (another person's is 404, as if it did not exist)."""
    token = tokens.tokens_of(request.user).filter(pk=require_id(str(pk))).first()
    if token is None:
        raise Http404(_("找不到该令牌。"))
    try:
        tokens.revoke_token(token, actor=Actor.from_request(request))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已撤销令牌“%(name)s”。") % {"name": token.name})
    return redirect("api_tokens:list")


def _require_manager(request: HttpRequest) -> None:
    if not manages_accounts(request.user):
        raise PermissionDenied(DENIED["manage_accounts"])


@login_required
@require_http_methods(["GET", "HEAD"])
def managed_list(request: HttpRequest) -> HttpResponse:
    """The tokens of the accounts one manages (an administrator's bureau and its units):
    whose, named what, made, expiring and last used when; never the secret."""
    _require_manager(request)
    found = tokens.tokens_managed_by(request.user)
    text = request.GET.get("q", "").strip()[:60]
    if text:
        found = found.filter(
            Q(user__username__icontains=text)
            | Q(user__first_name__icontains=text)
            | Q(name__icontains=text)
        )
    if not request.GET.get("all"):
        found = found.filter(revoked_at__isnull=True)
    page = Paginator(found.order_by("-created_at", "-id"), TOKENS_PER_PAGE).get_page(
        int_or_none(request.GET.get("page"))
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "here": "tokens",
        "page": page,
        "q": text,
        "all": bool(request.GET.get("all")),
        "query": query.urlencode(),
    }
    return render(request, "api/managed_tokens.html", context)


@login_required
@require_POST
def managed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke a token of an account one manages (audited); outside one's accounts is 404."""
    _require_manager(request)
    token = get_for_user_in(tokens.tokens_managed_by(request.user), require_id(str(pk)))
    try:
        tokens.revoke_token(token, actor=Actor.from_request(request))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request,
            _("已撤销 %(user)s 的令牌“%(name)s”。")
            % {"user": token.user.username, "name": token.name},
        )
    return redirect("api_tokens:managed")
