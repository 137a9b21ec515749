from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "jixiao.accounts"
    label = "accounts"
    verbose_name = _("账号与角色")

    def ready(self) -> None:
        # Logins, logouts, failures and lockouts go to the change log.
        from jixiao.accounts import events  # noqa: F401
