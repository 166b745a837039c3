"""Start-up, side by side: `neuralforge` against a bare Textual app (one `Static`).

Each app runs in its own process on an 80x24 pseudo-terminal, exactly as a player starts it, and
is timed from outside by the bytes it writes to the terminal:

  first paint   from the start of the process to the moment its first screen's text is on the
                terminal ("New run" for the game, "hello" for the bare app);
  settled       to the last byte it writes before QUIET_S seconds without output: the screen
                has stopped changing.

Then ctrl+q ends it (the game closes its sandbox as a player's quit does). The apps alternate,
after one untimed warm-up each; the medians are compared as ratios (goal: 1.2x or less for both).
A CPU calibration line (a fixed Python loop, the load average) is printed before and after.

    python benchmarks/startup.py [--repeats 10] [--compare DIR]

--compare DIR adds a third app to the same alternation: the game from another checkout (say an
older commit, `git worktree add DIR <commit>` or `git archive <commit> | tar -x -C DIR`), run with
DIR first on its path, so a change is timed side by side with the code before it.

Where a ratio is over its goal, the profile of the game's own start-up says why:

    NEURALFORGE_EXIT_WHEN_READY=1 python -m cProfile -o startup.prof -m forge_tui
"""

from __future__ import annotations

import argparse
import fcntl
import os
import platform
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

from calibration import line as calibration_line

BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("hello")
Bare().run()
"""
# The compared checkout's game, run from its own directory so that its levels/ are the ones read.
COMPARED = "import os, sys; os.chdir(sys.argv[1]); sys.argv[1:] = []; from forge_tui.cli import main; raise SystemExit(main())"
QUIET_S = 1.5  # no output for this long after the first paint: the screen has settled
LIMIT_S = 60.0  # an app that has not settled by then is reported, not waited for
QUIT = b"\x11"  # ctrl+q
GOAL = 1.2


def timed_on_pty(argv: list[str], env: dict[str, str], marker: bytes) -> tuple[float, float]:
    """(first paint, settled) in seconds for one start of `argv` on a fresh 80x24 PTY."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    seen = bytearray()
    painted = last = None
    try:
        while True:
            now = time.perf_counter()
            if painted is not None and now - last >= QUIET_S:
                break
            if now - start > LIMIT_S:
                raise RuntimeError(f"{argv} did not settle within {LIMIT_S:.0f} s")
            ready, _, _ = select.select([master], [], [], 0.02)
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:
                data = b""
            if not data:
                raise RuntimeError(f"{argv} ended before it settled: {bytes(seen[-300:])!r}")
            last = time.perf_counter()
            seen += data
            if painted is None and marker in seen:
                painted = last
        _quit(proc, master)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)
    return painted - start, last - start


def _quit(proc: subprocess.Popen, master: int) -> None:
    """ctrl+q, reading what the app still writes so it never blocks on a full terminal."""
    os.write(master, QUIT)
    end = time.monotonic() + 15
    while proc.poll() is None and time.monotonic() < end:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                os.read(master, 65536)
            except OSError:
                break
    proc.wait(timeout=max(0.1, end - time.monotonic()))


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:5.0f} ms (min {min(values) * 1000:5.0f}, max {max(values) * 1000:5.0f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--compare", metavar="DIR", help="also time the game from this other checkout")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="nf-bench-")
    env = {**os.environ, "TERM": "xterm-256color", "NEURALFORGE_HOME": home}
    env.pop("NEURALFORGE_EXIT_WHEN_READY", None)
    # As a player runs it: with bytecode caches. Where PYTHONDONTWRITEBYTECODE is set (the shared
    # dev machines set it), the game compiled each of its ~25 modules from source on every start
    # while Textual's came from the caches pip wrote; the untimed warm-up start writes them.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    apps = {
        "neuralforge": ([sys.executable, "-m", "forge_tui"], b"New run", env),
        "bare textual": ([sys.executable, "-c", BARE_APP], b"hello", env),
    }
    if args.compare:
        other = os.path.abspath(args.compare)
        apps["compared"] = ([sys.executable, "-c", COMPARED, other], b"New run", {**env, "PYTHONPATH": other})
    print(f"machine: {platform.node()} · {platform.processor() or platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}   repeats: {args.repeats} each, alternating, after one untimed warm-up each")
    print(calibration_line("before"), flush=True)
    if args.compare:
        print(f"compared: the game from {apps['compared'][0][-1]}")
    for argv, marker, app_env in apps.values():  # the page cache, once, untimed
        timed_on_pty(argv, app_env, marker)
    paint: dict[str, list[float]] = {name: [] for name in apps}
    settled: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(args.repeats):
        for name, (argv, marker, app_env) in apps.items():
            first, last = timed_on_pty(argv, app_env, marker)
            paint[name].append(first)
            settled[name].append(last)
    print(calibration_line("after"))
    for name in apps:
        print(f"{name:<13} first paint {summary(paint[name])}   settled {summary(settled[name])}")
    ratios = {
        "first paint": statistics.median(paint["neuralforge"]) / statistics.median(paint["bare textual"]),
        "settled": statistics.median(settled["neuralforge"]) / statistics.median(settled["bare textual"]),
    }
    for what, ratio in ratios.items():
        print(f"{what}: neuralforge / bare = {ratio:.2f}x (goal: {GOAL}x or less) {'met' if ratio <= GOAL else 'NOT MET'}")
    if args.compare:
        for what, times in (("first paint", paint), ("settled", settled)):
            ratio = statistics.median(times["compared"]) / statistics.median(times["bare textual"])
            print(f"{what}: compared / bare = {ratio:.2f}x")
    return 0 if all(ratio <= GOAL for ratio in ratios.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
