"""The surveys app."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "jixiao.surveys"
    label = "surveys"
    verbose_name = _("满意度调查")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from jixiao.surveys.limits import create_cache_tables

        # The shared cache's table (the form's per-address limit) comes with `jixiao migrate`.
        post_migrate.connect(create_cache_tables, sender=self, dispatch_uid="surveys-cache-table")
