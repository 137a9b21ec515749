"""The demo's two 1年 durations as if their services had stopped for a while.

Since issue 10 a running duration accrues with the year, so the demo is all green at 30 June.
The report workflow tests need rows the rules flag: entering 0.3年 at 30 June for both makes
them yellow — v = 0.3 / (181/365) × 100 = 60.50 — with nothing else changed.
"""

from __future__ import annotations

import datetime as dt

from jixiao.lib.actor import Actor
from jixiao.metrics.services import enter_manual_actual
from jixiao.targets.models import Indicator
from jixiao.units.models import Unit

PERIOD = "网络安全稳定运行期限"
INFLUENCE = "网络宣传影响力持续期限"
EVIDENCE = "机房搬迁，网站和平台停运两个月，截至6月30日累计运行0.3年。"


def interrupted(unit: Unit, as_of: dt.date = dt.date(2021, 6, 30)) -> None:
    """Enter 0.3年 at ``as_of`` for both durations of the unit's 2021 projects."""
    for level3 in (PERIOD, INFLUENCE):
        indicator = Indicator.objects.get(project__unit=unit, project__year=2021, level3=level3)
        enter_manual_actual(
            indicator,
            as_of=as_of,
            value="0.3年",
            evidence=EVIDENCE,
            actor=Actor.system("测试"),
        )
