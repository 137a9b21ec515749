"""Who reaches which target page: the import only for a unit's keepers and only into their
unit, other units' pages answer 404, crafted query strings never 500; removal confirmation and
restore on the pages; the admin is read-only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from jixiao.audit.models import ChangeLog
from jixiao.core.document import TargetDocument
from jixiao.lib.actor import Actor
from jixiao.targets import uploads
from jixiao.targets.models import Indicator, Project, Revision
from jixiao.targets.services import import_document
from jixiao.targets.tests.conftest import HELD_NAME, without

pytestmark = pytest.mark.django_db

SEED_PATH = Path(__file__).resolve().parents[2] / "system" / "demo" / "seed-changli-cac-2021.txt"
SEED_UNIT = "224001中共昌黎县委网络安全和信息化委员会办公室本级"
HELD_TEXT = "口径 1 个、手工填报实际完成值 3 条、佐证材料 2 个"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path: Path) -> Path:
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


def login(client, user: User):
    client.force_login(user)
    return client


def staged(document: TargetDocument, owner: User) -> str:
    """An upload waiting for its preview, as step 1 leaves it."""
    token, _path = uploads.save("v2.txt", [b"x"], owner=owner.pk)
    uploads.keep_document(token, document)
    return token


def state() -> list[object]:
    return [
        sorted(Indicator.all_objects.values_list()),
        Revision.objects.count(),
        ChangeLog.objects.count(),
    ]


# The import is for the people who keep a unit's data


@pytest.mark.parametrize("who", ["reviewer", "bureau_admin", "auditor", "other_reviewer"])
def test_import_pages_are_403_for_people_who_keep_no_unit(client, request, who):
    login(client, request.getfixturevalue(who))
    token, _path = uploads.save("a.txt", [b"x"])

    assert client.get(reverse("targets:import")).status_code == 403
    assert client.post(reverse("targets:import"), {"text": "x"}).status_code == 403
    assert client.get(reverse("targets:preview", args=[token])).status_code == 403
    assert client.post(reverse("targets:confirm"), {"token": token}).status_code == 403


def test_import_link_shows_only_for_people_who_may_import(client, officer, reviewer):
    link = f'<a href="{reverse("targets:import")}">导入文档</a>'

    assert link in login(client, officer).get("/targets/").text
    assert link not in login(client, reviewer).get("/targets/").text


def test_preview_of_another_units_document_is_refused_and_confirm_writes_nothing(
    client, officer, org
):
    text = SEED_PATH.read_text(encoding="utf-8").replace(SEED_UNIT, "224002昌黎县档案馆")
    login(client, officer)
    response = client.post(reverse("targets:import"), {"text": text})
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]

    html = client.get(response["Location"]).text
    confirm = client.post(reverse("targets:confirm"), {"token": token}, follow=True)

    refusal = (
        "您只能导入本单位的绩效目标：文件中的预算单位「224002 昌黎县档案馆」不是您可以修改的单位。"
    )
    assert refusal in html
    assert re.search(r"<button[^>]*disabled[^>]*>确认导入</button>", html)
    assert "将更新已有单位" not in html
    assert refusal in confirm.text
    assert not Project.objects.exists()


def test_an_upload_is_previewed_and_confirmed_only_by_whoever_uploaded_it(
    client, officer, head, demo_document
):
    token = staged(demo_document, officer)
    login(client, head)  # same unit, but not the uploader

    response = client.post(reverse("targets:confirm"), {"token": token}, follow=True)

    assert "上传的文件已过期，请重新上传" in response.text
    assert (
        "上传的文件已过期" in client.get(reverse("targets:preview", args=[token]), follow=True).text
    )
    assert not Project.objects.exists()


# Removal needs confirming on the page


def test_preview_lists_removals_with_what_they_hold_and_asks_to_confirm(
    client, held, demo_document, officer
):
    token = staged(without(demo_document, HELD_NAME), officer)

    html = login(client, officer).get(reverse("targets:preview", args=[token])).text

    assert "将移除的绩效指标（1 个）" in html
    assert f"「网络安全和信息化经费」{HELD_NAME}：<strong>{HELD_TEXT}</strong>" in html
    assert 'name="confirm_removals"' in html


def test_confirm_without_the_checkbox_removes_nothing(client, held, demo_document, officer):
    token = staged(without(demo_document, HELD_NAME), officer)
    login(client, officer)  # the login writes its own change-log row
    before = state()

    response = client.post(reverse("targets:confirm"), {"token": token}, follow=True)

    assert response.redirect_chain == [(reverse("targets:preview", args=[token]), 302)]
    assert f"请勾选“确认移除”后再导入：「网络安全和信息化经费」{HELD_NAME}：{HELD_TEXT}" in (
        response.text
    )
    assert state() == before


def test_confirm_with_the_checkbox_removes_softly_and_history_offers_restore(
    client, held, demo_document, officer, reviewer
):
    token = staged(without(demo_document, HELD_NAME), officer)
    login(client, officer)

    client.post(reverse("targets:confirm"), {"token": token, "confirm_removals": "on"})

    removed = Indicator.all_objects.get(pk=held.indicator.pk)
    assert removed.removed
    history = reverse("targets:history", args=[removed.project_id])
    html = client.get(history).text
    assert "已移除的绩效指标（1 个）" in html
    assert f"产出指标 / 数量指标 / {HELD_NAME}" in html and HELD_TEXT in html
    restore = reverse("targets:restore", args=[removed.pk])
    assert f'action="{restore}"' in html
    # The change log of the project and its indicators, on the same page.
    assert "修改记录" in html and "移除（可恢复）" in html
    assert "经办人（officer）" in html
    # A reviewer reads the page, without the button, and may not restore.
    reviewer_html = login(client, reviewer).get(history).text
    assert "已移除的绩效指标（1 个）" in reviewer_html
    assert f'action="{restore}"' not in reviewer_html
    assert client.post(restore).status_code == 403
    assert Indicator.all_objects.get(pk=removed.pk).removed

    response = login(client, officer).post(restore, follow=True)

    assert f"已恢复指标「{HELD_NAME}」" in response.text
    assert not Indicator.objects.get(pk=removed.pk).removed
    assert "已移除的绩效指标" not in response.text


def test_history_shows_the_change_log_of_a_changed_target(client, imported, demo_document, officer):
    demo_document.projects[0].indicators[0].target = "≥20条"
    import_document(demo_document, actor=Actor(officer), source="v2.txt")
    project = Project.objects.get(code="13032221C2GKIBLPDEWRQ")

    html = login(client, officer).get(reverse("targets:history", args=[project.pk])).text

    assert "指标值：≥200条 → ≥20条" in html
    assert "导入「v2.txt」，第 2 版" in html


# Other units' pages are 404


def test_officer_b_gets_404_for_unit_a_pages(client, imported, officer_b):
    project = Project.objects.get(code="13032221C2GKIBLPDEWRQ")
    indicator = project.indicators.first()
    login(client, officer_b)

    assert client.get(reverse("targets:history", args=[project.pk])).status_code == 404
    assert client.get(reverse("targets:export", args=["224001", 2021, "xlsx"])).status_code == 404
    assert client.get("/targets/?unit=224001&year=2021").status_code == 404
    assert client.post(reverse("targets:restore", args=[indicator.pk])).status_code == 404


def test_reviewer_of_the_bureau_reads_unit_a(client, imported, reviewer):
    login(client, reviewer)

    assert client.get("/targets/?unit=224001&year=2021").status_code == 200
    assert client.get(reverse("targets:export", args=["224001", 2021, "xlsx"])).status_code == 200


def test_index_lists_only_units_in_reach(client, imported, demo_document, officer_b):
    import_document(
        TargetDocument(
            year=2021,
            unit=demo_document.unit.__class__("224002", "昌黎县档案馆"),
            projects=demo_document.projects[1:],
        ),
        actor=Actor.system("测试"),
        source="b.txt",
    )

    html = login(client, officer_b).get("/targets/").text

    assert '<option value="224002" selected>' in html
    assert '<option value="224001"' not in html
    assert "网络宣传管理经费" in html and "网络安全和信息化经费" not in html


@pytest.mark.parametrize(
    ("url", "statuses"),
    [
        ("/targets/?year=99999999999999999999999999999999999999999", {404}),
        ("/targets/?unit=224001&year=99999999999999999999999999999999999999999", {404}),
        ("/targets/?unit=%00", {400}),  # a NUL anywhere in a query: the 400 page
        ("/targets/?unit=224001%00", {400}),
        ("/targets/?year=-1&unit=", {404}),
        ("/targets/?year=2035&unit=", {200}),
        ("/project/99999999999999999999999999999999999999999/history/", {404}),
        ("/indicator/99999999999999999999999999999999999999999/restore/", {404, 405}),
        ("/export/%00/2021.xlsx", {404}),
        ("/export/224001/0000.xlsx", {404}),
        ("/export/224001/2021.XLSX", {404}),
        ("/import/preview/%00/", {302}),
    ],
)
def test_crafted_query_strings_answer_404_or_the_page(client, imported, officer, url, statuses):
    assert login(client, officer).get(url).status_code in statuses


# The admin shows the register and changes nothing


def test_admin_refuses_a_target_change_and_nothing_changes(admin_client, imported):
    indicator = Indicator.objects.get(level3=HELD_NAME)
    url = reverse("admin:targets_indicator_change", args=[indicator.pk])
    before = state()
    data = {
        "project": indicator.project_id,
        "position": 1,
        "level1": indicator.level1,
        "level2": indicator.level2,
        "level3": indicator.level3,
        "target": "≥300条",
        "target_kind": "quantitative",
        "target_op": ">=",
        "target_value": "200",
        "target_unit": "条",
    }

    response = admin_client.post(url, data)

    assert response.status_code == 403
    indicator.refresh_from_db()
    assert (indicator.target, indicator.target_value) == ("≥200条", 200)
    assert state() == before
    assert admin_client.get(url).status_code == 200  # it can still be read
    for name in ("targets_indicator", "targets_project", "targets_unitgoal", "units_unit"):
        assert admin_client.get(reverse(f"admin:{name}_add")).status_code == 403
