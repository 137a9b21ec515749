"""The public form's per-address limit is counted where every server process sees it."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command
from django.db import connection

from jixiao.surveys import limits

pytestmark = pytest.mark.django_db
TABLE = "jixiao_shared_cache"


def _process_cache() -> DatabaseCache:
    """The shared cache as another server process builds it: its own backend object."""
    return DatabaseCache(TABLE, settings.CACHES["shared"])


def test_the_shared_cache_is_the_database_unless_settings_say_otherwise() -> None:
    assert settings.CACHES["shared"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert isinstance(limits.shared_cache(), DatabaseCache)


def test_two_processes_count_the_same_address_together(settings: Any) -> None:
    settings.SURVEY_ANSWERS_PER_HOUR = 3
    first, second = _process_cache(), _process_cache()
    assert first is not second
    assert [limits.count_post("10.0.0.7", first) for _n in range(2)] == [1, 2]
    assert limits.count_post("10.0.0.7", second) == 3  # sees the first process's two
    assert limits.over_limit("10.0.0.7", first)  # the fourth, wherever it lands
    assert first.get("surveys:posts:10.0.0.7") == second.get("surveys:posts:10.0.0.7") == 4
    # One row in the database holds it: that is what both processes read.
    key = first.make_key("surveys:posts:10.0.0.7")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE cache_key = %s", [key])
        assert cursor.fetchone()[0] == 1
    # Another address has its own count.
    assert limits.count_post("10.0.0.8", second) == 1


def test_process_local_caches_would_not_share_the_count() -> None:
    """Why the default cache is not used: two processes' memories count apart."""
    first = LocMemCache("process-1", {})
    second = LocMemCache("process-2", {})
    limits.count_post("10.0.0.9", first)
    limits.count_post("10.0.0.9", first)
    assert limits.count_post("10.0.0.9", second) == 1


def test_a_shared_default_cache_serves_when_there_is_no_shared_alias(settings: Any) -> None:
    db_default = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": TABLE}
    settings.CACHES = {"default": db_default}
    assert isinstance(limits.shared_cache(), DatabaseCache)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with pytest.raises(RuntimeError):
        limits.shared_cache()


def test_migrate_makes_the_cache_table_and_leaves_an_existing_one_alone() -> None:
    with connection.cursor() as cursor:
        assert TABLE in connection.introspection.table_names(cursor)
    limits.count_post("10.0.0.10")
    call_command("migrate", verbosity=0)  # runs the post_migrate hook again
    assert limits.count_post("10.0.0.10") == 2
