"""Series a lab sends while it runs: loss curves and the like, collected for a plot.

The protocol, for every module's lab: a message on the result channel with a series name, a
step and one number, the number's key naming the quantity::

    from neuralforge_child import send
    send({"series": "adam", "step": 10, "loss": 0.53})

`collect(messages)` reads a run's result messages (`RunResult.results`) and keeps, per (series,
quantity), its points in the order they came. Everything else on the channel is ignored. What a
lab sends is the player's: names are cut to a readable length and stripped of control
characters, non-finite numbers are dropped, and a lab that sends too many series or points gets
the first ones (the counts say how many were left out). No UI here: the Lab part draws what this
returns (`forge_tui.widgets.series`), and a command could print it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from forge_tui.safetext import strip_controls

MAX_SERIES = 12  # more would not be told apart on a terminal plot
MAX_POINTS = 5000  # per series
MAX_NAME = 24


@dataclass
class Series:
    """One curve: `name` (the series) and `quantity` (the key its numbers came under)."""

    name: str
    quantity: str
    steps: list[float] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.name if self.quantity == "value" else f"{self.name} {self.quantity}"

    @property
    def last(self) -> float:
        return self.values[-1]


@dataclass
class Collected:
    """What a run sent: its series in the order they first appeared, and what was left out."""

    series: list[Series] = field(default_factory=list)
    dropped_points: int = 0  # non-finite numbers, and points past MAX_POINTS
    dropped_series: int = 0  # series past MAX_SERIES

    def __bool__(self) -> bool:
        return bool(self.series)

    @property
    def quantities(self) -> list[str]:
        return list(dict.fromkeys(s.quantity for s in self.series))


def _name(value) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(strip_controls(value).split())
    return text[:MAX_NAME] or None


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def read_point(message) -> tuple[str, str, float, float] | None:
    """(series, quantity, step, value) from one result message, or None when it is not a point:
    a dict with "series" (text), "step" (a number) and exactly one more key holding a number."""
    if not isinstance(message, dict) or "series" not in message:
        return None
    name, step = _name(message.get("series")), _number(message.get("step"))
    rest = [key for key in message if key not in ("series", "step")]
    if name is None or step is None or len(rest) != 1:
        return None
    quantity, value = _name(rest[0]), _number(message[rest[0]])
    if quantity is None or value is None:
        return None
    return name, quantity, step, value


def collect(messages) -> Collected:
    """Every series point among `messages`, grouped by (series, quantity)."""
    out = Collected()
    found: dict[tuple[str, str], Series] = {}
    refused: set[tuple[str, str]] = set()
    for message in messages or ():
        point = read_point(message)
        if point is None:
            continue
        name, quantity, step, value = point
        key = (name, quantity)
        if key not in found:
            if len(found) >= MAX_SERIES:
                if key not in refused:
                    refused.add(key)
                    out.dropped_series += 1
                continue
            found[key] = Series(name, quantity)
            out.series.append(found[key])
        series = found[key]
        if not (math.isfinite(step) and math.isfinite(value)) or len(series.values) >= MAX_POINTS:
            out.dropped_points += 1
            continue
        series.steps.append(step)
        series.values.append(value)
    out.series = [s for s in out.series if s.values]
    return out


def summary(collected: Collected) -> str:
    """One line per series: its name (and quantity, when there are several), how many points,
    where it ended."""
    several = len(collected.quantities) > 1
    lines = [f"{s.label if several else s.name}: {len(s.values)} points, last {s.last:.4g} at step {s.steps[-1]:g}"
             for s in collected.series]
    if collected.dropped_series:
        lines.append(f"({collected.dropped_series} more series were not kept: at most {MAX_SERIES})")
    if collected.dropped_points:
        lines.append(f"({collected.dropped_points} points were not kept: not finite, or past {MAX_POINTS} a series)")
    return "\n".join(lines)
