"""Lab checks for module 8 (Regularization, Initialization, Normalization): each init's spread,
the variance argument through 50 ReLU layers, LayerNorm (forward, backward) and RMSNorm,
dropout in training and at evaluation, the L2 penalty, and the tower the boss trains.

Every check is a script run in the sandbox with the player's `lab` and `np` bound, on inputs
written into the script or drawn from a fixed seed, so the list is the same every time. The
judge here recomputes what it can from the level's formulas (LayerNorm, RMSNorm, the L2
penalty, signal_stats' forward and backward) and judges a random draw (he_init, xavier_init,
dropout) by its statistics, so any correct way of drawing passes. The tower checks are the
boss's own cases on fixed seeds, judged by the boss's judge.

The C lab has its own list, `native_checks`, built with c/checks_driver.c (the boss's driver
plus a trial for each function it does not call): layer_norm against the boss's formula,
layer_norm_backward against central differences (adding to dgamma and dbeta, as its contract
says), tower_build, tower_forward and tower_backward by what every tower must do (every number
written, the same params from the same normals, the same logits from the same call), then the
boss's trials on fixed seeds: the gradients at init, the backward against central differences,
the training. Its tolerances, measured on c/reference.c, are beside NATIVE_LN_TOLERANCE.

Measured on the reference, 2026-11-28, this 2-core VM while other work ran: the whole list takes
about 2 s of CPU (1.1 s of it the training check) and 6.0-6.5 s of wall time in the sandbox at a
load average of 12; TIME_LIMIT_S 20.
"""

from __future__ import annotations

import functools
import importlib.util
import math
from pathlib import Path

import numpy as np

from forge_tui.bossapi import compare

TIME_LIMIT_S = 20.0
HERE = Path(__file__).resolve().parent
EXACT = 1e-9  # deterministic arithmetic: rounding only
LN_TOLERANCE = 1e-6
STEP = 1e-6  # central differences
SPREAD = 0.03  # a sampled std within 3% of the asked one (sampling error here is below 0.5%)


