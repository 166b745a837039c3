"""The CLI drives the same engine as the TUI: new → gate → status, exit codes, --help."""

from __future__ import annotations

import subprocess
import sys

import pytest

from forge_tui.cli import main


def run(*argv: str) -> int:
    return main(list(argv))


def test_new_gate_status_flow(capsys):
    assert run("new", "--name", "ada", "--flavors", "hacker,artist") == 0
    assert run("gate", "1", "8, 9") == 0
    out = capsys.readouterr().out
    assert "is open" in out
    assert run("status") == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert lines["01"].endswith("gate passed")
    assert lines["02"].endswith("open")
    assert lines["03"].endswith("locked")


def test_gate_exit_codes(capsys):
    run("new", "--name", "ada", "--flavors", "hacker,artist")
    assert run("gate", "1", "9, 8") == 1  # wrong
    assert "Hint 1:" in capsys.readouterr().out
    assert run("gate", "1", "9, 8") == 1
    assert "Hint 2:" in capsys.readouterr().out
    assert run("gate", "2", "5") == 2  # locked
    assert "locked" in capsys.readouterr().err
    assert run("gate", "1", "__import__('os').system('true')") == 2  # malformed
    assert run("gate", "99", "1") == 2  # unknown module
    assert run("gate", "1", "8,9", "--run", "nobody") == 2  # unknown run


def test_capstone_has_no_password(capsys):
    run("new", "--name", "ada", "--flavors", "hacker,artist")
    assert run("gate", "16", "anything") == 2
    assert "no password" in capsys.readouterr().out


def test_new_validates(capsys):
    assert run("new", "--name", "ada", "--flavors", "hacker") == 2
    assert "exactly two" in capsys.readouterr().err
    assert run("new", "--name", "ada", "--flavors", "hacker,wizard") == 2
    assert "unknown flavor" in capsys.readouterr().err
    assert run("new", "--name", "ada", "--flavors", "hacker,artist", "--language", "cobol") == 2


def test_runs_and_doctor(capsys):
    assert run("runs") == 0
    assert "No runs yet" in capsys.readouterr().out
    run("new", "--name", "ada", "--flavors", "hacker,artist")
    run("new", "--name", "grace", "--flavors", "scientist,builder")
    assert run("runs") == 0
    out = capsys.readouterr().out
    assert "ada" in out and "grace" in out
    assert run("doctor") == 0
    out = capsys.readouterr().out
    for word in ("Python", "Terminal", "Language", "Highlighting", "Saves", "Content"):
        assert word in out


@pytest.mark.parametrize("command", [[], ["new"], ["runs"], ["status"], ["gate"], ["doctor"], ["play"]])
def test_help_everywhere(command):
    result = subprocess.run(
        [sys.executable, "-m", "forge_tui", *command, "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "usage: neuralforge" in result.stdout


def test_cli_does_not_import_heavy_modules_for_numeric_gates():
    code = (
        "import sys; from forge_tui.cli import main;"
        "main(['new','--name','x','--flavors','hacker,artist']); main(['gate','1','8,9']);"
        "heavy = [m for m in ('sympy','numpy','torch','triton') if m in sys.modules]; print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().endswith("[]"), result.stdout + result.stderr


def test_startup_path_stays_light():
    code = (
        "import sys, forge_tui.app, forge_tui.screens.start, forge_tui.screens.map,"
        " forge_tui.screens.level, forge_tui.screens.signup;"
        "print([m for m in ('sympy','numpy','torch','triton') if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_runs_says_when_it_repaired_a_save(capsys, isolated_home):
    run("new", "--name", "ada", "--flavors", "hacker,artist")
    run("gate", "1", "8, 9")
    state = isolated_home / "runs" / "ada" / "state.json"
    state.write_text("{ not json")
    assert run("runs") == 0
    captured = capsys.readouterr()
    assert "damaged" in captured.err and "ada" in captured.out
    assert run("status") == 0
    # the last good copy is the one before the damaged write: the run loads, one step back
    assert "0/16 gates" in capsys.readouterr().out


def test_a_second_run_with_a_taken_name_is_refused(capsys):
    assert run("new", "--name", "Ada", "--flavors", "hacker,artist") == 0
    capsys.readouterr()
    assert run("new", "--name", "ada ", "--flavors", "scientist,builder") == 2
    err = capsys.readouterr().err
    assert "A run named 'Ada' already exists (id ada)" in err
    assert run("new", "--name", "Ada Lovelace", "--flavors", "scientist,builder") == 0


def test_plain_neuralforge_plays_without_building_every_command(monkeypatch):
    """`neuralforge` alone starts the game at once: every command's parser (and module) is
    built only when a command is given; it cost about 0.1 s of the first screen."""
    from forge_tui import cli

    played = []
    monkeypatch.setattr(cli, "_parser", lambda: pytest.fail("built the parser for plain `neuralforge`"))
    monkeypatch.setitem(cli.COMMANDS, None, lambda args: played.append(getattr(args, "run", "?")) or 0)
    assert cli.main([]) == 0
    assert played == [None]
