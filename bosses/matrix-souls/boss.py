"""Boss of module 3, The Spectral Warden: the SVD of 4x4 matrices without np.linalg.svd.

The player's `svd(A)` gets a 4x4 float64 array and returns (U, s, Vt). Any valid SVD wins:
s sorted from largest to smallest and equal to the true singular values to 1e-4, U and Vt
orthogonal to 1e-4, and U @ diag(s) @ Vt rebuilding A to 1e-4. Signs, and the choice of basis
inside a repeated or zero singular value, are free. The judge computes the true singular values
here with np.linalg.svd; the matrices are sent at full precision.
"""

from __future__ import annotations

import numpy as np

from forge_tui import bossapi
from forge_tui.bossapi import compare, encode_array

ENTRY = "svd"
TIME_LIMIT_S = 3.0
TOLERANCE = 1e-4
N = 4


def decode_array(value) -> np.ndarray:
    """An answer as a float array (lists of ints included)."""
    return bossapi.decode_array(value, float)


# ---------------------------------------------------------------- inputs

def _orthogonal(rng: np.random.Generator) -> np.ndarray:
    """A random orthogonal matrix: Q from the QR of a Gaussian matrix."""
    q, r = np.linalg.qr(rng.standard_normal((N, N)))
    return q * np.sign(np.diag(r))


def _with_singular_values(rng: np.random.Generator, s) -> np.ndarray:
    return _orthogonal(rng) @ np.diag(s) @ _orthogonal(rng).T


def _case(name: str, summary: str, hint: str, A: np.ndarray) -> dict:
    return {
        "name": name,
        "summary": summary,
        "hint": hint,
        "call": {"function": ENTRY, "args": [encode_array(np.asarray(A, dtype=np.float64))], "kwargs": {}},
    }


def cases(rng: np.random.Generator) -> list[dict]:
    out = [
        _case("random", "a random 4x4 matrix, Gaussian entries",
              "Start from AᵀA, a symmetric matrix: its eigenvalues and eigenvectors hold both s and V.",
              rng.standard_normal((N, N))),
        _case("random, larger", "a random 4x4 matrix, entries up to about ±6",
              "Check every column of U: u_i = A v_i / s_i has length 1.",
              2.0 * rng.standard_normal((N, N))),
    ]

    half = rng.standard_normal((N, N))
    out.append(_case(
        "symmetric", "a random symmetric 4x4 matrix (some eigenvalues negative)",
        "Singular values are never negative: a negative eigenvalue λ gives s = |λ|, "
        "and the sign moves into U or V.",
        (half + half.T) / 2))

    A = rng.standard_normal((N, N))
    if np.linalg.det(A) > 0:
        A[0] = -A[0]
    out.append(_case(
        "negative determinant", "a random 4x4 matrix with det(A) < 0",
        "U and V may be reflections; do not force det = +1.",
        A))

    out.append(_case(
        "rank 2", "a 4x4 matrix of rank 2 (a 4x2 times a 2x4)",
        "Two singular values are 0, so u_i = A v_i / s_i is undefined there: complete U with "
        "unit vectors orthogonal to the columns you have (Gram–Schmidt).",
        rng.standard_normal((N, 2)) @ rng.standard_normal((2, N))))

    top = rng.uniform(2.0, 4.0)
    rest = np.sort(rng.uniform(0.3, 1.5, size=2))[::-1]
    out.append(_case(
        "equal top pair", "a 4x4 matrix whose two largest singular values are equal",
        "Any orthonormal pair inside a repeated singular value is fine, but the two must stay "
        "orthogonal: deflate, or orthogonalise against earlier vectors.",
        _with_singular_values(rng, [top, top, *rest])))

    entries = rng.permutation([1.0, 4.0, 2.5, 3.0]) * rng.choice([-1.0, 1.0], size=N)
    out.append(_case(
        "scrambled diagonal", f"the diagonal matrix diag({', '.join(f'{x:g}' for x in entries)})",
        "Sort s from largest to smallest, and reorder the columns of U and rows of Vt with it.",
        np.diag(entries)))

    out.append(_case(
        "orthogonal", "a random 4x4 orthogonal matrix (every singular value is 1)",
        "All four singular values are equal: any orthonormal V works, but U = A V must come out orthonormal.",
        _orthogonal(rng)))

    out.append(_case(
        "rank 1", "an outer product u vᵀ (rank 1)",
        "Three singular values are 0: U still needs four orthonormal columns.",
        np.outer(rng.standard_normal(N), rng.standard_normal(N))))

    scale = rng.uniform(2.0, 4.0)
    out.append(_case(
        "ill-conditioned", f"singular values {scale:.3g} × (1, 1e-2, 1e-4, 1e-6)",
        "The small singular values are a million times below the largest: a rounding error "
        "in AᵀA that would not matter elsewhere swamps them. How does your loop decide it has "
        "converged, and is that test itself accurate to the last digits?",
        _with_singular_values(rng, scale * np.array([1.0, 1e-2, 1e-4, 1e-6]))))

    top, low = rng.uniform(2.0, 4.0), rng.uniform(0.5, 1.0)
    gaps = rng.uniform(0.002, 0.005, size=2)
    out.append(_case(
        "two nearly equal pairs", "singular values in two pairs, each pair 0.2% to 0.5% apart",
        "Power iteration gains only the ratio of the two closest values at each step: here "
        "100 steps barely separate them. Iterate until v stops changing, or use Jacobi rotations.",
        _with_singular_values(rng, [top, top * (1 - gaps[0]), low, low * (1 - gaps[1])])))
    return out


