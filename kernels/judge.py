"""Judging a player's kernel file: a static check here, the run in a separate process, the
verdict here.

The player's code never runs in this process. It runs in a child (the sandboxed runner, or a
plain subprocess where that runner is not available) driven by `child.py`, which sends back
the kernel's outputs as files and its timings as messages. This side regenerates every input
from the seeds it chose, computes the reference in float64, compares, and cross-checks any GPU
timing against the wall clock of the same batch of calls read here, outside the child.
"""

from __future__ import annotations

import ast
import json
import math
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from forge_tui.runner import Limits
from forge_tui.runner.answers import RefusedLine, parse_line

HERE = Path(__file__).resolve().parent

# --- static check ------------------------------------------------------------------------------

TIMER_ROOTS = {"time", "torch", "triton", "builtins", "sys", "os", "threading", "numpy", "np", "importlib", "gc"}
BANNED_IMPORTS = {
    "ctypes": "loads native code around the harness",
    "gc": "reaches into the harness's objects",
    "inspect": "reaches into the harness's frames",
    "threading": "results must be computed inside the call, not by a thread",
    "concurrent": "results must be computed inside the call, not by a thread",
    "multiprocessing": "results must be computed inside the call",
    "asyncio": "results must be computed inside the call",
    "subprocess": "a kernel runs no programs",
    "unittest": "a kernel does not patch anything",
    "numpy": "the kernel computes on the device, with Triton",
    "pickle": "a kernel loads no stored results",
    "functools": "a kernel keeps no cache of results",
    "importlib": "imports behind the static check",
}
AT_OPERATOR = "matmul"  # the PyTorch op `a @ b` calls on tensors: refused outside a Triton kernel where the spec forbids it
BANNED_NAMES = {
    "setattr": "patches objects it does not own",
    "delattr": "patches objects it does not own",
    "exec": "runs code built at run time",
    "eval": "runs code built at run time",
    "compile": "runs code built at run time",
    "__import__": "imports behind the static check",
    "globals": "reaches into module state",
    "_getframe": "reaches into the harness's frames",
    "getattr": "reaches attributes by computed name, behind the static check",
    "vars": "reaches into module state",
    "lru_cache": "caches results between calls",
    "Stream": "launches on another CUDA stream",
    "stream": "launches on another CUDA stream",
    "set_stream": "launches on another CUDA stream",
    "ExternalStream": "launches on another CUDA stream",
    "CUDAGraph": "replays recorded work instead of launching it",
    "numpy": "the kernel computes on the device, with Triton",
    "tolist": "the kernel computes on the device, with Triton",
}


