"""Who may write the target register, and the change-log rows each write leaves."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from jixiao.audit.log import verify
from jixiao.audit.models import ChangeLog
from jixiao.core.document import Budget, ParsedTarget, UnitRef
from jixiao.lib.actor import Actor
from jixiao.targets.models import Indicator, Project, Revision, UnitGoal
from jixiao.targets.services import import_document, restore_indicator
from jixiao.targets.tests.conftest import HELD_NAME, without
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db

P1 = "13032221C2GKIBLPDEWRQ"


def rows_since(seq: int) -> list[ChangeLog]:
    return list(ChangeLog.objects.filter(seq__gt=seq).order_by("seq"))


def last_seq() -> int:
    return ChangeLog.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def register() -> list[object]:
    return [
        sorted(Unit.objects.values_list()),
        sorted(UnitGoal.objects.values_list()),
        sorted(Project.objects.values_list()),
        sorted(Indicator.all_objects.values_list()),
        Revision.objects.count(),
        ChangeLog.objects.count(),
    ]


# Who may import


@pytest.mark.parametrize("who", ["officer_b", "reviewer", "bureau_admin", "auditor", "head"])
def test_import_into_unit_a_is_only_for_its_keepers(demo_document, officer, request, who):
    person = request.getfixturevalue(who)
    before = register()

    if who == "head":  # the unit's head keeps its data like its officer
        import_document(demo_document, actor=Actor(person), source="v1.txt")
        assert Project.objects.filter(unit__code="224001").count() == 2
        return
    with pytest.raises(PermissionDenied, match="只有本单位的填报员或单位负责人可以修改"):
        import_document(demo_document, actor=Actor(person), source="v1.txt")

    assert register() == before


def test_import_by_the_officer_of_another_unit_writes_nothing_even_on_its_second_import(
    imported, demo_document, officer_b
):
    demo_document.projects[0].indicators[0].target = "≥20条"
    before = register()

    with pytest.raises(PermissionDenied):
        import_document(demo_document, actor=Actor(officer_b), source="v2.txt")

    assert register() == before
    assert Indicator.objects.get(level3=HELD_NAME).target == "≥200条"


def test_an_officer_cannot_create_a_unit_by_importing(demo_document, officer):
    document = dataclasses.replace(demo_document, unit=UnitRef("999001", "新单位"))
    before = register()

    with pytest.raises(PermissionDenied, match="系统中没有预算单位「999001」"):
        import_document(document, actor=Actor(officer), source="new.txt")

    assert register() == before


def test_a_logged_in_person_without_organisation_cannot_import(demo_document, org):
    from django.contrib.auth.models import User

    nobody = User.objects.create_user("nobody", password="x-Long-pass-1")

    with pytest.raises(PermissionDenied):
        import_document(demo_document, actor=Actor(nobody), source="v1.txt")

    assert not Project.objects.exists()


# The change log of an import


def test_first_import_logs_the_goal_each_project_and_each_indicator(demo_document, officer, org):
    seq = last_seq()

    import_document(demo_document, actor=Actor(officer), source="v1.txt")

    rows = rows_since(seq)
    assert {(r.user_id, r.username, r.via, r.unit_id) for r in rows} == {
        (officer.pk, "经办人（officer）", "web", org.unit.pk)
    }
    assert [(r.object_type, r.action) for r in rows] == [
        ("targets.unitgoal", "create"),
        ("targets.project", "create"),
        *[("targets.indicator", "create")] * 4,
        ("targets.project", "create"),
        *[("targets.indicator", "create")] * 3,
    ]
    goal, project = rows[0], rows[1]
    assert goal.comment == "导入「v1.txt」，第 1 版"
    assert goal.after["overall"] == demo_document.unit_goal.overall
    assert goal.after["分项绩效目标"].splitlines()[1] == (
        "（二）强化网络舆情监控处置：提高舆情研判能力和信息服务水平。"
        "（绩效指标：舆情监测预警、研判分析数200条以上，网络舆情处置率达到100%。）"
    )
    assert (project.object_repr, project.comment, project.before) == (
        "网络安全和信息化经费",
        "导入「v1.txt」，第 1 版",
        None,
    )
    assert project.after == {
        "code": P1,
        "position": 1,
        "name": "网络安全和信息化经费",
        "money_unit": "万元",
        "budget_total": "15",
        "budget_fiscal": "15",
        "budget_other": "0",
        "budget_carryover": None,  # the table states no 上年结转
        "fund_use": demo_document.projects[0].fund_use,
        "goal": demo_document.projects[0].goal,
        "资金支出计划": "3月底25%、6月底50%、10月底75%、12月底100%",
    }
    first = rows[2]
    assert first.object_id == str(Indicator.objects.get(level3=HELD_NAME).pk)
    assert first.object_repr == f"网络安全和信息化经费 / {HELD_NAME}"
    assert {k: first.after[k] for k in ("target", "target_op", "target_value", "target_unit")} == {
        "target": "≥200条",
        "target_op": ">=",
        "target_value": "200",
        "target_unit": "条",
    }
    assert verify().ok


def test_reimporting_the_same_document_logs_nothing(imported, demo_document, officer):
    seq = last_seq()

    import_document(demo_document, actor=Actor(officer), source="v1.txt")

    assert rows_since(seq) == []


def test_changed_target_logs_before_and_after_with_the_parsed_value(
    imported, demo_document, officer
):
    first = demo_document.projects[0].indicators[0]
    first.target = "≥20条"
    first.parsed = ParsedTarget("quantitative", ">=", "20", "条")
    seq = last_seq()

    import_document(demo_document, actor=Actor(officer), source="v2.txt")

    project_row, indicator_row = rows_since(seq)
    assert (project_row.object_type, project_row.action, project_row.comment) == (
        "targets.project",
        "update",
        "导入「v2.txt」，第 2 版",
    )
    assert (project_row.before, project_row.after) == ({}, {})  # only an indicator changed
    assert (indicator_row.object_type, indicator_row.action) == ("targets.indicator", "update")
    assert indicator_row.before == {"target": "≥200条", "target_value": "200"}
    assert indicator_row.after == {"target": "≥20条", "target_value": "20"}
    assert indicator_row.comment == "导入「v2.txt」"


def test_changed_budget_and_plan_of_a_project_are_logged(imported, demo_document, officer):
    second = demo_document.projects[1]
    second.budget = Budget("万元", Decimal("5.5"), Decimal("5.5"), Decimal("0"))
    second.spending_plan = second.spending_plan[:2]
    seq = last_seq()

    import_document(demo_document, actor=Actor(officer), source="v2.txt")

    (row,) = rows_since(seq)
    assert (row.object_repr, row.action, row.comment) == (
        "网络宣传管理经费",
        "update",
        "导入「v2.txt」，第 2 版",
    )
    assert row.before == {
        "budget_total": "5",
        "budget_fiscal": "5",
        "资金支出计划": "3月底25%、6月底50%、10月底75%、12月底100%",
    }
    assert row.after == {
        "budget_total": "5.5",
        "budget_fiscal": "5.5",
        "资金支出计划": "3月底25%、6月底50%",
    }


def test_changed_overall_goal_is_logged(imported, demo_document, officer):
    demo_document.unit_goal.overall = "新的总体目标"
    seq = last_seq()

    import_document(demo_document, actor=Actor(officer), source="v2.txt")

    (row,) = rows_since(seq)
    assert (row.object_type, row.action, row.comment) == (
        "targets.unitgoal",
        "update",
        "导入「v2.txt」，第 2 版",
    )
    assert row.before == {
        "overall": "营造网络正面舆论强势，强化网络舆情监控处置，提升网络安全防护能力。"
    }
    assert row.after == {"overall": "新的总体目标"}


def test_removal_restore_and_revival_are_logged(held, demo_document, officer):
    held_row = demo_document.projects[0].indicators[0]
    seq = last_seq()
    import_document(
        without(dataclasses.replace(demo_document), HELD_NAME),
        actor=Actor(officer),
        source="v2.txt",
        confirm_removals=True,
    )
    project_row, *moved, removal = rows_since(seq)
    indicator = Indicator.all_objects.get(pk=held.indicator.pk)
    # The rows below the removed one move up: each such change is logged too.
    assert [(r.object_repr, r.before, r.after) for r in moved] == [
        ("网络安全和信息化经费 / 网络舆情处置率", {"position": 2}, {"position": 1}),
        ("网络安全和信息化经费 / 构建清朗网络空间", {"position": 3}, {"position": 2}),
        ("网络安全和信息化经费 / 服务对象满意度", {"position": 4}, {"position": 3}),
    ]
    revision_2 = Revision.objects.get(project=indicator.project, number=2)

    assert project_row.comment == "导入「v2.txt」，第 2 版"
    assert (removal.action, removal.object_id) == ("remove", str(indicator.pk))
    assert removal.before == {"removed_at": None, "removed_by": None, "removed_in_revision": None}
    assert removal.after == {
        "removed_at": indicator.removed_at.isoformat(),
        "removed_by": officer.pk,
        "removed_in_revision": revision_2.pk,
    }
    assert removal.comment == (
        "导入「v2.txt」：表中没有该指标，移除（保留，可恢复），第 2 版；"
        "带有口径 1 个、手工填报实际完成值 3 条、佐证材料 2 个"
    )

    seq = last_seq()
    restore_indicator(indicator, actor=Actor(officer))
    (restore,) = rows_since(seq)
    assert (restore.action, restore.object_id, restore.comment) == (
        "restore",
        str(indicator.pk),
        "恢复被移除的指标，第 3 版",
    )
    assert restore.before == removal.after
    assert restore.after == removal.before

    # Removed again, then brought back by an import that has it again.
    import_document(
        without(dataclasses.replace(demo_document), HELD_NAME),
        actor=Actor(officer),
        source="v4.txt",
        confirm_removals=True,
    )
    seq = last_seq()
    demo_document.projects[0].indicators.insert(0, held_row)
    import_document(demo_document, actor=Actor(officer), source="v5.txt")
    project_row, revival, *moved = rows_since(seq)
    assert len(moved) == 3
    assert (project_row.comment, revival.action, revival.object_id) == (
        "导入「v5.txt」，第 5 版",
        "restore",
        str(indicator.pk),
    )
    assert revival.comment == "导入「v5.txt」：表中再次出现，恢复"
    assert revival.after == {"removed_at": None}  # same place and target as before
    assert verify().ok