@functools.cache
def _boss():
    """boss.py of this folder, loaded by path (trusted)."""
    spec = importlib.util.spec_from_file_location("_init_and_norm_boss_for_checks", HERE / "boss.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def literal(array) -> str:
    """An array as Python source that rebuilds it exactly (repr of a float round-trips)."""
    return f"np.array({np.asarray(array, dtype=np.float64).tolist()!r})"


def _check(name: str, summary: str, hint: str, kind: str, script: str, **notes) -> dict:
    return {"name": name, "summary": summary, "hint": hint, "kind": kind, "script": script, **notes}


# ---------------------------------------------------------------- the math, done here

def signal_stats(depth: int, width: int, weight_std: float, seed: int) -> tuple[list[float], list[float]]:
    """The brief's definition, drawn in the brief's order: weights, inputs, G."""
    rng = np.random.default_rng(seed)
    Ws = [rng.standard_normal((width, width)) * weight_std for _ in range(depth)]
    h = rng.standard_normal((256, width))
    dh = rng.standard_normal((256, width))
    zs, stds = [], []
    for W in Ws:
        zs.append(h @ W)
        h = np.maximum(zs[-1], 0.0)
        stds.append(float(h.std()))
    norms = [0.0] * depth
    for l in reversed(range(depth)):
        norms[l] = float(np.linalg.norm(dh))
        dh = (dh * (zs[l] > 0)) @ Ws[l].T
    return stds, norms


def rms_norm(x, gamma, eps):
    return gamma * x / np.sqrt(np.mean(x ** 2, axis=-1, keepdims=True) + eps)


def layer_norm_gradients(dy, x, gamma, beta, eps) -> list[np.ndarray]:
    """∂/∂(x, gamma, beta) of L = Σ dy ⊙ layer_norm(x), by central differences."""
    layer_norm = _boss().layer_norm
    arrays = [x.copy(), gamma.copy(), beta.copy()]
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for index in np.ndindex(a.shape):
            keep = a[index]
            a[index] = keep + STEP
            up = np.sum(dy * layer_norm(*arrays, eps))
            a[index] = keep - STEP
            down = np.sum(dy * layer_norm(*arrays, eps))
            a[index] = keep
            g[index] = (up - down) / (2 * STEP)
        grads.append(g)
    return grads


# ---------------------------------------------------------------- the checks

def _init_check(name, summary, hint, function, fan_in, fan_out, want_std) -> dict:
    script = (f"W = np.asarray(lab.{function}({fan_in}, {fan_out}, np.random.default_rng(8)), dtype=float)\n"
              "result = W\n")
    return _check(name, summary, hint, "init", script, shape=[fan_in, fan_out], std=want_std)


def _stats_check(name, summary, hint, kind, depth, width, std, seed=0) -> dict:
    script = (f"acts, grads = lab.signal_stats({depth}, {width}, {std!r}, seed={seed})\n"
              "result = {'acts': np.asarray(acts, dtype=float), 'grads': np.asarray(grads, dtype=float)}\n")
    return _check(name, summary, hint, kind, script, depth=depth, width=width, std=std, seed=seed)


def _norm_check(name, summary, hint, kind, function, x, gamma, beta=None, eps=1e-5) -> dict:
    args = f"{literal(x)}, {literal(gamma)}" + (f", {literal(beta)}" if beta is not None else "")
    script = f"result = np.asarray(lab.{function}({args}, eps={eps!r}), dtype=float)\n"
    notes = {"x": np.asarray(x).tolist(), "gamma": np.asarray(gamma).tolist(), "eps": eps}
    if beta is not None:
        notes["beta"] = np.asarray(beta).tolist()
    return _check(name, summary, hint, kind, script, **notes)


def _tower_checks() -> list[dict]:
    """The boss's own cases on fixed seeds: what the boss will ask, in public."""
    boss = _boss()
    rng = np.random.default_rng(80)
    X, y = boss.spirals(rng, 128, 2, 0.7)
    shapes = boss.shapes(4, 3, 8, 5)
    shape_script = (boss.PRELUDE.format(depth=4, n_in=3, width=8, n_out=5, seed=1, shapes=shapes)
                    + "X = np.random.default_rng(2).standard_normal((7, 3))\n"
                      "logits, cache = lab.tower_forward(params, X)\n"
                      "loss, dlogits = cross_entropy(logits, np.array([0, 1, 2, 3, 4, 0, 1]))\n"
                      "grads = checked(lab.tower_backward(params, cache, dlogits), 'tower_backward')\n"
                      "result = {'logits': np.asarray(logits, dtype=float).shape}\n")
    health = boss._health_case(rng, "the tower at init: gradients through 20 blocks",
                               "build(20, 2, 32, 2): ‖∂L/∂W[l]‖ of each block on 256 spiral points",
                               "As given, the tower is a plain stack with nn.Linear's default init: run the "
                               "lab and look at the norms. Each block must pass the signal on at the same "
                               "size, forward and backward: the init, a normalisation or a residual path "
                               "can each do part of that; the boss's brief says which pairs are enough.",
                               20, 2, 32, 2, X, y)
    probe = boss._probe_case(rng)
    probe["hint"] = ("Start from the top: dlogits gives dW_out, db_out and dh. Walk the blocks in reverse, "
                     "each one undoing its forward step by step; check layer_norm_backward on its own first.")
    train = boss._train_case(rng)
    train["hint"] = ("This is the boss's training, on fixed data: if the loss stays near log 2 the lower "
                     "blocks get no gradient; if it turns to nan something grows block after block.")
    return [
        _check("the tower: names and shapes", "build(4, 3, 8, 5), a forward of 7 points and a backward",
               "build returns a dict with W_in, b_in, gamma, beta, W, b, W_out, b_out, each of its "
               "stated shape (block l's arrays are row l of gamma, beta, W and b); tower_backward "
               "returns the same names and shapes.", "shapes", shape_script),
        dict(health, kind="health"),
        dict(probe, name="the tower: backward against central differences", kind="probe"),
        dict(train, name="the tower learns two spirals", kind="train"),
    ]


def checks() -> list[dict]:
    """Nineteen small wins, the same every time."""
    rng = np.random.default_rng(8)
    x = rng.standard_normal((6, 10)) * rng.uniform(0.5, 3, (6, 1)) + rng.uniform(-2, 2, (6, 1))
    x[1] = 0.01 * rng.standard_normal(10)
    x[2] = 1000.0 + rng.standard_normal(10)
    x[3] = 0.25
    gamma, beta = rng.uniform(0.5, 1.5, 10), rng.uniform(-0.5, 0.5, 10)
    dy, xb, gb, bb = (rng.standard_normal(s) for s in ((4, 6), (4, 6), (6,), (6,)))
    weights = [rng.standard_normal((3, 4)), rng.standard_normal((4, 2))]
    x_eval = rng.standard_normal((5, 7))
    out = [
        _init_check("he_init: shape and spread", "he_init(256, 128): shape (256, 128), std √(2/256)",
                    "A standard normal draw has std 1: multiply it by the standard deviation you want, "
                    "the square root of the variance 2 / fan_in.", "he_init", 256, 128, math.sqrt(2 / 256)),
        _init_check("he_init: fan_in, not fan_out", "he_init(32, 1024): std √(2/32), shape (32, 1024)",
                    "Var(y) = fan_in · Var(w) · E[x²]: the variance is set by how many inputs each unit "
                    "adds up, the first dimension of W.", "he_init", 32, 1024, math.sqrt(2 / 32)),
        _init_check("xavier_init", "xavier_init(300, 100): std √(2/400)",
                    "Glorot and Bengio balance the forward pass (fan_in) against the backward pass "
                    "(fan_out): the variance is 2 over their sum.", "xavier_init", 300, 100, math.sqrt(2 / 400)),
        _stats_check("signal_stats: the numbers", "signal_stats(6, 16, 0.3, seed=5), against the brief's recipe",
                     "Draw in the order the docstring gives (the weights, the inputs, then G), keep each "
                     "pre-activation z, record the std of each h = relu(z); backward from G: record the "
                     "norm, then multiply by the mask z > 0 and by W transposed.", "stats", 6, 16, 0.3, seed=5),
        _stats_check("the variance argument: He keeps 50 layers alive",
                     "signal_stats(50, 256, √(2/256)): every layer's std within [0.5, 2], gradients within 4×",
                     "With Var(w) = 2/fan_in each layer multiplies E[h²] by fan_in · (2/fan_in) · ½ = 1.",
                     "alive", 50, 256, math.sqrt(2 / 256)),
        _stats_check("the variance argument: 1/n fades away",
                     "signal_stats(50, 256, √(1/256)): the top layer's std and the bottom gradient shrink 10⁵×",
                     "With Var(w) = 1/fan_in each ReLU layer halves E[h²]: 50 halvings is 2⁻⁵⁰ ≈ 10⁻¹⁵.",
                     "fades", 50, 256, math.sqrt(1 / 256)),
        _norm_check("layer_norm: the Math's three numbers", "layer_norm([[1, 2, 6]], 1, 0, eps=0) = √(3/14)·(−2, −1, 3)",
                    "Subtract the row's mean, divide by the square root of its variance.", "layer_norm",
                    "layer_norm", np.array([[1.0, 2.0, 6.0]]), np.ones(3), np.zeros(3), eps=0.0),
        _norm_check("layer_norm: rows of every kind", "6 rows of 10: ordinary, tiny, near 1000, constant; eps 1e-5",
                    "The mean and the variance are per row (axis=-1, keepdims=True); the variance divides by "
                    "n (NumPy's default); eps goes inside the root, so a constant row comes out as beta.",
                    "layer_norm", "layer_norm", x, gamma, beta),
        _norm_check("layer_norm: any number of leading axes", "x of shape (2, 3, 8), gamma = 1, beta = 0",
                    "Normalise over the last axis only, whatever comes before it: a (batch, sequence, "
                    "features) array has batch × sequence rows.", "layer_norm", "layer_norm",
                    rng.standard_normal((2, 3, 8)) * 3 + 1, np.ones(8), np.zeros(8)),
        _check("layer_norm_backward", "dy, x of shape (4, 6), gamma and eps 1e-5, against central differences",
               "dbeta sums dy over the rows, dgamma sums dy times x̂. For dx, each x̂ depends on every x of "
               "its row through the mean and the variance: dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / "
               "√(var + eps) with dx̂ = dy·gamma.", "ln_backward",
               f"result = [np.asarray(a, dtype=float) for a in lab.layer_norm_backward({literal(dy)}, "
               f"{literal(xb)}, {literal(gb)}, eps=1e-5)]\n",
               dy=dy.tolist(), x=xb.tolist(), gamma=gb.tolist(), beta=bb.tolist()),
        _norm_check("rms_norm", "rms_norm([[3, 4]], 1, eps=0) and 6 rows with gamma, eps 1e-6",
                    "No mean is subtracted: divide by √(mean(x²) + eps) per row, then scale by gamma.",
                    "rms", "rms_norm", x, gamma, eps=1e-6),
        _check("dropout in training", "dropout(ones((200, 500)), 0.3, rng, train=True)",
               "Zero each entry with probability p and divide the survivors by 1 − p, so the mean stays 1.",
               "dropout", "result = np.asarray(lab.dropout(np.ones((200, 500)), 0.3, np.random.default_rng(3), "
               "train=True), dtype=float)\n", p=0.3),
        _check("dropout at evaluation", "train=False returns x as it is; so does p = 0 in training",
               "At evaluation no unit is dropped and nothing is scaled: inverted dropout did its scaling "
               "during training.", "identity",
               f"x = {literal(x_eval)}\nrng = np.random.default_rng(4)\n"
               "result = [np.asarray(lab.dropout(x.copy(), 0.5, rng, train=False), dtype=float), "
               "np.asarray(lab.dropout(x.copy(), 0.0, rng, train=True), dtype=float)]\n", x=x_eval.tolist()),
        _check("dropout: a fresh mask every call", "two calls with the same rng drop different entries",
               "Draw the mask from the rng you are given, every call: never a fixed seed inside dropout.",
               "fresh", "rng = np.random.default_rng(5)\nx = np.ones((20, 30))\n"
               "result = [np.asarray(lab.dropout(x, 0.5, rng), dtype=float), np.asarray(lab.dropout(x, 0.5, rng), "
               "dtype=float)]\n"),
        _check("l2_penalty", "weights (3×4) and (4×2), lam = 0.1: the penalty and its gradients",
               "The penalty is (lam / 2) times the sum of every squared weight; its gradient for each W is "
               "lam · W.", "l2",
               f"value, grads = lab.l2_penalty([{literal(weights[0])}, {literal(weights[1])}], 0.1)\n"
               "result = {'value': float(value), 'grads': [np.asarray(g, dtype=float) for g in grads]}\n",
               weights=[w.tolist() for w in weights], lam=0.1),
    ]
    return out + _tower_checks()


# ---------------------------------------------------------------- judge

class Wrong(Exception):
    """What is wrong with an answer, as one line for the learner."""


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _array(value, shape=None, what="the result") -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"{what} is not an array of numbers: {_show(value)}") from None
    if shape is not None and array.shape != tuple(shape):
        raise Wrong(f"{what} has shape {array.shape}, expected {tuple(shape)}")
    if not np.all(np.isfinite(array)):
        raise Wrong(f"{what} holds nan or inf")
    return array


