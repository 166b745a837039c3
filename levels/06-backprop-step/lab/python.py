"""Module 6 lab: a micrograd-style tensor library, then an MLP that reads handwritten digits.

A Tensor holds `data`, the loss's gradient `grad`, the tensors it came from (`parents`) and a
`_backward` that pushes its gradient into theirs. Batches are rows: a layer is x @ W + b."""

import numpy as np


def unbroadcast(grad, shape):
    """Sum `grad` down to `shape`: a (n,) bias broadcast over (B, n) rows gets every row's gradient."""
    raise NotImplementedError("unbroadcast: sum over the axes that `shape` does not have")


class Tensor:
    def __init__(self, data, parents=()):
        self.data = np.asarray(data, dtype=np.float64)
        self.grad = np.zeros_like(self.data)
        self.parents = parents
        self._backward = lambda: None

    def __matmul__(self, other):
        out = Tensor(self.data @ other.data, (self, other))
        def _backward():  # add (+=) dL/dself and dL/dother, made from out.grad
            raise NotImplementedError("__matmul__'s backward: let the shapes tell you the order")
        out._backward = _backward
        return out

    def __add__(self, other):  # other may be a bias (n,) added to every row of (B, n)
        raise NotImplementedError("__add__: the sum, and a _backward that uses unbroadcast")

    def relu(self):  # max(self, 0) entry by entry; the slope at exactly 0 is 0
        raise NotImplementedError("relu: the forward, and a _backward with a 0/1 mask")

    def cross_entropy(self, y):  # mean over the batch of -log softmax(logits)[label], a 0-d Tensor
        raise NotImplementedError("cross_entropy: subtract each row's max, then log-sum-exp")

    def backward(self, grad=None):  # fill .grad of everything this came from; self.grad = 1 (or grad)
        raise NotImplementedError("backward: parents before children, each once; walk it reversed")


def init_mlp(sizes, seed=0):
    """[W1, b1, W2, b2, ...] as Tensors: W (n_in, n_out) ~ N(0, 2/n_in), b (n_out,) zeros."""
    raise NotImplementedError("init_mlp: one (W, b) pair per pair of consecutive widths")


def mlp_forward(params, X):
    """The logits: h @ W + b per layer, ReLU between layers, none after the last."""
    raise NotImplementedError("mlp_forward: start from Tensor(X)")


def train_step(params, X, y, lr):
    """One SGD step on (X, y); returns the loss from before the step."""
    raise NotImplementedError("train_step: zero grads, forward, backward, p.data -= lr * p.grad")


def predict(params, X):
    raise NotImplementedError("predict: the largest logit of each row")


def mlp_backward(params, X, y):
    """The boss: (loss, grads) for NumPy params [W1, b1, W2, b2, W3, b3]; grads in the same order."""
    raise NotImplementedError("mlp_backward: wrap params in Tensors, forward, backward")


if __name__ == "__main__":  # each op's gradient of L = sum(output) beside a central difference
    for name, make, shapes in [("matmul", lambda a, b: a @ b, [(3, 4), (4, 5)]), ("relu", Tensor.relu, [(3, 5)]),
                               ("add (bias)", lambda a, b: a + b, [(3, 5), (5,)]),
                               ("cross_entropy", lambda a: a.cross_entropy([1, 0, 2]), [(3, 5)])]:
        arrays = [np.random.default_rng(0).standard_normal(s) for s in shapes]
        try:
            tensors = [Tensor(a.copy()) for a in arrays]
            make(*tensors).backward()
            for a, t in zip(arrays, tensors):
                sums = []
                for h in (1e-6, -2e-6, 1e-6):  # nudge the first entry up, then down, then back
                    a.flat[0] += h
                    sums.append(make(*map(Tensor, arrays)).data.sum())
                print(f"{name:<14} grad {t.grad.flat[0]: .6f}   central difference {(sums[0] - sums[1]) / 2e-6: .6f}")
        except NotImplementedError as todo:
            print(f"{name:<14} not written yet: {todo}")
