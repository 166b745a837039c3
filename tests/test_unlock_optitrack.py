"""OptiTrack (module 7's unlock): five optimizers race across a surface over its contour map.

Every racer's position after a few steps is checked against the update rules written out again
here; a rate above the stability limit diverges and the tool says when; a typed surface goes
through the safe parser; the player's own step function races as Y in the sandbox and the panel
says whether its path agrees with the tool's (the module-7 reference) or where it departs (a
wrong solution from the boss's collection); snapshots at 80×24 and 120×40.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from textual.app import App

from conftest import REPO
from forge_tui.game import Game
from forge_tui.runner import Sandbox
from forge_tui.unlocks import find_unlock
from forge_tui.unlocks.screens.optitrack import KINDS, PRESETS, Surface, departs, gradient, gradient_source
from test_unlocks_labcode import LabHost, new_run, put_lab

SIZE = (80, 24)
BOSS = REPO / "bosses" / "optimizers"


class Host(App):
    def on_mount(self) -> None:
        self.push_screen(find_unlock("OptiTrack").open())


def panel(pilot) -> str:
    return str(pilot.app.screen.query_one("#panel").content)


def race(name: str, lr: float, grad, start, steps: int) -> np.ndarray:
    """Module 7's update rules, written out again: where `name` stands after `steps` steps."""
    theta = np.array(start, dtype=float)
    m = v = np.zeros(2)
    for t in range(1, steps + 1):
        g = grad(theta)
        if name == "sgd":
            theta = theta - lr * g
        elif name == "momentum":
            v = 0.9 * v + g
            theta = theta - lr * v
        elif name == "rmsprop":
            v = 0.99 * v + 0.01 * g * g
            theta = theta - lr * g / (np.sqrt(v) + 1e-8)
        else:
            if name == "adamw":
                theta = theta - lr * 0.01 * theta
            m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
            theta = theta - lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return theta


def bowl(p):
    return np.array([p[0], 25.0 * p[1]])


# --- the race ------------------------------------------------------------------------------------
def test_the_sandboxs_gradient_is_the_tools():
    for preset in PRESETS:
        surface = Surface(preset.text)
        namespace = {}
        exec(gradient_source(surface), namespace)
        for point in ([0.3, -1.2], [1.1, 0.4], [-2.0, 2.5]):
            p = np.array(point)
            assert np.array_equal(namespace["grad"](p), gradient(surface)(p)), preset.name


def test_departs_names_the_first_step_that_differs():
    tool = np.cumsum(np.ones((11, 2)), axis=0)
    assert departs(tool.copy(), tool) is None
    mine = tool.copy()
    mine[4, 1] += 1e-6
    assert departs(mine, tool) == 4
    assert departs(tool[:6], tool) == 6  # it stopped early
    assert departs(tool * (1 + 1e-9), tool) is None


async def test_every_racer_moves_by_its_rule():
    async with Host().run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        assert screen.surface.text == PRESETS[0].text and screen.step_count == 0
        await pilot.press("n", "space", "space")
        assert screen.step_count == 12 and "step 12" in panel(pilot)
        for racer, kind, lr in zip(screen.racers, KINDS, PRESETS[0].rates):
            assert racer.lr == lr
            assert np.allclose(racer.path[-1], race(kind.name, lr, bowl, PRESETS[0].start, 12), rtol=1e-12, atol=1e-15)
        adam = race("adam", PRESETS[0].rates[3], bowl, PRESETS[0].start, 12)
        shown = next(line for line in panel(pilot).splitlines() if line.strip().startswith("at ("))
        assert shown.strip() == f"at ({adam[0]:.4g}, {adam[1]:.4g})".replace("-", "−")
        await pilot.press("r")
        assert screen.step_count == 0


async def test_a_rate_past_the_stability_limit_diverges_and_is_named():
    async with Host().run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        await pilot.press("tab", "tab")  # adam → adamw → sgd
        assert screen.racers[screen.selected].kind.name == "sgd"
        await pilot.press("right_square_bracket")  # 0.15 on curvature 25: |1 − 0.15·25| = 2.75
        assert screen.racers[0].lr == 0.15
        for _ in range(3):
            await pilot.press("n")
        sgd = screen.racers[0]
        assert sgd.stopped_at is not None and "sgd diverged at step" in screen.status_text
        assert "diverged" in panel(pilot)
        assert all(r.stopped_at is None for r in screen.racers[1:])  # the others go on
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert sgd.lr == 0.0375 and sgd.stopped_at is None and len(sgd.path) == 1


