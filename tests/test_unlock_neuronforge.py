"""NeuronForge (module 5's unlock): points, a one-hidden-layer network and its boundary, live.

The tool's network is the module's lab (its loss and gradients agree with the boss's judge and
with central differences) and learns every preset; the screen is driven by keys at 80×24
(points added, grabbed, moved and deleted, presets, width, rate, a step by hand); training runs
in a worker that leaves the keys answering and stops on `t`; the player's own module-5 lab
trains the network in the sandbox with `y` (the reference agrees, a wrong backward pass shows ✗);
snapshots at 80×24 and 120×40.
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
from forge_tui.unlocks.screens import neuronforge as nf
from test_unlocks_labcode import LabHost, new_run, put_lab

SIZE = (80, 24)
BOSS_DIR = REPO / "bosses" / "perceptron-reborn"


class Host(App):
    def on_mount(self) -> None:
        self.push_screen(find_unlock("NeuronForge").open())


def panel(pilot) -> str:
    return str(pilot.app.screen.query_one("#panel").content)


def judge_math():
    spec = importlib.util.spec_from_file_location("_nf_boss", BOSS_DIR / "boss.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the network ----------------------------------------------------------------------------------
def test_the_tools_gradients_are_the_judges_and_central_differences():
    X, y = nf.preset_points("XOR")
    params = nf.init_params(6, 3)
    params["b1"] = np.linspace(-0.3, 0.3, 6)
    loss, grads = nf.loss_and_grads(X, y, params)
    boss = judge_math()
    assert loss == pytest.approx(boss.loss(X, y, params), rel=1e-12)
    for name in nf.PARAMETERS:
        assert np.allclose(grads[name], boss.gradients(X, y, params)[name], rtol=1e-12, atol=1e-15)
    h = 1e-6
    for index in [(0, 1), (1, 4)]:
        up = {k: v.copy() for k, v in params.items()}
        down = {k: v.copy() for k, v in params.items()}
        up["W1"][index] += h
        down["W1"][index] -= h
        numeric = (nf.loss_and_grads(X, y, up)[0] - nf.loss_and_grads(X, y, down)[0]) / (2 * h)
        assert grads["W1"][index] == pytest.approx(numeric, abs=1e-8)


@pytest.mark.parametrize("preset", nf.PRESETS)
def test_every_preset_is_learnt_by_the_default_network(preset):
    X, y = nf.preset_points(preset)
    assert set(y.tolist()) == {0, 1} and np.all(np.abs(X) <= nf.VIEW)
    params, loss = nf.train(X, y, nf.init_params(16, 0), 1.0, 2000)
    assert np.mean((nf.forward(X, params)[1] > 0.5) == y) >= 0.95, preset


def test_a_rate_too_large_kills_every_unit():
    X, y = nf.preset_points("XOR")
    params, _ = nf.train(X, y, nf.init_params(16, 0), 10.0, 500)
    assert nf.dead_units(X, params) == 16


def test_the_boundary_is_where_the_label_changes():
    labels = np.array([[0, 0, 1], [0, 1, 1]]).reshape(-1)
    edge = nf.boundary(labels, 3, 2)
    assert edge.reshape(2, 3).tolist() == [[False, True, False], [True, False, False]]


# --- keys -----------------------------------------------------------------------------------------
async def test_points_presets_width_and_rate_follow_the_keys():
    async with Host().run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        assert panel(pilot).startswith("spirals  40 ● 40 ○")
        await pilot.press("p")  # blobs
        assert panel(pilot).startswith("blobs  20 ● 20 ○")
        n = len(screen.X)
        await pilot.press("right", "right", "up", "1")
        assert len(screen.X) == n + 1 and screen.y[-1] == 1
        assert np.allclose(screen.X[-1], [0.1, 0.05])
        await pilot.press("0")  # a class-0 point on top of it
        assert screen.y[-1] == 0 and "21 ● 21 ○" in panel(pilot)
        await pilot.press("space", "left", "left", "space")  # grab the nearest (the first), move it, drop it
        assert np.allclose(screen.X[n], [0.0, 0.05]) and np.allclose(screen.X[-1], [0.1, 0.05])
        assert screen.grabbed is None
        await pilot.press("x")  # deletes the moved point, under the cursor
        assert len(screen.X) == n + 1 and screen.y[-1] == 0
        await pilot.press("x", "x")  # nothing near any more
        assert screen.status_text.startswith("no point near the cursor")
        await pilot.press("minus", "minus")
        assert "2 → 8 ReLU → 1 sigmoid" in panel(pilot) and screen.params["W1"].shape == (2, 8)
        await pilot.press("left_square_bracket")
        assert screen.lr == 0.5 and "lr 0.5" in panel(pilot)


async def test_a_step_by_hand_trains_and_the_panel_shows_it():
    async with Host().run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        await pilot.press("p", "p")  # XOR
        X, y = screen.X, screen.y
        before, _ = nf.loss_and_grads(X, y, screen.params)
        expected, loss = nf.train(X, y, nf.init_params(16, 0), 1.0, nf.CHUNK)
        await pilot.press("s")
        assert screen.step == nf.CHUNK
        assert all(np.allclose(screen.params[k], expected[k]) for k in nf.PARAMETERS)
        assert loss < before and f"loss {nf.fmt(loss)}" in panel(pilot)
        W1 = screen.params["W1"]
        assert f" h1 {W1[0, 0]:7.2f} {W1[1, 0]:6.2f}".replace("-", "−") in panel(pilot)
        await pilot.press("r")
        assert screen.step == 0 and screen.seed == 1


async def test_training_runs_in_a_worker_and_stops_on_t():
    async with Host().run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        await pilot.press("t")
        deadline = time.monotonic() + 20
        while screen.step < 4 * nf.CHUNK and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert screen.step >= 4 * nf.CHUNK and "▶ training" in panel(pilot)
        await pilot.press("down")  # keys still answer while it trains
        assert np.allclose(screen.cursor, [0.0, -0.05])
        await pilot.press("t")
        stopped = screen.step
        await pilot.pause(0.3)
        assert screen.step == stopped and f"paused at step {stopped}" == screen.status_text
        assert not [w for w in screen.workers if w.group == "train" and w.is_running]


# --- your code ------------------------------------------------------------------------------------
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


async def test_your_lab_trains_the_network_in_the_sandbox(sandbox):
    game = Game()
    run = new_run(game)
    lab = put_lab(game, run, "perceptron-reborn", BOSS_DIR / "reference.py")
    app = LabHost("NeuronForge", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        await pilot.press("y")
        text = await shows(pilot, "∂L/∂b2")
        assert "trained by your lab" in text and "your module-5 lab" in text
        assert text.count("✓") == 5 and "✗" not in text
        assert screen.yours_grid is not None and screen.yours_grid.shape == (nf.GRID[0] * nf.GRID[1],)
        await pilot.press("t")
        deadline = time.monotonic() + 30
        while screen.step < 2 * nf.YOUR_CHUNK and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert screen.step >= 2 * nf.YOUR_CHUNK  # the player's mlp_forward and mlp_backward did it
        await pilot.press("t")
        source = (BOSS_DIR / "wrong" / "relu_mask_forgotten.py").read_text()
        lab.write_text(source)  # the backward pass forgets the ReLU mask: ∂L/∂W1 and ∂L/∂b1 differ
        text = await shows(pilot, "✗", timeout=30)
        rows = {line.split()[0]: line for line in text.splitlines() if line.startswith("∂L/∂")}
        assert "✗" in rows["∂L/∂W1"] and "✓" in rows["∂L/∂W2"]


# --- snapshots ------------------------------------------------------------------------------------
async def _still(pilot) -> None:
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot(snap_compare, size):
    assert snap_compare(Host(), terminal_size=size, press=["p", "p", "s", "s", "s", "s", "right", "up"],
                        run_before=_still)
