"""Time to the first interactive screen: `neuralforge` against a bare Textual app.

Each app runs in its own process on a pseudo-terminal of 80x24 and exits as soon as
its first screen has been painted (NEURALFORGE_EXIT_WHEN_READY for ours, the same
`call_after_refresh(exit)` for the bare app). Both are timed in the same run, in
alternation, and the medians are compared.

    python benchmarks/startup.py [--repeats 15]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import platform
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        self.call_after_refresh(self.exit)
Bare().run()
"""


def timed_on_pty(argv: list[str], env: dict[str, str]) -> float:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    try:
        while proc.poll() is None:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    os.read(master, 65536)
                except OSError:
                    break
        proc.wait(timeout=30)
    finally:
        os.close(master)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{argv} exited with {proc.returncode}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="nf-bench-")
    env = {**os.environ, "TERM": "xterm-256color", "NEURALFORGE_HOME": home, "NEURALFORGE_EXIT_WHEN_READY": "1"}
    ours = [sys.executable, "-m", "forge_tui"]
    bare = [sys.executable, "-c", BARE_APP]
    for argv in (ours, bare):  # warm the page cache once, untimed
        timed_on_pty(argv, env)
    times: dict[str, list[float]] = {"neuralforge": [], "bare textual": []}
    for _ in range(args.repeats):
        times["neuralforge"].append(timed_on_pty(ours, env))
        times["bare textual"].append(timed_on_pty(bare, env))
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"machine: {platform.node()} · {platform.processor() or platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}   repeats: {args.repeats} each, alternating")
    for name, values in times.items():
        print(f"{name:<14} median {medians[name] * 1000:6.0f} ms   min {min(values) * 1000:6.0f} ms   max {max(values) * 1000:6.0f} ms")
    ratio = medians["neuralforge"] / medians["bare textual"]
    print(f"ratio neuralforge / bare: {ratio:.2f}x (goal: under 0.5 s and within 1.5x)")
    sys.exit(0 if medians["neuralforge"] < 0.5 and ratio <= 1.5 else 1)


if __name__ == "__main__":
    main()
