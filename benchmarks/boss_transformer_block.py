"""Module 12's boss, measured: how close the C and Rust references come to the judge's logits, how
much CPU their 500 generated characters take, that every wrong solution loses, and how long a
whole sandboxed fight takes.

    python benchmarks/boss_transformer_block.py --seeds 10             # the references, every case
    python benchmarks/boss_transformer_block.py --seeds 3 --wrong      # and every wrong solution
    python benchmarks/boss_transformer_block.py --seeds 0 --fights 3   # whole fights in the sandbox

Each lab is built once with the fight's own build command and run outside the sandbox on a
seed's cases (answers on fd 3, as in the fight); the judge is the boss's own, with one BLAS
thread as in the game. The thresholds in the boss's docstring come from this script.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from calibration import line  # noqa: E402
from forge_tui.boss import (c_compile_command, fight_sync, load_boss, place_files, rust_compile_command,  # noqa: E402
                            rust_toolchain, unpack_answer)
from forge_tui.tinygpt import model_module  # noqa: E402

BOSS = load_boss("transformer-block", root=REPO / "bosses")
DIR = BOSS.directory


def build(lab: Path) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="nf-bench-decoder-"))
    if lab.suffix == ".c":
        for path in (DIR / "c" / "driver.c", DIR / "c" / "gpt.h"):
            shutil.copyfile(path, folder / path.name)
        shutil.copyfile(lab, folder / "lab.c")
        command = c_compile_command(BOSS)
    else:
        shutil.copyfile(DIR / "rust" / "driver.rs", folder / "driver.rs")
        shutil.copyfile(lab, folder / "lab.rs")
        command = rust_compile_command(BOSS, asyncio.run(rust_toolchain()))
    subprocess.run(command, cwd=folder, check=True, capture_output=True, timeout=600)
    return folder / "fight"


def run(executable: Path, cases: list[dict]) -> list[dict]:
    """The driver's answers to `cases`, one dict per case (its raw message)."""
    folder = executable.parent
    place_files(folder, BOSS.module.c_files(cases))
    with tempfile.TemporaryFile() as channel:
        subprocess.run([str(executable)], input=BOSS.module.c_stdin(cases).encode(), capture_output=True,
                       timeout=900, cwd=folder, pass_fds=(3, channel.fileno()),
                       preexec_fn=lambda: os.dup2(channel.fileno(), 3))
        channel.seek(0)
        return [json.loads(text) for text in channel.read().decode().splitlines()]


def measure(executable: Path, seed: int) -> dict:
    """Every case of `seed`: passed or not, the largest logit gap, the 500 characters' CPU seconds."""
    cases = BOSS.module.cases(np.random.default_rng(seed))
    messages = run(executable, cases)
    gap, cpu, lost, judged = 0.0, None, [], 0.0
    for case, message in zip(cases, messages):
        if not message.get("ok"):
            lost.append(case["name"])
            continue
        got, _ = BOSS.module.c_answer(case, unpack_answer(message["value"]))
        started = time.process_time()
        passed, _, _ = BOSS.module.judge(case, got)
        judged += time.process_time() - started
        if not passed:
            lost.append(case["name"])
        if case["kind"] == "forward":
            spec, ids = case["call"]["args"]
            want = model_module().forward(np.array(ids), BOSS.module.model_of(spec))
            gap = max(gap, float(np.abs(np.array(got["logits"]) - want).max()))
        elif case["kind"] == "generate" and case["call"]["args"][0]["seed"] is None:  # the shipped model
            cpu = got["cpu_s"]
    lost += [case["name"] for case in cases[len(messages):]]
    return {"lost": lost, "gap": gap, "cpu": cpu, "judge_s": judged}


def references(seeds: int) -> None:
    for lab in (DIR / "c" / "reference.c", DIR / "rust" / "reference.rs"):
        executable = build(lab)
        results = [measure(executable, seed) for seed in range(seeds)]
        cpus = [r["cpu"] for r in results if r["cpu"] is not None]
        won = sum(not r["lost"] for r in results)
        print(f"{lab.relative_to(REPO)}: won {won}/{seeds} seeds; largest logit gap "
              f"{max(r['gap'] for r in results):.1e}; 500 characters {min(cpus):.1f}-{max(cpus):.1f} s CPU "
              f"(median {statistics.median(cpus):.1f}); judge {statistics.median(r['judge_s'] for r in results):.2f} s "
              f"CPU per fight (median)")
        for r in results:
            if r["lost"]:
                print(f"   lost: {r['lost']}")


def wrong(seeds: int) -> None:
    for lab in sorted((DIR / "c").glob("wrong_*.c")) + sorted((DIR / "rust").glob("wrong_*.rs")):
        executable = build(lab)
        losses = [measure(executable, seed)["lost"] for seed in range(seeds)]
        print(f"{lab.relative_to(REPO)}: lost {sum(bool(x) for x in losses)}/{seeds} seeds; "
              f"first lost case per seed: {[x[0] if x else None for x in losses]}")


def fights(count: int) -> None:
    from forge_tui.runner import Sandbox

    box = Sandbox.start()
    try:
        for lab in (DIR / "c" / "reference.c", DIR / "rust" / "reference.rs"):
            walls = []
            for seed in range(count):
                started = time.monotonic()
                report = fight_sync(BOSS, lab, box, seed=seed)
                walls.append(time.monotonic() - started)
                assert report.won, report.message
            print(f"{lab.relative_to(REPO)}: {count} sandboxed fights won; wall time median "
                  f"{statistics.median(walls):.1f} s, max {max(walls):.1f} s (compile included; limits "
                  f"{BOSS.module.TIME_LIMIT_S:g} s CPU, {BOSS.module.WALL_LIMIT_S:g} s wall; a fight that counts is fought twice)")
    finally:
        box.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--wrong", action="store_true")
    parser.add_argument("--fights", type=int, default=0)
    args = parser.parse_args()
    print(line("start"))
    if args.seeds:
        references(args.seeds)
    if args.wrong:
        wrong(max(args.seeds, 1))
    if args.fights:
        fights(args.fights)
    print(line("end"))


if __name__ == "__main__":
    main()
