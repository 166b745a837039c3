"""BackpropArena: type an expression, see its graph, and walk backprop through it one node at a time.

The player types f (through the game's safe parser) and the values of its variables. The
expression becomes a graph: one node per input, and one per operation sympy keeps (a sum or a
product of several terms is one node; a subexpression used twice is one shared node). The
forward pass fills every node's value. Each step of the backward walk takes the next node in
reverse topological order and shows what reverse mode does there: the gradient that has arrived
(∂f/∂node, the node's adjoint), the local derivative towards each input, and what each input
receives (their product), added to what it had. A shared node collects a contribution from every
consumer before its own turn comes. At the end, the inputs' gradients sit beside sympy's ∂f/∂x.

With y (your code), the same graph is rebuilt with the player's own module-2 `Value`, node for
node, in the sandbox: after its backward(), every node's grad comes back beside the arena's.
Only + * whole powers, exp, log and sin can be rebuilt (a module-2 Value's operations).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from forge_tui.checker import InputError, to_sympy

from ..labcode import Answer, Check, number_check
from ._base import ToolScreen, fmt, parse_number

VARIABLES = ("x", "y", "z", "w", "b", "t")  # the names f may use (e is Euler's number)
MAX_NODES = 40
MAX_POWER = 16


@dataclass(frozen=True)
class Preset:
    name: str
    text: str
    values: dict[str, float]


PRESETS = (
    Preset("shared node", "sin(x*y) + x*y", {"x": 2.0, "y": -1.0}),
    Preset("one tanh neuron", "(tanh(w*x) - t)^2/2", {"w": 0.5, "x": 1.5, "t": 1.0}),
    Preset("log-sum-exp", "log(exp(x) + exp(y) + exp(z))", {"x": 1.0, "y": 2.0, "z": -1.0}),
    Preset("product and power", "x^3*y + exp(x*y)", {"x": 0.5, "y": 2.0}),
)


@dataclass
class Node:
    """One value in the graph: an input, a constant, or an operation on earlier nodes."""

    index: int
    label: str  # "x", "3", "·", "+", "sin", "^2" …
    expr: object  # the sympy expression it computes
    inputs: list[int] = field(default_factory=list)
    value: float = 0.0
    local: list[float] = field(default_factory=list)  # ∂node/∂input, one per input

    @property
    def name(self) -> str:
        return self.label if self.kind != "op" else f"n{self.index}"

    @property
    def kind(self) -> str:
        if self.inputs:
            return "op"
        return "variable" if getattr(self.expr, "is_Symbol", False) else "constant"


def _label(expr) -> str:
    if expr.is_Add:
        return "+"
    if expr.is_Mul:
        return "·"
    if expr.is_Pow:
        exponent = expr.args[1]
        return f"^{exponent}" if not exponent.free_symbols else "pow"
    return expr.func.__name__


class Graph:
    """The nodes of f, inputs first, each after everything it reads (a topological order)."""

    def __init__(self, text: str, values: dict[str, float]) -> None:
        import sympy as sp

        expr = to_sympy(text, VARIABLES)
        if getattr(expr, "is_Matrix", False):
            raise InputError("f must be one number, not a vector or matrix")
        self.text = text
        self.expr = expr
        self.variables = sorted(str(s) for s in expr.free_symbols)
        missing = [v for v in self.variables if v not in values]
        self.values = {v: float(values.get(v, 1.0)) for v in self.variables}
        self.nodes: list[Node] = []
        self._index: dict = {}
        self.output = self._add(expr)
        if missing:  # new names start at 1
            self.values.update({v: 1.0 for v in missing})
        self._forward(sp)

    def _add(self, expr) -> int:
        if expr in self._index:
            return self._index[expr]  # a shared subexpression: one node, several consumers
        inputs = [] if (expr.is_Atom or not expr.args) else [self._add(arg) for arg in expr.args]
        if len(self.nodes) >= MAX_NODES:
            raise InputError(f"f has more than {MAX_NODES} nodes: type a smaller expression")
        node = Node(len(self.nodes), str(expr) if not inputs else _label(expr), expr, inputs)
        self.nodes.append(node)
        self._index[expr] = node.index
        return node.index

    def _forward(self, sp) -> None:
        """Every node's value and local derivatives at the current values of the variables."""
        point = {sp.Symbol(v, real=True): self.values[v] for v in self.variables}
        for node in self.nodes:
            node.value = _number(node.expr.subs(point))
            if not node.inputs:
                continue
            dummies = sp.symbols(f"d0:{len(node.inputs)}", real=True)
            general = node.expr.func(*dummies)
            at = {d: self.nodes[i].value for d, i in zip(dummies, node.inputs)}
            node.local = [_number(sp.diff(general, d).subs(at)) for d in dummies]

    def sympy_gradient(self) -> dict[str, float]:
        """∂f/∂v for every variable, by sympy's own differentiation of the whole of f."""
        import sympy as sp

        point = {sp.Symbol(v, real=True): self.values[v] for v in self.variables}
        return {v: _number(sp.diff(self.expr, sp.Symbol(v, real=True)).subs(point)) for v in self.variables}

    @property
    def order(self) -> list[int]:
        """The backward walk: operations and variables, output first, each after all its consumers."""
        return [n.index for n in reversed(self.nodes) if n.kind != "constant"]


