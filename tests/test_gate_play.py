"""The Forge Gate as a player meets it, through the game's rules, the CLI and the TUI:
answers spelled as people type them, a precision-only miss, hints after a passed gate.

Each answer is recomputed here from the module's numbers, never copied from level.toml."""

from __future__ import annotations

import math

import pytest
from textual.widgets import Input, Static

from forge_tui.app import NeuralForgeApp
from forge_tui.cli import main
from forge_tui.game import Game
from forge_tui.screens.level import LevelScreen
from playkit import run_open_at

SOFTMAX_THIRD = math.exp(3) / (math.exp(1) + math.exp(2) + math.exp(3))  # module 4
FFN_WEIGHTS = 2 * 768 * 3072  # module 12
MV = (2 * 3 + 1 * 2, 1 * 3 + 3 * 2)  # module 1: [[2, 1], [1, 3]] @ [3, 2]


# ---------------------------------------------------------------------------- the rules


def test_a_precision_only_miss_reveals_no_hint():
    game = Game()
    run, module = run_open_at(game, 4)
    two_places = f"{SOFTMAX_THIRD:.2f}"
    outcome = game.submit_gate(run, module, two_places)
    assert not outcome.accepted and not outcome.malformed and outcome.imprecise
    assert "3 decimal places" in outcome.message
    assert outcome.hints == ()
    outcome = game.submit_gate(outcome.state, module, f"{SOFTMAX_THIRD - 0.01:.3f}")
    assert not outcome.imprecise and len(outcome.hints) == 1  # a wrong value still helps


def test_a_wrong_answer_to_a_passed_gate_reveals_no_hint():
    game = Game()
    run, module = run_open_at(game, 1)
    outcome = game.submit_gate(run, module, "%d, %d" % MV)
    assert outcome.accepted
    outcome = game.submit_gate(outcome.state, module, "%d, %d" % MV[::-1])
    assert not outcome.accepted and outcome.hints == ()
    assert outcome.state.modules[module.id].hints_revealed == 0


@pytest.mark.parametrize("order, answer", [
    (1, "(%d;%d)" % MV),
    (1, "{%d, %d}" % MV),
    (4, f"{100 * SOFTMAX_THIRD:.1f}%"),
    (10, "4*(H*(H+D)+H)"),
    (12, f"{FFN_WEIGHTS:,}"),
    (12, f"{FFN_WEIGHTS:_}"),
    (12, f"{FFN_WEIGHTS:,}".replace(",", " ")),
])
def test_the_shipped_gates_accept_answers_as_people_type_them(order, answer):
    game = Game()
    run, module = run_open_at(game, order)
    outcome = game.submit_gate(run, module, answer)
    assert outcome.accepted, outcome.message


# ---------------------------------------------------------------------------- the CLI


def cli(*argv: str) -> int:
    return main(list(argv))


def test_cli_gate_reads_people_spellings(capsys):
    game = Game()
    run, _ = run_open_at(game, 13)
    assert cli("gate", "12", f"{FFN_WEIGHTS:,}", "--run", run.id) == 0
    assert cli("gate", "1", "%d;%d" % MV, "--run", run.id) == 0
    capsys.readouterr()
    assert cli("gate", "4", f"{SOFTMAX_THIRD:.3f}".replace(".", ","), "--run", run.id) == 2
    err = capsys.readouterr().err
    assert "decimal" in err and "comma" in err and "list of 2" not in err
    assert cli("gate", "12", "47,18,592", "--run", run.id) == 2
    assert "threes" in capsys.readouterr().err


def test_cli_gate_precision_miss_and_huge_entries(capsys):
    game = Game()
    run, _ = run_open_at(game, 4)
    assert cli("gate", "4", f"{SOFTMAX_THIRD:.2f}", "--run", run.id) == 1
    out = capsys.readouterr().out
    assert "3 decimal places" in out and "Hint" not in out
    assert cli("gate", "1", "10^400 0", "--run", run.id) == 1
    out = capsys.readouterr().out
    assert out.startswith("Not quite") and "Couldn't check" not in out


# ---------------------------------------------------------------------------- the TUI


def text_of(widget: Static) -> str:
    return str(widget.render())


async def answer(pilot, text: str) -> tuple[str, str]:
    """Type ``text`` at the Gate and return (feedback, hints) as the player sees them."""
    screen = pilot.app.screen
    box = screen.query_one("#gate-input", Input)
    box.value = text
    await box.action_submit()
    await pilot.pause(0.3)
    return (text_of(screen.query_one("#gate-feedback", Static)),
            text_of(screen.query_one("#gate-hints", Static)))


async def test_tui_gate_shows_the_new_messages_as_text():
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        run, module = run_open_at(app.game, 4)
        await app.push_screen(LevelScreen(run, module, "gate"))
        await pilot.pause()
        feedback, hints = await answer(pilot, f"{SOFTMAX_THIRD:.3f}".replace(".", ","))
        assert "comma" in feedback and "list of 2" not in feedback
        feedback, hints = await answer(pilot, f"{SOFTMAX_THIRD:.2f}")
        assert "3 decimal places" in feedback and "Hint" not in hints
        feedback, hints = await answer(pilot, f"{100 * SOFTMAX_THIRD:.1f}%")
        assert "✓" in feedback


async def test_tui_gate_accepts_braces_and_semicolons():
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        run, module = run_open_at(app.game, 1)
        await app.push_screen(LevelScreen(run, module, "gate"))
        await pilot.pause()
        feedback, _ = await answer(pilot, "{%d; %d}" % MV)
        assert "✓" in feedback
        feedback, hints = await answer(pilot, "%d, %d" % MV[::-1])
        assert "✗" in feedback and "Hint" not in hints  # the gate is passed: no hint
