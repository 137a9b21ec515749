"""The monitoring, self-evaluation and review pages through Django's test client.

The demo (``load_demo``) gives the numbers: its hand-computed values are worked out in
``test_demo_rounds.py``; the comments below repeat the arithmetic of the ones asserted here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jixiao.importers.selfeval import read_selfeval_xlsx
from jixiao.rounds import services, views
from jixiao.rounds.choices import Action, ReportStatus, RoundKind
from jixiao.rounds.models import IndicatorEntry, Report, Round, ScoreOverride
from jixiao.system.demo.services import load_demo
from jixiao.targets.models import Indicator, Project
from jixiao.units.models import FinanceBureau, Unit

pytestmark = pytest.mark.django_db

JUNE_30 = dt.date(2021, 6, 30)
MONITORING = reverse("rounds:monitoring")
EVALUATION = reverse("rounds:evaluation")
INDEX = reverse("rounds:index")
HTMX = {"HTTP_HX_REQUEST": "true"}
# The two rows the rules flag at 30 June: one-year durations half gone (0.5 / 1 → 50 → red).
PERIOD = "网络安全稳定运行期限"
INFLUENCE = "网络宣传影响力持续期限"


@pytest.fixture
def unit() -> Unit:
    load_demo()
    return Unit.objects.get(code="224001")


@pytest.fixture
def client_in(client: Client, officer: User) -> Client:
    client.force_login(officer)
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


def draft_monitoring(unit: Unit, officer: User) -> Report:
    """A second round at 30 June for every unit: the demo unit's report in draft."""
    round_ = services.open_round(
        kind=RoundKind.MONITORING,
        year=2021,
        as_of=JUNE_30,
        due_on=dt.date(2021, 7, 31),
        title="复核监控",
        actor=officer,
    )
    return Report.objects.get(round=round_, unit=unit)


def evaluation_report(unit: Unit) -> Report:
    return Report.objects.get(unit=unit, round__kind=RoundKind.SELF_EVALUATION)


def reason_post(ind: Indicator, reason: str = "按全年口径尚未到期。") -> dict[str, str]:
    prefix = f"i{ind.pk}"
    return {
        f"{prefix}-likelihood": "确定能",
        f"{prefix}-deviation_category": "其他",
        f"{prefix}-deviation_reason": reason,
        f"{prefix}-correction": "按月调度。",
    }


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
    assert "红灯" in period and "需说明" in period
    # The unit's approved report at 30 June brings the reason it wrote.
    assert "该指标为全年运行期限" in period
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
    assert "已提交待审核 ，按提交时的快照" in page


def test_evaluation_completion_chart_is_score_over_points(client_in: Client, unit: Unit) -> None:
    html = get(client_in, EVALUATION, unit="224001", year=2021)
    project = Project.objects.get(unit=unit, year=2021, position=1)
    completion = chart_data(html, f"chart-data-{project.pk}")["completion"]
    i = completion["labels"].index("网络舆情处置率")
    # 12.28 / 12.50 × 100 = 98.24 → green (80 ≤ 98.24 < 120)
    assert (completion["values"][i], completion["lights"][i]) == ("98.24", "green")


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


# --- the rounds ---------------------------------------------------------------------------


def test_rounds_page_lists_rounds_with_each_units_status(client_in: Client, unit: Unit) -> None:
    page = text_of(get(client_in, INDEX))
    assert "2021年上半年绩效运行监控" in page and "2021年度项目支出绩效自评" in page
    assert "数据截至 2021-06-30 · 填报截止 2021-07-20 · 昌黎县财政局" in page
    assert "已审核通过" in page and "已提交待审核" in page


def test_rounds_page_queries_stay_flat_as_rounds_add_up(
    client_in: Client, unit: Unit, officer: User
) -> None:
    with CaptureQueriesContext(connection) as before:
        get(client_in, INDEX)
    for month in (7, 8, 9):
        services.open_round(
            kind=RoundKind.MONITORING,
            year=2021,
            as_of=dt.date(2021, month, 28),
            due_on=dt.date(2021, month + 1, 15),
            actor=officer,
        )
    with CaptureQueriesContext(connection) as after:
        page = text_of(get(client_in, INDEX))
    assert "2021年绩效运行监控（截至09月28日）" in page
    assert len(after) == len(before)


def test_opening_a_round_from_the_form(client_in: Client, unit: Unit) -> None:
    bureau = FinanceBureau.objects.get(name="昌黎县财政局")
    data = {
        "kind": "monitoring",
        "year": "2021",
        "as_of": "2021-09-30",
        "due_on": "2021-10-20",
        "bureau": str(bureau.pk),
        "title": "",
    }
    response = client_in.post(INDEX, data, follow=True)
    round_ = Round.objects.get(as_of=dt.date(2021, 9, 30))
    assert str(round_) == "2021年绩效运行监控（截至09月30日）"
    assert "已开启“2021年绩效运行监控（截至09月30日）”，1 个单位待填报。" in messages_of(response)
    assert round_.reports.get().unit == unit


