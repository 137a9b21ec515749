"""The pages of a target round: the officer edits a draft in the grid, the reviewer returns a
row with a comment and approves; the table in force changes only on approval."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from conftest import Org
from jixiao.lib.actor import Actor
from jixiao.rounds import services
from jixiao.rounds.choices import ReportStatus, RoundKind
from jixiao.rounds.models import Report, ReviewComment
from jixiao.system.demo.services import load_demo
from jixiao.targets.models import Indicator
from jixiao.targets.tests.test_editor import grid_post
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db

NAME = "舆情监测预警、研判分析数"


@pytest.fixture
def unit(org: Org) -> Unit:
    load_demo()
    return Unit.objects.get(code="224001")


def test_officer_drafts_reviewer_returns_a_row_then_approves(
    unit: Unit, officer: User, head: User, reviewer: User, bureau_admin: User, client: Client
) -> None:
    round_ = services.open_round(
        kind=RoundKind.ADJUSTMENT,
        year=2021,
        due_on=dt.date(2021, 7, 15),
        bureau=unit.finance_bureau,
        actor=Actor(bureau_admin),
    )
    report = Report.objects.get(round=round_, unit=unit)
    held = Indicator.objects.get(project__unit=unit, project__year=2021, level3=NAME)
    project = held.project
    client.force_login(officer)
    page = client.get(reverse("rounds:report", args=[report.pk])).content.decode()
    assert "编辑目标表" in page and project.label in page
    draft_url = reverse("rounds:draft", args=[report.pk, project.pk])
    data = grid_post(project, **{"row-0-target": "≥260条", "op": "save", "version": "0"})
    assert client.post(draft_url, data).status_code == 302
    assert Indicator.objects.get(pk=held.pk).target == "≥200条"
    assert "≥260条" in client.get(reverse("rounds:report", args=[report.pk])).content.decode()
    client.post(reverse("rounds:submit", args=[report.pk]))
    services.endorse_report(report, actor=Actor(head))

    client.force_login(reviewer)
    page = client.get(reverse("rounds:report", args=[report.pk])).content.decode()
    assert f'name="rc-i{held.pk}"' in page
    client.post(
        reverse("rounds:decide", args=[report.pk, "return"]),
        {"comment": "", f"rc-i{held.pk}": "请说明依据"},
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert ReviewComment.objects.get(indicator=held).text == "请说明依据"

    client.force_login(officer)
    assert "请说明依据" in client.get(reverse("rounds:report", args=[report.pk])).content.decode()
    data = grid_post(project, **{"row-0-target": "≥240条", "op": "save", "version": "1"})
    assert client.post(draft_url, data).status_code == 302
    client.post(reverse("rounds:submit", args=[report.pk]))
    services.endorse_report(report, actor=Actor(head))
    client.force_login(reviewer)
    client.post(reverse("rounds:decide", args=[report.pk, "approve"]), {"comment": "同意"})
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert Indicator.objects.get(pk=held.pk).target == "≥240条"
