"""Draw random but realistic target documents, each with the document its import should give.

A document is drawn in one of five layout families met in the wild:

* ``national`` — the national template (the seed's): a unit line, 项目编码/项目名称, a 预算规模及
  资金用途 block, the spending plan as months over percents, 绩效目标, then the grid
  一级 | 二级 | 三级 | (绩效指标描述) | 指标值 | (指标值确定依据) | (权重).
* ``apply`` — provincial 申报表: 项目名称/项目编码, 主管部门/实施单位, a stacked budget under
  项目资金（万元）(年度资金总额, 其中：财政拨款, 其他资金, 上年结转), 实施期 and 年度 goals, a
  绩效指标 label column merged down beside the grid.
* ``split`` — the standard data format: the target split over 指标性质 | 指标值 | 度量单位 (one
  header row) or under a 指标值 header spanning 符号 | 数值 | 单位 (two rows), with 权重 and
  指标方向性 columns.
* ``longterm`` — long-term and annual sets side by side: 实施期/中长期 goals and values beside
  the annual ones; the annual set is the truth.
* ``flat`` — a flat list: one table for all projects, 项目名称 and 预算数 columns merged down.

Within a family everything else varies: header synonyms, column order, which columns exist,
money in 万元 or 元 with the unit in the header, the label or the cell, budget block labels and
arrangement, level cells merged down, repeated or left blank, level names with notes or line
breaks, long wrapped cells, 5–25 indicators per project, 1–3 projects, page breaks with the
grid header repeated or not, missing codes, descriptions, bases, plans.

The truth is built as a :class:`TargetDocument` with the real target parser
(``jixiao.core.targets.parse_target``), from the values drawn — never from the rendering.
"""

from __future__ import annotations

import random
import string
from decimal import Decimal

from jixiao.core.document import (
    Budget,
    Checkpoint,
    IndicatorRow,
    ProjectTargets,
    TargetDocument,
    UnitRef,
)
from jixiao.core.targets import parse_target

from . import content as k
from .model import Block, Canvas, Generated, Grid, Para

FAMILIES = ("national", "apply", "split", "longterm", "flat")

# Header synonyms of the grid's columns.
TARGET_HEADERS = (
    "指标值",
    "指标值",
    "年度指标值",
    "指标值及单位",
    "目标值",
    "指标目标值",
    "当年预期实现值",
    "预期指标值",
)
DESCRIPTION_HEADERS = ("绩效指标描述", "指标解释", "指标说明")
BASIS_HEADERS = ("指标值确定依据", "指标值确定依据", "绩效标准", "依据", "指标来源")
WEIGHT_HEADERS = ("权重", "分值", "权重（%）")
LEVEL3_HEADERS = ("三级指标", "三级指标", "三级指标内容", "指标名称")
TOTAL_LABELS = ("预算数", "资金总额", "年度资金总额", "当年资金总额", "预算金额")
FISCAL_LABELS = ("其中：财政资金", "其中：财政拨款", "其中：当年财政拨款", "财政拨款")
CARRYOVER_LABELS = ("上年结转", "上年结转资金")
LONG_VALUE_HEADERS = ("实施期指标值", "中长期指标值")

# Level names as tables print them (the truth is always the full name).
_SHORT = {
    "产出指标": "产出",
    "效益指标": "效益",
    "满意度指标": "满意度",
    "数量指标": "数量",
    "质量指标": "质量",
    "时效指标": "时效",
    "成本指标": "成本",
    "经济效益指标": "经济效益",
    "社会效益指标": "社会效益",
    "生态效益指标": "生态效益",
    "可持续影响指标": "可持续影响",
    "服务对象满意度指标": "服务对象满意度",
}
_POINTS = {"产出指标": 50, "效益指标": 30, "满意度指标": 10, "成本指标": 10}


def generate(seed: int, count: int, families: tuple[str, ...] = FAMILIES) -> list[Generated]:
    """``count`` documents from one seed; the same seed always gives the same documents."""
    rng = random.Random(seed)
    return [_Drawer(rng, f"doc{i:04d}", families[i % len(families)]).draw() for i in range(count)]


