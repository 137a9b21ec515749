"""``jixiao notify daily``: the daily run of notifications (cron it once a morning)."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from jixiao.commands import JixiaoCommand
from jixiao.notifications.services import run_daily, send_digests


class Command(JixiaoCommand):
    help = (
        "消息的定时任务。daily：通知三天内截止而未提交的填报、逾期未办结的台账事项（每项只通知一次），"
        "发送每日汇总邮件，清理过期的导出文件；每天运行一次（可重复运行，不会重复通知）。"
        "digest：只发送每日汇总邮件。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("what", choices=["daily", "digest"], help="daily 或 digest")
        parser.add_argument("--today", help="按这一天运行（YYYY-MM-DD，默认今天）")

    def handle(self, *args: Any, what: str, today: str | None = None, **options: Any) -> None:
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"日期格式不对：{today}") from None
        if what == "digest":
            self.stdout.write(f"汇总邮件：{send_digests()} 封")
            return
        done = run_daily(day)
        self.stdout.write(
            f"即将截止：{done.due} 条通知；逾期事项：{done.overdue} 条通知；"
            f"汇总邮件：{done.digests} 封；清理导出文件：{done.pruned} 个"
        )
