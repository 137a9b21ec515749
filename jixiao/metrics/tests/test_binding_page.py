"""Binding an indicator to a metric on its page (口径页), by its unit's officer or head."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from jixiao.audit.choices import Action
from jixiao.audit.models import ChangeLog
from jixiao.metrics.models import Metric
from jixiao.metrics.presets import MANUAL_PRESET, PRESETS
from jixiao.metrics.tests.conftest import Builder
from jixiao.system.demo import bindings

pytestmark = pytest.mark.django_db


def test_presets_are_the_definitions_the_demo_binds() -> None:
    for (_code, name), (definition, note) in bindings.COUNTED.items():
        assert PRESETS[name].definition == definition
        assert PRESETS[name].note == note
    assert PRESETS[MANUAL_PRESET].definition == {"kind": "manual"}


def test_officer_binds_a_preset_and_the_change_is_logged(
    build: Builder, officer: User, client: Client
) -> None:
    indicator = build.indicator(build.project(), "官方网宣平台信息发布数量")
    client.force_login(officer)
    url = reverse("metrics:binding", args=[indicator.pk])
    page = client.get(url).content.decode()
    assert 'value="官方网宣平台信息发布数量" selected' in page  # the preset of its name
    response = client.post(
        url, {"preset": "官方网宣平台信息发布数量", "version": "0", "action": "bind"}
    )
    assert response.status_code == 302
    metric = Metric.objects.get(indicator=indicator)
    assert metric.definition == {"kind": "count", "ledger": "post", "scope": "unit"}
    assert metric.note.startswith("官方网宣平台信息发布数量 = ")
    row = ChangeLog.objects.filter(object_type="metrics.metric").latest("seq")
    assert row.action == Action.BIND and row.user_id == officer.pk


def test_a_written_definition_is_checked_against_the_ledgers(
    build: Builder, head: User, client: Client
) -> None:
    indicator = build.indicator(build.project(), "检查次数")
    client.force_login(head)
    url = reverse("metrics:binding", args=[indicator.pk])
    bad = {"kind": "count", "ledger": "no_such_ledger"}
    response = client.post(url, {"definition": json.dumps(bad), "version": "0", "action": "bind"})
    assert response.status_code == 200
    assert "no_such_ledger" in response.content.decode()
    assert not Metric.objects.filter(indicator=indicator).exists()
    broken = client.post(url, {"definition": "{kind:", "version": "0", "action": "bind"})
    assert "口径定义不是合法的 JSON" in broken.content.decode()
    good = {"kind": "count", "ledger": "inspection"}
    client.post(url, {"definition": json.dumps(good), "note": "检查台账条数", "action": "bind"})
    assert Metric.objects.get(indicator=indicator).definition == good


def test_unbind_and_a_stale_form_is_refused(
    build: Builder, officer: User, head: User, client: Client
) -> None:
    indicator = build.indicator(
        build.project(), "检查次数", {"kind": "count", "ledger": "inspection"}
    )
    url = reverse("metrics:binding", args=[indicator.pk])
    client.force_login(head)
    client.post(url, {"preset": MANUAL_PRESET, "version": "1", "action": "bind"})
    assert Metric.objects.get(indicator=indicator).version == 2
    client.force_login(officer)
    stale = client.post(url, {"version": "1", "action": "unbind"})
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
    assert Metric.objects.filter(indicator=indicator).exists()
    client.post(url, {"version": "2", "action": "unbind"})
    assert not Metric.objects.filter(indicator=indicator).exists()


def test_bureau_people_read_but_may_not_bind(
    build: Builder, reviewer: User, officer_b: User, client: Client
) -> None:
    indicator = build.indicator(build.project(), "检查次数")
    url = reverse("metrics:binding", args=[indicator.pk])
    client.force_login(reviewer)
    page = client.get(url)
    assert page.status_code == 200 and "保存口径" not in page.content.decode()
    assert client.post(url, {"preset": MANUAL_PRESET, "action": "bind"}).status_code == 403
    client.force_login(officer_b)
    assert client.get(url).status_code == 404
