"""Module 10's boss, measured: how the reference (and each wrong solution) does on The Binary
Adder over many seeds, how long its `fit` takes, and how long a whole sandboxed fight takes.

    python benchmarks/boss_sequences_rnn.py --seeds 200            # the reference
    python benchmarks/boss_sequences_rnn.py --seeds 20 --wrong     # and every wrong solution
    python benchmarks/boss_sequences_rnn.py --seeds 0 --fights 5   # whole fights in the sandbox

The adder case runs in this process exactly as the child runs it (the case's script with `lab`
and `np` bound), one thread for BLAS as in the sandbox, and is judged by the boss's own judge.
The thresholds in the boss's docstring come from this script.
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
BOSS_DIR = REPO / "bosses" / "sequences-rnn"


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def adder_scores(boss, lab, seed: int) -> tuple[dict, float]:
    """Exact-match rate per held-out length on the adder case of `seed`, and fit's CPU seconds."""
    case = next(c for c in boss.cases(np.random.default_rng(seed)) if c["kind"] == "fit")
    namespace = {"lab": lab, "np": np}
    started = time.process_time()
    try:
        with np.errstate(all="ignore"):
            exec(case["script"], namespace)
        params, problem = boss._trained({k: v.tolist() for k, v in namespace["result"].items()})
    except Exception as error:  # noqa: BLE001 - a wrong solution may crash: it scores 0
        params, problem = None, repr(error)
    seconds = time.process_time() - started
    if problem:
        return {bits: 0.0 for bits in case["held_out"]}, seconds
    scores = {}
    for bits, (a, b) in case["held_out"].items():
        X, Y = boss.adder_inputs(a, b, int(bits))
        with np.errstate(all="ignore"):
            scores[bits] = float(np.mean(np.all(boss.predict(params, X) == Y, axis=1)))
    return scores, seconds


def measure(boss, path: Path, seeds: int) -> str:
    lab = load(path, f"_bench_lab_{path.stem}")
    per_length, seconds, won = {}, [], 0
    for seed in range(seeds):
        scores, spent = adder_scores(boss, lab, seed)
        for bits, score in scores.items():
            per_length.setdefault(bits, []).append(score)
        seconds.append(spent)
        won += all(score >= boss.THRESHOLD for score in scores.values())
    parts = []
    for bits, values in per_length.items():
        values = np.array(values)
        parts.append(f"{bits}-bit min {values.min():.3f} 5th pct {np.percentile(values, 5):.3f} "
                     f"median {np.median(values):.3f}")
    return (f"{path.stem}: adder won {won}/{seeds}; " + "; ".join(parts)
            + f"; fit CPU median {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s")


def fights(count: int) -> str:
    sys.path.insert(0, str(REPO))
    from forge_tui.boss import fight_sync, load_boss
    from forge_tui.runner import Sandbox

    real = load_boss("sequences-rnn", root=REPO / "bosses")
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
    boss = load(BOSS_DIR / "boss.py", "_bench_boss_sequences_rnn")
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
