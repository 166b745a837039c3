"""Lab checks for module 4 (Probability and Loss): softmax (one row, a batch, temperature, huge
logits), cross_entropy (the brief's example, a batch mean, an underflowing target), kl_divergence
(equal distributions, a value, zeros in p), softmax_ce_grad (one row, a batch), the identity
CE = H + KL, and one small fight for the boss's softmax_cross_entropy.

Each check calls one lab function on fixed float64 arrays (the identity check is a script that
calls two). The judge recomputes every expected value here in float64: softmax and the loss
through log-sum-exp, KL with 0 · log 0 taken as 0.
"""

from __future__ import annotations

import functools
import importlib.util
import math
from pathlib import Path

import numpy as np

from forge_tui.bossapi import compare

TIME_LIMIT_S = 10.0
TOLERANCE = 1e-9  # small fixed inputs in float64: nothing but rounding may differ

BATCH = [[0.5, -1.0, 2.0, 0.0, 1.5], [3.0, 3.0, -2.0, 0.5, 1.0], [-0.5, 0.25, 0.0, -3.0, 2.5]]
BATCH_TARGETS = [2, 0, 4]
P = [0.5, 0.25, 0.25]
Q = [0.2, 0.3, 0.5]

_IDENTITY = """z = np.array([[1.0, 2.0, 3.0]] * 4)
targets = np.array([0, 0, 1, 2])            # the data: class 0 half the time, 1 and 2 a quarter each
p_data = np.array([0.5, 0.25, 0.25])
q = lab.softmax(z)[0]
result = {"cross_entropy": float(lab.cross_entropy(z, targets)),
          "entropy_plus_kl": float(-np.sum(p_data * np.log(p_data)) + lab.kl_divergence(p_data, q))}
"""


@functools.cache
def _boss():
    """The boss of this module, loaded by path (checks and boss share one folder)."""
    path = Path(__file__).with_name("boss.py")
    spec = importlib.util.spec_from_file_location("_neuralforge_checks_boss_probability_loss", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _floats(values) -> dict:
    return {"__ndarray__": values, "dtype": "float64"}


def _ints(values) -> dict:
    return {"__ndarray__": values, "dtype": "int64"}


def _call(name: str, summary: str, hint: str, function: str, *args, **kwargs) -> dict:
    return {"name": name, "summary": summary, "hint": hint,
            "call": {"function": function, "args": list(args), "kwargs": kwargs}}


def checks() -> list[dict]:
    """Fifteen small wins, the same every time."""
    return [
        _call("softmax: the brief's example", "softmax([1, 2, 3])",
              "Exponentiate each logit, then divide by the total so that the result sums to 1.",
              "softmax", _floats([1.0, 2.0, 3.0])),
        _call("softmax: a batch of rows", "softmax of a 3 × 5 array: each row on its own",
              "Each row is its own distribution: normalise along the last axis only.",
              "softmax", _floats(BATCH)),
        _call("softmax: temperature 0.5", "softmax([1, 2, 3], T=0.5): sharper",
              "Temperature divides the logits before the exponential: a small T makes the "
              "differences larger.",
              "softmax", _floats([1.0, 2.0, 3.0]), T=0.5),
        _call("softmax: temperature 5", "softmax([[1, 2, 3], [0, 0, 6]], T=5): flatter",
              "A large T shrinks the differences between logits, so the distribution flattens.",
              "softmax", _floats([[1.0, 2.0, 3.0], [0.0, 0.0, 6.0]]), T=5.0),
        _call("softmax: logits of 1000", "softmax([1000, 1001])",
              "exp(1000) overflows a float64. Softmax does not change when every logit of a row "
              "moves by the same amount: choose the amount that keeps every exponent at or below 0.",
              "softmax", _floats([1000.0, 1001.0])),
        _call("cross_entropy: the brief's example", "z = [[1, 2, 3]], target 2: about 0.408",
              "The loss is −log of the probability the model gives the target.",
              "cross_entropy", _floats([[1.0, 2.0, 3.0]]), _ints([2])),
        _call("cross_entropy: a batch mean", "a 3 × 5 batch, targets [2, 0, 4]",
              "One loss per row, each at its own target; then their mean over the batch.",
              "cross_entropy", _floats(BATCH), _ints(BATCH_TARGETS)),
        _call("cross_entropy: a hopeless target", "z = [[0, 5, -1000]], target 2: about 1005",
              "The target's probability underflows to 0, so log(softmax) is −inf. Write −log p_y in "
              "terms of the logits, log Σ exp(z) − z_y, and shift before exponentiating.",
              "cross_entropy", _floats([[0.0, 5.0, -1000.0]]), _ints([2])),
        _call("kl_divergence: a distribution and itself", "KL(p ‖ p) for p = [0.5, 0.25, 0.25]",
              "A distribution is never surprised by itself: the log of p/p is 0 term by term.",
              "kl_divergence", _floats(P), _floats(P)),
        _call("kl_divergence: a value", "KL(p ‖ q), p = [0.5, 0.25, 0.25], q = [0.2, 0.3, 0.5]",
              "Sum p_i · log(p_i / q_i), with p first: KL is not symmetric.",
              "kl_divergence", _floats(P), _floats(Q)),
        _call("kl_divergence: zeros in p", "KL(p ‖ q), p = [0, 0, 1], q = softmax([1, 2, 3])",
              "0 · log 0 is nan in floating point, but its limit is 0: leave out the terms where p is 0.",
              "kl_divergence", _floats([0.0, 0.0, 1.0]), _floats(_softmax(np.array([1.0, 2.0, 3.0])).tolist())),
        _call("softmax_ce_grad: one row", "z = [[1, 2, 3]], target 2",
              "Differentiate −log softmax(z)[y] by each logit: the target's logit and the others come "
              "out differently.",
              "softmax_ce_grad", _floats([[1.0, 2.0, 3.0]]), _ints([2])),
        _call("softmax_ce_grad: a batch", "a 3 × 5 batch, targets [2, 0, 4]",
              "Each row gets its own one-hot at its own target, and the mean over the batch divides "
              "every entry by B.",
              "softmax_ce_grad", _floats(BATCH), _ints(BATCH_TARGETS)),
        {"name": "cross-entropy = entropy + KL", "summary": "the brief's identity on a 3-class example",
         "hint": "Both sides come from your own functions: if they disagree, check cross_entropy's mean "
                 "and kl_divergence's order of arguments.",
         "script": _IDENTITY, "kind": "identity"},
        _call("softmax_cross_entropy: the boss's entry", "z = [[1000, -1000], [0.5, 1.5]], targets [1, 0]",
              "Return the pair (loss, dz): the two functions above, on the same z and y.",
              "softmax_cross_entropy", _floats([[1000.0, -1000.0], [0.5, 1.5]]), _ints([1, 0])),
    ]


# ---------------------------------------------------------------- the truth, done here

def _softmax(z: np.ndarray, T: float = 1.0) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64) / T
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _cross_entropy(z: np.ndarray, y: np.ndarray) -> float:
    z = np.asarray(z, dtype=np.float64)
    top = z.max(axis=1)
    log_total = top + np.log(np.exp(z - top[:, None]).sum(axis=1))
    return float(np.mean(log_total - z[np.arange(len(y)), y]))


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    keep = p > 0
    return float(np.sum(p[keep] * np.log(p[keep] / q[keep])))