def _chain(node: ast.AST) -> list[str]:
    """`torch.cuda.Event.elapsed_time` -> ["torch", "cuda", "Event", "elapsed_time"]."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Call):
        parts.append("<call>")
    else:
        parts.append("<expr>")
    return parts[::-1]


def _is_jit(function: ast.AST) -> bool:
    for decorator in getattr(function, "decorator_list", []):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if _chain(target)[-1] in ("jit", "autotune", "heuristics"):
            return True
    return False


def static_check(source: str, kernel_name: str) -> list[str]:
    """Reasons the file is refused before it runs; [] when none."""
    from forge_tui.kernels import common

    spec = common.SPECS[kernel_name]
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        return [f"the file does not parse: {err.msg} (line {err.lineno})"]
    findings: list[str] = []
    triton_aliases = {"tl", "triton", "libdevice"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("triton"):
                    triton_aliases.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("triton"):
            for alias in node.names:
                triton_aliases.add(alias.asname or alias.name)

    def find(line: int, text: str) -> None:
        entry = f"line {line}: {text}"
        if entry not in findings:
            findings.append(entry)

    def visit(node: ast.AST, in_jit: bool) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            in_jit = in_jit or _is_jit(node)
        if isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                if root in BANNED_IMPORTS:
                    find(node.lineno, f"imports {alias.name}: {BANNED_IMPORTS[root]}")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            root = module.split(".")[0]
            if root in BANNED_IMPORTS:
                find(node.lineno, f"imports from {module}: {BANNED_IMPORTS[root]}")
            if not module.startswith("triton"):
                for alias in node.names:
                    if alias.name in spec.forbidden:
                        find(node.lineno, f"imports {alias.name} from {module}: the kernel must not fall back to the PyTorch op it replaces")
                    elif alias.name in BANNED_NAMES:
                        find(node.lineno, f"imports {alias.name}: {BANNED_NAMES[alias.name]}")
        elif isinstance(node, ast.Attribute):
            chain = _chain(node)
            if chain[0] not in triton_aliases:
                if node.attr in spec.forbidden:
                    find(node.lineno, f"uses {'.'.join(chain)}: the kernel must not fall back to the PyTorch op it replaces")
                elif node.attr in BANNED_NAMES:
                    find(node.lineno, f"uses {'.'.join(chain)}: {BANNED_NAMES[node.attr]}")
        elif isinstance(node, ast.Name) and node.id in BANNED_NAMES and isinstance(node.ctx, ast.Load):
            find(node.lineno, f"uses {node.id}: {BANNED_NAMES[node.id]}")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Attribute) and _chain(sub)[0] in TIMER_ROOTS:
                        find(node.lineno, f"assigns to {'.'.join(_chain(sub))}: patching the timer or the libraries is not allowed")
                    if isinstance(sub, ast.Name) and sub.id == "__builtins__":
                        find(node.lineno, "assigns to __builtins__")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult) and not in_jit and AT_OPERATOR in spec.forbidden:
            find(node.lineno, "uses the @ operator outside a Triton kernel: the kernel must not fall back to torch.matmul")
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            find(node.lineno, "keeps state between calls (global/nonlocal): results must be computed on every call")
        for child in ast.iter_child_nodes(node):
            visit(child, in_jit)

    visit(tree, False)
    return findings


# --- runners -----------------------------------------------------------------------------------


@dataclass
class RunReport:
    exit_code: int | None
    # Each message as sent, plus "_received": this side's monotonic clock, when known; a
    # RefusedLine (forge_tui.runner.answers) stands for a line that was not parsed, and says why.
    results: list
    output: str
    duration_s: float
    timed_out: bool = False
    runner: str = ""


Runner = Callable[..., RunReport]  # runner(script, workdir, args, readable, timeout) -> RunReport

WALL_CALLS = 50  # calls the child makes between "wall-start" and "wall-end" on a GPU
RESULT_BYTES = Limits().result_bytes  # the result channel's cap, the same as the lab runner's


def _child_env(workdir: Path, result_fd: int = 3) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key in ("PATH", "LD_LIBRARY_PATH", "TRITON_INTERPRET", "CUDA_VISIBLE_DEVICES", "CUDA_HOME", "LANG")}
    env.update(HOME=str(workdir), TRITON_CACHE_DIR=str(workdir / ".triton"), PYTHONDONTWRITEBYTECODE="1",
               NEURALFORGE_RESULT_FD=str(result_fd))
    return env


def _read_results(stream, results: list, stop_child: Callable[[], None]) -> None:
    """Read the result channel until it closes. Every line goes through the game's bounded
    parser (`parse_line`: no line deeper or with more values than a lab's answer may have is
    handed to `json.loads`); a refused line is kept as its RefusedLine, a line that is not JSON
    is dropped, and each message is stamped with this side's clock as it arrives. Past
    RESULT_BYTES in all, reading stops and `stop_child` is called."""
    seen = 0
    pending = bytearray()
    while chunk := stream.read(65536):
        seen += len(chunk)
        if seen > RESULT_BYTES:
            results.append(RefusedLine(f"more than {RESULT_BYTES:,} bytes of results were sent"))
            stop_child()
            return
        pending += chunk
        if b"\n" not in chunk:
            continue
        *lines, rest = bytes(pending).split(b"\n")
        pending = bytearray(rest)
        for line in lines:
            stamp = time.monotonic()
            try:
                message = parse_line(line)
            except ValueError:
                continue
            if isinstance(message, dict):
                message["_received"] = stamp
            if isinstance(message, (dict, RefusedLine)):
                results.append(message)


def subprocess_runner(script: Path, workdir: Path, args: list[str], readable: list[Path], timeout: float) -> RunReport:
    """A plain child process: its own process group, scrubbed environment, a wall-time limit,
    results on a pipe (its fd in $NEURALFORGE_RESULT_FD) read by `_read_results`. No sandbox
    layers: used where `forge_tui.runner` is not available."""
    read_end, write_end = os.pipe()
    results: list = []
    started = time.monotonic()

    proc = subprocess.Popen(
        [sys.executable, "-I", str(script), *args], cwd=workdir, env=_child_env(workdir, write_end),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        pass_fds=(write_end,), start_new_session=True,
    )
    os.close(write_end)

    def stop_child() -> None:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)  # the child's own process group, started above

    def pump() -> None:
        with os.fdopen(read_end, "rb", buffering=0) as stream:
            _read_results(stream, results, stop_child)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    timed_out = False
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, 9)  # the child's own process group, started above
        output, _ = proc.communicate()
    reader.join(timeout=5)
    return RunReport(proc.returncode, results, output.decode("utf-8", "replace")[-4000:],
                     time.monotonic() - started, timed_out, runner="subprocess (forge_tui.runner not available)")


def default_runner() -> Runner:
    """The runner a judged kernel goes through. For now a plain subprocess: `forge_tui.runner`
    (the sandbox) is being built beside this; once it offers `Sandbox.run_python`, an adapter
    returning a RunReport goes here. It must stamp each result message with this side's clock
    as it arrives ("_received"), or the wall-clock cross-check of GPU timings cannot run."""
    return subprocess_runner


# --- verdict -----------------------------------------------------------------------------------


def timing_consistent(median_ms: float, calls: int, wall_s: float, overhead_s: float) -> bool:
    """Could `calls` calls of a kernel whose GPU time is `median_ms` have taken `wall_s` on the
    wall clock outside the child? Launch overhead (measured with an empty launch) and slack for
    the L2 flushes the median excludes are allowed; a timing several times too fast is not."""
    expected = calls * (median_ms * 1e-3 + overhead_s)
    return wall_s <= 3.0 * expected + 0.05


def guess_kernel(source: str) -> str | None:
    from forge_tui.kernels.harness import NAMES

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    defined = [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in NAMES]
    return defined[0] if len(defined) == 1 else None


def _load_output(path: Path, dtype_name: str):
    import numpy as np
    import torch

    from forge_tui.kernels import common

    array = np.load(path, allow_pickle=False)
    tensor = torch.from_numpy(array)
    if dtype_name in ("bf16", "fp16"):
        if tensor.dtype != torch.int16:
            raise ValueError("output file holds the wrong type")
        tensor = tensor.view(common.DTYPES[dtype_name])
    return tensor


def judge_file(path: Path, kernel_name: str | None = None, *, runner: Runner | None = None,
               timeout: float = 600.0, seeds: list[int] | None = None) -> dict:
    """Judge one player's kernel file; the entry has the same keys as a reference kernel's."""
    from forge_tui.kernels import common

    source = path.read_text(encoding="utf-8")
    kernel_name = kernel_name or guess_kernel(source)
    entry = {"name": kernel_name or "?", "source": str(path), "checks": [], "rejections": []}
    if kernel_name is None:
        entry.update(verdict="rejected", rejections=["cannot tell which kernel the file implements: name it"])
        return entry
    spec = common.SPECS[kernel_name]
    entry["title"] = spec.title
    findings = static_check(source, kernel_name)
    if findings:
        entry.update(verdict="rejected", rejections=findings)
        return entry

    gpu = common.device() == "cuda"
    dev = "cuda" if gpu else "cpu"
    shapes = spec.gpu_check_shapes if gpu else spec.check_shapes
    rng = secrets.SystemRandom()
    cases = []
    for dtype_name in spec.check_dtypes:
        for shape in shapes:
            cases.append({"shape": list(shape), "dtype": dtype_name})
    # The first shape again with another seed, after the timed runs: a cache would show.
    cases.append({"shape": list(shapes[0]), "dtype": spec.check_dtypes[0], "after_timing": True})
    for index, case in enumerate(cases):
        case["id"] = index
        case["seed"] = seeds[index % len(seeds)] if seeds else rng.randrange(1, 2**31)
    timed = []
    if gpu:
        for index, shape in enumerate(spec.bench_shapes):
            timed.append({"id": f"t{index}", "shape": list(shape), "dtype": spec.bench_dtypes[0], "seed": rng.randrange(1, 2**31)})

    workdir = Path(tempfile.mkdtemp(prefix="nf-kernel-"))
    try:
        shutil.copyfile(path, workdir / "player_kernel.py")
        request = {"kernel": kernel_name, "kernel_file": "player_kernel.py", "gpu": gpu, "cases": cases,
                   "timed": timed, "wall_calls": WALL_CALLS}
        (workdir / "request.json").write_text(json.dumps(request), encoding="utf-8")
        run = (runner or default_runner())(HERE / "child.py", workdir, ["request.json"], [HERE], timeout)
        entry["runner"] = run.runner
        # Messages whose id this side could have sent (a case number, a timed case's name, or none).
        messages = [m for m in run.results if isinstance(m, dict) and isinstance(m.get("id"), (int, str, type(None)))]
        entry["rejections"] = [str(m.get("reason"))[:400] for m in messages if m.get("event") == "rejected"]
        entry["rejections"] += [f"your kernel's process sent a result line the judge will not read: {m.reason}"
                                for m in run.results if isinstance(m, RefusedLine)]
        if run.timed_out:
            entry["rejections"].append(f"ran past the {timeout:g} s limit")
        errors = {m.get("id"): str(m.get("message"))[:400] for m in messages if m.get("event") == "error"}
        if None in errors:
            entry["checks"].append({"ok": False, "detail": errors[None]})
        outputs = {m.get("id"): m for m in messages if m.get("event") == "output"}
        for case in cases:
            shape = tuple(case["shape"])
            record = {"shape": case["shape"], "dtype": case["dtype"], "seed": case["seed"]}
            if case.get("after_timing"):
                record["after_timing"] = True
            if case["id"] in errors:
                entry["checks"].append({**record, "ok": False, "detail": f"raised {errors[case['id']]}"})
                continue
            message = outputs.get(case["id"])
            if message is None:
                if None not in errors and not entry["rejections"]:
                    entry["checks"].append({**record, "ok": False, "detail": "no output came back" + _tail(run.output)})
                continue
            try:
                got = _load_output(workdir / Path(message["file"]).name, case["dtype"])
            except Exception as exc:  # noqa: BLE001 - the child wrote the file; trust nothing in it
                entry["checks"].append({**record, "ok": False, "detail": f"unreadable output: {exc}"})
                continue
            inputs = spec.make_inputs(shape, common.DTYPES[case["dtype"]], case["seed"], dev)
            tol = common.tolerance_class(spec, case["dtype"], gpu)
            result = common.compare(got.to(dev), common.reference(spec, inputs, shape), tol)
            entry["checks"].append({**record, "ok": result.ok, "detail": result.describe(), "tolerance": tol,
                                    "worst_vs_tolerance": result.max_rel_error})
        if gpu:
            entry["bench"] = _timings(messages, timed, entry["rejections"])
        else:
            entry["note"] = "no GPU: Triton interpreter, correctness only; no timing was taken"
        if not entry["rejections"] and not any(m.get("event") == "done" for m in messages) and all(c["ok"] for c in entry["checks"]):
            entry["rejections"].append("the run ended before it finished" + _tail(run.output))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if entry["rejections"]:
        entry["verdict"] = "rejected"
    elif entry["checks"] and all(c["ok"] for c in entry["checks"]):
        entry["verdict"] = "pass"
    else:
        entry["verdict"] = "fail"
    return entry


def _tail(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return f" (last output: {lines[-1][:200]})" if lines else ""


def _timings(messages: list[dict], timed: list[dict], rejections: list[str], calls: int = WALL_CALLS) -> list[dict]:
    """Timings the child reported, each cross-checked against this side's wall clock over the
    `calls` calls this side asked for (never a count the child states). A timing that is not a
    positive number is refused."""
    starts = {m.get("id"): m for m in messages if m.get("event") == "wall-start"}
    ends = {m.get("id"): m for m in messages if m.get("event") == "wall-end"}

    def wall(case_id):
        if case_id in starts and case_id in ends and "_received" in starts[case_id]:
            return ends[case_id]["_received"] - starts[case_id]["_received"]
        return None

    base_wall = wall("baseline")
    overhead = base_wall / calls if base_wall is not None else 0.0
    rows = []
    for message in (m for m in messages if m.get("event") == "timing"):
        case = next((c for c in timed if c["id"] == message.get("id")), None)
        if case is None:
            continue
        median_ms = message.get("median_ms")
        if type(median_ms) not in (int, float) or not 0 < median_ms < math.inf:
            rejections.append(f"reported a timing that is not a positive number ({str(median_ms)[:40]})")
            continue
        row = {"shape": case["shape"], "dtype": case["dtype"], "ms": median_ms, "reps": message.get("reps")}
        wall_s = wall(message.get("id"))
        if wall_s is None:
            row["wall_check"] = "unavailable with this runner"
        else:
            row["wall_ms_per_call"] = 1e3 * wall_s / calls
            if not timing_consistent(median_ms, calls, wall_s, overhead):
                rejections.append(
                    f"reported {median_ms:.4f} ms per call, but {calls} calls took "
                    f"{1e3 * wall_s / calls:.4f} ms each on the wall clock outside the kernel's process"
                )
        rows.append(row)
    return rows
