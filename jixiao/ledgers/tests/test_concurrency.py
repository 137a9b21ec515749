"""Two people saving one record at the same moment, on PostgreSQL: the row lock makes the
second save wait for the first, then read its version and be refused (no lost work).

SQLite takes the database's write lock at BEGIN (``transaction_mode=IMMEDIATE``), so two saves
there never overlap; the sequential stale-edit tests cover it. CI runs this file on
PostgreSQL (``DATABASE_URL``).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.db import connection

from jixiao.audit.versions import StaleEdit
from jixiao.core.document import TargetDocument
from jixiao.ledgers import services
from jixiao.ledgers.models import LedgerEntry, LedgerType
from jixiao.lib.actor import Actor
from jixiao.targets.services import import_document
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)

SYSTEM = Actor.system("测试")
WAIT = 10  # seconds: a hung lock fails the test instead of hanging the suite


@pytest.fixture
def unit(org: object, demo_document: TargetDocument) -> Unit:
    return import_document(demo_document, actor=SYSTEM, source="seed.txt").unit


def case(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "title": "舆情1",
        "platform": "微博",
        "link": "https://weibo.com/1/1",
        "first_seen": "2021-03-01",
        "grade": "一般",
        "must_handle": "是",
    }
    values.update(changes)
    return values


def edit(entry: LedgerEntry, who: Any, word: str) -> None:
    services.update_entry(entry, case(title=word), actor=Actor(who), version=1)


def step(entry: LedgerEntry, who: Any, word: str) -> None:
    services.record_transition(
        entry, "预警", actor=Actor(who), on=dt.date(2021, 3, 2), note=word, version=1
    )


@pytest.mark.parametrize("save", [edit, step], ids=["edit", "transition"])
def test_of_two_saves_at_once_the_second_waits_then_is_refused(
    unit, officer, head, monkeypatch, save
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN; run with DATABASE_URL=postgres://…")
    services.ensure_presets()  # a transactional test's flush took the migration's presets
    opinion = LedgerType.objects.get(code="opinion", unit__isnull=True)
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)
    real_check = services.check_version
    first_checked, release = threading.Event(), threading.Event()

    def check_then_linger(locked: Any, version: int | None) -> None:
        real_check(locked, version)
        if threading.current_thread().name == "first":
            first_checked.set()  # holding the row lock, version checked, not yet saved
            release.wait(WAIT)

    monkeypatch.setattr(services, "check_version", check_then_linger)
    outcome: dict[str, str] = {}

    def run(name: str, who: Any, word: str) -> None:
        try:
            save(LedgerEntry.objects.get(pk=entry.pk), who, word)
            outcome[name] = "saved"
        except StaleEdit:
            outcome[name] = "refused"
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first", officer, "甲"), name="first")
    second = threading.Thread(target=run, args=("second", head, "乙"), name="second")
    first.start()
    assert first_checked.wait(WAIT)
    second.start()
    time.sleep(0.5)
    waiting = second.is_alive()  # blocked on the row the first save holds
    release.set()
    first.join(WAIT)
    second.join(WAIT)

    assert waiting
    assert outcome == {"first": "saved", "second": "refused"}
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert stored.version == 2
    if save is edit:
        assert stored.data["title"] == "甲"
    else:
        assert [t.note for t in stored.transitions.all()] == ["", "甲"]
