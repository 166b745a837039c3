"""BackpropArena (module 6's unlock): an expression's graph, walked backwards one node at a time.

The walk's numbers are checked against sympy's derivative of the whole expression; a shared
node collects one contribution per consumer; the player's module-2 Value rebuilds the same graph
in the sandbox and its grads come back beside the arena's (the reference agrees, a wrong Value
shows ✗); the screen is driven by keys at 80×24, refuses bad input in place, and is snapshotted.
"""

from __future__ import annotations

import importlib.util
import math
import time

import pytest
from textual.app import App

from conftest import REPO
from forge_tui.checker import InputError
from forge_tui.game import Game
from forge_tui.runner import Sandbox
from forge_tui.unlocks import find_unlock
from forge_tui.unlocks.screens.backproparena import PRESETS, Graph, NotRepresentable, Walk, value_program
from test_unlocks_labcode import LabHost, new_run, put_lab

SIZE = (80, 24)
VALUE_LAB = REPO / "bosses" / "calculus-of-slopes" / "reference.py"


def walked(graph: Graph) -> Walk:
    walk = Walk(graph)
    while not walk.done:
        walk.step()
    return walk


def gradient(graph: Graph, walk: Walk) -> dict[str, float]:
    return {n.label: walk.adjoint[n.index] for n in graph.nodes if n.kind == "variable"}


def module2_value():
    spec = importlib.util.spec_from_file_location("_arena_value_lab", VALUE_LAB)
    lab = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lab)
    return lab


# --- the graph and the walk ----------------------------------------------------------------------
@pytest.mark.parametrize("preset", PRESETS, ids=[p.name for p in PRESETS])
def test_the_walk_ends_at_sympys_gradient(preset):
    graph = Graph(preset.text, preset.values)
    exact = graph.sympy_gradient()
    got = gradient(graph, walked(graph))
    assert got.keys() == exact.keys()
    assert all(math.isclose(got[v], exact[v], rel_tol=1e-12, abs_tol=1e-12) for v in exact)


def test_a_shared_node_hears_from_each_consumer_before_its_turn():
    graph = Graph("sin(x*y) + x*y", {"x": 2.0, "y": -1.0})
    shared = next(n.index for n in graph.nodes if n.label == "·")
    assert sum(shared in n.inputs for n in graph.nodes) == 2  # one node, two consumers
    walk = Walk(graph)
    heard = []
    while walk.upcoming != shared:
        walk.step()
        heard += [s for s in walk.last if s.to == shared]
    assert [round(s.contribution, 12) for s in heard] == sorted([1.0, round(math.cos(-2.0), 12)], reverse=True)
    assert heard[1].before == heard[0].after  # accumulated, not overwritten
    assert walk.adjoint[shared] == pytest.approx(1 + math.cos(-2.0))
    assert shared in walk.finished_nodes()


def test_each_step_sends_adjoint_times_local_derivative():
    graph = Graph("x^3*y", {"x": 0.5, "y": 2.0})
    walk = Walk(graph)
    walk.step()  # the product: ∂(x³·y)/∂(x³) = y and ∂/∂y = x³
    locals_ = sorted(s.local for s in walk.last)
    assert locals_ == pytest.approx(sorted([2.0, 0.125]))
    walk.step()  # the power, or y: whichever comes next, the walk continues to the exact gradient
    while not walk.done:
        walk.step()
    assert gradient(graph, walk) == pytest.approx({"x": 3 * 0.25 * 2.0, "y": 0.125})


@pytest.mark.parametrize("bad", ["q + 1", "x +", "[x, y]", " + ".join(f"{k}*sin({k}*x)" for k in range(2, 30))])
def test_bad_expressions_are_refused(bad):
    with pytest.raises(InputError):
        Graph(bad, {})


# --- the player's Value, node for node ---------------------------------------------------------
@pytest.mark.parametrize("text", ["sin(x*y) + x*y", "log(exp(x) + exp(y) + exp(z))", "x^3*y + exp(x*y)",
                                  "2*x - 3*y*y + 1"])
