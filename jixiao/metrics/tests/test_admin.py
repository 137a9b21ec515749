"""The admin for metrics and hand entries saves through the services and checks definitions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jixiao.metrics.models import ManualActual, Metric
from jixiao.metrics.tests.conftest import Builder
from jixiao.metrics.tests.definitions import DISPOSAL, POSTS


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_adding_a_metric_checks_and_describes_it(admin_client: Client, build: Builder) -> None:
    indicator = build.indicator(build.project(), "网络舆情处置率")
    url = reverse("admin:metrics_metric_add")
    bad = {**DISPOSAL, "scale": "百"}
    response = admin_client.post(
        url, {"indicator": indicator.pk, "definition": json.dumps(bad), "note": ""}
    )
    assert response.status_code == 200
    assert "口径：“scale”应为正数" in response.content.decode()
    assert not Metric.objects.exists()
    response = admin_client.post(
        url,
        {"indicator": indicator.pk, "definition": json.dumps(DISPOSAL), "note": "按台账"},
    )
    assert response.status_code == 302
    metric = Metric.objects.get()
    assert (metric.definition, metric.note, metric.updated_by.username) == (
        DISPOSAL,
        "按台账",
        "admin",
    )
    page = admin_client.get(reverse("admin:metrics_metric_change", args=[metric.pk]))
    assert "舆情台账中“应处置”为是且截至统计日已到达“处置”的记录数" in page.content.decode()
    listing = admin_client.get(reverse("admin:metrics_metric_changelist")).content.decode()
    assert "÷ 舆情台账中“应处置”为是的记录数 × 100" in listing


def test_changing_a_metric_replaces_it(admin_client: Client, build: Builder) -> None:
    indicator = build.indicator(build.project(), "发布数", DISPOSAL)
    metric = Metric.objects.get()
    response = admin_client.post(
        reverse("admin:metrics_metric_change", args=[metric.pk]),
        {"indicator": indicator.pk, "definition": json.dumps(POSTS), "note": ""},
    )
    assert response.status_code == 302
    assert Metric.objects.get().definition == POSTS


def test_deleting_a_metric_unbinds_it(admin_client: Client, build: Builder) -> None:
    build.indicator(build.project(), "处置率", DISPOSAL)
    metric = Metric.objects.get()
    admin_client.post(reverse("admin:metrics_metric_delete", args=[metric.pk]), {"post": "yes"})
    assert not Metric.objects.exists()


def test_adding_a_hand_entry_with_evidence(admin_client: Client, build: Builder) -> None:
    indicator = build.indicator(build.project(), "网络安全稳定运行期限", target="1年")
    data = {
        "indicator": indicator.pk,
        "as_of": "2021-06-30",
        "value": "1年",
        "evidence": "系统运行日志",
        "files-TOTAL_FORMS": "1",
        "files-INITIAL_FORMS": "0",
        "files-MIN_NUM_FORMS": "0",
        "files-MAX_NUM_FORMS": "1000",
        "files-0-file": SimpleUploadedFile("运行日志.txt", b"ok"),
    }
    response = admin_client.post(reverse("admin:metrics_manualactual_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = ManualActual.objects.get()
    assert (entry.value, entry.number, entry.entered_by.username) == ("1年", 1, "admin")
    assert list(entry.files.values_list("name", flat=True)) == ["运行日志.txt"]


def test_a_hand_entry_for_a_computed_indicator_is_refused(
    admin_client: Client, build: Builder
) -> None:
    indicator = build.indicator(build.project(), "处置率", DISPOSAL)
    data = {
        "indicator": indicator.pk,
        "as_of": "2021-06-30",
        "value": "100%",
        "evidence": "台账",
        "files-TOTAL_FORMS": "0",
        "files-INITIAL_FORMS": "0",
        "files-MIN_NUM_FORMS": "0",
        "files-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(reverse("admin:metrics_manualactual_add"), data)
    assert response.status_code == 200
    assert "该指标按口径自动计算，不能手工填报" in response.content.decode()
    assert not ManualActual.objects.exists()
