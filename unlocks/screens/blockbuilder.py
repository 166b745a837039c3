"""BlockBuilder: assemble a transformer block from parts, count it, and trace one token through the
shipped tiny GPT value by value.

Build view: the block is a list of parts, each an attention or an FFN sublayer with its LayerNorm
before it (pre-LN, GPT-2), after the residual addition (post-LN, the 2017 Transformer) or absent,
and a residual connection or not. The keys add, drop, move and rewire parts; the panel counts
every part's parameters (with biases and LayerNorms) for the chosen model shape, the block, and
the whole model with embeddings and a tied unembedding; the view draws the data flow with the
shape of every tensor. When the parts are one attention and one FFN, the shipped weights run
through that wiring on validation text, so a rewired block shows what it costs a trained model.

Trace view: the shipped model (`datasets/tinygpt/model.py`) reads a text; every step of its
forward pass (embeddings, each block's LayerNorms, attention, residual additions, MLP, the final
LayerNorm and the logits) is listed with the chosen token's vector, and the chosen value is
shown with the numbers that make it. With y, the player's module-12 `block(x, p, n_head)` runs in
the sandbox on the real input of the chosen block and its output shows beside the model's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from forge_tui.tinygpt import model_module

from ..labcode import Answer, Check, Garbage, as_array, close, explain
from ._base import ToolScreen, fmt

NORMS = ("pre", "post", "none")
NORM_NAMES = {"pre": "pre-LN", "post": "post-LN", "none": "no LN"}
KIND_NAMES = {"attention": "attention", "ffn": "FFN ×4"}
DEFAULT_TEXT = "ROMEO.\nWhat light is this?"
LOSS_WINDOWS = 6  # validation windows of `context` characters for the wiring's loss
SHOWN_VALUES = 8  # values of the traced vector on screen at once


# ---------------------------------------------------------------- the block, as parts

@dataclass(frozen=True)
class Part:
    """One sublayer of a block: what it computes, where its LayerNorm sits, and its residual."""

    kind: str  # "attention" | "ffn"
    norm: str = "pre"  # "pre": normalise its input; "post": normalise after the addition; "none"
    residual: bool = True


GPT2_BLOCK = (Part("attention"), Part("ffn"))


@dataclass(frozen=True)
class ModelShape:
    name: str
    vocab: int
    context: int
    d: int
    n_head: int
    n_layer: int


SHAPES = (
    ModelShape("the shipped tiny GPT", 76, 64, 128, 4, 4),
    ModelShape("GPT-2 small", 50257, 1024, 768, 12, 12),
    ModelShape("GPT-2 medium", 50257, 1024, 1024, 16, 24),
    ModelShape("GPT-2 XL", 50257, 1024, 1600, 25, 48),
)


def sublayer_params(kind: str, d: int) -> int:
    """Attention: c_attn (d × 3d + 3d) and c_proj (d × d + d) = 4d² + 4d. FFN: d × 4d + 4d and
    4d × d + d = 8d² + 5d."""
    return 4 * d * d + 4 * d if kind == "attention" else 8 * d * d + 5 * d


def part_params(part: Part, d: int) -> int:
    """A sublayer and its LayerNorm (a gain and a bias of d each)."""
    return sublayer_params(part.kind, d) + (2 * d if part.norm != "none" else 0)


def block_params(parts, d: int) -> int:
    return sum(part_params(part, d) for part in parts)


def model_params(parts, shape: ModelShape) -> dict[str, int]:
    """The model's parameters by place: token and position embeddings, the blocks, the final
    LayerNorm; the unembedding is tied to the token embedding and adds nothing."""
    embeddings = (shape.vocab + shape.context) * shape.d
    blocks = shape.n_layer * block_params(parts, shape.d)
    final = 2 * shape.d
    return {"embeddings": embeddings, "blocks": blocks, "ln_f": final, "total": embeddings + blocks + final}


def verdict(parts) -> str:
    """What this block is, in one line."""
    kinds = [part.kind for part in parts]
    if tuple(parts) == GPT2_BLOCK:
        return "GPT-2's pre-LN block: the one the tiny GPT was trained with"
    if not parts:
        return "an empty block: the identity"
    if "attention" not in kinds:
        return "no attention: no token can see another, each is on its own"
    if "ffn" not in kinds:
        return "no FFN: two thirds of a block's weights gone, and no per-token MLP"
    if all(part.norm == "post" for part in parts) and kinds == ["attention", "ffn"]:
        return "post-LN: the 2017 Transformer's order; deep stacks need a warm-up"
    if not all(part.residual for part in parts):
        return "a sublayer without its residual: the stream is rewritten, not added to"
    if any(part.norm == "none" for part in parts):
        return "a sublayer without LayerNorm: its input's scale drifts with depth"
    if kinds == ["ffn", "attention"]:
        return "FFN before attention: the weights were trained the other way round"
    return "a block of your own design"


def flow(parts, shape: ModelShape) -> list[tuple[str, str, int]]:
    """The block's data flow: (what happens, the tensor's shape, parameters it adds), in order."""
    d, n_head = shape.d, shape.n_head
    lines: list[tuple[str, str, int]] = [("x, a row per token", f"T×{d}", 0)]
    for i, part in enumerate(parts, start=1):
        if part.residual:
            lines.append((f"{i} ┌ keep x", f"T×{d}", 0))
        bar = "│" if part.residual else " "
        if part.norm == "pre":
            lines.append((f"{i} {bar} LayerNorm", f"T×{d}", 2 * d))
        if part.kind == "attention":
            lines += [(f"{i} {bar} c_attn q|k|v", f"T×{3 * d}", 3 * d * d + 3 * d),
                      (f"{i} {bar} {n_head} heads×{d // n_head}", f"T×{d}", 0),
                      (f"{i} {bar} c_proj", f"T×{d}", d * d + d)]
        else:
            lines += [(f"{i} {bar} c_fc widen", f"T×{4 * d}", 4 * d * d + 4 * d),
                      (f"{i} {bar} GELU", f"T×{4 * d}", 0),
                      (f"{i} {bar} c_proj narrow", f"T×{d}", 4 * d * d + d)]
        if part.residual:
            lines.append((f"{i} └ + kept x", f"T×{d}", 0))
        if part.norm == "post":
            lines.append((f"{i} LayerNorm", f"T×{d}", 2 * d))
    return lines


# ---------------------------------------------------------------- the shipped weights, rewired

def fits_the_weights(parts) -> bool:
    """The shipped blocks hold one attention (with ln_1) and one FFN (with ln_2)."""
    return sorted(part.kind for part in parts) == ["attention", "ffn"]


def rewired_logits(model, parts, ids: np.ndarray) -> np.ndarray:
    """The shipped model's logits with every block wired as `parts` (ids (T,) or (B, T))."""
    gpt, p, eps = model_module(), model.params, model.config["layer_norm_eps"]
    x = gpt.embed(ids, model)
    for i in range(model.config["n_layer"]):
        h = f"h.{i}."
        for part in parts:
            ln = "ln_1" if part.kind == "attention" else "ln_2"

            def norm(v, ln=ln):
                return gpt.layer_norm(v, p[h + ln + ".weight"], p[h + ln + ".bias"], eps)

            inp = norm(x) if part.norm == "pre" else x
            if part.kind == "attention":
                y = gpt.causal_attention(inp, p, h + "attn.", model.config["n_head"])[0]
            else:
                y = gpt.gelu(inp @ p[h + "mlp.c_fc.weight"] + p[h + "mlp.c_fc.bias"]) @ p[h + "mlp.c_proj.weight"] \
                    + p[h + "mlp.c_proj.bias"]
            x = x + y if part.residual else y
            if part.norm == "post":
                x = norm(x)
    return gpt.layer_norm(x, p["ln_f.weight"], p["ln_f.bias"], eps) @ p["wte"].T