def _require(mine, want, what: str, *, source: str = "", **tolerance) -> None:
    """Raise Wrong, saying where and by how much, unless mine is want to `tolerance` (bossapi.compare's)."""
    ok, problem = compare(mine, want, name=what, **tolerance)
    if not ok:
        raise Wrong(problem + (f" ({source})" if source else ""))


def _judge_init(check, got) -> str:
    W = _array(got, check["shape"], "W")
    want = check["std"]
    _require(W.std(), want, "the weights' std", rtol=SPREAD, atol=0.0)
    _require(W.mean(), 0.0, "the weights' mean", atol=0.05 * want)
    return f"shape {W.shape}, std {W.std():.4g}"


def _stats(check, got) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(got, dict):
        raise Wrong(f"signal_stats should return (act_stds, grad_norms), got {_show(got)}")
    depth = check["depth"]
    return _array(got.get("acts"), (depth,), "act_stds"), _array(got.get("grads"), (depth,), "grad_norms")


def _judge_stats(check, got) -> str:
    acts, grads = _stats(check, got)
    want_acts, want_grads = signal_stats(check["depth"], check["width"], check["std"], check["seed"])
    _require(acts, np.array(want_acts), "act_stds", atol=EXACT, relative=True)
    _require(grads, np.array(want_grads), "grad_norms", atol=EXACT, relative=True)
    return "every std and every norm matches"


