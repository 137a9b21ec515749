"""``jixiao backup -o FILE``: the database and the uploaded files in one checked archive."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from jixiao.commands import JixiaoCommand, check_migrated
from jixiao.lib.actor import Actor
from jixiao.system.backup import create_backup, describe


class Command(JixiaoCommand):
    help = _(
        "备份：把数据库（SQLite 用在线备份，PostgreSQL 用 pg_dump）和全部上传文件"
        "（台账附件、佐证材料）写入一个归档文件，附每个文件的 SHA-256 校验清单。"
        "服务器运行中也可备份。备份文件含全部数据和密码哈希，权限为 0600，请妥善保管。"
        "密钥（JIXIAO_SECRET_KEY 或数据目录中的 secret_key）不在备份中。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "-o",
            "--output",
            required=True,
            metavar="FILE",
            help=_("备份文件路径，如 /var/backups/jixiao/jixiao-20260101.tar.gz"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        check_migrated()
        result = create_backup(Path(options["output"]), actor=Actor.command_line())
        self.stdout.write(
            _("已备份到 %(path)s（%(size)s 字节，SHA-256 %(sha)s）")
            % {"path": result.path, "size": result.size, "sha": result.sha256}
        )
        self.stdout.write("\n".join(describe(result.manifest)))
        for name in result.missing:
            self.stderr.write(_("备份期间被删除、未能备份的文件：%(name)s") % {"name": name})
