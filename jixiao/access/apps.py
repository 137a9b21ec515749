from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "jixiao.access"
    label = "access"
    verbose_name = _("权限")

    def ready(self) -> None:
        # Registers the permissions with rules and the scope cache's invalidation signals.
        from jixiao.access import perms, scope  # noqa: F401
