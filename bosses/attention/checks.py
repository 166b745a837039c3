"""Lab checks for module 11 (Attention): softmax, scaled dot-product attention with and without a
mask, the causal mask, multi-head attention, sinusoidal positions, RoPE and its relative-position
property.

Every input is fixed (drawn here from fixed seeds), so the list is the same every time. The
expected values are computed in this file by a second, deliberately plain implementation (loops
over rows, an explicit 2x2 rotation per pair), never by the reference lab. Tolerance 1e-9: all
of it is float64 arithmetic on numbers of order 1 (the reference is within 1e-15).
"""

from __future__ import annotations

import math

import numpy as np

from forge_tui.bossapi import compare

TIME_LIMIT_S = 10.0  # the whole list: about 0.1 s for the reference
TOLERANCE = 1e-9
ROPE_PAIRS = [(3, 1), (10, 8), (0, 5), (7, 12), (4, 4), (11, 11)]  # (m, n), then (m + 7, n + 7)


# ---------------------------------------------------------------- the math, done plainly here

def _softmax_row(row: np.ndarray) -> np.ndarray:
    top = max(row)
    e = np.array([math.exp(s - top) if s != -math.inf else 0.0 for s in row])
    return e / e.sum()


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    return np.apply_along_axis(_softmax_row, axis, x)


def _attention(q, k, v, mask=None):
    """Row by row: scores, -inf where the mask forbids, softmax, weighted sum of values."""
    weights = np.zeros((len(q), len(k)))
    for i in range(len(q)):
        scores = [float(q[i] @ k[j]) / math.sqrt(q.shape[1]) if mask is None or mask[i][j] else -math.inf
                  for j in range(len(k))]
        weights[i] = _softmax_row(np.array(scores))
    return weights @ v, weights


def _causal_mask(T: int) -> np.ndarray:
    return np.array([[j <= i for j in range(T)] for i in range(T)])


def _multi_head(x, W_q, W_k, W_v, W_o, n_head, causal=False):
    """Head by head: columns h*d_k .. (h+1)*d_k of each projection, attention, side by side."""
    d_k = x.shape[1] // n_head
    mask = _causal_mask(len(x)) if causal else None
    outs = []
    for h in range(n_head):
        cols = slice(h * d_k, (h + 1) * d_k)
        outs.append(_attention(x @ W_q[:, cols], x @ W_k[:, cols], x @ W_v[:, cols], mask)[0])
    return np.concatenate(outs, axis=1) @ W_o


