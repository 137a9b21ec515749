"""The demo, loaded once for the API tests and rolled back after them; tokens for personas."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from jixiao.api.tokens import create_token
from jixiao.lib.actor import Actor
from jixiao.system.demo.services import load_demo

UNIT, UNIT_B, YEAR = "224001", "224002", 2021


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo (unit 224001 and its year 2021), for the module; rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def api_client(demo: None, db: None) -> Callable[[str], Client]:
    """A client calling the API with a fresh token of the demo account ``username``."""

    def make(username: str) -> Client:
        user = get_user_model().objects.get(username=username)
        secret = create_token(f"测试 {username}", actor=Actor(user=user)).secret
        return Client(headers={"Authorization": f"Bearer {secret}"})

    return make
