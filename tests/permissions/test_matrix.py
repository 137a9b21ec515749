"""The permission matrix: every URL pattern from the resolver × GET and POST × every persona,
checked against the table in ``table.py`` (a URL without an entry fails the test), and
docs/permissions.md generated from that same table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from jixiao import exporters
from jixiao.accounts.choices import Role
from jixiao.accounts.models import Membership
from jixiao.accounts.services import create_account
from jixiao.api.tokens import create_token
from jixiao.jobs.services import enqueue_job, run_job_now
from jixiao.ledgers.models import LedgerEntry
from jixiao.ledgers.services import add_attachment
from jixiao.lib.actor import Actor
from jixiao.metrics.models import ManualActual
from jixiao.metrics.services import add_evidence
from jixiao.notifications.choices import Kind
from jixiao.notifications.services import notify
from jixiao.publication.services import publish_targets
from jixiao.rounds.choices import RoundKind
from jixiao.rounds.models import Report
from jixiao.surveys import services as surveys
from jixiao.system.demo.people import DEMO_PASSWORD
from jixiao.system.demo.services import load_demo
from jixiao.targets.models import Indicator, Project, UnitGoal
from jixiao.units.services import create_bureau, create_unit
from tests.permissions.table import (
    DOC,
    FORBIDDEN,
    LOGIN,
    MATRIX,
    MISSING,
    NOT_ALLOWED,
    OK,
    PERSONAS,
    UNAUTHORIZED,
    markdown,
)

UNIT, YEAR = "224001", "2021"
SYSTEM = Actor.system("测试")
# The demo's accounts play the personas; the other bureau's reviewer is made here.
USERNAMES = {
    "officer": "demo",
    "head": "fuzeren",
    "officer_b": "dangan",
    "reviewer": "shenhe",
    "admin": "caizheng",
    "auditor": "shenji",
    "other_reviewer": "lulong_reviewer",
}


def url_names() -> list[str]:
    """Every URL pattern's name, namespaced; the admin's count as one family."""

    def walk(patterns: list[Any], namespace: str = "") -> Iterator[str]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
                yield from walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern):
                name = entry.name or getattr(entry.callback, "__name__", "?")
                yield f"{namespace}:{name}" if namespace else name

    return sorted(set(walk(get_resolver().url_patterns)))


def _matrix_key(name: str) -> list[str]:
    """The table's rows for a URL name (decide is one URL with three decisions)."""
    if name in ("admin:login", "admin:logout"):
        return [name]
    if name.startswith("admin:"):
        return ["admin:*"]
    if name == "rounds:decide":
        return ["rounds:decide:endorse", "rounds:decide:return", "rounds:decide:approve"]
    return [name]


def test_every_url_has_an_entry_and_every_entry_a_url() -> None:
    names = url_names()
    covered = {key for name in names for key in _matrix_key(name)}
    assert [n for n in names if not set(_matrix_key(n)) <= set(MATRIX)] == []
    assert sorted(set(MATRIX) - covered) == []


