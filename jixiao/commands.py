"""What every jixiao management command shares: one-line Chinese errors and atomic file writes."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser, SystemCheckError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from jixiao.importers.grid import ImportFailure
from jixiao.lib.actor import Actor

# Exit status for input the user can fix (a bad file, an unknown unit); argparse uses it too.
EXIT_BAD_INPUT = 2

BAD_INPUT = (ImportFailure, ValidationError, CommandError)


def error_line(exc: BaseException) -> str:
    """The exception's message as one line."""
    messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    text = "；".join(str(m) for m in messages)
    return " ".join(text.split())


def operator_note() -> str:
    """What every command's help says: the command line is the server operator's tool."""
    return _(
        "jixiao 命令行是服务器运维人员的工具：它以全部权限操作（不受账号和单位范围限制），"
        "所做的修改记入审计日志，操作人记为“%(label)s”。"
    ) % {"label": Actor.command_line().label}


class JixiaoCommand(BaseCommand):
    """Base of our commands: bad input ends in one Chinese line on stderr and exit status 2.

    Subclasses raise ``CommandError``, ``ImportFailure`` or ``ValidationError`` with a Chinese
    message and do their writes inside a transaction, so a failure leaves nothing behind.
    Called through ``call_command`` the exception propagates unchanged, for tests and callers.
    """

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        """Django's parser, with the operator note under every command's help."""
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.epilog = operator_note()
        return parser

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except BAD_INPUT as exc:
            if (
                isinstance(exc, SystemCheckError)
                or not getattr(self, "_called_from_command_line", False)
                or options.get("traceback")
            ):
                raise
            self.stderr.write(error_line(exc))
            sys.exit(EXIT_BAD_INPUT)


def check_migrated() -> None:
    """Refuse a database that lacks our tables, instead of failing later with a SQL error."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CommandError(_("数据库尚未初始化或需要升级，请先运行 jixiao migrate。"))


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old file or the whole new one, never a part."""
    path = Path(path)
    if not path.parent.is_dir():
        raise CommandError(_("目录不存在：%(dir)s") % {"dir": path.parent})
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise CommandError(_("无法写入文件：%(path)s") % {"path": path}) from exc
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; an exported report is meant to be shared
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise CommandError(_("无法写入文件：%(path)s") % {"path": path}) from exc
        raise


def parse_year(text: str) -> int:
    """The fiscal year from the command line, with a Chinese error."""
    text = str(text)
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise CommandError(_("预算年度应为四位数字，如 2021：%(text)s") % {"text": text})
    return int(text)


def parse_date(text: str) -> dt.date:
    """A date from the command line, with a Chinese error."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        message = _("日期格式不对：%(text)s（应如 2021-06-30）") % {"text": text}
        raise CommandError(message) from None
