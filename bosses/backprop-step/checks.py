"""Lab checks for module 6 (Backprop, Step by Step): each Tensor op's gradient against central
differences, a graph that reuses a tensor, the MLP's pieces, and a digit reader that must learn.

Every check is a script run in the sandbox with the player's `lab` and `np` bound: it builds
tensors from fixed inputs written into the script, runs one op forward and `backward(G)`, and
returns the arrays. The judge here recomputes the forward with NumPy and the gradient by central
differences of L = Σ G ⊙ f(inputs), so a check compares the player's backward with the
definition of a derivative, not with another implementation's.

The digits check trains the player's MLP with fixed hyperparameters on 1,437 of the 1,797 8×8
UCI digits (DATA.md) and sends back predictions for the other 360; their labels stay here.
Reference (bosses/backprop-step/reference.py), measured 2026-11-28 on this 2-core VM: test
accuracy 0.958 at worst and 0.978 on average over 200 seeds of initialisation and shuffling,
0.22 s CPU median (0.26 s at most) for the 20 epochs; threshold 0.95, budget 10 s.

The C and Rust labs share their own list (`native_checks`): each function the lab asks for
(linear_backward, relu_backward, softmax_xent, mlp_backward, and the given linear_forward) on fixed
inputs, built with c/checks_driver.c or rust/checks_driver.rs; every gradient is again compared
with central differences.
"""

from __future__ import annotations

import base64
import functools
import gzip
import math
import zlib
from pathlib import Path

import numpy as np

from forge_tui.bossapi import compare

TIME_LIMIT_S = 20.0  # the whole list in the sandbox: about 1 s for the reference
TOLERANCE = 1e-6  # the brief's: every gradient within 1e-6 of central differences
STEP = 1e-6  # central-difference step
DIGITS = Path(__file__).resolve().parents[2] / "levels" / "06-backprop-step" / "data" / "digits.csv.gz"
TRAIN_SIZE = 1437
SIZES = [64, 64, 10]
EPOCHS, BATCH, RATE = 20, 32, 0.1
ACCURACY = 0.95
BUDGET_S = 10.0


# ---------------------------------------------------------------- the math, done here

def xent(z, y) -> float:
    """Mean softmax cross-entropy through log-sum-exp, in float64."""
    z = np.asarray(z, dtype=np.float64)
    top = z.max(axis=1, keepdims=True)
    log_total = top[:, 0] + np.log(np.exp(z - top).sum(axis=1))
    return float(np.mean(log_total - z[np.arange(len(y)), y]))


def logits(params, X) -> np.ndarray:
    """h @ W + b per layer, ReLU between layers, none after the last."""
    h = np.asarray(X, dtype=np.float64)
    layers = len(params) // 2
    for i in range(layers):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < layers - 1:
            h = np.maximum(h, 0.0)
    return h


def central_differences(loss, arrays: list[np.ndarray]) -> list[np.ndarray]:
    """∂loss/∂a for every entry of every array, by (loss(a + h) − loss(a − h)) / 2h."""
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for index in np.ndindex(a.shape):
            keep = a[index]
            a[index] = keep + STEP
            up = loss()
            a[index] = keep - STEP
            down = loss()
            a[index] = keep
            g[index] = (up - down) / (2 * STEP)
        grads.append(g)
    return grads


# ---------------------------------------------------------------- writing a check

def literal(array) -> str:
    """An array as Python source that rebuilds it exactly (repr of a float round-trips)."""
    array = np.asarray(array)
    dtype = "np.int64" if array.dtype.kind in "iu" else "np.float64"
    return f"np.array({array.tolist()!r}, dtype={dtype})"


def packed(array: np.ndarray) -> str:
    """A large uint8 array as source: zlib and base64, decoded in the child."""
    data = base64.b64encode(zlib.compress(np.ascontiguousarray(array, dtype=np.uint8).tobytes(), 9))
    return (f"np.frombuffer(zlib.decompress(base64.b64decode({data.decode()!r})), "
            f"dtype=np.uint8).reshape({tuple(array.shape)!r})")


def _check(name: str, summary: str, hint: str, kind: str, script: str, **inputs) -> dict:
    """A check: the script the child runs, and (under `inputs`) what the judge needs."""
    return {"name": name, "summary": summary, "hint": hint, "kind": kind, "script": script,
            "inputs": {key: _plain(value) for key, value in inputs.items()}}


def _plain(value):
    """JSON-ready: arrays and NumPy numbers as lists and Python numbers."""
    return value.tolist() if isinstance(value, (np.ndarray, np.generic)) else value


