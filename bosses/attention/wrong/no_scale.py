"""Wrong on purpose: the scores are q k^T without dividing by sqrt(d_k), so the softmax is far too sharp."""

import numpy as np


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along axis, computed after subtracting the max (no overflow)."""
    x = np.asarray(x, dtype=float)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


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
    scores = q @ np.swapaxes(k, -1, -2)  # (N, num_heads, L, S)
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
