"""NeuronForge: 2-D points, a one-hidden-layer network, and its decision boundary, live.

The plane shows the data (● class 1, ○ class 0), the region the network calls class 1 shaded in
braille, and the boundary p = 0.5 as a bright braille line. The player adds, moves and deletes
points with the keyboard or picks a preset (blobs, XOR, circles, spirals), changes the width of
the hidden layer and the learning rate, and trains: full-batch gradient descent on the mean
binary cross-entropy, the module's lab exactly (ReLU hidden layer, sigmoid output, He init).

Training runs in a thread worker, a few steps at a time, and posts each new state to the UI;
`t` stops it, and any edit (points, width, reset) restarts it from a consistent state, so the
keys never wait for the training.

With y (your code), the player's own module-5 `mlp_forward` and `mlp_backward` do the training
in the sandbox, a chunk of steps per request (the tool only applies params −= lr·grads), and the
boundary drawn is the one their network computes. Beside it, at the same weights, the tool's
loss and gradients: ✓ where the player's agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static
from textual.worker import get_current_worker
from textual_plot import HiResMode

from ..labcode import Answer, Check, Outcome, number_check
from ._base import ToolPlot, ToolScreen, fmt

PRESETS = ("blobs", "XOR", "circles", "spirals")
WIDTHS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)
RATES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
VIEW = 1.25  # the plane shown: [−VIEW, VIEW]²
STEP = 0.05  # one arrow key moves the cursor this far
REACH = 0.15  # grab or delete the nearest point within this distance of the cursor
CHUNK = 25  # training steps per update
YOUR_CHUNK = 50  # training steps per sandbox request in your-code mode
GRID = (64, 48)  # the boundary is computed on this many points across and down
SPARK = "▁▂▃▄▅▆▇█"
PARAMETERS = ("W1", "b1", "W2", "b2")


# --- data ---------------------------------------------------------------------------------------
def preset_points(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The points of a preset (always the same ones), inside the view."""
    rng = np.random.default_rng(5)
    if name == "blobs":
        X = np.vstack([rng.normal([-0.5, -0.4], 0.2, (20, 2)), rng.normal([0.5, 0.45], 0.2, (20, 2))])
        y = np.repeat([0, 1], 20)
    elif name == "XOR":
        corners = np.array([[-0.6, -0.6], [-0.6, 0.6], [0.6, -0.6], [0.6, 0.6]])
        X = np.repeat(corners, 8, axis=0) + rng.normal(0, 0.12, (32, 2))
        y = np.repeat([0, 1, 1, 0], 8)
    elif name == "circles":
        angle = rng.uniform(0, 2 * np.pi, 60)
        radius = np.concatenate([rng.uniform(0.0, 0.4, 30), rng.uniform(0.75, 1.0, 30)])
        X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
        y = np.repeat([1, 0], 30)
    else:  # two spirals, as the boss draws them (fewer points)
        t = rng.uniform(0, 1, 80)
        arm = np.repeat([0, 1], 40)
        angle = 2 * np.pi * 1.25 * t + np.pi * arm
        radius = 0.15 + 0.85 * t
        X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]) + rng.normal(0, 0.03, (80, 2))
        y = arm
    return np.clip(X, -VIEW, VIEW), y.astype(int)


# --- the network: the module's lab, in NumPy ------------------------------------------------------
def init_params(hidden: int, seed: int) -> dict:
    """He initialisation, W ~ N(0, 2 / fan_in), biases zero (the lab's mlp_init)."""
    rng = np.random.default_rng(seed)
    return {"W1": rng.standard_normal((2, hidden)) * math.sqrt(2 / 2), "b1": np.zeros(hidden),
            "W2": rng.standard_normal((hidden, 1)) * math.sqrt(2 / hidden), "b2": np.zeros(1)}


def forward(X: np.ndarray, params: dict) -> tuple[np.ndarray, np.ndarray]:
    """(z1, p): pre-activations of the hidden layer and the probabilities, p of shape (n,)."""
    z1 = X @ params["W1"] + params["b1"]
    z2 = np.maximum(z1, 0) @ params["W2"] + params["b2"]
    with np.errstate(over="ignore"):
        return z1, 1 / (1 + np.exp(-z2[:, 0]))


