"""The monitoring, self-evaluation and review pages through Django's test client.

The demo (``load_demo``) gives the numbers: its hand-computed values are worked out in
``test_demo_rounds.py``; the comments below repeat the arithmetic of the ones asserted here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from unittest.mock import ANY

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Org
from jixiao.importers.selfeval import read_selfeval_xlsx
from jixiao.lib.actor import Actor
from jixiao.rounds import services, views
from jixiao.rounds.choices import Action, ReportStatus, RoundKind, Stage
from jixiao.rounds.models import (
    IndicatorEntry,
    ProjectEntry,
    Report,
    ReviewComment,
    Round,
    ScoreOverride,
)
from jixiao.rounds.tables import forms_of, report_views
from jixiao.rounds.tests.behind import INFLUENCE, PERIOD, interrupted
from jixiao.system.demo.services import load_demo
from jixiao.targets.models import Indicator, Project
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db

JUNE_30 = dt.date(2021, 6, 30)
MONITORING = reverse("rounds:monitoring")
EVALUATION = reverse("rounds:evaluation")
INDEX = reverse("rounds:index")
# The two rows the rules flag at 30 June: one-year durations half gone (0.5 / 1 → 50 → red).


@pytest.fixture
def unit(org: Org) -> Unit:
    """The demo year on unit A (224001) of the personas' bureau."""
    load_demo()
    return Unit.objects.get(code="224001")


@pytest.fixture
def client_in(client: Client, officer: User) -> Client:
    client.force_login(officer)
    return client


def client_as(user: User) -> Client:
    """A client logged in as the person (each person its own client in one test)."""
    client = Client()
    client.force_login(user)
    return client


def indicator(unit: Unit, level3: str) -> Indicator:
    return Indicator.objects.get(project__unit=unit, project__year=2021, level3=level3)


def text_of(html: str) -> str:
    """The page's text with tags dropped and white space squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def row_text(html: str, ind: Indicator) -> str:
    match = re.search(rf'<tr id="row-{ind.pk}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"no row for {ind.level3}"
    return text_of(match.group(1)).strip()


def get(client: Client, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def chart_data(html: str, element_id: str) -> dict[str, Any]:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    assert match, f"no chart data {element_id}"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def draft_monitoring(unit: Unit) -> Report:
    """A second round at 30 June, opened by the bureau: the demo unit's report in draft, with
    both durations behind (0.3年, yellow: the two rows that need reasons)."""
    interrupted(unit)
    round_ = services.open_round(
        kind=RoundKind.MONITORING,
        year=2021,
        as_of=JUNE_30,
        due_on=dt.date(2021, 7, 31),
        bureau=unit.finance_bureau,
        title="复核监控",
        actor=Actor.system("测试"),
    )
    return Report.objects.get(round=round_, unit=unit)


def evaluation_report(unit: Unit) -> Report:
    return Report.objects.get(unit=unit, round__kind=RoundKind.SELF_EVALUATION)


def page_data(report: Report) -> dict[str, str]:
    """What the report page's form sends untouched: every row's and project's inputs, with
    the versions and digests the page carries (as a browser would post them)."""
    views_ = report_views(report, services.document(report), editing=True)
    data: dict[str, str] = {}
    for _kind, _key, form in forms_of(views_):
        for field in form:
            value = field.value()
            data[field.html_name] = "" if value is None else str(value)
    return data


class FormFields(HTMLParser):
    """The fields a browser would send for one form (by its id): inputs, textareas, selects
    inside it or naming it with form="…"."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, {}
        self.text: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        ours = self.inside or a.get("form") == self.form_id
        name = a.get("name")
        if tag == "input" and ours and name and a.get("type") not in ("submit", "button"):
            self.fields[name] = a.get("value") or ""
        elif tag == "textarea" and ours and name:
            self.text, self.fields[name] = name, ""
        elif tag == "select" and ours and name:
            self.select, self.fields[name] = name, ""
        elif tag == "option" and self.select and "selected" in a:
            self.fields[self.select] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.text = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data: str) -> None:
        if self.text:
            self.fields[self.text] += data


def fields_of(html: str, form_id: str = "report-form") -> dict[str, str]:
    """What the page's form sends when submitted as it stands."""
    parser = FormFields(form_id)
    parser.feed(html)
    # Django renders a textarea's text after a newline, which browsers drop.
    return {k: v.removeprefix("\n") for k, v in parser.fields.items()}


def reasons(ind: Indicator, reason: str = "按全年口径尚未到期。") -> dict[str, str]:
    prefix = f"i{ind.pk}"
    return {
        f"{prefix}-likelihood": "确定能",
        f"{prefix}-deviation_category": "其他",
        f"{prefix}-deviation_reason": reason,
        f"{prefix}-correction": "按月调度。",
    }


def url(name: str, report: Report, *args: object) -> str:
    return reverse(f"rounds:{name}", args=[report.pk, *args])


# --- login and the monitoring page --------------------------------------------------------