def _judge_alive(check, got) -> str:
    acts, grads = _stats(check, got)
    if acts.min() < 0.5 or acts.max() > 2.0:
        low = int(np.argmin(acts)) if acts.min() < 0.5 else int(np.argmax(acts))
        raise Wrong(f"layer {low}'s std is {acts[low]:.3g}, outside [0.5, 2]")
    spread = grads.max() / grads.min()
    if spread > 4:
        raise Wrong(f"the gradient norms span a factor of {spread:.3g} over 50 layers")
    return f"std from {acts.min():.3g} to {acts.max():.3g}, gradient norms within {spread:.3g}×"


def _judge_fades(check, got) -> str:
    acts, grads = _stats(check, got)
    if not (acts[-1] < 1e-5 * acts[0] and grads[0] < 1e-5 * grads[-1]):
        raise Wrong(f"std {acts[0]:.3g} → {acts[-1]:.3g}, gradient {grads[-1]:.3g} → {grads[0]:.3g}: "
                    "with Var(w) = 1/fan_in both should shrink by more than 10⁵")
    return f"std {acts[0]:.3g} → {acts[-1]:.3g}; gradient {grads[-1]:.3g} → {grads[0]:.3g}"


def _judge_layer_norm(check, got) -> str:
    x, gamma, beta = (np.array(check[k], dtype=float) for k in ("x", "gamma", "beta"))
    want = _boss().layer_norm(x, gamma, beta, check["eps"])
    mine = _array(got, want.shape, "layer_norm's output")
    _require(mine, want, "layer_norm's output", atol=LN_TOLERANCE)
    return "every entry within 1e-6"


