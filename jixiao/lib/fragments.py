"""Parts of pages computed once per change of the data they show, then served from the cache.

A page's expensive part (the tables of a unit's targets, its actuals, its monitoring) depends
on one unit's data — and on shared things such as a bureau's settings. Every change writes a
change-log row and advances that unit's data version (``jixiao.audit.models.DataVersion``,
or ``global`` for shared things) in the same transaction, so a part cached under the
versions it was computed from is never stale: the next change gives it a new key. Parts are
cached per person (what they may do shows in them) and per day (pages that count to today).

The cache is Django's (one per process by default, see settings.CACHES); because keys carry
the versions, several processes or servers never disagree.
"""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from jixiao.audit.models import DataVersion

T = TypeVar("T")

# The versions read during one request (cleared when it starts and when it writes), so a page
# asking twice pays one query; outside a request nothing is remembered.
_seen: contextvars.ContextVar[dict[tuple[int, ...] | None, int] | None] = contextvars.ContextVar(
    "jixiao_versions", default=None
)


def start_request() -> contextvars.Token[Any]:
    """Remember versions for the request now starting (the request middleware calls this)."""
    return _seen.set({})


def end_request(token: contextvars.Token[Any]) -> None:
    _seen.reset(token)


def forget() -> None:
    """Forget the versions read so far in this request (after a write)."""
    seen = _seen.get()
    if seen is not None:
        seen.clear()


def version_for(unit_ids: Iterable[int] | None) -> int:
    """The latest change to these units' data or to shared data (None: to anything)."""
    key = None if unit_ids is None else tuple(sorted(set(unit_ids)))
    seen = _seen.get()
    if seen is not None and key in seen:
        return seen[key]
    rows = DataVersion.objects.all()
    if key is not None:
        rows = rows.filter(key__in=["global", *(f"unit:{pk}" for pk in key)])
    value = rows.aggregate(latest=Max("seq"))["latest"] or 0
    if seen is not None:
        seen[key] = value
    return value


def cached(
    name: str,
    *,
    units: Iterable[int] | None,
    user: Any,
    parts: Iterable[Any],
    compute: Callable[[], T],
    timeout: int = 24 * 3600,
) -> T:
    """``compute()``'s value for these parts, computed again only when the data changed.

    ``units`` are the units the value is computed from (None: any); ``parts`` everything else
    it depends on (the unit, the year, the date asked for, query parameters).
    """
    unit_ids = None if units is None else list(units)
    digest = hashlib.sha256(repr(tuple(parts)).encode()).hexdigest()[:32]
    key = ":".join(
        [
            "jixiao",
            name,
            str(getattr(user, "pk", None)),
            str(version_for(unit_ids)),
            timezone.localdate().isoformat(),
            digest,
        ]
    )
    boxed = cache.get(key)  # boxed, so that a computed None is remembered too
    if boxed is None:
        boxed = (compute(),)
        cache.set(key, boxed, timeout)
    return boxed[0]  # type: ignore[no-any-return]


# A cached part holds this in place of the CSRF token of any form in it; ``with_token`` puts
# the person's own in when it is served (a token belongs to a session, the part to a person).
CSRF_PLACEHOLDER = "__jixiao_csrf_token__"


def render(template: str, context: dict[str, Any], request: Any) -> str:
    """A part of a page as HTML, fit to be cached (its forms' CSRF tokens left blank)."""
    from django.template.loader import render_to_string

    return render_to_string(template, {**context, "csrf_token": CSRF_PLACEHOLDER}, request)


def with_token(html: str, request: Any) -> SafeString:
    """A cached part with the request's CSRF token in its forms."""
    from django.middleware.csrf import get_token

    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return mark_safe(html)
