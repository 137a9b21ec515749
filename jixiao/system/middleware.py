"""Request ids: every request gets one, its log lines carry it, its response names it."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# "GET /path" of the request being served, for a log line written outside it (a timeout).
_request_line: contextvars.ContextVar[str] = contextvars.ContextVar("request_line", default="")
# A proxy's id is kept when it looks like one (letters, digits, dashes), else we make our own.
_SAFE_ID = re.compile(r"^[A-Za-z0-9-]{8,32}$")


def current_request_id() -> str:
    """The id of the request being served in this thread, '-' outside one."""
    return _request_id.get()


def current_request_line() -> str:
    """The method and path of the request being served in this thread, '' outside one."""
    return _request_line.get()


class RequestIdMiddleware:
    """Gives each request an id (``request.request_id``, the ``X-Request-ID`` header)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Imported here: logging configures this module's filter before the apps are loaded.
        from jixiao.lib import fragments

        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _request_id.set(request_id)
        line_token = _request_line.set(f"{request.method} {request.get_full_path()}"[:500])
        versions = fragments.start_request()  # data versions are read once per request
        try:
            response = self.get_response(request)
        finally:
            fragments.end_request(versions)
            _request_line.reset(line_token)
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RefuseNulMiddleware:
    """A NUL character in a query string or a form is refused with the 400 page.

    No text a person types holds one, and PostgreSQL refuses it in any text it compares, so
    letting it through would turn a crafted link into a 500 wherever a parameter meets a query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for values in (request.GET, request.POST if request.method == "POST" else None):
            if values is None:
                continue
            for key, items in values.lists():
                if "\x00" in key or any("\x00" in item for item in items):
                    raise BadRequest("query or form holds a NUL character")
        return self.get_response(request)


class HeadMiddleware:
    """Answers HEAD with the headers GET would have, and no body.

    Django renders HEAD as GET; gunicorn then drops the body and logs a warning for every such
    request (a monitoring probe's, say). Content-Length keeps GET's length, as HEAD requires.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method == "HEAD" and not response.streaming:
            response.content = b""
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every log record (the logging format prints it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True