def _judge_ln_backward(check, got) -> str:
    if not isinstance(got, list) or len(got) != 3:
        raise Wrong(f"layer_norm_backward should return (dx, dgamma, dbeta), got {_show(got)}")
    dy, x, gamma, beta = (np.array(check[k], dtype=float) for k in ("dy", "x", "gamma", "beta"))
    for name, mine, want in zip(("dx", "dgamma", "dbeta"), got, layer_norm_gradients(dy, x, gamma, beta, 1e-5)):
        mine = _array(mine, want.shape, name)
        _require(mine, want, name, atol=LN_TOLERANCE, source="expected from central differences")
    return "dx, dgamma and dbeta match central differences"


def _judge_rms(check, got) -> str:
    x, gamma = np.array(check["x"], dtype=float), np.array(check["gamma"], dtype=float)
    want = rms_norm(x, gamma, check["eps"])
    _require(_array(got, want.shape, "rms_norm's output"), want, "rms_norm", atol=EXACT, relative=True)
    return "every entry matches"


def _judge_dropout(check, got) -> str:
    y = _array(got, (200, 500), "the output")
    p = check["p"]
    kept = y != 0
    scaled = np.full(y.shape, 1 / (1 - p))  # every kept entry of ones; a dropped one is 0
    _require(np.where(kept, y, scaled), scaled, "the output", rtol=1e-12, atol=0.0,
             source="a kept entry of ones should be 1 / (1 − p)")
    dropped = 1 - kept.mean()
    _require(dropped, p, "the fraction dropped", atol=0.006)  # four standard deviations of 100,000 draws
    return f"{dropped:.2%} dropped, survivors scaled to {1 / (1 - p):.4g}, mean {y.mean():.4f}"


def _judge_identity(check, got) -> str:
    if not isinstance(got, list) or len(got) != 2:
        raise Wrong(f"expected two outputs, got {_show(got)}")
    x = np.array(check["x"], dtype=float)
    evaluation, no_drop = _array(got[0], x.shape, "dropout(train=False)"), _array(got[1], x.shape, "dropout(p=0)")
    if not np.array_equal(evaluation, x):
        raise Wrong("with train=False the output should be x itself, unscaled and undropped")
    if not np.array_equal(no_drop, x):
        raise Wrong("with p = 0 nothing is dropped and 1 / (1 − 0) = 1: the output should be x")
    return "x comes back unchanged"


def _judge_fresh(check, got) -> str:
    if not isinstance(got, list) or len(got) != 2:
        raise Wrong(f"expected two outputs, got {_show(got)}")
    first, second = (_array(g, (20, 30)) for g in got)
    if np.array_equal(first == 0, second == 0):
        raise Wrong("both calls dropped exactly the same entries")
    return f"the masks differ in {int(np.sum((first == 0) != (second == 0)))} of 600 entries"


def _judge_l2(check, got) -> str:
    if not isinstance(got, dict) or not isinstance(got.get("grads"), list):
        raise Wrong(f"l2_penalty should return (value, [gradients]), got {_show(got)}")
    weights, lam = [np.array(w) for w in check["weights"]], check["lam"]
    want = 0.5 * lam * sum(np.sum(w ** 2) for w in weights)
    value = got.get("value")
    if not isinstance(value, (int, float)):
        raise Wrong(f"the penalty is {_show(value)}, expected {want:.9g}")
    _require(value, want, "the penalty", atol=EXACT, relative=True)
    if len(got["grads"]) != len(weights):
        raise Wrong(f"{len(got['grads'])} gradients for {len(weights)} weight matrices")
    for index, (grad, w) in enumerate(zip(got["grads"], weights)):
        _require(_array(grad, w.shape, f"gradient {index}"), lam * w, f"gradient {index}", atol=EXACT, relative=True)
    return f"penalty {want:.6g} and both gradients match"


def _judge_shapes(check, got) -> str:
    if not isinstance(got, dict) or list(np.ravel(got.get("logits", []))) != [7, 5]:
        raise Wrong(f"tower_forward's logits should have shape (7, 5), got {_show(got)}")
    return "every array has its shape"


def _boss_judge(check, got) -> str:
    passed, _, message = _boss().judge(check, got)
    if not passed:
        raise Wrong(message)
    return message


JUDGES = {"init": _judge_init, "stats": _judge_stats, "alive": _judge_alive, "fades": _judge_fades,
          "layer_norm": _judge_layer_norm, "ln_backward": _judge_ln_backward, "rms": _judge_rms,
          "dropout": _judge_dropout, "identity": _judge_identity, "fresh": _judge_fresh, "l2": _judge_l2,
          "shapes": _judge_shapes, "health": _boss_judge, "probe": _boss_judge, "train": _boss_judge}
