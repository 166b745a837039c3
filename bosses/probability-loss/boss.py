"""Boss of module 4, The Logit Whisperer: cross-entropy and its gradient softmax(z) - y, stably.

The player's `softmax_cross_entropy(z, y)` gets logits z, a float64 array of shape (B, V), and
integer targets y of shape (B,), and returns (loss, dz): the mean over the batch of
-log softmax(z)[b, y[b]], and its gradient (softmax(z) - onehot(y)) / B. The loss must match
to 1e-6 (relative once it is above 1), dz to 1e-6 entry by entry, with no nan or inf anywhere.
The judge computes both here, independently, with a log-sum-exp in float64.

The 50,257-logit case is too large to ship as JSON both ways, so its script draws the logits
in the child from a seed (an input, not an answer) and returns the loss with a few exact
entries of dz and per-row sums; the judge draws the same logits from the same seed. Its
judge notes are "seed", "targets" and "probe" (column indices): inputs, never answers.
"""

from __future__ import annotations

import math

import numpy as np

from forge_tui.bossapi import compare, decode_array, encode_array

ENTRY = "softmax_cross_entropy"
TIME_LIMIT_S = 3.0
TOLERANCE = 1e-6
BIG_VOCABULARY = 50257
BIG_BATCH = 2
BIG_SCALE = 3.0


# ---------------------------------------------------------------- the math, done here

