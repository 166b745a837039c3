"""Text a player or a lab chose is shown as text: never parsed as markup, never a terminal command.

Run names like ``[x=1+ y`` (a Textual MarkupError), ``[/]`` (a Rich one), ``[bold]x`` and
``[link=...]`` go through the start screen, the map, the level screen, the teacher's class
table and the CLI; lab output and case reports carrying markup-like text and escape sequences
(an OSC 52 clipboard write, a window title, a screen clear) go through the Lab and Boss parts
and through `neuralforge lab --run-lab` and `neuralforge boss`. The CSV export neutralises
cells a spreadsheet would run as formulas.
"""

from __future__ import annotations

import argparse
import csv
import io

import pytest
from textual.widgets import DataTable, OptionList, Static, TextArea

from forge_tui.app import NeuralForgeApp
from forge_tui.game import Game
from forge_tui.host.identity import HostPaths, Identity
from forge_tui.screens.level import LevelScreen
from forge_tui.screens.map import MapScreen
from forge_tui.screens.start import StartScreen

SIZE = (80, 24)
NAMES = ["[x=1+ y", "[bold]x", "[/]", "[link=https://example.com]grades"]
# what a hostile lab prints: markup-like text around an OSC 52 clipboard write, an OSC 0 window
# title, a CSI screen clear, an 8-bit CSI and a terminal reset
CLIPBOARD = "\x1b]52;c;SGVsbG8=\x07"
EVIL = f"[bold]x [/] [x=1+ y {CLIPBOARD}\x1b]0;pwned\x1b\\\x1b[2J\x9b2J\x1bc done"
SHOWN = "[bold]x [/] [x=1+ y  done"
SEQUENCES = ("\x1b]52", "\x1b]0;", "\x1b[2J", "\x9b", "\x1bc")


def terminal_output(app) -> str:
    """What a real terminal receives for the whole screen now. The headless driver of
    ``run_test`` writes nothing, so render the frame the way the real driver does."""
    return app.screen._compositor.render_update(full=True).render_segments(app.console)


def assert_no_sequences(text: str) -> None:
    for sequence in SEQUENCES:
        assert sequence not in text, f"{sequence!r} reached the terminal"


def shown(widget: Static) -> str:
    return str(widget.render())


def new_run(name: str, home=None):
    return Game(home).store.create_run(name, ["hacker", "artist"], "python")


# --- the TUI ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
async def test_a_run_name_shows_as_text_on_the_start_screen_and_the_map(isolated_home, name):
    new_run(name)
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        runs = app.screen.query_one("#runs", OptionList)
        assert str(runs.get_option_at_index(0).prompt).startswith(name[:18])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        assert shown(app.screen.query_one("#map-bar", Static)).startswith(f"{name} · ")


@pytest.mark.parametrize("name", NAMES)
async def test_a_reconnect_resumes_a_run_with_such_a_name(isolated_home, name):
    """Over `serve`, a reconnect opens the player's last run straight away."""
    run = new_run(name)
    Game().visit(run, Game().catalog.module(1), "gate")
    app = NeuralForgeApp(animate=False, resume=run.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LevelScreen) and app.screen.run.name == name


async def test_file_names_and_case_reports_show_as_text_on_the_level_screen(tmp_path, monkeypatch):
    home = tmp_path / "[x=1+ y" / "home"  # the player's folder is theirs to name
    monkeypatch.setenv("NEURALFORGE_HOME", str(home))
    run = new_run("[/]", home)
    Game(home).visit(run, Game(home).catalog.module(1), "lab")
    app = NeuralForgeApp(animate=False, resume=run.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        level = app.screen
        assert isinstance(level, LevelScreen)
        assert "[x=1+ y" in shown(level.query_one("#lab-status", Static))
        from forge_tui.boss import CaseReport
        from forge_tui.widgets.boss import BossPanel

        panel = level.query_one(BossPanel)
        panel.begin("rlimits [x=1+ y")
        panel.case(CaseReport(index=0, name=f"[b]case {CLIPBOARD}", summary=EVIL, passed=False, expected="[/]",
                              got_summary=f"got {EVIL}", message=EVIL, hint="[link=x]hint", total=2))
        panel.finish(False, f"Defeat: {EVIL}")
        level.action_part("boss")
        await pilot.pause()
        failures = shown(panel.query_one("#boss-failures", Static))
        assert "[b]case" in failures and SHOWN in failures and "[link=x]hint" in failures
        assert SHOWN in shown(panel.query_one("#boss-status", Static))
        assert_no_sequences(terminal_output(app))


async def test_lab_output_in_the_lab_part_is_text_without_escape_sequences(isolated_home):
    run = new_run("ada")
    game = Game()
    module = game.catalog.module(1)
    from forge_tui.labs import ensure_lab

    ensure_lab(isolated_home, run.id, module, "python").write_text(f"print({EVIL!r})\n")
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LevelScreen(run, module, "lab"))
        await pilot.pause()
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        log = "\n".join(app.screen.query_one("#lab-output").lines)
        assert SHOWN in log and "SGVsbG8=" not in log and "pwned" not in log
        assert_no_sequences(log)
        assert_no_sequences(terminal_output(app))


