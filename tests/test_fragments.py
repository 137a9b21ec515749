"""Pages' expensive parts are cached under the data version of the units they show: a change
is seen at once, other units' changes and logins leave them cached, forms keep working."""

from __future__ import annotations

import dataclasses
import re

import pytest
from django.test import Client

from jixiao.audit.models import DataVersion
from jixiao.lib import fragments
from jixiao.lib.actor import Actor
from jixiao.targets.services import import_document

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("测试")


def _target_of(document, text: str):
    project = document.projects[0]
    row = dataclasses.replace(project.indicators[0], target=text)
    return dataclasses.replace(
        document,
        projects=[dataclasses.replace(project, indicators=[row, *project.indicators[1:]])],
    )


def test_a_change_shows_at_once_on_a_cached_page(client, officer, demo_document):
    import_document(demo_document, actor=SYSTEM, source="v1")
    client.force_login(officer)
    assert "≥200条" in client.get("/targets/?unit=224001&year=2021").text

    import_document(_target_of(demo_document, "≥250条"), actor=SYSTEM, source="v2")

    page = client.get("/targets/?unit=224001&year=2021").text
    assert "≥250条" in page and "≥200条" not in page


def test_a_change_in_another_unit_and_a_login_leave_the_version_alone(
    client, officer, officer_b, org, demo_document
):
    import_document(demo_document, actor=SYSTEM, source="v1")
    before = fragments.version_for([org.unit.pk])

    import_document(
        dataclasses.replace(
            demo_document,
            unit=dataclasses.replace(demo_document.unit, code="224002", name="昌黎县档案馆"),
        ),
        actor=SYSTEM,
        source="b",
    )
    client.force_login(officer)
    Client().force_login(officer_b)

    assert fragments.version_for([org.unit.pk]) == before
    assert fragments.version_for([org.unit_b.pk]) > before
    assert DataVersion.objects.get(key=f"unit:{org.unit.pk}").seq == before


def test_cached_parts_are_per_person_and_per_data_version(officer, reviewer, org):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    def get(user):
        return fragments.cached("t", units=[org.unit.pk], user=user, parts=(1,), compute=compute)

    assert (get(officer), get(officer), get(reviewer)) == (1, 1, 2)
    DataVersion.objects.update_or_create(key=f"unit:{org.unit.pk}", defaults={"seq": 10**6})
    assert get(officer) == 3


def test_forms_in_a_cached_part_carry_each_sessions_own_token():
    from jixiao.system.demo.services import load_demo

    load_demo()
    from jixiao.rounds.models import Report

    report = Report.objects.filter(unit__code="224001", status="submitted").first()
    reviewer = Client(enforce_csrf_checks=True)
    reviewer.force_login(report.round.bureau.members.get(role="reviewer").user)
    first = reviewer.get(f"/rounds/reports/{report.pk}/").text
    other_session = Client(enforce_csrf_checks=True)
    other_session.force_login(report.round.bureau.members.get(role="reviewer").user)
    second = other_session.get(f"/rounds/reports/{report.pk}/").text

    assert fragments.CSRF_PLACEHOLDER not in first + second
    form = re.search(r'action="/rounds/reports/\d+/override/".*?value="([^"]+)"', second, re.S)
    assert form is not None  # the reviewer's 调整得分 forms are in the cached tables
    response = other_session.post(
        f"/rounds/reports/{report.pk}/override/", {"csrfmiddlewaretoken": form.group(1)}
    )
    assert response.status_code == 302  # the token was this session's: no CSRF refusal
