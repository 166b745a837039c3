"""bossapi.compare, the one tolerant comparison of every boss and lab check: its verdicts and the
line a player reads (what, where, both values, by how much, what was allowed)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np

from conftest import REPO
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


# ---------------------------------------------------------------- one comparison for every judge

JUDGE_FILES = ("boss.py", "checks.py")
OWN_COMPARISON = re.compile(r"compare|close|differs", re.IGNORECASE)
TOLERANT_CALLS = {"allclose", "isclose"}


def own_comparisons(path: Path) -> list[str]:
    """What in a boss or checks file compares by itself instead of through bossapi.compare: a call
    to np.allclose / np.isclose / math.isclose, or a function named like a comparison."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and OWN_COMPARISON.search(node.name):
            found.append(f"{path.parent.name}/{path.name}:{node.lineno} defines {node.name}")
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in TOLERANT_CALLS:
                found.append(f"{path.parent.name}/{path.name}:{node.lineno} calls {name}")
    return found


def judge_files(root: Path) -> list[Path]:
    return sorted(p for name in JUDGE_FILES for p in (root / "bosses").glob(f"*/{name}"))


def test_every_boss_and_checks_module_compares_only_through_bossapi_compare():
    """The rule: no boss or checks module calls np.allclose / np.isclose / math.isclose or defines a
    function named like a comparison (compare, close, differs); each imports bossapi.compare and
    hands it its tolerance."""
    files = judge_files(REPO)
    assert len(files) >= 20
    assert [found for path in files for found in own_comparisons(path)] == []
    importing = re.compile(r"^from forge_tui\.bossapi import .*\bcompare\b", re.M)
    assert [str(p) for p in files if not importing.search(p.read_text())] == []


def test_the_rule_catches_a_private_comparison_and_a_direct_allclose(tmp_path):
    boss = tmp_path / "bosses" / "sneaky" / "boss.py"
    boss.parent.mkdir(parents=True)
    boss.write_text("import numpy as np\n\ndef _close(a, b):\n    return np.allclose(a, b)\n\n"
                    "def judge(case, got):\n    return bool(np.isclose(got, 1.0)), '1', ''\n")
    assert own_comparisons(boss) == ["sneaky/boss.py:3 defines _close", "sneaky/boss.py:4 calls allclose",
                                     "sneaky/boss.py:7 calls isclose"]
