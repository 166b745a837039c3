"""What a boss (and a module's lab checks) declares, and the helpers every judge shares.

A boss is a trusted file, `bosses/<module-id>/boss.py`, that satisfies `BossModule`; its lab checks,
`bosses/<module-id>/checks.py`, satisfy `ChecksModule`. Both run in the game's process, never in the
sandbox. The helpers below are the one copy of what judges need: arrays in the engine's JSON form,
a tolerant comparison that says what differs, and a case builder.

Optional, for a compiled path (see `forge_tui/boss.py`): `C_DRIVER`, `C_HEADER` (file names in
`c/`), `RUST_DRIVER`, `RUST_SIGNATURE` (in `rust/`; one signature per line when the driver calls
several functions), `c_stdin(cases) -> str` and `c_answer(case, value) -> (got, problem)`, both
required once a driver is named. Lab checks with a compiled path also declare `native_checks()`:
the checks of the C and Rust labs (see `forge_tui/labcheck.py`).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class BossModule(Protocol):
    ENTRY: str  # the function of the lab the boss calls (or the main one it judges)
    TIME_LIMIT_S: float  # the whole fight, on 2 cores, measured on the reference with margin

    def cases(self, rng: np.random.Generator) -> list[dict]:
        """This fight's cases, drawn from `rng` (a fresh secret seed for a fight that counts):
        {"name", "summary", "hint", "call": {"function", "args", "kwargs"}} or {..., "script"}."""

    def judge(self, case: dict, got: Any) -> tuple[bool, str, str]:
        """(passed, the expected value as text, one line for the learner)."""


@runtime_checkable
class ChecksModule(Protocol):
    def checks(self) -> list[dict]:
        """The lab checks, the same list every time, in the form of boss cases."""

    def judge(self, check: dict, got: Any) -> tuple[bool, str, str]:
        """(passed, the expected value as text, one line for the learner)."""


REQUIRED = {"boss": ("ENTRY", "cases", "judge"), "checks": ("checks", "judge")}
DRIVERS = ("C_DRIVER", "RUST_DRIVER")
# What a file that names a compiled driver must also declare, by kind.
REQUIRED_WITH_A_DRIVER = {"boss": ("c_stdin", "c_answer"), "checks": ("native_checks", "c_stdin", "c_answer")}


class ContractError(Exception):
    """A boss or checks file that does not declare what its kind must: names the file and what lacks."""


def contract_problems(module: ModuleType, kind: str) -> list[str]:
    """What `module` lacks of its contract ("boss" or "checks"), one phrase each."""
    required = REQUIRED[kind]
    if any(getattr(module, driver, None) for driver in DRIVERS):
        required += REQUIRED_WITH_A_DRIVER[kind]
    return [f"does not define {name}" for name in required if not hasattr(module, name)]


def load_trusted(path: Path, kind: str) -> ModuleType:
    """Import the trusted file at `path` (a boss or its checks, in the game's process) and check its
    contract. The module gets a name of its own, so two folders with one id never clash."""
    import importlib.util
    import sys

    name = f"forge_tui._{kind}_{path.parent.name.replace('-', '_')}_{abs(hash(str(path))):x}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    problems = contract_problems(module, kind)
    if problems:
        sys.modules.pop(name, None)
        raise ContractError(f"{path}: " + "; ".join(problems))
    return module


# ---------------------------------------------------------------- helpers for judges

def encode_array(array) -> dict:
    """An array in the engine's JSON form: the sandbox side decodes it back to an ndarray."""
    array = np.asarray(array)
    return {"__ndarray__": array.tolist(), "dtype": str(array.dtype)}


def decode_array(value, dtype=None) -> np.ndarray:
    """The inverse of `encode_array`; anything else as an array (of `dtype` when given)."""
    if isinstance(value, dict) and "__ndarray__" in value:
        return np.array(value["__ndarray__"], dtype=value["dtype"])
    return np.asarray(value, dtype=dtype)


def call(name: str, summary: str, hint: str, function: str, *args, **kwargs) -> dict:
    """A case that calls `function(*args, **kwargs)` in the lab (arrays already encoded)."""
    return {"name": name, "summary": summary, "hint": hint,
            "call": {"function": function, "args": list(args), "kwargs": kwargs}}


def compare(got, want, *, rtol: float = 1e-6, atol: float = 1e-9) -> tuple[bool, str]:
    """(close enough, "" or what differs): shape first, then nan/inf, then the largest error."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False, "the answer is not an array of numbers"
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return False, f"shape {got.shape}, expected {want.shape}"
    if not np.all(np.isfinite(got)):
        return False, "the answer holds nan or inf"
    error = np.abs(got - want)
    allowed = atol + rtol * np.abs(want)
    if np.all(error <= allowed):
        return True, ""
    worst = np.unravel_index(int(np.argmax(error - allowed)), error.shape) if error.ndim else ()
    where = f" at {tuple(int(i) for i in worst)}" if worst else ""
    return False, f"off by {float(error[worst]):.3g}{where} (allowed {float(allowed[worst]):.3g})"
