"""Property tests: whatever a player types, the checker answers quickly, never raises and
never runs anything."""

from __future__ import annotations

import builtins
import contextlib
import os
import subprocess
import time
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forge_tui.checker import (
    GateSpec,
    InputError,
    Verdict,
    check_gate,
    check_step,
    pretty_unicode,
    steps_equal,
    to_sympy,
)

SPECS = [
    GateSpec("vector", "8, 9"),
    GateSpec("vector", "1/3, 2/3", places=2),
    GateSpec("decimal", "e^3/(e+e^2+e^3)", places=3),
    GateSpec("integer", "203264"),
    GateSpec("expression", "4*(h*(h+d)+h)", symbols=("h", "d")),
    GateSpec("expression", "log(x*y)", symbols=("x", "y"), assume="positive"),
    GateSpec("none", ""),
]
TIME_LIMIT_S = 1.0
CANARY = Path("/tmp/nf_pwned")

FRAGMENTS = [
    *"0123456789", "00", "9", "99", ".", "_", " ", "  ", ",", "+", "-", "*", "/", "^", "**",
    "@", "(", ")", "[", "]", "e", "pi", "h", "d", "x", "y", "hd", "4h", "1e", "1e999",
    "e-3", "^9", "^-1", "sqrt(", "exp(", "log(", "ln", "sin(", "tanh(", "sigmoid(", "abs(",
    "max(", "min(", "diff(", "det(", "trace(", "transpose(", "inv(", "dot(", "norm(", "²",
    "³", "√", "π", "−", "×", "·", "β", "₁", "λ", "⁻¹", "'", '"', "=", "==", "%", "//", "!",
    "#", "\\", ";", ":", "{", "}", "lambda", "__import__", "os", ".system", "__class__",
    "\n", "\t", "\x00", "j", "0x", "_1", "[[", "]]", "],[", "1,2", "[[1,2],[3,4]]",
]
expressionish = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)
any_text = st.text(max_size=80)


VIOLATIONS: list[str] = []


def _refuse(*args, **kwargs):
    VIOLATIONS.append(f"run: {args!r:.80}")
    raise AssertionError("the checker tried to run something")


def _make_guarded(real):
    def guarded(source, *args, **kwargs):
        # importlib runs a module's code object with exec: a library import, not input
        code = getattr(source, "co_filename", "")
        if code and not code.startswith("<") and os.path.exists(code):
            return real(source, *args, **kwargs)
        VIOLATIONS.append(f"{real.__name__}: {source!r:.80}")
        raise AssertionError("the checker tried to run something")

    return guarded


@contextlib.contextmanager
def nothing_runs():
    """Make eval/exec, compile-for-execution, shell and dangerous imports raise."""
    real_import = builtins.__import__
    real_compile = builtins.compile
    import ast as _ast

    def guarded_import(name, *args, **kwargs):
        if name.split(".")[0] in ("os", "subprocess", "shutil", "socket", "pty", "ctypes"):
            # already-imported modules may be re-imported by library code; new ones may not
            import sys

            if name not in sys.modules:
                VIOLATIONS.append(f"import: {name}")
                raise AssertionError(f"the checker imported {name}")
        return real_import(name, *args, **kwargs)

    def guarded_compile(source, filename, mode, flags=0, *args, **kwargs):
        from_file = isinstance(filename, str) and os.path.exists(filename)
        if not flags & _ast.PyCF_ONLY_AST and not from_file:
            VIOLATIONS.append(f"compile: {source!r:.80}")
            raise AssertionError("the checker compiled code for execution")
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    VIOLATIONS.clear()
    with mock.patch.object(builtins, "eval", _make_guarded(builtins.eval)), \
            mock.patch.object(builtins, "exec", _make_guarded(builtins.exec)), \
            mock.patch.object(builtins, "compile", guarded_compile), \
            mock.patch.object(builtins, "__import__", guarded_import), \
            mock.patch.object(os, "system", _refuse), \
            mock.patch.object(os, "popen", _refuse), \
            mock.patch.object(subprocess, "Popen", _refuse):
        yield


