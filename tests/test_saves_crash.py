"""Crash safety of the save store: SIGKILL a writer mid-stream, the run must still load.

A child process loops calling ``Store.update`` as fast as it can, bumping a counter and
appending to a list that grows with it, and reports each counter value it saved. The
parent kills it with SIGKILL after a random 1-50 ms, then checks the run loads and holds
a value the writer had reached: the last one it reported, or the next one (saved on
disk but killed before it could report). Repeated with different delays.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from forge_tui.saves import Store

REPO = Path(__file__).resolve().parent.parent
ROUNDS = 40
MODULE = "crash-test"

_WRITER = """
import os, sys
from pathlib import Path
from forge_tui.saves import Store

store = Store(Path(sys.argv[1]), lock_timeout=30)
run_id = sys.argv[2]

def change(state):
    progress = state.progress("crash-test")
    progress.gate_attempts += 1
    progress.steps_solved.append(str(progress.gate_attempts))
    state.position = {"module": "crash-test", "part": str(progress.gate_attempts)}

os.write(1, b"ready\\n")
while True:
    state = store.update(run_id, change)
    os.write(1, b"%d\\n" % state.modules["crash-test"].gate_attempts)
"""

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _counter(store: Store, run_id: str) -> int:
    state = store.load(run_id)
    progress = state.modules.get(MODULE)
    if progress is None:
        return 0
    # the growing list and the position were written together with the counter
    assert progress.steps_solved == [str(n) for n in range(1, progress.gate_attempts + 1)]
    assert state.position == {"module": MODULE, "part": str(progress.gate_attempts)}
    return progress.gate_attempts


def test_sigkill_during_updates_never_loses_the_run(tmp_path: Path) -> None:
    store = Store(tmp_path)
    run = store.create_run("Crash Dummy", ["hacker", "builder"], "c")
    run_dir = tmp_path / "runs" / run.id
    rng = random.Random(20261123)
    env = _env()
    deadline = time.monotonic() + 25.0
    previous = 0
    rounds = 0
    progressed = 0
    notes = []

    while rounds < ROUNDS and time.monotonic() < deadline:
        delay = rng.uniform(0.001, 0.050)
        child = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(tmp_path), run.id],
            stdout=subprocess.PIPE,
            env=env,
        )
        try:
            assert child.stdout is not None
            assert child.stdout.readline() == b"ready\n"  # imported, about to write
            time.sleep(delay)
            child.send_signal(signal.SIGKILL)
            child.wait(10)
            reported = [int(line) for line in child.stdout.read().split()]
        finally:
            if child.poll() is None:  # pragma: no cover - only if an assertion fired early
                child.kill()
                child.wait()
            if child.stdout is not None:
                child.stdout.close()
        assert child.returncode == -signal.SIGKILL

        # reported values are consecutive, starting right after what was on disk
        assert reported == list(range(previous + 1, previous + 1 + len(reported)))
        reached = reported[-1] if reported else previous

        # the files on disk are always complete JSON
        assert json.loads((run_dir / "state.json").read_text())["schema"] == 2
        if (run_dir / "state.json.bak").exists():
            json.loads((run_dir / "state.json.bak").read_text())

        value = _counter(store, run.id)
        note = store.last_note(run.id)
        if note is not None:  # allowed by the contract, but our write protocol should never need it
            notes.append(note.message)
        assert value in (reached, reached + 1), (delay, previous, reported[-3:], value)
        assert value >= previous
        progressed += value > previous
        previous = value
        rounds += 1

    assert rounds >= 30, f"only {rounds} rounds fitted in the time limit"
    assert progressed >= rounds // 2, "the writer rarely got to save anything: the test is not testing much"
    assert notes == []

    # a final normal update works and clears any stray temporary file
    state = store.update(run.id, lambda s: None)
    assert state.modules[MODULE].gate_attempts == previous
    assert not (run_dir / "state.json.tmp").exists()
    assert not (run_dir / "state.json.bak.tmp").exists()
