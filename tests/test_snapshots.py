"""Snapshots at 80x24 of the start, signup, map and level screens.

Update with `pytest tests/test_snapshots.py --snapshot-update` only after looking at
the report: these are what a player on a small SSH terminal sees.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from textual.widgets import Input

from forge_tui.app import NeuralForgeApp
from forge_tui.screens.level import LevelScreen
from forge_tui.screens.map import MapScreen
from playkit import run_open_at

SIZE = (80, 24)


@pytest.fixture
def app(isolated_home) -> NeuralForgeApp:
    return NeuralForgeApp(animate=False)


def seeded_run(app: NeuralForgeApp, gates: int = 0):
    run, _ = run_open_at(app.game, gates + 1)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return app.game.store.update(run.id, lambda s: setattr(s, "last_played", now))


async def still(pilot) -> None:
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_start_screen(snap_compare, app):
    seeded_run(app, gates=3)
    assert snap_compare(app, terminal_size=SIZE, run_before=still)


def test_signup_screen(snap_compare, app, monkeypatch):
    """The languages are fixed here: what a machine has (gcc, rustc, torch) must not change the picture."""
    from forge_tui.screens import signup
    from forge_tui.toolchains import Language

    monkeypatch.setattr(signup, "languages", lambda: [
        Language("python", "Python", True, "always available; every module"),
        Language("c", "C", True, "/usr/bin/gcc; modules 01, 05, 06"),
        Language("rust", "Rust", False, "no rustc found: install Rust's compiler rustc"),
        Language("triton", "Triton", False, "no module has a Triton lab yet"),
    ])

    async def before(pilot):
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"ada", "enter", "space", "down", "down", "down", "space")
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_map_screen(snap_compare, app):
    run = seeded_run(app, gates=5)

    async def before(pilot):
        await pilot.app.push_screen(MapScreen(run))
        await pilot.press("l", "j")
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


@pytest.mark.parametrize("part", ["hook", "math", "gate"])
def test_level_screen(snap_compare, app, part):
    run = seeded_run(app)
    module = app.game.catalog.module(1)

    async def before(pilot):
        await pilot.app.push_screen(LevelScreen(run, module, part))
        await still(pilot)
        if part == "gate":
            box = pilot.app.screen.query_one("#gate-input", Input)
            box.focus()
            await pilot.press(*"9, 8", "enter")
            await pilot.pause(0.3)
            await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)