def rewired_loss(model, parts) -> float:
    """Mean cross-entropy (nats per character) of the rewired model on LOSS_WINDOWS windows of
    the validation text (the same windows every time)."""
    from forge_tui.corpus import valid_text

    gpt, ctx = model_module(), model.context
    ids = gpt.encode(valid_text()[: LOSS_WINDOWS * ctx + 1], model)
    x = ids[: LOSS_WINDOWS * ctx].reshape(LOSS_WINDOWS, ctx)
    y = ids[1: LOSS_WINDOWS * ctx + 1].reshape(LOSS_WINDOWS, ctx)
    logits = rewired_logits(model, parts, x)
    top = logits.max(axis=-1, keepdims=True)
    log_total = (top + np.log(np.exp(logits - top).sum(axis=-1, keepdims=True)))[..., 0]
    return float(np.mean(log_total - np.take_along_axis(logits, y[..., None], axis=-1)[..., 0]))


# ---------------------------------------------------------------- one token, value by value

@dataclass(frozen=True)
class Step:
    """One step of the forward pass: its name, every token's vector after it, and how one value
    of it is made from the numbers before it."""

    name: str
    values: np.ndarray  # (T, width)
    how: Callable[[int, int], str]  # (token, index) -> one line of numbers
    block: int = -1  # the block this step belongs to, -1 outside the blocks


