"""Module 11 lab: scaled dot-product attention, multi-head attention and RoPE in NumPy."""
import numpy as np


def softmax(x, axis=-1):
    """Numerically stable softmax along axis."""
    raise NotImplementedError("subtract x.max(axis, keepdims=True) before exp, then normalise")


def attention(q, k, v, mask=None):
    """q: (T_q, d_k), k: (T_k, d_k), v: (T_k, d_v); mask: bool (T_q, T_k), True = may attend.

    Returns (out, weights): out (T_q, d_v), weights (T_q, T_k) with rows summing to 1.
    """
    raise NotImplementedError("scores = q @ k.T / sqrt(d_k); masked scores -> -inf; softmax; @ v")


def causal_mask(T):
    """Bool (T, T): position i may attend to j only when j <= i."""
    raise NotImplementedError("np.tril of ones")


def multi_head_attention(x, W_q, W_k, W_v, W_o, n_head, causal=False):
    """x: (T, d_model); W_*: (d_model, d_model). Returns (T, d_model).

    Project, split the last axis into n_head heads of size d_model // n_head,
    attend per head, concatenate the heads, multiply by W_o.
    """
    raise NotImplementedError("reshape (T, d_model) -> (n_head, T, d_k) for q, k, v")


def rope(x, pos, base=10000.0):
    """Rotate pairs (x[:, 2i], x[:, 2i+1]) of x: (T, d) by angle pos[t] * base**(-2i/d)."""
    raise NotImplementedError("cos/sin of the angle table, then the 2-D rotation on each pair")


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    T, d_model, n_head = 5, 16, 4
    x = rng.normal(size=(T, d_model))
    Ws = [rng.normal(0, d_model ** -0.5, (d_model, d_model)) for _ in range(4)]
    out, w = attention(x, x, x, causal_mask(T))
    print("row sums:", w.sum(-1).round(6), "\nfirst row:", w[0].round(3))
    print("MHA out shape:", multi_head_attention(x, *Ws, n_head, causal=True).shape)
    q, k = rng.normal(size=(1, 8)), rng.normal(size=(1, 8))
    s1 = (rope(q, [3]) @ rope(k, [1]).T).item()
    s2 = (rope(q, [10]) @ rope(k, [8]).T).item()
    print("RoPE relative:", round(s1, 6), round(s2, 6))
