"""AttentionMap: where each character looks, in every head of every layer of the tiny GPT.

The shipped character-level GPT (4 layers of 4 heads, trained on the shipped Shakespeare; see
DATA.md) reads the text the player types, in NumPy (`datasets/tinygpt/model.py`). The strip
shows the text with every character shaded by how much the query character attends to it; the
map below it draws the chosen head's whole weight matrix (rows: queries, columns: keys; the
future is masked), two rows of weights per line of the terminal. The panel lists where the
query looks most, the row's entropy, how far back this head looks on average, and the model's
guess for the next character. With y, the player's module-11 `attention(q, k, v, mask)` runs in
the sandbox on this head's real queries, keys and values, and its weights show beside the model's.
"""

from __future__ import annotations

import math

import numpy as np
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from forge_tui.tinygpt import model_module

from ..labcode import Answer, Check, Garbage, Outcome, as_array, close, explain, number_check
from ._base import ToolScreen, fmt

DEFAULT_TEXT = "But soft! what light through yonder window breaks?\nIt is the"
MASKED = "#1c1c1c"  # the future: no weight at all
TOP = 5  # keys listed in the panel


def shade(weight: float) -> str:
    """A colour for an attention weight in [0, 1]: dark blue to warm yellow, on a square-root scale
    so that small weights stay visible."""
    t = math.sqrt(min(max(weight, 0.0), 1.0))
    low, high = (24, 26, 64), (255, 214, 90)
    return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(low, high))


def shown(ch: str) -> str:
    """A character as the strip and the panel show it: a newline as ↵."""
    return "↵" if ch == "\n" else ch


def clean(text: str, vocabulary: str, context: int) -> tuple[str, str]:
    """(text the model can read, a note for the player): `\\n` typed as two characters becomes a
    newline, characters the model never saw are left out, only the last `context` are kept."""
    text = text.replace("\\n", "\n")
    unknown = sorted(set(text) - set(vocabulary))
    kept = "".join(ch for ch in text if ch in vocabulary)
    notes = []
    if unknown:
        notes.append("left out, never seen by the model: " + " ".join(repr(ch) for ch in unknown))
    if len(kept) > context:
        kept = kept[-context:]
        notes.append(f"the model reads {context} characters: kept the last {context}")
    return kept, "; ".join(notes)


