"""The boss engine: load a module's boss, make a fight, run it in the sandbox, judge each case.

A boss lives in `bosses/<module-id>/`:
  boss.py       ENTRY, TIME_LIMIT_S, cases(rng) -> [case], judge(case, got) -> (passed, expected, message)
  reference.py  a lab that wins;  wrong/*.py  plausible labs that must lose.
`boss.py` is trusted and imported here, in the game's process; the player's lab runs in a
sandboxed child that receives only the cases' inputs (never the expected values) and sends one
JSON message per case. The judge decides: a missing or malformed answer, a crash, a non-zero
exit or a time-out loses that case and every case after it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable

from forge_tui.runner import Limits, RunResult, Sandbox


@dataclass(frozen=True)
class Boss:
    id: str
    directory: Path
    module: ModuleType
    entry: str
    time_limit_s: float

    @property
    def reference_path(self) -> Path:
        return self.directory / "reference.py"

    @property
    def wrong_paths(self) -> list[Path]:
        return sorted((self.directory / "wrong").glob("*.py"))


@dataclass(frozen=True)
class CaseReport:
    index: int
    name: str
    summary: str
    passed: bool
    expected: str
    got_summary: str
    message: str
    hint: str


@dataclass(frozen=True)
class FightReport:
    won: bool
    cases: list[CaseReport]
    message: str
    protections: str
    duration_s: float
    seed: int = 0
    run: RunResult | None = None

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.cases)


def load_boss(module_id: str, root: Path | None = None) -> Boss | None:
    """The boss of `module_id`, or None when that module has no boss yet."""
    if root is None:
        from forge_tui.locations import bosses_directory

        root = bosses_directory()
    directory = Path(root) / module_id
    path = directory / "boss.py"
    if not path.is_file():
        return None
    name = f"forge_tui._boss_{module_id.replace('-', '_')}_{abs(hash(str(directory))):x}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return Boss(id=module_id, directory=directory, module=module, entry=str(module.ENTRY),
                time_limit_s=float(getattr(module, "TIME_LIMIT_S", 10.0)))


def summarize(value, limit: int = 120) -> str:
    """A short, one-line description of a value that came back from the lab."""
    if isinstance(value, list):
        shape = []
        probe = value
        while isinstance(probe, list):
            shape.append(len(probe))
            probe = probe[0] if probe else None
        if len(shape) > 1 or len(value) > 8:
            text = json.dumps(value, allow_nan=True)
            if len(text) <= limit:
                return text
            return f"a list of shape {tuple(shape)}"
    try:
        text = json.dumps(value, allow_nan=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


PACKED_DTYPES = ("float64", "float32", "float16", "int64", "int32", "int16", "int8",
                 "uint64", "uint32", "uint16", "uint8", "bool")


def _pack_inputs(value):
    """Inputs for the child: each {"__ndarray__": lists} becomes a base64 block of raw bytes
    (parsing megabytes of JSON numbers would cost more than the whole fight)."""
    import numpy as np

    from forge_tui.runner.child import pack

    if isinstance(value, dict):
        if "__ndarray__" in value:
            array = np.asarray(value["__ndarray__"], dtype=value.get("dtype", "float64"))
            return pack(array) if array.dtype.name in PACKED_DTYPES else value
        return {k: _pack_inputs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pack_inputs(v) for v in value]
    return value


def _unpack_answer(value, depth: int = 0):
    """The child's answer as the judge expects it: packed arrays back to nested lists.
    The bytes come from untrusted code: dtype, shape and length are checked."""
    if depth > 100:
        raise ValueError("nested too deep")
    if isinstance(value, dict):
        if "__nd__" in value:
            import base64

            import numpy as np

            dtype_name, shape = value.get("dtype"), value.get("shape")
            if dtype_name not in PACKED_DTYPES or not isinstance(shape, list) or len(shape) > 32:
                raise ValueError("malformed array")
            if not all(isinstance(n, int) and n >= 0 for n in shape):
                raise ValueError("malformed array shape")
            dtype = np.dtype(dtype_name).newbyteorder("<")
            raw = base64.b64decode(str(value["__nd__"]), validate=True)
            if len(raw) != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
                raise ValueError("array size does not match its shape")
            return np.frombuffer(raw, dtype=dtype).reshape(shape).tolist()
        return {k: _unpack_answer(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_unpack_answer(v, depth + 1) for v in value]
    return value


def _child_case(case: dict) -> dict:
    """Only what the child needs: the call or the script; never names, hints or expected values."""
    if "script" in case:
        return {"script": case["script"]}
    call = case["call"]
    return {"call": {"function": call["function"], "args": _pack_inputs(call.get("args", [])),
                     "kwargs": _pack_inputs(call.get("kwargs", {}))}}


def _lost_reason(run: RunResult) -> str:
    if run.outcome == "ok":
        return "no answer came back for this case (the lab stopped before answering)"
    if run.outcome == "exit":
        return f"no answer: the lab {run.message}"
    return f"no answer: {run.message}"


async def fight(boss: Boss, lab_path: Path, sandbox: Sandbox, *, seed: int | None = None,
                on_case: Callable[[CaseReport], None] | None = None,
                on_output: Callable[[str], None] | None = None) -> FightReport:
    import numpy as np

    started = time.monotonic()
    seed = secrets.randbits(64) if seed is None else seed
    cases = boss.module.cases(np.random.default_rng(seed))
    reports: dict[int, CaseReport] = {}

    def report(index: int, passed: bool, expected: str, got: str, message: str) -> None:
        case = cases[index]
        item = CaseReport(index, str(case.get("name", f"case {index + 1}")), str(case.get("summary", "")),
                          passed, expected, got, message, str(case.get("hint", "")) if not passed else "")
        reports[index] = item
        if on_case:
            on_case(item)

    def on_result(message) -> None:
        if not isinstance(message, dict):
            return
        index = message.get("case")
        if not isinstance(index, int) or not 0 <= index < len(cases) or index in reports:
            return
        if any(i not in reports for i in range(index)):
            return  # answers arrive in order; one that skips ahead is not trusted
        if not message.get("ok"):
            error = str(message.get("error", "the case failed"))[:300]
            report(index, False, "", "an error", f"your code raised {error}")
            return
        try:
            got = _unpack_answer(message.get("value"))
        except (ValueError, TypeError):
            report(index, False, "", "a malformed answer", "the answer that came back was malformed")
            return
        try:
            passed, expected, verdict = boss.module.judge(cases[index], got)
        except Exception as exc:  # noqa: BLE001 - a judge that cannot read the answer: malformed
            passed, expected, verdict = False, "", f"the answer could not be checked ({type(exc).__name__}: malformed)"
        report(index, bool(passed), str(expected), summarize(got), str(verdict))

    workdir = Path(tempfile.mkdtemp(prefix="neuralforge-boss-"))
    limits = Limits(wall_s=boss.time_limit_s, cpu_s=boss.time_limit_s)
    try:
        run = await sandbox.run_cases(Path(lab_path), [_child_case(c) for c in cases], workdir=workdir,
                                      limits=limits, on_output=on_output, on_result=on_result)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for index in range(len(cases)):
        if index not in reports:
            report(index, False, "", "nothing", _lost_reason(run))
    ordered = [reports[i] for i in range(len(cases))]
    passed = sum(c.passed for c in ordered)
    won = passed == len(ordered) and run.outcome == "ok"
    if won:
        message = f"Victory: all {len(ordered)} cases passed."
    elif passed == len(ordered):
        message = f"Defeat: every case passed, but the lab then {run.message}."
    else:
        first = next(c for c in ordered if not c.passed)
        message = f"Defeat: {passed}/{len(ordered)} cases passed; first failure: {first.name}: {first.message}"
    return FightReport(won, ordered, message, sandbox.describe(), time.monotonic() - started, seed, run)


def fight_sync(boss: Boss, lab_path: Path, sandbox: Sandbox, **kwargs) -> FightReport:
    return asyncio.run(fight(boss, lab_path, sandbox, **kwargs))
