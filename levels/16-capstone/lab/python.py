"""Module 16 capstone starter: a top-k Mixture-of-Experts layer and the statistics for an ablation table."""
import numpy as np


def top_k_route(logits, k):
    """logits: (T, m) router scores. Returns (idx, w): idx (T, k) chosen experts, w (T, k) softmax
    weights over those k scores only (each row sums to 1)."""
    raise NotImplementedError("np.argsort(-logits, axis=1)[:, :k], then a softmax over the gathered scores")


def moe_forward(x, W_g, experts, k):
    """x: (T, d), W_g: (d, m), experts: list of m callables mapping (n, d) -> (n, d). Returns (T, d).
    Each token's output is the weighted sum of its k chosen experts' outputs."""
    raise NotImplementedError("route, then for each expert run only the tokens sent to it and scatter-add")


def load_balance_loss(probs, idx, m):
    """Switch-style auxiliary loss m * sum_i f_i * P_i. probs: (T, m) full router softmax; idx: (T, k).
    f_i = fraction of routing slots that chose expert i, P_i = mean router probability of expert i."""
    raise NotImplementedError("np.bincount(idx.ravel(), minlength=m) / idx.size gives f")


def mean_stderr(values):
    """One ablation row: mean and standard error s / sqrt(n) of a metric over seeds (s with ddof=1)."""
    raise NotImplementedError("np.mean, np.std(ddof=1) / sqrt(n)")


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    T, d, m, k = 6, 8, 4, 2
    mats = [rng.normal(0, d ** -0.5, (d, d)) for _ in range(m)]
    experts = [lambda z, A=A: np.tanh(z @ A) for A in mats]
    x, W_g = rng.normal(size=(T, d)), rng.normal(size=(d, m))
    idx, w = top_k_route(x @ W_g, k)
    print("experts per token:\n", idx, "\nweights sum:", w.sum(1).round(6))
    print("MoE out:", moe_forward(x, W_g, experts, k).shape)
    uniform = np.full((T * m // k, m), 1.0 / m)
    print("balance loss, perfectly balanced:", load_balance_loss(uniform, np.arange(T * m // k * k).reshape(-1, k) % m, m))
    print("baseline vs variant:", mean_stderr([3.41, 3.43, 3.40]), mean_stderr([3.37, 3.39, 3.36]))
