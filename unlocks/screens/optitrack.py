"""OptiTrack: five optimizers race across a loss surface, drawn step by step over its contour map.

The surface is a preset (the boss's four: an ill-conditioned bowl, Rosenbrock's valley, a saddle,
Beale's function) or any f(x, y) the player types (the game's safe parser, then sympy for the
gradient, as in GradientScope). The racers are SGD, momentum, RMSProp, Adam and AdamW with the
update rules of module 7, each with its own learning rate; every step each racer reads ∇f at its
own position and moves. The map colours f in bands of equal ratio (a filled contour map, lowest
dark), each racer's path in its colour and its letter where it stands. A racer that leaves
|θ| < 10⁶ or meets a nan stops, and the panel says at which step.

With y (your code), the player's own module-7 step function for the selected racer runs the same
race in the sandbox (300 steps, the same gradient code) and races as Y; the panel says whether
its path agrees with the tool's to 1e-8 and, if not, at which step it departs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Static

from ..labcode import Answer, Check, explain
from ._base import ToolScreen, fmt, parse_number
from .gradientscope import Surface

ESCAPED = 1e6  # a racer beyond this (or at nan) has diverged
MAX_STEPS = 2000
YOUR_STEPS = 300  # the race your lab runs in the sandbox
TOLERANCE = 1e-8  # as in the boss: relative once a coordinate is above 1
AUTO_S = 0.08  # a tick while the race plays: one step for the first 100, then more
BANDS = ("#1b0c41", "#2f0a5b", "#4a0c6b", "#65156e", "#7f1f6c", "#9b2964", "#b73557",
         "#d04545", "#e45a31", "#f37819", "#fa9a07", "#fcbe25")


# --- the optimizers, as module 7 states them -------------------------------------------------
def sgd(theta, g, state, lr):
    return theta - lr * g


def momentum(theta, g, state, lr, beta=0.9):
    state["v"] = beta * state.get("v", np.zeros_like(theta)) + g
    return theta - lr * state["v"]


def rmsprop(theta, g, state, lr, beta=0.99, eps=1e-8):
    state["s"] = beta * state.get("s", np.zeros_like(theta)) + (1 - beta) * g**2
    return theta - lr * g / (np.sqrt(state["s"]) + eps)


def adam(theta, g, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", np.zeros_like(theta)) + (1 - beta1) * g
    v = beta2 * state.get("v", np.zeros_like(theta)) + (1 - beta2) * g**2
    state.update(t=t, m=m, v=v)
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)


def adamw(theta, g, state, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    return adam(theta - lr * weight_decay * theta, g, state, lr, beta1, beta2, eps)


@dataclass(frozen=True)
class Kind:
    name: str  # the lab's function name
    letter: str
    colour: str
    extra: dict  # hyperparameters besides lr, at their defaults
    step: object


KINDS = (
    Kind("sgd", "S", "#ff6b6b", {}, sgd),
    Kind("momentum", "M", "#4dabf7", {"beta": 0.9}, momentum),
    Kind("rmsprop", "R", "#51cf66", {"beta": 0.99, "eps": 1e-8}, rmsprop),
    Kind("adam", "A", "#fcc419", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, adam),
    Kind("adamw", "W", "#cc5de8", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01}, adamw),
)


@dataclass
class Racer:
    """One optimizer's run: its learning rate, state, path and whether it stopped."""

    kind: Kind
    lr: float
    path: list = field(default_factory=list)
    state: dict = field(default_factory=dict)
    stopped_at: int | None = None  # the step at which it diverged
    shown: bool = True

    def restart(self, start) -> None:
        self.path, self.state, self.stopped_at = [np.array(start, dtype=float)], {}, None

    def advance(self, grad) -> None:
        """One step from where it stands, with ∇f there (`grad(theta)`)."""
        if self.stopped_at is not None:
            return
        theta = self.path[-1]
        with np.errstate(all="ignore"):
            nxt = np.asarray(self.kind.step(theta, grad(theta), self.state, self.lr, **self.kind.extra), dtype=float)
        self.path.append(nxt)
        if not np.all(np.isfinite(nxt)) or np.abs(nxt).max() > ESCAPED:
            self.stopped_at = len(self.path) - 1


@dataclass(frozen=True)
class Preset:
    name: str
    text: str
    center: tuple[float, float]
    half_width: float
    start: tuple[float, float]
    rates: tuple[float, ...]  # sgd, momentum, rmsprop, adam, adamw
    note: str


