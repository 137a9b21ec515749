"""Binding metrics and entering actuals by hand: validation, replacement, evidence files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao.audit.models import ChangeLog
from jixiao.audit.versions import StaleEdit
from jixiao.lib.actor import Actor
from jixiao.metrics.models import Evidence, ManualActual, Metric
from jixiao.metrics.services import (
    add_evidence,
    bind_metric,
    enter_manual_actual,
    readings_of,
    remove_evidence,
    restore_evidence,
    set_fraction_actuals,
    unbind_metric,
)
from jixiao.metrics.tests.conftest import SYSTEM, Builder
from jixiao.metrics.tests.definitions import ALERTS, DISPOSAL, MANUAL, POSTS, count

JUNE = dt.date(2021, 6, 30)


def last_row() -> ChangeLog:
    """The newest change-log row."""
    return ChangeLog.objects.order_by("-seq").first()


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    """Evidence files go to a scratch directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_bind_checks_the_definition_against_the_units_ledgers(build: Builder) -> None:
    indicator = build.indicator(build.project(), "舆情数")
    with pytest.raises(ValidationError) as caught:
        bind_metric(
            indicator,
            count("opinion", {"field": "grade", "op": "=", "value": "特大"}),
            actor=SYSTEM,
        )
    assert caught.value.messages == [
        "第1个筛选条件：“级别”没有选项“特大”（可用：一般、较大、重大）"
    ]
    assert not Metric.objects.exists()


def test_bind_refuses_project_scope_on_unit_work(build: Builder) -> None:
    indicator = build.indicator(build.project(), "发布数")
    with pytest.raises(ValidationError) as caught:
        bind_metric(indicator, {"kind": "count", "ledger": "post"}, actor=SYSTEM)
    assert "“网宣发布”台账不关联预算项目" in caught.value.messages[0]


def test_bind_replaces_the_metric_and_records_who(build: Builder, officer: User) -> None:
    indicator = build.indicator(build.project(), "舆情监测预警、研判分析数", ALERTS)
    bind_metric(indicator, POSTS, actor=Actor(officer), note="改为按发布数")
    metric = Metric.objects.get()
    assert (metric.indicator, metric.definition, metric.note) == (indicator, POSTS, "改为按发布数")
    assert (metric.updated_by, metric.version) == (officer, 2)


def test_binding_a_new_metric_logs_the_whole_binding(build: Builder, officer: User) -> None:
    indicator = build.indicator(build.project(), "舆情监测预警、研判分析数")
    metric = bind_metric(indicator, ALERTS, actor=Actor(officer), note="按台账")
    row = last_row()
    assert (row.action, row.object_type, row.object_id) == (
        "bind",
        "metrics.metric",
        str(metric.pk),
    )
    assert (row.user, row.username, row.via) == (officer, "经办人（officer）", "web")
    assert (row.unit_id, row.object_version) == (indicator.project.unit_id, 1)
    assert row.before is None
    assert row.after == {"indicator": indicator.pk, "definition": ALERTS, "note": "按台账"}


def test_rebinding_logs_the_definition_and_note_before_and_after(
    build: Builder, officer: User
) -> None:
    indicator = build.indicator(build.project(), "舆情监测预警、研判分析数", ALERTS)
    bind_metric(indicator, POSTS, actor=Actor(officer), note="改为按发布数")
    row = last_row()
    assert (row.action, row.object_version) == ("bind", 2)
    assert row.before == {"definition": ALERTS, "note": ""}
    assert row.after == {"definition": POSTS, "note": "改为按发布数"}


def test_rebinding_what_is_bound_changes_nothing(build: Builder, officer: User) -> None:
    indicator = build.indicator(build.project(), "处置率", DISPOSAL)
    rows = ChangeLog.objects.count()
    metric = bind_metric(indicator, DISPOSAL, actor=Actor(officer))
    assert (metric.version, ChangeLog.objects.count()) == (1, rows)


