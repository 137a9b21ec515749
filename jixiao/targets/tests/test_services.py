from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from jixiao.core.document import (
    Budget,
    Checkpoint,
    IndicatorRow,
    ParsedTarget,
    ProjectTargets,
    TargetDocument,
    UnitRef,
    Warning,
)
from jixiao.lib.actor import Actor
from jixiao.targets import services
from jixiao.targets.choices import ImportStatus, RevisionKind
from jixiao.targets.models import (
    Indicator,
    Project,
    Revision,
    Safeguard,
    SpendingCheckpoint,
    SubGoal,
    UnitGoal,
)
from jixiao.targets.services import ImportRejected, document_for, import_document
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db

MODELS = [Unit, UnitGoal, SubGoal, Safeguard, Project, SpendingCheckpoint, Indicator, Revision]


def row_counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def test_import_creates_goal_projects_and_indicators_with_exact_values(demo_document, officer):
    result = import_document(demo_document, actor=Actor(officer), source="seed.txt")

    unit = Unit.objects.get(code="224001")  # the officer's unit, made by the org fixture
    assert unit.name == "中共昌黎县委网络安全和信息化委员会办公室本级"
    assert not result.unit_created
    assert [(o.label, o.status, o.revision) for o in result.objects] == [
        ("部门整体绩效目标", ImportStatus.CREATED, 1),
        ("网络安全和信息化经费", ImportStatus.CREATED, 1),
        ("网络宣传管理经费", ImportStatus.CREATED, 1),
    ]
    goal = UnitGoal.objects.get(unit=unit, year=2021)
    assert [s.title for s in goal.sub_goals.all()] == [
        "（一）营造网络正面舆论强势",
        "（二）强化网络舆情监控处置",
    ]
    assert [s.text for s in goal.safeguards.all()] == [
        "（一）完善制度建设。",
        "（二）加强支出管理。",
    ]

    project = Project.objects.get(code="13032221C2GKIBLPDEWRQ")
    assert (project.unit, project.year, project.position) == (unit, 2021, 1)
    assert project.name == "网络安全和信息化经费"
    assert project.money_unit == "万元"
    assert (project.budget_total, project.budget_fiscal, project.budget_other) == (
        Decimal("15"),
        Decimal("15"),
        Decimal("0"),
    )
    assert [(c.month, c.percent) for c in project.checkpoints.all()] == [
        (3, Decimal("25")),
        (6, Decimal("50")),
        (10, Decimal("75")),
        (12, Decimal("100")),
    ]
    first = project.indicators.first()
    assert (first.position, first.level1, first.level2, first.level3) == (
        1,
        "产出指标",
        "数量指标",
        "舆情监测预警、研判分析数",
    )
    assert (first.target, first.target_kind, first.target_op, first.target_unit) == (
        "≥200条",
        "quantitative",
        ">=",
        "条",
    )
    assert first.target_value == Decimal("200")
    assert first.basis == "冀干考发[2020]2号、昌办字[2019]14号"
    qualitative = project.indicators.get(level3="构建清朗网络空间")
    assert (qualitative.target_kind, qualitative.target_op, qualitative.target_value) == (
        "qualitative",
        "",
        None,
    )
    assert Indicator.objects.count() == 7
    revision = Revision.objects.get(project=project)
    assert (revision.number, revision.kind, revision.created_by, revision.source) == (
        1,
        RevisionKind.PROJECT,
        officer,
        "seed.txt",
    )
    assert revision.changes == []
    assert revision.snapshot == project.as_targets().to_dict()


def test_reimporting_the_same_document_writes_nothing_new(demo_document, officer):
    import_document(demo_document, actor=Actor(officer), source="seed.txt")
    before = row_counts()
    indicator_ids = list(Indicator.objects.values_list("id", flat=True))

    result = import_document(demo_document, actor=Actor(officer), source="seed.txt")

    assert row_counts() == before
    assert list(Indicator.objects.values_list("id", flat=True)) == indicator_ids
    assert [o.status for o in result.objects] == [ImportStatus.UNCHANGED] * 3
    assert not result.changed
    assert "  网络安全和信息化经费：无变化" in result.summary_lines()


