"""Series a lab sends (forge_tui.series) and the Lab part's plot of them.

The protocol is one message per point, {"series": name, "step": t, <quantity>: value}, on the
result channel; `collect` groups a run's messages into curves, keeps the lab's names as text and
bounds what it keeps. After a run that sent series, the Lab part shows the plot in place of the
output; F4 switches between the two.
"""

from __future__ import annotations

import math

from textual.widgets import TextArea

from forge_tui.app import NeuralForgeApp
from forge_tui.locations import bosses_directory
from forge_tui.screens.level import LevelScreen
from forge_tui.series import MAX_POINTS, MAX_SERIES, collect, read_point, summary
from forge_tui.widgets.lab import LabPanel


# ---------------------------------------------------------------- the protocol

def test_points_group_into_series_in_the_order_they_came():
    messages = [{"series": "sgd", "step": 1, "loss": 0.9}, {"series": "adam", "step": 1, "loss": 0.8},
                {"series": "sgd", "step": 2, "loss": 0.7}, {"case": 0, "ok": True, "value": 3},
                {"series": "adam", "step": 2, "accuracy": 0.5}, "not a dict", None]
    collected = collect(messages)
    assert [(s.name, s.quantity, s.steps, s.values) for s in collected.series] == [
        ("sgd", "loss", [1.0, 2.0], [0.9, 0.7]), ("adam", "loss", [1.0], [0.8]), ("adam", "accuracy", [2.0], [0.5])]
    assert collected.quantities == ["loss", "accuracy"]
    assert [s.label for s in collected.series] == ["sgd loss", "adam loss", "adam accuracy"]


def test_what_is_not_a_point_is_ignored():
    for message in ({"series": "a", "step": 1}, {"series": "a", "step": 1, "loss": 1, "extra": 2},
                    {"series": 3, "step": 1, "loss": 1}, {"series": "a", "step": "1", "loss": 1},
                    {"series": "a", "step": True, "loss": 1}, {"series": "a", "step": 1, "loss": "x"},
                    {"series": "", "step": 1, "loss": 1}, {"step": 1, "loss": 1}):
        assert read_point(message) is None, message
    assert not collect([{"series": "a", "step": 1}])


def test_the_labs_names_are_kept_as_text_without_controls():
    collected = collect([{"series": "[bold red]x\x1b]52;c;aGk=\x07 y\n", "step": 0, "lo\x1b[2Jss": 1.0}])
    (series,) = collected.series
    assert series.name == "[bold red]x y" and series.quantity == "loss"
    long = collect([{"series": "n" * 500, "step": 0, "loss": 1.0}]).series[0]
    assert len(long.name) <= 24


def test_non_finite_points_and_floods_are_bounded():
    messages = [{"series": "a", "step": t, "loss": v} for t, v in ((0, 1.0), (1, math.nan), (2, math.inf), (3, 0.5))]
    messages += [{"series": f"s{i}", "step": 0, "loss": 1.0} for i in range(MAX_SERIES + 3)]
    messages += [{"series": "a", "step": t, "loss": 1.0} for t in range(MAX_POINTS + 10)]
    collected = collect(messages)
    assert len(collected.series) == MAX_SERIES and collected.dropped_series == 4
    first = collected.series[0]
    assert first.values[:2] == [1.0, 0.5] and len(first.values) == MAX_POINTS
    assert collected.dropped_points == 2 + 12
    text = summary(collected)
    assert "a: 5000 points, last 1 at step" in text and "4 more series" in text and "14 points" in text


# ---------------------------------------------------------------- the Lab part

async def open_optimizers_lab(app, pilot):
    run = app.game.store.create_run("ada", ["hacker", "artist"], "python")
    module = app.game.catalog.module("optimizers")
    await app.push_screen(LevelScreen(run, module, "lab"))
    await pilot.pause()
    return module


async def run_lab_text(app, pilot, text: str) -> None:
    app.screen.query_one("#lab-editor", TextArea).text = text
    await pilot.press("ctrl+r")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_run_that_sends_series_is_plotted_and_f4_switches(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        module = await open_optimizers_lab(app, pilot)
        panel = app.screen.query_one(LabPanel)
        await pilot.press("f4")  # nothing sent yet: says how to send
        assert "no plot" in str(app.screen.query_one("#lab-status").content)
        await run_lab_text(app, pilot, (bosses_directory() / module.id / "reference.py").read_text())
        plot, log = app.screen.query_one("#lab-series"), app.screen.query_one("#lab-output")
        assert plot.display and not log.display
        legend = plot.legend_text
        assert legend.startswith("loss by step ")
        for name in ("sgd", "momentum", "rmsprop", "adam", "adamw"):
            assert f"━{name} " in legend
        assert [len(s.values) for s in panel.series.series] == [100] * 5
        assert "adam: 100 points" in "\n".join(log.lines)
        await pilot.press("f4")
        assert log.display and not plot.display
        await pilot.press("f4")
        assert plot.display and not log.display
        await run_lab_text(app, pilot, 'print("no series this time")\n')  # a new run shows its output
        assert log.display and not plot.display and not panel.series
        assert any("no series this time" in line for line in log.lines)


async def test_series_names_are_shown_as_text(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_optimizers_lab(app, pilot)
        await run_lab_text(app, pilot, "from neuralforge_child import send\n"
                                       "for t in range(5):\n"
                                       "    send({'series': '[b]bold[/b] [link=x]', 'step': t, 'loss': 1 / (t + 1)})\n")
        plot = app.screen.query_one("#lab-series")
        assert plot.display and plot.legend_text == "loss by step ━[b]bold[/b] [link=x] "
