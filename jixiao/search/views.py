"""The search page: a thin adapter over :func:`jixiao.search.query.search`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from jixiao.search.query import PER_KIND, clean_query, search


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Projects, indicators, ledger records and reports matching ``q``, in the person's reach."""
    text = clean_query(request.GET.get("q"))
    sections = search(request.user, text)
    context = {
        "here": "search",
        "search_query": text,
        "sections": sections,
        "found": sum(s.total for s in sections),
        "per_kind": PER_KIND,
    }
    return render(request, "search/index.html", context)
