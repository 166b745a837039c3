"""Shared pieces of the boss tests: a boss folder's boss and lab checks loaded as test modules, a
lab's case run in-process the way the sandboxed child runs it (decode the arguments, call the
function or exec the script, round-trip the answer through JSON), the verdicts of a fight or of
the checks, one sandbox per test module, and for a compiled path: a lab built with the boss's
driver by the fight's own gcc command, and the driver's answers judged as the engine judges them.

    KIT = BossKit(REPO / "bosses" / "attention")
    boss, checks, check_list, fight, run_checks = KIT.boss, KIT.checks, KIT.check_list, KIT.fight, KIT.run_checks
    from bosskit import sandbox  # noqa: F401 - the fixture, by name
"""

from __future__ import annotations

import functools
import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from forge_tui.boss import c_compile_command
from forge_tui.runner import Sandbox
from forge_tui.runner.answers import unpack_answer

Verdict = tuple[str, bool, str]  # (case name, passed, the line the player reads)


@pytest.fixture(scope="module")
def sandbox():
    """One sandbox for the test module, closed after it."""
    box = Sandbox.start()
    yield box
    box.close()


def load_module(path: Path, name: str):
    """Import the file at `path` as a module called `name` (not registered in sys.modules)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def lab_from(source: str, name: str):
    """A lab module made from `source`, as if a player had saved it."""
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, name, "exec"), module.__dict__)
    return module


def lab_at(path: Path):
    """The lab in the file at `path`."""
    return lab_from(path.read_text(), f"_test_lab_{path.stem}")


def mutated(path: Path, old: str, new: str, name: str):
    """The lab at `path` (a reference) with its one `old` replaced by `new`: a learner's small slip."""
    source = path.read_text()
    assert source.count(old) == 1, old
    return lab_from(source.replace(old, new), name)


_DECODED: dict[int, tuple[list, np.ndarray]] = {}


def decode(value):
    """JSON arguments to Python values, arrays included, as the child decodes them. A shipped table
    (1,000 rows or more) is decoded once and handed out as a copy."""
    if isinstance(value, dict) and "__ndarray__" in value:
        rows = value["__ndarray__"]
        if len(rows) < 1000:
            return np.array(rows, dtype=value["dtype"])
        if id(rows) not in _DECODED:  # the list stays alive beside its array, so its id is not reused
            _DECODED[id(rows)] = (rows, np.array(rows, dtype=value["dtype"]))
        return _DECODED[id(rows)][1].copy()
    if isinstance(value, list):
        return [decode(item) for item in value]
    if isinstance(value, dict):
        return {key: decode(item) for key, item in value.items()}
    return value


def encode(value):
    """A result as plain JSON values: arrays to nested lists, tuples to lists, numpy scalars to numbers."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): encode(item) for key, item in value.items()}
    return value


def run_case(lab, case: dict):
    """(True, the answer as the judge receives it) or (False, the error), as the child runs it."""
    try:
        with np.errstate(all="ignore"):
            if "call" in case:
                call = case["call"]
                got = getattr(lab, call["function"])(*decode(call["args"]), **decode(call["kwargs"]))
            else:
                namespace = {"lab": lab, "np": np}
                exec(case["script"], namespace)
                got = namespace["result"]
        return True, json.loads(json.dumps(encode(got), allow_nan=True))
    except Exception as error:  # a crash is a lost case, as in the child
        return False, repr(error)


def verdicts(judge, lab, cases, stop_at_first_failure: bool = False) -> list[Verdict]:
    """Each case run on `lab` and judged by `judge` (a crash loses the case with its error); the
    judge must answer (bool, str, str)."""
    out = []
    for case in cases:
        ran, got = run_case(lab, case)
        passed, expected, message = judge(case, got) if ran else (False, "", got)
        assert isinstance(passed, bool) and isinstance(expected, str) and isinstance(message, str)
        out.append((case["name"], passed, message))
        if stop_at_first_failure and not passed:
            break
    return out


def lost(results: list[Verdict]) -> list[Verdict]:
    return [r for r in results if not r[1]]


class BossKit:
    """One boss folder under test: its boss and checks loaded once, its fights and check runs in-process."""

    def __init__(self, folder: Path, draw_once: bool = False):
        """`draw_once`: each seed's cases are drawn once and shared (for a boss whose draw is slow;
        a test must then not change them)."""
        self.folder = folder
        self.slug = folder.name.replace("-", "_")
        self.draw_once = draw_once

    @functools.cache
    def boss(self):
        return load_module(self.folder / "boss.py", f"_test_{self.slug}_boss")

    @functools.cache
    def checks(self):
        return load_module(self.folder / "checks.py", f"_test_{self.slug}_checks")

    @functools.cache
    def check_list(self) -> tuple:
        """The lab checks, listed once."""
        return tuple(self.checks().checks())

    def cases(self, seed: int) -> list[dict]:
        """The fight's cases for `seed`."""
        return list(self._drawn(seed)) if self.draw_once else self.boss().cases(np.random.default_rng(seed))

    @functools.cache
    def _drawn(self, seed: int) -> tuple:
        return tuple(self.boss().cases(np.random.default_rng(seed)))

    def fight(self, lab, seed: int, kinds=None, **kwargs) -> list[Verdict]:
        """The boss's verdicts on `lab` for `seed` (only the cases of `kinds` when given)."""
        cases = [case for case in self.cases(seed) if kinds is None or case["kind"] in kinds]
        return verdicts(self.boss().judge, lab, cases, **kwargs)

    def run_checks(self, lab, **kwargs) -> list[Verdict]:
        """The lab checks' verdicts on `lab`."""
        return verdicts(self.checks().judge, lab, self.check_list(), **kwargs)

    def catches(self, lab) -> list[Verdict]:
        """What `lab` loses: the checks up to the first failure, or else the fight of seed 0 up to its
        first lost case; empty when it passes every check and wins."""
        first_failure = lost(self.run_checks(lab, stop_at_first_failure=True))
        return first_failure or lost(self.fight(lab, 0, stop_at_first_failure=True))


# ---------------------------------------------------------------- a compiled path

def build_c(fighter, lab: Path, folder: Path) -> Path:
    """`lab` compiled into `folder` with the boss's C driver and header by the fight's own gcc
    command, here on trusted files (the sandboxed build is tested through fights); the executable."""
    if lab != folder / "lab.c":
        shutil.copyfile(lab, folder / "lab.c")
    for name in (fighter.module.C_DRIVER, fighter.module.C_HEADER):
        shutil.copyfile(fighter.directory / name, folder / Path(name).name)
    built = subprocess.run(c_compile_command(fighter), cwd=folder, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    return folder / "fight"


def judge_driver_answers(module, cases: list[dict], messages: list[dict]) -> list[Verdict]:
    """Each case's answer from a compiled driver judged as the engine does: {"ok": False, "error"}
    loses with its error; a value is unpacked, read by the boss's c_answer, then judged; a case
    the driver never answered loses with "no answer"."""
    out = []
    for case, message in zip(cases, messages):
        if not message["ok"]:
            out.append((case["name"], False, message["error"]))
            continue
        got, problem = module.c_answer(case, unpack_answer(message["value"]))
        passed, _, verdict = (False, "", problem) if problem else module.judge(case, got)
        out.append((case["name"], passed, verdict))
    return out + [(case["name"], False, "no answer") for case in cases[len(messages):]]
