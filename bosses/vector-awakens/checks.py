"""Lab checks for module 1 (The Vector Awakens): dot, norm, cosine_similarity and project on small
fixed vectors (signs, lengths, zero vectors), then closest_pairs on the brief's four words.

Each check calls one lab function on plain Python lists, as the lab's own `__main__` does; the
zero-vector contract (a ValueError) is checked by a script that catches it. The judge recomputes
every expected value here with NumPy from the check's own inputs; closest_pairs is judged by the
boss's own judge.

The C lab is checked on the same inputs (`native_checks`), built with c/checks_driver.c, except
where C's contract differs: with no exceptions in C, a zero vector makes cosine_similarity return
0 and project return -1, and project's status is checked before its output.
"""

from __future__ import annotations

import functools
import importlib.util
import math
from pathlib import Path

import numpy as np

from forge_tui.bossapi import compare

TIME_LIMIT_S = 10.0
TOLERANCE = 1e-9  # a few products of short decimals: nothing but rounding may differ

KING_QUEEN = (["king", "queen", "apple", "pear"],
              [[0.9, 0.1, 0.0], [0.8, 0.2, 0.1], [0.0, 0.9, 0.4], [0.1, 0.8, 0.5]])

_RAISES = """try:
    value = lab.{function}({args})
except ValueError:
    result = "ValueError"
else:
    result = {{"returned": value}}
"""


