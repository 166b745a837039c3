"""FlashAttention-style forward: out = softmax(q k^T / sqrt(d)) v, never materialising the
S x S score matrix.

Each program owns BLOCK_M query rows of one (batch, head) and streams K and V through in
blocks of BLOCK_N, keeping a running ("online") softmax: for each row it remembers the max
score m seen so far, the sum l of exp(score - m), and acc = sum of exp(score - m) * v. When
a new block raises the max from m to m', everything so far is rescaled by exp(m - m').
"""

from __future__ import annotations

import math
import os

import torch
import triton
import triton.language as tl


@triton.jit
def attention_kernel(
    q_ptr, k_ptr, v_ptr, out_ptr, seq_len, scale_log2,
    CAUSAL: tl.constexpr, HEAD_DIM: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
):
    start_m = tl.program_id(0) * BLOCK_M
    head = tl.program_id(1)  # flattened (batch, head); tensors are contiguous (B, H, S, D)
    base = head.to(tl.int64) * seq_len * HEAD_DIM
    rows = start_m + tl.arange(0, BLOCK_M)
    dims = tl.arange(0, HEAD_DIM)
    q = tl.load(q_ptr + base + rows[:, None] * HEAD_DIM + dims[None, :], mask=rows[:, None] < seq_len, other=0.0)

    m = tl.full((BLOCK_M,), float("-inf"), dtype=tl.float32)  # running max (log2 units)
    l = tl.zeros((BLOCK_M,), dtype=tl.float32)  # running sum of exponentials
    acc = tl.zeros((BLOCK_M, HEAD_DIM), dtype=tl.float32)

    # Causal: keys after the last row of this block are never seen, so stop there.
    end_n = tl.minimum(seq_len, start_m + BLOCK_M) if CAUSAL else seq_len
    for start_n in range(0, end_n, BLOCK_N):
        cols = start_n + tl.arange(0, BLOCK_N)
        k = tl.load(k_ptr + base + cols[:, None] * HEAD_DIM + dims[None, :], mask=cols[:, None] < seq_len, other=0.0)
        # exp(x) = 2^(x log2 e): fold 1/sqrt(d) and log2(e) into one multiply, use exp2.
        scores = tl.dot(q, tl.trans(k)) * scale_log2
        visible = cols[None, :] < seq_len
        if CAUSAL:
            visible = visible & (cols[None, :] <= rows[:, None])
        scores = tl.where(visible, scores, float("-inf"))

        m_new = tl.maximum(m, tl.max(scores, axis=1))  # finite: key 0 is visible to every row
        correction = tl.exp2(m - m_new)  # rescales what was accumulated under the old max
        p = tl.exp2(scores - m_new[:, None])
        l = l * correction + tl.sum(p, axis=1)
        v = tl.load(v_ptr + base + cols[:, None] * HEAD_DIM + dims[None, :], mask=cols[:, None] < seq_len, other=0.0)
        acc = acc * correction[:, None] + tl.dot(p.to(v.dtype), v)
        m = m_new

    out = acc / l[:, None]
    tl.store(out_ptr + base + rows[:, None] * HEAD_DIM + dims[None, :], out.to(out_ptr.dtype.element_ty),
             mask=rows[:, None] < seq_len)


def _config(head_dim: int, dtype: torch.dtype) -> dict:
    if os.environ.get("TRITON_INTERPRET", "0") not in ("", "0"):
        return dict(BLOCK_M=32, BLOCK_N=32, num_warps=4, num_stages=1)
    if dtype == torch.float32:
        return dict(BLOCK_M=64, BLOCK_N=32, num_warps=4, num_stages=2)
    if head_dim <= 64:
        return dict(BLOCK_M=128, BLOCK_N=64, num_warps=4, num_stages=3)
    return dict(BLOCK_M=128, BLOCK_N=64, num_warps=8, num_stages=3)


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, out: torch.Tensor, causal: bool) -> None:
    """Write attention of contiguous (batch, heads, seq, head_dim) q, k, v into `out`."""
    batch, heads, seq_len, head_dim = q.shape
    assert head_dim in (16, 32, 64, 128), "head dim must be 16, 32, 64 or 128"
    assert all(t.is_contiguous() for t in (q, k, v, out)) and k.shape == q.shape == v.shape == out.shape
    config = _config(head_dim, q.dtype)
    scale_log2 = (1.0 / math.sqrt(head_dim)) * 1.4426950408889634  # 1/sqrt(d) * log2(e)
    grid = (triton.cdiv(seq_len, config["BLOCK_M"]), batch * heads)
    attention_kernel[grid](q, k, v, out, seq_len, scale_log2, CAUSAL=causal, HEAD_DIM=head_dim, **config)