def test_docs_permissions_is_generated_from_the_table() -> None:
    assert DOC.read_text(encoding="utf-8") == markdown(), (
        "docs/permissions.md is stale: run python -m tests.permissions.table"
    )


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo with an attachment and an evidence file, and a second bureau with its
    reviewer; loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        other = create_bureau(name="卢龙县财政局", actor=SYSTEM)
        create_unit(code="324001", name="卢龙县委网信办", bureau=other, actor=SYSTEM)
        user = create_account(
            username="lulong_reviewer",
            password=DEMO_PASSWORD,
            organisation=other,
            role=Role.REVIEWER,
            full_name="外局审核员",
            actor=SYSTEM,
        )
        Membership.objects.filter(user=user).update(must_change_password=False)
        entry = LedgerEntry.objects.filter(unit__code=UNIT).order_by("-date", "-pk").first()
        attachment = add_attachment(entry, ContentFile(b"%PDF-1.4", name="a.pdf"), actor=SYSTEM)
        actual = ManualActual.objects.filter(indicator__project__unit__code=UNIT).first()
        evidence = add_evidence(actual, ContentFile(b"x", name="e.pdf"), actor=SYSTEM)
        report = Report.objects.get(unit__code=UNIT, round__kind=RoundKind.SELF_EVALUATION)
        users = get_user_model().objects.in_bulk(USERNAMES.values(), field_name="username")
        token = create_token("舆情系统", actor=Actor(user=users["demo"])).token
        job = enqueue_job(
            "export_targets",
            {"unit": report.unit_id, "year": int(YEAR), "fmt": "xlsx"},
            actor=Actor(users["demo"]),
        )
        run_job_now(job.pk)  # done, with its file
        notification = notify([users["demo"]], Kind.JOB_DONE, "导出完成", link="/")[0]
        # A survey by invitation of unit A, open, with one invitation; a publication of A.
        unit = report.unit
        survey = surveys.create_survey(
            unit, template="service", access="invitation", actor=Actor(user=users["demo"])
        )
        surveys.open_survey(survey, actor=SYSTEM)
        (invitation,) = surveys.create_invitations(survey, 1, actor=SYSTEM)
        publication = publish_targets(unit, int(YEAR), actor=Actor(user=users["shenhe"]))
        yield {
            "token": token.pk,
            "entry": entry.pk,
            "attachment": attachment.pk,
            "evidence": evidence.pk,
            "report": report.pk,
            "round": report.round_id,
            "project": Project.objects.filter(unit__code=UNIT).order_by("pk").first().pk,
            "indicator": Indicator.objects.filter(project__unit__code=UNIT).first().pk,
            "unit_goal": UnitGoal.objects.get(unit__code=UNIT, year=int(YEAR)).pk,
            "account": users["demo"].pk,
            "bureau": report.round.bureau_id,
            "survey": survey.pk,
            "survey_token": survey.token,
            "invitation_token": invitation.token,
            "publication": publication.pk,
            "publication_token": publication.token,
            "users": {persona: users[name] for persona, name in USERNAMES.items()},
            "job": job.pk,
            "notification": notification.pk,
        }
        transaction.set_rollback(True)


TOKEN = "0" * 32