def test_pages_ask_for_a_login(client: Client) -> None:
    for url in (INDEX, MONITORING, EVALUATION, reverse("rounds:report", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_monitoring_page_shows_budget_grid_and_lights_at_june_30(
    client_in: Client, unit: Unit
) -> None:
    html = get(client_in, MONITORING, unit="224001", year=2021, as_of="2021-06-30")
    page = text_of(html)
    # 30 June is day 181 of 365: 181 / 365 = 49.589…% → 49.59%
    assert "截至 2021年6月30日，序时进度 49.59%" in page
    opinion = row_text(html, indicator(unit, "舆情监测预警、研判分析数"))
    # ≥200条: current 93, expected 200 × 181/365 = 99.18, projected 93 × 365/181 = 187.54
    assert "≥200条 93条 99.18条 187.54条" in opinion
    assert "有可能" in opinion and "绿灯" in opinion and "需说明" not in opinion
    period = row_text(html, indicator(unit, PERIOD))
    # 1年 runs with the year: expected 0.50年, v = 0.5 / 0.49589 = 100.83, on plan → 1年
    assert "1年 0.5年 0.50年 1年" in period
    assert "绿灯" in period and "确定能" in period and "需说明" not in period
    # The unit's approved report at 30 June brings the reason it wrote for a 有可能 row.
    assert "上半年工作进度略慢于序时进度。" in opinion
    # Budget: 15.00 万元, executed 6.954046 → 6.95, 6.954046 / 15 = 46.36%, plan 50.00%
    assert "15.00 15.00 6.95 46.36% 50.00% 应支出 7.50 49.59% 绿灯" in page


def test_monitoring_page_links_the_report_of_that_date(client_in: Client, unit: Unit) -> None:
    html = get(client_in, MONITORING, unit="224001", year=2021, as_of="2021-06-30")
    report = Report.objects.get(unit=unit, round__kind=RoundKind.MONITORING)
    assert reverse("rounds:report", args=[report.pk]) in html
    assert "已审核通过 ，按提交时的快照" in text_of(html)


def test_monitoring_at_another_date_is_computed_live(client_in: Client, unit: Unit) -> None:
    html = get(client_in, MONITORING, unit="224001", year=2021, as_of="2021-09-30")
    page = text_of(html)
    assert "截至这一日期没有监控填报轮次" in page
    assert "该指标为全年运行期限" not in page
    # 30 September is day 273: 273 / 365 = 74.79%
    assert "序时进度 74.79%" in page
    assert "看截至 6月30日 的监控" in page


def test_monitoring_charts_carry_the_exporters_series(client_in: Client, unit: Unit) -> None:
    html = get(client_in, MONITORING, unit="224001", year=2021, as_of="2021-06-30")
    unit_data = chart_data(html, "chart-data-unit")
    assert unit_data["spending"]["as_of"] == "2021-06-30"
    completion = unit_data["completion"]
    # 9 + 9 indicators, all lit; the unit chart numbers each label by its project.
    assert len(completion["labels"]) == 18
    first = completion["labels"].index("1.舆情监测预警、研判分析数")
    assert (completion["values"][first], completion["lights"][first]) == ("93.77", "green")
    project = Project.objects.get(unit=unit, year=2021, position=1)
    one = chart_data(html, f"chart-data-{project.pk}")
    assert "舆情监测预警、研判分析数" in one["completion"]["labels"]
    assert html.count('data-chart="spending"') == 3  # the unit and each of its two projects


def test_monitoring_date_outside_the_year_falls_back_with_a_notice(
    client_in: Client, unit: Unit
) -> None:
    page = text_of(get(client_in, MONITORING, unit="224001", year=2021, as_of="2022-01-05"))
    # Today is not in 2021, so the default is 30 June.
    assert "2022-01-05 不在 2021 年内，下面是截至 2021-06-30 的监控。" in page
    page = text_of(get(client_in, MONITORING, unit="224001", year=2021, as_of="六月底"))
    assert "日期格式不对：六月底" in page


def test_default_date_is_today_inside_the_year_else_june_30(monkeypatch) -> None:
    monkeypatch.setattr(views.timezone, "localdate", lambda: dt.date(2021, 3, 15))
    assert views.default_as_of(2021) == dt.date(2021, 3, 15)
    assert views.default_as_of(2020) == dt.date(2020, 6, 30)


# --- the self-evaluation page -------------------------------------------------------------


def test_evaluation_page_shows_scores_totals_and_grades(client_in: Client, unit: Unit) -> None:
    html = get(client_in, EVALUATION, unit="224001", year=2021)
    page = text_of(html)
    disposal = row_text(html, indicator(unit, "网络舆情处置率"))
    # 98.21 against 100%: 12.5 × 98.21 / 100 = 12.27625 → 12.28
    assert "100% 98.21% 12.50 12.28" in disposal and "需说明" in disposal
    # Its explanation comes from the submitted report.
    assert "跨部门协调" in disposal
    # 142,000 元 of 150,000: 14.20 万元, 94.67%, 10 × 0.9467 → 9.47
    assert "年度资金总额 15.00 15.00 14.20 10.00 94.67% 9.47" in page
    # 12.50 + 12.28 + 11.81 + 12.50 + 4 × 7.50 + 10.00 + 9.47 = 98.56; 99.37 for project 2
    assert "总分 100.00 98.56" in page and "总分 100.00 99.37" in page
    assert "自评等级 优" in page
    assert "待财政审核 ，按提交时的快照" in page
    header = "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施"
    assert header in page


def test_evaluation_completion_chart_shows_the_tables_figure(client_in: Client, unit: Unit) -> None:
    html = get(client_in, EVALUATION, unit="224001", year=2021)
    project = Project.objects.get(unit=unit, year=2021, position=1)
    completion = chart_data(html, f"chart-data-{project.pk}")["completion"]
    i = completion["labels"].index("网络舆情处置率")
    # actual ÷ target, as the table beside it: 98.21% of 100% = 98.21 → green (80 ≤ v < 120);
    # not the rounded score over the points (12.28 / 12.50 = 98.24)
    assert (completion["values"][i], completion["lights"][i]) == ("98.21", "green")
    assert "100% 98.21% 12.50 12.28" in row_text(html, indicator(unit, "网络舆情处置率"))


# --- downloads ----------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_monitoring_downloads_are_office_files(client_in: Client, unit: Unit) -> None:
    url = reverse("rounds:monitoring_download", args=["xlsx"])
    response = client_in.get(url, {"unit": "224001", "year": 2021, "as_of": "2021-06-30"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response.content[:2] == b"PK"
    assert "2021-06-30" in response["Content-Disposition"]


def test_evaluation_and_report_downloads(client_in: Client, unit: Unit) -> None:
    url = reverse("rounds:evaluation_download", args=["docx"])
    response = client_in.get(url, {"unit": "224001", "year": 2021})
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert response.content[:2] == b"PK"
    report = evaluation_report(unit)
    response = client_in.get(reverse("rounds:report_download", args=[report.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_download_narrowed_to_one_project(client_in: Client, unit: Unit) -> None:
    project = Project.objects.get(unit=unit, code="13032221RDEVGNWRIDTHY")
    url = reverse("rounds:evaluation_download", args=["xlsx"])
    page = text_of(get(client_in, reverse("rounds:evaluation") + "?unit=224001&year=2021"))
    assert "本项目：" in page
    response = client_in.get(url, {"unit": "224001", "year": 2021, "project": project.pk})
    assert response.status_code == 200
    # RFC 5987 file name: the project's name, percent-encoded
    assert "%E7%BD%91%E7%BB%9C%E5%AE%A3%E4%BC%A0" in response["Content-Disposition"]
    sheets = read_selfeval_xlsx(response.content)
    assert [(s.name, s.total) for s in sheets] == [("网络宣传管理经费", Decimal("99.37"))]
    missing = client_in.get(url, {"unit": "224001", "year": 2021, "project": "999999"})
    assert missing.status_code == 404


def test_downloads_refuse_unknown_formats_and_units(client_in: Client, unit: Unit) -> None:
    bad_format = reverse("rounds:monitoring_download", args=["odt"])
    assert client_in.get(bad_format, {"unit": "224001", "year": 2021}).status_code == 404
    xlsx = reverse("rounds:evaluation_download", args=["xlsx"])
    assert client_in.get(xlsx, {"unit": "999999", "year": 2021}).status_code == 404
    assert client_in.get(xlsx, {"unit": "224001", "year": 2019}).status_code == 404


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("monitoring_download", {"unit": "224001", "year": "9" * 40}),
        ("monitoring_download", {"unit": "224001", "year": "2021", "as_of": "2021-13-45"}),
        ("monitoring_download", {"unit": "224001", "year": "2021", "as_of": "2022-01-05"}),
        ("monitoring_download", {"unit": "224001", "year": "二〇二一"}),
        ("monitoring_download", {"unit": "224001"}),
        ("monitoring_download", {"year": "2021"}),
        ("evaluation_download", {"unit": "x" * 300, "year": "2021"}),
        ("evaluation_download", {"unit": "224001", "year": "2021", "project": "abc"}),
        ("evaluation_download", {"unit": "224001", "year": "2021", "project": "9" * 40}),
        ("evaluation_download", {"unit": "224001", "year": "-2021"}),
    ],
)
def test_malformed_download_parameters_are_404_not_500(
    client_in: Client, unit: Unit, name: str, params: dict[str, str]
) -> None:
    response = client_in.get(reverse(f"rounds:{name}", args=["xlsx"]), params)
    assert response.status_code == 404


def test_pages_with_malformed_parameters_answer_without_errors(
    client_in: Client, unit: Unit
) -> None:
    page = client_in.get(MONITORING, {"unit": "224001", "year": "2021", "as_of": "x" * 99})
    assert page.status_code == 200
    # Not a year is a wrong URL.
    assert client_in.get(MONITORING, {"unit": "224001", "year": "9" * 40}).status_code == 404
    # A NUL anywhere in a query is refused before any page (the 400 page, not a 500).
    assert client_in.get(EVALUATION, {"unit": "224001", "year": "2021\x00"}).status_code == 400
    assert client_in.get(EVALUATION, {"unit": "324001", "year": "2021"}).status_code == 404
    huge = "9" * 40
    assert client_in.get(f"/rounds/reports/{huge}/").status_code == 404
    report = evaluation_report(unit)
    assert client_in.get(f"/rounds/reports/{report.pk}/submissions/{huge}/").status_code == 404


def test_another_units_people_get_404_for_the_units_pages_and_downloads(
    unit: Unit, officer_b: User, other_reviewer: User
) -> None:
    report = evaluation_report(unit)
    for person in (officer_b, other_reviewer):
        client = client_as(person)
        for path, params in [
            (MONITORING, {"unit": "224001", "year": "2021"}),
            (EVALUATION, {"unit": "224001", "year": "2021"}),
            (
                reverse("rounds:evaluation_download", args=["xlsx"]),
                {"unit": "224001", "year": "2021"},
            ),
            (
                reverse("rounds:monitoring_download", args=["xlsx"]),
                {"unit": "224001", "year": "2021", "as_of": "2021-06-30"},
            ),
            (url("report", report), {}),
            (url("submission", report, 1), {}),
            (url("report_download", report, "xlsx"), {}),
        ]:
            assert client.get(path, params).status_code == 404, (person, path)


# --- the rounds ---------------------------------------------------------------------------


def test_rounds_page_lists_rounds_with_each_units_status(client_in: Client, unit: Unit) -> None:
    page = text_of(get(client_in, INDEX))
    assert "2021年上半年绩效运行监控" in page and "2021年度项目支出绩效自评" in page
    assert "数据截至 2021-06-30 · 填报截止 2021-07-20 · 昌黎县财政局" in page
    assert "已审核通过" in page and "待财政审核" in page
    # An officer opens no rounds: no form.
    assert "开启新一轮填报" not in page


def test_rounds_page_shows_only_reports_of_units_in_reach(
    unit: Unit, officer_b: User, other_reviewer: User, reviewer: User
) -> None:
    Project.objects.create(unit=Unit.objects.get(code="224002"), year=2021, name="档案项目")
    services.join_round(Round.objects.get(kind=RoundKind.MONITORING), actor=Actor.system("测试"))
    # Unit B's officer sees the round (it holds B's report) but only B's row.
    page = text_of(get(client_as(officer_b), INDEX))
    assert "2021年上半年绩效运行监控" in page and "昌黎县档案馆" in page
    assert "网络安全和信息化委员会" not in page
    # The bureau's reviewer sees both units; another bureau's reviewer sees no round.
    page = text_of(get(client_as(reviewer), INDEX))
    assert "昌黎县档案馆" in page and "网络安全和信息化委员会" in page
    page = text_of(get(client_as(other_reviewer), INDEX))
    assert "还没有填报轮次" in page


def test_rounds_page_queries_stay_flat_as_rounds_add_up(unit: Unit, bureau_admin: User) -> None:
    client = client_as(bureau_admin)
    get(client, INDEX)  # the session's first renewal (a write) happens here, not below
    with CaptureQueriesContext(connection) as before:
        get(client, INDEX)
    for month in (7, 8, 9):
        services.open_round(
            kind=RoundKind.MONITORING,
            year=2021,
            as_of=dt.date(2021, month, 28),
            due_on=dt.date(2021, month + 1, 15),
            bureau=unit.finance_bureau,
            actor=Actor(bureau_admin),
        )
    with CaptureQueriesContext(connection) as after:
        page = text_of(get(client, INDEX))
    assert "2021年绩效运行监控（截至09月28日）" in page
    assert len(after) == len(before)


def test_opening_a_round_from_the_form(unit: Unit, bureau_admin: User, org: Org) -> None:
    client = client_as(bureau_admin)
    html = get(client, INDEX)
    # Only the bureau the person administers is offered.
    options = re.search(r'<select name="bureau".*?</select>', html, re.S)
    assert options and "昌黎县财政局" in options.group(0) and "卢龙县财政局" not in options.group(0)
    assert "不限，面向所有单位" not in options.group(0)
    data = {
        "kind": "monitoring",
        "year": "2021",
        "as_of": "2021-09-30",
        "due_on": "2021-10-20",
        "bureau": str(org.bureau.pk),
        "title": "",
    }
    response = client.post(INDEX, data, follow=True)
    round_ = Round.objects.get(as_of=dt.date(2021, 9, 30))
    assert str(round_) == "2021年绩效运行监控（截至09月30日）"
    assert "已开启“2021年绩效运行监控（截至09月30日）”，1 个单位待填报。" in messages_of(response)
    assert round_.reports.get().unit == unit
    assert round_.opened_by == bureau_admin
    # Another bureau is not a choice.
    refused = client.post(INDEX, {**data, "as_of": "2021-10-31", "bureau": org.other_bureau.pk})
    assert "选择一个有效的选项" in refused.content.decode()
    assert not Round.objects.filter(as_of=dt.date(2021, 10, 31)).exists()


def test_people_who_open_no_rounds_are_refused_403(
    client_in: Client, unit: Unit, reviewer: User, head: User
) -> None:
    data = {"kind": "monitoring", "year": "2021", "as_of": "2021-09-30", "due_on": "2021-10-20"}
    for client in (client_in, client_as(reviewer), client_as(head)):
        assert client.post(INDEX, data).status_code == 403
    monitoring = Round.objects.get(kind=RoundKind.MONITORING)
    assert client_as(reviewer).post(reverse("rounds:join", args=[monitoring.pk])).status_code == 403
    assert not Round.objects.filter(as_of=dt.date(2021, 9, 30)).exists()


def test_a_self_evaluation_round_is_as_of_december_31(
    unit: Unit, bureau_admin: User, org: Org
) -> None:
    data = {
        "kind": "self_evaluation",
        "year": "2021",
        "as_of": "2021-05-01",
        "due_on": "2022-02-28",
        "bureau": org.bureau.pk,
    }
    client_as(bureau_admin).post(INDEX, data)
    assert Round.objects.get(due_on=dt.date(2022, 2, 28)).as_of == dt.date(2021, 12, 31)


def test_a_target_round_needs_no_as_of_date(unit: Unit, bureau_admin: User, org: Org) -> None:
    data = {"kind": "adjustment", "year": "2021", "due_on": "2021-07-15", "bureau": org.bureau.pk}
    assert client_as(bureau_admin).post(INDEX, data).status_code == 302
    # A date typed in by habit is dropped too: a target round counts nothing at a date.
    data = {**data, "kind": "declaration", "as_of": "2021-06-30", "due_on": "2021-03-01"}
    assert client_as(bureau_admin).post(INDEX, data).status_code == 302
    opened = Round.objects.filter(kind__in=["adjustment", "declaration"]).order_by("kind")
    assert [(r.kind, r.as_of) for r in opened] == [
        ("adjustment", dt.date(2021, 1, 1)),
        ("declaration", dt.date(2021, 1, 1)),
    ]


def test_opening_a_round_with_bad_dates_is_refused_in_chinese(
    unit: Unit, bureau_admin: User, org: Org
) -> None:
    client = client_as(bureau_admin)
    data = {"kind": "monitoring", "year": "2021", "due_on": "2021-10-20", "bureau": org.bureau.pk}
    response = client.post(INDEX, data)
    assert "绩效运行监控请填写数据截至日期。" in response.content.decode()
    data = {**data, "as_of": "2021-09-30", "due_on": "2021-09-01"}
    response = client.post(INDEX, data)
    assert response.status_code == 200
    assert "填报截止日期不能早于数据截至日期。" in response.content.decode()
    assert not Round.objects.filter(as_of=dt.date(2021, 9, 30)).exists()


def test_a_unit_that_got_projects_after_the_round_opened_can_join(
    unit: Unit, bureau_admin: User, officer: User
) -> None:
    child = Unit.objects.create(code="224001009", name="下属单位", parent=unit)
    Project.objects.create(unit=child, year=2021, name="新项目", budget_total=Decimal("2"))
    client = client_as(bureau_admin)
    page = text_of(get(client, INDEX))
    # Both demo rounds (昌黎县财政局) now reach the child unit through its parent.
    assert page.count("另有 1 个单位") == 2
    # The unit's officer is not offered to add it.
    assert "另有 1 个单位" not in text_of(get(client_as(officer), INDEX))
    monitoring = Round.objects.get(kind=RoundKind.MONITORING, year=2021, bureau__isnull=False)
    response = client.post(reverse("rounds:join", args=[monitoring.pk]), follow=True)
    assert "已为 1 个单位建立本轮填报。" in text_of(response.content.decode())
    report = Report.objects.get(round=monitoring, unit=child)
    assert report.status == ReportStatus.DRAFT
    assert report.events.get().action == Action.OPENED
    assert text_of(get(client, INDEX)).count("另有 1 个单位") == 1


# --- a unit's report: what each person sees -----------------------------------------------


def test_unknown_report_is_404(client_in: Client, unit: Unit) -> None:
    assert client_in.get(reverse("rounds:report", args=[99999])).status_code == 404
    assert client_in.post(reverse("rounds:submit", args=[99999])).status_code == 404
    assert client_in.post(reverse("rounds:save", args=[99999])).status_code == 404


def test_approved_report_shows_its_table_and_history_without_forms(
    client_in: Client, unit: Unit
) -> None:
    report = Report.objects.get(unit=unit, round__kind=RoundKind.MONITORING)
    html = get(client_in, url("report", report))
    page = text_of(html)
    assert "已审核通过 ：监控情况属实，偏差原因说明清楚。" in page
    assert "第 1 次" in page and "查看快照" in page
    assert "李主任 2021-07-16 11:00 通过：情况属实，同意报送。" in page
    assert "开启填报" in page and "保存填报内容" in page and "单位审核通过" in page
    assert "财政审核通过" in page
    opinion = row_text(html, indicator(unit, "舆情监测预警、研判分析数"))
    assert "上半年工作进度略慢于序时进度。" in opinion
    assert 'name="i' not in html  # nothing to edit
    assert "提交" not in re.findall(r"<button[^>]*>([^<]*)</button>", html)
    assert "js/report.js" not in html  # nothing to lose, nothing to warn about


def test_draft_report_has_every_input_in_one_form_preselected_with_the_suggestion(
    client_in: Client, unit: Unit
) -> None:
    report = draft_monitoring(unit)
    html = get(client_in, url("report", report))
    opinion = indicator(unit, "舆情监测预警、研判分析数")
    select = re.search(rf'<select name="i{opinion.pk}-likelihood".*?</select>', html, re.S)
    assert select and '<option value="有可能" selected>' in select.group(0)
    assert 'form="report-form"' in select.group(0)
    assert f'name="i{opinion.pk}-version" value="0"' in html
    assert f'<form id="report-form" method="post" action="{url("save", report)}"' in html
    buttons = re.findall(r"<button[^>]*>([^<]*)</button>", html)
    assert buttons.count("保存全部") == 2 and buttons.count("提交") == 2
    assert "保存</button>" not in html  # no per-row saves any more
    # The page's one form sends every row's and project's inputs, versions and digests.
    assert fields_of(html) == {"csrfmiddlewaretoken": ANY, **page_data(report)}
    # The unsaved-text warning is a static script (the content security policy forbids inline).
    assert '<script src="/static/js/report.js" defer></script>' in html
    assert "<script>" not in html


def test_buttons_show_only_to_those_who_may_use_them(
    unit: Unit, officer: User, head: User, reviewer: User, auditor: User
) -> None:
    report = draft_monitoring(unit)
    for person, sees_inputs in [(officer, True), (head, True), (reviewer, False), (auditor, False)]:
        html = get(client_as(person), url("report", report))
        assert ("保存全部" in html) is sees_inputs, person
        assert ('name="i' in html) is sees_inputs, person
        link = f'<a href="{url("report", report)}">{"填报" if sees_inputs else "查看"}</a>'
        assert link in get(client_as(person), INDEX), person
    evaluation = evaluation_report(unit)  # 待财政审核
    reviewer_page = get(client_as(reviewer), url("report", evaluation))
    assert "财政审核" in reviewer_page and "调整得分" in reviewer_page
    assert url("decide", evaluation, "approve") in reviewer_page
    assert 'name="rc-i' in reviewer_page  # a comment box per row
    for person in (officer, head, auditor):
        html = get(client_as(person), url("report", evaluation))
        assert url("decide", evaluation, "approve") not in html, person
        assert "调整得分</summary>" not in html and 'name="rc-i' not in html, person


# --- a unit's report: saving everything at once -------------------------------------------


def test_submit_saves_every_row_typed_then_submits(client_in: Client, unit: Unit) -> None:
    """Reasons typed in five rows and 提交 pressed at once: all five are kept, and submitted."""
    report = draft_monitoring(unit)
    rows = [
        indicator(unit, name)
        for name in (
            PERIOD,
            INFLUENCE,
            "舆情监测预警、研判分析数",
            "网络舆情处置率",
            "官方网宣平台信息发布数量",
        )
    ]
    data = page_data(report)
    for n, ind in enumerate(rows):
        data.update(reasons(ind, f"第{n + 1}行的原因。"))
    response = client_in.post(url("submit", report), data, follow=True)
    assert messages_of(response) == [
        "已保存 5 项修改。",
        "已提交（第 1 次提交），等待单位负责人审核。",
    ]
    report.refresh_from_db()
    assert report.status == ReportStatus.UNIT_REVIEW
    saved = dict(
        IndicatorEntry.objects.filter(report=report).values_list("indicator_id", "deviation_reason")
    )
    assert saved == {ind.pk: f"第{n + 1}行的原因。" for n, ind in enumerate(rows)}
    snapshot = report.submissions.get().snapshot
    written = [r["deviation_reason"] for p in snapshot["projects"] for r in p["rows"]]
    assert sorted(filter(None, written)) == sorted(f"第{n}行的原因。" for n in range(1, 6))


def test_saving_the_page_untouched_writes_nothing(client_in: Client, unit: Unit) -> None:
    """The suggested likelihoods and default scores the page shows are not written back."""
    report = draft_monitoring(unit)
    response = client_in.post(url("save", report), page_data(report), follow=True)
    assert messages_of(response) == ["没有需要保存的修改。"]
    assert not IndicatorEntry.objects.filter(report=report).exists()
    assert not ProjectEntry.objects.filter(report=report).exists()


def test_save_all_writes_rows_and_projects_and_redirects(client_in: Client, unit: Unit) -> None:
    report = draft_monitoring(unit)
    project = Project.objects.get(unit=unit, year=2021, position=1)
    data = {**page_data(report), **reasons(indicator(unit, PERIOD), "半年已过，全年尚未到期。")}
    data[f"p{project.pk}-executed"] = "6"
    data[f"p{project.pk}-deviation_reason"] = "合同尚未结算。"
    response = client_in.post(url("save", report), data, follow=True)
    assert response.redirect_chain[-1][0] == url("report", report)
    assert messages_of(response) == ["已保存 2 项修改。"]
    html = response.content.decode()
    # 6 of 15 万元 = 40.00%; of the planned 7.50: 6 / 7.5 = 80.00% → green (80 ≤ v < 120)
    assert "40.00%" in text_of(html) and "手工填写" in html
    assert "半年已过，全年尚未到期。</textarea>" in html
    period = IndicatorEntry.objects.get(report=report, indicator=indicator(unit, PERIOD))
    assert (period.deviation_category, period.version) == ("其他", 1)
    assert f'name="i{period.indicator_id}-version" value="1"' in html
    events = report.events.filter(action=Action.SAVED)
    assert {e.comment for e in events} == {PERIOD, project.label}
    assert "偏差原因：（空） → 半年已过，全年尚未到期。" in text_of(html)


def test_a_refused_value_saves_nothing_and_keeps_everything_typed(
    client_in: Client, unit: Unit
) -> None:
    report = draft_monitoring(unit)
    project = Project.objects.get(unit=unit, year=2021, position=1)
    data = {**page_data(report), **reasons(indicator(unit, PERIOD), "这段文字不能丢。")}
    data[f"p{project.pk}-executed"] = "-1"
    response = client_in.post(url("save", report), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "有 1 处填写不正确，全部没有保存" in text_of(html)
    assert "确保该值大于或等于0。" in html
    assert "这段文字不能丢。</textarea>" in html
    assert 'data-dirty="true"' in html  # the warning is armed: the text is not saved
    assert not IndicatorEntry.objects.filter(report=report).exists()


def test_a_stale_save_is_refused_with_what_changed_and_keeps_the_typed_text(
    client_in: Client, unit: Unit, head: User
) -> None:
    report = draft_monitoring(unit)
    period, influence = indicator(unit, PERIOD), indicator(unit, INFLUENCE)
    opened = page_data(report)  # the officer opens the page …
    # … the head saves a reason for the influence row meanwhile …
    services.save_indicator_entry(
        report, influence, actor=Actor(head), version=0, deviation_reason="负责人写的原因"
    )
    # … and the officer, who typed in the period row only, presses 保存全部.
    data = {**opened, **reasons(period, "经办人写的原因")}
    response = client_in.post(url("save", report), data)
    assert response.status_code == 200
    page = text_of(response.content.decode())
    html = response.content.decode()
    assert "没有保存：下面的内容在你打开本页之后已被他人修改。" in page
    assert f"“{influence}”在你打开之后已被他人修改" in page
    assert "单位负责人（head）" in page and "偏差原因：（空） → 负责人写的原因" in page
    assert not IndicatorEntry.objects.filter(report=report, indicator=period).exists()
    # The officer's text stays; the head's row shows the head's text, at its new version.
    assert "经办人写的原因</textarea>" in html
    assert "负责人写的原因</textarea>" in html
    assert f'name="i{influence.pk}-version" value="1"' in html
    # Saved again from that page, the officer's row goes through and the head's stays.
    again = fields_of(html)
    assert again[f"i{period.pk}-deviation_reason"] == "经办人写的原因"
    response = client_in.post(url("save", report), again, follow=True)
    assert messages_of(response) == ["已保存 1 项修改。"]
    saved = dict(
        IndicatorEntry.objects.filter(report=report).values_list("indicator_id", "deviation_reason")
    )
    assert saved == {period.pk: "经办人写的原因", influence.pk: "负责人写的原因"}


def test_spending_over_the_budget_is_warned_on_the_report(client_in: Client, unit: Unit) -> None:
    report = draft_monitoring(unit)
    project = Project.objects.get(unit=unit, year=2021, position=1)
    # 16 万元 typed as spent of a 15 万元 budget: 16 / 15 = 106.67%.
    services.save_project_entry(report, project, actor=Actor.system("测试"), executed=Decimal("16"))
    page = text_of(get(client_in, url("report", report)))
    assert "注意：实际执行数已超过全年预算（执行率 106.67%）" in page
    # The exported analysis page says it too.
    from jixiao.exporters.monitoring_layout import analysis_table

    table = analysis_table(services.document(report))
    assert table is not None
    texts = [cell.text for row in table.rows for cell in row]
    assert "实际执行数超过全年预算（执行率 106.67%）" in texts


def test_submit_is_refused_with_the_missing_inputs(client_in: Client, unit: Unit) -> None:
    report = draft_monitoring(unit)
    response = client_in.post(url("submit", report), page_data(report), follow=True)
    assert messages_of(response) == [
        "还不能提交：",
        f"网络安全和信息化经费“{PERIOD}”：需填写偏差原因",
        f"网络宣传管理经费“{INFLUENCE}”：需填写偏差原因",
    ]
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_saving_on_an_approved_report_is_refused(client_in: Client, unit: Unit) -> None:
    report = Report.objects.get(unit=unit, round__kind=RoundKind.MONITORING)
    period = indicator(unit, PERIOD)
    data = {**reasons(period, "改一下"), f"i{period.pk}-version": "1", f"i{period.pk}-loaded": ""}
    response = client_in.post(url("save", report), data, follow=True)
    assert "本填报当前状态为“已审核通过”，不能修改。" in text_of(response.content.decode())
    assert IndicatorEntry.objects.get(report=report, indicator=period).deviation_reason != "改一下"


# --- a unit's report: the loop through the pages ------------------------------------------


def test_submit_endorse_return_with_a_row_comment_correct_resubmit_approve(
    client_in: Client, unit: Unit, head: User, reviewer: User
) -> None:
    report = draft_monitoring(unit)
    period, influence = indicator(unit, PERIOD), indicator(unit, INFLUENCE)
    data = {**page_data(report), **reasons(period), **reasons(influence)}
    client_in.post(url("submit", report), data)

    # The head approves it for the bureau.
    head_client = client_as(head)
    html = get(head_client, url("report", report))
    assert "审核通过，报财政局" in html and 'name="rc-i' in html
    response = head_client.post(url("decide", report, "endorse"), {"comment": ""}, follow=True)
    assert "已审核通过，报财政局审核。" in messages_of(response)

    # The reviewer returns it with a comment on one row.
    review = client_as(reviewer)
    back = url("decide", report, "return")
    response = review.post(back, {"comment": " "}, follow=True)
    assert "退回时请填写审核意见。" in messages_of(response)
    response = review.post(
        back, {"comment": "", f"rc-i{period.pk}": "请写明截至6月30日的运行天数。"}, follow=True
    )
    assert "已退回，填报人可按意见修改后重新提交。" in messages_of(response)
    comment = ReviewComment.objects.get()
    assert (comment.indicator, comment.stage, comment.created_by) == (
        period,
        Stage.BUREAU,
        reviewer,
    )

    # The officer sees the comment beside its row while correcting, and resubmits.
    html = get(client_in, url("report", report))
    assert "财政审核意见： 请写明截至6月30日的运行天数。 （财政审核员）" in row_text(html, period)
    assert "财政审核意见" not in row_text(html, influence)
    assert "财政局退回意见： 1 条逐行意见，标在对应的行旁。" in text_of(html)
    data = {**page_data(report), **reasons(period, "全年期限指标，6月30日已运行181天。")}
    response = client_in.post(url("submit", report), data, follow=True)
    assert "已提交（第 2 次提交），等待单位负责人审核。" in messages_of(response)
    head_client.post(url("decide", report, "endorse"), {"comment": "已核实"})
    response = review.post(url("decide", report, "approve"), {"comment": ""}, follow=True)
    assert "已审核通过。" in messages_of(response)

    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    first, second = report.submissions.order_by("number")
    assert (first.decision, first.decided_stage, second.decision) == (
        "returned",
        "bureau",
        "approved",
    )
    assert (second.endorsed_by, second.endorse_comment) == (head, "已核实")
    # The second snapshot has the corrected reason; the first keeps its own and its comment.
    snapshot = text_of(get(client_in, url("submission", report, 2)))
    assert "全年期限指标，6月30日已运行181天。" in snapshot and "运行天数" not in snapshot
    first_page = get(client_in, url("submission", report, 1))
    assert "全年期限指标" not in text_of(first_page)
    assert "请写明截至6月30日的运行天数。" in row_text(first_page, period)


def test_approving_with_row_comments_is_refused_and_keeps_them(unit: Unit, reviewer: User) -> None:
    report = evaluation_report(unit)
    disposal = indicator(unit, "网络舆情处置率")
    response = client_as(reviewer).post(
        url("decide", report, "approve"), {"comment": "好", f"rc-i{disposal.pk}": "这行再看看"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "逐行意见只在退回时保存" in text_of(html)
    assert "这行再看看</textarea>" in html
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_actions_the_role_lacks_are_403(
    client_in: Client, unit: Unit, head: User, reviewer: User, auditor: User
) -> None:
    evaluation = evaluation_report(unit)  # 待财政审核
    disposal = indicator(unit, "网络舆情处置率")
    override = {
        "project": disposal.project_id,
        "indicator": disposal.pk,
        "score": "1",
        "reason": "x",
    }
    for client in (client_in, client_as(head), client_as(auditor)):
        assert client.post(url("decide", evaluation, "approve")).status_code == 403
        assert client.post(url("decide", evaluation, "return"), {"comment": "x"}).status_code == 403
        assert client.post(url("override", evaluation), override).status_code == 403
    draft = draft_monitoring(unit)
    for client in (client_as(reviewer), client_as(auditor)):
        assert client.post(url("save", draft), page_data(draft)).status_code == 403
        assert client.post(url("submit", draft)).status_code == 403
    assert client_in.post(url("decide", evaluation, "delete")).status_code == 404
    evaluation.refresh_from_db()
    assert evaluation.status == ReportStatus.SUBMITTED and not ScoreOverride.objects.exists()


def test_another_units_officer_gets_404_for_every_report_action(
    unit: Unit, officer_b: User
) -> None:
    report = evaluation_report(unit)
    client = client_as(officer_b)
    for name, args in [
        ("report", ()),
        ("submission", (1,)),
        ("report_download", ("pdf",)),
    ]:
        assert client.get(url(name, report, *args)).status_code == 404
    for name, args in [
        ("save", ()),
        ("submit", ()),
        ("decide", ("approve",)),
        ("decide", ("return",)),
        ("override", ()),
    ]:
        assert client.post(url(name, report, *args), {"comment": "x"}).status_code == 404


# --- scores ------------------------------------------------------------------------------


def test_score_outside_its_band_is_refused_and_a_good_one_moves_the_total(
    client_in: Client, unit: Unit, reviewer: User
) -> None:
    report = evaluation_report(unit)
    services.return_report(report, actor=Actor(reviewer), comment="请复核定性指标得分。")
    economic = indicator(unit, "避免经济损失")
    prefix = f"i{economic.pk}"
    data = {**page_data(report), f"{prefix}-score": "7.90"}
    response = client_in.post(url("save", report), data)
    # 达成: 80–100% of 7.50 points → 6.00–7.50
    assert "完成等级为“达成”，得分应在 6.00–7.50 之间" in response.content.decode()
    assert 'value="7.90"' in response.content.decode()  # kept for correcting
    data[f"{prefix}-score"] = "7.00"
    response = client_in.post(url("save", report), data, follow=True)
    # 98.56 − (7.50 − 7.00) = 98.06
    assert "总分 100.00 98.06" in text_of(response.content.decode())


def test_override_with_a_reason_shows_both_scores_and_lands_in_history(
    unit: Unit, reviewer: User
) -> None:
    report = evaluation_report(unit)
    disposal = indicator(unit, "网络舆情处置率")
    prefix = f"o{disposal.project_id}-{disposal.pk}"
    data = {
        "prefix": prefix,
        f"{prefix}-project": disposal.project_id,
        f"{prefix}-indicator": disposal.pk,
        f"{prefix}-score": "12.00",
        f"{prefix}-reason": "两起舆情处置记录不完整。",
    }
    response = client_as(reviewer).post(url("override", report), data, follow=True)
    assert "已将“网络舆情处置率”的得分调整为 12.00。" in messages_of(response)
    html = response.content.decode()
    row = row_text(html, disposal)
    assert (
        "12.00 （计算 12.28）" in row and "调整理由：两起舆情处置记录不完整。（财政审核员）" in row
    )
    # 98.56 − (12.28 − 12.00) = 98.28
    assert "总分 100.00 98.28" in text_of(html)
    assert "调整得分 两起舆情处置记录不完整。" in text_of(html)
    assert ScoreOverride.objects.get(report=report).computed == Decimal("12.28")


def test_override_needs_a_reason_and_a_score_within_the_points(unit: Unit, reviewer: User) -> None:
    report = evaluation_report(unit)
    disposal = indicator(unit, "网络舆情处置率")
    client = client_as(reviewer)
    base = {"project": disposal.project_id, "indicator": disposal.pk}
    response = client.post(
        url("override", report), {**base, "score": "12", "reason": ""}, follow=True
    )
    assert "调整得分时请填写理由。" in messages_of(response)
    response = client.post(
        url("override", report), {**base, "score": "13", "reason": "多给"}, follow=True
    )
    assert "“网络舆情处置率”的得分应在 0 到 12.50 之间，最多两位小数。" in messages_of(response)
    response = client.post(
        url("override", report), {**base, "score": "十二", "reason": "x"}, follow=True
    )
    assert messages_of(response) == ["调整得分：输入一个数字。"]
    assert not ScoreOverride.objects.exists()


def test_an_empty_override_score_withdraws_it(unit: Unit, reviewer: User) -> None:
    report = evaluation_report(unit)
    project = Project.objects.get(unit=unit, year=2021, position=1)
    services.override_score(
        report, project=project, score=Decimal("9.00"), reason="核减", actor=Actor(reviewer)
    )
    data = {"project": project.pk, "indicator": "", "score": "", "reason": "复核后恢复"}
    response = client_as(reviewer).post(url("override", report), data, follow=True)
    assert "已撤销“预算执行率”的得分调整。" in messages_of(response)
    # Back to the computed 9.47 and the total 98.56.
    assert "年度资金总额 15.00 15.00 14.20 10.00 94.67% 9.47" in text_of(response.content.decode())


def test_evaluation_of_a_project_without_budget_says_why_instead_of_failing(
    client_in: Client, org: Org
) -> None:
    Project.objects.create(
        unit=org.unit, year=2021, code="P1", name="无预算项目", money_unit="万元"
    )
    response = client_in.get(EVALUATION, {"unit": "224001", "year": 2021})
    assert response.status_code == 200
    assert "项目“无预算项目”没有全年预算数，无法计算预算执行率。" in response.content.decode()


def test_snapshot_page_shows_the_frozen_tables(client_in: Client, unit: Unit) -> None:
    report = evaluation_report(unit)
    html = get(client_in, url("submission", report, 1))
    assert "第 1 次提交快照" in text_of(html)
    assert (
        "单位审核通过 2022-02-26 15:00（李主任）：自评结果属实，同意报送。 · 待财政审核"
        in text_of(html)
    )
    assert "总分 100.00 98.56" in text_of(html)
    assert client_in.get(url("submission", report, 9)).status_code == 404


def test_nonsense_input_gives_messages_not_errors(unit: Unit, bureau_admin: User) -> None:
    response = client_as(bureau_admin).post(
        INDEX, {"kind": "yearly", "year": "二〇二一", "due_on": "明天"}
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