async def test_typed_surface_start_and_bad_input():
    async with Host().run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        await pilot.press("f")
        box = screen.query_one("#tool-entry-input")
        for bad in ("x^2 + z", "x +* y", "__import__('os')", "[x, y]"):
            box.value = ""
            await pilot.press(*bad, "enter")
            assert screen.entry_open and screen.status_text.startswith("Not applied:"), bad
        box.value = ""
        await pilot.press(*"(x - 1)^2 + 4(y + 1)^2", "enter")
        assert not screen.entry_open and screen.surface.text == "(x - 1)^2 + 4(y + 1)^2"
        await pilot.press("up", "right")  # the start moves by a tenth of the half width, and the race restarts
        assert screen.start == pytest.approx((PRESETS[0].start[0] + 0.25, PRESETS[0].start[1] + 0.25))
        await pilot.press("n")

        def grad(p):
            return np.array([2 * (p[0] - 1), 8 * (p[1] + 1)])

        momentum = race("momentum", screen.racers[1].lr, grad, screen.start, 10)
        assert np.allclose(screen.racers[1].path[-1], momentum, rtol=1e-12)
        await pilot.press("p")
        assert screen.surface.text == PRESETS[0].text


async def test_play_and_pause():
    async with Host().run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        await pilot.press("a")
        await pilot.pause(0.6)
        await pilot.press("a")
        played = screen.step_count
        assert played >= 2 and screen.status_text == "paused"
        await pilot.pause(0.3)
        assert screen.step_count == played


# --- your code -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox.start()
    yield box
    box.close()


async def shows(pilot, text: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        if text in panel(pilot):
            return panel(pilot)
    raise AssertionError(f"{text!r} never showed; panel:\n{panel(pilot)}")


async def test_your_step_function_races_as_y(sandbox):
    game = Game()
    run = new_run(game)
    lab = put_lab(game, run, "optimizers", BOSS / "reference.py")
    app = LabHost("OptiTrack", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p", "y", "n")  # Rosenbrock, Adam selected
        text = await shows(pilot, "300 steps")
        assert "your module-7 lab" in text and "✓" in text and "✗" not in text
        path = app.screen.your_path()
        assert len(path) == 11 and np.array_equal(path, np.array(app.screen.racers[3].path))
        lab.write_text((BOSS / "wrong" / "adam_without_bias_correction.py").read_text())
        text = await shows(pilot, "departs at step 1")
        assert "✗" in text
        await pilot.press("tab", "tab")  # sgd: the wrong lab's sgd is right
        text = await shows(pilot, "300 steps")
        lab.write_text("def adam(theta, grad, state, lr, beta1, beta2, eps):\n    raise NotImplementedError('soon')\n")
        await pilot.press("tab", "tab", "tab")  # adam again
        await shows(pilot, "unfinished")


# --- snapshots ------------------------------------------------------------------------------------
def _still(pilot):
    return pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot(snap_compare, size):
    assert snap_compare(Host(), terminal_size=size, press=["p", "n", "n", "n", "n", "n"], run_before=_still)


# --- earned in the game ------------------------------------------------------------------------------
async def test_forging_module_7_in_the_tui_opens_optitrack(isolated_home):
    from textual.widgets import Button, Input, TextArea

    from forge_tui.app import NeuralForgeApp
    from forge_tui.screens.level import LevelScreen
    from forge_tui.unlocks.screens.optitrack import OptiTrackScreen

    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        game = app.game
        run = game.store.create_run("ada", ["hacker", "artist"], "python")
        for earlier in game.catalog.modules[:6]:  # modules 1-6 forged: module 7 is open
            def forge(state, m=earlier):
                progress = state.progress(m.id)
                progress.gate_passed = progress.boss_defeated = True

            run = game.store.update(run.id, forge)
        module = game.catalog.module("optimizers")
        await app.push_screen(LevelScreen(run, module, "lab"))
        await pilot.pause()
        app.screen.query_one("#lab-editor", TextArea).text = (BOSS / "reference.py").read_text()
        await pilot.press("ctrl+b")  # a fight that counts: secret cases, then a confirmation
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert game.store.load(run.id).modules[module.id].boss_defeated
        app.screen.action_part("gate")
        await pilot.pause()
        box = app.screen.query_one("#gate-input", Input)
        box.value = "2.0526"  # m̂ after two steps: 0.39 / 0.19
        await box.action_submit()
        await pilot.pause()
        assert game.module_state(game.store.load(run.id), module) == "forged"
        app.screen.action_part("unlock")
        await pilot.pause()
        button = app.screen.query_one("#open-unlock", Button)
        assert button.display and str(button.label) == "Open OptiTrack"
        button.press()
        await pilot.pause()
        assert isinstance(app.screen, OptiTrackScreen)
