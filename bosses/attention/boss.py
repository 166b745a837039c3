"""Boss of module 11, The Mirror Head: a multi-head attention layer that returns exactly what
torch.nn.MultiheadAttention returns, given the same weights.

The player's `torch_mha(query, key, value, num_heads, in_proj_weight, in_proj_bias,
out_proj_weight, out_proj_bias, key_padding_mask=None, attn_mask=None, average_attn_weights=True,
batch_first=False)` returns `(out, weights)`. Every case is drawn fresh from the fight's seed:
random inputs and weights (biases included), sequence-first and batch-first layouts, a causal
mask given as torch gives it (bool, True = not allowed), a key padding mask (True = ignore that
key), both together, a float mask added to the scores, cross-attention (other key and query
lengths), one token, per-head and averaged weights, other widths, and scores large enough to
overflow a softmax that does not subtract its max.

The expected answers are computed here in NumPy, in float64, with torch's semantics
(`expected`); tests/test_boss_attention.py checks that function against torch.nn.MultiheadAttention
itself over many random configurations (agreement 4e-14), so the game needs no torch to judge.
Tolerance: 1e-6 on every number of `out` and of `weights` (the reference's error is about 1e-14;
a float32 implementation errs by about 1e-6 and is not enough: the brief asks for float64).
Reference (measured 2026-11-28 on this 2-core VM, load average 10-12 from other jobs): every
case in 200/200 seeds; 0.04 s of CPU per fight in-process; 0.32 s median wall time per fight
in the sandbox (0.75 s for the first, cold). Each wrong solution lost in 200/200 seeds.
Budget 10 s.
"""

from __future__ import annotations

import math

import numpy as np

from forge_tui.bossapi import compare

ENTRY = "torch_mha"
TIME_LIMIT_S = 10.0
TOLERANCE = 1e-6


# ---------------------------------------------------------------- torch's semantics, in NumPy

def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def mha(query, key, value, num_heads, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias,
        key_padding_mask=None, attn_mask=None, average_attn_weights=True, batch_first=False):
    """torch.nn.MultiheadAttention's forward (eval mode, need_weights=True) in float64 NumPy."""
    query, key, value = (np.asarray(t, dtype=np.float64) for t in (query, key, value))
    if batch_first:
        query, key, value = (t.swapaxes(0, 1) for t in (query, key, value))
    L, N, E = query.shape
    d_k = E // num_heads
    W = np.split(np.asarray(in_proj_weight, dtype=np.float64), 3)
    b = np.split(np.asarray(in_proj_bias, dtype=np.float64), 3)

    def heads(t):  # (T, N, E) -> (N, H, T, d_k)
        return t.reshape(t.shape[0], N, num_heads, d_k).transpose(1, 2, 0, 3)

    q, k, v = (heads(x @ w.T + bias) for x, w, bias in zip((query, key, value), W, b))
    scores = q @ k.swapaxes(-1, -2) / math.sqrt(d_k)
    if attn_mask is not None:
        mask = np.asarray(attn_mask)
        scores = np.where(mask, -np.inf, scores) if mask.dtype == bool else scores + mask
    if key_padding_mask is not None:
        scores = np.where(np.asarray(key_padding_mask, dtype=bool)[:, None, None, :], -np.inf, scores)
    weights = _softmax(scores)
    out = (weights @ v).transpose(2, 0, 1, 3).reshape(L, N, E)
    out = out @ np.asarray(out_proj_weight, dtype=np.float64).T + np.asarray(out_proj_bias, dtype=np.float64)
    return (out.swapaxes(0, 1) if batch_first else out), (weights.mean(axis=1) if average_attn_weights else weights)


def _inputs(case: dict) -> tuple[list, dict]:
    """The case's arguments as arrays (the inverse of `_array`)."""
    def value(x):
        return np.array(x["__ndarray__"], dtype=x["dtype"]) if isinstance(x, dict) and "__ndarray__" in x else x
    call = case["call"]
    return [value(x) for x in call["args"]], {k: value(x) for k, x in call["kwargs"].items()}


def expected(case: dict) -> tuple[np.ndarray, np.ndarray]:
    args, kwargs = _inputs(case)
    return mha(*args, **kwargs)


# ---------------------------------------------------------------- drawing cases

def _array(x: np.ndarray) -> dict:
    return {"__ndarray__": x.tolist(), "dtype": x.dtype.name}


def _layer(rng: np.random.Generator, E: int) -> list[np.ndarray]:
    """in_proj_weight (3E, E), in_proj_bias (3E,), out_proj_weight (E, E), out_proj_bias (E,):
    Xavier-uniform matrices as torch draws them, and biases that are not zero (torch starts them
    at zero, which would hide a forgotten bias)."""
    bound = math.sqrt(6 / (E + 3 * E))
    return [rng.uniform(-bound, bound, (3 * E, E)), rng.normal(0, 0.2, 3 * E),
            rng.uniform(-1 / math.sqrt(E), 1 / math.sqrt(E), (E, E)), rng.normal(0, 0.2, E)]


def _padding(rng: np.random.Generator, N: int, S: int) -> np.ndarray:
    """Bool (N, S), True on each sequence's padded tail; every sequence keeps at least 2 keys
    and at least one is padded."""
    lengths = rng.integers(2, S, size=N)
    lengths[rng.integers(N)] = S  # one full sequence, as in a real batch
    return np.arange(S)[None, :] >= lengths[:, None]