def _grad(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    g = _softmax(z)
    g[np.arange(len(y)), y] -= 1.0
    return g / len(y)


def _decode(value):
    if isinstance(value, dict) and "__ndarray__" in value:
        return np.array(value["__ndarray__"], dtype=value["dtype"])
    return value


def expected(check: dict):
    """What the check's call must return, in float64."""
    call = check["call"]
    args = [_decode(a) for a in call["args"]]
    function = call["function"]
    if function == "softmax":
        return _softmax(args[0], call["kwargs"].get("T", 1.0))
    if function == "cross_entropy":
        return _cross_entropy(*args)
    if function == "kl_divergence":
        return _kl(*args)
    if function == "softmax_ce_grad":
        return _grad(*args)
    raise KeyError(function)


def expected_identity() -> float:
    p_data = np.array([0.5, 0.25, 0.25])
    return float(-np.sum(p_data * np.log(p_data)) + _kl(p_data, _softmax(np.array([1.0, 2.0, 3.0]))))


# ---------------------------------------------------------------- judge

def _show(value) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=6, separator=", ", max_line_width=200)
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


def _judge_number(got, want: float) -> str:
    if not _number(got):
        return f"expected a finite number, got {_show(got)}"
    return compare(got, want, atol=TOLERANCE, relative=True, name="the answer")[1]


def _judge_array(got, want: np.ndarray) -> str:
    ok, problem = compare(got, want, atol=TOLERANCE, name="the result")
    if not ok and problem.endswith("not an array of numbers"):
        return f"expected an array of numbers, got {_show(got)}"
    return problem


def _judge_identity(got) -> tuple[bool, str, str]:
    want = expected_identity()
    summary = f"both sides {want:.10g}"
    if not isinstance(got, dict) or not all(_number(got.get(k)) for k in ("cross_entropy", "entropy_plus_kl")):
        return False, summary, f"expected both sides as numbers, got {_show(got)}"
    for side in ("cross_entropy", "entropy_plus_kl"):
        words = side.replace("_", " ").replace("plus kl", "+ KL")
        ok, problem = compare(got[side], want, atol=TOLERANCE, relative=True, name=words)
        if not ok:
            return False, summary, problem
    return True, summary, "cross-entropy equals entropy + KL"


def judge(check: dict, got) -> tuple[bool, str, str]:
    """(passed, expected as text, a one-line verdict); never raises."""
    try:
        if check.get("kind") == "identity":
            return _judge_identity(got)
        if check["call"]["function"] == "softmax_cross_entropy":
            return _boss().judge(check, got)
        want = expected(check)
    except Exception as error:  # a malformed check is this file's bug, never the player's win
        return False, "?", f"the check could not be computed ({type(error).__name__})"
    try:
        problem = _judge_number(got, want) if isinstance(want, float) else _judge_array(got, want)
    except Exception as error:
        return False, _show(want), f"could not read the result ({type(error).__name__}): got {_show(got)}"
    return (not problem), _show(want), problem or "matches"
