"""Login lockout (等保 2.0: 登录失败处理) on top of django-axes.

After ``AXES_FAILURE_LIMIT`` failed logins in a row (5 by default) a username, and an address,
is locked for ``AXES_COOLOFF_TIME`` (30 minutes by default); each further failure during the
lockout starts the wait again. django-axes keeps the attempts (``AccessAttempt``); this module
reads them for the account pages and clears them for an unlock, and renders the Chinese page
shown instead of the login form while a lockout lasts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def failure_limit() -> int:
    """How many failed logins in a row lock a username or an address."""
    return int(settings.AXES_FAILURE_LIMIT)


def cool_off() -> dt.timedelta:
    """How long a lockout lasts after the last failure."""
    value = settings.AXES_COOLOFF_TIME
    return value if isinstance(value, dt.timedelta) else dt.timedelta(hours=float(value))


def cool_off_minutes() -> int:
    """The lockout's length in whole minutes, as the pages state it."""
    return int(cool_off().total_seconds() // 60)


def _recent() -> Any:
    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off())


def locked_usernames(usernames: Iterable[str]) -> set[str]:
    """Which of these usernames are locked now (one query)."""
    names = list(usernames)
    if not names or "username" not in _flat_parameters():
        return set()
    rows = (
        _recent()
        .filter(username__in=names)
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=failure_limit())
    )
    return {row["username"] for row in rows}


def failures_of(username: str) -> int:
    """Failed logins counted against a username now (0 once the cool-off has passed)."""
    total = _recent().filter(username=username).aggregate(n=Sum("failures_since_start"))["n"]
    return int(total or 0)


def locked_addresses() -> list[tuple[str, int]]:
    """The addresses locked now, with their failure counts (for the server's superuser)."""
    if "ip_address" not in _flat_parameters():
        return []
    rows = (
        _recent()
        .exclude(ip_address=None)
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=failure_limit())
        .order_by("ip_address")
    )
    return [(str(row["ip_address"]), int(row["failures"])) for row in rows]


def _flat_parameters() -> set[str]:
    found: set[str] = set()
    for item in settings.AXES_LOCKOUT_PARAMETERS:
        found.update([item] if isinstance(item, str) else item)
    return found


def clear_username(username: str) -> int:
    """Forget a username's failed logins (all addresses); the number of records removed."""
    count, _ = AccessAttempt.objects.filter(username=username).delete()
    return int(count)


def clear_address(ip_address: str) -> int:
    """Forget an address's failed logins (all usernames); the number of records removed."""
    count, _ = AccessAttempt.objects.filter(ip_address=ip_address).delete()
    return int(count)


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The page shown instead of the login form during a lockout (``AXES_LOCKOUT_CALLABLE``)."""
    context = {"limit": failure_limit(), "minutes": cool_off_minutes()}
    return render(request, "registration/locked_out.html", context, status=429)


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check before a password is tried, for logins through a web request.

    ``authenticate`` without a request (Django's test client ``login``, a script) has no
    address to lock and no form to answer; it is left to the next backend, unchecked.
    Every login form of the application passes its request.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)
        return None