def test_changed_target_creates_revision_2_naming_the_indicator(demo_document, officer):
    import_document(demo_document, actor=Actor(officer), source="seed.txt")
    first = demo_document.projects[0].indicators[0]
    first.target = "≥250条"
    first.parsed = ParsedTarget("quantitative", ">=", "250", "条")

    result = import_document(demo_document, actor=Actor.system(), source="seed-v2.txt")

    assert [o.status for o in result.objects] == [
        ImportStatus.UNCHANGED,
        ImportStatus.UPDATED,
        ImportStatus.UNCHANGED,
    ]
    revision = Revision.objects.get(project__code="13032221C2GKIBLPDEWRQ", number=2)
    assert revision.changes == [
        {
            "field": "指标值",
            "indicator": "舆情监测预警、研判分析数",
            "path": "产出指标 / 数量指标 / 舆情监测预警、研判分析数",
            "before": "≥200条",
            "after": "≥250条",
        }
    ]
    assert result.objects[1].changes == revision.changes
    assert (revision.source, revision.created_by) == ("seed-v2.txt", None)
    assert Indicator.objects.get(level3="舆情监测预警、研判分析数").target_value == Decimal(250)
    assert Revision.objects.filter(kind=RevisionKind.PROJECT).count() == 3


def test_indicator_ids_survive_a_reimport_with_changes(demo_document):
    import_document(demo_document, actor=Actor.system(), source="v1")
    ids = {i.level3: i.id for i in Indicator.objects.all()}
    project = demo_document.projects[0]
    project.indicators[1].description = "处置率=已处置数/应处置数"
    project.indicators.insert(
        0,
        IndicatorRow(
            "产出指标",
            "数量指标",
            "网络安全检查次数",
            "≥2次",
            ParsedTarget("quantitative", ">=", "2", "次"),
        ),
    )

    import_document(demo_document, actor=Actor.system(), source="v2")

    after = {i.level3: i.id for i in Indicator.objects.all()}
    assert {k: after[k] for k in ids} == ids
    assert list(
        Project.objects.get(code=project.code).indicators.values_list("level3", flat=True)
    ) == [
        "网络安全检查次数",
        "舆情监测预警、研判分析数",
        "网络舆情处置率",
        "构建清朗网络空间",
        "服务对象满意度",
    ]


def test_removed_indicator_is_deleted_and_reported(demo_document):
    import_document(demo_document, actor=Actor.system(), source="v1")
    removed = demo_document.projects[1].indicators.pop(1)

    result = import_document(demo_document, actor=Actor.system(), source="v2")

    assert not Indicator.objects.filter(level3=removed.level3).exists()
    assert result.objects[2].changes == [
        {
            "field": "删除指标",
            "indicator": "市级及以上网络媒体采稿率",
            "path": "产出指标 / 质量指标 / 市级及以上网络媒体采稿率",
            "before": "≥30%",
            "after": None,
        }
    ]
    assert "    删除指标「市级及以上网络媒体采稿率」：≥30%" in result.summary_lines()


def test_repeated_triples_keep_their_own_rows(demo_document):
    rows = demo_document.projects[1].indicators
    twin = dataclasses.replace(
        rows[0], target="≥600条", parsed=ParsedTarget("quantitative", ">=", "600", "条")
    )
    rows.append(twin)
    import_document(demo_document, actor=Actor.system(), source="v1")
    first_id, second_id = Indicator.objects.filter(level3=twin.level3).values_list("id", flat=True)

    twin.target = "≥700条"
    twin.parsed = ParsedTarget("quantitative", ">=", "700", "条")
    result = import_document(demo_document, actor=Actor.system(), source="v2")

    assert list(Indicator.objects.filter(level3=twin.level3).values_list("id", "target")) == [
        (first_id, "≥500条"),
        (second_id, "≥700条"),
    ]
    assert [c["after"] for c in result.objects[2].changes] == ["≥700条"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"unit": None}, "文件中没有找到预算单位（单位编码或名称）。"),
        ({"unit": UnitRef(None, "")}, "文件中没有找到预算单位（单位编码或名称）。"),
        ({"year": None}, "文件中没有找到预算年度。"),
        ({"unit_goal": None, "projects": []}, "文件中没有找到部门整体绩效目标或项目绩效目标表。"),
    ],
)
def test_document_without_unit_or_year_is_rejected_and_nothing_written(
    demo_document, change, message
):
    with pytest.raises(ImportRejected) as rejected:
        import_document(
            dataclasses.replace(demo_document, **change), actor=Actor.system(), source="x"
        )

    assert rejected.value.messages == [message]
    assert row_counts() == dict.fromkeys(row_counts(), 0)