def _plus(x: float, digits: int = 3) -> str:
    """`+ x` or `− |x|`, for a term added at the end of a sum."""
    return f"{'+' if x >= 0 else '−'} {fmt(abs(x), digits)}"


def _linear_how(x: np.ndarray, W: np.ndarray, b: np.ndarray, label: str) -> Callable[[int, int], str]:
    """A value of x @ W + b: the bias, the sum, and its largest terms."""
    def how(t: int, j: int) -> str:
        terms = x[t] * W[:, j]
        big = np.argsort(-np.abs(terms))[:2]
        parts = " ".join(f"{_plus(float(terms[i]))} (#{i})" for i in big)
        return (f"{label}[{j}] = Σ over {len(terms)} inputs x_i·W[i,{j}] + b = {fmt(float(terms.sum()), 4)} "
                f"{_plus(float(b[j]))} = {fmt(float(terms.sum() + b[j]), 4)}; largest terms {parts}")
    return how


def _norm_how(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> Callable[[int, int], str]:
    def how(t: int, j: int) -> str:
        mean, std = float(x[t].mean()), math.sqrt(float(x[t].var()) + eps)
        out = (x[t, j] - mean) / std * g[j] + b[j]
        return (f"(x − μ)/σ·γ + β = ({fmt(float(x[t, j]), 4)} {_plus(-mean)}) / {fmt(std, 4)} · "
                f"{fmt(float(g[j]), 3)} {_plus(float(b[j]))} = {fmt(float(out), 4)}")
    return how


def _sum_how(a: np.ndarray, b: np.ndarray, left: str, right: str) -> Callable[[int, int], str]:
    def how(t: int, j: int) -> str:
        return (f"{left} + {right} = {fmt(float(a[t, j]), 4)} {_plus(float(b[t, j]), 4)} "
                f"= {fmt(float(a[t, j] + b[t, j]), 4)}")
    return how


def trace(model, ids: np.ndarray) -> list[Step]:
    """Every step of the shipped model's forward pass on ids (T,), with how each value is made."""
    gpt, p, eps, vocabulary = model_module(), model.params, model.config["layer_norm_eps"], model.vocabulary
    T = len(ids)
    wte, wpe = p["wte"][ids], p["wpe"][:T]
    x = wte + wpe
    steps = [Step("wte[id]: the token", wte, lambda t, j: f"row {int(ids[t])} ({vocabulary[ids[t]]!r}) of wte, "
                  f"value {j}: {fmt(float(wte[t, j]), 4)}"),
             Step("wpe[t]: its position", wpe, lambda t, j: f"row {t} of wpe, value {j}: {fmt(float(wpe[t, j]), 4)}"),
             Step("x = wte + wpe", x, _sum_how(wte, wpe, "wte", "wpe"))]
    for i in range(model.config["n_layer"]):
        h, n = f"h.{i}.", i + 1
        a = gpt.layer_norm(x, p[h + "ln_1.weight"], p[h + "ln_1.bias"], eps)
        steps.append(Step(f"{n} ln_1(x)", a, _norm_how(x, p[h + "ln_1.weight"], p[h + "ln_1.bias"], eps), i))
        y, weights = gpt.causal_attention(a, p, h + "attn.", model.config["n_head"])
        heads = (weights @ np.stack(gpt.project_qkv(a, p, h + "attn.", model.config["n_head"])[2])).swapaxes(0, 1)
        mixed = heads.reshape(T, -1)
        steps.append(Step(f"{n} attention", y, _attention_how(mixed, p[h + "attn.c_proj.weight"],
                                                             p[h + "attn.c_proj.bias"], weights), i))
        steps.append(Step(f"{n} x + attention", x + y, _sum_how(x, y, "x", "attention"), i))
        x = x + y
        z = gpt.layer_norm(x, p[h + "ln_2.weight"], p[h + "ln_2.bias"], eps)
        steps.append(Step(f"{n} ln_2(x)", z, _norm_how(x, p[h + "ln_2.weight"], p[h + "ln_2.bias"], eps), i))
        wide = z @ p[h + "mlp.c_fc.weight"] + p[h + "mlp.c_fc.bias"]
        steps.append(Step(f"{n} c_fc (4d wide)", wide, _linear_how(z, p[h + "mlp.c_fc.weight"],
                                                                   p[h + "mlp.c_fc.bias"], "c_fc"), i))
        g = gpt.gelu(wide)
        steps.append(Step(f"{n} GELU", g, lambda t, j, wide=wide, g=g: f"gelu({fmt(float(wide[t, j]), 4)}) = "
                          f"½·u·(1 + tanh(√(2/π)(u + 0.044715u³))) = {fmt(float(g[t, j]), 4)}", i))
        m = g @ p[h + "mlp.c_proj.weight"] + p[h + "mlp.c_proj.bias"]
        steps.append(Step(f"{n} mlp c_proj", m, _linear_how(g, p[h + "mlp.c_proj.weight"],
                                                           p[h + "mlp.c_proj.bias"], "c_proj"), i))
        steps.append(Step(f"{n} x + mlp", x + m, _sum_how(x, m, "x", "mlp"), i))
        x = x + m
    f = gpt.layer_norm(x, p["ln_f.weight"], p["ln_f.bias"], eps)
    steps.append(Step("ln_f(x)", f, _norm_how(x, p["ln_f.weight"], p["ln_f.bias"], eps)))
    logits = f @ p["wte"].T
    steps.append(Step("logits = ln_f(x)·wteᵀ", logits,
                      lambda t, j: f"ln_f(x)·wte[{j}] (the row of {vocabulary[j]!r}: tied) = "
                                   f"{fmt(float(logits[t, j]), 4)}"))
    return steps


def _attention_how(mixed: np.ndarray, W: np.ndarray, b: np.ndarray, weights: np.ndarray) -> Callable[[int, int], str]:
    """A value of the attention's output: c_proj of the heads' mix, and where each head looked."""
    linear = _linear_how(mixed, W, b, "c_proj")

    def how(t: int, j: int) -> str:
        looks = ", ".join(f"h{k + 1}→{int(np.argmax(weights[k, t])) + 1}" for k in range(weights.shape[0]))
        return f"{linear(t, j)}; heads look most at tokens {looks}"
    return how


def clean(text: str, vocabulary: str, context: int) -> str:
    """The characters of `text` the model knows (\\n typed as two characters is a newline), the
    last `context` of them."""
    return "".join(ch for ch in text.replace("\\n", "\n") if ch in vocabulary)[-context:]


def shown(ch: str) -> str:
    return "↵" if ch == "\n" else ch


# ---------------------------------------------------------------- the screen

class BlockBuilderScreen(ToolScreen):
    TOOL_NAME = "BlockBuilder"
    TOOL_TAGLINE = "a transformer block from parts, traced value by value"
    LAB_MODULE = "transformer-block"

    DEFAULT_CSS = """
    BlockBuilderScreen #panel { width: 40; }
    BlockBuilderScreen #view { width: 1fr; height: 1fr; }
    """

    BINDINGS = [
        Binding("v", "view", "Build/Trace"),
        Binding("up", "pick(-1)", "Pick", key_display="↑↓"),
        Binding("down", "pick(1)", "Pick", show=False),
        Binding("left", "value(-1)", "Value", key_display="←→"),
        Binding("right", "value(1)", "Value", show=False),
        Binding("n", "norm", "Norm"),
        Binding("r", "residual", "Residual"),
        Binding("a", "add('attention')", "+Attn", show=False),
        Binding("f", "add('ffn')", "+FFN", show=False),
        Binding("x,delete", "drop", "Drop", show=False),
        Binding("left_square_bracket", "move(-1)", "Move", show=False),
        Binding("right_square_bracket", "move(1)", "Move", show=False),
        Binding("p", "shape", "Shape"),
        Binding("g", "gpt2", "GPT-2", show=False),
        Binding("comma", "token(-1)", "Token", key_display=", ."),
        Binding("full_stop", "token(1)", "Token", show=False),
        Binding("e", "type", "Text"),
    ]

    BUILD_KEYS = {"pick", "norm", "residual", "add", "drop", "move", "shape", "gpt2"}
    TRACE_KEYS = {"pick", "value", "token", "type"}

    def __init__(self, text: str = DEFAULT_TEXT) -> None:
        super().__init__()
        self.gpt = model_module()
        self.model = self.gpt.load()
        self.mode = "build"
        self.parts: list[Part] = list(GPT2_BLOCK)
        self.selected = 0
        self.shape_index = 0
        self.losses: dict[tuple[Part, ...], float] = {}
        self.step_index, self.value_index = 2, 0
        self.read(text)

    # --- state --------------------------------------------------------------------------------
    @property
    def shape(self) -> ModelShape:
        return SHAPES[self.shape_index]

    def read(self, text: str) -> None:
        """Trace `text` (cleaned to what the model reads) and pick its last token."""
        kept = clean(text, self.model.vocabulary, self.model.context)
        if not kept:
            raise ValueError("type at least one character the model knows")
        self.text = kept
        self.steps = trace(self.model, self.gpt.encode(kept, self.model))
        self.token = len(kept) - 1

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        keys = self.BUILD_KEYS if self.mode == "build" else self.TRACE_KEYS
        if action in self.BUILD_KEYS | self.TRACE_KEYS and action not in keys:
            return False
        return super().check_action(action, parameters)

    def action_view(self) -> None:
        self.mode = "trace" if self.mode == "build" else "build"
        self.refresh_bindings()
        self.say("trace: one token through the shipped model, value by value" if self.mode == "trace"
                 else "build: a block from parts")
        self.refresh_view()

    def action_pick(self, step: int) -> None:
        if self.mode == "build":
            if self.parts:
                self.selected = (self.selected + step) % len(self.parts)
        else:
            self.step_index = (self.step_index + step) % len(self.steps)
            self.value_index = min(self.value_index, self.steps[self.step_index].values.shape[1] - 1)
        self.refresh_view()

    def _change(self, parts: list[Part], message: str) -> None:
        self.parts = parts
        self.selected = min(max(self.selected, 0), max(len(parts) - 1, 0))
        self.say(message)
        self.refresh_view()

    def _part(self) -> Part | None:
        return self.parts[self.selected] if self.parts else None

    def action_norm(self) -> None:
        part = self._part()
        if part is not None:
            new = replace(part, norm=NORMS[(NORMS.index(part.norm) + 1) % len(NORMS)])
            self._change(self.parts[:self.selected] + [new] + self.parts[self.selected + 1:],
                         f"part {self.selected + 1}: {NORM_NAMES[new.norm]}")

    def action_residual(self) -> None:
        part = self._part()
        if part is not None:
            new = replace(part, residual=not part.residual)
            self._change(self.parts[:self.selected] + [new] + self.parts[self.selected + 1:],
                         f"part {self.selected + 1}: {'with' if new.residual else 'without'} its residual")

    def action_add(self, kind: str) -> None:
        at = self.selected + 1 if self.parts else 0
        self.selected = at
        self._change(self.parts[:at] + [Part(kind)] + self.parts[at:], f"added {KIND_NAMES[kind]} as part {at + 1}")

    def action_drop(self) -> None:
        part = self._part()
        if part is not None:
            self._change(self.parts[:self.selected] + self.parts[self.selected + 1:],
                         f"dropped part {self.selected + 1} ({KIND_NAMES[part.kind]})")

    def action_move(self, step: int) -> None:
        other = self.selected + step
        if self.parts and 0 <= other < len(self.parts):
            parts = list(self.parts)
            parts[self.selected], parts[other] = parts[other], parts[self.selected]
            self.selected = other
            self._change(parts, f"moved to part {other + 1}")

    def action_shape(self) -> None:
        self.shape_index = (self.shape_index + 1) % len(SHAPES)
        self.say(f"shape: {self.shape.name}")
        self.refresh_view()

    def action_gpt2(self) -> None:
        self.selected = 0
        self._change(list(GPT2_BLOCK), "GPT-2's block again")

    def action_value(self, step: int) -> None:
        width = self.steps[self.step_index].values.shape[1]
        self.value_index = (self.value_index + step) % width
        self.refresh_view()

    def action_token(self, step: int) -> None:
        self.token = min(max(self.token + step, 0), len(self.text) - 1)
        self.refresh_view()

    def action_type(self) -> None:
        def apply(typed: str) -> str | None:
            try:
                self.read(typed)
            except ValueError as err:
                return str(err)
            self.say(f"traced {len(self.text)} characters")
            return None

        self.ask("text (\\n for a new line):", self.text.replace("\n", "\\n"), apply)

    # --- the wiring's loss, in a thread -------------------------------------------------------
    def _want_loss(self) -> None:
        key = tuple(self.parts)
        if fits_the_weights(key) and key not in self.losses:
            self._measure(key)

    @work(thread=True, exclusive=True, group="blockbuilder")
    def _measure(self, parts: tuple[Part, ...]) -> None:
        loss = rewired_loss(self.model, parts)
        self.app.call_from_thread(self._measured, parts, loss)

    def _measured(self, parts: tuple[Part, ...], loss: float) -> None:
        self.losses[parts] = loss
        self.refresh_view()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.say(f"the model could not run: {event.worker.error}", error=True)

    # --- layout -------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Static(id="panel", classes="tool-panel")
        with Vertical(id="view"):
            yield Static(id="flow")

    def on_resize(self) -> None:
        if self.is_mounted:
            self.refresh_view()

    def refresh_view(self) -> None:
        if self.mode == "build":
            self._want_loss()
            panel, view = self._build_panel(), self._build_view()
        else:
            panel, view = self._trace_panel(), self._trace_view()
        self.query_one("#panel", Static).update(panel)
        self.query_one("#flow", Static).update(view)

    # --- build ----------------------------------------------------------------------------------
    def _build_panel(self) -> Text:
        shape, t = self.shape, Text(no_wrap=True)
        t.append(f"{shape.name}\n", style="bold")
        t.append(f"d {shape.d} · {shape.n_head} heads · {shape.n_layer} blocks\n")
        t.append(f"vocab {shape.vocab:,} · context {shape.context:,}\n")
        t.append("part                        params\n", style="dim")
        for i, part in enumerate(self.parts):
            mark = "▶" if i == self.selected else " "
            label = f"{KIND_NAMES[part.kind]} {NORM_NAMES[part.norm]}{' +res' if part.residual else ''}"
            t.append(f"{mark}{i + 1} {label:<22}{part_params(part, shape.d):>11,}\n",
                     style="bold" if i == self.selected else "")
        if not self.parts:
            t.append("  (none: a adds attention, f an FFN)\n", style="dim")
        counts = model_params(self.parts, shape)
        t.append(f"block{block_params(self.parts, shape.d):>31,}\n")
        t.append(f"× {shape.n_layer} blocks{counts['blocks']:>{27 - len(str(shape.n_layer))},}\n")
        t.append(f"embeddings wte + wpe{counts['embeddings']:>16,}\n")
        t.append(f"ln_f{counts['ln_f']:>32,}\n")
        t.append(f"model (tied unembedding){counts['total']:>12,}\n", style="bold")
        t.append(verdict(self.parts) + "\n", style="italic")
        if self.yours_on:
            self.render_yours(t)
            return t
        t.append("a/f add attention/FFN · x drop\n[ ] move · g GPT-2's block", style="dim")
        return t

    def _build_view(self) -> Text:
        t = Text(no_wrap=True)
        width = max(self.query_one("#view").size.width, 36)
        room = width - 21  # the shape's column and the parameters' column
        t.append(f"{'one block':<{room}} {'shape':>8} {'params':>11}\n", style="dim")
        for what, shape, params in flow(self.parts, self.shape):
            number = f"{params:,}" if params else ""
            t.append(f"{what[:room]:<{room}} {shape:>8} {number:>11}\n")
        key = tuple(self.parts)
        t.append("\nthe shipped weights, wired like this:\n", style="dim")
        if not fits_the_weights(key):
            t.append("they hold one attention and one FFN per block\n")
        elif key in self.losses:
            loss = self.losses[key]
            trained = self.losses.get(GPT2_BLOCK)
            t.append(f"loss {fmt(loss, 4)} nats per character\non {LOSS_WINDOWS * self.model.context} "
                     "characters of validation text")
            t.append(f"\n(as trained: {fmt(trained, 4)})\n" if trained is not None and key != GPT2_BLOCK else "\n")
        else:
            t.append("measuring…\n")
        return t

    # --- trace ----------------------------------------------------------------------------------
    def _trace_panel(self) -> Text:
        t = Text(no_wrap=True)
        t.append("text ", style="dim")
        start = max(0, self.token - 30)
        for j, ch in enumerate(self.text[start:self.token + 6], start=start):
            t.append(shown(ch), style="bold reverse" if j == self.token else "")
        t.append(f"\ntoken {self.token + 1} of {len(self.text)}: {self.text[self.token]!r}\n")
        t.append("step                       |v| of it\n", style="dim")
        rows = 11
        first = min(max(self.step_index - rows // 2, 0), max(len(self.steps) - rows, 0))
        for k in range(first, min(first + rows, len(self.steps))):
            step = self.steps[k]
            norm = float(np.linalg.norm(step.values[self.token]))
            mark = "▶" if k == self.step_index else " "
            t.append(f"{mark}{step.name[:24]:<25}{fmt(norm, 4):>10}\n", style="bold" if k == self.step_index else "")
        if self.yours_on:
            self.render_yours(t)
            return t
        t.append("↑↓ step ←→ value , . token e text", style="dim")
        return t

    def _trace_view(self) -> Text:
        step = self.steps[self.step_index]
        row = step.values[self.token]
        t = Text()
        t.append(f"{step.name}: {len(row)} values for {self.text[self.token]!r}\n", style="bold")
        first = (self.value_index // SHOWN_VALUES) * SHOWN_VALUES
        for j in range(first, min(first + SHOWN_VALUES, len(row))):
            label = f"[{j}]"
            if step.name.startswith("logits"):
                label += f" {shown(self.model.vocabulary[j])}"
            t.append(f"{label:>8} {fmt(float(row[j]), 5):>11}\n", style="bold reverse" if j == self.value_index else "")
        t.append(f"mean {fmt(float(row.mean()), 3)} · std {fmt(float(row.std()), 3)} · "
                 f"max |v| {fmt(float(np.abs(row).max()), 3)}\n", style="dim")
        t.append(f"\nvalue {self.value_index}: ", style="bold")
        t.append(step.how(self.token, self.value_index) + "\n")
        if step.name.startswith("logits"):
            p = np.exp(row - row.max())
            p /= p.sum()
            t.append("next: " + "  ".join(f"{shown(self.model.vocabulary[i])!r} {p[i]:.0%}"
                                          for i in np.argsort(-p)[:4]) + "\n")
        return t

    # --- your code: the player's block() on a real block input -----------------------------------
    def _block_index(self) -> int:
        """The block your code runs: the traced step's, else the first."""
        return max(self.steps[self.step_index].block, 0) if self.mode == "trace" else 0

    def your_cases(self):
        i = self._block_index()
        x = self.steps[3 + 8 * i - 1].values if i else self.steps[2].values  # the block's input
        names = {"ln1_g": "ln_1.weight", "ln1_b": "ln_1.bias", "W_qkv": "attn.c_attn.weight",
                 "b_qkv": "attn.c_attn.bias", "W_o": "attn.c_proj.weight", "b_o": "attn.c_proj.bias",
                 "ln2_g": "ln_2.weight", "ln2_b": "ln_2.bias", "W1": "mlp.c_fc.weight", "b1": "mlp.c_fc.bias",
                 "W2": "mlp.c_proj.weight", "b2": "mlp.c_proj.bias"}
        p = {short: self.model.params[f"h.{i}.{name}"] for short, name in names.items()}
        array = lambda a: {"__ndarray__": a.tolist(), "dtype": "float64"}  # noqa: E731
        case = {"call": {"function": "block", "args": [array(x), {k: array(v) for k, v in p.items()},
                                                       self.model.config["n_head"]]}}
        return ("blockbuilder", self.text, i), [case]

    def your_checks(self, answer: Answer) -> list[Check]:
        _, text, i = answer.key
        outcome = answer.outcomes[0]
        want = self.steps[3 + 8 * i + 7].values if text == self.text else None
        if want is None:
            return []
        if not outcome.ok:
            return [Check(f"block {i + 1}", explain(outcome.error), "the model's", None)]
        try:
            got = as_array(outcome.value, want.shape)
        except (Garbage, TypeError) as err:
            return [Check(f"block {i + 1}", str(err) if isinstance(err, Garbage) else "not an array", "", None)]
        t = min(self.token, len(text) - 1)
        j = self.value_index if self.mode == "trace" and self.steps[self.step_index].values.shape[1] == want.shape[1] else 0
        return [Check(f"block {i + 1} out[{t}][{j}]", fmt(float(got[t, j]), 4), fmt(float(want[t, j]), 4),
                      close(got[t, j], want[t, j])),
                Check(f"block {i + 1}, max |Δ|", fmt(float(np.abs(got - want).max()), 2), "0", close(got, want))]