async def test_lab_checks_in_the_lab_part_show_a_hostile_labs_error_as_text(isolated_home):
    run = new_run("ada")
    module = Game().catalog.module(1)
    from forge_tui.labs import ensure_lab

    ensure_lab(isolated_home, run.id, module, "python").write_text(f"def dot(u, v):\n    raise ValueError({EVIL!r})\n")
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LevelScreen(run, module, "lab"))
        await pilot.pause()
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        log = "\n".join(app.screen.query_one("#lab-output").lines)
        assert f"your code raised ValueError: {SHOWN}" in log
        assert_no_sequences(log)
        assert_no_sequences(terminal_output(app))


async def test_a_fight_against_a_hostile_lab_shows_its_error_as_text(isolated_home):
    run = new_run("ada")
    module = Game().catalog.module(1)
    from forge_tui.labs import ensure_lab
    from forge_tui.widgets.boss import BossPanel

    lab = ensure_lab(isolated_home, run.id, module, "python")
    lab.write_text(f"def closest_pairs(*args, **kwargs):\n    raise ValueError({EVIL!r})\n")
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(LevelScreen(run, module, "boss"))
        await pilot.pause()
        await pilot.press("ctrl+b")
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.screen.query_one(BossPanel)
        assert panel.total and panel.passed == 0
        assert SHOWN in shown(panel.query_one("#boss-failures", Static))
        assert_no_sequences(terminal_output(app))


async def test_the_class_table_shows_run_names_as_text(tmp_path):
    from forge_tui.host.classroom import ClassApp

    paths = HostPaths(tmp_path / "host")
    paths.prepare()
    home = paths.ensure_player(Identity("ada", "ada", "SHA256:a"))
    for name in NAMES:
        new_run(name, home)
    app = ClassApp(paths.data)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(DataTable)
        runs = {table.get_row_at(row)[1].plain for row in range(table.row_count)}
        assert runs == set(NAMES)
        assert all(not table.get_row_at(row)[1].spans for row in range(table.row_count))


async def test_the_reference_screen_shows_a_lab_file_with_escape_sequences_as_text(isolated_home, tmp_path):
    from forge_tui.screens.reference import ReferenceScreen

    mine = tmp_path / "lab.py"
    mine.write_text(f"# {EVIL}\n")
    module = Game().catalog.module(1)
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ReferenceScreen(module, mine, mine))
        await pilot.pause()
        assert SHOWN in app.screen.query(TextArea).first().text
        assert_no_sequences(terminal_output(app))


# --- the CLI ------------------------------------------------------------------------------------


def cli(*argv: str) -> int:
    from forge_tui.cli import main

    return main(list(argv))


@pytest.mark.parametrize("name", NAMES)
def test_the_cli_prints_a_run_name_as_it_is(isolated_home, capsys, name):
    assert cli("new", "--name", name, "--flavors", "hacker,artist") == 0
    assert cli("runs") == 0
    assert name in capsys.readouterr().out
    assert cli("status", "--run", name) == 0
    assert name in capsys.readouterr().out