def loss_and_grads(X: np.ndarray, y: np.ndarray, params: dict) -> tuple[float, dict]:
    """The mean binary cross-entropy and its gradient for each parameter."""
    z1 = X @ params["W1"] + params["b1"]
    h1 = np.maximum(z1, 0)
    z2 = (h1 @ params["W2"] + params["b2"])[:, 0]
    loss = float(np.mean(np.logaddexp(0, z2) - y * z2)) if len(X) else 0.0
    with np.errstate(over="ignore"):
        p = 1 / (1 + np.exp(-z2))
    dz2 = ((p - y) / max(len(X), 1))[:, None]
    dz1 = (dz2 @ params["W2"].T) * (z1 > 0)
    return loss, {"W1": X.T @ dz1, "b1": dz1.sum(axis=0), "W2": h1.T @ dz2, "b2": dz2.sum(axis=0)}


def train(X: np.ndarray, y: np.ndarray, params: dict, lr: float, steps: int) -> tuple[dict, float]:
    """`steps` of full-batch gradient descent; returns the new params and the last loss."""
    loss = float("nan")
    for _ in range(steps):
        loss, grads = loss_and_grads(X, y, params)
        params = {name: params[name] - lr * grads[name] for name in PARAMETERS}
    return params, loss


def dead_units(X: np.ndarray, params: dict) -> int:
    """Hidden units whose ReLU is off (z1 ≤ 0) for every point: they get no gradient at all."""
    if not len(X) or not finite(params):
        return 0
    z1 = X @ params["W1"] + params["b1"]
    return int(np.sum(np.all(z1 <= 0, axis=0)))


def finite(params: dict) -> bool:
    return all(np.all(np.isfinite(params[name])) for name in PARAMETERS)


def grid_points(columns: int, rows: int) -> np.ndarray:
    xs = np.linspace(-VIEW, VIEW, columns)
    ys = np.linspace(-VIEW, VIEW, rows)
    return np.array([[x, y] for y in ys for x in xs])


def boundary(labels: np.ndarray, columns: int, rows: int) -> np.ndarray:
    """Mask of the grid points whose label differs from the point right of or above them."""
    grid = labels.reshape(rows, columns)
    edge = np.zeros_like(grid, dtype=bool)
    edge[:, :-1] |= grid[:, :-1] != grid[:, 1:]
    edge[:-1, :] |= grid[:-1, :] != grid[1:, :]
    return edge.reshape(-1)


def _w(x: float) -> str:
    """A weight in the panel's table: two decimals, six characters, − for minus, no −0.00."""
    text = f"{x:6.2f}"
    return text.replace("-0.00", " 0.00").replace("-", "−")


def sparkline(values: list[float], width: int) -> str:
    values = [v for v in values if math.isfinite(v)][-width:]
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = hi - lo or 1.0
    return "".join(SPARK[min(7, int((v - lo) / span * 7.999))] for v in values)


@dataclass(frozen=True)
class Snapshot:
    """One training state posted by the worker; `version` says which data and net it is for."""

    version: int
    params: dict
    step: int
    loss: float


