"""Lab checks for module 5 (The Perceptron, Reborn): the perceptron's rule, its margin and its
cycle on XOR, then the MLP's initialisation, forward pass, gradients, training step and fit.

Every input is fixed here, so the list is the same every time. The expected values are computed
by the trusted code below (the perceptron rule) and in boss.py (the network's forward pass and
gradients), never by the player's lab.

The C lab has its own list (`native_checks`), built with c/checks_driver.c: the same perceptron,
forward and gradient inputs, the given mlp_init (a splitmix64 stream, recomputed here), one
training step, XOR, and fit_predict on new points.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np

from forge_tui.bossapi import compare

TIME_LIMIT_S = 10.0
TOLERANCE = 1e-9
PARAMETERS = ("W1", "b1", "W2", "b2")
XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [0, 1, 1, 0]


def _boss():
    """This module's boss.py (its forward pass and gradients), loaded by path."""
    name = "_neuralforge_checks_perceptron_reborn_boss"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("boss.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


# ---------------------------------------------------------------- trusted answers

def perceptron(X, y, epochs: int, lr: float) -> tuple[np.ndarray, float, list[int]]:
    """Rosenblatt's rule from zero, in order; a score of exactly 0 predicts class 0.
    Returns (w, b, mistakes per epoch)."""
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    w, b, mistakes = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        mistakes.append(0)
        for x_i, y_i in zip(X, y):
            error = y_i - (1 if x_i @ w + b > 0 else 0)
            w, b = w + lr * error * x_i, b + lr * error
            mistakes[-1] += int(error != 0)
    return w, float(b), mistakes


def he_init(n_in: int, hidden: int, seed: int) -> dict:
    """The lab's stated initialisation: W ~ N(0, 2 / fan_in) drawn W1 then W2, biases zero."""
    rng = np.random.default_rng(seed)
    return {"W1": rng.standard_normal((n_in, hidden)) * np.sqrt(2 / n_in), "b1": np.zeros(hidden),
            "W2": rng.standard_normal((hidden, 1)) * np.sqrt(2 / hidden), "b2": np.zeros(1)}


def blobs(seed: int, per_class: int) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs around (−1, −0.5) and (1.5, 1), rounded: linearly separable."""
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal([-1.0, -0.5], 0.4, size=(per_class, 2)),
                   rng.normal([1.5, 1.0], 0.4, size=(per_class, 2))])
    y = np.repeat([0, 1], per_class)
    order = rng.permutation(len(X))
    return np.round(X[order], 3), y[order]


# ---------------------------------------------------------------- the checks

def _literal(value) -> str:
    return f"np.array({np.asarray(value).tolist()!r})"


def _params_literal(params: dict) -> str:
    return "{" + ", ".join(f"{k!r}: {_literal(params[k])}" for k in PARAMETERS) + "}"


def _check(name: str, summary: str, hint: str, kind: str, script: str, **inputs) -> dict:
    return {"name": name, "summary": summary, "hint": hint, "kind": kind, "script": script,
            "inputs": {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in inputs.items()}}


_UNPACK = """if not isinstance(out, (tuple, list)) or len(out) != 3:
    raise TypeError("perceptron_train must return (w, b, mistakes)")
result = [np.asarray(out[0], dtype=float), float(out[1]), [int(m) for m in out[2]]]
"""

FIXED_PARAMS = {
    "W1": np.array([[1.0, -2.0, 0.5], [0.5, 1.0, -1.5]]),
    "b1": np.array([0.1, 0.5, -0.2]),
    "W2": np.array([[1.5], [-1.0], [2.0]]),
    "b2": np.array([-0.3]),
}
FIXED_X = np.array([[0.5, -1.0], [1.0, 1.0], [-0.5, 0.25], [0.0, 0.0], [-1.0, -1.0]])
FIXED_Y = np.array([1, 0, 0, 1, 1])
STEP_X = np.array([[0.5, 1.0], [-1.0, 0.5], [1.0, -0.5], [-0.5, -1.0], [0.25, 0.25], [1.0, 1.0]])
STEP_Y = np.array([1, 0, 1, 0, 0, 1])
_GRADS = """X = {X}
y = {y}
params = {params}
p, cache = lab.mlp_forward(X, {{k: v.copy() for k, v in params.items()}})
grads = lab.mlp_backward(X, y, params, cache)
if not isinstance(grads, dict):
    raise TypeError("mlp_backward must return a dict of gradients keyed 'W1', 'b1', 'W2', 'b2'")
result = {{k: (np.asarray(grads[k], dtype=float) if k in grads else None) for k in {keys!r}}}
"""


def _grads_script(keys: tuple[str, ...]) -> str:
    return _GRADS.format(X=_literal(FIXED_X), y=_literal(FIXED_Y), params=_params_literal(FIXED_PARAMS), keys=keys)


def checks() -> list[dict]:
    """Fourteen small wins, in the order the lab builds them."""
    X_blobs, y_blobs = blobs(5, 15)
    X_fit, y_fit = blobs(6, 20)
    X_new, y_new = blobs(7, 5)
    X_step, y_step = STEP_X, STEP_Y
    return [
        _check("perceptron_predict: which side of the line",
               "w = (1, −1), b = 0.5 on four points; one sits exactly on the line",
               "Which side of the line is each point on? The sign of its score w·x + b says. A score "
               "of exactly 0 is not above the line, so that point is class 0; return integers.",
               "predict",
               "result = np.asarray(lab.perceptron_predict(np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 1.0], "
               "[2.0, 2.0]]), np.array([1.0, -1.0]), 0.5))",
               expected=[1, 0, 0, 1]),
        _check("perceptron_train: one mistake, one update",
               "one point x = (2, 1) of class 1, one epoch at lr 0.5, starting from w = 0, b = 0",
               "With w and b at zero every score is 0, so the first prediction is class 0: a mistake. "
               "A mistake moves w toward x and b up, both scaled by the learning rate.",
               "wb",
               "out = lab.perceptron_train(np.array([[2.0, 1.0]]), np.array([1]), epochs=1, lr=0.5)\n" + _UNPACK,
               X=[[2.0, 1.0]], y=[1], epochs=1, lr=0.5),
        _check("perceptron_train: right answers change nothing",
               "three points, one epoch at lr 1: only the misclassified ones move the line",
               "The rule learns only from mistakes: predict with the current w and b first, and when "
               "the prediction is right, y − ŷ is 0 and nothing moves. Keep the examples' order.",
               "wb",
               "out = lab.perceptron_train(np.array([[1.0, 1.0], [2.0, 0.5], [-1.0, -2.0]]), "
               "np.array([1, 1, 0]), epochs=1, lr=1.0)\n" + _UNPACK,
               X=[[1.0, 1.0], [2.0, 0.5], [-1.0, -2.0]], y=[1, 1, 0], epochs=1, lr=1.0),
        _check("perceptron_train: separable blobs",
               "30 points in two separable blobs, 20 epochs at lr 1: every point right",
               "Run the same rule epoch after epoch, counting each epoch's mistakes into a list. On "
               "data a line can separate, the count falls to 0 and w and b stop changing.",
               "wb",
               f"out = lab.perceptron_train({_literal(X_blobs)}, {_literal(y_blobs)}, epochs=20, lr=1.0)\n" + _UNPACK,
               X=X_blobs, y=y_blobs, epochs=20, lr=1.0, note=": the mistakes stop, the line is found"),
        _check("margin: a line you know",
               "w = (3, 4), b = −5 (the line of the Math part) on three points, all on their class's side",
               "How close does the closest point come to the line? A point's score divided by ‖w‖ is "
               "its distance, signed; times (2y − 1) it is positive on its own side. Take the smallest.",
               "margin",
               "result = float(lab.margin(np.array([[3.0, 4.0], [0.0, 0.0], [1.0, 1.0]]), np.array([1, 0, 1]), "
               "np.array([3.0, 4.0]), -5.0))",
               X=[[3.0, 4.0], [0.0, 0.0], [1.0, 1.0]], y=[1, 0, 1], w=[3.0, 4.0], b=-5.0),
        _check("margin: a point on the wrong side",
               "the same line, but the origin labelled 1: the margin turns negative",
               "A point on the wrong side must pull the margin below zero: keep the sign of each "
               "distance, no absolute values.",
               "margin",
               "result = float(lab.margin(np.array([[3.0, 4.0], [0.0, 0.0]]), np.array([1, 1]), "
               "np.array([3.0, 4.0]), -5.0))",
               X=[[3.0, 4.0], [0.0, 0.0]], y=[1, 1], w=[3.0, 4.0], b=-5.0),
        _check("perceptron_train: XOR never settles",
               "XOR's four corners, 8 epochs at lr 1: some corner is wrong in every epoch",
               "Nothing new to write once the checks above pass: no line splits XOR, so some corner "
               "is wrong in every epoch and the count of mistakes never reaches 0.",
               "wb",
               f"out = lab.perceptron_train(np.array({XOR_X!r}), np.array({XOR_Y!r}), epochs=8, lr=1.0)\n"
               + _UNPACK,
               X=XOR_X, y=XOR_Y, epochs=8, lr=1.0,
               note=": a mistake in every epoch, because no line splits XOR"),
        _check("mlp_init: He initialisation",
               "mlp_init(2, 3, seed=4): W1 then W2 drawn from N(0, 2 / fan_in), biases zero",
               "This one is given in the starter: if it fails, compare yours with the starter's "
               "(one generator seeded with seed, W1 drawn before W2, each scaled by √(2 / fan_in)).",
               "init",
               "params = lab.mlp_init(2, 3, seed=4)\n"
               f"result = {{k: np.asarray(params[k], dtype=float) for k in {PARAMETERS!r}}}",
               n_in=2, hidden=3, seed=4),
        _check("mlp_forward: probabilities",
               "five points through 3 hidden ReLU units and a sigmoid: p of shape (5, 1)",
               "Two layers, one after the other: a weighted sum plus bias, then ReLU (negatives become "
               "0); another weighted sum plus bias, then the sigmoid. Keep p a column, shape (n, 1).",
               "forward",
               f"p, cache = lab.mlp_forward({_literal(FIXED_X)}, {_params_literal(FIXED_PARAMS)})\n"
               "result = np.asarray(p, dtype=float)"),
        _check("mlp_backward: output layer",
               "dW2 and db2 for the same five points, mean binary cross-entropy",
               "Start at the loss: through the sigmoid its slope at the output is (p − y) / n, with y "
               "reshaped to a column. dW2 pairs each hidden activation with it; db2 sums it over rows.",
               "grads", _grads_script(("W2", "b2")), keys=["W2", "b2"]),
        _check("mlp_backward: hidden layer",
               "dW1 and db1, through the ReLU mask (two of the hidden units are off for some points)",
               "Carry the output's slope back through W2 to the hidden units, then through the ReLU: "
               "a unit that was off (z1 ≤ 0) passes nothing. W1 and b1 then follow W2 and b2's pattern.",
               "grads", _grads_script(("W1", "b1")), keys=["W1", "b1"]),
        _check("mlp_train: one step",
               "6 points, 3 hidden units, seed 2, one full-batch step at lr 0.5",
               "Start from mlp_init(X.shape[1], hidden, seed). One step is a forward pass, a backward "
               "pass, then every parameter moves against its gradient, scaled by lr.",
               "step",
               f"params = lab.mlp_train({_literal(X_step)}, {_literal(y_step)}, hidden=3, steps=1, lr=0.5, seed=2)\n"
               f"result = {{k: np.asarray(params[k], dtype=float) for k in {PARAMETERS!r}}}",
               X=X_step, y=y_step, hidden=3, lr=0.5, seed=2),
        _check("mlp_train: XOR solved",
               "mlp_train on XOR with its defaults (8 hidden units, 3,000 steps, lr 0.5, seed 0)",
               "If the checks above pass, this one follows: train with the defaults, then read the "
               "labels by thresholding p at 0.5.",
               "xor",
               f"params = lab.mlp_train(np.array({XOR_X!r}), np.array({XOR_Y!r}))\n"
               f"p, cache = lab.mlp_forward(np.array({XOR_X!r}), params)\n"
               "result = (np.asarray(p, dtype=float).reshape(-1) > 0.5).astype(int)"),
        _check("fit: returns predict",
               "fit on 40 blob points, then predict 10 new ones: labels 0 or 1, one per point",
               "fit trains (your mlp_train will do) and returns a function; that function runs the "
               "forward pass on new points and thresholds p at 0.5, giving integer labels of shape (n,).",
               "fit",
               f"predict = lab.fit({_literal(X_fit)}, {_literal(y_fit)}, seed=0)\n"
               "if not callable(predict):\n    raise TypeError('fit must return a function: predict(X) -> labels')\n"
               f"result = np.asarray(predict({_literal(X_new)}))",
               labels=y_new),
    ]


# ---------------------------------------------------------------- the C path

C_DRIVER = "c/checks_driver.c"  # compiled with the player's lab.c; reads c_stdin(checks), answers on fd 3
C_HEADER = "c/checks.h"  # the signatures lab.c must match, forced into the build
C_XOR = {"hidden": 8, "steps": 3000, "lr": 0.5, "seed": 1}  # seed 1: the untrained network gets XOR wrong
_MASK = (1 << 64) - 1


def splitmix_normals(seed: int, count: int) -> list[float]:
    """The C lab's given randn: a splitmix64 stream from `seed`, two uniforms per Box–Muller draw."""
    state, out = seed & _MASK, []
    for _ in range(count):
        u = []
        for _ in range(2):
            state = (state + 0x9E3779B97F4A7C15) & _MASK
            z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
            u.append(((z ^ (z >> 31)) >> 11) * 2.0 ** -53)
        out.append(math.sqrt(-2 * math.log(1 - u[0])) * math.cos(6.283185307179586 * u[1]))
    return out


def c_he_init(hidden: int, seed: int) -> dict:
    """The C lab's given mlp_init: W1 (2 rows of H) then W2 drawn from one stream, biases zero."""
    normals = np.array(splitmix_normals(seed, 3 * hidden))
    return {"W1": normals[:2 * hidden].reshape(2, hidden) * math.sqrt(2 / 2), "b1": np.zeros(hidden),
            "W2": normals[2 * hidden:].reshape(hidden, 1) * math.sqrt(2 / hidden), "b2": np.zeros(1)}


def _native(name: str, summary: str, hint: str, kind: str, word: str, **inputs) -> dict:
    """A C check: `word` tells the driver which functions to call on `inputs`."""
    return {"name": name, "summary": summary, "hint": hint, "kind": kind, "word": word,
            "inputs": {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in inputs.items()}}


def native_checks() -> list[dict]:
    """Eleven small wins for the C lab, in the order it builds them."""
    python = {check["name"]: check for check in checks()}
    perceptron = [dict(python[name], word="perceptron") for name in (
        "perceptron_train: one mistake, one update", "perceptron_train: right answers change nothing",
        "perceptron_train: separable blobs", "perceptron_train: XOR never settles")]
    X_fit, y_fit = blobs(6, 20)
    X_new, y_new = blobs(7, 5)
    return perceptron + [
        _native("mlp_init: He initialisation", "mlp_init(3, seed 4): W1 then W2 from one splitmix64 stream",
                "This one is given in the starter: if it fails, compare yours with the starter's (one "
                "stream seeded with seed, W1's 2·H numbers drawn before W2's H, each scaled by "
                "√(2 / fan_in), biases zero).", "c_init", "init", hidden=3, seed=4),
        dict(python["mlp_forward: probabilities"], word="forward"),
        dict(python["mlp_backward: output layer"], word="backward"),
        dict(python["mlp_backward: hidden layer"], word="backward"),
        _native("mlp_train: one step", "6 points, 3 hidden units, seed 2, one full-batch step at lr 0.5",
                "Start from mlp_init(H, seed). One step is a forward pass, a backward pass, then every "
                "parameter moves against its gradient, scaled by lr.", "c_step", "train",
                X=STEP_X, y=STEP_Y, hidden=3, steps=1, lr=0.5, seed=2),
        _native("mlp_train: XOR solved", "mlp_train on XOR: 8 hidden units, 3,000 steps at lr 0.5, seed 1",
                "If the checks above pass, this one follows: the trained network puts p above 0.5 "
                "exactly on the corners of class 1.", "c_xor", "train", X=XOR_X, y=XOR_Y, **C_XOR),
        _native("fit_predict: new points", "fit_predict on 40 blob points, then 10 new ones: a label 0 or 1 each",
                "fit_predict trains (your mlp_train will do) and writes one label per test row: the "
                "forward pass on X_test, p thresholded at 0.5.", "fit", "fit",
                X=X_fit, y=y_fit, X_test=X_new, labels=y_new, seed=0),
    ]


def _c_numbers(values) -> str:
    return " ".join(repr(float(x)) for x in np.ravel(values)) + "\n"


def _c_ints(values) -> str:
    return " ".join(str(int(x)) for x in np.ravel(values)) + "\n"


def _c_params(params: dict) -> str:
    return "".join(_c_numbers(params[name]) for name in PARAMETERS)


def c_check_text(check: dict) -> str:
    """One check as the C driver reads it: its word and sizes, then its inputs (never an
    expected value: the labels of fit's new points stay here)."""
    word, inputs = check["word"], check["inputs"]
    if word == "perceptron":
        return f"perceptron {len(inputs['y'])} {inputs['epochs']} {inputs['lr']!r}\n" + \
            _c_numbers(inputs["X"]) + _c_ints(inputs["y"])
    if word == "init":
        return f"init {inputs['hidden']} {inputs['seed']}\n"
    if word in ("forward", "backward"):
        hidden = len(FIXED_PARAMS["b1"])
        labels = _c_ints(FIXED_Y) if word == "backward" else ""
        return f"{word} {len(FIXED_X)} {hidden}\n" + _c_numbers(FIXED_X) + labels + _c_params(FIXED_PARAMS)
    if word == "train":
        return (f"train {len(inputs['y'])} {inputs['hidden']} {inputs['steps']} {inputs['lr']!r} {inputs['seed']}\n"
                + _c_numbers(inputs["X"]) + _c_ints(inputs["y"]))
    return (f"fit {len(inputs['y'])} {len(inputs['labels'])} {inputs['seed']}\n" + _c_numbers(inputs["X"])
            + _c_ints(inputs["y"]) + _c_numbers(inputs["X_test"]))


def c_stdin(cases: list[dict]) -> str:
    """Everything the C driver reads on stdin: the number of checks, then each check."""
    return f"{len(cases)}\n" + "".join(c_check_text(check) for check in cases)


def _c_params_answer(value, hidden: int):
    """The driver's flat W1, b1, W2, b2 in the shapes the judges read, or (None, problem)."""
    if not isinstance(value, dict):
        return None, f"the driver sent {_show(value)}, not the parameters"
    sizes = {"W1": 2 * hidden, "b1": hidden, "W2": hidden, "b2": 1}
    if any(not isinstance(value.get(k), list) or len(value[k]) != size for k, size in sizes.items()):
        return None, f"the driver sent {_show(value)}, not {sizes} numbers"
    return {"W1": [value["W1"][:hidden], value["W1"][hidden:]], "b1": value["b1"],
            "W2": [[x] for x in value["W2"]], "b2": value["b2"]}, ""


def c_answer(check: dict, value):
    """The C driver's answer in the form the judges read (as the Python lab's), or (None, problem)."""
    word, inputs = check["word"], check["inputs"]
    if word == "perceptron":
        if not isinstance(value, dict) or not {"w", "b", "mistakes"} <= set(value):
            return None, f"the driver sent {_show(value)}, not w, b and the mistakes"
        return [value["w"], value["b"], value["mistakes"]], ""
    if word == "forward":
        return (None, f"the driver sent {_show(value)}, not p") if not isinstance(value, list) else \
            ([[x] for x in value], "")
    if word == "fit":
        return value, ""
    hidden = len(FIXED_PARAMS["b1"]) if word == "backward" else inputs["hidden"]
    return _c_params_answer(value, hidden)


# ---------------------------------------------------------------- judge

def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _text(array) -> str:
    return np.array2string(np.asarray(array, dtype=float), precision=6, separator=", ", suppress_small=True)


def _array(value, shape: tuple, what: str):
    if value is None:
        return None, f"no {what} came back"
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None, f"{what} is not an array of numbers: got {_show(value)}"
    if array.shape != shape:
        return None, f"{what} has shape {array.shape}, expected {shape}"
    if not np.all(np.isfinite(array)):
        return None, f"{what} contains nan or inf"
    return array, ""


def _mismatch(got, want: np.ndarray, what: str, tolerance: float = TOLERANCE) -> str:
    """"" when `got` matches `want` to `tolerance` (relative above 1), else what differs."""
    mine, problem = _array(got, want.shape, what)
    if problem:
        return problem
    return compare(mine, want, atol=tolerance, relative=True, name=what)[1]


def _judge_predict(check, got):
    want = np.array(check["inputs"]["expected"])
    problem = _mismatch(got, want.astype(float), "the labels")
    return not problem, str(want.tolist()), problem or "every point on the right side"


def _judge_wb(check, got):
    inputs = check["inputs"]
    w, b, mistakes = perceptron(inputs["X"], inputs["y"], inputs["epochs"], inputs["lr"])
    expected = f"w = {_text(w)}, b = {b:g}, mistakes {mistakes}"
    if not isinstance(got, list) or len(got) != 3:
        return False, expected, f"perceptron_train should return (w, b, mistakes), got {_show(got)}"
    problem = (_mismatch(got[0], w, "w") or _mismatch(got[1], np.array(b), "b")
               or _mismatch(got[2], np.array(mistakes, dtype=float), "mistakes per epoch"))
    if problem:
        return False, expected, problem
    return True, expected, "w, b and the mistakes match" + inputs.get("note", "")


def _judge_margin(check, got):
    inputs = check["inputs"]
    X, y, w = np.array(inputs["X"]), np.array(inputs["y"]), np.array(inputs["w"])
    want = float(np.min((2 * y - 1) * (X @ w + inputs["b"])) / np.linalg.norm(w))
    problem = _mismatch(got, np.array(want), "the margin")
    return not problem, f"{want:g}", problem or "the margin matches"


def _judge_params(want: dict, got, what: str):
    expected = ", ".join(f"{k} {want[k].shape}" for k in PARAMETERS)
    if not isinstance(got, dict):
        return False, expected, f"expected a dict of parameters, got {_show(got)}"
    for k in PARAMETERS:
        problem = _mismatch(got.get(k), want[k], k)
        if problem:
            return False, expected, problem
    return True, expected, f"every parameter matches {what}"


def _judge_init(check, got):
    inputs = check["inputs"]
    return _judge_params(he_init(inputs["n_in"], inputs["hidden"], inputs["seed"]), got, "He initialisation")


def _judge_forward(check, got):
    _, _, p = _boss().forward(FIXED_X, FIXED_PARAMS)
    problem = _mismatch(got, p, "p")
    return not problem, _text(p[:, 0]) + " as a column (5, 1)", problem or "every probability matches"


def _judge_grads(check, got):
    want = _boss().gradients(FIXED_X, FIXED_Y, FIXED_PARAMS)
    keys = check["inputs"]["keys"]
    expected = "; ".join(f"d{k} = {_text(want[k])}" for k in keys)
    if not isinstance(got, dict):
        return False, expected, f"expected a dict of gradients, got {_show(got)}"
    for k in keys:
        problem = _mismatch(got.get(k), want[k], f"d{k}")
        if problem:
            return False, expected, problem
    return True, expected, "the gradients match"


def _judge_step(check, got):
    inputs = check["inputs"]
    X, y = np.array(inputs["X"]), np.array(inputs["y"])
    params = he_init(X.shape[1], inputs["hidden"], inputs["seed"])
    grads = _boss().gradients(X, y, params)
    want = {k: params[k] - inputs["lr"] * grads[k] for k in PARAMETERS}
    return _judge_params(want, got, "one step of gradient descent")


def _judge_xor(check, got):
    problem = _mismatch(got, np.array(XOR_Y, dtype=float), "the labels")
    if problem and "is " in problem:
        problem = f"predicted {_show(got)}, XOR is {XOR_Y}"
    return not problem, str(XOR_Y), problem or "all four corners right"


def _judge_fit(check, got):
    labels = np.array(check["inputs"]["labels"])
    n = len(labels)
    try:
        mine = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False, f"{n} labels", f"predict should return labels 0 or 1, got {_show(got)}"
    if mine.shape != (n,):
        return False, f"{n} labels", f"predict returned shape {mine.shape}; expected ({n},)"
    if not np.all((mine == 0) | (mine == 1)):
        return False, f"{n} labels", "predict should return labels 0 or 1 (threshold p at 0.5)"
    right = int(np.sum(mine == labels))
    return right >= n - 1, f"{n} labels, at least {n - 1} right", f"{right}/{n} new points right"


def _judge_c_init(check, got):
    inputs = check["inputs"]
    return _judge_params(c_he_init(inputs["hidden"], inputs["seed"]), got, "the given mlp_init")


def _judge_c_step(check, got):
    inputs = check["inputs"]
    X, y = np.array(inputs["X"]), np.array(inputs["y"])
    params = c_he_init(inputs["hidden"], inputs["seed"])
    grads = _boss().gradients(X, y, params)
    want = {k: params[k] - inputs["lr"] * grads[k] for k in PARAMETERS}
    return _judge_params(want, got, "one step of gradient descent from mlp_init")


def _judge_c_xor(check, got):
    expected = str(XOR_Y)
    if not isinstance(got, dict):
        return False, expected, f"expected the trained parameters, got {_show(got)}"
    hidden = check["inputs"]["hidden"]
    shapes = {"W1": (2, hidden), "b1": (hidden,), "W2": (hidden, 1), "b2": (1,)}
    params = {}
    for k, shape in shapes.items():
        params[k], problem = _array(got.get(k), shape, k)
        if problem:
            return False, expected, problem
    _, _, p = _boss().forward(np.array(XOR_X), params)
    labels = (p[:, 0] > 0.5).astype(int).tolist()
    if labels != XOR_Y:
        return False, expected, f"the trained network labels the corners {labels}, XOR is {XOR_Y}"
    return True, expected, "all four corners right"


JUDGES = {"predict": _judge_predict, "wb": _judge_wb, "margin": _judge_margin,
          "init": _judge_init, "forward": _judge_forward, "grads": _judge_grads, "step": _judge_step,
          "xor": _judge_xor, "fit": _judge_fit,
          "c_init": _judge_c_init, "c_step": _judge_c_step, "c_xor": _judge_c_xor}


def judge(check: dict, got) -> tuple[bool, str, str]:
    """(passed, expected as text, one line for the learner)."""
    try:
        judge_kind = JUDGES[check["kind"]]
    except Exception as error:  # a malformed check is this file's bug, never the player's win
        return False, "?", f"this check could not be read ({type(error).__name__})"
    try:
        with np.errstate(all="ignore"):
            return judge_kind(check, got)
    except Exception as error:
        return False, "", f"could not read the result ({type(error).__name__}): got {_show(got)}"
