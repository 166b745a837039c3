"""Module 6's boss in C: backprop with no Python anywhere in the player's solution.

The player's lab.c is compiled with the boss's trusted driver and judged by the same `judge` as
the Python lab: the reference wins, the starter and every wrong C solution lose, the driver
reads inputs only, and a gradient the lab never writes cannot pass. Wrong solutions are built
once and run on several seeds outside the sandbox (the driver writes its answers to stdout when
it has no result channel); the fights that go through the sandbox are the engine's own path.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO
from forge_tui.boss import c_compile_command, fight_sync, load_boss, unpack_answer
from forge_tui.runner import Sandbox

BOSS_DIR = REPO / "bosses" / "backprop-step"
C_DIR = BOSS_DIR / "c"
C_STARTER = REPO / "levels" / "06-backprop-step" / "lab" / "c.c"
C_WRONG = sorted(path.name for path in C_DIR.glob("wrong_*.c"))
SEEDS = (0, 1, 2)

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")


@functools.cache
def boss():
    return load_boss("backprop-step", root=REPO / "bosses")


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox.start()
    yield box
    box.close()


def build_c(lab: Path, folder: Path) -> Path:
    """The fight's own gcc command, run here on trusted files (the sandbox is tested below)."""
    for source in (lab, C_DIR / "driver.c", C_DIR / "mlp_backward.h"):
        shutil.copyfile(source, folder / ("lab.c" if source == lab else source.name))
    subprocess.run(c_compile_command(boss()), cwd=folder, check=True, capture_output=True, timeout=120)
    return folder / "fight"


def answers(executable: Path, seed: int) -> list[tuple[str, bool, str]]:
    """Run a built fight on the cases of `seed` and judge each answer as the engine does."""
    cases = boss().module.cases(np.random.default_rng(seed))
    done = subprocess.run([str(executable)], input=boss().module.c_stdin(cases), capture_output=True,
                          text=True, timeout=60, cwd=executable.parent)
    messages = [json.loads(line) for line in done.stdout.splitlines() if line.startswith('{"case"')]
    out = []
    for case, message in zip(cases, messages):
        got, problem = boss().module.c_answer(case, unpack_answer(message["value"]))
        passed, _, verdict = (False, "", problem) if problem else boss().module.judge(case, got)
        out.append((case["name"], passed, verdict))
    out += [(case["name"], False, "no answer") for case in cases[len(messages):]]
    return out


# ---------------------------------------------------------------- C

def test_the_boss_offers_c_with_a_reference_and_wrong_solutions():
    assert "c" in boss().languages
    assert boss().c_reference_path == C_DIR / "reference.c"
    assert len(boss().c_wrong_paths) >= 5
    for path in boss().c_wrong_paths:
        assert path.read_text().startswith("/* Wrong on purpose: "), path.name


@needs_gcc
@pytest.mark.parametrize("seed", SEEDS)
def test_the_c_reference_wins_in_the_sandbox(sandbox, seed):
    report = fight_sync(boss(), C_DIR / "reference.c", sandbox, seed=seed)
    assert report.won, report.message


@needs_gcc
def test_the_c_starter_compiles_loses_every_case_and_says_why(sandbox):
    report = fight_sync(boss(), C_STARTER, sandbox, seed=0)
    assert not report.won and report.passed == 0
    assert "the loss is 0.00000000, expected" in report.cases[0].message


@needs_gcc
@pytest.mark.parametrize("name", C_WRONG)
def test_each_wrong_c_solution_loses_on_every_seed(name, tmp_path):
    fight = build_c(C_DIR / name, tmp_path)
    for seed in SEEDS:
        results = answers(fight, seed)
        assert len(results) == 8
        assert any(not passed for _, passed, _ in results), f"{name} won with seed {seed}"


@needs_gcc
def test_c_and_python_meet_the_same_judge(sandbox):
    c = fight_sync(boss(), C_DIR / "reference.c", sandbox, seed=11)
    python = fight_sync(boss(), BOSS_DIR / "reference.py", sandbox, seed=11)
    assert c.won and python.won
    assert [x.expected for x in c.cases] == [x.expected for x in python.cases]


@needs_gcc
def test_a_gradient_never_written_is_nan_and_loses(tmp_path):
    source = (C_DIR / "reference.c").read_text().replace(
        "        db[j] = sum;\n", "        if (j) db[j] = sum;\n", 1)
    lab = tmp_path / "skips.c"
    lab.write_text(source)
    (tmp_path / "build").mkdir()
    results = answers(build_c(lab, tmp_path / "build"), 0)
    assert not any(passed for _, passed, _ in results)
    assert results[0][2].startswith("db1 holds nan or inf")


def test_the_driver_reads_inputs_only():
    cases = boss().module.cases(np.random.default_rng(5))
    text = boss().module.c_stdin(cases)
    lines = text.splitlines()
    assert int(lines[0]) == len(cases)
    at = 1
    for case in cases:
        batch, *widths = map(int, lines[at].split())
        params, X, y = boss().module._inputs(case)
        assert widths == case["widths"] and batch == len(y)
        blocks = [np.array(line.split(), dtype=float) for line in lines[at + 1: at + 7]]
        assert all(np.array_equal(b, p.ravel()) for b, p in zip(blocks, params))  # exact round trip
        rows = [np.array(line.split(), dtype=float) for line in lines[at + 7: at + 7 + batch]]
        assert np.array_equal(np.array(rows), X)
        assert [int(t) for t in lines[at + 7 + batch].split()] == y.tolist()
        at += 8 + batch
    assert at == len(lines)
    assert set(text) <= set("0123456789.-+e \n")  # numbers only: no names, hints or answers


def test_c_answer_splits_the_flat_gradients_and_refuses_garbage():
    case = boss().module.cases(np.random.default_rng(0))[0]  # widths [4, 5, 3, 3]
    flat = list(range(20 + 5 + 15 + 3 + 9 + 3))
    got, problem = boss().module.c_answer(case, {"loss": 1.5, "grads": flat})
    assert problem == "" and got[0] == 1.5 and np.shape(got[1][0]) == (4, 5) and got[1][5] == [52, 53, 54]
    for bad in ({"loss": 1.0, "grads": flat[:-1]}, {"grads": flat}, [1.0, flat], None):
        got, problem = boss().module.c_answer(case, bad)
        assert got is None and problem


@needs_gcc
def test_the_c_starter_builds_clean_and_runs_by_hand(tmp_path):
    exe = tmp_path / "lab"
    subprocess.run(["gcc", "-std=c11", "-O2", "-Wall", "-Werror", str(C_STARTER), "-lm", "-o", str(exe)],
                   check=True, capture_output=True, timeout=120)
    out = subprocess.run([str(exe)], capture_output=True, text=True, timeout=30).stdout
    assert "(want 0.705007)" in out and "grads[0] was never written" in out
