"""The target pages through Django's test client: login, the tables, downloads, import, history."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import quote

import docx
import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from jixiao import importers
from jixiao.core.document import TargetDocument
from jixiao.exporters import CONTENT_TYPES
from jixiao.lib.actor import Actor
from jixiao.system.demo.services import DEMO_PASSWORD, DEMO_USERNAME, load_demo, seed_document
from jixiao.targets import uploads
from jixiao.targets.models import (
    Indicator,
    Project,
    Revision,
    Safeguard,
    SpendingCheckpoint,
    SubGoal,
    UnitGoal,
)
from jixiao.targets.services import import_document
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db

SEED_PATH = Path(__file__).resolve().parents[2] / "system" / "demo" / "seed-changli-cac-2021.txt"
MODELS = [Unit, UnitGoal, SubGoal, Safeguard, Project, SpendingCheckpoint, Indicator, Revision]


def row_counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path: Path) -> Path:
    """Uploads go to a scratch directory, never to the checkout's data dir."""
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


@pytest.fixture
def demo_user() -> User:
    """The demo login with the seed document imported, as ``jixiao demo`` leaves them."""
    load_demo()
    return User.objects.get(username=DEMO_USERNAME)


@pytest.fixture
def demo_client(client, demo_user):
    client.force_login(demo_user)
    return client


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def index_url(unit: str = "224001", year: int = 2021) -> str:
    return f"{reverse('targets:index')}?unit={unit}&year={year}"


def project_section(html: str, number: int) -> str:
    """The HTML of the n-th project's table on a page."""
    start = html.index(f'id="project-{number}"')
    end = html.find('<section class="project"', start)
    return html[start : end if end != -1 else len(html)]


def upload(client, name: str, content: bytes):
    return client.post(reverse("targets:import"), {"file": SimpleUploadedFile(name, content)})


def token_of(response) -> str:
    """The upload token a successful step 1 redirects to."""
    match = re.search(r"/import/preview/([0-9a-f]{32})/$", response["Location"])
    assert match, response["Location"]
    return match.group(1)


# Login


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/import/",
        "/project/1/history/",
        "/export/224001/2021.xlsx",
    ],
)
def test_pages_redirect_anonymous_users_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={quote(url)}"