def _op_check(name, summary, hint, op: str, names: list[str], arrays: list[np.ndarray], G, *,
              grads: bool = True, **extra) -> dict:
    """Build tensors named `names`, compute `op` from them, run backward(G), send data and grads.
    With grads=False the judge looks at the forward value only."""
    lines = [f"{n} = lab.Tensor({literal(a)})" for n, a in zip(names, arrays)]
    lines += [f"y = {literal(extra['y'])}"] if "y" in extra else []
    if not grads:
        lines += [f"out = {op}", "result = {'out': np.asarray(out.data, dtype=float)}"]
    else:
        lines += [f"out = {op}", f"out.backward({literal(G)})",
                  "result = {'out': np.asarray(out.data, dtype=float), "
                  + ", ".join(f"'d{n}': np.asarray({n}.grad, dtype=float)" for n in names) + "}"]
    inputs = dict(zip(names, arrays), G=G, **extra)
    return _check(name, summary, hint, "op", "\n".join(lines) + "\n", op=op, names=names, grads=grads,
                  **inputs)


# ---------------------------------------------------------------- the checks

def checks() -> list[dict]:
    """Seventeen small wins, the same every time (fixed inputs drawn from a fixed seed)."""
    rng = np.random.default_rng(6)
    a, W = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    x, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    z = np.array([[1.5, -0.5, 0.0, 2.0], [-1.0, 0.0, 0.25, -3.0]])
    scores, labels = rng.standard_normal((4, 5)), np.array([2, 0, 4, 2])
    huge = scores + np.array([[1000.0], [-1000.0], [1000.0], [0.0]])
    out = [
        _check("a Tensor and its gradient", "Tensor([[1, 2], [3, 4]]): float64 data, a zero grad",
               "A Tensor keeps its numbers as a float64 array and starts with a gradient of zeros of "
               "the same shape.", "tensor",
               "t = lab.Tensor([[1, 2], [3, 4]])\nresult = {'data': np.asarray(t.data), "
               "'dtype': str(np.asarray(t.data).dtype), 'grad': np.asarray(t.grad, dtype=float)}\n"),
        _op_check("matmul: forward", "a (3×4) @ W (4×2)",
                  "The output is the matrix product of the two data arrays.", "a @ W", ["a", "W"], [a, W],
                  rng.standard_normal((3, 2)), grads=False),
        _op_check("matmul: gradients", "a (3×4) @ W (4×2), upstream gradient G (3×2)",
                  "Each input's gradient has that input's shape: pair G with the other input, "
                  "transposed, on the side that makes the shapes agree.",
                  "a @ W", ["a", "W"], [a, W], rng.standard_normal((3, 2))),
        _op_check("add: a bias on every row", "x (4×3) + b (3,): b is broadcast over the batch",
                  "b was added to every row, so every row of the upstream gradient reaches it: "
                  "its gradient must come back to b's own shape.",
                  "x + b", ["x", "b"], [x, b], rng.standard_normal((4, 3))),
        _op_check("add: a row plus a column", "r (1×3) + c (4×1): both are broadcast to 4×3",
                  "A gradient has the shape of its tensor: sum the upstream gradient over every axis "
                  "the tensor was stretched along, keeping that axis with size 1.",
                  "r + c", ["r", "c"], [rng.standard_normal((1, 3)), rng.standard_normal((4, 1))],
                  rng.standard_normal((4, 3))),
        _op_check("relu: forward and backward", "relu of a 2×4 array with two entries exactly 0",
                  "ReLU lets the gradient through where the input was positive and stops it "
                  "elsewhere; at exactly 0 the slope is taken as 0.",
                  "z.relu()", ["z"], [z], rng.standard_normal((2, 4))),
        _op_check("cross_entropy: the loss", "logits 4×5, labels [2, 0, 4, 2]",
                  "The loss is the mean over the batch of −log softmax(z)[label]; compute it as "
                  "log Σ exp(z) − z[label].",
                  "s.cross_entropy(y)", ["s"], [scores], np.array(1.0), grads=False, y=labels),
        _op_check("cross_entropy: the gradient", "logits 4×5, upstream gradient 0.7",
                  "Differentiate the mean: each row gets softmax minus the one-hot label, divided "
                  "by the batch size, times the gradient that arrives from above.",
                  "s.cross_entropy(y)", ["s"], [scores], np.array(0.7), y=labels),
        _op_check("cross_entropy: logits near ±1000", "the same logits shifted by +1000, −1000, +1000, 0",
                  "exp(1000) overflows a float64: softmax does not change when a constant is "
                  "subtracted from a row, so subtract the row's largest logit first.",
                  "s.cross_entropy(y)", ["s"], [huge], np.array(1.0), y=labels),
        _op_check("a tensor used twice", "x @ W1 + x @ W2 + v @ W1: x and W1 each feed two matmuls",
                  "When a tensor feeds two operations, each sends a gradient back to it: add them "
                  "(+=) instead of keeping only the last.",
                  "x @ W1 + x @ W2 + v @ W1", ["x", "W1", "W2", "v"],
                  [rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal((4, 2)),
                   rng.standard_normal((3, 4))], rng.standard_normal((3, 2))),
        _op_check("a result used twice", "h = (x @ W).relu() feeds both h @ V and h @ U",
                  "h must send its gradient down once, after both of its users have added theirs: "
                  "each tensor appears once in the order backward() walks.",
                  "(h := (x @ W).relu()) @ V + h @ U", ["x", "W", "V", "U"],
                  [rng.standard_normal((3, 4)), rng.standard_normal((4, 5)), rng.standard_normal((5, 2)),
                   rng.standard_normal((5, 2))], rng.standard_normal((3, 2))),
        _op_check("backward through a whole network", "((x @ W1 + b1).relu() @ W2 + b2).cross_entropy(y)",
                  "backward() must call each tensor's _backward only after every tensor that uses it "
                  "has sent its gradient: sort the graph (depth-first, parents first) and walk it "
                  "in reverse.",
                  "((x @ W1 + b1).relu() @ W2 + b2).cross_entropy(y)", ["x", "W1", "b1", "W2", "b2"],
                  [rng.standard_normal((5, 4)), rng.standard_normal((4, 6)), rng.standard_normal(6),
                   rng.standard_normal((6, 3)), rng.standard_normal(3)], np.array(1.0),
                  y=np.array([0, 2, 1, 1, 2])),
        _init_check(),
        _forward_check(rng),
        _train_step_check(rng),
        _predict_check(rng),
        _digits_check(),
    ]
    return out


