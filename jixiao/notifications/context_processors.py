"""The header's inbox link: the person's unread count, counted only when a page shows it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def inbox(request: HttpRequest) -> dict[str, Any]:
    """``inbox_unread``: one COUNT query, run when the template first reads it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from jixiao.notifications.services import unread_count

        return unread_count(user)

    return {"inbox_unread": SimpleLazyObject(count)}