EXPECTED = {"init": "a draw with the asked std", "stats": "the brief's numbers to 1e-9",
            "alive": "std in [0.5, 2] at every layer", "fades": "both shrink by more than 10⁵",
            "layer_norm": "every entry within 1e-6", "ln_backward": "central differences to 1e-6",
            "rms": "the formula's numbers", "dropout": "about 30% zeros, survivors ×1/0.7",
            "identity": "x unchanged", "fresh": "two different masks", "l2": "(lam/2)·Σ‖W‖² and lam·W",
            "shapes": "logits (7, 5) and every array of its shape"}


def judge(check: dict, got) -> tuple[bool, str, str]:
    kind = check.get("kind")
    if kind not in JUDGES:  # a malformed check is this file's bug, never the player's win
        return False, "?", "this check could not be read"
    expected = EXPECTED.get(kind) or check.get("summary", "")
    try:
        with np.errstate(all="ignore"):
            return True, expected, JUDGES[kind](check, got)
    except Wrong as wrong:
        return False, expected, str(wrong)
    except Exception as error:  # noqa: BLE001 - an answer the judge cannot read loses
        return False, expected, f"could not read the result ({type(error).__name__}): got {_show(got)}"


# ---------------------------------------------------------------- the C lab's checks

C_DRIVER = "c/checks_driver.c"  # compiled with the player's lab.c; reads c_stdin(checks), answers on fd 3
C_HEADER = "c/checks.h"  # the boss's four signatures and layer_norm_backward's, forced into the build
# Measured 2026-11-29 through these checks (the sandbox, c/checks_driver.c, gcc -O2) on
# c/reference.c: layer_norm within 4.4e-16 of the boss's float64 formula (0 on the Math's row),
# layer_norm_backward within 8.6e-10 of the central differences it is judged against (dx; dgamma
# and dbeta 6.1e-10), the rounding of those differences at step 1e-6. The whole C list takes
# 1.6-1.9 s of wall time in the sandbox, gcc included, at a load average of 3 (TIME_LIMIT_S 20).
NATIVE_LN_TOLERANCE = 1e-8  # layer_norm: 2e7 times the reference's gap
NATIVE_GRADIENT_TOLERANCE = 1e-6  # layer_norm_backward: 1,100 times the reference's gap (the Python check's)
SMALL_TOWER = (4, 3, 8, 5)  # depth, n_in, width, n_out
DEEP_TOWER = (32, 3, 24, 4)


def _native(name: str, summary: str, hint: str, kind: str, **inputs) -> dict:
    return {"name": name, "summary": summary, "hint": hint, "kind": kind,
            **{key: value.tolist() if isinstance(value, np.ndarray) else value for key, value in inputs.items()}}


def _tower_inputs(shape, seed: int, batch: int, rng) -> dict:
    depth, n_in, width, n_out = shape
    return {"tower": {"depth": depth, "n_in": n_in, "width": width, "n_out": n_out, "seed": seed},
            "X": np.round(rng.standard_normal((batch, n_in)), 6), "y": rng.integers(0, n_out, batch)}


