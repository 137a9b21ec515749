"""Crafted query strings and path ids never answer 500, on any page of the resolver.

Every URL pattern (the admin's too) is requested with GET, as the superuser ``admin`` and as the
demo officer ``demo``, with real ids from the demo, first as it is and then with one malformed
value at a time: a 40-digit year, a date that does not exist, a NUL or 300-character unit, a
path in ``type=``, a page number of 10**30, a 25-digit id in the path … A 404, a 400, a
redirect or a 200 with a notice are all answers; a 500 (a view raising) is not.

The demo is loaded once for the module inside a transaction that is rolled back at the end,
so other test modules never see it; each test runs in its own savepoint within it.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from jixiao import exporters
from jixiao.api.tokens import create_token
from jixiao.exporters.targets_layout import Layout, build_layout
from jixiao.jobs.models import Job
from jixiao.ledgers.models import Attachment, LedgerEntry, LedgerType
from jixiao.lib.actor import Actor
from jixiao.metrics.models import Evidence
from jixiao.notifications.models import Notification
from jixiao.rounds.choices import RoundKind
from jixiao.rounds.models import Report
from jixiao.system.demo.rounds import clear_rounds
from jixiao.system.demo.services import load_demo
from jixiao.targets.models import Indicator, Project, UnitGoal
from jixiao.units.models import FinanceBureau, Unit

USERS = ["admin", "demo"]
UNIT, YEAR = "224001", "2021"
ID_25 = "9" * 25

# One malformed value at a time, on top of a valid context (BASE), so each reaches the code
# that reads it rather than stopping at an earlier check.
BASE = {"unit": UNIT, "year": YEAR, "as_of": "2021-06-30"}
BATTERY: list[tuple[str, str]] = [
    ("year", "1" * 40),
    ("year", "-5"),
    ("year", "2021abc"),
    ("as_of", "2021-13-45"),
    ("as_of", "99999-01-01"),
    ("unit", "\x00"),
    ("unit", "单" * 300),
    ("type", "../../etc"),
    ("type", "<script>"),
    ("page", "-1"),
    ("page", str(10**30)),
    ("project", "abc"),
    ("project", "9" * 20),
    ("fmt", "exe"),
    ("format", "exe"),
    ("q", "'\"<script>" + "%" * 300),
    ("state", "../../"),
    ("overdue", "\x00"),
]
# The admin reads its own parameters: on a list, the page, ordering, search and any field
# lookup; on an object's pages, the popup and to-field markers (an add page takes any field's
# initial value from the query string too).
ADMIN_LIST_BATTERY: list[tuple[str, str]] = [
    ("p", "-1"),
    ("p", str(10**30)),
    ("o", "abc.-9.x"),
    ("q", "\x00"),
    ("year", "1" * 40),
    ("unit", "\x00"),
]
ADMIN_OBJECT_BATTERY: list[tuple[str, str]] = [
    ("_to_field", "<script>"),
    ("_popup", "\x00"),
    ("_changelist_filters", "p=-1&o=x"),
    ("unit", "\x00"),
    ("project", "9" * 20),
]

# What a URL's ``pk`` is, by URL name: a URL missing here fails the test (add it).
PK_OF = {
    "ledgers:entry": "entry",
    "ledgers:edit": "entry",
    "ledgers:transition": "entry",
    "ledgers:attach": "entry",
    "ledgers:attachment": "attachment",
    "ledgers:attachment_delete": "attachment",
    "metrics:evidence": "evidence",
    "rounds:join": "round",
    "workbench:remind": "round",
    "rounds:report": "report",
    "rounds:save": "report",
    "ledgers:attachment_restore": "attachment",
    "metrics:evidence_remove": "evidence",
    "metrics:evidence_restore": "evidence",
    "targets:restore": "indicator",
    "accounts:detail": "account",
    "accounts:active": "account",
    "accounts:reset_password": "account",
    "accounts:unlock": "account",
    "accounts:settings": "bureau",
    "rounds:submit": "report",
    "rounds:decide": "report",
    "rounds:override": "report",
    "rounds:submission": "report",
    "rounds:report_download": "report",
    "targets:history": "project",
    "api:project": "project",
    "api:record": "entry",
    "api:transition": "entry",
    "api_tokens:revoke": "token",
    "api_tokens:managed_revoke": "token",
    "surveys:responses": "survey",
    "targets:edit": "project",
    "targets:goal_edit": "unit_goal",
    "rounds:draft": "report",
    "rounds:rebase": "report",
    "rounds:goal_draft": "report",
    "rounds:goal_rebase": "report",
    "jobs:detail": "job",
    "jobs:status": "job",
    "jobs:download": "job",
    "notifications:open": "notification",
    "notifications:read": "notification",
    "surveys:detail": "survey",
    "surveys:settings": "survey",
    "surveys:questions": "survey",
    "surveys:status": "survey",
    "surveys:invitations": "survey",
    "surveys:qr": "survey",
    "surveys:poster": "survey",
    "surveys:results": "survey",
    "surveys:export": "survey",
    "publication:withdraw": "publication",
}
# Path arguments by name, and the hostile values tried in their place (those the URL's
# converter accepts; anything else never reaches a view).
HOSTILE_PATH_VALUES = {
    "int": [ID_25],
    "str": ["exe", "..", "<script>", ID_25],
    "path": [ID_25, "../../etc"],
    "other": ["exe", "../../etc", "<script>", ID_25, "\x00"],
}


@dataclass(frozen=True)
class Route:
    """One URL pattern: its name, its whole pattern, and its arguments with their converters."""

    name: str
    named: bool  # False for a pattern without a name (the admin's catch-all): no reverse()
    template: str  # the patterns from the root, joined, e.g. "rounds/reports/<int:pk>/"
    arguments: dict[str, str]  # argument -> converter kind: int, str, path, other

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:")

    def path(self, kwargs: dict[str, Any]) -> str:
        """The URL for these arguments; NoReverseMatch when a converter refuses one."""
        if self.named:
            return reverse(self.name, kwargs=kwargs)
        if "(?P<" in self.template:  # a regular expression: fill its groups
            text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), self.template)
            return "/" + text.replace("^", "").replace("$", "").replace("\\", "")
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), self.template)


def _kind(converter: Any) -> str:
    return {"IntConverter": "int", "StringConverter": "str", "PathConverter": "path"}.get(
        type(converter).__name__, "other"
    )


def _routes(patterns: list[Any], namespace: str = "", prefix: str = "") -> Iterator[Route]:
    for entry in patterns:
        template = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else ""
            yield from _routes(entry.url_patterns, inner or entry.namespace or namespace, template)
        elif isinstance(entry, URLPattern):
            label = entry.name or getattr(entry.callback, "__name__", "view")
            converters = getattr(entry.pattern, "converters", {})
            arguments = {
                group: _kind(converters[group]) if group in converters else "other"
                for group in entry.pattern.regex.groupindex
            }
            name = f"{namespace}:{label}" if namespace else label
            yield Route(name, entry.name is not None, template, arguments)


ROUTES = {route.name: route for route in _routes(get_resolver().url_patterns)}


@dataclass
class Ids:
    """Real objects of the demo that URLs name."""

    values: dict[str, Any]


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Ids]:
    """The demo, loaded once for the module and rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        report = Report.objects.filter(unit__code=UNIT, round__kind=RoundKind.MONITORING).first()
        assert report is not None
        code = LedgerType.objects.order_by("position", "code").first().code
        entry = (
            # The newest, so it is on the first page of the records.
            LedgerEntry.objects.filter(unit__code=UNIT, ledger_type__code=code, date__year=YEAR)
            .order_by("-date", "-id")
            .first()
        )
        values = {
            "entry": entry.pk if entry else 1,
            "attachment": getattr(Attachment.objects.order_by("pk").first(), "pk", 1),
            "evidence": getattr(Evidence.objects.order_by("pk").first(), "pk", 1),
            "round": report.round_id,
            "report": report.pk,
            "project": Project.objects.filter(unit__code=UNIT).order_by("pk").first().pk,
            "indicator": Indicator.objects.filter(project__unit__code=UNIT)
            .order_by("pk")
            .first()
            .pk,
            "unit_goal": UnitGoal.objects.get(unit__code=UNIT, year=int(YEAR)).pk,
            "code": code,
            "account": get_user_model().objects.get(username="demo").pk,
            "bureau": FinanceBureau.objects.get(name="昌黎县财政局").pk,
            "token": create_token(
                "x", actor=Actor(user=get_user_model().objects.get(username="demo"))
            ).token.pk,
            "job": getattr(Job.objects.order_by("pk").first(), "pk", 1),
            "notification": getattr(
                Notification.objects.filter(user__username="demo").order_by("pk").first(), "pk", 1
            ),
            **_survey_and_publication(),
        }
        yield Ids(values)
        transaction.set_rollback(True)


