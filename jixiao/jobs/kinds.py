"""What a job can be: each kind checks its parameters and who may ask, then does the work.

A kind is registered once in :data:`KINDS`; ``enqueue_job`` and the worker look it up there.
The export kinds make the same files the synchronous downloads make (the same exporters over
the same documents), in steps the progress bar shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao.access.perms import require
from jixiao.lib.actor import Actor
from jixiao.units.models import Unit

# done, total, message
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Output:
    """The file a job made: its bytes, the name it downloads as, its content type."""

    data: bytes
    filename: str
    content_type: str


@dataclass(frozen=True)
class Outcome:
    """What a job that makes no file did (an import): whether it did it, one sentence, the
    problems by row (row, column, problem; the first ones of ``error_count``), other notes,
    and where to see the result."""

    ok: bool
    summary: str
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    error_count: int = 0
    notes: list[str] = field(default_factory=list)
    link: str = ""
    link_label: str = ""

    def as_json(self) -> dict[str, Any]:
        """What the job's row keeps of it."""
        return {
            "summary": self.summary,
            "errors": [{"row": r, "column": c, "message": m} for r, c, m in self.errors],
            "error_count": self.error_count,
            "notes": self.notes,
            "link": self.link,
            "link_label": self.link_label,
        }


@dataclass(frozen=True)
class Checked:
    """A kind's parameters once checked: the unit they concern, the job's title, and where the
    page the job was asked from is (the inbox links back there)."""

    unit: Unit | None
    title: str
    back: str = ""


@dataclass(frozen=True)
class Kind:
    """A job kind: its Chinese label, its check (parameters and permission), and its work."""

    label: Any  # a lazy Chinese string
    check: Callable[[Mapping[str, Any], Actor], Checked]
    run: Callable[[Mapping[str, Any], Progress], Output | Outcome]
    hint: Any = None  # what the job's page says below the bar (default: an export's)


KINDS: dict[str, Kind] = {}


def register(name: str, kind: Kind) -> None:
    """Add a job kind (other apps register their own, e.g. a large import)."""
    KINDS[name] = kind


# --- exports ---------------------------------------------------------------------------------

FORMAT_NAMES = {"xlsx": "Excel", "docx": "Word", "pdf": "PDF"}


