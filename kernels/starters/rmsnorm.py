"""Starter: fused RMSNorm forward. Judge it with `neuralforge bench kernels rmsnorm --file THIS_FILE`.

y = x / sqrt(mean(x^2) + eps) * w, one program per row.
"""

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
    # TODO: divide by the root of the mean square (plus eps). Careful: the padding is not part of the row.
    y = x * w
    tl.store(out_ptr + row * out_row_stride + cols, y.to(out_ptr.dtype.element_ty), mask=inside)


def rmsnorm(x: torch.Tensor, weight: torch.Tensor, out: torch.Tensor, eps: float = 1e-6) -> None:
    n_rows, n_cols = x.shape
    rmsnorm_kernel[(n_rows,)](x, weight, out, n_cols, x.stride(0), out.stride(0), eps, BLOCK=triton.next_power_of_2(n_cols))
