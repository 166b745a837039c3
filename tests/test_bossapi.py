"""bossapi.compare, the one tolerant comparison of every boss and lab check: its verdicts and the
line a player reads (what, where, both values, by how much, what was allowed)."""

from __future__ import annotations

import numpy as np

from forge_tui.bossapi import compare


def test_equal_arrays_pass_with_no_message():
    assert compare([[1.0, 2.0]], np.array([[1.0, 2.0]])) == (True, "")


def test_the_message_names_the_worst_entry_both_values_the_error_the_allowance_and_the_count():
    want = np.zeros((2, 3))
    got = want.copy()
    got[0, 1], got[1, 2] = 1e-3, 5e-3
    ok, message = compare(got, want, atol=1e-6, name="out")
    assert not ok
    assert message == "out[1, 2] is 0.005, expected 0 (off by 0.005; allowed 1e-06; 2 of 6 entries are off)"


def test_a_scalar_has_no_index():
    assert compare(1.5, 1.0, atol=1e-9, name="the loss") == (
        False, "the loss is 1.5, expected 1 (off by 0.5; allowed 1e-09)")


def test_the_tolerance_is_inclusive_and_exactly_as_given():
    assert compare(1.0 + 2**-20, 1.0, atol=2**-20)[0]
    assert not compare(1.0 + 2**-19, 1.0, atol=2**-20)[0]
    assert compare(102.0, 100.0, rtol=0.02, atol=0.0)[0]
    assert not compare(102.5, 100.0, rtol=0.02, atol=0.0)[0]


def test_shape_comes_first_and_names_the_layout():
    ok, message = compare([[np.nan, 1.0]], [1.0, 2.0], name="weights", layout="(N, L, S)")
    assert not ok and message == "weights has shape (1, 2), expected (2,) (N, L, S)"


def test_nan_and_inf_are_never_close_and_the_message_says_where():
    for bad in (np.nan, np.inf, -np.inf):
        got = np.ones((2, 2))
        got[1, 0] = bad
        ok, message = compare(got, np.ones((2, 2)), atol=1e9, name="h")
        assert not ok and message == f"h[1, 0] is {bad}, expected 1"


def test_what_is_not_numbers_is_said_so():
    for junk in ("x", {"a": 1}, [[1.0], [1.0, 2.0]], None, [None]):
        ok, message = compare(junk, [1.0], name="dW")
        assert not ok and message == "dW is not an array of numbers"


def test_relative_mode_is_absolute_below_one_and_relative_above():
    want = np.array([0.5, 1000.0])
    assert compare(want + [0.9e-6, 0.9e-3], want, atol=1e-6, relative=True)[0]
    ok, message = compare(want + [0.0, 2e-3], want, atol=1e-6, relative=True, name="dW")
    assert not ok and message == "dW[1] is 1000.002, expected 1000 (off by 0.002; allowed 0.001; 1 of 2 entries are off)"
    assert not compare(want + [2e-6, 0.0], want, atol=1e-6, relative=True)[0]


def test_the_worst_entry_is_the_one_furthest_past_its_allowance():
    want = np.array([1000.0, 0.0])
    got = want + [5e-4, 1e-5]  # the first is further off, but the second is further past what it may be
    ok, message = compare(got, want, atol=1e-6, relative=True, name="g")
    assert not ok and message.startswith("g[1] is 1e-05")