def test_login_page_is_chinese(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert "用户名" in response.text and "密码" in response.text and "登录" in response.text


def test_demo_account_logs_in_and_lands_on_the_home_page(client, demo_user):
    response = client.post(
        reverse("login"), {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("workbench:home")
    assert "网络安全和信息化经费" in response.text
    assert "退出登录" in response.text


def test_wrong_password_is_refused_in_chinese(client, demo_user):
    response = client.post(reverse("login"), {"username": DEMO_USERNAME, "password": "nope"})

    assert response.status_code == 200
    assert "请输入一个正确的" in response.text


def test_logout_is_a_post(demo_client):
    response = demo_client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert demo_client.get("/targets/").status_code == 302


def test_admin_link_only_for_staff(demo_client, client):
    assert "管理后台" not in demo_client.get("/targets/").text  # the demo officer

    client.force_login(User.objects.get(username="admin"))  # the demo's superuser
    assert "管理后台" in client.get("/targets/").text


# The unit-year page


def test_unit_year_page_shows_the_goal_and_each_project_table(demo_client):
    response = demo_client.get(index_url())
    html = response.text

    assert response.status_code == 200
    assert "中共昌黎县委网络安全和信息化委员会办公室本级2021年度预算绩效目标" in html
    assert "第一部分 部门整体绩效目标" in html
    assert "（一）营造网络正面舆论强势" in html
    assert "（七）加强宣传培训调研等。" in html  # safeguards numbered like the source
    assert "1.网络安全和信息化经费绩效目标表" in html
    assert "2.网络宣传管理经费绩效目标表" in html
    assert "≥200条" in html
    assert "13032221C2GKIBLPDEWRQ" in html


def test_level1_cell_spans_its_rows_in_the_first_project(demo_client):
    first = seed_document().projects[0]
    output_rows = sum(1 for i in first.indicators if i.level1 == "产出指标")
    assert output_rows == 4  # the seed's 数量, 质量, 时效 and 成本指标

    section = project_section(demo_client.get(index_url()).text, 1)

    assert re.search(rf'<td class="center level" rowspan="{output_rows}">产出指标</td>', section)
    # Merged once: the level-1 name is drawn in one cell, not once per row.
    assert section.count(">产出指标</td>") == 1


def test_indicator_kinds_are_tagged(demo_client):
    section = project_section(demo_client.get(index_url()).text, 1)

    assert 'class="kind kind-quantitative"' in section and ">定量<" in section
    assert 'class="kind kind-qualitative"' in section and ">定性<" in section


def test_each_project_links_to_its_history(demo_client):
    project = Project.objects.get(code="13032221C2GKIBLPDEWRQ")

    section = project_section(demo_client.get(index_url()).text, 1)

    assert reverse("targets:history", args=[project.pk]) in section


def test_picker_defaults_to_the_first_unit_and_its_latest_year(demo_client, demo_document):
    import_document(
        dataclasses.replace(demo_document, year=2020), actor=Actor.system(), source="x.txt"
    )

    html = demo_client.get("/targets/").text

    assert re.search(r'<option value="224001" selected>', html)
    assert re.search(r'<option value="2021" selected>2021 年</option>', html)
    assert '<option value="2020">2020 年</option>' in html


def test_picker_switches_year(demo_client, demo_document):
    import_document(
        dataclasses.replace(demo_document, year=2020), actor=Actor.system(), source="x.txt"
    )

    html = demo_client.get(index_url(year=2020)).text

    assert "2020年度预算绩效目标" in html
    assert "（一）（一）营造网络正面舆论强势" in html  # the fixture's titles carry numbers


def test_year_without_targets_falls_back_with_a_notice(demo_client):
    html = demo_client.get(index_url(year=2019)).text

    assert "没有 2019 年的绩效目标" in html
    assert "2021年度预算绩效目标" in html


def test_picker_works_with_and_without_htmx(demo_client):
    html = demo_client.get("/targets/").text

    assert 'method="get"' in html and '<button type="submit" class="button">查看</button>' in html
    assert 'hx-get="/targets/"' in html and 'hx-push-url="true"' in html
    assert "vendor/htmx.min.js" in html


def test_vendored_htmx_is_the_version_base_html_names():
    root = Path(__file__).resolve().parents[2]
    header = (root / "static" / "vendor" / "htmx.min.js").read_text(encoding="utf-8")[:300]
    base = (root / "templates" / "base.html").read_text(encoding="utf-8")

    version = re.search(r"htmx\.org (2\.0\.\d+)", header)
    assert version and f"htmx {version.group(1)}" in base


def test_empty_register_invites_an_import(officer_client):
    html = officer_client.get("/targets/").text

    assert "224001 中共昌黎县委网络安全和信息化委员会办公室本级 还没有绩效目标。" in html
    assert f'<a href="{reverse("targets:import")}">导入文档</a>' in html


# Downloads


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "pdf"])
def test_exports_download_with_a_chinese_file_name(demo_client, fmt):
    response = demo_client.get(reverse("targets:export", args=["224001", 2021, fmt]))

    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    name = f"中共昌黎县委网络安全和信息化委员会办公室本级2021年度预算绩效目标.{fmt}"
    assert f"filename*=utf-8''{quote(name)}" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment;")
    data = response.content
    if fmt == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(data))
        assert "1.网络安全和信息化经费" in workbook.sheetnames
    elif fmt == "docx":
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
        assert "网络安全和信息化经费绩效目标表" in text
    else:
        assert data.startswith(b"%PDF")


def test_export_links_are_on_the_page(demo_client):
    html = demo_client.get(index_url()).text

    for fmt in ("xlsx", "docx", "pdf"):
        assert reverse("targets:export", args=["224001", 2021, fmt]) in html


