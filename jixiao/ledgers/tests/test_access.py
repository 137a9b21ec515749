"""The ledger pages through the permission seam: who sees what (404 outside reach), who may
write (403 without ``edit``), uploads that belong to their uploader, crafted query strings
that never reach a 500, two people saving one record, and formula-safe exports."""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from jixiao.core.document import TargetDocument
from jixiao.ledgers import services
from jixiao.ledgers.models import Attachment, LedgerEntry, LedgerType
from jixiao.lib.actor import Actor
from jixiao.targets.services import import_document
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("测试")


@pytest.fixture
def unit(org: object, demo_document: TargetDocument) -> Unit:
    """Unit A (224001) with its two 2021 projects."""
    return import_document(demo_document, actor=SYSTEM, source="seed.txt").unit


@pytest.fixture
def opinion() -> LedgerType:
    return LedgerType.objects.get(code="opinion", unit__isnull=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.MEDIA_ROOT


def case(n: int = 1, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "title": f"舆情{n}",
        "platform": "微博",
        "link": f"https://weibo.com/1/{n}",
        "first_seen": "2021-03-01",
        "grade": "一般",
        "must_handle": "是",
        "deadline": "2099-12-31",
    }
    values.update(changes)
    return values


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def record(unit, opinion) -> LedgerEntry:
    """A 2021 case of unit A with one attachment."""
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)
    services.add_attachment(entry, SimpleUploadedFile("研判报告.txt", b"report"), actor=SYSTEM)
    return entry


