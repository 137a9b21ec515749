"""The demo goes through the real importer: these tests read the shipped seed document."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from jixiao.accounts.models import Membership
from jixiao.system.demo.people import DEMO_PASSWORD
from jixiao.system.demo.services import DEMO_USERNAME, load_demo
from jixiao.targets.models import Indicator, Project, Revision, SubGoal, UnitGoal
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db

TABLES = [Unit, UnitGoal, SubGoal, Project, Indicator, Revision]


def snapshot() -> list[list[tuple[object, ...]]]:
    """Every row of the demo's tables, ids included, to see that nothing moved."""
    return [list(m.objects.order_by("pk").values_list()) for m in TABLES]


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_command_is_idempotent():
    first = run_demo()
    rows = snapshot()

    second = run_demo()

    assert snapshot() == rows
    assert "演示账号（新建，密码均为 jixiao-demo-2021）：" in first
    assert second.splitlines()[:3] == [
        "演示数据已是最新，无变化。",
        "演示账号（已存在，密码均为 jixiao-demo-2021）：",
        "  demo     填报员　224001 中共昌黎县委网络安全和信息化委员会办公室本级",
    ]
    unit = Unit.objects.get(code="224001")
    assert (unit.code, unit.name) == ("224001", "中共昌黎县委网络安全和信息化委员会办公室本级")
    assert list(Project.objects.values_list("code", "name")) == [
        ("13032221C2GKIBLPDEWRQ", "网络安全和信息化经费"),
        ("13032221RDEVGNWRIDTHY", "网络宣传管理经费"),
    ]
    assert Revision.objects.count() == 3
    user = get_user_model().objects.get(username=DEMO_USERNAME)
    assert (user.is_superuser, user.membership.role, user.check_password(DEMO_PASSWORD)) == (
        False,
        "officer",
        True,
    )
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {
        "demo": "officer",
        "fuzeren": "head",
        "shenhe": "reviewer",
        "caizheng": "admin",
        "shenji": "auditor",
        "dangan": "officer",
    }
    assert get_user_model().objects.get(username="admin").is_superuser


def test_demo_reset_reloads_targets_and_restores_the_login():
    load_demo()
    Project.objects.filter(code="13032221RDEVGNWRIDTHY").update(goal="被改动的目标")
    user = get_user_model().objects.get(username=DEMO_USERNAME)
    user.set_password("changed")
    user.save()

    result = load_demo(reset=True)

    assert Project.objects.get(code="13032221RDEVGNWRIDTHY").goal.startswith("1.充分利用微博")
    assert list(Revision.objects.values_list("number", flat=True)) == [1, 1, 1]
    assert not result.people.created
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)


def test_audit_verify_passes_on_the_demo_and_names_a_row_edited_in_sql(capsys):
    from django.db import connection

    from jixiao.audit.log import verify
    from jixiao.audit.models import ChangeLog

    load_demo()
    call_command("audit", "verify")
    assert "哈希链校验通过" in capsys.readouterr().out
    # An import's row in the middle of the demo's log: its target changed behind the app's back.
    row = ChangeLog.objects.filter(object_type="targets.indicator").order_by("seq")[3]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_changelog SET after = %s WHERE seq = %s",
            ['{"target": "≥20条"}', row.seq],
        )

    assert verify().bad_seq == row.seq
    with pytest.raises(SystemExit):
        call_command("audit", "verify")
    assert f"第 {row.seq} 条记录的内容与其哈希不符" in capsys.readouterr().err