def test_invalid_rows_are_all_reported_with_their_place(demo_document):
    second = demo_document.projects[1]
    second.indicators[0].level3 = "长" * 201
    second.budget = Budget("千元", Decimal("5"), None, None)

    with pytest.raises(ImportRejected) as rejected:
        import_document(demo_document, actor=Actor.system(), source="x")

    assert rejected.value.messages == [
        "项目「网络宣传管理经费」金额单位：值 '千元' 不是有效选项。",
        f"项目「网络宣传管理经费」第 1 行指标「{'长' * 19}…」三级指标："
        "确保该变量包含不超过 200 字符 (目前字符数 201)。",
    ]
    assert row_counts() == dict.fromkeys(row_counts(), 0)


def test_implausible_year_is_reported_once(demo_document):
    with pytest.raises(ImportRejected) as rejected:
        import_document(
            dataclasses.replace(demo_document, year=1921), actor=Actor.system(), source="x"
        )

    assert rejected.value.messages == ["预算年度：确保该值大于或等于2000。"]


def test_duplicate_project_in_one_document_is_rejected(demo_document):
    demo_document.projects.append(dataclasses.replace(demo_document.projects[0]))

    with pytest.raises(ImportRejected, match="网络安全和信息化经费」在文件中出现了不止一次"):
        import_document(demo_document, actor=Actor.system(), source="x")


def test_unusable_parsed_value_is_rejected(demo_document):
    demo_document.projects[0].indicators[0].parsed = ParsedTarget(
        "quantitative", ">=", "二百", "条"
    )

    with pytest.raises(ImportRejected, match="指标值：无法识别解析结果「二百」"):
        import_document(demo_document, actor=Actor.system(), source="x")


def test_failure_while_writing_the_second_project_rolls_back_everything(demo_document, monkeypatch):
    real = services._sync_indicators
    calls = []

    def failing(project, planned, **kwargs):
        calls.append(project)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(project, planned, **kwargs)

    monkeypatch.setattr(services, "_sync_indicators", failing)

    with pytest.raises(RuntimeError):
        import_document(demo_document, actor=Actor.system(), source="x")

    assert len(calls) == 2
    assert row_counts() == dict.fromkeys(row_counts(), 0)


def test_project_without_code_is_identified_by_name(demo_document):
    demo_document.projects[1].code = None
    import_document(demo_document, actor=Actor.system(), source="v1")
    demo_document.projects[1].goal = "新的绩效目标"

    result = import_document(demo_document, actor=Actor.system(), source="v2")

    project = Project.objects.get(name="网络宣传管理经费")
    assert (project.code, project.goal) == (None, "新的绩效目标")
    assert result.objects[2].status == ImportStatus.UPDATED
    assert Project.objects.count() == 2


def test_unit_is_found_by_code_and_its_name_updated(demo_document):
    import_document(demo_document, actor=Actor.system(), source="v1")
    demo_document.unit = UnitRef("224001", "中共昌黎县委网信办")

    result = import_document(demo_document, actor=Actor.system(), source="v2")

    assert not result.unit_created
    assert list(Unit.objects.values_list("code", "name")) == [("224001", "中共昌黎县委网信办")]


