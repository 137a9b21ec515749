"""Small ledgers built through the ledger services, and projects with bound indicators."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from jixiao.core.targets import parse_target
from jixiao.ledgers.models import LedgerEntry
from jixiao.ledgers.services import create_entry, ledger_type_for, record_transition
from jixiao.lib.actor import Actor
from jixiao.metrics.services import bind_metric
from jixiao.targets.models import Indicator, Project
from jixiao.units.models import Unit

if TYPE_CHECKING:
    from conftest import Org

DAY = dt.date
# Who builds the fixtures: the system, which holds every permission (the tests of who may
# write use the personas).
SYSTEM = Actor.system("测试")


class Builder:
    """Writes records and projects for one unit; every write goes through the services."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.count = 0

    def project(
        self,
        code: str = "P1",
        *,
        year: int = 2021,
        budget: str | None = "15",
        money_unit: str = "万元",
        position: int = 0,
    ) -> Project:
        """A budget project of the unit."""
        return Project.objects.create(
            unit=self.unit,
            year=year,
            code=code,
            name=f"项目{code}",
            position=position,
            money_unit=money_unit,
            budget_total=None if budget is None else Decimal(budget),
        )

    def indicator(
        self,
        project: Project,
        level3: str,
        definition: dict[str, Any] | None = None,
        *,
        target: str = "≥200条",
        kind: str = "quantitative",
    ) -> Indicator:
        """An indicator, bound to the definition when one is given."""
        parsed = parse_target(target, year=project.year)
        indicator = Indicator.objects.create(
            project=project,
            position=project.indicators.count(),
            level1="产出指标",
            level2="数量指标",
            level3=level3,
            target=target,
            target_kind=kind,
            # As an import stores them (the parsed operator, value and unit).
            target_op=parsed.op or "" if kind == "quantitative" else "",
            target_value=Decimal(parsed.value)
            if kind == "quantitative" and parsed.value is not None
            else None,
            target_unit=parsed.unit or "" if kind == "quantitative" else "",
        )
        if definition is not None:
            bind_metric(indicator, definition, actor=SYSTEM)
        return indicator

    def entry(
        self,
        ledger: str,
        project: Project | None = None,
        steps: list[tuple[str, dt.date]] = (),  # type: ignore[assignment]
        **values: Any,
    ) -> LedgerEntry:
        """A record, moved along its workflow by the given (state, day) steps."""
        self.count += 1
        ledger_type = ledger_type_for(self.unit, ledger)
        defaults = _DEFAULTS[ledger](self.count) if ledger in _DEFAULTS else {}
        entry = create_entry(
            ledger_type, self.unit, {**defaults, **values}, actor=SYSTEM, project=project
        )
        for state, day in steps:
            record_transition(entry, state, actor=SYSTEM, on=day)
        return entry

    def opinion(
        self,
        project: Project | None,
        first_seen: dt.date,
        *steps: tuple[str, dt.date],
        **values: Any,
    ) -> LedgerEntry:
        """An opinion case first seen on a day, moved through the steps."""
        return self.entry("opinion", project, list(steps), first_seen=first_seen, **values)


_DEFAULTS: dict[str, Any] = {
    "opinion": lambda n: {
        "title": f"舆情{n}",
        "platform": "微博",
        "link": f"https://weibo.com/{n}",
        "grade": "一般",
        "must_handle": True,
    },
    "post": lambda n: {"channel": "微信", "title": f"信息{n}"},
    "submission": lambda n: {"title": f"稿件{n}", "outlet": "秦皇岛新闻网", "level": "市"},
    "task": lambda n: {"title": f"任务{n}"},
    "expenditure": lambda n: {"economic_class": "办公费", "voucher": f"V{n:04d}"},
    "inspection": lambda n: {"title": f"检查{n}", "rectification": "无需整改"},
    "training": lambda n: {"title": f"培训{n}"},
    "survey": lambda n: {"number": f"Q{n}", "valid": True, "rating": "满意"},
}


@pytest.fixture
def unit(org: Org) -> Unit:
    """The seed's unit (unit A of the personas: 224001, under 昌黎县财政局)."""
    return org.unit


@pytest.fixture
def build(unit: Unit) -> Builder:
    """A builder of records and projects for the unit."""
    return Builder(unit)
