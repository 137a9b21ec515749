"""The units app: budget units (预算单位) and their tree."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    """Budget units."""

    name = "jixiao.units"
    verbose_name = _("预算单位")

    def ready(self) -> None:
        # Every deployment installs this app, so the project-wide checks register here.
        from jixiao import checks  # noqa: F401