PRESETS = (
    Preset("ill-conditioned bowl", "x^2/2 + 25y^2/2", (0.0, 0.0), 2.5, (-2.0, 1.0),
           (0.075, 0.02, 0.05, 0.1, 0.1), "curvatures 1 and 25: SGD zigzags across y"),
    Preset("Rosenbrock", "(1 - x)^2 + 100(y - x^2)^2", (0.0, 1.0), 2.0, (-1.5, 2.0),
           (0.001, 0.0005, 0.01, 0.05, 0.05), "a curved valley; the minimum is at (1, 1)"),
    Preset("saddle", "x^2/2 - y^2/2 + y^4/4", (0.0, 0.0), 2.0, (-1.8, 0.01),
           (0.1, 0.05, 0.02, 0.05, 0.05), "flat across the saddle at 0; minima at y = ±1"),
    Preset("Beale", "(1.5 - x + x y)^2 + (2.25 - x + x y^2)^2 + (2.625 - x + x y^3)^2", (1.5, 0.5), 2.5,
           (1.0, 1.4), (0.001, 0.0005, 0.01, 0.02, 0.02), "steep walls; the minimum is at (3, 0.5)"),
)
TYPED_RATES = (0.01, 0.005, 0.01, 0.05, 0.05)
SYMBOLS = {"beta": "β", "beta1": "β₁", "beta2": "β₂", "eps": "ε", "weight_decay": "λ"}


def gradient(surface: Surface):
    """∇f as a function of θ = (x, y), from sympy's derivatives (lambdify, NumPy)."""
    import sympy as sp

    x, y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)
    gx, gy = (sp.lambdify((x, y), sp.diff(surface.expr, s), "numpy") for s in (x, y))

    def grad(p):
        return np.array([gx(p[0], p[1]), gy(p[0], p[1])], dtype=float)

    return grad


def gradient_source(surface: Surface) -> str:
    """Python (NumPy) source of `grad(p)` for the sandbox: sympy's printer, as lambdify uses it."""
    import sympy as sp
    from sympy.printing.numpy import NumPyPrinter

    x, y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)
    printer = NumPyPrinter()
    parts = [printer.doprint(sp.diff(surface.expr, s)) for s in (x, y)]
    return ("import numpy\n"
            "def grad(p):\n"
            "    x, y = p[0], p[1]\n"
            f"    return numpy.array([{parts[0]}, {parts[1]}], dtype=float)\n")


YOURS_SCRIPT = """{source}
theta, state = np.array({start!r}, dtype=float), {{}}
path = [theta]
for _ in range({steps}):
    theta, state = lab.{name}(theta, grad(theta), state, **{hp!r})
    theta = np.array(theta, dtype=float)
    path.append(theta)
    if theta.shape != (2,) or not np.all(np.isfinite(theta)) or np.abs(theta).max() > {escaped!r}:
        break
result = np.array(path)
"""


def departs(mine: np.ndarray, tool: np.ndarray) -> int | None:
    """The first step where two paths differ by more than TOLERANCE, or None."""
    n = min(len(mine), len(tool))
    gap = np.abs(mine[:n] - tool[:n]) / np.maximum(1.0, np.abs(tool[:n]))
    bad = np.flatnonzero(~(gap <= TOLERANCE).all(axis=1))
    if len(bad):
        return int(bad[0])
    return None if len(mine) == len(tool) else n


