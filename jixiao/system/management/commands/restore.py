"""``jixiao restore FILE``: restore an archive of ``jixiao backup`` into an empty installation."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from jixiao.commands import JixiaoCommand
from jixiao.lib.actor import Actor
from jixiao.system.backup import BackupError, describe, restore_backup, verify_archive


class Command(JixiaoCommand):
    help = _(
        "从 jixiao backup 的备份文件恢复数据库和上传文件。只能恢复到空的数据目录"
        "（新的 JIXIAO_DATA_DIR）或新建的空 PostgreSQL 数据库；先逐一核对清单中每个文件的 "
        "SHA-256，有一个不符就拒绝恢复、不写入任何数据。备份来自较早版本时，恢复后自动升级数据库。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", metavar="FILE", help=_("备份文件"))
        parser.add_argument(
            "--check",
            action="store_true",
            help=_("只核对备份文件（清单与每个文件的 SHA-256），不恢复、不写入任何数据"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["file"])
        if options["check"]:
            manifest = verify_archive(archive)
            self.stdout.write(
                _("备份文件完整：%(n)s 个文件均与清单一致。") % {"n": len(manifest.files)}
            )
            self.stdout.write("\n".join(describe(manifest)))
            return
        result = restore_backup(archive, actor=Actor.command_line())
        self.stdout.write(_("已从 %(path)s 恢复。") % {"path": archive})
        self.stdout.write("\n".join(describe(result.manifest)))
        if result.migrated:
            self.stdout.write(_("备份来自较早的版本，数据库已升级到当前版本。"))
        if not result.verification.ok:
            raise BackupError(
                _("恢复完成，但审计日志校验未通过：%(p)s") % {"p": result.verification.problem}
            )
        self.stdout.write(
            _("审计日志完整：共 %(n)s 条记录，哈希链校验通过。")
            % {"n": result.verification.checked}
        )
