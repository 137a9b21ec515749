"""The targets app: department-wide goals, projects, indicators and their revisions."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    """The target register (绩效目标)."""

    name = "jixiao.targets"
    verbose_name = _("绩效目标")