def native_checks() -> list[dict]:
    """Twelve small wins for the C lab, the same every time: layer_norm and layer_norm_backward
    against the formula and central differences; tower_build, tower_forward and tower_backward
    by what any tower must do (every number written, nothing random but the normals), then the
    boss's own trials on fixed seeds."""
    rng = np.random.default_rng(808)
    x = rng.standard_normal((6, 10)) * rng.uniform(0.5, 3, (6, 1)) + rng.uniform(-2, 2, (6, 1))
    x[1] = 0.01 * rng.standard_normal(10)
    x[2] = 1000.0 + rng.standard_normal(10)
    x[3] = 0.25
    gamma, beta = rng.uniform(0.5, 1.5, 10), rng.uniform(-0.5, 0.5, 10)
    dy, xb, gb = rng.standard_normal((4, 6)), rng.standard_normal((4, 6)) * 2 + 1, rng.uniform(0.5, 1.5, 6)
    start_gamma, start_beta = np.round(rng.uniform(-1, 1, 6), 3), np.round(rng.uniform(-1, 1, 6), 3)
    health, probe, train = (c for c in _tower_checks() if c["kind"] in ("health", "probe", "train"))
    return [
        _native("layer_norm: the Math's three numbers", "layer_norm of the row (1, 2, 6), gamma 1, beta 0, eps 0",
                "Subtract the row's mean, divide by the square root of its variance.", "native_layer_norm",
                x=np.array([[1.0, 2.0, 6.0]]), gamma=np.ones(3), beta=np.zeros(3), eps=0.0),
        _native("layer_norm: rows of every kind", "6 rows of 10: ordinary, tiny, near 1000, constant; eps 1e-5",
                "The mean and the variance are per row; the variance divides by n; eps goes inside the "
                "root, so a constant row comes out as beta.", "native_layer_norm", x=x, gamma=gamma, beta=beta,
                eps=1e-5),
        _native("layer_norm_backward: against central differences", "dy and x of 4 rows of 6, gamma, eps "
                "1e-5; dgamma and dbeta start at 0", "dbeta adds up dy over the rows, dgamma adds up dy times "
                "x_hat. Each x_hat depends on every x of its row through the mean and the variance: dx has a "
                "term for each, besides dy * gamma / sqrt(var + eps).", "native_ln_backward",
                dy=dy, x=xb, gamma=gb, eps=1e-5, start_gamma=np.zeros(6), start_beta=np.zeros(6)),
        _native("layer_norm_backward: adds to dgamma and dbeta", "the same inputs, with dgamma and dbeta "
                "starting at other numbers", "The contract says adds to: dgamma and dbeta come in holding "
                "something, and each row's share goes on top of it.", "native_ln_backward",
                dy=dy, x=xb, gamma=gb, eps=1e-5, start_gamma=start_gamma, start_beta=start_beta),
        _native("tower_build: every parameter written", f"tower_build{SMALL_TOWER} twice from the same normals",
                "Write every entry of params (weights, biases, gamma, beta), each from the shape and the "
                "normals only: the same normals must build the same tower.", "native_build",
                tower=_tower_inputs(SMALL_TOWER, 81, 1, rng)["tower"]),
        _native("tower_build: sizes from the shape", f"tower_build{DEEP_TOWER}: 32 blocks of width 24",
                "Every size comes from shape: nothing may be fixed at 20 blocks or width 32.", "native_build",
                tower=_tower_inputs(DEEP_TOWER, 82, 1, rng)["tower"]),
        dict(health, name="tower_build: gradients at init through 20 blocks"),
        _native("tower_forward: every logit written", f"tower_forward on {SMALL_TOWER}, 7 points, twice",
                "Write every logit (batch x n_out), and keep nothing from one call to the next: the same "
                "params and x must give the same logits.", "native_forward",
                **_tower_inputs(SMALL_TOWER, 83, 7, rng)),
        _native("tower_forward: sizes from the shape", f"tower_forward on {DEEP_TOWER}, 9 points, twice",
                "Every size comes from shape and batch: a width or a depth fixed at the boss's 20 x 32 "
                "reads past the arrays here.", "native_forward", **_tower_inputs(DEEP_TOWER, 84, 9, rng)),
        _native("tower_backward: every gradient written", f"tower_backward on {SMALL_TOWER}, 7 points: "
                "grads start as NaN", "Write every entry of grads, one per parameter in the params layout "
                "(zero the ones that get no gradient).", "native_backward",
                **_tower_inputs(SMALL_TOWER, 85, 7, rng)),
        dict(probe, name="tower_backward: against central differences"),
        train,
    ]


def _native_text(check: dict) -> str:
    """One native check as c/checks_driver.c reads it (see there): inputs only."""
    kind = check["kind"]
    if kind in ("health", "probe", "train"):
        return kind + _boss().c_case_text(check)[1:]
    if kind == "native_layer_norm":
        x = np.array(check["x"], dtype=float)
        return "\n".join([f"layernorm {x.shape[0]} {x.shape[1]} {check['eps']!r}", *map(_boss()._numbers, x),
                          _boss()._numbers(check["gamma"]), _boss()._numbers(check["beta"])]) + "\n"
    if kind == "native_ln_backward":
        x = np.array(check["x"], dtype=float)
        arrays = (check["dy"], check["x"], check["gamma"], check["start_gamma"], check["start_beta"])
        return f"lnbackward {x.shape[0]} {x.shape[1]} {check['eps']!r}\n" + "\n".join(map(_boss()._numbers, arrays)) + "\n"
    t = check["tower"]
    line = f"{kind[len('native_'):]} {t['depth']} {t['n_in']} {t['width']} {t['n_out']} {t['seed']}"
    if kind == "native_build":
        return line + "\n"
    X = np.array(check["X"], dtype=float)
    text = f"{line} {len(X)}\n" + "\n".join(map(_boss()._numbers, X)) + "\n"
    return text + (_boss()._integers(check["y"]) + "\n" if kind == "native_backward" else "")


def c_stdin(cases: list[dict]) -> str:
    """Everything c/checks_driver.c reads on stdin: the number of checks, then each check."""
    return f"{len(cases)}\n" + "".join(_native_text(check) for check in cases)


