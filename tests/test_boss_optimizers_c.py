"""Module 7's boss, C path: the player's lab.c is compiled with the boss's trusted driver, its
five step functions replayed on the same hidden surfaces as the Python lab's, and judged by the
same `judge`. The reference wins, the starter and every wrong C solution lose, and the driver
reads exactly the numbers the Python judge replays.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest

from bosskit import sandbox  # noqa: F401 - the fixture
from conftest import REPO
from forge_tui.boss import fight_sync, load_boss

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")

C_DIR = REPO / "bosses" / "optimizers" / "c"
STARTER = REPO / "levels" / "07-optimizers" / "lab" / "c.c"
WRONG = sorted(path.name for path in C_DIR.glob("wrong_*.c"))


@pytest.fixture(scope="module")
def boss():
    return load_boss("optimizers", root=REPO / "bosses")


def test_the_boss_offers_c(boss):
    assert boss.languages == ("python", "c")
    assert len(boss.c_wrong_paths) >= 5
    for path in boss.c_wrong_paths:
        first = path.read_text().splitlines()[0]
        assert first.startswith("/* Wrong on purpose: ") and len(first) > 40, path.name


@pytest.mark.parametrize("seed", [0, 1])
def test_reference_c_wins(boss, sandbox, seed):
    report = fight_sync(boss, boss.c_reference_path, sandbox, seed=seed)
    assert report.won, report.message


def test_c_starter_loses_every_case(boss, sandbox):
    report = fight_sync(boss, STARTER, sandbox, seed=0)
    assert not report.won and report.passed == 0
    assert "departs" in report.cases[0].message


@pytest.mark.parametrize("name", WRONG)
def test_each_wrong_c_solution_loses(boss, sandbox, name):
    for seed in (0, 3):
        report = fight_sync(boss, C_DIR / name, sandbox, seed=seed)
        assert not report.won, (name, seed)
        first = next(c for c in report.cases if not c.passed)
        assert first.hint and first.message


def test_the_same_lab_in_python_and_c_meets_the_same_judge(boss, sandbox):
    c = fight_sync(boss, boss.c_reference_path, sandbox, seed=11)
    python = fight_sync(boss, boss.reference_path, sandbox, seed=11)
    assert c.won and python.won
    assert [x.expected for x in c.cases] == [x.expected for x in python.cases]


def test_the_driver_reads_every_number_exactly(boss):
    """The driver's input carries the judge's θ₀, constants and rates, each float round-tripped."""
    cases = boss.module.cases(np.random.default_rng(5))
    lines = boss.module.c_stdin(cases).splitlines()
    assert int(lines[0]) == len(cases)
    at = 1
    for case in cases:
        optimizer, surface, steps, n = map(int, lines[at].split())
        assert boss.module.C_OPTIMIZERS[optimizer] == case["optimizer"]
        assert boss.module.C_SURFACES[surface] == case["surface"] and steps == case["steps"]
        constants, _, theta0, rates = ([float(x) for x in line.split()] for line in lines[at + 1: at + 5])
        assert constants == list(np.ravel(case["constants"])) and theta0 == list(np.ravel(case["theta0"]))
        assert rates == boss.module.rates(case) and n == len(theta0)
        at += 5
    assert at == len(lines)


def test_c_answer_gives_the_trajectory_thetas_shape(boss):
    case = next(c for c in boss.module.cases(np.random.default_rng(0)) if c["surface"] == "bowl")
    flat = np.arange((case["steps"] + 1) * 6, dtype=float).reshape(-1, 6).tolist()
    got, problem = boss.module.c_answer(case, flat)
    assert problem == "" and np.shape(got) == (case["steps"] + 1, 2, 3)
    got, problem = boss.module.c_answer(case, flat[:-1])
    assert got is None and "expected" in problem


def test_c_starter_compiles_cleanly_and_says_what_it_wants(tmp_path):
    exe = tmp_path / "lab"
    build = subprocess.run(["gcc", "-std=c11", "-O2", "-Wall", "-Werror", str(STARTER), "-lm", "-o", str(exe)],
                           capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr
    out = subprocess.run([str(exe)], capture_output=True, text=True, timeout=30).stdout
    assert out.count("want") == 5


def test_the_references_main_prints_what_the_starter_wants(tmp_path):
    exe = tmp_path / "reference"
    build = subprocess.run(["gcc", "-std=c11", "-O2", "-Wall", "-Werror", str(C_DIR / "reference.c"), "-lm", "-o",
                            str(exe)], capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr
    lines = subprocess.run([str(exe)], capture_output=True, text=True, timeout=30).stdout.splitlines()
    for got, want in zip(lines[0::2], lines[1::2]):
        numbers, wanted = ([float(x) for x in re.findall(r"-?[\d.]+(?:e-?\d+)?", " ".join(re.findall(r"\(.*?\)", line)))]
                           for line in (got, want))
        assert len(numbers) == len(wanted) == 4 and np.allclose(numbers, wanted, atol=1e-5), (got, want)
