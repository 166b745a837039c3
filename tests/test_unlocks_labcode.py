"""Your code beside the reference: each unlock tool runs the player's own lab in the sandbox.

Every tool is driven by its `y` key with a real sandbox: with the reference lab copied into the
run, the lab's numbers equal the tool's; with a wrong lab from the boss's collection, a visible
difference (✗); with a lab that raises, hangs, is missing or is not Python, a clear message,
and the tool keeps answering keys while the lab runs.
"""

from __future__ import annotations

import importlib.util
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from textual.app import App

from conftest import REPO
from forge_tui.game import Game
from forge_tui.labs import lab_path
from forge_tui.runner import Limits, Sandbox
from forge_tui.unlocks import find_unlock

SIZE = (80, 24)
BOSSES = REPO / "bosses"


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox.start()
    yield box
    box.close()


class LabHost(App):
    """The game's shape as far as a tool sees it: `game`, `sandbox`, the tool on top of a run."""

    def __init__(self, tool: str, game: Game, sandbox, run=None):
        super().__init__()
        self.tool, self.game, self.sandbox, self.run_state = tool, game, sandbox, run

    def on_mount(self) -> None:
        screen = find_unlock(self.tool, self.game.catalog).open()
        screen.run = self.run_state
        if screen.labcode is not None:
            screen.labcode.debounce_s = 0.02
        self.push_screen(screen)


def new_run(game: Game, language: str = "python"):
    return game.store.create_run("ada", ["hacker", "artist"], language)


def put_lab(game: Game, run, module_id: str, source: Path | str) -> Path:
    module = game.catalog.module(module_id)
    path = lab_path(game.store.home, run.id, module, "python")
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(source, Path):
        shutil.copyfile(source, path)
    else:
        path.write_text(source, encoding="utf-8")
    return path


def panel(pilot) -> str:
    return str(pilot.app.screen.query_one("#panel").content)


async def answered(pilot, timeout: float = 15.0):
    """Wait (keys still flowing) until the lab has answered for exactly the current inputs."""
    screen = pilot.app.screen
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.02)
        asked = screen.your_cases()
        if isinstance(asked, str):
            return None
        answer = screen.labcode.fresh(asked[0])
        if answer is not None and not screen.labcode.pending:
            await pilot.pause()
            return answer
    raise AssertionError(f"no answer from the lab within {timeout} s; panel:\n{panel(pilot)}")


