"""SpectraScope: the spectrum of a matrix, what truncating it costs, and what powers of it do.

Type any matrix (safe parser) or draw a random n×n one with a chosen condition number
(A = U·diag(σ)·Vᵀ with random orthogonal U, V and σ spaced geometrically from 1 to 1/κ).
The panel shows the singular values, eigenvalues, rank and condition number, and for every k
the error of the best rank-k approximation A_k (truncated SVD), measured, beside what
Eckart–Young says it must be: ‖A − A_k‖₂ = σ_{k+1}. Three views, cycled with v:
singular values (bars), eigenvalues in the complex plane (with the unit circle), and
stability: log₁₀‖W^t x‖ over t for W scaled to spectral radius 0.9, 1 and 1.1.
With y, the player's own module-3 ``svd`` runs on A in the sandbox: its singular values beside
numpy's, and how well its U·diag(s)·Vᵀ rebuilds A and how orthogonal its U and V are.
"""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static
from textual_plot import HiResMode

from ..labcode import Answer, Check, Garbage, as_array, close, explain, vector_text
from ._base import ToolPlot, ToolScreen, fmt, parse_matrix

VIEWS = ("singular values", "eigenvalues", "stability")
RADII = ((0.9, "green"), (1.0, "yellow"), (1.1, "red"))
POWERS = 40


def random_matrix(n: int, condition: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.standard_normal((n, n)))
    V, _ = np.linalg.qr(rng.standard_normal((n, n)))
    sigma = np.geomspace(1.0, 1.0 / condition, n)
    return U @ np.diag(sigma) @ V.T


def analyse(A: np.ndarray) -> dict:
    U, s, Vt = np.linalg.svd(A)
    rank = int(np.linalg.matrix_rank(A))
    condition = float(s[0] / s[-1]) if s[-1] > s[0] * 1e-15 else float("inf")
    errors = []  # (k, measured spectral error, sigma_{k+1}, measured Frobenius error)
    for k in range(0, len(s)):
        A_k = (U[:, :k] * s[:k]) @ Vt[:k, :]
        measured = float(np.linalg.norm(A - A_k, 2))
        errors.append((k, measured, float(s[k]), float(np.linalg.norm(A - A_k, "fro"))))
    square = A.shape[0] == A.shape[1]
    eigenvalues = np.linalg.eigvals(A) if square else np.array([])
    order = np.argsort(-np.abs(eigenvalues), kind="stable")
    return {
        "singular": s,
        "rank": rank,
        "condition": condition,
        "errors": errors,
        "eigenvalues": eigenvalues[order],
        "radius": float(np.max(np.abs(eigenvalues))) if square else float("nan"),
    }


def power_norms(A: np.ndarray, radius: float, steps: int = POWERS) -> np.ndarray:
    """‖W^t x‖ for t = 0..steps, W = A scaled to the given spectral radius, x a fixed unit vector."""
    rho = float(np.max(np.abs(np.linalg.eigvals(A))))
    W = A * (radius / rho)
    x = np.ones(A.shape[0]) / math.sqrt(A.shape[0])
    out = [1.0]
    for _ in range(steps):
        x = W @ x
        out.append(float(np.linalg.norm(x)))
    return np.array(out)


def _orthogonality(Q: np.ndarray) -> float:
    """How far the columns of Q are from orthonormal: max |QᵀQ − I|."""
    with np.errstate(all="ignore"):
        error = np.abs(Q.T @ Q - np.eye(Q.shape[1]))
    return float(np.max(error)) if np.all(np.isfinite(error)) else float("nan")


def wrap_numbers(head: str, items: list[str], width: int = 36) -> list[str]:
    lines, line = [], head
    for item in items:
        if len(line) + len(item) + 2 > width and line.strip() != head.strip():
            lines.append(line.rstrip())
            line = " " * len(head)
        line += item + "  "
    lines.append(line.rstrip())
    return lines


