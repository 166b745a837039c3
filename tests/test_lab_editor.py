"""The Lab part edits a real file: saved as typed, outside edits picked up, reset keeps a backup."""

from __future__ import annotations

import os

from textual.widgets import TextArea

from forge_tui.app import NeuralForgeApp
from forge_tui.labs import ensure_lab, lab_path
from forge_tui.screens.level import LevelScreen
from forge_tui.widgets.lab import LabPanel


async def open_lab(app, pilot, language="python"):
    run = app.game.store.create_run("ada", ["hacker", "artist"], language)
    module = app.game.catalog.module(1)
    await app.push_screen(LevelScreen(run, module, "lab"))
    await pilot.pause()
    return run, module


async def test_typing_is_saved_to_the_lab_file(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        run, module = await open_lab(app, pilot)
        path = lab_path(isolated_home, run.id, module, "python")
        assert path.read_text() == module.starter_path("python").read_text()
        editor = app.screen.query_one("#lab-editor", TextArea)
        assert app.focused is editor
        await pilot.press(*"# mine", "enter")
        await pilot.pause(0.8)
        assert path.read_text().startswith("# mine\n")


async def test_an_outside_edit_is_picked_up(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        run, module = await open_lab(app, pilot)
        path = lab_path(isolated_home, run.id, module, "python")
        path.write_text("def dot(u, v):\n    return 42\n")
        os.utime(path, (1, 1))  # a different mtime, as any editor's save gives
        await pilot.pause(1.5)
        assert app.screen.query_one("#lab-editor", TextArea).text == "def dot(u, v):\n    return 42\n"


async def test_reset_asks_first_and_keeps_a_backup(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        run, module = await open_lab(app, pilot)
        path = ensure_lab(isolated_home, run.id, module, "python")
        path.write_text("my work\n")
        os.utime(path, (2, 2))
        await pilot.pause(1.5)
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press("n")  # no: nothing changes
        await pilot.pause()
        assert path.read_text() == "my work\n"
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert path.read_text() == module.starter_path("python").read_text()
        backups = list(path.parent.glob("lab.backup-*.py"))
        assert [b.read_text() for b in backups] == ["my work\n"]


async def test_c_runs_get_the_c_starter(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        run, module = await open_lab(app, pilot, language="c")
        panel = app.screen.query_one(LabPanel)
        assert panel.path.name == "lab.c"
        assert "#include" in app.screen.query_one("#lab-editor", TextArea).text