def _number(value) -> float:
    number = complex(value.evalf())
    if abs(number.imag) > 1e-12:
        return float("nan")  # e.g. log of a negative number: not a real value
    return number.real


@dataclass(frozen=True)
class Sent:
    """What one step sends to one input: adjoint × local derivative, and the input's total after."""

    to: int
    local: float
    contribution: float
    before: float
    after: float


class Walk:
    """Reverse mode, one node per step. adjoint[i] is ∂f/∂(node i) as accumulated so far."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.steps = 0
        self.adjoint = [0.0] * len(graph.nodes)
        self.adjoint[graph.output] = 1.0
        self.last: list[Sent] = []

    @property
    def done(self) -> bool:
        return self.steps >= len(self.graph.order)

    @property
    def current(self) -> int | None:
        """The node the last step processed."""
        return self.graph.order[self.steps - 1] if self.steps else None

    @property
    def upcoming(self) -> int | None:
        return None if self.done else self.graph.order[self.steps]

    def step(self) -> None:
        if self.done:
            return
        node = self.graph.nodes[self.graph.order[self.steps]]
        self.last = []
        for i, local in zip(node.inputs, node.local):
            contribution = self.adjoint[node.index] * local
            before = self.adjoint[i]
            self.adjoint[i] += contribution  # accumulate: a shared input hears from every consumer
            self.last.append(Sent(i, local, contribution, before, self.adjoint[i]))
        self.steps += 1

    def finished_nodes(self) -> set[int]:
        """Nodes whose adjoint can no longer change: every consumer has been processed."""
        processed = set(self.graph.order[: self.steps])
        final = set()
        for node in self.graph.nodes:
            consumers = [n.index for n in self.graph.nodes if node.index in n.inputs]
            if node.index == self.graph.output or all(c in processed for c in consumers):
                final.add(node.index)
        return final


# --- the player's Value, node for node ------------------------------------------------------------
class NotRepresentable(ValueError):
    """f uses an operation a module-2 Value does not have."""


VALUE_SCRIPT = """Value = getattr(lab, "Value", None)
if Value is None:
    raise AttributeError("your lab has no `Value`")
{body}out = n{output}
out.backward()
result = {{"value": float(out.data), "grads": [{grads}]}}
"""


def value_program(graph: Graph) -> str:
    """Python that builds each node of the graph as n<i> with the player's Value, then backward()."""
    lines = []
    for node in graph.nodes:
        lines.append(f"n{node.index} = {_value_expression(graph, node)}")
    grads = ", ".join(f"float(n{n.index}.grad)" if n.kind != "constant" else "0.0" for n in graph.nodes)
    return VALUE_SCRIPT.format(body="".join(line + "\n" for line in lines), output=graph.output, grads=grads)


def _value_expression(graph: Graph, node: Node) -> str:
    if node.kind == "variable":
        return f"Value({graph.values[node.label]!r})"
    if node.kind == "constant":
        return repr(node.value)  # a float: Value's + and * take plain numbers on their right
    expr = node.expr
    names = [f"n{i}" for i in node.inputs]
    # a Value must come first: constants go to the right of + and ·
    names.sort(key=lambda name: graph.nodes[int(name[1:])].kind == "constant")
    if expr.is_Add:
        return " + ".join(names)
    if expr.is_Mul:
        return " * ".join(names)
    if expr.is_Pow:
        base, exponent = expr.args
        if exponent.is_Integer and 0 < int(exponent) <= MAX_POWER:
            return " * ".join([names[0]] * int(exponent))
        raise NotRepresentable("division and fractional powers need __truediv__ or __pow__, which a "
                               "module-2 Value does not have")
    method = {"exp": "exp", "log": "log", "sin": "sin"}.get(expr.func.__name__)
    if method and len(names) == 1:
        return f"{names[0]}.{method}()"
    raise NotRepresentable(f"{expr.func.__name__} is not among a module-2 Value's operations (+ * exp log sin)")


