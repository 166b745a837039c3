"""`neuralforge boss` and `neuralforge lab`: exit codes, the saved victory, the lab file."""

from __future__ import annotations

import argparse

import pytest

from forge_tui.commands import boss as boss_command
from forge_tui.commands import lab as lab_command
from forge_tui.game import Game
from tests.test_boss_engine import make_boss


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="neuralforge")
    sub = parser.add_subparsers(dest="command")
    boss_command.add_parser(sub)
    lab_command.add_parser(sub)
    args = parser.parse_args(argv)
    return args.handler(args)


@pytest.fixture
def run_state(isolated_home):
    return Game().store.create_run("Ada", ["hacker", "mathematician"], "python")


@pytest.fixture
def bosses(tmp_path, monkeypatch):
    root = tmp_path / "bosses"
    folder = make_boss(root)
    folder.rename(root / "vector-awakens")
    monkeypatch.setattr("forge_tui.locations.bosses_directory", lambda: root)
    return root / "vector-awakens"


def test_boss_victory_is_saved(run_state, bosses, capsys):
    assert main(["boss", "1", "--file", str(bosses / "reference.py"), "--run", run_state.id]) == 0
    out = capsys.readouterr().out
    assert "Victory" in out and "Sandbox: rlimits" in out
    assert Game().store.load(run_state.id).modules["vector-awakens"].boss_defeated


def test_boss_defeat(run_state, bosses, capsys):
    assert main(["boss", "vector-awakens", "--file", str(bosses / "wrong" / "subtract.py")]) == 1
    out = capsys.readouterr().out
    assert "Defeat" in out and "hint:" in out
    assert not Game().store.load(run_state.id).progress("vector-awakens").boss_defeated


def test_boss_judges_the_runs_lab_made_from_the_starter(run_state, bosses, capsys):
    assert main(["boss", "1"]) == 1  # the starter has no `add`: it loses
    assert "Defeat" in capsys.readouterr().out


def test_boss_errors(run_state, bosses, capsys, tmp_path, monkeypatch):
    assert main(["boss", "99"]) == 2
    assert main(["boss", "2"]) == 2  # locked
    assert "locked" in capsys.readouterr().err
    monkeypatch.setattr("forge_tui.locations.bosses_directory", lambda: tmp_path / "empty")
    assert main(["boss", "1"]) == 2
    assert "no boss yet" in capsys.readouterr().err


def test_lab_path_creates_the_lab_from_the_starter(run_state, isolated_home, capsys):
    assert main(["lab", "1", "--path"]) == 0
    path = capsys.readouterr().out.strip()
    assert path == str(isolated_home / "runs" / run_state.id / "labs" / "vector-awakens" / "lab.py")
    assert Game().catalog.module(1).starter_path("python").read_text() == open(path).read()


def test_lab_run_streams_and_reports(run_state, capsys):
    assert main(["lab", "1", "--path"]) == 0
    path = capsys.readouterr().out.strip()
    with open(path, "w") as handle:
        handle.write("print('forged', 6 * 7)\n")
    assert main(["lab", "1", "--run-lab"]) == 0
    assert "forged 42" in capsys.readouterr().out
    with open(path, "w") as handle:
        handle.write("raise SystemExit('not yet')\n")
    assert main(["lab", "1", "--run-lab"]) == 1
    assert "not yet" in capsys.readouterr().out
