"""Module 6 lab: forward and backward, layer by layer, for a [784, 256, 10] MLP.

Batches are rows: x is (B, n_in) and W is (n_in, n_out), so the math's y = W x
becomes y = x @ W here, and its g x^T becomes x.T @ dy.
"""

import numpy as np


def linear_forward(x, W):
    """y = x @ W. x: (B, n_in), W: (n_in, n_out) -> y: (B, n_out)."""
    raise NotImplementedError("one matmul")


def linear_backward(dy, x, W):
    """Given dy = dL/dy (B, n_out), return (dx, dW) with shapes (B, n_in) and (n_in, n_out)."""
    raise NotImplementedError("dW = x.T @ dy; dx = dy @ W.T")


def relu_backward(dh, z):
    """dL/dz for h = max(z, 0): pass dh where z > 0, zero elsewhere (slope 0 at z == 0)."""
    raise NotImplementedError("multiply by the mask (z > 0)")


def softmax_xent(logits, y):
    """Mean cross-entropy over the batch and its gradient. logits: (B, V), y: (B,) ints.

    Returns (loss, dlogits) with dlogits = (softmax(logits) - onehot(y)) / B.
    """
    raise NotImplementedError("shift by the row max, exp, normalise, then subtract 1 at the targets")


def train_step(params, X, y, lr=0.1):
    """One SGD step on params {'W1': (784, 256), 'W2': (256, 10)}. Returns the loss before the step."""
    raise NotImplementedError("z1 = X@W1, h1 = relu(z1), logits = h1@W2; then walk back the same way")


def init_params(seed=0):
    rng = np.random.default_rng(seed)
    return {"W1": rng.standard_normal((784, 256)) * np.sqrt(2 / 784),
            "W2": rng.standard_normal((256, 10)) * np.sqrt(2 / 256)}


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    x, W = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    dy = rng.standard_normal((3, 2))
    dx, dW = linear_backward(dy, x, W)
    # gradient check on one weight: L = sum(dy * (x @ W))
    h = 1e-6
    Wp, Wm = W.copy(), W.copy()
    Wp[1, 0] += h
    Wm[1, 0] -= h
    numeric = ((dy * (x @ Wp)).sum() - (dy * (x @ Wm)).sum()) / (2 * h)
    print("dW[1,0] analytic", dW[1, 0], "numeric", numeric)
    params = init_params()
    X, y = rng.random((64, 784)), rng.integers(0, 10, 64)
    print("loss", train_step(params, X, y), "then", train_step(params, X, y))
    print("weights:", sum(p.size for p in params.values()))   # the gate's number
