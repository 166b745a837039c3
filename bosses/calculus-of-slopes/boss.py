"""Boss of module 2, The Eight Trials: reverse-mode autodiff through the player's `Value` class.

Eight functions and two stress trials (plain numbers mixed in; a graph 1,200 operations deep).
Two of the functions reach a node along paths of different lengths (a skip connection, residual
blocks), so a backward() that visits nodes breadth-first, or depth-first in pre-order, instead of
in reverse topological order loses every fight.

Each trial is a small function written below, built from +, *, exp, log and sin (and plain
numbers on either side of + and *). The case ships the function's source and its inputs to the
child as a script: the child builds the graph with the player's `lab.Value`, calls backward()
and returns {"value": out.data, "grads": [x.grad for each input]}. The judge here runs the same
function through the reference Value and compares value and gradients to 1e-6 (relative, or
absolute when the number is below 1).

Besides the engine's keys, each case carries two notes for this judge: "trial" (the name of
the function below) and "inputs" (the input values). Neither is an expected value.
"""

from __future__ import annotations

import importlib.util
import inspect
import math
from pathlib import Path

import numpy as np

from forge_tui.bossapi import compare

ENTRY = "Value"
TIME_LIMIT_S = 3.0
TOLERANCE = 1e-6


# ---------------------------------------------------------------- the trials
# Each one takes Value inputs and returns a Value. They are shipped to the child as source,
# so each must be self-contained: only its arguments, their methods and plain numbers.

def log_product_plus_sin(x, y):
    return (x * y).log() + x.sin()


def exp_sin_times_x_squared(x):
    return x.sin().exp() * x * x


def shared_node(x, y, z):
    t = x * y + z
    return t * t + t.sin()


def log_sum_exp(a, b, c, d):
    return (a.exp() + b.exp() + c.exp() + d.exp()).log()


def log_of_exp(x):
    return (x * x).exp().log()


def nested_chain_rule(x, y):
    return ((x * y).sin() * x.log()).exp()


def skip_connection(x, y):
    h = x * y
    return h + (h.exp() + 1).log()


def residual_blocks(x, y):
    h = x
    for _ in range(3):          # each block adds its input back, as a residual stream does
        h = (h * h * y + 1).log() + h
    return h


def with_plain_numbers(x, y):
    return (x + 1).log() * (2 * y) + 3 * x * y.exp() + 0.5


def deep_chain(x, y):
    v = x
    for _ in range(400):        # 1,200 operations deep
        v = (v * 0.9).sin() + y
    return v


TRIALS = {
    log_product_plus_sin: (
        "log(x*y) + sin(x)",
        "x takes two paths to the output: its gradient must add up both (accumulate, never assign).",
    ),
    exp_sin_times_x_squared: (
        "exp(sin(x)) * x * x",
        "x is used three times, twice as a factor of a product: which slope does each factor "
        "of a product receive?",
    ),
    shared_node: (
        "t = x*y + z;  t*t + sin(t)",
        "t is reused three times: its grad must accumulate every use before it flows back to x, y, z.",
    ),
    log_sum_exp: (
        "log(exp(a) + exp(b) + exp(c) + exp(d))",
        "Only log and exp here: check their local slopes against the docstrings, log's from its input, "
        "exp's from its own output.",
    ),
    log_of_exp: (
        "log(exp(x*x))  (which is x²)",
        "log(exp(u)) is u, so every gradient here must be exactly that of x²; if not, look at the slopes "
        "of log and exp.",
    ),
    nested_chain_rule: (
        "exp(sin(x*y) * log(x))",
        "Chain rule through three layers: each node multiplies its local slope by out.grad.",
    ),
    skip_connection: (
        "h = x*y;  h + log(exp(h) + 1)",
        "h reaches the output twice: directly, and through log(exp(h) + 1), a longer path. "
        "When does h pass its grad on to x and y: before or after the longer path has added into it?",
    ),
    residual_blocks: (
        "h = x; 3 times: h = log(h*h*y + 1) + h",
        "Each h is used by the block and by the skip beside it. A node may run its _backward only "
        "once every node that uses it has run: that is what a reverse topological order guarantees "
        "and a breadth-first walk does not.",
    ),
    with_plain_numbers: (
        "log(x + 1) * (2*y) + 3*x*exp(y) + 0.5",
        "x + 1 and 2 * y: wrap plain numbers in a Value inside __add__ and __mul__.",
    ),
    deep_chain: (
        "v = x; 400 times: v = sin(0.9*v) + y",
        "A 1,200-operation graph: build the topological order with an explicit stack, "
        "because recursion past Python's limit of 1,000 frames crashes.",
    ),
}

