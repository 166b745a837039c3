"""Lab checks for module 3 (Matrix Souls): power_iteration (the dominant eigenpair, a negative
one, the `iters` it is given) and svd_2x2 (the brief's matrix, a reflection, rank 1, a rotation),
then one 4 × 4 warm-up for the boss's svd.

Each check calls one lab function on a fixed float64 array. The judge recomputes the truth here
with NumPy: eigenvalues with np.linalg.eigvalsh, singular values with np.linalg.svd, and for the
`iters` check the same seeded start vector multiplied by A exactly `iters` times. Signs, and the
basis inside a repeated singular value, are free, as in the boss.
"""

from __future__ import annotations

import functools
import importlib.util
import math
from pathlib import Path

import numpy as np

from forge_tui.bossapi import compare

TIME_LIMIT_S = 10.0
TOLERANCE = 1e-9  # 2 × 2 by hand and 100 steps of a fast power iteration: nothing but rounding
SVD_TOLERANCE = 1e-10  # the brief's: "s matches np.linalg.svd(A)[1] to 1e-10"

SYMMETRIC = [[2.0, 1.0], [1.0, 2.0]]
NEGATIVE_TOP = [[-4.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]]  # eigenvalues about -4.16, 2.34, 0.82
SLOW = [[3.0, 1.0, 0.0], [1.0, 2.8, 0.2], [0.0, 0.2, 1.0]]  # eigenvalues 3.91, 1.92, 0.97: 3 steps are not enough


