"""DeepStack: activation and gradient norms block by block, for a stack of any depth, live.

The network is module 8's tower: an input layer, `depth` blocks of width `width`, an output
layer, trained on two spirals with the boss's loop (SGD with momentum 0.9, rate 0.02, batches
of 64). Each block is h ← relu(norm(h) W + b), or h ← h + relu(norm(h) W + b) with the
residual path; the player switches the init (nn.Linear's default, LeCun, Xavier, He, He shrunk
by 1/√depth in the blocks, N(0, 1)), the normalisation (none, LayerNorm, RMSNorm), the
residual path, the depth and the width. The plot shows, for every block on a log scale, the
RMS of its output and ‖∂L/∂W‖ of its weights on a fixed probe batch, with the boss's band for
the gradients. Training runs in a thread worker a few steps at a time and posts each state;
space pauses it, and every switch builds a fresh network.

With y (your code), the player's module-8 lab runs in the sandbox: `signal_stats` on a plain
stack of this depth and width with this init's standard deviation, beside the tool's numbers
(the same recipe, the same seed), and the player's own tower at init against the boss's band.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static
from textual.worker import Worker, WorkerState, get_current_worker
from textual_plot import HiResMode

from ..labcode import Answer, Check, Garbage, Outcome, as_array, explain, number_check
from ._base import ToolPlot, ToolScreen, fmt

# the boss's band for ‖∂L/∂W[l]‖ at init (bosses/init-and-norm/boss.py; a test keeps them equal)
GRAD_LOW, GRAD_HIGH, GRAD_RATIO = 1e-3, 1e3, 30.0
RATE, MOMENTUM, BATCH, CHUNK = 0.02, 0.9, 64, 5
DEPTHS = (1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 50, 64, 80, 100)
WIDTHS = (8, 16, 32, 64, 128)
NORMS = ("none", "LayerNorm", "RMSNorm")
EPS = 1e-5
SPARK = "▁▂▃▄▅▆▇█"


# --- the inits: the standard deviation of a block's weights, from (fan_in, fan_out, depth) -----------
def _default(fan_in, fan_out, depth):
    return math.sqrt(1 / (3 * fan_in))  # nn.Linear's U(±1/√fan_in) has variance 1/(3 fan_in)


INITS: tuple[tuple[str, object], ...] = (
    ("nn.Linear default", _default),
    ("LeCun 1/n", lambda fan_in, fan_out, depth: math.sqrt(1 / fan_in)),
    ("Xavier", lambda fan_in, fan_out, depth: math.sqrt(2 / (fan_in + fan_out))),
    ("He", lambda fan_in, fan_out, depth: math.sqrt(2 / fan_in)),
    ("He ÷ √depth", lambda fan_in, fan_out, depth: math.sqrt(2 / fan_in / depth)),
    ("N(0, 1)", lambda fan_in, fan_out, depth: 1.0),
)


@dataclass(frozen=True)
class Config:
    depth: int = 20
    width: int = 32
    init: int = 3  # index into INITS
    norm: int = 0  # index into NORMS
    residual: bool = False
    seed: int = 0

    @property
    def block_std(self) -> float:
        return INITS[self.init][1](self.width, self.width, self.depth)

    def describe(self) -> str:
        parts = [INITS[self.init][0], NORMS[self.norm] if self.norm else "no norm",
                 "residual" if self.residual else "plain"]
        return f"{self.depth} blocks of {self.width}: " + ", ".join(parts)


# --- the network, in NumPy -----------------------------------------------------------------------
def build(config: Config) -> dict:
    """The tower's parameters, named and shaped as module 8's boss wants them."""
    rng = np.random.default_rng(config.seed)
    d, w = config.depth, config.width
    first = INITS[config.init][1] if config.init != 4 else INITS[3][1]  # ÷√depth is for the blocks
    return {"W_in": rng.standard_normal((2, w)) * first(2, w, d), "b_in": np.zeros(w),
            "gamma": np.ones((d, w)), "beta": np.zeros((d, w)),
            "W": rng.standard_normal((d, w, w)) * config.block_std, "b": np.zeros((d, w)),
            "W_out": rng.standard_normal((w, 2)) * first(w, 2, d), "b_out": np.zeros(2)}


def _norm(h, gamma, beta, kind: int):
    """(normalised h, what the backward needs)."""
    if kind == 0:
        return h, None
    mean = h.mean(axis=1, keepdims=True) if kind == 1 else 0.0
    scale = 1 / np.sqrt(((h - mean) ** 2).mean(axis=1, keepdims=True) + EPS)
    x_hat = (h - mean) * scale
    return gamma * x_hat + (beta if kind == 1 else 0.0), (x_hat, scale)


def _norm_backward(da, saved, gamma, kind: int):
    """(dh, dgamma, dbeta) through _norm."""
    if kind == 0:
        return da, 0.0, 0.0
    x_hat, scale = saved
    dx_hat = da * gamma
    centred = dx_hat - dx_hat.mean(axis=1, keepdims=True) if kind == 1 else dx_hat
    dh = (centred - x_hat * (dx_hat * x_hat).mean(axis=1, keepdims=True)) * scale
    return dh, (da * x_hat).sum(axis=0), (da.sum(axis=0) if kind == 1 else 0.0)


def forward(config: Config, params: dict, X: np.ndarray):
    """(logits, cache, rms): rms[l] is the root mean square of block l's output."""
    h = X @ params["W_in"] + params["b_in"]
    cache, rms = [], []
    for l in range(config.depth):
        a, saved = _norm(h, params["gamma"][l], params["beta"][l], config.norm)
        z = a @ params["W"][l] + params["b"][l]
        cache.append((a, saved, z))
        h = h + np.maximum(z, 0) if config.residual else np.maximum(z, 0)
        rms.append(float(np.sqrt(np.mean(h ** 2))))
    return h @ params["W_out"] + params["b_out"], (X, cache, h), rms