class AttentionMapScreen(ToolScreen):
    TOOL_NAME = "AttentionMap"
    TOOL_TAGLINE = "where each character looks, in the tiny GPT"
    LAB_MODULE = "attention"

    DEFAULT_CSS = """
    AttentionMapScreen #panel { width: 34; }
    AttentionMapScreen #view { width: 1fr; height: 1fr; }
    AttentionMapScreen #strip { height: auto; max-height: 5; }
    AttentionMapScreen #map { height: 1fr; }
    """

    BINDINGS = [
        Binding("left", "query(-1)", "Query", key_display="←→"),
        Binding("right", "query(1)", "Query", show=False),
        Binding("home", "query(-9999)", "First", show=False),
        Binding("end", "query(9999)", "Last", show=False),
        Binding("up", "layer(-1)", "Layer", key_display="↑↓"),
        Binding("down", "layer(1)", "Layer", show=False),
        Binding("h,right_square_bracket", "head(1)", "Head"),
        Binding("left_square_bracket", "head(-1)", "Head", show=False),
        Binding("t,enter", "type", "Type"),
        Binding("g", "go_on", "Go on"),
    ]

    def __init__(self, text: str = DEFAULT_TEXT) -> None:
        super().__init__()
        self.gpt = model_module()
        self.model = self.gpt.load()
        self.layer_index, self.head_index, self.samples = 0, 0, 0
        self.set_text(text)

    # --- state ------------------------------------------------------------------------------
    @property
    def n_layer(self) -> int:
        return self.model.config["n_layer"]

    @property
    def n_head(self) -> int:
        return self.model.config["n_head"]

    def set_text(self, text: str) -> str:
        """Read `text` with the model now; returns a note for the player ("" when taken as is)."""
        kept, note = clean(text, self.model.vocabulary, self.model.context)
        if not kept:
            raise ValueError("type at least one character the model knows")
        self._show(kept, *self.gpt.run(self.gpt.encode(kept, self.model), self.model))
        return note

    def _show(self, text: str, logits: np.ndarray, maps: np.ndarray) -> None:
        self.text, self.logits, self.maps = text, logits, maps
        self.position = len(text) - 1

    @property
    def weights(self) -> np.ndarray:
        """The chosen head's (T, T) weights."""
        return self.maps[self.layer_index, self.head_index]

    def action_query(self, step: int) -> None:
        self.position = min(max(self.position + step, 0), len(self.text) - 1)
        self.refresh_view()

    def action_layer(self, step: int) -> None:
        self.layer_index = (self.layer_index + step) % self.n_layer
        self.refresh_view()

    def action_head(self, step: int) -> None:
        self.head_index = (self.head_index + step) % self.n_head
        self.refresh_view()

    def action_type(self) -> None:
        def apply(typed: str) -> str | None:
            kept, note = clean(typed, self.model.vocabulary, self.model.context)
            if not kept:
                return "type at least one character the model knows"
            self.say("the model is reading…")
            self._read(kept, 0, note or f"read {len(kept)} characters")
            return None

        self.ask("text (\\n for a new line):", self.text.replace("\n", "\\n"), apply)

    def action_go_on(self) -> None:
        """Let the model continue the text by 16 characters (a new sample each press)."""
        self.samples += 1
        self.say("the model is writing 16 characters…")
        self._read(self.text, 16, "the model wrote 16 more characters")

    @work(thread=True, exclusive=True, group="tinygpt")
    def _read(self, text: str, more: int, message: str) -> None:
        """In a thread (a forward pass takes a while on a busy machine): continue `text` by `more`
        sampled characters, run the model on the result, then show it."""
        if more:
            text = self.gpt.generate(text, more, seed=self.samples, model=self.model)
        kept, note = clean(text, self.model.vocabulary, self.model.context)
        logits, maps = self.gpt.run(self.gpt.encode(kept, self.model), self.model)
        self.app.call_from_thread(self._read_done, kept, logits, maps, message + (f"; {note}" if more and note else ""))

    def _read_done(self, text: str, logits: np.ndarray, maps: np.ndarray, message: str) -> None:
        self._show(text, logits, maps)
        self.say(message)
        self.refresh_view()

    @on(Worker.StateChanged)
    def _model_failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.say(f"the model could not run: {event.worker.error}", error=True)

    # --- layout -------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Static(id="panel", classes="tool-panel")
        with Vertical(id="view"):
            yield Static(id="strip")
            yield Static(id="map")

    def on_resize(self) -> None:
        if self.is_mounted:
            self.refresh_view()

    def refresh_view(self) -> None:
        self.query_one("#panel", Static).update(self._panel())
        width = max(self.query_one("#view").size.width, 20)
        self.query_one("#strip", Static).update(self._strip(width))
        height = max(self.query_one("#map").size.height, 4)
        self.query_one("#map", Static).update(self._map(width, height))

    # --- the panel ----------------------------------------------------------------------------
    def _panel(self) -> Text:
        t, row, q = Text(), self.weights[self.position], self.position
        t.append(f"layer {self.layer_index + 1} of {self.n_layer} · head {self.head_index + 1} of {self.n_head}\n", style="bold")
        t.append(f"query {q + 1} of {len(self.text)}: ")
        t.append(repr(self.text[q]), style="reverse")
        t.append("\nlooks at             weight\n", style="dim")
        for j in np.argsort(-row, kind="stable")[:min(TOP, q + 1)]:
            back = "itself" if j == q else f"{q - j} back"
            t.append(f" {repr(self.text[j]):6} {back:>10}  {fmt(float(row[j]), 3):>6}\n")
        entropy = -sum(w * math.log(w) for w in row[: q + 1] if w > 0)
        t.append(f"entropy {fmt(entropy, 3)} (uniform {fmt(math.log(q + 1), 3)})\n")
        t.append(f"head's mean look-back {fmt(self._mean_distance(), 3)}\n")
        t.append("next " + "  ".join(f"{repr(ch)} {p:.0%}" for ch, p in self._next_char()) + "\n")
        if self.yours_on:
            self.render_yours(t)
            return t
        t.append("\n←→ query ↑↓ layer h head\nt type text · g let it go on", style="dim")
        return t

    def _mean_distance(self) -> float:
        """Σ over rows of Σ_j w[t, j] (t − j), divided by the number of rows."""
        T = len(self.text)
        distance = np.arange(T)[:, None] - np.arange(T)[None, :]
        return float((self.weights * np.maximum(distance, 0)).sum() / T)

    def _next_char(self) -> list[tuple[str, float]]:
        logits = self.logits[self.position]
        p = np.exp(logits - logits.max())
        p /= p.sum()
        return [(self.model.vocabulary[i], float(p[i])) for i in np.argsort(-p)[:3]]

    # --- the strip and the map ------------------------------------------------------------------
    def _strip(self, width: int) -> Text:
        """The text, each character on the colour of the query's weight on it (player text as text)."""
        t, row = Text(no_wrap=True), self.weights[self.position]
        for j, ch in enumerate(self.text):
            if j and j % width == 0:
                t.append("\n")
            if j == self.position:
                t.append(shown(ch), style="bold reverse")
            elif j < self.position:
                t.append(shown(ch), style=Style(color="white", bgcolor=shade(float(row[j]))))
            else:
                t.append(shown(ch), style="grey42")
        return t

    def _window(self, size: int, width: int) -> tuple[int, int, int]:
        """(first row, first column, rows) of the map on screen: the query's row and the diagonal
        near it stay visible when the text is longer than the map."""
        T, rows = len(self.text), min(len(self.text), size)
        r0 = min(max(self.position - rows // 2, 0), T - rows)
        c0 = max(0, min(r0 + rows, T) - width)
        return r0, c0, rows

    def _map(self, width: int, height: int) -> Text:
        """Two query rows per terminal line (▀: the upper one in the foreground colour)."""
        T, w = len(self.text), self.weights
        columns = min(T, width - 2)
        r0, c0, rows = self._window(2 * (height - 1), columns)
        t = Text(no_wrap=True)
        t.append(f"queries {r0 + 1}–{r0 + rows} ↓, keys {c0 + 1}–{c0 + columns} →\n", style="dim")

        def colour(r: int, c: int) -> str:
            return shade(float(w[r, c])) if c <= r else MASKED

        for r in range(r0, r0 + rows, 2):
            here = r == self.position or r + 1 == self.position
            t.append("▶" if here else " ", style="bold")
            for c in range(c0, c0 + columns):
                lower = colour(r + 1, c) if r + 1 < r0 + rows else "default"
                t.append("▀", style=Style(color=colour(r, c), bgcolor=lower))
            t.append("\n")
        return t

    # --- your code: the player's attention on this head's q, k, v ----------------------------------
    def your_cases(self):
        ids = self.gpt.encode(self.text, self.model)
        q, k, v = (t[self.head_index] for t in self.gpt.qkv(ids, self.layer_index, self.model))
        mask = np.tril(np.ones((len(ids), len(ids)), dtype=bool))
        args = [{"__ndarray__": a.tolist(), "dtype": a.dtype.name} for a in (q, k, v, mask)]
        return ("attentionmap", self.text, self.layer_index, self.head_index), [{"call": {"function": "attention", "args": args}}]

    def your_checks(self, answer: Answer) -> list[Check]:
        _, text, layer, head = answer.key
        outcome = answer.outcomes[0]
        tool = self.maps[layer, head]
        if not outcome.ok:
            return [Check("weights", explain(outcome.error), "the model's", None)]
        try:
            weights = as_array(outcome.value[1], tool.shape)
        except (Garbage, TypeError, IndexError, KeyError) as err:
            return [Check("weights", str(err) if isinstance(err, Garbage) else "not (out, weights)", "", None)]
        q = min(self.position, len(text) - 1)
        top = int(np.argmax(tool[q]))
        checks = [number_check(f"w[{q + 1}, {top + 1}]", Outcome(True, float(weights[q, top])), float(tool[q, top]), fmt)]
        error = float(np.max(np.abs(weights - tool)))
        checks.append(Check("all weights, max |Δ|", fmt(error, 2), "0", close(weights, tool)))
        return checks