def _init_check() -> dict:
    script = ("params = lab.init_mlp([64, 128, 10], seed=3)\n"
              "result = {'tensors': [type(p).__name__ for p in params], "
              "'arrays': [np.asarray(p.data, dtype=float) for p in params]}\n")
    return _check("init_mlp: shapes and scale", "init_mlp([64, 128, 10], seed=3)",
                  "Two tensors per layer, W of shape (n_in, n_out) and b of shape (n_out,); He "
                  "initialisation draws W from a normal distribution whose variance is 2 / n_in, "
                  "and b starts at zero.", "init", script, sizes=[64, 128, 10])


def _mlp_params(rng, sizes) -> list[np.ndarray]:
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        params += [rng.standard_normal((n_in, n_out)) * math.sqrt(2 / n_in), 0.1 * rng.standard_normal(n_out)]
    return params


def _params_script(params) -> str:
    return "params = [" + ", ".join(f"lab.Tensor({literal(p)})" for p in params) + "]\n"


def _forward_check(rng) -> dict:
    params, X = _mlp_params(rng, [6, 5, 4, 3]), rng.standard_normal((4, 6))
    script = _params_script(params) + f"out = lab.mlp_forward(params, {literal(X)})\n" \
        "result = np.asarray(out.data, dtype=float)\n"
    return _check("mlp_forward: three layers", "logits of a [6, 5, 4, 3] MLP on 4 rows",
                  "Each layer is h @ W + b; ReLU goes between layers but not after the last one: "
                  "the logits may be negative.", "forward", script,
                  params=_flat(params), shapes=[list(p.shape) for p in params], X=X)


def _train_step_check(rng) -> dict:
    params, X, y = _mlp_params(rng, [5, 4, 3]), rng.standard_normal((6, 5)), rng.integers(0, 3, 6)
    script = (_params_script(params)
              + f"loss = lab.train_step(params, {literal(X)}, {literal(y)}, 0.5)\n"
              + "loss2 = lab.train_step(params, " + literal(X) + ", " + literal(y) + ", 0.5)\n"
              + "result = {'loss': float(loss), 'loss2': float(loss2), "
              "'params': [np.asarray(p.data, dtype=float) for p in params]}\n")
    return _check("train_step: two SGD steps", "a [5, 4, 3] MLP, 6 rows, lr 0.5, the same batch twice",
                  "Each step starts from zero gradients, runs forward and backward, then moves every "
                  "parameter against its gradient, scaled by lr. Return the loss computed before the update.",
                  "train", script, params=_flat(params), shapes=[list(p.shape) for p in params], X=X, y=y)


def _predict_check(rng) -> dict:
    params, X = _mlp_params(rng, [4, 6, 5]), rng.standard_normal((8, 4))
    script = _params_script(params) + f"result = np.asarray(lab.predict(params, {literal(X)})).tolist()\n"
    return _check("predict: the likeliest class", "a [4, 6, 5] MLP on 8 rows",
                  "The prediction is the index of the largest logit in each row.", "predict", script,
                  params=_flat(params), shapes=[list(p.shape) for p in params], X=X)


def _flat(params) -> list[list[float]]:
    return [np.ravel(p).tolist() for p in params]


def _unflat(inputs) -> list[np.ndarray]:
    return [np.array(p, dtype=np.float64).reshape(s) for p, s in zip(inputs["params"], inputs["shapes"])]