def _request(key: str, ids: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The URL and query string a table row is tried with."""
    report = ids["report"]
    paths: dict[str, tuple[str, dict[str, Any]]] = {
        "accounts:detail": ("accounts:detail", {"pk": ids["account"]}),
        "accounts:active": ("accounts:active", {"pk": ids["account"]}),
        "accounts:reset_password": ("accounts:reset_password", {"pk": ids["account"]}),
        "accounts:unlock": ("accounts:unlock", {"pk": ids["account"]}),
        "accounts:settings": ("accounts:settings", {"pk": ids["bureau"]}),
        "targets:export": ("targets:export", {"unit": UNIT, "year": YEAR, "fmt": "xlsx"}),
        "targets:preview": ("targets:preview", {"token": TOKEN}),
        "targets:history": ("targets:history", {"pk": ids["project"]}),
        "targets:restore": ("targets:restore", {"pk": ids["indicator"]}),
        "targets:edit": ("targets:edit", {"pk": ids["project"]}),
        "targets:goal_edit": ("targets:goal_edit", {"pk": ids["unit_goal"]}),
        "ledgers:records": ("ledgers:records", {"code": "opinion"}),
        "ledgers:new": ("ledgers:new", {"code": "opinion"}),
        "ledgers:entry": ("ledgers:entry", {"pk": ids["entry"]}),
        "ledgers:edit": ("ledgers:edit", {"pk": ids["entry"]}),
        "ledgers:transition": ("ledgers:transition", {"pk": ids["entry"]}),
        "ledgers:attach": ("ledgers:attach", {"pk": ids["entry"]}),
        "ledgers:attachment": ("ledgers:attachment", {"pk": ids["attachment"]}),
        "ledgers:attachment_delete": ("ledgers:attachment_delete", {"pk": ids["attachment"]}),
        "ledgers:attachment_restore": ("ledgers:attachment_restore", {"pk": ids["attachment"]}),
        "ledgers:import_mapping": ("ledgers:import_mapping", {"token": TOKEN}),
        "ledgers:import_check": ("ledgers:import_check", {"token": TOKEN}),
        "ledgers:import_confirm": ("ledgers:import_confirm", {"token": TOKEN}),
        "ledgers:export": ("ledgers:export", {"code": "opinion", "fmt": "csv"}),
        "metrics:records": ("metrics:records", {"indicator_id": ids["indicator"]}),
        "metrics:manual": ("metrics:manual", {"indicator_id": ids["indicator"]}),
        "metrics:fractions": ("metrics:fractions", {"indicator_id": ids["indicator"]}),
        "metrics:binding": ("metrics:binding", {"indicator_id": ids["indicator"]}),
        "metrics:evidence": ("metrics:evidence", {"pk": ids["evidence"]}),
        "metrics:evidence_remove": ("metrics:evidence_remove", {"pk": ids["evidence"]}),
        "metrics:evidence_restore": ("metrics:evidence_restore", {"pk": ids["evidence"]}),
        "rounds:monitoring_download": ("rounds:monitoring_download", {"fmt": "xlsx"}),
        "rounds:evaluation_download": ("rounds:evaluation_download", {"fmt": "xlsx"}),
        "rounds:join": ("rounds:join", {"pk": ids["round"]}),
        "workbench:remind": ("workbench:remind", {"pk": ids["round"]}),
        "rounds:draft": ("rounds:draft", {"pk": report, "project_id": ids["project"]}),
        "rounds:rebase": ("rounds:rebase", {"pk": report, "project_id": ids["project"]}),
        "rounds:submission": ("rounds:submission", {"pk": report, "number": 1}),
        "rounds:report_download": ("rounds:report_download", {"pk": report, "fmt": "xlsx"}),
        "rounds:decide:endorse": ("rounds:decide", {"pk": report, "decision": "endorse"}),
        "rounds:decide:return": ("rounds:decide", {"pk": report, "decision": "return"}),
        "rounds:decide:approve": ("rounds:decide", {"pk": report, "decision": "approve"}),
        "api:projects": ("api:projects", {"unit": UNIT, "year": YEAR}),
        "api:project": ("api:project", {"pk": ids["project"]}),
        "api:actuals": ("api:actuals", {"unit": UNIT, "year": YEAR}),
        "api:monitoring": ("api:monitoring", {"unit": UNIT, "year": YEAR}),
        "api:evaluation": ("api:evaluation", {"unit": UNIT, "year": YEAR}),
        "api:record": ("api:record", {"pk": ids["entry"]}),
        "api:transition": ("api:transition", {"pk": ids["entry"]}),
        "api_tokens:revoke": ("api_tokens:revoke", {"pk": ids["token"]}),
        "api_tokens:managed_revoke": ("api_tokens:managed_revoke", {"pk": ids["token"]}),
        "api:not-found": ("api:not-found", {"rest": "nothing/"}),
    }
    for name in ("jobs:detail", "jobs:status", "jobs:download"):
        paths[name] = (name, {"pk": ids["job"]})
    for name in ("notifications:open", "notifications:read"):
        paths[name] = (name, {"pk": ids["notification"]})
    for name in (
        "rounds:report",
        "rounds:save",
        "rounds:submit",
        "rounds:override",
        "rounds:goal_draft",
        "rounds:goal_rebase",
    ):
        paths[name] = (name, {"pk": report})
    for name in (
        "surveys:detail",
        "surveys:settings",
        "surveys:questions",
        "surveys:status",
        "surveys:invitations",
        "surveys:poster",
        "surveys:results",
        "surveys:export",
        "surveys:responses",
    ):
        paths[name] = (name, {"pk": ids["survey"]})
    paths["surveys:qr"] = ("surveys:qr", {"pk": ids["survey"], "fmt": "svg"})
    paths["surveys_public:answer"] = ("surveys_public:answer", {"token": ids["survey_token"]})
    paths["surveys_public:invited"] = ("surveys_public:invited", {"token": ids["invitation_token"]})
    paths["publication:withdraw"] = ("publication:withdraw", {"pk": ids["publication"]})
    for name in ("publication_public:page", "publication_public:pdf"):
        paths[name] = (name, {"token": ids["publication_token"]})
    name, kwargs = paths.get(key, (key, {}))
    query: dict[str, str] = {}
    if key in ("rounds:monitoring_download",):
        query = {"unit": UNIT, "year": YEAR, "as_of": "2021-06-30"}
    elif key in ("rounds:evaluation_download",):
        query = {"unit": UNIT, "year": YEAR}
    elif key == "ledgers:export_pick":
        query = {"type": "opinion", "format": "csv"}
    elif key == "api:ledger_types":
        query = {"unit": UNIT}
    return reverse(name, kwargs=kwargs), query


def _opinion(link: str) -> dict[str, Any]:
    return {
        "title": "权限矩阵",
        "platform": "微博",
        "link": link,
        "first_seen": "2021-07-01",
        "grade": "一般",
        "must_handle": False,
    }


def api_body(key: str, method: str, ids: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON an API write is tried with: input that is valid, so the answer is about who
    asks (an empty body would be refused before any permission is looked at)."""
    if method == "GET" or not key.startswith("api:"):
        return None
    entry = LedgerEntry.objects.get(pk=ids["entry"])
    bodies: dict[str, dict[str, Any]] = {
        "api:records": {"unit": UNIT, "type": "opinion", "values": _opinion("https://x.cn/1")},
        "api:record": {"values": entry.data},
        "api:transition": {"to_state": "办结"},
        "api:bulk": {
            "unit": UNIT,
            "type": "opinion",
            "records": [{"values": _opinion("https://x.cn/2")}],
            "overlap": "add",
        },
    }
    return bodies.get(key, {})


def admin_paths() -> list[str]:
    """Every URL of the admin, with the first object's id where it takes one."""
    paths = []
    for name in url_names():
        if _matrix_key(name) != ["admin:*"]:
            continue
        for kwargs in (
            {},
            {"object_id": "1"},
            {"app_label": "targets"},
            {"content_type_id": "1", "object_id": "1"},
            {"url": "x"},
        ):
            try:
                paths.append(reverse(name, kwargs=kwargs))
                break
            except NoReverseMatch:
                continue
    return sorted(set(paths))


def classify(response: HttpResponse) -> str:
    """The table's word for a response."""
    status = response.status_code
    if status in (301, 302):
        location = response.headers.get("Location", "")
        return LOGIN if location.startswith(("/login/", "/admin/login/")) else OK
    if 200 <= status < 300 or status in (400, 409):
        return OK  # 400/409: the input (empty in this test) or a stale version refused
    return {401: UNAUTHORIZED, 403: FORBIDDEN, 404: MISSING, 405: NOT_ALLOWED}.get(
        status, str(status)
    )


@pytest.fixture(autouse=True)
def _files_are_not_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Downloads answer without drawing the file: this test is about who gets an answer."""
    for fmt in list(exporters.RENDERERS):
        monkeypatch.setitem(exporters.RENDERERS, fmt, lambda layout: b"rendered")
        monkeypatch.setitem(exporters.EXPORTERS, fmt, lambda document: b"rendered")


def _answers_differing_from_the_table(
    clients: dict[str, Client],
    requests: list[tuple[str, dict[str, dict[str, str]], str, dict[str, str]]],
    world: dict[str, Any],
) -> list[str]:
    """Each request as each persona's client; the answers that are not the table's."""
    wrong = []
    for key, methods, path, query in requests:
        for method, expected in methods.items():
            for persona in PERSONAS:
                client = clients[persona]
                # Each request's writes are undone, so every persona meets the same state.
                with transaction.atomic():
                    body = api_body(key, method, world)
                    if method == "GET":
                        response = client.get(path, query)
                    elif body is not None:
                        response = client.generic(
                            method,
                            path + ("?" + urlencode(query) if query else ""),
                            json.dumps(body),
                            content_type="application/json",
                        )
                    else:
                        response = client.post(path + ("?" if query else ""), query)
                    transaction.set_rollback(True)
                if key in ("logout", "admin:logout") and persona in world["users"]:
                    client.force_login(world["users"][persona])
                got = classify(response)
                if got != expected[persona]:
                    wrong.append(
                        f"{method} {path} as {persona}: {got}, table says {expected[persona]}"
                    )
    return wrong


@pytest.mark.django_db
def test_every_url_method_and_persona_gets_the_answer_in_the_table(world: dict[str, Any]) -> None:
    clients = {"anonymous": Client()}
    for persona, user in world["users"].items():
        client = Client()
        client.force_login(user)
        clients[persona] = client
    requests = [
        (key, methods, *_request(key, world)) for key, methods in MATRIX.items() if key != "admin:*"
    ]
    requests += [("admin:*", MATRIX["admin:*"], path, {}) for path in admin_paths()]
    wrong = _answers_differing_from_the_table(clients, requests, world)
    assert wrong == [], "\n".join(wrong)


@pytest.mark.django_db
def test_an_api_token_gets_the_same_answers_as_its_owner_s_session(
    world: dict[str, Any],
) -> None:
    """The API called with each persona's token (no session) answers as the table says."""
    clients = {"anonymous": Client()}
    for persona, user in world["users"].items():
        secret = create_token("权限矩阵", actor=Actor(user=user)).secret
        clients[persona] = Client(headers={"Authorization": f"Bearer {secret}"})
    requests = [
        (key, methods, *_request(key, world))
        for key, methods in MATRIX.items()
        if key.startswith("api:")
    ]
    wrong = _answers_differing_from_the_table(clients, requests, world)
    assert wrong == [], "\n".join(wrong)
