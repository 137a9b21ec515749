"""``{% account_nav as nav %}``: who the person is and which links the top bar shows them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from jixiao.access.lookups import manages_accounts, reads_log
from jixiao.access.scope import reach
from jixiao.accounts.choices import Role

register = template.Library()


@dataclass(frozen=True)
class Nav:
    """The person's organisation and role, and what the navigation offers them."""

    organisation: str
    role: str
    manages: bool  # 账号管理, 单位
    settings: bool  # 规则设置 (bureau people read it; its administrator changes it)
    reads_log: bool  # 审计日志
    edits: bool  # 导入文档: keeps some unit's data


NOBODY = Nav("", "", False, False, False, False)


def nav_for(user: Any) -> Nav:
    """The navigation of a logged-in person (from their reach: no query of its own)."""
    if user is None or not user.is_authenticated:
        return NOBODY
    found = reach(user)
    if found.role:
        organisation, role = found.organisation, str(Role(found.role).label)
    else:
        organisation, role = "", "系统管理员" if found.superuser else ""
    return Nav(
        organisation=organisation,
        role=role,
        manages=manages_accounts(user),
        settings=found.superuser or found.bureau_id is not None,
        reads_log=reads_log(user),
        edits=found.superuser or found.role in (Role.OFFICER, Role.HEAD),
    )


@register.simple_tag(takes_context=True)
def account_nav(context: template.Context) -> Nav:
    """The navigation for the request's person, computed once per request."""
    request = context.get("request")
    if request is None:
        return nav_for(context.get("user"))
    cached = getattr(request, "_jixiao_nav", None)
    if cached is None:
        cached = nav_for(getattr(request, "user", None))
        request._jixiao_nav = cached
    return cached
