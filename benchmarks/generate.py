"""Build a synthetic province: units, projects, indicators bound to metrics, ledger records.

Everything is deterministic (``random.Random`` seeded from ``Size.seed``) and streamed:
ledger records are generated row by row and written in large batches by raw SQL
(``executemany`` on SQLite, ``COPY … FROM STDIN`` on PostgreSQL), so 5,000,000 records never
exist in memory at once.
Records follow the preset ledgers' field codes and the stored forms of
``jixiao.ledgers.values`` (ISO dates, money as decimal strings, JSON as Django writes it),
with the mirrored columns (``date``, ``amount_cents``, ``state``, ``state_dates``) filled as
``jixiao.ledgers.services`` fills them.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from benchmarks.definitions import DEFINITIONS
from jixiao.core.targets import parse_target
from jixiao.ledgers.models import LedgerEntry, LedgerType
from jixiao.ledgers.presets import ECONOMIC_CLASSES
from jixiao.metrics.models import Metric
from jixiao.targets.models import Indicator, Project, SpendingCheckpoint
from jixiao.units.models import Unit

YEAR = 2021
# Share of records per ledger type; the rest of the presets stay empty.
TYPE_SHARES: list[tuple[str, float]] = [
    ("opinion", 0.30),
    ("post", 0.20),
    ("submission", 0.10),
    ("task", 0.10),
    ("expenditure", 0.22),
    ("survey", 0.08),
]
# Records start a fortnight before the fiscal year so the window's first day matters.
FIRST_DAY_OFFSET = -15
COUNTIES = [
    "昌黎", "抚宁", "卢龙", "青龙", "滦州", "乐亭", "迁西", "玉田", "遵化", "迁安",
    "丰润", "丰南", "滦南", "兴隆", "平泉", "隆化", "丰宁", "围场", "宽城", "滦平",
]  # fmt: skip
DEPARTMENTS = [
    "网信办", "宣传部", "财政局", "教育局", "卫健局", "民政局", "农业农村局", "水务局",
    "交通运输局", "住建局", "文旅局", "应急管理局", "市场监管局", "自然资源局", "生态环境局",
    "人社局", "司法局", "统计局", "商务局", "科工局",
]  # fmt: skip
TOPICS = [
    "道路施工",
    "学校招生",
    "物业纠纷",
    "食品安全",
    "供暖",
    "拆迁补偿",
    "医保报销",
    "景区服务",
]
PLATFORMS = ["微博", "微信", "抖音", "今日头条", "快手", "论坛", "新闻网站", "其他"]
CHANNELS = ["微信", "微博", "抖音", "今日头条", "快手", "网站"]
OUTLETS = {
    "县": ["县融媒体中心"],
    "市": ["秦皇岛新闻网", "唐山环渤海新闻网"],
    "省": ["长城网", "河北新闻网"],
    "中央": ["人民网", "新华网", "央视网"],
}
RATINGS = ["非常满意", "满意", "基本满意", "不满意"]
# Spending plans (资金支出计划) as tables write them: cumulative percent by a month's end.
SPENDING_PLANS = [
    ((3, 25), (6, 50), (9, 75), (12, 100)),
    ((3, 10), (6, 40), (9, 70), (12, 100)),
    ((6, 60), (12, 100)),
    ((3, 30), (6, 60), (9, 85), (11, 95), (12, 100)),
]
CREATED_AT = "2021-01-01 00:00:00"
ENTRY_COLUMNS = [
    "ledger_type_id",
    "unit_id",
    "project_id",
    "date",
    "amount_cents",
    "state",
    "state_dates",
    "data",
    "natural_key",
    "created_at",
    "updated_at",
    "version",
    "origin",
]


@dataclass(frozen=True)
class Size:
    """How big a province to build."""

    units: int = 400
    projects: int = 20_000
    indicators: int = 10
    records: int = 5_000_000
    seed: int = 2021


@dataclass
class Province:
    """What was generated: ids to link records to, and counts to check."""

    unit_ids: list[int] = field(default_factory=list)
    # Per unit (by index): its projects' ids and budgets in 元 cents, for linking expenditures.
    projects_by_unit: list[list[tuple[int, int]]] = field(default_factory=list)
    type_ids: dict[str, int] = field(default_factory=dict)
    records: int = 0
    records_by_type: dict[str, int] = field(default_factory=dict)


Progress = Callable[[int, int, str], None]  # done, total, the line to show


class StderrProgress:
    """Progress on stderr: one line rewritten on a terminal, a line per 5% in a log file."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = -5

    def __call__(self, done: int, total: int, line: str) -> None:
        percent = done * 100 // max(total, 1)
        if self.tty:
            sys.stderr.write(f"\r{line}\033[K" + ("\n" if done >= total else ""))
        elif percent >= self.last + 5 or done >= total:
            self.last = percent
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


