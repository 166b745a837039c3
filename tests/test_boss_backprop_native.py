"""Module 6's boss in C and in Rust: backprop with no Python anywhere in the player's solution.

The player's lab.c (or lab.rs) is compiled with the boss's trusted driver and judged by the same
`judge` as the Python lab: the reference wins, the starter and every wrong solution lose, the
drivers read inputs only, and a gradient the lab never writes cannot pass. Wrong solutions are
built once with the engine's own build command and run on several seeds outside the sandbox (the
answers go to a file on fd 3, the driver's result channel); the fights that go through the
sandbox are the engine's own path, compile included.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from bosskit import build_c, judge_driver_answers, sandbox  # noqa: F401 - sandbox is a fixture
from conftest import REPO
from forge_tui.boss import fight_sync, first_rust_error, load_boss, rust_compile_command, rust_toolchain

BOSS_DIR = REPO / "bosses" / "backprop-step"
C_DIR = BOSS_DIR / "c"
C_STARTER = REPO / "levels" / "06-backprop-step" / "lab" / "c.c"
C_WRONG = sorted(path.name for path in C_DIR.glob("wrong_*.c"))
RUST_DIR = BOSS_DIR / "rust"
RUST_STARTER = REPO / "levels" / "06-backprop-step" / "lab" / "rust.rs"
RUST_WRONG = sorted(path.name for path in RUST_DIR.glob("wrong_*.rs"))
SEEDS = (0, 1, 2)

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
needs_rustc = pytest.mark.skipif(shutil.which("rustc") is None, reason="rustc is not installed")


@functools.cache
def boss():
    return load_boss("backprop-step", root=REPO / "bosses")


def build_rust(lab: Path, folder: Path) -> Path:
    toolchain = asyncio.run(rust_toolchain())
    shutil.copyfile(lab, folder / "lab.rs")
    shutil.copyfile(RUST_DIR / "driver.rs", folder / "driver.rs")
    subprocess.run(rust_compile_command(boss(), toolchain), cwd=folder, check=True, capture_output=True,
                   timeout=300)
    return folder / "fight"


def answers(executable: Path, seed: int) -> list[tuple[str, bool, str]]:
    """Run a built fight on the cases of `seed` and judge each answer as the engine does."""
    cases = boss().module.cases(np.random.default_rng(seed))
    with tempfile.TemporaryFile() as channel:  # the driver's fd 3
        done = subprocess.run([str(executable)], input=boss().module.c_stdin(cases).encode(), capture_output=True,
                              timeout=60, cwd=executable.parent, pass_fds=(3, channel.fileno()),
                              preexec_fn=lambda: os.dup2(channel.fileno(), 3))
        channel.seek(0)
        messages = [json.loads(line) for line in channel.read().decode().splitlines()]
    assert len(messages) == len(cases), done.stderr.decode()[-500:]  # every case answered: no empty win
    return judge_driver_answers(boss().module, cases, messages)


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
    assert "the loss is 0, expected" in report.cases[0].message


@needs_gcc
@pytest.mark.parametrize("name", C_WRONG)
def test_each_wrong_c_solution_loses_on_every_seed(name, tmp_path):
    fight = build_c(boss(), C_DIR / name, tmp_path)
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
    results = answers(build_c(boss(), lab, tmp_path / "build"), 0)
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


# ---------------------------------------------------------------- Rust

def test_the_boss_offers_rust_with_a_reference_and_wrong_solutions():
    assert boss().languages == ("python", "c", "rust")
    assert boss().native_reference_path("rust") == RUST_DIR / "reference.rs"
    assert len(boss().native_wrong_paths("rust")) >= 3
    for path in boss().native_wrong_paths("rust"):
        assert path.read_text().startswith("//! Wrong on purpose: "), path.name


@needs_rustc
def test_the_rust_reference_wins_and_the_starter_loses_in_the_sandbox(sandbox):
    report = fight_sync(boss(), RUST_DIR / "reference.rs", sandbox, seed=3)
    assert report.won and report.language == "rust", report.message
    starter = fight_sync(boss(), RUST_STARTER, sandbox, seed=3)
    assert not starter.won and starter.passed == 0 and starter.language == "rust"
    assert "the loss is 0, expected" in starter.cases[0].message


@needs_rustc
@pytest.mark.parametrize("name", RUST_WRONG)
def test_each_wrong_rust_solution_loses_on_every_seed(name, tmp_path):
    fight = build_rust(RUST_DIR / name, tmp_path)
    for seed in SEEDS:
        results = answers(fight, seed)
        assert len(results) == 8
        assert any(not passed for _, passed, _ in results), f"{name} won with seed {seed}"


@needs_rustc
def test_a_panic_loses_its_case_and_the_next_cases_still_run(tmp_path):
    source = (RUST_DIR / "reference.rs").read_text().replace(
        "    let batch = labels.len();\n    let mut starts",
        "    let batch = labels.len();\n    if batch == 1 {\n        panic!(\"one example only\");\n    }\n    let mut starts", 1)
    lab = tmp_path / "panics.rs"
    lab.write_text(source)
    (tmp_path / "build").mkdir()
    results = answers(build_rust(lab, tmp_path / "build"), 0)
    assert [passed for _, passed, _ in results] == [name != "a batch of one" for name, _, _ in results]
    assert dict((n, m) for n, _, m in results)["a batch of one"] == "your code panicked: one example only"


@needs_rustc
def test_a_rust_compile_error_loses_with_its_place_in_lab_rs(sandbox, tmp_path):
    source = (RUST_DIR / "reference.rs").read_text().replace("let batch = labels.len();", "let batch: u32 = labels.len();", 1)
    lab = tmp_path / "mine.rs"
    lab.write_text(source)
    report = fight_sync(boss(), lab, sandbox, seed=0)
    assert not report.won and report.passed == 0 and report.language == "rust"
    assert report.message.startswith("Defeat: your Rust did not compile: lab.rs:")
    assert "error[E0308]: mismatched types" in report.message
    assert str(tmp_path) not in report.message and "neuralforge-boss" not in report.message


@needs_rustc
def test_a_wrong_signature_names_the_one_the_boss_calls(sandbox, tmp_path):
    lab = tmp_path / "mine.rs"
    lab.write_text("pub fn mlp_backward(widths: &[usize]) -> f64 { widths.len() as f64 }\n")
    report = fight_sync(boss(), lab, sandbox, seed=0)
    assert not report.won
    assert "where the boss calls your code: it needs pub fn mlp_backward(widths: &[usize], params: &[f64]" \
        in report.message


def test_without_rustc_the_rust_fight_says_what_to_install(sandbox, monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "rustc" else real_which(name, *a, **k))
    report = fight_sync(boss(), RUST_DIR / "reference.rs", sandbox, seed=0)
    assert not report.won and report.passed == 0 and report.language == "rust"
    assert report.message.startswith("Defeat: Rust labs need rustc (install Rust")


@needs_rustc
def test_the_rust_toolchain_is_the_real_compiler_with_its_sysroot_readable():
    toolchain = asyncio.run(rust_toolchain())
    compiler = Path(toolchain.compiler)
    assert compiler.name == "rustc" and compiler.parent.name == "bin" and compiler.is_file()
    sysroot = compiler.parent.parent
    assert toolchain.readable == (() if str(sysroot) in ("/usr", "/usr/local") else (sysroot,))


def test_first_rust_error_reads_rustcs_output():
    in_lab = ("warning: unused variable\n --> lab.rs:3:9\n\nerror[E0308]: mismatched types\n"
              "  --> lab.rs:56:22\n   |\n56 |     let batch: u32 = labels.len();\n")
    assert first_rust_error(boss(), in_lab) == "lab.rs:56:22: error[E0308]: mismatched types"
    in_driver = "error[E0425]: cannot find function `mlp_backward` in module `lab`\n   --> driver.rs:104:18\n"
    text = first_rust_error(boss(), in_driver)
    assert text.startswith("error[E0425]: cannot find function `mlp_backward` in module `lab` (where the boss")
    assert boss().module.RUST_SIGNATURE in text
    assert first_rust_error(boss(), "error: expected expression, found `;`\n --> lab.rs:1:21\n") == \
        "lab.rs:1:21: error: expected expression, found `;`"


@needs_rustc
def test_the_rust_starter_builds_and_runs_by_hand(tmp_path):
    toolchain = asyncio.run(rust_toolchain())
    shutil.copyfile(RUST_STARTER, tmp_path / "lab.rs")
    subprocess.run([toolchain.compiler, "-O", "-o", "lab", "lab.rs"], cwd=tmp_path, check=True,
                   capture_output=True, timeout=300)
    out = subprocess.run([str(tmp_path / "lab")], capture_output=True, text=True, timeout=30).stdout
    assert "(want 0.705007)" in out and "grads[0] was never written" in out


# Small changes to each function of the C reference: (function, what is changed, replacement).
C_MUTATIONS = [
    ("linear_forward", "double sum = b[j];", "double sum = 0;"),
    ("linear_forward", "sum += x[r * n_in + i] * W[i * n_out + j];", "sum += x[r * n_in + i] * W[j * n_in + i];"),
    ("linear_backward", "for (int r = 0; r < batch; r++) sum += x[r * n_in + i] * dy[r * n_out + j];",
     "for (int r = 1; r < batch; r++) sum += x[r * n_in + i] * dy[r * n_out + j];"),
    ("linear_backward", "for (int j = 0; j < n_out; j++) sum += dy[r * n_out + j] * W[i * n_out + j];",
     "for (int j = 0; j < n_out; j++) sum -= dy[r * n_out + j] * W[i * n_out + j];"),
    ("relu_forward", "h[k] = z[k] > 0 ? z[k] : 0;", "h[k] = z[k] > 0 ? z[k] : z[k] * 0.01;"),
    ("relu_backward", "dz[k] = z[k] > 0 ? dh[k] : 0;", "dz[k] = z[k] >= 0 ? dh[k] : 0;"),
    ("softmax_xent", "loss += top + log(total) - z[labels[r]];", "loss += log(total) - z[labels[r]];"),
    ("softmax_xent", "p[labels[r]] -= 1.0 / batch;", "p[labels[r]] += 1.0 / batch;"),
    ("softmax_xent", "return loss / batch;", "return loss;"),
    ("mlp_backward", "if (l > 0) relu_backward(z[l - 1], dx, dx, batch * widths[l]);",
     "if (l > 0) relu_backward(z[l], dx, dx, batch * widths[l]);"),
    ("mlp_backward", "for (int l = 2; l >= 0; l--) {", "for (int l = 2; l >= 1; l--) {"),
]


@needs_gcc
@pytest.mark.parametrize(("function", "old", "new"), C_MUTATIONS, ids=[f"{m[0]}-{i}" for i, m in enumerate(C_MUTATIONS)])
def test_a_small_change_to_the_c_reference_loses(function, old, new, tmp_path):
    source = (C_DIR / "reference.c").read_text()
    assert source.count(old) == 1, old
    lab = tmp_path / "mutant.c"
    lab.write_text(source.replace(old, new))
    (tmp_path / "build").mkdir()
    try:
        fight = build_c(boss(), lab, tmp_path / "build")
    except subprocess.CalledProcessError:  # a mutant that does not build loses too
        return
    results = answers(fight, 0)
    assert any(not passed for _, passed, _ in results), f"{function}: {new!r} won the boss"