def test_money_in_yuan_and_fractional_wan_yuan_stays_exact():
    document = TargetDocument(
        year=2023,
        unit=UnitRef("101", "某县卫生健康局"),
        projects=[
            ProjectTargets(
                "P1",
                "基本公共卫生服务",
                Budget("元", Decimal("8827620.53"), Decimal("8827620.53"), Decimal("0")),
            ),
            ProjectTargets(
                "P2",
                "道路养护",
                Budget("万元", Decimal("2279.048"), Decimal("2000"), Decimal("279.048")),
            ),
        ],
    )

    import_document(document, actor=Actor.system(), source="x")

    assert document_for(Unit.objects.get(), 2023) == document
    yuan = Project.objects.get(code="P1")
    assert (yuan.money_unit, yuan.budget_total) == ("元", Decimal("8827620.53"))
    assert Project.objects.get(code="P2").budget_other == Decimal("279.048")
    assert Revision.objects.get(project=yuan).snapshot["budget"] == {
        "unit": "元",
        "total": "8827620.53",
        "fiscal": "8827620.53",
        "other": "0",
    }


def test_deadline_target_keeps_its_date(demo_document):
    row = IndicatorRow(
        "产出指标",
        "时效指标",
        "完成时间",
        "2021年12月底前",
        ParsedTarget("deadline", "<=", "2021-12-31"),
    )
    demo_document.projects[0].indicators.append(row)

    import_document(demo_document, actor=Actor.system(), source="x")

    indicator = Indicator.objects.get(level3="完成时间")
    assert (indicator.target_date, indicator.target_value) == (date(2021, 12, 31), None)
    assert indicator.parsed == row.parsed


def test_document_for_reads_back_what_was_imported(demo_document):
    demo_document.warnings.append(Warning("表格 2，第 5 行", "指标值为空"))
    import_document(demo_document, actor=Actor.system(), source="x")

    document = document_for(Unit.objects.get(code="224001"), 2021)

    assert document == dataclasses.replace(demo_document, warnings=[])
    assert [p.name for p in document.projects] == ["网络安全和信息化经费", "网络宣传管理经费"]


def test_document_for_costs_the_same_queries_for_any_size(demo_document, django_assert_num_queries):
    import_document(demo_document, actor=Actor.system(), source="x")
    unit = Unit.objects.get()

    with django_assert_num_queries(6):
        document_for(unit, 2021)


def test_document_for_a_year_without_targets_is_empty(demo_document):
    import_document(demo_document, actor=Actor.system(), source="x")

    document = document_for(Unit.objects.get(), 2022)

    assert (document.unit_goal, document.projects) == (None, [])


def test_changed_plan_and_safeguards_are_replaced_and_recorded(demo_document):
    import_document(demo_document, actor=Actor.system(), source="v1")
    sub_goal_ids = list(SubGoal.objects.values_list("id", flat=True))
    demo_document.projects[0].spending_plan[1] = Checkpoint(6, Decimal("60"))
    demo_document.unit_goal.safeguards[1] = "（二）加强支出管理，确保支出进度达标。"

    result = import_document(demo_document, actor=Actor.system(), source="v2")

    assert list(SubGoal.objects.values_list("id", flat=True)) == sub_goal_ids  # untouched
    assert list(Safeguard.objects.values_list("text", flat=True)) == [
        "（一）完善制度建设。",
        "（二）加强支出管理，确保支出进度达标。",
    ]
    project = Project.objects.get(position=1)
    assert [c.percent for c in project.checkpoints.all()] == [25, 60, 75, 100]
    assert [o.status for o in result.objects] == [
        ImportStatus.UPDATED,
        ImportStatus.UPDATED,
        ImportStatus.UNCHANGED,
    ]
    assert [c["field"] for c in result.objects[0].changes] == ["工作保障措施"]
    assert result.objects[1].changes == [
        {
            "field": "资金支出计划",
            "before": "3月底25%、6月底50%、10月底75%、12月底100%",
            "after": "3月底25%、6月底60%、10月底75%、12月底100%",
        }
    ]