@functools.lru_cache(maxsize=1)
def digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 digits: pixels 0-16 (uint8, 1797×64) and labels (int64)."""
    with gzip.open(DIGITS, "rt") as handle:
        table = np.loadtxt(handle, delimiter=",", dtype=np.int64)
    return table[:, :64].astype(np.uint8), table[:, 64]


def digits_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A fixed split: 1,437 training images, 360 test images."""
    pixels, labels = digits()
    order = np.random.default_rng(0).permutation(len(labels))
    train, test = order[:TRAIN_SIZE], order[TRAIN_SIZE:]
    return pixels[train], labels[train], pixels[test], labels[test]


DIGITS_SCRIPT = """import base64, time, zlib
X_train = {x_train} / 16.0
y_train = {y_train}
X_test = {x_test} / 16.0
start = time.perf_counter()
params = lab.init_mlp({sizes!r}, seed=0)
order_rng = np.random.default_rng(0)
for epoch in range({epochs}):
    order = order_rng.permutation(len(y_train))
    for i in range(0, len(order), {batch}):
        rows = order[i:i + {batch}]
        loss = lab.train_step(params, X_train[rows], y_train[rows], {rate!r})
predictions = np.asarray(lab.predict(params, X_test)).tolist()
result = {{"predictions": predictions, "loss": float(loss), "seconds": time.perf_counter() - start}}
"""


def _digits_check() -> dict:
    x_train, y_train, x_test, y_test = digits_split()
    script = DIGITS_SCRIPT.format(x_train=packed(x_train), y_train=literal(y_train), x_test=packed(x_test),
                                  sizes=SIZES, epochs=EPOCHS, batch=BATCH, rate=RATE)
    check = _check("digits: an MLP that reads", f"train a {SIZES} MLP on 1,437 8×8 digits, "
                   f"{EPOCHS} epochs of batches of {BATCH}, lr {RATE}; test on 360 others",
                   f"Your own init_mlp, train_step and predict, run as the summary says: reaching "
                   f"{ACCURACY:.0%} needs every gradient right and each step moving against it.",
                   "digits", script)
    check["labels"] = y_test.tolist()  # judged here; the child only gets the test pixels
    return check


# ---------------------------------------------------------------- the C and Rust labs

C_DRIVER = "c/checks_driver.c"  # compiled with the player's lab.c; reads c_stdin(checks), answers on fd 3
C_HEADER = "c/checks.h"  # the signatures lab.c must match, forced into the build
RUST_DRIVER = "rust/checks_driver.rs"  # has the player's lab.rs as `mod lab`; same stdin, same answers
RUST_SIGNATURE = """\
pub fn linear_forward(x: &[f64], w: &[f64], b: &[f64], y: &mut [f64], n_in: usize, n_out: usize)
pub fn linear_backward(x: &[f64], w: &[f64], dy: &[f64], dx: &mut [f64], dw: &mut [f64], db: &mut [f64], \
n_in: usize, n_out: usize)
pub fn relu_backward(z: &[f64], dh: &mut [f64])
pub fn softmax_xent(logits: &[f64], labels: &[usize], classes: usize, dlogits: &mut [f64]) -> f64
pub fn mlp_backward(widths: &[usize], params: &[f64], x: &[f64], labels: &[usize], grads: &mut [f64]) -> f64
"""
NATIVE_WORDS = {"native_forward": "forward", "native_linear": "linear", "native_relu": "relu",
                "native_xent": "xent", "native_mlp": "mlp"}


def _native(name: str, summary: str, hint: str, kind: str, **inputs) -> dict:
    return {"name": name, "summary": summary, "hint": hint, "kind": kind,
            "inputs": {key: _plain(value) for key, value in inputs.items()}}