# --- the screen ----------------------------------------------------------------------------------
class NeuronForgeScreen(ToolScreen):
    TOOL_NAME = "NeuronForge"
    TOOL_TAGLINE = "one hidden layer bends the line"
    LAB_MODULE = "perceptron-reborn"

    BINDINGS = [
        Binding("up", "move(0,1)", "Move", show=False),
        Binding("down", "move(0,-1)", "Move", show=False),
        Binding("left", "move(-1,0)", "Move", show=False),
        Binding("right", "move(1,0)", "Move", show=False),
        Binding("t", "train", "Train"),
        Binding("s", "step", "Step", show=False),
        Binding("p", "preset", "Preset"),
        Binding("1", "add(1)", "Add", key_display="1 0"),
        Binding("0", "add(0)", "Add ○", show=False),
        Binding("space", "grab", "Grab"),
        Binding("x", "delete", "Delete", show=False),
        Binding("plus,equals_sign", "width(1)", "Units", show=False),
        Binding("minus", "width(-1)", "Units", show=False),
        Binding("right_square_bracket", "rate(1)", "lr", show=False),
        Binding("left_square_bracket", "rate(-1)", "lr", show=False),
        Binding("r", "reset", "Reset", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.preset = 3
        self.X, self.y = preset_points(PRESETS[self.preset])
        self.cursor = np.zeros(2)
        self.grabbed: int | None = None
        self.width_index = WIDTHS.index(16)
        self.rate_index = RATES.index(1.0)
        self.seed = 0
        self.version = 0  # bumped by every change that makes a running training stale
        self.training = False
        self.params = init_params(self.hidden, self.seed)
        self.step = 0
        self.losses: list[float] = []
        self.diverged = False
        self.yours_grid: np.ndarray | None = None  # what the player's network says on the grid
        self._asked: dict = {}  # your-code key -> (params, X, y) it was asked about

    @property
    def hidden(self) -> int:
        return WIDTHS[self.width_index]

    @property
    def lr(self) -> float:
        return RATES[self.rate_index]

    # --- layout -----------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Static(id="panel", classes="tool-panel")
        yield ToolPlot(id="plot", classes="tool-plot")

    # --- the data ------------------------------------------------------------------------------
    def _data_changed(self, message: str) -> None:
        self.version += 1
        self.losses = []
        self.yours_grid = None
        self._restart()
        self.say(message)
        self.refresh_view()

    def _nearest(self) -> int | None:
        if not len(self.X):
            return None
        distance = np.linalg.norm(self.X - self.cursor, axis=1)
        index = int(np.argmin(distance))
        return index if distance[index] <= REACH else None

    def action_move(self, dx: int, dy: int) -> None:
        self.cursor = np.clip(self.cursor + STEP * np.array([dx, dy]), -VIEW, VIEW)
        if self.grabbed is not None:
            X = self.X.copy()
            X[self.grabbed] = self.cursor
            self.X = X
            self._data_changed(f"moving point {self.grabbed + 1} · space drops it")
            return
        self.refresh_view()

    def action_add(self, label: int) -> None:
        self.X = np.vstack([self.X, self.cursor])
        self.y = np.append(self.y, label)
        self._data_changed(f"added a class-{label} point at ({fmt(self.cursor[0], 2)}, {fmt(self.cursor[1], 2)})")

    def action_grab(self) -> None:
        if self.grabbed is not None:
            self.grabbed = None
            self.say("dropped")
            self.refresh_view()
            return
        index = self._nearest()
        if index is None:
            self.say("no point near the cursor to grab", error=True)
            return
        self.grabbed = index
        self.cursor = self.X[index].copy()
        self.say(f"holding point {index + 1}: arrows move it, space drops it")
        self.refresh_view()

    def action_delete(self) -> None:
        index = self.grabbed if self.grabbed is not None else self._nearest()
        if index is None:
            self.say("no point near the cursor to delete", error=True)
            return
        self.X = np.delete(self.X, index, axis=0)
        self.y = np.delete(self.y, index)
        self.grabbed = None
        self._data_changed(f"deleted a point; {len(self.X)} left")

    def action_preset(self) -> None:
        self.preset = (self.preset + 1) % len(PRESETS)
        self.X, self.y = preset_points(PRESETS[self.preset])
        self.grabbed = None
        self._new_network(f"preset: {PRESETS[self.preset]}")

    # --- the network ------------------------------------------------------------------------------
    def _new_network(self, message: str) -> None:
        self.params = init_params(self.hidden, self.seed)
        self.step = 0
        self.diverged = False
        self._data_changed(message)

    def action_width(self, direction: int) -> None:
        self.width_index = min(max(self.width_index + direction, 0), len(WIDTHS) - 1)
        self._new_network(f"{self.hidden} hidden units: a fresh network")

    def action_rate(self, direction: int) -> None:
        self.rate_index = min(max(self.rate_index + direction, 0), len(RATES) - 1)
        self.version += 1
        self._restart()
        self.say(f"learning rate {fmt(self.lr)}")
        self.refresh_view()

    def action_reset(self) -> None:
        self.seed += 1
        self._new_network(f"new random weights (seed {self.seed})")

    def action_train(self) -> None:
        self.training = not self.training
        if self.training and self.diverged:
            self.training = False
            self.say("this network diverged: r resets it, [ lowers the learning rate", error=True)
            return
        if not self.training:
            self.version += 1  # a chunk still in flight is dropped: the pause is where the message says
        self._restart()
        self.say("training… t pauses" if self.training else f"paused at step {self.step}")
        self.refresh_view()

    def action_step(self) -> None:
        """One chunk of steps by hand, in the UI thread (it is small)."""
        if self.yours_on:
            self.say("in your-code mode your lab trains: t starts it")
            return
        self._apply(Snapshot(self.version, *self._train_chunk(self.params)))

    def _train_chunk(self, params: dict) -> tuple[dict, int, float]:
        new, loss = train(self.X, self.y, params, self.lr, CHUNK)
        return new, self.step + CHUNK, loss

    def _restart(self) -> None:
        """Stop the worker; start a fresh one when the tool itself should be training."""
        self.workers.cancel_group(self, "train")
        if self.training and not self.yours_on and not self.diverged:
            self._train_worker(self.version, self.params, self.step)

    @work(thread=True, exclusive=True, group="train", description="training the network")
    def _train_worker(self, version: int, params: dict, step: int) -> None:
        worker = get_current_worker()
        X, y, lr = self.X, self.y, self.lr
        while not worker.is_cancelled:
            params, loss = train(X, y, params, lr, CHUNK)
            step += CHUNK
            self.app.call_from_thread(self._apply, Snapshot(version, params, step, loss))
            if not finite(params):
                return
            worker.cancelled_event.wait(0.05)  # a breath for the UI and for the other core

    def _apply(self, snapshot: Snapshot, redraw: bool = True) -> None:
        """A new training state, unless the data or the net changed since it was computed."""
        if snapshot.version != self.version:
            return
        self.params, self.step = snapshot.params, snapshot.step
        self.losses.append(snapshot.loss)
        if not finite(self.params) or not math.isfinite(snapshot.loss):
            self.diverged, self.training = True, False
            self.workers.cancel_group(self, "train")
            self.say(f"DIVERGED at step {self.step}: learning rate {fmt(self.lr)} is too high "
                     "(r resets, [ lowers it)", error=True)
        if redraw and self.is_mounted:
            self.refresh_view()

    # --- your code: the player's mlp_forward and mlp_backward train in the sandbox ------------------
    def action_yours(self) -> None:
        super().action_yours()
        self.yours_grid = None
        self._restart()
        self.refresh_view()

    def your_cases(self):
        if not len(self.X):
            return "add some points first"
        steps = YOUR_CHUNK if self.training and not self.diverged else 0
        key = ("neuronforge", self.version, self.step, steps)
        params = {name: value.copy() for name, value in self.params.items()}
        self._asked = {**dict(list(self._asked.items())[-3:]), key: (params, self.X.copy(), self.y.copy())}
        return key, [{"script": _your_script(self.X, self.y, params, self.lr, steps)}]

    def _take_yours(self, answer: Answer) -> None:
        """Training in your-code mode: the answer for the current state moves the network on."""
        key = answer.key
        if key not in self._asked or answer.problem or not answer.outcomes or not answer.outcomes[0].ok:
            return
        value = answer.outcomes[0].value
        if not isinstance(value, dict):
            return
        try:
            self.yours_grid = np.asarray(value["grid"], dtype=float).reshape(-1)
        except (KeyError, TypeError, ValueError):
            self.yours_grid = None
        steps = key[3]
        if steps and key[1] == self.version and key[2] == self.step:
            try:
                params = {name: np.asarray(value["params"][name], dtype=float) for name in PARAMETERS}
                if any(params[name].shape != self.params[name].shape for name in PARAMETERS):
                    raise ValueError("shapes")
            except (KeyError, TypeError, ValueError):
                self.say("your lab's training sent back weights of the wrong shape: paused", error=True)
                self.training = False
                return
            loss, _ = loss_and_grads(self.X, self.y, params) if finite(params) else (float("nan"), None)
            self._apply(Snapshot(self.version, params, self.step + steps, loss), redraw=False)

    def your_checks(self, answer: Answer) -> list[Check]:
        params, X, y = self._asked[answer.key]
        outcome = answer.outcomes[0]
        value = outcome.value if isinstance(outcome.value, dict) else {}
        loss, grads = loss_and_grads(X, y, params)
        try:
            p = np.clip(np.asarray(value["p"], dtype=float).reshape(-1), 1e-12, 1 - 1e-12)
            yours_loss = float(np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p)))
            loss_check = number_check("loss", Outcome(True, yours_loss), loss, fmt, rtol=1e-6, atol=1e-9)
        except (KeyError, TypeError, ValueError):
            loss_check = Check("loss", "no p from mlp_forward", fmt(loss), None)
        checks = [loss_check]
        for name in PARAMETERS:
            checks.append(_gradient_check(name, value.get("grads"), grads[name]))
        return checks

    # --- drawing --------------------------------------------------------------------------------------
    def refresh_view(self) -> None:
        if not self.is_mounted:
            return
        if self.yours_on and self.labcode.answer is not None:
            self._take_yours(self.labcode.answer)
        self.query_one("#panel", Static).update(self._panel())
        self._draw()

    def _fit(self) -> tuple[float, float]:
        """(loss, accuracy) of the network on the points; nan when there is nothing to measure."""
        if not len(self.X) or not finite(self.params):
            return float("nan"), float("nan")
        loss = self.losses[-1] if self.losses else loss_and_grads(self.X, self.y, self.params)[0]
        return loss, float(np.mean((forward(self.X, self.params)[1] > 0.5) == self.y))

    def _panel(self) -> Text:
        t = Text()
        loss, accuracy = self._fit()
        t.append(f"{PRESETS[self.preset]}", style="bold")
        t.append(f"  {int(np.sum(self.y == 1))} ● {int(np.sum(self.y == 0))} ○\n")
        t.append(f"2 → {self.hidden} ReLU → 1 sigmoid\n", style="cyan")
        t.append(f"lr {fmt(self.lr)}  step {self.step}  ")
        if self.diverged:
            t.append("✗ diverged\n", style="bold red")
        else:
            t.append(*(("▶ training\n", "bold green") if self.training else ("❚❚ paused\n", "dim")))
        t.append(f"loss {fmt(loss)}  accuracy {fmt(accuracy, 3)}\n", style="bold")
        dead = dead_units(self.X, self.params)
        if dead:
            t.append(f"{dead} of {self.hidden} units dead: off for every point\n",
                     style="bold red" if dead == self.hidden else "red")
        t.append(f"{sparkline(self.losses, 30)}\n", style="yellow")
        if self.yours_on:
            t.append("trained by your lab\n", style="dim")
            self.render_yours(t)
            return t
        self._weights(t)
        x, y = self.cursor
        p = forward(self.cursor[None, :], self.params)[1][0] if finite(self.params) else float("nan")
        t.append(f"cursor ({fmt(x, 2)}, {fmt(y, 2)})  p {fmt(p, 3)}\n", style="dim")
        t.append("+/- units  [/] lr  x delete  r reset", style="dim")
        return t

    def _weights(self, t: Text) -> None:
        W1, b1, W2 = self.params["W1"], self.params["b1"], self.params["W2"][:, 0]
        rows = min(self.hidden, 6)
        t.append(" unit     w₁     w₂      b    out\n", style="dim")
        for j in range(rows):
            t.append(f" h{j + 1:<3}{_w(W1[0, j])} {_w(W1[1, j])} {_w(b1[j])} {_w(W2[j])}\n")
        if self.hidden > rows:
            t.append(f" … {self.hidden - rows} more units\n", style="dim")
        t.append(f" b₂ {fmt(self.params['b2'][0], 3)}\n")

    def _draw(self) -> None:
        plot = self.query_one("#plot", ToolPlot)
        plot.clear()
        # a little finer than the braille dots (2 × 4 per cell), so that every dot is sampled
        columns = max(3 * (plot.size.width - 7), 8) if plot.size.width else GRID[0]
        rows = max(5 * (plot.size.height - 3), 8) if plot.size.height else GRID[1]
        columns, rows = min(columns, 300), min(rows, 200)
        G = grid_points(columns, rows)
        labels = self._grid_labels(G)
        if labels is not None:
            inside = labels == 1
            plot.scatter(G[inside, 0], G[inside, 1], marker_style="grey23", hires_mode=HiResMode.BRAILLE)
            edge = boundary(labels, columns, rows)
            plot.scatter(G[edge, 0], G[edge, 1], marker_style="bold yellow", hires_mode=HiResMode.BRAILLE)
        for label, marker, style in ((1, "●", "bold red"), (0, "○", "bold cyan")):
            chosen = self.y == label
            if np.any(chosen):
                plot.scatter(self.X[chosen, 0], self.X[chosen, 1], marker=marker, marker_style=style)
        plot.scatter([self.cursor[0]], [self.cursor[1]], marker="+" if self.grabbed is None else "◎",
                     marker_style="bold white")
        plot.set_xlimits(-VIEW, VIEW)
        plot.set_ylimits(-VIEW, VIEW)

    def _grid_labels(self, G: np.ndarray) -> np.ndarray | None:
        """The network's label at each grid point: the player's in your-code mode, else the tool's."""
        if self.yours_on:
            grid = self.yours_grid
            if grid is None:
                return None
            resampled = _resample(grid, GRID, G)
            return None if resampled is None else (resampled > 0.5).astype(int)
        if not finite(self.params):
            return None
        return (forward(G, self.params)[1] > 0.5).astype(int)

    def on_resize(self) -> None:
        if self.is_mounted:
            self.refresh_view()


