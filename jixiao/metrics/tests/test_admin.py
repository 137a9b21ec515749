"""The admin for metrics and hand entries saves through the services and checks definitions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jixiao.audit.models import ChangeLog
from jixiao.lib.actor import Actor
from jixiao.metrics.models import ManualActual, Metric
from jixiao.metrics.services import bind_metric
from jixiao.metrics.tests.conftest import Builder
from jixiao.metrics.tests.definitions import ALERTS, DISPOSAL, POSTS


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


# --- the admin writes through the services ------------------------------------------------


def last_row() -> ChangeLog:
    return ChangeLog.objects.order_by("-seq").first()


def comparable(row: ChangeLog) -> tuple[object, ...]:
    """What a row says, without when, who, and which object."""
    return (row.action, row.object_type, row.unit_id, row.object_version, row.before, row.after)


def test_a_binding_changed_in_the_admin_writes_the_services_row(
    admin_client: Client, build: Builder, officer: User
) -> None:
    project = build.project()
    in_admin = build.indicator(project, "处置率", DISPOSAL)
    by_service = build.indicator(project, "处置率（页面）", DISPOSAL)
    metric = Metric.objects.get(indicator=in_admin)
    response = admin_client.post(
        reverse("admin:metrics_metric_change", args=[metric.pk]),
        {"definition": json.dumps(POSTS), "note": "按发布数", "seen_version": "1"},
    )
    assert response.status_code == 302
    admin_row = last_row()
    bind_metric(by_service, POSTS, actor=Actor(officer), note="按发布数", version=1)
    service_row = last_row()
    assert comparable(admin_row) == comparable(service_row)
    assert comparable(admin_row) == (
        "bind",
        "metrics.metric",
        in_admin.project.unit_id,
        2,
        {"definition": DISPOSAL, "note": ""},
        {"definition": POSTS, "note": "按发布数"},
    )
    assert (admin_row.object_id, admin_row.via, admin_row.username) == (
        str(metric.pk),
        "admin",
        "admin",
    )
    assert Metric.objects.get(pk=metric.pk).version == 2


def test_a_binding_added_and_deleted_in_the_admin_is_logged(
    admin_client: Client, build: Builder
) -> None:
    indicator = build.indicator(build.project(), "处置率")
    admin_client.post(
        reverse("admin:metrics_metric_add"),
        {"indicator": indicator.pk, "definition": json.dumps(DISPOSAL), "note": ""},
    )
    metric = Metric.objects.get()
    row = last_row()
    assert (row.action, row.via, row.before) == ("bind", "admin", None)
    assert row.after == {"indicator": indicator.pk, "definition": DISPOSAL, "note": ""}
    admin_client.post(reverse("admin:metrics_metric_delete", args=[metric.pk]), {"post": "yes"})
    row = last_row()
    assert (row.action, row.via, row.object_id) == ("unbind", "admin", str(metric.pk))
    assert row.before == {"indicator": indicator.pk, "definition": DISPOSAL, "note": ""}


def test_a_stale_binding_is_refused_in_the_admin(
    admin_client: Client, build: Builder, officer: User
) -> None:
    indicator = build.indicator(build.project(), "处置率", DISPOSAL)
    metric = Metric.objects.get()
    url = reverse("admin:metrics_metric_change", args=[metric.pk])
    assert 'name="seen_version" value="1"' in admin_client.get(url).content.decode()
    bind_metric(indicator, ALERTS, actor=Actor(officer), note="改为预警数")
    response = admin_client.post(
        url, {"definition": json.dumps(POSTS), "note": "", "seen_version": "1"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "在你打开之后已被他人修改，你的修改没有保存" in html
    assert "口径说明：（空） → 改为预警数" in html
    assert Metric.objects.get().definition == ALERTS


def test_a_new_binding_over_one_made_meanwhile_is_refused_in_the_admin(
    admin_client: Client, build: Builder, officer: User
) -> None:
    indicator = build.indicator(build.project(), "处置率")
    url = reverse("admin:metrics_metric_add")
    assert 'name="seen_version" value="0"' in admin_client.get(url).content.decode()
    bind_metric(indicator, ALERTS, actor=Actor(officer))
    response = admin_client.post(
        url,
        {"indicator": indicator.pk, "definition": json.dumps(POSTS), "seen_version": "0"},
    )
    # The admin's own uniqueness check answers first: the indicator already has a metric.
    assert response.status_code == 200
    assert Metric.objects.get().definition == ALERTS


@pytest.fixture
def staff_reviewer(reviewer: User) -> User:
    """A reviewer given staff status and every metrics permission of the admin."""
    reviewer.is_staff = True
    reviewer.save()
    reviewer.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["metrics", "targets"])
    )
    return User.objects.get(pk=reviewer.pk)


def test_staff_without_edit_on_the_unit_is_refused(
    client: Client, build: Builder, staff_reviewer: User
) -> None:
    bound = build.indicator(build.project(), "处置率", DISPOSAL)
    loose = build.indicator(build.project("P2"), "发布数")
    metric = Metric.objects.get()
    client.force_login(staff_reviewer)
    rows = ChangeLog.objects.count()
    # The reviewer reads the binding, read-only.
    change = reverse("admin:metrics_metric_change", args=[metric.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"definition": json.dumps(POSTS)}).status_code == 403
    delete = reverse("admin:metrics_metric_delete", args=[metric.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    response = client.post(
        reverse("admin:metrics_metric_add"),
        {"indicator": loose.pk, "definition": json.dumps(POSTS), "seen_version": "0"},
    )
    assert response.status_code == 200
    assert "只有本单位的填报员或单位负责人可以修改本单位的数据。" in response.content.decode()
    response = client.post(
        reverse("admin:metrics_manualactual_add"),
        {
            "indicator": loose.pk,
            "as_of": "2021-06-30",
            "value": "1",
            "evidence": "材料",
            "files-TOTAL_FORMS": "0",
            "files-INITIAL_FORMS": "0",
            "files-MIN_NUM_FORMS": "0",
            "files-MAX_NUM_FORMS": "1000",
        },
    )
    assert "只有本单位的填报员或单位负责人可以修改本单位的数据。" in response.content.decode()
    assert Metric.objects.get(indicator=bound).definition == DISPOSAL
    assert not Metric.objects.filter(indicator=loose).exists()
    assert not ManualActual.objects.exists()
    assert ChangeLog.objects.count() == rows


def test_staff_outside_the_bureau_sees_no_binding(
    client: Client, build: Builder, other_reviewer: User
) -> None:
    build.indicator(build.project(), "处置率", DISPOSAL)
    other_reviewer.is_staff = True
    other_reviewer.save()
    other_reviewer.user_permissions.set(
        Permission.objects.filter(content_type__app_label="metrics")
    )
    client.force_login(other_reviewer)
    listing = client.get(reverse("admin:metrics_metric_changelist")).content.decode()
    assert "0 个口径" in listing or "0 口径" in listing
    metric = Metric.objects.get()
    response = client.get(reverse("admin:metrics_metric_change", args=[metric.pk]))
    assert response.status_code == 302  # the admin's answer for an object it cannot find


def test_a_hand_entry_in_the_admin_is_logged_and_never_deleted(
    admin_client: Client, build: Builder
) -> None:
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
    admin_client.post(reverse("admin:metrics_manualactual_add"), data)
    entry = ManualActual.objects.get()
    create, attach = ChangeLog.objects.filter(
        object_type__in=["metrics.manualactual", "metrics.evidence"]
    ).order_by("seq")
    assert (create.action, create.via, create.after["value"]) == ("create", "admin", "1年")
    assert (attach.action, attach.via, attach.after["name"]) == ("attach", "admin", "运行日志.txt")
    delete = reverse("admin:metrics_manualactual_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert ManualActual.objects.filter(pk=entry.pk).exists()
    assert entry.files.count() == 1
