"""EmbedExplorer: a word's 50 nearest neighbours by cosine, and a map of them you walk with the keys.

The table is the game's word vectors (4,000 words × 100, `forge_tui.wordvectors`; DATA.md) or,
with y, the player's own: their module-9 `train_sgns` trains in the sandbox on the first 20,000
words of the shipped corpus, and its W_in replaces the game's table until y is pressed again.

The panel lists the centre word's 50 nearest words, best first, with their cosines. The map is a
principal-component projection (NumPy's SVD) of the centre word and those 50 neighbours: each
word is a dot with its label where there is room, the centre a diamond, the selected word in
reverse; the one or two farthest words along an axis are drawn at the map's edge. Arrows move the selection to the nearest word on the map in that direction, n and p
along the ranked list; enter makes the selected word the centre, b goes back. Typed words and
whatever the lab sends are shown as text, never markup.
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from forge_tui.runner import Limits
from forge_tui.safetext import strip_controls

from ..labcode import LabCode, explain
from ._base import ToolScreen, fmt

NEIGHBOURS = 50
START = "king"
YOUR_WORDS = 20_000  # of the corpus's training text, for the player's train_sgns
YOUR_MIN_COUNT = 3  # rarer words are left out of the player's vocabulary
YOUR_SETTINGS = {"d": 32, "window": 2, "k": 5, "epochs": 3, "lr": 0.05, "seed": 0}
# the reference trains on those words in about 6 s of CPU under a load of 12 (2026-11-28)
YOUR_LIMITS = Limits(wall_s=90.0, cpu_s=90.0, memory_mb=1024, output_bytes=64_000, result_bytes=4_000_000)
EDGE = 3  # percent: the map's frame holds the middle 94% of the words along each axis
DIRECTIONS = {"left": (-1.0, 0.0), "right": (1.0, 0.0), "up": (0.0, -1.0), "down": (0.0, 1.0)}


# --- the table and what is computed on it -----------------------------------------------------------
@dataclass(frozen=True)
class Table:
    vocab: tuple[str, ...]
    W: np.ndarray  # (V, d), row i is vocab[i]'s vector
    label: str  # what the panel calls it

    def index(self, word: str) -> int | None:
        try:
            return self.vocab.index(word)
        except ValueError:
            return None

    @property
    def unit(self) -> np.ndarray:
        lengths = np.linalg.norm(self.W, axis=1, keepdims=True)
        return self.W / np.where(lengths == 0, 1.0, lengths)


def shipped_table() -> Table:
    from forge_tui.wordvectors import load

    vocab, W = load()
    return Table(tuple(vocab), W, f"the game's {len(vocab):,} × {W.shape[1]} table")


def nearest_words(table: Table, row: int, n: int = NEIGHBOURS) -> list[tuple[int, float]]:
    """The n rows with the highest cosine to `row` (itself left out), best first, with the cosines."""
    unit = table.unit
    scores = unit @ unit[row]
    scores[row] = -np.inf
    best = np.argsort(-scores, kind="stable")[:n]
    return [(int(i), float(scores[i])) for i in best]


def principal_plane(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(coordinates (m, 2), share of the variance on each axis): the rows of X, centred, on their
    two directions of largest variance."""
    X = X - X.mean(axis=0)
    _, s, Vt = np.linalg.svd(X, full_matrices=False)
    share = s[:2] ** 2 / max(float((s ** 2).sum()), 1e-300)
    return X @ Vt[:2].T, share


def step_towards(cells: list[tuple[float, float]], current: int, direction: tuple[float, float]) -> int | None:
    """The point nearest `current` on the map within 60° of `direction`, or None. Cells are
    (column, row) on the screen, rows counted twice (a character is about twice as tall as wide)."""
    x0, y0 = cells[current]
    best, best_cost = None, math.inf
    for i, (x, y) in enumerate(cells):
        dx, dy = x - x0, 2.0 * (y - y0)
        distance = math.hypot(dx, dy)
        if i == current or distance == 0:
            continue
        cos = (dx * direction[0] + dy * direction[1]) / distance
        if cos < 0.5:
            continue
        cost = distance * (2.0 - cos)  # straight ahead beats a little closer but off to the side
        if cost < best_cost:
            best, best_cost = i, cost
    return best


