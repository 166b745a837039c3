"""Module 11 reference: attention from the formula up, and a layer that mirrors
torch.nn.MultiheadAttention (the boss)."""

import numpy as np


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along axis, computed after subtracting the max (no overflow)."""
    x = np.asarray(x, dtype=float)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def attention(q, k, v, mask=None):
    """softmax(q k^T / sqrt(d_k)) v. q: (..., T_q, d_k), k: (..., T_k, d_k), v: (..., T_k, d_v);
    mask: bool (T_q, T_k), True where attending is allowed. Returns (out, weights)."""
    d_k = q.shape[-1]
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(d_k)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)  # a weight of exactly 0 after softmax
    weights = softmax(scores, axis=-1)
    return weights @ v, weights


def causal_mask(T):
    """Bool (T, T): position i may attend to j only when j <= i."""
    return np.tril(np.ones((T, T), dtype=bool))


def multi_head_attention(x, W_q, W_k, W_v, W_o, n_head, causal=False):
    """x: (T, d_model); W_*: (d_model, d_model). Heads are contiguous blocks of d_k columns."""
    T, d_model = x.shape
    d_k = d_model // n_head

    def split(m):  # (T, d_model) -> (n_head, T, d_k)
        return m.reshape(T, n_head, d_k).transpose(1, 0, 2)

    mask = causal_mask(T) if causal else None
    out, _ = attention(split(x @ W_q), split(x @ W_k), split(x @ W_v), mask)
    return out.transpose(1, 0, 2).reshape(T, d_model) @ W_o  # concatenate the heads, then mix


def sinusoidal_positions(T, d, base=10000.0):
    """The Transformer's positions (T, d): PE[p, 2i] = sin(p / base^(2i/d)), PE[p, 2i+1] = cos(same)."""
    angles = np.arange(T)[:, None] * base ** (-np.arange(0, d, 2) / d)
    pe = np.zeros((T, d))
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles)
    return pe


def rope(x, pos, base=10000.0):
    """Rotate each pair (x[t, 2i], x[t, 2i+1]) of x: (T, d) by the angle pos[t] * base^(-2i/d)."""
    x = np.asarray(x, dtype=float)
    d = x.shape[1]
    angles = np.asarray(pos, dtype=float)[:, None] * base ** (-np.arange(0, d, 2) / d)
    cos, sin = np.cos(angles), np.sin(angles)
    x1, x2 = x[:, 0::2], x[:, 1::2]
    out = np.empty_like(x)
    out[:, 0::2] = x1 * cos - x2 * sin  # the 2-D rotation [[cos, -sin], [sin, cos]] on each pair
    out[:, 1::2] = x1 * sin + x2 * cos
    return out


def torch_mha(query, key, value, num_heads, in_proj_weight, in_proj_bias, out_proj_weight,
              out_proj_bias, key_padding_mask=None, attn_mask=None, average_attn_weights=True,
              batch_first=False):
    """What torch.nn.MultiheadAttention(E, num_heads)(query, key, value, ...) returns, in NumPy.

    query (L, N, E), key and value (S, N, E); (N, L, E) and (N, S, E) when batch_first.
    in_proj_weight (3E, E) packs W_q, W_k, W_v; each projection is x W^T + b.
    key_padding_mask: bool (N, S), True = ignore that key. attn_mask: (L, S), bool with
    True = not allowed, or float added to the scores. Returns (out, weights): out shaped like
    query; weights (N, L, S) averaged over heads, or (N, num_heads, L, S)."""
    if batch_first:
        query, key, value = (np.swapaxes(t, 0, 1) for t in (query, key, value))
    L, N, E = query.shape
    d_k = E // num_heads
    W_q, W_k, W_v = np.split(np.asarray(in_proj_weight), 3)
    b_q, b_k, b_v = np.split(np.asarray(in_proj_bias), 3)

    def heads(t):  # (T, N, E) -> (N, num_heads, T, d_k)
        return t.reshape(t.shape[0], N, num_heads, d_k).transpose(1, 2, 0, 3)

    q, k, v = heads(query @ W_q.T + b_q), heads(key @ W_k.T + b_k), heads(value @ W_v.T + b_v)
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(d_k)  # (N, num_heads, L, S)
    if attn_mask is not None:
        attn_mask = np.asarray(attn_mask)
        scores = np.where(attn_mask, -np.inf, scores) if attn_mask.dtype == bool else scores + attn_mask
    if key_padding_mask is not None:
        scores = np.where(np.asarray(key_padding_mask, dtype=bool)[:, None, None, :], -np.inf, scores)
    weights = softmax(scores, axis=-1)
    out = (weights @ v).transpose(2, 0, 1, 3).reshape(L, N, E) @ np.asarray(out_proj_weight).T + out_proj_bias
    if batch_first:
        out = np.swapaxes(out, 0, 1)
    return out, (weights.mean(axis=1) if average_attn_weights else weights)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 16))
    out, w = attention(x, x, x, causal_mask(5))
    print("row sums:", w.sum(-1).round(6))
    q, k = rng.normal(size=(1, 8)), rng.normal(size=(1, 8))
    print("RoPE relative:", (rope(q, [3]) @ rope(k, [1]).T).item(), (rope(q, [10]) @ rope(k, [8]).T).item())
