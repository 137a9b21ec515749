"""The pure checks and counts of answers."""

from __future__ import annotations

from decimal import Decimal

from jixiao.surveys.answers import QuestionSpec, clean_answers, is_complete, tally

RATING = QuestionSpec("q1", "总体评价", "rating", ("非常满意", "满意", "基本满意", "不满意"), True)
CHANNELS = QuestionSpec("q2", "渠道", "multiple", ("微信", "现场", "电视"), False)
NOTE = QuestionSpec("q3", "建议", "text", (), False)
QUESTIONS = [RATING, CHANNELS, NOTE]


def test_clean_answers_keeps_choices_in_the_questions_order_and_trims_text() -> None:
    answers, errors = clean_answers(
        QUESTIONS, {"q1": ["满意"], "q2": ["电视", "微信", "电视"], "q3": ["  很好  "]}
    )
    assert errors == {}
    assert answers == {"q1": "满意", "q2": ["微信", "电视"], "q3": "很好"}


def test_a_missing_required_answer_and_an_unknown_choice_are_refused() -> None:
    answers, errors = clean_answers(QUESTIONS, {"q2": ["短信"]})
    assert answers == {}
    assert errors == {"q1": "此题必答。", "q2": "请从选项中选择。"}


def test_two_values_for_a_single_choice_are_refused() -> None:
    _answers, errors = clean_answers(QUESTIONS, {"q1": ["满意", "不满意"]})
    assert errors == {"q1": "请从选项中选择一项。"}


def test_an_overlong_text_is_refused() -> None:
    _answers, errors = clean_answers(QUESTIONS, {"q1": ["满意"], "q3": ["字" * 1001]})
    assert errors == {"q3": "不超过 1000 字。"}


def test_is_complete_needs_every_required_answer() -> None:
    assert is_complete(QUESTIONS, {"q1": "满意"})
    assert not is_complete(QUESTIONS, {"q2": ["微信"]})


def test_tally_counts_each_option_with_its_share_of_the_answers() -> None:
    responses = [
        {"q1": "非常满意", "q2": ["微信", "现场"]},
        {"q1": "满意", "q2": ["微信"], "q3": "多办活动"},
        {"q1": "满意"},
    ]
    rating, channels, note = tally(QUESTIONS, responses)
    assert [(c.label, c.count, c.percent) for c in rating.choices] == [
        ("非常满意", 1, Decimal("33.33")),
        ("满意", 2, Decimal("66.67")),
        ("基本满意", 0, Decimal("0.00")),
        ("不满意", 0, Decimal("0.00")),
    ]
    assert channels.answered == 2
    assert [(c.label, c.count, c.percent) for c in channels.choices] == [
        ("微信", 2, Decimal("100.00")),
        ("现场", 1, Decimal("50.00")),
        ("电视", 0, Decimal("0.00")),
    ]
    assert note.texts == ["多办活动"]
    assert rating.chart() == {
        "title": "总体评价",
        "labels": ["非常满意", "满意", "基本满意", "不满意"],
        "counts": [1, 2, 0, 0],
        "percents": ["33.33", "66.67", "0.00", "0.00"],
    }
