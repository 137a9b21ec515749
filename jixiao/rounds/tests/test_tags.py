"""The download-link filter: one project's link never asks for the background job."""

from __future__ import annotations

from jixiao.rounds.templatetags.rounds_tags import for_project


def test_one_projects_link_drops_the_background_flag() -> None:
    whole = "/rounds/monitoring/download/xlsx/?unit=224001&year=2021&background=1"
    assert (
        for_project(whole, 7) == "/rounds/monitoring/download/xlsx/?unit=224001&year=2021&project=7"
    )
    assert for_project("/r/download/pdf/?background=1", 3) == "/r/download/pdf/?project=3"
    assert (
        for_project("/r/download/pdf/?background=1&unit=1", 3)
        == "/r/download/pdf/?unit=1&project=3"
    )
    assert for_project(whole, None) == whole