def backward(config: Config, params: dict, cache, dlogits: np.ndarray) -> dict:
    X, blocks, top = cache
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["W_out"], grads["b_out"] = top.T @ dlogits, dlogits.sum(axis=0)
    dh = dlogits @ params["W_out"].T
    for l in reversed(range(config.depth)):
        a, saved, z = blocks[l]
        dz = dh * (z > 0)
        grads["W"][l], grads["b"][l] = a.T @ dz, dz.sum(axis=0)
        dx, grads["gamma"][l], grads["beta"][l] = _norm_backward(dz @ params["W"][l].T, saved,
                                                                 params["gamma"][l], config.norm)
        dh = dh + dx if config.residual else dx
    grads["W_in"], grads["b_in"] = X.T @ dh, dh.sum(axis=0)
    return grads


def cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """The mean softmax cross-entropy and dL/dlogits."""
    top = logits.max(axis=1, keepdims=True)
    p = np.exp(logits - top)
    total = p.sum(axis=1)
    loss = float(np.mean(top[:, 0] + np.log(total) - logits[np.arange(len(y)), y]))
    p /= total[:, None]
    p[np.arange(len(y)), y] -= 1
    return loss, p / len(y)


def spirals(seed: int, per_arm: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Two spiral arms, one and a quarter turns, labels 0 and 1, shuffled."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, 1, 2 * per_arm)
    arm = np.repeat([0, 1], per_arm)
    angle = 2.5 * np.pi * t + np.pi * arm
    X = (0.15 + 0.85 * t)[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    order = rng.permutation(2 * per_arm)
    return X[order] + 0.04 * rng.standard_normal((2 * per_arm, 2)), arm[order]


@dataclass(frozen=True)
class Stats:
    """One look at the network on the probe batch."""

    loss: float
    rms: list[float]  # per block: RMS of its output
    grads: list[float]  # per block: ‖∂L/∂W[l]‖


def measure(config: Config, params: dict, X: np.ndarray, y: np.ndarray) -> Stats:
    with np.errstate(all="ignore"):
        logits, cache, rms = forward(config, params, X)
        loss, dlogits = cross_entropy(logits, y)
        grads = backward(config, params, cache, dlogits)
    return Stats(loss, rms, [float(np.linalg.norm(g)) for g in grads["W"]])


def train(config: Config, params: dict, velocity: dict, X, y, step: int, steps: int) -> float:
    """`steps` of the boss's loop from step `step`, in place on params and velocity; the last
    batch's loss. The batches depend on the seed and the step only, so a pause changes nothing."""
    rng = np.random.default_rng((config.seed, step))
    loss = float("nan")
    with np.errstate(all="ignore"):
        for _ in range(steps):
            rows = rng.choice(len(X), BATCH, replace=False)
            logits, cache, _ = forward(config, params, X[rows])
            loss, dlogits = cross_entropy(logits, y[rows])
            grads = backward(config, params, cache, dlogits)
            for name in params:
                velocity[name] = MOMENTUM * velocity[name] + grads[name]
                params[name] -= RATE * velocity[name]
    return loss


def verdict(grads: list[float]) -> tuple[bool, str]:
    """The boss's band: (healthy, why), for the gradient norms at init."""
    g = np.asarray(grads, dtype=float)
    if not np.all(np.isfinite(g)):
        return False, "overflow: some gradient is inf or nan"
    low, high = float(g.min()), float(g.max())
    if low < GRAD_LOW:
        return False, f"vanishing: a block's ‖∂L/∂W‖ is {fmt(low, 2)}, under {fmt(GRAD_LOW)}"
    if high > GRAD_HIGH:
        return False, f"exploding: a block's ‖∂L/∂W‖ is {fmt(high, 2)}, over {fmt(GRAD_HIGH)}"
    if high > GRAD_RATIO * low:
        return False, f"uneven: the blocks' ‖∂L/∂W‖ span {fmt(high / low, 3)}×, over {fmt(GRAD_RATIO)}×"
    return True, f"healthy: in the band, within {fmt(high / low, 3)}×"


def signal_stats(depth: int, width: int, weight_std: float, seed: int = 0) -> tuple[list[float], list[float]]:
    """Module 8's signal_stats, the brief's recipe (the tool's side of your-code mode)."""
    rng = np.random.default_rng(seed)
    Ws = [rng.standard_normal((width, width)) * weight_std for _ in range(depth)]
    h = rng.standard_normal((256, width))
    dh = rng.standard_normal((256, width))
    zs, stds = [], []
    with np.errstate(all="ignore"):
        for W in Ws:
            zs.append(h @ W)
            h = np.maximum(zs[-1], 0.0)
            stds.append(float(h.std()))
        norms = [0.0] * depth
        for l in reversed(range(depth)):
            norms[l] = float(np.linalg.norm(dh))
            dh = (dh * (zs[l] > 0)) @ Ws[l].T
    return stds, norms


def sparkline(values: list[float], width: int) -> str:
    values = [v for v in values if math.isfinite(v)][-width:]
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = hi - lo or 1.0
    return "".join(SPARK[min(7, int((v - lo) / span * 7.999))] for v in values)


def log10(values) -> np.ndarray:
    """log10 for the plot: zeros sit at the floor, overflow at the ceiling."""
    v = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        out = np.log10(np.where(v > 0, v, 1e-30))
    return np.clip(np.nan_to_num(out, nan=30.0, posinf=30.0, neginf=-30.0), -30.0, 30.0)


@dataclass(frozen=True)
class Snapshot:
    """One training state posted by the worker; `version` says which network it belongs to."""

    version: int
    step: int
    loss: float
    stats: Stats
    params: dict
    velocity: dict


# --- the screen ----------------------------------------------------------------------------------
class DeepStackScreen(ToolScreen):
    TOOL_NAME = "DeepStack"
    TOOL_TAGLINE = "a signal through a deep stack, block by block"
    LAB_MODULE = "init-and-norm"

    BINDINGS = [
        Binding("space", "train", "Train"),
        Binding("i", "init", "Init"),
        Binding("n", "norm", "Norm"),
        Binding("r", "residual", "Residual"),
        Binding("plus,equals_sign", "depth(1)", "Depth", key_display="+ -"),
        Binding("minus", "depth(-1)", "Depth", show=False),
        Binding("w", "width", "Width", show=False),
        Binding("s", "seed", "Seed", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.config = Config()
        self.X, self.y = spirals(1)
        self.probe_X, self.probe_y = spirals(2, 128)
        self.version = 0
        self.training = False
        self.diverged = False
        self._rebuild()

    # --- the network -------------------------------------------------------------------------
    def _rebuild(self) -> None:
        """A fresh network for the current config: step 0, its stats at init."""
        self.version += 1
        self.params = build(self.config)
        self.velocity = {name: np.zeros_like(value) for name, value in self.params.items()}
        self.step, self.losses, self.diverged = 0, [], False
        self.at_init = self.stats = measure(self.config, self.params, self.probe_X, self.probe_y)

    def _switch(self, message: str, **change) -> None:
        self.config = Config(**{**self.config.__dict__, **change})
        self._rebuild()
        self._restart()
        self.say(message)
        self.refresh_view()

    def action_init(self) -> None:
        index = (self.config.init + 1) % len(INITS)
        self._switch(f"init: {INITS[index][0]}", init=index)

    def action_norm(self) -> None:
        index = (self.config.norm + 1) % len(NORMS)
        self._switch(f"normalisation: {NORMS[index]}", norm=index)

    def action_residual(self) -> None:
        on = not self.config.residual
        self._switch("residual path on: h ← h + block(h)" if on else "residual path off: h ← block(h)",
                     residual=on)

    def action_depth(self, direction: int) -> None:
        at = DEPTHS.index(self.config.depth) if self.config.depth in DEPTHS else DEPTHS.index(20)
        depth = DEPTHS[max(0, min(len(DEPTHS) - 1, at + direction))]
        self._switch(f"depth {depth}", depth=depth)

    def action_width(self) -> None:
        width = WIDTHS[(WIDTHS.index(self.config.width) + 1) % len(WIDTHS)]
        self._switch(f"width {width}", width=width)

    def action_seed(self) -> None:
        self._switch(f"new random weights (seed {self.config.seed + 1})", seed=self.config.seed + 1)

    def action_train(self) -> None:
        if self.diverged:
            self.say("this network diverged: switch something or s for new weights", error=True)
            return
        self.training = not self.training
        if not self.training:
            self.version += 1  # a chunk still in flight is dropped: the pause is where it says
        self._restart()
        self.say("training… space pauses" if self.training else f"paused at step {self.step}")
        self.refresh_view()

    def _restart(self) -> None:
        self.workers.cancel_group(self, "train")
        if self.training and not self.diverged:
            self._train_worker(self.version, self.config, self.params, self.velocity, self.step)

    @work(thread=True, exclusive=True, group="train", description="training the stack")
    def _train_worker(self, version: int, config: Config, params: dict, velocity: dict, step: int) -> None:
        """Chunks of CHUNK steps on its own copies; each state goes to the UI as a Snapshot."""
        worker = get_current_worker()
        params = {name: value.copy() for name, value in params.items()}
        velocity = {name: value.copy() for name, value in velocity.items()}
        while not worker.is_cancelled:
            loss = train(config, params, velocity, self.X, self.y, step, CHUNK)
            step += CHUNK
            stats = measure(config, params, self.probe_X, self.probe_y)
            if worker.is_cancelled:
                return
            snapshot = Snapshot(version, step, loss, stats, {k: v.copy() for k, v in params.items()},
                                {k: v.copy() for k, v in velocity.items()})
            self.app.call_from_thread(self._apply, snapshot)
            if not math.isfinite(loss):
                return
            worker.cancelled_event.wait(0.05)  # a breath for the UI and for the other core

    def _apply(self, snapshot: Snapshot) -> None:
        if snapshot.version != self.version:
            return
        self.step, self.stats = snapshot.step, snapshot.stats
        self.params, self.velocity = snapshot.params, snapshot.velocity
        self.losses.append(snapshot.loss)
        if not math.isfinite(snapshot.loss):
            self.diverged, self.training = True, False
            self.workers.cancel_group(self, "train")
            self.say(f"DIVERGED at step {self.step}: the loss overflowed", error=True)
        if self.is_mounted:
            self.refresh_view()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.training = False
            self.say(f"the training stopped: {event.worker.error}", error=True)

    def on_unmount(self) -> None:
        self.workers.cancel_group(self, "train")
        super().on_unmount()

    # --- layout --------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Static(id="panel", classes="tool-panel")
        yield ToolPlot(id="plot", classes="tool-plot")

    def on_resize(self) -> None:
        if self.is_mounted:
            self.refresh_view()

    def refresh_view(self) -> None:
        self.query_one("#panel", Static).update(self._panel())
        self._draw()

    def _panel(self) -> Text:
        c, s = self.config, self.stats
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(f"{c.depth} blocks of {c.width}", style="bold")
        t.append("  +/- w\n", style="dim")
        t.append("init      ", style="dim")
        t.append(f"{INITS[c.init][0]}\n", style="bold")
        t.append("norm      ", style="dim")
        t.append(f"{NORMS[c.norm]}\n", style="bold")
        t.append("residual  ", style="dim")
        t.append(f"{'on' if c.residual else 'off'}\n", style="bold")
        t.append(f"step {self.step}  loss {fmt(s.loss)}\n")
        t.append(f"{sparkline(self.losses, 34)}\n", style="green")
        rms = np.asarray(s.rms)
        t.append("RMS h     ", style="cyan")
        t.append(f"{fmt(float(rms.min()), 3)} … {fmt(float(rms.max()), 3)}\n")
        t.append("‖∂L/∂W‖   ", style="magenta")
        g = np.asarray(s.grads)
        t.append(f"{fmt(float(g.min()), 3)} … {fmt(float(g.max()), 3)}\n")
        t.append("plot: log10 by block; ┈ the band\n", style="dim")
        healthy, why = verdict(self.at_init.grads)
        t.append("at init: ", style="dim")
        t.append(f"{why}\n", style="green" if healthy else "bold red")
        if self.yours_on:
            self.render_yours(t)
            return t
        t.append("space trains · i n r switch\n", style="dim")
        return t

    def _draw(self) -> None:
        plot = self.query_one("#plot", ToolPlot)
        plot.clear()
        blocks = np.arange(1, self.config.depth + 1, dtype=float)
        rms, grads = log10(self.stats.rms), log10(self.stats.grads)
        for level in (math.log10(GRAD_LOW), math.log10(GRAD_HIGH)):
            plot.plot([0.5, self.config.depth + 0.5], [level, level], line_style="grey35",
                      hires_mode=HiResMode.BRAILLE)
        if self.config.depth > 1:
            plot.plot(blocks, rms, line_style="cyan", hires_mode=HiResMode.BRAILLE)
            plot.plot(blocks, grads, line_style="magenta", hires_mode=HiResMode.BRAILLE)
        plot.scatter(blocks, rms, marker="•", marker_style="bold cyan")
        plot.scatter(blocks, grads, marker="•", marker_style="bold magenta")
        shown = np.concatenate([rms, grads, [math.log10(GRAD_LOW), math.log10(GRAD_HIGH)]])
        low, high = math.floor(float(shown.min())) - 0.5, math.ceil(float(shown.max())) + 0.5
        plot.set_xlimits(0.5, self.config.depth + 0.5)
        plot.set_ylimits(low, high)
        plot.set_xlabel("block")
        plot.set_ylabel("log10")

    # --- your code ------------------------------------------------------------------------------
    def your_cases(self):
        c = self.config
        std = c.block_std
        tower = (f"params = lab.build({c.depth}, 2, {c.width}, 2, np.random.default_rng({c.seed}))\n"
                 f"X = np.array({np.round(self.probe_X, 6).tolist()!r})\n"
                 f"y = np.array({self.probe_y.tolist()!r})\n"
                 "logits, cache = lab.tower_forward(params, X)\n"
                 "logits = np.asarray(logits, dtype=float)\n"
                 "p = np.exp(logits - logits.max(axis=1, keepdims=True))\n"
                 "p /= p.sum(axis=1, keepdims=True)\n"
                 "p[np.arange(len(y)), y] -= 1\n"
                 "grads = lab.tower_backward(params, cache, p / len(y))\n"
                 "result = [float(np.linalg.norm(g)) for g in np.asarray(grads['W'], dtype=float)]\n")
        key = ("deepstack", c.depth, c.width, c.init, c.seed)
        return key, [{"call": {"function": "signal_stats", "args": [c.depth, c.width, std], "kwargs": {"seed": 0}}},
                     {"script": tower}]

    def your_checks(self, answer: Answer) -> list[Check]:
        _, depth, width, init, _ = answer.key
        acts, norms = signal_stats(depth, width, INITS[init][1](width, width, depth))
        stats, tower = answer.outcomes
        checks: list[Check] = []
        if not stats.ok:
            checks.append(Check("stats", explain(stats.error), "signal_stats", None))
        else:
            try:
                mine = as_array(stats.value, (2, depth))
            except Garbage as err:
                checks.append(Check("stats", str(err), "(acts, grads)", None))
            else:
                checks += [number_check("std h₁", Outcome(True, float(mine[0, 0])), acts[0], fmt, rtol=1e-6),
                           number_check(f"std h{depth}", Outcome(True, float(mine[0, -1])), acts[-1], fmt, rtol=1e-6),
                           number_check(f"‖g{depth}‖", Outcome(True, float(mine[1, -1])), norms[-1], fmt, rtol=1e-6),
                           number_check("‖g₁‖", Outcome(True, float(mine[1, 0])), norms[0], fmt, rtol=1e-6)]
        checks.append(self._tower_check(tower, depth))
        return checks

    @staticmethod
    def _tower_check(outcome, depth: int) -> Check:
        """Your tower's ‖∂L/∂W[l]‖ at init against the boss's band."""
        band = f"[{fmt(GRAD_LOW)}, {fmt(GRAD_HIGH)}]"
        if not outcome.ok:
            return Check("tower", explain(outcome.error), band, None)
        try:
            norms = as_array(outcome.value, (depth,))
        except Garbage as err:
            return Check("tower", str(err), band, None)
        healthy, _ = verdict(list(norms))
        shown = f"{fmt(float(norms.min()), 2)}…{fmt(float(norms.max()), 2)}" if np.all(np.isfinite(norms)) else "nan/inf"
        return Check("tower", shown, band, healthy)
