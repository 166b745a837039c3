"""What the trusted harness and the sandboxed child share: the kernel specs, random inputs,
references in higher precision, tolerances, the comparison and GPU timing.

Self-contained on purpose (torch, triton, numpy and the standard library only, no relative
imports): the child that runs a player's kernel loads this file by path, because `forge_tui`
cannot be imported inside the sandbox. Every kernel uses destination passing: the harness
allocates `out`, poisons it with NaN and the kernel must write every element.

Each kernel has one section here: its inputs, its float64 reference, the PyTorch op it replaces,
its bytes/FLOPs model, and the `KernelSpec` that ties them together with its output shape, the
flags its call takes after `out` and its shapes. Everything after the specs reads only their
fields: adding a kernel is adding a section. The specs live here rather than beside the Triton
kernels (softmax.py, ...) because the child loads this file into the process where the player's
code runs, and the reference kernels must never be loaded there.
"""

from __future__ import annotations

import math
import os
import statistics
from dataclasses import dataclass, field
from typing import Callable

import torch

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}

# Tolerances, relative: |out - ref| <= atol * rms(ref) + rtol * |ref|.
# "tf32" is fp32 inputs multiplied on tensor cores (10-bit mantissa): matmul and attention on a GPU.
TOLERANCES = {
    "fp32": (1e-5, 1e-5),
    "tf32": (1e-3, 1e-3),
    "bf16": (1e-2, 1e-2),
    "fp16": (1e-2, 1e-2),
    # Attention rounds the probabilities P to the input precision before P·V, as FlashAttention
    # does: two roundings instead of one. Measured on the interpreter (2026-11-23): the reference
    # kernel's worst element reached 1.4x the plain bf16 tolerance over 36 checks (PyTorch's
    # SDPA, which keeps P in fp32, reached 0.53x), so attention gets twice the bf16 tolerance.
    "bf16-attention": (2e-2, 2e-2),
    "fp16-attention": (2e-2, 2e-2),
}


def interpreting() -> bool:
    """True when Triton runs kernels in its CPU interpreter (TRITON_INTERPRET=1)."""
    return os.environ.get("TRITON_INTERPRET", "0") not in ("", "0")


def device() -> str:
    return "cuda" if torch.cuda.is_available() and not interpreting() else "cpu"


# --- what every kernel spec declares ------------------------------------------------------------


def same_shape(shape) -> tuple:
    """The output has the shape of the (first) input: elementwise and row-wise kernels."""
    return tuple(shape)


def no_flags(shape) -> tuple:
    """No arguments after `out`."""
    return ()


@dataclass(frozen=True)
class KernelSpec:
    """Everything that varies from one kernel to the next. The harness, the judge and the child
    only ever read these fields: none of them asks which kernel it is holding.

    A call is `kernel(*inputs in args order, out, *flags(shape))`; the float64 reference and
    the PyTorch op take the same inputs and flags, without `out`."""

    name: str
    title: str
    args: tuple[str, ...]  # the input names, in call order; `out` comes last
    make_inputs: Callable  # (shape, dtype, seed, device) -> {name: tensor}
    reference: Callable  # (*inputs, *flags) -> float64 tensor
    torch_op: Callable  # (*inputs, *flags) -> tensor: the PyTorch op it replaces, for the speed comparison
    work: Callable  # (inputs, shape, element size in bytes) -> (bytes moved, flops): the least one call must do
    bound: str  # "memory" or "compute"
    check_shapes: tuple  # small, ragged, non-power-of-two: the interpreter runs these
    gpu_check_shapes: tuple
    bench_shapes: tuple
    check_dtypes: tuple[str, ...]
    bench_dtypes: tuple[str, ...]
    forbidden: tuple[str, ...]  # names a player's kernel may not call: the op it replaces ("matmul" forbids `@` too)
    output_shape: Callable = same_shape  # shape -> the shape of `out`
    flags: Callable = no_flags  # shape -> the arguments after `out` (attention's causal)
    tensor_cores: bool = False  # fp32 inputs go through tf32 on a GPU
    tolerances: dict = field(default_factory=dict, hash=False)  # dtype name -> the TOLERANCES class it is held to, where not its own
    decode_tokens: Callable | None = None  # shape -> tokens one call decodes; the report adds tokens/s
    notes: str = ""
    aten_forbidden: tuple[str, ...] = field(default=())


