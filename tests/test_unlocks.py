"""The unlock tools: registry, earning, CLI exit codes, the palette, and the four Phase I tools
driven by keys at 80×24 with the numbers they show checked against numpy."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

import numpy as np
import pytest
from textual.app import App

from conftest import REPO
from forge_tui.content import catalog
from forge_tui.game import Game
from forge_tui.unlocks import (
    EARNED,
    NOT_BUILT,
    NOT_EARNED,
    all_unlocks,
    built_unlocks,
    find_unlock,
    is_earned,
    unlock_state,
)

SIZE = (80, 24)


# --- helpers ---------------------------------------------------------------------------------
class Host(App):
    """A bare app that pushes one tool screen, the way the game and the CLI do."""

    def __init__(self, name: str):
        super().__init__()
        self.tool = name
        self.tool_closed = False

    def on_mount(self) -> None:
        self.push_screen(find_unlock(self.tool).open(), callback=self.on_tool_closed)

    def on_tool_closed(self, _result) -> None:
        self.tool_closed = True


def panel_text(pilot) -> str:
    return str(pilot.app.screen.query_one("#panel").content)


def numbers_after(text: str, label: str) -> list[float]:
    """The numbers on the first line that starts with `label` (the tool writes − for minus)."""
    for line in text.splitlines():
        if line.strip().startswith(label):
            rest = line.strip()[len(label):].replace("−", "-")
            return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", rest)]
    raise AssertionError(f"no line starting with {label!r} in:\n{text}")


def close(a, b, rel=2e-3, abs_=2e-3) -> bool:
    return np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=rel, atol=abs_)


async def type_value(pilot, keys: str) -> None:
    box = pilot.app.screen.query_one("#tool-entry-input")
    box.value = ""
    await pilot.press(*keys, "enter")
    await pilot.pause()


def unbuilt_tool():
    """A tool of the curriculum that is not built yet (whichever comes first as tools land)."""
    return next(spec for spec in all_unlocks(catalog()) if not spec.built)


def forged_run(game: Game, count: int):
    run = game.store.create_run("ada", ["hacker", "artist"], "python")
    for module in game.catalog.modules[:count]:

        def forge(state, m=module):
            progress = state.progress(m.id)
            progress.gate_passed = True
            progress.boss_defeated = True

        run = game.store.update(run.id, forge)
    return run


# --- registry ----------------------------------------------------------------------------------
def test_every_unlock_of_the_curriculum_is_listed_in_module_order():
    content = catalog()
    unlocks = all_unlocks(content)
    assert [u.module_id for u in unlocks] == [m.id for m in content.modules]
    assert [u.name for u in unlocks] == [m.unlock_name for m in content.modules]
    built = [u.name for u in unlocks if u.built]
    assert {"MatrixLab", "GradientScope", "SpectraScope", "LossLab", "BackpropArena"} <= set(built)
    assert all(u.built == (u.module_id in {t.module_id for t in built_unlocks()}) for u in unlocks)


def test_a_tool_declares_its_module_once_and_takes_its_name_from_the_curriculum():
    import importlib
    import pkgutil

    import forge_tui.unlocks as package
    from forge_tui.unlocks.registry import UnlockTool

    content = catalog()
    for info in pkgutil.iter_modules(package.__path__):
        declared = getattr(importlib.import_module(f"forge_tui.unlocks.{info.name}"), "UNLOCK", None)
        if declared is not None:
            assert isinstance(declared, UnlockTool), f"{info.name}: declare UNLOCK = UnlockTool(module_id, screen)"
    for spec in built_unlocks():
        module = content.module(spec.module_id)
        assert (spec.name, spec.description) == (module.unlock_name, module.unlock_description)


def test_find_unlock_by_name_module_or_number():
    assert find_unlock("matrixlab").name == "MatrixLab"
    assert find_unlock("Gradient Scope").name == "GradientScope"
    assert find_unlock("matrix-souls").name == "SpectraScope"
    assert find_unlock("4").name == "LossLab"
    assert not find_unlock(unbuilt_tool().name).built
    with pytest.raises(KeyError):
        find_unlock("nothing-like-this")
    with pytest.raises(LookupError):
        find_unlock(unbuilt_tool().name).open()


def test_listing_unlocks_imports_no_tool_and_no_numpy():
    code = (
        "import sys; from forge_tui.unlocks import all_unlocks; u = all_unlocks(); "
        "heavy = [m for m in ('numpy', 'sympy', 'textual_plot', 'forge_tui.unlocks.screens.matrixlab') "
        "if m in sys.modules]; print(len(u), heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "16 []", out.stdout + out.stderr


def test_earned_only_when_the_module_is_forged(isolated_home):
    game = Game()
    run = forged_run(game, 2)
    first, second, third = game.catalog.modules[:3]
    assert is_earned(run, first, game) and is_earned(run, second, game)
    assert not is_earned(run, third, game)
    # a passed gate alone does not earn the tool: the boss must fall too
    run = game.store.update(run.id, lambda s: setattr(s.progress(third.id), "gate_passed", True))
    assert game.module_state(run, third) == "gate passed"
    specs = {s.module_id: s for s in all_unlocks(game.catalog)}
    assert unlock_state(specs[third.id], run, game) == NOT_EARNED
    assert unlock_state(specs[first.id], run, game) == EARNED
    assert unlock_state(specs[unbuilt_tool().module_id], run, game) == NOT_BUILT
    assert unlock_state(specs[first.id], None, game) == NOT_EARNED


# --- CLI -------------------------------------------------------------------------------------------
def _cli(argv):
    from forge_tui.commands import unlock

    parser = argparse.ArgumentParser(prog="neuralforge")
    unlock.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.handler(args)


def test_cli_list(isolated_home, capsys):
    assert _cli(["unlock", "--list"]) == 0
    out = capsys.readouterr().out
    built = sum(spec.built for spec in all_unlocks(catalog()))
    assert "no run yet" in out and out.count("not yet built") == len(catalog().modules) - built
    assert out.count("not earned") == built
    run = forged_run(Game(), 1)
    assert _cli(["unlock", "--list", "--run", run.id]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.search(r"01\s+MatrixLab\s+earned", lines[1])
    assert re.search(r"02\s+GradientScope\s+not earned", lines[2])
    assert _cli(["unlock", "--list", "--run", "nobody"]) == 2


def test_cli_refusals_exit_2_with_a_reason(isolated_home, capsys):
    assert _cli(["unlock", "NoSuchTool"]) == 2
    assert "no unlock named" in capsys.readouterr().err
    assert _cli(["unlock", unbuilt_tool().name]) == 2
    assert "not built yet" in capsys.readouterr().err
    assert _cli(["unlock", "MatrixLab"]) == 2  # no run at all
    assert "no saved runs" in capsys.readouterr().err
    run = forged_run(Game(), 1)
    assert _cli(["unlock", "GradientScope", "--run", run.id]) == 2
    err = capsys.readouterr().err
    assert "not earned yet" in err and "forge module 02" in err
    assert _cli(["unlock"]) == 2


def test_cli_opens_an_earned_tool(isolated_home, monkeypatch):
    from forge_tui.commands import unlock

    opened = []

    class FakeApp:
        def __init__(self, spec, run):
            self.spec, self.run_state = spec, run

        def run(self):
            opened.append((self.spec.open(), self.run_state))

    monkeypatch.setattr(unlock, "ToolApp", FakeApp)
    monkeypatch.setattr(unlock, "has_terminal", lambda: True)
    run = forged_run(Game(), 4)
    assert _cli(["unlock", "losslab", "--run", run.id]) == 0
    screen, for_run = opened[0]
    assert type(screen).__name__ == "LossLabScreen"
    assert for_run.id == run.id  # "your code" mode uses the run named by --run


def test_cli_refuses_to_open_a_tool_without_a_terminal(isolated_home):
    """Without a terminal the full-screen app would hang: say so and exit 2 at once."""
    run = forged_run(Game(), 1)
    result = subprocess.run([sys.executable, "-m", "forge_tui", "unlock", "MatrixLab", "--run", run.id],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "interactive terminal" in result.stderr


async def test_cli_tool_app_runs_the_screen_and_escape_quits():
    from forge_tui.commands.unlock import ToolApp

    app = ToolApp(find_unlock("MatrixLab"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "MatrixLabScreen"
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code == 0


# --- palette ------------------------------------------------------------------------------------------
async def test_palette_offers_earned_tools_and_explains_the_rest(isolated_home):
    from forge_tui.unlocks.palette import UnlockCommands

    game = Game()
    forged_run(game, 1)

    class PaletteHost(App):
        COMMANDS = App.COMMANDS | {UnlockCommands}

        def __init__(self):
            super().__init__()
            self.game = game

    app = PaletteHost()
    async with app.run_test(size=SIZE) as pilot:
        provider = UnlockCommands(app.screen)
        hits = [hit async for hit in provider.discover()]
        labels = [str(hit.display) for hit in hits]
        assert "Open unlock: MatrixLab" in labels
        assert "Unlock GradientScope (locked)" in labels
        assert f"Unlock {unbuilt_tool().name} (not yet built)" in labels
        found = [hit async for hit in provider.search("open unlock matrix")]
        assert found
        found[0].command()
        await pilot.pause()
        assert type(app.screen).__name__ == "MatrixLabScreen"


# --- MatrixLab ----------------------------------------------------------------------------------------
async def test_matrixlab_numbers_follow_the_keys():
    app = Host("MatrixLab")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        M = np.array([[2.0, 1.0], [1.0, 2.0]])
        text = panel_text(pilot)
        assert numbers_after(text, "det") == pytest.approx([np.linalg.det(M), np.trace(M)])
        # edit M[1,2] by typing, nudge M[2,1] down twice, move î's tip right once
        await pilot.press("right", "e")
        await type_value(pilot, "-3/2")
        await pilot.press("down", "left", "minus", "minus")
        await pilot.press("m", "right")
        await pilot.pause()
        M = np.array([[2.1, -1.5], [0.8, 2.0]])
        screen = app.screen
        assert np.allclose(screen.M, M)
        text = panel_text(pilot)
        det, trace = numbers_after(text, "det")
        assert close(det, np.linalg.det(M)) and close(trace, np.trace(M))
        assert "no real eigenvectors" in text  # this M rotates every line: complex eigenvalues
        lam = np.linalg.eigvals(M)
        shown = text.split("λ", 1)[1].splitlines()[0].replace("−", "-")
        assert f"{lam[0].real:.4g}" in shown and f"{abs(lam[0].imag):.4g}i" in shown
        v = np.array([1.0, 0.5])
        Mv = M @ v
        assert close(numbers_after(text, "Mv"), Mv)
        assert close(numbers_after(text, "v·Mv"), [v @ Mv])
        angle = np.degrees(np.arccos(v @ Mv / np.linalg.norm(v) / np.linalg.norm(Mv)))
        assert close(numbers_after(text, "angle"), [angle])


async def test_matrixlab_real_eigenvectors_and_3x3():
    app = Host("MatrixLab")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = panel_text(pilot)
        vectors = [numbers_after(line, "eigvec") for line in text.splitlines() if "eigvec" in line]
        M = np.array([[2.0, 1.0], [1.0, 2.0]])
        for vec in vectors:
            vec = np.array(vec)
            image = M @ vec
            assert abs(image[0] * vec[1] - image[1] * vec[0]) < 1e-2  # Mv is parallel to v
        await pilot.press("3", "down", "down", "right", "right", "e")
        await type_value(pilot, "5")
        await pilot.pause()
        M3 = np.eye(3)
        M3[:2, :2] = M
        M3[2, 2] = 5
        text = panel_text(pilot)
        assert close(numbers_after(text, "det")[0], np.linalg.det(M3))
        lam = sorted(np.linalg.eigvals(M3).real, reverse=True)
        assert close(numbers_after(text, "λ"), lam)


async def test_matrixlab_bad_input_is_refused_in_place():
    app = Host("MatrixLab")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        for bad in ("2 +", "x", "1/0", "[1, 2]", "sqrt(-1)"):
            await type_value(pilot, bad)
            assert app.screen.entry_open
            assert app.screen.status_text.startswith("Not applied:"), (bad, app.screen.status_text)
        assert app.screen.M[0, 0] == 2.0
        await pilot.press("escape")  # closes the entry bar, not the tool
        assert not app.screen.entry_open and not app.tool_closed
        await pilot.press("escape")
        await pilot.pause()
        assert app.tool_closed


# --- GradientScope ---------------------------------------------------------------------------------------
def rosenbrock_grad(x, y):
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


def rosenbrock_hessian(x, y):
    return np.array([[2 - 400 * (y - x**2) + 800 * x**2, -400 * x], [-400 * x, 200]])


async def test_gradientscope_gradient_hessian_and_walker():
    app = Host("GradientScope")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # the bowl x² + 3y²: ten steps with lr 0.1 from (−2.5, 1.5)
        await pilot.press("n")
        await pilot.pause()
        p = np.array([-2.5, 1.5])
        for _ in range(10):
            p = p - 0.1 * np.array([2 * p[0], 6 * p[1]])
        text = panel_text(pilot)
        assert close(numbers_after(text, "walker"), p, rel=1e-3, abs_=1e-6)
        # Rosenbrock, cursor moved right twice and up once (steps of half_width/10 = 0.2)
        await pilot.press("p", "right", "right", "up")
        await pilot.pause()
        x, y = -1.5 + 0.4, 2.0 + 0.2
        text = panel_text(pilot)
        assert close(numbers_after(text, "cursor"), [x, y])
        assert close(numbers_after(text, "f   "), [(1 - x) ** 2 + 100 * (y - x**2) ** 2])
        assert close(numbers_after(text, "∇f"), rosenbrock_grad(x, y))
        H = rosenbrock_hessian(x, y)
        lines = text.splitlines()
        row1 = next(i for i, line in enumerate(lines) if line.startswith("H"))
        assert close(numbers_after(lines[row1], "H"), H[0])
        assert close(numbers_after(lines[row1 + 1], ""), H[1])
        assert close(numbers_after(text, "curv."), np.linalg.eigvalsh(H))


async def test_gradientscope_too_high_a_rate_diverges_and_says_why():
    app = Host("GradientScope")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # on x² + 3y² the largest curvature is 6: stable only for lr < 1/3
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket", "w")
        assert app.screen.rate == 0.5
        for _ in range(6):
            await pilot.press("n")
        await pilot.pause()
        status = app.screen.status_text
        assert "DIVERGED" in status and "0.3333" in status
        assert app.screen.diverged_at is not None


async def test_gradientscope_typed_surface_and_bad_input():
    app = Host("GradientScope")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f")
        for bad in ("x^2 + z", "[x, y]", "x +* y", "__import__('os')"):
            await type_value(pilot, bad)
            assert app.screen.status_text.startswith("Not applied:"), bad
            assert app.screen.entry_open
        await type_value(pilot, "sin(x) y + x^2")
        assert not app.screen.entry_open
        x, y = app.screen.cursor
        text = panel_text(pilot)
        assert close(numbers_after(text, "∇f"), [np.cos(x) * y + 2 * x, np.sin(x)])


# --- SpectraScope ------------------------------------------------------------------------------------------
async def test_spectrascope_typed_matrix_against_numpy():
    app = Host("SpectraScope")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await type_value(pilot, "[[4, 1, 2], [0, 3, 1], [1, 0, 2], [2, 2, 2]]")
        A = np.array([[4, 1, 2], [0, 3, 1], [1, 0, 2], [2, 2, 2]], dtype=float)
        s = np.linalg.svd(A, compute_uv=False)
        text = panel_text(pilot)
        assert close(numbers_after(text, "σ"), s)
        assert numbers_after(text, "rank")[0] == np.linalg.matrix_rank(A)
        assert close(numbers_after(text, "rank")[1], s[0] / s[-1])
        assert "need a square matrix" in text
        # Eckart–Young: the measured error of the best rank-k approximation is σ_{k+1}
        rows = {int(line.split()[0]): numbers_after(line, line.split()[0]) for line in text.splitlines()
                if re.match(r"^\s*\d\s", line)}
        for k in range(3):
            measured, predicted, frob = rows[k]
            assert close(measured, s[k]) and close(predicted, s[k])
            assert close(frob, np.sqrt(np.sum(s[k:] ** 2)))


async def test_spectrascope_random_matrix_condition_eigenvalues_and_stability():
    from forge_tui.unlocks.screens.spectrascope import power_norms

    app = Host("SpectraScope")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("c", "N")  # κ = 1000, n = 3
        await pilot.pause()
        A = app.screen.A
        assert A.shape == (3, 3)
        s = np.linalg.svd(A, compute_uv=False)
        assert s[0] / s[-1] == pytest.approx(1000, rel=1e-6)
        text = panel_text(pilot)
        assert close(numbers_after(text, "rank")[1], 1000)
        assert close(numbers_after(text, "spectral radius"), [np.max(np.abs(np.linalg.eigvals(A)))])
        await pilot.press("v", "v")
        await pilot.pause()
        assert "stability" in panel_text(pilot)
    # below, at and above spectral radius 1: decays, stays bounded, grows
    for_radius = {r: power_norms(A, r) for r in (0.9, 1.0, 1.1)}
    assert for_radius[0.9][-1] < 0.1 * for_radius[0.9][0] or for_radius[0.9][-1] < 1e-1
    assert for_radius[1.1][-1] > for_radius[1.0][-1] > for_radius[0.9][-1]


async def test_spectrascope_bad_input_in_place():
    app = Host("SpectraScope")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = app.screen.A.copy()
        await pilot.press("e")
        for bad in ("[[1, 2], [3]]", "[1, 2, 3]", "[[1, a], [2, 3]]", "[[1, 2], [3, 4]"):
            await type_value(pilot, bad)
            assert app.screen.status_text.startswith("Not applied:"), bad
        assert np.array_equal(app.screen.A, before)


# --- LossLab ----------------------------------------------------------------------------------------------
def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def grad_rows(text: str) -> np.ndarray:
    rows = [line for line in text.splitlines() if re.match(r"^\s*\d\s", line)]
    return np.array([float(line.replace("−", "-").split()[-1]) for line in rows])


async def test_losslab_cross_entropy_gradient_is_softmax_minus_y():
    app = Host("LossLab")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        z, y = np.array([2.0, 1.0, 0.1, -1.0]), np.array([1.0, 0, 0, 0])
        text = panel_text(pilot)
        assert close(numbers_after(text, "L(z, y) ="), [-np.log(softmax(z)[0]), 1.0])
        assert close(grad_rows(text), softmax(z) - y)
        # nudge z3 up twice, make y one-hot at 3, then T up two notches
        await pilot.press("right", "right", "plus", "plus", "o")
        await pilot.pause()
        z[2] += 0.2
        y = np.array([0, 0, 1.0, 0])
        text = panel_text(pilot)
        assert close(numbers_after(text, "L(z, y) =")[0], -np.log(softmax(z)[2]))
        assert close(grad_rows(text), softmax(z) - y)
        await pilot.press("T", "T")
        T = app.screen.temperature
        assert T > 1
        text = panel_text(pilot)
        assert close(numbers_after(text, "L(z, y) =")[0], -np.log(softmax(z / T)[2]))
        assert close(grad_rows(text), (softmax(z / T) - y) / T)


async def test_losslab_every_loss_against_numpy():
    app = Host("LossLab")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # targets: type y1 = 0.3 and y2 = 0.7
        await pilot.press("down", "e")
        await type_value(pilot, "0.3")
        await pilot.press("right", "e")
        await type_value(pilot, "7/10")
        z, y = np.array([2.0, 1.0, 0.1, -1.0]), np.array([0.3, 0.7, 0, 0])
        q, n = softmax(z), len(z)
        sig = 1 / (1 + np.exp(-z))
        t = np.where(y > 0, 1.0, -1.0)
        expected = {
            "cross-entropy": (-np.sum(y * np.log(q)), q - y),
            "MSE": (np.mean((z - y) ** 2), 2 * (z - y) / n),
            "MAE": (np.mean(np.abs(z - y)), np.sign(z - y) / n),
            "binary cross-entropy": (np.mean(-y * np.log(sig) - (1 - y) * np.log(1 - sig)), (sig - y) / n),
            "KL": (np.sum(y[:2] * np.log(y[:2] / q[:2])), q - y),
            "hinge": (np.mean(np.maximum(0, 1 - t * z)), np.where(1 - t * z > 0, -t, 0) / n),
        }
        for name, (loss, grad) in expected.items():
            text = panel_text(pilot)
            assert text.splitlines()[0].startswith(name), text
            assert close(numbers_after(text, "L(z, y) =")[0], loss), name
            assert close(grad_rows(text), grad), name
            await pilot.press("l")
            await pilot.pause()


async def test_losslab_bad_input_in_place():
    app = Host("LossLab")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        for bad in ("abc", "1/0", "[1, 2]", "exp(1000000)"):
            await type_value(pilot, bad)
            assert app.screen.status_text.startswith("Not applied:"), bad
        assert app.screen.z[0] == 2.0


# --- snapshots at 80×24 ---------------------------------------------------------------------------------------
async def _still(pilot) -> None:
    await pilot.pause()


@pytest.mark.parametrize(
    "tool, keys",
    [
        ("MatrixLab", ()),
        ("GradientScope", ("p", "n", "n")),
        ("SpectraScope", ("r",)),
        ("LossLab", ("right", "plus")),
    ],
)
def test_snapshot(snap_compare, tool, keys):
    assert snap_compare(Host(tool), terminal_size=SIZE, press=list(keys), run_before=_still)
