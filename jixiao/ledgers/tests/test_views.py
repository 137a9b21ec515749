"""The ledger pages through Django's test client: lists, the record form, one record with its
workflow and attachments, and a ledger type defined in the admin without code."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from jixiao.audit.models import ChangeLog
from jixiao.core.document import TargetDocument
from jixiao.ledgers import services
from jixiao.ledgers.models import Attachment, ImportMapping, LedgerEntry, LedgerType
from jixiao.ledgers.services import EntryInput
from jixiao.lib.actor import Actor
from jixiao.targets.models import Project
from jixiao.targets.services import import_document
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("测试")  # the test writes data as the operator would


@pytest.fixture
def unit(org: object, demo_document: TargetDocument) -> Unit:
    """The seed's unit (224001, unit A of the personas' bureau) with its two 2021 projects."""
    return import_document(demo_document, actor=SYSTEM, source="seed.txt").unit


@pytest.fixture
def opinion() -> LedgerType:
    return LedgerType.objects.get(code="opinion", unit__isnull=True)


@pytest.fixture
def client_in(client: Client, officer: User) -> Client:
    client.force_login(officer)
    return client


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    """Logins here test pages, not password hashing; the default hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    """Attachments go to a scratch directory, never to the checkout's data dir."""
    settings.MEDIA_ROOT = tmp_path / "media"
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


def field_block(html: str, code: str) -> str:
    """The HTML of one form field's block (label, widget, errors)."""
    found = re.search(rf'<div class="field[^"]*" id="field-{code}">(.*?)\n</div>', html, re.S)
    assert found, f"no field {code}"
    return found.group(1)


def text(response) -> str:
    return response.content.decode()


