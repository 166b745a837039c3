"""Phase I and II content (modules 1-8): each Forge Gate answer is recomputed here from
first principles, typed the way a player would type it, and must pass the game's checker;
a plausible wrong answer must not. Also checks the shape of every module's content, that
typed derivation steps accept equivalent forms, and that the lab starters build."""

from __future__ import annotations

import itertools
import math
import shutil
import subprocess
import tomllib
import types
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from forge_tui.checker import GateSpec, check_gate, check_step, steps_equal

LEVELS = Path(__file__).resolve().parents[1] / "levels"
FOLDERS = [
    "01-vector-awakens",
    "02-calculus-of-slopes",
    "03-matrix-souls",
    "04-probability-loss",
    "05-perceptron-reborn",
    "06-backprop-step",
    "07-optimizers",
    "08-init-and-norm",
]
FLAVORS = {"hacker", "mathematician", "linguist", "artist", "scientist", "builder"}


def load(folder: str) -> dict:
    return tomllib.loads((LEVELS / folder / "level.toml").read_text(encoding="utf-8"))


def spec(folder: str) -> GateSpec:
    g = load(folder)["gate"]
    return GateSpec(
        kind=g["kind"],
        answer=g["answer"],
        places=g.get("places"),
        symbols=tuple(g.get("symbols", "").split()),
    )


def accepted(folder: str, text: str) -> bool:
    return check_gate(spec(folder), text).accepted


# --------------------------------------------------------------------------- gates


def test_01_matrix_times_vector():
    M = np.array([[2, 1], [1, 3]])
    v = np.array([3, 2])
    a, b = (int(x) for x in M @ v)
    assert accepted("01-vector-awakens", f"{a},{b}")
    assert accepted("01-vector-awakens", f"{a}, {b}")
    assert accepted("01-vector-awakens", f"({a}, {b})")
    assert accepted("01-vector-awakens", f"[{a} {b}]")
    swapped = M @ v[::-1]  # read v as [2, 3]
    assert not accepted("01-vector-awakens", f"{swapped[0]},{swapped[1]}")
    assert not accepted("01-vector-awakens", f"{b},{a}")
    assert not accepted("01-vector-awakens", str(int(v @ v)))  # a single number


def test_02_partial_derivative_in_y():
    x, y = sp.symbols("x y", real=True)
    f = x**2 * y + sp.exp(y)
    value = float(sp.diff(f, y).subs({x: 2, y: 0}))
    typed = f"{value:.3f}"
    assert typed == "5.000"
    assert accepted("02-calculus-of-slopes", typed)
    assert accepted("02-calculus-of-slopes", "5.0004")  # rounds to 5.000
    slip = float(sp.diff(f, x).subs({x: 2, y: 0}))  # differentiated in x instead
    assert not accepted("02-calculus-of-slopes", f"{slip:.3f}")
    assert not accepted("02-calculus-of-slopes", "4.000")  # forgot e^0 = 1


def test_03_determinant_is_product_of_eigenvalues():
    A = np.array([[4.0, 1.0], [2.0, 3.0]])
    eig = np.linalg.eigvals(A)
    assert np.all(np.isreal(eig))  # the prompt promises two real eigenvalues
    product = round(float(np.prod(eig.real)))
    assert product == round(float(np.linalg.det(A)))
    assert accepted("03-matrix-souls", str(product))
    assert not accepted("03-matrix-souls", str(int(np.trace(A))))  # the sum, not the product
    assert not accepted("03-matrix-souls", str(4 * 3 + 1 * 2))  # added the off-diagonal product


def test_04_softmax_third_component():
    z = np.array([1.0, 2.0, 3.0])
    p = np.exp(z) / np.exp(z).sum()
    assert math.isclose(p.sum(), 1.0)
    typed = f"{float(p[2]):.3f}"
    assert typed == "0.665"
    assert accepted("04-probability-loss", typed)
    assert accepted("04-probability-loss", "e^3/(e+e^2+e^3)")
    assert not accepted("04-probability-loss", f"{float(p[1]):.3f}")  # the second component
    assert not accepted("04-probability-loss", f"{3 / 6:.3f}")  # normalised logits, no exp
    assert not accepted("04-probability-loss", "0.66")  # too few places


XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([0, 1, 1, 0], dtype=float)


def _best_xor_fit(n_hidden: int, grid: np.ndarray) -> float:
    """Smallest squared error of a one-hidden-layer ReLU net with a linear output on XOR.

    Hidden weights and biases range over ``grid``; the output weights and bias are then
    solved exactly by least squares, so a residual of 0 means the net outputs XOR exactly.
    """
    units = [np.array(u) for u in itertools.product(grid, repeat=3)]  # (w1, w2, b) per unit
    best = math.inf
    for combo in itertools.combinations_with_replacement(range(len(units)), n_hidden):
        H = np.stack([np.maximum(XOR_X @ units[i][:2] + units[i][2], 0) for i in combo], axis=1)
        A = np.hstack([H, np.ones((4, 1))])
        coef, *_ = np.linalg.lstsq(A, XOR_Y, rcond=None)
        best = min(best, float(((A @ coef - XOR_Y) ** 2).sum()))
        if best < 1e-12:
            break
    return best


