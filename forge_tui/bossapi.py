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


def compare(got, want, *, rtol: float = 0.0, atol: float = 1e-9, relative: bool = False,
            name: str = "the answer", layout: str = "") -> tuple[bool, str]:
    """(close enough, "" or one line for the player saying what differs).

    Entry by entry, |got - want| may be at most atol + rtol·|want|; `relative` scales atol by
    max(1, |want|) (absolute below 1, relative above: for gradients and long sums). Checked in
    order: numbers at all, the shape (`layout` names the expected axes, e.g. "(batch, seq, d)"),
    nan/inf, then the worst entry: where, both values, by how much, what was allowed, and how
    many entries are off.
    """
    try:
        got = np.asarray(got)
    except (TypeError, ValueError):  # ragged lists
        return False, f"{name} is not an array of numbers"
    if got.dtype.kind not in "biuf":  # None, text, dicts: never read as nan
        return False, f"{name} is not an array of numbers"
    got = got.astype(np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return False, f"{name} has shape {got.shape}, expected {want.shape}" + (f" {layout}" if layout else "")
    if not np.all(np.isfinite(got)):
        where = tuple(np.argwhere(~np.isfinite(got))[0])
        return False, f"{name}{_index(where)} is {got[where]}, expected {want[where]:.9g}"
    error = np.abs(got - want)
    allowed = atol * (np.maximum(1.0, np.abs(want)) if relative else 1.0) + rtol * np.abs(want)
    if np.all(error <= allowed):
        return True, ""
    worst = np.unravel_index(int(np.argmax(error - allowed)), error.shape)
    allowed = np.broadcast_to(allowed, error.shape)
    off = f"; {int(np.sum(~(error <= allowed)))} of {error.size} entries are off" if error.size > 1 else ""
    return False, (f"{name}{_index(worst)} is {got[worst]:.9g}, expected {want[worst]:.9g} "
                   f"(off by {error[worst]:.2g}; allowed {allowed[worst]:.2g}{off})")


def _index(index) -> str:
    """An entry's index as the player would write it, [i, j]; nothing for a scalar."""
    return str([int(i) for i in index]) if len(index) else ""