class SpectraScopeScreen(ToolScreen):
    TOOL_NAME = "SpectraScope"
    TOOL_TAGLINE = "what a matrix does, in its numbers"
    LAB_MODULE = "matrix-souls"

    BINDINGS = [
        Binding("e,enter", "edit", "Type"),
        Binding("r", "random", "Random"),
        Binding("n", "size(1)", "size", key_display="n N"),
        Binding("N", "size(-1)", "n−", show=False),
        Binding("c", "condition(10)", "κ", key_display="c C"),
        Binding("C", "condition(0.1)", "κ÷10", show=False),
        Binding("v", "view", "View"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.size_n = 4
        self.condition = 100.0
        self.seed = 0
        self.view = 0
        self.A = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]])
        self.source = "[[2, 1, 0], [1, 3, 1], [0, 1, 4]]"

    def compose_body(self) -> ComposeResult:
        yield Static(id="panel", classes="tool-panel")
        yield ToolPlot(id="plot", classes="tool-plot")

    # --- actions ----------------------------------------------------------------------
    def action_edit(self) -> None:
        def apply(text: str) -> str | None:
            rows = parse_matrix(text)
            if len(rows) == 1 or all(len(r) == 1 for r in rows):
                return "type a matrix with rows, like [[2, 1], [1, 3]]"
            self.A = np.array(rows)
            self.source = text
            return None

        self.ask("A =", self.source, apply)

    def action_random(self) -> None:
        self.seed += 1
        self.A = random_matrix(self.size_n, self.condition, self.seed)
        self.source = f"random, κ {fmt(self.condition)}, seed {self.seed}"
        self.say(f"random {self.size_n}×{self.size_n} with condition number {fmt(self.condition)} (seed {self.seed})")
        self.refresh_view()

    def action_size(self, delta: int) -> None:
        self.size_n = max(2, min(8, self.size_n + delta))
        self.action_random()

    def action_condition(self, factor: float) -> None:
        self.condition = max(1.0, min(1e12, self.condition * factor))
        self.action_random()

    def action_view(self) -> None:
        self.view = (self.view + 1) % len(VIEWS)
        self.refresh_view()

    # --- drawing ----------------------------------------------------------------------
    def numbers(self) -> dict:
        return analyse(self.A)

    def refresh_view(self) -> None:
        info = self.numbers()
        m, n = self.A.shape
        t = Text()
        t.append(f"A: {m}×{n}  ", style="bold")
        t.append(f"{self.source[:24]}\n", style="dim")
        for line in wrap_numbers("σ  ", [fmt(x) for x in info["singular"]]):
            t.append(line + "\n", style="bold cyan")
        if len(info["eigenvalues"]):
            for line in wrap_numbers("λ  ", [fmt(complex(x), 3) for x in info["eigenvalues"]]):
                t.append(line + "\n", style="bold magenta")
            t.append(f"spectral radius {fmt(info['radius'])}\n")
        else:
            t.append("λ  (eigenvalues need a square matrix)\n", style="magenta")
        t.append(f"rank {info['rank']}   κ = σmax/σmin = {fmt(info['condition'])}\n", style="bold")
        rows = 8
        if self.yours_on:
            self.render_yours(t)
            height = self.query_one("#panel", Static).size.height or 21
            rows = max(2, min(8, height - len(t.wrap(self.app.console, 36)) - 4))
        t.append("best rank-k error (Eckart–Young)\n", style="underline")
        t.append(" k  ‖A−A_k‖₂  σ_k+1     ‖·‖F\n", style="dim")
        for k, measured, predicted, frob in info["errors"][:rows]:
            t.append(f"{k:>2}  {fmt(measured):>8}  {fmt(predicted):>8}  {fmt(frob):>8}\n")
        t.append(f"\nview: {VIEWS[self.view]} (v)", style="bold")
        self.query_one("#panel", Static).update(t)
        self._draw(info)

    # --- your code: the player's module-3 svd on A ------------------------------------------------
    def your_cases(self):
        m, n = self.A.shape
        if m != n:
            return f"your svd takes a square matrix; A is {m}×{n}"
        A = [[float(x) for x in row] for row in self.A]
        return ("spectrascope", tuple(map(tuple, A))), [
            {"call": {"function": "svd", "args": [{"__ndarray__": A, "dtype": "float64"}]}}]

    def your_checks(self, answer: Answer) -> list[Check]:
        A = np.array(answer.key[1])
        n = A.shape[0]
        U0, s0, Vt0 = np.linalg.svd(A)
        scale = max(float(s0[0]), 1e-300)
        tool_rebuild = float(np.linalg.norm(A - (U0 * s0) @ Vt0, 2))
        tool_orth = max(_orthogonality(U0), _orthogonality(Vt0.T))
        outcome = answer.outcomes[0]
        sigma_tool = vector_text(s0, fmt)
        if not outcome.ok:
            return [Check("σ", explain(outcome.error), sigma_tool, None)]
        try:
            if not isinstance(outcome.value, list) or len(outcome.value) != 3:
                raise Garbage(f"returned {str(outcome.value)[:20]}…, not (U, s, Vt)")
            U = as_array(outcome.value[0], (n, n))
            s = as_array(outcome.value[1], (n,))
            Vt = as_array(outcome.value[2], (n, n))
        except Garbage as err:
            return [Check("σ", str(err), sigma_tool, None)]
        tolerance = 1e-7 * scale
        sigma_ok = close(s, s0, rtol=1e-7, atol=tolerance)
        digits = 4 if sigma_ok else 6
        with np.errstate(all="ignore"):
            residual = A - (U * s) @ Vt
            rebuild = float(np.linalg.norm(residual, 2)) if np.all(np.isfinite(residual)) else float("nan")
            orth = max(_orthogonality(U), _orthogonality(Vt.T))
        return [
            Check("σ", vector_text(s, fmt, digits), vector_text(s0, fmt, digits), sigma_ok),
            Check("‖A−UΣVᵀ‖", fmt(rebuild, 2), fmt(tool_rebuild, 2), bool(rebuild <= 1e-6 * scale)),
            Check("‖QᵀQ−I‖", fmt(orth, 2), fmt(tool_orth, 2), bool(orth <= 1e-6)),
        ]

    def _draw(self, info: dict) -> None:
        plot = self.query_one("#plot", ToolPlot)
        plot.clear()
        view = VIEWS[self.view]
        if view == "singular values":
            s = info["singular"]
            ks = np.arange(1, len(s) + 1)
            plot.bar(ks, s, width=0.6, bar_style="cyan", hires_mode=HiResMode.HALFBLOCK)
            plot.set_xticks([float(k) for k in ks])
            plot.set_xlimits(0.4, len(s) + 0.6)
            plot.set_ylimits(0, float(s[0]) * 1.1 or 1.0)
            plot.set_xlabel("k: σ_k, largest first")
        elif view == "eigenvalues":
            lam = info["eigenvalues"]
            theta = np.linspace(0, 2 * math.pi, 121)
            plot.plot(np.cos(theta), np.sin(theta), line_style="grey50", hires_mode=HiResMode.BRAILLE)
            if len(lam):
                plot.scatter(np.real(lam), np.imag(lam), marker="●", marker_style="bold magenta")
                reach = max(1.2, float(np.max(np.abs(lam))) * 1.2)
            else:
                reach = 1.2
            plot.set_xlimits(-reach * 1.6, reach * 1.6)
            plot.set_ylimits(-reach, reach)
            plot.set_xlabel("eigenvalues in ℂ; the unit circle")
        else:
            if self.A.shape[0] != self.A.shape[1] or not info["radius"] > 0:
                plot.set_xlabel("stability needs a square matrix with a nonzero eigenvalue")
                return
            t = np.arange(POWERS + 1)
            for radius, style in RADII:
                norms = power_norms(self.A, radius)
                plot.plot(t, np.log10(np.maximum(norms, 1e-300)), line_style=style, hires_mode=HiResMode.BRAILLE)
            plot.set_xlimits(0, POWERS)
            plot.set_xlabel("t: log₁₀‖Wᵗx‖, ρ = 0.9 1 1.1")
