from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404

from jixiao.access.lookups import get_unit_for_user, scoped
from jixiao.access.perms import can, require
from jixiao.access.scope import units_for
from jixiao.lib.actor import Actor
from jixiao.units.models import Unit
from jixiao.units.services import create_unit

pytestmark = pytest.mark.django_db


def _codes(who) -> set[str]:
    return set(units_for(who).values_list("code", flat=True))


def test_bureau_people_reach_their_bureaus_units_and_those_below(org, reviewer, other_reviewer):
    child = create_unit(code="224001001", name="下属单位", parent=org.unit, actor=Actor.system())

    assert _codes(reviewer) == {"224001", "224002", child.code}
    assert _codes(other_reviewer) == {"324001"}


def test_unit_people_reach_their_unit_and_its_subordinates(org, officer, officer_b):
    create_unit(code="224001001", name="下属单位", parent=org.unit, actor=Actor.system())

    assert _codes(officer) == {"224001", "224001001"}
    assert _codes(officer_b) == {"224002"}


def test_nobody_and_an_account_without_organisation_reach_nothing(org):
    loose = User.objects.create_user("loose", password="x")
    assert _codes(loose) == set() and _codes(AnonymousUser()) == set() and _codes(None) == set()
    assert _codes(Actor.command_line()) == {"224001", "224002", "324001"}


def test_a_unit_outside_reach_is_404_like_a_missing_one(org, officer_b):
    with pytest.raises(Http404):
        get_unit_for_user(officer_b, "224001")
    with pytest.raises(Http404):
        get_unit_for_user(officer_b, "999999")
    assert get_unit_for_user(officer_b, "224002") == org.unit_b
    assert list(scoped(Unit.objects.all(), officer_b)) == [org.unit_b]


def test_only_a_units_own_people_edit_it(org, officer, head, officer_b, reviewer, auditor):
    assert can(officer, "edit", org.unit) and can(head, "edit", org.unit)
    for outsider in (officer_b, reviewer, auditor):
        assert not can(outsider, "edit", org.unit)
    with pytest.raises(PermissionDenied, match="只有本单位的填报员或单位负责人"):
        require(reviewer, "edit", org.unit)


def test_bureau_admin_opens_rounds_only_for_its_bureau(org, bureau_admin, reviewer):
    assert can(bureau_admin, "open_round", org.bureau)
    assert not can(bureau_admin, "open_round", org.other_bureau)
    assert not can(reviewer, "open_round", org.bureau)


@pytest.mark.parametrize(
    "url",
    [
        "/?unit=999999",
        "/targets/?unit=999999",
        "/ledgers/?unit=999999",
        "/ledgers/quality/?unit=999999",
    ],
)
def test_an_unknown_unit_in_a_url_is_404_not_another(url, db):
    from django.contrib.auth.models import User
    from django.test import Client

    from jixiao.lib.actor import Actor
    from jixiao.system.demo.services import seed_document
    from jixiao.targets.services import import_document

    import_document(seed_document(), actor=Actor.system("测试"), source="seed")
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="x"))

    assert client.get(url).status_code == 404
    known = url.split("?")[0] + "?unit=224001&year=2021"
    assert client.get(known).status_code == 200
