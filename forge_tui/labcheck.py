"""Graded lab checks: many small, public wins per module, judged like a boss fight.

A module's checks live beside its boss, in `bosses/<module-id>/checks.py`:
  checks() -> [check]          deterministic: the same list every time, in the order shown
  judge(check, got) -> (passed, expected, message)
  TIME_LIMIT_S                 optional, for the whole list (default 10 s)
Each check has the form of a boss case ({"name", "summary", "hint", "call": {...}} or
{"name", "summary", "hint", "script": "..."}) and runs through the same sandbox, driver and answer
decoding. Unlike the boss, the checks are public: a failure shows the input, the expected value,
what came back and a hint, and nothing is recorded but how many passed.

A C or Rust lab is checked as the boss fights it (`forge_tui.boss._fight_compiled`): checks.py
declares a compiled path with the boss's names (C_DRIVER, C_HEADER, RUST_DRIVER, RUST_SIGNATURE,
c_stdin, c_answer; the driver files in its folder's `c/` and `rust/`), plus
  native_checks() -> [check]   the checks of the compiled labs, which C and Rust share as they
                               share c_stdin and c_answer; judged by the same `judge`.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable, ClassVar

from forge_tui.boss import (COMPILED, CaseReport, _fight_compiled, _lost_reason, _Tally, child_case,
                            judged_lab_language, judged_languages)
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
    who_calls: ClassVar[str] = "the checks call"

    def cases(self, language: str = "python") -> list[dict]:
        """The checks a lab in `language` is judged on: checks() for Python, native_checks()
        for a compiled language the checks judge."""
        if language == "python":
            return list(self.module.checks())
        return list(self.module.native_checks())

    @property
    def languages(self) -> tuple[str, ...]:
        """The lab languages these checks judge: Python, and C or Rust where checks.py names
        that language's driver."""
        return judged_languages(self.module)

    def lab_language(self, language: str) -> str:
        """Which of the run's labs the checks judge: the run's language if they can, else Python."""
        return judged_lab_language(self.languages, language)


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
    """Run every check against the lab at `lab_path` in the sandbox: a Python lab in the
    checks' child, a C or Rust lab built with the checks' trusted driver (when they judge it)."""
    started = time.monotonic()
    compiled = COMPILED.get(Path(lab_path).suffix)
    if compiled is not None and compiled.language in checks.languages:
        return await _check_compiled(checks, compiled, Path(lab_path), sandbox, started, on_check, on_output)
    cases = checks.cases()
    tally = _Tally(cases, on_check)
    if Path(lab_path).suffix != ".py":
        name = compiled.name if compiled else Path(lab_path).suffix or "these"
        run = RunResult("error", None, None, f"these checks do not judge {name} labs yet", "")
        tally.lose_the_rest(f"this module's checks do not judge {name} labs yet; switch the lab to Python to run them")
        tally.raise_display_error()
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
    tally.raise_display_error()
    results = [tally.reports[i] for i in range(len(cases))]
    return CheckReport(results, _summary(results, run), time.monotonic() - started, run)


async def _check_compiled(checks: LabChecks, compiled, lab: Path, sandbox: Sandbox, started: float,
                          on_check, on_output) -> CheckReport:
    """The native checks against a C or Rust lab, through the boss engine's compiled path."""
    cases = checks.cases(compiled.language)
    tally = _Tally(cases, on_check)
    fought = await _fight_compiled(compiled, checks, lab, sandbox, tally, started, 0, on_output)
    run = fought.run or RunResult("error", None, None, fought.message, "")
    return CheckReport(fought.cases, _summary(fought.cases, run), time.monotonic() - started, run)


def check_lab_sync(checks: LabChecks, lab_path: Path, sandbox: Sandbox, **kwargs) -> CheckReport:
    import asyncio

    return asyncio.run(check_lab(checks, lab_path, sandbox, **kwargs))