def test_neuralforge_lab_run_lab_strips_escape_sequences(isolated_home, capsys):
    run = new_run("ada")
    from forge_tui.labs import ensure_lab

    ensure_lab(isolated_home, run.id, Game().catalog.module(1), "python").write_text(f"print({EVIL!r})\n")
    assert cli("lab", "1", "--run-lab") == 0
    out = capsys.readouterr().out
    assert SHOWN in out
    assert_no_sequences(out)


def test_neuralforge_lab_check_strips_escape_sequences(isolated_home, tmp_path, capsys):
    new_run("ada")
    lab = tmp_path / "hostile.py"
    lab.write_text(f"def dot(u, v):\n    raise ValueError({EVIL!r})\n")
    assert cli("lab", "1", "--check", "--file", str(lab)) == 1
    out = capsys.readouterr().out
    assert f"your code raised ValueError: {SHOWN}" in out
    assert_no_sequences(out)


def test_neuralforge_boss_strips_escape_sequences(isolated_home, tmp_path, capsys):
    new_run("ada")
    lab = tmp_path / "hostile.py"
    lab.write_text(f"def closest_pairs(*args, **kwargs):\n    raise ValueError({EVIL!r})\n")
    assert cli("boss", "1", "--file", str(lab)) == 1
    out = capsys.readouterr().out
    assert "Defeat" in out and SHOWN in out
    assert_no_sequences(out)


def test_neuralforge_bench_strips_escape_sequences_from_a_kernels_error(tmp_path):
    """In a fresh process with no TRITON_INTERPRET set, as a player on a CPU machine runs it."""
    import os
    import subprocess
    import sys
    from importlib.util import find_spec

    if find_spec("torch") is None or find_spec("triton") is None:
        pytest.skip("torch and triton are not installed")
    kernel = tmp_path / "softmax.py"
    kernel.write_text(f"import torch\nimport triton\n\n\ndef softmax(x, out):\n    raise RuntimeError({EVIL!r})\n")
    env = {key: value for key, value in os.environ.items() if key != "TRITON_INTERPRET"}
    done = subprocess.run([sys.executable, "-m", "forge_tui", "bench", "kernels", "softmax", "--file", str(kernel)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 1, done.stderr
    assert "FAIL raised RuntimeError: " + SHOWN in done.stdout
    assert_no_sequences(done.stdout)


# --- the teacher's CSV ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, cell",
    [
        ('=HYPERLINK("http://x.io","grades")', '\'=HYPERLINK("http://x.io","grades")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Ada L", "Ada L"),
        ("", ""),
    ],
)
def test_spreadsheet_cells_never_start_a_formula(value, cell):
    from forge_tui.host.classroom import spreadsheet_cell

    assert spreadsheet_cell(value) == cell


def test_class_export_neutralises_formulas_in_every_text_cell(tmp_path):
    from forge_tui.commands import classroom

    paths = HostPaths(tmp_path / "host")
    paths.prepare()
    home = paths.ensure_player(Identity("ada", "ada", "SHA256:a"))
    formula = '=HYPERLINK("http://x.io","grades")'
    run = new_run(formula, home)
    Game(home).submit_gate(run, Game(home).catalog.module(1), "8, 9")
    new_run("@SUM(A1)", home)
    parser = argparse.ArgumentParser()
    classroom.add_parser(parser.add_subparsers())
    out = tmp_path / "class.csv"
    args = parser.parse_args(["class", "--data", str(paths.data), "export", "--csv", str(out)])
    assert args.handler(args) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert sorted(row["run"] for row in rows) == ["'=HYPERLINK(\"http://x.io\",\"grades\")", "'@SUM(A1)"]
    assert {row["gates_passed"] for row in rows} == {"0", "1"}  # numbers stay numbers
    assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for value in row.values())


# --- unlock tools -------------------------------------------------------------------------------


def test_an_unlock_tool_shows_what_the_lab_sent_as_text():
    from rich.text import Text

    from unlocks.labcode import Check, render_checks

    problem, rows = Text(), Text()
    render_checks(problem, "your lab", [], problem=f"raised ValueError: {EVIL}")
    render_checks(rows, "your lab", [Check("det", EVIL, "2", False), Check("tr", "[/]", "2", False)])
    for panel in (problem, rows):
        assert "[/]" in panel.plain
        assert_no_sequences(panel.plain)
    assert SHOWN in problem.plain
