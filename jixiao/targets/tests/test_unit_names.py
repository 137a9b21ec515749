"""Ranking registered units by how alike their names are to what a file names its unit."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from jixiao.core.unit_names import is_short_form, rank_units, similarity


@dataclass(frozen=True)
class U:
    code: str | None
    name: str


REGISTER = [
    U("224001", "中共昌黎县委网络安全和信息化委员会办公室本级"),
    U("224002", "昌黎县档案馆"),
    U("225001", "某县卫生健康委员会"),
    U("225002", "某县教育和体育局"),
    U("225003", "某县城市管理综合行政执法局"),
    U(None, "某县财政局"),
]


@pytest.mark.parametrize(
    ("fragment", "code", "expected"),
    [
        ("卫健委", None, ["某县卫生健康委员会"]),
        ("某县卫健委", None, ["某县卫生健康委员会"]),
        ("卫生健康委员会", None, ["某县卫生健康委员会"]),
        ("昌黎县网信办", None, ["中共昌黎县委网络安全和信息化委员会办公室本级"]),
        ("教体局", None, ["某县教育和体育局"]),
        ("城管局", None, ["某县城市管理综合行政执法局"]),
        ("财政局", None, ["某县财政局"]),
        ("某县 卫生健康委员会", None, ["某县卫生健康委员会"]),
        ("林业和草原局", None, []),
        (None, "224002", ["昌黎县档案馆"]),
    ],
)
def test_units_alike_are_ranked_closest_first(fragment, code, expected):
    assert [u.name for u, _s in rank_units(fragment, code, REGISTER)] == expected


def test_the_same_name_scores_highest_then_a_short_form():
    assert similarity("某县卫生健康委员会", "某县卫生健康委员会") == 1.0
    assert similarity("某县卫健委", "某县卫生健康委员会") > similarity(
        "卫健委", "某县卫生健康委员会"
    )
    assert similarity("卫健委", "昌黎县档案馆") == 0.0


@pytest.mark.parametrize(
    ("name", "short"),
    [("卫健委", True), ("某县卫健委", True), ("某县卫生健康委员会", False), ("某县科技局", False)],
)
def test_short_forms_are_not_full_names(name, short):
    assert is_short_form(name) is short
