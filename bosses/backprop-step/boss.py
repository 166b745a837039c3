"""Boss of module 6, The Bare-Metal Backprop: the loss and every gradient of a 3-layer MLP.

The player's `mlp_backward(params, X, y)` gets the six arrays of a ReLU MLP with widths
[n0, n1, n2, n3] (params = [W1 (n0, n1), b1 (n1,), W2 (n1, n2), b2 (n2,), W3 (n2, n3),
b3 (n3,)]), a batch X (B, n0) and integer labels y (B,), and returns (loss, grads): the mean
softmax cross-entropy of the logits ((relu(relu(X W1 + b1) W2 + b2)) W3 + b3) and dL/dp for every
p in params, same order, same shapes. ReLU's slope at exactly 0 is 0. The judge recomputes
both here in float64 and every number must agree to 1e-5.

The same fight takes C and Rust. lab.c defines `double mlp_backward(const int *widths, const
double *params, const double *x, const int *labels, int batch, double *grads)`, compiled with gcc
and the trusted driver in c/; lab.rs defines RUST_SIGNATURE below, compiled by rustc as the module
`lab` of rust/driver.rs. Their params and grads are one flat row-major array, the six blocks one
after another, and every gradient starts as NaN.

Measured 2026-11-28 on this 2-core VM while other work ran (load average 10-14), seeds 0-39: the
largest gap to this judge's numbers was 1.3e-14 (reference.py), 1.1e-13 (c/reference.c) and
1.1e-13 (rust/reference.rs). A fight in the sandbox took 0.35 s in Python (median of 10, 0.68 s
at most), 1.7 s in C (2.2 s at most; gcc alone 0.9 s) and 4.9 s in Rust with rustc 1.95 (5.6 s
at most) or 10 s with Debian's rustc 1.63 (11.4 s at most), nearly all of it the compiler.
Tolerance 1e-5 as the curriculum states; time limit 10 s for the lab's own run (the compilers
have the engine's COMPILE_LIMITS and RUST_COMPILE_LIMITS).
"""

from __future__ import annotations

import math

import numpy as np

from forge_tui.bossapi import compare, encode_array

ENTRY = "mlp_backward"
TIME_LIMIT_S = 10.0
TOLERANCE = 1e-5
NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


# ---------------------------------------------------------------- the math, done here

def shapes(widths) -> list[tuple[int, ...]]:
    """The six parameter shapes of an MLP with these four widths."""
    out = []
    for n_in, n_out in zip(widths[:-1], widths[1:]):
        out += [(n_in, n_out), (n_out,)]
    return out


def loss_and_grads(params, X, y) -> tuple[float, list[np.ndarray]]:
    """Forward with the activations kept, then backward by hand, all in float64."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    W = [np.asarray(p, dtype=np.float64) for p in params[0::2]]
    b = [np.asarray(p, dtype=np.float64) for p in params[1::2]]
    inputs, z = [X], None
    for i in range(3):
        z = inputs[-1] @ W[i] + b[i]
        if i < 2:
            inputs.append(np.maximum(z, 0.0))
    batch, rows = len(y), np.arange(len(y))
    top = z.max(axis=1, keepdims=True)
    log_total = top[:, 0] + np.log(np.exp(z - top).sum(axis=1))
    loss = float(np.mean(log_total - z[rows, y]))
    dz = np.exp(z - log_total[:, None])
    dz[rows, y] -= 1.0
    dz /= batch
    grads = [None] * 6
    for i in reversed(range(3)):
        grads[2 * i] = inputs[i].T @ dz
        grads[2 * i + 1] = dz.sum(axis=0)
        if i:
            dz = (dz @ W[i].T) * (inputs[i] > 0)
    return loss, grads


# ---------------------------------------------------------------- inputs

def _network(rng, widths) -> list[np.ndarray]:
    """He-scaled weights and small random biases."""
    params = []
    for n_in, n_out in zip(widths[:-1], widths[1:]):
        params += [rng.standard_normal((n_in, n_out)) * math.sqrt(2.0 / n_in), 0.1 * rng.standard_normal(n_out)]
    return params


def _pixels(rng, batch, n0) -> np.ndarray:
    """Inputs like the digits' pixels: in [0, 1], about a third of them exactly 0."""
    return np.where(rng.random((batch, n0)) < 0.35, 0.0, rng.random((batch, n0)))


