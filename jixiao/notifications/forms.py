"""The inbox page's one form: how the person wants notifications by e-mail."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jixiao.notifications.choices import EmailMode


class PreferenceForm(forms.Form):
    """邮件提醒: immediately, a daily digest, or none."""

    email_mode = forms.ChoiceField(
        label=_("邮件提醒"), choices=EmailMode.choices, widget=forms.RadioSelect
    )
