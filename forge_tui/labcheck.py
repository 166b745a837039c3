"""Graded lab checks: many small, public wins per module, judged like a boss fight.

A module's checks live beside its boss, in `bosses/<module-id>/checks.py`:
  checks() -> [check]          deterministic: the same list every time, in the order shown
  judge(check, got) -> (passed, expected, message)
  TIME_LIMIT_S                 optional, for the whole list (default 10 s)
Each check has the form of a boss case ({"name", "summary", "hint", "call": {...}} or
{"name", "summary", "hint", "script": "..."}) and runs through the same sandbox, driver and answer
decoding. Unlike the boss, the checks are public: a failure shows the input, the expected value,
what came back and a hint, and nothing is recorded but how many passed.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable

from forge_tui.boss import CaseReport, _lost_reason, _Tally, child_case
from forge_tui.runner import Limits, RunResult, Sandbox

CHECKS_FILE = "checks.py"
DEFAULT_TIME_LIMIT_S = 10.0


@dataclass(frozen=True)
class LabChecks:
    """One module's checks, loaded from its boss folder."""

    id: str
    directory: Path
    module: ModuleType
    time_limit_s: float

    def cases(self) -> list[dict]:
        return list(self.module.checks())


@dataclass(frozen=True)
class CheckReport:
    """The verdict of one check run: one report per check, in order."""

    results: list[CaseReport]
    message: str
    duration_s: float
    run: RunResult | None = None

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def all_passed(self) -> bool:
        return self.total > 0 and self.passed == self.total

    @property
    def passed_names(self) -> list[str]:
        return [r.name for r in self.results if r.passed]


def load_checks(module_id: str, root: Path | None = None) -> LabChecks | None:
    """The checks of `module_id`, or None when that module has none yet."""
    if root is None:
        from forge_tui.locations import bosses_directory

        root = bosses_directory()
    directory = Path(root) / module_id
    path = directory / CHECKS_FILE
    if not path.is_file():
        return None
    from forge_tui.bossapi import load_trusted

    module = load_trusted(path, "checks")
    limit = float(getattr(module, "TIME_LIMIT_S", DEFAULT_TIME_LIMIT_S))
    return LabChecks(id=module_id, directory=directory, module=module, time_limit_s=limit)


def _summary(report_results: list[CaseReport], run: RunResult) -> str:
    passed = sum(r.passed for r in report_results)
    total = len(report_results)
    if total and passed == total and run.outcome == "ok":
        return f"All {total} checks pass."
    failed = next((r for r in report_results if not r.passed), None)
    text = f"{passed}/{total} checks pass"
    return f"{text}; first failure: {failed.name}: {failed.message}" if failed else f"{text}; the lab then {run.message}"


async def check_lab(checks: LabChecks, lab_path: Path, sandbox: Sandbox, *,
                    on_check: Callable[[CaseReport], None] | None = None,
                    on_output: Callable[[str], None] | None = None) -> CheckReport:
    """Run every check against the Python lab at `lab_path` in the sandbox."""
    started = time.monotonic()
    cases = checks.cases()
    tally = _Tally(cases, on_check)
    if Path(lab_path).suffix != ".py":
        run = RunResult("error", None, None, "checks run on Python labs only in this version", "")
        tally.lose_the_rest("this module's checks run on the Python lab; switch the lab to Python to run them")
        return CheckReport([tally.reports[i] for i in range(len(cases))], run.message,
                           time.monotonic() - started, run)
    workdir = Path(tempfile.mkdtemp(prefix="neuralforge-checks-"))
    limits = Limits(wall_s=checks.time_limit_s, cpu_s=checks.time_limit_s)
    try:
        run = await sandbox.run_cases(Path(lab_path), [child_case(c) for c in cases], workdir=workdir,
                                      limits=limits, on_output=on_output,
                                      on_result=lambda message: tally.on_result(checks, message))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    tally.lose_the_rest(_lost_reason(run))
    results = [tally.reports[i] for i in range(len(cases))]
    return CheckReport(results, _summary(results, run), time.monotonic() - started, run)


def check_lab_sync(checks: LabChecks, lab_path: Path, sandbox: Sandbox, **kwargs) -> CheckReport:
    import asyncio

    return asyncio.run(check_lab(checks, lab_path, sandbox, **kwargs))
