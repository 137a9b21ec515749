"""The password policy: 10 characters, 3 of 4 kinds, not like the names, not common, not digits."""

from __future__ import annotations

import pytest
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from jixiao.accounts.passwords import CharacterKindsValidator, kinds_of, policy_lines


def _refusals(password: str, user: User | None = None) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


@pytest.mark.parametrize("password", ["jixiao-demo-2021", "Jx-persona-2026!", "Abcdefgh12"])
def test_the_demo_and_test_passwords_pass_the_policy(password):
    assert _refusals(password) == []


def test_a_short_password_is_refused_in_chinese():
    assert _refusals("Ab1-xyz") == ["密码太短，至少须有 10 个字符。"]


def test_a_password_of_two_kinds_is_refused_in_chinese():
    [message] = _refusals("abcdefgh1234")

    assert (
        message == "密码须包含大写字母、小写字母、数字、符号四类中的至少 3 类，这个密码只有 2 类。"
    )


def test_a_numeric_password_is_refused_for_being_numeric_and_simple():
    messages = _refusals("8472910365")

    assert any("数字" in m for m in messages)
    assert any("至少 3 类" in m for m in messages)


def test_a_common_password_is_refused():
    assert any("常见" in m for m in _refusals("Password12"))


def test_a_password_like_the_username_is_refused(db):
    user = User(username="zhangsan2026", first_name="张三")

    assert any("相似" in m for m in _refusals("Zhangsan2026", user))


def test_kinds_are_upper_lower_digits_and_symbols():
    assert kinds_of("aB3-") == {"upper", "lower", "digit", "symbol"}
    assert kinds_of("密码abc") == {"lower", "symbol"}  # a Chinese character counts as a symbol
    assert kinds_of("") == set()


def test_the_kinds_validator_takes_its_minimum():
    CharacterKindsValidator(min_kinds=2).validate("abcdefgh12")
    with pytest.raises(ValidationError):
        CharacterKindsValidator(min_kinds=4).validate("abcDEF123")


def test_the_policy_is_stated_in_chinese():
    lines = policy_lines()

    assert "你的密码必须包含至少 10 个字符。" in lines
    assert "你的密码须包含大写字母、小写字母、数字、符号四类中的至少 3 类。" in lines
    assert len(lines) == 5