def test_pages_need_a_login(client: Client, unit, opinion):
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)
    for url in ["/ledgers/", "/ledgers/opinion/", f"/ledgers/entry/{entry.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


def test_index_lists_presets_with_counts_for_the_year(client_in, unit, opinion):
    services.create_entry(opinion, unit, case(1), actor=SYSTEM)
    services.create_entry(opinion, unit, case(2), actor=SYSTEM)
    services.create_entry(opinion, unit, case(3, first_seen="2020-12-30"), actor=SYSTEM)

    response = client_in.get("/ledgers/")

    assert response.status_code == 200
    assert response.context["here"] == "ledgers"
    assert '<a href="/ledgers/" aria-current="page">台账</a>' in text(response)
    assert response.context["year"] == 2021
    counts = {row["type"].code: row["count"] for row in response.context["rows"]}
    assert counts["opinion"] == 2
    assert counts["expenditure"] == 0
    assert [row["type"].name for row in response.context["rows"]][:3] == [
        "舆情",
        "网宣发布",
        "稿件报送",
    ]
    assert 'href="/ledgers/opinion/?unit=224001&amp;year=2021"' in text(response)
    assert client_in.get("/ledgers/?year=2020").context["rows"][0]["count"] == 1


def test_index_shows_a_units_own_type_only_to_that_unit(client_in, unit, org, officer_b):
    LedgerType.objects.create(
        unit=org.unit_b, code="complaint", name="信访件", date_field="received"
    )
    other = Client()
    other.force_login(officer_b)

    mine = client_in.get("/ledgers/?unit=224001").context["rows"]
    theirs = other.get("/ledgers/?unit=224002").context["rows"]

    assert "信访件" not in [r["type"].name for r in mine]
    assert [r["type"].name for r in theirs if r["type"].unit_id] == ["信访件"]
    assert len(theirs) == len(mine) + 1 == 11
    assert client_in.get("/ledgers/?unit=224002").status_code == 404  # not in reach


def test_unknown_type_and_reserved_words_are_not_ledgers(client_in, unit):
    assert client_in.get("/ledgers/nosuch/").status_code == 404
    try:
        match = resolve("/ledgers/import/")
    except Resolver404:
        match = None
    assert match is None or match.url_name != "records"


@pytest.fixture
def cases(unit, opinion) -> dict[str, LedgerEntry]:
    """Four 2021 cases: one overdue, one alerted, one closed, one on a project; and a 2020 one."""
    project = Project.objects.get(unit=unit, year=2021, code="13032221C2GKIBLPDEWRQ")
    late = services.create_entry(
        opinion, unit, case(1, title="停水投诉", deadline="2021-03-05"), actor=SYSTEM
    )
    alerted = services.create_entry(
        opinion, unit, case(2, title="道路施工扰民"), actor=SYSTEM, project=project
    )
    services.record_transition(alerted, "预警", actor=SYSTEM, on=dt.date(2021, 3, 2))
    closed = services.create_entry(
        opinion, unit, case(3, title="景区门票", deadline="2021-03-05"), actor=SYSTEM
    )
    services.record_transition(closed, "办结", actor=SYSTEM, on=dt.date(2021, 3, 3))
    fresh = services.create_entry(opinion, unit, case(4, title="停电求助"), actor=SYSTEM)
    services.create_entry(opinion, unit, case(5, first_seen="2020-05-01"), actor=SYSTEM)
    return {"late": late, "alerted": alerted, "closed": closed, "fresh": fresh}


def test_records_list_shows_key_columns_state_counts_and_overdue(client_in, cases):
    response = client_in.get("/ledgers/opinion/?unit=224001&year=2021")

    assert response.status_code == 200
    assert [f.label for f in response.context["key_fields"]] == ["标题", "来源平台", "链接", "级别"]
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', text(response))
    assert headers == ["标题", "来源平台", "链接", "级别", "首次发现时间", "项目", "状态"]
    chips = {c["state"]: c["count"] for c in response.context["chips"]}
    assert chips == {"监测": 2, "预警": 1, "研判": 0, "处置": 0, "办结": 1}
    assert response.context["total"] == 4
    assert response.context["overdue_count"] == 1
    overdue = {row["entry"].data["title"]: row["overdue"] for row in response.context["rows"]}
    assert overdue == {
        "停水投诉": True,
        "道路施工扰民": False,
        "景区门票": False,
        "停电求助": False,
    }
    html = text(response)
    assert html.count('<span class="badge overdue">逾期</span>') == 1
    assert html.count('class="is-overdue"') == 1
    assert "网络安全和信息化经费" in html  # the project column


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("q=停", ["停水投诉", "停电求助"]),
        ("state=预警", ["道路施工扰民"]),
        ("overdue=1", ["停水投诉"]),
        ("project=none&state=监测", ["停水投诉", "停电求助"]),
        ("q=weibo.com/1/3", ["景区门票"]),
    ],
)
def test_records_list_filters(client_in, cases, query, titles):
    response = client_in.get(f"/ledgers/opinion/?unit=224001&year=2021&{query}")

    assert sorted(r["entry"].data["title"] for r in response.context["rows"]) == sorted(titles)


def test_records_list_filters_by_project(client_in, cases):
    project = cases["alerted"].project

    response = client_in.get(f"/ledgers/opinion/?unit=224001&year=2021&project={project.pk}")

    assert [r["entry"].data["title"] for r in response.context["rows"]] == ["道路施工扰民"]


def test_records_list_pages_by_fifty(client_in, unit, opinion):
    rows = [EntryInput(case(n, first_seen=f"2021-01-{1 + n % 28:02d}")) for n in range(51)]
    services.upsert_entries(opinion, unit, rows, actor=SYSTEM)

    first = client_in.get("/ledgers/opinion/?unit=224001&year=2021")
    second = client_in.get("/ledgers/opinion/?unit=224001&year=2021&page=2")

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 1
    assert "第 1/2 页" in text(first)
    assert 'href="?unit=224001&amp;year=2021&amp;page=2"' in text(first)


def test_records_list_links_to_new_import_and_export(client_in, unit):
    response = client_in.get("/ledgers/expenditure/?unit=224001&year=2021")

    html = text(response)
    assert 'href="/ledgers/expenditure/new/?unit=224001&amp;year=2021"' in html
    assert re.search(
        r'href="/ledgers/import/\?type=expenditure&amp;unit=224001&amp;year=2021"', html
    )
    assert re.search(r'href="/ledgers/export/expenditure\.xlsx\?unit=224001&amp;year=2021"', html)
    assert "还没有支出记录" in html


