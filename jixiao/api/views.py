"""The tokens page: a person creates named API tokens (each shown once) and revokes them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jixiao.api import tokens
from jixiao.lib.actor import Actor
from jixiao.lib.params import require_id


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """One's own tokens; a POST with a name creates one and shows its secret this once."""
    secret = ""
    created = None
    error = ""
    name = ""
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            new = tokens.create_token(name, actor=Actor.from_request(request))
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            secret, created, name = new.secret, new.token, ""
    context = {
        "here": "tokens",
        "tokens": tokens.tokens_of(request.user).select_related("revoked_by"),
        "secret": secret,
        "created": created,
        "error": error,
        "name": name,
        "docs_url": reverse("api:openapi-view"),
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
