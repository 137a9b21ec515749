"""Reading, checking and counting answers: pure functions over plain values (no Django).

The public form, the results page, the charts and the Excel export all take their numbers
from :func:`tally`, so a count can never differ between two of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jixiao.core.numbers import percent

SINGLE, MULTIPLE, RATING, TEXT = "single", "multiple", "rating", "text"
CHOSEN = (SINGLE, RATING)  # one choice
TEXT_LIMIT = 1000  # characters of a text answer


@dataclass(frozen=True)
class QuestionSpec:
    """A question as the checks and counts need it."""

    key: str  # the form field's name and the answers' key, e.g. "q12"
    text: str
    kind: str
    choices: tuple[str, ...] = ()
    required: bool = False


Answer = str | list[str]


def clean_answers(
    questions: Sequence[QuestionSpec], raw: Mapping[str, Sequence[str]]
) -> tuple[dict[str, Answer], dict[str, str]]:
    """The answers a form posted, and an error per question (Chinese) where one is wrong.

    ``raw`` maps a field name to every value posted under it (a QueryDict's lists). An answer
    that is not one of the question's choices is refused, never stored.
    """
    answers: dict[str, Answer] = {}
    errors: dict[str, str] = {}
    for q in questions:
        values = [v.strip() for v in raw.get(q.key, []) if v and v.strip()]
        if q.kind == TEXT:
            text = values[0] if values else ""
            if len(text) > TEXT_LIMIT:
                errors[q.key] = f"不超过 {TEXT_LIMIT} 字。"
            elif text:
                answers[q.key] = text
        elif q.kind == MULTIPLE:
            picked = list(dict.fromkeys(values))
            if any(v not in q.choices for v in picked):
                errors[q.key] = "请从选项中选择。"
            elif picked:
                answers[q.key] = [c for c in q.choices if c in picked]
        else:
            if len(values) > 1 or (values and values[0] not in q.choices):
                errors[q.key] = "请从选项中选择一项。"
            elif values:
                answers[q.key] = values[0]
        if q.required and q.key not in answers and q.key not in errors:
            errors[q.key] = "此题必答。"
    return answers, errors


def is_complete(questions: Sequence[QuestionSpec], answers: Mapping[str, Answer]) -> bool:
    """Whether every required question has an answer (the ledger record's 有效问卷)."""
    return all(q.key in answers for q in questions if q.required)


@dataclass
class ChoiceCount:
    """How many answers chose one option, and their share of the question's answers."""

    label: str
    count: int
    percent: Decimal  # of the responses that answered the question, 2 places


@dataclass
class QuestionTally:
    """One question's results."""

    key: str
    text: str
    kind: str
    answered: int
    choices: list[ChoiceCount] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def chart(self) -> dict[str, Any]:
        """The series the page's chart draws (numbers as strings, as the other charts)."""
        return {
            "title": self.text,
            "labels": [c.label for c in self.choices],
            "counts": [c.count for c in self.choices],
            "percents": [str(c.percent) for c in self.choices],
        }


def _percent(part: int, whole: int) -> Decimal:
    """core's percent rule; 0.00 for a question nobody answered."""
    return percent(Decimal(part), Decimal(whole)) or Decimal("0.00")


def tally(
    questions: Sequence[QuestionSpec], responses: Sequence[Mapping[str, Answer]]
) -> list[QuestionTally]:
    """Each question's counts per option (in the question's order) and its text answers."""
    results = []
    for q in questions:
        given = [r[q.key] for r in responses if q.key in r]
        result = QuestionTally(q.key, q.text, q.kind, answered=len(given))
        if q.kind == TEXT:
            result.texts = [str(v) for v in given]
        else:
            counts = dict.fromkeys(q.choices, 0)
            for value in given:
                for picked in value if isinstance(value, list) else [value]:
                    if picked in counts:
                        counts[picked] += 1
            result.choices = [
                ChoiceCount(label, n, _percent(n, len(given))) for label, n in counts.items()
            ]
        results.append(result)
    return results
