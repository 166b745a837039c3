"""DeepStack (module 8's unlock): activation and gradient norms block by block, live.

The tool's tower is module 8's: with LayerNorm, a residual path and He init it computes what the
boss's reference computes, and its backward matches central differences for every switch; its
verdict is the boss's band. The screen is driven by keys at 80×24 (init, norm, residual, depth,
width, seed); training runs in a worker that leaves the keys answering and stops on space; the
player's own module-8 lab runs in the sandbox with `y` (the reference agrees, a wrong
signal_stats shows ✗); snapshots at 80×24 and 120×40.
"""

from __future__ import annotations

import importlib.util
import time

import numpy as np
import pytest
from textual.app import App

from conftest import REPO
from forge_tui.game import Game
from forge_tui.runner import Sandbox
from forge_tui.unlocks import find_unlock
from forge_tui.unlocks.screens import deepstack as ds
from test_unlocks_labcode import LabHost, new_run, put_lab

SIZE = (80, 24)
BOSS_DIR = REPO / "bosses" / "init-and-norm"


class Host(App):
    def on_mount(self) -> None:
        self.push_screen(find_unlock("DeepStack").open())


def panel(pilot) -> str:
    return str(pilot.app.screen.query_one("#panel").content)


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the network ----------------------------------------------------------------------------------
def test_layer_norm_residual_he_is_the_boss_reference_tower():
    reference = load(BOSS_DIR / "reference.py", "_ds_reference")
    config = ds.Config(depth=6, width=8, init=3, norm=1, residual=True, seed=4)
    params = ds.build(config)
    X, y = ds.spirals(3, 16)
    logits, cache, _ = ds.forward(config, params, X)
    mine, their_cache = reference.tower_forward(params, X)
    assert np.allclose(logits, mine, rtol=1e-12, atol=1e-12)
    dlogits = ds.cross_entropy(logits, y)[1]
    grads, theirs = ds.backward(config, params, cache, dlogits), reference.tower_backward(params, their_cache, dlogits)
    for name in params:
        assert np.allclose(grads[name], theirs[name], rtol=1e-10, atol=1e-12), name


@pytest.mark.parametrize("norm", [0, 1, 2])
@pytest.mark.parametrize("residual", [False, True])
def test_the_backward_matches_central_differences(norm, residual):
    config = ds.Config(depth=3, width=5, init=3, norm=norm, residual=residual, seed=2)
    params = ds.build(config)
    params["gamma"] += 0.3 * np.random.default_rng(0).standard_normal(params["gamma"].shape)
    X, y = ds.spirals(5, 4)
    logits, cache, _ = ds.forward(config, params, X)
    grads = ds.backward(config, params, cache, ds.cross_entropy(logits, y)[1])
    h = 1e-6
    for name, index in [("W", (1, 2, 3)), ("gamma", (0, 4)), ("W_in", (1, 0)), ("b", (2, 1)), ("W_out", (3, 1))]:
        keep = params[name][index]
        params[name][index] = keep + h
        up = ds.cross_entropy(ds.forward(config, params, X)[0], y)[0]
        params[name][index] = keep - h
        down = ds.cross_entropy(ds.forward(config, params, X)[0], y)[0]
        params[name][index] = keep
        assert grads[name][index] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-8), (name, index)


def test_the_band_is_the_boss_band_and_tells_the_inits_apart():
    boss = load(BOSS_DIR / "boss.py", "_ds_boss")
    assert (ds.GRAD_LOW, ds.GRAD_HIGH, ds.GRAD_RATIO) == (boss.GRAD_LOW, boss.GRAD_HIGH, boss.GRAD_RATIO)
    assert (ds.RATE, ds.MOMENTUM, ds.BATCH) == (boss.RATE, boss.MOMENTUM, boss.BATCH)
    X, y = ds.spirals(2, 128)
    at_init = {init: ds.verdict(ds.measure(ds.Config(init=init), ds.build(ds.Config(init=init)), X, y).grads)
               for init in range(len(ds.INITS))}
    assert at_init[0][1].startswith("vanishing") and at_init[1][1].startswith("vanishing")  # default, LeCun
    assert at_init[5][1].startswith(("exploding", "overflow"))  # N(0, 1)
    norm_residual = ds.Config(norm=1, residual=True)
    assert ds.verdict(ds.measure(norm_residual, ds.build(norm_residual), X, y).grads)[0]


def test_the_signal_stats_of_the_tool_are_the_labs():
    reference = load(BOSS_DIR / "reference.py", "_ds_reference_stats")
    assert ds.signal_stats(7, 12, 0.4, 3) == reference.signal_stats(7, 12, 0.4, seed=3)


