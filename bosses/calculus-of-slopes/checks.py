"""Lab checks for module 2 (The Calculus of Slopes): numerical_grad by central differences, then
each operation of `Value` forward and backward, plain numbers, reuse, order and depth.

numerical_grad's checks send a small function (written below) and a point; the judge differentiates
it itself, and where a check names h, applies the central-difference formula at that h. Each `Value`
check builds one small function below with the player's `Value`, calls `backward()` once and sends
`out.data` and every input's `.grad`; the judge evaluates the same function on plain floats and
differentiates it by central differences, so a check compares the player's autograd with the
definition of a derivative.
"""

from __future__ import annotations

import inspect
import math

from forge_tui.bossapi import compare

TIME_LIMIT_S = 10.0
TOLERANCE = 1e-6  # the brief's: autograd against central differences
STEP = 1e-6  # the judge's own central-difference step for the Value checks


# ---------------------------------------------------------------- the functions the checks use
# Shipped to the child as source, so each is self-contained. The `grad_*` ones take a list p (for
# numerical_grad); the others take Value inputs, or plain floats in the judge.

def grad_product_plus_exp(p):
    return p[0] * p[1] + math.exp(p[0])


def grad_cube(p):
    return p[0] ** 3


def grad_three_inputs(p):
    return p[0] ** 2 * p[2] - 3 * p[1] + math.sin(p[2])


def add(a, b):
    return a + b


def mul(a, b):
    return a * b


def exp(a):
    return a.exp()


def log(a):
    return a.log()


def sin(a):
    return a.sin()


def plain_numbers(a, b):
    return (a + 1) * 3 + 2 * b


def used_twice(x):
    return x * x + x


def brief_example(x, y):
    return x * y + x.exp()


def skip_connection(x, y):
    h = x * y
    return h + (h.exp() + 1).log()


def deep_chain(x):
    v = x
    for _ in range(500):        # 1,500 operations deep
        v = (v * 0.5).sin() + x
    return v


_NUMERICAL_SCRIPT = """import math
{source}
result = [float(g) for g in lab.numerical_grad({name}, {point!r}{h})]
"""

_VALUE_SCRIPT = """{source}
inputs = {inputs!r}
xs = [lab.Value(number) for number in inputs]
out = {name}(*xs)
out.backward()
result = {{"data": float(out.data), "grads": [float(x.grad) for x in xs]}}
"""


def _numerical(name: str, summary: str, hint: str, function, point: list[float], h: float | None = None) -> dict:
    script = _NUMERICAL_SCRIPT.format(source=inspect.getsource(function), name=function.__name__,
                                      point=point, h="" if h is None else f", h={h!r}")
    return {"name": name, "summary": summary, "hint": hint, "script": script,
            "kind": "numerical", "function": function.__name__, "point": point, "h": h}


def _value(name: str, summary: str, hint: str, function, inputs: list[float]) -> dict:
    script = _VALUE_SCRIPT.format(source=inspect.getsource(function), inputs=inputs, name=function.__name__)
    return {"name": name, "summary": summary, "hint": hint, "script": script,
            "kind": "value", "function": function.__name__, "inputs": inputs}


def checks() -> list[dict]:
    """Thirteen small wins, the same every time."""
    return [
        _numerical("numerical_grad: the brief's example", "f(x, y) = x·y + exp(x) at (1, 2)",
                   "Nudge one coordinate at a time, up and down by h, and watch how far f moves.",
                   grad_product_plus_exp, [1.0, 2.0]),
        _numerical("numerical_grad: central, not one-sided", "f(x) = x³ at x = 2 with h = 1e-3",
                   "Use both sides: (f(x + h) − f(x − h)) / 2h is far more accurate than "
                   "(f(x + h) − f(x)) / h, and it uses the h it is given.",
                   grad_cube, [2.0], 1e-3),
        _numerical("numerical_grad: three inputs", "f = x²·z − 3y + sin z at (1.5, -2, 0.5)",
                   "One partial derivative per coordinate, each with every other coordinate held "
                   "where it was.",
                   grad_three_inputs, [1.5, -2.0, 0.5]),
        _value("Value: add", "a + b at a = 2, b = -3",
               "A sum's slope is 1 for each of its inputs: out.grad flows to both unchanged.",
               add, [2.0, -3.0]),
        _value("Value: mul", "a · b at a = 2, b = -3",
               "In a product, each factor's slope is the other factor's value.",
               mul, [2.0, -3.0]),
        _value("Value: exp", "exp(a) at a = 0.5",
               "The exponential is its own slope: reuse the output's value.",
               exp, [0.5]),
        _value("Value: log", "log(a) at a = 2.5",
               "The slope of log at a is 1/a, taken at the input, not at the output.",
               log, [2.5]),
        _value("Value: sin", "sin(a) at a = 1.2",
               "The slope of sin is cos, taken at the input.",
               sin, [1.2]),
        _value("Value: plain numbers", "(a + 1)·3 + 2·b at a = 0.5, b = 4",
               "a + 1 and 2 · b meet plain numbers: wrap them in a Value inside __add__ and "
               "__mul__ (2 · b comes through __rmul__, which calls __mul__).",
               plain_numbers, [0.5, 4.0]),
        _value("backward: a node used twice", "x·x + x at x = 3",
               "x gets a gradient from each of its uses: accumulate them, never assign.",
               used_twice, [3.0]),
        _value("backward: the brief's example", "x·y + exp(x) at x = 1, y = 2",
               "Set the output's grad to 1, then run every node's _backward from the output back "
               "to the inputs.",
               brief_example, [1.0, 2.0]),
        _value("backward: paths of different lengths", "h = x·y;  h + log(exp(h) + 1) at (0.9, 1.1)",
               "h is used twice, once directly and once at the end of a longer path: it may pass its "
               "grad on only after both have added into it. That is a reverse topological order, which "
               "a breadth-first walk is not.",
               skip_connection, [0.9, 1.1]),
        _value("backward: a deep graph", "v = x; 500 times: v = sin(0.5·v) + x, at x = 0.7",
               "1,500 operations deep: a recursive sort passes Python's limit of 1,000 frames. "
               "Build the order with a list used as a stack.",
               deep_chain, [0.7]),
    ]