def c_answer(check: dict, value):
    """The driver's answer as the judge reads it: the boss's reading for the boss's trials, the
    flat arrays as they came (shapes are judged there) for the rest; or (None, problem)."""
    if check["kind"] in ("health", "probe", "train"):
        return _boss().c_answer(check, value)
    return value, ""


def _tower_size(tower: dict) -> int:
    return sum(math.prod(s) for s in _boss().shapes(tower["depth"], tower["n_in"], tower["width"],
                                                    tower["n_out"]).values())


def _written(value, count: int, what: str, unwritten: str) -> np.ndarray:
    """A flat array of `count` finite numbers, or Wrong saying which entry was never written."""
    array = np.ravel(np.asarray(value, dtype=np.float64))
    if array.size != count:
        raise Wrong(f"{what}: {array.size} numbers came back, expected {count}")
    if not np.all(np.isfinite(array)):
        first = int(np.argwhere(~np.isfinite(array))[0][0])
        raise Wrong(f"{what}[{first}] is {array[first]}: {unwritten}")
    return array


def _pair(check, got, count: int, what: str, unwritten: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(got, dict):
        raise Wrong(f"expected two runs of {what}, got {_show(got)}")
    return (_written(got.get("first"), count, what, unwritten),
            _written(got.get("second"), count, f"{what} (the second call)", unwritten))


def _judge_native_layer_norm(check, got) -> str:
    x, gamma, beta = (np.array(check[k], dtype=float) for k in ("x", "gamma", "beta"))
    want = _boss().layer_norm(x, gamma, beta, check["eps"])
    mine = _written(got, want.size, "layer_norm's y", "never written, or a division by zero "
                    "(a constant row has variance 0: is eps inside the root?)").reshape(want.shape)
    _require(mine, want, "y", atol=NATIVE_LN_TOLERANCE)
    return f"every entry within {NATIVE_LN_TOLERANCE:g}"


def _judge_native_ln_backward(check, got) -> str:
    if not isinstance(got, dict):
        raise Wrong(f"expected dx, dgamma and dbeta, got {_show(got)}")
    dy, x, gamma = (np.array(check[k], dtype=float) for k in ("dy", "x", "gamma"))
    dx, dgamma, dbeta = layer_norm_gradients(dy, x, gamma, np.zeros_like(gamma), check["eps"])
    starts = {"dx": 0.0, "dgamma": np.array(check["start_gamma"]), "dbeta": np.array(check["start_beta"])}
    for name, want in (("dx", dx), ("dgamma", dgamma), ("dbeta", dbeta)):
        mine = _written(got.get(name), want.size, name, "never written").reshape(want.shape)
        if name != "dx" and np.any(starts[name]) and compare(mine, want, atol=NATIVE_GRADIENT_TOLERANCE)[0]:
            raise Wrong(f"{name} holds the gradient alone: it was set, not added to the numbers it came in with")
        _require(mine, want + starts[name], name, atol=NATIVE_GRADIENT_TOLERANCE,
                 source="expected: what it came in with plus central differences" if name != "dx"
                 else "expected from central differences")
    return "dx, dgamma and dbeta match"


def _judge_native_build(check, got) -> str:
    count = _tower_size(check["tower"])
    first, second = _pair(check, got, count, "params", "never written by tower_build")
    if not np.array_equal(first, second):
        where = int(np.argmax(first != second))
        raise Wrong(f"two builds from the same normals differ at params[{where}]: draw nothing but the normals")
    return f"all {count} parameters written, the same both times"


def _judge_native_forward(check, got) -> str:
    t = check["tower"]
    count = len(check["X"]) * t["n_out"]
    first, second = _pair(check, got, count, "logits", "never written, or the signal overflowed")
    if not np.array_equal(first, second):
        raise Wrong("two calls on the same params and x gave different logits: keep nothing between calls")
    return f"all {count} logits written, the same both times"


def _judge_native_backward(check, got) -> str:
    count = _tower_size(check["tower"])
    _written(got, count, "grads", "never written by tower_backward (or nan from the forward)")
    return f"all {count} gradients written"


JUDGES.update({"native_layer_norm": _judge_native_layer_norm, "native_ln_backward": _judge_native_ln_backward,
               "native_build": _judge_native_build, "native_forward": _judge_native_forward,
               "native_backward": _judge_native_backward})
EXPECTED.update({"native_layer_norm": "the formula's numbers", "native_ln_backward": "central differences",
                 "native_build": "every parameter, the same from the same normals",
                 "native_forward": "every logit, the same both times", "native_backward": "every gradient"})