def test_a_stale_rebinding_is_refused_with_what_changed(
    build: Builder, officer: User, head: User
) -> None:
    indicator = build.indicator(build.project(), "舆情监测预警、研判分析数", ALERTS)
    # Both opened the binding at version 1; the officer saves first.
    bind_metric(indicator, POSTS, actor=Actor(officer), note="按发布数", version=1)
    with pytest.raises(StaleEdit) as caught:
        bind_metric(indicator, DISPOSAL, actor=Actor(head), note="按处置率", version=1)
    assert caught.value.current_version == 2
    assert "在你打开之后已被他人修改，你的修改没有保存" in caught.value.messages[0]
    assert caught.value.messages[1].startswith("经办人（officer）（")
    assert "口径说明：（空） → 按发布数" in caught.value.messages[1]
    metric = Metric.objects.get()
    assert (metric.definition, metric.note, metric.version) == (POSTS, "按发布数", 2)
    assert last_row().after == {"definition": POSTS, "note": "按发布数"}


def test_a_new_binding_over_one_made_meanwhile_is_refused(
    build: Builder, officer: User, head: User
) -> None:
    indicator = build.indicator(build.project(), "处置率")
    bind_metric(indicator, DISPOSAL, actor=Actor(officer), version=0)
    with pytest.raises(StaleEdit):
        bind_metric(indicator, ALERTS, actor=Actor(head), version=0)
    assert Metric.objects.get().definition == DISPOSAL


def test_rebinding_a_metric_unbound_meanwhile_is_refused(
    build: Builder, officer: User, head: User
) -> None:
    indicator = build.indicator(build.project(), "处置率", DISPOSAL)
    unbind_metric(indicator, actor=Actor(officer), version=1)
    with pytest.raises(StaleEdit) as caught:
        bind_metric(indicator, ALERTS, actor=Actor(head), version=1)
    assert "口径在你打开之后已被他人解除" in caught.value.messages[0]
    assert not Metric.objects.exists()


def test_unbind(build: Builder) -> None:
    indicator = build.indicator(build.project(), "处置率", DISPOSAL)
    assert unbind_metric(indicator, actor=SYSTEM) is True
    assert unbind_metric(indicator, actor=SYSTEM) is False
    assert not Metric.objects.exists()


def test_unbind_logs_the_removed_definition(build: Builder, head: User) -> None:
    indicator = build.indicator(build.project(), "处置率", DISPOSAL)
    metric_id = Metric.objects.get().pk
    unbind_metric(indicator, actor=Actor(head))
    row = last_row()
    assert (row.action, row.object_id, row.user) == ("unbind", str(metric_id), head)
    assert row.before == {"indicator": indicator.pk, "definition": DISPOSAL, "note": ""}
    assert row.after is None


def test_a_stale_unbind_is_refused(build: Builder, officer: User, head: User) -> None:
    indicator = build.indicator(build.project(), "处置率", DISPOSAL)
    bind_metric(indicator, ALERTS, actor=Actor(officer), version=1)
    with pytest.raises(StaleEdit):
        unbind_metric(indicator, actor=Actor(head), version=1)
    assert Metric.objects.get().definition == ALERTS


def test_manual_entry_needs_a_value_and_evidence(build: Builder) -> None:
    indicator = build.indicator(build.project(), "构建清朗网络空间", MANUAL, kind="qualitative")
    with pytest.raises(ValidationError) as caught:
        enter_manual_actual(indicator, as_of=JUNE, value=" ", evidence="", actor=SYSTEM)
    assert caught.value.message_dict == {
        "value": ["请填写实际完成值。"],
        "evidence": ["请填写佐证说明（数据来源、依据的材料）。"],
    }
    assert not ManualActual.objects.exists()


def test_manual_entry_is_refused_for_a_computed_indicator(build: Builder) -> None:
    indicator = build.indicator(build.project(), "处置率", DISPOSAL)
    with pytest.raises(ValidationError) as caught:
        enter_manual_actual(indicator, as_of=JUNE, value="100%", evidence="台账", actor=SYSTEM)
    assert "该指标按口径自动计算，不能手工填报" in caught.value.message_dict["value"][0]


@pytest.mark.parametrize(
    ("target", "kind", "value", "number"),
    [
        ("1年", "quantitative", "1年", Decimal(1)),
        ("≥200条", "quantitative", "230条", Decimal(230)),
        ("≥90%", "quantitative", "96.5%", Decimal("96.5")),
        ("1年", "quantitative", "长期", None),
        ("是", "qualitative", "达成", None),
        # In the target's unit (jixiao.core.quantities): 6 of 12 months; 142000 元 = 14.2 万元;
        # 100 days = 100/365 年 = 0.27397… → 0.2740 (the text keeps what was written).
        ("1年", "quantitative", "6个月", Decimal("0.5")),
        ("≤15万元", "quantitative", "142000元", Decimal("14.2")),
        ("1年", "quantitative", "100天", Decimal("0.2740")),
        # Another dimension: no number, the text stays (scoring says why; a person scores it).
        ("1年", "quantitative", "95%", None),
    ],
)
def test_manual_number_is_parsed_for_quantitative_targets(
    build: Builder, target: str, kind: str, value: str, number: Decimal | None
) -> None:
    indicator = build.indicator(build.project(), "指标", target=target, kind=kind)
    entry = enter_manual_actual(indicator, as_of=JUNE, value=value, evidence="材料", actor=SYSTEM)
    assert (entry.value, entry.number) == (value, number)