def _survey_and_publication() -> dict[str, Any]:
    """An open survey with an answer, and a publication, of the demo unit (their pages)."""
    from jixiao.lib.actor import Actor
    from jixiao.publication.services import publish_targets
    from jixiao.surveys import services as surveys

    unit = Unit.objects.get(code=UNIT)
    officer = Actor(user=get_user_model().objects.get(username="demo"))
    survey = surveys.create_survey(unit, template="service", actor=officer)
    surveys.open_survey(survey, actor=officer)
    raw = {q.key: [q.choices[0]] for q in survey.questions.filter(required=True)}
    surveys.submit_response(survey, raw, device="hostile")
    reviewer = Actor(user=get_user_model().objects.get(username="shenhe"))
    publication = publish_targets(unit, int(YEAR), actor=reviewer)
    return {"survey": survey.pk, "publication": publication.pk}


def _admin_kwargs(route: Route) -> dict[str, Any]:
    """Arguments of an admin URL: the first object of the model its name is about."""
    kwargs: dict[str, Any] = {}
    model = None
    for registered in admin.site._registry:
        prefix = f"admin:{registered._meta.app_label}_{registered._meta.model_name}_"
        if route.name.startswith(prefix):
            model = registered
    for argument in route.arguments:
        if argument == "object_id":
            first = model.objects.order_by("pk").first() if model else None
            kwargs[argument] = str(first.pk) if first else "1"
        elif argument == "content_type_id":
            kwargs[argument] = str(ContentType.objects.get_for_model(Project).pk)
        elif argument == "app_label":
            kwargs[argument] = "targets"
        else:
            kwargs[argument] = "1"
    return kwargs


