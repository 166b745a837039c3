"""Wrong on purpose: layer_norm divides by sqrt(var) + eps instead of sqrt(var + eps).

Otherwise module 8's reference lab.
"""

import numpy as np


# ---------------------------------------------------------------- initialisation

def he_init(fan_in, fan_out, rng):
    """Weights of shape (fan_in, fan_out) drawn from N(0, 2 / fan_in)."""
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)


def xavier_init(fan_in, fan_out, rng):
    """Weights of shape (fan_in, fan_out) drawn from N(0, 2 / (fan_in + fan_out))."""
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / (fan_in + fan_out))


def signal_stats(depth, width, weight_std, seed=0):
    """Forward a (256, width) batch of N(0, 1) inputs through `depth` ReLU layers (no biases).

    Draws, in this order from np.random.default_rng(seed): the depth weight matrices (each
    standard normal times weight_std), the input batch, then G, the gradient dL/dh at the top.
    Returns (act_stds, grad_norms), two lists of length depth: act_stds[l] is the std of every
    entry of h_l, the output of layer l; grad_norms[l] is the norm of dL/dh_l when L = Σ G ⊙ h_top.
    """
    rng = np.random.default_rng(seed)
    Ws = [rng.standard_normal((width, width)) * weight_std for _ in range(depth)]
    h = rng.standard_normal((256, width))
    G = rng.standard_normal((256, width))
    zs, act_stds = [], []
    for W in Ws:
        z = h @ W
        h = np.maximum(z, 0.0)
        zs.append(z)
        act_stds.append(float(h.std()))
    dh = G  # dL/dh at the top layer
    grad_norms = [0.0] * depth
    for l in reversed(range(depth)):
        grad_norms[l] = float(np.linalg.norm(dh))
        dh = (dh * (zs[l] > 0)) @ Ws[l].T  # through the ReLU's mask, then back through W
    return act_stds, grad_norms


# ---------------------------------------------------------------- normalisation

def layer_norm(x, gamma, beta, eps=1e-5):
    """Normalize each row over the last axis: gamma * (x - mean) / sqrt(var + eps) + beta."""
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)  # the biased variance: divide by n, not n - 1
    return gamma * (x - mean) / (np.sqrt(var) + eps) + beta


def layer_norm_backward(dy, x, gamma, eps=1e-5):
    """(dx, dgamma, dbeta) for y = layer_norm(x, gamma, beta, eps), x of shape (rows, n).

    Every output of a row depends on every input of that row through the mean and the
    variance, so dx has two correction terms beside dy * gamma / sqrt(var + eps)."""
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    x_hat = (x - mean) / np.sqrt(var + eps)
    dx_hat = dy * gamma
    dx = (dx_hat - dx_hat.mean(axis=-1, keepdims=True)
          - x_hat * (dx_hat * x_hat).mean(axis=-1, keepdims=True)) / np.sqrt(var + eps)
    return dx, (dy * x_hat).sum(axis=0), dy.sum(axis=0)


def rms_norm(x, gamma, eps=1e-6):
    """gamma * x / sqrt(mean(x^2) + eps), over the last axis. No mean subtraction."""
    return gamma * x / np.sqrt(np.mean(x ** 2, axis=-1, keepdims=True) + eps)


# ---------------------------------------------------------------- regularisation

def dropout(x, p, rng, train=True):
    """Inverted dropout: in training, zero each entry with probability p and scale the
    survivors by 1 / (1 - p), so every entry keeps its expected value; in evaluation, x as is."""
    if not train or p == 0:
        return x
    keep = rng.random(x.shape) >= p
    return x * keep / (1.0 - p)


def l2_penalty(weights, lam):
    """(lam / 2) * Σ ‖W‖² over a list of weight matrices, and its gradient lam * W for each."""
    value = 0.5 * lam * sum(float(np.sum(W ** 2)) for W in weights)
    return value, [lam * W for W in weights]


# ---------------------------------------------------------------- the tower (the boss)

def build(depth, n_in, width, n_out, rng):
    """The tower's parameters: an input layer, `depth` blocks of width `width`, an output layer.

    Every block l has gamma[l], beta[l] (its LayerNorm) and W[l], b[l] (its linear layer);
    they are stacked along the first axis."""
    return {
        "W_in": he_init(n_in, width, rng), "b_in": np.zeros(width),
        "gamma": np.ones((depth, width)), "beta": np.zeros((depth, width)),
        "W": np.stack([he_init(width, width, rng) for _ in range(depth)]), "b": np.zeros((depth, width)),
        "W_out": 0.1 * he_init(width, n_out, rng), "b_out": np.zeros(n_out),  # small: logits start near 0
    }


def tower_forward(params, X):
    """(logits, cache): h = X W_in + b_in, then h ← h + relu(layer_norm(h) W[l] + b[l]) for
    every block, then logits = h W_out + b_out. The cache keeps what the backward needs."""
    h = X @ params["W_in"] + params["b_in"]
    cache = {"X": X, "blocks": []}
    for gamma, beta, W, b in zip(params["gamma"], params["beta"], params["W"], params["b"]):
        a = layer_norm(h, gamma, beta)
        z = a @ W + b
        cache["blocks"].append((h, a, z))
        h = h + np.maximum(z, 0.0)  # the residual path: the block only adds to h
    cache["top"] = h
    return h @ params["W_out"] + params["b_out"], cache


def tower_backward(params, cache, dlogits):
    """dL/d(every parameter), same keys and shapes as params, given dlogits = dL/dlogits."""
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["W_out"] = cache["top"].T @ dlogits
    grads["b_out"] = dlogits.sum(axis=0)
    dh = dlogits @ params["W_out"].T
    for l in reversed(range(len(cache["blocks"]))):
        h, a, z = cache["blocks"][l]
        dz = dh * (z > 0)
        grads["W"][l] = a.T @ dz
        grads["b"][l] = dz.sum(axis=0)
        dx, grads["gamma"][l], grads["beta"][l] = layer_norm_backward(dz @ params["W"][l].T, h, params["gamma"][l])
        dh = dh + dx  # the residual path hands dh down unchanged; the block adds its part
    grads["W_in"] = cache["X"].T @ dh
    grads["b_in"] = dh.sum(axis=0)
    return grads


if __name__ == "__main__":
    depth, width = 50, 256
    for name, std in [("1/n (too small)", np.sqrt(1 / width)), ("2/n (He)", np.sqrt(2 / width))]:
        acts, grads = signal_stats(depth, width, std)
        print(f"{name:16s} act std layer 1 {acts[0]:.3g} -> layer {depth} {acts[-1]:.3g};"
              f" grad norm {grads[-1]:.3g} -> {grads[0]:.3g}")
    x = np.array([[1.0, 2.0, 6.0]])
    print("layer_norm", layer_norm(x, np.ones(3), np.zeros(3), eps=0.0), "want",
          np.sqrt(3 / 14) * np.array([-2, -1, 3]))
    rng = np.random.default_rng(0)
    params = build(20, 2, 32, 2, rng)
    X, y = rng.standard_normal((64, 2)), rng.integers(0, 2, 64)
    logits, cache = tower_forward(params, X)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(64), y] -= 1.0
    grads = tower_backward(params, cache, p / 64)
    norms = [np.linalg.norm(g) for g in grads["W"]]
    print("the tower at init: |dW| per block from", f"{min(norms):.3g} to {max(norms):.3g}")
