"""A counted fight with a compiled lab, before and after building it once per fight: the CPU
seconds of the whole fight (both rounds), side by side in one run.

    python benchmarks/fight_build_once.py                  # module 12's C and module 6's Rust reference
    python benchmarks/fight_build_once.py --repeats 3 --labs transformer-block/rust/reference.rs

"before" is the fight as it was until the build was shared: a first round, then a confirmation
round on fresh secret cases, each compiling the lab itself (two `_fight_once` calls, each with a
build of its own). "after" is `fight` today: the confirmation runs the first round's binary. The
two alternate (before, after, before, ...) so a change of load hits both alike.

CPU seconds = this process's CPU (cases, judging) + the sandbox zygote's own and its waited-for
children's CPU (every compiler and lab run), read from /proc/<pid>/stat before and after. Linux
only; public tools only (the standard library and this repository).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from calibration import line  # noqa: E402
from forge_tui.boss import (FightReport, LabBuild, _confirmation, _fight_once, _secret_seed, fight,  # noqa: E402
                            load_boss)
from forge_tui.runner import Sandbox  # noqa: E402

LABS = ("transformer-block/c/reference.c", "backprop-step/rust/reference.rs")
COMPILERS = ("gcc", "rustc")
TICK = os.sysconf("SC_CLK_TCK")


def process_tree_cpu(pid: int) -> float:
    """CPU seconds of `pid` and of its children it has waited for (utime, stime, cutime, cstime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / TICK


async def before(boss, lab: Path, sandbox: Sandbox) -> FightReport:
    """The counted fight as it was: each round builds the lab itself."""
    first = await _fight_once(boss, lab, sandbox, _secret_seed(), 1, None, None, LabBuild())
    if not first.won:
        return first
    second = await _fight_once(boss, lab, sandbox, _secret_seed(), 2, None, None, LabBuild())
    return _confirmation(first, second)


async def after(boss, lab: Path, sandbox: Sandbox) -> FightReport:
    return await fight(boss, lab, sandbox)


def count_compiles(sandbox: Sandbox) -> list[str]:
    """Every compiler run the sandbox is asked for, appended as it is asked."""
    asked: list[str] = []
    run_command = sandbox.run_command

    async def counted(argv, **kwargs):
        if Path(str(argv[0])).name in COMPILERS:
            asked.append(Path(str(argv[0])).name)
        return await run_command(argv, **kwargs)

    sandbox.run_command = counted
    return asked


def measure(way, boss, lab: Path, sandbox: Sandbox, compiles: list[str]) -> dict:
    """One counted fight the `way` given: its CPU seconds, wall seconds and compiler runs."""
    zygote = sandbox._proc.pid
    compiles.clear()
    cpu_here, cpu_zygote, wall = time.process_time(), process_tree_cpu(zygote), time.monotonic()
    report = asyncio.run(way(boss, lab, sandbox))
    cpu = time.process_time() - cpu_here + process_tree_cpu(zygote) - cpu_zygote
    if not report.counts:
        raise SystemExit(f"{lab}: the reference did not win a counted fight: {report.message}")
    return {"cpu": cpu, "wall": time.monotonic() - wall, "compiles": len(compiles)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2, help="fights of each kind per lab")
    parser.add_argument("--labs", nargs="*", default=list(LABS), help="paths below bosses/")
    args = parser.parse_args()
    print(time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))
    print(line("start"))
    sandbox = Sandbox.start()
    compiles = count_compiles(sandbox)
    try:
        for name in args.labs:
            lab = REPO / "bosses" / name
            boss = load_boss(name.split("/")[0], root=REPO / "bosses")
            results = {"before": [], "after": []}
            for _ in range(args.repeats):
                results["before"].append(measure(before, boss, lab, sandbox, compiles))
                results["after"].append(measure(after, boss, lab, sandbox, compiles))
            for way, runs in results.items():
                cpus = [r["cpu"] for r in runs]
                wall = statistics.median(r["wall"] for r in runs)
                print(f"{name} {way:6}: CPU {statistics.median(cpus):6.2f} s median "
                      f"({', '.join(f'{c:.2f}' for c in cpus)}); wall {wall:6.1f} s median; "
                      f"compiler runs per fight {sorted({r['compiles'] for r in runs})}")
            saved = statistics.median(r["cpu"] for r in results["before"]) - statistics.median(
                r["cpu"] for r in results["after"])
            print(f"{name}: one build saves {saved:.2f} s of CPU per counted fight (median before - median after)")
    finally:
        sandbox.close()
    print(line("end"))


if __name__ == "__main__":
    main()