def build_register(size: Size) -> Province:
    """Write units, projects with spending plans, indicators and their metrics; return ids."""
    rng = random.Random(size.seed)
    province = Province(type_ids=preset_type_ids())
    units = [
        Unit(
            code=f"{201 + i // len(DEPARTMENTS)}{i % len(DEPARTMENTS) + 1:03d}",
            name=f"{COUNTIES[(i // len(DEPARTMENTS)) % len(COUNTIES)]}县"
            f"{DEPARTMENTS[i % len(DEPARTMENTS)]}",
        )
        for i in range(size.units)
    ]
    Unit.objects.bulk_create(units, batch_size=2000)
    province.unit_ids = [u.pk for u in units]
    projects = []
    for j in range(size.projects):
        unit = units[j % size.units]
        budget = Decimal(rng.randint(500, 30_000)).scaleb(-2)  # 5.00 to 300.00 万元
        projects.append(
            Project(
                unit=unit,
                year=YEAR,
                position=j // size.units,
                code=f"13{unit.code}{j:07d}",
                name=f"{unit.name}业务经费{j // size.units + 1}",
                money_unit="万元",
                budget_total=budget,
                budget_fiscal=budget,
                budget_other=Decimal(0),
            )
        )
    Project.objects.bulk_create(projects, batch_size=2000)
    SpendingCheckpoint.objects.bulk_create(
        [
            SpendingCheckpoint(project=project, month=month, percent=Decimal(percent))
            for j, project in enumerate(projects)
            for month, percent in SPENDING_PLANS[j % len(SPENDING_PLANS)]
        ],
        batch_size=5000,
    )
    province.projects_by_unit = [[] for _ in units]
    for j, project in enumerate(projects):
        assert project.budget_total is not None
        province.projects_by_unit[j % size.units].append(
            (project.pk, int(project.budget_total * 1_000_000))
        )
    _bind_indicators(projects, size.indicators)
    return province


