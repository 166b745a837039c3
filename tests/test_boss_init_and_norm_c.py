"""Module 8's boss in C: LayerNorm and the whole Twenty-Layer Tower, trained by the trusted driver.

The player's lab.c is compiled with the boss's driver and judged by the same `judge` on the same
cases as the Python lab: the reference wins (in the sandbox), the starter compiles and loses,
every wrong C solution loses, the driver reads inputs only (never a held-out label), and an
entry the lab never writes cannot pass. Wrong solutions are built once and run outside the
sandbox on the cases before the training (each of them loses there already, which keeps this
file quick); the fights that go through the sandbox are the engine's own path.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from bosskit import build_c, judge_driver_answers, sandbox  # noqa: F401 - sandbox is a fixture
from conftest import REPO
from forge_tui.boss import fight_sync, load_boss

BOSS_DIR = REPO / "bosses" / "init-and-norm"
C_DIR = BOSS_DIR / "c"
C_STARTER = REPO / "levels" / "08-init-and-norm" / "lab" / "c.c"
C_WRONG = sorted(path.name for path in C_DIR.glob("wrong_*.c"))

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")


@functools.cache
def boss():
    return load_boss("init-and-norm", root=REPO / "bosses")


def answers(executable: Path, cases: list[dict]) -> list[tuple[str, bool, str]]:
    """Run a built fight on `cases` and judge each answer as the engine does."""
    done = subprocess.run([str(executable)], input=boss().module.c_stdin(cases), capture_output=True,
                          text=True, timeout=120, cwd=executable.parent)
    messages = [json.loads(line) for line in done.stdout.splitlines() if line.startswith('{"case"')]
    return judge_driver_answers(boss().module, cases, messages)


def before_training(seed: int) -> list[dict]:
    return [case for case in boss().module.cases(np.random.default_rng(seed)) if case["kind"] != "train"]


def test_the_boss_offers_c_with_a_reference_and_wrong_solutions():
    assert "c" in boss().languages
    assert len(boss().c_wrong_paths) >= 5
    for path in boss().c_wrong_paths:
        assert path.read_text().startswith("/* Wrong on purpose: "), path.name


@needs_gcc
def test_the_c_reference_wins_in_the_sandbox_and_meets_the_python_judge(sandbox):
    c = fight_sync(boss(), C_DIR / "reference.c", sandbox, seed=3)
    assert c.won, c.message
    assert c.language == "c" and [x.name for x in c.cases] == [x["name"] for x in boss().module.cases(np.random.default_rng(3))]


@needs_gcc
def test_the_c_starter_compiles_and_loses_every_case_before_training(tmp_path):
    results = answers(build_c(boss(), C_STARTER, tmp_path), before_training(0))
    lost = {name: message for name, passed, message in results if not passed}
    assert lost["layer_norm on hidden rows"].startswith("every entry is nan")  # never written
    assert "has vanished" in lost["the tower at init: depth 20"]


@needs_gcc
@pytest.mark.parametrize("name", C_WRONG)
def test_each_wrong_c_solution_loses(name, tmp_path):
    fight = build_c(boss(), C_DIR / name, tmp_path)
    for seed in (0, 1):
        results = answers(fight, before_training(seed))
        assert len(results) == 4 and any(not passed for _, passed, _ in results), f"{name} won with seed {seed}"


@needs_gcc
def test_a_gradient_never_written_is_nan_and_loses(tmp_path):
    source = (C_DIR / "reference.c").read_text().replace(
        "    for (long k = 0; k < at[PARTS]; k++) grads[k] = 0.0;\n", "", 1)
    source = source.replace("            dgamma[j] += dyr[j] * x_hat;\n            dbeta[j] += dyr[j];\n",
                            "            dgamma[j] = dyr[j] * x_hat;\n            dbeta[j] = dyr[j];\n", 1)
    lab = tmp_path / "skips.c"
    lab.write_text(source)
    (tmp_path / "build").mkdir()
    results = dict((name, (passed, message)) for name, passed, message in answers(build_c(boss(), lab, tmp_path / "build"),
                                                                                 before_training(0)))
    assert not results["backward against central differences"][0]


def test_the_driver_reads_inputs_only():
    cases = boss().module.cases(np.random.default_rng(5))
    text = boss().module.c_stdin(cases)
    assert set(text) <= set("0123456789.-+e \nLHPT")  # numbers and case letters: no names or hints
    train = next(c for c in cases if c["kind"] == "train")
    assert " ".join(map(str, train["labels"])) not in text  # the held-out labels stay here
    assert " ".join(map(str, train["y"])) in text


def test_probe_offsets_name_the_same_entries_in_the_flat_array():
    case = next(c for c in boss().module.cases(np.random.default_rng(2)) if c["kind"] == "probe")
    tower = case["tower"]
    shapes = boss().module.shapes(tower["depth"], tower["n_in"], tower["width"], tower["n_out"])
    params = {name: np.random.default_rng(len(name)).standard_normal(shape) for name, shape in shapes.items()}
    flat = np.concatenate([params[name].ravel() for name in shapes])
    for name, index in case["probes"]:
        assert flat[boss().module.offset(tower, name, index)] == params[name][tuple(index)]


def test_c_answer_reshapes_and_refuses_garbage():
    cases = boss().module.cases(np.random.default_rng(0))
    ln, health, probe, train = (next(c for c in cases if c["kind"] == k) for k in ("layer_norm", "health", "probe", "train"))
    got, problem = boss().module.c_answer(ln, list(range(8 * 24)))
    assert problem == "" and np.shape(got) == (8, 24)
    got, problem = boss().module.c_answer(probe, [0.5] * 72)
    assert problem == "" and np.shape(got) == (24, 3)
    got, problem = boss().module.c_answer(train, {"train_logits": [0.0] * 1600, "logits": [0.0] * 800, "losses": [0.7]})
    assert problem == "" and np.shape(got["logits"]) == (400, 2) and np.shape(got["train_logits"]) == (800, 2)
    assert boss().module.c_answer(health, [1.0])[0] is None
