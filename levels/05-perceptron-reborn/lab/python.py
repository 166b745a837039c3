"""Module 5 lab: a perceptron, its failure on XOR, and the hidden layer that fixes it.

X: inputs of shape (n, 2); y: labels 0 or 1, shape (n,). NumPy only, every gradient by hand.
Run this file to see how far you are; `neuralforge lab 5 --check` tests each function.
"""

import numpy as np


def perceptron_predict(X, w, b):
    """1 where w·x + b > 0, else 0, as integers of shape (n,). A point on the line is 0."""
    raise NotImplementedError("score each row with X @ w + b, then compare with 0")


def perceptron_train(X, y, epochs=20, lr=1.0):
    """Rosenblatt's rule from w = 0, b = 0, the examples in order. Returns (w, b, mistakes).

    On each example: y_hat = 1 if w·x + b > 0 else 0; w += lr (y - y_hat) x; b += lr (y - y_hat).
    mistakes[e] counts the examples that epoch e got wrong."""
    raise NotImplementedError("loop over epochs, then over (x, y) pairs; update w and b on mistakes")


def margin(X, y, w, b):
    """The smallest (2y - 1)(w·x + b) / ||w|| over the points: each point's signed distance to
    the line, positive on its own class's side. Raise ValueError when w is zero."""
    raise NotImplementedError("signed distances (w·x + b) / ||w||, times 2y - 1, then the minimum")


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def mlp_init(n_in, hidden, seed=0):
    """He initialisation: W ~ N(0, 2 / fan_in), drawn W1 then W2; biases zero. Given."""
    rng = np.random.default_rng(seed)
    return {"W1": rng.standard_normal((n_in, hidden)) * np.sqrt(2 / n_in), "b1": np.zeros(hidden),
            "W2": rng.standard_normal((hidden, 1)) * np.sqrt(2 / hidden), "b2": np.zeros(1)}


def mlp_forward(X, params):
    """A ReLU hidden layer, then a sigmoid output. Returns (p, cache): p of shape (n, 1), and
    whatever mlp_backward needs. params: W1 (2, H), b1 (H,), W2 (H, 1), b2 (1,)."""
    raise NotImplementedError("z1 = X @ W1 + b1; h1 = max(z1, 0); p = sigmoid(h1 @ W2 + b2)")


def mlp_backward(X, y, params, cache):
    """Gradients of the mean binary cross-entropy: a dict with keys W1, b1, W2, b2, each of its
    parameter's shape. Start from dz2 = (p - y) / n with y as a column (n, 1)."""
    raise NotImplementedError("dW2 = h1.T @ dz2 and db2 = dz2 summed over rows; then back "
                              "through W2 and the ReLU mask (z1 > 0) to dW1 and db1")


def mlp_train(X, y, hidden=8, steps=3000, lr=0.5, seed=0):
    """Full-batch gradient descent from mlp_init(X.shape[1], hidden, seed). Returns params."""
    params = mlp_init(X.shape[1], hidden, seed)
    raise NotImplementedError("repeat `steps` times: forward, backward, params[k] -= lr * grads[k]")


def fit(X, y, seed=0):
    """The boss's entry: train, then return predict(X) -> labels 0 or 1 of shape (n,).
    TODO: these settings are a start, enough for XOR (mostly) and not for the spirals."""
    params = mlp_train(X, y, hidden=8, steps=1000, lr=0.5, seed=seed)
    return lambda X_new: (mlp_forward(X_new, params)[0][:, 0] > 0.5).astype(int)


if __name__ == "__main__":
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    for name, y in [("AND", np.array([0, 0, 0, 1])), ("XOR", np.array([0, 1, 1, 0]))]:
        try:
            w, b, mistakes = perceptron_train(X, y)
            print(f"perceptron on {name}: mistakes per epoch {mistakes}")
            print(f"  predicts {perceptron_predict(X, w, b)}, want {y}")
        except NotImplementedError as todo:
            print(f"perceptron on {name}: not written yet ({todo})")
    try:
        print("MLP on XOR: predicts", fit(X, np.array([0, 1, 1, 0]))(X), "want [0 1 1 0]")
    except NotImplementedError as todo:
        print(f"MLP on XOR: not written yet ({todo})")
