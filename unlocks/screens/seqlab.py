"""SeqLab: the hidden state of an RNN or an LSTM, token by token, as a heat map.

Three tasks, each with a model built here in a few lines of NumPy:
  adder    an LSTM wired by hand to add binary numbers, least significant bit first: unit k
           switches on when a + b + carry ≥ k, so unit 2 is the carry and the sum bit is
           u1 − u2 + u3 (the construction is in `hand_adder`);
  counter  a one-unit LSTM wired by hand to count the 1s: its forget gate stays open and each
           1 adds 0.05 to the cell;
  rnn      a vanilla tanh RNN with random weights whose scale the player sets, with the norm
           of ∂h_t/∂h_0 under the map: small weights vanish, large ones saturate.
The map has one row per unit and one column per step; g switches it between the hidden state h,
the cell c and the four gates i, f, g, o. With y, the player's module-10 lab runs in the sandbox:
for the adder and the counter its own `fit` trains an LSTM (on the data the boss and the lab
checks use: 1,000 8-bit pairs, 300 10-bit strings), and the map shows that LSTM, gates and all,
beside a check that the player's `lstm_forward` agrees with this tool's on those weights ("forward")
and how many held-out examples (200 16-bit sums, or 200 new strings) it gets right at every
step ("held out"); for the RNN, the player's `rnn_forward` runs on the tool's
weights and its states are drawn.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from forge_tui.runner import Limits

from ..labcode import Answer, Check, Garbage, LabCode, Outcome, as_array, close, explain
from ._base import ToolScreen, fmt

TASKS = ("adder", "counter", "rnn")
DEFAULT_INPUT = {"adder": "1234 + 4321", "counter": "1101101110", "rnn": "1011001110100101"}
VIEWS = ("h", "c", "i", "f", "g", "o")
VIEW_NAMES = {"h": "hidden state h", "c": "cell c", "i": "input gate i", "f": "forget gate f",
              "g": "candidate g", "o": "output gate o"}
MAX_BITS, MAX_STEPS, MAX_UNITS = 40, 64, 64
COUNT_STEP = 0.05  # what one 1 adds to the hand-wired counter's cell
MAX_COUNT = MAX_STEPS  # the longest input is all 1s
RNN_UNITS = 8
LABEL = 6  # the width of a row's label
TRAINING = Limits(wall_s=60.0, cpu_s=30.0, memory_mb=512, output_bytes=64_000, result_bytes=1_000_000)
# what the player's fit trains on: the boss's shape (1,000 pairs of 8-bit numbers) and the lab
# check's (300 strings of 10 bits), from fixed seeds; held out: 200 16-bit pairs, 200 strings
TRAIN_SEED, HELD_OUT_SEED = 10, 11
ADDER_THRESHOLD, COUNTER_THRESHOLD = 0.95, 0.9


# --- the math --------------------------------------------------------------------------------
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def lstm_trace(params: dict, xs: np.ndarray) -> dict:
    """Every step of one sequence xs (T, d) from zero states: h, c and the gates, each (T, H)."""
    W, b = params["W"], params["b"]
    H = W.shape[0] // 4
    h, c = np.zeros(H), np.zeros(H)
    trace = {name: [] for name in VIEWS}
    for x in xs:
        z = W @ np.concatenate([h, x]) + b
        i, f, o = sigmoid(z[:H]), sigmoid(z[H:2 * H]), sigmoid(z[3 * H:])
        g = np.tanh(z[2 * H:3 * H])
        c = f * c + i * g
        h = o * np.tanh(c)
        for name, value in zip(VIEWS, (h, c, i, f, g, o)):
            trace[name].append(value)
    return {name: np.array(values).reshape(len(xs), H) for name, values in trace.items()}


def classes(params: dict, hs: np.ndarray) -> np.ndarray:
    """The readout's most likely class at each step, and its probability."""
    logits = hs @ params["W_y"].T + params["b_y"]
    p = np.exp(logits - logits.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    return np.argmax(p, axis=-1), p.max(axis=-1)


def rnn_trace(params: dict, xs: np.ndarray) -> dict:
    """The vanilla RNN's states (T, H) from a zero state."""
    h, hs = np.zeros(len(params["b"])), []
    for x in xs:
        h = np.tanh(params["W_hh"] @ h + params["W_xh"] @ x + params["b"])
        hs.append(h)
    return {"h": np.array(hs)}


def jacobian_norms(hs: np.ndarray, W_hh: np.ndarray) -> np.ndarray:
    """‖∂h_t/∂h_0‖ (Frobenius) for t = 1..T: the product of the factors diag(1 − h_t²) W_hh."""
    J, norms = np.eye(len(W_hh)), []
    for h in hs:
        J = ((1 - h ** 2)[:, None] * W_hh) @ J
        norms.append(float(np.linalg.norm(J)))
    return np.array(norms)


def hand_adder() -> dict:
    """Three units, rows of W in the order i, f, g, o, W acting on [h; a, b]. Unit k's input gate
    is a steep sigmoid of a + b + carry − k + ½; the candidate is 1, the forget gate 0, the output
    gate 1, so h_k is 0 or tanh(1) and the carry is h_2 / tanh(1)."""
    H, steep, m = 3, 20.0, math.tanh(1.0)
    W, b = np.zeros((4 * H, H + 2)), np.zeros(4 * H)
    for k in range(H):
        W[k, 1] = steep / m
        W[k, H:] = steep
        b[k] = steep * (0.5 - (k + 1))
    b[H:2 * H], b[2 * H:3 * H], b[3 * H:] = -steep, steep, steep
    sharp = 10.0  # the readout's scale: the same decision, stated with confidence
    return {"W": W, "b": b, "W_y": sharp * np.array([[0.0, 0.0, 0.0], [1.0, -1.0, 1.0]]) / m,
            "b_y": sharp * np.array([0.0, -0.5])}


def hand_counter() -> dict:
    """One unit: input gate open on a 1 and shut on a 0, forget gate open, candidate 0.05, output
    gate open, so c counts the 1s in steps of 0.05. The readout picks the count k whose
    tanh(0.05 k) is nearest h: logit_k = 2 a_k h − a_k², linear in h (times a scale that
    states the same decision with confidence)."""
    steep = 30.0
    W = np.array([[0.0, steep], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    b = np.array([-steep / 2, steep, math.atanh(COUNT_STEP), steep])
    a = np.tanh(COUNT_STEP * np.arange(MAX_COUNT + 1))
    sharp = 4000.0
    return {"W": W, "b": b, "W_y": sharp * (2 * a)[:, None], "b_y": -sharp * a ** 2}


def random_rnn(scale: float, seed: int = 0) -> dict:
    """A tanh RNN on one input bit: W_hh = scale · N(0, 1/H), W_xh ~ N(0, 1), no bias."""
    rng = np.random.default_rng(seed)
    return {"W_hh": scale * rng.standard_normal((RNN_UNITS, RNN_UNITS)) / math.sqrt(RNN_UNITS),
            "W_xh": rng.standard_normal((RNN_UNITS, 1)), "b": np.zeros(RNN_UNITS)}


def adder_steps(a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) least significant bit first, one step per bit of the longer number plus one for
    the carry: inputs (T, 2) and the sum's bits (T,)."""
    T = max(a.bit_length(), b.bit_length(), 1) + 1
    xs = np.array([[(a >> t) & 1, (b >> t) & 1] for t in range(T)], dtype=float)
    return xs, np.array([((a + b) >> t) & 1 for t in range(T)])


def parse_input(task: str, text: str) -> tuple[np.ndarray, np.ndarray | None, str]:
    """(inputs (T, d), the right answer per step or None, the input as shown). ValueError with a
    sentence for the player when the text is not an input of this task."""
    if task == "adder":
        found = re.fullmatch(r"\s*(\d{1,13})\s*\+\s*(\d{1,13})\s*", text)
        if not found:
            raise ValueError("type two whole numbers with a + between them, like 1234 + 4321")
        a, b = int(found.group(1)), int(found.group(2))
        if max(a, b) >= 2 ** MAX_BITS:
            raise ValueError(f"each number must be below 2^{MAX_BITS} (a {MAX_BITS}-bit number)")
        xs, want = adder_steps(a, b)
        return xs, want, f"{a} + {b}"
    bits = text.replace(" ", "")
    if not bits or set(bits) - {"0", "1"}:
        raise ValueError("type a string of 0s and 1s, like 1101101110")
    if len(bits) > MAX_STEPS:
        raise ValueError(f"at most {MAX_STEPS} bits")
    xs = np.array([[float(ch)] for ch in bits])
    return xs, (np.cumsum(xs[:, 0]).astype(int) if task == "counter" else None), bits


def _training_data(task: str, seed: int, n: int, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """The task's examples from a fixed seed: (n, T, d) inputs and (n, T) classes."""
    rng = np.random.default_rng(seed)
    if task == "adder":
        a, b = rng.integers(0, 2 ** bits, n), rng.integers(0, 2 ** bits, n)
        shifts = np.arange(bits + 1)
        X = np.stack([(a[:, None] >> shifts) & 1, (b[:, None] >> shifts) & 1], axis=-1)
        return X.astype(float), ((a + b)[:, None] >> shifts) & 1
    ones = rng.integers(0, 2, (n, bits))
    return ones[..., None].astype(float), np.cumsum(ones, axis=1)


_TRAIN_SCRIPT = {  # _training_data's examples, made in the child (shorter than sending them)
    "adder": ("rng = np.random.default_rng({seed})\n"
              "a, b = rng.integers(0, 2 ** 8, 1000), rng.integers(0, 2 ** 8, 1000)\n"
              "shifts = np.arange(9)\n"
              "X = np.stack([(a[:, None] >> shifts) & 1, (b[:, None] >> shifts) & 1], axis=-1).astype(float)\n"
              "Y = ((a + b)[:, None] >> shifts) & 1\n"),
    "counter": ("ones = np.random.default_rng({seed}).integers(0, 2, (300, 10))\n"
                "X, Y = ones[..., None].astype(float), np.cumsum(ones, axis=1)\n"),
}


def held_out_rate(task: str, params: dict) -> float:
    """The share of held-out examples an LSTM gets right at every step (200 16-bit sums, or 200
    strings of 10 bits)."""
    X, Y = _training_data(task, HELD_OUT_SEED, 200, 16 if task == "adder" else 10)
    right = [np.array_equal(classes(params, lstm_trace(params, x)["h"])[0], y) for x, y in zip(X, Y)]
    return float(np.mean(right))


def read_params(value, d: int) -> dict:
    """The parameters a lab's fit returned, checked for shape: Garbage when they cannot run here."""
    if not isinstance(value, dict):
        raise Garbage("fit did not return a dict of parameters")
    W = np.asarray(value.get("W"), dtype=float)
    if W.ndim != 2 or W.shape[0] % 4 or W.shape[1] != W.shape[0] // 4 + d:
        raise Garbage(f"W has shape {W.shape}, not (4H, H + {d})")
    H = W.shape[0] // 4
    if H > MAX_UNITS:
        raise Garbage(f"{H} units: SeqLab draws at most {MAX_UNITS}")
    b = as_array(value.get("b"), (4 * H,))
    W_y = np.asarray(value.get("W_y"), dtype=float)
    if W_y.ndim != 2 or W_y.shape[1] != H:
        raise Garbage(f"W_y has shape {W_y.shape}, not (classes, {H})")
    params = {"W": W, "b": b, "W_y": W_y, "b_y": as_array(value.get("b_y"), (W_y.shape[0],))}
    if not all(np.all(np.isfinite(p)) for p in params.values()):
        raise Garbage("the parameters contain nan or inf")
    return params


# --- colours -------------------------------------------------------------------------------------
def diverging(value: float) -> str:
    """−1 blue, 0 near black, +1 orange (values beyond ±1 take the end colours)."""
    t = max(-1.0, min(1.0, value))
    low, mid, high = (70, 110, 230), (28, 28, 32), (240, 130, 50)
    end = high if t >= 0 else low
    return "#" + "".join(f"{round(m + (e - m) * abs(t)):02x}" for m, e in zip(mid, end))


def sequential(value: float) -> str:
    """0 near black to 1 warm yellow: a gate's opening."""
    t = max(0.0, min(1.0, value))
    return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip((28, 28, 32), (250, 215, 90)))


def colour(view: str, value: float) -> str:
    if view in ("i", "f", "o"):
        return sequential(value)
    if view == "c":
        return diverging(math.tanh(value))  # the cell is unbounded: shown through tanh
    return diverging(value)


@dataclass(frozen=True)
class Shown:
    """What the map draws: the model's steps on the current input."""

    title: str  # "hand-wired LSTM, 3 units"
    units: list[str]  # one label per row
    trace: dict  # view -> (T, H)
    predicted: np.ndarray | None  # (T,) classes, or None for the RNN
    confidence: np.ndarray | None
    norms: np.ndarray | None  # the RNN's ‖∂h_t/∂h_0‖


class SeqLabScreen(ToolScreen):
    TOOL_NAME = "SeqLab"
    TOOL_TAGLINE = "the hidden state, token by token"
    LAB_MODULE = "sequences-rnn"

    DEFAULT_CSS = """
    SeqLabScreen #panel { width: 34; }
    SeqLabScreen #map { width: 1fr; height: 1fr; }
    """

    BINDINGS = [
        Binding("left", "step(-1)", "Step", key_display="←→"),
        Binding("right", "step(1)", "Step", show=False),
        Binding("home", "step(-9999)", "First", show=False),
        Binding("end", "step(9999)", "Last", show=False),
        Binding("up", "units(-1)", "Units", key_display="↑↓", show=False),
        Binding("down", "units(1)", "Units", show=False),
        Binding("g", "view", "Gate"),
        Binding("m", "task", "Task"),
        Binding("t,enter", "type", "Type"),
        Binding("plus,equals_sign", "scale(1)", "Scale", key_display="+−"),
        Binding("minus", "scale(-1)", "Scale", show=False),
    ]

    def __init__(self, task: str = "adder") -> None:
        super().__init__()
        self.labcode = LabCode(self, self.LAB_MODULE, self._lab_changed, limits=TRAINING)
        self.scale, self.view_index, self.first_unit = 1.0, 0, 0
        self.inputs = dict(DEFAULT_INPUT)
        self._yours: tuple[Answer, object] | None = None
        self._checked: tuple[Answer, list[Check]] | None = None
        self.set_task(task)

    # --- state ------------------------------------------------------------------------------
    def set_task(self, task: str) -> None:
        self.task_name = task
        self.xs, self.want, self.input_text = parse_input(task, self.inputs[task])
        self.position, self.first_unit = 0, 0
        if task == "rnn":
            self.view_index = 0

    @property
    def view(self) -> str:
        return VIEWS[self.view_index]

    def action_step(self, step: int) -> None:
        self.position = min(max(self.position + step, 0), len(self.xs) - 1)
        self.refresh_view()

    def action_units(self, step: int) -> None:
        units = len(self.shown().units)
        self.first_unit = min(max(self.first_unit + step, 0), max(units - 1, 0))
        self.refresh_view()

    def action_view(self) -> None:
        if self.shown().trace.keys() == {"h"}:
            self.say("a vanilla RNN has no cell and no gates: only h")
            return
        self.view_index = (self.view_index + 1) % len(VIEWS)
        self.say(f"showing the {VIEW_NAMES[self.view]}")
        self.refresh_view()

    def action_task(self) -> None:
        self.set_task(TASKS[(TASKS.index(self.task_name) + 1) % len(TASKS)])
        self.say(f"task: {self.task_name}")
        self.refresh_view()

    def action_scale(self, step: int) -> None:
        if self.task_name != "rnn":
            self.say("the scale of W_hh is the RNN's (m switches to it)")
            return
        self.scale = round(min(max(self.scale + 0.25 * step, 0.25), 4.0), 2)
        self.say(f"W_hh scale {fmt(self.scale, 3)}")
        self.refresh_view()

    def action_type(self) -> None:
        def apply(typed: str) -> str | None:
            try:
                xs, want, shown = parse_input(self.task_name, typed)
            except ValueError as err:
                return str(err)
            self.inputs[self.task_name] = typed
            self.xs, self.want, self.input_text = xs, want, shown
            self.position = 0
            self.say(f"input: {shown}")
            return None

        prompt = "a + b:" if self.task_name == "adder" else "bits:"
        self.ask(prompt, self.inputs[self.task_name], apply)

    # --- the model shown --------------------------------------------------------------------------
    def tool_model(self) -> tuple[str, object]:
        """(kind, params) of the tool's own model for the task."""
        if self.task_name == "adder":
            return "lstm", hand_adder()
        if self.task_name == "counter":
            return "lstm", hand_counter()
        return "rnn", random_rnn(self.scale)

    def your_model(self) -> dict | None:
        """The player's trained LSTM for this task, once their fit has answered; else None."""
        if not self.yours_on or self.task_name == "rnn":
            return None
        answer = self.labcode.fresh(("seqlab", self.task_name))
        if answer is None or answer.problem or not answer.outcomes or not answer.outcomes[0].ok:
            return None
        if self._yours is not None and self._yours[0] is answer:
            return self._yours[1]
        try:
            params = read_params(answer.outcomes[0].value.get("params"), self.xs.shape[1])
        except (Garbage, AttributeError, TypeError, ValueError):
            params = None
        self._yours = (answer, params)
        return params

    def shown(self) -> Shown:
        kind, params = self.tool_model()
        mine = self.your_model()
        if kind == "rnn":
            trace = rnn_trace(params, self.xs)
            hs = self._your_rnn_states()
            title = f"random tanh RNN, {RNN_UNITS} units, W_hh scale {fmt(self.scale, 3)}"
            if hs is not None:
                trace, title = {"h": hs}, f"your rnn_forward, {RNN_UNITS} units, W_hh scale {fmt(self.scale, 3)}"
            return Shown(title, [f"u{k + 1}" for k in range(RNN_UNITS)], trace, None, None,
                         jacobian_norms(rnn_trace(params, self.xs)["h"], params["W_hh"]))
        if mine is not None:
            params = mine
        trace = lstm_trace(params, self.xs)
        predicted, confidence = classes(params, trace["h"])
        H = params["W"].shape[0] // 4
        if mine is not None:
            return Shown(f"your LSTM, {H} units, trained by your fit", [f"u{k + 1}" for k in range(H)],
                         trace, predicted, confidence, None)
        units = ["≥1", "carry", "≥3"] if self.task_name == "adder" else ["count"]
        return Shown(f"hand-wired LSTM, {H} unit{'s' if H > 1 else ''}", units, trace, predicted, confidence, None)

    def _your_rnn_states(self) -> np.ndarray | None:
        if not self.yours_on or self.task_name != "rnn":
            return None
        key, _ = self._rnn_request()
        answer = self.labcode.fresh(key)
        if answer is None or answer.problem or not answer.outcomes or not answer.outcomes[0].ok:
            return None
        try:
            return as_array(answer.outcomes[0].value, (len(self.xs), RNN_UNITS))
        except Garbage:
            return None

    # --- layout -------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Static(id="panel", classes="tool-panel")
        with Vertical(id="view"):
            yield Static(id="map")

    def on_resize(self) -> None:
        if self.is_mounted:
            self.refresh_view()

    def refresh_view(self) -> None:
        shown = self.shown()
        self.query_one("#panel", Static).update(self._panel(shown))
        view = self.query_one("#map")
        self.query_one("#map", Static).update(self._map(shown, max(view.size.width, 24), max(view.size.height, 8)))

    # --- the panel ----------------------------------------------------------------------------
    def _panel(self, shown: Shown) -> Text:
        t, p = Text(), self.position
        t.append(f"{self.task_name} · ", style="bold")
        t.append(shown.title + "\n")
        if self.task_name == "adder":
            a, b = (int(n) for n in self.input_text.split(" + "))
            t.append(f"input {a} + {b} = {a + b}\n")
            t.append(f"step {p + 1} of {len(self.xs)}: reads a={int(self.xs[p, 0])} b={int(self.xs[p, 1])}\n")
        else:
            t.append(f"input {self.input_text[:28]}{'…' if len(self.input_text) > 28 else ''}\n")
            t.append(f"step {p + 1} of {len(self.xs)}: reads {int(self.xs[p, 0])}\n")
        if shown.predicted is not None:
            right = shown.predicted[p] == self.want[p]
            t.append(f"predicts {shown.predicted[p]} ({shown.confidence[p]:.0%}), want {self.want[p]} ")
            t.append("✓\n" if right else "✗\n", style="bold green" if right else "bold red")
            wrong = int(np.sum(shown.predicted != self.want))
            t.append("every step right\n" if not wrong else f"{wrong} of {len(self.xs)} steps wrong\n",
                     style="green" if not wrong else "red")
        if shown.norms is not None:
            t.append(f"‖∂h_t/∂h_0‖ = {fmt(float(shown.norms[p]), 3)}\n")
        t.append(f"{VIEW_NAMES[self.view]} at step {p + 1}:\n", style="dim")
        values = shown.trace[self.view][p]
        order = range(len(values)) if len(values) <= 6 else np.argsort(-np.abs(values), kind="stable")[:6]
        for k in order:
            t.append(f" {shown.units[k]:<6}{fmt(float(values[k]), 3):>9}\n")
        if self.yours_on:
            self.render_yours(t)
            return t
        t.append("\n←→ step  ↑↓ units  g gate\nm task  t type  y your lab", style="dim")
        if self.task_name == "rnn":
            t.append("\n+− the scale of W_hh", style="dim")
        return t

    # --- the map ------------------------------------------------------------------------------
    def _columns(self, width: int) -> tuple[range, int]:
        """The steps on screen and the width of one (2 to 4 characters); the cursor stays in view."""
        T = len(self.xs)
        cell = min(max((width - LABEL) // T, 2), 4)
        count = max((width - LABEL) // cell, 1)
        first = min(max(self.position - count // 2, 0), max(T - count, 0))
        return range(first, min(first + count, T)), cell

    def _map(self, shown: Shown, width: int, height: int) -> Text:
        t = Text(no_wrap=True)
        steps, cell = self._columns(width)
        t.append(f"{'step':<{LABEL}}", style="dim")
        for s in steps:
            label = "▼" if s == self.position else (str(s + 1) if (s + 1) % 5 == 0 else "·")
            t.append(f"{label:<{cell}}", style="bold" if s == self.position else "dim")
        t.append("\n")
        rows = [("a", self.xs[:, 0]), ("b", self.xs[:, 1])] if self.task_name == "adder" else [("x", self.xs[:, 0])]
        for label, bits in rows:
            t.append(f"{label:<{LABEL}}", style="dim")
            for s in steps:
                t.append(f"{int(bits[s]):<{cell}}", style="reverse" if s == self.position else "")
            t.append("\n")
        if shown.predicted is not None:
            t.append(f"{'model':<{LABEL}}", style="dim")
            for s in steps:
                right = shown.predicted[s] == self.want[s]
                t.append(f"{shown.predicted[s]:<{cell}}", style="green" if right else "bold red")
            t.append("\n")
        room = height - len(rows) - 2 - (shown.predicted is not None) - (shown.norms is not None)
        self._blocks(t, shown, steps, cell, room)
        if shown.norms is not None:
            t.append(f"{'‖J‖':<{LABEL}}", style="dim")
            for s in steps:
                level = (math.log10(max(shown.norms[s], 1e-12)) + 12) / 14  # 10⁻¹² .. 10²
                t.append(" " * cell, style=Style(bgcolor=sequential(level)))
            t.append("\n")
        self._legend(t)
        return t

    def _blocks(self, t: Text, shown: Shown, steps: range, cell: int, room: int) -> None:
        """The chosen view, then as many of the next ones as fit: a title line and one row per unit."""
        units = len(shown.units)
        shown_units = max(min(units, room - 1), 1)
        first = min(self.first_unit, units - shown_units)
        start = VIEWS.index(self.view)
        views = [v for v in VIEWS[start:] + VIEWS[:start] if v in shown.trace]
        for n, view in enumerate(views):
            if n and room < shown_units + 1:
                break
            span = "" if shown_units == units else f", units {first + 1}–{first + shown_units} of {units}"
            t.append(f"{VIEW_NAMES[view]}{span}\n", style="bold" if n == 0 else "dim")
            for k in range(first, first + shown_units):
                t.append(f"{shown.units[k][:LABEL - 1]:<{LABEL}}", style="dim")
                for s in steps:
                    bg = colour(view, float(shown.trace[view][s, k]))
                    mark = "│" if s == self.position else " "
                    t.append(mark + " " * (cell - 1), style=Style(color="#e8e8e8", bgcolor=bg))
                t.append("\n")
            room -= shown_units + 1

    @staticmethod
    def _legend(t: Text) -> None:
        """The two colour scales, in one line."""
        t.append(f"{'':<{LABEL}}")
        for value in (-1.0, -0.5, 0.0, 0.5, 1.0):
            t.append(" ", style=Style(bgcolor=diverging(value)))
        t.append(" h g c −1…1  ", style="dim")
        for value in (0.0, 0.5, 1.0):
            t.append(" ", style=Style(bgcolor=sequential(value)))
        t.append(" i f o 0…1", style="dim")

    # --- your code -------------------------------------------------------------------------------
    def _rnn_request(self) -> tuple[tuple, list[dict]]:
        params = random_rnn(self.scale)
        array = {"__ndarray__": self.xs[None].tolist(), "dtype": "float64"}
        script = ("xs = np.array({xs!r})\nh0 = np.zeros((1, {H}))\n"
                  "W_xh, W_hh, b = np.array({W_xh!r}), np.array({W_hh!r}), np.zeros({H})\n"
                  "out = lab.rnn_forward(xs, h0, W_xh, W_hh, b)\n"
                  "result = np.asarray(out[0], dtype=float)[0]").format(
            xs=array["__ndarray__"], H=RNN_UNITS, W_xh=params["W_xh"].tolist(), W_hh=params["W_hh"].tolist())
        return ("seqlab", "rnn", self.scale, self.input_text), [{"script": script}]

    def your_cases(self):
        if self.task_name == "rnn":
            return self._rnn_request()
        probe, _, _ = parse_input(self.task_name, DEFAULT_INPUT[self.task_name])
        script = (_TRAIN_SCRIPT[self.task_name].format(seed=TRAIN_SEED)
                  + "params = lab.fit(X, Y, seed=0)\n"
                  f"probe = np.array({probe[None].tolist()!r})\n"
                  "h0 = np.zeros((1, np.asarray(params['W']).shape[0] // 4))\n"
                  "hs, _ = lab.lstm_forward(probe, h0, h0, np.asarray(params['W'], dtype=float), "
                  "np.asarray(params['b'], dtype=float))\n"
                  "result = {'params': {k: np.asarray(params[k], dtype=float) for k in ('W', 'b', 'W_y', 'b_y') "
                  "if k in params}, 'hs': np.asarray(hs, dtype=float)[0]}")
        return ("seqlab", self.task_name), [{"script": script}]

    def your_checks(self, answer: Answer) -> list[Check]:
        if answer.key[1] != self.task_name:  # another task's answer, while this one's is coming
            return []
        if self._checked is not None and self._checked[0] is answer:
            return self._checked[1]
        checks = self._checks(answer)
        self._checked = (answer, checks)
        return checks

    def _checks(self, answer: Answer) -> list[Check]:
        outcome = answer.outcomes[0]
        if answer.key[1] == "rnn":
            tool = rnn_trace(random_rnn(answer.key[2]), parse_input("rnn", answer.key[3])[0])["h"]
            return [self._states_check("forward", outcome, tool, lambda v: v)]
        task = answer.key[1]
        if not outcome.ok:
            return [Check("fit", explain(outcome.error), "trains", None)]
        try:
            params = read_params(outcome.value.get("params"), 2 if task == "adder" else 1)
        except (Garbage, AttributeError) as err:
            return [Check("fit", str(err) if isinstance(err, Garbage) else "not params", "trains", None)]
        H = params["W"].shape[0] // 4
        probe, _, _ = parse_input(task, DEFAULT_INPUT[task])
        checks = [Check("fit", f"{H} units", "trained", True),
                  self._states_check("forward", outcome, lstm_trace(params, probe)["h"], lambda v: v.get("hs"))]
        rate, need = held_out_rate(task, params), ADDER_THRESHOLD if task == "adder" else COUNTER_THRESHOLD
        checks.append(Check("held out", f"{rate:.0%}", f"≥{need:.0%}", rate >= need))
        return checks

    @staticmethod
    def _states_check(label: str, outcome: Outcome, tool: np.ndarray, pick) -> Check:
        if not outcome.ok:
            return Check(label, explain(outcome.error), "the tool's", None)
        try:
            mine = as_array(pick(outcome.value), tool.shape)
        except (Garbage, AttributeError, TypeError) as err:
            return Check(label, str(err) if isinstance(err, Garbage) else "not states", "the tool's", None)
        error = float(np.max(np.abs(mine - tool)))
        return Check(label, f"|Δ| {fmt(error, 2)}", "0", close(mine, tool))