def _id(value: Any) -> int:
    """An id from the parameters (0, which matches nothing, for anything else)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _fmt(params: Mapping[str, Any]) -> str:
    from jixiao.exporters import CONTENT_TYPES

    fmt = str(params.get("fmt", ""))
    if fmt not in CONTENT_TYPES:
        raise ValidationError(_("不支持的导出格式：%(fmt)s") % {"fmt": fmt})
    return fmt


def _unit_year(params: Mapping[str, Any], actor: Actor) -> tuple[Unit, int]:
    unit = Unit.objects.filter(pk=_id(params.get("unit"))).first()
    if unit is None:
        raise ValidationError(_("找不到该预算单位。"))
    require(actor, "view", unit)
    year = params.get("year")
    if not isinstance(year, int) or not 1900 <= year <= 2200:
        raise ValidationError(_("年度不正确。"))
    return unit, year


def _file(data: bytes, title: str, fmt: str) -> Output:
    from jixiao.exporters import CONTENT_TYPES, SUFFIXES

    return Output(data=data, filename=title + SUFFIXES[fmt], content_type=CONTENT_TYPES[fmt])


def _check_monitoring(params: Mapping[str, Any], actor: Actor) -> Checked:
    unit, year = _unit_year(params, actor)
    fmt = _fmt(params)
    try:
        as_of = dt.date.fromisoformat(str(params.get("as_of")))
    except ValueError:
        raise ValidationError(_("数据截至日期不正确。")) from None
    if as_of.year != year:
        raise ValidationError(_("数据截至日期不正确。"))
    title = _("%(unit)s%(year)s年绩效运行监控表（截至%(date)s，%(fmt)s）") % {
        "unit": unit.name,
        "year": year,
        "date": as_of.isoformat(),
        "fmt": FORMAT_NAMES[fmt],
    }
    back = reverse("rounds:monitoring") + f"?unit={unit.code or unit.name}&year={year}"
    return Checked(unit=unit, title=title, back=back + f"&as_of={as_of.isoformat()}")


def _run_monitoring(params: Mapping[str, Any], progress: Progress) -> Output:
    from jixiao import exporters
    from jixiao.rounds import services
    from jixiao.rounds.views import doc_title

    unit = Unit.objects.get(pk=params["unit"])
    fmt = params["fmt"]
    progress(0, 3, _("正在计算监控表……"))
    doc, _report = services.monitoring_document(
        unit, params["year"], dt.date.fromisoformat(params["as_of"])
    )
    progress(1, 3, _("正在生成 %(fmt)s 文件……") % {"fmt": FORMAT_NAMES[fmt]})
    data = exporters.export_monitoring(doc, fmt)
    progress(2, 3, _("正在保存文件……"))
    return _file(data, doc_title(doc), fmt)


def _check_evaluation(params: Mapping[str, Any], actor: Actor) -> Checked:
    unit, year = _unit_year(params, actor)
    fmt = _fmt(params)
    title = _("%(unit)s%(year)s年度项目支出绩效自评表（%(fmt)s）") % {
        "unit": unit.name,
        "year": year,
        "fmt": FORMAT_NAMES[fmt],
    }
    back = reverse("rounds:evaluation") + f"?unit={unit.code or unit.name}&year={year}"
    return Checked(unit=unit, title=title, back=back)


def _run_evaluation(params: Mapping[str, Any], progress: Progress) -> Output:
    from jixiao import exporters
    from jixiao.rounds import services
    from jixiao.rounds.views import doc_title

    unit = Unit.objects.get(pk=params["unit"])
    fmt = params["fmt"]
    progress(0, 3, _("正在计算自评得分……"))
    doc, _report = services.evaluation_document(unit, params["year"])
    progress(1, 3, _("正在生成 %(fmt)s 文件……") % {"fmt": FORMAT_NAMES[fmt]})
    data = exporters.export_selfeval(doc, fmt)
    progress(2, 3, _("正在保存文件……"))
    return _file(data, doc_title(doc), fmt)


def _check_report(params: Mapping[str, Any], actor: Actor) -> Checked:
    from jixiao.rounds.models import Report

    report = (
        Report.objects.select_related("unit", "round").filter(pk=_id(params.get("report"))).first()
    )
    if report is None:
        raise ValidationError(_("找不到该填报。"))
    require(actor, "view", report)
    fmt = _fmt(params)
    title = _("%(unit)s · %(round)s（%(fmt)s）") % {
        "unit": report.unit.name,
        "round": report.round,
        "fmt": FORMAT_NAMES[fmt],
    }
    return Checked(unit=report.unit, title=title, back=reverse("rounds:report", args=[report.pk]))


def _run_report(params: Mapping[str, Any], progress: Progress) -> Output:
    from jixiao import exporters
    from jixiao.core.reports import MonitoringReport
    from jixiao.rounds import services
    from jixiao.rounds.models import Report
    from jixiao.rounds.target_document import TargetRoundDocument, build_round_layout
    from jixiao.rounds.views import doc_title

    report = Report.objects.select_related("unit", "round").get(pk=params["report"])
    fmt = params["fmt"]
    progress(0, 3, _("正在读取填报……"))
    doc = services.document(report)
    progress(1, 3, _("正在生成 %(fmt)s 文件……") % {"fmt": FORMAT_NAMES[fmt]})
    if isinstance(doc, TargetRoundDocument):
        data = exporters.RENDERERS[fmt](build_round_layout(doc))
    elif isinstance(doc, MonitoringReport):
        data = exporters.export_monitoring(doc, fmt)
    else:
        data = exporters.export_selfeval(doc, fmt)
    progress(2, 3, _("正在保存文件……"))
    return _file(data, doc_title(doc), fmt)


def _check_targets(params: Mapping[str, Any], actor: Actor) -> Checked:
    unit, year = _unit_year(params, actor)
    fmt = _fmt(params)
    title = _("%(unit)s%(year)s年度预算绩效目标（%(fmt)s）") % {
        "unit": unit.name,
        "year": year,
        "fmt": FORMAT_NAMES[fmt],
    }
    back = reverse("targets:index") + f"?unit={unit.code or unit.name}&year={year}"
    return Checked(unit=unit, title=title, back=back)


def _run_targets(params: Mapping[str, Any], progress: Progress) -> Output:
    from jixiao.exporters import export_targets
    from jixiao.exporters.targets_layout import document_title
    from jixiao.targets.services import document_for

    unit = Unit.objects.get(pk=params["unit"])
    fmt = params["fmt"]
    progress(0, 3, _("正在读取绩效目标……"))
    document = document_for(unit, params["year"])
    if document.unit_goal is None and not document.projects:
        raise ValidationError(_("该单位没有 %(year)s 年的绩效目标。") % {"year": params["year"]})
    progress(1, 3, _("正在生成 %(fmt)s 文件……") % {"fmt": FORMAT_NAMES[fmt]})
    data = export_targets(document, fmt)
    progress(2, 3, _("正在保存文件……"))
    return _file(data, document_title(document), fmt)


register(
    "export_monitoring", Kind(gettext_lazy("导出运行监控表"), _check_monitoring, _run_monitoring)
)
register(
    "export_evaluation", Kind(gettext_lazy("导出绩效自评表"), _check_evaluation, _run_evaluation)
)
register("export_report", Kind(gettext_lazy("导出填报"), _check_report, _run_report))
register("export_targets", Kind(gettext_lazy("导出绩效目标表"), _check_targets, _run_targets))