def _kwargs(route: Route, ids: Ids) -> dict[str, Any]:
    """Valid arguments for a URL, from the demo's objects."""
    if route.is_admin:
        return _admin_kwargs(route)
    values = ids.values
    by_name = {
        "indicator_id": values["indicator"],
        "project_id": values["project"],
        "number": 1,
        "decision": "approve",
        "token": "0" * 32,
        "fmt": "svg" if route.name == "surveys:qr" else "xlsx",
        "code": values["code"],
        "unit": UNIT,
        "year": YEAR,
        "rest": "nothing/",  # any path under /api/ that no endpoint has
    }
    kwargs: dict[str, Any] = {}
    for argument in route.arguments:
        if argument == "pk":
            assert route.name in PK_OF, f"{route.name}: add what its pk is to PK_OF"
            kwargs[argument] = values[PK_OF[route.name]]
        else:
            assert argument in by_name, f"{route.name}: add a value for <{argument}>"
            kwargs[argument] = by_name[argument]
    return kwargs


def _requests(route: Route, ids: Ids) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(label, path, query) of every request the route gets: as it is, then one bad value."""
    kwargs = _kwargs(route, ids)
    path = route.path(kwargs)
    if route.is_admin:
        base: dict[str, str] = {}
        battery = ADMIN_LIST_BATTERY if route.name.endswith("_changelist") else ADMIN_OBJECT_BATTERY
    else:
        base, battery = dict(BASE), BATTERY
    yield "valid", path, base
    for name, value in battery:
        yield f"{name}={value[:24]!r}", path, {**base, name: value}
    for argument, kind in route.arguments.items():
        for value in HOSTILE_PATH_VALUES[kind]:
            try:
                bad = route.path({**kwargs, argument: value})
            except NoReverseMatch:
                continue  # the resolver never routes it to a view: a 404 by construction
            yield f"<{argument}>={value[:24]!r}", bad, base


def _summary(exc: BaseException) -> str:
    """The exception and the innermost frame of our code that raised it."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/jixiao/" in f.filename]
    where = f" at {frames[-1].filename.split('/jixiao/')[-1]}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}: {str(exc)[:160]}{where}"


