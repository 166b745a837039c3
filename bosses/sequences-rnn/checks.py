"""Lab checks for module 10 (Sequences: RNNs and LSTMs): the RNN step, forward pass and
backpropagation through time, the Jacobian norms that vanish, the LSTM step, forward and backward
passes, the gradient that survives 30 steps in the cell, the parameter count, initialisation,
the loss, clipping, one training step, and an LSTM that learns to count.

Every input is fixed (drawn here from fixed seeds), so the list is the same every time. The
expected values are computed here, never by the player's lab: the RNN by the plain loops below,
the LSTM by boss.py's gate-by-gate cell, and every gradient of the backward passes and the loss
by central differences (h = 1e-5, accurate to about 1e-9 on these sizes), so those checks are
literally "your BPTT against finite differences".
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

from forge_tui.bossapi import compare

TIME_LIMIT_S = 20.0  # the whole list: about 1.5 s of CPU for the reference, most of it counting
TOLERANCE = 1e-9
GRADIENT_TOLERANCE = 1e-6
EPSILON = 1e-5
COUNT_T, COUNT_TRAIN, COUNT_HELD_OUT, COUNT_THRESHOLD = 10, 300, 200, 0.9


def _boss():
    """This module's boss.py (its LSTM cell, backward pass, loss and step), loaded by path."""
    name = "_neuralforge_checks_sequences_rnn_boss"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("boss.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


# ---------------------------------------------------------------- trusted answers

def rnn_run(xs, h0, W_xh, W_hh, b) -> np.ndarray:
    """The RNN's hidden states (B, T, H), one sequence and one unit at a time."""
    B, T, _ = xs.shape
    hs = np.zeros((B, T, len(b)))
    for s in range(B):
        h = h0[s]
        for t in range(T):
            h = np.array([np.tanh(W_hh[j] @ h + W_xh[j] @ xs[s, t] + b[j]) for j in range(len(b))])
            hs[s, t] = h
    return hs


def central_differences(f, arrays: dict, names) -> dict:
    """∂f/∂a for each named array, entry by entry: (f(a + ε) − f(a − ε)) / 2ε."""
    grads = {}
    for name in names:
        grad = np.zeros_like(arrays[name])
        for index in np.ndindex(grad.shape):
            saved = arrays[name][index]
            arrays[name][index] = saved + EPSILON
            up = f(arrays)
            arrays[name][index] = saved - EPSILON
            down = f(arrays)
            arrays[name][index] = saved
            grad[index] = (up - down) / (2 * EPSILON)
        grads[name] = grad
    return grads


def jacobian_norms(hs, W_hh) -> np.ndarray:
    """‖∂h_t/∂h_0‖ (Frobenius) for one sequence hs (T, H): J_t = diag(1 − h_t²) W_hh J_{t−1}."""
    H = len(W_hh)
    J, norms = np.eye(H), []
    for h in hs:
        J = np.array([[(1 - h[i] ** 2) * sum(W_hh[i, m] * J[m, j] for m in range(H)) for j in range(H)]
                      for i in range(H)])
        norms.append(np.sqrt(np.sum(J ** 2)))
    return np.array(norms)


def rnn_gradient_to_start(xs, h0, W_xh, W_hh, b, u) -> np.ndarray:
    """∂(u·h_T)/∂h_0 for one sequence, through the Jacobians of every step."""
    hs = rnn_run(xs[None], h0[None], W_xh, W_hh, b)[0]
    g = u
    for h in hs[::-1]:
        g = ((1 - h ** 2) * g) @ W_hh
    return g


def counting_data(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n random bit strings of COUNT_T steps (n, T, 1) and the running count of 1s (n, T)."""
    bits = np.random.default_rng(seed).integers(0, 2, (n, COUNT_T))
    return bits[..., None].astype(float), np.cumsum(bits, axis=1)


# ---------------------------------------------------------------- fixed inputs

def _draw(seed: int, **shapes) -> dict:
    """Fixed arrays, six decimals: name=(shape, scale)."""
    rng = np.random.default_rng(seed)
    return {name: np.round(scale * rng.standard_normal(shape), 6) for name, (shape, scale) in shapes.items()}


RNN = _draw(10, xs=((2, 5, 3), 1.0), h0=((2, 4), 0.5), W_xh=((4, 3), 0.7), W_hh=((4, 4), 0.6), b=((4,), 0.3),
            dhs=((2, 5, 4), 1.0))
LSTM = _draw(11, xs=((2, 5, 2), 1.0), h0=((2, 3), 0.5), c0=((2, 3), 1.0), W=((12, 5), 0.8), b=((12,), 0.5),
             dhs=((2, 5, 3), 1.0))
VANISH = _draw(12, xs=((30, 2), 1.0), h0=((4,), 0.5), W_xh=((4, 2), 0.5), W_hh=((4, 4), 0.6), b=((4,), 0.1),
               W=((16, 6), 0.3), u=((4,), 1.0))
VANISH["b_lstm"] = np.array([0.0] * 4 + [4.0] * 4 + [0.0] * 8)  # a forget gate held open: f ≈ σ(4) ≈ 0.98
LOSS = _draw(13, W=((12, 5), 0.8), b=((12,), 0.5), W_y=((3, 3), 1.0), b_y=((3,), 0.5))
LOSS_XS = np.random.default_rng(14).integers(0, 2, (3, 4, 2)).astype(float)
LOSS_YS = np.random.default_rng(15).integers(0, 3, (3, 4))
STEP = _draw(16, W=((16, 6), 0.8), b=((16,), 0.5), W_y=((2, 4), 4.0), b_y=((2,), 0.5))
STEP_XS = np.random.default_rng(17).integers(0, 2, (4, 6, 2)).astype(float)
STEP_YS = np.random.default_rng(18).integers(0, 2, (4, 6))
CLIP = {"W": np.array([[3.0, 0.0], [0.0, 4.0]]), "b": np.array([12.0])}  # joint length 13


def _literal(value) -> str:
    return f"np.array({np.asarray(value).tolist()!r})"


def _plain(value):
    """Arrays as nested lists, inside dicts too: a check is plain JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value.tolist() if isinstance(value, np.ndarray) else value


def _check(name: str, summary: str, hint: str, kind: str, script: str, **inputs) -> dict:
    return {"name": name, "summary": summary, "hint": hint, "kind": kind, "script": script,
            "inputs": _plain(inputs)}


def _lets(**arrays) -> str:
    return "".join(f"{name} = {_literal(value)}\n" for name, value in arrays.items())


def _dict(arrays: dict) -> str:
    return "{" + ", ".join(f"{k!r}: {_literal(v)}" for k, v in arrays.items()) + "}"


_GRADS = """if not isinstance(grads, dict):
    raise TypeError("the backward pass must return a dict of gradients keyed {keys}")
result = {{k: (np.asarray(grads[k], dtype=float) if k in grads else None) for k in {keys!r}}}
"""


def _rnn_checks() -> list[dict]:
    x, h = np.array([2.0]), np.array([0.2, -0.4])
    W_xh, W_hh, b = np.array([[1.0], [-1.0]]), np.array([[0.5, 0.0], [0.0, 0.5]]), np.array([0.0, 0.1])
    r = RNN
    forward = _lets(xs=r["xs"], h0=r["h0"], W_xh=r["W_xh"], W_hh=r["W_hh"], b=r["b"])
    return [
        _check("rnn_step: one step by hand", "H = 2, d = 1: W_xh = (1, −1), W_hh = 0.5·I, b = (0, 0.1)",
               "Each unit adds three things, its recurrent input, its input from x and its bias, and "
               "squashes the sum: h_new = tanh(W_hh h + W_xh x + b). Work unit 1 out by hand and compare.",
               "rnn_step",
               _lets(x=x, h=h, W_xh=W_xh, W_hh=W_hh, b=b) + "result = np.asarray(lab.rnn_step(x, h, W_xh, W_hh, b), dtype=float)",
               xs=x[None, None], h0=h[None], W_xh=W_xh, W_hh=W_hh, b=b, single=True),
        _check("rnn_step: a batch", "x (2, 3), h (2, 4): one step for two sequences at once",
               "Write the step for rows: h @ W_hh.T is W_hh h for every row of h at once, and the same "
               "line then serves one sequence and a batch.",
               "rnn_step",
               forward + "result = np.asarray(lab.rnn_step(xs[:, 0], h0, W_xh, W_hh, b), dtype=float)",
               xs=r["xs"][:, :1], h0=r["h0"], W_xh=r["W_xh"], W_hh=r["W_hh"], b=r["b"]),
        _check("rnn_forward: five steps", "two sequences of 5 steps from a non-zero h0: hs (2, 5, 4)",
               "Start from h0 and feed each step's output into the next step; stack the states so "
               "that hs[:, t] is the state after reading xs[:, t].",
               "rnn_forward",
               forward + "out = lab.rnn_forward(xs, h0, W_xh, W_hh, b)\n"
               "if not isinstance(out, (tuple, list)) or len(out) != 2:\n"
               "    raise TypeError('rnn_forward must return (hs, cache)')\n"
               "result = np.asarray(out[0], dtype=float)",
               **{k: r[k] for k in ("xs", "h0", "W_xh", "W_hh", "b")}),
        _check("rnn_backward: against finite differences",
               "∂(Σ dhs·hs) for W_xh, W_hh, b and h0 over 5 steps, compared with central differences",
               "Go backwards through the steps. At step t the gradient reaching h_t is dhs[:, t] plus "
               "what step t + 1 sent back; through tanh it is multiplied by 1 − h_t²; then it feeds "
               "W_xh, W_hh and b, and W_hh carries it to h_{t−1}. What is left at the start is dh0.",
               "rnn_grads",
               forward + _lets(dhs=r["dhs"]) + "hs, cache = lab.rnn_forward(xs, h0, W_xh, W_hh, b)\n"
               "grads = lab.rnn_backward(dhs, cache)\n" + _GRADS.format(keys=("W_xh", "W_hh", "b", "h0")),
               **r),
    ]


def _vanishing_checks() -> list[dict]:
    v = VANISH
    hs_small = rnn_run(v["xs"][None], v["h0"][None], v["W_xh"], v["W_hh"], v["b"])[0]
    W_big = 4.0 * v["W_hh"]
    hs_big = rnn_run(v["xs"][None], v["h0"][None], v["W_xh"], W_big, v["b"])[0]
    script = ("out = lab.jacobian_norms({hs}, {W})\nresult = np.asarray(out, dtype=float)")
    to_start = (_lets(xs=v["xs"][None], h0=v["h0"][None], W_xh=v["W_xh"], W_hh=v["W_hh"], b=v["b"], W=v["W"],
                      b_lstm=v["b_lstm"], u=v["u"]) +
                "dhs = np.zeros((1, 30, 4))\ndhs[0, -1] = u\n"
                "hs, cache = lab.rnn_forward(xs, h0, W_xh, W_hh, b)\nrnn = lab.rnn_backward(dhs, cache)\n"
                "hs, cache = lab.lstm_forward(xs, h0, np.zeros((1, 4)), W, b_lstm)\nlstm = lab.lstm_backward(dhs, cache)\n"
                "result = [np.asarray(rnn['h0'], dtype=float)[0], np.asarray(lstm['c0'], dtype=float)[0]]")
    return [
        _check("jacobian_norms: the gradient vanishes",
               "30 steps with a small W_hh (entries about 0.6): ‖∂h_t/∂h_0‖ for t = 1..30",
               "∂h_t/∂h_{t−1} is diag(1 − h_t²) W_hh: scale the rows of W_hh by 1 − h_t². Keep a running "
               "product J (start from the identity), multiply the new factor on the left at every step, "
               "and record np.linalg.norm(J).",
               "jacobian", script.format(hs=_literal(hs_small), W=_literal(v["W_hh"])),
               hs=hs_small, W_hh=v["W_hh"], note="vanish"),
        _check("jacobian_norms: a large W_hh",
               "the same inputs with W_hh four times larger: do large weights make the gradient explode?",
               "The same product as before, with the states of this run. Large weights push tanh into "
               "saturation, where 1 − h² is close to 0, and that factor multiplies every step too.",
               "jacobian", script.format(hs=_literal(hs_big), W=_literal(W_big)),
               hs=hs_big, W_hh=W_big, note="large"),
        _check("after 30 steps: the RNN forgets, the LSTM's cell remembers",
               "gradient of u·h_30 at the start: the RNN's ∂/∂h_0 beside the LSTM's ∂/∂c_0 (forget bias 4)",
               "Both come from your backward passes with dhs zero except at the last step. The RNN "
               "multiplies 30 Jacobians whose norms are below one; along the LSTM's cell each step "
               "multiplies by f ≈ σ(4) ≈ 0.98. If yours differ, check each backward pass first.",
               "vanishing", to_start, **{k: v[k] for k in v}),
    ]


def _lstm_checks() -> list[dict]:
    L = LSTM
    H = 3
    keep_b = np.array([-30.0] * H + [30.0] * H + [0.0] * H + [30.0] * H)  # input shut, forget open, output open
    keep = _lets(x=L["xs"][0, 0], h=L["h0"][0], c=L["c0"][0], W=np.zeros((4 * H, H + 2)), b=keep_b)
    step = ("out = lab.lstm_step(x, h, c, W, b)\n"
            "if not isinstance(out, (tuple, list)) or len(out) != 2:\n"
            "    raise TypeError('lstm_step must return (h_new, c_new)')\n"
            "result = [np.asarray(out[0], dtype=float), np.asarray(out[1], dtype=float)]")
    forward = _lets(**{k: L[k] for k in ("xs", "h0", "c0", "W", "b")})
    return [
        _check("lstm_step: a cell that keeps its memory",
               "W = 0, biases −30 (input), +30 (forget), 0 (candidate), +30 (output): c passes unchanged",
               "With the input gate shut (σ(−30) ≈ 0) and the forget gate open (σ(30) ≈ 1) the cell "
               "update c_new = f·c + i·g leaves c where it was, and h_new = o·tanh(c_new) ≈ tanh(c).",
               "lstm_step", keep + step,
               x=L["xs"][0, 0], h=L["h0"][0], c=L["c0"][0], W=np.zeros((4 * H, H + 2)), b=keep_b),
        _check("lstm_step: a batch, random weights", "two sequences, H = 3, d = 2, gate order i, f, g, o",
               "Compute z = [h, x] W^T + b once, split it into four blocks of H along the last axis in "
               "the order i, f, g, o; sigmoid for the gates, tanh for the candidate g.",
               "lstm_step",
               forward + "x, h, c = xs[:, 0], h0, c0\n" + step,
               x=L["xs"][:, 0], h=L["h0"], c=L["c0"], W=L["W"], b=L["b"]),
        _check("lstm_forward: five steps", "two sequences of 5 steps from non-zero h0 and c0: hs (2, 5, 3)",
               "Carry both h and c from step to step; only the hidden states h go into hs.",
               "lstm_forward",
               forward + "out = lab.lstm_forward(xs, h0, c0, W, b)\n"
               "if not isinstance(out, (tuple, list)) or len(out) != 2:\n"
               "    raise TypeError('lstm_forward must return (hs, cache)')\n"
               "result = np.asarray(out[0], dtype=float)",
               **{k: L[k] for k in ("xs", "h0", "c0", "W", "b")}),
        _check("lstm_backward: against finite differences",
               "∂(Σ dhs·hs) for W, b, h0 and c0 over 5 steps, compared with central differences",
               "Backwards, step by step: dh is dhs[:, t] plus what came back from step t + 1; dc adds "
               "dh·o·(1 − tanh²c) to the cell gradient from step t + 1. Each gate's pre-activation "
               "gradient follows from c = f·c_prev + i·g and h = o·tanh(c); the cell hands dc·f to "
               "step t − 1, and [h; x] gets dz W.",
               "lstm_grads",
               forward + _lets(dhs=L["dhs"]) + "hs, cache = lab.lstm_forward(xs, h0, c0, W, b)\n"
               "grads = lab.lstm_backward(dhs, cache)\n" + _GRADS.format(keys=("W", "b", "h0", "c0")),
               **L),
        _check("lstm_param_count: two sizes", "lstm_param_count(128, 64) and lstm_param_count(3, 5)",
               "Each gate sees the concatenated [h; x] and has its own bias. Count one gate's "
               "matrix and bias, then all four.",
               "count", "result = [lab.lstm_param_count(128, 64), lab.lstm_param_count(3, 5)]",
               sizes=[[128, 64], [3, 5]]),
    ]


def _training_checks() -> list[dict]:
    X, Y = counting_data(20, COUNT_TRAIN)
    def clip_script(max_norm: float) -> str:
        return (f"grads = {_dict(CLIP)}\n"
                f"out = lab.clip_by_global_norm(grads, {max_norm!r})\n"
                "if not isinstance(out, (tuple, list)) or len(out) != 2 or not isinstance(out[0], dict):\n"
                "    raise TypeError('clip_by_global_norm must return (clipped dict, norm)')\n"
                "result = {'grads': {k: np.asarray(v, dtype=float) for k, v in out[0].items()}, 'norm': float(out[1])}")

    boss = _boss()
    step_params = {n: STEP[n] for n in boss.PARAMETERS}
    _, _, norm = boss.step(step_params, STEP_XS, STEP_YS, 1.0, np.inf)
    max_norm = float(np.round(norm / 8, 6))
    return [
        _check("lstm_init: shapes and the forget bias", "lstm_init(6, 2, 3) twice from seed 7, once from seed 8",
               "W is (4H, H + d), b (4H,), W_y (k, H), b_y (k,). A new cell should keep its memory "
               "until it learns otherwise: which gate's bias decides that, and what value does "
               "σ(bias) need? Draw the weights from np.random.default_rng(seed).",
               "init",
               "first, again, other = (lab.lstm_init(6, 2, 3, seed=s) for s in (7, 7, 8))\n"
               "result = [{k: np.asarray(p[k], dtype=float) for k in ('W', 'b', 'W_y', 'b_y') if k in p} "
               "for p in (first, again, other)]",
               H=6, d=2, k=3, seed=7, other=8),
        _check("sequence_loss: the loss and its gradients",
               "3 sequences of 4 steps, 3 classes: the mean cross-entropy and ∂/∂(W, b, W_y, b_y) "
               "against central differences",
               "The logits at each step are W_y h_t + b_y; take the softmax's cross-entropy, averaged "
               "over every step of every sequence. Its gradient on the logits is (p − one-hot) / (B·T); "
               "from there W_y, b_y, and dhs = dlogits W_y for your lstm_backward.",
               "loss",
               f"params = {_dict(LOSS)}\nxs, ys = {_literal(LOSS_XS)}, {_literal(LOSS_YS)}\n"
               "out = lab.sequence_loss(params, xs, ys)\n"
               "if not isinstance(out, (tuple, list)) or len(out) != 2 or not isinstance(out[1], dict):\n"
               "    raise TypeError('sequence_loss must return (loss, grads)')\n"
               "result = {'loss': float(out[0]), 'grads': {k: np.asarray(out[1][k], dtype=float) "
               "for k in ('W', 'b', 'W_y', 'b_y') if k in out[1]}}",
               params=LOSS, xs=LOSS_XS, ys=LOSS_YS),
        _check("clip_by_global_norm: a long gradient", "two gradients, [[3, 0], [0, 4]] and [12], of joint length 13; max_norm 6.5",
               "The length is of all the arrays together: √(Σ g²) over every entry of every array. "
               "Over max_norm, every array is scaled by the same factor, max_norm / length.",
               "clip", clip_script(6.5), max_norm=6.5),
        _check("clip_by_global_norm: a short gradient", "the same gradients with max_norm 20: nothing changes",
               "Clipping only ever shrinks: a gradient already shorter than max_norm comes back as it "
               "was (the length is still returned).",
               "clip", clip_script(20.0), max_norm=20.0),
        _check("train_step: one clipped step", f"4 sequences of 6 steps, lr 0.5, max_norm {max_norm:g} (an eighth of the gradient's length)",
               "Use your sequence_loss for the loss and the gradients, clip them with your "
               "clip_by_global_norm, then move every parameter by −lr times its clipped gradient.",
               "train_step",
               f"params = {_dict(step_params)}\nxs, ys = {_literal(STEP_XS)}, {_literal(STEP_YS)}\n"
               f"new, loss, norm = lab.train_step({{k: v.copy() for k, v in params.items()}}, xs, ys, lr=0.5, max_norm={max_norm!r})\n"
               "result = {'params': {k: np.asarray(new[k], dtype=float) for k in ('W', 'b', 'W_y', 'b_y') if k in new}, "
               "'loss': float(loss), 'norm': float(norm)}",
               params=step_params, xs=STEP_XS, ys=STEP_YS, lr=0.5, max_norm=max_norm),
        _check("fit: an LSTM that counts",
               f"fit on {COUNT_TRAIN} bit strings of {COUNT_T} steps, classes = the running count of 1s (0..{COUNT_T}); "
               f"then {COUNT_HELD_OUT} new strings, at least {COUNT_THRESHOLD:.0%} counted right at every step",
               "If this fails while the checks above pass, look at the training: does the loss fall? "
               "The cell can count by adding a fixed amount for each 1 while its forget gate stays "
               "open; a thousand steps of train_step at a high rate (the reference: lr 3, "
               "max_norm 1, 16 units, 1,200 steps of 32 strings) get there.",
               "fit",
               _lets(X=X, Y=Y) + "params = lab.fit(X, Y, seed=0)\n"
               "if not isinstance(params, dict):\n"
               "    raise TypeError('fit must return the trained parameters as a dict')\n"
               "result = {k: np.asarray(params[k], dtype=float) for k in ('W', 'b', 'W_y', 'b_y') if k in params}",
               seed=0),
    ]


def checks() -> list[dict]:
    """Eighteen small wins, in the order the lab builds them."""
    return _rnn_checks() + _vanishing_checks() + _lstm_checks() + _training_checks()


# ---------------------------------------------------------------- judge

def _show_any(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _array(value, shape: tuple, what: str):
    return _boss()._array(value, shape, what)


def _inputs(check: dict) -> dict:
    return {k: (np.array(v, dtype=float) if isinstance(v, list) else v) for k, v in check["inputs"].items()}


def _against(got, want: np.ndarray, what: str, tolerance: float = TOLERANCE, relative: bool = False, good: str = ""):
    mine, problem = _array(got, want.shape, what)
    if problem:
        return False, problem
    _, differs = compare(mine, want, atol=tolerance, relative=relative, name=what)
    return (False, differs) if differs else (True, good or f"{what} matches")


def _judge_rnn_step(check, got):
    v = _inputs(check)
    want = rnn_run(v["xs"], v["h0"], v["W_xh"], v["W_hh"], v["b"])[:, 0]
    if v.get("single"):
        want = want[0]
    ok, message = _against(got, want, "h_new")
    return ok, f"h_new = {np.round(want, 6).tolist()}", message


def _judge_rnn_forward(check, got):
    v = _inputs(check)
    want = rnn_run(v["xs"], v["h0"], v["W_xh"], v["W_hh"], v["b"])
    ok, message = _against(got, want, "hs", good="every hidden state matches")
    return ok, f"hs of shape {want.shape}, hs[0, -1] = {np.round(want[0, -1], 6).tolist()}", message


def _grads_verdict(got, want: dict, summary: str):
    if not isinstance(got, dict):
        return False, summary, f"expected a dict of gradients, got {_show_any(got)}"
    for name, value in want.items():
        ok, message = _against(got.get(name), value, f"d{name}", GRADIENT_TOLERANCE, relative=True)
        if not ok:
            return False, summary, message
    return True, summary, "every gradient matches central differences"


def _judge_rnn_grads(check, got):
    v = _inputs(check)

    def loss(a):
        return float(np.sum(rnn_run(a["xs"], a["h0"], a["W_xh"], a["W_hh"], a["b"]) * a["dhs"]))

    want = central_differences(loss, v, ("W_xh", "W_hh", "b", "h0"))
    return _grads_verdict(got, want, "dW_xh (4, 3), dW_hh (4, 4), db (4,), dh0 (2, 4)")


def _judge_jacobian(check, got):
    v = _inputs(check)
    want = jacobian_norms(v["hs"], v["W_hh"])
    summary = f"30 norms from {want[0]:.4g} to {want[-1]:.4g}"
    mine, problem = _array(got, want.shape, "norms")
    if problem:
        return False, summary, problem
    # relative: the tiny late norms count as much as the first
    ok, differs = compare(mine, want, rtol=GRADIENT_TOLERANCE, atol=0.0, name="norms")
    if not ok:
        return False, summary, differs + " (norms[t - 1] is the norm at step t)"
    if check["inputs"]["note"] == "vanish":
        return True, summary, f"the norm falls from {want[0]:.3g} to {want[-1]:.3g} in 30 steps"
    return True, summary, (f"it peaks at {want.max():.3g}, then saturated units (1 − h² ≈ 0) bring it down "
                           f"to {want[-1]:.3g}: a tanh RNN's gradient vanishes with large weights too")


def _judge_vanishing(check, got):
    v = _inputs(check)
    boss = _boss()
    rnn = rnn_gradient_to_start(v["xs"], v["h0"], v["W_xh"], v["W_hh"], v["b"], v["u"])
    xs, dhs = v["xs"][None], np.zeros((1, 30, 4))
    dhs[0, -1] = v["u"]
    _, tape = boss.run(xs, v["h0"][None], np.zeros((1, 4)), v["W"], v["b_lstm"])
    lstm = boss.backward(xs, v["W"], tape, dhs)["c0"][0]
    summary = f"‖RNN ∂/∂h_0‖ = {np.linalg.norm(rnn):.3g}, ‖LSTM ∂/∂c_0‖ = {np.linalg.norm(lstm):.3g}"
    if not isinstance(got, list) or len(got) != 2:
        return False, summary, f"expected two gradients, got {_show_any(got)}"
    for value, want, what in ((got[0], rnn, "the RNN's dh0"), (got[1], lstm, "the LSTM's dc0")):
        mine, problem = _array(value, want.shape, what)
        if problem:
            return False, summary, problem
        if np.linalg.norm(mine - want) > 1e-6 * np.linalg.norm(want):
            return False, summary, f"{what} has length {np.linalg.norm(mine):.4g}, expected {np.linalg.norm(want):.4g}"
    return True, summary, (f"after 30 steps the RNN passes back {np.linalg.norm(rnn):.2g}, the LSTM's cell "
                           f"{np.linalg.norm(lstm):.2g}: {np.linalg.norm(lstm) / np.linalg.norm(rnn):.1e} times more")


def _judge_lstm_step(check, got):
    v = _inputs(check)
    h, c, _ = _boss().cell(v["x"], v["h"], v["c"], v["W"], v["b"])
    summary = f"h_new = {np.round(h, 6).tolist()}, c_new = {np.round(c, 6).tolist()}"
    if not isinstance(got, list) or len(got) != 2:
        return False, summary, f"expected (h_new, c_new), got {_show_any(got)}"
    for value, want, what in ((got[0], h, "h_new"), (got[1], c, "c_new")):
        ok, message = _against(value, want, what)
        if not ok:
            return False, summary, message
    return True, summary, "h_new and c_new match"


def _judge_lstm_forward(check, got):
    v = _inputs(check)
    hs, _ = _boss().run(v["xs"], v["h0"], v["c0"], v["W"], v["b"])
    ok, message = _against(got, hs, "hs", good="every hidden state matches")
    return ok, f"hs of shape {hs.shape}, hs[0, -1] = {np.round(hs[0, -1], 6).tolist()}", message


def _judge_lstm_grads(check, got):
    v = _inputs(check)
    boss = _boss()

    def loss(a):
        return float(np.sum(boss.run(a["xs"], a["h0"], a["c0"], a["W"], a["b"])[0] * a["dhs"]))

    want = central_differences(loss, v, ("W", "b", "h0", "c0"))
    return _grads_verdict(got, want, "dW (12, 5), db (12,), dh0 (2, 3), dc0 (2, 3)")


def _judge_count(check, got):
    want = [4 * (H * (H + d) + H) for H, d in check["inputs"]["sizes"]]
    summary = f"{want[0]:,} and {want[1]:,}"
    if not isinstance(got, list) or len(got) != 2:
        return False, summary, f"expected two counts, got {_show_any(got)}"
    if any(isinstance(n, bool) or not isinstance(n, (int, float)) for n in got):
        return False, summary, f"expected two numbers, got {_show_any(got)}"
    if [float(n) for n in got] != [float(n) for n in want]:
        return False, summary, f"got {got[0]} and {got[1]}"
    return True, summary, "both counts are right (one bias per gate)"


def _judge_init(check, got):
    return _boss()._judge_init(check, got)


def _judge_loss(check, got):
    v = check["inputs"]
    params = {k: np.array(a, dtype=float) for k, a in v["params"].items()}
    xs, ys = np.array(v["xs"], dtype=float), np.array(v["ys"])
    boss = _boss()
    loss, _ = boss.loss_and_grads(params, xs, ys)
    want = central_differences(lambda p: boss.loss_and_grads(p, xs, ys)[0], params, boss.PARAMETERS)
    summary = f"loss {loss:.9f}; dW (12, 5), db (12,), dW_y (3, 3), db_y (3,)"
    if not isinstance(got, dict) or not isinstance(got.get("loss"), (int, float)):
        return False, summary, f"expected (loss, grads), got {_show_any(got)}"
    ok, differs = compare(got["loss"], loss, atol=TOLERANCE, name="the loss")
    if not ok:
        return False, summary, differs + ": the mean over every step of every sequence of −log p(correct class)"
    return _grads_verdict(got.get("grads"), want, summary)


def _judge_clip(check, got):
    max_norm = check["inputs"]["max_norm"]
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in CLIP.values())))
    scale = min(1.0, max_norm / norm)
    want = {k: g * scale for k, g in CLIP.items()}
    summary = f"norm {norm:g}; every gradient times {scale:g}"
    if not isinstance(got, dict) or not isinstance(got.get("grads"), dict):
        return False, summary, f"expected (clipped grads, norm), got {_show_any(got)}"
    if not isinstance(got.get("norm"), (int, float)):
        return False, summary, f"the norm is {_show_any(got.get('norm'))}, expected {norm:g} (before clipping)"
    ok, differs = compare(got["norm"], norm, atol=TOLERANCE, name="the norm")
    if not ok:
        return False, summary, differs + " (the norm before clipping)"
    for name, value in want.items():
        ok, message = _against(got["grads"].get(name), value, f"clipped {name}")
        if not ok:
            return False, summary, message
    return True, summary, "clipped by the joint length" if scale < 1 else "left as it was"