_SCRIPT = """{source}
inputs = {inputs!r}
xs = [lab.Value(number) for number in inputs]
out = {name}(*xs)
out.backward()
result = {{"value": float(out.data), "grads": [float(x.grad) for x in xs]}}
"""


def cases(rng: np.random.Generator) -> list[dict]:
    """One case per trial, its inputs drawn from [0.5, 2] so that every log stays defined."""
    out = []
    for trial, (formula, hint) in TRIALS.items():
        names = list(inspect.signature(trial).parameters)
        inputs = [round(float(number), 4) for number in rng.uniform(0.5, 2.0, size=len(names))]
        at = ", ".join(f"{name}={number}" for name, number in zip(names, inputs))
        out.append({
            "name": trial.__name__.replace("_", " "),
            "summary": f"{formula} at {at}",
            "hint": hint,
            "script": _SCRIPT.format(source=inspect.getsource(trial), inputs=inputs, name=trial.__name__),
            "trial": trial.__name__,
            "inputs": inputs,
        })
    return out


# ---------------------------------------------------------------- judge

_reference = None


def _reference_value():
    """The reference lab's Value class, loaded by path (works from a checkout and from the wheel)."""
    global _reference
    if _reference is None:
        path = Path(__file__).with_name("reference.py")
        spec = importlib.util.spec_from_file_location("_neuralforge_boss_reference_calculus_of_slopes", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _reference = module
    return _reference.Value


def expected_result(case: dict) -> tuple[float, list[float]]:
    """The value and the gradients of the case's trial, through the reference autograd."""
    trial = {trial.__name__: trial for trial in TRIALS}[case["trial"]]
    Value = _reference_value()
    xs = [Value(number) for number in case["inputs"]]
    out = trial(*xs)
    out.backward()
    return out.data, [x.grad for x in xs]


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _show_any(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def judge(case: dict, got) -> tuple[bool, str, str]:
    try:
        value, grads = expected_result(case)
        names = list(inspect.signature({t.__name__: t for t in TRIALS}[case["trial"]]).parameters)
    except Exception as error:  # a malformed case is the boss's bug, never the player's win
        return False, "?", f"the boss could not compute this case ({type(error).__name__})"
    summary = f"value {value:.9g}; " + ", ".join(
        f"d/d{name} = {grad:.9g}" for name, grad in zip(names, grads))
    try:
        return _judge(got, value, grads, names, summary)
    except Exception as error:
        return False, summary, f"could not read the result ({type(error).__name__}): got {_show_any(got)}"


def _judge(got, value, grads, names, summary) -> tuple[bool, str, str]:
    if not isinstance(got, dict) or "value" not in got or "grads" not in got:
        return False, summary, f"expected the output's value and the inputs' grads, got {_show_any(got)}"
    if not _number(got["value"]):
        return False, summary, f"out.data should be a finite number, got {_show_any(got['value'])}"
    ok, problem = compare(got["value"], value, atol=TOLERANCE, relative=True, name="the forward value")
    if not ok:
        return False, summary, problem + ": check the forward computation of each operation"
    got_grads = got["grads"]
    if not isinstance(got_grads, list) or len(got_grads) != len(grads):
        return False, summary, f"expected {len(grads)} gradients, got {_show_any(got_grads)}"
    for name, mine, want in zip(names, got_grads, grads):
        if not _number(mine):
            return False, summary, f"{name}.grad should be a finite number, got {_show_any(mine)}"
        ok, problem = compare(mine, want, atol=TOLERANCE, relative=True, name=f"{name}.grad")
        if not ok:
            return False, summary, problem
    return True, summary, "value and every gradient match"
