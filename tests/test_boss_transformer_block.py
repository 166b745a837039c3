"""Module 12's boss, The Polyglot Decoder: the tiny GPT's forward pass and sampler in C or Rust.

The player's lab.c (or lab.rs) is compiled with the boss's trusted driver and run in the sandbox
beside the model files the cases name (the shipped weights and two fresh random models); the
judge compares every logit with datasets/tinygpt/model.py and replays the sampler. The references
win, the starters and every wrong solution lose, a Python lab is refused, the drivers read inputs
only. Wrong solutions and mutants are built once with the engine's own build command and run
outside the sandbox on the forward cases and the short generation (the answers go to a file on
fd 3, the driver's result channel); the sandboxed fights shorten the 500-character generation to
70 characters (its CPU budget is a timing, measured in benchmarks/, not in tests).
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

from bosskit import judge_driver_answers, sandbox  # noqa: F401 - sandbox is a fixture
from conftest import REPO
from forge_tui.boss import (c_compile_command, fight_limits, fight_sync, load_boss, place_files,
                            rust_compile_command, rust_toolchain)
from forge_tui.tinygpt import model_module

BOSS_DIR = REPO / "bosses" / "transformer-block"
C_DIR, RUST_DIR = BOSS_DIR / "c", BOSS_DIR / "rust"
LAB_DIR = REPO / "levels" / "12-transformer-block" / "lab"
C_WRONG = sorted(path.name for path in C_DIR.glob("wrong_*.c"))
RUST_WRONG = sorted(path.name for path in RUST_DIR.glob("wrong_*.rs"))
SEEDS = (0, 1)
SHORT = 70  # characters of the long generation in sandboxed fights: past the window's first slide

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
needs_rustc = pytest.mark.skipif(shutil.which("rustc") is None, reason="rustc is not installed")


@functools.cache
def boss():
    return load_boss("transformer-block", root=REPO / "bosses")


@pytest.fixture
def short_generation(monkeypatch):
    monkeypatch.setattr(boss().module, "GENERATED", SHORT)


@functools.cache
def built(source: str) -> Path:
    """The fight's own build of `source` (C or Rust) with the driver, once per source."""
    lab, folder = Path(source), Path(tempfile.mkdtemp(prefix="nf-test-decoder-"))
    if lab.suffix == ".c":
        for path in (C_DIR / "driver.c", C_DIR / "gpt.h"):
            shutil.copyfile(path, folder / path.name)
        shutil.copyfile(lab, folder / "lab.c")
        command = c_compile_command(boss())
    else:
        shutil.copyfile(RUST_DIR / "driver.rs", folder / "driver.rs")
        shutil.copyfile(lab, folder / "lab.rs")
        command = rust_compile_command(boss(), asyncio.run(rust_toolchain()))
    subprocess.run(command, cwd=folder, check=True, capture_output=True, timeout=300)
    return folder / "fight"


def quick_cases(seed: int) -> list[dict]:
    """A fight's cases without its 500 characters: the 20 prompts and the short generation."""
    return [case for case in boss().module.cases(np.random.default_rng(seed))
            if case["kind"] == "forward" or case["name"] == "a short generation"]