def _bind_indicators(projects: list[Project], per_project: int, batch: int = 5000) -> None:
    # Batches keep the model instances of 200,000 indicators from piling up in memory.
    step = max(batch // max(per_project, 1), 1)
    targets = [parse_target(spec.target) for spec in DEFINITIONS]
    for start in range(0, len(projects), step):
        chunk = projects[start : start + step]
        indicators = []
        definitions = []
        for project in chunk:
            for k in range(per_project):
                spec = DEFINITIONS[k % len(DEFINITIONS)]
                target = targets[k % len(DEFINITIONS)]
                indicators.append(
                    Indicator(
                        project=project,
                        position=k,
                        level1=spec.level1,
                        level2=spec.level2,
                        level3=spec.level3,
                        description=spec.level3,
                        target=spec.target,
                        target_kind=target.kind,
                        target_op=target.op or "",
                        target_value=None if target.value is None else Decimal(target.value),
                        target_unit=target.unit or "",
                    )
                )
                definitions.append(spec.definition)
        Indicator.objects.bulk_create(indicators, batch_size=2000)
        Metric.objects.bulk_create(
            [
                Metric(indicator=indicator, definition=definition)
                for indicator, definition in zip(indicators, definitions, strict=True)
            ],
            batch_size=2000,
        )


def preset_type_ids() -> dict[str, int]:
    """The ids of the preset ledger types the province fills."""
    codes = [code for code, _share in TYPE_SHARES]
    found = dict(
        LedgerType.objects.filter(unit__isnull=True, code__in=codes).values_list("code", "id")
    )
    missing = set(codes) - set(found)
    if missing:
        raise RuntimeError(f"preset ledger types missing (migrate first): {sorted(missing)}")
    return found


class RecordMaker:
    """Makes ledger rows one at a time from a seeded generator; resumable for a second load."""

    def __init__(self, province: Province, size: Size, vendor: str) -> None:
        self.province = province
        self.rng = random.Random(size.seed * 7919 + 1)
        self.vendor = vendor
        self.days = [
            dt.date(YEAR, 1, 1) + dt.timedelta(days=offset)
            for offset in range(FIRST_DAY_OFFSET, 365)
        ]
        self.iso = [d.isoformat() for d in self.days]
        total = sum(share for _code, share in TYPE_SHARES)
        cumulative = 0.0
        self.thresholds: list[tuple[float, str]] = []
        for code, share in TYPE_SHARES:
            cumulative += share / total
            self.thresholds.append((cumulative, code))
        # Expected expenditures per project, so that a project spends about its budget.
        exp_share = dict(TYPE_SHARES)["expenditure"] / total
        n_projects = sum(len(p) for p in province.projects_by_unit) or 1
        self.exp_per_project = max(size.records * exp_share / n_projects, 1.0)
        self.created_at = CREATED_AT if vendor == "sqlite" else CREATED_AT + "+00"
        self.makers: dict[str, Callable[[int, int, int], tuple[Any, ...]]] = {
            "opinion": self._opinion,
            "post": self._post,
            "submission": self._submission,
            "task": self._task,
            "expenditure": self._expenditure,
            "survey": self._survey,
        }

    def rows(self, start: int, stop: int) -> Iterator[tuple[Any, ...]]:
        """Rows ``start`` to ``stop`` (sequence numbers make natural keys unique)."""
        rng = self.rng
        n_units = len(self.province.unit_ids)
        n_days = len(self.days)
        thresholds = self.thresholds
        counts = self.province.records_by_type
        for seq in range(start, stop):
            pick = rng.random()
            code = thresholds[-1][1]
            for threshold, candidate in thresholds:
                if pick < threshold:
                    code = candidate
                    break
            counts[code] = counts.get(code, 0) + 1
            yield self.makers[code](seq, rng.randrange(n_units), rng.randrange(n_days))

    def _row(
        self,
        code: str,
        unit: int,
        project: int | None,
        day: int,
        data: dict[str, Any],
        key: str,
        *,
        amount: int | None = None,
        state: str = "",
        state_dates: dict[str, str] | None = None,
    ) -> tuple[Any, ...]:
        return (
            self.province.type_ids[code],
            self.province.unit_ids[unit],
            project,
            self.iso[day],
            amount,
            state,
            json.dumps(state_dates or {}),
            json.dumps(data),
            key,
            self.created_at,
            self.created_at,
            1,
            "typed",  # LedgerEntry.Origin.TYPED: as if entered on the pages
        )

    def _project(self, unit: int) -> tuple[int, int]:
        projects = self.province.projects_by_unit[unit]
        return projects[self.rng.randrange(len(projects))]

    def _later(self, day: dt.date, low: int, high: int) -> dt.date:
        return day + dt.timedelta(days=self.rng.randint(low, high))

    def _opinion(self, seq: int, unit: int, day: int) -> tuple[Any, ...]:
        rng = self.rng
        seen = self.days[day]
        grade = "一般" if rng.random() < 0.8 else ("较大" if rng.random() < 0.75 else "重大")
        must = grade != "一般" or rng.random() < 0.3
        link = f"https://yq.example.cn/{seq}"
        data: dict[str, Any] = {
            "title": f"关于{TOPICS[seq % len(TOPICS)]}的网络舆情{seq}",
            "platform": PLATFORMS[rng.randrange(len(PLATFORMS))],
            "link": link,
            "first_seen": self.iso[day],
            "grade": grade,
            "must_handle": must,
            "assignee": f"责任人{seq % 37}",
            "deadline": (seen + dt.timedelta(days=7)).isoformat(),
        }
        dates = {"监测": self.iso[day]}
        state = "监测"
        step = rng.random()
        if step < 0.2:
            state, dates["办结"] = "办结", self._later(seen, 0, 2).isoformat()
        elif step >= 0.35:
            at = self._later(seen, 0, 1)
            state, dates["预警"] = "预警", at.isoformat()
            data["alert_note"] = "预警单：请相关单位关注并核实。"
            branch = rng.random()
            if branch < 0.5:
                at = self._later(at, 1, 3)
                state, dates["研判"] = "研判", at.isoformat()
                data["analysis_report"] = "研判报告：热度平稳，建议持续关注。"
            if branch >= 0.2 and must:
                at = self._later(at, 1, 5)
                state, dates["处置"] = "处置", at.isoformat()
                data["handling"] = "已联系相关部门处置。"
            if state in ("研判", "处置") and rng.random() < 0.8:
                at = self._later(at, 1, 10)
                state, dates["办结"] = "办结", at.isoformat()
                data["closing_reply"] = "已办结。"
        project, _budget = self._project(unit)
        return self._row("opinion", unit, project, day, data, link, state=state, state_dates=dates)

    def _post(self, seq: int, unit: int, day: int) -> tuple[Any, ...]:
        rng = self.rng
        channel = CHANNELS[rng.randrange(len(CHANNELS))]
        title = f"{TOPICS[seq % len(TOPICS)]}工作动态第{seq}期"
        link = f"https://mp.example.cn/{seq}"
        data = {
            "channel": channel,
            "published_on": self.iso[day],
            "title": title,
            "link": link,
            "kind": "原创" if rng.random() < 0.6 else "转发",
            "reads": rng.randint(50, 20_000),
        }
        key = f"{channel}\x1f{self.iso[day]}\x1f{title}\x1f{link}"
        return self._row("post", unit, None, day, data, key)

    def _submission(self, seq: int, unit: int, day: int) -> tuple[Any, ...]:
        rng = self.rng
        pick = rng.random()
        level = "县" if pick < 0.4 else "市" if pick < 0.7 else "省" if pick < 0.9 else "中央"
        outlets = OUTLETS[level]
        outlet = outlets[seq % len(outlets)]
        title = f"{TOPICS[seq % len(TOPICS)]}稿件{seq}"
        adopted = rng.random() < 0.45
        data: dict[str, Any] = {
            "title": title,
            "outlet": outlet,
            "level": level,
            "submitted_on": self.iso[day],
            "adopted": adopted,
        }
        if adopted:
            data["adopted_on"] = self._later(self.days[day], 1, 5).isoformat()
        key = f"{outlet}\x1f{self.iso[day]}\x1f{title}"
        return self._row("submission", unit, None, day, data, key)

    def _task(self, seq: int, unit: int, day: int) -> tuple[Any, ...]:
        rng = self.rng
        due = self.days[day]
        title = f"工作任务{seq}"
        data: dict[str, Any] = {
            "title": title,
            "source": "县委督查室",
            "assigned_on": (due - dt.timedelta(days=rng.randint(5, 30))).isoformat(),
            "due_on": self.iso[day],
            "owner": f"责任人{seq % 41}",
        }
        if rng.random() < 0.85:
            data["completed_on"] = self._later(due, -10, 4).isoformat()
        project, _budget = self._project(unit)
        return self._row("task", unit, project, day, data, f"{title}\x1f{self.iso[day]}")

    def _expenditure(self, seq: int, unit: int, day: int) -> tuple[Any, ...]:
        rng = self.rng
        project, budget_cents = self._project(unit)
        cents = max(int(budget_cents * rng.uniform(0.4, 1.5) / self.exp_per_project), 1)
        voucher = f"记{seq:09d}"
        data = {
            "paid_on": self.iso[day],
            "amount": f"{cents // 100}.{cents % 100:02d}",
            "economic_class": ECONOMIC_CLASSES[rng.randrange(len(ECONOMIC_CLASSES))],
            "voucher": voucher,
            "payee": f"供应商{seq % 997}",
            "summary": "项目支出",
        }
        return self._row("expenditure", unit, project, day, data, voucher, amount=cents)

    def _survey(self, seq: int, unit: int, day: int) -> tuple[Any, ...]:
        rng = self.rng
        pick = rng.random()
        rating = RATINGS[0 if pick < 0.45 else 1 if pick < 0.8 else 2 if pick < 0.92 else 3]
        number = f"WJ{seq:09d}"
        data = {
            "number": number,
            "answered_on": self.iso[day],
            "respondent": "服务对象",
            "valid": rng.random() < 0.93,
            "rating": rating,
        }
        project, _budget = self._project(unit)
        return self._row("survey", unit, project, day, data, number)


def load_records(
    maker: RecordMaker,
    start: int,
    stop: int,
    *,
    fast: bool = False,
    batch: int = 20_000,
    progress: Progress | None = None,
) -> float:
    """Write records ``start``..``stop`` in one transaction; returns the seconds it took.

    ``fast`` turns SQLite's ``synchronous`` off and its page cache up for the load (the
    pragma must run outside a transaction, so tests, which run inside one, leave it off).
    """
    began = time.perf_counter()
    table = LedgerEntry._meta.db_table
    columns = ", ".join(ENTRY_COLUMNS)
    rows = maker.rows(start, stop)
    total = stop - start

    def report(done: int) -> None:
        if progress is not None:
            seconds = time.perf_counter() - began
            line = (
                f"  records {start + done:,} / {stop:,} ({done * 100 // total}%), {seconds:.0f} s"
            )
            progress(done, total, line)

    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor: COPY is not in the DB-API
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for done, row in enumerate(rows, 1):
                    copy.write_row(row)
                    if done % batch == 0 and done < total:
                        report(done)
    else:
        if fast:
            # Load-time only: no fsync, and a 1 GiB page cache so the four indexes on
            # ledger entries are updated in memory rather than page by page from the OS.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=OFF")
                cursor.execute("PRAGMA cache_size=-1048576")
        placeholders = ", ".join(["?"] * len(ENTRY_COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        try:
            with transaction.atomic():
                connection.ensure_connection()
                raw = connection.connection.cursor()  # sqlite3's own: no per-row wrapper
                done = 0
                while done < total:
                    chunk = [row for _i, row in zip(range(batch), rows, strict=False)]
                    raw.executemany(sql, chunk)
                    done += len(chunk)
                    if done < total:
                        report(done)
                raw.close()
        finally:
            if fast:
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA synchronous=NORMAL")
                    cursor.execute("PRAGMA cache_size=-2000")  # SQLite's default again
    maker.province.records += total
    report(total)
    return time.perf_counter() - began


def analyze() -> None:
    """Refresh the planner's statistics after the load (VACUUM too on PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
