"""Fused RMSNorm and LayerNorm forward: one program per row, the row read once.

RMSNorm:   y = x / sqrt(mean(x^2) + eps) * w
LayerNorm: y = (x - mean(x)) / sqrt(var(x) + eps) * w + b
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl


@triton.jit
def rmsnorm_kernel(x_ptr, w_ptr, out_ptr, n_cols, x_row_stride, out_row_stride, eps, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    inside = cols < n_cols
    x = tl.load(x_ptr + row * x_row_stride + cols, mask=inside, other=0.0).to(tl.float32)
    w = tl.load(w_ptr + cols, mask=inside, other=0.0).to(tl.float32)
    mean_square = tl.sum(x * x, axis=0) / n_cols  # padding is 0, so it adds nothing
    y = x * tl.rsqrt(mean_square + eps) * w
    tl.store(out_ptr + row * out_row_stride + cols, y.to(out_ptr.dtype.element_ty), mask=inside)


@triton.jit
def layernorm_kernel(x_ptr, w_ptr, b_ptr, out_ptr, n_cols, x_row_stride, out_row_stride, eps, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    inside = cols < n_cols
    x = tl.load(x_ptr + row * x_row_stride + cols, mask=inside, other=0.0).to(tl.float32)
    w = tl.load(w_ptr + cols, mask=inside, other=0.0).to(tl.float32)
    b = tl.load(b_ptr + cols, mask=inside, other=0.0).to(tl.float32)
    mean = tl.sum(x, axis=0) / n_cols
    centred = tl.where(inside, x - mean, 0.0)  # padding must not count towards the variance
    variance = tl.sum(centred * centred, axis=0) / n_cols
    y = centred * tl.rsqrt(variance + eps) * w + b
    tl.store(out_ptr + row * out_row_stride + cols, y.to(out_ptr.dtype.element_ty), mask=inside)


def _launch_shape(n_cols: int) -> tuple[int, int]:
    BLOCK = triton.next_power_of_2(n_cols)
    num_warps = 4 if BLOCK <= 2048 else (8 if BLOCK <= 8192 else 16)
    return BLOCK, num_warps


def rmsnorm(x: torch.Tensor, weight: torch.Tensor, out: torch.Tensor, eps: float = 1e-6) -> None:
    """Write RMSNorm of each row of the 2-D tensor `x` into `out`."""
    n_rows, n_cols = x.shape
    assert x.stride(1) == 1 and out.stride(1) == 1 and weight.is_contiguous()
    BLOCK, num_warps = _launch_shape(n_cols)
    rmsnorm_kernel[(n_rows,)](x, weight, out, n_cols, x.stride(0), out.stride(0), eps, BLOCK=BLOCK, num_warps=num_warps)


def layernorm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, out: torch.Tensor, eps: float = 1e-5) -> None:
    """Write LayerNorm of each row of the 2-D tensor `x` into `out`."""
    n_rows, n_cols = x.shape
    assert x.stride(1) == 1 and out.stride(1) == 1 and weight.is_contiguous() and bias.is_contiguous()
    BLOCK, num_warps = _launch_shape(n_cols)
    layernorm_kernel[(n_rows,)](
        x, weight, bias, out, n_cols, x.stride(0), out.stride(0), eps, BLOCK=BLOCK, num_warps=num_warps
    )
