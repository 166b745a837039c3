"""Module 5's boss, measured: how the reference (and each wrong solution) does on the training
cases over many seeds, and how long the spiral fit and a whole sandboxed fight take.

    python benchmarks/boss_perceptron_reborn.py --seeds 200            # the reference
    python benchmarks/boss_perceptron_reborn.py --seeds 20 --wrong     # and every wrong solution
    python benchmarks/boss_perceptron_reborn.py --seeds 0 --fights 5   # whole fights in the sandbox

The training cases run in this process exactly as the child runs them (the case's script with
`lab` and `np` bound), one thread for BLAS as in the sandbox. The thresholds in the boss's
docstring come from this script.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
BOSS_DIR = REPO / "bosses" / "perceptron-reborn"


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def train_results(boss, lab, seed: int) -> tuple[list[float], float]:
    """Accuracy on each training case of the fight of `seed`, and the spiral fit's CPU seconds."""
    accuracies, seconds = [], 0.0
    for case in boss.cases(np.random.default_rng(seed)):
        if case["kind"] != "train":
            continue
        namespace = {"lab": lab, "np": np}
        started = time.process_time()
        try:
            with np.errstate(all="ignore"):
                exec(case["script"], namespace)
            labels = np.asarray(namespace["result"], dtype=float).reshape(-1)
            accuracies.append(float(np.mean(labels == np.array(case["labels"]))))
        except Exception:  # noqa: BLE001 - a wrong solution may crash: that case scores 0
            accuracies.append(0.0)
        if len(case["labels"]) > 4:
            seconds = time.process_time() - started
    return accuracies, seconds


def measure(boss, path: Path, seeds: int) -> str:
    lab = load(path, f"_bench_lab_{path.stem}")
    xor_all, spiral, seconds = 0, [], []
    for seed in range(seeds):
        accuracies, spent = train_results(boss, lab, seed)
        xor_all += all(a == 1.0 for a in accuracies[:-1])
        spiral.append(accuracies[-1])
        seconds.append(spent)
    spiral = np.array(spiral)
    return (f"{path.stem}: XOR 4/4 in both cases {xor_all}/{seeds}; spirals held-out min {spiral.min():.4f} "
            f"5th pct {np.percentile(spiral, 5):.4f} median {np.median(spiral):.4f} max {spiral.max():.4f}, "
            f"below {boss.SPIRAL_THRESHOLD} in {int(np.sum(spiral < boss.SPIRAL_THRESHOLD))}/{seeds}; "
            f"spiral fit CPU median {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s")


def fights(count: int) -> str:
    sys.path.insert(0, str(REPO))
    from forge_tui.boss import fight_sync, load_boss
    from forge_tui.runner import Sandbox

    real = load_boss("perceptron-reborn", root=REPO / "bosses")
    box = Sandbox.start()
    try:
        walls, won = [], 0
        for seed in range(count):
            started = time.monotonic()
            report = fight_sync(real, BOSS_DIR / "reference.py", box, seed=1000 + seed)
            walls.append(time.monotonic() - started)
            won += report.won
    finally:
        box.close()
    return (f"sandboxed fights of the reference: won {won}/{count}; wall median {statistics.median(walls):.2f} s, "
            f"max {max(walls):.2f} s (limit {real.time_limit_s:g} s); load avg {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--wrong", action="store_true", help="measure every wrong solution too")
    parser.add_argument("--fights", type=int, default=0, help="whole fights of the reference in the sandbox")
    args = parser.parse_args()
    boss = load(BOSS_DIR / "boss.py", "_bench_boss_perceptron_reborn")
    paths = [BOSS_DIR / "reference.py"]
    if args.wrong:
        paths += sorted((BOSS_DIR / "wrong").glob("*.py"))
    if args.seeds:
        for path in paths:
            print(measure(boss, path, args.seeds), flush=True)
    if args.fights:
        print(fights(args.fights), flush=True)


if __name__ == "__main__":
    main()