def html(response: Any) -> str:
    """The page, without the CSRF token its logout form carries (masked anew every render)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


# Outside reach: 404, the same answer as for something that does not exist.


def record_pages(entry: LedgerEntry) -> list[tuple[str, str]]:
    """(method, URL) of every page about one record of unit A."""
    attachment = Attachment.objects.get(entry=entry)
    return [
        ("get", "/ledgers/?unit=224001"),
        ("get", "/ledgers/opinion/?unit=224001"),
        ("get", "/ledgers/opinion/new/?unit=224001"),
        ("post", "/ledgers/opinion/new/?unit=224001"),
        ("get", f"/ledgers/entry/{entry.pk}/"),
        ("get", f"/ledgers/entry/{entry.pk}/edit/"),
        ("post", f"/ledgers/entry/{entry.pk}/edit/"),
        ("post", f"/ledgers/entry/{entry.pk}/transition/"),
        ("post", f"/ledgers/entry/{entry.pk}/attachments/"),
        ("get", f"/ledgers/attachment/{attachment.pk}/"),
        ("post", f"/ledgers/attachment/{attachment.pk}/delete/"),
        ("post", f"/ledgers/attachment/{attachment.pk}/restore/"),
        ("get", "/ledgers/export/opinion.xlsx?unit=224001"),
        ("get", "/ledgers/import/?unit=224001&type=opinion"),
    ]


@pytest.mark.parametrize("persona", ["officer_b", "other_reviewer"])
def test_people_outside_reach_get_404_for_every_page_of_the_record(record, persona, request):
    client = client_of(request.getfixturevalue(persona))

    answers = {
        (method, url): getattr(client, method)(url).status_code
        for method, url in record_pages(record)
    }

    expected = dict.fromkeys(answers, 404)
    if persona == "other_reviewer":
        # Keeps no unit's records at all: importing is closed to them before any unit is named.
        expected[("get", "/ledgers/import/?unit=224001&type=opinion")] = 403
    assert answers == expected
    assert Attachment.objects.kept().count() == 1
    assert LedgerEntry.objects.get().version == 1


def test_a_missing_record_and_one_outside_reach_answer_alike(record, officer_b):
    client = client_of(officer_b)

    outside = client.get(f"/ledgers/entry/{record.pk}/")
    missing = client.get(f"/ledgers/entry/{record.pk + 1000}/")

    assert outside.status_code == missing.status_code == 404
    # The same page but for the path it names.
    assert html(outside).replace(f"/{record.pk}/", "/N/") == html(missing).replace(
        f"/{record.pk + 1000}/", "/N/"
    )


def test_lists_and_exports_show_only_units_in_reach(record, opinion, org, officer_b):
    services.create_entry(opinion, org.unit_b, case(7, title="乙单位的舆情"), actor=SYSTEM)
    client = client_of(officer_b)

    index = client.get("/ledgers/")
    records = client.get("/ledgers/opinion/")
    export = client.get("/ledgers/export/opinion.csv")

    assert index.context["unit"] == org.unit_b
    assert [key for key, _name in index.context["form"].fields["unit"].choices] == ["224002"]
    assert [r["entry"].data["title"] for r in records.context["rows"]] == ["乙单位的舆情"]
    lines = export.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith("乙单位的舆情,")
    assert "224001" not in export.content.decode("utf-8-sig")


# Readers in scope read; only the unit's officer and head write.


@pytest.mark.parametrize("persona", ["reviewer", "auditor", "bureau_admin"])
def test_bureau_people_read_the_units_ledgers_and_write_nothing(record, persona, request):
    client = client_of(request.getfixturevalue(persona))
    attachment = Attachment.objects.get()

    reads = {
        url: client.get(url).status_code
        for url in [
            "/ledgers/?unit=224001",
            "/ledgers/opinion/?unit=224001&year=2021",
            f"/ledgers/entry/{record.pk}/",
            f"/ledgers/attachment/{attachment.pk}/",
            "/ledgers/export/opinion.xlsx?unit=224001",
        ]
    }
    writes = {
        (method, url): getattr(client, method)(url).status_code
        for method, url in [
            ("get", "/ledgers/opinion/new/?unit=224001"),
            ("post", "/ledgers/opinion/new/?unit=224001"),
            ("get", f"/ledgers/entry/{record.pk}/edit/"),
            ("post", f"/ledgers/entry/{record.pk}/edit/"),
            ("post", f"/ledgers/entry/{record.pk}/transition/"),
            ("post", f"/ledgers/entry/{record.pk}/attachments/"),
            ("post", f"/ledgers/attachment/{attachment.pk}/delete/"),
            ("post", f"/ledgers/attachment/{attachment.pk}/restore/"),
            ("get", "/ledgers/import/"),
            ("post", "/ledgers/import/"),
        ]
    }

    assert set(reads.values()) == {200}
    assert writes == dict.fromkeys(writes, 403)
    assert Attachment.objects.kept().count() == 1


def test_buttons_are_hidden_from_readers_and_shown_to_the_officer(record, reviewer, officer):
    def page(user: User, url: str) -> str:
        return html(client_of(user).get(url))

    entry_url = f"/ledgers/entry/{record.pk}/"
    list_url = "/ledgers/opinion/?unit=224001&year=2021"
    for url, controls in [
        (entry_url, ["/edit/", "/transition/", "/attachments/", "/delete/", "转到“预警”"]),
        (list_url, ["新增记录", "/ledgers/import/"]),
    ]:
        seen_by_reviewer = page(reviewer, url)
        seen_by_officer = page(officer, url)
        for control in controls:
            assert control not in seen_by_reviewer, (url, control)
            assert control in seen_by_officer, (url, control)
    assert "导出 Excel" in page(reviewer, list_url)


def test_an_upload_belongs_to_whoever_sent_it(unit, opinion, officer, head):
    data = (
        "标题,来源平台,链接,首次发现时间,级别,应处置\n甲,微博,https://a.cn/1,2021-03-01,一般,是\n"
    )
    sent = client_of(officer).post(
        "/ledgers/import/",
        {
            "file": SimpleUploadedFile("cases.csv", data.encode()),
            "unit": unit.pk,
            "ledger_type": opinion.pk,
            "mapping": "",
        },
    )
    token = re.search(r"/ledgers/import/([0-9a-f]{32})/", sent["Location"]).group(1)
    other = client_of(head)  # keeps the same unit, but did not send the file

    assert other.get(f"/ledgers/import/{token}/mapping/").status_code == 404
    assert other.get(f"/ledgers/import/{token}/check/").status_code == 404
    assert other.post(f"/ledgers/import/{token}/confirm/").status_code == 404
    assert not LedgerEntry.objects.exists()
    assert client_of(officer).get(f"/ledgers/import/{token}/check/").status_code == 200


def test_the_upload_form_offers_only_the_units_the_person_keeps(unit, org, officer):
    form = client_of(officer).get("/ledgers/import/").context["form"]

    assert list(form.fields["unit"].queryset) == [org.unit]
    assert form.initial["unit"] == org.unit.pk
    assert client_of(officer).get("/ledgers/import/?unit=224002").status_code == 404


# Crafted query strings: 404 or the default with a notice, never a 500.


@pytest.mark.parametrize(
    ("query", "status", "notice"),
    [
        ("year=" + "9" * 40, 404, None),  # not a year: a wrong URL
        ("year=20x1", 404, None),
        ("year=1850", 404, None),
        ("year=2035", 200, "已显示 2021 年"),  # a year without records: the default
        ("page=" + "9" * 20, 200, "页码不正确"),
        ("page=99999", 200, None),  # past the last page: the last page
        ("page=-1", 200, "页码不正确"),
        ("project=" + "9" * 30, 200, "筛选条件不正确"),
        ("project=abc", 200, "筛选条件不正确"),
        ("state=<script>", 200, "筛选条件不正确"),
        ("overdue=maybe", 200, "筛选条件不正确"),
        ("q=" + "停" * 500, 200, None),
        ("unit=" + "9" * 40, 404, None),
        ("unit=nosuch", 404, None),
    ],
)
def test_crafted_list_queries_never_fail(record, officer, query, status, notice):
    response = client_of(officer).get(f"/ledgers/opinion/?unit=224001&{query}")

    assert response.status_code == status
    if notice is not None:
        assert notice in html(response)
    if status == 200:
        assert response.context["year"] == 2021


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/ledgers/?year=" + "9" * 40, 404),
        ("/ledgers/export/opinion.xlsx?year=" + "9" * 40, 404),
        ("/ledgers/export/opinion.csv?year=abc", 404),
        ("/ledgers/export/nosuch.csv", 404),
        ("/ledgers/export/?type=../../etc&format=csv", 404),
        ("/ledgers/export/?type=opinion&format=pdf", 404),
        ("/ledgers/export/?type=opinion&format=csv&year=" + "9" * 40, 404),
        ("/ledgers/import/?type=<b>x</b>", 200),
        ("/ledgers/import/?type=opinion&unit=" + "x" * 300, 404),
        ("/ledgers/import/" + "0" * 32 + "/check/", 302),  # an upload that is not there
        ("/ledgers/opinion/new/?unit=224001&year=" + "9" * 40, 404),
        ("/ledgers/entry/99999999999999999999/", 404),
        ("/ledgers/attachment/99999999999999999999/", 404),
    ],
)
def test_crafted_urls_answer_404_or_the_default(record, officer, url, status):
    assert client_of(officer).get(url).status_code == status


# Two people saving one record: the second save is refused, the first one stays.


def test_the_second_of_two_edits_is_refused_and_keeps_what_was_typed(record, officer, head):
    first, second = client_of(officer), client_of(head)
    url = f"/ledgers/entry/{record.pk}/edit/"
    read_first = first.get(url).context["form"].initial["_version"]
    read_second = second.get(url).context["form"].initial["_version"]

    saved = first.post(url, {**case(grade="较大"), "must_handle": "true", "_version": read_first})
    refused = second.post(
        url,
        {**case(title="负责人的标题"), "must_handle": "true", "_version": read_second},
    )

    assert (read_first, read_second, saved.status_code, refused.status_code) == (1, 1, 302, 409)
    page = html(refused)
    assert "在你打开之后已被他人修改，你的修改没有保存" in page
    assert re.search(r"经办人（officer）（\d{4}-\d\d-\d\d \d\d:\d\d）：级别：一般 → 较大", page)
    assert 'value="负责人的标题"' in page  # the typed text is kept
    assert '<input type="hidden" name="_version" value="2"' in page  # now read at version 2
    stored = LedgerEntry.objects.get()
    assert (stored.data["title"], stored.data["grade"], stored.version) == ("舆情1", "较大", 2)

    # Having read what changed, saving again is the head's own choice.
    again = second.post(url, {**case(title="负责人的标题", grade="较大"), "must_handle": "true",
                              "_version": "2"})  # fmt: skip
    assert again.status_code == 302
    assert LedgerEntry.objects.get().data["title"] == "负责人的标题"


def test_the_second_of_two_transitions_is_refused(record, officer, head):
    url = f"/ledgers/entry/{record.pk}/transition/"
    step = {"to_state": "预警", "to-预警-on": "2021-03-02", "to-预警-_version": "1"}

    done = client_of(officer).post(url, {**step, "to-预警-note": "经办人上报"})
    refused = client_of(head).post(url, {**step, "to-预警-note": "负责人也上报"})

    assert (done.status_code, refused.status_code) == (302, 409)
    assert "状态：监测 → 预警" in html(refused)
    assert "负责人也上报" in html(refused)  # the typed note is kept
    assert [t.note for t in LedgerEntry.objects.get().transitions.all()] == ["", "经办人上报"]


def test_a_form_without_its_version_is_refused(record, officer):
    response = client_of(officer).post(
        f"/ledgers/entry/{record.pk}/edit/", {**case(grade="较大"), "must_handle": "true"}
    )

    assert response.status_code == 400
    assert "页面内容已过期，请刷新页面后重新填写。" in html(response)
    assert LedgerEntry.objects.get().data["grade"] == "一般"


# The record's page shows its change history.


def test_the_record_page_shows_its_history_with_attachments(record, officer):
    client = client_of(officer)
    client.post(
        f"/ledgers/entry/{record.pk}/edit/",
        {**case(grade="较大"), "must_handle": "true", "_version": "1"},
    )
    client.post(f"/ledgers/attachment/{Attachment.objects.get().pk}/delete/")

    response = client.get(f"/ledgers/entry/{record.pk}/")

    page = html(response)
    assert "修改记录" in page
    actions = [item.action for item in response.context["history"]]
    assert actions == ["移除（可恢复）", "修改", "上传附件", "新建"]
    assert "级别：一般 → 较大" in page
    assert [i.row.username for i in response.context["history"][:2]] == ["经办人（officer）"] * 2


def test_a_removed_attachment_is_restored_from_the_page(record, officer):
    client = client_of(officer)
    attachment = Attachment.objects.get()
    client.post(f"/ledgers/attachment/{attachment.pk}/delete/")

    restored = client.post(f"/ledgers/attachment/{attachment.pk}/restore/", follow=True)

    assert "已恢复附件“研判报告.txt”。" in html(restored)
    assert [a for a, _size in restored.context["attachments"]] == [attachment]


# Exports keep neutralising formulas.

FORMULAS = ['=HYPERLINK("http://x.cn","点我")', "+1+2", "-3+4", "@SUM(A1:A2)"]


@pytest.fixture
def formula_records(unit, opinion) -> list[str]:
    for n, title in enumerate(FORMULAS):
        services.create_entry(opinion, unit, case(n, title=title), actor=SYSTEM)
    return FORMULAS


def test_csv_export_of_the_page_quotes_cells_that_look_like_formulas(formula_records, reviewer):
    response = client_of(reviewer).get("/ledgers/export/opinion.csv?unit=224001&year=2021")

    rows = list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))[1:]
    assert sorted(row[0] for row in rows) == sorted("'" + f for f in formula_records)


def test_xlsx_export_of_the_page_holds_no_formula(formula_records, reviewer):
    response = client_of(reviewer).get("/ledgers/export/opinion.xlsx?unit=224001&year=2021")

    with zipfile.ZipFile(BytesIO(response.content)) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/")]
        xml = "".join(book.read(n).decode() for n in sheets)
    assert "<f>" not in xml and "<f " not in xml  # no cell is a formula
    cells = list(load_workbook(BytesIO(response.content)).active.iter_rows(min_row=2))
    titles = {row[0].value.lstrip("'") for row in cells}
    assert titles == set(formula_records)
    assert {row[0].data_type for row in cells} == {"s"}


def test_overdue_filter_of_the_page_counts_only_open_late_cases(unit, opinion, officer):
    late = services.create_entry(opinion, unit, case(1, deadline="2021-03-05"), actor=SYSTEM)
    services.create_entry(opinion, unit, case(2), actor=SYSTEM)
    services.record_transition(
        services.create_entry(opinion, unit, case(3, deadline="2021-03-05"), actor=SYSTEM),
        "办结",
        actor=SYSTEM,
        on=dt.date(2021, 3, 3),
    )

    response = client_of(officer).get("/ledgers/opinion/?unit=224001&year=2021&overdue=1")

    assert [r["entry"] for r in response.context["rows"]] == [late]