def your_words(text: str) -> tuple[list[int], list[str]]:
    """The ids the player's train_sgns learns from: the first YOUR_WORDS words of `text`,
    lower-cased runs of a-z, keeping only the words seen at least YOUR_MIN_COUNT times there."""
    words = re.findall(r"[a-z]+", text[: 8 * YOUR_WORDS].lower())[:YOUR_WORDS]
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    vocab = sorted(w for w, n in counts.items() if n >= YOUR_MIN_COUNT)
    where = {w: i for i, w in enumerate(vocab)}
    return [where[w] for w in words if w in where], vocab


YOUR_SCRIPT = """
ids = np.array({ids!r})
W_in, W_out, losses = lab.train_sgns(ids, {V}, **{settings!r})
result = {{"W": np.asarray(W_in, dtype=float).tolist(), "losses": [float(x) for x in losses]}}
"""


# --- the screen -------------------------------------------------------------------------------------
class EmbedExplorerScreen(ToolScreen):
    TOOL_NAME = "EmbedExplorer"
    TOOL_TAGLINE = "a word's 50 nearest neighbours, on a map"
    LAB_MODULE = "embeddings"

    DEFAULT_CSS = """
    EmbedExplorerScreen #panel { width: 30; }
    EmbedExplorerScreen #map { width: 1fr; height: 1fr; }
    """

    BINDINGS = [
        Binding("left", "move('left')", "Move", key_display="←↑→↓"),
        Binding("right", "move('right')", "Move", show=False),
        Binding("up", "move('up')", "Move", show=False),
        Binding("down", "move('down')", "Move", show=False),
        Binding("n", "rank(1)", "Next"),
        Binding("p", "rank(-1)", "Prev", show=False),
        Binding("enter,g", "go", "Go"),
        Binding("b,backspace", "back", "Back"),
        Binding("t,slash", "type", "Type"),
    ]

    def __init__(self, word: str = START) -> None:
        super().__init__()
        if self.labcode is not None:  # training takes longer than a tool's usual few seconds
            self.labcode = LabCode(self, self.LAB_MODULE, self._lab_changed, limits=YOUR_LIMITS)
        self.shipped = shipped_table()
        self.table = self.shipped
        self.history: list[str] = []
        self.yours_note = ""
        self.losses: list[float] = []
        self._cells: list[tuple[float, float]] = []
        self._your_request: tuple | None = None
        self.centre(word if self.table.index(word) is not None else self.table.vocab[0])

    # --- state ----------------------------------------------------------------------------------------
    def centre(self, word: str) -> None:
        """Make `word` (in the current table) the centre: its neighbours, the map, no selection."""
        row = self.table.index(word)
        self.word = word
        self.neighbours = nearest_words(self.table, row, min(NEIGHBOURS, len(self.table.vocab) - 1))
        rows = [row] + [i for i, _ in self.neighbours]
        self.coords, self.share = principal_plane(self.table.W[rows])
        self.selected = 0  # 0: the centre; i: the i-th neighbour
        self._cells = []

    @property
    def points(self) -> list[tuple[str, float | None]]:
        """(word, cosine with the centre) for the centre (None) and each neighbour, in rank order."""
        return [(self.word, None)] + [(self.table.vocab[i], cos) for i, cos in self.neighbours]

    def action_move(self, direction: str) -> None:
        cells = self._cells or [(float(x), float(-y)) for x, y in self.coords]
        found = step_towards(cells, self.selected, DIRECTIONS[direction])
        if found is None:
            self.say(f"no word further {direction} on the map")
        else:
            self.selected = found
        self.refresh_view()

    def action_rank(self, step: int) -> None:
        self.selected = (self.selected + step) % len(self.points)
        self.refresh_view()

    def action_go(self) -> None:
        if self.selected == 0:
            self.say(f"{self.word} is already the centre")
            return
        self.history.append(self.word)
        self.centre(self.points[self.selected][0])
        self.say(f"centred on {self.word}")
        self.refresh_view()

    def action_back(self) -> None:
        while self.history:
            word = self.history.pop()
            if self.table.index(word) is not None:
                self.centre(word)
                self.say(f"back to {word}")
                self.refresh_view()
                return
        self.say("nothing to go back to")

    def action_type(self) -> None:
        def apply(typed: str) -> str | None:
            word = typed.strip().lower()
            if self.table.index(word) is None:
                return f"{typed.strip()!r} is not one of the {len(self.table.vocab):,} words of {self.table.label}"
            if word != self.word:
                self.history.append(self.word)
            self.centre(word)
            self.say(f"centred on {word}")
            return None

        self.ask("word:", "", apply)

    # --- your vectors ------------------------------------------------------------------------------------
    def your_cases(self):
        if self._your_request is None:
            from forge_tui.corpus import train_text

            ids, vocab = your_words(train_text())
            script = YOUR_SCRIPT.format(ids=ids, V=len(vocab), settings=YOUR_SETTINGS)
            self._your_request = (("embedexplorer", YOUR_WORDS), [{"script": script}], vocab)
        key, cases, _ = self._your_request
        return key, cases

    def _use(self, table: Table, note: str) -> None:
        if table is self.table:
            return
        word = self.word if table.index(self.word) is not None else (START if table.index(START) is not None
                                                                    else table.vocab[0])
        self.table, self.history = table, []
        self.centre(word)
        self.say(note)

    def _sync_yours(self) -> None:
        """Switch to the player's vectors once they have come back, and back to the game's when
        your-code mode is off; `yours_note` says where the training stands."""
        if not self.yours_on:
            self.yours_note = ""
            self._use(self.shipped, "the game's table again")
            return
        code = self.labcode
        if code.problem:
            self.yours_note = code.problem
            return
        key, cases = self.your_cases()
        code.request(key, cases)
        answer = code.fresh(key)
        if answer is None:
            self.yours_note = "your train_sgns is training in the sandbox…"
            return
        outcome = answer.outcomes[0] if answer.outcomes else None
        if answer.problem or outcome is None or not outcome.ok:
            self.yours_note = answer.problem or explain(outcome.error if outcome else "", long=True)
            self._use(self.shipped, "your vectors could not be used: the game's table stays")
            return
        table, problem = self._your_table(outcome.value)
        if problem:
            self.yours_note = problem
            return
        self.yours_note = ""
        self._use(table, f"your vectors: {len(table.vocab):,} words × {table.W.shape[1]}")

    def _your_table(self, value) -> tuple[Table | None, str]:
        vocab = self._your_request[2]
        try:
            W = np.asarray(value["W"], dtype=float)
            losses = [float(x) for x in value["losses"]]
        except (TypeError, KeyError, ValueError):
            return None, "train_sgns did not return (W_in, W_out, losses) as numbers"
        if W.ndim != 2 or W.shape[0] != len(vocab) or W.shape[1] < 2:
            return None, f"your W_in has shape {W.shape}, expected ({len(vocab)}, {YOUR_SETTINGS['d']})"
        if not np.all(np.isfinite(W)):
            return None, "your W_in has nan or inf entries: the training diverged"
        if self.table.label.startswith("your") and self.table.W.shape == W.shape and np.array_equal(self.table.W, W):
            return self.table, ""
        self.losses = losses
        return Table(tuple(vocab), W, f"your {len(vocab):,} × {W.shape[1]} vectors"), ""

    # --- layout --------------------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Static(id="panel", classes="tool-panel")
        yield Static(id="map")

    def on_resize(self) -> None:
        if self.is_mounted:
            self.refresh_view()

    def refresh_view(self) -> None:
        if self.labcode is not None:
            self._sync_yours()
        panel = self.query_one("#panel", Static)
        panel.update(self._panel(max(panel.size.height, 12), max(panel.size.width - 2, 20)))
        box = self.query_one("#map", Static)
        box.update(self._map(max(box.size.width, 20), max(box.size.height, 6)))

    # --- the panel ----------------------------------------------------------------------------------------
    def _panel(self, height: int, width: int) -> Text:
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(self.word[:width], style="bold yellow")
        t.append("\n")
        t.append(self.table.label + "\n", style="dim")
        if self.yours_on:
            self._yours_lines(t, width)
        t.append(f"nearest {len(self.neighbours)} by cosine\n", style="dim")
        rows = max(height - t.plain.count("\n") - 2, 3)
        first = min(max(self.selected - 1 - rows // 2, 0), max(len(self.neighbours) - rows, 0))
        for rank, (i, cos) in enumerate(self.neighbours[first:first + rows], start=first + 1):
            line = f"{rank:>3} {self.table.vocab[i]:<15.15} {fmt(cos, 3):>6}\n"
            t.append(line, style="reverse" if rank == self.selected else "")
        word, cos = self.points[self.selected]
        if self.selected:
            t.append(f"▶ {word} #{self.selected} {fmt(cos, 3)}\n", style="bold")
        else:
            t.append("▶ n or an arrow picks a word\n", style="dim")
        return t

    def _yours_lines(self, t: Text, width: int) -> None:
        """Where the player's training stands, wrapped to the panel (at most four lines)."""
        if self.yours_note:
            style = "yellow" if "training" in self.yours_note else "bold red"
            lines = textwrap.wrap(strip_controls(self.yours_note), width)[:4]
        elif self.losses:
            style = "green"
            lines = textwrap.wrap("your losses " + " → ".join(fmt(x, 3) for x in self.losses[:6]), width)[:2]
        else:
            return
        t.append("".join(line + "\n" for line in lines), style=style)

    # --- the map --------------------------------------------------------------------------------------------
    def _map(self, width: int, height: int) -> Text:
        """The centre and its neighbours on their principal plane, labels where there is room."""
        rows, cols = height - 1, width - 1
        low, high = np.percentile(self.coords, EDGE, axis=0), np.percentile(self.coords, 100 - EDGE, axis=0)
        xy = np.clip(self.coords, low, high)  # the farthest few words wait at the edge
        span = np.where(high - low == 0, 1.0, high - low)
        label_room = 8  # keep the rightmost dots far enough from the edge for a few letters
        place = [(round((x - low[0]) / span[0] * max(cols - label_room, 1)),
                  round((high[1] - y) / span[1] * (rows - 1))) for x, y in xy]
        self._cells = [(float(c), float(r)) for c, r in place]
        grid = [[(" ", "")] * cols for _ in range(rows)]
        order = [0, self.selected] + [i for i in range(1, len(place)) if i != self.selected]
        for i in order:
            c, r = place[i]
            word = self.points[i][0]
            marker = "◆" if i == 0 else "•"
            style = "bold reverse" if i == self.selected else ("bold yellow" if i == 0 else _rank_style(i))
            label = f"{marker}{word}"
            if all(grid[r][c + j][0] == " " for j in range(min(len(label), cols - c))):
                for j, ch in enumerate(label[: cols - c]):
                    grid[r][c + j] = (ch, style)
            elif grid[r][c][0] == " " or i in (0, self.selected):
                grid[r][c] = (marker, style)
        t = Text(no_wrap=True)
        caption = (f"principal plane of {self.word} and its {len(self.neighbours)} neighbours: "
                   f"{self.share[0]:.0%} and {self.share[1]:.0%} of their variance")
        if len(caption) > cols:
            caption = f"PCA of {self.word} + {len(self.neighbours)}: {self.share[0]:.0%}, {self.share[1]:.0%} of variance"
        t.append(caption[:cols] + "\n", style="dim")
        for r, line in enumerate(grid):
            for ch, style in line:
                t.append(ch, style=style)
            if r < rows - 1:
                t.append("\n")
        return t


def _rank_style(i: int) -> str:
    """Nearer words brighter: the first ten, the next twenty, the rest."""
    return "bright_white" if i <= 10 else ("white" if i <= 30 else "grey50")
