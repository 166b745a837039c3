"""Tests for the Forge Gate checker and the safe expression parser."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from forge_tui.checker import (
    MAX_INPUT_CHARS,
    GateSpec,
    InputError,
    Verdict,
    check_gate,
    check_step,
    pretty_unicode,
    steps_equal,
    to_sympy,
)

ROOT = Path(__file__).resolve().parents[1]

VECTOR = GateSpec("vector", "8, 9")
DECIMAL = GateSpec("decimal", "5.000", places=3)
SOFTMAX = GateSpec("decimal", "e^3/(e+e^2+e^3)", places=3)
INTEGER = GateSpec("integer", "203264")
EXPR = GateSpec("expression", "4*(h*(h+d)+h)", symbols=("h", "d"))
ALL_SPECS = [VECTOR, DECIMAL, SOFTMAX, INTEGER, EXPR, GateSpec("none", "")]


def accepted(spec: GateSpec, text: str) -> bool:
    v = check_gate(spec, text)
    assert isinstance(v, Verdict)
    if v.accepted:
        assert not v.malformed and v.message == "Correct."
    return v.accepted


# ---------------------------------------------------------------------------- import


def test_import_does_not_load_sympy_and_numeric_gates_stay_light():
    code = (
        "import forge_tui.checker, sys; "
        "from forge_tui.checker import check_gate, GateSpec; "
        "assert check_gate(GateSpec('vector','8, 9'), '8,9').accepted; "
        "assert check_gate(GateSpec('decimal','e^3/(e+e^2+e^3)', 3), '0.665').accepted; "
        "assert check_gate(GateSpec('integer','203264'), '784*256 + 256*10').accepted; "
        "assert 'sympy' not in sys.modules, 'sympy imported'; "
        "assert 'numpy' not in sys.modules, 'numpy imported'"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


# ---------------------------------------------------------------------------- vector


@pytest.mark.parametrize("text", ["8,9", "8, 9", "(8, 9)", "[8 9]", "[8, 9]", "8 9",
                                  " 8 ,9 ", "8.0, 9", "[[2,1],[1,3]] @ [3,2]", "−8+16, 9",
                                  "[8\t9]", "8, 9,"])
def test_vector_accepts(text):
    assert accepted(VECTOR, text), check_gate(VECTOR, text)


@pytest.mark.parametrize("text", ["9, 8", "8", "8, 9, 0", "8,10", "[8 -9]", "[[8, 9], [8, 9]]"])
def test_vector_rejects(text):
    v = check_gate(VECTOR, text)
    assert not v.accepted and not v.malformed, v


def test_vector_messages():
    assert "2 numbers" in check_gate(VECTOR, "8").message.lower()
    assert "you gave 3" in check_gate(VECTOR, "8, 9, 0").message.lower()
    assert "order" in check_gate(VECTOR, "9, 8").message.lower()


def test_vector_with_places():
    spec = GateSpec("vector", "1/3, 2/3", places=2)
    assert accepted(spec, "0.33, 0.67")
    assert accepted(spec, "0.333, 0.667")
    assert not accepted(spec, "0.33, 0.66")


def test_matrix_answer():
    spec = GateSpec("vector", "[[1, 2], [3, 4]]")
    assert accepted(spec, "[[1 2] [3 4]]")
    assert accepted(spec, "(1, 2), (3, 4)")
    assert not accepted(spec, "[[1, 3], [2, 4]]")
    assert not accepted(spec, "1, 2, 3, 4")


# ---------------------------------------------------------------------------- decimal


@pytest.mark.parametrize("text", ["5", "5.0", "5.000", "5.0004", "4.9996", "10/2"])
def test_decimal_accepts(text):
    assert accepted(DECIMAL, text)


@pytest.mark.parametrize("text", ["5.1", "4.99", "5.0005"])
def test_decimal_rejects(text):
    v = check_gate(DECIMAL, text)
    assert not v.accepted and not v.malformed


@pytest.mark.parametrize("text", ["0.665", "0.6652", ".665", "e^3/(e+e^2+e^3)", "0,665".replace(",", ".")])
def test_softmax_accepts(text):
    assert accepted(SOFTMAX, text)


@pytest.mark.parametrize("text", ["0.66", "0.666", "0.67", "0.664"])
def test_softmax_rejects(text):
    v = check_gate(SOFTMAX, text)
    assert not v.accepted and not v.malformed


def test_decimal_fewer_places_message():
    assert "3 decimal places" in check_gate(SOFTMAX, "0.66").message.lower()
    assert "3 decimal places" in check_gate(SOFTMAX, "0.67").message.lower()
    assert "0.666" in check_gate(SOFTMAX, "0.666").message.lower()


def test_decimal_numeric_expression():
    spec = GateSpec("decimal", "0.8991", places=4)
    assert accepted(spec, "0.9*0.999")
    assert accepted(GateSpec("decimal", "0.899", places=3), "0.9 × 0.999")


def test_decimal_round_half_up():
    spec = GateSpec("decimal", "0.125", places=2)  # 0.125 -> 0.13
    assert accepted(spec, "0.13")
    assert not accepted(spec, "0.12")
    assert accepted(GateSpec("decimal", "-0.125", places=2), "-0.13")


# ---------------------------------------------------------------------------- integer


@pytest.mark.parametrize("text", ["203264", "203264.0", "784*256 + 256*10", "2.03264e5",
                                  "203,264".replace(",", "")])
def test_integer_accepts(text):
    assert accepted(INTEGER, text)


def test_integer_rejects():
    v = check_gate(INTEGER, "203263")
    assert not v.accepted and not v.malformed
    v = check_gate(INTEGER, "203264.5")
    assert not v.accepted and "whole number" in v.message.lower()
    v = check_gate(INTEGER, "8, 9")
    assert not v.accepted and not v.malformed


def test_integer_from_floats():
    assert accepted(GateSpec("integer", "2"), "sqrt(4)")
    assert accepted(GateSpec("integer", "5"), "exp(ln(5))")


# ---------------------------------------------------------------------------- expression


@pytest.mark.parametrize("text", ["4*(h*(h+d)+h)", "4h^2+4hd+4h", "4*h**2 + 4*h*d + 4*h",
                                  "4h(h+d+1)", "4h² + 4hd + 4h", "4·h·(h + d + 1)",
                                  "(h+d+1)4h"])
def test_expression_accepts(text):
    assert accepted(EXPR, text), check_gate(EXPR, text)


@pytest.mark.parametrize("text", ["4h^2+4hd", "4*(h*(h+d))"])
def test_expression_rejects(text):
    v = check_gate(EXPR, text)
    assert not v.accepted and not v.malformed


def test_expression_number_message():
    v = check_gate(EXPR, "98816")
    assert not v.accepted and not v.malformed
    assert "expression" in v.message.lower() and "not a number" in v.message.lower()


def test_expression_unknown_name():
    v = check_gate(EXPR, "4x")
    assert not v.accepted and v.malformed
    assert "unknown name 'x'" in v.message.lower() and "h, d" in v.message.lower()


def test_expression_greek_and_underscores():
    spec = GateSpec("expression", "beta_1*2 + lambda + d_k", symbols=("beta_1", "lambda", "d_k"))
    for text in ["β₁*2 + λ + d_k", "2beta_1 + lambda + d_k", "2 β_1 + λ + d_k"]:
        assert accepted(spec, text), text


def test_expression_positive_assumption():
    spec = GateSpec("expression", "log(x*y)", symbols=("x", "y"), assume="positive")
    assert accepted(spec, "log(x) + log(y)")
    assert accepted(spec, "ln x + ln y")
    assert not accepted(spec, "log(x) - log(y)")


def test_expression_real_assumption():
    spec = GateSpec("expression", "sqrt(x^2)", symbols=("x",))
    assert accepted(spec, "abs(x)")
    assert not accepted(spec, "x")


# ---------------------------------------------------------------------------- other kinds


def test_none_kind():
    v = check_gate(GateSpec("none", ""), "anything")
    assert not v.accepted and not v.malformed and "no password" in v.message.lower()


@pytest.mark.parametrize("spec", ALL_SPECS[:-1])
@pytest.mark.parametrize("text", ["", "   ", "\t"])
def test_empty_input(spec, text):
    v = check_gate(spec, text)
    assert not v.accepted and v.malformed and "type an answer first" in v.message.lower()


# ---------------------------------------------------------------------------- safety

INJECTION = "__import__('os').system('touch /tmp/nf_pwned')"


@pytest.mark.parametrize("spec", ALL_SPECS[:-1])
def test_injection_refused(spec):
    target = Path("/tmp/nf_pwned")
    if target.exists():
        target.unlink()
    v = check_gate(spec, INJECTION)
    assert not v.accepted and v.malformed
    assert "__import__" in v.message.lower() and "not allowed" in v.message.lower()
    assert not target.exists()
    with pytest.raises(InputError):
        to_sympy(INJECTION, ["h"])
    with pytest.raises(InputError):
        pretty_unicode(INJECTION)
    assert not target.exists()


@pytest.mark.parametrize("text", [
    "(1).__class__", "[].__class__.__base__", "open('x')", "eval('1')", "exec", "lambda: 1",
    "x[0]", "{1: 2}", "1 if 1 else 2", "sqrt(x=1)", "sqrt(*[1])", "f'{1}'", "b'1'", "1;import os",
    "a := 1", "1 == 1", "1 < 2", "not 1", "1 and 2", "~1", "1 % 2", "1 // 2", "1 << 2",
    "globals()", "__builtins__", "sin.__call__(1)", "1 # comment", "\\x41", "print(1)",
])
def test_python_constructs_refused(text):
    for spec in ALL_SPECS[:-1]:
        v = check_gate(spec, text)
        assert not v.accepted, (spec, text)
        assert v.malformed, (spec, text, v)
        assert "traceback" not in v.message.lower() and "\n" not in v.message.lower()


def _quick(fn, *args, limit=1.0):
    t0 = time.monotonic()
    out = fn(*args)
    assert time.monotonic() - t0 < limit, args
    return out


@pytest.mark.parametrize("text", [
    "9**9**9**9", "9^9^9^9", "2**100000", "2^100000", "1e999", "10^(10^6)",
    "(" * 200 + "1" + ")" * 200, "(" * 60 + "1" + ")" * 60, "[" * 60 + "1" + "]" * 60,
    "1" * 10000, "x" * 10000, "9" * (MAX_INPUT_CHARS + 1), "-" * 390 + "1",
    "999^999*999^999*999^999*999^999", "(10^300)^1000", "exp(10^300)", "sin(10^999)",
    "[[1]*100]", "[[1,2],[3,4]]^1000000", "1/" * 150 + "1", "+".join(["1"] * 199),
    "e^e^e^e^e", "((2^1000)^1000)^1000", "sqrt(" * 39 + "2" + ")" * 39,
])
def test_huge_inputs_refused_or_fast(text):
    for spec in ALL_SPECS:
        v = _quick(check_gate, spec, text)
        assert not v.accepted


def test_huge_exponents_refused_quickly():
    for text in ["9**9**9**9", "2**100000", "1e999", "(" * 100 + "1" + ")" * 100]:
        v = _quick(check_gate, INTEGER, text)
        assert v.malformed, (text, v)
    v = _quick(check_gate, EXPR, "h**(10**6)")
    assert v.malformed and "exponent" in v.message.lower()
    with pytest.raises(InputError):
        _quick(to_sympy, "x**(10**6)", ["x"])
    with pytest.raises(InputError):
        _quick(to_sympy, "9**9**9**9")
    with pytest.raises(InputError):
        _quick(to_sympy, "1e999")
    with pytest.raises(InputError):
        _quick(to_sympy, "x" * 10000, ["x"])


def test_matrix_size_limit():
    big = "[" + ",".join("[" + ",".join(["1"] * 11) + "]" for _ in range(11)) + "]"
    assert len(big) <= MAX_INPUT_CHARS
    v = check_gate(VECTOR, big)
    assert v.malformed and "10×10" in v.message.lower()
    ok = "[" + ",".join("[" + ",".join(["1"] * 10) + "]" for _ in range(10)) + "]"
    assert not check_gate(VECTOR, ok).malformed


def test_domain_errors_are_wrong_not_malformed():
    for text in ["1/0", "sqrt(-1)", "log(0)", "inv([[1,2],[2,4]])"]:
        v = check_gate(INTEGER, text)
        assert not v.accepted and not v.malformed, (text, v)


def test_friendly_messages():
    assert "without '='" in check_gate(INTEGER, "x = 5").message.lower()
    assert "without '='" in check_gate(VECTOR, "v = 8, 9").message.lower()
    assert "without '='" in check_gate(INTEGER, "5 = 5").message.lower()
    assert "never closed" in check_gate(INTEGER, "(1+2").message.lower()
    assert "no matching" in check_gate(INTEGER, "1+2)").message.lower()
    assert "brackets" in check_gate(INTEGER, "sqrt").message.lower()
    assert "quotes" in check_gate(INTEGER, "'5'").message.lower()


# ---------------------------------------------------------------------------- derivations


def test_steps_equal_examples():
    assert steps_equal("diff(x^2*y + exp(y), y)", "x^2 + exp(y)", ["x", "y"])
    assert steps_equal("x^2 + exp(y)", "5", ["x", "y"], at="x=2, y=0")
    assert steps_equal("[[2,1],[1,3]] @ [3,2]", "[8, 9]")
    assert steps_equal("det([[4,1],[2,3]])", "10")
    assert not steps_equal("x^2 + exp(y)", "x^2 + y*exp(y)", ["x", "y"])
    assert not steps_equal("x^2 + exp(y)", "6", ["x", "y"], at="x=2, y=0")
    assert not steps_equal("[[2,1],[1,3]] @ [3,2]", "[9, 8]")


def test_steps_equal_more():
    assert steps_equal("sin(x)^2 + cos(x)^2", "1", ["x"])
    assert steps_equal("diff(x^3, x, 2)", "6x", ["x"])
    assert steps_equal("diff(x^2*y^2, x, y)", "4x y", ["x", "y"])
    assert steps_equal("[[a,b],[c,d]] @ [x,y]", "[a x + b y, c x + d y]",
                       ["a", "b", "c", "d", "x", "y"])
    assert steps_equal("inv([[a,b],[c,d]])", "1/(a d - b c) [[d,-b],[-c,a]]",
                       ["a", "b", "c", "d"])
    assert steps_equal("dot([a,b],[c,d])", "a c + b d", ["a", "b", "c", "d"])
    assert steps_equal("norm([3,4])", "5")
    assert steps_equal("sigmoid(z)", "1/(1+exp(-z))", ["z"])
    assert steps_equal("log(x, 2)", "ln(x)/ln(2)", ["x"], assume="positive")
    assert steps_equal("exp(a)/(exp(a)+exp(b))", "sigmoid(a-b)", ["a", "b"])
    assert steps_equal("sqrt(d_k)^2", "d_k", ["d_k"], assume="positive")
    assert steps_equal("[x, y]", "[1, 2]", ["x", "y"], at="x=1, y=2")
    assert not steps_equal("[x, y]", "[1, 2, 3]", ["x", "y"], at="x=1, y=2")


def test_steps_equal_bad_content_raises():
    with pytest.raises(InputError):
        steps_equal("x +", "x", ["x"])
    with pytest.raises(InputError):
        steps_equal("x", "x", ["x"], at="q=1")


def test_check_step():
    assert check_step("2*x", " x+x ", ["x"]).accepted
    v = check_step("2*x", "x", ["x"])
    assert not v.accepted and not v.malformed
    v = check_step("2*x", "2y", ["x"])
    assert v.malformed and "unknown name 'y'" in v.message.lower()
    v = check_step("2*x", "", ["x"])
    assert v.malformed
    v = _quick(check_step, "2*x", INJECTION, ["x"])
    assert v.malformed


def test_to_sympy_shapes():
    import sympy

    m = to_sympy("[[2,1],[1,3]]")
    assert isinstance(m, sympy.MatrixBase) and m.shape == (2, 2)
    v = to_sympy("8, 9")
    assert isinstance(v, sympy.MatrixBase) and v.shape == (2, 1)
    x = sympy.Symbol("x", real=True)
    assert to_sympy("diff(x^2, x)", ["x"]) == 2 * x
    assert to_sympy("e") == sympy.E and to_sympy("pi") == sympy.pi
    assert to_sympy("x", ["x"], assume="positive").is_positive


def test_pretty_unicode():
    out = pretty_unicode("e^3/(e+e^2+e^3)")
    assert out.strip() and "\n" in out and "─" in out
    d = pretty_unicode("diff(x^2*y + exp(y), y)", ["x", "y"])
    assert "∂" in d
    assert "5.000" in pretty_unicode("5.000")
    assert "β" in pretty_unicode("beta^2", ["beta"])
    with pytest.raises(InputError):
        pretty_unicode("9^9^9^9")


def test_unicode_normalisation():
    assert accepted(GateSpec("integer", "9"), "3²")
    assert accepted(GateSpec("integer", "4"), "√16")
    assert accepted(GateSpec("integer", "12"), "3 × 4")
    assert accepted(GateSpec("integer", "-3"), "−3")
    assert accepted(GateSpec("decimal", "2*pi", places=3), "2π")
    assert accepted(GateSpec("decimal", "2*sqrt(2)", places=4), "2√2")
    assert accepted(GateSpec("integer", "12"), "１２")  # full-width digits


def test_functions_numeric():
    cases = {
        "abs(-3)": "3", "max(1, 2)": "2", "min([4, 3])": "3", "norm([3, 4])": "5",
        "dot([1,2],[3,4])": "11", "trace([[1,2],[3,4]])": "5", "det([[4,1],[2,3]])": "10",
        "log(8, 2)": "3", "sigmoid(0)*2": "1", "tanh(0)": "0", "cos(0)": "1",
        "exp(0)": "1", "sin(pi)": "0",
    }
    for text, want in cases.items():
        assert accepted(GateSpec("integer", want), text), text
    assert accepted(GateSpec("vector", "[[-2, 1], [1.5, -0.5]]"), "inv([[1,2],[3,4]])")
    assert accepted(GateSpec("vector", "[[1, 3], [2, 4]]"), "transpose([[1,2],[3,4]])")


# ---------------------------------------------------------------------------- spelled as people type them

BIG = GateSpec("integer", "4718592")
CASE_SENSITIVE = GateSpec("expression", "n*N + n", symbols=("n", "N"))


@pytest.mark.parametrize("text", ["8;9", "(8;9)", "{8, 9}", "8; 9", "[8; 9]", "{8 9}", "{8;9}",
                                  "8;9;"])
def test_vector_accepts_semicolons_and_braces(text):
    assert accepted(VECTOR, text), check_gate(VECTOR, text)


def test_semicolons_end_rows_as_in_matlab():
    spec = GateSpec("vector", "[[1, 2], [3, 4]]")
    assert accepted(spec, "[1 2; 3 4]")
    assert accepted(spec, "1, 2; 3, 4")
    assert not accepted(spec, "[1 3; 2 4]")
    v = check_gate(VECTOR, "8;;9")
    assert v.malformed and "';'" in v.message


def test_braces_group_like_brackets_in_expressions():
    assert accepted(EXPR, "4*{h*(h+d)+h}")


@pytest.mark.parametrize("text", ["4,718,592", "4_718_592", "4 718 592", "4\u202f718\u202f592",
                                  "4718592"])
def test_integer_accepts_thousands_groups(text):
    assert accepted(BIG, text), check_gate(BIG, text)


@pytest.mark.parametrize("text", ["203,264", "203_264", "203 264", "+203,264"])
def test_integer_accepts_one_thousands_group(text):
    assert accepted(INTEGER, text), check_gate(INTEGER, text)


@pytest.mark.parametrize("text", ["47,18,592", "4,7185,92", "47_18_592", "4,718 592", "4,718,59"])
def test_integer_refuses_groups_not_of_three(text):
    v = check_gate(BIG, text)
    assert not v.accepted and v.malformed, v
    assert "threes" in v.message, v


@pytest.mark.parametrize("spec", [SOFTMAX, DECIMAL, INTEGER])
def test_a_decimal_comma_is_named_as_ambiguous(spec):
    v = check_gate(spec, "0,665")
    assert not v.accepted and v.malformed, v
    assert "decimal" in v.message and "comma" in v.message and "0.665" in v.message, v
    assert "list of 2" not in v.message


def test_a_comma_with_a_space_is_still_a_list():
    v = check_gate(SOFTMAX, "0, 665")
    assert not v.accepted and "list of 2" in v.message


@pytest.mark.parametrize("text", ["66.5%", "66.52 %", "66.5 %", "133/2 %"])
def test_a_percent_reads_as_a_fraction(text):
    assert accepted(SOFTMAX, text), check_gate(SOFTMAX, text)


def test_a_percent_keeps_the_places_rule():
    assert not accepted(SOFTMAX, "66.4%")
    v = check_gate(SOFTMAX, "67%")  # 0.67: right to 2 places
    assert not v.accepted and v.imprecise and "3 decimal places" in v.message


def test_symbols_accept_either_case_when_nothing_clashes():
    for text in ["4*(H*(H+D)+H)", "4H^2+4HD+4H", "4*(h*(H+d)+H)"]:
        assert accepted(EXPR, text), check_gate(EXPR, text)


def test_symbols_that_differ_only_by_case_keep_their_case():
    assert accepted(CASE_SENSITIVE, "n(N + 1)")
    assert not accepted(CASE_SENSITIVE, "N(n + 1)")
    assert not accepted(CASE_SENSITIVE, "n(n + 1)")


@pytest.mark.parametrize("text", ["10^400 0", "10^400, 10^400", "0, 10^400", "-10^400 3"])
def test_a_vector_too_big_for_a_float_is_wrong_not_an_error(text):
    v = check_gate(VECTOR, text)
    assert not v.accepted and not v.malformed, v
    assert v.message.startswith("Not quite"), v


def test_a_number_too_big_for_a_float_against_an_inexact_answer_is_wrong():
    v = check_gate(GateSpec("decimal", "e"), "10^400")
    assert not v.accepted and not v.malformed and v.message.startswith("Not quite"), v
    v = check_gate(GateSpec("vector", "e, pi"), "10^400 1")
    assert not v.accepted and not v.malformed and v.message.startswith("Not quite"), v


def test_a_precision_only_miss_says_so():
    v = check_gate(SOFTMAX, "0.67")
    assert not v.accepted and not v.malformed and v.imprecise, v
    assert "right to 2 decimal places" in v.message and "asks for 3 decimal places" in v.message
    v = check_gate(SOFTMAX, "0.7")
    assert v.imprecise, v


def test_fewer_places_and_a_wrong_value_is_simply_wrong():
    v = check_gate(SOFTMAX, "0.66")  # 0.665 is 0.67 to two places
    assert not v.accepted and not v.imprecise, v
    assert "3 decimal places" in v.message
    assert not check_gate(SOFTMAX, "0.666").imprecise
