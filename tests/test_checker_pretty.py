"""A step is printed as written, with its numbers as numbers: a minus sign on a number makes a
negative number (-1, -2/3), never a product with -1 (-1⋅1, -1⋅2/3)."""

from __future__ import annotations

import pytest

from forge_tui.checker import pretty_unicode


@pytest.mark.parametrize("expr, symbols, shown", [
    ("-1", "", "-1"),
    ("-2*theta", "theta", "-2⋅θ"),
    ("-(1/2)", "", "-1/2"),
    ("-x", "x", "-x"),
    ("-(x + 1)", "x", "-(x + 1)"),
    ("-0.5", "", "-0.5"),
])
def test_a_negative_number_prints_as_one(expr, symbols, shown):
    assert pretty_unicode(expr, symbols) == shown


@pytest.mark.parametrize("expr", ["[4, -1]", "-2/3", "-1/2", "10^(-1/20)", "sqrt(3/14)*[-2, -1, 3]", "-3/2*x"])
def test_no_product_with_minus_one(expr):
    shown = pretty_unicode(expr, "x")
    assert "-1⋅" not in shown and "⋅1\n" not in shown, shown


def test_a_statement_keeps_its_written_products():
    """The form as typed stays: 1·2 + 2·0 is what the author wrote, to be read term by term."""
    assert pretty_unicode("1*2 + 2*0 + 2*1") == "1⋅2 + 2⋅0 + 2⋅1"

