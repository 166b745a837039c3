"""Module 7 lab: SGD, momentum and Adam as pure update rules, then a race.

theta and grad are NumPy arrays of the same shape. state is a dict the
optimizer owns; start every run with state = {}.
"""

import numpy as np


def sgd(theta, grad, state, lr=0.1):
    """theta - lr * grad. Returns (theta, state)."""
    raise NotImplementedError("one line")


def momentum(theta, grad, state, lr=0.01, beta=0.9):
    """v <- beta * v + grad; theta <- theta - lr * v. Keeps state['v'] (zeros at first)."""
    raise NotImplementedError("initialise state['v'] with np.zeros_like(theta) on the first call")


def adam(theta, grad, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Kingma & Ba, Algorithm 1. Keeps state['m'], state['v'] and the step count state['t'].

    m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2
    m_hat = m / (1 - beta1^t);  v_hat = v / (1 - beta2^t)
    theta <- theta - lr * m_hat / (sqrt(v_hat) + eps)
    """
    raise NotImplementedError("increment t first, so the first correction uses t = 1")


def run(step_fn, grad_fn, theta0, steps, **hp):
    """Apply step_fn `steps` times from theta0. Returns the trajectory, shape (steps + 1, d)."""
    theta, state, path = np.array(theta0, dtype=float), {}, [np.array(theta0, dtype=float)]
    for _ in range(steps):
        theta, state = step_fn(theta, grad_fn(theta), state, **hp)
        path.append(theta.copy())
    return np.array(path)


def bowl_grad(p):
    """Gradient of L = 0.5 * (x^2 + 10 y^2)."""
    return np.array([p[0], 10.0 * p[1]])


if __name__ == "__main__":
    start = [-1.5, 2.0]
    for name, fn, hp in [("sgd", sgd, {"lr": 0.05}),
                         ("momentum", momentum, {"lr": 0.02}),
                         ("adam", adam, {"lr": 0.1})]:
        path = run(fn, bowl_grad, start, 200, **hp)
        print(f"{name:9s} end {path[-1].round(4)}  first step {np.abs(path[1] - path[0]).round(4)}")
    # adam's first step should be about lr = 0.1 in each coordinate
