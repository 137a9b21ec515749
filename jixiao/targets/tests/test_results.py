"""A self-evaluation table's results recorded by the import: a past year's history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from jixiao import importers
from jixiao.audit.models import ChangeLog
from jixiao.core.document import TargetDocument
from jixiao.lib.actor import Actor
from jixiao.targets.choices import ImportStatus
from jixiao.targets.models import Indicator, RecordedEvaluation, RecordedResult
from jixiao.targets.results import recorded_year
from jixiao.targets.services import (
    ImportRejected,
    RemovalNeedsConfirmation,
    import_document,
    pending_removals,
)
from jixiao.targets.tests.selfeval import FUNDS, PROJECT, selfeval_document
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def selfeval(demo_document: TargetDocument) -> TargetDocument:
    return selfeval_document(demo_document)


def results_of(unit_code: str = "224001", year: int = 2020) -> list[tuple[str, str, str, str, str]]:
    rows = RecordedResult.objects.filter(
        indicator__project__unit__code=unit_code, indicator__project__year=year
    ).order_by("indicator__position")
    return [
        (r.indicator.level3, r.actual, f"{r.points.normalize():f}", f"{r.score:.2f}", r.explanation)
        for r in rows
    ]


def last_seq() -> int:
    return ChangeLog.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def log_rows(since: int, object_type: str) -> list[ChangeLog]:
    return list(ChangeLog.objects.filter(seq__gt=since, object_type=object_type).order_by("seq"))


def test_a_self_evaluation_table_records_each_rows_results_and_the_fund_line(
    selfeval: TargetDocument, officer: User
) -> None:
    result = import_document(selfeval, actor=Actor(officer), source="2020年自评表.xlsx")

    assert [(o.label, o.status, o.results) for o in result.objects] == [
        ("部门整体绩效目标", ImportStatus.CREATED, None),
        (PROJECT, ImportStatus.CREATED, ImportStatus.CREATED),
        ("网络宣传管理经费", ImportStatus.CREATED, None),  # a target table's project: none
    ]
    assert f"  {PROJECT}：新建，第 1 版；2020 年自评结果：新建" in result.summary_lines()
    assert result.to_dict()["objects"][1]["results"] == "created"
    # The targets are the year's targets as for any table.
    assert Indicator.objects.filter(project__year=2020).count() == 7
    assert results_of() == [
        ("舆情监测预警、研判分析数", "230条", "25", "25.00", ""),
        ("网络舆情处置率", "98.21%", "25", "24.55", "个别舆情处置滞后，已建立24小时值班制度。"),
        ("构建清朗网络空间", "达成", "30", "30.00", ""),
        ("服务对象满意度", "95%", "10", "10.00", ""),
    ]
    evaluation = RecordedEvaluation.objects.get(project__name=PROJECT, project__year=2020)
    assert evaluation.as_results() == FUNDS
    assert (evaluation.source, evaluation.imported_by) == ("2020年自评表.xlsx", officer)


def test_the_results_are_in_the_change_log_with_the_import(
    selfeval: TargetDocument, officer: User
) -> None:
    since = last_seq()
    import_document(selfeval, actor=Actor(officer), source="2020年自评表.xlsx")

    [evaluation] = log_rows(since, "targets.recordedevaluation")
    assert (evaluation.action, evaluation.username, evaluation.before) == (
        "create",
        "经办人（officer）",
        None,
    )
    assert evaluation.after == {
        "executed": "14.2",
        "execution_rate": "94.67",
        "execution_points": "10",
        "execution_score": "9.47",
        "total_score": "99.02",
        "source": "2020年自评表.xlsx",
    }
    assert evaluation.object_repr == f"{PROJECT} 2020 年自评结果"
    assert evaluation.comment == "导入「2020年自评表.xlsx」的自评结果"
    assert evaluation.unit_id == Unit.objects.get(code="224001").pk
    rows = log_rows(since, "targets.recordedresult")
    assert [(r.action, r.object_repr) for r in rows] == [
        ("create", f"{PROJECT} / 舆情监测预警、研判分析数"),
        ("create", f"{PROJECT} / 网络舆情处置率"),
        ("create", f"{PROJECT} / 构建清朗网络空间"),
        ("create", f"{PROJECT} / 服务对象满意度"),
    ]
    assert rows[1].after == {
        "actual": "98.21%",
        "points": "25",
        "score": "24.55",
        "explanation": "个别舆情处置滞后，已建立24小时值班制度。",
    }


def test_a_reimport_replaces_the_results_in_place_with_before_and_after(
    selfeval: TargetDocument, officer: User, head: User
) -> None:
    import_document(selfeval, actor=Actor(officer), source="2020年自评表.xlsx")
    first = RecordedResult.objects.get(indicator__level3="网络舆情处置率")
    selfeval.projects[0].indicators[1].actual = "99.10%"
    selfeval.projects[0].indicators[1].score = Decimal("24.78")
    assert selfeval.projects[0].results is not None
    selfeval.projects[0].results.execution_score = Decimal("9.50")
    selfeval.projects[0].results.total_score = Decimal("99.28")
    since = last_seq()

    result = import_document(selfeval, actor=Actor(head), source="2020年自评表（修订）.xlsx")

    assert result.objects[1].status == ImportStatus.UNCHANGED  # the targets are the same
    assert result.objects[1].results == ImportStatus.UPDATED
    assert result.changed
    again = RecordedResult.objects.get(indicator__level3="网络舆情处置率")
    assert again.pk == first.pk and (again.actual, again.score) == ("99.10%", Decimal("24.78"))
    [row] = log_rows(since, "targets.recordedresult")
    assert (row.action, row.before, row.after) == (
        "update",
        {"actual": "98.21%", "score": "24.55"},
        {"actual": "99.10%", "score": "24.78"},
    )
    [evaluation_row] = log_rows(since, "targets.recordedevaluation")
    assert (evaluation_row.before, evaluation_row.after) == (
        {"execution_score": "9.47", "total_score": "99.02", "source": "2020年自评表.xlsx"},
        {"execution_score": "9.5", "total_score": "99.28", "source": "2020年自评表（修订）.xlsx"},
    )
    evaluation = RecordedEvaluation.objects.get(project__name=PROJECT)
    assert (evaluation.source, evaluation.imported_by) == ("2020年自评表（修订）.xlsx", head)
    assert RecordedEvaluation.objects.count() == 1 and RecordedResult.objects.count() == 4


def test_the_same_table_again_writes_nothing(selfeval: TargetDocument, officer: User) -> None:
    import_document(selfeval, actor=Actor(officer), source="a.xlsx")
    since = last_seq()

    result = import_document(selfeval, actor=Actor(officer), source="b.xlsx")

    assert result.objects[1].results == ImportStatus.UNCHANGED and not result.changed
    assert last_seq() == since
    assert RecordedEvaluation.objects.get().source == "a.xlsx"


def test_a_target_table_of_the_year_leaves_its_results_alone(
    selfeval: TargetDocument, demo_document: TargetDocument, officer: User
) -> None:
    import_document(selfeval, actor=Actor(officer), source="自评表.xlsx")
    before = results_of()
    plain = selfeval_document(demo_document)
    for row in plain.projects[0].indicators:
        row.actual = row.points = row.score = row.explanation = None
    plain.projects[0].results = None
    since = last_seq()

    result = import_document(plain, actor=Actor(officer), source="目标表.docx")

    assert result.objects[1].results is None
    assert results_of() == before
    assert log_rows(since, "targets.recordedresult") == []


def test_a_row_the_new_table_scores_no_more_loses_its_old_result(
    selfeval: TargetDocument, officer: User
) -> None:
    import_document(selfeval, actor=Actor(officer), source="v1.xlsx")
    row = selfeval.projects[0].indicators[3]
    row.actual = row.points = row.score = row.explanation = None
    since = last_seq()

    import_document(selfeval, actor=Actor(officer), source="v2.xlsx")

    assert [r[0] for r in results_of()] == [
        "舆情监测预警、研判分析数",
        "网络舆情处置率",
        "构建清朗网络空间",
    ]
    [deleted] = log_rows(since, "targets.recordedresult")
    assert (deleted.action, deleted.object_repr, deleted.after) == (
        "delete",
        f"{PROJECT} / 服务对象满意度",
        None,
    )
    assert deleted.before == {"actual": "95%", "points": "10", "score": "10", "explanation": ""}


def test_another_units_officer_may_not_import_the_results(
    selfeval: TargetDocument, officer_b: User, reviewer: User
) -> None:
    since = last_seq()
    for person in (officer_b, reviewer):
        with pytest.raises(PermissionDenied):
            import_document(selfeval, actor=Actor(person), source="自评表.xlsx")
    assert RecordedResult.objects.count() == RecordedEvaluation.objects.count() == 0
    assert last_seq() == since


def test_results_that_do_not_fit_are_refused_with_their_place(
    selfeval: TargetDocument, officer: User
) -> None:
    selfeval.projects[0].indicators[1].score = Decimal("12345678.5")
    selfeval.projects[0].indicators[2].actual = "达成" * 101

    with pytest.raises(ImportRejected) as refused:
        import_document(selfeval, actor=Actor(officer), source="自评表.xlsx")

    messages = refused.value.messages
    assert any(
        m.startswith(f"项目「{PROJECT}」第 2 行指标「网络舆情处置率」自评结果得分：")
        for m in messages
    )
    assert any(
        m.startswith(f"项目「{PROJECT}」第 3 行指标「构建清朗网络空间」自评结果实际完成值：")
        for m in messages
    )
    assert Indicator.objects.count() == 0  # nothing half-written


def test_removing_an_indicator_that_holds_a_result_asks_first(
    selfeval: TargetDocument, officer: User
) -> None:
    import_document(selfeval, actor=Actor(officer), source="自评表.xlsx")
    del selfeval.projects[0].indicators[0]

    [removal] = pending_removals(selfeval)

    assert removal.line == f"「{PROJECT}」舆情监测预警、研判分析数：导入的自评结果 1 条"
    with pytest.raises(RemovalNeedsConfirmation):
        import_document(selfeval, actor=Actor(officer), source="自评表2.xlsx")


def test_recorded_year_reads_the_year_back_in_table_order(
    selfeval: TargetDocument, officer: User, django_assert_num_queries
) -> None:
    import_document(selfeval, actor=Actor(officer), source="2020年自评表.xlsx")
    unit = Unit.objects.get(code="224001")

    with django_assert_num_queries(2):  # the projects, then every indicator with its result
        year = recorded_year(unit, 2020)
        assert year is not None
        [project] = year.projects
        assert [r.result.actual for r in project.rows if r.result] == [
            "230条",
            "98.21%",
            "达成",
            "95%",
        ]
        assert project.evaluation.imported_by == officer

    assert year is not None
    assert [p.project.name for p in year.projects] == [PROJECT]
    assert [p.name for p in year.without] == ["网络宣传管理经费"]
    assert year.sources == ["2020年自评表.xlsx"]
    [project] = year.projects
    assert [(r.indicator.level3, r.span1, r.span2) for r in project.rows] == [
        ("舆情监测预警、研判分析数", 2, 1),
        ("网络舆情处置率", 0, 1),
        ("构建清朗网络空间", 1, 1),
        ("服务对象满意度", 1, 1),
    ]
    assert project.points_total == Decimal(100)
    assert recorded_year(unit, 2021) is None


def test_the_command_line_import_records_the_results(
    selfeval: TargetDocument, tmp_path, monkeypatch, capsys
) -> None:
    # The command is a thin adapter over the same service: whatever reader gives the document
    # (the interpreter on a self-evaluation table), its results land the same way.
    path = tmp_path / "2020年自评表.txt"
    path.write_text("（内容由下面的读取函数给出）", encoding="utf-8")
    monkeypatch.setattr(importers, "load_document", lambda _path: selfeval)

    call_command("import", str(path), "--create-unit")

    assert f"  {PROJECT}：新建，第 1 版；2020 年自评结果：新建" in capsys.readouterr().out
    evaluation = RecordedEvaluation.objects.get()
    assert evaluation.source == "2020年自评表.txt" and evaluation.imported_by is None
    assert len(results_of()) == 4
    row = ChangeLog.objects.filter(object_type="targets.recordedevaluation").get()
    assert row.via == "cli"


@pytest.mark.parametrize("model", [RecordedEvaluation, RecordedResult])
def test_the_admin_shows_the_recorded_results_read_only(
    admin_client, selfeval: TargetDocument, model
) -> None:
    from django.urls import reverse

    import_document(selfeval, actor=Actor.system(), source="2020年自评表.xlsx")
    opts = model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"
    obj = model.objects.first()

    changelist = admin_client.get(reverse(f"{base}_changelist"))
    change = admin_client.get(reverse(f"{base}_change", args=[obj.pk]))

    assert changelist.status_code == change.status_code == 200
    assert str(opts.verbose_name) in change.text
    assert admin_client.get(reverse(f"{base}_add")).status_code == 403
