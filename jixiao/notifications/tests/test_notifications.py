"""Notifications: who hears of each step of the review loop, the inbox, the daily run, and the
e-mail (immediately, in a daily digest, or not at all)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from jixiao.lib.actor import Actor
from jixiao.notifications.choices import EmailMode, Kind
from jixiao.notifications.models import Notification
from jixiao.notifications.services import notify, run_daily, send_digests, set_email_mode
from jixiao.rounds import services
from jixiao.rounds.choices import RoundKind
from jixiao.rounds.models import Report
from jixiao.system.demo.services import load_demo
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db


def person(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def client_of(username: str) -> Client:
    client = Client()
    client.force_login(person(username))
    return client


@pytest.fixture
def demo() -> Unit:
    """The demo: unit 224001 with a self-evaluation awaiting the bureau (待财政审核)."""
    load_demo()
    return Unit.objects.get(code="224001")


def evaluation(unit: Unit) -> Report:
    return Report.objects.get(unit=unit, round__kind=RoundKind.SELF_EVALUATION)


def test_the_officer_finds_the_returned_report_in_the_inbox(demo: Unit) -> None:
    report = evaluation(demo)
    Notification.objects.all().delete()
    services.return_report(report, actor=Actor(person("shenhe")), comment="请补充佐证材料。")

    officer = client_of("demo")
    page = officer.get(reverse("notifications:inbox"))
    html = page.text
    assert "被退回修改" in html and "请补充佐证材料。" in html
    # The header counts it; the reviewer who returned it is not told of their own step.
    assert 'class="unread-count" aria-label="1 条未读">1<' in html
    assert not Notification.objects.filter(user=person("shenhe")).exists()
    (row,) = Notification.objects.filter(user=person("demo"))
    assert row.kind == Kind.REPORT_RETURNED and row.unit == demo
    # Opening it marks it read and leads to the report.
    opened = officer.get(reverse("notifications:open", args=[row.pk]))
    assert opened["Location"] == reverse("rounds:report", args=[report.pk])
    row.refresh_from_db()
    assert row.read_at is not None
    assert "unread-count" not in officer.get(reverse("notifications:inbox")).text


def test_the_reviewer_gets_the_endorsed_submission_and_the_head_the_submission(
    demo: Unit,
) -> None:
    report = evaluation(demo)
    services.return_report(report, actor=Actor(person("shenhe")), comment="再看看。")
    Notification.objects.all().delete()
    services.submit_report(report, actor=Actor(person("demo")))
    assert list(Notification.objects.values_list("user__username", "kind")) == [
        ("fuzeren", Kind.REPORT_SUBMITTED)
    ]
    services.endorse_report(report, actor=Actor(person("fuzeren")))
    to_reviewer = Notification.objects.get(user=person("shenhe"))
    assert to_reviewer.kind == Kind.REPORT_SUBMITTED
    # The demo's report was submitted once before the return: this is its second submission.
    assert to_reviewer.title.endswith("已经单位审核，待财政审核（第 2 次提交）")
    to_head = Notification.objects.get(user=person("fuzeren"))
    assert to_head.title.endswith("，请审核（第 2 次提交）")
    assert to_reviewer.link == reverse("rounds:report", args=[report.pk])
    # Nobody of another bureau or unit hears of it.
    assert not Notification.objects.filter(user__username__in=["dangan", "caizheng"]).exists()
    services.approve_report(report, actor=Actor(person("shenhe")))
    approved = Notification.objects.filter(kind=Kind.REPORT_APPROVED)
    assert sorted(approved.values_list("user__username", flat=True)) == ["demo", "fuzeren"]


def test_the_daily_run_says_due_in_three_days_once(demo: Unit) -> None:
    today = dt.date(2021, 7, 18)
    services.open_round(
        kind=RoundKind.MONITORING,
        year=2021,
        as_of=dt.date(2021, 6, 30),
        due_on=dt.date(2021, 7, 20),
        bureau=demo.finance_bureau,
        title="七月监控",
        actor=Actor(person("caizheng")),
    )
    opened = Notification.objects.filter(kind=Kind.ROUND_OPENED, title__contains="七月监控")
    assert sorted(opened.values_list("user__username", flat=True)) == ["demo", "fuzeren"]

    first = run_daily(today)
    due = Notification.objects.filter(kind=Kind.ROUND_DUE)
    assert first.due == 2 == due.count()
    assert "2021-07-20" in due.first().title and "还有 2 天" in due.first().title
    second = run_daily(today)
    assert second.due == 0 and Notification.objects.filter(kind=Kind.ROUND_DUE).count() == 2
    # Four days ahead is not yet due.
    Notification.objects.filter(kind=Kind.ROUND_DUE).delete()
    assert run_daily(dt.date(2021, 7, 15)).due == 0


def test_another_persons_notification_is_404(demo: Unit) -> None:
    (row,) = notify([person("demo")], Kind.JOB_DONE, "甲单位的导出", link="/jobs/1/")
    outsider = client_of("dangan")
    assert outsider.get(reverse("notifications:open", args=[row.pk])).status_code == 404
    assert outsider.post(reverse("notifications:read", args=[row.pk])).status_code == 404
    assert "甲单位的导出" not in outsider.get(reverse("notifications:inbox")).text


def test_mark_all_read_and_the_setting(demo: Unit) -> None:
    user = person("demo")
    notify([user], Kind.JOB_DONE, "一")
    notify([user], Kind.JOB_DONE, "二")
    client = client_of("demo")
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    client.post(reverse("notifications:preferences"), {"email_mode": "digest"})
    assert user.notification_preference.email_mode == EmailMode.DIGEST


def test_a_link_to_another_site_is_not_followed(demo: Unit) -> None:
    (row,) = notify([person("demo")], Kind.JOB_DONE, "外链", link="https://evil.example/")
    response = client_of("demo").get(reverse("notifications:open", args=[row.pk]))
    assert response["Location"] == reverse("notifications:inbox")


@pytest.fixture
def mailing(settings: Any) -> None:
    settings.NOTIFY_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for username, address in (("demo", "demo@example.cn"), ("fuzeren", "head@example.cn")):
        get_user_model().objects.filter(username=username).update(email=address)


def test_mail_immediately_in_a_digest_or_not_at_all(
    demo: Unit, mailing: None, django_capture_on_commit_callbacks: Any
) -> None:
    officer, head, reviewer = person("demo"), person("fuzeren"), person("shenhe")
    set_email_mode(EmailMode.DIGEST, user=head)
    set_email_mode(EmailMode.NONE, user=reviewer)
    Notification.objects.all().delete()  # the demo's rounds told them when they opened
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify([officer, head, reviewer], Kind.ROUND_DUE, "填报将于 2021-07-20 截止", link="/r/")
        notify([officer, head, reviewer], Kind.JOB_DONE, "导出完成")
    # Immediate: the officer gets each at once; the head waits for the digest; none for none.
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["demo@example.cn"], "【绩效管理系统】填报将于 2021-07-20 截止"),
        (["demo@example.cn"], "【绩效管理系统】导出完成"),
    ]
    assert "http://127.0.0.1:8000/r/" in mail.outbox[0].body
    mail.outbox.clear()
    assert send_digests() == 1
    (digest,) = mail.outbox
    assert digest.to == ["head@example.cn"] and "2 条" in digest.subject
    assert "填报将于 2021-07-20 截止" in digest.body and "导出完成" in digest.body
    mail.outbox.clear()
    assert send_digests() == 0 and mail.outbox == []


def test_no_mail_when_the_server_has_no_smtp_host(
    demo: Unit, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NOTIFY_EMAIL = False
    get_user_model().objects.filter(username="demo").update(email="demo@example.cn")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify([person("demo")], Kind.JOB_DONE, "导出完成")
    assert mail.outbox == []


def test_the_header_counts_unread_in_one_query(demo: Unit, django_assert_num_queries: Any) -> None:
    user = person("demo")
    Notification.objects.filter(user=user).delete()
    for n in range(3):
        notify([user], Kind.JOB_DONE, f"第{n}条")
    from django.test import RequestFactory

    from jixiao.notifications.context_processors import inbox

    request = RequestFactory().get("/")
    request.user = user
    with django_assert_num_queries(1):
        assert str(inbox(request)["inbox_unread"]) == "3"