class _Drawer:
    def __init__(self, rng: random.Random, ident: str, family: str) -> None:
        self.rng = rng
        self.ident = ident
        self.family = family
        self.traits: dict[str, str] = {}
        self.blocks: list[Block] = []

    def pick(self, trait: str, options: list[str], weights: list[float] | None = None) -> str:
        value = self.rng.choices(options, weights)[0]
        self.traits[trait] = value
        return value

    # ----------------------------------------------------------------- the document

    def draw(self) -> Generated:
        rng = self.rng
        self.year = rng.randint(2019, 2025)
        province, city, county = rng.choice(k.PLACES)
        self.county = county
        sector_name = rng.choice(list(k.SECTORS))
        self.sector = k.SECTORS[sector_name]
        self.prov_short = province[:2]
        unit_name = rng.choice(self.sector.unit_names).format(
            county=county, town=rng.choice(k.TOWNS)
        )
        if rng.random() < 0.3:
            unit_name = unit_name if unit_name.startswith(city) else city + unit_name
        self.unit_code = (
            f"{rng.randint(101, 899)}{rng.randint(1, 99):03d}"
            if self.pick("unit_code", ["yes", "no"], [0.75, 0.25]) == "yes"
            else None
        )
        self.unit_name = unit_name
        self.unit_place = self.pick("unit_place", ["cell", "label", "title"], [0.45, 0.45, 0.1])
        if self.unit_place == "title":
            self.unit_code = None  # a title names the unit without its code
        self.dept = rng.choice(
            [f"{county}财政局", f"{county}人民政府", unit_name.replace("第一中学", "教育体育局")]
        )
        self.money = self.pick("money_unit", ["万元", "元"], [0.75, 0.25])
        self.thousands = rng.random() < 0.7  # 元 amounts with thousands separators
        self.money_place = self.pick("money_place", ["header", "label", "cell"], [0.5, 0.3, 0.2])
        self.levels = self.pick("level_cells", ["merged", "repeated", "blank"], [0.55, 0.2, 0.25])
        self.level_names = self.pick(
            "level_names", ["plain", "short", "points", "broken"], [0.55, 0.15, 0.15, 0.15]
        )
        self.has_desc = self.pick("description", ["yes", "no"], [0.6, 0.4]) == "yes"
        self.has_basis = self.pick("basis", ["yes", "no"], [0.55, 0.45]) == "yes"
        self.has_weight = self.pick("weight", ["yes", "no"], [0.3, 0.7]) == "yes"
        self.has_code = self.pick("project_code", ["yes", "no"], [0.7, 0.3]) == "yes"
        self.plan_style = self.pick("plan", ["rows", "text", "none"], [0.4, 0.2, 0.4])
        self.repeat = self.pick("page_header", ["repeated", "once"], [0.5, 0.5]) == "repeated"
        self.headers = {
            "target": rng.choice(TARGET_HEADERS),
            "desc": rng.choice(DESCRIPTION_HEADERS),
            "basis": rng.choice(BASIS_HEADERS),
            "weight": rng.choice(WEIGHT_HEADERS),
            "level3": rng.choice(LEVEL3_HEADERS),
        }
        n_projects = rng.choices([1, 2, 3], [0.5, 0.3, 0.2])[0]
        self.traits["projects"] = str(n_projects)
        names = rng.sample(self.sector.projects, n_projects)
        truths = [self._project(name) for name in names]
        self.money_cells: set[str] = set()
        self._draw_document(truths)
        for block in self.blocks:
            if isinstance(block, Grid):
                for put in block.canvas.puts:
                    if put.value is None and put.text in self.money_cells:
                        put.value, put.fmt = _money_number(put.text)
        truth = TargetDocument(
            year=self.year,
            unit=UnitRef(self.unit_code, self.unit_name),
            unit_goal=None,
            projects=[t for t, _ in truths],
        )
        text_style = rng.choice(["tab", "pipe", "lines"])
        self.traits["text_style"] = text_style
        gridlines = self.pick("excel_rulings", ["borders", "gridlines", "none"], [0.6, 0.25, 0.15])
        return Generated(
            ident=self.ident,
            family=self.family,
            traits=self.traits,
            blocks=self.blocks,
            truth=truth,
            landscape=rng.random() < 0.5,
            excel_gridlines=gridlines == "gridlines",
            excel_borders=gridlines == "borders",
            text_style=text_style,
        )

    # ----------------------------------------------------------------- projects

    def _project(self, name: str) -> tuple[ProjectTargets, list[k.Indicator]]:
        rng = self.rng
        if rng.random() < 0.2:
            name = f"{self.year}年{name}"
        code = None
        if self.has_code:
            if rng.random() < 0.6:
                letters = "".join(rng.choices(string.ascii_uppercase, k=13))
                code = f"{rng.randint(100000, 999999)}{self.year % 100}{rng.choice('CR')}{letters}"
            else:
                code = f"{rng.randint(100000, 999999)}{self.year}{rng.randint(1, 999):05d}"
        scale = rng.choice([10, 100, 1000, 5000])
        places = rng.choice([0, 2, 2, 2, 3])
        total_wan = Decimal(rng.randint(5 * 10**places, scale * 10**places)) / 10**places
        if places == 0 and total_wan == 0:
            total_wan = Decimal(12)
        other_wan = Decimal(0)
        carry_wan: Decimal | None = None
        if rng.random() < 0.3:
            other_wan = (total_wan * Decimal(rng.choice([10, 20, 30])) / 100).quantize(
                Decimal(1) / 10**places
            )
        if rng.random() < 0.3:
            carry_wan = (total_wan * Decimal(rng.choice([5, 10, 15])) / 100).quantize(
                Decimal(1) / 10**places
            )
        fiscal_wan = total_wan - other_wan - (carry_wan or 0)
        factor = Decimal(10000) if self.money == "元" else Decimal(1)
        amounts = {
            "total": total_wan * factor,
            "fiscal": fiscal_wan * factor,
            "other": other_wan * factor,
            "carryover": None if carry_wan is None else carry_wan * factor,
        }
        if self.money == "元":
            amounts = {
                key: None if a is None else a.quantize(Decimal("0.01"))
                for key, a in amounts.items()
            }
        budget_text = f"{total_wan.normalize():f}万元"
        count = rng.randint(5, 25)
        slots = k.structure(rng, count)
        used: set[str] = set()
        indicators = [k.indicator(rng, self.sector, l1, l2, budget_text, used) for l1, l2 in slots]
        # Unique level-3 names within a level-2 group (real tables do not repeat a row).
        seen: set[tuple[str, str, str]] = set()
        unique: list[k.Indicator] = []
        for ind in indicators:
            key = (ind.level1, ind.level2, ind.level3)
            if key in seen:
                continue
            seen.add(key)
            unique.append(ind)
        indicators = unique
        if self.rng.random() < 0.25:  # long wrapped cells
            indicators = [self._lengthen(ind) for ind in indicators]
        weights = self._weights(len(indicators)) if self.has_weight else None
        split = self.family in ("split", "flat")
        rows = []
        for i, ind in enumerate(indicators):
            if split and ind.split is not None:
                op, value, unit = ind.split
                shown_op = "" if op == "定性" else op
                target = f"{shown_op}{value}{unit}"
                parsed = parse_target(value, op=op, unit=unit or None, year=self.year)
            else:
                target = ind.target
                parsed = parse_target(target, year=self.year)
            rows.append(
                IndicatorRow(
                    level1=ind.level1,
                    level2=ind.level2,
                    level3=ind.level3,
                    target=target,
                    parsed=parsed,
                    description=ind.description if self.has_desc else None,
                    basis=self._basis(ind) if self.has_basis else None,
                    weight=None if weights is None else weights[i],
                )
            )
        plan: list[Checkpoint] = []
        if self.plan_style != "none":
            months = rng.choice(
                [[3, 6, 9, 12], [3, 6, 10, 12], [6, 12], [3, 6, 9, 11, 12], [6, 9, 12]]
            )
            percents = [*sorted(rng.sample(range(10, 100, 5), len(months) - 1)), 100]
            plan = [Checkpoint(m, Decimal(p)) for m, p in zip(months, percents, strict=True)]
        goal = k.sentence_goal(rng, self.sector, name, self.year)
        if rng.random() < 0.3:
            goal = f"1.{goal}\n2.{rng.choice(self.sector.work)}，确保项目资金使用安全规范有效。"
        fund_use = None
        if self.family in ("national", "split") and rng.random() < 0.7:
            fund_use = k.fund_use(rng, name, f"{total_wan.normalize():f}", "万元")
        project = ProjectTargets(
            code=code,
            name=name,
            budget=Budget(
                unit=self.money,
                total=amounts["total"],
                fiscal=amounts["fiscal"],
                other=amounts["other"],
                carryover=amounts["carryover"],
            ),
            fund_use=fund_use,
            spending_plan=plan,
            goal=goal,
            indicators=rows,
        )
        return project, indicators

    def _lengthen(self, ind: k.Indicator) -> k.Indicator:
        extra = self.rng.choice(
            [
                "，按照上级有关文件要求和本年度工作计划，结合上年度实际完成情况综合测算确定",
                "，该指标反映项目实施后对服务对象产生的直接影响，数据来源于年度统计报表及抽样调查结果",
            ]
        )
        return k.Indicator(
            ind.level1, ind.level2, ind.level3, ind.description + extra, ind.target, ind.split
        )

    def _weights(self, n: int) -> list[Decimal]:
        base = [Decimal(self.rng.choice([5, 5, 10, 10, 10, 15, 20])) for _ in range(n)]
        if self.rng.random() < 0.3:
            return [Decimal("2.5") if w == 5 else w for w in base]
        return base

    def _basis(self, ind: k.Indicator) -> str:
        rng = self.rng
        if rng.random() < 0.55:
            return rng.choice(k.BASES_PLAN)
        return rng.choice(k.BASES_DOCUMENT).format(
            prov_short=self.prov_short,
            county_short=self.county[:2],
            year0=self.year - rng.choice([1, 2]),
            n=rng.randint(2, 120),
            sector_doc=rng.choice(k.SECTOR_DOCS),
        )

    # ----------------------------------------------------------------- shown texts

    def level_text(self, name: str) -> str:
        style = self.level_names
        if style == "short" and name in _SHORT:
            return _SHORT[name]
        if style == "points" and name in _POINTS:
            return (
                f"{name}（{_POINTS[name]}分）"
                if self.rng.random() < 0.5
                else f"{name}({_POINTS[name]}分)"
            )
        if style == "broken" and len(name) >= 6:
            return name[:-2] + "\n" + name[-2:]
        return name

    def money_text(self, amount: Decimal | None) -> str:
        if amount is None:
            return ""
        if self.money == "元":
            shown = f"{amount:,.2f}" if self.thousands else f"{amount:.2f}"
        else:
            shown = f"{amount:f}"
        if self.money_place == "cell":
            return shown + (self.rng.choice(["万元", "万"]) if self.money == "万元" else "元")
        self.money_cells.add(shown)  # an Excel number with its format, as offices type it
        return shown

    def money_label(self, label: str) -> str:
        if self.money_place == "label":
            return f"{label}（{self.money}）"
        return label

    def unit_cell(self) -> str:
        """The unit in a cell of its own: code and name, or a label and the name in one cell."""
        if self.unit_code is None:
            label = self.rng.choice(["预算单位", "单位名称", "填报单位", "部门"])
            return f"{label}：{self.unit_name}"
        return self.rng.choice(
            [f"{self.unit_code}{self.unit_name}", f"{self.unit_code}-{self.unit_name}"]
        )

    def unit_value(self) -> str:
        """The unit as the value beside a label."""
        if self.unit_code is None:
            return self.unit_name
        return self.unit_cell()

    # ----------------------------------------------------------------- the document's blocks

    def _title(self) -> str:
        kind = self.rng.choice(
            ["项目支出绩效目标表", "项目支出绩效目标申报表", "部门预算项目绩效目标表"]
        )
        if self.unit_place == "title":
            return f"{self.unit_name}{self.year}年度{kind}"
        return self.rng.choice([f"{self.year}年度{kind}", f"{kind}（{self.year}年度）"])

    def _draw_document(self, projects: list[tuple[ProjectTargets, list[k.Indicator]]]) -> None:
        rng = self.rng
        self.blocks.append(Para(self._title()))
        if self.money_place == "header" and self.family in ("apply", "flat"):
            self.blocks.append(Para(rng.choice([f"单位：{self.money}", f"金额单位：{self.money}"])))
            self.money_para = True
        else:
            self.money_para = False
        if self.family == "flat":
            self.blocks.append(Grid(self._flat(projects), "项目绩效目标"))
            return
        together = len(projects) > 1 and rng.random() < 0.25
        self.traits["tables"] = "one" if together else "per project"
        canvas: Canvas | None = None
        for i, (project, indicators) in enumerate(projects):
            if not together or canvas is None:
                if i and rng.random() < 0.5:
                    self.blocks.append(Para(f"{i + 1}.{project.name}绩效目标表", page_break=True))
                elif i == 0 and len(projects) > 1 and rng.random() < 0.5:
                    self.blocks.append(Para(f"1.{project.name}绩效目标表"))
                width = self._grid_width()
                canvas = Canvas(width)
                sheet = project.name[:28] if not together else "绩效目标表"
                self.blocks.append(Grid(canvas, sheet))
            top = canvas.height
            draw = {
                "national": self._national,
                "apply": self._apply,
                "split": self._split_head,
                "longterm": self._longterm,
            }[self.family]
            draw(canvas, top, project, i)
            self._grid(canvas, canvas.height, project, indicators)

    # ----------------------------------------------------------------- grid columns

    def _columns(self) -> list[str]:
        """The grid's column roles, in order."""
        rng = self.rng
        if hasattr(self, "_cols"):
            return self._cols
        cols = ["l1", "l2", "l3"]
        tail: list[str] = []
        if self.family == "split":
            self.split_rows = self.pick("split_header", ["one", "two"], [0.5, 0.5]) == "two"
            target = ["op", "value", "unit"]
        elif self.family == "longterm":
            target = ["long", "target"]
        else:
            target = ["target"]
        order = rng.choices(["desc-target", "target-desc"], [0.8, 0.2])[0] if self.has_desc else ""
        self.traits["column_order"] = order or "no description"
        if order == "desc-target":
            tail = ["desc", *target]
        elif order == "target-desc":
            tail = [*target, "desc"]
        else:
            tail = [*target]
        if self.has_basis:
            if rng.random() < 0.1:
                tail.insert(0 if order != "desc-target" else 1, "basis")
            else:
                tail.append("basis")
        if self.has_weight:
            tail.append("weight")
        if self.family == "split" and rng.random() < 0.4:
            tail.append("direction")
        if self.family == "apply":
            cols = ["side", *cols]
        self._cols = cols + tail
        return self._cols

    def _grid_width(self) -> int:
        return max(len(self._columns()), 6)

    def _header_text(self, role: str) -> str:
        h = self.headers
        return {
            "side": "绩效指标",
            "l1": "一级指标",
            "l2": "二级指标",
            "l3": h["level3"],
            "desc": h["desc"],
            "target": h["target"] if self.family != "longterm" else "年度指标值",
            "long": self.long_header,
            "basis": h["basis"],
            "weight": h["weight"],
            "op": "指标性质",
            "value": "指标值",
            "unit": "度量单位",
            "direction": "指标方向性",
        }[role]

    def _grid(self, c: Canvas, top: int, project: ProjectTargets, inds: list[k.Indicator]) -> None:
        """The header row(s) and indicator rows from row ``top``; columns spread over the width."""
        cols = self._columns()
        spans = _spread(len(cols), c.width, cols)
        starts = [sum(spans[:i]) for i in range(len(cols))]
        two_rows = self.family == "split" and getattr(self, "split_rows", False)
        header_rows = [top, top + 1] if two_rows else [top]
        if two_rows:
            first_split = cols.index("op")
            for i, role in enumerate(cols):
                if role in ("op", "value", "unit"):
                    continue
                c.put(top, starts[i], self._header_text(role), rows=2, cols=spans[i])
            value_header = self.rng.choice(["指标值", "指标值及单位", "年度指标值"])
            c.put(
                top,
                starts[first_split],
                value_header,
                cols=sum(spans[first_split : first_split + 3]),
            )
            subs = self.rng.choice([("符号", "数值", "单位"), ("计算符号", "指标值", "计量单位")])
            for j, text in enumerate(subs):
                c.put(top + 1, starts[first_split + j], text, cols=spans[first_split + j])
        else:
            for i, role in enumerate(cols):
                if role == "side":
                    continue
                c.put(top, starts[i], self._header_text(role), cols=spans[i])
        c.header_rows = header_rows
        first = top + len(header_rows)
        n = len(project.indicators)
        if "side" in cols:
            c.put(top, 0, "绩效指标", rows=n + 1)
        # A printout copied as text has the header again where a page began.
        if n > 12 and self.repeat:
            c.page_rows.append(first + self.rng.randint(8, n - 2))
        l1_runs = _runs([row.level1 for row in project.indicators])
        l2_runs = _runs([(row.level1, row.level2) for row in project.indicators])
        for i, (row, ind) in enumerate(zip(project.indicators, inds, strict=True)):
            r = first + i
            for j, role in enumerate(cols):
                col, span = starts[j], spans[j]
                if role == "side":
                    continue
                if role in ("l1", "l2"):
                    runs = l1_runs if role == "l1" else l2_runs
                    name = row.level1 if role == "l1" else row.level2
                    if i in runs:
                        rows = runs[i] if self.levels == "merged" else 1
                        c.put(r, col, self.level_text(name), rows=rows, cols=span)
                    elif self.levels == "repeated":
                        c.put(r, col, self.level_text(name), cols=span)
                    continue
                text = self._cell(role, row, ind)
                if text:
                    value, fmt = self._cell_value(role, text)
                    c.put(r, col, text, cols=span, value=value, fmt=fmt)

    def _cell(self, role: str, row: IndicatorRow, ind: k.Indicator) -> str:
        op, value, unit = ind.split or ("", row.target, "")
        if role == "l3":
            return row.level3
        if role == "desc":
            return row.description or ""
        if role == "target":
            return row.target
        if role == "long":
            return _long_term(row.target)
        if role == "basis":
            return row.basis or ""
        if role == "weight":
            return "" if row.weight is None else f"{row.weight}"
        if role == "op":
            return op
        if role == "value":
            return value
        if role == "unit":
            return unit
        if role == "direction":
            return "反向指标" if row.parsed.op in ("<=", "<") else "正向指标"
        raise AssertionError(role)

    def _cell_value(self, role: str, text: str) -> tuple[object, str | None]:
        """Excel numbers for numeric cells (weights, split values), as offices type them."""
        if role in ("weight", "value"):
            try:
                number = Decimal(text)
            except ArithmeticError:
                return None, None
            if number == number.to_integral_value() and "." not in text:
                return int(number), None
            places = len(text.split(".")[1])
            return float(number), "0." + "0" * places
        return None, None

    # ----------------------------------------------------------------- header blocks

    def _pairs(self, c: Canvas, r: int, pairs: list[tuple[str, str]]) -> int:
        """Label | value pairs on one row (or more when the table is narrow); next row."""
        per_row = max(1, c.width // 2)
        for start in range(0, len(pairs), per_row):
            chunk = pairs[start : start + per_row]
            spans = _spread(len(chunk), c.width)
            cells: list[tuple[str, int]] = []
            for (label, value), span in zip(chunk, spans, strict=True):
                cells += [(label, 1), (value, span - 1)]
            c.fill(r, cells)
            r += 1
        return r

    def _budget_pairs(self, project: ProjectTargets, total_label: str) -> list[tuple[str, str]]:
        b = project.budget
        pairs = [(self.money_label(total_label), self.money_text(b.total))]
        pairs.append((self.money_label(self.rng.choice(FISCAL_LABELS)), self.money_text(b.fiscal)))
        pairs.append((self.money_label("其他资金"), self.money_text(b.other)))
        if b.carryover is not None:
            pairs.append(
                (self.money_label(self.rng.choice(CARRYOVER_LABELS)), self.money_text(b.carryover))
            )
        return pairs

    def _unit_row(self, c: Canvas, r: int) -> int:
        money = self.rng.choice([f"单位：{self.money}", f"金额单位：{self.money}"])
        show_money = self.money_place == "header" and not self.money_para
        if self.unit_place == "title":
            if show_money:
                c.fill(r, [("", c.width - 2), (money, 2)])
                return r + 1
            return r
        if self.unit_place == "cell":
            c.fill(r, [(self.unit_cell(), c.width - 2), (money if show_money else "", 2)])
            return r + 1
        label = self.rng.choice(["预算单位", "单位名称", "部门名称"])
        if show_money:
            c.fill(r, [(label, 1), (self.unit_value(), c.width - 3), (money, 2)])
        else:
            c.fill(r, [(label, 1), (self.unit_value(), c.width - 1)])
        return r + 1

    def _plan(self, c: Canvas, r: int, project: ProjectTargets) -> int:
        plan = project.spending_plan
        if not plan:
            return r
        label = self.rng.choice(["资金支出计划（%）", "资金支出计划", "用款计划"])
        if self.plan_style == "text" or len(plan) > c.width - 1:
            text = "；".join(f"{p.month}月底：{p.percent}%" for p in plan)
            c.fill(r, [(label, 1), (text, c.width - 1)])
            return r + 1
        lead = 1 if c.width - len(plan) < 3 else min(3, c.width - len(plan))
        c.put(r, 0, label, rows=2, cols=lead)
        spans = _spread(len(plan), c.width - lead)
        col = lead
        fraction = self.rng.random() < 0.5
        for p, span in zip(plan, spans, strict=True):
            c.put(
                r,
                col,
                self.rng.choice([f"{p.month}月底", f"{p.month}月", f"{p.month}月底前"]),
                cols=span,
            )
            shown = f"{p.percent:.2f}%" if self.rng.random() < 0.6 else f"{p.percent}%"
            c.put(
                r + 1,
                col,
                shown,
                cols=span,
                value=float(p.percent / 100) if fraction else None,
                fmt=("0.00%" if "." in shown else "0%") if fraction else None,
            )
            col += span
        return r + 2

    def _name_rows(self, c: Canvas, r: int, project: ProjectTargets) -> int:
        name_label = self.rng.choice(["项目名称", "项目名称", "项目支出名称"])
        if project.code and self.rng.random() < 0.2:
            return self._pairs(c, r, [(name_label, f"{project.code}-{project.name}")])
        pairs = [(name_label, project.name)]
        if project.code:
            pairs.insert(0 if self.rng.random() < 0.5 else 1, ("项目编码", project.code))
        return self._pairs(c, r, pairs)

    def _national(self, c: Canvas, r: int, project: ProjectTargets, index: int) -> None:
        r = self._unit_row(c, r)
        r = self._name_rows(c, r, project)
        pairs = self._budget_pairs(project, self.rng.choice(TOTAL_LABELS))
        if project.fund_use and c.width >= 2 * len(pairs) + 1:
            c.put(r, 0, "预算规模及资金用途", rows=2)
            spans = _spread(len(pairs), c.width - 1)
            col = 1
            for (label, value), span in zip(pairs, spans, strict=True):
                c.put(r, col, label)
                if span > 1:
                    c.put(r, col + 1, value, cols=span - 1)
                col += span
            c.put(r + 1, 1, project.fund_use, cols=c.width - 1)
            r += 2
        else:
            r = self._pairs(c, r, pairs)
            if project.fund_use:
                c.fill(r, [("资金用途", 1), (project.fund_use, c.width - 1)])
                r += 1
        r = self._plan(c, r, project)
        c.fill(
            r,
            [
                (self.rng.choice(["绩效目标", "年度绩效目标", "年度目标"]), 1),
                (project.goal or "", c.width - 1),
            ],
        )

    def _apply(self, c: Canvas, r: int, project: ProjectTargets, index: int) -> None:
        r = self._name_rows(c, r, project)
        if self.unit_place != "title":
            c.fill(
                r,
                [
                    ("主管部门", 1),
                    (self.dept, c.width // 2 - 1),
                    ("实施单位", 1),
                    (self.unit_value(), c.width - c.width // 2 - 1),
                ],
            )
            r += 1
        pairs = self._budget_pairs(project, self.rng.choice(TOTAL_LABELS[1:]))
        label = self.rng.choice(["项目资金", "资金情况", "项目金额"])
        label = f"{label}（{self.money}）" if self.money_place != "cell" else label
        c.put(r, 0, label, rows=len(pairs))
        for j, (name, value) in enumerate(pairs):
            c.put(r + j, 1, name.replace(f"（{self.money}）", ""), cols=2)
            c.put(r + j, 3, value, cols=c.width - 3)
        r += len(pairs)
        r = self._plan(c, r, project)
        if self.rng.random() < 0.5:
            long_goal = f"实施期内{self.rng.choice(self.sector.work)}，项目效益持续发挥。"
            c.fill(
                r,
                [(self.rng.choice(["实施期绩效目标", "中长期目标"]), 1), (long_goal, c.width - 1)],
            )
            r += 1
        c.fill(
            r,
            [
                (self.rng.choice(["年度绩效目标", "本年度绩效目标", "年度目标"]), 1),
                (project.goal or "", c.width - 1),
            ],
        )

    def _split_head(self, c: Canvas, r: int, project: ProjectTargets, index: int) -> None:
        r = self._unit_row(c, r)
        r = self._name_rows(c, r, project)
        pairs = self._budget_pairs(project, self.rng.choice(TOTAL_LABELS))
        if self.rng.random() < 0.5 and len(pairs) <= c.width:
            # A row of labels over a row of values.
            spans = _spread(len(pairs), c.width)
            c.fill(r, [(label, s) for (label, _), s in zip(pairs, spans, strict=True)])
            c.fill(r + 1, [(value, s) for (_, value), s in zip(pairs, spans, strict=True)])
            r += 2
        else:
            r = self._pairs(c, r, pairs)
        if project.fund_use:
            c.fill(r, [("资金用途", 1), (project.fund_use, c.width - 1)])
            r += 1
        r = self._plan(c, r, project)
        c.fill(
            r,
            [
                (self.rng.choice(["年度绩效目标", "年度目标", "绩效目标"]), 1),
                (project.goal or "", c.width - 1),
            ],
        )

    def _longterm(self, c: Canvas, r: int, project: ProjectTargets, index: int) -> None:
        self.long_header = LONG_VALUE_HEADERS[index % 2]
        r = self._unit_row(c, r)
        r = self._name_rows(c, r, project)
        r = self._pairs(c, r, self._budget_pairs(project, self.rng.choice(TOTAL_LABELS)))
        r = self._plan(c, r, project)
        long_goal = f"实施期内{self.rng.choice(self.sector.work)}，项目效益持续稳定发挥。"
        half = (c.width - 1) // 2
        c.put(r, 0, "绩效目标", rows=2)
        c.put(r, 1, self.rng.choice(["实施期目标", "中长期目标"]), cols=half)
        c.put(r, 1 + half, "年度目标", cols=c.width - 1 - half)
        c.put(r + 1, 1, long_goal, cols=half)
        c.put(r + 1, 1 + half, project.goal or "", cols=c.width - 1 - half)

    long_header = "实施期指标值"

    # ----------------------------------------------------------------- the flat list

    def _flat(self, projects: list[tuple[ProjectTargets, list[k.Indicator]]]) -> Canvas:
        """All projects in one list: 项目名称 | 预算数 | (年度目标) | levels | split target …"""
        cols = ["name", "budget"]
        with_goal = self.rng.random() < 0.5
        if with_goal:
            cols.append("goal")
        grid = ["l1", "l2", "l3", "op", "value", "unit"]
        if self.has_weight:
            grid.append("weight")
        cols += grid
        if self.has_desc:
            cols.insert(cols.index("l3") + 1, "desc")
        if self.has_basis:
            cols.append("basis")
        c = Canvas(len(cols))
        unit_note = f"单位：{self.money}" if self.money_place == "header" else ""
        r = 0
        if self.unit_place != "title":
            c.fill(
                r,
                [
                    ("预算单位", 1),
                    (self.unit_value(), c.width - 3),
                    (unit_note if not self.money_para else "", 2),
                ],
            )
            r += 1
        elif unit_note and not self.money_para:
            c.fill(r, [("", c.width - 2), (unit_note, 2)])
            r += 1
        header = {
            "name": "项目名称",
            "budget": self.money_label("预算数"),
            "goal": "年度目标",
            "l1": "一级指标",
            "l2": "二级指标",
            "l3": self.headers["level3"],
            "desc": self.headers["desc"],
            "op": "指标性质",
            "value": "指标值",
            "unit": "度量单位",
            "weight": self.headers["weight"],
            "basis": self.headers["basis"],
        }
        c.fill(r, [(header[col], 1) for col in cols])
        c.header_rows = [r]
        r += 1
        for project, inds in projects:
            n = len(project.indicators)
            # The flat list holds no code, budget split, plan, fund use, or (maybe) goal.
            project.code = None
            project.budget = Budget(unit=self.money, total=project.budget.total)
            project.spending_plan = []
            project.fund_use = None
            if not with_goal:
                project.goal = None
            c.put(r, 0, project.name, rows=n)
            total = project.budget.total
            shown = self.money_text(total)
            value, fmt = _money_number(shown) if self.money_place != "cell" else (None, None)
            c.put(r, 1, shown, rows=n, value=value, fmt=fmt)
            if with_goal:
                c.put(r, 2, project.goal or "", rows=n)
            l1_runs = _runs([row.level1 for row in project.indicators])
            for i, (row, ind) in enumerate(zip(project.indicators, inds, strict=True)):
                for j, role in enumerate(cols):
                    if role in ("name", "budget", "goal"):
                        continue
                    if role == "l1":
                        if i in l1_runs:
                            rows = l1_runs[i] if self.levels == "merged" else 1
                            c.put(r + i, j, self.level_text(row.level1), rows=rows)
                        elif self.levels == "repeated":
                            c.put(r + i, j, self.level_text(row.level1))
                        continue
                    if role == "l2":
                        c.put(r + i, j, self.level_text(row.level2))
                        continue
                    text = self._cell(role, row, ind)
                    if text:
                        value, fmt = self._cell_value(role, text)
                        c.put(r + i, j, text, value=value, fmt=fmt)
            r += n
        return c


def _spread(n: int, width: int, roles: list[str] | None = None) -> list[int]:
    """Spans of n columns over width: extra width goes to long-text columns (or the last)."""
    if roles is None:  # evenly, the remainder to the last
        base = width // n
        return [base] * (n - 1) + [width - base * (n - 1)]
    spans = [1] * n
    extra = width - n
    if extra <= 0:
        return spans
    wide = [i for i, r in enumerate(roles or []) if r in ("desc", "l3", "basis")]
    targets = wide or [n - 1]
    for j in range(extra):
        spans[targets[j % len(targets)]] += 1
    return spans


def _runs(keys: list[object]) -> dict[int, int]:
    """First index -> length of each run of equal keys (the cells merged down)."""
    out: dict[int, int] = {}
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            out[start] = i - start
            start = i
    return out


def _long_term(target: str) -> str:
    """A long-term value that differs from the annual one (so taking it would show)."""
    import re

    m = re.search(r"\d+(?:\.\d+)?", target)
    if not m:
        return {"是": "持续", "及时": "长期及时"}.get(target, "长期" + target)
    number = Decimal(m.group(0))
    bigger = (
        number * 3
        if number > 100 or "%" not in target
        else min(number + 3, Decimal(100)) - (1 if number >= 100 else 0)
    )
    return target[: m.start()] + f"{bigger.normalize():f}" + target[m.end() :]


def _money_number(shown: str) -> tuple[object, str | None]:
    """An amount as an Excel number with the format that shows it as written."""
    plain = shown.replace(",", "")
    places = len(plain.split(".")[1]) if "." in plain else 0
    fmt = ("#,##0" if "," in shown else "0") + ("." + "0" * places if places else "")
    return float(plain), fmt
