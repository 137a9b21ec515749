"""A person whose password must be changed (a new account, a reset) changes it first.

The flag is put in the session at login (``jixiao.accounts.events``) and taken out when the
password is changed; until then every page but the password page, logout and static files
sends the person to the password page.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from jixiao.accounts.events import MUST_CHANGE_PASSWORD


class PasswordChangeRequiredMiddleware:
    """Send a person who must change their password to the password page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.get(MUST_CHANGE_PASSWORD)
            and request.user.is_authenticated
            and not self._exempt(request)
        ):
            return self._to_password_page(request)
        return self.get_response(request)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        path = request.path
        static = str(settings.STATIC_URL or "/static/")
        return path.startswith(static) or path in {
            reverse("accounts:password"),
            reverse("logout"),
            reverse("login"),
        }

    @staticmethod
    def _to_password_page(request: HttpRequest) -> HttpResponse:
        url = reverse("accounts:password")
        if request.method == "GET" and not request.headers.get("HX-Request"):
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            # htmx would swap the password page into a fragment; have it load the page instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)


# How often an active session's expiry is pushed back: writing the session row on every
# request cost an UPDATE per page; once a minute keeps the idle timeout to the minute.
RENEW_SECONDS = 60
RENEWED_AT = "_jixiao_renewed_at"


class SessionRenewalMiddleware:
    """The idle timeout: a session's expiry moves on with the person's requests.

    A session saved now lasts ``SESSION_COOKIE_AGE`` (the idle minutes) from now; this renews it
    when the last renewal is a minute old, so a session idle for longer than the setting ends
    and an active one never does.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            try:
                last = float(session.get(RENEWED_AT, 0))
            except (TypeError, ValueError):
                last = 0.0
            if now - last >= RENEW_SECONDS:
                session[RENEWED_AT] = now
        return response