def native_checks() -> list[dict]:
    """Eight small wins for the C and Rust labs, the same every time (inputs from a fixed seed)."""
    rng = np.random.default_rng(66)
    z = np.array([[1.5, -0.5, 0.0, 2.0], [-1.0, 0.0, 0.25, -3.0]])
    scores, labels = rng.standard_normal((4, 5)), np.array([2, 0, 4, 2])
    huge = scores + np.array([[1000.0], [-1000.0], [1000.0], [0.0]])
    return [
        _native("linear_forward: a batch through a layer", "x (3×4) W (4×2) + b",
                "This one is given in the starter: if it fails, compare yours with the starter's "
                "(row r of y is row r of x times W, plus b).", "native_forward",
                x=rng.standard_normal((3, 4)), W=rng.standard_normal((4, 2)), b=rng.standard_normal(2)),
        _native("linear_backward: the three gradients", "x (3×4), W (4×2), upstream gradient dy (3×2)",
                "Each gradient has the shape of what it belongs to: dW pairs the inputs with dy, "
                "summed over the batch; db sums dy over the batch; dx sends dy back through W.",
                "native_linear", x=rng.standard_normal((3, 4)), W=rng.standard_normal((4, 2)),
                dy=rng.standard_normal((3, 2))),
        _native("linear_backward: more rows than inputs", "x (6×2), W (2×3), dy (6×3)",
                "Every loop has its own bound: batch rows, n_in inputs, n_out units. A bound taken "
                "from the wrong one stops short or reads past a row.", "native_linear",
                x=rng.standard_normal((6, 2)), W=rng.standard_normal((2, 3)), dy=rng.standard_normal((6, 3))),
        _native("relu_backward: the mask", "z of 2×4 with two entries exactly 0, upstream gradient dh",
                "ReLU lets the gradient through where z was positive and stops it elsewhere; at "
                "exactly 0 the slope is taken as 0.", "native_relu", z=z, dh=rng.standard_normal(z.shape)),
        _native("softmax_xent: loss and gradient", "logits 4×5, labels [2, 0, 4, 2]",
                "The loss is the mean over the batch of log Σ exp(z) − z[label]; its gradient is "
                "softmax minus the one-hot label, divided by the batch size.", "native_xent",
                logits=scores, labels=labels),
        _native("softmax_xent: logits near ±1000", "the same logits shifted by +1000, −1000, +1000, 0",
                "exp(1000) overflows a double: softmax does not change when a constant is subtracted "
                "from a row, so subtract the row's largest logit first.", "native_xent",
                logits=huge, labels=labels),
        _native_mlp("mlp_backward: a [4, 5, 3, 3] network", rng, [4, 5, 3, 3], 6,
                    "Forward layer by layer, keeping each layer's input and pre-activation; then "
                    "softmax_xent; then back from the last layer: linear_backward, and relu_backward "
                    "below every layer but the input."),
        _native_mlp("mlp_backward: other widths", rng, [5, 2, 6, 3], 4,
                    "Find each block of params and grads from the widths, never from fixed sizes: W1 "
                    "holds n0·n1 numbers, then b1 n1, then W2 n1·n2, and so on."),
    ]


def _native_mlp(name: str, rng, widths: list[int], batch: int, hint: str) -> dict:
    params = _mlp_params(rng, widths)
    X, y = rng.standard_normal((batch, widths[0])), rng.integers(0, widths[-1], batch)
    return _native(name, f"the loss and all six gradients of a {widths} MLP on {batch} rows", hint,
                   "native_mlp", widths=widths, params=_flat(params), X=X, labels=y)


def _line(values) -> str:
    return " ".join(repr(float(v)) for v in np.ravel(values)) + "\n"


def _int_line(values) -> str:
    return " ".join(str(int(v)) for v in values) + "\n"


def c_check_text(check: dict) -> str:
    """One check as the C and Rust drivers read it: a word and its sizes, then the inputs."""
    kind, inputs = check["kind"], check["inputs"]
    word = NATIVE_WORDS[kind]
    if kind in ("native_forward", "native_linear"):
        x, W = np.array(inputs["x"]), np.array(inputs["W"])
        last = inputs["b"] if kind == "native_forward" else inputs["dy"]
        return f"{word} {x.shape[0]} {W.shape[0]} {W.shape[1]}\n" + _line(x) + _line(W) + _line(last)
    if kind == "native_relu":
        return f"relu {np.size(inputs['z'])}\n" + _line(inputs["z"]) + _line(inputs["dh"])
    if kind == "native_xent":
        logits = np.array(inputs["logits"])
        return f"xent {logits.shape[0]} {logits.shape[1]}\n" + _line(logits) + _int_line(inputs["labels"])
    widths = " ".join(str(w) for w in inputs["widths"])
    return (f"mlp {len(inputs['labels'])} {widths}\n" + "".join(_line(p) for p in inputs["params"])
            + _line(inputs["X"]) + _int_line(inputs["labels"]))


def c_stdin(cases: list[dict]) -> str:
    """Everything the C or Rust driver reads on stdin: the number of checks, then each check."""
    return f"{len(cases)}\n" + "".join(c_check_text(check) for check in cases)


def _shaped(value, shape):
    """A flat list from a driver in `shape`, when its length fits (else as it came: the judge
    then names the shape that came back)."""
    if isinstance(value, list) and len(value) == int(np.prod(shape)):
        return np.array(value, dtype=np.float64).reshape(shape).tolist()
    return value


def c_answer(check: dict, value):
    """A driver's flat answer in the shapes the judge reads, or (None, problem)."""
    if not isinstance(value, dict):
        return None, f"the driver sent {_show(value)}, not the check's arrays"
    shapes = _native_shapes(check)
    got = {key: _shaped(value.get(key), shape) for key, shape in shapes.items() if key in value}
    if "loss" in value:
        got["loss"] = value["loss"]
    if check["kind"] == "native_mlp" and isinstance(value.get("grads"), list):
        sizes = [int(np.prod(shape)) for shape in _init_shapes(check["inputs"]["widths"])]
        flat, at = value["grads"], 0
        if len(flat) == sum(sizes):
            for index, size in enumerate(sizes):
                got[_param_name(index)] = _shaped(flat[at:at + size], _init_shapes(check["inputs"]["widths"])[index])
                at += size
    return got, ""


def _param_name(index: int) -> str:
    return f"W{index // 2 + 1}" if index % 2 == 0 else f"b{index // 2 + 1}"