def test_05_xor_needs_two_hidden_relu_units():
    errors = {
        # Zero hidden units: the output is a constant; the best squared error is 1.
        0: float(((XOR_Y - XOR_Y.mean()) ** 2).sum()),
        # One unit: a.relu(w.x + b) + c is monotone in one affine score t, and XOR would need
        # t01 + t10 > t00 + t11 and the reverse at once. A fine grid search agrees.
        1: _best_xor_fit(1, np.linspace(-2, 2, 17)),
        # Two units: a coarse grid already contains an exact fit.
        2: _best_xor_fit(2, np.array([-1.0, -0.5, 0.0, 0.5, 1.0])),
    }
    assert errors[0] > 0.3 and errors[1] > 0.3
    n_min = min(n for n, err in errors.items() if err < 1e-12)
    h = np.maximum(XOR_X @ np.array([[1.0, 1.0], [1.0, 1.0]]) + np.array([0.0, -1.0]), 0)
    assert np.array_equal(h @ np.array([1.0, -2.0]), XOR_Y)  # y = relu(x1+x2) - 2 relu(x1+x2-1)
    assert accepted("05-perceptron-reborn", str(n_min))
    assert not accepted("05-perceptron-reborn", str(n_min - 1))
    assert not accepted("05-perceptron-reborn", str(n_min + 1))


def test_06_weights_of_a_784_256_10_mlp():
    widths = [784, 256, 10]
    mats = [np.zeros((n_out, n_in)) for n_in, n_out in zip(widths, widths[1:])]
    assert len(mats) == 2
    count = sum(W.size for W in mats)
    assert count == 784 * 256 + 256 * 10
    assert accepted("06-backprop-step", str(count))
    assert not accepted("06-backprop-step", str(count + 256 + 10))  # biases counted too
    assert not accepted("06-backprop-step", str(784 * 256 * 10))  # multiplied all widths


def test_07_bias_corrected_first_moment_after_two_steps():
    beta1, grads = 0.9, [1.0, 3.0]
    m = 0.0
    for g in grads:
        m = beta1 * m + (1 - beta1) * g
    m_hat = m / (1 - beta1 ** len(grads))
    typed = f"{m_hat:.4f}"
    assert typed == "2.0526"
    assert accepted("07-optimizers", typed)
    assert accepted("07-optimizers", "0.39/0.19")
    assert not accepted("07-optimizers", f"{m:.4f}")  # no bias correction
    assert not accepted("07-optimizers", f"{m / (1 - beta1):.4f}")  # corrected with t = 1
    assert not accepted("07-optimizers", f"{sum(grads) / 2:.4f}")  # the plain mean of the gradients
    assert not accepted("07-optimizers", "2.053")  # too few places


def test_08_he_init_constant_for_relu():
    # Push unit-variance pre-activations through many ReLU layers with Var(w) = c / fan_in
    # and find the c that keeps the variance flat.
    rng = np.random.default_rng(0)
    width, depth = 512, 30

    def final_variance(c: float) -> float:
        z = rng.normal(size=(256, width))
        for _ in range(depth):
            W = rng.normal(size=(width, width)) * math.sqrt(c / width)
            z = np.maximum(z, 0) @ W
        return float(z.var())

    growth = {c: final_variance(c) ** (1 / depth) for c in (1, 2, 3)}
    c_star = min(growth, key=lambda c: abs(growth[c] - 1))
    assert abs(growth[c_star] - 1) < 0.05
    assert accepted("08-init-and-norm", str(c_star))
    assert not accepted("08-init-and-norm", "1")  # LeCun / linear-layer constant
    assert not accepted("08-init-and-norm", "0.5")


# --------------------------------------------------------------------------- shape


@pytest.mark.parametrize("folder", FOLDERS)
def test_module_shape(folder):
    data = load(folder)
    number = int(folder[:2])
    assert data["id"] == folder[3:]
    assert data["order"] == number
    assert data["phase"] == (1 if number <= 4 else 2)
    assert len(data["short"]) <= 14
    assert len(data["summary"]) <= 90
    words = len(data["hook"]["text"].split())
    assert 180 <= words <= 260, f"hook is {words} words"
    assert 150 <= len(data["math"]["intro"].split()) <= 350
    derivations = data["math"]["derivations"]
    assert len(derivations) >= 2
    assert any(step.get("typed") for d in derivations for step in d["steps"])
    for d in derivations:
        assert 3 <= len(d["steps"]) <= 6, d["title"]
        assert all(step.get("why") for step in d["steps"][1:]), d["title"]
    gate = data["gate"]
    assert len(gate["hints"]) == 3
    assert all(gate["answer"].replace(" ", "") not in h.replace(" ", "") for h in gate["hints"])
    assert gate["kind"] in {"integer", "decimal", "vector"}
    if gate["kind"] == "decimal":
        assert f"{gate['places']} decimal places" in gate["prompt"]
    assert data["boss"]["name"] and data["boss"]["brief"] and data["lab"]["brief"]
    assert data["unlock"]["name"] and data["unlock"]["description"]
    quests = data["side_quests"]
    assert set(quests) == FLAVORS
    assert all(q.strip() and len(q) <= 90 for q in quests.values())


