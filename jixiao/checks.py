"""System checks that refuse unsafe production settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.utils.translation import gettext as _

INSECURE_PREFIX = "django-insecure-"


@register(Tags.security)
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Refuse the development secret key once DEBUG is off."""
    if settings.DEBUG or not settings.SECRET_KEY.startswith(INSECURE_PREFIX):
        return []
    return [
        Error(
            _("关闭调试模式（JIXIAO_DEBUG=false）时不能使用开发用的密钥。"),
            hint=_("请在环境变量 JIXIAO_SECRET_KEY 中设置一个足够长的随机字符串。"),
            id="jixiao.E001",
        )
    ]