@pytest.fixture(autouse=True)
def _files_are_not_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Downloads build their layouts as always but skip drawing the file (charts, PDF).

    This module tests how pages read their parameters; a download asked 20 times over would
    otherwise spend a minute drawing matplotlib charts and WeasyPrint PDFs, which
    tests/exporters and tests/test_hostile_exports.py test.
    """

    def render(layout: Layout) -> bytes:
        assert isinstance(layout, Layout)
        return b"rendered"

    for fmt in list(exporters.RENDERERS):
        monkeypatch.setitem(exporters.RENDERERS, fmt, render)
        monkeypatch.setitem(
            exporters.EXPORTERS, fmt, lambda document: render(build_layout(document))
        )


# The admin is the superuser's (others are sent to its login page).
CASES = [
    (name, username)
    for name in sorted(ROUTES)
    for username in USERS
    if username == "admin" or not ROUTES[name].is_admin
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "username"), CASES)
def test_malformed_parameters_never_answer_500(demo: Ids, name: str, username: str) -> None:
    route = ROUTES[name]
    client = Client()
    client.force_login(User.objects.get(username=username))
    failures = []
    for label, path, query in _requests(route, demo):
        try:
            response = client.get(path, query)
        except Exception as exc:  # the test client re-raises what a view raised
            failures.append(f"GET {path} {label}: {_summary(exc)}")
            continue
        if response.status_code >= 500 and response.status_code != 503:
            failures.append(f"GET {path} {label}: {response.status_code}")
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


# --- names with markup -----------------------------------------------------------------------

# Each object's name carries both kinds of markup, numbered so each can be traced.
NUMBERS = {"unit": 1, "project": 2, "indicator": 3, "entry": 4}
# The pages that show each object's name, so the test cannot pass by showing none of them.
SHOWN_ON = {
    "unit": {"targets:index", "rounds:monitoring", "ledgers:records"},
    "project": {"targets:index", "targets:history", "rounds:monitoring", "rounds:evaluation"},
    "indicator": {"targets:index", "rounds:monitoring", "rounds:evaluation", "metrics:index"},
    "entry": {"ledgers:records", "ledgers:entry"},
}


def marked(what: str) -> str:
    n = NUMBERS[what]
    return f'网信办<script>alert({n})</script>"><img src=x onerror=alert({n})>'


def _mark_names(ids: Ids) -> None:
    """A unit, a project, an indicator and a ledger record named with markup (test set-up).

    The rounds go, so the monitoring and self-evaluation pages compute the names live
    instead of showing the snapshots submitted before the names changed.
    """
    clear_rounds(Unit.objects.get(code=UNIT))
    Unit.objects.filter(code=UNIT).update(name=marked("unit"))
    Project.objects.filter(pk=ids.values["project"]).update(name=marked("project"))
    Indicator.objects.filter(pk=ids.values["indicator"]).update(level3=marked("indicator"))
    entry = LedgerEntry.objects.get(pk=ids.values["entry"])
    LedgerEntry.objects.filter(pk=entry.pk).update(data={**entry.data, "title": marked("entry")})


@pytest.mark.django_db
@pytest.mark.parametrize("username", USERS)
def test_names_with_markup_are_escaped_on_every_page(demo: Ids, username: str) -> None:
    _mark_names(demo)
    client = Client()
    client.force_login(User.objects.get(username=username))
    raw: list[str] = []
    shown: dict[str, set[str]] = {what: set() for what in NUMBERS}
    for route in ROUTES.values():
        if route.is_admin and username != "admin":
            continue
        path = route.path(_kwargs(route, demo))
        response = client.get(path, {} if route.is_admin else BASE)
        if not response.get("Content-Type", "").startswith(("text/html", "application/json")):
            continue  # files: tests/test_hostile_exports.py
        body = response.content.decode()
        if "<script>alert(" in body or "<img src=x onerror" in body:
            raw.append(f"{route.name} {path}")
        for what, n in NUMBERS.items():
            if f"&lt;script&gt;alert({n})&lt;/script&gt;&quot;&gt;&lt;img src=x onerror" in body:
                shown[what].add(route.name)
    assert raw == []
    missing = {what: sorted(SHOWN_ON[what] - shown[what]) for what in NUMBERS}
    assert missing == {what: [] for what in NUMBERS}