SPECS: dict[str, KernelSpec] = {}


def _register(spec: KernelSpec) -> None:
    SPECS[spec.name] = spec


# --- shared by the inputs and references --------------------------------------------------------


def _randn(shape, dtype, gen, dev, scale=1.0):
    return (torch.randn(shape, generator=gen, device=dev, dtype=torch.float32) * scale).to(dtype)


def _generator(seed: int, dev: str) -> torch.Generator:
    gen = torch.Generator(device=dev)
    gen.manual_seed(seed)
    return gen


def _wide(t: torch.Tensor) -> torch.Tensor:
    return t.to(torch.float64)


# --- softmax -----------------------------------------------------------------------------------


def softmax_inputs(shape, dtype, seed, dev):
    gen = _generator(seed, dev)
    return {"x": _randn(shape, dtype, gen, dev, scale=3.0)}


def softmax_reference(x):
    return torch.softmax(_wide(x), dim=-1)


def _torch_softmax(x):
    return torch.softmax(x, dim=-1)


def softmax_work(inputs, shape, size):
    """Each element read once and written once; max, subtract, exp, sum, divide."""
    n = math.prod(shape)
    return 2.0 * n * size, 5.0 * n


_register(KernelSpec(
    name="softmax", title="fused row softmax", args=("x",),
    make_inputs=softmax_inputs, reference=softmax_reference, torch_op=_torch_softmax, work=softmax_work,
    bound="memory",
    check_shapes=((7, 33), (5, 128), (3, 1000)),
    gpu_check_shapes=((1000, 3001), (257, 16384), (4096, 1)),
    bench_shapes=((4096, 1024), (4096, 2048), (4096, 4096), (4096, 8192), (2048, 16384), (4096, 3000)),
    check_dtypes=("fp32", "bf16", "fp16"), bench_dtypes=("fp32", "bf16"),
    forbidden=("softmax", "log_softmax", "exp", "logsumexp", "_softmax"),
))


# --- RMSNorm and LayerNorm ----------------------------------------------------------------------


def rmsnorm_inputs(shape, dtype, seed, dev):
    gen = _generator(seed, dev)
    x = _randn(shape, dtype, gen, dev, scale=2.0) + 0.5  # a non-zero mean, so LayerNorm has work to do
    weight = (1.0 + 0.3 * torch.randn(shape[-1], generator=gen, device=dev)).to(dtype)
    return {"x": x, "weight": weight}


def layernorm_inputs(shape, dtype, seed, dev):
    inputs = rmsnorm_inputs(shape, dtype, seed, dev)
    gen = _generator(seed + 1, dev)
    inputs["bias"] = _randn(shape[-1], dtype, gen, dev, scale=0.5)
    return inputs


def rmsnorm_reference(x, weight, eps=1e-6):
    x = _wide(x)
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * _wide(weight)


def layernorm_reference(x, weight, bias, eps=1e-5):
    x = _wide(x)
    centred = x - x.mean(-1, keepdim=True)
    return centred * torch.rsqrt(centred.pow(2).mean(-1, keepdim=True) + eps) * _wide(weight) + _wide(bias)


def _torch_rmsnorm(x, weight):
    return torch.nn.functional.rms_norm(x, (x.shape[-1],), weight, eps=1e-6)


def _torch_layernorm(x, weight, bias):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), weight, bias, eps=1e-5)


def _row_norm_work(shape, size, vectors):
    """x read once and written once, plus `vectors` parameter rows (weight, bias) read once."""
    n = math.prod(shape)
    return 2.0 * n * size + shape[-1] * size * vectors, 6.0 * n


def rmsnorm_work(inputs, shape, size):
    return _row_norm_work(shape, size, 1)


def layernorm_work(inputs, shape, size):
    return _row_norm_work(shape, size, 2)


