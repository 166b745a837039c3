"""LossLab: a loss, its value and its gradient per component, live.

Pick a loss (MSE, MAE, cross-entropy, binary cross-entropy, KL, hinge), edit the predictions
(logits for the softmax and sigmoid losses) and the targets, and see the loss and ∂L/∂z per
component as bars. The softmax of z/T is shown with a temperature slider, and the panel shows
that the cross-entropy gradient with respect to the logits is (softmax(z/T) − y)/T, which is
softmax(z) − y at T = 1. Every analytic gradient is checked against central differences.
With y (your code), the player's own module-4 ``softmax_cross_entropy`` computes the
cross-entropy and its gradient on the same logits in the sandbox: its loss beside the tool's,
its gradient as ◆ marks on the bars. At T ≠ 1 the lab gets z/T and its gradient is divided by
T (the chain rule), so the two still agree.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static
from textual_plot import HiResMode

from ..labcode import Answer, Check, Garbage, as_array, as_number, close, explain, number_check, vector_text
from ._base import ToolPlot, ToolScreen, fmt, parse_number

TEMPERATURES = tuple(float(f"{t:.3g}") for t in np.geomspace(0.1, 10, 21))  # 0.1 … 1 … 10
MAX_COMPONENTS = 8


def softmax(z: np.ndarray, T: float = 1.0) -> np.ndarray:
    a = z / T
    e = np.exp(a - np.max(a))
    return e / e.sum()


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(z / 2))


# Each loss: (value, gradient with respect to z) of (z, y, T). Names from the math.
def mse(z, y, T):
    n = len(z)
    return float(np.mean((z - y) ** 2)), 2 * (z - y) / n


def mae(z, y, T):
    n = len(z)
    return float(np.mean(np.abs(z - y))), np.sign(z - y) / n


def cross_entropy(z, y, T):
    q = softmax(z, T)
    log_q = z / T - np.max(z / T) - math.log(np.sum(np.exp(z / T - np.max(z / T))))
    return float(-np.sum(y * log_q)), (q * np.sum(y) - y) / T


def binary_cross_entropy(z, y, T):
    n = len(z)
    softplus = np.logaddexp(0, z)  # −log(1 − σ(z)); −log σ(z) = softplus(z) − z
    return float(np.mean(softplus - y * z)), (sigmoid(z) - y) / n


def kl_divergence(z, y, T):
    ce, grad = cross_entropy(z, y, T)
    positive = y > 0
    entropy_part = float(np.sum(y[positive] * np.log(y[positive])))  # −H(y), constant in z
    return ce + entropy_part, grad


def hinge(z, y, T):
    n = len(z)
    t = np.where(y > 0, 1.0, -1.0)
    margin = 1 - t * z
    return float(np.mean(np.maximum(0, margin))), np.where(margin > 0, -t, 0.0) / n


LOSSES: tuple[tuple[str, str, Callable], ...] = (
    ("cross-entropy", "L = −Σ y·log softmax(z/T)", cross_entropy),
    ("MSE", "L = mean (z − y)²", mse),
    ("MAE", "L = mean |z − y|", mae),
    ("binary cross-entropy", "L = −mean[y log σ + (1−y) log(1−σ)]", binary_cross_entropy),
    ("KL(y ‖ softmax(z/T))", "L = Σ y log(y / softmax(z/T))", kl_divergence),
    ("hinge", "L = mean max(0, 1 − t·z), t = ±1 from y", hinge),
)


def numeric_gradient(loss: Callable, z: np.ndarray, y: np.ndarray, T: float, h: float = 1e-6) -> np.ndarray:
    out = np.zeros_like(z)
    for i in range(len(z)):
        up, down = z.copy(), z.copy()
        up[i] += h
        down[i] -= h
        out[i] = (loss(up, y, T)[0] - loss(down, y, T)[0]) / (2 * h)
    return out


class LossLabScreen(ToolScreen):
    TOOL_NAME = "LossLab"
    TOOL_TAGLINE = "the value, and where the gradient pushes"
    LAB_MODULE = "probability-loss"

    BINDINGS = [
        Binding("left", "select(-1,0)", "Select", show=False),
        Binding("right", "select(1,0)", "Select", show=False),
        Binding("up", "select(0,-1)", "Select", show=False),
        Binding("down", "select(0,1)", "Select", show=False),
        Binding("plus,equals_sign", "nudge(1)", "±0.1", key_display="+ -"),
        Binding("minus", "nudge(-1)", "−0.1", show=False),
        Binding("e,enter", "edit", "Type"),
        Binding("l", "loss", "Loss"),
        Binding("t", "temperature(-1)", "T", key_display="t T"),
        Binding("T", "temperature(1)", "T+", show=False),
        Binding("o", "one_hot", "One-hot y"),
        Binding("a", "add", "Add", show=False),
        Binding("x", "remove", "Remove", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loss_index = 0
        self.z = np.array([2.0, 1.0, 0.1, -1.0])
        self.y = np.array([1.0, 0.0, 0.0, 0.0])
        self.temperature = 1.0
        self.column = 0
        self.row = 0  # 0: z (predictions / logits), 1: y (targets)

    def compose_body(self) -> ComposeResult:
        yield Static(id="panel", classes="tool-panel")
        yield ToolPlot(id="plot", classes="tool-plot")

    # --- actions -----------------------------------------------------------------------
    def _values(self) -> np.ndarray:
        return self.z if self.row == 0 else self.y

    def action_select(self, dc: int, dr: int) -> None:
        self.column = (self.column + dc) % len(self.z)
        self.row = (self.row + dr) % 2
        self.refresh_view()

    def action_nudge(self, sign: int) -> None:
        values = self._values()
        values[self.column] = round(values[self.column] + 0.1 * sign, 10)
        self.refresh_view()

    def action_edit(self) -> None:
        name = ("z", "y")[self.row]
        column, values = self.column, self._values()

        def apply(text: str) -> str | None:
            values[column] = parse_number(text)
            return None

        self.ask(f"{name}{column + 1} =", fmt(float(values[column]), 6).replace("−", "-"), apply)

    def action_loss(self) -> None:
        self.loss_index = (self.loss_index + 1) % len(LOSSES)
        self.say(f"loss: {LOSSES[self.loss_index][0]}")
        self.refresh_view()

    def action_temperature(self, direction: int) -> None:
        index = min(range(len(TEMPERATURES)), key=lambda i: abs(math.log(TEMPERATURES[i] / self.temperature)))
        self.temperature = TEMPERATURES[max(0, min(len(TEMPERATURES) - 1, index + direction))]
        self.refresh_view()

    def action_one_hot(self) -> None:
        self.y = np.zeros_like(self.z)
        self.y[self.column] = 1.0
        self.refresh_view()

    def action_add(self) -> None:
        if len(self.z) >= MAX_COMPONENTS:
            self.say(f"at most {MAX_COMPONENTS} components", error=True)
            return
        self.z = np.append(self.z, 0.0)
        self.y = np.append(self.y, 0.0)
        self.refresh_view()

    def action_remove(self) -> None:
        if len(self.z) <= 2:
            self.say("at least 2 components", error=True)
            return
        self.z = np.delete(self.z, self.column)
        self.y = np.delete(self.y, self.column)
        self.column = min(self.column, len(self.z) - 1)
        self.refresh_view()

    # --- drawing -------------------------------------------------------------------------
    def numbers(self) -> dict:
        name, formula, loss = LOSSES[self.loss_index]
        with np.errstate(all="ignore"):
            value, grad = loss(self.z, self.y, self.temperature)
            numeric = numeric_gradient(loss, self.z, self.y, self.temperature)
        return {
            "name": name,
            "formula": formula,
            "loss": value,
            "grad": grad,
            "check": float(np.max(np.abs(grad - numeric))) if np.all(np.isfinite(numeric)) else float("nan"),
            "softmax": softmax(self.z, self.temperature),
        }

    def refresh_view(self) -> None:
        info = self.numbers()
        t = Text()
        t.append(f"{info['name']}\n", style="bold")
        t.append(f"{info['formula']}\n", style="dim")
        t.append(" i      z      y  softmax/T   ∂L/∂z\n", style="dim")
        for i in range(len(self.z)):
            t.append(f"{i + 1:>2} ")
            for row, values in enumerate((self.z, self.y)):
                style = "reverse bold" if (i, row) == (self.column, self.row) else ""
                t.append(f"{fmt(float(values[i]), 3):>6}", style=style)
                t.append(" ")
            p = float(info["softmax"][i])
            bar = "█" * round(p * 4)
            t.append(f"{bar:<4}{fmt(p, 2):>5}", style="green")
            t.append(f"{fmt(float(info['grad'][i]), 3):>8}\n", style="bold magenta" if info["grad"][i] < 0 else "bold cyan")
        t.append(f"L(z, y) = {fmt(info['loss'])}", style="bold")
        t.append(f"   Σy = {fmt(float(self.y.sum()))}\n")
        t.append(f"T {fmt(self.temperature, 3):>4} ", style="bold green")
        position = TEMPERATURES.index(self.temperature) if self.temperature in TEMPERATURES else 10
        t.append("─" * position + "●" + "─" * (len(TEMPERATURES) - 1 - position) + "\n", style="green")
        if self.loss_index in (0, 4):
            t.append("∂L/∂z = (softmax(z/T)·Σy − y)/T\n", style="yellow")
            t.append("T = 1, Σy = 1:  softmax(z) − y\n", style="yellow")
        check = info["check"]
        verdict = "agree" if check < 1e-5 else "differ: a kink?"
        t.append(f"finite differences {verdict} ({fmt(check, 2)})\n", style="dim")
        self.render_yours(t)
        self.query_one("#panel", Static).update(t)
        plot = self.query_one("#plot", ToolPlot)
        plot.clear()
        g = info["grad"]
        ks = np.arange(1, len(g) + 1)
        plot.bar(ks, g, width=0.6, bar_style=["magenta" if x < 0 else "cyan" for x in g], hires_mode=HiResMode.HALFBLOCK)
        plot.set_xticks([float(k) for k in ks])
        marks = self._your_gradient()
        if marks is not None:
            plot.scatter(ks, marks, marker="◆", marker_style="bold yellow")
            g = np.concatenate([g, marks])
        reach = float(np.max(np.abs(g[np.isfinite(g)]))) if np.any(np.isfinite(g)) else 1.0
        reach = reach * 1.15 if reach > 0 else 1.0
        plot.set_xlimits(0.4, len(g) + 0.6)
        plot.set_ylimits(-reach, reach)
        plot.set_xlabel("∂L/∂z per component" + ("; ◆ yours" if marks is not None else ""))

    # --- your code: the player's module-4 softmax_cross_entropy ------------------------------------
    def your_cases(self):
        if self.loss_index not in (0, 4):
            return "your softmax_cross_entropy is the cross-entropy: press l for it"
        ones = np.flatnonzero(self.y)
        if len(ones) != 1 or self.y[ones[0]] != 1.0:
            return "your lab takes a class id, so y must be one-hot: press o"
        T = self.temperature
        logits = [[float(x) / T for x in self.z]]
        key = ("losslab", tuple(float(x) for x in self.z), int(ones[0]), T, self.loss_index)
        return key, [{"call": {"function": "softmax_cross_entropy", "args": [
            {"__ndarray__": logits, "dtype": "float64"}, {"__ndarray__": [int(ones[0])], "dtype": "int64"}]}}]

    def _reference(self, key) -> tuple[float, np.ndarray]:
        _, z, target, T, loss_index = key
        z = np.array(z)
        y = np.zeros_like(z)
        y[target] = 1.0
        with np.errstate(all="ignore"):
            return LOSSES[loss_index][2](z, y, T)

    @staticmethod
    def _read(outcome, n: int, T: float) -> tuple[float, np.ndarray]:
        """The lab's (loss, dz) as the tool's (L, ∂L/∂z): dz is for z/T, so divide by T. Garbage if not."""
        if not isinstance(outcome.value, list) or len(outcome.value) != 2:
            raise Garbage(f"returned {str(outcome.value)[:20]}…, not (loss, dz)")
        return as_number(outcome.value[0]), as_array(outcome.value[1], (1, n))[0] / T

    def your_checks(self, answer: Answer) -> list[Check]:
        loss, grad = self._reference(answer.key)
        T, n = answer.key[3], len(answer.key[1])
        outcome = answer.outcomes[0]
        if not outcome.ok:
            return [Check("L", explain(outcome.error), fmt(loss), None)]
        try:
            mine_loss, mine_grad = self._read(outcome, n, T)
        except Garbage as err:
            return [Check("L", str(err), fmt(loss), None)]
        agree = close(mine_grad, grad)
        digits = 3 if agree else 5
        return [
            number_check("L", outcome.__class__(True, mine_loss), loss, fmt),
            Check("∂L/∂z", vector_text(mine_grad, fmt, digits), vector_text(grad, fmt, digits), agree),
        ]

    def _your_gradient(self) -> np.ndarray | None:
        """The lab's gradient for exactly the current inputs, when it gave a readable one."""
        if not self.yours_on or self.labcode.problem:
            return None
        asked = self.your_cases()
        if isinstance(asked, str):
            return None
        answer = self.labcode.fresh(asked[0])
        if answer is None or answer.problem or not answer.outcomes[0].ok:
            return None
        try:
            return self._read(answer.outcomes[0], len(self.z), self.temperature)[1]
        except Garbage:
            return None
