"""The rounds in the admin: every list and a report's page open; history cannot be edited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from jixiao.rounds.models import IndicatorEntry, Report
from jixiao.system.demo.services import load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_demo(client: Client) -> Client:
    load_demo()
    client.force_login(User.objects.get(username="demo"))
    return client


@pytest.mark.parametrize("model", ["round", "report", "indicatorentry", "projectentry"])
def test_every_rounds_list_opens(admin_client_demo: Client, model: str) -> None:
    response = admin_client_demo.get(reverse(f"admin:rounds_{model}_changelist"))
    assert response.status_code == 200


def test_a_report_shows_its_submissions_and_cannot_be_deleted(admin_client_demo: Client) -> None:
    report = Report.objects.get(round__kind="monitoring")
    page = admin_client_demo.get(reverse("admin:rounds_report_change", args=[report.pk]))
    assert page.status_code == 200
    assert "监控情况属实，偏差原因说明清楚。" in page.content.decode()
    delete = admin_client_demo.get(reverse("admin:rounds_report_delete", args=[report.pk]))
    assert delete.status_code == 403


def test_entries_are_read_only_in_the_admin(admin_client_demo: Client) -> None:
    entry = IndicatorEntry.objects.filter(deviation_reason__gt="").first()
    assert entry is not None
    url = reverse("admin:rounds_indicatorentry_change", args=[entry.pk])
    response = admin_client_demo.post(url, {"deviation_reason": "改掉"})
    # View permission only: the page shows the entry, the POST changes nothing.
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.deviation_reason.startswith("该指标为全年")