# --- the screen ------------------------------------------------------------------------------------
class BackpropArenaScreen(ToolScreen):
    TOOL_NAME = "BackpropArena"
    TOOL_TAGLINE = "reverse mode, one node at a time"
    LAB_MODULE = "calculus-of-slopes"  # the module-2 lab holds the player's Value

    DEFAULT_CSS = """
    BackpropArenaScreen #graph-box { width: 1fr; height: 1fr; padding: 0 1; }
    BackpropArenaScreen #side { width: 38; height: 1fr; padding: 0 1; }
    """

    BINDINGS = [
        Binding("space,n", "step", "Step"),
        Binding("b", "back", "Back"),
        Binding("a", "all", "All"),
        Binding("r", "restart", "Restart", show=False),
        Binding("f", "type_function", "Type f"),
        Binding("v", "type_values", "Values"),
        Binding("p", "preset", "Preset"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.preset_index = 0
        self.graph = Graph(PRESETS[0].text, PRESETS[0].values)
        self.walk = Walk(self.graph)
        self._programs: dict[tuple, str] = {}

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="graph-box"):
            yield Static(id="graph", markup=False)
        with VerticalScroll(id="side"):
            yield Static(id="panel", markup=False)

    # --- actions -------------------------------------------------------------------------
    def action_step(self) -> None:
        if self.walk.done:
            self.say("the walk is over: every gradient is in (r restarts, b steps back)")
            return
        self.walk.step()
        self.refresh_view()

    def action_back(self) -> None:
        target = max(0, self.walk.steps - 1)
        self._replay(target)
        self.refresh_view()

    def action_all(self) -> None:
        while not self.walk.done:
            self.walk.step()
        self.refresh_view()

    def action_restart(self) -> None:
        self._replay(0)
        self.say("forward pass done; ∂f/∂f = 1 seeds the walk")
        self.refresh_view()

    def _replay(self, steps: int) -> None:
        self.walk = Walk(self.graph)
        for _ in range(steps):
            self.walk.step()

    def action_preset(self) -> None:
        self.preset_index = (self.preset_index + 1) % len(PRESETS)
        preset = PRESETS[self.preset_index]
        self.load(Graph(preset.text, preset.values))
        self.say(f"preset: {preset.name}")
        self.refresh_view()

    def load(self, graph: Graph) -> None:
        self.graph = graph
        self.walk = Walk(graph)

    def action_type_function(self) -> None:
        def apply(text: str) -> str | None:
            graph = Graph(text, self.graph.values)  # InputError: shown in place by the base screen
            self.preset_index = -1
            self.load(graph)
            self.say(f"f = {text}")
            return None

        self.ask(f"f({', '.join(VARIABLES)}) =", self.graph.text, apply)

    def action_type_values(self) -> None:
        def apply(text: str) -> str | None:
            values = dict(self.graph.values)
            for part in text.split(","):
                name, sep, number = part.partition("=")
                name = name.strip()
                if not sep or name not in self.graph.variables:
                    return f"write name = number for {', '.join(self.graph.variables)}, e.g. x = 2, y = -1"
                values[name] = parse_number(number)
            self.load(Graph(self.graph.text, values))
            return None

        shown = ", ".join(f"{v} = {fmt(x)}".replace("−", "-") for v, x in self.graph.values.items())
        self.ask("values:", shown, apply)

    # --- your code: the graph rebuilt with the player's module-2 Value ------------------------
    def your_cases(self):
        key = (self.graph.text, tuple(sorted(self.graph.values.items())))
        if key not in self._programs:
            try:
                self._programs[key] = value_program(self.graph)
            except NotRepresentable as why:
                self._programs[key] = "!" + str(why)
        program = self._programs[key]
        if program.startswith("!"):
            return program[1:]
        return ("backproparena",) + key, [{"script": program}]

    def your_checks(self, answer: Answer) -> list[Check]:
        graph = self.graph
        outcome = answer.outcomes[0]
        value = outcome.value if outcome.ok and isinstance(outcome.value, dict) else {}
        grads = value.get("grads") if isinstance(value.get("grads"), list) else []
        full = Walk(graph)
        while not full.done:
            full.step()

        def part(item):
            return outcome if not outcome.ok else outcome.__class__(True, item)

        checks = [number_check("f", part(value.get("value")), graph.nodes[graph.output].value, fmt)]
        for node in graph.nodes:
            if node.kind == "variable":
                mine = grads[node.index] if len(grads) == len(graph.nodes) else None
                checks.append(number_check(f"∂f/∂{node.label}", part(mine), full.adjoint[node.index], fmt))
        if outcome.ok and len(grads) == len(graph.nodes):
            ops = [n for n in graph.nodes if n.kind == "op"]
            agree = sum(1 for n in ops if isinstance(grads[n.index], (int, float))
                        and math.isclose(grads[n.index], full.adjoint[n.index], rel_tol=1e-7, abs_tol=1e-9))
            checks.append(Check("nodes", f"{agree}/{len(ops)}", f"{len(ops)}/{len(ops)}", agree == len(ops)))
        return checks

    # --- drawing ----------------------------------------------------------------------------
    def refresh_view(self) -> None:
        self.query_one("#graph", Static).update(self.graph_text())
        self.query_one("#panel", Static).update(self.panel_text())

    def graph_text(self) -> Text:
        """The graph as a tree from f down to its inputs; a shared node is drawn once, then named."""
        g, walk = self.graph, self.walk
        final = walk.finished_nodes()
        t = Text()
        t.append("f = ", style="bold")
        t.append(g.text + "\n", style="bold")
        t.append(f"{'node':<22}{'value':>8}{'∂f/∂node':>9}\n", style="dim")
        drawn: set[int] = set()

        def line(index: int, prefix: str, last: bool, top: bool) -> None:
            node = g.nodes[index]
            branch = "" if top else ("└─ " if last else "├─ ")
            shared = index in drawn and node.kind == "op"
            label = node.name if node.kind != "op" else f"{node.name} {node.label}"
            if shared:
                label = f"{node.name} ↑shared"
            head = (prefix + branch + label)[:22]
            style = "bold reverse" if index == walk.current else ("bold yellow" if index == walk.upcoming else "")
            t.append(f"{head:<22}", style=style)
            t.append(f"{fmt(node.value):>8}")
            if node.kind == "constant":
                t.append("\n")
            else:
                grad = walk.adjoint[index]
                t.append(f"{fmt(grad):>9}\n", style="bold green" if index in final else "dim")
            if shared:
                return
            drawn.add(index)
            child_prefix = prefix + ("" if top else ("   " if last else "│  "))
            for k, child in enumerate(node.inputs):
                line(child, child_prefix, k == len(node.inputs) - 1, False)

        line(g.output, "", True, True)
        return t

    def panel_text(self) -> Text:
        g, walk = self.graph, self.walk
        t = Text()
        t.append(f"step {walk.steps} of {len(g.order)}\n", style="bold")
        if walk.current is None:
            t.append("forward pass done.\nseed: ∂f/∂f = 1 at ", style="")
            t.append(f"{g.nodes[g.output].name}\n", style="bold")
            t.append("space: one step · a: all · b: back\nr: restart · f: type f · v: values\n", style="dim")
        else:
            node = g.nodes[walk.current]
            t.append(f"at {node.name}", style="bold reverse")
            t.append(f" {node.label if node.kind == 'op' else 'an input'}\n")
            t.append(f"arrived ∂f/∂{node.name} = {fmt(walk.adjoint[node.index])}\n", style="bold")
            if not walk.last:
                t.append("an input: its gradient is final\n", style="green")
            for sent in walk.last:
                to = g.nodes[sent.to]
                if to.kind == "constant":
                    continue
                t.append(f"→ {to.name}: local ∂{node.name}/∂{to.name} {fmt(sent.local)}\n")
                t.append(f"   sends {fmt(walk.adjoint[node.index])}·{fmt(sent.local)} = {fmt(sent.contribution)}\n")
                t.append(f"   {to.name}: {fmt(sent.before)} + {fmt(sent.contribution)} = {fmt(sent.after)}\n",
                         style="green")
        if walk.upcoming is not None:
            t.append(f"next: {g.nodes[walk.upcoming].name}\n", style="yellow")
        if walk.done:
            t.append("every gradient is in:\n", style="bold")
            exact = g.sympy_gradient()
            for name in g.variables:
                index = next(n.index for n in g.nodes if n.kind == "variable" and n.label == name)
                mark = "✓" if math.isclose(walk.adjoint[index], exact[name], rel_tol=1e-9, abs_tol=1e-12) else "✗"
                t.append(f" ∂f/∂{name} {fmt(walk.adjoint[index]):>9}  sympy {fmt(exact[name])} {mark}\n")
        self.render_yours(t)
        return t
