"""The demo's organisations and people: the county finance bureau, the office and a second
unit, and one account for each role, so that every role can be tried at once.

Every account has the demo password and is not asked to change it (a real account is).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from jixiao.accounts.choices import Role
from jixiao.accounts.models import Membership
from jixiao.accounts.services import create_account, update_account
from jixiao.lib.actor import SYSTEM as SYSTEM_VIA
from jixiao.lib.actor import Actor
from jixiao.units.models import FinanceBureau, Unit
from jixiao.units.services import create_bureau, create_unit, set_unit_bureau

DEMO_PASSWORD = "jixiao-demo-2021"
BUREAU = "昌黎县财政局"
OTHER_UNIT = ("224002", "昌黎县档案馆")

# username, role, full name, where ("unit", "other_unit" or "bureau"); "admin" is the superuser.
ACCOUNTS = [
    ("demo", Role.OFFICER, "王经办", "unit"),
    ("fuzeren", Role.HEAD, "李主任", "unit"),
    ("shenhe", Role.REVIEWER, "赵审核", "bureau"),
    ("caizheng", Role.ADMIN, "孙管理", "bureau"),
    ("shenji", Role.AUDITOR, "周审计", "bureau"),
    ("dangan", Role.OFFICER, "钱经办", "other_unit"),
]
SUPERUSER = "admin"


@dataclass
class DemoPeople:
    """The demo's bureau and units, and each role's account as an Actor."""

    bureau: FinanceBureau
    unit: Unit
    other_unit: Unit
    officer: Actor
    head: Actor
    reviewer: Actor
    admin: Actor
    auditor: Actor
    other_officer: Actor
    superuser: Actor
    created: bool  # True when any account was created by this run

    def accounts(self) -> list[tuple[str, str, str]]:
        """(username, role, organisation) of every demo account, for the login lines."""
        rows = []
        for username, role, _name, place in ACCOUNTS:
            org = {"unit": self.unit, "other_unit": self.other_unit, "bureau": self.bureau}[place]
            rows.append((username, str(Role(role).label), str(org)))
        rows.append((SUPERUSER, "系统管理员（超级用户）", "—"))
        return rows


SYSTEM = Actor.system("演示数据")


def _loaded_as(user: User) -> Actor:
    """The demo loader acting as one of its people (the change log says it came from the
    system, not from the web)."""
    return Actor(user, via=SYSTEM_VIA)


@transaction.atomic
def ensure_people(unit: Unit, *, reset: bool = False) -> DemoPeople:
    """The bureau, the second unit and the accounts, created where missing.

    ``reset`` restores every demo account's password, role and active state.
    """
    bureau = FinanceBureau.objects.filter(name=BUREAU).first() or create_bureau(
        name=BUREAU, actor=SYSTEM
    )
    if unit.finance_bureau_id != bureau.pk:
        unit = set_unit_bureau(unit, bureau, actor=SYSTEM)
    other = Unit.objects.filter(code=OTHER_UNIT[0]).first() or create_unit(
        code=OTHER_UNIT[0], name=OTHER_UNIT[1], bureau=bureau, actor=SYSTEM
    )
    places: dict[str, Unit | FinanceBureau] = {"unit": unit, "other_unit": other, "bureau": bureau}
    users: dict[str, User] = {}
    created = False
    model = get_user_model()
    for username, role, name, place in ACCOUNTS:
        user = model.objects.filter(username=username).first()
        if user is None:
            user = create_account(
                username=username,
                password=DEMO_PASSWORD,
                organisation=places[place],
                role=role,
                full_name=name,
                actor=SYSTEM,
            )
            created = True
        elif reset:
            user.set_password(DEMO_PASSWORD)
            user.is_active = True
            user.is_staff = user.is_superuser = False
            user.save()
            update_account(user, role=role, organisation=places[place], actor=SYSTEM)
        Membership.objects.filter(user=user).update(must_change_password=False)
        users[username] = user
    superuser = model.objects.filter(username=SUPERUSER).first()
    if superuser is None:
        superuser = model.objects.create_superuser(SUPERUSER, "", DEMO_PASSWORD)
        created = True
    elif reset:
        superuser.set_password(DEMO_PASSWORD)
        superuser.is_active = superuser.is_staff = superuser.is_superuser = True
        superuser.save()
    return DemoPeople(
        bureau=bureau,
        unit=unit,
        other_unit=other,
        officer=_loaded_as(users["demo"]),
        head=_loaded_as(users["fuzeren"]),
        reviewer=_loaded_as(users["shenhe"]),
        admin=_loaded_as(users["caizheng"]),
        auditor=_loaded_as(users["shenji"]),
        other_officer=_loaded_as(users["dangan"]),
        superuser=_loaded_as(superuser),
        created=created,
    )