@functools.cache
def _boss():
    """The boss of this module, loaded by path (checks and boss share one folder)."""
    path = Path(__file__).with_name("boss.py")
    spec = importlib.util.spec_from_file_location("_neuralforge_checks_boss_vector_awakens", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _call(name: str, summary: str, hint: str, function: str, *args, **kwargs) -> dict:
    return {"name": name, "summary": summary, "hint": hint,
            "call": {"function": function, "args": list(args), "kwargs": kwargs}}


def _raises(name: str, summary: str, hint: str, function: str, *args) -> dict:
    """A check that `function(*args)` raises ValueError: the script reports what happened."""
    script = _RAISES.format(function=function, args=", ".join(repr(a) for a in args))
    return {"name": name, "summary": summary, "hint": hint, "script": script,
            "raises": {"function": function, "args": list(args)}}


def checks() -> list[dict]:
    """Fourteen small wins, the same every time."""
    ramp = [float(i) for i in range(1, 65)]
    return [
        _call("dot: the brief's example", "dot([1, 2, 3], [4, 5, 6])",
              "Multiply the entries that sit at the same position, then add the products up.",
              "dot", [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]),
        _call("dot: signs count", "dot([0.5, -2, 3, 1.5], [4, 1, -1, -2])",
              "Every product keeps its sign: a negative product lowers the total.",
              "dot", [0.5, -2.0, 3.0, 1.5], [4.0, 1.0, -1.0, -2.0]),
        _call("dot: every entry", "dot([1, 2, ..., 64], [1, 1, ..., 1])",
              "Does your loop reach the first entry and the last one? Loop over the pairs (u_i, v_i) "
              "themselves rather than over a range you build by hand.",
              "dot", ramp, [1.0] * 64),
        _call("norm: a 3-4-5 triangle", "norm([3, 4])",
              "A length is a square root: of what sum?",
              "norm", [3.0, 4.0]),
        _call("norm: negative entries", "norm([1, -2, 2, -4])",
              "Squares are never negative: the length of v is the square root of v·v.",
              "norm", [1.0, -2.0, 2.0, -4.0]),
        _call("cosine: the lab's example", "cosine_similarity([1, 2, 2], [2, 0, 1])",
              "The cosine compares directions: the dot product, divided by something that removes "
              "both lengths.",
              "cosine_similarity", [1.0, 2.0, 2.0], [2.0, 0.0, 1.0]),
        _call("cosine: a scaled copy", "cosine_similarity([1, 2, 2], [3, 6, 6])",
              "Stretching a vector does not turn it: divide the dot product by both lengths.",
              "cosine_similarity", [1.0, 2.0, 2.0], [3.0, 6.0, 6.0]),
        _call("cosine: opposites", "cosine_similarity([1, -1], [-3, 3])",
              "Opposite directions have cosine -1: keep the sign of the dot product.",
              "cosine_similarity", [1.0, -1.0], [-3.0, 3.0]),
        _raises("cosine: a zero vector", "cosine_similarity([0, 0, 0], [1, 2, 3]) raises ValueError",
                "A zero vector has no direction, so its angle to anything is undefined: raise "
                "ValueError before dividing.",
                "cosine_similarity", [0.0, 0.0, 0.0], [1.0, 2.0, 3.0]),
        _call("project: the brief's example", "project([2, 1], [3, 4])",
              "The projection lies on the line through u: it is u times one number.",
              "project", [2.0, 1.0], [3.0, 4.0]),
        _call("project: onto a long vector", "project([1, 2, 3], [0, 0, 2])",
              "The number that scales u is (u·v) / (u·u): dividing by |u| once leaves one length too "
              "many when u is not a unit vector.",
              "project", [1.0, 2.0, 3.0], [0.0, 0.0, 2.0]),
        _raises("project: onto the zero vector", "project([1, 2], [0, 0]) raises ValueError",
                "The zero vector spans no line: raise ValueError instead of dividing by u·u = 0.",
                "project", [1.0, 2.0], [0.0, 0.0]),
        _call("closest_pairs: the brief's four words", "king, queen, apple, pear in 3-d, k = 2",
              "Score every pair of distinct words once, sort from most to least similar, keep k.",
              "closest_pairs", *KING_QUEEN, k=2),
        _call("closest_pairs: a zero vector", "king, queen, apple, pear and a zero vector, k = 10",
              "A zero vector takes no part in any pair: 4 usable words make 6 pairs, even when k asks "
              "for more.",
              "closest_pairs", KING_QUEEN[0] + ["void"], KING_QUEEN[1] + [[0.0, 0.0, 0.0]], k=10),
    ]


# ---------------------------------------------------------------- the C path

C_DRIVER = "c/checks_driver.c"  # compiled with the player's lab.c; reads c_stdin(checks), answers on fd 3
C_HEADER = "c/checks.h"  # the signatures lab.c must match, forced into the build
C_WORDS = {"dot": "dot", "norm": "norm", "cosine_similarity": "cosine", "project": "project"}


def _c_zero_vector(check: dict) -> dict:
    """The C form of a check that a zero vector raises ValueError in Python."""
    function, args = check["raises"]["function"], check["raises"]["args"]
    shown = ", ".join(str([int(x) for x in a]) for a in args)
    if function == "cosine_similarity":
        return dict(_call(check["name"], f"cosine_similarity({shown}) returns 0",
                          "A zero vector has no direction, so it has no angle to anything: return 0 "
                          "before dividing by a length of 0.", function, *args), returns=0.0)
    return dict(_call(check["name"], f"project({shown}) returns -1",
                      "The zero vector spans no line: return -1 instead of dividing by u·u = 0.",
                      function, *args), status=-1)


def native_checks() -> list[dict]:
    """The C lab's checks: the inputs of `checks()`, each named after the C function it calls;
    project's status is checked (0, or -1 for the zero vector), and a zero vector gives cosine 0
    instead of raising."""
    out = []
    for check in checks():
        if "raises" in check:
            check = _c_zero_vector(check)
        elif check["call"]["function"] == "project":
            check = dict(check, status=0)
        out.append(dict(check, name=f"{check['call']['function']}: {check['name'].split(': ', 1)[1]}"))
    return out


def _numbers(values) -> str:
    return " ".join(repr(float(x)) for x in values) + "\n"


def c_check_text(check: dict) -> str:
    """One check as the C driver reads it: a word and a size, then the arguments' numbers."""
    call = check["call"]
    if call["function"] == "closest_pairs":
        return "pairs " + _boss().c_case_text(check)
    args = call["args"]
    return f"{C_WORDS[call['function']]} {len(args[0])}\n" + "".join(_numbers(a) for a in args)


def c_stdin(cases: list[dict]) -> str:
    """Everything the C driver reads on stdin: the number of checks, then each check."""
    return f"{len(cases)}\n" + "".join(c_check_text(check) for check in cases)


def c_answer(check: dict, value):
    """The C driver's answer as the judge reads it, or (None, problem): closest_pairs's rows
    become words as in the boss; project's status and output stay together."""
    function = check["call"]["function"]
    if function == "closest_pairs":
        return _boss().c_answer(check, value)
    if function == "project":
        if not isinstance(value, dict) or not isinstance(value.get("out"), list):
            return None, f"the driver sent {_show(value)}, not project's status and output"
        return value, ""
    return value, ""


# ---------------------------------------------------------------- the expected answers, done here

def expected(function: str, args: list):
    """What `function(*args)` must return, computed with NumPy from the inputs."""
    arrays = [np.asarray(a, dtype=float) for a in args]
    if function == "dot":
        return float(arrays[0] @ arrays[1])
    if function == "norm":
        return float(np.linalg.norm(arrays[0]))
    if function == "cosine_similarity":
        u, v = arrays
        return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))
    if function == "project":
        v, u = arrays
        return (u * (u @ v) / (u @ u)).tolist()
    raise KeyError(function)