@functools.cache
def _boss():
    """The boss of this module, loaded by path (checks and boss share one folder)."""
    path = Path(__file__).with_name("boss.py")
    spec = importlib.util.spec_from_file_location("_neuralforge_checks_boss_matrix_souls", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _array(values) -> dict:
    return {"__ndarray__": values, "dtype": "float64"}


def _call(name: str, summary: str, hint: str, function: str, A, **kwargs) -> dict:
    return {"name": name, "summary": summary, "hint": hint,
            "call": {"function": function, "args": [_array(A)], "kwargs": kwargs}}


def checks() -> list[dict]:
    """Nine small wins, the same every time."""
    four = np.diag([1.0, -3.0, 0.5, 2.0])
    four[0, 3] = four[3, 0] = 0.5
    return [
        _call("power_iteration: the brief's matrix", "[[2, 1], [1, 2]]: λ = 3, v along (1, 1)",
              "Multiply v by A again and again, rescaling it to length 1 each time: it turns toward the "
              "direction A stretches most.",
              "power_iteration", SYMMETRIC),
        _call("power_iteration: a unit vector back", "[[20, 10], [10, 20]]: v must have length 1",
              "Divide by the length after every multiplication, and return the unit vector.",
              "power_iteration", [[20.0, 10.0], [10.0, 20.0]]),
        _call("power_iteration: a negative eigenvalue", "a 3 × 3 symmetric matrix whose largest |λ| is λ ≈ -4.16",
              "|Av| is only the size of λ; the Rayleigh quotient vᵀAv keeps its sign.",
              "power_iteration", NEGATIVE_TOP),
        _call("power_iteration: the iters it is given", "iters=3, seed=0: three steps, not yet converged",
              "Start from the seeded random vector the starter draws and multiply by A exactly iters "
              "times: after only 3 steps v is not an eigenvector yet, and that is what this check expects.",
              "power_iteration", SLOW, iters=3, seed=0),
        _call("svd_2x2: the brief's matrix", "[[3, 0], [4, 5]]: s = (√45, √5)",
              "Start from AᵀA: its eigenvalues are the roots of t² − trace·t + det, and their square "
              "roots are the singular values.",
              "svd_2x2", [[3.0, 0.0], [4.0, 5.0]]),
        _call("svd_2x2: a negative diagonal", "[[1, 0], [0, -3]]: s = (3, 1), sorted",
              "AᵀA is diagonal here (b = 0), so each eigenvector is an axis. Sort s from largest to "
              "smallest and keep each u_i, v_i with its s_i; the sign of -3 moves into U.",
              "svd_2x2", [[1.0, 0.0], [0.0, -3.0]]),
        _call("svd_2x2: rank 1", "[[1, 2], [2, 4]]: s = (5, 0)",
              "With s₂ = 0, A v₂ / s₂ is 0/0: take u₂ as the unit vector perpendicular to u₁.",
              "svd_2x2", [[1.0, 2.0], [2.0, 4.0]]),
        _call("svd_2x2: a rotation", "a rotation by 30°: s = (1, 1)",
              "Both roots are equal (the gap is 0): any unit v₁ is an eigenvector, and v₂ must still be "
              "perpendicular to it.",
              "svd_2x2", [[math.cos(math.pi / 6), -math.sin(math.pi / 6)],
                          [math.sin(math.pi / 6), math.cos(math.pi / 6)]]),
        _call("svd: a 4 × 4 warm-up", "diag(1, -3, 0.5, 2) with one symmetric pair off the diagonal",
              "The boss's function on an easy matrix: eigenpairs of AᵀA sorted largest first, "
              "s = their square roots, u_i = A v_i / s_i.",
              "svd", four.tolist()),
    ]


# ---------------------------------------------------------------- the truth, done here

def start_vector(n: int, seed: int) -> np.ndarray:
    """The starter's start: np.random.default_rng(seed).standard_normal(n), at unit length."""
    v = np.random.default_rng(seed).standard_normal(n)
    return v / np.linalg.norm(v)


def power_steps(A: np.ndarray, iters: int, seed: int) -> tuple[float, np.ndarray]:
    """(vᵀAv, v) after exactly `iters` steps of v ← Av / |Av| from the starter's start."""
    v = start_vector(A.shape[0], seed)
    for _ in range(iters):
        v = A @ v
        v = v / np.linalg.norm(v)
    return float(v @ A @ v), v


def dominant(A: np.ndarray) -> tuple[float, np.ndarray]:
    """The eigenpair of largest |λ| of a symmetric A, by np.linalg.eigh."""
    values, vectors = np.linalg.eigh(A)
    top = int(np.argmax(np.abs(values)))
    return float(values[top]), vectors[:, top]


# ---------------------------------------------------------------- judge

def _show(vector) -> str:
    return "[" + ", ".join(f"{x:.6g}" for x in np.ravel(vector)) + "]"


def _show_any(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _read(value, shape: tuple[int, ...], name: str):
    """A finite float array of `shape`, or a message saying what is wrong."""
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return None, f"{name} should be an array of numbers of shape {shape}: got {_show_any(value)}"
    if array.shape != shape:
        if shape == ():
            return None, f"{name} should be a number, got {_show_any(value)}"
        return None, f"{name} should have shape {shape}, got shape {array.shape}"
    if not np.all(np.isfinite(array)):
        return None, f"{name} contains nan or inf"
    return array, ""


def _judge_power(check: dict, got) -> tuple[bool, str, str]:
    A = np.array(check["call"]["args"][0]["__ndarray__"], dtype=float)
    kwargs = check["call"]["kwargs"]
    if "iters" in kwargs:
        lam, v = power_steps(A, kwargs["iters"], kwargs.get("seed", 0))
        same_sign = True  # the start is fixed, so the sign is too
    else:
        lam, v = dominant(A)
        same_sign = False
    summary = f"λ = {lam:.10g}, v = ±{_show(v)}" if not same_sign else f"λ = {lam:.10g}, v = {_show(v)}"
    if not isinstance(got, (list, tuple)) or len(got) != 2:
        return False, summary, f"expected a pair (lam, v), got {_show_any(got)}"
    mine, problem = _read(got[0], (), "lam")
    if problem:
        return False, summary, problem
    vector, problem = _read(got[1], v.shape, "v")
    if problem:
        return False, summary, problem
    ok, problem = compare(mine, lam, atol=TOLERANCE, relative=True, name="lam")
    if not ok:
        return False, summary, problem
    ok, problem = compare(np.linalg.norm(vector), 1.0, atol=TOLERANCE, name="the length of v")
    if not ok:
        return False, summary, problem + ": return v at unit length"
    if not same_sign and np.abs(vector + v).max() < np.abs(vector - v).max():
        v = -v  # an eigenvector's sign is free: judge against the nearer of ±v
    ok, problem = compare(vector, v, atol=1e-7, name="v")  # v converges like the square root of λ's error
    if not ok:
        return False, summary, f"{problem}; v is {_show(vector)}, expected {'' if same_sign else '±'}{_show(v)}"
    return True, summary, "the eigenpair matches"


def _judge_svd_2x2(check: dict, got) -> tuple[bool, str, str]:
    A = np.array(check["call"]["args"][0]["__ndarray__"], dtype=float)
    s_true = np.linalg.svd(A, compute_uv=False)
    summary = f"s = {_show(s_true)}, U and Vt orthogonal, U·diag(s)·Vt = A (tolerance {SVD_TOLERANCE:g})"
    if not isinstance(got, (list, tuple)) or len(got) != 3:
        return False, summary, f"expected a tuple (U, s, Vt), got {_show_any(got)}"
    parts = []
    for value, shape, name in zip(got, [(2, 2), (2,), (2, 2)], ["U", "s", "Vt"]):
        array, problem = _read(value, shape, name)
        if problem:
            return False, summary, problem
        parts.append(array)
    U, s, Vt = parts
    if s[1] > s[0] + SVD_TOLERANCE:
        return False, summary, f"s is not sorted from largest to smallest: got {_show(s)}"
    ok, problem = compare(s, s_true, atol=SVD_TOLERANCE, name="s")
    if not ok:
        return False, summary, f"singular values differ: {problem}; expected {_show(s_true)} got {_show(s)}"
    for name, product, shown in (("U", U.T @ U, "UᵀU"), ("Vt", Vt @ Vt.T, "Vt·Vtᵀ")):
        ok, problem = compare(product, np.eye(2), atol=SVD_TOLERANCE, name=shown)
        if not ok:
            return False, summary, f"{name} is not orthogonal: {problem}"
    ok, problem = compare(U @ np.diag(s) @ Vt, A, atol=SVD_TOLERANCE, name="U·diag(s)·Vt")
    if not ok:
        return False, summary, f"U·diag(s)·Vt does not rebuild A: {problem}"
    return True, summary, "a valid SVD: sorted, orthogonal, rebuilds A"


def judge(check: dict, got) -> tuple[bool, str, str]:
    """(passed, expected as text, a one-line verdict); never raises."""
    function = check.get("call", {}).get("function")
    try:
        if function == "svd":
            return _boss().judge(check, got)
        if function == "svd_2x2":
            return _judge_svd_2x2(check, got)
        return _judge_power(check, got)
    except Exception as error:
        return False, "?", f"could not read the result ({type(error).__name__}): got {_show_any(got)}"
