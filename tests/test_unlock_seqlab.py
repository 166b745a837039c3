"""SeqLab (module 10's unlock): the hidden state of an RNN or LSTM, step by step, as a heat map.

The tool's own models do what they claim (the hand-wired adder adds, the counter counts, the
RNN's Jacobian norms are the lab's), its LSTM is the lab's LSTM, typed input is read or refused
in place, the keys move the step, the gate shown and the task, and with y the player's own lab
trains the LSTM that is drawn (the reference's fit, a fit that returns hand-wired weights, an
lstm_forward that forgets the tanh on the cell shows ✗); snapshots at 80×24 and 120×40.
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
from forge_tui.unlocks.screens.seqlab import (
    MAX_COUNT,
    adder_steps,
    classes,
    hand_adder,
    hand_counter,
    jacobian_norms,
    lstm_trace,
    parse_input,
    random_rnn,
    rnn_trace,
)
from test_unlocks_labcode import LabHost, new_run, put_lab

SIZE = (80, 24)
REFERENCE = REPO / "bosses" / "sequences-rnn" / "reference.py"


def reference():
    spec = importlib.util.spec_from_file_location("_seqlab_reference", REFERENCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Host(App):
    def on_mount(self) -> None:
        self.push_screen(find_unlock("SeqLab").open())


def panel(pilot) -> str:
    return str(pilot.app.screen.query_one("#panel").content)


def heat_map(pilot) -> str:
    return str(pilot.app.screen.query_one("#map").content)


async def typed(pilot, text: str) -> None:
    await pilot.press("t")
    pilot.app.screen.query_one("#tool-entry-input").value = text
    await pilot.press("enter")
    await pilot.pause()


def test_registered_for_module_10():
    spec = find_unlock("SeqLab")
    assert spec.built and spec.module_id == "sequences-rnn" and find_unlock("10").name == "SeqLab"


# --- the tool's models ---------------------------------------------------------------------------
def test_the_hand_wired_adder_adds_numbers_of_any_length():
    params, rng = hand_adder(), np.random.default_rng(0)
    for bits in (1, 8, 24, 40):
        for a, b in rng.integers(0, 2**bits, (20, 2)).tolist():
            xs, want = adder_steps(a, b)
            predicted, confidence = classes(params, lstm_trace(params, xs)["h"])
            assert np.array_equal(predicted, want) and confidence.min() > 0.99, (a, b)


def test_the_hand_wired_counter_counts_to_the_longest_input():
    params = hand_counter()
    for bits in ("1" * MAX_COUNT, "0110100111", "0" * 5 + "1" * 30):
        xs, want, _ = parse_input("counter", bits)
        trace = lstm_trace(params, xs)
        assert np.array_equal(classes(params, trace["h"])[0], want)
        assert np.allclose(trace["c"][:, 0], 0.05 * want, atol=1e-5)  # the cell is the count


def test_the_tools_lstm_and_rnn_are_the_labs():
    lab, rng = reference(), np.random.default_rng(1)
    params = {"W": rng.normal(size=(20, 7)), "b": rng.normal(size=20)}
    xs = rng.normal(size=(9, 2))
    hs, _ = lab.lstm_forward(xs[None], np.zeros((1, 5)), np.zeros((1, 5)), params["W"], params["b"])
    assert np.allclose(lstm_trace(params, xs)["h"], hs[0], atol=1e-12)
    rnn, bits = random_rnn(1.5), parse_input("rnn", "1011001")[0]
    hs, _ = lab.rnn_forward(bits[None], np.zeros((1, 8)), rnn["W_xh"], rnn["W_hh"], rnn["b"])
    assert np.allclose(rnn_trace(rnn, bits)["h"], hs[0], atol=1e-12)
    assert np.allclose(jacobian_norms(hs[0], rnn["W_hh"]), lab.jacobian_norms(hs[0], rnn["W_hh"]))


def test_small_weights_vanish_and_large_ones_saturate():
    bits = parse_input("rnn", "1011001110100101" * 2)[0]
    small, large = random_rnn(0.5), random_rnn(3.0)
    assert jacobian_norms(rnn_trace(small, bits)["h"], small["W_hh"])[-1] < 1e-6
    h = rnn_trace(large, bits)["h"]
    norms = jacobian_norms(h, large["W_hh"])
    assert np.mean(np.abs(h) > 0.9) > 0.5 and norms.max() > norms[0]  # saturated, and growing at first


@pytest.mark.parametrize(("task", "text", "says"), [
    ("adder", "12 - 3", "with a + between them"), ("adder", "[b]1[/b] + 2", "with a + between them"),
    ("adder", f"{2**41} + 1", "below 2^40"), ("counter", "10201", "0s and 1s"), ("rnn", "1" * 65, "at most 64"),
    ("counter", "", "0s and 1s"),
])
def test_input_that_is_not_the_tasks_is_refused_with_a_reason(task, text, says):
    with pytest.raises(ValueError, match=says.replace("^", r"\^").replace("+", r"\+")):
        parse_input(task, text)


# --- the screen ------------------------------------------------------------------------------------
async def test_keys_move_the_step_the_view_and_the_task():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.task_name == "adder" and "input 1234 + 4321 = 5555" in panel(pilot)
        assert "every step right" in panel(pilot)
        await pilot.press("right", "right", "right")
        assert screen.position == 3 and "step 4 of 14: reads a=0 b=0" in panel(pilot)
        await pilot.press("end")
        assert screen.position == 13 and "predicts 0 (99%), want 0 ✓" in panel(pilot)  # 4321 has 13 bits, 5555 too
        await pilot.press("g", "g", "g")
        assert screen.view == "f" and "forget gate f at step 14" in panel(pilot)
        assert heat_map(pilot).splitlines()[4] == "forget gate f"  # the chosen view first, then the next ones
        await pilot.press("m")
        assert screen.task_name == "counter" and "input 1101101110" in panel(pilot)
        await pilot.press("end")
        assert "predicts 7 (" in panel(pilot) and "want 7 ✓" in panel(pilot)
        await pilot.press("m", "g")
        assert screen.task_name == "rnn" and "no cell and no gates" in screen.status_text
        before = screen.shown().norms[-1]
        await pilot.press("minus", "minus")
        assert screen.scale == 0.5 and screen.shown().norms[-1] < before
        assert "W_hh scale 0.5" in panel(pilot)


async def test_typed_input_is_read_or_refused_in_place():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await typed(pilot, "13 + 6")
        screen = app.screen
        assert "input 13 + 6 = 19" in panel(pilot) and screen.xs.shape == (5, 2)
        await typed(pilot, "[red]13[/red] + 6")
        assert screen.status_text.startswith("Not applied: type two whole numbers")
        await pilot.press("escape")
        assert "input 13 + 6 = 19" in panel(pilot)
        await pilot.press("m")
        await typed(pilot, "1111 1111 11")
        assert "input 1111111111" in panel(pilot) and "want 1" in panel(pilot)


async def test_a_wide_terminal_shows_every_step():
    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        top = heat_map(pilot).splitlines()[0]
        assert top.split()[-1] == "·" and top.count("·") + top.count("▼") + 2 == 14  # 5 and 10 as digits


# --- your code --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox.start()
    yield box
    box.close()


async def shows(pilot, text: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        if text in panel(pilot):
            return panel(pilot)
    raise AssertionError(f"{text!r} never showed; panel:\n{panel(pilot)}")


HAND_WIRED_FIT = '''

def fit(X, Y, seed=0):
    """Not trained: the weights SeqLab's hand-wired adder uses, returned at once."""
    H, steep, m = 3, 20.0, np.tanh(1.0)
    W, b = np.zeros((4 * H, H + 2)), np.zeros(4 * H)
    for k in range(H):
        W[k, 1] = steep / m
        W[k, H:] = steep
        b[k] = steep * (0.5 - (k + 1))
    b[H:2 * H], b[2 * H:3 * H], b[3 * H:] = -steep, steep, steep
    return {"W": W, "b": b, "W_y": 10 * np.array([[0.0, 0.0, 0.0], [1.0, -1.0, 1.0]]) / m, "b_y": np.array([0.0, -5.0])}