def test_the_module2_reference_value_rebuilds_every_node(text):
    graph = Graph(text, {"x": 0.7, "y": -1.3, "z": 0.2})
    namespace = {"lab": module2_value()}
    exec(value_program(graph), namespace)
    walk = walked(graph)
    result = namespace["result"]
    assert result["value"] == pytest.approx(graph.nodes[graph.output].value)
    for node in graph.nodes:
        if node.kind != "constant":
            assert result["grads"][node.index] == pytest.approx(walk.adjoint[node.index], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("text", ["tanh(x)", "x/y", "sqrt(x)"])
def test_what_a_module2_value_cannot_build_is_named(text):
    with pytest.raises(NotRepresentable):
        value_program(Graph(text, {"x": 1.0, "y": 2.0}))


# --- the screen -----------------------------------------------------------------------------------------
class Host(App):
    def on_mount(self) -> None:
        self.push_screen(find_unlock("BackpropArena").open())


def panel(pilot) -> str:
    return str(pilot.app.screen.query_one("#panel").content)


def graph_text(pilot) -> str:
    return str(pilot.app.screen.query_one("#graph").content)


async def test_keys_step_backwards_through_the_graph():
    async with Host().run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = pilot.app.screen
        total = len(screen.graph.order)
        assert f"step 0 of {total}" in panel(pilot) and "seed: ∂f/∂f = 1" in panel(pilot)
        assert "n2 ↑shared" in graph_text(pilot)
        await pilot.press("space")
        assert f"step 1 of {total}" in panel(pilot) and "arrived ∂f/∂n" in panel(pilot)
        await pilot.press("space", "b")
        assert f"step 1 of {total}" in panel(pilot)
        await pilot.press("a")
        text = panel(pilot)
        assert "every gradient is in" in text and text.count("✓") == 2 and "✗" not in text
        await pilot.press("f")
        for bad in ("q + 1", "x +"):
            box = screen.query_one("#tool-entry-input")
            box.value = ""
            await pilot.press(*bad, "enter")
            assert screen.entry_open and screen.status_text.startswith("Not applied:")
        box.value = ""
        await pilot.press(*"x*x + y", "enter", "v")
        box.value = ""
        await pilot.press(*"x = 3, y = -1", "enter", "a")
        assert screen.graph.values == {"x": 3.0, "y": -1.0}
        assert "∂f/∂x         6" in panel(pilot) and "∂f/∂y         1" in panel(pilot)
        await pilot.press("p")  # back to the presets, from the first
        assert screen.graph.text == PRESETS[0].text
        await pilot.press("p")
        assert screen.graph.text == PRESETS[1].text and f"step 0 of {len(screen.graph.order)}" in panel(pilot)


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox.start()
    yield box
    box.close()


async def test_your_value_rebuilds_the_graph_in_the_sandbox(sandbox):
    game = Game()
    run = new_run(game)
    lab = put_lab(game, run, "calculus-of-slopes", VALUE_LAB)
    app = LabHost("BackpropArena", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        text = await shows(pilot, "nodes")
        assert "your module-2 lab" in text and "✗" not in text and "∂f/∂x" in text
        right = VALUE_LAB.read_text()
        wrong = right.replace("self.grad += math.cos(self.data) * out.grad", "self.grad = math.cos(self.data) * out.grad")
        assert wrong.count("self.grad = ") == right.count("self.grad = ") + 1
        lab.write_text(wrong)  # sin overwrites what the sum had sent to the shared x·y: a wrong gradient
        text = await shows(pilot, "✗", timeout=20)
        await pilot.press("p")  # a tanh neuron: a module-2 Value has no tanh
        text = await shows(pilot, "tanh is not among")


async def shows(pilot, text: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        if text in panel(pilot):
            return panel(pilot)
    raise AssertionError(f"{text!r} never showed; panel:\n{panel(pilot)}")


def _still(pilot):
    return pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot(snap_compare, size):
    assert snap_compare(Host(), terminal_size=size, press=["space", "space", "space"], run_before=_still)
