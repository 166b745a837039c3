"""How fast this machine's CPU is right now: a figure printed beside every benchmark's results.

The machines are shared and their load moves, so absolute times mean little without it:
`loop_seconds()` is the wall time of a fixed 10**7-step Python loop, taken in the same run as
the figures it stands beside (about 0.3 s on an idle modern core; 1.6 s was seen under load).
"""

from __future__ import annotations

import os
import time

STEPS = 10**7


def loop_seconds(steps: int = STEPS) -> float:
    """Seconds a `total += i` loop of `steps` steps takes in this process, now."""
    start = time.perf_counter()
    total = 0
    for i in range(steps):
        total += i
    return time.perf_counter() - start


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` prints them."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def line(when: str) -> str:
    """One printable line: the loop's time and the load average, `when` saying which moment."""
    return f"calibration ({when}): 10^7-step Python loop {loop_seconds():.2f} s · load average {load_average()} · {os.cpu_count()} cores"