def _native_shapes(check: dict) -> dict[str, tuple[int, ...]]:
    """The shape of each array a native check sends back."""
    kind, inputs = check["kind"], check["inputs"]
    if kind == "native_forward":
        return {"y": (len(inputs["x"]), len(inputs["b"]))}
    if kind == "native_linear":
        x, W = np.shape(inputs["x"]), np.shape(inputs["W"])
        return {"dx": x, "dW": W, "db": (W[1],)}
    if kind == "native_relu":
        return {"dz": np.shape(inputs["z"])}
    if kind == "native_xent":
        return {"dlogits": np.shape(inputs["logits"])}
    return {_param_name(i): shape for i, shape in enumerate(_init_shapes(inputs["widths"]))}


def _native_expected(check: dict) -> dict[str, np.ndarray]:
    """What a native check must send back, computed here: values with NumPy, every gradient by
    central differences of its loss (the ReLU's kink by the convention, slope 0 at 0)."""
    kind, inputs = check["kind"], check["inputs"]
    if kind == "native_forward":
        return {"y": np.array(inputs["x"]) @ np.array(inputs["W"]) + np.array(inputs["b"])}
    if kind == "native_linear":
        x, W, dy = (np.array(inputs[k], dtype=np.float64) for k in ("x", "W", "dy"))
        b = np.zeros(W.shape[1])
        dx, dW, db = central_differences(lambda: float(np.sum(dy * (x @ W + b))), [x, W, b])
        return {"dx": dx, "dW": dW, "db": db}
    if kind == "native_relu":
        z, dh = np.array(inputs["z"]), np.array(inputs["dh"])
        return {"dz": np.where(z > 0, dh, 0.0)}
    labels = np.array(inputs["labels"], dtype=np.int64)
    if kind == "native_xent":
        z = np.array(inputs["logits"], dtype=np.float64)
        (dz,) = central_differences(lambda: xent(z, labels), [z])
        return {"loss": np.array(xent(z, labels)), "dlogits": dz}
    shapes = _init_shapes(inputs["widths"])
    params = [np.array(p, dtype=np.float64).reshape(s) for p, s in zip(inputs["params"], shapes)]
    X = np.array(inputs["X"], dtype=np.float64)
    grads = central_differences(lambda: xent(logits(params, X), labels), params)
    return {"loss": np.array(xent(logits(params, X), labels)),
            **{_param_name(i): g for i, g in enumerate(grads)}}


def _judge_native(check, got) -> str:
    want = _native_expected(check)
    if "loss" in want:
        loss = got.get("loss") if isinstance(got, dict) else None
        if not isinstance(loss, (int, float)) or isinstance(loss, bool):
            raise Wrong(f"the loss is {_show(loss)}, expected {float(want['loss']):.8f}")
        _require("the loss", loss, want["loss"])
    values = "the values match" if check["kind"] == "native_forward" else "every gradient matches central differences"
    for key, array in want.items():
        if key != "loss":
            _require(key, _array(got, key, array.shape), array,
                     source="central differences" if check["kind"] in ("native_linear", "native_xent", "native_mlp") else "")
    return ("the loss and " if "loss" in want else "") + values


# ---------------------------------------------------------------- judging

class Wrong(Exception):
    """What is wrong with an answer, as one line for the learner."""


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _array(got, key, shape) -> np.ndarray:
    value = got.get(key) if isinstance(got, dict) else None
    if value is None:
        raise Wrong(f"no {key!r} came back")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"{key} is {_show(value)}, not an array of numbers") from None
    if array.shape != tuple(shape):
        raise Wrong(f"{key} has shape {array.shape}, expected {tuple(shape)}")
    if not np.all(np.isfinite(array)):
        raise Wrong(f"{key} holds nan or inf")
    return array


def _require(name: str, got: np.ndarray, want: np.ndarray, tolerance: float = TOLERANCE, source: str = ""):
    """Raise Wrong, saying where and by how much, unless got is want to `tolerance` (`source`: whence want)."""
    ok, problem = compare(got, want, atol=tolerance, name=name)
    if not ok:
        raise Wrong(problem + (f" ({source})" if source else ""))


def _op_expected(inputs) -> tuple[np.ndarray, list[np.ndarray]]:
    """The op's output and, by central differences of Σ G ⊙ out, each input's gradient."""
    arrays = [np.array(inputs[n], dtype=np.float64) for n in inputs["names"]]
    G = np.array(inputs["G"], dtype=np.float64)
    y = np.array(inputs.get("y", []), dtype=np.int64)

    def forward():
        env = dict(zip(inputs["names"], arrays))
        return OPS[inputs["op"]](env, y)

    out = forward()
    return out, central_differences(lambda: float(np.sum(G * forward())), arrays)