class ContourMap(Widget):
    """f in bands of equal ratio (▀ with two samples per cell), the paths, the racers."""

    DEFAULT_CSS = "ContourMap { width: 1fr; height: 1fr; }"

    def __init__(self, track: "OptiTrackScreen", **kwargs) -> None:
        super().__init__(**kwargs)
        self.track = track

    def world(self, width: int, height: int) -> tuple[np.ndarray, np.ndarray, float]:
        t = self.track
        step = 2 * t.half_width / width
        xs = t.center[0] + (np.arange(width) + 0.5 - width / 2) * step
        ys = t.center[1] + (height - (np.arange(2 * height) + 0.5)) * step
        return xs, ys, step

    def cell_of(self, point, width: int, height: int) -> tuple[int, int] | None:
        t = self.track
        step = 2 * t.half_width / width
        if not np.all(np.isfinite(point)):
            return None
        col = math.floor((point[0] - t.center[0]) / step + width / 2)
        half_row = math.floor(height - (point[1] - t.center[1]) / step)
        if 0 <= col < width and 0 <= half_row < 2 * height:
            return col, half_row // 2
        return None

    def levels(self, Z: np.ndarray) -> np.ndarray:
        """Each sample's band: log-spaced above the lowest value in view."""
        finite = np.isfinite(Z)
        if not finite.any():
            return np.zeros(Z.shape, dtype=int)
        low = np.min(Z[finite])
        scaled = np.log1p(np.where(finite, Z - low, 0.0))
        top = float(np.max(scaled)) or 1.0
        return np.clip((scaled / top * len(BANDS)).astype(int), 0, len(BANDS) - 1)

    def render(self) -> Text:
        width, height = self.size.width, self.size.height
        t = self.track
        if width < 4 or height < 2:
            return Text("")
        xs, ys, _ = self.world(width, height)
        X, Y = np.meshgrid(xs, ys)
        level = self.levels(t.surface.f(X, Y))
        colours = [Color.parse(c) for c in BANDS]
        marks: dict[tuple[int, int], tuple[str, str]] = {}
        racers = sorted(t.shown_racers(), key=lambda r: r is t.racers[t.selected])  # the selected one on top
        paths = [(r.path, r.kind.colour, r.kind.letter) for r in racers]
        yours = t.your_path()
        if yours is not None:
            paths.append((yours, "#ffffff", "Y"))
        for path, colour, _ in paths:
            for point in path[:-1]:
                cell = self.cell_of(point, width, height)
                if cell:
                    marks[cell] = ("•", colour)
        for path, colour, letter in paths:
            cell = self.cell_of(path[-1], width, height)
            if cell:
                marks[cell] = (letter, f"bold {colour}")
        cell = self.cell_of(t.start, width, height)
        if cell and cell not in marks:
            marks[cell] = ("○", "bold white")
        text = Text()
        for row in range(height):
            for col in range(width):
                upper, lower = colours[level[2 * row, col]], colours[level[2 * row + 1, col]]
                if (col, row) in marks:
                    char, style = marks[(col, row)]
                    text.append(char, Style.parse(style) + Style(bgcolor=lower))
                else:
                    text.append("▀", Style(color=upper, bgcolor=lower))
            if row < height - 1:
                text.append("\n")
        return text