def _case(name, summary, hint, params, X, y) -> dict:
    y = np.asarray(y, dtype=np.int64)
    widths = [params[0].shape[0], params[0].shape[1], params[2].shape[1], params[4].shape[1]]
    return {"name": name, "summary": summary, "hint": hint, "widths": widths,
            "call": {"function": ENTRY, "kwargs": {},
                     "args": [[encode_array(p) for p in params], encode_array(X), encode_array(y)]}}


def _standard(rng, widths, batch):
    params = _network(rng, widths)
    return params, _pixels(rng, batch, widths[0]), rng.integers(0, widths[3], batch)


def cases(rng: np.random.Generator) -> list[dict]:
    """Eight fights on fresh weights and inputs: shapes from tiny to the boss's, a batch of one,
    pre-activations exactly 0, logits near 1000."""
    out = [
        _case("a tiny network", "widths [4, 5, 3, 3], a batch of 2",
              "Forward: z = h @ W + b per layer, ReLU between. Backward: start from the loss and "
              "walk the same layers in reverse.", *_standard(rng, [4, 5, 3, 3], 2)),
        _case("the boss's network", "widths [64, 128, 64, 10], a batch of 32",
              "The loss is a mean over the batch, so the gradient at the logits carries a 1/B.",
              *_standard(rng, [64, 128, 64, 10], 32)),
    ]

    params, X, y = _standard(rng, [64, 128, 64, 10], 32)
    for W, b in ((params[0], params[1]), (params[2], params[3])):  # units whose input is exactly 0
        for unit in rng.choice(W.shape[1], size=4, replace=False):
            W[:, unit] = 0.0
            b[unit] = 0.0
    out.append(_case("pre-activations exactly 0", "[64, 128, 64, 10], B = 32, 8 hidden units with z = 0 "
                     "for every example", "At z == 0 exactly, ReLU's slope is taken as 0: the mask "
                     "is z > 0, strictly.", params, X, y))

    out.append(_case("a batch of one", "widths [10, 16, 12, 10], B = 1",
                     "Nothing is fixed at 32: take the batch size from the input.",
                     *_standard(rng, [10, 16, 12, 10], 1)))
    out.append(_case("odd shapes", "widths [7, 3, 11, 4], B = 13: no square matrix anywhere",
                     "Check every product's shapes: dW has W's shape (n_in, n_out), and the gradient "
                     "sent down has the shape of the layer's input.",
                     *_standard(rng, [7, 3, 11, 4], 13)))

    params, X, y = _standard(rng, [64, 128, 64, 10], 16)
    params[5] = params[5] + 1000.0
    out.append(_case("logits near 1000", "[64, 128, 64, 10], B = 16, every logit close to 1000",
                     "exp(1000) overflows a float64. Softmax is unchanged when a row's logits all "
                     "move by the same amount: subtract the row's largest first.", params, X, y))

    out.append(_case("a big batch", "widths [64, 32, 32, 10], B = 128",
                     "Every bias gradient adds up the contributions of all B examples.",
                     *_standard(rng, [64, 32, 32, 10], 128)))
    out.append(_case("fresh weights", "widths [64, 128, 64, 10], B = 32, new weights and inputs",
                     "Each layer's input gradient is dz @ Wᵀ, masked by the ReLU of the layer below.",
                     *_standard(rng, [64, 128, 64, 10], 32)))
    return out


def _inputs(case) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    params, X, y = case["call"]["args"]
    return ([np.array(p["__ndarray__"], dtype=np.float64) for p in params],
            np.array(X["__ndarray__"], dtype=np.float64), np.array(y["__ndarray__"], dtype=np.int64))


# ---------------------------------------------------------------- the C and Rust paths

C_DRIVER = "c/driver.c"  # compiled with the player's lab.c; reads c_stdin(cases), answers on fd 3
C_HEADER = "c/mlp_backward.h"
RUST_DRIVER = "rust/driver.rs"  # has the player's lab.rs as `mod lab`; same stdin, same answers
RUST_SIGNATURE = ("pub fn mlp_backward(widths: &[usize], params: &[f64], x: &[f64], labels: &[usize], "
                  "grads: &mut [f64]) -> f64")


