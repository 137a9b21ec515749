"""The rounds in the admin: every list and page opens for the superuser; nothing changes there
(the loop runs through the services, which check roles and write the change log)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from jixiao.audit.models import ChangeLog
from jixiao.rounds.choices import ReportStatus, RoundKind
from jixiao.rounds.models import IndicatorEntry, Report, Round
from jixiao.system.demo.services import load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_demo(client: Client) -> Client:
    load_demo()
    client.force_login(User.objects.get(username="admin"))  # the demo's superuser
    return client


@pytest.mark.parametrize(
    "model", ["round", "report", "indicatorentry", "projectentry", "reviewcomment"]
)
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


def test_an_approved_rounds_cut_off_date_cannot_be_moved_in_the_admin(
    admin_client_demo: Client,
) -> None:
    """It once moved from 30 June to 30 September with no history."""
    round_ = Round.objects.get(kind=RoundKind.MONITORING)
    assert round_.reports.get().status == ReportStatus.APPROVED
    logged = ChangeLog.objects.count()
    url = reverse("admin:rounds_round_change", args=[round_.pk])
    page = admin_client_demo.get(url)
    assert page.status_code == 200  # shown, read only
    assert 'name="as_of"' not in page.content.decode()
    data = {
        "kind": round_.kind,
        "year": round_.year,
        "as_of": "2021-09-30",
        "due_on": "2021-10-20",
        "title": round_.title,
        "bureau": round_.bureau_id,
    }
    assert admin_client_demo.post(url, data).status_code == 403
    assert admin_client_demo.post(reverse("admin:rounds_round_add"), data).status_code == 403
    delete = reverse("admin:rounds_round_delete", args=[round_.pk])
    assert admin_client_demo.post(delete, {"post": "yes"}).status_code == 403
    round_.refresh_from_db()
    assert (round_.as_of, round_.due_on) == (dt.date(2021, 6, 30), dt.date(2021, 7, 20))
    assert ChangeLog.objects.count() == logged


def test_entries_are_read_only_in_the_admin(admin_client_demo: Client) -> None:
    entry = IndicatorEntry.objects.filter(deviation_reason__gt="").first()
    assert entry is not None
    url = reverse("admin:rounds_indicatorentry_change", args=[entry.pk])
    response = admin_client_demo.post(url, {"deviation_reason": "改掉"})
    # View permission only: the page shows the entry, the POST changes nothing.
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.deviation_reason == "上半年工作进度略慢于序时进度。"


def test_people_without_staff_status_do_not_reach_the_admin(client: Client) -> None:
    load_demo()
    client.force_login(User.objects.get(username="shenhe"))
    response = client.get(reverse("admin:rounds_round_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
