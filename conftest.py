"""Shared fixtures: the people who use Jixiao, and a target document built by hand."""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User

from jixiao.accounts.choices import Role
from jixiao.accounts.models import Membership
from jixiao.accounts.services import create_account
from jixiao.core.document import (
    Budget,
    Checkpoint,
    IndicatorRow,
    ParsedTarget,
    ProjectTargets,
    SubGoal,
    TargetDocument,
    UnitGoalPart,
    UnitRef,
)
from jixiao.lib.actor import Actor
from jixiao.units.models import FinanceBureau, Unit
from jixiao.units.services import create_bureau, create_unit

# Playwright's sync API runs an event loop in the test thread; Django refuses database access
# from such a thread unless told it is safe (it is: the loop only drives the browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BASIS = "冀干考发[2020]2号、昌办字[2019]14号"
SPENDING_PLAN = [
    Checkpoint(3, Decimal("25.00")),
    Checkpoint(6, Decimal("50.00")),
    Checkpoint(10, Decimal("75.00")),
    Checkpoint(12, Decimal("100.00")),
]


def _row(
    level1: str,
    level2: str,
    level3: str,
    target: str,
    parsed: ParsedTarget,
    description: str | None = None,
    basis: str | None = BASIS,
) -> IndicatorRow:
    return IndicatorRow(level1, level2, level3, target, parsed, description or level3, basis)


@pytest.fixture
def demo_document() -> TargetDocument:
    """A document shaped like the seed: unit 224001, 2021, its goal and two projects."""
    return TargetDocument(
        year=2021,
        unit=UnitRef("224001", "中共昌黎县委网络安全和信息化委员会办公室本级"),
        unit_goal=UnitGoalPart(
            overall="营造网络正面舆论强势，强化网络舆情监控处置，提升网络安全防护能力。",
            sub_goals=[
                SubGoal(
                    "（一）营造网络正面舆论强势",
                    "充分利用微信、抖音、今日头条等3个官方网宣平台，做好网络宣传引导工作。",
                    "官方网宣平台发布信息数量500条以上，市级及以上网络媒体采稿率达到30%以上。",
                ),
                SubGoal(
                    "（二）强化网络舆情监控处置",
                    "提高舆情研判能力和信息服务水平。",
                    "舆情监测预警、研判分析数200条以上，网络舆情处置率达到100%。",
                ),
            ],
            safeguards=[
                "（一）完善制度建设。",
                "（二）加强支出管理。",
            ],
        ),
        projects=[
            ProjectTargets(
                code="13032221C2GKIBLPDEWRQ",
                name="网络安全和信息化经费",
                budget=Budget("万元", Decimal("15.00"), Decimal("15.00"), Decimal("0")),
                fund_use="主要用于舆情小秘书经费10万元，网络安全检查及服务保障4万元，培训费1万元。",
                spending_plan=list(SPENDING_PLAN),
                goal="提高舆情研判能力和信息服务水平，及时化解、妥善处理有关负面舆情。",
                indicators=[
                    _row(
                        "产出指标",
                        "数量指标",
                        "舆情监测预警、研判分析数",
                        "≥200条",
                        ParsedTarget("quantitative", ">=", "200", "条"),
                    ),
                    _row(
                        "产出指标",
                        "质量指标",
                        "网络舆情处置率",
                        "100%",
                        ParsedTarget("quantitative", "=", "100", "%"),
                        "网络舆情处置率=已处置的网络舆情数量/应处置的网络舆情数量",
                    ),
                    _row(
                        "效益指标",
                        "社会效益指标",
                        "构建清朗网络空间",
                        "是",
                        ParsedTarget("qualitative"),
                    ),
                    _row(
                        "满意度指标",
                        "服务对象满意度指标",
                        "服务对象满意度",
                        "≥90%",
                        ParsedTarget("quantitative", ">=", "90", "%"),
                        "满意度=满意份数/有效问卷数",
                        "调查问卷",
                    ),
                ],
            ),
            ProjectTargets(
                code="13032221RDEVGNWRIDTHY",
                name="网络宣传管理经费",
                budget=Budget("万元", Decimal("5.00"), Decimal("5.00"), Decimal("0")),
                fund_use="主要用于日常办公费、公务接待费、设备购置费、差旅费和其他商品服务支出。",
                spending_plan=list(SPENDING_PLAN),
                goal="宣传好全县的中心工作、重要活动，发布权威声音，营造良好氛围。",
                indicators=[
                    _row(
                        "产出指标",
                        "数量指标",
                        "官方网宣平台信息发布数量",
                        "≥500条",
                        ParsedTarget("quantitative", ">=", "500", "条"),
                    ),
                    _row(
                        "产出指标",
                        "质量指标",
                        "市级及以上网络媒体采稿率",
                        "≥30%",
                        ParsedTarget("quantitative", ">=", "30", "%"),
                    ),
                    _row(
                        "效益指标",
                        "可持续影响指标",
                        "网络宣传影响力持续期限",
                        "1年",
                        ParsedTarget("quantitative", "=", "1", "年"),
                    ),
                ],
            ),
        ],
    )