def _case(name, summary, hint, rng, *, N, L, S=None, E=64, heads=8, batch_first=False, scale=1.0,
          padding=False, causal=False, float_mask=False, average=True, cross=False) -> dict:
    S = L if S is None else S
    shape = (lambda T: (N, T, E)) if batch_first else (lambda T: (T, N, E))
    query = rng.normal(0, scale, shape(L))
    key = rng.normal(0, scale, shape(S)) if cross else query
    value = rng.normal(0, scale, shape(S)) if cross else query
    kwargs = {"average_attn_weights": average, "batch_first": batch_first}
    if padding:
        kwargs["key_padding_mask"] = _array(_padding(rng, N, S))
    if causal:
        kwargs["attn_mask"] = _array(np.triu(np.ones((L, S), dtype=bool), 1))
    if float_mask:
        kwargs["attn_mask"] = _array(rng.normal(0, 2.0, (L, S)))
    args = [_array(query), _array(key), _array(value), heads, *(_array(w) for w in _layer(rng, E))]
    return {"name": name, "summary": summary, "hint": hint,
            "call": {"function": ENTRY, "args": args, "kwargs": kwargs}}


def cases(rng: np.random.Generator) -> list[dict]:
    """Ten fights; E = 64 and 8 heads unless the summary says otherwise."""
    return [
        _case("self-attention", "2 sequences of 7 tokens, sequence first (L, N, E), averaged weights",
              "Project with x @ W.T + b for each third of in_proj_weight, split E into 8 heads of 8, "
              "softmax(q k^T / sqrt(d_k)) v per head, concatenate, out_proj.", rng, N=2, L=7),
        _case("batch first", "2 sequences of 7 tokens given as (N, L, E)",
              "With batch_first=True the batch comes first in the input and in the output; "
              "the weights are (N, L, S) either way.", rng, N=2, L=7, batch_first=True),
        _case("causal mask", "2 sequences of 33 tokens, attn_mask = torch's causal mask",
              "torch's bool attn_mask is True where attending is NOT allowed (the opposite of the "
              "lab's mask): those scores become -inf before the softmax.",
              rng, N=2, L=33, batch_first=True, causal=True),
        _case("key padding", "3 sequences of 12 tokens, padded tails marked in key_padding_mask",
              "key_padding_mask[n, s] = True hides key s from every query of sequence n: -inf in "
              "its score column, before the softmax.", rng, N=3, L=12, padding=True),
        _case("causal and padding, per head", "2 sequences of 10 tokens, both masks, average_attn_weights=False",
              "With average_attn_weights=False return every head's weights, shaped "
              "(N, num_heads, L, S); apply both masks before the softmax.",
              rng, N=2, L=10, causal=True, padding=True, average=False),
        _case("cross-attention", "5 queries attend to 11 keys; key and value differ; padding; batch first",
              "Queries come from query, keys from key and values from value: L and S may differ.",
              rng, N=2, L=5, S=11, batch_first=True, padding=True, cross=True),
        _case("one token", "1 sequence of 1 token", "A single key gets all the weight: 1.0.",
              rng, N=1, L=1),
        _case("float mask", "2 sequences of 9 tokens, a float attn_mask, per-head weights",
              "A float attn_mask is added to the scaled scores before the softmax.",
              rng, N=2, L=9, float_mask=True, average=False),
        _case("three heads of 16", "E = 48 with 3 heads, 1 sequence of 9 tokens, causal",
              "d_k = E / num_heads; head h owns columns h*d_k to (h+1)*d_k of each projection.",
              rng, N=1, L=9, E=48, heads=3, causal=True),
        _case("large scores", "2 sequences of 6 tokens with inputs 40 times larger",
              "exp overflows past about 709: subtract each row's max before exponentiating.",
              rng, N=2, L=6, scale=40.0),
    ]


# ---------------------------------------------------------------- judge

def _shape_text(case: dict, per_head: bool) -> tuple[str, str]:
    batch_first = case["call"]["kwargs"].get("batch_first", False)
    return ("(N, L, E)" if batch_first else "(L, N, E)"), ("(N, num_heads, L, S)" if per_head else "(N, L, S)")


def _as_array(value, what: str):
    """(float64 array, "") or (None, why it is not an array of numbers)."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None, f"{what} is not an array of numbers"
    if array.dtype != np.float64 or array.ndim == 0:
        return None, f"{what} is not an array of numbers"
    return array, ""


def _mismatch(name: str, got: np.ndarray, want: np.ndarray, layout: str) -> str:
    """"" when got is want to TOLERANCE, else what differs (with why, for nan or inf)."""
    ok, problem = compare(got, want, atol=TOLERANCE, name=name, layout=layout)
    if not ok and got.shape == want.shape and not np.all(np.isfinite(got)):
        problem += " (where every score of a row is -inf, or exp overflowed)"
    return problem


def judge(case: dict, got) -> tuple[bool, str, str]:
    want_out, want_weights = expected(case)
    per_head = not case["call"]["kwargs"].get("average_attn_weights", True)
    out_layout, weights_layout = _shape_text(case, per_head)
    summary = f"out {want_out.shape} {out_layout}, weights {want_weights.shape} {weights_layout}"
    if not isinstance(got, (list, tuple)) or len(got) != 2:
        return False, summary, "expected a pair (out, weights)"
    out, problem = _as_array(got[0], "out")
    weights, problem_w = (None, "") if problem else _as_array(got[1], "weights")
    problem = problem or problem_w or _mismatch("out", out, want_out, out_layout) \
        or _mismatch("weights", weights, want_weights, weights_layout)
    if problem:
        return False, summary, problem
    return True, summary, f"out and weights match torch to {TOLERANCE:g}"
