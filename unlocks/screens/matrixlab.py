"""MatrixLab: a matrix acting on the plane (2×2), or on space seen in projection (3×3).

The plot shows the grid and the unit square (cube) before, dim, and after, bright; the images
of the basis vectors (the columns of M); the real eigenvector directions; a vector v and Mv.
The panel shows det, trace, eigenvalues, eigenvectors, v·Mv and the angle between v and Mv.
Everything updates on every key. With y, the player's own module-1 lab (dot, norm,
cosine_similarity, project) computes v·Mv, |v|, |Mv|, cos∠(v, Mv) and the projection of Mv on v
in the sandbox, shown beside numpy's.
"""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from textual_plot import HiResMode

from ..labcode import Answer, Check, Garbage, as_array, close, explain, number_check, vector_text
from ._base import ToolScreen, fmt, parse_matrix, parse_number, ToolPlot

STEP = 0.1
COLUMN_STYLES = ("bold red", "bold green", "bold blue")
BASIS_NAMES = ("î", "ĵ", "k̂")
# 2×2 presets: (name, matrix)
PRESETS: tuple[tuple[str, list[list[float]]], ...] = (
    ("symmetric stretch", [[2.0, 1.0], [1.0, 2.0]]),
    ("rotation by 30°", [[math.cos(math.pi / 6), -math.sin(math.pi / 6)], [math.sin(math.pi / 6), math.cos(math.pi / 6)]]),
    ("shear", [[1.0, 1.0], [0.0, 1.0]]),
    ("reflection in y = x", [[0.0, 1.0], [1.0, 0.0]]),
    ("projection onto x", [[1.0, 0.0], [0.0, 0.0]]),
    ("identity", [[1.0, 0.0], [0.0, 1.0]]),
)
# cabinet projection of 3-D points onto the screen plane: z recedes up and to the right
PROJECT = np.array([[1.0, 0.0, 0.45], [0.0, 1.0, 0.3]])


def _vec(values) -> str:
    return "(" + ", ".join(fmt(float(x), 3) for x in values) + ")"


def analyse(M: np.ndarray, v: np.ndarray) -> dict:
    """Every number the panel shows, computed with numpy."""
    eigenvalues, eigenvectors = np.linalg.eig(M)
    real = bool(np.all(np.abs(np.imag(eigenvalues)) < 1e-9))
    Mv = M @ v
    nv, nMv = float(np.linalg.norm(v)), float(np.linalg.norm(Mv))
    dot = float(v @ Mv)
    angle = math.degrees(math.acos(max(-1.0, min(1.0, dot / (nv * nMv))))) if nv > 0 and nMv > 0 else float("nan")
    order = np.argsort(-np.real(eigenvalues), kind="stable")
    return {
        "det": float(np.linalg.det(M)),
        "trace": float(np.trace(M)),
        "eigenvalues": [complex(eigenvalues[i]) for i in order],
        "eigenvectors": [np.real(eigenvectors[:, i]) for i in order] if real else [],
        "Mv": Mv,
        "dot": dot,
        "angle": angle,
    }