_register(KernelSpec(
    name="rmsnorm", title="fused RMSNorm forward", args=("x", "weight"),
    make_inputs=rmsnorm_inputs, reference=rmsnorm_reference, torch_op=_torch_rmsnorm, work=rmsnorm_work,
    bound="memory",
    check_shapes=((6, 96), (3, 777)),
    gpu_check_shapes=((1000, 3001), (17, 8192)),
    bench_shapes=((4096, 1024), (4096, 4096), (8192, 8192), (4096, 5000)),
    check_dtypes=("fp32", "bf16"), bench_dtypes=("fp32", "bf16"),
    forbidden=("rms_norm", "rsqrt", "norm", "mean", "var"),
))
_register(KernelSpec(
    name="layernorm", title="fused LayerNorm forward", args=("x", "weight", "bias"),
    make_inputs=layernorm_inputs, reference=layernorm_reference, torch_op=_torch_layernorm, work=layernorm_work,
    bound="memory",
    check_shapes=((6, 96), (3, 777)),
    gpu_check_shapes=((1000, 3001), (17, 8192)),
    bench_shapes=((4096, 1024), (4096, 4096), (8192, 8192), (4096, 5000)),
    check_dtypes=("fp32", "bf16"), bench_dtypes=("fp32", "bf16"),
    forbidden=("layer_norm", "rsqrt", "norm", "mean", "var", "var_mean", "batch_norm", "group_norm"),
))


# --- matmul: shape is (m, k, n) ----------------------------------------------------------------


def matmul_inputs(shape, dtype, seed, dev):
    m, k, n = shape
    gen = _generator(seed, dev)
    return {"a": _randn((m, k), dtype, gen, dev), "b": _randn((k, n), dtype, gen, dev)}


def matmul_reference(a, b):
    return _wide(a) @ _wide(b)


def _torch_matmul(a, b):
    return torch.matmul(a, b)


def matmul_output_shape(shape):
    m, _k, n = shape
    return (m, n)


def matmul_work(inputs, shape, size):
    """A, B and C each cross memory once; m·n dot products of length k, a multiply and an add each."""
    m, k, n = shape
    return float((m * k + k * n + m * n) * size), 2.0 * m * n * k


_register(KernelSpec(
    name="matmul", title="tiled matmul, fp32 accumulate", args=("a", "b"),
    make_inputs=matmul_inputs, reference=matmul_reference, torch_op=_torch_matmul, work=matmul_work,
    output_shape=matmul_output_shape, bound="compute",
    check_shapes=((33, 47, 65), (64, 32, 48), (17, 128, 19)),
    gpu_check_shapes=((1000, 3001, 517), (4096, 64, 4096), (1, 4096, 1)),
    bench_shapes=((2048, 2048, 2048), (4096, 4096, 4096), (8192, 8192, 8192), (3000, 4096, 5000)),
    check_dtypes=("bf16", "fp16", "fp32"), bench_dtypes=("bf16", "fp16"),
    forbidden=("matmul", "mm", "bmm", "addmm", "baddbmm", "einsum", "dot", "mv", "tensordot", "linear", "inner", "outer"),
    tensor_cores=True,
))


# --- attention forward: shape is (batch, heads, seq, head dim, causal) ------------------------------


def attention_inputs(shape, dtype, seed, dev):
    batch, heads, seq, dim, _causal = shape
    gen = _generator(seed, dev)
    return {name: _randn((batch, heads, seq, dim), dtype, gen, dev) for name in ("q", "k", "v")}


def attention_reference(q, k, v, causal):
    """softmax(q k^T / sqrt(d)) v, one (batch, head) at a time so long sequences fit in memory."""
    batch, heads, seq, dim = q.shape
    out = torch.empty(q.shape, dtype=torch.float64, device=q.device)
    mask = torch.ones(seq, seq, dtype=torch.bool, device=q.device).tril() if causal else None
    for b in range(batch):
        for h in range(heads):
            scores = _wide(q[b, h]) @ _wide(k[b, h]).T / math.sqrt(dim)
            if mask is not None:
                scores = scores.masked_fill(~mask, float("-inf"))
            out[b, h] = torch.softmax(scores, dim=-1) @ _wide(v[b, h])
    return out


def _torch_attention(q, k, v, causal):
    return torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)


def attention_output_shape(shape):
    batch, heads, seq, dim, _causal = shape
    return (batch, heads, seq, dim)


def attention_flags(shape):
    """The call ends with `causal`."""
    return (bool(shape[4]),)