def _numbers(array) -> str:
    return " ".join(repr(float(x)) for x in np.ravel(array))


def c_case_text(case: dict) -> str:
    """One case as the drivers read it: "batch n0 n1 n2 n3", one line per parameter block
    (row-major), one line per row of x, then the labels. Inputs only, nothing expected."""
    params, X, y = _inputs(case)
    widths = case["widths"]
    lines = [f"{len(y)} {' '.join(map(str, widths))}", *(_numbers(p) for p in params),
             *(_numbers(row) for row in X), " ".join(str(int(t)) for t in y)]
    return "\n".join(lines) + "\n"


def c_stdin(cases: list[dict]) -> str:
    """Everything a driver reads on stdin: the number of cases, then each case."""
    return f"{len(cases)}\n" + "".join(c_case_text(case) for case in cases)


def c_answer(case: dict, value):
    """A driver's {"loss": L, "grads": [flat]} as the judge's (loss, [six arrays]), or
    (None, problem) when it cannot be read."""
    if not isinstance(value, dict) or "loss" not in value or not isinstance(value.get("grads"), list):
        return None, f"the driver sent {_show(value)}, not a loss and gradients"
    flat, grads, at = value["grads"], [], 0
    expected = sum(math.prod(s) for s in shapes(case["widths"]))
    if len(flat) != expected:
        return None, f"the driver sent {len(flat)} gradient numbers, expected {expected}"
    for shape in shapes(case["widths"]):
        size = math.prod(shape)
        grads.append(np.reshape(flat[at:at + size], shape).tolist())
        at += size
    return [value["loss"], grads], ""


# ---------------------------------------------------------------- judge

def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Wrong(Exception):
    """What is wrong with an answer, as one line for the learner."""


def _read(got, want_shapes) -> tuple[float, list[np.ndarray]]:
    if not isinstance(got, (list, tuple)) or len(got) != 2:
        raise Wrong(f"expected (loss, grads), got {_show(got)}")
    loss, grads = got
    if isinstance(loss, bool) or not isinstance(loss, (int, float)):
        raise Wrong(f"the loss should be a number, got {_show(loss)}")
    if not math.isfinite(loss):
        raise Wrong(f"the loss is {loss}: did exp overflow?")
    if not isinstance(grads, (list, tuple)) or len(grads) != 6:
        raise Wrong(f"expected six gradients (dW1, db1, dW2, db2, dW3, db3), got {_show(grads)}")
    arrays = []
    for name, shape, grad in zip(NAMES, want_shapes, grads):
        try:
            array = np.asarray(grad, dtype=np.float64)
        except (TypeError, ValueError):
            raise Wrong(f"d{name} is {_show(grad)}, not an array of numbers") from None
        if array.shape != tuple(shape):
            raise Wrong(f"d{name} has shape {array.shape}, expected {tuple(shape)}, the shape of {name}")
        arrays.append(array)
    return float(loss), arrays


def judge(case: dict, got) -> tuple[bool, str, str]:
    """Loss and all six gradients within 1e-5 of the float64 reference computed here."""
    try:
        params, X, y = _inputs(case)
        loss, grads = loss_and_grads(params, X, y)
    except Exception as error:  # a malformed case is the boss's bug, never the player's win
        return False, "?", f"the boss could not compute this case ({type(error).__name__})"
    summary = f"loss {loss:.6f} and six gradients, each within {TOLERANCE:g}"
    try:
        got_loss, got_grads = _read(got, [p.shape for p in params])
        ok, problem = compare(got_loss, loss, atol=TOLERANCE, name="the loss")
        if not ok:
            raise Wrong(problem)
        for name, mine, want in zip(NAMES, got_grads, grads):
            if not np.all(np.isfinite(mine)):
                raise Wrong(f"d{name} holds nan or inf (from C or Rust: an entry never written stays NaN)")
            ok, problem = compare(mine, want, atol=TOLERANCE, name=f"d{name}")
            if not ok:
                raise Wrong(problem)
    except Wrong as wrong:
        return False, summary, str(wrong)
    except Exception as error:  # noqa: BLE001 - an answer the judge cannot read loses
        return False, summary, f"could not read the result ({type(error).__name__}): got {_show(got)}"
    return True, summary, "the loss and every gradient match"
