"""The unit-wide goal (单位整体目标) edited on the web: saved as a revision through the
import's machinery, stale forms refused, only the unit's officer or head."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from conftest import Org
from jixiao.system.demo.services import load_demo
from jixiao.targets.choices import RevisionKind
from jixiao.targets.models import Revision, UnitGoal
from jixiao.targets.services import unit_goal_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(org: Org) -> UnitGoal:
    load_demo()
    return UnitGoal.objects.get(unit__code="224001", year=2021)


def posted(goal: UnitGoal, **changes: str) -> dict[str, str]:
    part = goal.as_part()
    data = {
        "version": str(unit_goal_version(goal)),
        "subs": str(len(part.sub_goals)),
        "overall": part.overall or "",
        "safeguards": "\n".join(part.safeguards),
        "op": "save",
    }
    for n, sub in enumerate(part.sub_goals):
        data[f"sub-{n}-title"] = sub.title
        data[f"sub-{n}-goal"] = sub.goal or ""
        data[f"sub-{n}-indicators"] = sub.indicators or ""
    data.update(changes)
    return data


def test_the_officer_edits_the_unit_goal_and_a_revision_is_recorded(
    goal: UnitGoal, officer: User, client: Client
) -> None:
    client.force_login(officer)
    url = reverse("targets:goal_edit", args=[goal.pk])
    page = client.get(url).content.decode()
    assert "编辑单位整体绩效目标（2021 年）" in page
    before = goal.as_part()
    version = unit_goal_version(goal)
    # Drop the first sub-goal (its title emptied), change the overall goal, one safeguard.
    data = posted(goal, overall="全面提升网络舆情治理能力。", **{"sub-0-title": ""})
    data["safeguards"] = "加强组织领导\n强化资金保障"
    response = client.post(url, data)
    assert response.status_code == 302
    goal.refresh_from_db()
    part = goal.as_part()
    assert part.overall == "全面提升网络舆情治理能力。"
    assert [s.title for s in part.sub_goals] == [s.title for s in before.sub_goals[1:]]
    assert part.safeguards == ["加强组织领导", "强化资金保障"]
    revision = Revision.objects.get(
        kind=RevisionKind.UNIT_GOAL, unit=goal.unit, year=2021, number=version + 1
    )
    assert revision.source == "网页编辑" and revision.created_by == officer
    assert unit_goal_version(goal) == version + 1

    # A form read at the older version is refused, the goal unchanged.
    stale = client.post(url, {**data, "version": str(version), "overall": "旧表单"})
    assert stale.status_code == 200
    assert "已被他人修改" in stale.content.decode()
    goal.refresh_from_db()
    assert goal.overall == "全面提升网络舆情治理能力。"


def test_add_draws_one_more_sub_goal_box_and_saves_it(
    goal: UnitGoal, officer: User, client: Client
) -> None:
    client.force_login(officer)
    url = reverse("targets:goal_edit", args=[goal.pk])
    count = len(goal.as_part().sub_goals)
    page = client.post(url, posted(goal, op="add")).content.decode()
    assert f'name="subs" value="{count + 1}"' in page
    data = posted(goal, subs=str(count + 1))
    data[f"sub-{count}-title"] = "网络安全保障"
    data[f"sub-{count}-goal"] = "全年无重大网络安全事件。"
    assert client.post(url, data).status_code == 302
    goal.refresh_from_db()
    assert goal.as_part().sub_goals[-1].title == "网络安全保障"


@pytest.mark.parametrize("who", ["reviewer", "head", "officer_b"])
def test_who_may_open_the_goal_editor(
    goal: UnitGoal, who: str, request: pytest.FixtureRequest, client: Client
) -> None:
    client.force_login(request.getfixturevalue(who))
    status = client.get(reverse("targets:goal_edit", args=[goal.pk])).status_code
    assert status == {"reviewer": 403, "head": 200, "officer_b": 404}[who]
