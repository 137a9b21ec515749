"""A large ledger import as a job (kind ``import_ledger``): the import page's confirm step,
run by the worker as the person who confirmed it.

The confirm view keeps the uploaded file in the jobs' files dir (``keep_upload``) and queues
the job with the choices made in the preview (the column mapping, what to do with records of
another source). The worker reads the file, imports every row or none through the same
``import_table`` the page uses, shows the rows checked on the progress bar, deletes the file,
and ends with what was imported or why nothing was (the problems by row).
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao.access.perms import require
from jixiao.jobs.kinds import Checked, Kind, Outcome, Progress, register
from jixiao.ledgers.views_import import records_url
from jixiao.lib.actor import JOB, Actor
from jixiao.units.models import Unit

KIND = "import_ledger"
PREFIX = "import-"


def _files_dir() -> Path:
    from jixiao.jobs.services import files_dir

    return files_dir()


def keep_upload(path: Path) -> str:
    """Copy an upload into the jobs' files dir for an import job; the name it is kept under."""
    name = f"{PREFIX}{secrets.token_hex(12)}{Path(path).suffix.lower()[:10]}"
    shutil.copyfile(path, _files_dir() / name)
    return name


def _kept(params: Mapping[str, Any]) -> Path:
    """The kept upload the parameters name (only a name this module made, in the dir)."""
    name = str(params.get("file", ""))
    if not name.startswith(PREFIX) or Path(name).name != name:
        raise ValidationError(_("找不到要导入的文件。"))
    return _files_dir() / name


def _id(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _unit_and_type(params: Mapping[str, Any]) -> tuple[Unit, Any]:
    from jixiao.ledgers.models import LedgerType

    unit = Unit.objects.filter(pk=_id(params.get("unit"))).first()
    if unit is None:
        raise ValidationError(_("找不到该预算单位。"))
    ledger_type = LedgerType.objects.filter(
        Q(unit__isnull=True) | Q(unit=unit), pk=_id(params.get("ledger_type"))
    ).first()
    if ledger_type is None:
        raise ValidationError(_("找不到该台账。"))
    return unit, ledger_type


def _check(params: Mapping[str, Any], actor: Actor) -> Checked:
    """An import is asked by the person who keeps the unit's records, for themselves."""
    unit, ledger_type = _unit_and_type(params)
    require(actor, "edit", unit)
    if actor.user is None or params.get("by") != actor.user.pk:
        raise PermissionDenied(_("只能由确认导入的人发起。"))
    if not _kept(params).is_file():
        raise ValidationError(_("找不到要导入的文件。"))
    title = _("导入“%(name)s”到%(unit)s的“%(ledger)s”台账") % {
        "name": params.get("name", ""),
        "unit": unit.name,
        "ledger": ledger_type.name,
    }
    return Checked(unit=unit, title=title, back=records_url(ledger_type, unit))


def _run(params: Mapping[str, Any], progress: Progress) -> Outcome:
    from jixiao.importers.grid import ImportFailure
    from jixiao.ledgers import sources
    from jixiao.ledgers.importing import ColumnMap, import_table
    from jixiao.ledgers.io import read_table

    path = _kept(params)
    try:
        unit, ledger_type = _unit_and_type(params)
        person = get_user_model().objects.filter(pk=_id(params.get("by")), is_active=True).first()
        if person is None:
            raise PermissionDenied(_("发起导入的账号已停用。"))
        # The person who asked, as the change log shows it: through a job.
        actor = Actor(user=person, via=JOB)
        progress(0, max(_id(params.get("rows")), 1), _("正在读取文件……"))
        table = read_table(path, str(params.get("name") or path.name))
        columns = params.get("columns")
        column_map = (
            ColumnMap(
                columns=columns,
                values=params.get("values") or {},
                header_row=params.get("header_row"),
                name=str(params.get("mapping_name", "")),
            )
            if columns is not None
            else None
        )
        overlap = str(params.get("overlap", sources.ASK))
        if overlap not in (sources.REPLACE, sources.ADD):
            overlap = sources.ASK

        def rows(done: int, total: int) -> None:
            counts = {"done": done, "total": total}
            if done < total:
                progress(done, total, _("已检查 %(done)s / %(total)s 行") % counts)
            else:  # the rows are written after the last one is checked, in one go
                progress(done, total, _("已检查 %(total)s 行，正在写入……") % counts)

        try:
            report = import_table(
                ledger_type,
                unit,
                table,
                column_map,
                actor=actor,
                overlap=overlap,
                progress=rows,
            )
        except ImportFailure as exc:
            return Outcome(ok=False, summary=str(exc), link=reverse("ledgers:import"))
    finally:
        path.unlink(missing_ok=True)  # the upload is kept until the job ends, not longer
    done = report.ok and report.written
    return Outcome(
        ok=done,
        summary=report.summary(),
        errors=[(e.row, e.column, e.message) for e in report.errors],
        error_count=report.error_count,
        notes=report.notes(),
        link=records_url(ledger_type, unit) if done else reverse("ledgers:import"),
        link_label=_("查看台账记录") if done else _("重新上传"),
    )


register(
    KIND,
    Kind(
        gettext_lazy("导入台账记录"),
        _check,
        _run,
        hint=gettext_lazy("导入在后台进行，您可以离开本页继续工作；完成后“消息”中会通知您。"),
    ),
)
