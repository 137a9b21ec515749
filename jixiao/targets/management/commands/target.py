"""``jixiao target parse TEXT...``: show how target texts (指标值) are understood."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.utils.translation import gettext as _

from jixiao.commands import JixiaoCommand
from jixiao.targets.choices import Op, TargetKind


class Command(JixiaoCommand):
    help = _("指标值工具。jixiao target parse TEXT…：解析指标值，如 ≥200条、不低于95%。")
    requires_system_checks = []  # pure text work: no database, no settings to check

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        parse = actions.add_parser("parse", help=_("解析指标值"))
        parse.add_argument("texts", nargs="+", metavar="TEXT", help=_("指标值，如 ≥200条"))
        parse.add_argument("--json", action="store_true", help=_("以 JSON 输出，每个指标值一行"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "parse":
            self.parse(options["texts"], as_json=options["json"])

    def parse(self, texts: list[str], *, as_json: bool) -> None:
        """Print each text's kind, operator, value and unit."""
        from jixiao.core.targets import parse_target

        for text in texts:
            parsed = parse_target(text)
            if as_json:
                data = {"text": text, **parsed.to_dict()}
                self.stdout.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
                continue
            kind = TargetKind(parsed.kind).label if parsed.kind in TargetKind else parsed.kind
            op = Op(parsed.op).label if parsed.op and parsed.op in Op else parsed.op
            detail = " ".join(str(p) for p in (op, parsed.value, parsed.unit) if p)
            self.stdout.write(f"{text}：{kind}" + (f"，{detail}" if detail else ""))
