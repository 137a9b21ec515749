"""A real published self-evaluation table, as a web page gives it, loads as its year's
imported results: the command reads it, the page shows each row's actual, points and score."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from jixiao.rounds.tests.test_recorded import text_of
from jixiao.targets.models import RecordedEvaluation, RecordedResult

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "corpus"
FILE = CORPUS / "14_yunnan_yongde_mingliang_school_selfeval_2022_yuan.txt"
PROJECT = "义务教育营养改善计划专项资金"
# (level 3, target, actual, points, score) as the published table has them.
ROWS = [
    ("学生受资助人数", "≧735人次", "735", "10", "10"),
    ("营养改善计划覆盖率", "≧100%", "100%", "10", "10"),
    ("资金到位及时率", "≧100%", "100%", "10", "7"),
    ("政策知晓率", "═100%", "98%", "10", "9"),
    ("家长满意度", "≧95%", "100%", "10", "10"),
]


def test_a_published_self_evaluation_loads_as_its_years_results(capsys) -> None:
    call_command("import", str(FILE), "--unit", "530923001", "--create-unit")

    assert "2022 年自评结果：新建" in capsys.readouterr().out
    evaluation = RecordedEvaluation.objects.get(project__name=PROJECT)
    assert evaluation.project.year == 2022
    assert evaluation.total_score == 96
    results = {
        r.indicator.level3: r for r in RecordedResult.objects.select_related("indicator").all()
    }
    assert len(results) == 8
    for level3, _target, actual, points, score in ROWS:
        result = results[level3]
        assert (result.actual, result.points, result.score) == (
            actual,
            Decimal(points),
            Decimal(score),
        )

    client = Client()
    client.force_login(User.objects.create_superuser("root", password="x"))
    response = client.get(reverse("rounds:evaluation"), {"unit": "530923001", "year": 2022})
    text = text_of(response.content.decode())
    assert "导入的自评结果" in text and FILE.name in text
    for level3, target, actual, _points, _score in ROWS:
        assert f"{level3} {target} {actual}" in text
    assert "总分" in text and "96" in text
