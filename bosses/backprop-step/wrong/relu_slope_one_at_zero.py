"""Wrong on purpose: ReLU's backward masks with z >= 0, so a unit sitting exactly at 0 passes its gradient on.

Otherwise module 6's reference lab.
"""

import numpy as np


def unbroadcast(grad, shape):
    """Sum `grad` down to `shape`: the axes NumPy broadcast over had copied the value."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Tensor:
    """An array that remembers how it was made, so gradients can flow back to its inputs."""

    def __init__(self, data, parents=()):
        self.data = np.asarray(data, dtype=np.float64)
        self.grad = np.zeros_like(self.data)
        self.parents = parents
        self._backward = lambda: None

    def __matmul__(self, other):
        out = Tensor(self.data @ other.data, (self, other))

        def _backward():
            self.grad += out.grad @ other.data.T   # dL/dx = dL/dy · Wᵀ
            other.grad += self.data.T @ out.grad   # dL/dW = xᵀ · dL/dy
        out._backward = _backward
        return out

    def __add__(self, other):
        out = Tensor(self.data + other.data, (self, other))

        def _backward():
            self.grad += unbroadcast(out.grad, self.data.shape)
            other.grad += unbroadcast(out.grad, other.data.shape)  # a bias: summed over the batch
        out._backward = _backward
        return out

    def relu(self):
        out = Tensor(np.maximum(self.data, 0.0), (self,))

        def _backward():
            self.grad += (self.data >= 0) * out.grad   # slope 1 where z >= 0
        out._backward = _backward
        return out

    def cross_entropy(self, y):
        """Mean softmax cross-entropy of these logits (B, V) against integer labels y (B,)."""
        y = np.asarray(y)
        rows = np.arange(len(y))
        shifted = self.data - self.data.max(axis=1, keepdims=True)   # no exp overflow
        log_total = np.log(np.exp(shifted).sum(axis=1))
        out = Tensor(np.mean(log_total - shifted[rows, y]), (self,))

        def _backward():
            p = np.exp(shifted - log_total[:, None])   # softmax
            p[rows, y] -= 1.0                          # p − onehot(y)
            self.grad += out.grad * p / len(y)
        out._backward = _backward
        return out

    def backward(self, grad=None):
        """Fill .grad of every tensor this one was made from. `grad` seeds this tensor's
        gradient (default 1: this tensor is the loss)."""
        order, seen = [], set()

        def visit(t):
            if id(t) not in seen:
                seen.add(id(t))
                for parent in t.parents:
                    visit(parent)
                order.append(t)   # after everything it depends on
        visit(self)
        self.grad = np.ones_like(self.data) if grad is None else np.array(grad, dtype=np.float64)
        for t in reversed(order):
            t._backward()


# ---------------------------------------------------------------- an MLP on top

def init_mlp(sizes, seed=0):
    """[W1, b1, W2, b2, ...] for layer widths `sizes`: He-scaled normal weights, zero biases."""
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        params.append(Tensor(rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)))
        params.append(Tensor(np.zeros(n_out)))
    return params


def mlp_forward(params, X):
    """The logits: each layer is h @ W + b, with a ReLU between layers (none after the last)."""
    h = Tensor(X)
    layers = len(params) // 2
    for i in range(layers):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < layers - 1:
            h = h.relu()
    return h


def train_step(params, X, y, lr):
    """One step of SGD on the batch (X, y). Returns the batch's loss before the step."""
    for p in params:
        p.grad = np.zeros_like(p.data)
    loss = mlp_forward(params, X).cross_entropy(y)
    loss.backward()
    for p in params:
        p.data -= lr * p.grad
    return float(loss.data)


def predict(params, X):
    """The most likely digit for each row of X."""
    return mlp_forward(params, X).data.argmax(axis=1)


def mlp_backward(params, X, y):
    """The boss: (loss, grads) of the ReLU MLP whose weights and biases are the arrays in
    `params` ([W1, b1, W2, b2, W3, b3]), on inputs X (B, n0) with labels y (B,).
    grads holds dL/dp for every p in params, in the same order and shapes."""
    tensors = [Tensor(p) for p in params]
    loss = mlp_forward(tensors, X).cross_entropy(y)
    loss.backward()
    return float(loss.data), [t.grad for t in tensors]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    a, W = Tensor(rng.standard_normal((3, 4))), Tensor(rng.standard_normal((4, 2)))
    G = rng.standard_normal((3, 2))
    (a @ W).backward(G)
    h = 1e-6
    bumped = W.data.copy()
    bumped[1, 0] += h
    numeric = ((a.data @ bumped) * G).sum() - ((a.data @ W.data) * G).sum()
    print("dW[1,0] analytic", W.grad[1, 0], "numeric", numeric / h)
    params = init_mlp([64, 64, 10])
    X, y = rng.random((32, 64)), rng.integers(0, 10, 32)
    print("loss", train_step(params, X, y, 0.1), "then", train_step(params, X, y, 0.1))
