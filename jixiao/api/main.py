"""The API (django-ninja) at /api/: who calls, and how errors answer.

A call is made with a token (``Authorization: Bearer jx_…``, made on the tokens page) or,
from the browser, with the session (writes then need the CSRF token, as forms do). Either
way the request acts as that person with the pages' permissions: objects are reached
through ``jixiao.access.lookups`` and every write is a service that checks ``perms.require``
and writes its change-log row, here with ``via="api"``.

Errors are JSON ``{"detail": "…", "errors": […]}`` with a Chinese sentence: 400 for input
that cannot stand, 401 without a valid token or session, 403 when the role may not, 404
outside the person's reach (the same as a missing object), 409 for a stale version or an
import that needs a choice first.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from ninja import NinjaAPI, renderers
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from ninja.security.base import AuthBase

from jixiao.access.lookups import NOT_FOUND
from jixiao.access.scope import reach
from jixiao.api import tokens
from jixiao.api.schemas import ErrorOut, MeOut
from jixiao.audit.versions import StaleEdit
from jixiao.core.scoring import ScoringError
from jixiao.lib.actor import API, Actor, client_ip

logger = logging.getLogger(__name__)

UNAUTHORIZED = _("未登录，或接口令牌无效、已撤销。请在“接口令牌”页面创建令牌，")
UNAUTHORIZED += _("并以 Authorization: Bearer <令牌> 发送。")


class TokenAuth(HttpBearer):
    """``Authorization: Bearer jx_…``: the request acts as the token's account.

    An address that presents too many unknown tokens is refused for a while (429), so that
    nobody tries tokens by the thousand; the count is kept in the cache.
    """

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        address = client_ip(request)
        if tokens.bad_tries(address) >= tokens.bad_token_limit():
            logger.warning("API token refused: too many bad tokens from %s", address)
            raise HttpError(
                429, _("无效令牌次数过多，请 %(m)s 分钟后再试。") % {"m": tokens.COOLOFF_MINUTES}
            )
        try:
            user = tokens.authenticate(token.strip())
        except tokens.TokenExpired as exc:
            logger.info("API call with an expired token (%s) from %s", exc.token.prefix, address)
            raise HttpError(401, str(exc)) from None
        if user is None:
            tokens.count_bad_try(address)
            logger.warning("API call with an unknown or revoked token from %s", address)
            return None
        request.user = user
        request.api_token = True  # type: ignore[attr-defined]
        return user


class JSONRenderer(renderers.JSONRenderer):
    """JSON in UTF-8 (Chinese readable), with ``<``, ``>`` and ``&`` written as escapes: the
    same strings to any JSON reader, and no markup should a body ever be read as HTML."""

    json_dumps_params = {"ensure_ascii": False}

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        text = super().render(request, data, response_status=response_status)
        return text.translate(_JSON_ESCAPES)


_JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _no_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse()  # never called: CsrfViewMiddleware only needs a view to check


class SessionAuth(AuthBase):
    """The browser's session; a write must carry the CSRF token (the Swagger page sends it).

    Unlike ninja's own, a request without a session is simply not this kind (401 follows),
    rather than a CSRF refusal.
    """

    openapi_type = "apiKey"

    def __init__(self) -> None:
        from django.conf import settings

        self.openapi_name = settings.SESSION_COOKIE_NAME
        self.openapi_in = "cookie"
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        checker = CsrfViewMiddleware(_no_view)
        request.csrf_processing_done = False  # type: ignore[attr-defined]
        checker.process_request(request)
        if checker.process_view(request, _no_view, (), {}) is not None:
            raise HttpError(403, _("CSRF 校验失败：请刷新页面后重试，或改用接口令牌。"))
        return user


NO_SUCH_PATH = _("没有这个接口：%(path)s。接口列表见 /api/docs。")
NO_SUCH_METHOD = _("接口 %(path)s 不接受 %(method)s 请求，可用：%(allowed)s。")


class JixiaoAPI(NinjaAPI):
    """ninja's API, whose every answer under /api/ is JSON: a path no endpoint has answers
    404 (never the site's HTML page), a method the path does not take 405, both with a
    Chinese ``detail``."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        found = super()._get_urls()
        # ninja's root view raises a bare 404 (the site's HTML page): ours replaces it.
        urls: list[URLResolver | URLPattern] = [
            _json_methods(entry) for entry in found if getattr(entry, "name", "") != "api-root"
        ]
        urls.append(path("", _no_such_path, name="api-root"))
        urls.append(re_path(r"^(?P<rest>.+)$", _no_such_path, name="not-found"))
        return urls


def _json_methods(entry: Any) -> Any:
    """The pattern with its view's bare 405 (ninja's, ``require_safe``'s) answered as JSON."""
    if not isinstance(entry, URLPattern):
        return entry
    view = entry.callback

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            detail = NO_SUCH_METHOD % {
                "path": request.path,
                "method": request.method,
                "allowed": allowed or "—",
            }
            answer = _answer(request, 405, detail)
            answer["Allow"] = allowed
            return answer
        return response  # type: ignore[no-any-return]

    for flag in ("csrf_exempt",):
        if getattr(view, flag, False):
            setattr(wrapped, flag, True)
    entry.callback = wrapped
    return entry


@csrf_exempt
def _no_such_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any path under /api/ that no endpoint has, whatever the method."""
    return _answer(request, 404, NO_SUCH_PATH % {"path": request.path})


api = JixiaoAPI(
    title="绩效管理系统接口",
    version="1",
    description=(
        "Units, projects and indicators, ledger records (list, create, update, workflow, "
        "bulk import all or nothing), actuals, monitoring and self-evaluation — with the "
        "permissions of the pages. See docs/api.md."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    # The schema and its page are public (they describe the API, not data) and read-only.
    docs_decorator=require_safe,
    renderer=JSONRenderer(),
)


def actor(request: HttpRequest) -> Actor:
    """The person a call acts as, recorded in the change log as coming through the API."""
    return Actor.from_request(request, via=API)


def _answer(request: HttpRequest, status: int, detail: str, errors: Any = None) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail, "errors": errors or []}
    return api.create_response(request, body, status=status)


_PYDANTIC_MESSAGES = {
    "missing": "缺少此项",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "string_type": "应为文本",
    "dict_type": "应为对象（键值对）",
    "list_type": "应为列表",
    "bool_parsing": "应为 true 或 false",
    "date_from_datetime_parsing": "应为日期，如 2021-06-30",
    "date_parsing": "应为日期，如 2021-06-30",
    "literal_error": "取值不在允许的范围内",
    "json_invalid": "不是有效的 JSON",
    "extra_forbidden": "不认识此项",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "string_too_long": "文字太长",
}


@api.exception_handler(NinjaValidationError)
def _invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        place = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "payload"))
        message = _PYDANTIC_MESSAGES.get(str(error.get("type")), "格式不正确")
        errors.append({"field": place, "message": message})
    lines = "；".join(f"{e['field']}：{e['message']}" for e in errors[:10])
    return _answer(request, 400, _("请求内容不正确：") + lines, errors)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _answer(request, 401, UNAUTHORIZED)
    response["WWW-Authenticate"] = 'Bearer realm="jixiao"'
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _answer(request, 404, str(exc) or NOT_FOUND)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _answer(request, 403, str(exc) or _("您无权进行此操作。"))


@api.exception_handler(StaleEdit)
def _stale(request: HttpRequest, exc: StaleEdit) -> HttpResponse:
    response = _answer(request, 409, "\n".join(exc.messages))
    response["X-Current-Version"] = str(exc.current_version)
    return response


def refusal(exc: DjangoValidationError) -> tuple[str, list[dict[str, Any]]]:
    """A service's refusal as one sentence and its messages by field."""
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
        return "；".join(e["message"] for e in errors), errors
    return "；".join(exc.messages), []


@api.exception_handler(DjangoValidationError)
def _refused(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if isinstance(exc, StaleEdit):
        return _stale(request, exc)
    detail, errors = refusal(exc)
    return _answer(request, 400, detail, errors)


@api.exception_handler(ScoringError)
def _not_scorable(request: HttpRequest, exc: ScoringError) -> HttpResponse:
    return _answer(request, 409, _("无法评分：%(e)s") % {"e": exc})


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    response = _answer(request, exc.status_code, str(exc))
    if exc.status_code == 401:
        response["WWW-Authenticate"] = 'Bearer realm="jixiao", error="invalid_token"'
    return response


@api.get(
    "/me", response={200: MeOut, 401: ErrorOut}, url_name="me", summary="当前账号", tags=["账号"]
)
def me(request: HttpRequest) -> dict[str, Any]:
    """Who the call acts as: the account, its organisation and role."""
    user: Any = request.user
    found = reach(user)
    return {
        "username": user.username,
        "name": user.get_full_name(),
        "organisation": found.organisation,
        "role": found.role,
        "via": "token" if getattr(request, "api_token", False) else "session",
    }


def _mount() -> None:
    from jixiao.api.routers import ledgers, units

    api.add_router("/", units.router)
    api.add_router("/", ledgers.router)


_mount()
