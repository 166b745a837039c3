"""GradientScope: a loss surface f(x, y), its gradient and Hessian, and a gradient-descent walker.

The player types f(x, y) (it goes through the game's safe parser, then sympy differentiates
the parsed expression and ``lambdify`` turns it into numpy functions) or picks a preset.
The surface is drawn as a heat map, two samples per cell (▀ with a foreground and a background
colour), with arrows pointing downhill (−∇f) on a grid. A cursor reads f, ∇f and the Hessian;
a walker takes steps p ← p − lr·∇f(p) and leaves its path; a rate too high diverges, and the
panel says so with the curvature that explains it (stable on a quadratic only for lr < 2/λmax).

With y (your code), f is rebuilt from the player's own module-2 autodiff ``Value`` at the
cursor, in the sandbox: ``backward()`` gives ∂f/∂x and ∂f/∂y beside sympy's. Only an f made of
+, *, whole powers, exp, log and sin (the operations a module-2 Value has) can be rebuilt; for
any other the panel says why not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static
from textual_plot import HiResMode

from forge_tui.checker import InputError, to_sympy

from ..labcode import Answer, Check, number_check
from ._base import ToolPlot, ToolScreen, fmt

RATES = (0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)
PALETTE = ("#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725")
ARROWS = "→↗↑↖←↙↓↘"  # by angle, counter-clockwise from east
DIVERGED_BEYOND = 1e8
MAX_POWER = 16  # x^n becomes n − 1 multiplications of one shared node


@dataclass(frozen=True)
class Preset:
    name: str
    text: str
    center: tuple[float, float]
    half_width: float
    start: tuple[float, float]
    rate: float


PRESETS = (
    Preset("bowl", "x^2 + 3y^2", (0.0, 0.0), 3.0, (-2.5, 1.5), 0.1),
    Preset("Rosenbrock", "(1 - x)^2 + 100(y - x^2)^2", (0.0, 1.0), 2.0, (-1.5, 2.0), 0.001),
    Preset("saddle", "x^2 - y^2", (0.0, 0.0), 2.0, (-1.5, 0.1), 0.1),
    Preset("Himmelblau", "(x^2 + y - 11)^2 + (x + y^2 - 7)^2", (0.0, 0.0), 5.0, (0.0, 0.0), 0.01),
)


class Surface:
    """f, ∇f and the Hessian of a typed expression, as numpy functions of (x, y)."""

    def __init__(self, text: str) -> None:
        import sympy as sp

        expr = to_sympy(text, ("x", "y"))
        if getattr(expr, "is_Matrix", False):
            raise InputError("f(x, y) must be one number for each point, not a vector or matrix")
        x, y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)
        extra = expr.free_symbols - {x, y}
        if extra:
            raise InputError(f"f may use x and y only, not {', '.join(sorted(map(str, extra)))}")
        self.text = text
        self.expr = expr
        grad = [sp.diff(expr, x), sp.diff(expr, y)]
        hess = [[sp.diff(g, x), sp.diff(g, y)] for g in grad]
        self._f = sp.lambdify((x, y), expr, "numpy")
        self._g = [sp.lambdify((x, y), g, "numpy") for g in grad]
        self._h = [[sp.lambdify((x, y), h, "numpy") for h in row] for row in hess]

    @staticmethod
    def _call(fn: Callable, x, y):
        with np.errstate(all="ignore"):
            value = fn(x, y)
        return np.broadcast_to(np.asarray(value, dtype=float), np.broadcast(x, y).shape)

    def f(self, x, y):
        return self._call(self._f, x, y)

    def grad(self, x: float, y: float) -> np.ndarray:
        return np.array([float(self._call(g, x, y)) for g in self._g])

    def hessian(self, x: float, y: float) -> np.ndarray:
        return np.array([[float(self._call(h, x, y)) for h in row] for row in self._h])


class NotRepresentable(ValueError):
    """f uses an operation a module-2 Value does not have."""


VALUE_SCRIPT = """Value = getattr(lab, "Value", None)
if Value is None:
    raise AttributeError("your lab has no `Value`")
x, y = Value({x!r}), Value({y!r})
{body}out = {expr}
if not isinstance(out, Value):
    out = Value(out)