def test_records_list_shows_money_with_separators(client_in, unit):
    expenditure = LedgerType.objects.get(code="expenditure")
    values = {"paid_on": "2021-04-02", "amount": "12345.6", "economic_class": "办公费"}
    services.create_entry(expenditure, unit, {**values, "voucher": "记-1"}, actor=SYSTEM)

    html = text(client_in.get("/ledgers/expenditure/?unit=224001&year=2021"))

    assert re.search(r'<td class="num"[^>]*>\s*<a href="/ledgers/entry/\d+/">12,345.60</a>', html)
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html)
    assert headers == ["金额（元）", "经济分类", "凭证号", "收款方", "支付日期", "项目"]


def test_new_form_has_one_widget_per_field_kind(client_in, unit):
    response = client_in.get("/ledgers/opinion/new/?unit=224001&year=2021")

    html = text(response)
    assert 'type="date" name="first_seen"' in html
    assert 'type="url" name="link"' in html
    assert '<textarea name="summary"' in html
    assert '<select name="platform"' in html
    assert 'type="radio" name="must_handle" value="true"' in html
    assert '<span class="required" title="必填">*</span>' in field_block(html, "title")
    projects = re.findall(r'<option value="\d+">(.*?)</option>', field_block(html, "project"))
    assert projects == ["网络安全和信息化经费", "网络宣传管理经费"]


def test_new_record_is_saved_with_its_project(client_in, unit, officer):
    project = Project.objects.get(unit=unit, year=2021, code="13032221C2GKIBLPDEWRQ")
    post = {**case(), "must_handle": "true", "project": str(project.pk)}

    response = client_in.post("/ledgers/opinion/new/?unit=224001&year=2021", post)

    entry = LedgerEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ledgers/entry/{entry.pk}/"
    assert entry.project == project
    assert entry.created_by == officer
    assert entry.data["must_handle"] is True
    assert entry.state == "监测"


def test_new_record_errors_are_shown_beside_their_fields(client_in, unit):
    post = {**case(), "title": "", "first_seen": "2021-13-01", "grade": "", "platform": "贴吧"}

    response = client_in.post("/ledgers/opinion/new/?unit=224001&year=2021", post)

    html = text(response)
    assert response.status_code == 400
    assert '<p class="field-error">“标题”必填</p>' in field_block(html, "title")
    assert "“首次发现时间”不是有效日期：2021-13-01" in field_block(html, "first_seen")
    assert '<p class="field-error">“级别”必填</p>' in field_block(html, "grade")
    assert "“来源平台”的值“贴吧”不在选项中" in field_block(html, "platform")
    assert 'value="https://weibo.com/1/1"' in field_block(html, "link")  # kept as typed
    assert not LedgerEntry.objects.exists()


def test_duplicate_record_is_refused_above_the_form(client_in, unit, opinion):
    services.create_entry(opinion, unit, case(), actor=SYSTEM)

    post = {**case(), "title": "再报", "must_handle": "true"}
    response = client_in.post("/ledgers/opinion/new/?unit=224001", post)

    assert response.status_code == 400
    assert '<ul class="errorlist nonfield"><li>已有相同链接的记录</li></ul>' in text(response)
    assert LedgerEntry.objects.count() == 1


def test_edit_form_is_filled_and_saves(client_in, unit, opinion):
    entry = services.create_entry(opinion, unit, case(), actor=SYSTEM)

    form = text(client_in.get(f"/ledgers/entry/{entry.pk}/edit/"))
    response = client_in.post(
        f"/ledgers/entry/{entry.pk}/edit/",
        {**case(), "must_handle": "false", "grade": "重大", "_version": "1"},
    )

    assert 'value="2021-03-01"' in field_block(form, "first_seen")
    assert 'value="true" id="id_must_handle_0" checked' in field_block(form, "must_handle")
    assert '<option value="一般" selected>' in field_block(form, "grade")
    assert '<input type="hidden" name="_version" value="1"' in form
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.data["grade"], entry.data["must_handle"]) == ("重大", False)