def attention_work(inputs, shape, size):
    """q, k, v read and out written once; two seq×seq×dim matmuls (q·kᵀ, p·v), half of them when causal."""
    batch, heads, seq, dim, causal = shape
    flops = 4.0 * batch * heads * seq * seq * dim * (0.5 if causal else 1.0)
    return 4.0 * batch * heads * seq * dim * size, flops


_register(KernelSpec(
    name="attention", title="FlashAttention-style forward", args=("q", "k", "v"),
    make_inputs=attention_inputs, reference=attention_reference, torch_op=_torch_attention, work=attention_work,
    output_shape=attention_output_shape, flags=attention_flags, bound="compute",
    check_shapes=((1, 2, 37, 64, True), (1, 2, 37, 64, False), (1, 1, 70, 128, True)),
    gpu_check_shapes=((2, 3, 1000, 64, True), (2, 3, 1000, 128, False), (1, 2, 4097, 128, True)),
    bench_shapes=((4, 32, 2048, 128, False), (4, 32, 2048, 128, True), (2, 32, 8192, 128, False),
                  (2, 32, 8192, 128, True), (4, 32, 2048, 64, True)),
    check_dtypes=("bf16", "fp16", "fp32"), bench_dtypes=("bf16",),
    forbidden=("scaled_dot_product_attention", "softmax", "matmul", "bmm", "einsum", "baddbmm",
               "flash_attention", "_scaled_dot_product_flash_attention", "multi_head_attention_forward"),
    tensor_cores=True, tolerances={"bf16": "bf16-attention", "fp16": "fp16-attention"},
    notes="shape is (batch, heads, seq, head dim, causal)",
))


# --- GQA decode: shape is (batch, query heads, kv heads, cache length, head dim) ---------------------