async def shows(pilot, text: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        if text in panel(pilot):
            return panel(pilot)
    raise AssertionError(f"{text!r} never showed; panel:\n{panel(pilot)}")


def marks(checks) -> list:
    return [c.agree for c in checks]


# --- MatrixLab: module 1's dot, norm, cosine_similarity, project on v and Mv ----------------------
async def test_matrixlab_reference_lab_agrees_with_numpy_and_follows_the_keys(sandbox):
    game = Game()
    run = new_run(game)
    put_lab(game, run, "vector-awakens", BOSSES / "vector-awakens" / "reference.py")
    app = LabHost("MatrixLab", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert "yours" not in panel(pilot)
        await pilot.press("y")
        for keys in ((), ("m", "m", "m", "right", "up"), ("3",)):  # as shown; v moved; 3×3
            await pilot.press(*keys)
            answer = await answered(pilot)
            v, Mv = screen.v, screen.M @ screen.v
            dot, nv, nMv, cos, proj = (o.value for o in answer.outcomes)
            assert all(o.ok for o in answer.outcomes)
            assert np.isclose(dot, v @ Mv) and np.isclose(nv, np.linalg.norm(v))
            assert np.isclose(nMv, np.linalg.norm(Mv))
            assert np.isclose(cos, v @ Mv / (np.linalg.norm(v) * np.linalg.norm(Mv)))
            assert np.allclose(proj, (v @ Mv) / (v @ v) * v)
            assert marks(screen.your_checks(answer)) == [True] * 5
            text = panel(pilot)
            assert "your module-1 lab" in text and text.count("✓") == 5 and "✗" not in text
        await pilot.press("y")
        assert "your module-1 lab" not in panel(pilot)


def cosine_is_dot() -> str:
    """Module 1's wrong labs all go wrong in closest_pairs only (which the tool does not call);
    this one is the reference with the classic cosine bug: the dot product, never divided."""
    reference = (BOSSES / "vector-awakens" / "reference.py").read_text()
    wrong = reference.replace("return dot(u, v) / (length_u * length_v)", "return dot(u, v)")
    assert wrong != reference
    return wrong


async def test_matrixlab_wrong_lab_shows_the_difference(sandbox):
    game = Game()
    run = new_run(game)
    put_lab(game, run, "vector-awakens", cosine_is_dot())
    app = LabHost("MatrixLab", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        answer = await answered(pilot)
        checks = {c.label: c for c in app.screen.your_checks(answer)}
        assert checks["cos∠"].agree is False and checks["v·Mv"].agree is True
        line = next(line for line in panel(pilot).splitlines() if line.startswith("cos∠"))
        assert "✗" in line and "3.5" in line  # its "cosine" is the dot product, 3.5, beside 0.9778
        assert "0.9778" in line


async def test_matrixlab_zero_vector_lab_must_refuse(sandbox):
    """v = 0: the module's contract is a ValueError; a lab that returns a number is marked wrong."""
    game = Game()
    run = new_run(game)
    put_lab(game, run, "vector-awakens", BOSSES / "vector-awakens" / "reference.py")
    app = LabHost("MatrixLab", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.v[:] = 0.0
        await pilot.press("y")
        answer = await answered(pilot)
        checks = {c.label: c for c in app.screen.your_checks(answer)}
        assert checks["cos∠"].agree is True and checks["cos∠"].yours == "ValueError"
        assert checks["projᵥMv"].agree is True


async def test_matrixlab_lab_that_raises_is_explained_and_the_tool_stays_live(sandbox):
    game = Game()
    run = new_run(game)
    lab = (BOSSES / "vector-awakens" / "reference.py").read_text()
    lab += "\n\ndef norm(v):\n    raise ZeroDivisionError('my norm is broken')\n"
    put_lab(game, run, "vector-awakens", lab)
    app = LabHost("MatrixLab", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        answer = await answered(pilot)
        checks = {c.label: c for c in app.screen.your_checks(answer)}
        assert checks["v·Mv"].agree is True
        assert checks["|v|"].agree is None and "ZeroDivisionError: my norm is broken" in checks["|v|"].yours
        assert "raised ZeroDivisionError" in panel(pilot)
        before = float(np.linalg.det(app.screen.M))
        await pilot.press("plus")
        assert not np.isclose(np.linalg.det(app.screen.M), before)
        assert "det    3.2" in panel(pilot)


async def test_missing_function_and_garbage_answers_are_named(sandbox):
    """The run is the app's session's (the run being played), not the latest played run."""
    from forge_tui.session import Session

    game = Game()
    run = new_run(game)
    put_lab(game, run, "vector-awakens", "def dot(u, v):\n    return 'abc'\n\n"
            "def cosine_similarity(u, v):\n    return [1, 2]\n\ndef project(v, u):\n    return [1.0]\n")
    new_run(game)  # a later run, without a lab: the tool must not pick it

    class GameLike(App):
        def on_mount(self) -> None:
            self.game, self.sandbox = game, sandbox
            self.session = Session(game, run)
            self.push_screen(find_unlock("MatrixLab").open())

    app = GameLike()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        answer = await answered(pilot)
        checks = {c.label: c for c in app.screen.your_checks(answer)}
        assert checks["v·Mv"].yours == "returned 'abc', not a number"
        assert checks["|v|"].yours == "your lab has no `norm` yet"
        assert checks["cos∠"].yours == "returned [1, 2], not a number"
        assert checks["projᵥMv"].yours == "returned shape (1,), not (2,)"
        assert all(c.agree is None for c in checks.values())
        text = panel(pilot)
        assert "no `norm` yet" in text and text.count("!") == 5


async def test_hanging_lab_is_stopped_and_keys_work_meanwhile(sandbox):
    game = Game()
    run = new_run(game)
    put_lab(game, run, "vector-awakens", "def dot(u, v):\n    while True:\n        pass\n")
    app = LabHost("MatrixLab", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.labcode.limits = Limits(wall_s=1.0, cpu_s=1.0)
        await pilot.press("y")
        await pilot.pause(0.2)
        assert app.screen.labcode.pending
        started = time.monotonic()
        await pilot.press("p")  # the next preset, while the lab spins in its child
        assert "rotation" in app.screen.status_text and time.monotonic() - started < 0.5
        text = await shows(pilot, "stopped")
        assert "wall-time limit" in text


async def test_a_burst_of_keys_runs_the_lab_once_for_the_last_inputs(sandbox):
    game = Game()
    run = new_run(game)
    put_lab(game, run, "vector-awakens", BOSSES / "vector-awakens" / "reference.py")
    app = LabHost("MatrixLab", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.labcode.debounce_s = 3.0  # 1 s: a loaded CI machine spaced the keys wider (2 runs)
        await pilot.press("y", *["plus"] * 8)
        answer = await answered(pilot)
        assert app.screen.labcode.runs == 1
        assert answer.key[2] == tuple(app.screen.M @ app.screen.v)


async def test_saving_the_lab_reruns_it(sandbox):
    game = Game()
    run = new_run(game)
    path = put_lab(game, run, "vector-awakens", cosine_is_dot())
    app = LabHost("MatrixLab", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        await answered(pilot)
        assert "✗" in panel(pilot)
        shutil.copyfile(BOSSES / "vector-awakens" / "reference.py", path)
        text = panel(pilot)
        deadline = time.monotonic() + 5
        while "✗" in text and time.monotonic() < deadline:
            await pilot.pause(0.1)
            text = panel(pilot)
        assert "✗" not in text and text.count("✓") == 5


async def test_no_lab_and_a_c_lab_are_said_in_place(sandbox):
    game = Game()
    run = new_run(game)
    app = LabHost("MatrixLab", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        assert "no lab yet for module 1" in panel(pilot)
        put_lab(game, run, "vector-awakens", BOSSES / "vector-awakens" / "reference.py")
        await shows(pilot, "✓", timeout=5)  # the lab appeared: picked up without a key
    c_run = new_run(game, "c")
    app = LabHost("MatrixLab", game, sandbox, c_run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        assert "is in C; your-code mode runs Python labs only" in panel(pilot).replace("\n", " ")


async def test_bare_app_starts_its_own_sandbox_for_the_latest_run():
    """The shell's `neuralforge unlock` app has no game and no sandbox: the tool copes."""
    game = Game()
    run = new_run(game)
    put_lab(game, run, "vector-awakens", BOSSES / "vector-awakens" / "reference.py")

    class Bare(App):
        def on_mount(self) -> None:
            self.push_screen(find_unlock("MatrixLab").open())

    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        await answered(pilot)
        assert panel(pilot).count("✓") == 5
        own = app.screen.labcode._own_sandbox
        assert own is not None
        await pilot.press("escape")
        await pilot.pause()
        assert own._closed


# --- SpectraScope: module 3's svd -----------------------------------------------------------------
async def test_spectrascope_reference_svd_matches_numpy(sandbox):
    game = Game()
    run = new_run(game)
    put_lab(game, run, "matrix-souls", BOSSES / "matrix-souls" / "reference.py")
    app = LabHost("SpectraScope", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        for keys in ((), ("r",), ("c", "c")):  # the typed 3×3, a random 4×4, κ = 10⁴
            await pilot.press(*keys)
            answer = await answered(pilot)
            U, s, Vt = (np.array(x) for x in answer.outcomes[0].value)
            assert np.allclose(s, np.linalg.svd(app.screen.A)[1], atol=1e-9)
            assert marks(app.screen.your_checks(answer)) == [True, True, True]
            assert panel(pilot).count("✓") == 3


async def test_spectrascope_wrong_svd_and_non_square_matrix(sandbox):
    game = Game()
    run = new_run(game)
    put_lab(game, run, "matrix-souls", BOSSES / "matrix-souls" / "wrong" / "not_sorted.py")
    app = LabHost("SpectraScope", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y", "r")
        answer = await answered(pilot)
        sigma, rebuild, _ = app.screen.your_checks(answer)
        assert sigma.agree is False and rebuild.agree is True  # right numbers, wrong order
        assert "✗" in panel(pilot) and "tool" in panel(pilot)
        await pilot.press("e")
        box = app.screen.query_one("#tool-entry-input")
        box.value = "[[1, 2, 3], [4, 5, 6]]"
        await pilot.press("enter")
        assert "unavailable here: your svd takes a square matrix; A is 2×3" in panel(pilot).replace("\n", " ")


# --- LossLab: module 4's softmax_cross_entropy ---------------------------------------------------
async def test_losslab_reference_loss_and_gradient_match_the_tool(sandbox):
    game = Game()
    run = new_run(game)
    put_lab(game, run, "probability-loss", BOSSES / "probability-loss" / "reference.py")
    app = LabHost("LossLab", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        for keys in ((), ("t", "t", "t"), ("right", "o", "plus")):  # T = 1; T < 1; target 2, z₂ + 0.1
            await pilot.press(*keys)
            answer = await answered(pilot)
            info = app.screen.numbers()
            loss, dz = answer.outcomes[0].value
            assert np.isclose(loss, info["loss"])
            assert np.allclose(np.array(dz)[0] / app.screen.temperature, info["grad"])
            assert marks(app.screen.your_checks(answer)) == [True, True]
        await pilot.press("l")  # MSE: not what the lab computes
        assert "unavailable here" in panel(pilot) and "press l" in panel(pilot)
        await pilot.press("l", "l", "l", "l", "l", "down", "plus")  # back to cross-entropy, y no longer one-hot
        assert app.screen.loss_index == 0
        assert "y must be one-hot" in panel(pilot).replace("\n", " ")


async def test_losslab_wrong_labs_show_differences(sandbox):
    game = Game()
    run = new_run(game)
    put_lab(game, run, "probability-loss", BOSSES / "probability-loss" / "wrong" / "sign_flipped.py")
    app = LabHost("LossLab", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        answer = await answered(pilot)
        assert marks(app.screen.your_checks(answer)) == [True, False]
        assert "✗" in panel(pilot)
    put_lab(game, run, "probability-loss", BOSSES / "probability-loss" / "wrong" / "no_max_subtraction.py")
    app = LabHost("LossLab", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        app.screen.query_one("#tool-entry-input").value = "1000"
        await pilot.press("enter", "y")
        answer = await answered(pilot)
        assert marks(app.screen.your_checks(answer)) == [False, False]  # e^1000 overflows: inf, nan
        assert panel(pilot).count("✗") == 2


# --- GradientScope: module 2's Value, rebuilt at the cursor ------------------------------------------
async def test_gradientscope_reference_value_matches_sympy_on_every_preset(sandbox):
    game = Game()
    run = new_run(game)
    put_lab(game, run, "calculus-of-slopes", BOSSES / "calculus-of-slopes" / "reference.py")
    app = LabHost("GradientScope", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        for keys in ((), ("p",), ("p", "right"), ("p", "up", "up")):  # bowl, Rosenbrock, saddle, Himmelblau
            await pilot.press(*keys)
            answer = await answered(pilot)
            x, y = app.screen.cursor
            got = answer.outcomes[0].value
            assert np.isclose(got["value"], app.screen.surface.f(x, y))
            assert np.allclose(got["grads"], app.screen.surface.grad(x, y))
            assert panel(pilot).count("✓") == 3


async def test_gradientscope_wrong_value_unfinished_value_and_unrepresentable_f(sandbox):
    game = Game()
    run = new_run(game)
    put_lab(game, run, "calculus-of-slopes", BOSSES / "calculus-of-slopes" / "wrong" / "product_rule_swapped.py")
    app = LabHost("GradientScope", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y", "p")  # Rosenbrock: x·x and 100·(…)² go through the product rule
        answer = await answered(pilot)
        f, dx, dy = app.screen.your_checks(answer)
        assert f.agree is True and dx.agree is False
        assert "✗" in panel(pilot)
        await pilot.press("f")
        app.screen.query_one("#tool-entry-input").value = "x/y + cos(x)"
        await pilot.press("enter")
        assert "unavailable here: division" in panel(pilot)
    put_lab(game, run, "calculus-of-slopes", REPO / "levels" / "02-calculus-of-slopes" / "lab" / "python.py")
    app = LabHost("GradientScope", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        await answered(pilot)
        assert "unfinished (NotImplementedError" in panel(pilot)


# --- snapshots at 80×24 ------------------------------------------------------------------------------
@pytest.mark.parametrize("tool, module_id, lab", [
    ("MatrixLab", "vector-awakens", None),  # the cosine bug: ✗ beside the right number
    ("LossLab", "probability-loss", BOSSES / "probability-loss" / "wrong" / "sign_flipped.py"),  # ◆ off the bars
])
def test_snapshot_your_code_beside_the_tool(snap_compare, sandbox, tool, module_id, lab):
    game = Game()
    run = new_run(game)
    put_lab(game, run, module_id, lab or cosine_is_dot())
    async def your_code(pilot) -> None:
        await pilot.press("y")
        await answered(pilot)

    assert snap_compare(LabHost(tool, game, sandbox, run), terminal_size=SIZE, run_before=your_code)


def test_value_program_rebuilds_f_with_plus_times_exp_log_sin_only():
    """The generated program, run here with the reference Value (not a player's), equals sympy."""
    import sympy as sp

    from forge_tui.checker import to_sympy
    from forge_tui.unlocks.screens.gradientscope import NotRepresentable, Surface, value_program

    spec = importlib.util.spec_from_file_location("_reference_value", BOSSES / "calculus-of-slopes" / "reference.py")
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    for text in ("x^2 + 3y^2", "2^x * sin(x y) + log(x^2 + 1)", "exp(-x^2 - y^2) * 7", "x^y", "pi x - e^(2y)",
                 "log(x, 10)", "sin(sin(x)) * (y - 1)^5"):
        body, expression = value_program(to_sympy(text, ("x", "y")))
        scope = {"x": reference.Value(1.3), "y": reference.Value(0.7)}
        exec(body + f"out = {expression}", scope)  # noqa: S102 - trusted, generated from sympy
        scope["out"].backward()
        surface = Surface(text)
        assert np.isclose(scope["out"].data, surface.f(1.3, 0.7)), text
        assert np.allclose([scope["x"].grad, scope["y"].grad], surface.grad(1.3, 0.7)), text
    for text, why in (("x/y", "division"), ("sqrt(x)", "division"), ("cos(x)", "cos"), ("x^40", "powers above"),
                      ("(-2)^x", "positive base")):
        with pytest.raises(NotRepresentable, match=why):
            value_program(to_sympy(text, ("x", "y")))
    assert sp  # sympy is what the tool parses with