@pytest.mark.parametrize(("value", "number"), [("95%", Decimal(95)), ("0.95%", Decimal("0.95"))])
def test_an_ambiguous_fraction_is_refused_until_written_out(
    build: Builder, value: str, number: Decimal
) -> None:
    indicator = build.indicator(build.project(), "满意度", target="≥90%")
    # 0.95 against ≥90%: 95% or 0.95%? The person is asked to write which.
    with pytest.raises(ValidationError) as caught:
        enter_manual_actual(indicator, as_of=JUNE, value="0.95", evidence="问卷", actor=SYSTEM)
    message = caught.value.message_dict["value"][0]
    assert message == (
        "实际完成值“0.95”是比例还是百分数不明确：若为 95%，请填写“95%”；若为 0.95%，请填写“0.95%”"
    )
    entry = enter_manual_actual(indicator, as_of=JUNE, value=value, evidence="问卷", actor=SYSTEM)
    assert entry.number == number


@pytest.mark.parametrize(("reading", "number"), [("95%", Decimal(95)), ("0.95%", Decimal("0.95"))])
def test_an_ambiguous_fraction_is_kept_as_the_reading_the_person_picks(
    build: Builder, reading: str, number: Decimal
) -> None:
    indicator = build.indicator(build.project(), "满意度", target="≥90%")
    assert readings_of(indicator, "0.95") == ("95%", "0.95%")
    assert readings_of(indicator, "0.125") == ("12.5%", "0.125%")
    # Not ambiguous that way: written out, above 1, another dimension, several numbers.
    assert readings_of(indicator, "95%") == readings_of(indicator, "95") == ()
    assert readings_of(indicator, "5条") == readings_of(indicator, "0.3和0.4") == ()
    entry = enter_manual_actual(
        indicator, as_of=JUNE, value="0.95", reading=reading, evidence="问卷", actor=SYSTEM
    )
    assert (entry.value, entry.number) == (reading, number)


def test_a_reading_that_was_not_offered_is_refused(build: Builder) -> None:
    indicator = build.indicator(build.project(), "满意度", target="≥90%")
    with pytest.raises(ValidationError) as caught:
        enter_manual_actual(
            indicator, as_of=JUNE, value="0.95", reading="96%", evidence="问卷", actor=SYSTEM
        )
    assert caught.value.message_dict == {"reading": ["请在给出的理解中选择一项。"]}
    assert not ManualActual.objects.filter(indicator=indicator).exists()


def test_a_table_that_writes_fractions_reads_them_without_asking(build: Builder) -> None:
    indicator = build.indicator(build.project(), "满意度", target="≥90%")
    indicator = set_fraction_actuals(indicator, True, actor=SYSTEM)
    assert readings_of(indicator, "0.95") == ()
    # 0.95 = 95%; 0.875 = 87.5%; 1 = 100%; a number above 1 and a written % stay as they are.
    for value, number in [("0.95", "95"), ("0.875", "87.5"), ("1", "100"), ("96", "96")]:
        entry = enter_manual_actual(
            indicator, as_of=JUNE, value=value, evidence="问卷", actor=SYSTEM
        )
        assert entry.number == Decimal(number), value
    entry = enter_manual_actual(indicator, as_of=JUNE, value="0.5%", evidence="问卷", actor=SYSTEM)
    assert entry.number == Decimal("0.5")
    row = ChangeLog.objects.filter(object_type="targets.indicator", object_id=str(indicator.pk))
    assert [(r.before, r.after) for r in row] == [
        ({"fraction_actuals": False}, {"fraction_actuals": True})
    ]


def test_the_fraction_switch_needs_the_right_to_edit(build: Builder) -> None:
    indicator = build.indicator(build.project(), "满意度", target="≥90%")
    outsider = User.objects.create_user("outsider")
    with pytest.raises(PermissionDenied):
        set_fraction_actuals(indicator, True, actor=Actor(user=outsider))
    indicator.refresh_from_db()
    assert indicator.fraction_actuals is False