# ---------------------------------------------------------------- judge

def _show(value) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, list) and all(isinstance(x, float) for x in value):
        return "[" + ", ".join(f"{x:.10g}" for x in value) + "]"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _number(value) -> bool:
    """A finite int or float (not a bool; an int too large for a float is not finite here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _judge_value(got, want) -> str:
    """'' when `got` equals `want` (a number or a list of numbers) to the tolerance, else why not."""
    if isinstance(want, float):
        if not _number(got):
            return f"expected a number, got {_show(got)}"
        return compare(got, want, atol=TOLERANCE, relative=True, name="the answer")[1]
    if not isinstance(got, list) or len(got) != len(want):
        return f"expected a list of {len(want)} numbers, got {_show(got)}"
    if not all(_number(x) for x in got):
        return f"expected a list of numbers, got {_show(got)}"
    return compare(got, want, atol=TOLERANCE, relative=True, name="entry")[1]


def _judge_raises(check: dict, got) -> tuple[bool, str, str]:
    function = check["raises"]["function"]
    if got == "ValueError":
        return True, "ValueError", "raises ValueError"
    returned = got.get("returned") if isinstance(got, dict) else got
    return False, "ValueError", f"{function} returned {_show(returned)} instead of raising ValueError"


def _judge_returns(check: dict, got) -> tuple[bool, str, str]:
    """A C cosine_similarity given a zero vector: it returns the agreed value."""
    want = check["returns"]
    if _number(got) and got == want:
        return True, _show(want), f"returns {_show(want)} for a zero vector"
    return False, _show(want), f"returned {_show(got)}; a zero vector must give {_show(want)}"


def _judge_status(check: dict, got) -> tuple[bool, str, str]:
    """A C project: its status (0, or -1 when u is the zero vector), then its output."""
    want = check["status"]
    status = got.get("status") if isinstance(got, dict) else None
    if want == -1:
        passed = status == -1
        return passed, "status -1", "returns -1 for the zero vector" if passed else (
            f"project returned {_show(status)}; with u the zero vector it must return -1")
    projection = expected("project", check["call"]["args"])
    if status != 0:
        return False, _show(projection), (f"project returned {_show(status)}, which says u is the zero "
                                          "vector; it is not, so return 0 and write the projection")
    problem = _judge_value(got.get("out"), projection)
    return (not problem), _show(projection), problem or "matches"


def judge(check: dict, got) -> tuple[bool, str, str]:
    """(passed, expected as text, a one-line verdict); never raises."""
    try:
        if "raises" in check:
            return _judge_raises(check, got)
        if "returns" in check:
            return _judge_returns(check, got)
        if "status" in check:
            return _judge_status(check, got)
        call = check["call"]
        if call["function"] == "closest_pairs":
            return _boss().judge(check, got)
        want = expected(call["function"], call["args"])
    except Exception as error:  # a malformed check is this file's bug, never the player's win
        return False, "?", f"the check could not be computed ({type(error).__name__})"
    try:
        problem = _judge_value(got, want)
    except Exception as error:
        return False, _show(want), f"could not read the result ({type(error).__name__}): got {_show(got)}"
    return (not problem), _show(want), problem or "matches"