class OptiTrackScreen(ToolScreen):
    TOOL_NAME = "OptiTrack"
    TOOL_TAGLINE = "five optimizers, one surface"
    LAB_MODULE = "optimizers"

    BINDINGS = [
        Binding("space", "step(1)", "Step"),
        Binding("n", "step(10)", "×10", show=False),
        Binding("a", "auto", "Play"),
        Binding("r", "restart", "Restart", show=False),
        Binding("up", "move(0,1)", "Start", show=False),
        Binding("down", "move(0,-1)", "Start", show=False),
        Binding("left", "move(-1,0)", "Start", show=False),
        Binding("right", "move(1,0)", "Start", show=False),
        Binding("tab", "select", "Racer"),
        Binding("left_square_bracket", "rate(0.5)", "lr", key_display="[ ]"),
        Binding("right_square_bracket", "rate(2)", "lr×2", show=False),
        Binding("e", "type_rate", "lr=", show=False),
        Binding("h", "hide", "Hide", show=False),
        Binding("f", "type_function", "Type f"),
        Binding("p", "preset", "Preset"),
        Binding("plus,equals_sign", "zoom(0.8)", "Zoom in", show=False),
        Binding("minus", "zoom(1.25)", "Zoom out", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.surface: Surface | None = None
        self.preset_index = -1
        self.center = (0.0, 0.0)
        self.half_width = 2.0
        self.start = (0.0, 0.0)
        self.racers = [Racer(kind, rate) for kind, rate in zip(KINDS, TYPED_RATES)]
        self.selected = 3  # Adam
        self._grads: dict[str, object] = {}  # f's text -> ∇f as a function of θ
        self._auto = None
        self._sources: dict[str, str] = {}
        self._tool_paths: dict[tuple, np.ndarray] = {}
        self.load_preset(0)

    # --- layout ------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Static(id="panel", classes="tool-panel")
        yield ContourMap(self, id="map")

    # --- state -------------------------------------------------------------------------
    @property
    def step_count(self) -> int:
        return max(len(r.path) for r in self.racers) - 1

    def shown_racers(self) -> list[Racer]:
        return [r for r in self.racers if r.shown]

    def load_surface(self, surface: Surface) -> None:
        self.surface = surface
        self._grads.setdefault(surface.text, gradient(surface))

    def load_preset(self, index: int) -> None:
        preset = PRESETS[index]
        self.preset_index = index
        self.load_surface(Surface(preset.text))
        self.center, self.half_width, self.start = preset.center, preset.half_width, preset.start
        for racer, rate in zip(self.racers, preset.rates):
            racer.lr = rate
        self.restart()

    def restart(self) -> None:
        for racer in self.racers:
            racer.restart(self.start)

    def grad(self, theta: np.ndarray) -> np.ndarray:
        return self._grads[self.surface.text](theta)

    # --- keys ---------------------------------------------------------------------------
    def action_step(self, count: int) -> None:
        self.advance(count)
        self.refresh_view()

    def advance(self, count: int) -> None:
        for _ in range(count):
            if self.step_count >= MAX_STEPS:
                self.stop_auto(f"the race stops at {MAX_STEPS} steps; r restarts")
                return
            for racer in self.racers:
                racer.advance(self.grad)
        stopped = [r for r in self.racers if r.stopped_at is not None]
        if stopped:
            self.say(" · ".join(f"{r.kind.name} diverged at step {r.stopped_at}" for r in stopped)
                     + " ([ lowers its lr)", error=True)
        else:
            self.say(f"step {self.step_count}")

    def action_auto(self) -> None:
        if self._auto is not None:
            self.stop_auto("paused")
            return
        self._auto = self.set_interval(AUTO_S, self._tick)
        self.say("playing: a pauses")

    def _tick(self) -> None:
        self.advance(max(1, self.step_count // 50))  # slow at first, to watch, then faster
        self.refresh_view()

    def stop_auto(self, message: str) -> None:
        if self._auto is not None:
            self._auto.stop()
            self._auto = None
        self.say(message)

    def action_restart(self) -> None:
        self.stop_auto("restarted at the start point")
        self.restart()
        self.refresh_view()

    def action_move(self, dx: int, dy: int) -> None:
        step = self.half_width / 10
        self.start = (round(self.start[0] + dx * step, 10), round(self.start[1] + dy * step, 10))
        self.stop_auto(f"start ({fmt(self.start[0])}, {fmt(self.start[1])})")
        self.restart()
        self.refresh_view()

    def action_select(self) -> None:
        self.selected = (self.selected + 1) % len(self.racers)
        self.say(f"selected {self.racers[self.selected].kind.name}: [ ] halve or double its lr, e types it, h hides it")
        self.refresh_view()

    def action_rate(self, factor: float) -> None:
        racer = self.racers[self.selected]
        racer.lr = float(f"{racer.lr * factor:.6g}")
        self.stop_auto(f"{racer.kind.name}: lr {fmt(racer.lr)}; the race restarts")
        self.restart()
        self.refresh_view()

    def action_type_rate(self) -> None:
        racer = self.racers[self.selected]

        def apply(text: str) -> str | None:
            value = parse_number(text)
            if not 0 < value < 1e3:
                return "a learning rate is a positive number below 1000"
            racer.lr = value
            self.restart()
            return None

        self.ask(f"{racer.kind.name} lr =", fmt(racer.lr, 6).replace("−", "-"), apply)

    def action_hide(self) -> None:
        racer = self.racers[self.selected]
        racer.shown = not racer.shown
        self.say(f"{racer.kind.name} {'shown' if racer.shown else 'hidden'}")
        self.refresh_view()

    def action_zoom(self, factor: float) -> None:
        self.half_width = max(1e-3, min(1e3, self.half_width * factor))
        self.refresh_view()

    def action_preset(self) -> None:
        self.stop_auto("")
        self.load_preset((self.preset_index + 1) % len(PRESETS))
        preset = PRESETS[self.preset_index]
        self.say(f"preset: {preset.name}: {preset.note}")
        self.refresh_view()

    def action_type_function(self) -> None:
        def apply(text: str) -> str | None:
            surface = Surface(text)  # InputError: shown in place by the base screen
            if surface.f(np.array(self.start[0]), np.array(self.start[1])).shape != ():
                return "f must give one number per point"
            self.stop_auto("")
            self.load_surface(surface)
            self.preset_index = -1
            for racer, rate in zip(self.racers, TYPED_RATES):
                racer.lr = rate
            self.restart()
            self.say(f"f = {text}")
            return None

        self.ask("f(x, y) =", self.surface.text, apply)

    def on_unmount(self) -> None:
        if self._auto is not None:
            self._auto.stop()
        super().on_unmount()

    # --- your code: the selected optimizer from the player's module-7 lab ---------------------
    def your_cases(self):
        racer = self.racers[self.selected]
        text = self.surface.text
        if text not in self._sources:
            self._sources[text] = gradient_source(self.surface)
        hp = {"lr": racer.lr, **racer.kind.extra}
        script = YOURS_SCRIPT.format(source=self._sources[text], start=[float(v) for v in self.start],
                                     steps=YOUR_STEPS, name=racer.kind.name, hp=hp, escaped=ESCAPED)
        key = ("optitrack", text, tuple(self.start), racer.kind.name, racer.lr)
        return key, [{"script": script}]

    def tool_path(self, key) -> np.ndarray:
        """The tool's own race for the inputs `key` names, YOUR_STEPS steps (or until it stops)."""
        if key not in self._tool_paths:
            self._tool_paths = {key: self._race(key)}  # one is enough: the latest answer's
        return self._tool_paths[key]

    def _race(self, key) -> np.ndarray:
        _, text, start, name, lr = key
        kind = next(k for k in KINDS if k.name == name)
        racer = Racer(kind, lr)
        racer.restart(start)
        grad = self._grads.get(text) or gradient(Surface(text))
        for _ in range(YOUR_STEPS):
            racer.advance(grad)
            if racer.stopped_at is not None:
                break
        return np.array(racer.path)

    def _your_answer(self) -> Answer | None:
        if not self.yours_on or self.labcode.problem:
            return None
        asked = self.your_cases()
        return self.labcode.fresh(asked[0])

    def your_path(self) -> np.ndarray | None:
        """The player's racer, revealed as far as the tool's race has gone."""
        answer = self._your_answer()
        if answer is None or answer.problem or not answer.outcomes or not answer.outcomes[0].ok:
            return None
        try:
            path = np.asarray(answer.outcomes[0].value, dtype=float)
        except (TypeError, ValueError):
            return None
        if path.ndim != 2 or path.shape[1] != 2 or not len(path):
            return None
        return path[: self.step_count + 1]

    def your_checks(self, answer: Answer) -> list[Check]:
        outcome = answer.outcomes[0]
        name = answer.key[3]
        if not outcome.ok:
            return [Check(name, explain(outcome.error), "a path", None)]
        try:
            mine = np.asarray(outcome.value, dtype=float)
        except (TypeError, ValueError):
            return [Check(name, "not a path of numbers", "a path", None)]
        if mine.ndim != 2 or mine.shape[1:] != (2,):
            return [Check(name, f"a path of shape {mine.shape}", "(steps + 1, 2)", None)]
        tool = self.tool_path(answer.key)
        at = departs(mine, tool)
        steps = len(tool) - 1
        if at is None:
            return [Check(name, f"{steps} steps", f"{steps} steps", True)]
        shown = mine[min(at, len(mine) - 1)]
        return [Check(f"{name}", f"departs at step {at}: ({fmt(shown[0])}, {fmt(shown[1])})",
                      f"({fmt(tool[min(at, steps)][0])}, {fmt(tool[min(at, steps)][1])})", False)]

    # --- drawing -------------------------------------------------------------------------
    def refresh_view(self) -> None:
        t = Text()
        name = PRESETS[self.preset_index].name if self.preset_index >= 0 else "yours"
        t.append(f"f = {self.surface.text}\n", style="bold")
        t.append(f"({name}) start ({fmt(self.start[0])}, {fmt(self.start[1])})\n", style="dim")
        t.append(f"step {self.step_count}\n", style="bold")
        t.append(f"  {'racer':<11}{'lr':>8} {'f(θ)':>10}\n", style="dim")
        for index, racer in enumerate(self.racers):
            here = racer.path[-1]
            value = float(self.surface.f(here[0], here[1])) if racer.stopped_at is None else float("nan")
            marker = "▶" if index == self.selected else " "
            t.append(f"{marker}", style="bold")
            t.append(f"{racer.kind.letter} ", style=f"bold {racer.kind.colour}" if racer.shown else "dim")
            label = racer.kind.name if racer.shown else f"({racer.kind.name})"
            shown = "diverged" if racer.stopped_at is not None else fmt(value)
            t.append(f"{label:<10}{fmt(racer.lr):>8} {shown:>10}\n", style="" if racer.shown else "dim")
        racer = self.racers[self.selected]
        extra = " ".join(f"{SYMBOLS[k]} {fmt(v)}" for k, v in racer.kind.extra.items())
        here = racer.path[-1]
        t.append(f"{racer.kind.name}: {extra or 'no state'}\n", style="dim")
        t.append(f"  at ({fmt(here[0])}, {fmt(here[1])})\n")
        self.render_yours(t)
        self.query_one("#panel", Static).update(t)
        self.query_one("#map", ContourMap).refresh()

    def _lab_changed(self) -> None:
        if self.is_mounted:
            self.refresh_view()