'''


async def test_your_fit_draws_your_lstm_and_a_wrong_forward_shows(sandbox):
    game = Game()
    run = new_run(game)
    source = REFERENCE.read_text()
    lab = put_lab(game, run, "sequences-rnn", source + HAND_WIRED_FIT)
    app = LabHost("SeqLab", game, sandbox, run)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("y")
        text = await shows(pilot, "held out")
        assert "your LSTM, 3 units, trained by your fit" in text and "✗" not in text
        assert text.count("✓") >= 3 + 1  # the step's prediction, then fit, forward, held out
        unsquashed = source.replace("        h = o * np.tanh(c)\n", "        h = o * c\n")  # tanh forgotten
        lab.write_text(unsquashed + HAND_WIRED_FIT, encoding="utf-8")
        text = await shows(pilot, "✗")
        assert text.split("✗")[-2].splitlines()[-1].startswith("forward")


async def test_your_own_training_counts_and_your_rnn_forward_agrees(sandbox):
    game = Game()
    run = new_run(game)
    put_lab(game, run, "sequences-rnn", REFERENCE)
    app = LabHost("SeqLab", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m", "y")
        text = await shows(pilot, "held out")
        assert "your LSTM, 16 units, trained by your fit" in text
        rate = float(text.split("held out")[1].split("%")[0])
        assert rate >= 90 and "✗" not in text
        await pilot.press("m")
        assert "held out" not in panel(pilot)  # the counter's answer is not shown as the RNN's
        text = await shows(pilot, "your rnn_forward, 8 units")
        assert "forward" in text.split("your module-10 lab")[1] and "✓" in text


# --- snapshots ------------------------------------------------------------------------------------------
def _still(pilot):
    return pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot(snap_compare, size):
    assert snap_compare(Host(), terminal_size=size, press=["right", "right", "right", "g"], run_before=_still)
