"""`neuralforge lab N --check | --run-lab | --reset` through the one session: exit codes, output, what is
saved; in a C or Rust run, the lab of the run's language."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

from forge_tui.boss import rust_toolchain
from forge_tui.cli import main
from forge_tui.game import Game
from forge_tui.labcheck import load_checks
from forge_tui.locations import bosses_directory
from playkit import run_open_at


def cli(*argv: str) -> int:
    return main(list(argv))


def checked_module():
    """The first module that has lab checks, and a run where it is open."""
    game = Game()
    module = next(m for m in game.catalog.modules if load_checks(m.id) is not None)
    run_open_at(game, module.order)
    return game, module


def test_check_prints_one_line_per_check_and_exits_by_the_verdict(capsys):
    game, module = checked_module()
    total = len(load_checks(module.id).cases())
    reference = bosses_directory() / module.id / "reference.py"
    assert cli("lab", str(module.order), "--check", "--file", str(reference)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("✓ ") for line in lines) == total
    assert lines[-1] == f"All {total} checks pass."

    assert cli("lab", str(module.order), "--check") == 1  # the run's lab: the starter
    out = capsys.readouterr().out
    assert "✗ " in out and "hint: " in out
    saved = game.store.load("ada").modules[module.id]
    assert saved.checks_total == total and len(saved.checks_passed) < total


def test_check_refuses_a_locked_module_and_a_missing_file(capsys):
    game, module = checked_module()
    last = game.catalog.modules[-1]
    assert cli("lab", str(last.order), "--check") == 2
    assert "locked" in capsys.readouterr().err.lower()
    assert cli("lab", str(module.order), "--check", "--file", "/no/such/lab.py") == 2
    assert "no such file" in capsys.readouterr().err


def test_reset_puts_the_starter_back_and_keeps_a_backup(capsys):
    game, module = checked_module()
    assert cli("lab", str(module.order), "--path") == 0
    lab = capsys.readouterr().out.strip()
    with open(lab, "a") as handle:
        handle.write("\n# my work\n")
    assert cli("lab", str(module.order), "--reset") == 0
    out = capsys.readouterr().out
    backup = out.rsplit("kept as ", 1)[1].strip()
    assert "# my work" in open(backup).read()
    assert open(lab).read() == module.starter_path("python").read_text()


# ---------------------------------------------------------------- a run in C or Rust

def open_run(language: str, order: int):
    """A run in `language` where module `order` is open."""
    game = Game()
    return game, run_open_at(game, order, language)[1]


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed: no C lab builds here")
def test_check_on_a_c_run_checks_the_c_lab(capsys):
    game, module = open_run("c", 1)
    native = load_checks(module.id).cases("c")
    assert cli("lab", "1", "--check") == 1  # the run's lab: the C starter
    out = capsys.readouterr().out
    assert "✗ dot: the brief's example" in out and "✓ cosine_similarity: a zero vector" in out  # C returns 0
    assert "project returned 0; with u the zero vector it must return -1" in out
    saved = game.store.load("ada").modules[module.id]
    assert saved.checks_total == len(native) and len(saved.checks_passed) < len(native)

    reference = bosses_directory() / module.id / "c" / "reference.c"
    assert cli("lab", "1", "--check", "--file", str(reference)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("✓ ") for line in lines) == len(native)
    assert lines[-1] == f"All {len(native)} checks pass."


LET_ELSE_LAB = """fn main() {
    let Some(answer) = "42".parse::<u32>().ok() else { return };
    println!("the answer is {}", answer);
}
"""


def compiles(compiler: str, lab, folder) -> bool:
    """Whether `compiler` builds `lab` (outside the sandbox: the trusted side asking its compiler)."""
    done = subprocess.run([compiler, "--edition", "2021", "-o", str(folder / "probe"), str(lab)],
                          capture_output=True, timeout=300)
    return done.returncode == 0


@pytest.mark.skipif(shutil.which("rustc") is None, reason="rustc is not installed: no Rust lab builds here")
def test_run_lab_builds_a_rust_lab_wherever_a_fight_can(capsys, tmp_path):
    """The Lab part's build uses the compiler a fight uses (a rustup proxy on PATH is no compiler
    inside the sandbox): a lab with let-else (Rust 1.65) builds there exactly when a fight's does."""
    game, module = open_run("rust", 6)
    assert cli("lab", "6", "--path") == 0
    lab = Path(capsys.readouterr().out.strip())
    assert lab.name == "lab.rs"
    lab.write_text(LET_ELSE_LAB)
    toolchain = asyncio.run(rust_toolchain())
    fights_build_it = compiles(toolchain.compiler, lab, tmp_path)
    code = cli("lab", "6", "--run-lab")
    out = capsys.readouterr().out
    assert code == (0 if fights_build_it else 1), out
    assert ("the answer is 42" in out) == fights_build_it


@pytest.mark.skipif(shutil.which("rustc") is None, reason="rustc is not installed: no Rust lab builds here")
def test_run_lab_runs_the_rust_starter(capsys):
    open_run("rust", 6)
    assert cli("lab", "6", "--run-lab") == 0
    out = capsys.readouterr().out
    assert "(want 0.705007)" in out and "grads[0] was never written" in out
