"""Publishing a unit's targets and approved self-evaluation, and the public pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from jixiao import exporters
from jixiao.audit.models import ChangeLog
from jixiao.lib.actor import Actor
from jixiao.publication import services
from jixiao.publication.models import Publication
from jixiao.rounds import services as rounds
from jixiao.rounds.choices import RoundKind
from jixiao.rounds.models import Report
from jixiao.system.demo.services import load_demo
from jixiao.targets.models import Indicator
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db
YEAR = 2021


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


@pytest.fixture
def demo() -> Unit:
    load_demo()
    return Unit.objects.get(code="224001")


@pytest.fixture
def reviewer(demo: Unit) -> Actor:
    return Actor(user=_user("shenhe"))


@pytest.fixture
def approved(demo: Unit, reviewer: Actor) -> Report:
    """The demo's self-evaluation, approved by the bureau's reviewer."""
    report = Report.objects.get(unit=demo, round__kind=RoundKind.SELF_EVALUATION)
    rounds.approve_report(report, actor=reviewer, comment="同意。")
    report.refresh_from_db()
    return report


@pytest.fixture(autouse=True)
def _pdf_is_not_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDF writer is tested in tests/exporters; here its input is what matters."""
    monkeypatch.setitem(exporters.RENDERERS, "pdf", lambda layout: b"%PDF " + layout.title.encode())


def _page(publication: Publication) -> str:
    response = Client().get(reverse("publication_public:page", args=[publication.token]))
    assert response.status_code == 200
    return response.content.decode()


