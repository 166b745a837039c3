"""Module 9's boss, measured: the reference (and each wrong solution) over many seeds, and how long
the case drawing and a whole sandboxed fight take.

    python benchmarks/boss_embeddings.py --seeds 200                # the reference
    python benchmarks/boss_embeddings.py --seeds 40 --wrong         # and every wrong solution
    python benchmarks/boss_embeddings.py --seeds 0 --fights 5       # whole fights in the sandbox

The cases run in this process exactly as the child runs them (the call's arguments decoded, the
lab's `analogy` called, the answer through JSON), judged by the boss's judge, one BLAS thread.
The measurements in the boss's docstring come from this script.
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
BOSS_DIR = REPO / "bosses" / "embeddings"
sys.path.insert(0, str(REPO))


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def answer(lab, case: dict):
    """What the lab answers for one case, as the judge receives it (None when it raises)."""
    call = case["call"]
    W, vocab, a, b, c = call["args"]
    try:
        with np.errstate(all="ignore"):
            got = lab.analogy(np.array(W["__ndarray__"]), list(vocab), a, b, c, **call["kwargs"])
        return json.loads(json.dumps([[str(w), float(s)] for w, s in got]))
    except Exception:  # noqa: BLE001 - a wrong solution may crash: that case is lost
        return None


def fight(boss, lab, seed: int) -> tuple[list[str], float, float]:
    """(names of the lost cases, CPU seconds to draw the cases, CPU seconds to answer and judge)."""
    started = time.process_time()
    cases = boss.cases(np.random.default_rng(seed))
    drawn = time.process_time()
    lost = [case["name"] for case in cases if not boss.judge(case, answer(lab, case))[0]]
    return lost, drawn - started, time.process_time() - drawn


def measure(boss, path: Path, seeds: int) -> str:
    lab = load(path, f"_bench_lab_{path.stem}")
    won, draws, answers, lost_cases = 0, [], [], {}
    for seed in range(seeds):
        lost, draw, spent = fight(boss, lab, seed)
        won += not lost
        draws.append(draw)
        answers.append(spent)
        for name in lost:
            lost_cases[name] = lost_cases.get(name, 0) + 1
    most = sorted(lost_cases.items(), key=lambda item: -item[1])[:3]
    return (f"{path.stem}: won {won}/{seeds} fights; drawing the cases {statistics.median(draws):.2f} s CPU median "
            f"(max {max(draws):.2f}); answering and judging {statistics.median(answers):.2f} s median"
            + (f"; cases lost most: {most}" if most else ""))


def fights(count: int) -> str:
    from forge_tui.boss import fight_sync, load_boss
    from forge_tui.runner import Sandbox

    real = load_boss("embeddings", root=REPO / "bosses")
    box = Sandbox.start()
    try:
        walls, won = [], 0
        for seed in range(count):
            started = time.monotonic()
            report = fight_sync(real, BOSS_DIR / "reference.py", box, seed=1000 + seed)
            walls.append(time.monotonic() - started)
            won += report.won
        started = time.monotonic()
        counted = fight_sync(real, BOSS_DIR / "reference.py", box)
        counting = time.monotonic() - started
    finally:
        box.close()
    return (f"sandboxed fights of the reference: won {won}/{count}, wall median {statistics.median(walls):.2f} s, "
            f"max {max(walls):.2f} s; a fight that counts (with its confirmation): "
            f"{'won' if counted.counts else 'lost'} in {counting:.2f} s (limit {real.time_limit_s:g} s per fight)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--wrong", action="store_true", help="also every wrong solution")
    parser.add_argument("--fights", type=int, default=0, help="whole fights through the sandbox")
    args = parser.parse_args()
    boss = load(BOSS_DIR / "boss.py", "_bench_embeddings_boss")
    print(f"load average {os.getloadavg()[0]:.1f}")
    if args.seeds:
        print(measure(boss, BOSS_DIR / "reference.py", args.seeds))
        if args.wrong:
            for path in sorted((BOSS_DIR / "wrong").glob("*.py")):
                print(measure(boss, path, args.seeds))
    if args.fights:
        print(fights(args.fights))


if __name__ == "__main__":
    main()
