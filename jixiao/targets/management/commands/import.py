"""``jixiao import FILE...``: read target documents and write them into the register."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from jixiao import importers
from jixiao.commands import JixiaoCommand, check_migrated, error_line
from jixiao.core.document import TargetDocument, UnitRef
from jixiao.core.unit_names import is_short_form, rank_units
from jixiao.lib.actor import Actor
from jixiao.targets.services import (
    RemovalNeedsConfirmation,
    import_document,
    validate_document,
)
from jixiao.units.models import Unit


def _json_line(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@contextmanager
def _in_file(path: Path) -> Iterator[None]:
    """Name the file in a rejection, so a user importing many knows which one to fix."""
    try:
        yield
    except RemovalNeedsConfirmation as exc:
        lines = "；".join(r.line for r in exc.removals if r.holdings)
        raise CommandError(
            _(
                "%(file)s：导入将移除以下带有数据的绩效指标：%(lines)s。"
                "确认移除请加 --confirm-removals（移除的指标及其数据仍保留，可恢复）。"
            )
            % {"file": path.name, "lines": lines}
        ) from exc
    except ValidationError as exc:
        raise CommandError(f"{path.name}：{error_line(exc)}") from exc


class Command(JixiaoCommand):
    help = _(
        "导入绩效目标文件（Word、Excel、PDF 或文本）。所有文件在一个事务中导入："
        "任何一个文件出错，则都不写入。文件中没有的已有指标会被移除（保留，可在网页上恢复）；"
        "其中带有口径、实际完成值、佐证材料或填报内容的，须加 --confirm-removals 确认。"
        "命令行是服务器管理员的工具，可导入任何单位；但系统中没有的单位不会按文件中的名称"
        "自动新建：请用 --unit 指定已有单位，或加 --create-unit 确认新建（须为单位全称）。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help=_("要导入的文件"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("只读取和检查文件，不写入数据库")
        )
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出，每个文件一行"))
        parser.add_argument("--user", metavar="USERNAME", help=_("记为导入人的用户名"))
        parser.add_argument(
            "--confirm-removals",
            action="store_true",
            help=_(
                "确认移除文件中没有、但带有口径、实际完成值、佐证材料或填报内容的指标"
                "（移除的指标连同其数据保留，可恢复）"
            ),
        )
        parser.add_argument(
            "--unit", metavar="CODE", help=_("文件中没有单位编码时使用的预算单位编码")
        )
        parser.add_argument(
            "--unit-name",
            metavar="NAME",
            help=_("单位全称：文件中没有单位名称或只有简称时使用；对已有单位，给出时将单位更名"),
        )
        parser.add_argument(
            "--create-unit",
            action="store_true",
            help=_("确认新建系统中没有的预算单位（按文件或 --unit/--unit-name 中的编码和全称）"),
        )
        parser.add_argument(
            "--year", type=int, metavar="YEAR", help=_("文件中没有预算年度时使用的年度")
        )
        parser.add_argument(
            "--ocr-checked",
            action="store_true",
            help=_(
                "确认已核对扫描件中由文字识别（OCR）读出的每个值（用 --dry-run 列出，"
                "置信度低的在前）；扫描件没有此项不导入"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[Path] = options["files"]
        as_json: bool = options["json"]
        if options["dry_run"]:
            # A dry run reads files without a database; with one, it checks the unit too.
            try:
                check_migrated()
                registered = True
            except (CommandError, DatabaseError):
                registered = False
            for path in files:
                document = self._load(path, options)
                self._warn(path, document)
                self.stdout.write(
                    _json_line(document.to_dict()) if as_json else self._describe(path, document)
                )
                # Printed before the check, so a rejected document can still be looked at.
                with _in_file(path):
                    validate_document(document)
                    if registered:
                        self._settle_unit(path, document, options)
            return

        # Read every file before writing anything: a bad tenth file stops the whole run early.
        documents = [(path, self._load(path, options)) for path in files]
        if not options["ocr_checked"]:
            for path, document in documents:
                self._require_ocr_check(path, document)
        check_migrated()
        actor = self._actor(options["user"])
        with transaction.atomic():
            results = []
            for path, document in documents:
                with _in_file(path):
                    validate_document(document)
                    self._settle_unit(path, document, options)
                    results.append(
                        import_document(
                            document,
                            actor=actor,
                            source=path.name,
                            confirm_removals=options["confirm_removals"],
                        )
                    )
        for (path, document), result in zip(documents, results, strict=True):
            self._warn(path, document)
            if as_json:
                self.stdout.write(_json_line(result.to_dict()))
            else:
                self.stdout.write("\n".join(result.summary_lines()))

    def _load(self, path: Path, options: dict[str, Any]) -> TargetDocument:
        """Read a file, filling in the unit and year it lacks from the command line."""
        document = importers.load_document(path)
        code, name, year = options.get("unit"), options.get("unit_name"), options.get("year")
        unit = document.unit or UnitRef(None, None)
        if code and unit.code and unit.code != code:
            raise CommandError(
                _("%(file)s：文件中的单位编码 %(found)s 与 --unit %(given)s 不一致")
                % {"file": path.name, "found": unit.code, "given": code}
            )
        if year and document.year and document.year != year:
            raise CommandError(
                _("%(file)s：文件中的年度 %(found)s 与 --year %(given)s 不一致")
                % {"file": path.name, "found": document.year, "given": year}
            )
        if code or name:
            # An explicit --unit-name is the operator's word for the name (a rename, even).
            document.unit = UnitRef(unit.code or code, name or unit.name)
        document.year = document.year or year
        return document

    def _settle_unit(self, path: Path, document: TargetDocument, options: dict[str, Any]) -> None:
        """Make sure the document lands in a registered unit, or one the operator confirmed
        creating: a name read from a file (often a short form such as 卫健委) never creates
        a unit, nor renames one, by itself."""
        ref = document.unit or UnitRef(None, None)
        code, name = (ref.code or "").strip(), (ref.name or "").strip()
        if code:
            unit = Unit.objects.filter(code=code).first()
        else:
            named = list(Unit.objects.filter(name=name)[:2])
            if len(named) > 1:
                return  # the import names the clash and asks for a code
            unit = named[0] if named else None
        if unit is not None:
            given = (options.get("unit_name") or "").strip()
            if name and name != unit.name and name != given:
                self.stderr.write(
                    _(
                        "%(file)s：文件中的单位名称「%(name)s」与系统中的「%(unit)s」不同，"
                        "沿用系统中的名称（更名请加 --unit-name）。"
                    )
                    % {"file": path.name, "name": name, "unit": unit},
                    style_func=self.style.WARNING,
                )
                document.unit = UnitRef(unit.code, unit.name)
            return
        wanted = " ".join(p for p in (code, name) if p)
        if not options.get("create_unit"):
            alike = [str(u) for u, _score in rank_units(name, code, Unit.objects.all())[:5]]
            message = _("系统中没有预算单位「%(unit)s」，导入不会自动新建单位。") % {"unit": wanted}
            if alike:
                message += _(
                    "名称相近的已有单位：%(units)s。导入到其中之一请用 --unit 指定其单位编码；"
                ) % {"units": "、".join(alike)}
            message += _("确认新建请加 --create-unit（单位名称须为全称，可用 --unit-name 给出）。")
            raise CommandError(f"{path.name}：{message}")
        if not name or is_short_form(name):
            raise CommandError(
                _(
                    "%(file)s：新建单位须有全称，「%(unit)s」不是全称，"
                    "请用 --unit-name 给出单位全称。"
                )
                % {"file": path.name, "unit": wanted}
            )

    def _actor(self, username: str | None) -> Actor:
        # The operator acts; --user names whom the revision is recorded under.
        if username is None:
            return Actor.command_line()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("找不到用户：%(name)s") % {"name": username})
        return Actor.command_line(user)

    def _warn(self, path: Path, document: TargetDocument) -> None:
        for warning in document.warnings:
            self.stderr.write(
                f"{path.name}：{warning.where}：{warning.message}", style_func=self.style.WARNING
            )
        for item in document.to_confirm:
            self.stderr.write(
                _("%(file)s：%(where)s：识别为“%(text)s”，置信度 %(percent)s%%，请核对")
                % {
                    "file": path.name,
                    "where": item.where,
                    "text": item.text,
                    "percent": item.percent,
                },
                style_func=self.style.WARNING,
            )

    @staticmethod
    def _require_ocr_check(path: Path, document: TargetDocument) -> None:
        """A scan's OCR'd values are saved only once a person says they checked them."""
        if not document.to_confirm:
            return
        raise CommandError(
            _(
                "%(file)s：有 %(count)s 个值由文字识别（OCR）读出，须逐项核对后才能导入："
                "用 --dry-run 列出（置信度低的在前），核对无误后加 --ocr-checked 导入。"
            )
            % {"file": path.name, "count": len(document.to_confirm)}
        )

    def _describe(self, path: Path, document: TargetDocument) -> str:
        unit = document.unit
        return _(
            "%(file)s：%(unit)s %(year)s 年，部门整体绩效目标 %(goal)s，项目 %(projects)s 个，"
            "指标 %(indicators)s 条，警告 %(warnings)s 条，待核对识别值 %(ocr)s 个"
            "（试运行，未写入）"
        ) % {
            "file": path.name,
            "unit": " ".join(p for p in (unit.code, unit.name) if p) if unit else _("（无单位）"),
            "year": document.year or "?",
            "goal": _("有") if document.unit_goal else _("无"),
            "projects": len(document.projects),
            "indicators": sum(len(p.indicators) for p in document.projects),
            "warnings": len(document.warnings),
            "ocr": len(document.to_confirm),
        }
