"""The demo's bindings and hand entries are made by its officer, through the services."""

from __future__ import annotations

import pytest

from jixiao.audit.log import verify
from jixiao.audit.models import ChangeLog
from jixiao.metrics.models import ManualActual, Metric
from jixiao.system.demo.services import load_demo

pytestmark = pytest.mark.django_db


def test_the_demo_binds_as_its_officer_and_a_second_run_logs_nothing() -> None:
    load_demo()
    binds = ChangeLog.objects.filter(object_type="metrics.metric")
    entries = ChangeLog.objects.filter(object_type="metrics.manualactual")
    assert (binds.count(), Metric.objects.count()) == (18, 18)
    assert (entries.count(), ManualActual.objects.count()) == (16, 16)
    who = {("bind", "王经办（demo）", "system")}  # the demo loader acting as its officer
    assert set(binds.values_list("action", "username", "via")) == who
    assert set(entries.values_list("action", flat=True)) == {"create"}
    assert all(row.before is None for row in binds)
    assert Metric.objects.filter(updated_by__username="demo").count() == 18
    rows = ChangeLog.objects.filter(object_type__startswith="metrics.").count()
    load_demo()
    assert ChangeLog.objects.filter(object_type__startswith="metrics.").count() == rows
    assert verify().ok
