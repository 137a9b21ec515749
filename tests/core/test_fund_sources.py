"""Spending split by fund source (资金来源): records that name one count there; the rest goes
where the budget leaves no doubt, and otherwise makes the rows it could belong to unknown."""

from __future__ import annotations

from decimal import Decimal as D

from jixiao.core.monitoring import Funds, spending_by_source

ZERO = D(0)


def test_records_that_all_name_their_source_are_exact() -> None:
    # 10万 fiscal + 5万 other; 3万 paid from 财政拨款, 1万 from 其他资金, nothing unsourced.
    split = spending_by_source(Funds(D(3), ZERO, D(1)), ZERO, Funds(D(10), None, D(5)))
    assert split == Funds(D(3), ZERO, D(1))


def test_unsourced_money_in_a_mixed_budget_leaves_both_rows_unknown() -> None:
    # 3 + 1 are only lower bounds while 0.5 could be either: no proportion is guessed.
    split = spending_by_source(Funds(D(3), ZERO, D(1)), D("0.5"), Funds(D(10), None, D(5)))
    assert split == Funds(None, ZERO, None)


def test_unsourced_money_goes_to_the_only_source_with_money() -> None:
    # All fiscal (其他资金 0): 3 sourced + 0.5 unsourced = 3.5 fiscal.
    assert spending_by_source(Funds(D(3), ZERO, ZERO), D("0.5"), Funds(D(15), None, ZERO)) == Funds(
        D("3.5"), ZERO, ZERO
    )
    # All other money (财政拨款 0): 2 unsourced + 1 sourced = 3 other.
    assert spending_by_source(Funds(ZERO, ZERO, D(1)), D(2), Funds(ZERO, None, D(8))) == Funds(
        ZERO, ZERO, D(3)
    )


def test_a_stated_carryover_is_a_source_of_its_own() -> None:
    # 5 fiscal + 2 carried over: unsourced 0.5 could be either, 其他资金 (budget 0) keeps its 0.
    assert spending_by_source(Funds(D(2), D(1), ZERO), D("0.5"), Funds(D(5), D(2), ZERO)) == Funds(
        None, None, ZERO
    )
    # Everything sourced: 2 fiscal, 1 carried over.
    assert spending_by_source(Funds(D(2), D(1), ZERO), ZERO, Funds(D(5), D(2), ZERO)) == Funds(
        D(2), D(1), ZERO
    )


def test_a_carryover_left_unstated_is_none() -> None:
    # No carry-over stated: 4 unsourced on an all-fiscal budget is fiscal.
    assert spending_by_source(Funds(ZERO, ZERO, ZERO), D(4), Funds(D(15), None, ZERO)) == Funds(
        D(4), ZERO, ZERO
    )


def test_an_unstated_fiscal_or_other_part_may_hold_money() -> None:
    # Only the total is known (fiscal and other None): the split of 4 is unknown.
    assert spending_by_source(Funds(), D(4), Funds(None, None, None)) == Funds(None, ZERO, None)
    # Other money left unstated beside 10 fiscal: it may exist, so 4 is not all fiscal.
    assert spending_by_source(Funds(), D(4), Funds(D(10), None, None)) == Funds(None, ZERO, None)


def test_a_budget_of_zeros_puts_unsourced_money_on_fiscal() -> None:
    assert spending_by_source(Funds(), D(4), Funds(ZERO, ZERO, ZERO)) == Funds(D(4), ZERO, ZERO)


def test_money_sourced_where_the_budget_has_none_still_counts_there() -> None:
    # A 上年结转 record with no carry-over stated: 1 shows as spent from 上年结转.
    assert spending_by_source(Funds(D(3), D(1), ZERO), ZERO, Funds(D(15), None, ZERO)) == Funds(
        D(3), D(1), ZERO
    )