@pytest.fixture(scope="module", autouse=True)
def warm_up():
    # importing sympy the first time takes a while; don't count it against the limits
    check_gate(SPECS[4], "h")
    pretty_unicode("x/2", ["x"])
    if CANARY.exists():
        CANARY.unlink()
    yield
    assert not CANARY.exists()


def _check_all(text: str) -> None:
    with nothing_runs():
        for spec in SPECS:
            t0 = time.monotonic()
            v = check_gate(spec, text)
            elapsed = time.monotonic() - t0
            assert isinstance(v, Verdict)
            assert isinstance(v.message, str) and v.message and "\n" not in v.message
            assert "Traceback" not in v.message
            assert elapsed < TIME_LIMIT_S, (spec, text, elapsed)
            if v.accepted:
                assert not v.malformed
    assert not VIOLATIONS, VIOLATIONS
    assert not CANARY.exists()


SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(any_text)
def test_gate_never_raises_on_any_text(text):
    _check_all(text)


@SETTINGS
@given(expressionish)
def test_gate_never_raises_on_expressionish_text(text):
    _check_all(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressionish)
def test_sympy_entry_points_only_raise_input_error(text):
    with nothing_runs():
        t0 = time.monotonic()
        v = check_step("4*(h*(h+d)+h)", text, ("h", "d"))
        assert isinstance(v, Verdict)
        for fn in (to_sympy, pretty_unicode):
            try:
                fn(text, ("h", "d", "x", "y"))
            except InputError as exc:
                assert str(exc) and "\n" not in str(exc)
        try:
            steps_equal("h*d", text, ("h", "d"))
        except InputError:
            pass
        assert time.monotonic() - t0 < 4 * TIME_LIMIT_S, text
    assert not VIOLATIONS, VIOLATIONS


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=-10**6, max_value=10**6),
       st.integers(min_value=-10**6, max_value=10**6))
def test_vector_accepts_its_own_answer_in_any_layout(a, b):
    spec = GateSpec("vector", f"{a}, {b}")
    for text in (f"{a},{b}", f"({a}, {b})", f"[{a}, {b}]", f"[{a} {b}]", f" {a} , {b} "):
        assert check_gate(spec, text).accepted, text


@settings(max_examples=100, deadline=None)
@given(st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False,
                   allow_infinity=False),
       st.integers(min_value=0, max_value=4))
def test_decimal_accepts_its_own_answer(value, places):
    spec = GateSpec("decimal", str(value), places=places)
    assert check_gate(spec, str(value)).accepted
    q = value.quantize(__import__("decimal").Decimal(1).scaleb(-places),
                       rounding="ROUND_HALF_UP")
    assert check_gate(spec, str(q)).accepted, (value, q)


def _combine(children):
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "^", " ", ""]), children)
    return st.one_of(
        binary.map(lambda t: f"({t[0]}){t[1]}({t[2]})" if t[1].strip() == "" else
                   f"{t[0]}{t[1]}{t[2]}"),
        st.tuples(st.sampled_from(["sqrt", "exp", "log", "sin", "cos", "tanh", "sigmoid",
                                   "abs", "-", "diff"]), children).map(
            lambda t: f"diff({t[1]}, h)" if t[0] == "diff" else f"{t[0]}({t[1]})"),
    )


valid_expressions = st.recursive(
    st.sampled_from(["h", "d", "e", "pi", "2", "9", "0", "1.5", "99", "1000", "hd", "4h"]),
    _combine, max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_expressions)
def test_expression_gate_is_fast_on_grammatical_input(text):
    with nothing_runs():
        for spec in (SPECS[4], SPECS[3]):
            t0 = time.monotonic()
            v = check_gate(spec, text)
            assert isinstance(v, Verdict)
            assert time.monotonic() - t0 < TIME_LIMIT_S, (text, time.monotonic() - t0)
    assert not VIOLATIONS, VIOLATIONS


def test_guard_itself_works():
    with nothing_runs():
        with pytest.raises(AssertionError):
            eval("1")  # noqa: S307
        with pytest.raises(AssertionError):
            os.system("true")
    assert VIOLATIONS
    VIOLATIONS.clear()