def _judge_train_step(check, got):
    return _boss()._judge_train_step(check, got)


def _judge_fit(check, got):
    summary = f"at least {COUNT_THRESHOLD:.0%} of {COUNT_HELD_OUT} new strings counted right at every step"
    if not isinstance(got, dict):
        return False, summary, f"fit should return its parameters as a dict, got {_show_any(got)}"
    W, problem = _array(got.get("W"), np.shape(got.get("W")), "W")
    if problem:
        return False, summary, problem
    if W.ndim != 2 or W.shape[0] % 4 or W.shape[1] != W.shape[0] // 4 + 1:
        return False, summary, f"W has shape {W.shape}: expected (4H, H + 1) for inputs of one bit"
    H = W.shape[0] // 4
    if H > _boss().MAX_UNITS:
        return False, summary, f"{H} units: the checks run LSTMs of at most {_boss().MAX_UNITS}"
    k = len(got.get("b_y") or [])  # the classes fit saw: up to COUNT_T + 1
    if not 2 <= k <= COUNT_T + 1:
        return False, summary, f"b_y has {k} classes: expected one per count seen in training, 0 to {COUNT_T}"
    params = {"W": W}
    for name, shape in (("b", (4 * H,)), ("W_y", (k, H)), ("b_y", (k,))):
        params[name], problem = _array(got.get(name), shape, name)
        if problem:
            return False, summary, problem
    X, Y = counting_data(21, COUNT_HELD_OUT)
    right = np.all(_boss().predict(params, X) == Y, axis=1)
    rate = float(np.mean(right))
    return rate >= COUNT_THRESHOLD, summary, f"{rate:.1%} of the new strings counted right at every step"


JUDGES = {"rnn_step": _judge_rnn_step, "rnn_forward": _judge_rnn_forward, "rnn_grads": _judge_rnn_grads,
          "jacobian": _judge_jacobian, "vanishing": _judge_vanishing, "lstm_step": _judge_lstm_step,
          "lstm_forward": _judge_lstm_forward, "lstm_grads": _judge_lstm_grads, "count": _judge_count,
          "init": _judge_init, "loss": _judge_loss, "clip": _judge_clip, "train_step": _judge_train_step,
          "fit": _judge_fit}


def judge(check: dict, got) -> tuple[bool, str, str]:
    try:
        judge_kind = JUDGES[check["kind"]]
    except Exception as error:  # a malformed check is this file's bug, never the player's win
        return False, "?", f"the check could not be read ({type(error).__name__})"
    try:
        with np.errstate(all="ignore"):
            passed, expected, message = judge_kind(check, got)
        return bool(passed), str(expected), str(message)
    except Exception as error:
        return False, "", f"could not read the result ({type(error).__name__}): got {_show_any(got)}"