# --- the screen -----------------------------------------------------------------------------------
async def test_the_switches_follow_the_keys_and_the_panel_shows_the_numbers():
    async with Host().run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        assert screen.config == ds.Config()
        await pilot.press("n", "r", "plus", "w", "i", "i", "i")
        await pilot.pause()
        config = ds.Config(depth=24, width=64, init=0, norm=1, residual=True)
        assert screen.config == config
        stats = ds.measure(config, ds.build(config), *ds.spirals(2, 128))
        text = panel(pilot)
        assert "24 blocks of 64" in text and "nn.Linear default" in text and "LayerNorm" in text
        assert f"‖∂L/∂W‖   {ds.fmt(min(stats.grads), 3)} … {ds.fmt(max(stats.grads), 3)}" in text
        assert ds.verdict(stats.grads)[1] in text.replace("\n", " ") or "healthy" in text
        await pilot.press("n", "n", "r", "minus", "minus")
        await pilot.pause()
        assert screen.config == ds.Config(depth=16, width=64, init=0, norm=0, residual=False)
        assert "vanishing" in panel(pilot)


async def test_training_runs_in_a_worker_and_stops_on_space():
    async with Host().run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        await pilot.press("n", "r", "minus", "minus", "minus", "minus")  # LayerNorm, residual, 8 blocks
        await pilot.press("space")
        deadline = time.monotonic() + 30
        while screen.step < 4 * ds.CHUNK and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert screen.step >= 4 * ds.CHUNK and len(screen.losses) >= 4
        await pilot.press("space")
        stopped = screen.step
        await pilot.pause(0.3)
        assert screen.step == stopped and screen.status_text == f"paused at step {stopped}"
        assert not [w for w in screen.workers if w.group == "train" and w.is_running]
        await pilot.press("w")  # a switch while paused: a fresh network at step 0
        await pilot.pause()
        assert screen.step == 0 and screen.losses == []


# --- your code ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox.start()
    yield box
    box.close()


async def shows(pilot, text: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        if text in panel(pilot):
            return panel(pilot)
    raise AssertionError(f"{text!r} never showed; panel:\n{panel(pilot)}")


async def test_your_lab_runs_beside_the_tool(sandbox):
    game = Game()
    run = new_run(game)
    lab = put_lab(game, run, "init-and-norm", BOSS_DIR / "reference.py")
    app = LabHost("DeepStack", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("minus", "minus")  # 12 blocks: quicker
        await pilot.press("y")
        text = await shows(pilot, "tower")
        assert "your module-8 lab" in text and text.count("✓") == 5 and "✗" not in text, text
        source = (BOSS_DIR / "reference.py").read_text().replace(
            "act_stds.append(float(h.std()))", "act_stds.append(float(z.std()))")
        lab.write_text(source)  # signal_stats records the pre-activations' std
        text = await shows(pilot, "✗")
        rows = {line.split()[0] + line.split()[1]: line for line in text.splitlines() if line.startswith("std")}
        assert any("✗" in row for row in rows.values())


# --- snapshots ------------------------------------------------------------------------------------
async def _still(pilot) -> None:
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot(snap_compare, size):
    assert snap_compare(Host(), terminal_size=size, press=["n", "r"], run_before=_still)


# --- earned in the game ------------------------------------------------------------------------------
async def test_forging_module_8_in_the_tui_opens_deepstack(isolated_home):
    from textual.widgets import Button, Input, TextArea

    from forge_tui.app import NeuralForgeApp
    from forge_tui.screens.level import LevelScreen
    from forge_tui.unlocks.screens.deepstack import DeepStackScreen

    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        game = app.game
        run = game.store.create_run("ada", ["hacker", "artist"], "python")
        for earlier in game.catalog.modules[:7]:  # modules 1-7 forged: module 8 is open
            def forge(state, m=earlier):
                progress = state.progress(m.id)
                progress.gate_passed = progress.boss_defeated = True

            run = game.store.update(run.id, forge)
        module = game.catalog.module("init-and-norm")
        await app.push_screen(LevelScreen(run, module, "lab"))
        await pilot.pause()
        app.screen.query_one("#lab-editor", TextArea).text = (BOSS_DIR / "reference.py").read_text()
        await pilot.press("ctrl+b")  # a fight that counts: secret cases, then a confirmation
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert game.store.load(run.id).modules[module.id].boss_defeated
        app.screen.action_part("gate")
        await pilot.pause()
        box = app.screen.query_one("#gate-input", Input)
        box.value = "2"  # He's c: fan_in · (c / fan_in) · ½ = 1
        await box.action_submit()
        await pilot.pause()
        assert game.module_state(game.store.load(run.id), module) == "forged"
        app.screen.action_part("unlock")
        await pilot.pause()
        button = app.screen.query_one("#open-unlock", Button)
        assert button.display and str(button.label) == "Open DeepStack"
        button.press()
        await pilot.pause()
        assert isinstance(app.screen, DeepStackScreen)
