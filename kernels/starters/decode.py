"""Starter: decode attention over a KV cache with grouped-query heads.
Judge it with `neuralforge bench kernels decode --file THIS_FILE`.

q: (batch, q_heads, d); k_cache, v_cache: (batch, kv_heads, max_len, d); seq_lens: (batch,).
Query head h reads KV head h // (q_heads // kv_heads), and only the first seq_lens[b] slots.
"""

import math

import torch
import triton
import triton.language as tl


@triton.jit
def decode_kernel(q_ptr, k_ptr, v_ptr, seq_lens_ptr, out_ptr, q_heads, kv_heads, max_len, scale,
                  HEAD_DIM: tl.constexpr, BLOCK_N: tl.constexpr):
    batch = tl.program_id(0)
    q_head = tl.program_id(1)  # one program per (batch, query head): simple, not yet fast
    seq_len = tl.load(seq_lens_ptr + batch)
    dims = tl.arange(0, HEAD_DIM)
    q = tl.load(q_ptr + (batch * q_heads + q_head) * HEAD_DIM + dims).to(tl.float32)
    kv_head = q_head  # TODO: with grouped-query heads several query heads share one KV head
    cache = (batch.to(tl.int64) * kv_heads + kv_head) * max_len * HEAD_DIM
    m = float("-inf")
    l = 0.0
    acc = tl.zeros((HEAD_DIM,), dtype=tl.float32)
    for start_n in range(0, seq_len, BLOCK_N):
        cols = start_n + tl.arange(0, BLOCK_N)
        # TODO: load K and V for the columns below seq_len, scores = (K q) * scale, online-softmax update.
        pass
    tl.store(out_ptr + (batch * q_heads + q_head) * HEAD_DIM + dims, (acc / l).to(out_ptr.dtype.element_ty))


def decode(q: torch.Tensor, k_cache: torch.Tensor, v_cache: torch.Tensor, seq_lens: torch.Tensor, out: torch.Tensor) -> None:
    batch, q_heads, head_dim = q.shape
    kv_heads, max_len = k_cache.shape[1], k_cache.shape[2]
    decode_kernel[(batch, q_heads)](q, k_cache, v_cache, seq_lens, out, q_heads, kv_heads, max_len,
                                    1.0 / math.sqrt(head_dim), HEAD_DIM=head_dim, BLOCK_N=32)
