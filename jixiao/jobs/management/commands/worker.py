"""``jixiao worker``: run the background jobs queued in the database (django-tasks-db)."""

from __future__ import annotations

from django_tasks_db.management.commands import db_worker

from jixiao.commands import operator_note


class Command(db_worker.Command):
    help = (
        "运行后台任务（整单位导出等）：从数据库队列取出任务逐个执行，与 jixiao serve 并行运行。"
        "无需其他服务器；可运行多个。--batch 执行完已排队的任务后退出。"
        " (Run the database task worker: django-tasks-db's db_worker.)"
    )

    def create_parser(self, prog_name, subcommand, **kwargs):  # type: ignore[no-untyped-def]
        """The library's parser, with the operator note every command of ours carries."""
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.epilog = operator_note()
        return parser

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        super().add_arguments(parser)
        # Jobs are all on the default queue; a worker that looked at no queue would idle.
        parser.set_defaults(queue_name="*", reload=False)
