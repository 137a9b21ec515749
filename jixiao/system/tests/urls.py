"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from jixiao.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


class Boom(RuntimeError):
    """The failure a broken view raises."""


def boom(request: HttpRequest) -> HttpResponse:
    raise Boom("预算表第 3 行缺少金额")


def denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("只有本单位的填报员或单位负责人可以修改本单位的数据。")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("bad")


def slow(request: HttpRequest) -> HttpResponse:
    import time

    time.sleep(float(request.GET.get("seconds", "30")))
    return HttpResponse("done")


urlpatterns = [
    *urlpatterns,
    path("test/boom/", boom),
    path("test/denied/", denied),
    path("test/suspicious/", suspicious),
    path("test/slow/", slow),
]
