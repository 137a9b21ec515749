"""A re-import that drops indicators: what they hold needs confirming, what goes is kept
(soft-deleted), and it can be restored by hand or by a later import."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError

from jixiao import importers
from jixiao.audit.models import ChangeLog
from jixiao.core.document import ParsedTarget
from jixiao.lib.actor import Actor
from jixiao.metrics.models import Evidence, ManualActual, Metric
from jixiao.rounds.models import IndicatorEntry, Report, Round, ScoreOverride
from jixiao.targets.holdings import holdings_of
from jixiao.targets.models import Indicator, Project, Revision
from jixiao.targets.services import (
    RemovalNeedsConfirmation,
    import_document,
    pending_removals,
    removed_indicators,
    restore_indicator,
)
from jixiao.targets.tests.conftest import HELD_NAME, lines_naming, without

pytestmark = pytest.mark.django_db

HELD_TEXT = "口径 1 个、手工填报实际完成值 3 条、佐证材料 2 个"


def state() -> list[object]:
    """Everything an import could change, to show that a refused one changed nothing."""
    return [
        sorted(Indicator.all_objects.values_list()),
        sorted(Revision.objects.values_list("id", "number", "changes")),
        ChangeLog.objects.count(),
        Metric.objects.count(),
        ManualActual.objects.count(),
        Evidence.objects.count(),
    ]


def test_removal_of_an_indicator_holding_data_is_refused_listing_what_it_holds(
    held, demo_document, officer
):
    before = state()

    with pytest.raises(RemovalNeedsConfirmation) as refused:
        import_document(without(demo_document, HELD_NAME), actor=Actor(officer), source="v2.txt")

    assert refused.value.messages == [
        "导入将移除以下带有数据的绩效指标（移除后指标及其数据仍保留，可在项目的修改记录页恢复），"
        "请确认后再导入：",
        f"「网络安全和信息化经费」{HELD_NAME}：{HELD_TEXT}",
    ]
    (removal,) = refused.value.removals
    assert (removal.indicator_id, removal.holdings.text) == (held.indicator.pk, HELD_TEXT)
    assert state() == before


def test_pending_removals_lists_every_indicator_the_import_would_remove(held, demo_document):
    document = without(demo_document, HELD_NAME)
    document.projects[1].indicators.pop()  # 网络宣传影响力持续期限: holds nothing

    removals = pending_removals(document)

    assert [(r.project, r.text) for r in removals] == [
        ("网络安全和信息化经费", f"{HELD_NAME}：{HELD_TEXT}"),
        ("网络宣传管理经费", "网络宣传影响力持续期限"),
    ]


def test_removal_of_an_indicator_holding_nothing_needs_no_confirmation(imported, demo_document):
    demo_document.projects[1].indicators.pop()

    result = import_document(demo_document, actor=Actor.system(), source="v2.txt")

    gone = Indicator.all_objects.get(level3="网络宣传影响力持续期限")
    assert gone.removed
    assert result.objects[2].changes[-1]["field"] == "删除指标"
    assert "held" not in result.objects[2].changes[-1]


def test_confirmed_removal_keeps_the_indicator_and_all_it_holds(held, demo_document, officer):
    result = import_document(
        without(demo_document, HELD_NAME),
        actor=Actor(officer),
        source="v2.txt",
        confirm_removals=True,
    )

    project = Project.objects.get(code="13032221C2GKIBLPDEWRQ")
    assert HELD_NAME not in [i.level3 for i in project.indicators.all()]
    assert not Indicator.objects.filter(pk=held.indicator.pk).exists()
    kept = Indicator.all_objects.get(pk=held.indicator.pk)
    revision = Revision.objects.get(project=project, number=2)
    assert kept.removed_at is not None
    assert (kept.removed_by, kept.removed_in_revision) == (officer, revision)
    assert Metric.objects.get(indicator_id=kept.pk) == held.metric
    assert list(ManualActual.objects.filter(indicator_id=kept.pk).order_by("as_of")) == held.actuals
    assert set(Evidence.objects.filter(actual__indicator_id=kept.pk)) == set(held.evidence)
    # The revision says what the removed indicator held.
    assert revision.changes == [
        {
            "field": "删除指标",
            "indicator": HELD_NAME,
            "path": f"产出指标 / 数量指标 / {HELD_NAME}",
            "before": "≥200条",
            "after": None,
            "held": HELD_TEXT,
        }
    ]
    assert (
        f"    删除指标「{HELD_NAME}」：≥200条（带有{HELD_TEXT}，已保留，可恢复）"
        in result.summary_lines()
    )
    assert [(r.indicator.pk, r.holdings.text) for r in removed_indicators(project)] == [
        (kept.pk, HELD_TEXT)
    ]


def test_restore_brings_the_indicator_back_with_the_same_id_and_binding(
    held, demo_document, officer
):
    import_document(
        without(demo_document, HELD_NAME),
        actor=Actor(officer),
        source="v2.txt",
        confirm_removals=True,
    )
    removed = Indicator.all_objects.get(pk=held.indicator.pk)

    restored = restore_indicator(removed, actor=Actor(officer))

    project = Project.objects.get(code="13032221C2GKIBLPDEWRQ")
    assert restored.pk == held.indicator.pk
    assert project.indicators.first().pk == held.indicator.pk
    assert (restored.removed_at, restored.removed_by, restored.removed_in_revision) == (
        None,
        None,
        None,
    )
    assert Indicator.objects.get(pk=held.indicator.pk).metric == held.metric
    assert ManualActual.objects.filter(indicator=restored).count() == 3
    revision = Revision.objects.get(project=project, number=3)
    assert (revision.source, revision.created_by) == (f"恢复指标「{HELD_NAME}」", officer)
    assert revision.changes == [
        {
            "field": "恢复指标",
            "indicator": HELD_NAME,
            "path": f"产出指标 / 数量指标 / {HELD_NAME}",
            "before": None,
            "after": "≥200条",
        }
    ]
    assert revision.snapshot == Revision.objects.get(project=project, number=1).snapshot
    assert removed_indicators(project) == []


def test_restoring_an_indicator_in_force_is_refused(held, officer):
    with pytest.raises(ValidationError, match="没有被移除，无需恢复"):
        restore_indicator(held.indicator, actor=Actor(officer))


@pytest.mark.parametrize("who", ["officer_b", "reviewer"])
def test_restore_by_someone_who_does_not_keep_the_unit_is_refused(
    held, demo_document, officer, request, who
):
    import_document(
        without(demo_document, HELD_NAME),
        actor=Actor(officer),
        source="v2.txt",
        confirm_removals=True,
    )
    person = request.getfixturevalue(who)
    before = state()
    removed = Indicator.all_objects.get(pk=held.indicator.pk)

    with pytest.raises(PermissionDenied):
        restore_indicator(removed, actor=Actor(person))

    assert state() == before
    assert Indicator.all_objects.get(pk=removed.pk).removed


def test_reimport_with_the_indicator_again_revives_the_same_row(held, demo_document, officer):
    first = demo_document.projects[0].indicators[0]
    import_document(
        without(dataclasses.replace(demo_document), HELD_NAME),
        actor=Actor(officer),
        source="v2.txt",
        confirm_removals=True,
    )
    demo_document.projects[0].indicators.insert(
        0,
        dataclasses.replace(
            first, target="≥20条", parsed=ParsedTarget("quantitative", ">=", "20", "条")
        ),
    )

    result = import_document(demo_document, actor=Actor(officer), source="v3.txt")

    revived = Indicator.objects.get(level3=HELD_NAME)
    assert revived.pk == held.indicator.pk
    assert (revived.target, revived.target_value, revived.removed_at) == (
        "≥20条",
        Decimal(20),
        None,
    )
    assert revived.metric == held.metric
    assert Indicator.all_objects.filter(level3=HELD_NAME).count() == 1
    assert result.objects[1].changes == [
        {
            "field": "恢复指标",
            "indicator": HELD_NAME,
            "path": f"产出指标 / 数量指标 / {HELD_NAME}",
            "before": None,
            "after": "≥20条",
        }
    ]


def test_a_removed_twin_comes_back_only_for_one_more_of_its_kind(imported, demo_document):
    rows = demo_document.projects[1].indicators
    twin = dataclasses.replace(rows[0], target="≥600条")
    rows.append(twin)
    import_document(demo_document, actor=Actor.system(), source="v2")
    first_id, second_id = Indicator.objects.filter(level3=twin.level3).values_list("id", flat=True)
    rows.pop()
    import_document(demo_document, actor=Actor.system(), source="v3")
    assert Indicator.all_objects.get(pk=second_id).removed

    rows.append(dataclasses.replace(twin, target="≥650条"))
    import_document(demo_document, actor=Actor.system(), source="v4")

    assert list(Indicator.objects.filter(level3=twin.level3).values_list("id", "target")) == [
        (first_id, "≥500条"),
        (second_id, "≥650条"),
    ]


def test_removed_indicator_leaves_actuals_and_monitoring_and_comes_back_on_restore(
    held, demo_document, officer
):
    def output(command: str) -> str:
        out = StringIO()
        args = ["--unit", "224001", "--year", "2021", "--as-of", "2021-06-30"]
        call_command(command, *args, stdout=out)
        return out.getvalue()

    assert lines_naming(output("actuals"), HELD_NAME) == [
        f"  {HELD_NAME}：指标值 ≥200条，实际完成值 103条（手工填报）"
    ]
    assert len(lines_naming(output("monitor"), HELD_NAME)) == 1

    import_document(
        without(demo_document, HELD_NAME),
        actor=Actor(officer),
        source="v2.txt",
        confirm_removals=True,
    )

    assert lines_naming(output("actuals"), HELD_NAME) == []
    assert lines_naming(output("monitor"), HELD_NAME) == []
    assert "网络舆情处置率" in output("actuals")  # the rest of the table is still there

    restore_indicator(Indicator.all_objects.get(pk=held.indicator.pk), actor=Actor(officer))

    assert lines_naming(output("actuals"), HELD_NAME) == [
        f"  {HELD_NAME}：指标值 ≥200条，实际完成值 103条（手工填报）"
    ]
    assert len(lines_naming(output("monitor"), HELD_NAME)) == 1


def test_report_inputs_and_overrides_count_as_held(imported, org, officer):
    indicator = Indicator.objects.get(level3="网络舆情处置率")
    other = Indicator.objects.get(level3="构建清朗网络空间")
    round_ = Round.objects.create(
        bureau=org.bureau,
        kind="monitoring",
        year=2021,
        as_of=dt.date(2021, 6, 30),
        due_on=dt.date(2021, 7, 15),
    )
    report = Report.objects.create(round=round_, unit=org.unit)
    IndicatorEntry.objects.create(report=report, indicator=indicator, deviation_reason="舆情减少")
    IndicatorEntry.objects.create(report=report, indicator=other)  # saved blank: holds nothing
    ScoreOverride.objects.create(
        report=report,
        project=indicator.project,
        indicator=indicator,
        computed=Decimal("8.00"),
        score=Decimal("9.00"),
        reason="复核",
    )

    found = holdings_of([indicator.pk, other.pk])

    assert {pk: h.text for pk, h in found.items()} == {
        indicator.pk: "报表填报内容 1 条、得分调整 1 条"
    }


def test_import_command_needs_confirm_removals_to_remove_held_data(
    held, demo_document, monkeypatch
):
    monkeypatch.setattr(importers, "load_document", lambda path: without(demo_document, HELD_NAME))

    with pytest.raises(CommandError) as refused:
        call_command("import", "v2.txt", stdout=StringIO())

    assert str(refused.value) == (
        "v2.txt：导入将移除以下带有数据的绩效指标："
        f"「网络安全和信息化经费」{HELD_NAME}：{HELD_TEXT}。"
        "确认移除请加 --confirm-removals（移除的指标及其数据仍保留，可恢复）。"
    )
    assert not Indicator.all_objects.get(pk=held.indicator.pk).removed

    out = StringIO()
    call_command("import", "v2.txt", "--confirm-removals", stdout=out)

    assert Indicator.all_objects.get(pk=held.indicator.pk).removed
    assert f"    删除指标「{HELD_NAME}」：≥200条（带有{HELD_TEXT}，已保留，可恢复）" in (
        out.getvalue().splitlines()
    )


def test_import_help_names_confirm_removals():
    command = load_command_class("jixiao.targets", "import")

    text = " ".join(command.create_parser("jixiao", "import").format_help().split())

    assert "--confirm-removals" in text
    assert "须加 --confirm-removals 确认" in text
    assert "命令行是服务器管理员的工具" in text
