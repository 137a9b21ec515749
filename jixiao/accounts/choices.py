"""Choices of accounts: the roles a person holds in an organisation."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person may do, within their organisation's scope (docs/permissions.md)."""

    OFFICER = "officer", _("填报员")
    HEAD = "head", _("单位负责人")
    REVIEWER = "reviewer", _("财政审核员")
    ADMIN = "admin", _("财政管理员")
    AUDITOR = "auditor", _("审计")


# Roles held in a budget unit, and roles held in a finance bureau; an auditor may be in either.
UNIT_ROLES = frozenset({Role.OFFICER, Role.HEAD, Role.AUDITOR})
BUREAU_ROLES = frozenset({Role.REVIEWER, Role.ADMIN, Role.AUDITOR})
