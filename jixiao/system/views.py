"""The error pages (400, 403, 404, 500 and a refused form), in Chinese and in the site's layout.

Django's own handlers render 400 and 500 without the request, so the layout could not show who
is logged in and the 500 page could not show the request id. These render with it; if that
fails too (the database is down, say), a plain page still gives the request id.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.html import escape
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

PLAIN_500 = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
    "<title>服务器错误 - 绩效管理系统</title></head><body><h1>服务器内部错误</h1>"
    "<p>处理请求时出错，错误已记入日志。请稍后再试；如需联系管理员，请告知请求编号：{id}</p>"
    "</body></html>"
)


def _request_id(request: HttpRequest) -> str:
    return getattr(request, "request_id", "") or ""


def _render(
    request: HttpRequest, template: str, status: int, context: dict[str, Any] | None = None
) -> HttpResponse:
    body = loader.get_template(template).render(
        {"request_id": _request_id(request), **(context or {})}, request
    )
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400: a malformed request."""
    return _render(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: the person may not do this; the permission seam's Chinese reason is shown."""
    reason = str(exception or "")
    return _render(request, "403.html", 403, {"reason": reason})


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: no such page, or an object outside the person's reach (the same answer)."""
    return _render(request, "404.html", 404, {"request_path": request.path})


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """500: the error is already logged (django.request) with the request id, which we show."""
    from jixiao.system.server import RequestTimeout

    # Django calls this while handling the exception, so it is still at hand.
    timed_out = isinstance(sys.exc_info()[1], RequestTimeout)
    try:
        return _render(
            request, "500.html", 500, {"timed_out": timed_out, "limit": settings.REQUEST_TIMEOUT}
        )
    except Exception:
        # The layout itself failed (a broken database, a template error): say it plainly.
        logger.exception("rendering the 500 page failed")
        return HttpResponse(PLAIN_500.format(id=escape(_request_id(request))), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a form refused by the CSRF check (usually a page left open too long)."""
    logger.warning("CSRF check failed: %s (%s)", reason, request.path)
    return _render(request, "403_csrf.html", 403)
