"""The download links: a whole unit's start a job, one project's come at once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from conftest import Org
from jixiao.rounds.templatetags.rounds_tags import for_project
from jixiao.system.demo.services import load_demo


def test_for_project_narrows_a_link() -> None:
    plain = "/rounds/monitoring/download/xlsx/?unit=224001&year=2021"
    assert for_project(plain, 7) == plain + "&project=7"
    assert for_project("/r/download/pdf/", 3) == "/r/download/pdf/?project=3"
    assert for_project(plain, None) == plain


@pytest.mark.django_db
def test_one_projects_link_never_asks_for_the_background_job(org: Org, officer: User) -> None:
    load_demo()
    client = Client()
    client.force_login(officer)
    page = client.get("/rounds/monitoring/?unit=224001&year=2021&as_of=2021-06-30").content.decode()
    query = "unit=224001&amp;year=2021&amp;as_of=2021-06-30"
    # The picker's whole-unit buttons start jobs; each project's buttons carry no such flag.
    assert f'/rounds/monitoring/download/xlsx/?{query}&amp;background=1"' in page
    assert f"/rounds/monitoring/download/xlsx/?{query}&amp;project=" in page
    assert "background=1&amp;project=" not in page
