"""The target-table editor: the grid's form, the one write path behind it, the page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from jixiao.audit.models import ChangeLog
from jixiao.audit.versions import StaleEdit
from jixiao.lib.actor import Actor
from jixiao.metrics.models import Metric
from jixiao.targets.editing import (
    apply_op,
    edit_from_post,
    edit_of,
    read_target,
    target_problem,
    targets_of,
)
from jixiao.targets.models import Indicator, Project, Revision
from jixiao.targets.services import ImportResult, save_project_targets, table_version
from jixiao.targets.tests.conftest import HELD_NAME, HeldData

pytestmark = pytest.mark.django_db

CODE = "13032221C2GKIBLPDEWRQ"


def project() -> Project:
    return Project.objects.get(code=CODE)


def grid_post(p: Project, **changes: str) -> dict[str, str]:
    """The editor's form as the page posts it for the project's table, with changes."""
    rows = list(p.indicators.all())
    state = edit_of(p.as_targets(), [i.pk for i in rows], table_version(p))
    data = {
        "version": str(state.version),
        "rows": str(len(state.rows)),
        "money_unit": state.money_unit,
        "budget_total": state.budget_total,
        "budget_fiscal": state.budget_fiscal,
        "budget_other": state.budget_other,
        "budget_carryover": state.budget_carryover,
        "fund_use": state.fund_use,
        "spending_plan": state.spending_plan,
        "goal": state.goal,
    }
    for n, row in enumerate(state.rows):
        data[f"row-{n}-id"] = str(row.id)
        for name in ("level1", "level2", "level3", "description", "target", "basis", "weight"):
            data[f"row-{n}-{name}"] = getattr(row, name)
    data.update(changes)
    return data


def test_target_problem_refuses_an_operator_without_a_number() -> None:
    assert (
        target_problem("≥abc")
        == "指标值「≥abc」有计算符号，但后面没有可以识别的数值（例如「≥95%」）。"
    )
    assert target_problem("≥") is not None
    assert target_problem("  ") == "指标值不能为空。"
    assert target_problem("≥95%") is None
    assert target_problem("是") is None


def test_read_target_gives_kind_operator_value_unit() -> None:
    reading = read_target("不低于95%")
    assert (reading.kind, reading.op, reading.value, reading.unit) == (
        "quantitative",
        "≥",
        "95",
        "%",
    )
    assert reading.text == "定量 ≥ 95 %"
    assert read_target("2021年12月底前", year=2021).value == "2021-12-31"
    assert read_target("290%").warning is not None


def test_apply_op_adds_under_the_level2_and_moves_within_it() -> None:
    state = edit_from_post(
        {
            "rows": "3",
            **{f"row-{n}-{k}": v for n, row in enumerate(ROWS) for k, v in row.items()},
        }
    )
    apply_op(state, "add:0")
    assert [(r.level2, r.level3, r.id) for r in state.rows] == [
        ("数量指标", "甲", 1),
        ("数量指标", "乙", 2),
        ("数量指标", "", None),
        ("质量指标", "丙", 3),
    ]
    assert [r.level2_span for r in state.rows] == [3, 0, 0, 1]
    apply_op(state, "down:2")  # across the level-2 boundary: refused
    assert state.rows[3].level3 == "丙"
    apply_op(state, "up:1")
    assert [r.level3 for r in state.rows][:2] == ["乙", "甲"]
    apply_op(state, "remove:0")
    assert [r.level3 for r in state.rows] == ["甲", "", "丙"]


ROWS = [
    {"id": "1", "level1": "产出指标", "level2": "数量指标", "level3": "甲", "target": "≥1个"},
    {"id": "2", "level1": "产出指标", "level2": "数量指标", "level3": "乙", "target": "≥2个"},
    {"id": "3", "level1": "产出指标", "level2": "质量指标", "level3": "丙", "target": "100%"},
]


def test_edit_changes_a_target_and_adds_removes_moves_rows_keeping_ids(
    held: HeldData, officer: User
) -> None:
    p = project()
    before = {i.level3: i.pk for i in p.indicators.all()}
    data = grid_post(p)
    state = edit_from_post(data)
    # 舆情监测预警 (row 0, with its metric) gets a new target; the 处置率 row is removed;
    # a row is added under 数量指标; 满意度 moves nowhere (alone in its level 2).
    state.rows[0].target = "≥250条"
    apply_op(state, "add:0")
    state.rows[1].level3 = "舆情报告期数"
    state.rows[1].target = "≥12期"
    apply_op(state, "remove:2")  # the 处置率 row, now third
    targets, ids = targets_of(state, year=2021)
    assert not state.has_errors
    result = save_project_targets(
        p, targets, actor=Actor(officer), row_ids=ids, version=state.version
    )
    assert result.revision == 2
    rows = list(project().indicators.all())
    assert [(i.level3, i.target) for i in rows] == [
        (HELD_NAME, "≥250条"),
        ("舆情报告期数", "≥12期"),
        ("构建清朗网络空间", "是"),
        ("服务对象满意度", "≥90%"),
    ]
    assert rows[0].pk == before[HELD_NAME] and rows[0].target_value == Decimal(250)
    assert Metric.objects.get(indicator=rows[0]).pk == held.metric.pk
    assert rows[2].pk == before["构建清朗网络空间"]
    assert rows[3].pk == before["服务对象满意度"]
    assert rows[1].pk not in before.values()
    removed = Indicator.all_objects.get(pk=before["网络舆情处置率"])
    assert removed.removed and removed.removed_in_revision is not None
    revision = Revision.objects.get(project=p, number=2)
    assert revision.source == "网页编辑"
    assert any(c.get("after") == "≥250条" for c in revision.changes)
    logged = ChangeLog.objects.filter(
        object_type="targets.indicator", comment__startswith="网页编辑"
    )
    assert logged.count() == 3  # updated, created, removed


def test_moving_rows_keeps_ids_and_records_positions(imported: ImportResult, officer: User) -> None:
    p = project()
    original = [i.pk for i in p.indicators.all()]
    state = edit_from_post(grid_post(p, **{"row-1-level2": "数量指标"}))
    apply_op(state, "up:1")
    targets, ids = targets_of(state, year=2021)
    save_project_targets(p, targets, actor=Actor(officer), row_ids=ids, version=state.version)
    assert [i.pk for i in project().indicators.all()] == [original[1], original[0], *original[2:]]


def test_a_bad_target_is_refused_and_nothing_saved(
    imported: ImportResult, officer: User, client: Client
) -> None:
    client.force_login(officer)
    p = project()
    url = reverse("targets:edit", args=[p.pk])
    response = client.post(url, grid_post(p, **{"row-0-target": "≥abc", "op": "save"}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "指标值「≥abc」有计算符号，但后面没有可以识别的数值" in page
    assert table_version(p) == 1
    assert project().indicators.first().target == "≥200条"  # type: ignore[union-attr]


def test_a_concurrent_edit_is_refused_with_what_changed(
    imported: ImportResult, officer: User, head: User, client: Client
) -> None:
    p = project()
    first = grid_post(p, **{"row-0-target": "≥300条", "op": "save"})
    second = grid_post(p, **{"row-1-target": "≥99%", "op": "save"})
    client.force_login(officer)
    assert client.post(reverse("targets:edit", args=[p.pk]), first).status_code == 302
    client.force_login(head)
    response = client.post(reverse("targets:edit", args=[p.pk]), second)
    page = response.content.decode()
    assert "在你打开之后已被他人修改" in page
    assert "≥300条" in page  # what the other person changed
    assert project().indicators.all()[1].target == "100%"
    with pytest.raises(StaleEdit):
        targets, ids = targets_of(edit_from_post(second), year=2021)
        save_project_targets(p, targets, actor=Actor(head), row_ids=ids, version=1)


def test_the_page_saves_a_plain_post_and_redirects_to_history(
    imported: ImportResult, officer: User, client: Client
) -> None:
    client.force_login(officer)
    p = project()
    data = grid_post(
        p,
        **{"budget_total": "16", "spending_plan": "6月底40%、12月底100%", "op": "save"},
    )
    response = client.post(reverse("targets:edit", args=[p.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("targets:history", args=[p.pk])
    fresh = project()
    assert fresh.budget_total == Decimal(16)
    assert [(c.month, c.percent) for c in fresh.checkpoints.all()] == [
        (6, Decimal(40)),
        (12, Decimal(100)),
    ]


def test_add_button_redraws_without_saving(
    imported: ImportResult, officer: User, client: Client
) -> None:
    client.force_login(officer)
    p = project()
    response = client.post(reverse("targets:edit", args=[p.pk]), grid_post(p, op="add:0"))
    assert response.status_code == 200
    assert 'name="rows" value="5"' in response.content.decode()
    assert project().indicators.count() == 4


def test_parse_endpoint_answers_with_the_reading(officer: User, client: Client) -> None:
    client.force_login(officer)
    ok = client.get(reverse("targets:parse"), {"row-3-target": "≥95%", "year": "2021"})
    assert "定量 ≥ 95 %" in ok.content.decode()
    bad = client.get(reverse("targets:parse"), {"row-3-target": "≥abc"})
    assert "有计算符号，但后面没有可以识别的数值" in bad.content.decode()


def test_only_the_units_keepers_may_edit(
    imported: ImportResult, reviewer: User, officer_b: User, client: Client
) -> None:
    url = reverse("targets:edit", args=[project().pk])
    client.force_login(reviewer)
    assert client.get(url).status_code == 403
    client.force_login(officer_b)
    assert client.get(url).status_code == 404