def test_a_self_evaluation_round_is_as_of_december_31(client_in: Client, unit: Unit) -> None:
    data = {
        "kind": "self_evaluation",
        "year": "2021",
        "as_of": "2021-05-01",
        "due_on": "2022-02-28",
    }
    client_in.post(INDEX, data)
    assert Round.objects.get(due_on=dt.date(2022, 2, 28)).as_of == dt.date(2021, 12, 31)


def test_opening_a_round_with_bad_dates_is_refused_in_chinese(
    client_in: Client, unit: Unit
) -> None:
    response = client_in.post(INDEX, {"kind": "monitoring", "year": "2021", "due_on": "2021-10-20"})
    assert "绩效运行监控请填写数据截至日期。" in response.content.decode()
    data = {"kind": "monitoring", "year": "2021", "as_of": "2021-09-30", "due_on": "2021-09-01"}
    response = client_in.post(INDEX, data)
    assert response.status_code == 200
    assert "填报截止日期不能早于数据截至日期。" in response.content.decode()
    assert not Round.objects.filter(as_of=dt.date(2021, 9, 30)).exists()


# --- a unit's report ----------------------------------------------------------------------


def test_unknown_report_is_404(client_in: Client, unit: Unit) -> None:
    assert client_in.get(reverse("rounds:report", args=[99999])).status_code == 404
    submit = reverse("rounds:submit", args=[99999])
    assert client_in.post(submit).status_code == 404


def test_approved_report_shows_its_table_and_history_without_forms(
    client_in: Client, unit: Unit
) -> None:
    report = Report.objects.get(unit=unit, round__kind=RoundKind.MONITORING)
    html = get(client_in, reverse("rounds:report", args=[report.pk]))
    page = text_of(html)
    assert "已审核通过 ：监控情况属实，偏差原因说明清楚。" in page
    assert "第 1 次" in page and "查看快照" in page
    assert "开启填报" in page and "保存填报内容" in page and "审核通过" in page
    assert "该指标为全年运行期限" in row_text(html, indicator(unit, PERIOD))
    assert 'name="i' not in html  # nothing to edit
    assert "提交" not in re.findall(r"<button[^>]*>([^<]*)</button>", html)


def test_draft_report_has_a_form_per_row_preselected_with_the_suggestion(
    client_in: Client, unit: Unit, officer: User
) -> None:
    report = draft_monitoring(unit, officer)
    html = get(client_in, reverse("rounds:report", args=[report.pk]))
    opinion = indicator(unit, "舆情监测预警、研判分析数")
    select = re.search(rf'<select name="i{opinion.pk}-likelihood".*?</select>', html, re.S)
    assert select and '<option value="有可能" selected>' in select.group(0)
    assert f'form="entry-{opinion.pk}"' in html


