"""Fixtures of the target register's tests: the seed-shaped document imported by the officer
of unit A, and an indicator holding a metric, hand-entered actuals and evidence files."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from jixiao.core.document import TargetDocument
from jixiao.lib.actor import Actor
from jixiao.metrics.models import Evidence, ManualActual, Metric
from jixiao.targets.models import Indicator
from jixiao.targets.services import ImportResult, import_document

HELD_NAME = "舆情监测预警、研判分析数"


@pytest.fixture
def imported(demo_document: TargetDocument, officer: User) -> ImportResult:
    """The demo document imported into unit A by its officer (revision 1 of everything)."""
    return import_document(demo_document, actor=Actor(officer), source="v1.txt")


@dataclass
class HeldData:
    """The indicator holding data, and what it holds."""

    indicator: Indicator
    metric: Metric
    actuals: list[ManualActual]
    evidence: list[Evidence]


@pytest.fixture
def held(imported: ImportResult, officer: User) -> HeldData:
    """舆情监测预警、研判分析数 with a metric, three hand-entered actuals and two evidence files."""
    indicator = Indicator.objects.get(project__unit__code="224001", level3=HELD_NAME)
    metric = Metric.objects.create(indicator=indicator, definition={"kind": "manual"})
    actuals = [
        ManualActual.objects.create(
            indicator=indicator,
            as_of=as_of,
            value=f"{n}条",
            number=Decimal(n),
            evidence="舆情监测台账",
            entered_by=officer,
        )
        for as_of, n in (
            (dt.date(2021, 3, 31), 48),
            (dt.date(2021, 6, 30), 103),
            (dt.date(2021, 12, 31), 212),
        )
    ]
    evidence = [
        Evidence.objects.create(actual=actuals[1], file="evidence/x/半年.pdf", name="半年.pdf"),
        Evidence.objects.create(actual=actuals[2], file="evidence/x/全年.pdf", name="全年.pdf"),
    ]
    return HeldData(indicator, metric, actuals, evidence)


def without(document: TargetDocument, level3: str) -> TargetDocument:
    """The document with the indicator of that level-3 name left out of every project."""
    for project in document.projects:
        project.indicators = [i for i in project.indicators if i.level3 != level3]
    return document


def lines_naming(text: str, name: str) -> list[str]:
    """The lines of a command's output that start (after indentation) with the indicator."""
    return [line for line in text.splitlines() if re.match(rf"\s*{re.escape(name)}：", line)]
