"""AttentionMap (module 11's unlock): the shipped tiny GPT's attention, per layer and head, on any
text the player types.

The numbers the panel shows are the NumPy model's own; the keys move the query, the layer and the
head; typed text is cleaned the way the model can read it and shown as text (never markup); the
player's module-11 `attention` runs in the sandbox on the chosen head's real q, k, v (the
reference agrees, a wrong one shows ✗); snapshots at 80×24 and 120×40.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from textual.app import App

from conftest import REPO
from forge_tui.game import Game
from forge_tui.runner import Sandbox
from forge_tui.tinygpt import model_module
from forge_tui.unlocks import find_unlock
from forge_tui.unlocks.screens.attentionmap import DEFAULT_TEXT, clean, shade
from test_unlocks_labcode import LabHost, new_run, put_lab

SIZE = (80, 24)
REFERENCE = REPO / "bosses" / "attention" / "reference.py"


class Host(App):
    def on_mount(self) -> None:
        self.push_screen(find_unlock("AttentionMap").open())


def panel(pilot) -> str:
    return str(pilot.app.screen.query_one("#panel").content)


def strip(pilot) -> str:
    return str(pilot.app.screen.query_one("#strip").content)


async def typed(pilot, text: str) -> None:
    await pilot.press("t")
    box = pilot.app.screen.query_one("#tool-entry-input")
    box.value = text
    await pilot.press("enter")
    await settled(pilot)


async def settled(pilot) -> None:
    """The model runs in a thread worker: wait for it, then for the screen to redraw."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_registered_for_module_11():
    spec = find_unlock("AttentionMap")
    assert spec.built and spec.module_id == "attention" and find_unlock("11").name == "AttentionMap"


def test_clean_reads_what_the_model_can():
    vocabulary = model_module().load().vocabulary
    assert clean("To be\\nor not", vocabulary, 64) == ("To be\nor not", "")
    kept, note = clean("naïve café", vocabulary, 64)
    assert kept == "nave caf" and "'ï'" in note and "'é'" in note
    kept, note = clean("x" * 70 + "END", vocabulary, 64)
    assert kept == "x" * 61 + "END" and "last 64" in note
    assert shade(0.0) != shade(1.0) and shade(2.0) == shade(1.0)


async def test_keys_pick_query_layer_and_head_and_the_panel_shows_the_models_weights():
    gpt = model_module()
    weights = gpt.attention(gpt.encode(DEFAULT_TEXT))
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert (screen.layer_index, screen.head_index, screen.position) == (0, 0, len(DEFAULT_TEXT) - 1)
        await pilot.press("left", "left", "down", "down", "h", "h", "h")
        assert (screen.layer_index, screen.head_index, screen.position) == (2, 3, len(DEFAULT_TEXT) - 3)
        await pilot.press("up", "left_square_bracket", "home")
        assert (screen.layer_index, screen.head_index, screen.position) == (1, 2, 0)
        await pilot.press(*["right"] * 20)
        text = panel(pilot)
        assert "layer 2 of 4 · head 3 of 4" in text and f"query 21 of {len(DEFAULT_TEXT)}" in text
        row = weights[1, 2, 20]
        top = int(np.argmax(row))
        first = text.split("weight\n")[1].splitlines()[0]
        assert first.startswith(f" {DEFAULT_TEXT[top]!r}") and ("itself" if top == 20 else f"{20 - top} back") in first
        assert float(first.split()[-1]) == pytest.approx(row[top], abs=1e-3)
        await pilot.press("up", "up")  # from layer 2 past layer 1, round to layer 4
        assert screen.layer_index == 3


async def test_typed_text_is_read_by_the_model_and_shown_as_text():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await typed(pilot, "[bold]Hamlet[/bold]\\nTo be é")
        screen = app.screen
        assert screen.text == "[bold]Hamlet[/bold]\nTo be "
        assert strip(pilot).startswith("[bold]Hamlet[/bold]↵To be")
        assert "never seen by the model: 'é'" in screen.status_text
        gpt = model_module()
        assert np.array_equal(screen.maps, gpt.attention(gpt.encode(screen.text)))
        await typed(pilot, "ééé")
        assert screen.status_text.startswith("Not applied:") and screen.text.startswith("[bold]")
        await pilot.press("escape")
        await pilot.press("g")
        await settled(pilot)
        assert "wrote 16 more" in screen.status_text
        assert len(screen.text) == min(64, 26 + 16) and screen.text.startswith("[bold]Hamlet")
        assert screen.position == len(screen.text) - 1


async def test_opens_at_120x40_and_shows_the_whole_text():
    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert strip(pilot).splitlines()[0] == DEFAULT_TEXT.replace("\n", "↵")
        assert f"queries 1–{len(DEFAULT_TEXT)}" in str(app.screen.query_one("#map").content)


# --- your code: the player's attention on the head's real q, k, v ------------------------------------
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


async def test_your_attention_runs_on_the_heads_queries_keys_and_values(sandbox):
    game = Game()
    run = new_run(game)
    lab = put_lab(game, run, "attention", REFERENCE)
    app = LabHost("AttentionMap", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y", "down", "h")
        text = await shows(pilot, "all weights")
        assert "✓" in text and "✗" not in text
        lab.write_text(REFERENCE.read_text().replace("/ np.sqrt(d_k)", ""), encoding="utf-8")
        text = await shows(pilot, "✗")
        assert "all weights" in text


# --- snapshots ------------------------------------------------------------------------------------------
def _still(pilot):
    return pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot(snap_compare, size):
    assert snap_compare(Host(), terminal_size=size, press=["left", "left", "down", "h"], run_before=_still)