def test_pdf_without_weasyprint_is_a_clear_503(demo_client, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import now raises ImportError

    response = demo_client.get(reverse("targets:export", args=["224001", 2021, "pdf"]))

    assert response.status_code == 503
    assert "暂时无法导出 PDF" in response.text
    assert "Excel 和 Word 格式不受影响" in response.text


@pytest.mark.parametrize(
    "url", ["/export/999999/2021.xlsx", "/export/224001/2019.xlsx", "/export/224001/2021.csv"]
)
def test_export_of_unknown_unit_year_or_format_is_404(demo_client, url):
    assert demo_client.get(url).status_code == 404


def test_export_of_unit_without_code_uses_its_name(client, demo_user, demo_document):
    nameless = dataclasses.replace(
        demo_document, unit=dataclasses.replace(demo_document.unit, code=None, name="某/单位")
    )
    import_document(nameless, actor=Actor.system(), source="x.txt")
    client.force_login(User.objects.get(username="admin"))  # the new unit is in nobody's reach
    url = reverse("targets:export", args=["某/单位", 2021, "xlsx"])

    response = client.get(url)

    assert response.status_code == 200
    assert url in client.get(index_url(unit=quote("某/单位"))).text


# Import: step 1, the preview


def test_upload_preview_writes_nothing(officer_client, upload_dir):
    before = row_counts()

    response = upload(officer_client, SEED_PATH.name, SEED_PATH.read_bytes())
    preview = officer_client.get(response["Location"])

    assert response.status_code == 302
    assert preview.status_code == 200
    assert row_counts() == before
    assert "导入预览：seed-changli-cac-2021.txt" in preview.text
    assert "识别警告（0 条）" in preview.text
    assert "≥200条" in preview.text
    assert 'rowspan="4">产出指标</td>' in project_section(preview.text, 1)
    assert "将更新已有单位「224001 中共昌黎县委网络安全和信息化委员会办公室本级」" in preview.text
    assert [p.name for p in (upload_dir / token_of(response)).iterdir()] != []


def test_preview_lists_every_warning(officer_client, tmp_path):
    seed = SEED_PATH.read_text(encoding="utf-8")
    # Cut the text after the second project's grid header: a table without indicators.
    header = seed.index("指标值确定依据", seed.index("2.网络宣传管理经费"))
    cut = seed[: seed.index("\n", header) + 1]
    name = "目标表（不完整）.txt"
    (tmp_path / name).write_text(cut, encoding="utf-8")
    expected = importers.load_document(tmp_path / name).warnings
    assert expected

    response = upload(officer_client, name, cut.encode("utf-8"))
    html = officer_client.get(response["Location"]).text

    assert f"识别警告（{len(expected)} 条）" in html
    assert '<th scope="col" class="where">位置</th><th scope="col">说明</th>' in html
    for warning in expected:
        assert (
            f'<td class="where">{escape(warning.where)}</td>'
            f'<td class="message">{escape(warning.message)}</td>'
        ) in html


def test_preview_shows_validation_problems_and_disables_confirm(
    officer_client, officer, demo_document
):
    twice = dataclasses.replace(demo_document, projects=[demo_document.projects[0]] * 2)
    token, _path = uploads.save("twice.txt", [b"x"], owner=officer.pk)
    uploads.keep_document(token, twice)

    html = officer_client.get(reverse("targets:preview", args=[token])).text

    assert "不能导入的问题（1 个）" in html
    assert "项目「网络安全和信息化经费」在文件中出现了不止一次。" in html
    assert re.search(r"<button[^>]*disabled[^>]*>确认导入</button>", html)
    assert "不能导入。请修改文件后重新上传" in html


def test_a_file_without_its_year_is_asked_for_it_not_refused(officer_client):
    seed = SEED_PATH.read_text(encoding="utf-8")
    without_year = seed[seed.index("第二部分") :]

    response = officer_client.post(reverse("targets:import"), {"text": without_year})
    html = officer_client.get(response["Location"]).text

    assert "文件中没有找到预算年度" not in html
    assert "不能导入的问题" not in html
    assert 'name="year"' in html


def test_pasted_text_previews_like_a_file(officer_client):
    response = officer_client.post(
        reverse("targets:import"), {"text": SEED_PATH.read_text(encoding="utf-8")}
    )
    html = officer_client.get(response["Location"]).text

    assert "导入预览：粘贴文本.txt" in html
    assert "网络宣传管理经费绩效目标表" in html


def test_png_renamed_docx_shows_the_importer_message(officer_client, upload_dir, tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    (tmp_path / "目标表.docx").write_bytes(png)
    with pytest.raises(importers.ImportFailure) as failure:
        importers.load_document(tmp_path / "目标表.docx")

    before = row_counts()

    response = upload(officer_client, "目标表.docx", png)

    assert response.status_code == 200
    assert escape(str(failure.value)) in response.text
    assert row_counts() == before
    assert not any(upload_dir.iterdir())  # the failed upload is not kept


def test_file_above_the_limit_is_refused(officer_client, monkeypatch, upload_dir):
    monkeypatch.setattr(importers, "MAX_FILE_BYTES", 1024 * 1024)

    response = upload(officer_client, "大文件.txt", b"x" * (1024 * 1024 + 1))

    assert response.status_code == 200
    assert "文件过大（1 MB），上限为 1 MB。" in response.text
    assert not upload_dir.exists() or not any(upload_dir.iterdir())


def test_pasted_text_above_the_limit_is_refused(officer_client, monkeypatch):
    monkeypatch.setattr(importers, "MAX_FILE_BYTES", 1024 * 1024)

    response = officer_client.post(reverse("targets:import"), {"text": "表" * 400_000})

    assert response.status_code == 200
    assert "粘贴的文本过大（1.1 MB），上限为 1 MB。" in response.text


def test_upload_needs_exactly_one_of_file_and_text(officer_client):
    empty = officer_client.post(reverse("targets:import"), {"text": "  "})
    both = officer_client.post(
        reverse("targets:import"),
        {"file": SimpleUploadedFile("a.txt", b"x"), "text": "y"},
    )

    assert "请选择要导入的文件，或粘贴文本。" in empty.text
    assert "请只选择一种方式：上传文件，或粘贴文本。" in both.text


def test_upload_form_accepts_the_document_formats(officer_client):
    html = officer_client.get(reverse("targets:import")).text

    assert 'accept=".docx,.xlsx,.pdf,.txt,.doc,.png,.jpg,.jpeg"' in html
    assert 'enctype="multipart/form-data"' in html


# Import: step 2, the confirmation


def test_confirm_imports_and_shows_the_unit_year(officer_client, officer, upload_dir):
    token = token_of(upload(officer_client, SEED_PATH.name, SEED_PATH.read_bytes()))

    response = officer_client.post(reverse("targets:confirm"), {"token": token}, follow=True)

    assert response.redirect_chain == [(index_url(), 302)]
    assert "已导入「seed-changli-cac-2021.txt」" in response.text
    assert "网络安全和信息化经费：新建，第 1 版" in response.text
    assert "网络安全和信息化经费绩效目标表" in response.text
    assert Project.objects.filter(unit__code="224001", year=2021).count() == 2
    revision = Revision.objects.filter(project__code="13032221C2GKIBLPDEWRQ").get()
    assert (revision.created_by, revision.source) == (officer, "seed-changli-cac-2021.txt")
    assert not (upload_dir / token).exists()


def test_confirming_the_same_document_again_reports_no_change(demo_client):
    token = token_of(upload(demo_client, SEED_PATH.name, SEED_PATH.read_bytes()))

    response = demo_client.post(reverse("targets:confirm"), {"token": token}, follow=True)

    assert "网络安全和信息化经费：无变化" in response.text
    assert Revision.objects.filter(project__code="13032221C2GKIBLPDEWRQ").count() == 1


@pytest.mark.parametrize("token", ["0" * 32, "../../etc", ""])
def test_unknown_token_says_the_upload_expired(officer_client, token):
    before = row_counts()

    response = officer_client.post(reverse("targets:confirm"), {"token": token}, follow=True)

    assert response.redirect_chain == [(reverse("targets:import"), 302)]
    assert "上传的文件已过期，请重新上传" in response.text
    assert row_counts() == before


def test_old_upload_has_expired(officer_client, upload_dir):
    token = token_of(upload(officer_client, SEED_PATH.name, SEED_PATH.read_bytes()))
    stale = time.time() - uploads.MAX_AGE_SECONDS - 60
    for path in (upload_dir / token).iterdir():
        os.utime(path, (stale, stale))

    confirm = officer_client.post(reverse("targets:confirm"), {"token": token}, follow=True)
    preview = officer_client.get(reverse("targets:preview", args=[token]), follow=True)

    assert "上传的文件已过期，请重新上传" in confirm.text
    assert "上传的文件已过期，请重新上传" in preview.text
    assert Project.objects.count() == 0


def test_stale_uploads_are_swept_by_the_next_upload(officer_client, upload_dir):
    old = token_of(upload(officer_client, SEED_PATH.name, SEED_PATH.read_bytes()))
    stale = time.time() - uploads.MAX_AGE_SECONDS - 60
    os.utime(upload_dir / old, (stale, stale))

    upload(officer_client, SEED_PATH.name, SEED_PATH.read_bytes())

    assert not (upload_dir / old).exists()


def test_confirm_is_post_only(officer_client):
    assert officer_client.get(reverse("targets:confirm")).status_code == 405


# History


def changed_seed(target: str) -> TargetDocument:
    """The seed with the first indicator's target replaced."""
    document = seed_document()
    first = document.projects[0].indicators[0]
    document.projects[0].indicators[0] = dataclasses.replace(first, target=target)
    return document


def test_history_lists_changes_after_a_reimport(demo_client, demo_user):
    import_document(changed_seed("≥250条"), actor=Actor(demo_user), source="目标表-修订.docx")
    project = Project.objects.get(code="13032221C2GKIBLPDEWRQ")

    response = demo_client.get(reverse("targets:history", args=[project.pk]))
    html = response.text

    assert response.status_code == 200
    assert "网络安全和信息化经费 修改记录" in html
    assert "第 2 版" in html and "第 1 版" in html
    assert html.index("第 2 版") < html.index("第 1 版")  # newest first
    assert "王经办" in html and "目标表-修订.docx" in html
    assert "指标「产出指标 / 数量指标 / 舆情监测预警、研判分析数」的指标值" in html
    assert '<td class="before">≥200条</td>' in html
    assert '<td class="after">≥250条</td>' in html
    assert "首个版本" in html


def test_history_of_unknown_project_is_404(demo_client):
    assert demo_client.get(reverse("targets:history", args=[999999])).status_code == 404