OPS = {
    "a @ W": lambda e, y: e["a"] @ e["W"],
    "x + b": lambda e, y: e["x"] + e["b"],
    "r + c": lambda e, y: e["r"] + e["c"],
    "z.relu()": lambda e, y: np.maximum(e["z"], 0.0),
    "s.cross_entropy(y)": lambda e, y: np.array(xent(e["s"], y)),
    "x @ W1 + x @ W2 + v @ W1": lambda e, y: e["x"] @ e["W1"] + e["x"] @ e["W2"] + e["v"] @ e["W1"],
    "(h := (x @ W).relu()) @ V + h @ U":
        lambda e, y: np.maximum(e["x"] @ e["W"], 0) @ e["V"] + np.maximum(e["x"] @ e["W"], 0) @ e["U"],
    "((x @ W1 + b1).relu() @ W2 + b2).cross_entropy(y)":
        lambda e, y: np.array(xent(logits([e["W1"], e["b1"], e["W2"], e["b2"]], e["x"]), y)),
}


def _judge_op(check, got) -> str:
    inputs = check["inputs"]
    out, numeric = _op_expected(inputs)
    if inputs["op"] == "z.relu()":  # the kink: central differences straddle 0, the convention says 0
        z = np.array(inputs["z"])
        numeric = [np.where(z > 0, np.array(inputs["G"]), 0.0)]
    _require("out", _array(got, "out", out.shape), out)
    if not inputs["grads"]:
        return "the forward value matches"
    for name, want in zip(inputs["names"], numeric):
        _require(f"d{name}", _array(got, f"d{name}", want.shape), want, source="central differences")
    return "forward and gradients match central differences"


def _judge_tensor(check, got) -> str:
    if not isinstance(got, dict) or got.get("dtype") != "float64":
        raise Wrong(f"data has dtype {_show(got.get('dtype') if isinstance(got, dict) else got)}, "
                    "expected float64 (gradients need real numbers)")
    _require("data", _array(got, "data", (2, 2)), np.array([[1.0, 2.0], [3.0, 4.0]]))
    _require("grad", _array(got, "grad", (2, 2)), np.zeros((2, 2)), tolerance=0.0)
    return "a float64 array with a zero gradient of the same shape"


def _judge_init(check, got) -> str:
    sizes = check["inputs"]["sizes"]
    shapes = _init_shapes(sizes)
    if not isinstance(got, dict) or not isinstance(got.get("arrays"), list):
        raise Wrong(f"expected a list of tensors, got {_show(got)}")
    if len(got["arrays"]) != len(shapes):
        raise Wrong(f"init_mlp returned {len(got['arrays'])} parameters, expected {len(shapes)} "
                    "(a weight and a bias per layer)")
    if any(name != "Tensor" for name in got.get("tensors", [])):
        raise Wrong(f"every parameter should be a Tensor, got {got.get('tensors')}")
    for i, shape in enumerate(shapes):
        name = f"W{i // 2 + 1}" if i % 2 == 0 else f"b{i // 2 + 1}"
        array = _array({name: got["arrays"][i]}, name, shape)
        if i % 2:
            if np.any(array != 0):
                raise Wrong(f"{name} should start at zero")
            continue
        want = math.sqrt(2 / shape[0])
        std = float(array.std())
        if not 0.85 * want <= std <= 1.15 * want or abs(float(array.mean())) > 0.2 * want:
            raise Wrong(f"{name} has mean {array.mean():.3g} and std {std:.3g}; He initialisation "
                        f"gives mean 0 and std sqrt(2/{shape[0]}) = {want:.3g}")
    return "two tensors per layer, He-scaled weights, zero biases"


def _judge_forward(check, got) -> str:
    inputs = check["inputs"]
    want = logits(_unflat(inputs), np.array(inputs["X"]))
    _require("logits", _array({"logits": got}, "logits", want.shape), want)
    return "the logits match"


def _sgd(params, X, y, lr) -> float:
    """One step of SGD done here: the loss before, params updated in place (gradients by hand)."""
    hs, h = [np.asarray(X)], np.asarray(X)
    layers = len(params) // 2
    for i in range(layers):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < layers - 1:
            h = np.maximum(h, 0.0)
        hs.append(h)
    loss = xent(h, y)
    top = h.max(axis=1, keepdims=True)
    d = np.exp(h - top)
    d /= d.sum(axis=1, keepdims=True)
    d[np.arange(len(y)), y] -= 1.0
    d /= len(y)
    for i in reversed(range(layers)):
        dW, db = hs[i].T @ d, d.sum(axis=0)
        d = (d @ params[2 * i].T) * (hs[i] > 0)
        params[2 * i] -= lr * dW
        params[2 * i + 1] -= lr * db
    return loss


