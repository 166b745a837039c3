"""Finding a sandboxed run's processes from outside, by the name (comm) they give themselves.

A hostile lab calls prctl(PR_SET_NAME, MARK) first; every process it forks inherits the name,
wherever it hides (another session, another PID namespace). The test then looks for living
processes of that name in /proc: none may outlive the run.
"""

from __future__ import annotations

import os
import secrets
import signal
import time
from pathlib import Path


def marker() -> str:
    """A fresh process name (comm holds 15 bytes)."""
    return "nf" + secrets.token_hex(6)


def living(mark: str) -> list[int]:
    """Pids of the processes named `mark` that are still running (zombies do not count)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != mark:
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def gone(mark: str, within_s: float = 2.0) -> bool:
    """True once no process named `mark` runs; False if some still run after `within_s`."""
    deadline = time.monotonic() + within_s
    while living(mark):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def kill_all(mark: str) -> None:
    """Clean up after a failed test: SIGKILL every process named `mark`, until none is left."""
    for _ in range(100):
        pids = living(mark)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.01)
