"""Binding metrics and entering actuals by hand: validation, replacement, evidence files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao.metrics.models import Evidence, ManualActual, Metric
from jixiao.metrics.services import (
    add_evidence,
    bind_metric,
    enter_manual_actual,
    unbind_metric,
)
from jixiao.metrics.tests.conftest import Builder
from jixiao.metrics.tests.definitions import ALERTS, DISPOSAL, MANUAL, POSTS, count

JUNE = dt.date(2021, 6, 30)


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    """Evidence files go to a scratch directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_bind_checks_the_definition_against_the_units_ledgers(build: Builder) -> None:
    indicator = build.indicator(build.project(), "舆情数")
    with pytest.raises(ValidationError) as caught:
        bind_metric(
            indicator, count("opinion", {"field": "grade", "op": "=", "value": "特大"}), actor=None
        )
    assert caught.value.messages == [
        "第1个筛选条件：“级别”没有选项“特大”（可用：一般、较大、重大）"
    ]
    assert not Metric.objects.exists()


def test_bind_refuses_project_scope_on_unit_work(build: Builder) -> None:
    indicator = build.indicator(build.project(), "发布数")
    with pytest.raises(ValidationError) as caught:
        bind_metric(indicator, {"kind": "count", "ledger": "post"}, actor=None)
    assert "“网宣发布”台账不关联预算项目" in caught.value.messages[0]


def test_bind_replaces_the_metric_and_records_who(build: Builder, officer: User) -> None:
    indicator = build.indicator(build.project(), "舆情监测预警、研判分析数", ALERTS)
    bind_metric(indicator, POSTS, actor=officer, note="改为按发布数")
    metric = Metric.objects.get()
    assert (metric.indicator, metric.definition, metric.note) == (indicator, POSTS, "改为按发布数")
    assert metric.updated_by == officer


def test_unbind(build: Builder) -> None:
    indicator = build.indicator(build.project(), "处置率", DISPOSAL)
    assert unbind_metric(indicator, actor=None) is True
    assert unbind_metric(indicator, actor=None) is False
    assert not Metric.objects.exists()


def test_manual_entry_needs_a_value_and_evidence(build: Builder) -> None:
    indicator = build.indicator(build.project(), "构建清朗网络空间", MANUAL, kind="qualitative")
    with pytest.raises(ValidationError) as caught:
        enter_manual_actual(indicator, as_of=JUNE, value=" ", evidence="", actor=None)
    assert caught.value.message_dict == {
        "value": ["请填写实际完成值。"],
        "evidence": ["请填写佐证说明（数据来源、依据的材料）。"],
    }
    assert not ManualActual.objects.exists()


def test_manual_entry_is_refused_for_a_computed_indicator(build: Builder) -> None:
    indicator = build.indicator(build.project(), "处置率", DISPOSAL)
    with pytest.raises(ValidationError) as caught:
        enter_manual_actual(indicator, as_of=JUNE, value="100%", evidence="台账", actor=None)
    assert "该指标按口径自动计算，不能手工填报" in caught.value.message_dict["value"][0]


@pytest.mark.parametrize(
    ("target", "kind", "value", "number"),
    [
        ("1年", "quantitative", "1年", Decimal(1)),
        ("≥200条", "quantitative", "230条", Decimal(230)),
        ("≥90%", "quantitative", "96.5%", Decimal("96.5")),
        ("1年", "quantitative", "长期", None),
        ("是", "qualitative", "达成", None),
    ],
)
def test_manual_number_is_parsed_for_quantitative_targets(
    build: Builder, target: str, kind: str, value: str, number: Decimal | None
) -> None:
    indicator = build.indicator(build.project(), "指标", target=target, kind=kind)
    entry = enter_manual_actual(indicator, as_of=JUNE, value=value, evidence="材料", actor=None)
    assert (entry.value, entry.number) == (value, number)


def test_manual_entry_keeps_the_evidence_files_and_the_user(
    build: Builder, officer: User, media: Path
) -> None:
    indicator = build.indicator(build.project(), "构建清朗网络空间", kind="qualitative")
    files = [
        SimpleUploadedFile("工作总结.pdf", b"%PDF-1.4 summary"),
        SimpleUploadedFile("截图.png", b"png"),
    ]
    entry = enter_manual_actual(
        indicator, as_of=JUNE, value=" 达成 ", evidence=" 年中总结 ", files=files, actor=officer
    )
    assert (entry.value, entry.evidence, entry.entered_by) == ("达成", "年中总结", officer)
    names = [e.name for e in entry.files.all()]
    assert names == ["工作总结.pdf", "截图.png"]
    stored = Path(entry.files.first().file.path)
    assert stored.read_bytes() == b"%PDF-1.4 summary"
    assert media in stored.parents


def test_add_evidence_later(build: Builder) -> None:
    indicator = build.indicator(build.project(), "构建清朗网络空间", kind="qualitative")
    entry = enter_manual_actual(indicator, as_of=JUNE, value="达成", evidence="总结", actor=None)
    add_evidence(entry, SimpleUploadedFile("补充材料.docx", b"docx"), actor=None)
    assert list(Evidence.objects.values_list("name", flat=True)) == ["补充材料.docx"]
