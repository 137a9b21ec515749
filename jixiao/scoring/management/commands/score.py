"""``jixiao score FILE.json [--json]``: score one project's self-evaluation (docs/scoring.md)."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from jixiao.commands import JixiaoCommand
from jixiao.core.policy import PolicyError
from jixiao.core.scoring import (
    IndicatorInput,
    IndicatorScore,
    ProjectInput,
    ProjectScore,
    ScoringError,
    read_json,
    result_json,
    score_project,
)


class Command(JixiaoCommand):
    # call_command("score", "-", stdin=StringIO(...)) feeds standard input in tests.
    stealth_options = ("stdin",)
    help = _(
        "按自评规则为一个项目计分：各指标分值与得分、预算执行率得分、总分和等级。"
        "jixiao score project.json --json（文件写法见 docs/scoring.md；- 表示标准输入）"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", metavar="FILE", help=_("项目的 JSON 文件，- 表示标准输入"))
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出"))

    def handle(self, *args: Any, **options: Any) -> None:
        data = _load(options["file"], options.get("stdin") or sys.stdin)
        try:
            project = read_json(data)
            result = score_project(
                project.indicators,
                budget_total=project.budget_total,
                executed=project.executed,
                policy=project.policy,
            )
        except (ScoringError, PolicyError) as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result_json(result), ensure_ascii=False, indent=2))
        else:
            targets = [row["target"] for row in data["indicators"]]
            for line in _table(project, targets, result):
                self.stdout.write(line)


def _load(name: str, stdin: TextIO) -> Any:
    """The JSON document in the file (or on stdin for ``-``), with a Chinese error."""
    try:
        text = stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CommandError(_("找不到文件：%(name)s") % {"name": name}) from None
    except UnicodeDecodeError:
        raise CommandError(_("文件不是 UTF-8 编码的文本：%(name)s") % {"name": name}) from None
    except OSError as exc:
        message = _("无法读取文件：%(name)s（%(why)s）") % {"name": name, "why": exc.strerror}
        raise CommandError(message) from None
    try:
        # Decimals stay exact: 12.5 in the file is Decimal("12.5"), never a float.
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        message = _("不是有效的 JSON：第 %(line)s 行第 %(column)s 列（%(name)s）") % {
            "line": exc.lineno,
            "column": exc.colno,
            "name": name,
        }
        raise CommandError(message) from None


def _table(project: ProjectInput, targets: list[str], result: ProjectScore) -> list[str]:
    """The scores as readable Chinese lines: indicators, execution, total."""
    lines = []
    rows = zip(project.indicators, targets, result.indicators, strict=True)
    for indicator, target, score in rows:
        lines.append(_line(indicator, target, score))
    execution = result.execution
    lines.append(
        _(
            "预算执行率 %(rate)s%%（全年预算数 %(total)s，全年执行数 %(executed)s）："
            "分值 %(points)s，得分 %(score)s"
        )
        % {
            "rate": execution.rate,
            "total": project.budget_total,
            "executed": project.executed,
            "points": execution.points,
            "score": execution.score,
        }
        + (_("；执行率偏低，需说明原因") if execution.explanation_required else "")
    )
    total = _("总分 %(total)s，等级 %(grade)s") % {"total": result.total, "grade": result.grade}
    if result.capped_from is not None:
        total += _("（按执行率封顶，封顶前 %(before)s）") % {"before": result.capped_from}
    lines.append(total)
    return lines


def _line(indicator: IndicatorInput, target: str, score: IndicatorScore) -> str:
    """One indicator: level 3, target, actual, points and score, then what needs saying."""
    if indicator.actual is None:
        actual = _("不适用")
    elif isinstance(indicator.actual, str) and not indicator.actual.strip():
        actual = _("（未填）")
    else:
        actual = str(indicator.actual)
    line = _(
        "%(name)s：指标值 %(target)s，实际完成值 %(actual)s，分值 %(points)s，得分 %(score)s"
    ) % {
        "name": indicator.level3,
        "target": target,
        "actual": actual,
        "points": score.points,
        "score": score.score,
    }
    remarks = []
    if score.not_applicable:
        remarks.append(_("不适用"))
    if score.grade is not None and score.band is not None:
        remarks.append(
            _("%(grade)s，得分范围 %(low)s–%(high)s")
            % {"grade": score.grade, "low": score.band[0], "high": score.band[1]}
        )
    if score.note:
        remarks.append(score.note)
    if score.explanation_required:
        remarks.append(_("需说明偏差原因"))
    return line + (f"（{'；'.join(remarks)}）" if remarks else "")
