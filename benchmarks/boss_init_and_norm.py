"""Module 8's boss, measured: the reference (and each wrong solution) on every case over many
seeds, and how long whole fights take in the sandbox, in Python and in C.

    python benchmarks/boss_init_and_norm.py --seeds 200            # the reference, case by case
    python benchmarks/boss_init_and_norm.py --seeds 10 --wrong     # and how often each wrong one wins
    python benchmarks/boss_init_and_norm.py --seeds 0 --fights 5   # whole fights in the sandbox

The cases run in this process exactly as the child runs them (the case's script with `lab` and
`np` bound, or the call), one thread for BLAS as in the sandbox. The thresholds in the boss's
docstring come from this script.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
BOSS_DIR = REPO / "bosses" / "init-and-norm"


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def answer(lab, case: dict):
    """What the child would send for `case`, through JSON; an exception is the answer None."""
    try:
        with np.errstate(all="ignore"):
            if "call" in case:
                call = case["call"]
                args = [np.array(a["__ndarray__"], dtype=a["dtype"]) for a in call["args"]]
                got = getattr(lab, call["function"])(*args, **call["kwargs"])
            else:
                namespace = {"lab": lab, "np": np}
                exec(case["script"], namespace)
                got = namespace["result"]
        return json.loads(json.dumps(got, default=lambda a: np.asarray(a).tolist(), allow_nan=True))
    except Exception:  # noqa: BLE001 - a wrong solution may crash: that case is lost
        return None


def fight(boss, lab, seed: int) -> dict:
    """kind -> (passed, message, answer, CPU seconds) for the fight of `seed`."""
    out = {}
    for case in boss.cases(np.random.default_rng(seed)):
        started = time.process_time()
        got = answer(lab, case)
        seconds = time.process_time() - started
        passed, _, message = boss.judge(case, got)
        key = case["kind"] + (str(case["tower"]["depth"]) if case["kind"] == "health" else "")
        out[key] = (passed, message, got, seconds)
    return out


def reference(boss, seeds: int) -> None:
    lab = load(BOSS_DIR / "reference.py", "_bench_reference")
    fights = [fight(boss, lab, seed) for seed in range(seeds)]
    lost = [(seed, k, v[1]) for seed, f in enumerate(fights) for k, v in f.items() if not v[0]]
    print(f"reference: {seeds - len({s for s, _, _ in lost})}/{seeds} fights won")
    for seed, kind, message in lost:
        print(f"  seed {seed}, {kind}: {message}")
    for key in ("health20", "health32"):
        norms = [np.array(f[key][2]["norms"]) for f in fights]
        print(f"{key}: ‖∂L/∂W[l]‖ from {min(n.min() for n in norms):.3g} to {max(n.max() for n in norms):.3g}, "
              f"largest/smallest at most {max(n.max() / n.min() for n in norms):.3g}")
    rows = [np.array(f["probe"][2]) for f in fights]
    smooth = [np.abs(r[:, 1] - r[:, 2]) <= 1e-7 + boss.KINK_TOLERANCE * np.abs(r[:, 2]) for r in rows]
    error = max(float(np.max((np.abs(r[:, 0] - r[:, 2]) / (1e-3 + np.abs(r[:, 2])))[s])) for r, s in zip(rows, smooth))
    print(f"probe: at least {min(int(s.sum()) for s in smooth)} of 24 entries checked, relative error at most {error:.2g}")
    losses = [float(f["train"][1].split("training cross-entropy ")[1].split(" ")[0]) for f in fights]
    accuracies = [float(f["train"][1].split("held-out accuracy ")[1].split(";")[0]) for f in fights]
    seconds = [f["train"][3] for f in fights]
    print(f"training: cross-entropy max {max(losses):.4f}, 99th percentile {np.percentile(losses, 99):.4f}, "
          f"median {statistics.median(losses):.4f}; held-out accuracy min {min(accuracies):.4f}, "
          f"median {statistics.median(accuracies):.4f}; CPU median {statistics.median(seconds):.2f} s, "
          f"max {max(seconds):.2f} s")


def wrong(boss, seeds: int) -> None:
    for path in sorted((BOSS_DIR / "wrong").glob("*.py")):
        lab = load(path, f"_bench_{path.stem}")
        won = sum(all(v[0] for v in fight(boss, lab, seed).values()) for seed in range(seeds))
        print(f"{path.stem}: won {won} of {seeds} fights")


def fights(count: int) -> None:
    """Whole fights through the engine and the sandbox, wall seconds (the engine's own clock)."""
    import shutil

    from forge_tui.boss import fight_sync, load_boss
    from forge_tui.runner import Sandbox

    boss = load_boss("init-and-norm", root=REPO / "bosses")
    labs = [BOSS_DIR / "reference.py"] + ([BOSS_DIR / "c" / "reference.c"] if shutil.which("gcc") else [])
    sandbox = Sandbox.start()
    try:
        for lab in labs:
            times = []
            for seed in range(count):
                report = fight_sync(boss, lab, sandbox, seed=seed)
                assert report.won, report.message
                times.append(report.duration_s)
            print(f"{lab.name}: a fight takes {statistics.median(times):.2f} s (median of {count}), "
                  f"{max(times):.2f} s at most; limit {boss.time_limit_s:g} s")
    finally:
        sandbox.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--wrong", action="store_true")
    parser.add_argument("--fights", type=int, default=0)
    args = parser.parse_args(argv)
    boss = load(BOSS_DIR / "boss.py", "_bench_boss")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.seeds:
        reference(boss, args.seeds)
    if args.wrong:
        wrong(boss, max(args.seeds, 1))
    if args.fights:
        fights(args.fights)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
