"""The kernel harness: correctness like a kernel engineer checks it, timing only on a GPU.

    python -m forge_tui.kernels.harness [NAME ...] [--file F] [--json [PATH]]

Needs only torch, triton, numpy and the standard library. On a CUDA machine each kernel is
checked, timed with CUDA events (warm-up, many repeats, median, L2 flushed between repeats),
set against the roofline measured in the same run and against the PyTorch op, then checked
again with a fresh seed. Without a GPU it runs Triton's interpreter on small shapes: a
correctness check only, and the report says that no timing was taken.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import math
import os
import platform
import secrets
import sys
from dataclasses import asdict
from pathlib import Path

from forge_tui.safetext import strip_controls

NAMES = ("softmax", "rmsnorm", "layernorm", "matmul", "attention", "decode")
REFERENCE = {
    "softmax": ("softmax", "softmax"),
    "rmsnorm": ("norms", "rmsnorm"),
    "layernorm": ("norms", "layernorm"),
    "matmul": ("matmul", "matmul"),
    "attention": ("attention", "attention"),
    "decode": ("decode", "decode"),
}
NO_TIMING = "no GPU: Triton interpreter on small shapes, correctness only; no timing was taken"


def _prepare_environment() -> bool:
    """Choose the interpreter when there is no CUDA device. Must run before triton is imported."""
    if "triton" not in sys.modules and "TRITON_INTERPRET" not in os.environ:
        import torch

        if not torch.cuda.is_available():
            os.environ["TRITON_INTERPRET"] = "1"
    return os.environ.get("TRITON_INTERPRET", "0") not in ("", "0")


def _common():
    from forge_tui.kernels import common

    return common


def reference_kernel(name: str):
    module, function = REFERENCE[name]
    return getattr(importlib.import_module(f"forge_tui.kernels.{module}"), function)


def fresh_seed() -> int:
    return secrets.randbits(31)


def same_bits(a, b) -> bool:
    """Bitwise equality (NaN-safe): did a kernel leave its inputs alone?"""
    import torch

    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    as_int = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}[a.element_size()]
    return bool(torch.equal(a.contiguous().view(as_int), b.contiguous().view(as_int)))


def check_once(spec, kernel, shape, dtype_name: str, seed: int, dev: str) -> dict:
    """One correctness check: fresh inputs from `seed`, cloned for the call, `out` poisoned with
    NaN, the result compared with the reference in float64."""
    import torch

    common = _common()
    dtype = common.DTYPES[dtype_name]
    inputs = spec.make_inputs(shape, dtype, seed, dev)
    given = {name: tensor.clone() for name, tensor in inputs.items()}
    out = torch.full(common.out_shape(spec, shape), float("nan"), dtype=dtype, device=dev)
    record = {"shape": list(shape), "dtype": dtype_name, "seed": seed}
    try:
        kernel(*common.call_args(spec, given, shape, out))
        if dev == "cuda":
            torch.cuda.synchronize()
    except Exception as exc:  # noqa: BLE001 - a kernel that raises fails this check
        return {**record, "ok": False, "detail": f"raised {type(exc).__name__}: {exc}".splitlines()[0][:300]}
    touched = [name for name in inputs if not same_bits(inputs[name], given[name])]
    if touched:
        return {**record, "ok": False, "detail": f"the kernel wrote to its input(s) {', '.join(touched)}"}
    tol = common.tolerance_class(spec, dtype_name, dev == "cuda")
    result = common.compare(out, common.reference(spec, inputs, shape), tol)
    return {**record, "ok": result.ok, "detail": result.describe(), "tolerance": tol,
            "max_abs_error": result.max_abs_error, "worst_vs_tolerance": result.max_rel_error}


def check_kernel(spec, kernel, dev: str, shapes=None, dtypes=None) -> list[dict]:
    shapes = shapes if shapes is not None else (spec.check_shapes if dev == "cpu" else spec.gpu_check_shapes)
    dtypes = dtypes if dtypes is not None else spec.check_dtypes
    return [check_once(spec, kernel, shape, dt, fresh_seed(), dev) for dt in dtypes for shape in shapes]


# --- GPU ---------------------------------------------------------------------------------------


def measure_roofline() -> dict:
    """The ceilings this GPU reaches today: a 1 GiB device-to-device copy and a bf16 matmul."""
    import torch

    common = _common()
    src = torch.empty(1 << 28, dtype=torch.float32, device="cuda").normal_()
    dst = torch.empty_like(src)
    copy = common.time_cuda(lambda: dst.copy_(src), flush_bytes=64 << 20)
    copy_gbps = 2 * src.numel() * 4 / (copy.median_ms * 1e-3) / 1e9
    del src, dst
    n = 8192
    a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    mm = common.time_cuda(lambda: torch.matmul(a, b))
    return {"copy_GBps": copy_gbps, "copy_ms": copy.median_ms, "copy_bytes": 2 * (1 << 28) * 4,
            "matmul_bf16_TFLOPs": 2 * n**3 / (mm.median_ms * 1e-3) / 1e12, "matmul_shape": [n, n, n]}


def bench_kernel(spec, kernel, roofline: dict) -> tuple[list[dict], list[dict]]:
    """Time every bench shape and dtype; check each before timing and again, with a fresh seed, after."""
    import torch

    common = _common()
    rows, rechecks = [], []
    for dtype_name in spec.bench_dtypes:
        dtype = common.DTYPES[dtype_name]
        for shape in spec.bench_shapes:
            first = check_once(spec, kernel, shape, dtype_name, fresh_seed(), "cuda")
            row = {"shape": list(shape), "dtype": dtype_name, "correct": first["ok"]}
            if not first["ok"]:
                rows.append({**row, "detail": first["detail"]})
                continue
            inputs = spec.make_inputs(shape, dtype, fresh_seed(), "cuda")
            out = torch.empty(common.out_shape(spec, shape), dtype=dtype, device="cuda")
            args = common.call_args(spec, inputs, shape, out)
            mine = common.time_cuda(lambda: kernel(*args))
            theirs = common.time_cuda(common.torch_call(spec, inputs, shape))
            nbytes, flops = common.work(spec, inputs, shape, dtype)
            seconds = mine.median_ms * 1e-3
            row.update(ms=mine.median_ms, reps=mine.reps, torch_ms=theirs.median_ms,
                       GBps=nbytes / seconds / 1e9, TFLOPs=flops / seconds / 1e12,
                       speedup_vs_torch=theirs.median_ms / mine.median_ms)
            if spec.bound == "memory":
                row["pct_roofline"] = 100 * row["GBps"] / roofline["copy_GBps"]
            else:
                row["pct_roofline"] = 100 * row["TFLOPs"] / roofline["matmul_bf16_TFLOPs"]
            if spec.decode_tokens is not None:
                tokens = spec.decode_tokens(shape)
                row["tokens_per_s"] = tokens / seconds
                row["kv_bytes_per_token"] = nbytes / tokens
            rows.append(row)
            del inputs, out, args
            rechecks.append(check_once(spec, kernel, shape, dtype_name, fresh_seed(), "cuda"))
    return rows, rechecks


def summarise(rows: list[dict]) -> dict:
    common = _common()
    timed = [r for r in rows if "ms" in r]
    if not timed:
        return {}
    return {
        "geomean_pct_roofline": common.geometric_mean(r["pct_roofline"] for r in timed),
        "geomean_speedup_vs_torch": common.geometric_mean(r["speedup_vs_torch"] for r in timed),
        "shapes": len(timed),
    }


# --- a run ---------------------------------------------------------------------------------------


def environment(interpreted: bool) -> dict:
    import torch
    import triton

    info = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(), "torch": torch.__version__, "triton": triton.__version__,
        "machine": platform.machine(), "mode": "interpreter" if interpreted else "gpu",
        "timed": not interpreted,
    }
    if interpreted:
        info["device"] = "cpu (Triton interpreter)"
        info["note"] = NO_TIMING
    else:
        info["device"] = torch.cuda.get_device_name(0)
    return info


def run_reference(names, interpreted: bool) -> list[dict]:
    common = _common()
    common.patch_interpreter_bf16_dot()
    dev = "cpu" if interpreted else "cuda"
    roofline = None if interpreted else measure_roofline()
    results = []
    for name in names:
        spec = common.SPECS[name]
        kernel = reference_kernel(name)
        checks = check_kernel(spec, kernel, dev)
        entry = {"name": name, "title": spec.title, "source": "reference", "checks": checks}
        if not interpreted:
            entry["bench"], entry["rechecks"] = bench_kernel(spec, kernel, roofline)
            entry["summary"] = summarise(entry["bench"])
            checks = checks + entry["rechecks"] + [{"ok": r["correct"]} for r in entry["bench"]]
        entry["verdict"] = "pass" if all(c["ok"] for c in checks) else "fail"
        results.append(entry)
    return results, roofline


def report(names, file: str | None = None, timeout: float = 600.0) -> dict:
    interpreted = _prepare_environment()
    if file is not None:
        from forge_tui.kernels import judge

        kernels, roofline = [judge.judge_file(Path(file), names[0] if names else None, timeout=timeout)], None
    else:
        kernels, roofline = run_reference(names or NAMES, interpreted)
    return {"schema": 1, "environment": environment(interpreted), "roofline": roofline, "kernels": kernels}


def _shape_text(shape) -> str:
    parts = [str(s) for s in shape]
    if len(shape) == 5 and isinstance(shape[4], bool):
        parts = parts[:4] + (["causal"] if shape[4] else ["full"])
    return "×".join(parts)


def format_table(data: dict) -> str:
    env = data["environment"]
    lines = [f"kernels on {env['device']} — torch {env['torch']}, triton {env['triton']}, {env['date']}"]
    if not env["timed"]:
        lines.append(f"NOTE: {env['note']}.")
    if data.get("roofline"):
        r = data["roofline"]
        lines.append(f"roofline measured in this run: copy {r['copy_GBps']:.0f} GB/s, bf16 matmul {r['matmul_bf16_TFLOPs']:.0f} TFLOP/s")
    for k in data["kernels"]:
        lines.append("")
        lines.append(f"{k['name']} ({k['source']}): {k['verdict'].upper()}")
        for reason in k.get("rejections", []):
            lines.append(f"  rejected: {reason}")
        if k.get("checks"):
            lines.append(f"  {'shape':<24} {'dtype':<5} {'result'}")
            for c in k["checks"]:
                shape = _shape_text(c.get("shape", []))
                lines.append(f"  {shape:<24} {c.get('dtype', ''):<5} {'ok  ' if c['ok'] else 'FAIL'} {c.get('detail', '')}")
        if k.get("bench"):
            lines.append(f"  {'shape':<24} {'dtype':<5} {'ms':>9} {'GB/s':>8} {'TFLOP/s':>8} {'% roof':>7} {'torch ms':>9} {'× torch':>8}")
            for b in k["bench"]:
                if "ms" not in b:
                    lines.append(f"  {_shape_text(b['shape']):<24} {b['dtype']:<5} not timed: wrong ({b.get('detail', '')})")
                    continue
                lines.append(
                    f"  {_shape_text(b['shape']):<24} {b['dtype']:<5} {b['ms']:9.4f} {b['GBps']:8.0f} {b['TFLOPs']:8.1f} "
                    f"{b['pct_roofline']:6.1f}% {b['torch_ms']:9.4f} {b['speedup_vs_torch']:7.2f}×"
                )
            s = k.get("summary") or {}
            if s:
                lines.append(f"  geometric mean over {s['shapes']} shapes: {s['geomean_pct_roofline']:.1f}% of roofline, "
                             f"{s['geomean_speedup_vs_torch']:.2f}× torch")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"kernels to run (default all): {', '.join(NAMES)}")
    parser.add_argument("--file", help="judge a player's kernel file instead of the reference kernels (name the kernel, or it is guessed from the file)")
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH",
                        help="write the report as JSON to PATH (or to stdout, without the table, when no PATH)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds a player's kernel may run (default 600)")


def run_args(args) -> int:
    unknown = [n for n in args.names if n not in NAMES]
    if unknown:
        print(f"unknown kernel(s): {', '.join(unknown)}; choose from {', '.join(NAMES)}", file=sys.stderr)
        return 2
    if args.file and len(args.names) > 1:
        print("--file judges one kernel: name at most one", file=sys.stderr)
        return 2
    if args.file and not Path(args.file).is_file():
        print(f"no such file: {args.file}", file=sys.stderr)
        return 2
    data = report(tuple(args.names), file=args.file, timeout=args.timeout)
    text = json.dumps(_finite(data), indent=2, default=_json_default, allow_nan=False)
    if args.json == "-":
        print(text)
    else:
        print(strip_controls(format_table(data)))  # a kernel's error message is the player's text
        if args.json:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0 if all(k["verdict"] == "pass" for k in data["kernels"]) else 1


def _finite(value):
    """Strict JSON: infinities and NaN (an error that could not be measured) become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _json_default(value):
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    return str(value)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m forge_tui.kernels.harness", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run_args(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