def test_manual_entry_keeps_the_evidence_files_and_the_user(
    build: Builder, officer: User, media: Path
) -> None:
    indicator = build.indicator(build.project(), "构建清朗网络空间", kind="qualitative")
    files = [
        SimpleUploadedFile("工作总结.pdf", b"%PDF-1.4 summary"),
        SimpleUploadedFile("截图.png", b"png"),
    ]
    entry = enter_manual_actual(
        indicator,
        as_of=JUNE,
        value=" 达成 ",
        evidence=" 年中总结 ",
        files=files,
        actor=Actor(officer),
    )
    assert (entry.value, entry.evidence, entry.entered_by) == ("达成", "年中总结", officer)
    names = [e.name for e in entry.files.all()]
    assert names == ["工作总结.pdf", "截图.png"]
    stored = Path(entry.files.first().file.path)
    assert stored.read_bytes() == b"%PDF-1.4 summary"
    assert media in stored.parents


def test_add_evidence_later(build: Builder) -> None:
    indicator = build.indicator(build.project(), "构建清朗网络空间", kind="qualitative")
    entry = enter_manual_actual(indicator, as_of=JUNE, value="达成", evidence="总结", actor=SYSTEM)
    add_evidence(entry, SimpleUploadedFile("补充材料.docx", b"docx"), actor=SYSTEM)
    assert list(Evidence.objects.values_list("name", flat=True)) == ["补充材料.docx"]


def test_a_hand_entry_logs_its_values_and_file_names(build: Builder, officer: User) -> None:
    indicator = build.indicator(build.project(), "舆情监测预警、研判分析数", target="≥200条")
    entry = enter_manual_actual(
        indicator,
        as_of=JUNE,
        value="230条",
        evidence="舆情周报汇总",
        files=[SimpleUploadedFile("周报.xlsx", b"x"), SimpleUploadedFile("截图.png", b"p")],
        actor=Actor(officer, ip="10.0.0.7"),
    )
    row = last_row()
    assert (row.action, row.object_type, row.object_id) == (
        "create",
        "metrics.manualactual",
        str(entry.pk),
    )
    assert (row.user, row.ip, row.unit_id) == (officer, "10.0.0.7", indicator.project.unit_id)
    assert row.before is None
    assert row.after == {
        "indicator": indicator.pk,
        "as_of": "2021-06-30",
        "value": "230条",
        "number": "230",
        "evidence": "舆情周报汇总",
        "files": ["周报.xlsx", "截图.png"],
    }
    # One row for the entry and its files.
    assert ChangeLog.objects.filter(object_type="metrics.evidence").count() == 0


def test_a_refused_hand_entry_writes_no_row(build: Builder, officer: User) -> None:
    indicator = build.indicator(build.project(), "处置率", DISPOSAL)
    rows = ChangeLog.objects.count()
    with pytest.raises(ValidationError):
        enter_manual_actual(
            indicator, as_of=JUNE, value="100%", evidence="台账", actor=Actor(officer)
        )
    assert ChangeLog.objects.count() == rows


def test_adding_evidence_logs_the_file(build: Builder, officer: User) -> None:
    indicator = build.indicator(build.project(), "构建清朗网络空间", kind="qualitative")
    entry = enter_manual_actual(
        indicator, as_of=JUNE, value="达成", evidence="总结", actor=Actor(officer)
    )
    evidence = add_evidence(entry, SimpleUploadedFile("补充.pdf", b"%PDF"), actor=Actor(officer))
    row = last_row()
    assert (row.action, row.object_type, row.object_id) == (
        "attach",
        "metrics.evidence",
        str(evidence.pk),
    )
    assert row.object_repr == "构建清朗网络空间：补充.pdf"
    assert row.after == {"actual": entry.pk, "name": "补充.pdf", "file": evidence.file.name}
    assert row.after["file"].startswith(f"evidence/{indicator.pk}/")


