"""Decode attention over a KV cache with grouped-query heads (GQA), split along the cache.

At decode time each sequence adds one token: its query (one vector per query head) attends
to every cached key and value. With GQA, G = q_heads / kv_heads query heads share one KV
head, so one program loads each cached K/V block once and uses it for all G of them.

A single sequence's cache is long but there are few (batch, kv head) pairs, too few programs
to fill a GPU. So the cache is cut into splits ("flash-decoding"): stage 1 computes, per
split, a softmax-weighted partial output and its log-sum-exp; stage 2 merges the splits:
out = sum_s exp(lse_s - lse) * out_s, where lse = log(sum_s exp(lse_s)).
"""

from __future__ import annotations

import math
import os

import torch
import triton
import triton.language as tl


@triton.jit
def decode_split_kernel(
    q_ptr, k_ptr, v_ptr, seq_lens_ptr, part_out_ptr, part_lse_ptr,
    q_heads, kv_heads, max_len, split_len, n_splits, scale_log2,
    GROUP: tl.constexpr, BLOCK_G: tl.constexpr, HEAD_DIM: tl.constexpr, BLOCK_N: tl.constexpr,
):
    pair = tl.program_id(0)  # (batch, kv head)
    split = tl.program_id(1)
    batch = pair // kv_heads
    kv_head = pair % kv_heads
    seq_len = tl.load(seq_lens_ptr + batch)
    start = split * split_len
    end = tl.minimum(start + split_len, seq_len)

    g = tl.arange(0, BLOCK_G)  # the query heads of this group (padded to BLOCK_G)
    dims = tl.arange(0, HEAD_DIM)
    q_head = kv_head * GROUP + g
    q = tl.load(q_ptr + (batch * q_heads + q_head)[:, None] * HEAD_DIM + dims[None, :],
                mask=g[:, None] < GROUP, other=0.0)
    head_base = (batch.to(tl.int64) * kv_heads + kv_head) * max_len * HEAD_DIM  # this KV head's cache

    m = tl.full((BLOCK_G,), float("-inf"), dtype=tl.float32)
    l = tl.zeros((BLOCK_G,), dtype=tl.float32)
    acc = tl.zeros((BLOCK_G, HEAD_DIM), dtype=tl.float32)
    for start_n in range(start, end, BLOCK_N):  # online softmax, as in the attention kernel
        cols = start_n + tl.arange(0, BLOCK_N)
        used = cols < end  # never read past the sequence: those slots hold garbage
        k = tl.load(k_ptr + head_base + cols[:, None] * HEAD_DIM + dims[None, :], mask=used[:, None], other=0.0)
        v = tl.load(v_ptr + head_base + cols[:, None] * HEAD_DIM + dims[None, :], mask=used[:, None], other=0.0)
        scores = tl.dot(q, tl.trans(k)) * scale_log2
        scores = tl.where(used[None, :], scores, float("-inf"))
        m_new = tl.maximum(m, tl.max(scores, axis=1))
        correction = tl.exp2(m - m_new)
        p = tl.exp2(scores - m_new[:, None])
        l = l * correction + tl.sum(p, axis=1)
        acc = acc * correction[:, None] + tl.dot(p.to(v.dtype), v)
        m = m_new

    # A split wholly past the sequence's end saw nothing: lse = -inf gives it weight 0.
    has_keys = l > 0
    part_out = tl.where(has_keys[:, None], acc / tl.where(has_keys, l, 1.0)[:, None], 0.0)
    lse = tl.where(has_keys, m + tl.log2(tl.where(has_keys, l, 1.0)), float("-inf"))
    row = (batch * q_heads + q_head) * n_splits + split
    tl.store(part_out_ptr + row[:, None] * HEAD_DIM + dims[None, :], part_out, mask=g[:, None] < GROUP)
    tl.store(part_lse_ptr + row, lse, mask=g < GROUP)


@triton.jit
def decode_merge_kernel(part_out_ptr, part_lse_ptr, out_ptr, n_splits, HEAD_DIM: tl.constexpr, BLOCK_S: tl.constexpr):
    row = tl.program_id(0)  # (batch, query head)
    splits = tl.arange(0, BLOCK_S)
    dims = tl.arange(0, HEAD_DIM)
    lse = tl.load(part_lse_ptr + row * n_splits + splits, mask=splits < n_splits, other=float("-inf"))
    weight = tl.exp2(lse - tl.max(lse, axis=0))  # split 0 always has keys: the max is finite
    parts = tl.load(part_out_ptr + (row * n_splits + splits)[:, None] * HEAD_DIM + dims[None, :],
                    mask=splits[:, None] < n_splits, other=0.0)
    out = tl.sum(parts * weight[:, None], axis=0) / tl.sum(weight, axis=0)
    tl.store(out_ptr + row * HEAD_DIM + dims, out.to(out_ptr.dtype.element_ty))


def _split_len(batch: int, kv_heads: int, max_len: int, block_n: int) -> int:
    if os.environ.get("TRITON_INTERPRET", "0") not in ("", "0"):
        target_programs = 8  # enough splits to exercise the merge on small test shapes
    else:
        target_programs = 4 * torch.cuda.get_device_properties(0).multi_processor_count
    splits = max(1, min(triton.cdiv(max_len, block_n), triton.cdiv(target_programs, batch * kv_heads)))
    return triton.cdiv(triton.cdiv(max_len, splits), block_n) * block_n


def decode(q: torch.Tensor, k_cache: torch.Tensor, v_cache: torch.Tensor, seq_lens: torch.Tensor, out: torch.Tensor) -> None:
    """q: (batch, q_heads, d); caches: (batch, kv_heads, max_len, d); seq_lens: (batch,) int32,
    each at least 1; out: (batch, q_heads, d)."""
    batch, q_heads, head_dim = q.shape
    kv_heads, max_len = k_cache.shape[1], k_cache.shape[2]
    assert q_heads % kv_heads == 0 and head_dim in (16, 32, 64, 128)
    assert all(t.is_contiguous() for t in (q, k_cache, v_cache, out))
    group = q_heads // kv_heads
    interpreting = os.environ.get("TRITON_INTERPRET", "0") not in ("", "0")
    BLOCK_N = 16 if interpreting else 64
    split_len = _split_len(batch, kv_heads, max_len, BLOCK_N)
    n_splits = triton.cdiv(max_len, split_len)
    part_out = torch.empty((batch, q_heads, n_splits, head_dim), dtype=torch.float32, device=q.device)
    part_lse = torch.empty((batch, q_heads, n_splits), dtype=torch.float32, device=q.device)
    scale_log2 = (1.0 / math.sqrt(head_dim)) * 1.4426950408889634
    decode_split_kernel[(batch * kv_heads, n_splits)](
        q, k_cache, v_cache, seq_lens, part_out, part_lse,
        q_heads, kv_heads, max_len, split_len, n_splits, scale_log2,
        GROUP=group, BLOCK_G=max(16, triton.next_power_of_2(group)), HEAD_DIM=head_dim, BLOCK_N=BLOCK_N,
        num_warps=4,
    )
    decode_merge_kernel[(batch * q_heads,)](
        part_out, part_lse, out, n_splits, HEAD_DIM=head_dim, BLOCK_S=triton.next_power_of_2(n_splits), num_warps=4,
    )
