"""The demo: Changli County Cyberspace Affairs Office's 2021 targets, a year of its records,
its indicators bound to metrics, and a login to explore them."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from django.db import transaction
from django.utils.translation import gettext as _

from jixiao import importers
from jixiao.core.document import TargetDocument
from jixiao.ledgers.models import LedgerEntry
from jixiao.system.demo.bindings import BindResult, bind_demo
from jixiao.system.demo.people import DEMO_PASSWORD, SYSTEM, DemoPeople, ensure_people
from jixiao.system.demo.rounds import RoundsResult, clear_rounds, load_rounds
from jixiao.system.demo.year import YEAR, YearResult, load_year
from jixiao.targets.models import Project, Revision, UnitGoal
from jixiao.targets.services import ImportResult, import_document
from jixiao.units.models import Unit
from jixiao.units.services import find_or_create_unit

DEMO_USERNAME = "demo"
SEED_FILE = "seed-changli-cac-2021.txt"


@dataclass
class DemoResult:
    """What loading the demo did."""

    targets: ImportResult
    people: DemoPeople
    year: YearResult
    bindings: BindResult
    rounds: RoundsResult

    @property
    def changed(self) -> bool:
        """True when the run wrote anything besides the login."""
        return (
            self.targets.changed
            or self.year.changed
            or self.bindings.changed
            or self.rounds.created
        )

    def summary_lines(self) -> list[str]:
        """The result and the login, in Chinese."""
        if not self.changed:
            lines = [_("演示数据已是最新，无变化。")]
        else:
            lines = [_("演示数据：")]
            if self.targets.changed:
                lines += self.targets.summary_lines()
            if self.year.changed:
                lines.append(
                    _("  %(year)s 年台账：新增 %(created)s 条，更新 %(updated)s 条（%(counts)s）")
                    % {
                        "year": YEAR,
                        "created": self.year.created,
                        "updated": self.year.updated,
                        "counts": self.year.counts_text(),
                    }
                )
            if self.bindings.changed:
                lines.append(
                    _(
                        "  口径：%(total)s 个绩效指标均已绑定（本次写入口径 %(bound)s 个，"
                        "手工填报实际完成值 %(entered)s 条）"
                    )
                    % {
                        "total": self.bindings.total,
                        "bound": self.bindings.bound,
                        "entered": self.bindings.entered,
                    }
                )
            if self.rounds.created:
                lines.append(
                    _(
                        "  审核流程：%(year)s 年上半年绩效运行监控已提交并审核通过，"
                        "年度绩效自评已提交待审核（财政局：昌黎县财政局）"
                    )
                    % {"year": YEAR}
                )
        state = _("新建") if self.people.created else _("已存在")
        lines.append(
            _("演示账号（%(state)s，密码均为 %(password)s）：")
            % {"state": state, "password": DEMO_PASSWORD}
        )
        for username, role, organisation in self.people.accounts():
            lines.append(f"  {username:<9}{role}　{organisation}")
        return lines


def seed_document() -> TargetDocument:
    """The seed target document, read by the same importer users use."""
    with resources.as_file(resources.files("jixiao.system.demo") / SEED_FILE) as path:
        return importers.load_document(path)


@transaction.atomic
def load_demo(*, reset: bool = False) -> DemoResult:
    """Load the demo targets, year of records, metrics, rounds and accounts; a second run
    changes nothing. ``reset`` first clears the demo unit's records and targets and reloads
    them, and restores the demo accounts.
    """
    document = seed_document()
    assert document.unit is not None  # the seed names its unit
    if reset:
        unit = Unit.objects.filter(code=document.unit.code).first()
        if unit is not None:
            clear_rounds(unit)  # first: reports point at the projects about to go
        _clear_records(document)  # first: records point at the projects about to go
        _clear_targets(document)
    unit, _created = find_or_create_unit(
        code=document.unit.code, name=document.unit.name, actor=SYSTEM
    )
    people = ensure_people(unit, reset=reset)
    targets = import_document(document, actor=people.officer, source=SEED_FILE)
    year = load_year(targets.unit, actor=people.officer)
    bindings = bind_demo(targets.unit, actor=people.officer)
    rounds = load_rounds(targets.unit, people=people)
    return DemoResult(targets=targets, people=people, year=year, bindings=bindings, rounds=rounds)


def _clear_records(document: TargetDocument) -> None:
    """Delete the demo unit's ledger records (with their steps and attachments rows)."""
    assert document.unit is not None  # the seed has one
    LedgerEntry.objects.filter(unit__code=document.unit.code).delete()


def _clear_targets(document: TargetDocument) -> None:
    """Delete the demo unit's targets and their history for the demo year."""
    # Only the demo may drop history: everywhere else revisions are kept for good.
    assert document.unit is not None and document.year is not None  # the seed has both
    unit = Unit.objects.filter(code=document.unit.code).first()
    if unit is None:
        return
    Revision.objects.filter(unit=unit, year=document.year).delete()
    Project.objects.filter(unit=unit, year=document.year).delete()
    UnitGoal.objects.filter(unit=unit, year=document.year).delete()
