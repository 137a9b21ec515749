"""Rounding and percentages: the one place that says how a figure is rounded.

Every figure shown or stored is rounded half up to 2 places (rules.md), computed from exact
values (Decimal or Fraction) and rounded once.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def round2(value: Decimal | Fraction | int) -> Decimal:
    """``value`` rounded half up (away from zero on a tie) to 2 places; a Fraction exactly."""
    if isinstance(value, Fraction):
        cents = math.floor(abs(value) * 100 + Fraction(1, 2))
        return Decimal(cents if value > 0 else -cents).scaleb(-2).quantize(CENT)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part / whole × 100`` rounded half up to 2 places; None when ``whole`` is 0."""
    if not whole:
        return None
    return round2(part / whole * 100)