def test_detail_shows_values_workflow_history_and_next_steps(client_in, cases, officer):
    entry = cases["alerted"]

    response = client_in.get(f"/ledgers/entry/{entry.pk}/")

    html = text(response)
    assert response.status_code == 200
    steps = [(s["state"], s["date"], s["current"]) for s in response.context["steps"]]
    assert steps == [
        ("监测", "2021-03-01", False),
        ("预警", "2021-03-02", True),
        ("研判", "", False),
        ("处置", "", False),
        ("办结", "", False),
    ]
    # An alert found not to need handling may be closed straight away.
    assert [f.state for f in response.context["transition_forms"]] == ["研判", "处置", "办结"]
    assert "转到“研判”" in html
    assert 'name="to-研判-analysis_report"' in html
    assert '<input type="hidden" name="to_state" value="研判">' in html
    assert 'name="to-处置-handling"' in html
    assert re.findall(r'<td class="move">(.*?)</td>', html) == ["新建 → 监测", "监测 → 预警"]
    assert '<th scope="row">标题</th>\n          <td>\n            道路施工扰民' in html
    assert "逾期" not in html


def test_transition_moves_the_record_and_fills_the_steps_field(client_in, cases, officer):
    entry = cases["fresh"]

    response = client_in.post(
        f"/ledgers/entry/{entry.pk}/transition/",
        {
            "to_state": "预警",
            "to-预警-on": "2021-03-04",
            "to-预警-note": "报分管领导",
            "to-预警-alert_note": "预警单 2021-07 号",
            "to-预警-_version": "1",
        },
    )

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.state == "预警"
    assert entry.state_dates["预警"] == "2021-03-04"
    assert entry.data["alert_note"] == "预警单 2021-07 号"
    step = entry.transitions.last()
    assert (step.from_state, step.to_state, step.note, step.by) == (
        "监测",
        "预警",
        "报分管领导",
        officer,
    )
    page = text(client_in.get(f"/ledgers/entry/{entry.pk}/"))
    assert "已转到“预警”。" in page
    assert "预警单 2021-07 号" in page


def test_transition_errors_reopen_the_steps_form(client_in, cases):
    entry = cases["fresh"]

    response = client_in.post(
        f"/ledgers/entry/{entry.pk}/transition/",
        {"to_state": "预警", "to-预警-on": "2021-02-01", "to-预警-_version": "1"},
    )

    html = text(response)
    assert response.status_code == 400
    assert response.context["open_state"] == "预警"
    assert "流转日期 2021-02-01 早于记录日期 2021-03-01" in html
    assert LedgerEntry.objects.get(pk=entry.pk).state == "监测"


def test_transition_to_a_state_not_next_is_refused(client_in, cases):
    entry = cases["fresh"]

    response = client_in.post(
        f"/ledgers/entry/{entry.pk}/transition/", {"to_state": "处置"}, follow=True
    )

    assert "“监测”之后不能转到“处置”。" in text(response)
    assert LedgerEntry.objects.get(pk=entry.pk).state == "监测"


def test_detail_of_an_overdue_case_has_a_banner(client_in, cases):
    response = client_in.get(f"/ledgers/entry/{cases['late'].pk}/")

    assert "处置期限 2021-03-05 已过，记录仍在“监测”，尚未办结。" in text(response)


def test_attachment_upload_download_and_delete(client_in, cases, media):
    entry = cases["fresh"]
    upload = SimpleUploadedFile("研判报告.txt", "报告正文".encode())

    uploaded = client_in.post(f"/ledgers/entry/{entry.pk}/attachments/", {"file": upload})
    attachment = Attachment.objects.get()
    page = text(client_in.get(f"/ledgers/entry/{entry.pk}/"))
    download = client_in.get(f"/ledgers/attachment/{attachment.pk}/")
    body = b"".join(download.streaming_content)
    deleted = client_in.post(f"/ledgers/attachment/{attachment.pk}/delete/")

    assert uploaded.status_code == 302
    assert f'href="/ledgers/attachment/{attachment.pk}/">研判报告.txt</a>' in page
    assert body == "报告正文".encode()
    assert download["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E7%A0%94%E5%88%A4%E6%8A%A5%E5%91%8A.txt"
    )
    assert deleted.status_code == 302
    attachment.refresh_from_db()
    assert attachment.removed_at is not None  # kept, no longer listed
    after = client_in.get(f"/ledgers/entry/{entry.pk}/")
    assert [a for a, _size in after.context["attachments"]] == []
    assert after.context["removed_attachments"] == [attachment]
    assert "已删除的附件（1）" in text(after)


