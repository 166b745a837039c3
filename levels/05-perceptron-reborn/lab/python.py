"""Module 5 lab: a perceptron, its failure on XOR, and the hidden layer that fixes it.

X: inputs, shape (n, 2). y: labels in {0, 1}, shape (n,). Everything by hand in NumPy.
"""

import numpy as np


def perceptron_train(X, y, epochs=20, lr=1.0):
    """Rosenblatt's rule. Returns (w, b): w shape (2,), b a float.

    Predict yhat = 1 if w @ x + b > 0 else 0; on each example,
    w += lr * (y - yhat) * x and b += lr * (y - yhat).
    """
    raise NotImplementedError("loop over epochs and examples; update only on mistakes")


def mlp_forward(X, params):
    """One hidden ReLU layer, sigmoid output. Returns (p, cache).

    params: W1 (2, H), b1 (H,), W2 (H, 1), b2 (1,).  p: (n, 1) probabilities.
    cache: whatever the backward pass needs (z1, h1, ...).
    """
    raise NotImplementedError("z1 = X @ W1 + b1; h1 = max(z1, 0); p = sigmoid(h1 @ W2 + b2)")


def mlp_train(X, y, hidden=8, steps=3000, lr=0.5, seed=0):
    """Full-batch gradient descent on binary cross-entropy. Returns params.

    Backward pass: dlogit = (p - y) / n, then dW2 = h1.T @ dlogit,
    dh1 = dlogit @ W2.T, dz1 = dh1 * (z1 > 0), dW1 = X.T @ dz1.
    """
    rng = np.random.default_rng(seed)
    params = {
        "W1": rng.standard_normal((2, hidden)) * np.sqrt(2 / 2),
        "b1": np.zeros(hidden),
        "W2": rng.standard_normal((hidden, 1)) * np.sqrt(2 / hidden),
        "b2": np.zeros(1),
    }
    raise NotImplementedError("forward, backward, subtract lr * grad, repeat")


if __name__ == "__main__":
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y_and = np.array([0, 0, 0, 1])
    y_xor = np.array([0, 1, 1, 0])
    for name, y in [("AND", y_and), ("XOR", y_xor)]:
        w, b = perceptron_train(X, y, epochs=100)
        acc = ((X @ w + b > 0).astype(int) == y).mean()
        print(f"perceptron on {name}: accuracy {acc:.2f}")   # AND 1.00, XOR never 1.00
    params = mlp_train(X, y_xor)
    p, _ = mlp_forward(X, params)
    print("MLP on XOR:", (p[:, 0] > 0.5).astype(int), "want", y_xor)