def _sinusoidal(T: int, d: int, base: float = 10000.0) -> np.ndarray:
    pe = np.zeros((T, d))
    for p in range(T):
        for i in range(d // 2):
            pe[p, 2 * i] = math.sin(p / base ** (2 * i / d))
            pe[p, 2 * i + 1] = math.cos(p / base ** (2 * i / d))
    return pe


def _rope(x, pos, base: float = 10000.0) -> np.ndarray:
    """Each pair (x[t, 2i], x[t, 2i+1]) times the rotation matrix of angle pos[t] * base^(-2i/d)."""
    out = np.zeros_like(x)
    d = x.shape[1]
    for t in range(len(x)):
        for i in range(d // 2):
            a = pos[t] * base ** (-2 * i / d)
            rotation = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
            out[t, 2 * i: 2 * i + 2] = rotation @ x[t, 2 * i: 2 * i + 2]
    return out


# ---------------------------------------------------------------- the checks

def _array(x) -> dict:
    x = np.asarray(x)
    return {"__ndarray__": x.tolist(), "dtype": x.dtype.name}


def _call(name, summary, hint, function, *args, **kwargs) -> dict:
    return {"name": name, "summary": summary, "hint": hint,
            "call": {"function": function, "args": list(args), "kwargs": kwargs}}


ROPE_SCRIPT = f"""
rng = np.random.default_rng(11)
q, k = rng.normal(size=(1, 16)), rng.normal(size=(1, 16))
result = [float((lab.rope(q, [m]) @ lab.rope(k, [n]).T).item()) for m, n in {ROPE_PAIRS!r}]
"""

LENGTH_SCRIPT = """
x = np.random.default_rng(12).normal(size=(4, 8))
r = lab.rope(x, [0, 1, 5, 40])
result = [np.hypot(x[:, 0::2], x[:, 1::2]).tolist(), np.hypot(r[:, 0::2], r[:, 1::2]).tolist()]
"""


def _inputs() -> dict:
    rng = np.random.default_rng(2026)
    x = rng.normal(size=(5, 8))
    return {"scores": np.array([[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0], [-5.0, 0.0, 5.0]]),
            "q": rng.normal(size=(3, 4)), "k": rng.normal(size=(5, 4)), "v": rng.normal(size=(5, 2)),
            "mask": np.array([[True, True, False, False, False], [True, False, True, False, True],
                              [False, False, False, False, True]]),
            "x": x, "W": [rng.normal(0, 8 ** -0.5, (8, 8)) for _ in range(4)],
            "rope_x": rng.normal(size=(3, 6)), "rope_pos": [0, 3, 17]}


def checks() -> list[dict]:
    i = _inputs()
    return [
        _call("softmax, large scores", "softmax of 3 rows, one of them [1000, 1001, 1002]",
              "exp(1000) overflows to inf; softmax does not change when you subtract the same number "
              "from every score of a row.", "softmax", _array(i["scores"])),
        _call("softmax along axis 0", "softmax(x, axis=0): each column sums to 1",
              "Pass axis through to max and sum, with keepdims=True so the shapes broadcast.",
              "softmax", _array(i["scores"][:, :2] / 100), axis=0),
        _call("attention", "q (3, 4), k (5, 4), v (5, 2), no mask: returns (out, weights)",
              "Scores are q @ k.T divided by the square root of d_k, the width of q and k; "
              "softmax each row; weights @ v.", "attention", _array(i["q"]), _array(i["k"]), _array(i["v"])),
        _call("attention with a mask", "the same q, k, v with a (3, 5) mask, True = may attend",
              "Set a score to -inf where the mask is False before the softmax: exp(-inf) is exactly 0 "
              "and the other weights still sum to 1.", "attention",
              _array(i["q"]), _array(i["k"]), _array(i["v"]), _array(i["mask"])),
        _call("causal mask", "causal_mask(5): True on and below the diagonal",
              "Row i may look at columns 0..i; np.tril keeps the lower triangle.", "causal_mask", 5),
        _call("multi-head attention", "x (5, 8), 2 heads, no mask",
              "Project x with each W, split the 8 columns into 2 contiguous heads of 4, attend per head, "
              "put the heads side by side, then @ W_o.", "multi_head_attention",
              _array(i["x"]), *(_array(w) for w in i["W"]), 2),
        _call("multi-head attention, causal", "x (5, 8), 4 heads of 2, causal=True",
              "Each head uses the causal mask; the heads are blocks of d_model // n_head columns.",
              "multi_head_attention", _array(i["x"]), *(_array(w) for w in i["W"]), 4, causal=True),
        _call("sinusoidal positions", "sinusoidal_positions(6, 8)",
              "Even columns 2i hold sin(p / base^(2i/d)), odd columns 2i+1 the cos of the same angle.",
              "sinusoidal_positions", 6, 8),
        _call("RoPE rotates pairs", "rope of x (3, 6) at positions [0, 3, 17]",
              "Pair i of position p turns by the angle p * base^(-2i/d): (a, b) -> "
              "(a cos - b sin, a sin + b cos).", "rope", _array(i["rope_x"]), i["rope_pos"]),
        {"name": "RoPE sees only relative position",
         "summary": "scores rope(q, m)·rope(k, n) for (m, n) = (3, 1), (10, 8), (0, 5), (7, 12), (4, 4), (11, 11)",
         "hint": "Rotating q by m and k by n gives a score that depends on n - m only: the same angle must "
                 "be used for the same pair at every position, and both vectors must be rotated.",
         "script": ROPE_SCRIPT},
        {"name": "RoPE keeps lengths", "summary": "the length of every pair before and after rope",
         "hint": "A rotation never changes a length: use the same angle in the cos and the sin of a pair.",
         "script": LENGTH_SCRIPT},
    ]


# ---------------------------------------------------------------- the judge

def _decode(x):
    return np.array(x["__ndarray__"], dtype=x["dtype"]) if isinstance(x, dict) and "__ndarray__" in x else x


def _expected(check: dict):
    name = check["name"]
    if name == "RoPE sees only relative position":
        rng = np.random.default_rng(11)
        q, k = rng.normal(size=(1, 16)), rng.normal(size=(1, 16))
        return [float(_rope(q, [m])[0] @ _rope(k, [n])[0]) for m, n in ROPE_PAIRS]
    if name == "RoPE keeps lengths":
        x = np.random.default_rng(12).normal(size=(4, 8))
        lengths = np.hypot(x[:, 0::2], x[:, 1::2]).tolist()
        return [lengths, lengths]
    call = check["call"]
    args = [_decode(a) for a in call["args"]]
    kwargs = {key: _decode(value) for key, value in call["kwargs"].items()}
    function = {"softmax": lambda x, axis=-1: _softmax(x, axis), "attention": _attention,
                "causal_mask": _causal_mask, "multi_head_attention": _multi_head,
                "sinusoidal_positions": _sinusoidal, "rope": _rope}[call["function"]]
    return function(*args, **kwargs)


def _mismatch(got, want, what: str) -> str:
    """'' when got matches want to TOLERANCE (a mask: exactly), else one line saying where it does not."""
    exact = np.asarray(want).dtype == bool
    return compare(got, want, atol=0.0 if exact else TOLERANCE, name=what)[1]


def _judge_rope_relative(got, want) -> str:
    problem = _mismatch(got, want, "score")
    if problem and len(got) == len(want) and all(isinstance(s, float) for s in got):
        shifted = all(abs(got[j] - got[j + 1]) < 1e-9 for j in range(0, len(got), 2))
        if shifted:
            return f"the scores repeat under a shift of 7 but are not the rotated ones: {problem}"
        return f"score({ROPE_PAIRS[0]}) = {got[0]:.9g} but score({ROPE_PAIRS[1]}) = {got[1]:.9g}: " \
               "a shift of both positions changed it"
    return problem


def judge(check: dict, got) -> tuple[bool, str, str]:
    want = _expected(check)
    name = check["name"]
    if name == "RoPE sees only relative position":
        problem = _judge_rope_relative(got, want)
        shown = ", ".join(f"{s:.6f}" for s in want)
    elif isinstance(want, tuple):  # attention's (out, weights)
        shown = f"out {np.shape(want[0])} and weights {np.shape(want[1])}"
        if not isinstance(got, (list, tuple)) or len(got) != 2:
            return False, shown, "attention returns a pair (out, weights)"
        problem = _mismatch(got[1], want[1], "weights") or _mismatch(got[0], want[0], "out")
        if not problem and "mask" in name and np.any(np.asarray(got[1])[~_decode(check["call"]["args"][3])] != 0):
            problem = "a masked weight is not exactly 0"
    else:
        shown = f"an array of shape {np.shape(want)}" if not isinstance(want, list) else "the lengths unchanged"
        problem = _mismatch(got, want, "lengths" if name == "RoPE keeps lengths" else "result")
    return (False, shown, problem) if problem else (True, shown, "matches")