def test_saving_a_reason_with_htmx_redraws_the_row(
    client_in: Client, unit: Unit, officer: User
) -> None:
    report = draft_monitoring(unit, officer)
    period = indicator(unit, PERIOD)
    url = reverse("rounds:save_indicator", args=[report.pk, period.pk])
    response = client_in.post(url, reason_post(period, "半年已过，全年尚未到期。"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith(f'<tr id="row-{period.pk}"')
    assert "已保存" in html and "半年已过，全年尚未到期。</textarea>" in html
    entry = IndicatorEntry.objects.get(report=report, indicator=period)
    assert (entry.deviation_category, entry.deviation_reason) == (
        "其他",
        "半年已过，全年尚未到期。",
    )
    assert report.events.filter(action=Action.SAVED, actor=officer).count() == 1


def test_saving_without_javascript_redirects_with_a_message(
    client_in: Client, unit: Unit, officer: User
) -> None:
    report = draft_monitoring(unit, officer)
    period = indicator(unit, PERIOD)
    url = reverse("rounds:save_indicator", args=[report.pk, period.pk])
    response = client_in.post(url, reason_post(period), follow=True)
    assert response.redirect_chain[-1][0].endswith(f"#row-{period.pk}")
    assert f"已保存“{PERIOD}”。" in messages_of(response)


def test_saving_on_an_approved_report_is_refused_inline(client_in: Client, unit: Unit) -> None:
    report = Report.objects.get(unit=unit, round__kind=RoundKind.MONITORING)
    period = indicator(unit, PERIOD)
    url = reverse("rounds:save_indicator", args=[report.pk, period.pk])
    response = client_in.post(url, reason_post(period, "改一下"), **HTMX)
    assert "本填报当前状态为“已审核通过”，不能修改。" in response.content.decode()
    assert IndicatorEntry.objects.get(report=report, indicator=period).deviation_reason != "改一下"


def test_submit_is_refused_with_the_missing_inputs(
    client_in: Client, unit: Unit, officer: User
) -> None:
    report = draft_monitoring(unit, officer)
    response = client_in.post(reverse("rounds:submit", args=[report.pk]), follow=True)
    assert messages_of(response) == [
        "还不能提交：",
        f"网络安全和信息化经费“{PERIOD}”：需填写偏差原因",
        f"网络宣传管理经费“{INFLUENCE}”：需填写偏差原因",
    ]
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_submit_return_edit_submit_approve(client_in: Client, unit: Unit, officer: User) -> None:
    report = draft_monitoring(unit, officer)
    for name in (PERIOD, INFLUENCE):
        ind = indicator(unit, name)
        client_in.post(reverse("rounds:save_indicator", args=[report.pk, ind.pk]), reason_post(ind))
    submit = reverse("rounds:submit", args=[report.pk])
    response = client_in.post(submit, follow=True)
    assert "已提交（第 1 次提交），等待审核。" in messages_of(response)

    back = reverse("rounds:decide", args=[report.pk, "return"])
    response = client_in.post(back, {"comment": " "}, follow=True)
    assert "退回时请填写审核意见。" in messages_of(response)
    response = client_in.post(back, {"comment": "偏差原因请写具体。"}, follow=True)
    assert "退回意见： 偏差原因请写具体。" in text_of(response.content.decode())

    period = indicator(unit, PERIOD)
    edit = reverse("rounds:save_indicator", args=[report.pk, period.pk])
    client_in.post(edit, reason_post(period, "全年期限指标，6月30日仅过半年。"), **HTMX)
    client_in.post(submit)
    approve = reverse("rounds:decide", args=[report.pk, "approve"])
    response = client_in.post(approve, {"comment": ""}, follow=True)
    assert "已审核通过。" in messages_of(response)

    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    first, second = report.submissions.order_by("number")
    assert (first.decision, first.comment, second.decision) == (
        "returned",
        "偏差原因请写具体。",
        "approved",
    )
    # The second snapshot has the edited reason; the first keeps the one it was returned with.
    snapshot = text_of(get(client_in, reverse("rounds:submission", args=[report.pk, 2])))
    assert "全年期限指标，6月30日仅过半年。" in snapshot
    assert "全年期限指标" not in text_of(
        get(client_in, reverse("rounds:submission", args=[report.pk, 1]))
    )


def test_project_budget_reason_and_manual_executed_amount(
    client_in: Client, unit: Unit, officer: User
) -> None:
    report = draft_monitoring(unit, officer)
    project = Project.objects.get(unit=unit, year=2021, position=1)
    url = reverse("rounds:save_project", args=[report.pk, project.pk])
    prefix = f"p{project.pk}"
    data = {f"{prefix}-executed": "6", f"{prefix}-deviation_reason": "合同尚未结算。"}
    html = client_in.post(url, data, **HTMX).content.decode()
    # 6 of 15 万元 = 40.00%; of the planned 7.50: 6 / 7.5 = 80.00% → green (80 ≤ v < 120)
    assert f'id="budget-{project.pk}" hx-swap-oob="true"' in html
    assert "40.00%" in text_of(html) and "手工填写" in html
    response = client_in.post(url, {f"{prefix}-executed": "-1"}, **HTMX)
    assert "确保该值大于或等于0。" in response.content.decode()


def test_score_outside_its_band_is_refused_and_a_good_one_moves_the_total(
    client_in: Client, unit: Unit, officer: User
) -> None:
    report = evaluation_report(unit)
    services.return_report(report, actor=officer, comment="请复核定性指标得分。")
    economic = indicator(unit, "避免经济损失")
    url = reverse("rounds:save_indicator", args=[report.pk, economic.pk])
    prefix = f"i{economic.pk}"
    response = client_in.post(url, {f"{prefix}-score": "7.90", f"{prefix}-explanation": ""}, **HTMX)
    # 达成: 80–100% of 7.50 points → 6.00–7.50
    assert "完成等级为“达成”，得分应在 6.00–7.50 之间" in response.content.decode()
    response = client_in.post(url, {f"{prefix}-score": "7.00", f"{prefix}-explanation": ""}, **HTMX)
    html = response.content.decode()
    # 98.56 − (7.50 − 7.00) = 98.06, redrawn out of band
    assert f'id="totals-{economic.project_id}" hx-swap-oob="true"' in html
    assert "98.06" in html


def test_override_with_a_reason_shows_both_scores_and_lands_in_history(
    client_in: Client, unit: Unit
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
    response = client_in.post(reverse("rounds:override", args=[report.pk]), data, follow=True)
    assert "已将“网络舆情处置率”的得分调整为 12.00。" in messages_of(response)
    html = response.content.decode()
    row = row_text(html, disposal)
    assert "12.00 （计算 12.28）" in row and "调整理由：两起舆情处置记录不完整。（经办人）" in row
    # 98.56 − (12.28 − 12.00) = 98.28
    assert "总分 100.00 98.28" in text_of(html)
    assert "调整得分 两起舆情处置记录不完整。" in text_of(html)
    assert ScoreOverride.objects.get(report=report).computed == Decimal("12.28")


def test_override_needs_a_reason_and_a_score_within_the_points(
    client_in: Client, unit: Unit
) -> None:
    report = evaluation_report(unit)
    disposal = indicator(unit, "网络舆情处置率")
    url = reverse("rounds:override", args=[report.pk])
    base = {"project": disposal.project_id, "indicator": disposal.pk}
    response = client_in.post(url, {**base, "score": "12", "reason": ""}, follow=True)
    assert "调整得分时请填写理由。" in messages_of(response)
    response = client_in.post(url, {**base, "score": "13", "reason": "多给"}, follow=True)
    assert "“网络舆情处置率”的得分应在 0 到 12.50 之间，最多两位小数。" in messages_of(response)
    assert not ScoreOverride.objects.exists()


def test_an_empty_override_score_withdraws_it(client_in: Client, unit: Unit, officer: User) -> None:
    report = evaluation_report(unit)
    project = Project.objects.get(unit=unit, year=2021, position=1)
    services.override_score(
        report, project=project, score=Decimal("9.00"), reason="核减", actor=officer
    )
    url = reverse("rounds:override", args=[report.pk])
    data = {"project": project.pk, "indicator": "", "score": "", "reason": "复核后恢复"}
    response = client_in.post(url, data, follow=True)
    assert "已撤销“预算执行率”的得分调整。" in messages_of(response)
    # Back to the computed 9.47 and the total 98.56.
    assert "年度资金总额 15.00 15.00 14.20 10.00 94.67% 9.47" in text_of(response.content.decode())


def test_evaluation_of_a_project_without_budget_says_why_instead_of_failing(
    client_in: Client, db: None
) -> None:
    unit = Unit.objects.create(code="300001", name="某单位")
    Project.objects.create(unit=unit, year=2021, code="P1", name="无预算项目", money_unit="万元")
    response = client_in.get(EVALUATION, {"unit": "300001", "year": 2021})
    assert response.status_code == 200
    assert "项目“无预算项目”没有全年预算数，无法计算预算执行率。" in response.content.decode()


def test_snapshot_page_shows_the_frozen_tables(client_in: Client, unit: Unit) -> None:
    report = evaluation_report(unit)
    html = get(client_in, reverse("rounds:submission", args=[report.pk, 1]))
    assert "第 1 次提交快照" in text_of(html)
    assert "总分 100.00 98.56" in text_of(html)
    assert client_in.get(reverse("rounds:submission", args=[report.pk, 9])).status_code == 404


def test_nonsense_input_gives_messages_not_errors(client_in: Client, unit: Unit) -> None:
    report = evaluation_report(unit)
    disposal = indicator(unit, "网络舆情处置率")
    url = reverse("rounds:override", args=[report.pk])
    data = {
        "project": disposal.project_id,
        "indicator": disposal.pk,
        "score": "十二",
        "reason": "x",
    }
    response = client_in.post(url, data, follow=True)
    assert messages_of(response) == ["调整得分：输入一个数字。"]
    assert client_in.post(reverse("rounds:decide", args=[report.pk, "delete"])).status_code == 404
    response = client_in.post(INDEX, {"kind": "yearly", "year": "二〇二一", "due_on": "明天"})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()


def test_a_unit_that_got_projects_after_the_round_opened_can_join(
    client_in: Client, unit: Unit
) -> None:
    child = Unit.objects.create(code="224001009", name="下属单位", parent=unit)
    Project.objects.create(unit=child, year=2021, name="新项目", budget_total=Decimal("2"))
    page = text_of(get(client_in, INDEX))
    # Both demo rounds (昌黎县财政局) now reach the child unit through its parent.
    assert page.count("另有 1 个单位") == 2
    monitoring = Round.objects.get(kind=RoundKind.MONITORING, year=2021, bureau__isnull=False)
    response = client_in.post(reverse("rounds:join", args=[monitoring.pk]), follow=True)
    assert "已为 1 个单位建立本轮填报。" in text_of(response.content.decode())
    report = Report.objects.get(round=monitoring, unit=child)
    assert report.status == ReportStatus.DRAFT
    assert report.events.get().action == Action.OPENED
    assert text_of(get(client_in, INDEX)).count("另有 1 个单位") == 1