def test_removed_evidence_is_hidden_kept_logged_and_restorable(
    build: Builder, officer: User, head: User
) -> None:
    indicator = build.indicator(build.project(), "构建清朗网络空间", kind="qualitative")
    entry = enter_manual_actual(
        indicator,
        as_of=JUNE,
        value="达成",
        evidence="总结",
        files=[SimpleUploadedFile("总结.pdf", b"%PDF-1"), SimpleUploadedFile("错传.png", b"p")],
        actor=Actor(officer),
    )
    wrong = entry.files.get(name="错传.png")
    removed = remove_evidence(wrong, actor=Actor(officer), reason="传错了文件")
    assert (removed.removed, removed.removed_by) == (True, officer)
    assert list(entry.files.live().values_list("name", flat=True)) == ["总结.pdf"]
    assert list(entry.files.removed().values_list("name", flat=True)) == ["错传.png"]
    assert Path(removed.file.path).read_bytes() == b"p"  # the file is kept
    row = last_row()
    assert (row.action, row.object_id, row.comment) == ("remove", str(wrong.pk), "传错了文件")
    assert row.before == {"removed_at": None, "removed_by": None}
    assert row.after == {"removed_at": removed.removed_at.isoformat(), "removed_by": officer.pk}
    with pytest.raises(ValidationError, match="已被移除"):
        remove_evidence(wrong, actor=Actor(officer))

    restored = restore_evidence(wrong, actor=Actor(head))
    assert (restored.removed, restored.removed_by) == (False, None)
    assert entry.files.live().count() == 2
    row = last_row()
    assert (row.action, row.user) == ("restore", head)
    assert row.before == {"removed_at": removed.removed_at.isoformat(), "removed_by": officer.pk}
    assert row.after == {"removed_at": None, "removed_by": None}
    with pytest.raises(ValidationError, match="没有被移除"):
        restore_evidence(wrong, actor=Actor(head))


# --- who may write ------------------------------------------------------------------------


@pytest.fixture
def manual_entry(build: Builder) -> ManualActual:
    indicator = build.indicator(build.project(), "构建清朗网络空间", MANUAL, kind="qualitative")
    return enter_manual_actual(
        indicator,
        as_of=JUNE,
        value="达成",
        evidence="总结",
        files=[SimpleUploadedFile("总结.pdf", b"%PDF")],
        actor=SYSTEM,
    )


@pytest.mark.parametrize("who", ["officer_b", "reviewer", "bureau_admin", "auditor"])
def test_only_the_units_own_people_write(
    request: pytest.FixtureRequest, manual_entry: ManualActual, who: str
) -> None:
    actor = Actor(request.getfixturevalue(who))
    indicator = manual_entry.indicator
    evidence = manual_entry.files.get()
    rows = ChangeLog.objects.count()
    message = "只有本单位的填报员或单位负责人可以修改本单位的数据。"
    attempts = [
        lambda: bind_metric(indicator, ALERTS, actor=actor),
        lambda: unbind_metric(indicator, actor=actor),
        lambda: enter_manual_actual(
            indicator, as_of=JUNE, value="是", evidence="材料", actor=actor
        ),
        lambda: add_evidence(manual_entry, SimpleUploadedFile("x.pdf", b"x"), actor=actor),
        lambda: remove_evidence(evidence, actor=actor),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match=message):
            attempt()
    assert Metric.objects.get(indicator=indicator).definition == MANUAL
    assert (ManualActual.objects.count(), Evidence.objects.count()) == (1, 1)
    assert evidence.__class__.objects.get().removed_at is None
    assert ChangeLog.objects.count() == rows


@pytest.mark.parametrize("who", ["officer", "head"])
def test_the_units_officer_and_head_write(
    request: pytest.FixtureRequest, manual_entry: ManualActual, who: str
) -> None:
    actor = Actor(request.getfixturevalue(who))
    indicator = manual_entry.indicator
    enter_manual_actual(indicator, as_of=JUNE, value="是", evidence="材料", actor=actor)
    remove_evidence(manual_entry.files.get(), actor=actor)
    unbind_metric(indicator, actor=actor)
    assert list(ChangeLog.objects.order_by("-seq").values_list("action", flat=True)[:3]) == [
        "unbind",
        "remove",
        "create",
    ]


def test_the_command_line_operator_writes(manual_entry: ManualActual) -> None:
    unbind_metric(manual_entry.indicator, actor=Actor.command_line())
    row = last_row()
    assert (row.action, row.via, row.user) == ("unbind", "cli", None)
    assert row.username.startswith("命令行（")


def test_an_anonymous_actor_writes_nothing(manual_entry: ManualActual) -> None:
    with pytest.raises(PermissionDenied):
        unbind_metric(manual_entry.indicator, actor=Actor(None))
