"""The demo with a satisfaction survey of its first project, open for answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from jixiao.lib.actor import Actor
from jixiao.surveys import services
from jixiao.surveys.models import Survey
from jixiao.system.demo.services import load_demo
from jixiao.system.demo.year import P1
from jixiao.targets.models import Indicator
from jixiao.units.models import Unit

ANSWER_DAY = dt.date(2021, 12, 28)


@pytest.fixture
def demo_officer(db: None) -> Any:
    """The demo loaded; its officer (demo)."""
    load_demo()
    return get_user_model().objects.get(username="demo")


@pytest.fixture
def satisfaction() -> Indicator:
    """The demo's 服务对象满意度 indicator of its first project."""
    return Indicator.objects.get(project__code=P1, project__year=2021, level3="服务对象满意度")


@pytest.fixture
def open_survey(
    demo_officer: Any, satisfaction: Indicator, monkeypatch: pytest.MonkeyPatch
) -> Survey:
    """An open 服务对象满意度 survey of the demo's first project; answers dated 28 Dec 2021."""
    monkeypatch.setattr(services, "today", lambda: ANSWER_DAY)
    actor = Actor(user=demo_officer)
    survey = services.create_survey(
        Unit.objects.get(code="224001"),
        template="service",
        project=satisfaction.project,
        indicator=satisfaction,
        actor=actor,
    )
    return services.open_survey(survey, actor=actor)


def answer(survey: Survey, rating: str, identity: str = "群众") -> dict[str, list[str]]:
    """A form's post: the identity and the overall rating (the other questions are optional)."""
    questions = {q.text: q.key for q in survey.questions.all()}
    return {questions["您的身份"]: [identity], questions["您对我单位工作的总体评价"]: [rating]}


@pytest.fixture
def org_b_officer(demo_officer: Any) -> Any:
    """The demo's officer of another unit (dangan)."""
    return get_user_model().objects.get(username="dangan")
