"""The public, read-only pages: the index of publications by bureau, a publication, its PDF.

No login. Only live publications are found, and only by their random token: a withdrawn one,
a made-up token and an id all answer 404. Every page reads the frozen snapshot alone.
"""

from __future__ import annotations

from itertools import groupby

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from jixiao.publication import services
from jixiao.publication.models import Publication
from jixiao.publication.rendering import html_blocks

TOKEN_MAX = 40


def _live(token: str) -> Publication:
    if not token or len(token) > TOKEN_MAX:
        raise Http404(_("没有这项公开信息。"))
    found = (
        Publication.objects.select_related("unit", "bureau")
        .filter(token=token, withdrawn_at=None)
        .first()
    )
    if found is None:
        raise Http404(_("没有这项公开信息。"))
    return found


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Every live publication, grouped by the bureau that published it."""
    live = (
        Publication.objects.filter(withdrawn_at=None)
        .select_related("unit", "bureau")
        .defer("snapshot", "pdf")
        .order_by("bureau__name", "bureau_id", "-year", "unit__code", "kind")
    )
    bureaus = [
        {"bureau": bureau, "publications": list(items)}
        for bureau, items in groupby(live, key=lambda p: p.bureau)
    ]
    return render(request, "publication/public_index.html", {"bureaus": bureaus})


@require_safe
def page(request: HttpRequest, token: str) -> HttpResponse:
    """A publication's tables as published, with its PDF."""
    publication = _live(token)
    blocks = html_blocks(services.layout_of(publication))
    context = {"publication": publication, "blocks": blocks}
    return render(request, "publication/public_page.html", context)


@require_safe
def pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The publication's PDF, drawn by the same exporter the unit downloads with."""
    publication = _live(token)
    response = HttpResponse(services.pdf_of(publication), content_type="application/pdf")
    name = f"{publication.title}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, name) or "inline"
    return response
