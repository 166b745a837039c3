"""BlockBuilder (module 12's unlock): a transformer block assembled from parts with the keyboard,
its parameters counted, the shipped weights run through the wiring, and one token traced through
the tiny GPT value by value.

The counts are the curriculum's (GPT-2 small's 124,439,808; the shipped model's 811,264 floats);
the rewired forward pass is model.py's when the wiring is GPT-2's; the trace ends in model.py's
logits; typed text is shown as text; the player's module-12 `block` runs in the sandbox on a real
block input (the reference agrees, a wrong one shows ✗); snapshots at 80×24 and 120×40.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from textual.app import App

from conftest import REPO
from forge_tui.game import Game
from forge_tui.runner import Sandbox
from forge_tui.tinygpt import model_module
from forge_tui.unlocks import find_unlock
from forge_tui.unlocks.screens._base import fmt
from forge_tui.unlocks.screens.blockbuilder import (GPT2_BLOCK, SHAPES, Part, block_params, flow, model_params,
                                                    rewired_logits, rewired_loss, trace, verdict)
from test_unlocks_labcode import LabHost, new_run, put_lab

SIZE = (80, 24)
REFERENCE = REPO / "bosses" / "transformer-block" / "reference.py"


class Host(App):
    def on_mount(self) -> None:
        self.push_screen(find_unlock("BlockBuilder").open())


def panel(pilot) -> str:
    return str(pilot.app.screen.query_one("#panel").content)


def view(pilot) -> str:
    return str(pilot.app.screen.query_one("#flow").content)


async def settled(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_registered_for_module_12():
    spec = find_unlock("BlockBuilder")
    assert spec.built and spec.module_id == "transformer-block" and find_unlock("12").name == "BlockBuilder"


def test_the_counts_are_gpt2_smalls_and_the_shipped_models():
    tiny, small = SHAPES[0], SHAPES[1]
    assert model_params(GPT2_BLOCK, small)["total"] == 124_439_808
    manifest = json.loads((REPO / "datasets" / "tinygpt" / "manifest.json").read_text())
    assert model_params(GPT2_BLOCK, tiny)["total"] == manifest["parameters"]
    assert block_params(GPT2_BLOCK, 768) == 7_087_872
    without_norms = [Part("attention", "none"), Part("ffn", "none")]
    assert block_params(without_norms, 512) == 12 * 512 * 512 + 4 * 512 + 5 * 512  # 12d² and the biases
    assert sum(params for _, _, params in flow(GPT2_BLOCK, small)) == block_params(GPT2_BLOCK, 768)


def test_the_wiring_decides_what_the_shipped_weights_predict():
    gpt = model_module()
    model = gpt.load()
    ids = gpt.encode("ROMEO.\nWhat light")
    assert np.allclose(rewired_logits(model, GPT2_BLOCK, ids), gpt.forward(ids), atol=1e-12)
    trained = rewired_loss(model, GPT2_BLOCK)
    post = rewired_loss(model, [Part("attention", "post"), Part("ffn", "post")])
    assert 1.0 < trained < 2.5 and post > trained + 0.5
    assert verdict(GPT2_BLOCK).startswith("GPT-2's pre-LN block")
    assert verdict([Part("attention", "post"), Part("ffn", "post")]).startswith("post-LN")


def test_the_trace_ends_in_the_models_logits_and_explains_each_value():
    gpt = model_module()
    model = gpt.load()
    ids = gpt.encode("To be, or")
    steps = trace(model, ids)
    assert len(steps) == 3 + 8 * 4 + 2
    assert np.allclose(steps[-1].values, gpt.forward(ids), atol=1e-12)
    x = steps[2]
    assert x.name == "x = wte + wpe" and np.allclose(x.values, steps[0].values + steps[1].values)
    assert x.how(3, 7).startswith("wte + wpe = ") and x.how(3, 7).endswith(f"= {fmt(float(x.values[3, 7]), 4)}")
    ln = steps[3]
    assert ln.name == "1 ln_1(x)" and ln.how(0, 0).startswith("(x − μ)/σ·γ + β = ")
    assert "tied" in steps[-1].how(0, 5)


async def test_keys_assemble_the_block_and_the_panel_counts_it():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await settled(pilot)
        assert "811,264" in panel(pilot) and "GPT-2's pre-LN block" in panel(pilot)
        assert "loss 1.8" in view(pilot)
        await pilot.press("n")  # attention: pre-LN -> post-LN
        assert screen.parts[0] == Part("attention", "post")
        await settled(pilot)
        assert "(as trained:" in view(pilot)
        await pilot.press("down", "r")  # the FFN loses its residual
        assert screen.parts[1] == Part("ffn", "pre", residual=False)
        await pilot.press("a")  # a new attention after the FFN: more weights than the shipped ones
        assert [p.kind for p in screen.parts] == ["attention", "ffn", "attention"] and screen.selected == 2
        await settled(pilot)
        assert "they hold one attention and one FFN per block" in view(pilot)
        await pilot.press("left_square_bracket")
        assert [p.kind for p in screen.parts] == ["attention", "attention", "ffn"] and screen.selected == 1
        await pilot.press("x", "x")
        assert screen.parts == [Part("attention", "post")]
        await pilot.press("x")
        assert screen.parts == [] and "an empty block" in panel(pilot)
        await pilot.press("g", "p")
        assert tuple(screen.parts) == GPT2_BLOCK and screen.shape.name == "GPT-2 small"
        assert "124,439,808" in panel(pilot)


async def test_the_trace_walks_steps_values_and_tokens_and_shows_typed_text_as_text():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("v")
        assert screen.mode == "trace"
        await pilot.press("down", "right", "right", "comma")
        assert (screen.step_index, screen.value_index, screen.token) == (3, 2, len(screen.text) - 2)
        assert "1 ln_1(x)" in view(pilot) and "value 2: (x − μ)/σ·γ + β" in view(pilot)
        await pilot.press("n")  # a build key does nothing while tracing
        assert screen.parts[0] == GPT2_BLOCK[0]
        await pilot.press("e")
        box = screen.query_one("#tool-entry-input")
        box.value = "[bold]Hi[/bold]\\nthere é"
        await pilot.press("enter")
        await pilot.pause()
        assert screen.text == "[bold]Hi[/bold]\nthere "
        assert panel(pilot).startswith("text [bold]Hi[/bold]↵there")
        gpt = model_module()
        assert np.allclose(screen.steps[-1].values, gpt.forward(gpt.encode(screen.text)), atol=1e-12)
        await pilot.press("e")
        screen.query_one("#tool-entry-input").value = "ééé"
        await pilot.press("enter")
        assert screen.status_text.startswith("Not applied:") and screen.text.startswith("[bold]")


async def test_opens_at_120x40():
    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert "c_proj narrow" in view(pilot) and "model (tied unembedding)" in panel(pilot)


# --- your code: the player's block on a real block input ----------------------------------------------
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


async def test_your_block_runs_on_the_models_real_block_input(sandbox):
    game = Game()
    run = new_run(game)
    lab = put_lab(game, run, "transformer-block", REFERENCE)
    app = LabHost("BlockBuilder", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v", *["down"] * 10, "y")  # a step of block 2
        assert app.screen._block_index() == 1
        text = await shows(pilot, "max |Δ|")
        assert "block 2" in text and "✓" in text and "✗" not in text
        lab.write_text(REFERENCE.read_text().replace("np.sqrt(var + eps)", "(np.sqrt(var) + eps)"), encoding="utf-8")
        text = await shows(pilot, "✗")
        assert "block 2" in text


# --- snapshots ------------------------------------------------------------------------------------------
def _pressing(*keys):
    """Press the keys, then wait (polling: the snapshot's pilot cannot wait on workers) until the
    wiring's loss is measured."""
    async def run_before(pilot) -> None:
        await pilot.press(*keys)
        deadline = time.monotonic() + 60
        while "measuring" in view(pilot) or not pilot.app.screen.losses:
            assert time.monotonic() < deadline, "the wiring's loss never came"
            await pilot.pause(0.1)
        await pilot.pause()
    return run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_build(snap_compare, size):
    assert snap_compare(Host(), terminal_size=size, run_before=_pressing("n", "down"))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_trace(snap_compare, size):
    assert snap_compare(Host(), terminal_size=size, run_before=_pressing("v", "down", "down", "right"))