# --- your code: the script the sandbox runs, and how its numbers are read ------------------------
_SCRIPT = """X = np.array({X!r})
y = np.array({y!r})
G = np.array({G!r})
params = {{name: np.array(value) for name, value in {params!r}.items()}}
p, cache = lab.mlp_forward(X, {{k: v.copy() for k, v in params.items()}})
grads = lab.mlp_backward(X, y, params, cache)
first_p = np.asarray(p, dtype=float).reshape(-1)
first_grads = {{k: np.asarray(grads[k], dtype=float) for k in ("W1", "b1", "W2", "b2")}}
for _ in range({steps}):
    p, cache = lab.mlp_forward(X, params)
    grads = lab.mlp_backward(X, y, params, cache)
    params = {{k: params[k] - {lr!r} * np.asarray(grads[k], dtype=float) for k in ("W1", "b1", "W2", "b2")}}
grid, _ = lab.mlp_forward(G, params)
result = {{"p": first_p, "grads": first_grads, "params": params,
          "grid": np.asarray(grid, dtype=float).reshape(-1)}}
"""


def _your_script(X, y, params, lr: float, steps: int) -> str:
    G = grid_points(*GRID)
    return _SCRIPT.format(X=X.tolist(), y=[int(v) for v in y], G=G.tolist(),
                          params={k: v.tolist() for k, v in params.items()}, steps=int(steps), lr=float(lr))


