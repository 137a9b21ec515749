"""The seed's counted indicators as metric definitions (docs/metrics.md), shared by the tests."""

from __future__ import annotations

from typing import Any

MUST = {"field": "must_handle", "op": "=", "value": True}
HIGHER = {"field": "level", "op": "in", "value": ["市", "省", "中央"]}

ALERTS: dict[str, Any] = {"kind": "events", "ledger": "opinion", "states": ["预警", "研判"]}
DISPOSAL: dict[str, Any] = {
    "kind": "ratio",
    "numerator": {"kind": "count", "ledger": "opinion", "filters": [MUST, {"reached": "处置"}]},
    "denominator": {"kind": "count", "ledger": "opinion", "filters": [MUST]},
    "scale": "100",
}
TIMELY: dict[str, Any] = {
    "kind": "ratio",
    "numerator": {
        "kind": "count",
        "ledger": "task",
        "filters": [{"field": "completed_on", "op": "<=", "other_field": "due_on"}],
    },
    "denominator": {"kind": "count", "ledger": "task"},
    "scale": "100",
}
BUDGET: dict[str, Any] = {
    "kind": "ratio",
    "numerator": {"kind": "sum", "ledger": "expenditure", "field": "amount"},
    "denominator": {"kind": "budget"},
    "scale": "100",
}
POSTS: dict[str, Any] = {"kind": "count", "ledger": "post", "scope": "unit"}
ADOPTION: dict[str, Any] = {
    "kind": "ratio",
    "numerator": {
        "kind": "count",
        "ledger": "submission",
        "filters": [HIGHER, {"field": "adopted", "op": "=", "value": True}],
        "scope": "unit",
    },
    "denominator": {"kind": "count", "ledger": "submission", "filters": [HIGHER], "scope": "unit"},
    "scale": "100",
}
MANUAL: dict[str, Any] = {"kind": "manual"}


def count(ledger: str, *filters: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A count definition."""
    return {"kind": "count", "ledger": ledger, "filters": list(filters), **extra}
