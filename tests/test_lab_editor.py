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


async def test_run_the_lab_and_fight_the_boss_to_victory(isolated_home):
    from forge_tui.locations import bosses_directory
    from forge_tui.widgets.boss import BossPanel

    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        run, module = await open_lab(app, pilot)
        editor = app.screen.query_one("#lab-editor", TextArea)
        # the starter loses
        await pilot.press("ctrl+b")
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.screen.query_one(BossPanel)
        assert panel.total and panel.passed < panel.total
        assert not app.game.store.load(run.id).progress(module.id).boss_defeated
        # the player types a solution into the embedded editor (here: the reference, pasted)
        editor.text = (bosses_directory() / module.id / "reference.py").read_text()
        await pilot.press("ctrl+r")  # run it first: output streams into the panel
        await app.workers.wait_for_complete()
        await pilot.pause()
        log = "\n".join(app.screen.query_one("#lab-output").lines)
        assert "$ run lab.py" in log and "s]" in log
        await pilot.press("ctrl+b")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert panel.passed == panel.total > 0
        assert "0/" in str(app.screen.query_one("#boss-health").render())
        assert app.game.store.load(run.id).modules[module.id].boss_defeated


async def test_a_hung_lab_is_stopped(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lab(app, pilot)
        app.screen.query_one("#lab-editor", TextArea).text = "while True:\n    pass\n"
        await pilot.press("ctrl+r")
        await pilot.pause(1.0)
        await pilot.press("ctrl+t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not [w for w in app.screen.workers if w.is_running]


async def test_reference_only_after_victory(isolated_home):
    from forge_tui.screens.reference import ReferenceScreen

    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        run, module = await open_lab(app, pilot)
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert not isinstance(app.screen, ReferenceScreen)
        app.game.defeat_boss(run, module)  # saved as another process would save it
        assert app.session.reload_if_changed()
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, ReferenceScreen)
        texts = [area.text for area in app.screen.query(TextArea)]
        assert "closest_pairs" in texts[1] and texts[0] == module.starter_path("python").read_text()


async def test_a_host_without_isolation_refuses_labs(isolated_home, monkeypatch):
    monkeypatch.setenv("NEURALFORGE_LABS", "0")
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lab(app, pilot)
        await pilot.press("ctrl+r")
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert app._sandbox is None, "nothing was started"
        assert not app.screen.query_one("#lab-output").display


async def test_a_c_run_fights_with_its_c_lab(isolated_home):
    import shutil

    import pytest

    from forge_tui.locations import bosses_directory
    from forge_tui.widgets.boss import BossPanel

    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        run, module = await open_lab(app, pilot, language="c")
        app.screen.query_one("#lab-editor", TextArea).text = (
            bosses_directory() / module.id / "c" / "reference.c"
        ).read_text()
        await pilot.press("ctrl+b")
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.screen.query_one(BossPanel)
        assert panel.passed == panel.total > 0
        assert app.game.store.load(run.id).progress(module.id).boss_defeated


async def test_watch_mode_reruns_the_lab_on_every_save(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        run, module = await open_lab(app, pilot)
        path = lab_path(isolated_home, run.id, module, "python")
        await pilot.press("ctrl+g")  # watch on: runs once now
        await app.workers.wait_for_complete()
        await pilot.pause()
        path.write_text('print("first save")\n')
        os.utime(path, (5, 5))
        await pilot.pause(1.5)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "first save" in "\n".join(app.screen.query_one("#lab-output").lines)
        path.write_text('print("second save")\n')
        os.utime(path, (6, 6))
        await pilot.pause(1.5)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "second save" in "\n".join(app.screen.query_one("#lab-output").lines)


async def test_quitting_right_after_a_keystroke_saves_it_and_closes_cleanly(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        run, module = await open_lab(app, pilot)
        await pilot.press("x")  # the app closes before the save timer fires: unmount saves it
    assert lab_path(isolated_home, run.id, module, "python").read_text().startswith("x")
