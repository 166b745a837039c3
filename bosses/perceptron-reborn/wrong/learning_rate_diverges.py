"""Wrong on purpose: fit trains at lr 20 ("2 worked, 20 must be faster"); the first steps
overshoot so far that every hidden ReLU ends up off for every input, and the network answers
one class everywhere.

Otherwise the module-5 reference lab.

X: inputs, shape (n, d) (d = 2 in every example here). y: labels in {0, 1}, shape (n,).
Plain NumPy, no autograd: every gradient is written by hand.
"""

import numpy as np


# ---------------------------------------------------------------- one neuron, Rosenblatt's rule

def perceptron_predict(X, w, b):
    """1 where w·x + b > 0, else 0 (a point exactly on the line counts as 0)."""
    return (X @ w + b > 0).astype(int)


def perceptron_train(X, y, epochs=20, lr=1.0):
    """Rosenblatt's rule from w = 0, b = 0, one example at a time in the order given.

    On each example: y_hat = 1 if w·x + b > 0 else 0, then w += lr (y − y_hat) x and
    b += lr (y − y_hat); a correct prediction changes nothing. Returns (w, b, mistakes),
    mistakes[e] being how many examples epoch e got wrong."""
    w, b = np.zeros(X.shape[1]), 0.0
    mistakes = []
    for _ in range(epochs):
        wrong = 0
        for x_i, y_i in zip(X, y):
            y_hat = 1 if x_i @ w + b > 0 else 0
            w = w + lr * (y_i - y_hat) * x_i
            b = b + lr * (y_i - y_hat)
            wrong += int(y_hat != y_i)
        mistakes.append(wrong)
    return w, float(b), mistakes


def margin(X, y, w, b):
    """The geometric margin: min over i of (2y_i − 1)(w·x_i + b) / ‖w‖.

    Each term is point i's signed distance to the line, counted positive on its own class's
    side; the margin is positive exactly when every point is classified correctly."""
    length = np.linalg.norm(w)
    if length == 0:
        raise ValueError("w = 0 draws no line, so there is no distance to it")
    signs = 2 * np.asarray(y) - 1
    return float(np.min(signs * (X @ w + b)) / length)


# ---------------------------------------------------------------- one hidden layer

def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def mlp_forward(X, params):
    """One hidden ReLU layer, then a sigmoid output unit. Returns (p, cache); p has shape (n, 1)."""
    z1 = X @ params["W1"] + params["b1"]    # (n, H)
    h1 = np.maximum(z1, 0)                  # ReLU
    z2 = h1 @ params["W2"] + params["b2"]   # (n, 1)
    p = sigmoid(z2)
    return p, {"z1": z1, "h1": h1, "p": p}


def mlp_backward(X, y, params, cache):
    """Gradients of the mean binary cross-entropy, one per parameter, with the same shapes.

    L = −mean(y log p + (1 − y) log(1 − p)); through the sigmoid, dL/dz2 = (p − y) / n."""
    n = X.shape[0]
    dz2 = (cache["p"] - y.reshape(-1, 1)) / n   # (n, 1): y as a column, or p − y would be (n, n)
    dh1 = dz2 @ params["W2"].T                  # (n, H)
    dz1 = dh1 * (cache["z1"] > 0)               # ReLU passes gradient only where it was active
    return {
        "W1": X.T @ dz1,
        "b1": dz1.sum(axis=0),
        "W2": cache["h1"].T @ dz2,
        "b2": dz2.sum(axis=0),
    }


def mlp_init(n_in, hidden, seed=0):
    """He initialisation (variance 2 / fan_in) for the weights, zeros for the biases."""
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((n_in, hidden)) * np.sqrt(2 / n_in),
        "b1": np.zeros(hidden),
        "W2": rng.standard_normal((hidden, 1)) * np.sqrt(2 / hidden),
        "b2": np.zeros(1),
    }


def mlp_train(X, y, hidden=8, steps=3000, lr=0.5, seed=0):
    """Full-batch gradient descent on the mean binary cross-entropy. Returns params."""
    params = mlp_init(X.shape[1], hidden, seed)
    for _ in range(steps):
        p, cache = mlp_forward(X, params)
        grads = mlp_backward(X, y, params, cache)
        for name in params:
            params[name] = params[name] - lr * grads[name]
    return params


# ---------------------------------------------------------------- the boss's entry

def fit(X, y, seed=0):
    """Train an MLP on (X, y) from `seed`; return predict(X) -> 0/1 labels."""
    params = mlp_train(X, y, hidden=64, steps=3000, lr=20.0, seed=seed)

    def predict(X_new):
        p, _ = mlp_forward(X_new, params)
        return (p[:, 0] > 0.5).astype(int)

    return predict


if __name__ == "__main__":
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    for name, y in [("AND", np.array([0, 0, 0, 1])), ("XOR", np.array([0, 1, 1, 0]))]:
        w, b, mistakes = perceptron_train(X, y, epochs=10)
        accuracy = (perceptron_predict(X, w, b) == y).mean()
        print(f"perceptron on {name}: mistakes per epoch {mistakes}, accuracy {accuracy:.2f}")
    y_xor = np.array([0, 1, 1, 0])
    p, _ = mlp_forward(X, mlp_train(X, y_xor))
    print("MLP on XOR:", (p[:, 0] > 0.5).astype(int), "want", y_xor)
