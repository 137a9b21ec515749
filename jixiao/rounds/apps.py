"""Monitoring rounds and self-evaluations: the review loop and its frozen submissions."""

from __future__ import annotations

from django.apps import AppConfig


class RoundsConfig(AppConfig):
    """The rounds application."""

    name = "jixiao.rounds"
    verbose_name = "绩效监控与自评"
    default_auto_field = "django.db.models.BigAutoField"