def expected(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """(loss, dz) in float64: loss = mean(logsumexp(z) - z[y]), dz = (softmax(z) - onehot(y)) / B."""
    z = np.asarray(z, dtype=np.float64)
    batch = z.shape[0]
    rows = np.arange(batch)
    top = z.max(axis=1, keepdims=True)
    shifted = np.exp(z - top)
    total = shifted.sum(axis=1, keepdims=True)
    loss = float(np.mean(top[:, 0] + np.log(total[:, 0]) - z[rows, y]))
    dz = shifted / total
    dz[rows, y] -= 1.0
    return loss, dz / batch


def big_logits(seed: int) -> np.ndarray:
    """The logits of the big case; the child's script draws exactly these."""
    return BIG_SCALE * np.random.default_rng(seed).standard_normal((BIG_BATCH, BIG_VOCABULARY))


_BIG_SCRIPT = """z = {scale!r} * np.random.default_rng({seed}).standard_normal(({batch}, {vocabulary}))
y = np.array({targets!r}, dtype=np.int64)
loss, dz = lab.softmax_cross_entropy(z, y)
dz = np.asarray(dz, dtype=np.float64)
result = {{
    "loss": float(loss),
    "shape": list(dz.shape),
    "probe": dz[:, {probe!r}].tolist(),
    "row_sum": dz.sum(axis=1).tolist(),
    "row_abs_sum": np.abs(dz).sum(axis=1).tolist(),
}}
"""


# ---------------------------------------------------------------- inputs

def _case(name: str, summary: str, hint: str, z: np.ndarray, y: np.ndarray) -> dict:
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    return {
        "name": name,
        "summary": summary,
        "hint": hint,
        "call": {"function": ENTRY, "args": [encode_array(z), encode_array(y)], "kwargs": {}},
    }


def _targets(rng: np.random.Generator, batch: int, vocabulary: int) -> np.ndarray:
    return rng.integers(0, vocabulary, size=batch)


def cases(rng: np.random.Generator) -> list[dict]:
    out = [
        _case("one row", "B = 1, V = 3, logits around ±2",
              "Write −log softmax(z)[y] out in terms of the logits, then differentiate it by each "
              "logit in turn: the target's logit and the others come out differently.",
              2.0 * rng.standard_normal((1, 3)), _targets(rng, 1, 3)),
        _case("small batch", "B = 8, V = 10, random logits",
              "Each row has its own target: the one-hot of row b has a single 1, in column y[b], "
              "and nowhere else in that row.",
              rng.standard_normal((8, 10)), _targets(rng, 8, 10)),
        _case("full batch", "B = 64, V = 50, random logits",
              "The loss is a mean over the batch: how does that averaging carry into each entry of dz?",
              1.5 * rng.standard_normal((64, 50)), _targets(rng, 64, 50)),
    ]

    z = rng.choice([-1000.0, 1000.0], size=(4, 8)) + rng.standard_normal((4, 8))
    out.append(_case(
        "logits of ±1000", "B = 4, V = 8, every logit near +1000 or -1000",
        "exp(1000) overflows a float64. Softmax does not change when every logit of a row moves by "
        "the same amount: which amount keeps every exponent at or below 0?",
        z, _targets(rng, 4, 8)))

    out.append(_case(
        "all large", "B = 5, V = 20, logits 1000 ± 1",
        "Every exp here overflows: shift each row before exponentiating, in the loss as well as in dz.",
        1000.0 + rng.standard_normal((5, 20)), _targets(rng, 5, 20)))

    out.append(_case(
        "all very negative", "B = 5, V = 20, logits -1000 ± 1",
        "Nothing overflows here, yet every exp underflows to 0 and a row sums to 0. The shift "
        "that tames large logits rescues small ones too, if it is always applied.",
        -1000.0 + rng.standard_normal((5, 20)), _targets(rng, 5, 20)))

    level = rng.uniform(-5.0, 5.0)
    z = np.array([[0.0] * 6, [level] * 6, [1000.0] * 6, [-1000.0] * 6])
    out.append(_case(
        "equal logits", f"B = 4, V = 6, rows of equal logits (0, {level:.3f}, 1000, -1000)",
        "Equal logits mean a uniform distribution, whatever their size. Rows sit at 0, ±1000 "
        "here, so one shift for the whole batch cannot suit them all: each row needs its own.",
        z, _targets(rng, 4, 6)))

    z = rng.standard_normal((3, 7))
    y = _targets(rng, 3, 7)
    z[np.arange(3), y] = -1000.0
    out.append(_case(
        "confident and wrong", "B = 3, V = 7, each target's logit is -1000, the rest near 0",
        "The target's probability underflows to 0 here, and its log is −inf. Take the log "
        "before the exponential: write −log softmax(z)[y] so that no probability is ever formed.",
        z, y))

    out.append(_case(
        "repeated targets", "B = 6, V = 4, every row has the same target",
        "Each row gets its own -1 at its own target; rows do not share their one-hot.",
        rng.standard_normal((6, 4)), np.full(6, rng.integers(0, 4))))

    seed = int(rng.integers(0, 2**31 - 1))
    targets = [int(t) for t in _targets(rng, BIG_BATCH, BIG_VOCABULARY)]
    logits = big_logits(seed)
    probe = sorted({*targets, *(int(i) for i in logits.argmax(axis=1)),
                    *(int(i) for i in rng.integers(0, BIG_VOCABULARY, size=6))})
    out.append({
        "name": "GPT-2 vocabulary",
        "summary": f"B = {BIG_BATCH}, V = {BIG_VOCABULARY:,}, logits with spread {BIG_SCALE:g}",
        "hint": "Work with whole rows at once (NumPy, no Python loop over 50,257 entries), "
                "and keep dz the same shape as z.",
        "script": _BIG_SCRIPT.format(scale=BIG_SCALE, seed=seed, batch=BIG_BATCH,
                                     vocabulary=BIG_VOCABULARY, targets=targets, probe=probe),
        "seed": seed,
        "targets": targets,
        "probe": probe,
    })
    return out


# ---------------------------------------------------------------- judge

def _show_any(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _finite_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _array(value, shape, name):
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return None, f"{name} should be an array of numbers: got {_show_any(value)}"
    if array.shape != tuple(shape):
        return None, f"{name} should have shape {tuple(shape)}, got {array.shape}"
    if not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0]
        return None, f"{name} contains {array[tuple(bad)]} at {tuple(int(i) for i in bad)}: nan and inf lose"
    return array, ""


def _check_loss(loss, want) -> str:
    if not _finite_number(loss):
        return f"the loss should be a finite number, got {_show_any(loss)}"
    return compare(loss, want, atol=TOLERANCE, relative=True, name="the loss")[1]


def _check_entries(dz: np.ndarray, want: np.ndarray, columns=None) -> str:
    """'' when dz is want to TOLERANCE, else where it is not; `columns`: the probed columns of the big dz."""
    if columns is None:
        return compare(dz, want, atol=TOLERANCE, name="dz")[1]
    for j, column in enumerate(columns):
        ok, problem = compare(dz[:, j], want[:, j], atol=TOLERANCE, name=f"dz[:, {column}]")
        if not ok:
            return problem
    return ""


def judge(case: dict, got) -> tuple[bool, str, str]:
    try:
        if "call" in case:
            z = decode_array(case["call"]["args"][0]).astype(np.float64)
            y = decode_array(case["call"]["args"][1]).astype(np.int64)
        else:
            z, y = big_logits(case["seed"]), np.array(case["targets"], dtype=np.int64)
        loss, dz = expected(z, y)
    except Exception as error:  # a malformed case is the boss's bug, never the player's win
        return False, "?", f"the boss could not compute this case ({type(error).__name__})"
    summary = f"loss {loss:.9g}; dz of shape {dz.shape}, each row summing to 0"
    try:
        if "call" in case:
            return _judge_call(got, loss, dz, summary)
        return _judge_big(case, got, loss, dz, summary)
    except Exception as error:
        return False, summary, f"could not read the result ({type(error).__name__}): got {_show_any(got)}"


def _judge_call(got, loss, dz, summary) -> tuple[bool, str, str]:
    if not isinstance(got, (list, tuple)) or len(got) != 2:
        return False, summary, f"expected a tuple (loss, dz), got {_show_any(got)}"
    problem = _check_loss(got[0], loss)
    if problem:
        return False, summary, problem
    mine, problem = _array(got[1], dz.shape, "dz")
    if problem:
        return False, summary, problem
    problem = _check_entries(mine, dz)
    if problem:
        return False, summary, problem
    return True, summary, "loss and gradient match"


def _judge_big(case, got, loss, dz, summary) -> tuple[bool, str, str]:
    if not isinstance(got, dict) or not {"loss", "shape", "probe", "row_sum", "row_abs_sum"} <= set(got):
        return False, summary, f"expected the loss and dz, got {_show_any(got)}"
    problem = _check_loss(got["loss"], loss)
    if problem:
        return False, summary, problem
    if list(got["shape"]) != list(dz.shape):
        return False, summary, f"dz should have shape {dz.shape}, got {tuple(got['shape'])}"
    probe = case["probe"]
    mine, problem = _array(got["probe"], (dz.shape[0], len(probe)), "dz")
    if problem:
        return False, summary, problem
    problem = _check_entries(mine, dz[:, probe], columns=probe)
    if problem:
        return False, summary, problem
    for name, want in (("row_sum", dz.sum(axis=1)), ("row_abs_sum", np.abs(dz).sum(axis=1))):
        sums, problem = _array(got[name], (dz.shape[0],), "dz")
        if problem:
            return False, summary, problem
        what = "dz.sum(axis=1)" if name == "row_sum" else "np.abs(dz).sum(axis=1)"
        ok, problem = compare(sums, want, atol=TOLERANCE, name=what)
        if not ok:
            return False, summary, problem + " (each row of dz)"
    return True, summary, "loss and gradient match"