out.backward()
result = {{"value": float(out.data), "grads": [float(x.grad), float(y.grad)]}}
"""


def value_program(expr) -> tuple[str, str]:
    """(body, expression): Python that builds f from Values named x and y, with only + * exp log
    sin. Constants become float literals; x^n (whole n) a product of one shared node;
    b^g (b > 0) exp(g·log b). NotRepresentable for anything else, with the reason."""
    import sympy as sp

    lines: list[str] = []

    def constant(node) -> float:
        number = complex(node.evalf())
        if abs(number.imag) > 1e-12 or not math.isfinite(number.real):
            raise NotRepresentable(f"the constant {node} is not a finite real number")
        return number.real

    def emit(node) -> str:
        if not node.free_symbols:
            return repr(constant(node))
        if node.is_Symbol:
            return node.name
        if node.is_Add:
            return "(" + " + ".join(emit(a) for a in node.args) + ")"
        if node.is_Mul:
            return "(" + " * ".join(emit(a) for a in node.args) + ")"
        if node.is_Pow:
            base, exponent = node.args
            if exponent.is_Integer and 0 < int(exponent) <= MAX_POWER:
                name = f"t{len(lines)}"
                lines.append(f"{name} = {emit(base)}")
                return "(" + " * ".join([name] * int(exponent)) + ")"
            if exponent.is_Integer and int(exponent) > MAX_POWER:
                raise NotRepresentable(f"powers above {MAX_POWER} are too many multiplications to build")
            if not exponent.free_symbols:
                raise NotRepresentable("division and fractional powers (1/x, sqrt(x)) need __truediv__ "
                                       "or __pow__, which a module-2 Value does not have")
            if not base.free_symbols:
                b = constant(base)
                if b <= 0:
                    raise NotRepresentable(f"{base}^(…) needs a positive base")
                return f"(({emit(exponent)}) * {math.log(b)!r}).exp()"
            return f"(({emit(exponent)}) * ({emit(base)}).log()).exp()"
        for function, method in ((sp.exp, "exp"), (sp.log, "log"), (sp.sin, "sin")):
            if isinstance(node, function) and len(node.args) == 1:
                return f"({emit(node.args[0])}).{method}()"
        name = getattr(node.func, "__name__", type(node).__name__)
        raise NotRepresentable(f"{name} is not among a module-2 Value's operations (+ * exp log sin)")

    expression = emit(expr)
    return "".join(line + "\n" for line in lines), expression


class HeatMap(Widget):
    """The surface as colours, downhill arrows, the walker's path and the cursor."""

    DEFAULT_CSS = "HeatMap { width: 1fr; height: 1fr; }"

    def __init__(self, scope: "GradientScopeScreen", **kwargs) -> None:
        super().__init__(**kwargs)
        self.scope = scope

    def world(self, width: int, height: int) -> tuple[np.ndarray, np.ndarray, float]:
        """x of each column, y of each half row (top first), and the spacing."""
        s = self.scope
        step = 2 * s.half_width / width
        xs = s.center[0] + (np.arange(width) + 0.5 - width / 2) * step
        ys = s.center[1] + (height - (np.arange(2 * height) + 0.5)) * step
        return xs, ys, step

    def cell_of(self, x: float, y: float, width: int, height: int) -> tuple[int, int] | None:
        s = self.scope
        step = 2 * s.half_width / width
        col = math.floor((x - s.center[0]) / step + width / 2)
        half_row = math.floor(height - (y - s.center[1]) / step)
        if 0 <= col < width and 0 <= half_row < 2 * height:
            return col, half_row // 2
        return None

    def render(self) -> Text:
        width, height = self.size.width, self.size.height
        s = self.scope
        if width < 4 or height < 2 or s.surface is None:
            return Text("")
        xs, ys, step = self.world(width, height)
        X, Y = np.meshgrid(xs, ys)
        Z = s.surface.f(X, Y)
        finite = np.isfinite(Z)
        if finite.any():
            low = np.min(Z[finite])
            scaled = np.log1p(np.where(finite, Z - low, 0.0))
            top = float(np.max(scaled)) or 1.0
            level = np.clip((scaled / top * (len(PALETTE) - 1)).round().astype(int), 0, len(PALETTE) - 1)
        else:
            level = np.zeros(Z.shape, dtype=int)
        colours = [Color.parse(c) for c in PALETTE]
        marks: dict[tuple[int, int], tuple[str, str]] = {}
        # downhill arrows on a sparse grid
        for row in range(1, height, 3):
            for col in range(2, width, 6):
                x, y = xs[col], ys[2 * row]
                g = s.surface.grad(x, y)
                if np.all(np.isfinite(g)) and np.hypot(*g) > 1e-12:
                    angle = math.atan2(-g[1], -g[0])
                    marks[(col, row)] = (ARROWS[round(angle / (math.pi / 4)) % 8], "white")
        for px, py in s.path[:-1]:
            cell = self.cell_of(px, py, width, height)
            if cell:
                marks[cell] = ("•", "bold #ff8c00")
        if s.path:
            cell = self.cell_of(*s.path[-1], width, height)
            if cell:
                marks[cell] = ("●", "bold red")
        cell = self.cell_of(*s.cursor, width, height)
        if cell:
            marks[cell] = ("✛", "bold white")
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