def test_attachment_over_the_limit_is_refused_in_chinese(client_in, cases, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    entry = cases["fresh"]
    upload = SimpleUploadedFile("big.zip", b"x" * (2 * 1024 * 1024))

    response = client_in.post(f"/ledgers/entry/{entry.pk}/attachments/", {"file": upload})

    assert response.status_code == 400
    assert "附件过大（2.0 MB），上限为 1 MB。" in text(response)
    assert not Attachment.objects.exists()


def test_attachment_download_needs_a_login(client, cases):
    attachment = services.add_attachment(
        cases["fresh"], SimpleUploadedFile("a.txt", b"secret"), actor=SYSTEM
    )

    response = client.get(f"/ledgers/attachment/{attachment.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# The admin: a unit defines its own ledger without code.


@pytest.fixture
def admin_client(client: Client) -> Client:
    admin = User.objects.create_superuser("admin", "", "admin-pass")
    client.force_login(admin)
    return client


def type_post(unit: Unit, workflow: dict[str, object], **changes: str) -> dict[str, str]:
    """The admin add form for a 信访件 (petition) ledger with four fields."""
    fields = [
        ("title", "事项", "text", "", "on"),
        ("received", "受理日期", "date", "", "on"),
        ("channel", "来源", "choice", '["来信", "来访", "网上"]', "on"),
        ("reply_by", "答复期限", "date", "", ""),
        ("people", "人数", "integer", "", ""),
        ("topics", "涉及事项", "multichoice", '["征地", "工资", "环境"]', ""),
    ]
    data = {
        "unit": str(unit.pk),
        "code": "petition",
        "name": "信访件",
        "description": "来信来访的受理和答复。",
        "date_field": "received",
        "amount_field": "",
        "natural_key": "[]",
        "has_project": "on",
        "workflow": json.dumps(workflow, ensure_ascii=False),
        "position": "20",
        "fields-TOTAL_FORMS": str(len(fields)),
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "1000",
    }
    for n, (code, label, kind, choices, required) in enumerate(fields):
        data |= {
            f"fields-{n}-position": str(n),
            f"fields-{n}-code": code,
            f"fields-{n}-label": label,
            f"fields-{n}-kind": kind,
            f"fields-{n}-choices": choices or "[]",
            f"fields-{n}-help_text": "",
        }
        if required:
            data[f"fields-{n}-required"] = "on"
    data.update(changes)
    return data


REPLY_RULE = json.dumps(
    [
        {
            "code": "reply_after_received",
            "message": "“答复期限”不能早于“受理日期”",
            "then": [{"field": "reply_by", "op": ">=", "other_field": "received"}],
        }
    ],
    ensure_ascii=False,
)


def test_admin_saves_rules_that_then_refuse_records(admin_client, unit):
    post = type_post(unit, PETITION_FLOW, rules=REPLY_RULE, repeats='[["title", "received"]]')
    response = admin_client.post(reverse("admin:ledgers_ledgertype_add"), post)
    assert response.status_code == 302, response.context["errors"]
    petition = LedgerType.objects.get(code="petition")
    assert petition.repeats == [["title", "received"]]
    values = {"title": "来信", "received": "2021-03-05", "channel": "来信"}
    values["reply_by"] = "2021-03-01"
    with pytest.raises(ValidationError, match="“答复期限”不能早于“受理日期”"):
        services.create_entry(petition, unit, values, actor=SYSTEM)
    assert not LedgerEntry.objects.filter(ledger_type=petition).exists()


def test_the_service_refuses_a_broken_rule_whoever_saves_it(unit):
    bad = LedgerType(unit=unit, code="bad", name="坏规则", date_field="")
    bad.rules = [{"code": "r", "message": "m", "then": [{"field": "nope", "op": "=", "value": 1}]}]
    with pytest.raises(ValidationError, match="nope"):
        services.save_ledger_type(bad, actor=SYSTEM)
    assert not LedgerType.objects.filter(code="bad").exists()


PETITION_FLOW = {
    "states": ["受理", "办理", "答复"],
    "initial": "受理",
    "transitions": [["受理", "办理"], ["办理", "答复"]],
    "final": ["答复"],
    "overdue_field": "reply_by",
}


def test_admin_defines_a_ledger_that_the_pages_then_use(admin_client, unit):
    response = admin_client.post(
        reverse("admin:ledgers_ledgertype_add"), type_post(unit, PETITION_FLOW)
    )

    assert response.status_code == 302, response.context["errors"]
    petition = LedgerType.objects.get(code="petition")
    assert [f.code for f in petition.fields.all()] == [
        "title",
        "received",
        "channel",
        "reply_by",
        "people",
        "topics",
    ]
    index = admin_client.get("/ledgers/?unit=224001&year=2021")
    assert "信访件" in [r["type"].name for r in index.context["rows"]]

    form = text(admin_client.get("/ledgers/petition/new/?unit=224001&year=2021"))
    assert 'type="number" name="people"' in form and 'step="1"' in form
    assert 'type="checkbox" name="topics" value="环境"' in form
    created = admin_client.post(
        "/ledgers/petition/new/?unit=224001&year=2021",
        {
            "title": "某村反映饮水问题",
            "received": "2021-04-06",
            "channel": "来访",
            "reply_by": "2021-04-20",
            "people": "3",
            "topics": ["环境", "征地"],
        },
    )

    entry = LedgerEntry.objects.get(ledger_type=petition)
    assert created["Location"] == f"/ledgers/entry/{entry.pk}/"
    assert entry.unit == unit
    assert entry.state == "受理"
    assert entry.data == {
        "title": "某村反映饮水问题",
        "received": "2021-04-06",
        "channel": "来访",
        "reply_by": "2021-04-20",
        "people": 3,
        "topics": ["环境", "征地"],
    }
    detail = admin_client.get(f"/ledgers/entry/{entry.pk}/")
    assert [f.state for f in detail.context["transition_forms"]] == ["办理"]
    assert detail.context["overdue"] is True

    # The admin saved it through the service: one change-log row, from the admin.
    row = ChangeLog.objects.get(object_type="ledgers.ledgertype", object_id=str(petition.pk))
    assert (row.action, row.via, row.username, row.unit_id) == ("create", "admin", "admin", unit.pk)
    assert row.after["name"] == "信访件"
    assert row.after["字段 channel"] == "2. 来源（单选，必填，选项：来信、来访、网上）"


def test_admin_changes_a_ledger_type_through_the_service(admin_client, unit):
    admin_client.post(reverse("admin:ledgers_ledgertype_add"), type_post(unit, PETITION_FLOW))
    petition = LedgerType.objects.get(code="petition")
    fields = list(petition.fields.all())
    post = type_post(unit, PETITION_FLOW, name="信访事项")
    post["fields-INITIAL_FORMS"] = str(len(fields))
    for n, f in enumerate(fields):
        post[f"fields-{n}-id"] = str(f.pk)
        post[f"fields-{n}-ledger_type"] = str(petition.pk)
    post["fields-5-DELETE"] = "on"  # 涉及事项

    response = admin_client.post(
        reverse("admin:ledgers_ledgertype_change", args=[petition.pk]), post
    )

    assert response.status_code == 302, response.context["errors"]
    petition.refresh_from_db()
    assert petition.name == "信访事项"
    assert [f.code for f in petition.fields.all()] == [
        "title",
        "received",
        "channel",
        "reply_by",
        "people",
    ]
    row = ChangeLog.objects.filter(object_type="ledgers.ledgertype").latest("seq")
    assert (row.action, row.before["name"], row.after["name"]) == ("update", "信访件", "信访事项")
    assert row.before["字段 topics"] == "5. 涉及事项（多选，选项：征地、工资、环境）"
    assert row.after["字段 topics"] is None
    assert (
        admin_client.get(reverse("admin:ledgers_ledgertype_delete", args=[petition.pk]))
    ).status_code == 403


@pytest.mark.parametrize(
    ("workflow", "changes", "message"),
    [
        ({**PETITION_FLOW, "states": ["受理", "办理", "办理"]}, {}, "状态“办理”重复"),
        ({**PETITION_FLOW, "initial": "登记"}, {}, "初始状态（initial）“登记”不在状态列表中"),
        (
            {**PETITION_FLOW, "transitions": [["受理", "归档"]]},
            {},
            "流转“受理 → 归档”中的“归档”不是已定义的状态",
        ),
        ({**PETITION_FLOW, "final": ["归档"]}, {}, "终结状态“归档”不是已定义的状态"),
        (
            {**PETITION_FLOW, "overdue_field": "people"},
            {},
            "流程的逾期字段（overdue_field）“people”应为日期类型的字段",
        ),
        (PETITION_FLOW, {"date_field": "title"}, "日期字段“title”应为日期类型的字段"),
        (PETITION_FLOW, {"amount_field": "people"}, "金额字段“people”应为金额（元）类型的字段"),
        (PETITION_FLOW, {"natural_key": '["serial"]'}, "唯一标识字段“serial”不是本台账的字段代码"),
        (PETITION_FLOW, {"fields-2-choices": "[]"}, "单选、多选字段必须填写选项。"),
        (PETITION_FLOW, {"fields-1-required": ""}, "日期字段“received”应设为必填"),
        # Rules and repeat groups name fields and states of this type only.
        (PETITION_FLOW, {"rules": REPLY_RULE.replace("received", "sent")}, "sent"),
        (PETITION_FLOW, {"rules": '[{"code": "x"}]'}, "一致性规则“x”缺少说明（message）"),
        (PETITION_FLOW, {"rules": '{"code": "x"}'}, "应为规则的列表"),
        (PETITION_FLOW, {"repeats": '[["received", "payee"]]'}, "本台账没有的字段：payee"),
        (PETITION_FLOW, {"repeats": '["received"]'}, "重复判定字段应为字段代码组的列表"),
    ],
)
def test_admin_refuses_a_bad_ledger_definition(admin_client, unit, workflow, changes, message):
    response = admin_client.post(
        reverse("admin:ledgers_ledgertype_add"), type_post(unit, workflow, **changes)
    )

    assert response.status_code == 200
    assert message in text(response)
    assert not LedgerType.objects.filter(code="petition").exists()


def test_admin_entry_pages_are_read_only_and_searchable(admin_client, cases):
    entry = cases["alerted"]

    listing = admin_client.get(reverse("admin:ledgers_ledgerentry_changelist"), {"q": "道路施工"})
    change = admin_client.get(reverse("admin:ledgers_ledgerentry_change", args=[entry.pk]))

    assert [e.pk for e in listing.context["cl"].result_list] == [entry.pk]
    assert change.status_code == 200
    assert "<th>标题</th><td>道路施工扰民</td>" in text(change)
    steps = change.context["inline_admin_formsets"][0].formset.forms
    assert [(f.instance.from_state, f.instance.to_state) for f in steps] == [
        ("", "监测"),
        ("监测", "预警"),
    ]
    assert admin_client.get(reverse("admin:ledgers_ledgerentry_add")).status_code == 403
    # Read-only: no save, no delete, for records and the saved mappings alike.
    assert "_save" not in text(change)
    changed = admin_client.post(
        reverse("admin:ledgers_ledgerentry_change", args=[entry.pk]), {"state": "办结"}
    )
    assert changed.status_code == 403
    assert LedgerEntry.objects.get(pk=entry.pk).state == "预警"
    delete = reverse("admin:ledgers_ledgerentry_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    mapping = ImportMapping.objects.get(name="舆情监测服务导出")
    mapping_url = reverse("admin:ledgers_importmapping_change", args=[mapping.pk])
    assert admin_client.post(mapping_url, {"name": "改名"}).status_code == 403
    assert ImportMapping.objects.filter(name="舆情监测服务导出").exists()


def test_records_list_queries_do_not_grow_with_rows(
    client_in, unit, opinion, django_assert_max_num_queries
):
    project = Project.objects.filter(unit=unit).first()
    rows = [EntryInput(case(n), project=project) for n in range(60)]
    services.upsert_entries(opinion, unit, rows, actor=SYSTEM)

    # Besides the page's own: the session and the user, the person's membership and the unit
    # tree (their reach, once per request), the data version the page is cached under, and the
    # header's unread-message count.
    with django_assert_max_num_queries(20):
        response = client_in.get("/ledgers/opinion/?unit=224001&year=2021")

    assert len(response.context["rows"]) == 50
