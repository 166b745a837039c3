"""A scripted play-through with the references, through the CLI only, as a player at a shell would.

For each module in order: pass its gate (`neuralforge gate`), put the boss's reference in the run's
lab (`neuralforge lab N --path`), run the lab checks (`neuralforge lab N --check`), fight the boss
(`neuralforge boss N`: a fight that counts, confirmed on fresh secret cases) and confirm the module
shows as forged (`neuralforge status`). Prints each step's wall time and the total, with the machine's
load and a CPU calibration figure (a fixed pure-Python loop timed in the same run).

    python benchmarks/playthrough.py [--modules 1-8]

Exit 0 when every module was forged; 1 otherwise (the failing step is printed).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from forge_tui.content import load_catalog  # noqa: E402
from forge_tui.locations import bosses_directory  # noqa: E402


def calibration() -> float:
    """Seconds for 10^7 steps of a plain Python loop: how fast this machine is right now."""
    started = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - started


def cli(env: dict, *args: str) -> tuple[int, str, float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "forge_tui", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout + done.stderr, time.perf_counter() - started


def module_range(text: str, count: int) -> list[int]:
    if not text:
        return list(range(1, count + 1))
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", default="", help="e.g. 1-8 (default: every module with a boss)")
    args = parser.parse_args()
    modules = load_catalog().modules
    chosen = [m for m in modules if m.order in module_range(args.modules, len(modules))]
    chosen = [m for m in chosen if (bosses_directory() / m.id / "boss.py").is_file()]
    home = Path(tempfile.mkdtemp(prefix="neuralforge-playthrough-"))
    env = dict(os.environ, NEURALFORGE_HOME=str(home), NEURALFORGE_ANIMATE="0")
    print(f"# play-through, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, Python {platform.python_version()}")
    print(f"# calibration: 10^7-step Python loop {calibration():.2f} s")
    total = time.perf_counter()
    try:
        code, out, _ = cli(env, "new", "--name", "playthrough", "--flavors", "hacker,scientist")
        if code:
            print(out)
            return 1
        for module in modules:
            if module.order > chosen[-1].order:
                break
            number = str(module.order)
            steps = []
            if module.gate.has_password:
                code, out, seconds = cli(env, "gate", number, module.gate.answer)
                steps.append(("gate", code, out, seconds))
            if module in chosen:
                code, out, seconds = cli(env, "lab", number, "--path")
                steps.append(("lab path", code, out, seconds))
                if code == 0:
                    shutil.copyfile(bosses_directory() / module.id / "reference.py", out.strip())
                if (bosses_directory() / module.id / "checks.py").is_file():
                    steps.append(("checks", *cli(env, "lab", number, "--check")))
                steps.append(("boss", *cli(env, "boss", number)))
            for name, code, out, seconds in steps:
                mark = "ok" if code == 0 else f"FAILED (exit {code})"
                print(f"{module.number} {module.short:<14} {name:<9} {seconds:6.2f} s  {mark}")
                if code:
                    print(out[-2000:])
                    return 1
        code, out, _ = cli(env, "status")
        forged = [line for line in out.splitlines() if line.startswith("  ") and line.rstrip().endswith("forged")]
        print(f"# {len(forged)} modules forged of {len(chosen)} fought; total {time.perf_counter() - total:.1f} s")
        return 0 if len(forged) == len(chosen) else 1
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