def _resample(values: np.ndarray, shape: tuple[int, int], G: np.ndarray) -> np.ndarray | None:
    """Values on the GRID-shaped grid, read at the points G (nearest grid point)."""
    columns, rows = shape
    if values.shape != (columns * rows,):
        return None
    col = np.clip(np.rint((G[:, 0] + VIEW) / (2 * VIEW) * (columns - 1)).astype(int), 0, columns - 1)
    row = np.clip(np.rint((G[:, 1] + VIEW) / (2 * VIEW) * (rows - 1)).astype(int), 0, rows - 1)
    return values.reshape(rows, columns)[row, col]


def _gradient_check(name: str, sent, tool: np.ndarray) -> Check:
    label = f"∂L/∂{name}"
    shown = f"|·| {fmt(float(np.linalg.norm(tool)), 4)}"
    if not isinstance(sent, dict) or sent.get(name) is None:
        return Check(label, "no gradients" if not isinstance(sent, dict) else "missing", shown, None)
    try:
        mine = np.asarray(sent[name], dtype=float)
    except (TypeError, ValueError):
        return Check(label, "not numbers", shown, None)
    if mine.shape != tool.shape:
        return Check(label, f"shape {mine.shape}", f"shape {tool.shape}", False)
    agree = bool(np.allclose(mine, tool, rtol=1e-6, atol=1e-9))
    return Check(label, f"|·| {fmt(float(np.linalg.norm(mine)), 4)}", shown, agree)