@pytest.mark.parametrize("folder", FOLDERS)
def test_derivations_check_with_the_game_parser(folder):
    for d in load(folder)["math"]["derivations"]:
        steps = d["steps"]
        for before, step in zip(steps, steps[1:]):
            assert steps_equal(before["expr"], step["expr"], d.get("symbols", ""),
                               d.get("assume", "real"), at=step.get("at") or None), (
                f"{folder} '{d['title']}': {before['expr']} -> {step['expr']}")


# A player's equivalent rewriting of each typed step, and a plausible slip.
TYPED = {
    "01-vector-awakens": ("4/(3√5)", "4/15"),
    "02-calculus-of-slopes": ("cos(x) + y²", "2*x*y + cos(x)"),
    "03-matrix-souls": ("(t-1)(t-3)", "t^2 - 4t - 3"),
    "04-probability-loss": ("-(exp(z2) + exp(z3))/(exp(z1) + exp(z2) + exp(z3))",
                            "exp(z1)/(exp(z1) + exp(z2) + exp(z3))"),
    "05-perceptron-reborn": ("0.6*x1 + 0.8*x2 - 1", "3*x1 + 4*x2 - 5"),
    "06-backprop-step": ("x2*g1", "g1*x1"),
    "07-optimizers": ("g - beta_1^2*g", "(1 - beta_1)*g"),
    "08-init-and-norm": ("1.5*v*σ²", "3*v*sigma^2"),
}


@pytest.mark.parametrize("folder", FOLDERS)
def test_typed_steps_accept_equivalent_forms(folder):
    good, bad = TYPED[folder]
    typed = [(d, s) for d in load(folder)["math"]["derivations"] for s in d["steps"] if s.get("typed")]
    assert typed
    for d, step in typed:
        symbols, assume = d.get("symbols", ""), d.get("assume", "real")
        assert check_step(step["expr"], step["expr"], symbols, assume).accepted
    d, step = typed[0]
    symbols, assume = d.get("symbols", ""), d.get("assume", "real")
    assert check_step(step["expr"], good, symbols, assume).accepted
    assert not check_step(step["expr"], bad, symbols, assume).accepted


# --------------------------------------------------------------------------- lab starters

LAB_NAMES = {
    "01-vector-awakens": ["dot", "norm", "cosine_similarity", "project"],
    "02-calculus-of-slopes": ["numerical_grad", "Value"],
    "03-matrix-souls": ["power_iteration", "svd_2x2"],
    "04-probability-loss": ["softmax", "cross_entropy", "kl_divergence", "softmax_ce_grad"],
    "05-perceptron-reborn": ["perceptron_train", "mlp_forward", "mlp_train"],
    "06-backprop-step": ["unbroadcast", "Tensor", "init_mlp", "mlp_forward", "train_step", "predict"],
    "07-optimizers": ["sgd", "momentum", "rmsprop", "adam", "adamw", "lr_at", "clip_by_global_norm", "train"],
    "08-init-and-norm": ["he_init", "signal_stats", "layer_norm", "rms_norm"],
}


@pytest.mark.parametrize("folder", FOLDERS)
def test_python_starter_names_what_the_brief_names(folder):
    path = LEVELS / folder / "lab" / "python.py"
    source = path.read_text(encoding="utf-8")
    assert 30 <= len(source.splitlines()) <= 80
    # Compile and run in memory, so no __pycache__ lands in the content folder; the
    # __main__ block does not run because __name__ is not "__main__".
    starter = types.ModuleType(f"starter_{folder[:2]}")
    exec(compile(source, str(path), "exec"), starter.__dict__)
    brief = load(folder)["lab"]["brief"]
    for name in LAB_NAMES[folder]:
        assert callable(getattr(starter, name)), name
        assert f"`{name}" in brief, name
    first = getattr(starter, LAB_NAMES[folder][0])
    if not isinstance(first, type):
        with pytest.raises(NotImplementedError):
            first(*([np.zeros(2)] * (first.__code__.co_argcount - len(first.__defaults__ or ()))))


@pytest.mark.parametrize("folder", ["01-vector-awakens", "06-backprop-step"])
def test_c_starter_compiles_and_runs(folder, tmp_path):
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is not on PATH")
    exe = tmp_path / "lab"
    src = LEVELS / folder / "lab" / "c.c"
    build = subprocess.run([gcc, "-std=c11", "-O2", "-Wall", "-Werror", str(src), "-lm", "-o", str(exe)],
                           capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr
    run = subprocess.run([str(exe)], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0
    assert run.stdout.strip()
