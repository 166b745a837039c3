"""Module 7 reference lab: five optimizers, the recipe around them, a race.

step(theta, grad, state, **hyperparameters) -> (new theta, state); theta and grad: arrays of any
one shape; state: a dict the optimizer owns, {} at first. lr is η, beta β, eps ε, weight_decay λ."""
import numpy as np

def sgd(theta, grad, state, lr=0.1):
    """θ ← θ − η·g. Keeps nothing."""
    return theta - lr * grad, state

def momentum(theta, grad, state, lr=0.01, beta=0.9):
    """v ← β·v + g, then θ ← θ − η·v. Keeps state["v"] (zeros at first)."""
    v = beta * state.get("v", np.zeros_like(theta)) + grad  # the velocity sums gradients, not steps
    state["v"] = v
    return theta - lr * v, state

def rmsprop(theta, grad, state, lr=0.01, beta=0.99, eps=1e-8):
    """s ← β·s + (1 − β)·g², then θ ← θ − η·g / (√s + ε). Keeps state["s"]."""
    s = beta * state.get("s", np.zeros_like(theta)) + (1 - beta) * grad**2
    state["s"] = s
    return theta - lr * grad / (np.sqrt(s) + eps), state

def adam(theta, grad, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Kingma & Ba, Algorithm 1; keeps state["m"], state["v"] and the step count state["t"]. m ← β₁m +
    (1 − β₁)g, v ← β₂v + (1 − β₂)g², m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), θ ← θ − η·m̂/(√v̂ + ε)."""
    t = state.get("t", 0) + 1  # the first step is t = 1
    m = beta1 * state.get("m", np.zeros_like(theta)) + (1 - beta1) * grad
    v = beta2 * state.get("v", np.zeros_like(theta)) + (1 - beta2) * grad**2
    state.update(t=t, m=m, v=v)
    m_hat = m / (1 - beta1**t)  # undo the pull towards the zero start
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), state

def adamw(theta, grad, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    """Loshchilov & Hutter: θ ← θ − η·λ·θ − η·m̂/(√v̂ + ε), with m and v built from g alone."""
    decayed = theta - lr * weight_decay * theta  # outside Adam's division by √v̂
    return adam(decayed, grad, state, lr, beta1, beta2, eps)

def lr_at(t, lr_max, warmup, total, lr_min=0.0):
    """Step t's rate (t = 1 .. total): linear warm-up to lr_max, then cosine decay to lr_min."""
    if t <= warmup:
        return lr_max * t / warmup
    s = min(1.0, (t - warmup) / (total - warmup))  # 0 → 1 over the decay, then held at 1
    return lr_min + 0.5 * (lr_max - lr_min) * (1 + np.cos(np.pi * s))

def clip_by_global_norm(grads, max_norm):
    """(all arrays times one factor so their joint length is ≤ max_norm, the length before)."""
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    if norm <= max_norm:
        return list(grads), norm
    return [g * (max_norm / norm) for g in grads], norm

def spirals_and_mlp(seed=0, n=100, hidden=32):
    """Given: two interleaved spirals (X (2n, 2), labels y in {0, 1}) and an MLP [W1, b1, W2, b2]."""
    rng = np.random.default_rng(seed)
    r = np.linspace(0.1, 1.0, n)
    angle = 2.0 * np.pi * r + 0.2 * rng.standard_normal(n)
    arm = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)
    W1, W2 = rng.standard_normal((2, hidden)), rng.standard_normal((hidden, 2)) / np.sqrt(hidden)
    return np.concatenate([arm, -arm]), np.repeat([0, 1], n), [W1, np.zeros(hidden), W2, np.zeros(2)]

def loss_and_grads(params, X, y):
    """Given (Module 6): the mean cross-entropy of tanh(X W1 + b1) W2 + b2, and each gradient."""
    W1, b1, W2, b2 = params
    h = np.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    rows, dz = np.arange(len(y)), p.copy()
    dz[rows, y] -= 1.0
    dz /= len(y)
    dh = (dz @ W2.T) * (1 - h**2)
    return float(-np.mean(np.log(p[rows, y]))), [X.T @ dh, dh.sum(axis=0), h.T @ dz, dz.sum(axis=0)]

def train(step_fn, lr, steps=200, warmup=20, max_norm=1.0, seed=0, **hp):
    """Full-batch training on the spirals; returns the loss before each step t = 1 .. steps. Each
    step: the gradients clipped by global norm, the rate lr_at(t, lr, warmup, steps, lr / 10), then
    step_fn on each parameter array with its own state."""
    X, y, params = spirals_and_mlp(seed)
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

RACE = {"sgd": {"lr": 1.0}, "momentum": {"lr": 0.1}, "rmsprop": {"lr": 0.01}, "adam": {"lr": 0.1},
        "adamw": {"lr": 0.1, "weight_decay": 0.1}}
if __name__ == "__main__":
    try:
        from neuralforge_child import send  # in the game: the Lab part plots these series (F4)
    except ImportError:
        send = None
    for name, hp in RACE.items():
        try:
            losses = train(globals()[name], **hp)
        except NotImplementedError as todo:
            print(f"{name:9s} not written yet: {todo}")
            continue
        print(f"{name:9s} spirals loss {losses[0]:.3f} -> {losses[-1]:.3f} in {len(losses)} steps")
        for t in range(2, len(losses) + 1, 2) if send else ():  # every other step: plenty for a plot
            send({"series": name, "step": t, "loss": losses[t - 1]})
