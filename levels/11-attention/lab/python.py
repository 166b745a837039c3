"""Module 11 lab: attention, masks, multi-head attention, positions and RoPE in NumPy; then the
boss, `torch_mha`. Run this file to see what works so far (with PyTorch installed, it also
compares your attention with torch's; PyTorch is optional)."""
import numpy as np


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along axis, stable for rows like [1000, 1001, 1002]."""
    raise NotImplementedError("softmax: subtract x.max(axis, keepdims=True) before exp")


def attention(q, k, v, mask=None):
    """q (T_q, d_k), k (T_k, d_k), v (T_k, d_v); mask bool (T_q, T_k), True = may attend.
    Returns (out (T_q, d_v), weights (T_q, T_k)); masked weights exactly 0. Use
    np.swapaxes(k, -1, -2) for kᵀ so stacked heads (..., T, d) work too."""
    raise NotImplementedError("attention: q kᵀ / √d_k, -inf where masked, softmax, @ v")


def causal_mask(T):
    """Bool (T, T): position i may attend to j only when j <= i."""
    raise NotImplementedError("causal_mask")


def multi_head_attention(x, W_q, W_k, W_v, W_o, n_head, causal=False):
    """x (T, d_model), W_* (d_model, d_model) -> (T, d_model): project, split the columns into
    n_head contiguous heads, attend per head, heads side by side, then @ W_o."""
    raise NotImplementedError("multi_head_attention: (T, d_model) -> (n_head, T, d_k) and back")


def sinusoidal_positions(T, d, base=10000.0):
    """(T, d): PE[p, 2i] = sin(p / base**(2i/d)), PE[p, 2i+1] = cos(p / base**(2i/d))."""
    raise NotImplementedError("sinusoidal_positions")


def rope(x, pos, base=10000.0):
    """Rotate each pair (x[t, 2i], x[t, 2i+1]) of x (T, d) by θ = pos[t] * base**(-2i/d):
    (a, b) -> (a cos θ - b sin θ, a sin θ + b cos θ)."""
    raise NotImplementedError("rope: an angle table (T, d/2), then rotate x[:, 0::2], x[:, 1::2]")


def torch_mha(query, key, value, num_heads, in_proj_weight, in_proj_bias, out_proj_weight,
              out_proj_bias, key_padding_mask=None, attn_mask=None, average_attn_weights=True,
              batch_first=False):
    """The boss: (out, weights) exactly as torch.nn.MultiheadAttention returns them, float64.
    query (L, N, E), key/value (S, N, E), or (N, L, E), (N, S, E) when batch_first.
    in_proj_weight (3E, E) stacks W_q, W_k, W_v; each projection is x @ W.T + b; then out_proj.
    key_padding_mask bool (N, S): True = ignore that key. attn_mask (L, S): bool True = NOT
    allowed (the opposite of attention's mask), float = added to the scores.
    weights: (N, L, S) averaged over heads, or (N, num_heads, L, S)."""
    raise NotImplementedError("torch_mha: project, split heads, scores, masks, softmax, merge, out_proj")


def _try(label, show):
    try:
        print(f"{label:28} {show()}")
    except NotImplementedError as todo:
        print(f"{label:28} not written yet: {todo}")


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    x, Ws = rng.normal(size=(5, 16)), [rng.normal(0, 0.25, (16, 16)) for _ in range(4)]
    _try("softmax([1000, 1001, 1002])", lambda: softmax(np.array([1000.0, 1001.0, 1002.0])).round(4))
    _try("causal weights, row sums", lambda: attention(x, x, x, causal_mask(5))[1].sum(-1).round(6))
    _try("multi-head output shape", lambda: multi_head_attention(x, *Ws, 4, causal=True).shape)
    _try("positions, row 1", lambda: sinusoidal_positions(4, 6)[1].round(4))
    q, k = rng.normal(size=(1, 8)), rng.normal(size=(1, 8))
    _try("RoPE score (3,1) vs (10,8)", lambda: [(rope(q, [m]) @ rope(k, [n]).T).item() for m, n in ((3, 1), (10, 8))])
    try:
        import torch
        want = torch.nn.functional.scaled_dot_product_attention(*(torch.from_numpy(x),) * 3, is_causal=True)
        _try("vs torch, causal", lambda: f"max error {abs(attention(x, x, x, causal_mask(5))[0] - want.numpy()).max():.1e}")
    except ImportError:
        print("PyTorch is optional; to compare with it: pip install torch==2.13.0 (CPU)")