def answers(executable: Path, cases: list[dict]) -> list[tuple[str, bool, str]]:
    """Run a built fight on `cases` beside their model files and judge each answer as the engine does."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        shutil.copyfile(executable, folder / "fight")
        os.chmod(folder / "fight", 0o755)
        place_files(folder, boss().module.c_files(cases))
        with tempfile.TemporaryFile() as channel:  # the driver's fd 3
            done = subprocess.run([str(folder / "fight")], input=boss().module.c_stdin(cases).encode(),
                                  capture_output=True, timeout=300, cwd=folder, pass_fds=(3, channel.fileno()),
                                  preexec_fn=lambda: os.dup2(channel.fileno(), 3))
            channel.seek(0)
            messages = [json.loads(line) for line in channel.read().decode().splitlines()]
    assert len(messages) == len(cases), done.stderr.decode()[-500:]  # every case answered: no empty win
    return judge_driver_answers(boss().module, cases, messages)


# ---------------------------------------------------------------- the boss's contract

def test_the_boss_is_fought_in_c_and_rust_only():
    assert boss().languages == ("c", "rust")
    assert boss().lab_language("python") == "c" and boss().lab_language("rust") == "rust"
    assert boss().native_reference_path("c") == C_DIR / "reference.c"
    assert len(boss().native_wrong_paths("c")) >= 5 and len(boss().native_wrong_paths("rust")) >= 3
    for path in boss().native_wrong_paths("c"):
        assert path.read_text().startswith("/* Wrong on purpose: "), path.name
    for path in boss().native_wrong_paths("rust"):
        assert path.read_text().startswith("//! Wrong on purpose: "), path.name
    limits = fight_limits(boss())
    assert limits.cpu_s == boss().module.TIME_LIMIT_S and limits.wall_s == boss().module.WALL_LIMIT_S


def test_a_python_lab_is_refused_and_told_which_languages_fight(sandbox):
    report = fight_sync(boss(), BOSS_DIR / "reference.py", sandbox, seed=0)
    assert not report.won and report.passed == 0 and report.language == "python"
    assert report.message == "Defeat: this boss is fought in C or Rust, not Python: fight it with your C or Rust lab"


def test_a_python_run_fights_this_boss_with_its_c_lab():
    from forge_tui.game import Game
    from forge_tui.session import Session

    game = Game()
    run = game.store.create_run("ada", ["hacker", "artist"], "python")
    session = Session(game, run)
    module = game.catalog.module("transformer-block")
    lab = session.fight_lab(module, boss())
    assert lab.name == "lab.c" and lab.read_text() == (LAB_DIR / "c.c").read_text()
    assert session.lab_path(module).name == "lab.py"  # the lab part and its checks stay in Python


def test_the_model_file_layout_is_the_shipped_manifest():
    folder = REPO / "datasets" / "tinygpt"
    manifest = json.loads((folder / "manifest.json").read_text())
    shapes = boss().module.tensor_shapes(manifest["config"])
    assert [(t["name"], tuple(t["shape"])) for t in manifest["tensors"]] == shapes
    model = model_module().load()
    assert boss().module.weights_bytes(model) == (folder / "weights.bin").read_bytes()


def test_random_models_are_rebuilt_from_their_seed_in_the_same_format():
    cases = boss().module.cases(np.random.default_rng(4))
    specs = {case["call"]["args"][0]["file"]: case["call"]["args"][0] for case in cases}
    assert set(specs) == {"tinygpt.bin", "random_1.bin", "random_2.bin"}
    files = boss().module.c_files(cases)
    assert files["tinygpt.bin"] == REPO / "datasets" / "tinygpt" / "weights.bin"
    for name in ("random_1.bin", "random_2.bin"):
        c = specs[name]["config"]
        d = c["d_model"]
        floats = (c["vocab_size"] + c["context"]) * d + c["n_layer"] * (12 * d * d + 13 * d) + 2 * d
        assert len(files[name]) == 4 * floats
        assert files[name] == boss().module.weights_bytes(boss().module.model_of(specs[name]))


def test_every_fight_draws_fresh_cases_and_the_driver_reads_inputs_only():
    one, two = (boss().module.c_stdin(boss().module.cases(np.random.default_rng(seed))) for seed in (5, 6))
    assert one != two
    words = set(one.split())
    allowed = {"forward", "generate", "tinygpt.bin", "random_1.bin", "random_2.bin"}
    for word in words - allowed:
        float(word)  # numbers only: no names, hints or expected values
    assert one.splitlines()[0] == "22"


def test_place_files_puts_paths_and_bytes_and_refuses_a_folder(tmp_path):
    source = tmp_path / "source.bin"
    source.write_bytes(b"abc")
    (tmp_path / "out").mkdir()
    place_files(tmp_path / "out", {"a.bin": source, "b.bin": b"xyz"})
    assert (tmp_path / "out" / "a.bin").read_bytes() == b"abc" and (tmp_path / "out" / "b.bin").read_bytes() == b"xyz"
    for bad in ("../a.bin", "sub/a.bin", "", ".."):
        with pytest.raises(ValueError):
            place_files(tmp_path / "out", {bad: b""})


# ---------------------------------------------------------------- the judge

def _generation(seed: int = 0) -> dict:
    return next(case for case in boss().module.cases(np.random.default_rng(seed)) if case["name"] == "a short generation")


def _right_tokens(case: dict) -> list[int]:
    spec, prompt, n, temperature, u = case["call"]["args"]
    model, ids = boss().module.model_of(spec), list(prompt)
    for k in range(n):
        ids.append(boss().module.expected_token(boss().module.probabilities(model, ids, temperature), u[k])[0])
    return ids[len(prompt):]


def test_the_judge_replays_the_sampler_and_holds_the_cpu_budget():
    case = _generation()
    tokens = _right_tokens(case)
    module = boss().module
    assert module.judge(case, {"tokens": tokens, "cpu_s": 0.01})[0]
    passed, _, message = module.judge(case, {"tokens": tokens, "cpu_s": module.GENERATION_CPU_S + 1})
    assert not passed and "the budget is 30 s" in message
    wrong = list(tokens)
    wrong[5] = (wrong[5] + 1) % case["call"]["args"][0]["config"]["vocab_size"]
    passed, _, message = module.judge(case, {"tokens": wrong, "cpu_s": 0.01})
    assert not passed and message.startswith("token 5 is ")
    passed, _, message = module.judge(case, {"tokens": [-1] * len(tokens), "cpu_s": 0.01})
    assert not passed and message == "token 0 is -1: never written, or not a token id"
    assert not module.judge(case, {"tokens": tokens[:-1], "cpu_s": 0.01})[0]


def test_the_judge_names_nan_logits_and_the_first_position_off():
    case = next(c for c in boss().module.cases(np.random.default_rng(0)) if len(c["call"]["args"][1]) == 64)
    spec, ids = case["call"]["args"]
    want = model_module().forward(np.array(ids), boss().module.model_of(spec))
    assert boss().module.judge(case, {"logits": want.tolist()})[0]
    nan = want.copy()
    nan[3, 3] = np.nan
    passed, _, message = boss().module.judge(case, {"logits": nan.tolist()})
    assert not passed and "NaN" in message and "tied" in message
    late = want.copy()
    late[10:] += 1e-3
    passed, _, message = boss().module.judge(case, {"logits": late.tolist()})
    assert not passed and "positions 0-9 match and position 10 is the first off" in message
    passed, _, _ = boss().module.judge(case, {"logits": (want + 0.9e-4).tolist()})
    assert passed  # within the stated 1e-4


# ---------------------------------------------------------------- C

@needs_gcc
def test_the_c_reference_wins_in_the_sandbox(sandbox, short_generation):
    report = fight_sync(boss(), C_DIR / "reference.c", sandbox, seed=1)
    assert report.won and report.language == "c", report.message
    assert len(report.cases) == 22


@needs_gcc
def test_the_c_starter_compiles_and_loses_every_case_saying_why(sandbox, short_generation):
    report = fight_sync(boss(), LAB_DIR / "c.c", sandbox, seed=0)
    assert not report.won and report.passed == 0
    assert "the logits hold NaN or inf: one never written" in report.cases[0].message
    assert report.cases[-1].message == "token 0 is -1: never written, or not a token id"


@needs_gcc
@pytest.mark.parametrize("name", C_WRONG)
def test_each_wrong_c_solution_loses_on_every_seed(name):
    fight = built(str(C_DIR / name))
    for seed in SEEDS:
        results = answers(fight, quick_cases(seed))
        assert any(not passed for _, passed, _ in results), f"{name} won with seed {seed}"


@needs_gcc
def test_the_c_reference_answers_every_quick_case_right():
    results = answers(built(str(C_DIR / "reference.c")), quick_cases(2))
    assert all(passed for _, passed, _ in results), results


@needs_gcc
def test_the_c_starter_and_reference_build_clean_and_run_by_hand(tmp_path):
    for source, expect in ((LAB_DIR / "c.c", "gpt_forward has not written its logits yet"),
                           (C_DIR / "reference.c", "change in positions 0-2 when tokens 3-5 change: 0.0e+00")):
        exe = tmp_path / "lab"
        subprocess.run(["gcc", "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", str(source), "-lm", "-o", str(exe)],
                       check=True, capture_output=True, timeout=120)
        assert expect in subprocess.run([str(exe)], capture_output=True, text=True, timeout=60).stdout


# Small changes to each function of the C reference: (function, what is changed, replacement).
C_MUTATIONS = [
    ("block_size", "return 12 * (size_t)d * d + 13 * (size_t)d;", "return 12 * (size_t)d * d + 12 * (size_t)d;"),
    ("block_weights", "b.fc_w = take(&at, d * 4 * d);      b.fc_b = take(&at, 4 * d);",
     "b.fc_b = take(&at, 4 * d);      b.fc_w = take(&at, d * 4 * d);"),
    ("layer_norm", "    mean /= d;\n", "    mean /= d + 1;\n"),
    ("layer_norm", "double scale = 1.0 / sqrt(var + eps);", "double scale = 1.0 / (sqrt(var) + eps);"),
    ("gelu", "(x + 0.044715 * x * x * x)", "(x + 0.04 * x * x * x)"),
    ("linear", "for (int j = 0; j < n_out; j++) yt[j] = b[j];", "for (int j = 0; j < n_out; j++) yt[j] = 0;"),
    ("attention", "for (int s = 0; s <= t; s++) { /* no looking ahead */", "for (int s = 0; s < t; s++) {"),
    ("attention", "if (w[s] > top) top = w[s];", "if (w[s] < top) top = w[s];"),
    ("attention", "const double *v = qkv + (size_t)s * 3 * d + 2 * d + h * d_head;",
     "const double *v = qkv + (size_t)s * 3 * d + d + h * d_head;"),
    ("block", "    linear(h, b.attn_proj_w, b.attn_proj_b, T, d, d, y);\n    for (int k = 0; k < T * d; k++) x[k] += y[k];",
     "    linear(h, b.attn_proj_w, b.attn_proj_b, T, d, d, y);\n    for (int k = 0; k < T * d; k++) x[k] = y[k];"),
    ("block", "layer_norm(x, b.ln_2_w, b.ln_2_b, c->eps, T, d, h);", "layer_norm(x, b.ln_1_w, b.ln_1_b, c->eps, T, d, h);"),
    ("gpt_forward", "(double)wte[(size_t)ids[t] * d + i] + wpe[(size_t)t * d + i]",
     "(double)wte[(size_t)ids[t] * d + i] + wpe[(size_t)(t + 1) * d + i]"),
    ("gpt_forward", "layer_norm(x, ln_f, ln_f + d, c->eps, T, d, h);", "memcpy(h, x, sizeof(double) * T * d);"),
    ("sample", "total += exp((logits[v] - top) / temperature);", "total += exp((logits[v] - top) * temperature);"),
    ("sample", "running += exp((logits[v] - top) / temperature) / total;",
     "running = exp((logits[v] - top) / temperature) / total;"),
    ("gpt_generate", "int length = n_prompt + k, T = length < c->context ? length : c->context;",
     "int length = n_prompt + k, T = length < c->context ? length : c->context - 1;"),
]


@needs_gcc
@pytest.mark.parametrize(("function", "old", "new"), C_MUTATIONS, ids=[f"{m[0]}-{i}" for i, m in enumerate(C_MUTATIONS)])
def test_a_small_change_to_the_c_reference_loses(function, old, new, tmp_path):
    source = (C_DIR / "reference.c").read_text()
    assert source.count(old) == 1, old
    lab = tmp_path / f"mutant_{function}.c"
    lab.write_text(source.replace(old, new))
    try:
        fight = built(str(lab))
    except subprocess.CalledProcessError:  # a mutant that does not build loses too
        return
    results = answers(fight, quick_cases(0))
    assert any(not passed for _, passed, _ in results), f"{function}: {new!r} won the boss"


# ---------------------------------------------------------------- Rust

@needs_rustc
def test_the_rust_reference_wins_and_the_starter_loses_in_the_sandbox(sandbox, short_generation):
    report = fight_sync(boss(), RUST_DIR / "reference.rs", sandbox, seed=3)
    assert report.won and report.language == "rust", report.message
    starter = fight_sync(boss(), LAB_DIR / "rust.rs", sandbox, seed=3)
    assert not starter.won and starter.passed == 0 and starter.language == "rust"
    assert starter.cases[0].message == "your code panicked: not yet implemented: gpt_forward"


@needs_rustc
@pytest.mark.parametrize("name", RUST_WRONG)
def test_each_wrong_rust_solution_loses_on_every_seed(name):
    fight = built(str(RUST_DIR / name))
    for seed in SEEDS:
        results = answers(fight, quick_cases(seed))
        assert any(not passed for _, passed, _ in results), f"{name} won with seed {seed}"


@needs_rustc
def test_the_rust_starter_and_reference_build_and_run_by_hand(tmp_path):
    toolchain = asyncio.run(rust_toolchain())
    for source, expect in ((LAB_DIR / "rust.rs", "not yet implemented: gpt_forward"),
                           (RUST_DIR / "reference.rs", "change in positions 0-2 when tokens 3-5 change: 0.0e0")):
        shutil.copyfile(source, tmp_path / "lab.rs")
        subprocess.run([toolchain.compiler, "-O", "-o", "lab", "lab.rs"], cwd=tmp_path, check=True,
                       capture_output=True, timeout=300)
        done = subprocess.run([str(tmp_path / "lab")], capture_output=True, text=True, timeout=60)
        assert expect in done.stdout + done.stderr