class MatrixLabScreen(ToolScreen):
    TOOL_NAME = "MatrixLab"
    TOOL_TAGLINE = "a matrix moves the whole grid"
    LAB_MODULE = "vector-awakens"

    BINDINGS = [
        Binding("up", "move(0,1)", "Move", show=False),
        Binding("down", "move(0,-1)", "Move", show=False),
        Binding("left", "move(-1,0)", "Move", show=False),
        Binding("right", "move(1,0)", "Move", show=False),
        Binding("plus,equals_sign", "nudge(1)", "±0.1", key_display="+ -"),
        Binding("minus", "nudge(-1)", "−0.1", show=False),
        Binding("e,enter", "edit", "Type"),
        Binding("m", "mode", "Move"),
        Binding("p", "preset", "Preset"),
        Binding("3", "dimension", "2×2/3×3"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.n = 2
        self.preset = 0
        self.M = np.array(PRESETS[0][1])
        self.v = np.array([1.0, 0.5])
        self.cell = (0, 0)
        self.mode = "entry"  # entry | col0 | col1 | col2 | v

    # --- layout -----------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Static(id="panel", classes="tool-panel")
        yield ToolPlot(id="plot", classes="tool-plot")

    # --- state changes --------------------------------------------------------------------
    def modes(self) -> list[str]:
        return ["entry", *[f"col{c}" for c in range(self.n)], "v"]

    def action_mode(self) -> None:
        modes = self.modes()
        self.mode = modes[(modes.index(self.mode) + 1) % len(modes)]
        self.refresh_view()

    def action_move(self, dx: int, dy: int) -> None:
        if self.mode == "entry":
            r, c = self.cell
            self.cell = ((r - dy) % self.n, (c + dx) % self.n)
        elif self.mode == "v":
            self.v[0] += dx * STEP
            self.v[1] += dy * STEP
        else:
            c = int(self.mode[3])
            self.M[0, c] += dx * STEP
            self.M[1, c] += dy * STEP
        self.refresh_view()

    def action_nudge(self, sign: int) -> None:
        r, c = self.cell
        self.M[r, c] = round(self.M[r, c] + sign * STEP, 10)
        self.mode = "entry"
        self.refresh_view()

    def action_preset(self) -> None:
        self.preset = (self.preset + 1) % len(PRESETS)
        name, matrix = PRESETS[self.preset]
        self.M = np.eye(self.n)
        self.M[:2, :2] = matrix
        self.say(f"preset: {name}")
        self.refresh_view()

    def action_dimension(self) -> None:
        old = self.M
        self.n = 3 if self.n == 2 else 2
        self.M = np.eye(self.n)
        k = min(self.n, old.shape[0])
        self.M[:k, :k] = old[:k, :k]
        self.v = np.concatenate([self.v, [0.5]]) if self.n == 3 else self.v[:2].copy()
        self.cell = (min(self.cell[0], self.n - 1), min(self.cell[1], self.n - 1))
        if self.mode not in self.modes():
            self.mode = "entry"
        self.say("3×3: space drawn in projection (z goes up and to the right)" if self.n == 3 else "2×2: the plane")
        self.refresh_view()

    def action_edit(self) -> None:
        if self.mode == "entry":
            r, c = self.cell

            def apply(text: str) -> str | None:
                self.M[r, c] = parse_number(text)
                return None

            self.ask(f"M[{r + 1},{c + 1}] =", fmt(float(self.M[r, c]), 6).replace("−", "-"), apply)
            return
        if self.mode == "v":
            target, label = None, "v ="
            current = self.v
        else:
            target = int(self.mode[3])
            label = f"column {target + 1} ({BASIS_NAMES[target]} lands at) ="
            current = self.M[:, target]

        def apply_vector(text: str) -> str | None:
            rows = parse_matrix(text)
            flat = [row[0] for row in rows] if all(len(row) == 1 for row in rows) else None
            if flat is None or len(flat) != self.n:
                return f"type a vector of {self.n} numbers, like [1, 2{', 3' if self.n == 3 else ''}]"
            if target is None:
                self.v = np.array(flat)
            else:
                self.M[:, target] = flat
            return None

        initial = "[" + ", ".join(fmt(float(x), 6).replace("−", "-") for x in current) + "]"
        self.ask(label, initial, apply_vector)

    # --- drawing -------------------------------------------------------------------------
    def numbers(self) -> dict:
        return analyse(self.M, self.v)

    def refresh_view(self) -> None:
        info = self.numbers()
        self.query_one("#panel", Static).update(self._panel(info))
        self._draw(info)

    def _panel(self, info: dict) -> Text:
        t = Text()
        t.append("M =", style="bold")
        t.append("  columns: where î ĵ land\n", style="dim")
        for r in range(self.n):
            t.append("  ")
            for c in range(self.n):
                style = COLUMN_STYLES[c]
                if self.mode == "entry" and (r, c) == self.cell:
                    style += " reverse"
                elif self.mode == f"col{c}":
                    style += " underline"
                t.append(f"{fmt(float(self.M[r, c]), 3):>7}", style=style)
            t.append("\n")
        t.append(f"det    {fmt(info['det'])}", style="bold")
        t.append(f"   trace {fmt(info['trace'])}\n")
        t.append("λ      " + ", ".join(fmt(x) for x in info["eigenvalues"]) + "\n")
        if info["eigenvectors"]:
            for vec in info["eigenvectors"]:
                t.append(f"  eigvec {_vec(vec)}\n", style="yellow")
        else:
            t.append("  no real eigenvectors: M turns every line\n", style="yellow")
        t.append(f"v      {_vec(self.v)}\n", style="cyan")
        t.append(f"Mv     {_vec(info['Mv'])}\n", style="magenta")
        t.append(f"v·Mv   {fmt(info['dot'])}\n")
        t.append(f"angle  {fmt(info['angle'])}°\n")
        if self.yours_on:
            self.render_yours(t)
            return t
        mode = {"entry": f"entry M[{self.cell[0] + 1},{self.cell[1] + 1}]", "v": "the tip of v"}.get(
            self.mode, f"the tip of {BASIS_NAMES[int(self.mode[-1])]}" if self.mode.startswith("col") else self.mode
        )
        t.append(f"\narrows move {mode}\n", style="bold")
        t.append("m: entry/î/ĵ/v   e: type it", style="dim")
        return t

    # --- your code: the player's module-1 functions on v and Mv ------------------------------
    def your_cases(self):
        v = [float(x) for x in self.v]
        Mv = [float(x) for x in self.M @ self.v]
        calls = [("dot", [v, Mv]), ("norm", [v]), ("norm", [Mv]), ("cosine_similarity", [v, Mv]),
                 ("project", [Mv, v])]
        return ("matrixlab", tuple(v), tuple(Mv)), [{"call": {"function": f, "args": a}} for f, a in calls]

    def your_checks(self, answer: Answer) -> list[Check]:
        _, v, Mv = answer.key
        v, Mv = np.array(v), np.array(Mv)
        dot, cos, proj = answer.outcomes[0], answer.outcomes[3], answer.outcomes[4]
        checks = [
            number_check("v·Mv", dot, float(v @ Mv), fmt),
            number_check("|v|", answer.outcomes[1], float(np.linalg.norm(v)), fmt),
            number_check("|Mv|", answer.outcomes[2], float(np.linalg.norm(Mv)), fmt),
        ]
        if np.linalg.norm(v) == 0 or np.linalg.norm(Mv) == 0:
            checks.append(_must_refuse("cos∠", cos, "a zero vector has no angle"))
        else:
            checks.append(number_check("cos∠", cos, float(v @ Mv / (np.linalg.norm(v) * np.linalg.norm(Mv))), fmt))
        if not np.any(v):
            checks.append(_must_refuse("projᵥMv", proj, "no line through 0"))
        else:
            checks.append(_vector_check("projᵥMv", proj, (v @ Mv) / (v @ v) * v))
        return checks

    def _points(self, P: np.ndarray) -> np.ndarray:
        """3-D points to the screen plane (2-D points pass through)."""
        return P if self.n == 2 else PROJECT @ P

    def _draw(self, info: dict) -> None:
        plot = self.query_one("#plot", ToolPlot)
        plot.clear()
        M, n = self.M, self.n
        corners = np.array([[0, 1, 1, 0, 0], [0, 0, 1, 1, 0]], dtype=float)
        reach = [np.abs(self._points(M @ np.eye(n))).max(), np.abs(self._points(info["Mv"].reshape(n, 1))).max(),
                 np.abs(self._points(self.v.reshape(n, 1))).max(), 1.0]
        L = max(2.0, math.ceil(max(reach) * 1.15))
        width = max(plot.size.width - 8, 10)
        height = max(plot.size.height - 3, 5)
        aspect = width / (2.0 * height)  # a cell is about twice as tall as it is wide
        xr, yr = (L * aspect, L) if aspect >= 1 else (L, L / aspect)
        grid = range(-int(math.ceil(max(xr, yr))), int(math.ceil(max(xr, yr))) + 1)
        span = max(xr, yr) * 2

        def line(P: np.ndarray, style: str) -> None:
            Q = self._points(P)
            plot.plot(Q[0], Q[1], line_style=style, hires_mode=HiResMode.BRAILLE)

        # the grid before (dim) and after (the plane z = 0 in 3-D)
        for k in grid:
            for P in (np.array([[k, k], [-span, span]]), np.array([[-span, span], [k, k]])):
                full = np.vstack([P, np.zeros((n - 2, 2))])
                line(full, "grey23")
        for k in grid:
            for P in (np.array([[k, k], [-span, span]]), np.array([[-span, span], [k, k]])):
                full = np.vstack([P, np.zeros((n - 2, 2))])
                line(M @ full, "dark_cyan" if k else "cyan")
        # the unit square (2-D) or cube (3-D), before and after
        if n == 2:
            line(corners, "grey50")
            line(M @ corners, "bold white")
        else:
            for a, b in _cube_edges():
                line(np.array([a, b]).T, "grey50")
                line(M @ np.array([a, b]).T, "bold white")
        # eigenvector directions
        for vec in info["eigenvectors"]:
            line(np.outer(vec, [-span, span]), "yellow")
        # basis images, v and Mv
        origin = np.zeros(n)
        for c in range(n):
            line(np.array([origin, M[:, c]]).T, COLUMN_STYLES[c])
        line(np.array([origin, self.v]).T, "bold cyan")
        line(np.array([origin, info["Mv"]]).T, "bold magenta")
        tips = self._points(np.column_stack([M[:, c] for c in range(n)] + [self.v, info["Mv"]]))
        plot.scatter(tips[0], tips[1], marker="●", marker_style="bold white")
        plot.set_xlimits(-xr, xr)
        plot.set_ylimits(-yr, yr)

    def on_resize(self) -> None:
        if self.is_mounted:
            self.refresh_view()


def _must_refuse(label: str, outcome, why: str) -> Check:
    """The lab must raise ValueError here (the module's contract), and the tool says why."""
    if not outcome.ok and outcome.error.startswith("ValueError"):
        return Check(label, "ValueError", "ValueError", True)
    if not outcome.ok:
        return Check(label, explain(outcome.error), "ValueError", None)
    return Check(label, f"returned {outcome.value!r}"[:30], f"ValueError: {why}", False)


def _vector_check(label: str, outcome, tool: np.ndarray) -> Check:
    if not outcome.ok:
        return Check(label, explain(outcome.error), vector_text(tool, fmt), None)
    try:
        mine = as_array(outcome.value, tool.shape)
    except Garbage as err:
        return Check(label, str(err), vector_text(tool, fmt), None)
    agree = close(mine, tool)
    digits = 3 if agree else 6
    return Check(label, vector_text(mine, fmt, digits), vector_text(tool, fmt, digits), agree)


def _cube_edges():
    corners = [np.array([x, y, z], dtype=float) for x in (0, 1) for y in (0, 1) for z in (0, 1)]
    for i, a in enumerate(corners):
        for b in corners[i + 1:]:
            if np.sum(np.abs(a - b)) == 1:
                yield a, b
