"""Headless play with Textual's Pilot, at 80x24 unless said otherwise."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input, Static, TabbedContent

from forge_tui.app import NeuralForgeApp
from forge_tui.content import PARTS, load_catalog
from forge_tui.screens.level import LevelScreen
from forge_tui.screens.map import MapScreen
from forge_tui.screens.too_small import TooSmallScreen
from forge_tui.widgets.derivation import StepView
from forge_tui.widgets.node import PhaseColumn
from playkit import run_open_at

SIZE = (80, 24)


def text_of(widget: Static) -> str:
    return str(widget.render())


async def sign_up(pilot, name="ada") -> None:
    await pilot.press("n")
    await pilot.pause()
    await pilot.press(*name, "enter")
    await pilot.press("space", "down", "down", "down", "space")  # Hacker and Artist
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_the_whole_loop(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await sign_up(pilot)
        assert isinstance(app.screen, MapScreen)
        await pilot.press("enter")  # module 1
        await pilot.pause()
        level = app.screen
        assert isinstance(level, LevelScreen) and level.module.order == 1
        await pilot.press("5")  # the Gate
        await pilot.pause()
        gate = level.query_one("#gate-input", Input)
        gate.focus()
        await pilot.press(*"9, 8", "enter")
        await pilot.pause(0.3)
        assert "Hint 1" in text_of(level.query_one("#gate-hints", Static))
        assert "✗" in text_of(level.query_one("#gate-feedback", Static))
        gate.value = ""
        await pilot.press(*"(8, 9)", "enter")
        await pilot.pause(0.3)
        feedback = text_of(level.query_one("#gate-feedback", Static))
        assert "✓" in feedback and "02" in feedback
        assert "Hint 1" in text_of(level.query_one("#gate-hints", Static))  # revealed hints stay
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        states = {node.module.order: node.classes for node in app.screen.nodes().values()}
        assert "gate-passed" in states[1] and "open" in states[2] and "locked" in states[3]

    relaunched = NeuralForgeApp(animate=False)
    async with relaunched.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # the saved run is first in the list
        await pilot.pause()
        assert isinstance(relaunched.screen, MapScreen)
        assert relaunched.screen.selected().module.order == 1
        await pilot.press("j")  # module 2 sits below module 1
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(relaunched.screen, LevelScreen)
        assert relaunched.screen.module.order == 2


async def test_resume_returns_to_the_saved_part(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await sign_up(pilot)
        await pilot.press("enter", "3")  # module 1, Lab
        await pilot.pause()
    again = NeuralForgeApp(animate=False)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(again.screen, LevelScreen)
        assert again.screen.query_one("#parts", TabbedContent).active == "lab"


async def test_locked_modules_do_not_open(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await sign_up(pilot)
        await pilot.press("j", "enter")  # module 2 is locked
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        await pilot.press("l", "l", "l", "j", "j", "j", "j", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)


@pytest.mark.parametrize("order", range(1, 17))
async def test_every_level_renders_every_part(isolated_home, order):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        run, module = run_open_at(app.game, order, "c")
        await app.push_screen(LevelScreen(run, module))
        await pilot.pause()
        for part in PARTS:
            app.screen.set_focus(None)  # the gate's answer box would take the digit as text
            await pilot.press(str(PARTS.index(part) + 1))
            await pilot.pause()
            assert app.screen.query_one("#parts", TabbedContent).active == part
        await app.workers.wait_for_complete()
        await pilot.pause()
        rendered = [view.pretty for view in app.screen.query(StepView)]
        assert rendered and all(rendered), "every derivation step is pretty-printed"


async def test_typed_step_is_checked_and_saved(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(120, 40)) as pilot:
        game = app.game
        run = game.store.create_run("ada", ["hacker", "artist"], "python")
        module = game.catalog.module(1)
        await app.push_screen(LevelScreen(run, module, "math"))
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = next(v for v in app.screen.query(StepView) if v.step.typed)
        box = view.query_one(Input)
        box.value = "not valid ((("
        await box.action_submit()
        await pilot.pause(0.3)
        assert view.query(Input), "a malformed step keeps the input"
        derivation = module.derivations[view.d_index]
        box.value = view.step.expr
        await box.action_submit()
        await pilot.pause(0.5)
        assert not view.query(Input)
        saved = game.store.load(run.id).modules[module.id].steps_solved
        assert f"{view.d_index}.{view.s_index}" in saved
        assert derivation.steps[view.s_index].typed


async def test_too_small_then_large_enough(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "60×20" in text_of(app.screen.query_one("#too-small-text", Static))
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert not isinstance(app.screen, TooSmallScreen)


async def test_help_opens_and_closes(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "StartScreen"


async def test_the_hook_is_read_at_the_players_pace(isolated_home):
    """Space reveals the next paragraph; t starts a timed reveal; space after the last goes on."""
    app = NeuralForgeApp(animate=True)
    async with app.run_test(size=SIZE) as pilot:
        run = app.game.store.create_run("ada", ["hacker", "artist"], "python")
        module = app.game.catalog.module(1)
        paragraphs = [p for p in module.hook.split("\n\n") if p.strip()]
        await app.push_screen(LevelScreen(run, module))
        await pilot.pause()
        line = text_of(app.screen.query_one("#hook-timer", Static))
        assert f"next paragraph (1 of {len(paragraphs)})" in line
        shown = text_of(app.screen.query_one("#hook-text", Static))
        assert paragraphs[0].strip()[:40] in shown and paragraphs[1].strip()[:40] not in shown
        await pilot.press("t")
        assert "timed reveal on" in text_of(app.screen.query_one("#hook-timer", Static))
        await pilot.press("t")
        for _ in paragraphs[1:]:
            await pilot.press("space")
        await pilot.pause()
        assert "on to the math" in text_of(app.screen.query_one("#hook-timer", Static))
        assert app.screen.query_one("#parts", TabbedContent).active == "hook"
        assert app.game.store.load(run.id).modules[module.id].hook_seen
        await pilot.press("space")
        await pilot.pause()
        assert app.screen.query_one("#parts", TabbedContent).active == "math"


async def test_a_dropped_in_module_shows_on_the_map(isolated_home, tmp_path, monkeypatch):
    import shutil

    source = load_catalog().modules[0].folder
    content = tmp_path / "levels"
    shutil.copytree(source.parent, content)
    extra = content / "17-bonus-round"
    shutil.copytree(source, extra)
    toml = (extra / "level.toml").read_text(encoding="utf-8")
    toml = toml.replace("order = 1\n", "order = 17\n", 1).replace("phase = 1\n", "phase = 4\n", 1)
    toml = toml.replace(f'id = "{load_catalog().modules[0].id}"', 'id = "bonus-round"', 1)
    (extra / "level.toml").write_text(toml, encoding="utf-8")
    monkeypatch.setenv("NEURALFORGE_CONTENT", str(content))
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await sign_up(pilot)
        orders = [node.module.order for node in app.screen.nodes().values()]
        assert 17 in orders
        await pilot.press("l", "l", "l", "j", "j", "j", "j")  # phase 4's fifth module
        await pilot.pause()
        assert app.screen.selected().module.order == 17
        column = app.screen.query(PhaseColumn)[3]
        assert column.scrolled == 4  # the column scrolled by one node (4 rows)
        assert text_of(app.screen.query_one("#detail", Static)).startswith("17 ")
        column.post_message(events.MouseScrollUp(column, 3, 5, 0, -1, 0, False, False, False))
        await pilot.pause()
        assert column.scrolled == 0  # the mouse wheel scrolls the column back up


async def test_clicking_a_node_opens_its_module(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await sign_up(pilot)
        await pilot.click(PhaseColumn, offset=(3, 6))  # the second node: module 2, locked
        await pilot.pause()
        assert isinstance(app.screen, MapScreen) and app.screen.selected().module.order == 2
        await pilot.click(PhaseColumn, offset=(3, 2))  # the first: module 1, open
        await pilot.pause()
        assert isinstance(app.screen, LevelScreen) and app.screen.module.order == 1


async def test_a_busy_save_is_reported_not_crashed(isolated_home):
    import fcntl

    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        run = app.game.store.create_run("ada", ["hacker", "artist"], "python")
        app.game.store.lock_timeout = 0.2
        module = app.game.catalog.module(1)
        await app.push_screen(LevelScreen(run, module, "gate"))
        await pilot.pause()
        with open(isolated_home / "runs" / run.id / "lock", "a+") as held:
            fcntl.flock(held, fcntl.LOCK_EX)  # another process is saving this run
            box = app.screen.query_one("#gate-input", Input)
            box.value = "8, 9"
            await box.action_submit()
            await pilot.pause(0.6)
            assert "another Neural Forge process" in text_of(app.screen.query_one("#gate-feedback", Static))
        box.value = "8, 9"
        await box.action_submit()
        await pilot.pause(0.3)
        assert "✓" in text_of(app.screen.query_one("#gate-feedback", Static))


async def test_a_corrupt_save_is_recovered_with_a_message(isolated_home):
    app = NeuralForgeApp(animate=False)
    game = app.game
    run = game.store.create_run("ada", ["hacker", "artist"], "python")
    game.submit_gate(run, game.catalog.module(1), "8, 9")  # a second write: a backup exists
    state = isolated_home / "runs" / run.id / "state.json"
    state.write_bytes(state.read_bytes()[:40])  # truncated mid-write by a crash
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        assert any("damaged" in n.message for n in app._notifications)
        assert list(state.parent.glob("state.json.damaged-*")), "the damaged file is kept aside"


async def test_signup_refuses_a_name_already_taken(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        app.game.store.create_run("Ada", ["scientist", "builder"], "python")
        await sign_up(pilot, "ada")
        assert type(app.screen).__name__ == "SignupScreen"
        assert "A run named 'Ada' already exists" in text_of(app.screen.query_one("#signup-error", Static))
        assert [r.name for r in app.game.store.list_runs()] == ["Ada"]


async def test_the_map_shows_a_gate_passed_from_the_shell(isolated_home):
    """One session per game: a change saved by another process (the CLI) reaches the open map."""
    from forge_tui.game import Game

    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await sign_up(pilot)
        assert isinstance(app.screen, MapScreen)
        total = len(app.game.catalog.modules)
        assert f"0/{total} gates" in text_of(app.screen.query_one("#map-bar", Static))
        other = Game()  # what `neuralforge gate 1 "8, 9"` does, in another process
        module = other.catalog.module(1)
        other.submit_gate(other.store.resolve("ada"), module, module.gate.answer)
        for _ in range(40):
            await pilot.pause(0.1)
            if f"1/{total} gates" in text_of(app.screen.query_one("#map-bar", Static)):
                break
        assert f"1/{total} gates" in text_of(app.screen.query_one("#map-bar", Static))
        assert app.session.run.modules[module.id].gate_passed