def decode_inputs(shape, dtype, seed, dev):
    """One new token per sequence; the cache holds up to `max_len` positions, each sequence
    uses `seq_lens[b]` of them (ragged). Slots past a sequence's length hold NaN: a kernel that
    reads them, even to multiply them by zero, gets NaN."""
    batch, q_heads, kv_heads, max_len, dim = shape
    gen = _generator(seed, dev)
    q = _randn((batch, q_heads, dim), dtype, gen, dev)
    k_cache = _randn((batch, kv_heads, max_len, dim), dtype, gen, dev)
    v_cache = _randn((batch, kv_heads, max_len, dim), dtype, gen, dev)
    low = max(1, max_len // 2)
    seq_lens = torch.randint(low, max_len + 1, (batch,), generator=gen, device=dev, dtype=torch.int32)
    seq_lens[0] = max_len  # the longest sequence fills the cache
    for b in range(batch):
        k_cache[b, :, int(seq_lens[b]):] = float("nan")
        v_cache[b, :, int(seq_lens[b]):] = float("nan")
    return {"q": q, "k_cache": k_cache, "v_cache": v_cache, "seq_lens": seq_lens}


def decode_reference(q, k_cache, v_cache, seq_lens):
    batch, q_heads, dim = q.shape
    group = q_heads // k_cache.shape[1]
    out = torch.empty(q.shape, dtype=torch.float64, device=q.device)
    for b in range(batch):
        n = int(seq_lens[b])
        k = _wide(k_cache[b, :, :n]).repeat_interleave(group, dim=0)  # (q_heads, n, dim)
        v = _wide(v_cache[b, :, :n]).repeat_interleave(group, dim=0)
        scores = torch.einsum("hd,hnd->hn", _wide(q[b]), k) / math.sqrt(dim)
        out[b] = torch.einsum("hn,hnd->hd", torch.softmax(scores, dim=-1), v)
    return out


def _torch_decode(q, k_cache, v_cache, seq_lens):
    # SDPA over the whole cache with a padding mask: what eager PyTorch does for ragged GQA decode.
    batch, q_heads, dim = q.shape
    kv_heads, max_len = k_cache.shape[1], k_cache.shape[2]
    keep = torch.arange(max_len, device=q.device)[None, :] < seq_lens[:, None]
    mask = keep[:, None, None, :]
    k = torch.nan_to_num(k_cache)
    v = torch.nan_to_num(v_cache)
    return torch.nn.functional.scaled_dot_product_attention(
        q[:, :, None, :], k, v, attn_mask=mask, enable_gqa=(q_heads != kv_heads)
    )


def decode_output_shape(shape):
    batch, q_heads, _kv_heads, _max_len, dim = shape
    return (batch, q_heads, dim)


def decode_work(inputs, shape, size):
    """The cached keys and values each sequence uses, read once; q read and out written once.
    Per query head and cached position: q·k and p·v, a multiply and an add each over dim."""
    batch, q_heads, kv_heads, _max_len, dim = shape
    used = float(inputs["seq_lens"].sum())
    kv_bytes = 2.0 * used * kv_heads * dim * size
    return kv_bytes + 2.0 * batch * q_heads * dim * size, 4.0 * used * q_heads * dim


def decode_tokens(shape):
    """One new token per sequence in the batch."""
    return shape[0]


_register(KernelSpec(
    name="decode", title="GQA decode attention over a KV cache", args=("q", "k_cache", "v_cache", "seq_lens"),
    make_inputs=decode_inputs, reference=decode_reference, torch_op=_torch_decode, work=decode_work,
    output_shape=decode_output_shape, decode_tokens=decode_tokens, bound="memory",
    check_shapes=((2, 8, 2, 100, 64), (1, 4, 4, 37, 128)),
    gpu_check_shapes=((3, 32, 8, 1000, 128), (2, 8, 1, 5000, 64)),
    bench_shapes=((1, 32, 8, 32768, 128), (8, 32, 8, 8192, 128), (16, 32, 8, 4096, 128), (32, 32, 8, 2048, 128)),
    check_dtypes=("bf16", "fp16", "fp32"), bench_dtypes=("bf16",),
    forbidden=("scaled_dot_product_attention", "softmax", "matmul", "bmm", "einsum", "baddbmm"),
    tensor_cores=True, notes="shape is (batch, query heads, kv heads, cache length, head dim)",
))


# --- one call, read from the spec ---------------------------------------------------------------


def out_shape(spec: KernelSpec, shape) -> tuple:
    return tuple(spec.output_shape(shape))


def call_args(spec: KernelSpec, inputs: dict, shape, out) -> tuple:
    """The positional arguments of a kernel call: inputs in order, then `out`, then flags."""
    return tuple(inputs[name] for name in spec.args) + (out,) + tuple(spec.flags(shape))


def reference(spec: KernelSpec, inputs: dict, shape) -> torch.Tensor:
    return spec.reference(*(inputs[name] for name in spec.args), *spec.flags(shape))


def torch_call(spec: KernelSpec, inputs: dict, shape):
    """The PyTorch op on the same inputs, as a function of no arguments (for timing)."""
    arguments = tuple(inputs[name] for name in spec.args) + tuple(spec.flags(shape))
    return lambda: spec.torch_op(*arguments)


def work(spec: KernelSpec, inputs: dict, shape, dtype: torch.dtype) -> tuple[float, float]:
    """(bytes moved, floating-point operations) of one call: the minimum a kernel must do."""
    return spec.work(inputs, shape, torch.tensor([], dtype=dtype).element_size())


# --- comparison ------------------------------------------------------------------------------


def tolerance_class(spec: KernelSpec, dtype_name: str, on_gpu: bool) -> str:
    """The TOLERANCES entry a result is held to: tf32 for fp32 on tensor cores, else what the
    spec declares for this dtype, else the dtype's own."""
    if dtype_name == "fp32" and spec.tensor_cores and on_gpu:
        return "tf32"
    return spec.tolerances.get(dtype_name, dtype_name)


@dataclass
class Comparison:
    ok: bool
    max_abs_error: float
    max_rel_error: float  # max |out - ref| / (atol * rms(ref) + rtol * |ref|) over elements, 1.0 is the limit
    bad: int  # elements out of tolerance (NaN counts)
    first_bad: tuple | None
    expected: float | None
    got: float | None
    rtol: float
    atol: float

    def describe(self) -> str:
        if self.ok:
            return f"ok (worst element at {self.max_rel_error:.2f} of the tolerance)"
        where = "" if self.first_bad is None else f" first at index {list(self.first_bad)}: expected {self.expected:.6g}, got {self.got:.6g}"
        return f"{self.bad} element(s) out of tolerance (rtol {self.rtol:g}, atol {self.atol:g}×rms);{where}"


def compare(out: torch.Tensor, ref: torch.Tensor, tol_class: str) -> Comparison:
    rtol, atol = TOLERANCES[tol_class]
    got = out.to(torch.float64)
    ref = ref.to(torch.float64)
    if got.shape != ref.shape:
        return Comparison(False, math.inf, math.inf, ref.numel(), None, None, None, rtol, atol)
    scale = float(ref.pow(2).mean().sqrt()) if ref.numel() else 1.0
    limit = atol * max(scale, 1e-30) + rtol * ref.abs()
    error = (got - ref).abs()
    ratio = error / limit
    ratio = torch.where(torch.isnan(got), torch.full_like(ratio, math.inf), ratio)
    bad_mask = ~(ratio <= 1.0)
    bad = int(bad_mask.sum())
    first = None
    expected = value = None
    if bad:
        index = tuple(int(i) for i in bad_mask.nonzero()[0])
        first, expected, value = index, float(ref[index]), float(got[index])
    finite = error[torch.isfinite(error)]
    return Comparison(
        ok=bad == 0,
        max_abs_error=float(finite.max()) if finite.numel() else math.inf,
        max_rel_error=float(ratio.max()) if ratio.numel() else 0.0,
        bad=bad, first_bad=first, expected=expected, got=value, rtol=rtol, atol=atol,
    )


# --- interpreter ----------------------------------------------------------------------------


def patch_interpreter_bf16_dot() -> None:
    """Triton's CPU interpreter stores bf16 as uint16 and `tl.dot` then multiplies the raw bits
    as integers (seen in triton 3.x, 3.9.0 included). Widen bf16 operands to fp32 first, which is
    exact. Only the interpreter is touched; compiled kernels never see this."""
    if not interpreting():
        return
    import numpy as np
    from triton.runtime import interpreter

    builder = interpreter.InterpreterBuilder
    if getattr(builder.create_dot, "_nf_bf16", False):
        return
    original = builder.create_dot
    import triton.language as tl

    def widen(handle):
        if handle.dtype == tl.bfloat16:
            bits = handle.data.astype(np.uint32) << 16
            return interpreter.TensorHandle(bits.view(np.float32), tl.float32)
        return handle

    def create_dot(self, a, b, d, input_precision, max_num_imprecise_acc):
        return original(self, widen(a), widen(b), d, input_precision, max_num_imprecise_acc)

    create_dot._nf_bf16 = True
    builder.create_dot = create_dot


# --- GPU timing ------------------------------------------------------------------------------


@dataclass
class Timing:
    median_ms: float
    min_ms: float
    reps: int


def time_cuda(fn: Callable[[], object], *, event_class=None, synchronize=None, warmup_ms: float = 25.0,
              rep_ms: float = 100.0, min_reps: int = 20, max_reps: int = 1000, flush_bytes: int = 256 << 20) -> Timing:
    """CUDA-event timing like `triton.testing.do_bench`: warm-up, then many repeats, each after
    overwriting a buffer larger than L2 so no repeat is served from cache; the median.
    `event_class` and `synchronize` may be references taken before untrusted code ran."""
    Event = event_class or torch.cuda.Event
    sync = synchronize or torch.cuda.synchronize
    flush = torch.empty(flush_bytes // 4, dtype=torch.int32, device="cuda")
    fn()
    sync()
    start, end = Event(enable_timing=True), Event(enable_timing=True)
    start.record()
    for _ in range(5):
        flush.zero_()
        fn()
    end.record()
    sync()
    estimate = max(start.elapsed_time(end) / 5, 1e-3)
    for _ in range(max(1, int(warmup_ms / estimate))):
        fn()
    reps = max(min_reps, min(max_reps, int(rep_ms / estimate)))
    starts = [Event(enable_timing=True) for _ in range(reps)]
    ends = [Event(enable_timing=True) for _ in range(reps)]
    for i in range(reps):
        flush.zero_()
        starts[i].record()
        fn()
        ends[i].record()
    sync()
    times = [s.elapsed_time(e) for s, e in zip(starts, ends)]
    return Timing(median_ms=statistics.median(times), min_ms=min(times), reps=reps)


def geometric_mean(values) -> float:
    values = [v for v in values if v > 0 and math.isfinite(v)]
    if not values:
        return math.nan
    return math.exp(sum(math.log(v) for v in values) / len(values))