def _judge_train(check, got) -> str:
    inputs = check["inputs"]
    (first, second), params = _two_steps(inputs)
    if not isinstance(got, dict):
        raise Wrong(f"expected the loss and the parameters, got {_show(got)}")
    for key, want in (("loss", first), ("loss2", second)):
        value = got.get(key)
        which = "first" if key == "loss" else "second"
        if not isinstance(value, (int, float)):
            raise Wrong(f"the {which} step returned loss {_show(value)}, expected {want:.6f} "
                        "(the loss of the batch before that step's update)")
        _require(f"the {which} step's loss", value, want, source="the loss of the batch before that step's update")
    arrays = got.get("params")
    if not isinstance(arrays, list) or len(arrays) != len(params):
        raise Wrong(f"expected {len(params)} parameters after the steps, got {_show(arrays)}")
    for i, want in enumerate(params):
        name = f"W{i // 2 + 1}" if i % 2 == 0 else f"b{i // 2 + 1}"
        _require(name, _array({name: arrays[i]}, name, want.shape), want)
    return "both losses and every updated parameter match"


def _judge_predict(check, got) -> str:
    inputs = check["inputs"]
    want = logits(_unflat(inputs), np.array(inputs["X"])).argmax(axis=1).tolist()
    if got != want:
        raise Wrong(f"predicted {_show(got)}, expected {want}")
    return "every row's class matches"


def _judge_digits(check, got) -> str:
    labels = check["labels"]
    if not isinstance(got, dict) or not isinstance(got.get("predictions"), list):
        raise Wrong(f"expected predictions, got {_show(got)}")
    predictions = got["predictions"]
    if len(predictions) != len(labels):
        raise Wrong(f"expected {len(labels)} predictions, got {len(predictions)}")
    right = sum(1 for p, t in zip(predictions, labels) if isinstance(p, int) and not isinstance(p, bool) and p == t)
    seconds = got.get("seconds")
    if not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        raise Wrong("the training time did not come back")
    accuracy = right / len(labels)
    verdict = f"test accuracy {accuracy:.3f} ({right}/{len(labels)}) in {seconds:.1f} s"
    if accuracy < ACCURACY:
        loss = got.get("loss")
        raise Wrong(f"{verdict}: below {ACCURACY:.0%} (last batch loss {_show(loss)})")
    if seconds > BUDGET_S:
        raise Wrong(f"{verdict}: slower than {BUDGET_S:g} s")
    return verdict


JUDGES = {"tensor": _judge_tensor, "op": _judge_op, "init": _judge_init, "forward": _judge_forward,
          "train": _judge_train, "predict": _judge_predict, "digits": _judge_digits,
          **{kind: _judge_native for kind in NATIVE_WORDS}}


def judge(check: dict, got) -> tuple[bool, str, str]:
    """(passed, expected as text, one line for the learner)."""
    expected = expected_text(check)
    try:
        verdict = JUDGES[check["kind"]](check, got)
    except Wrong as wrong:
        return False, expected, str(wrong)
    except Exception as error:  # noqa: BLE001 - an answer the judge cannot read is a wrong answer
        return False, expected, f"the answer could not be read ({type(error).__name__}): {_show(got)}"
    return True, expected, verdict


def expected_text(check) -> str:
    """What the check expects, as the learner sees it beside what came back."""
    kind, inputs = check["kind"], check.get("inputs", {})
    if kind == "op":
        return ("out and every gradient within 1e-6 of central differences" if inputs["grads"]
                else "out as NumPy computes it")
    if kind == "tensor":
        return "data [[1.0, 2.0], [3.0, 4.0]] as float64, grad all zeros"
    if kind == "init":
        return f"tensors of shapes {_init_shapes(inputs['sizes'])}; W ~ N(0, 2/n_in), b = 0"
    if kind == "forward":
        return f"logits {np.round(logits(_unflat(inputs), np.array(inputs['X'])), 4).tolist()}"
    if kind == "train":
        (first, second), _ = _two_steps(inputs)
        return f"losses {first:.6f} then {second:.6f}, and the parameters after two steps"
    if kind == "predict":
        return str(logits(_unflat(inputs), np.array(inputs["X"])).argmax(axis=1).tolist())
    if kind == "native_forward":
        return f"y {np.round(_native_expected(check)['y'], 4).tolist()}"
    if kind in NATIVE_WORDS:
        want = _native_expected(check)
        loss = f"loss {float(want['loss']):.6f}, " if "loss" in want else ""
        return loss + ", ".join(k for k in want if k != "loss") + " within 1e-6 of central differences"
    return f"test accuracy at least {ACCURACY:.0%} within {BUDGET_S:g} s"


def _init_shapes(sizes) -> list[tuple[int, ...]]:
    return [s for n_in, n_out in zip(sizes[:-1], sizes[1:]) for s in ((n_in, n_out), (n_out,))]


def _two_steps(inputs) -> tuple[tuple[float, float], list[np.ndarray]]:
    """The losses of two SGD steps on the check's batch (lr 0.5) and the parameters after them."""
    params, X, y = _unflat(inputs), np.array(inputs["X"]), np.array(inputs["y"])
    first = _sgd(params, X, y, 0.5)
    return (first, _sgd(params, X, y, 0.5)), params