PERSONA_PASSWORD = "Jx-persona-2026!"


@dataclass
class Org:
    """Two finance bureaus and their units, as the permission tests need them.

    昌黎县财政局 reviews unit A (224001, the seed's unit) and unit B (224002); 卢龙县财政局
    reviews a third unit (324001).
    """

    bureau: FinanceBureau
    other_bureau: FinanceBureau
    unit: Unit
    unit_b: Unit
    other_unit: Unit


@pytest.fixture
def org(db: None) -> Org:
    """The bureaus and units of the personas (created through the services)."""
    system = Actor.system("测试")
    bureau = create_bureau(name="昌黎县财政局", actor=system)
    other_bureau = create_bureau(name="卢龙县财政局", actor=system)
    return Org(
        bureau=bureau,
        other_bureau=other_bureau,
        unit=create_unit(
            code="224001",
            name="中共昌黎县委网络安全和信息化委员会办公室本级",
            bureau=bureau,
            actor=system,
        ),
        unit_b=create_unit(code="224002", name="昌黎县档案馆", bureau=bureau, actor=system),
        other_unit=create_unit(
            code="324001", name="卢龙县委网信办", bureau=other_bureau, actor=system
        ),
    )


def make_person(username: str, organisation: Unit | FinanceBureau, role: str, name: str) -> User:
    """An account with a role, ready to log in (its first password already changed)."""
    user = create_account(
        username=username,
        password=PERSONA_PASSWORD,
        organisation=organisation,
        role=role,
        full_name=name,
        actor=Actor.system("测试"),
    )
    Membership.objects.filter(user=user).update(must_change_password=False)
    return user


@pytest.fixture
def officer(org: Org) -> User:
    """A unit officer (填报员) of unit A, who keeps its targets, ledgers and reports."""
    return make_person("officer", org.unit, Role.OFFICER, "经办人")


@pytest.fixture
def head(org: Org) -> User:
    """The head (单位负责人) of unit A, who approves its reports before the bureau."""
    return make_person("head", org.unit, Role.HEAD, "单位负责人")


@pytest.fixture
def officer_b(org: Org) -> User:
    """An officer of unit B (same bureau): sees nothing of unit A."""
    return make_person("officer_b", org.unit_b, Role.OFFICER, "乙单位经办人")


@pytest.fixture
def reviewer(org: Org) -> User:
    """A reviewer (财政审核员) of unit A's bureau."""
    return make_person("reviewer", org.bureau, Role.REVIEWER, "财政审核员")


@pytest.fixture
def bureau_admin(org: Org) -> User:
    """The administrator (财政管理员) of unit A's bureau."""
    return make_person("bureau_admin", org.bureau, Role.ADMIN, "财政管理员")


@pytest.fixture
def other_reviewer(org: Org) -> User:
    """A reviewer of another bureau: sees nothing of unit A."""
    return make_person("other_reviewer", org.other_bureau, Role.REVIEWER, "外局审核员")


@pytest.fixture
def auditor(org: Org) -> User:
    """An auditor (审计) of unit A's bureau: reads everything there, changes nothing."""
    return make_person("auditor", org.bureau, Role.AUDITOR, "审计人员")


@pytest.fixture(scope="session", autouse=True)
def _patient_assertions() -> None:
    """Browser assertions wait up to 15 s, not Playwright's 5: on a loaded machine (two test
    workers, Chromium and a live server on two cores) a page can take longer than 5 s to
    arrive, and a passing step must not fail for it. A real failure only fails later."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, headless, kept off the (closed) network; playwright install can't run."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def _reference_data_survives_flush(request: pytest.FixtureRequest) -> None:
    """Give a transactional test the preset ledgers and import mappings migrations write, and
    an empty shared cache.

    A transactional test (live_server, browser tests) empties every table when it ends, so
    the next one would start without them; pytest-django runs these tests last, so putting
    the reference data back at their start is enough.
    """
    if not {"transactional_db", "live_server"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db")
    from jixiao.ledgers.mappings import ensure_preset_mappings
    from jixiao.ledgers.services import ensure_presets

    ensure_presets()
    ensure_preset_mappings()
    # The shared (database) cache's table is no model's, so the flush leaves it: counts kept
    # there (the survey form's per-address limit) would run on into the next test.
    from django.core.cache import caches

    caches["shared"].clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Tests create many logins (every demo load has one): hash their passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_page_cache() -> None:
    """Each test starts with an empty cache: data versions restart when a test's data are
    rolled back, so a part cached by an earlier test could carry a key this one makes."""
    from django.core.cache import cache

    cache.clear()
