"""Module 8 lab: watch signals die in a deep ReLU net, then keep them alive. Run it to see how far
you are; `neuralforge lab 8 --check` tests each function. Weights are (fan_in, fan_out), batches
are rows. The tower at the bottom is what the boss trains: as given, a plain stack of blocks with
nn.Linear's default init. Run this file, watch its gradients vanish, then make it trainable."""
import numpy as np

def he_init(fan_in, fan_out, rng):
    """Weights of shape (fan_in, fan_out) drawn from N(0, 2 / fan_in)."""
    raise NotImplementedError("rng.standard_normal(...) times the right standard deviation")

def xavier_init(fan_in, fan_out, rng):
    """Weights of shape (fan_in, fan_out) drawn from N(0, 2 / (fan_in + fan_out))."""
    raise NotImplementedError("the same draw as he_init, with Glorot's variance")

def signal_stats(depth, width, weight_std, seed=0):
    """(act_stds, grad_norms) of a plain stack of `depth` ReLU layers, no biases: act_stds[l] is the
    std of h_l = relu(h_(l-1) @ W_l), grad_norms[l] the norm of dL/dh_l for L = sum(G * h_top)."""
    rng = np.random.default_rng(seed)  # draw in this order: the weights, the inputs, then G
    Ws = [rng.standard_normal((width, width)) * weight_std for _ in range(depth)]
    h, G = rng.standard_normal((256, width)), rng.standard_normal((256, width))
    raise NotImplementedError("keep each z for the ReLU's mask; walk back from G, norm before each step")

def layer_norm(x, gamma, beta, eps=1e-5):
    """Normalize each row over the last axis: gamma * (x - mean) / sqrt(var + eps) + beta."""
    raise NotImplementedError("mean and var with axis=-1, keepdims=True; var is the biased (1/n) one")

def layer_norm_backward(dy, x, gamma, eps=1e-5):
    """(dx, dgamma, dbeta) for y = layer_norm(x, gamma, beta, eps), x of shape (rows, n)."""
    raise NotImplementedError("the mean and the variance depend on every x of its row; then check it")

def rms_norm(x, gamma, eps=1e-6):
    """gamma * x / sqrt(mean(x^2) + eps), over the last axis. No mean subtraction."""
    raise NotImplementedError

def dropout(x, p, rng, train=True):
    """Inverted dropout: in training zero each entry with probability p and scale the survivors
    by 1 / (1 - p); with train=False return x as it is."""
    raise NotImplementedError("a mask from rng.random(x.shape), then divide what survives by 1 - p")

def l2_penalty(weights, lam):
    """(lam / 2) * sum of ||W||^2 over a list of matrices, and its gradient lam * W for each."""
    raise NotImplementedError

def build(depth, n_in, width, n_out, rng):
    """The tower's params (keep the names and shapes); block l owns gamma[l], beta[l], W[l], b[l].
    TODO: as given, nn.Linear's default init, U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    init = lambda fan_in, fan_out: rng.uniform(-1, 1, (fan_in, fan_out)) / np.sqrt(fan_in)
    return {"W_in": init(n_in, width), "b_in": np.zeros(width), "gamma": np.ones((depth, width)),
            "beta": np.zeros((depth, width)), "W": np.stack([init(width, width) for _ in range(depth)]),
            "b": np.zeros((depth, width)), "W_out": init(width, n_out), "b_out": np.zeros(n_out)}

def tower_forward(params, X):
    """(logits, cache). TODO: as given, every block is h = relu(h @ W[l] + b[l]): add your tools."""
    h, cache = X @ params["W_in"] + params["b_in"], {"X": X, "blocks": []}
    for W, b in zip(params["W"], params["b"]):
        z = h @ W + b
        cache["blocks"].append((h, z))
        h = np.maximum(z, 0.0)
    cache["top"] = h
    return h @ params["W_out"] + params["b_out"], cache

def tower_backward(params, cache, dlogits):
    """dL/d(every parameter), keyed like params. TODO: keep it the exact derivative of your forward."""
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["W_out"], grads["b_out"] = cache["top"].T @ dlogits, dlogits.sum(axis=0)
    dh = dlogits @ params["W_out"].T
    for l in reversed(range(len(cache["blocks"]))):
        h, z = cache["blocks"][l]
        dz = dh * (z > 0)
        grads["W"][l], grads["b"][l] = h.T @ dz, dz.sum(axis=0)
        dh = dz @ params["W"][l].T
    grads["W_in"], grads["b_in"] = cache["X"].T @ dh, dh.sum(axis=0)
    return grads

if __name__ == "__main__":  # the tower at init as the boss measures it: each |dL/dW[l]| in [0.001, 1000], within 30x
    rng = np.random.default_rng(1)
    logits, cache = tower_forward(params := build(20, 2, 32, 2, rng), rng.standard_normal((256, 2)))
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = p / p.sum(axis=1, keepdims=True) - np.eye(2)[rng.integers(0, 2, 256)]  # dL/dlogits * 256
    print("|dL/dW[l]| per block:", " ".join(f"{np.linalg.norm(g):.2g}" for g in tower_backward(params, cache, p / 256)["W"]))
