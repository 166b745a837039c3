"""Module 14 lab: KV cache, grouped-query attention and FlashAttention-style tiling in NumPy."""
import numpy as np


class KVCache:
    """Keys and values of past tokens for one layer: arrays of shape (n_kv, t, d_head)."""

    def __init__(self, n_kv, d_head):
        self.k = np.zeros((n_kv, 0, d_head))
        self.v = np.zeros((n_kv, 0, d_head))

    def append(self, k, v):
        """k, v: (n_kv, 1, d_head) for the newest token."""
        raise NotImplementedError("concatenate along the time axis")

    def keys(self):
        return self.k

    def values(self):
        return self.v


def repeat_kv(x, n_rep):
    """(n_kv, t, d) -> (n_kv * n_rep, t, d): query heads h*n_rep ... h*n_rep + n_rep - 1 share head h."""
    raise NotImplementedError("np.repeat along axis 0")


def decode_step(q, k, v, cache):
    """q: (n_head, 1, d_head); k, v: (n_kv, 1, d_head). Append k, v to cache, then attend q to every
    cached position (no mask needed: the cache holds only the past). Returns (n_head, 1, d_head)."""
    raise NotImplementedError("append, repeat_kv to n_head heads, softmax(q k^T / sqrt(d)) v")


def flash_attention(q, k, v, block=16):
    """One head, no mask. q: (T_q, d), k, v: (T_k, d). Visit k, v in blocks of `block` rows, keeping a
    running max m, running sum l and unnormalised output per query row. Returns (T_q, d)."""
    raise NotImplementedError("new max m2; rescale old l and acc by exp(m - m2); add this tile")


def naive_attention(q, k, v):
    s = q @ k.T / np.sqrt(q.shape[-1])
    p = np.exp(s - s.max(-1, keepdims=True))
    return (p / p.sum(-1, keepdims=True)) @ v


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(8, 32)), rng.normal(size=(100, 32)), rng.normal(size=(100, 32))
    print("flash vs naive max error:", np.abs(flash_attention(q, k, v) - naive_attention(q, k, v)).max())
    n_head, n_kv, d = 8, 2, 16
    cache = KVCache(n_kv, d)
    for t in range(5):
        out = decode_step(rng.normal(size=(n_head, 1, d)), rng.normal(size=(n_kv, 1, d)),
                          rng.normal(size=(n_kv, 1, d)), cache)
    print("cached positions:", cache.keys().shape[1], "output:", out.shape)
    print("cache floats: GQA", cache.k.size * 2, "vs MHA", cache.k.size * 2 * n_head // n_kv)
