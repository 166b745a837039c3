"""Wrong on purpose: momentum averages the gradients, v ← β·v + (1 − β)·g, shrinking every step by 1 − β.

Module 7 lab, otherwise like the reference:

Every optimizer is a pure update rule: step(theta, grad, state, **hyperparameters) returns
(new theta, state). theta and grad are NumPy arrays of the same shape (any shape); state is a
dict the optimizer owns, empty ({}) before the first step. The hyperparameters' names are the
math's: lr is η, beta is β, eps is ε, weight_decay is λ.
"""

import math

import numpy as np


# ---------------------------------------------------------------- the optimizers

def sgd(theta, grad, state, lr=0.1):
    """θ ← θ − η·g. Keeps nothing."""
    return theta - lr * grad, state


def momentum(theta, grad, state, lr=0.01, beta=0.9):
    """v ← β·v + g, then θ ← θ − η·v. Keeps state["v"] (zeros at first)."""
    v = beta * state.get("v", np.zeros_like(theta)) + (1 - beta) * grad  # an average of gradients
    state["v"] = v
    return theta - lr * v, state


def rmsprop(theta, grad, state, lr=0.01, beta=0.99, eps=1e-8):
    """s ← β·s + (1 − β)·g², then θ ← θ − η·g / (√s + ε). Keeps state["s"]."""
    s = beta * state.get("s", np.zeros_like(theta)) + (1 - beta) * grad**2
    state["s"] = s
    return theta - lr * grad / (np.sqrt(s) + eps), state


def adam(theta, grad, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Kingma & Ba, Algorithm 1. Keeps state["m"], state["v"] and the step count state["t"]."""
    t = state.get("t", 0) + 1  # the first step is t = 1
    m = beta1 * state.get("m", np.zeros_like(theta)) + (1 - beta1) * grad
    v = beta2 * state.get("v", np.zeros_like(theta)) + (1 - beta2) * grad**2
    state.update(t=t, m=m, v=v)
    m_hat = m / (1 - beta1**t)  # undo the pull towards the zero start
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), state


def adamw(theta, grad, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    """Loshchilov & Hutter: shrink θ by η·λ·θ, outside Adam's division by √v̂, then an Adam step
    on the loss's gradient alone: θ ← θ − η·λ·θ − η·m̂ / (√v̂ + ε)."""
    decayed = theta - lr * weight_decay * theta
    return adam(decayed, grad, state, lr, beta1, beta2, eps)


# ---------------------------------------------------------------- the recipe around them

def lr_at(t, lr_max, warmup, total, lr_min=0.0):
    """The learning rate of step t (t = 1 .. total): a linear warm-up to lr_max over the first
    `warmup` steps, then a cosine decay that reaches lr_min at step `total` and stays there."""
    if t <= warmup:
        return lr_max * t / warmup
    s = min(1.0, (t - warmup) / (total - warmup))  # 0 → 1 over the decay
    return lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * s))


def clip_by_global_norm(grads, max_norm):
    """Scale every gradient in the list by one factor so their joint length is at most max_norm.
    Returns (the clipped gradients, the joint length before clipping)."""
    norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    if norm <= max_norm:
        return list(grads), norm
    return [g * (max_norm / norm) for g in grads], norm


def run(step_fn, grad_fn, theta0, steps, **hp):
    """Apply step_fn `steps` times from theta0. Returns the trajectory, shape (steps + 1, d)."""
    theta, state = np.array(theta0, dtype=float), {}
    path = [theta.copy()]
    for _ in range(steps):
        theta, state = step_fn(theta, grad_fn(theta), state, **hp)
        path.append(np.array(theta, dtype=float))
    return np.array(path)


# ---------------------------------------------------------------- a small MLP to train (given)

def spirals(n=100, seed=0):
    """Two interleaved spirals in the plane: X (2n, 2) and labels y (2n,) in {0, 1}."""
    rng = np.random.default_rng(seed)
    r = np.linspace(0.1, 1.0, n)
    angle = 2.0 * np.pi * r + 0.2 * rng.standard_normal(n)
    arm = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)
    return np.concatenate([arm, -arm]), np.repeat([0, 1], n)


def init_mlp(seed=0, hidden=32):
    """[W1 (2, hidden), b1, W2 (hidden, 2), b2]: a tanh layer, then the logits."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((2, hidden)), np.zeros(hidden),
            rng.standard_normal((hidden, 2)) / math.sqrt(hidden), np.zeros(2)]


def loss_and_grads(params, X, y):
    """Mean softmax cross-entropy of the MLP on (X, y), and its gradient for every parameter."""
    W1, b1, W2, b2 = params
    h = np.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    loss = float(-np.mean(np.log(p[rows, y])))
    dz = p.copy()
    dz[rows, y] -= 1.0
    dz /= len(y)
    dh = (dz @ W2.T) * (1 - h**2)
    return loss, [X.T @ dh, dh.sum(axis=0), h.T @ dz, dz.sum(axis=0)]


def train(step_fn, lr, steps=200, warmup=20, max_norm=1.0, seed=0, **hp):
    """Full-batch training on the spirals: each step clips the gradients by their global norm,
    takes lr_at(t, lr, warmup, steps, lr / 10) as the rate, and moves every parameter with
    step_fn and its own state. Returns the loss before each step (a list of `steps` floats)."""
    X, y = spirals(seed=seed)
    params = init_mlp(seed)
    states = [{} for _ in params]
    losses = []
    for t in range(1, steps + 1):
        loss, grads = loss_and_grads(params, X, y)
        grads, _ = clip_by_global_norm(grads, max_norm)
        rate = lr_at(t, lr, warmup, steps, lr / 10)
        for i, (p, g) in enumerate(zip(params, grads)):
            params[i], states[i] = step_fn(p, g, states[i], lr=rate, **hp)
        losses.append(loss)
    return losses


def bowl_grad(p):
    """∇ of the bowl L = ½(x² + 10y²)."""
    return np.array([p[0], 10.0 * p[1]])


RACE = [("sgd", sgd, {"lr": 1.0}), ("momentum", momentum, {"lr": 0.1}), ("rmsprop", rmsprop, {"lr": 0.03}),
        ("adam", adam, {"lr": 0.03}), ("adamw", adamw, {"lr": 0.03, "weight_decay": 0.1})]

if __name__ == "__main__":
    try:
        from neuralforge_child import send  # inside the game: the Lab part plots what is sent
    except ImportError:
        send = None
    print("first step and step 100 on the bowl ½(x² + 10y²) from (-1.5, 2), lr = 0.05:")
    for name, step_fn, _ in RACE:
        try:
            path = run(step_fn, bowl_grad, [-1.5, 2.0], 100, lr=0.05)
        except NotImplementedError as todo:
            print(f"  {name:9s} not written yet: {todo}")
            continue
        print(f"  {name:9s} moved {np.round(path[1] - path[0], 4)}, at step 100 {np.round(path[-1], 4)}")
    print("training the spirals MLP (200 steps, warm-up + cosine, clipped at 1):")
    for name, step_fn, hp in RACE:
        try:
            losses = train(step_fn, **hp)
        except NotImplementedError as todo:
            print(f"  {name:9s} not written yet: {todo}")
            continue
        print(f"  {name:9s} loss {losses[0]:.3f} -> {losses[-1]:.3f}")
        for t, loss in enumerate(losses, start=1):
            if send and t % 2 == 0:
                send({"series": name, "step": t, "loss": loss})