class GradientScopeScreen(ToolScreen):
    TOOL_NAME = "GradientScope"
    TOOL_TAGLINE = "downhill is −∇f"
    LAB_MODULE = "calculus-of-slopes"

    DEFAULT_CSS = """
    GradientScopeScreen #side { width: 38; height: 1fr; }
    GradientScopeScreen #panel { height: auto; padding: 0 1; }
    GradientScopeScreen #losses { height: 1fr; min-height: 5; }
    """

    BINDINGS = [
        Binding("up", "move(0,1)", "Cursor", show=False),
        Binding("down", "move(0,-1)", "Cursor", show=False),
        Binding("left", "move(-1,0)", "Cursor", show=False),
        Binding("right", "move(1,0)", "Cursor", show=False),
        Binding("space", "step(1)", "Step"),
        Binding("n", "step(10)", "×10", show=False),
        Binding("w", "walker", "Walker"),
        Binding("left_square_bracket", "rate(-1)", "lr", key_display="[ ]"),
        Binding("right_square_bracket", "rate(1)", "lr+", show=False),
        Binding("f", "type_function", "Type"),
        Binding("p", "preset", "Preset"),
        Binding("plus,equals_sign", "zoom(0.8)", "Zoom in", show=False, key_display="+"),
        Binding("minus", "zoom(1.25)", "Zoom out", show=False, key_display="-"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.surface: Surface | None = None
        self.preset_index = -1
        self.center = (0.0, 0.0)
        self.half_width = 3.0
        self.cursor = (0.0, 0.0)
        self.rate = 0.1
        self.path: list[tuple[float, float]] = []
        self.losses: list[float] = []
        self.diverged_at: int | None = None
        self.start_curvature = float("nan")
        self._programs: dict[str, tuple[str, str] | str] = {}  # f's text -> its Value program, or why none
        self.load_preset(0)

    # --- layout ------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        with Vertical(id="side"):
            yield Static(id="panel")
            yield ToolPlot(id="losses")
        yield HeatMap(self, id="heat")

    # --- state -----------------------------------------------------------------------
    def load_preset(self, index: int) -> None:
        preset = PRESETS[index]
        self.preset_index = index
        self.surface = Surface(preset.text)
        self.center, self.half_width = preset.center, preset.half_width
        self.cursor = preset.start
        self.rate = preset.rate
        self.place_walker()

    def place_walker(self) -> None:
        self.path = [self.cursor]
        self.losses = [float(self.surface.f(*self.cursor))]
        self.diverged_at = None
        curvature = np.linalg.eigvalsh(self._sym(self.surface.hessian(*self.cursor)))
        self.start_curvature = float(np.max(np.abs(curvature))) if np.all(np.isfinite(curvature)) else float("nan")

    @staticmethod
    def _sym(H: np.ndarray) -> np.ndarray:
        return (H + H.T) / 2 if np.all(np.isfinite(H)) else np.full((2, 2), np.nan)

    def action_move(self, dx: int, dy: int) -> None:
        step = self.half_width / 10
        self.cursor = (round(self.cursor[0] + dx * step, 10), round(self.cursor[1] + dy * step, 10))
        self.refresh_view()

    def action_walker(self) -> None:
        self.place_walker()
        self.say("walker placed at the cursor")
        self.refresh_view()

    def action_step(self, count: int) -> None:
        if self.diverged_at is not None:
            self.say(self._diverged_message() + "; [ lowers it, w restarts", error=True)
            return
        for _ in range(count):
            x, y = self.path[-1]
            g = self.surface.grad(x, y)
            nxt = (x - self.rate * g[0], y - self.rate * g[1])
            value = float(self.surface.f(*nxt))
            self.path.append(nxt)
            self.losses.append(value)
            if not (np.all(np.isfinite(nxt)) and math.isfinite(value)) or max(abs(nxt[0]), abs(nxt[1]), abs(value)) > DIVERGED_BEYOND:
                self.diverged_at = len(self.path) - 1
                break
        if self.diverged_at is not None:
            self.say(self._diverged_message(), error=True)
        else:
            self.say(f"{len(self.path) - 1} steps taken (n: ten at a time)")
        self.refresh_view()

    def _diverged_message(self) -> str:
        limit = 2 / self.start_curvature if self.start_curvature > 0 else float("inf")
        return (
            f"DIVERGED at step {self.diverged_at}: lr {fmt(self.rate)} too high "
            f"(curvature {fmt(self.start_curvature)}: stable below ~{fmt(limit)})"
        )

    def action_rate(self, direction: int) -> None:
        index = min(range(len(RATES)), key=lambda i: abs(math.log(RATES[i] / self.rate)))
        self.rate = RATES[max(0, min(len(RATES) - 1, index + direction))]
        self.say(f"learning rate {fmt(self.rate)}; press w to restart the walker at the cursor")
        self.refresh_view()

    def action_zoom(self, factor: float) -> None:
        self.half_width = max(1e-3, min(1e3, self.half_width * factor))
        self.center = self.cursor
        self.refresh_view()

    def action_preset(self) -> None:
        self.load_preset((self.preset_index + 1) % len(PRESETS))
        self.say(f"preset: {PRESETS[self.preset_index].name}: f = {PRESETS[self.preset_index].text}")
        self.refresh_view()

    def action_type_function(self) -> None:
        def apply(text: str) -> str | None:
            surface = Surface(text)  # InputError: shown in place by the base screen
            probe = surface.f(np.array(self.cursor[0]), np.array(self.cursor[1]))
            if probe.shape != ():
                return "f must give one number per point"
            self.surface = surface
            self.preset_index = -1
            self.place_walker()
            self.say(f"f = {text}")
            return None

        self.ask("f(x, y) =", self.surface.text if self.surface else "", apply)

    # --- your code: f rebuilt with the player's module-2 Value, at the cursor ----------------------
    def your_cases(self):
        text = self.surface.text
        if text not in self._programs:
            try:
                self._programs[text] = value_program(self.surface.expr)
            except NotRepresentable as why:
                self._programs[text] = str(why)
        program = self._programs[text]
        if isinstance(program, str):
            return program
        x, y = float(self.cursor[0]), float(self.cursor[1])
        body, expression = program
        script = VALUE_SCRIPT.format(x=x, y=y, body=body, expr=expression)
        return ("gradientscope", text, (x, y)), [{"script": script}]

    def your_checks(self, answer: Answer) -> list[Check]:
        _, text, (x, y) = answer.key
        surface = self.surface if text == self.surface.text else Surface(text)
        f, grad = float(surface.f(x, y)), surface.grad(x, y)
        outcome = answer.outcomes[0]
        value = outcome.value if outcome.ok and isinstance(outcome.value, dict) else {}
        grads = value.get("grads") if isinstance(value.get("grads"), list) and len(value["grads"]) == 2 else [None, None]

        def part(item):
            return outcome if not outcome.ok else outcome.__class__(True, item)

        return [
            number_check("f", part(value.get("value")), f, fmt),
            number_check("∂f/∂x", part(grads[0]), float(grad[0]), fmt),
            number_check("∂f/∂y", part(grads[1]), float(grad[1]), fmt),
        ]

    # --- reading ---------------------------------------------------------------------
    def readings(self) -> dict:
        x, y = self.cursor
        H = self.surface.hessian(x, y)
        curv = np.linalg.eigvalsh(self._sym(H)) if np.all(np.isfinite(H)) else np.array([np.nan, np.nan])
        return {
            "f": float(self.surface.f(x, y)),
            "grad": self.surface.grad(x, y),
            "hessian": H,
            "curvatures": curv,
        }

    def refresh_view(self) -> None:
        r = self.readings()
        t = Text()
        name = PRESETS[self.preset_index].name if self.preset_index >= 0 else "yours"
        t.append(f"f = {self.surface.text}\n", style="bold")
        t.append(f"({name})\n", style="dim")
        t.append(f"cursor ({fmt(self.cursor[0])}, {fmt(self.cursor[1])})\n", style="bold white")
        t.append(f"f      {fmt(r['f'])}\n")
        t.append(f"∇f     ({fmt(r['grad'][0])}, {fmt(r['grad'][1])})\n", style="bold")
        H = r["hessian"]
        t.append(f"H      ⎡{fmt(H[0, 0]):>8} {fmt(H[0, 1]):>8}⎤\n")
        t.append(f"       ⎣{fmt(H[1, 0]):>8} {fmt(H[1, 1]):>8}⎦\n")
        lo, hi = r["curvatures"]
        kind = "a bowl (min)" if lo > 0 else "a dome (max)" if hi < 0 else "a saddle" if lo < 0 < hi else "flat"
        t.append(f"curv.  {fmt(lo)}, {fmt(hi)}: {kind}\n")
        wx, wy = self.path[-1]
        t.append(f"walker ({fmt(wx)}, {fmt(wy)})\n", style="bold red")
        t.append(f"step {len(self.path) - 1}  f {fmt(self.losses[-1])}  lr {fmt(self.rate)}\n", style="red")
        self.render_yours(t)
        self.query_one("#panel", Static).update(t)
        self.query_one("#heat", HeatMap).refresh()
        plot = self.query_one("#losses", ToolPlot)
        plot.clear()
        values = np.array(self.losses, dtype=float)
        keep = np.isfinite(values)
        if keep.sum() >= 2:
            steps = np.arange(len(values))[keep]
            plot.plot(steps, values[keep], line_style="bold red", hires_mode=HiResMode.BRAILLE)
            plot.set_xlimits(0, max(1, int(steps[-1])))
        else:
            plot.set_xlimits(0, 1)
