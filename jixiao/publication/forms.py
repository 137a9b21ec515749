"""The withdraw form (a reason is recorded in the change log)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class WithdrawForm(forms.Form):
    """Why a publication is withdrawn."""

    reason = forms.CharField(label=_("撤回原因"), max_length=500, required=False)