# ---------------------------------------------------------------- the expected answers, done here

class Number:
    """A plain float with Value's methods, to evaluate a check's function with no autodiff at all."""

    def __init__(self, x):
        self.x = float(x)

    @staticmethod
    def _plain(other) -> float:
        return other.x if isinstance(other, Number) else float(other)

    def __add__(self, other):
        return Number(self.x + self._plain(other))

    def __mul__(self, other):
        return Number(self.x * self._plain(other))

    __radd__, __rmul__ = __add__, __mul__

    def exp(self):
        return Number(math.exp(self.x))

    def log(self):
        return Number(math.log(self.x))

    def sin(self):
        return Number(math.sin(self.x))


def _function(name: str):
    return {f.__name__: f for f in (grad_product_plus_exp, grad_cube, grad_three_inputs, add, mul, exp, log,
                                    sin, plain_numbers, used_twice, brief_example, skip_connection,
                                    deep_chain)}[name]


def central_differences(f, point: list[float], h: float) -> list[float]:
    """(f(p + h e_i) − f(p − h e_i)) / 2h for each coordinate i."""
    grads = []
    for i in range(len(point)):
        up = [x + h * (j == i) for j, x in enumerate(point)]
        down = [x - h * (j == i) for j, x in enumerate(point)]
        grads.append((f(up) - f(down)) / (2 * h))
    return grads


def expected_value(check: dict) -> tuple[float, list[float]]:
    """The function's value and its gradient, from plain floats and central differences."""
    f = _function(check["function"])

    def plain(point):
        return f(*map(Number, point)).x

    return plain(check["inputs"]), central_differences(plain, check["inputs"], STEP)


def expected_numerical(check: dict) -> tuple[list[float], float]:
    """With the lab's own h, the slope itself (to 1e-6, the brief's promise); with an h given, exactly
    the central difference at that h (to rounding), so that a one-sided formula or an ignored h shows."""
    f = _function(check["function"])
    if check["h"] is None:
        return central_differences(f, check["point"], STEP), TOLERANCE
    return central_differences(f, check["point"], check["h"]), 1e-9


# ---------------------------------------------------------------- judge

def _number(value) -> bool:
    """A finite int or float (not a bool; an int too large for a float is not finite here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _show_any(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _numbers(values) -> str:
    return "[" + ", ".join(f"{x:.9g}" for x in values) + "]"


def _judge_numerical(check: dict, got) -> tuple[bool, str, str]:
    want, tolerance = expected_numerical(check)
    summary = f"{_numbers(want)} (tolerance {tolerance:g})"
    if not isinstance(got, list) or len(got) != len(want) or not all(_number(g) for g in got):
        return False, summary, f"expected a list of {len(want)} numbers, got {_show_any(got)}"
    for i, (mine, right) in enumerate(zip(got, want)):
        ok, problem = compare(mine, right, atol=tolerance, relative=True, name=f"coordinate {i}")
        if not ok:
            return False, summary, problem
    return True, summary, "every partial derivative matches"


def _judge_value(check: dict, got) -> tuple[bool, str, str]:
    value, grads = expected_value(check)
    names = list(inspect.signature(_function(check["function"])).parameters)
    summary = f"data {value:.9g}; " + ", ".join(f"{n}.grad {g:.9g}" for n, g in zip(names, grads))
    if not isinstance(got, dict) or not _number(got.get("data")) or not isinstance(got.get("grads"), list):
        return False, summary, f"expected out.data and every input's grad, got {_show_any(got)}"
    ok, problem = compare(got["data"], value, atol=TOLERANCE, relative=True, name="out.data")
    if not ok:
        return False, summary, problem + ": check the forward pass"
    if len(got["grads"]) != len(grads):
        return False, summary, f"expected {len(grads)} gradients, got {_show_any(got['grads'])}"
    for name, mine, right in zip(names, got["grads"], grads):
        if not _number(mine):
            return False, summary, f"{name}.grad should be a finite number, got {_show_any(mine)}"
        ok, problem = compare(mine, right, atol=TOLERANCE, relative=True, name=f"{name}.grad")
        if not ok:
            return False, summary, problem
    return True, summary, "the value and every gradient match"


def judge(check: dict, got) -> tuple[bool, str, str]:
    """(passed, expected as text, a one-line verdict); never raises."""
    try:
        if check["kind"] == "numerical":
            return _judge_numerical(check, got)
        return _judge_value(check, got)
    except Exception as error:
        return False, "?", f"could not read the result ({type(error).__name__}): got {_show_any(got)}"
