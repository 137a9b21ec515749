"""The editor's level cells: level-1 and level-2 names renamed in their merged cell, a new
level 2 under a level 1, a new level 1; saved with every row keeping its indicator."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from jixiao.targets.editing import NEW_LEVEL1, NEW_LEVEL2, apply_op, edit_from_post, edit_of
from jixiao.targets.models import Indicator
from jixiao.targets.services import ImportResult
from jixiao.targets.tests.test_editor import grid_post, project

pytestmark = pytest.mark.django_db


def levels(p: object) -> list[tuple[str, str]]:
    return [(i.level1, i.level2) for i in Indicator.objects.filter(project=p).order_by("position")]


def test_a_name_typed_in_a_merged_cell_renames_its_whole_run(imported: ImportResult) -> None:
    p = project()
    drawn = levels(p)
    first1 = drawn[0][0]
    run2 = sum(1 for pair in drawn if pair == drawn[0])
    run1 = sum(1 for one, _two in drawn if one == first1)
    data = grid_post(p, **{"row-0-level1-name": "产出", "row-0-level2-name": "数量"})
    state = edit_from_post(data)
    got = [(r.level1, r.level2) for r in state.rows]
    assert got[:run2] == [("产出", "数量")] * run2
    assert [one for one, _two in got[:run1]] == ["产出"] * run1
    assert got[run1:] == drawn[run1:]


def test_new_level2_and_new_level1_rows() -> None:
    from jixiao.core import document as doc

    def row(one: str, two: str, three: str) -> doc.IndicatorRow:
        return doc.IndicatorRow(one, two, three, "≥1个", doc.ParsedTarget("qualitative"))

    targets = doc.ProjectTargets(
        code="1",
        name="p",
        indicators=[
            row("产出指标", "数量指标", "a"),
            row("产出指标", "质量指标", "b"),
            row("效益指标", "社会效益指标", "c"),
        ],
    )
    state = edit_of(targets, [1, 2, 3], 1)
    apply_op(state, "add2:0")
    assert [(r.level1, r.level2, r.id) for r in state.rows] == [
        ("产出指标", "数量指标", 1),
        ("产出指标", "质量指标", 2),
        ("产出指标", NEW_LEVEL2, None),
        ("效益指标", "社会效益指标", 3),
    ]
    apply_op(state, "add2:1")  # a second new level 2 does not merge with the first
    assert state.rows[3].level2 == NEW_LEVEL2 + "2"
    apply_op(state, "add1")
    assert (state.rows[-1].level1, state.rows[-1].level2) == (NEW_LEVEL1, NEW_LEVEL2)
    assert state.rows[-1].level1_span == 1


def test_the_page_renames_levels_and_adds_a_level2_keeping_indicators(
    imported: ImportResult, officer: User, client: Client
) -> None:
    client.force_login(officer)
    p = project()
    url = reverse("targets:edit", args=[p.pk])
    before = list(Indicator.objects.filter(project=p).order_by("position"))
    # The 新二级指标 button redraws the grid with an empty row under a new level-2 cell.
    page = client.post(url, grid_post(p, op="add2:0")).content.decode()
    assert NEW_LEVEL2 in page and 'name="rows" value="5"' in page
    state = edit_from_post(grid_post(p, op="add2:0"))
    apply_op(state, "add2:0")
    at = next(n for n, r in enumerate(state.rows) if r.id is None)
    data = grid_post(p, op="save", **{"row-0-level1-name": "产出"})
    # The posted grid with the new row (as the redrawn page sends it back), filled in.
    data["rows"] = "5"
    moved = {k: v for k, v in data.items() if not k.startswith("row-")}
    for n, r in enumerate(state.rows):
        for name in (
            "id",
            "level1",
            "level2",
            "level3",
            "description",
            "target",
            "basis",
            "weight",
        ):
            value = getattr(r, name)
            moved[f"row-{n}-{name}"] = "" if value is None else str(value)
    moved["row-0-level1-name"] = "产出"
    moved[f"row-{at}-level2-name"] = "时效指标"
    moved[f"row-{at}-level3"] = "按时完成率"
    moved[f"row-{at}-target"] = "≥95%"
    response = client.post(url, moved)
    assert response.status_code == 302, response.content.decode()[:2000]
    after = list(Indicator.objects.filter(project=p).order_by("position"))
    assert len(after) == len(before) + 1
    kept = {i.pk: i for i in after}
    first1 = before[0].level1
    for old in before:
        assert old.pk in kept  # every row keeps its indicator
        if old.level1 == first1:
            assert kept[old.pk].level1 == "产出"
    added = next(i for i in after if i.pk not in {b.pk for b in before})
    assert (added.level1, added.level2, added.level3, added.target) == (
        "产出",
        "时效指标",
        "按时完成率",
        "≥95%",
    )