def test_published_targets_show_the_snapshot_not_later_changes(demo: Unit, reviewer: Actor) -> None:
    indicator = Indicator.objects.filter(project__unit=demo, project__year=YEAR).order_by("pk")[0]
    publication = services.publish_targets(demo, YEAR, actor=reviewer)
    shown = indicator.level3
    assert shown in _page(publication)
    Indicator.objects.filter(pk=indicator.pk).update(level3="发布后改的名字")
    body = _page(publication)
    assert shown in body and "发布后改的名字" not in body
    pdf = Client().get(reverse("publication_public:pdf", args=[publication.token]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == b"%PDF " + publication.title.encode()


def test_an_approved_self_evaluation_is_published_as_the_approved_submission(
    approved: Report, reviewer: Actor
) -> None:
    publication = services.publish_self_evaluation(approved, actor=reviewer)
    submission = approved.submissions.get(decision="approved")
    assert publication.snapshot == submission.snapshot
    body = _page(publication)
    assert publication.title in body and "项目支出绩效自评表" in body


def test_a_self_evaluation_not_yet_approved_cannot_be_published(
    demo: Unit, reviewer: Actor
) -> None:
    report = Report.objects.get(unit=demo, round__kind=RoundKind.SELF_EVALUATION)
    with pytest.raises(ValidationError):
        services.publish_self_evaluation(report, actor=reviewer)
    assert not Publication.objects.exists()


@pytest.mark.parametrize("username", ["demo", "fuzeren", "caizheng", "shenji"])
def test_only_the_bureaus_reviewer_publishes(demo: Unit, username: str) -> None:
    with pytest.raises(PermissionDenied):
        services.publish_targets(demo, YEAR, actor=Actor(user=_user(username)))


def test_withdrawn_unpublished_and_guessed_urls_are_404(
    demo: Unit, approved: Report, reviewer: Actor
) -> None:
    targets = services.publish_targets(demo, YEAR, actor=reviewer)
    evaluation = services.publish_self_evaluation(approved, actor=reviewer)
    services.withdraw_publication(evaluation, actor=reviewer, reason="数据有误")
    public = Client()
    for name in ("publication_public:page", "publication_public:pdf"):
        assert public.get(reverse(name, args=[targets.token])).status_code == 200
        for token in (evaluation.token, "0" * 22, str(targets.pk), str(evaluation.pk), "x" * 41):
            assert public.get(reverse(name, args=[token])).status_code == 404, (name, token)
    index = public.get(reverse("publication_public:index")).content.decode()
    assert targets.token in index and evaluation.token not in index
    row = ChangeLog.objects.get(
        object_type="publication.publication", object_id=str(evaluation.pk), action="remove"
    )
    assert row.after == {"live": False, "reason": "数据有误"} and row.username.endswith(
        "（shenhe）"
    )


def test_publishing_again_replaces_the_earlier_version(demo: Unit, reviewer: Actor) -> None:
    first = services.publish_targets(demo, YEAR, actor=reviewer)
    second = services.publish_targets(demo, YEAR, actor=reviewer)
    first.refresh_from_db()
    assert not first.live and first.withdraw_reason == "已发布新版本"
    assert second.live
    assert Client().get(reverse("publication_public:page", args=[first.token])).status_code == 404


def test_the_reviewers_page_publishes_and_withdraws(demo: Unit, approved: Report) -> None:
    client = Client()
    client.force_login(_user("shenhe"))
    page = client.get(reverse("publication:index")).content.decode()
    assert "公开自评" in page and "公开目标" in page
    client.post(reverse("publication:publish"), {"kind": "self_evaluation", "report": approved.pk})
    client.post(
        reverse("publication:publish"), {"kind": "targets", "unit": "224001", "year": "2021"}
    )
    assert Publication.objects.filter(withdrawn_at=None).count() == 2
    made = Publication.objects.get(kind="targets")
    client.post(reverse("publication:withdraw", args=[made.pk]), {"reason": "重新核对"})
    made.refresh_from_db()
    assert made.withdraw_reason == "重新核对" and not made.live
    # The unit's officer sees its publications but has no buttons.
    officer = Client()
    officer.force_login(_user("demo"))
    seen = officer.get(reverse("publication:index")).content.decode()
    assert made.title in seen and "撤回</button>" not in seen and "公开目标" not in seen


def test_the_public_pdf_is_the_exporters_drawing_of_the_snapshot(
    demo: Unit, reviewer: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    import pdfplumber

    monkeypatch.undo()  # the real PDF writer
    publication = services.publish_targets(demo, YEAR, actor=reviewer)
    indicator = Indicator.objects.filter(project__unit=demo, project__year=YEAR).order_by("pk")[0]
    Indicator.objects.filter(pk=indicator.pk).update(level3="发布后改的名字")
    data = Client().get(reverse("publication_public:pdf", args=[publication.token])).content
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    assert "预算绩效目标" in text and "发布后改的名字" not in text
    publication.refresh_from_db()
    assert bytes(publication.pdf) == data  # drawn once, kept


def _adjusted(demo: Unit, reviewer: Actor, target: str) -> Report:
    """A 2021 adjustment round in which the unit changed one row's target, approved."""
    import datetime as dt

    from jixiao.rounds import targets as target_rounds
    from jixiao.targets.editing import edit_of, targets_of

    round_ = rounds.open_round(
        kind=RoundKind.ADJUSTMENT,
        year=YEAR,
        due_on=dt.date(YEAR, 7, 15),
        bureau=demo.finance_bureau,
        actor=Actor(user=_user("caizheng")),
    )
    report = Report.objects.get(round=round_, unit=demo)
    project = Indicator.objects.get(project__unit=demo, level3=ROW).project
    table = target_rounds.draft_table(report, project)
    state = edit_of(table.targets, table.row_ids, table.version)
    next(r for r in state.rows if r.level3 == ROW).target = target
    targets, ids = targets_of(state, year=YEAR)
    officer, head = Actor(user=_user("demo")), Actor(user=_user("fuzeren"))
    target_rounds.save_target_draft(report, project, targets, row_ids=ids, version=0, actor=officer)
    rounds.submit_report(report, actor=officer)
    rounds.endorse_report(report, actor=head)
    rounds.approve_report(report, actor=reviewer)
    report.refresh_from_db()
    return report


ROW = "舆情监测预警、研判分析数"


def test_targets_are_published_as_approved_in_the_latest_adjustment(
    demo: Unit, reviewer: Actor
) -> None:
    report = _adjusted(demo, reviewer, "≥250条")
    # After approval the table in force is edited directly: the publication keeps the table
    # the bureau approved, and says it was approved in the adjustment.
    Indicator.objects.filter(project__unit=demo, level3=ROW).update(target="≥999条")
    publication = services.publish_targets(demo, YEAR, actor=reviewer)
    assert publication.report == report
    rows = [
        i for p in publication.snapshot["projects"] for i in p["indicators"] if i["level3"] == ROW
    ]
    assert [r["target"] for r in rows] == ["≥250条"]
    assert publication.snapshot["approved_in"]["kind"] == "目标调整"
    body = _page(publication)
    assert "经财政审核通过（目标调整，2021年绩效目标调整，" in body
    assert "≥250条" in body and "≥999条" not in body
    layout = services.layout_of(publication)
    assert layout.blocks[1].text.startswith("经财政审核通过（目标调整")  # the PDF says so too


def test_targets_without_an_approved_round_are_the_tables_in_force(
    demo: Unit, reviewer: Actor
) -> None:
    held = Indicator.objects.get(project__unit=demo, level3=ROW)
    publication = services.publish_targets(demo, YEAR, actor=reviewer)
    assert publication.report is None
    assert publication.snapshot["approved_in"] is None
    targets = [
        i["target"]
        for p in publication.snapshot["projects"]
        for i in p["indicators"]
        if i["level3"] == ROW
    ]
    assert targets == [held.target]
    assert "依据单位现行绩效目标表发布（未经目标申报或目标调整审核）" in _page(publication)
