"""``jixiao serve [--bind HOST:PORT] [--workers N]``: run Jixiao under gunicorn."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections
from django.utils.translation import gettext as _

from jixiao.commands import JixiaoCommand, check_migrated
from jixiao.system.server import (
    JixiaoServer,
    collect_static,
    default_workers,
    parse_bind,
    server_options,
)


class Command(JixiaoCommand):
    help = _(
        "以生产方式运行绩效管理系统（gunicorn）：先检查数据库已初始化、收集静态文件，"
        "再启动若干工作进程。单个请求超过 JIXIAO_REQUEST_TIMEOUT 秒（默认 60）即被中止并记入日志"
        "（耗时较长的工作将在后续版本中改为后台任务）。"
        "对外服务时请在前面放置 nginx 等反向代理并由它处理 HTTPS（见 docs/deploy.md）。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--bind",
            default="127.0.0.1:8000",
            metavar="HOST:PORT",
            help=_("监听地址（默认 127.0.0.1:8000；也可为 unix:/run/jixiao/jixiao.sock）"),
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            metavar="N",
            help=_("工作进程数（默认 CPU 核数 × 2 + 1，最多 12；此机器为 %(n)s）")
            % {"n": default_workers()},
        )
        parser.add_argument(
            "--no-access-log",
            action="store_true",
            help=_("不输出访问日志（每个请求一行）"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bind = parse_bind(options["bind"])
        workers = options["workers"] or default_workers()
        if not 1 <= workers <= 64:
            raise CommandError(_("工作进程数应在 1 到 64 之间：%(n)s") % {"n": workers})
        check_migrated()
        if collect_static():
            self.stdout.write(_("已收集静态文件到 %(dir)s") % {"dir": settings.STATIC_ROOT})
        # Workers are forked from this process: none may inherit its database connection.
        connections.close_all()
        address = bind if bind.startswith("unix:") else f"http://{bind}/"
        self.stdout.write(
            _("绩效管理系统：%(address)s（%(n)s 个工作进程，单个请求限时 %(t)s 秒；Ctrl+C 停止）")
            % {"address": address, "n": workers, "t": settings.REQUEST_TIMEOUT}
        )
        self.stdout.flush()
        access_log = None if options["no_access_log"] else "-"
        JixiaoServer(
            server_options(bind, workers, timeout=settings.REQUEST_TIMEOUT, access_log=access_log)
        ).run()
