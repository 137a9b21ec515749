"""The public form's per-address limit, counted in a cache every server process shares.

The site's default cache is each process's own memory (fast, and right for the pages'
fragments, which are keyed by data versions). A limit counted there would let N processes
take N times the answers, so the count lives in the cache alias ``shared``: the database
cache (Django's ``DatabaseCache``, table ``jixiao_shared_cache``) unless the settings point
that alias elsewhere. When settings declare no ``shared`` alias but the default cache is
itself shared (Redis, Memcached, the database), the default is used.

The table is made by ``jixiao migrate`` (a ``post_migrate`` hook running Django's
``createcachetable``, which leaves an existing table alone), so no migration and no extra
step in ``./run`` or the deployment are needed; tests get it from Django's test database
set-up, which runs ``createcachetable`` too.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches

SHARED = "shared"
HOUR = 3600
# Backends that live in one process's memory (or keep nothing): never shared.
PROCESS_LOCAL = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def shared_cache() -> BaseCache:
    """The cache all server processes see (docs/surveys.md)."""
    if SHARED in settings.CACHES:
        return caches[SHARED]
    if settings.CACHES["default"]["BACKEND"] not in PROCESS_LOCAL:
        return caches["default"]
    raise RuntimeError(
        "settings.CACHES needs a 'shared' alias (the database cache) for the survey form's limit"
    )


def answers_per_hour() -> int:
    """How many answers the public form takes from one address per hour (the setting)."""
    return int(getattr(settings, "SURVEY_ANSWERS_PER_HOUR", 30))


def count_post(address: str, cache: BaseCache | None = None) -> int:
    """Count one post from the address in the current hour's window; the count so far.

    The window starts with the address's first post and lasts an hour. On the database
    cache an increment is a read then a write, so two posts from one address in the same
    instant may count once: the limit is a brake on floods, not an exact quota.
    """
    store = cache if cache is not None else shared_cache()
    key = f"surveys:posts:{address}"
    if store.add(key, 1, timeout=HOUR):
        return 1
    try:
        return int(store.incr(key))
    except ValueError:  # the window ended between add and incr
        store.set(key, 1, timeout=HOUR)
        return 1


def over_limit(address: str, cache: BaseCache | None = None) -> bool:
    """Count a post from the address; whether it goes beyond the hourly limit."""
    return count_post(address, cache) > answers_per_hour()


def create_cache_tables(using: str = "default", **kwargs: Any) -> None:
    """Make the database cache's table if it is missing (after ``migrate``)."""
    uses_db = any(
        alias["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
        for alias in settings.CACHES.values()
    )
    if uses_db:
        from django.core.management import call_command

        call_command("createcachetable", database=using, verbosity=0)
