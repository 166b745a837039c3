"""The driver that runs a player's kernel inside the sandboxed child.

Self-contained (torch, triton, numpy, standard library): the runner starts it by path with
`python -I child.py request.json`, in the run's working directory, where `forge_tui` cannot
be imported. It loads `common.py` from beside itself, imports the player's file, and for each
case sends a message on the result channel (fd 3, or $NEURALFORGE_RESULT_FD):

  {"event": "output", "id": ..., "file": "out_3.npy", "dtype": "bf16"}   the kernel's output
  {"event": "rejected", "reason": ...}                               a runtime check tripped
  {"event": "error", "id": ..., "message": ...}                          the kernel raised
  {"event": "timing", ...}, {"event": "wall-start"|"wall-end", ...}      GPU only
  {"event": "done"}

It never sees an expected answer: the trusted side regenerates the inputs from the seeds,
computes the reference and compares. The checks here (timer references taken before the
player's code ran, a trap on PyTorch compute ops and on other streams during each call,
inputs and outputs watched for late writes) raise the cost of cheating; the wall clock
that cross-checks GPU timings is read outside this process.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import threading
import time

# Trusted references, taken before any player code runs.
_perf_counter, _monotonic, _time = time.perf_counter, time.monotonic, time.time
_RESULT_FD = int(os.environ.get("NEURALFORGE_RESULT_FD", "3"))
_HERE = os.path.dirname(os.path.abspath(__file__))

import torch  # noqa: E402
import triton  # noqa: E402
import triton.testing  # noqa: E402

_TIMERS = {
    "time.perf_counter": (time, "perf_counter", _perf_counter),
    "time.perf_counter_ns": (time, "perf_counter_ns", time.perf_counter_ns),
    "time.monotonic": (time, "monotonic", _monotonic),
    "time.time": (time, "time", _time),
    "torch.cuda.Event": (torch.cuda, "Event", torch.cuda.Event),
    "torch.cuda.Event.record": (torch.cuda.Event, "record", torch.cuda.Event.record),
    "torch.cuda.Event.elapsed_time": (torch.cuda.Event, "elapsed_time", torch.cuda.Event.elapsed_time),
    "torch.cuda.synchronize": (torch.cuda, "synchronize", torch.cuda.synchronize),
    "torch.cuda.current_stream": (torch.cuda, "current_stream", torch.cuda.current_stream),
    "triton.testing.do_bench": (triton.testing, "do_bench", triton.testing.do_bench),
}
_Event, _synchronize = torch.cuda.Event, torch.cuda.synchronize

# PyTorch ops a kernel's Python wrapper may use: allocation, views, metadata, copies. Anything
# else computing on tensors during the call is the kernel falling back to PyTorch.
ALLOWED_ATEN = frozenset("""
empty empty_like empty_strided new_empty new_empty_strided zeros zeros_like zero_ fill_ full full_like
ones_like new_zeros new_full arange view _unsafe_view reshape as_strided t transpose permute expand
unsqueeze squeeze select slice detach alias lift_fresh clone copy_ _to_copy contiguous
_local_scalar_dense is_same_size sym_size sym_stride sym_numel sym_storage_offset resize_ set_
""".split())


def send(message: dict) -> None:
    data = (json.dumps(message, allow_nan=True, separators=(",", ":")) + "\n").encode()
    view = memoryview(data)
    while view:
        view = view[os.write(_RESULT_FD, view):]


def _load(name: str, path: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def patched_timers() -> list[str]:
    return [name for name, (owner, attr, original) in _TIMERS.items() if getattr(owner, attr, None) is not original]


def _package_dir(module) -> str:
    return os.path.dirname(os.path.abspath(module.__file__)) + os.sep


_TORCH_DIR, _TRITON_DIR = _package_dir(torch), _package_dir(triton)


class Trap:
    """While a player's call runs: record PyTorch compute ops issued from the player's code and
    any attempt to make or switch CUDA streams."""

    def __init__(self) -> None:
        from torch.utils._python_dispatch import TorchDispatchMode

        trap = self
        self.violations: list[str] = []

        class Mode(TorchDispatchMode):
            def __torch_dispatch__(self, func, types, args=(), kwargs=None):
                name = func.overloadpacket.__name__ if hasattr(func, "overloadpacket") else str(func)
                if name not in ALLOWED_ATEN and trap._from_player():
                    trap.violations.append(f"called the PyTorch op aten.{name} inside the kernel call")
                return func(*args, **(kwargs or {}))

        self.mode = Mode()
        self.saved: list[tuple[object, str, object]] = []

    @staticmethod
    def _from_player() -> bool:
        """True if the innermost frame outside torch is neither triton (the interpreter moves
        tensors with torch ops) nor this driver."""
        frame = sys._getframe(2)
        while frame is not None:
            filename = os.path.abspath(frame.f_code.co_filename)
            if not filename.startswith(_TORCH_DIR):
                return not (filename.startswith(_TRITON_DIR) or filename == os.path.abspath(__file__))
            frame = frame.f_back
        return False

    def _stream_trap(self, what: str):
        def refuse(*args, **kwargs):
            self.violations.append(f"used {what}: kernels must run on the current stream")
            raise RuntimeError(f"{what} is not allowed in a judged kernel")

        return refuse

    def __enter__(self):
        for attr in ("Stream", "stream", "set_stream", "ExternalStream"):
            if hasattr(torch.cuda, attr):
                self.saved.append((torch.cuda, attr, getattr(torch.cuda, attr)))
                setattr(torch.cuda, attr, self._stream_trap(f"torch.cuda.{attr}"))
        self.mode.__enter__()
        return self

    def __exit__(self, *exc):
        self.mode.__exit__(*exc)
        for owner, attr, value in self.saved:
            setattr(owner, attr, value)
        self.saved.clear()
        return False


def same_bits(a, b) -> bool:
    as_int = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}[a.element_size()]
    return bool(torch.equal(a.contiguous().view(as_int), b.contiguous().view(as_int)))


def save_output(out, path: str) -> None:
    import numpy as np

    host = out.detach().to("cpu").contiguous()
    if host.dtype in (torch.bfloat16, torch.float16):
        array = host.view(torch.int16).numpy()  # the exact bits; the judge views them back
    else:
        array = host.numpy()
    np.save(path, array, allow_pickle=False)


def main(request_path: str) -> int:
    with open(request_path, encoding="utf-8") as handle:
        request = json.load(handle)
    common = _load("nf_kernel_common", os.path.join(_HERE, "common.py"))
    common.patch_interpreter_bf16_dot()
    spec = common.SPECS[request["kernel"]]
    dev = "cuda" if request.get("gpu") else "cpu"
    stream_before = torch.cuda.current_stream() if dev == "cuda" else None
    threads_before = threading.active_count()

    try:
        player = _load("player_kernel", os.path.abspath(request["kernel_file"]))
    except BaseException as exc:  # noqa: BLE001 - the player's import is the player's code
        send({"event": "error", "id": None, "message": f"your kernel failed to import: {type(exc).__name__}: {exc}"[:400]})
        return 0
    kernel = getattr(player, spec.name, None)
    if not callable(kernel):
        send({"event": "error", "id": None, "message": f"your file has no function `{spec.name}`"})
        return 0

    def integrity(stage: str) -> bool:
        patched = patched_timers()
        if patched:
            send({"event": "rejected", "reason": f"patched the timer ({', '.join(patched)}) {stage}"})
            return False
        if threading.active_count() > threads_before:
            send({"event": "rejected", "reason": f"started a thread {stage}: results must be computed inside the call"})
            return False
        if dev == "cuda" and torch.cuda.current_stream() != stream_before:
            send({"event": "rejected", "reason": f"switched the current CUDA stream {stage}"})
            return False
        return True

    if not integrity("when imported"):
        return 0

    kept = []  # (id, out, snapshot): outputs must not change after the call has returned

    def run_case(case: dict) -> bool:
        shape = tuple(case["shape"])
        dtype = common.DTYPES[case["dtype"]]
        inputs = spec.make_inputs(shape, dtype, case["seed"], dev)
        given = {name: t.clone() for name, t in inputs.items()}
        out = torch.full(common.out_shape(spec, shape), float("nan"), dtype=dtype, device=dev)
        trap = Trap()
        try:
            with trap:
                kernel(*common.call_args(spec, given, shape, out))
            if dev == "cuda":
                _synchronize()
        except BaseException as exc:  # noqa: BLE001
            if trap.violations:
                send({"event": "rejected", "reason": trap.violations[0]})
                return False
            send({"event": "error", "id": case["id"], "message": f"{type(exc).__name__}: {exc}"[:400]})
            return True
        if trap.violations:
            send({"event": "rejected", "reason": trap.violations[0]})
            return False
        if not integrity(f"during case {case['id']}"):
            return False
        touched = [name for name in inputs if not same_bits(inputs[name], given[name])]
        if touched:
            send({"event": "error", "id": case["id"], "message": f"the kernel wrote to its input(s) {', '.join(touched)}"})
            return True
        path = f"out_{case['id']}.npy"
        save_output(out, path)
        kept.append((case["id"], out, out.clone()))
        send({"event": "output", "id": case["id"], "file": path, "dtype": case["dtype"]})
        return True

    for case in request["cases"]:
        if not case.get("after_timing") and not run_case(case):
            return 0

    if dev == "cuda" and request.get("timed"):
        calls = int(request.get("wall_calls", 50))
        empty = torch.empty(1, device="cuda")
        _synchronize()
        send({"event": "wall-start", "id": "baseline", "calls": calls})
        for _ in range(calls):
            empty.zero_()  # a launch that does almost nothing: the per-call overhead
        _synchronize()
        send({"event": "wall-end", "id": "baseline"})
        for case in request["timed"]:
            shape = tuple(case["shape"])
            dtype = common.DTYPES[case["dtype"]]
            inputs = spec.make_inputs(shape, dtype, case["seed"], dev)
            out = torch.empty(common.out_shape(spec, shape), dtype=dtype, device=dev)
            args = common.call_args(spec, inputs, shape, out)
            timing = common.time_cuda(lambda: kernel(*args), event_class=_Event, synchronize=_synchronize)
            send({"event": "timing", "id": case["id"], "median_ms": timing.median_ms, "min_ms": timing.min_ms, "reps": timing.reps})
            _synchronize()
            send({"event": "wall-start", "id": case["id"], "calls": calls})
            for _ in range(calls):
                kernel(*args)
            _synchronize()
            send({"event": "wall-end", "id": case["id"]})
            if not integrity(f"while timed ({case['id']})"):
                return 0

    for case in request["cases"]:
        if case.get("after_timing") and not run_case(case):
            return 0
    time.sleep(0.05)
    for case_id, out, snapshot in kept:
        if not same_bits(out, snapshot):
            send({"event": "rejected", "reason": f"the output of case {case_id} changed after the call returned (a lazy or late write)"})
            return 0
    send({"event": "done"})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
