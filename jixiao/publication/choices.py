"""What a publication publishes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicationKind(models.TextChoices):
    """A unit's target tables of a year, or its approved self-evaluation."""

    TARGETS = "targets", _("绩效目标")
    SELF_EVALUATION = "self_evaluation", _("绩效自评")
