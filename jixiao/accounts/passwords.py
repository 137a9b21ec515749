"""The password policy (等保 2.0: 口令复杂度): length, kinds of characters, and Django's checks.

``settings.AUTH_PASSWORD_VALIDATORS`` lists the rules; :func:`policy_lines` gives their Chinese
descriptions for the pages where a password is chosen.
"""

from __future__ import annotations

import string
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The four kinds of characters a password may mix.
KINDS = (
    ("upper", lambda c: c.isascii() and c.isupper()),
    ("lower", lambda c: c.isascii() and c.islower()),
    ("digit", lambda c: c.isascii() and c.isdigit()),
    ("symbol", lambda c: c in string.punctuation or c == " " or not c.isascii()),
)


def kinds_of(password: str) -> set[str]:
    """Which of upper case, lower case, digits and symbols the password holds."""
    return {name for name, test in KINDS if any(test(c) for c in password)}


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule, with its refusal in Chinese (Django 5.2's catalogue lacks it)."""

    def get_error_message(self) -> str:
        return _("密码太短，至少须有 %(n)s 个字符。") % {"n": self.min_length}


class CharacterKindsValidator:
    """At least ``min_kinds`` of the four kinds: upper case, lower case, digits, symbols."""

    def __init__(self, min_kinds: int = 3) -> None:
        self.min_kinds = min_kinds

    def validate(self, password: str, user: Any = None) -> None:
        """Refuse a password with too few kinds of characters (a Chinese message)."""
        found = len(kinds_of(password))
        if found < self.min_kinds:
            raise ValidationError(
                _(
                    "密码须包含大写字母、小写字母、数字、符号四类中的至少 %(n)s 类，"
                    "这个密码只有 %(found)s 类。"
                )
                % {"n": self.min_kinds, "found": found},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        """The rule as the pages state it."""
        return _("你的密码须包含大写字母、小写字母、数字、符号四类中的至少 %(n)s 类。") % {
            "n": self.min_kinds
        }


def policy_lines() -> list[str]:
    """Each password rule in Chinese, in the order of the settings."""
    return [str(text) for text in password_validation.password_validators_help_texts()]