# ---------------------------------------------------------------- judge

def _show(vector) -> str:
    return "[" + ", ".join(f"{x:.6g}" for x in vector) + "]"


def _show_any(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _matrix(value, shape: tuple[int, ...], name: str):
    """A finite float array of the given shape, or a message saying what is wrong."""
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return None, f"{name} should be an array of numbers of shape {shape}: got {_show_any(value)}"
    if array.shape != shape:
        return None, f"{name} should have shape {shape}, got shape {array.shape}"
    if not np.all(np.isfinite(array)):
        return None, f"{name} contains nan or inf"
    return array, ""


def judge(case: dict, got) -> tuple[bool, str, str]:
    try:
        A = decode_array(case["call"]["args"][0])
        s_true = np.linalg.svd(A, compute_uv=False)
    except Exception as error:  # a malformed case is the boss's bug, never the player's win
        return False, "?", f"the boss could not compute this case ({type(error).__name__})"
    summary = f"s = {_show(s_true)}, U and Vt orthogonal, U·diag(s)·Vt = A (tolerance {TOLERANCE:g})"
    try:
        return _judge(A, s_true, got, summary)
    except Exception as error:
        return False, summary, f"could not read the result ({type(error).__name__}): got {_show_any(got)}"


def _judge(A, s_true, got, summary) -> tuple[bool, str, str]:
    if not isinstance(got, (list, tuple)) or len(got) != 3:
        return False, summary, f"expected a tuple (U, s, Vt), got {_show_any(got)}"
    U, problem = _matrix(got[0], (N, N), "U")
    if problem:
        return False, summary, problem
    s, problem = _matrix(got[1], (N,), "s")
    if problem:
        return False, summary, problem
    Vt, problem = _matrix(got[2], (N, N), "Vt")
    if problem:
        return False, summary, problem

    for i in range(N - 1):
        if s[i + 1] > s[i] + TOLERANCE:
            return False, summary, f"s is not sorted from largest to smallest: got {_show(s)}"
    ok, problem = compare(s, s_true, atol=TOLERANCE, name="s")
    if not ok:
        return False, summary, f"singular values differ: {problem}; expected {_show(s_true)} got {_show(s)}"

    eye = np.eye(N)
    ok, problem = compare(U.T @ U, eye, atol=TOLERANCE, name="UᵀU")
    if not ok:
        lengths = np.linalg.norm(U, axis=0)
        return False, summary, f"U is not orthogonal: {problem} (column lengths {_show(lengths)})"
    ok, problem = compare(Vt @ Vt.T, eye, atol=TOLERANCE, name="Vt·Vtᵀ")
    if not ok:
        return False, summary, f"Vt is not orthogonal: {problem}"
    ok, problem = compare(U @ np.diag(s) @ Vt, A, atol=TOLERANCE, name="U·diag(s)·Vt")
    if not ok:
        return False, summary, (
            f"U·diag(s)·Vt does not rebuild A: {problem} "
            "(is row i of Vt the vector v_i that goes with s_i and u_i?)")
    return True, summary, "a valid SVD: sorted, orthogonal, rebuilds A"
