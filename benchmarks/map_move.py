"""The CPU one arrow key costs on the map, side by side with the bare app (benchmarks/bare_app.py).

Each app runs headless at 80x24 in its own process; the arrow keys are posted to it as key
events, one every PAUSE_S, with no Pilot waits in between (Pilot's waits post a callback to every
widget on the screen and would bill the game for its widget count), so the figure is what a
hosted session spends per keystroke: the action, the restyle and the screen update. The game
walks a fresh run's map; the bare app walks its 4x4 grid. The apps alternate; medians of the
per-run means are compared as a ratio. It also counts the widgets whose lines are asked for in
each update (Textual asks every widget inside the rectangle around the changed regions).

    python benchmarks/map_move.py [--runs 5] [--keys 60] [--compare DIR]

--compare DIR also times the game from another checkout (see benchmarks/startup.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from calibration import line as calibration_line

HERE = Path(__file__).resolve().parent
ARROWS = ["right", "down", "left", "up"]
PAUSE_S = 0.04  # between two keys: long enough for each update to be drawn before the next key


async def walk(app, keys: int) -> tuple[float, float]:
    """(CPU ms per key, widgets rendered per key) for `keys` arrow keys posted to a running app."""
    from textual import events
    from textual.widget import Widget

    asked = [0]
    render_lines = Widget.render_lines

    def counting(widget, crop):
        asked[0] += 1
        return render_lines(widget, crop)

    Widget.render_lines = counting
    start = time.process_time()
    for index in range(keys):
        app.post_message(events.Key(ARROWS[index % 4], None))
        await asyncio.sleep(PAUSE_S)
    spent = time.process_time() - start
    Widget.render_lines = render_lines
    return spent / keys * 1000, asked[0] / keys


async def game(keys: int) -> tuple[float, float]:
    from forge_tui.app import NeuralForgeApp
    from forge_tui.screens.map import MapScreen

    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        run = app.game.new_run("bench", ["builder", "linguist"], "python")
        await app.push_screen(MapScreen(run))
        await pilot.pause()
        return await walk(app, keys)


async def bare(keys: int) -> tuple[float, float]:
    from bare_app import make_app

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        return await walk(app, keys)


def one_run(which: str, keys: int, checkout: str | None) -> tuple[float, float]:
    """Run one app in a fresh process; returns its (CPU ms per key, widgets rendered per key)."""
    env = {**os.environ, "NEURALFORGE_HOME": tempfile.mkdtemp(prefix="nf-move-"), "NEURALFORGE_WARM_UP": "0"}
    if checkout:
        env["PYTHONPATH"] = checkout
    out = subprocess.run([sys.executable, __file__, "--child", which, "--keys", str(keys)],
                         env=env, cwd=checkout or HERE, capture_output=True, text=True, timeout=300, check=True)
    cpu, widgets = out.stdout.split()[-2:]
    return float(cpu), float(widgets)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keys", type=int, default=60)
    parser.add_argument("--compare", metavar="DIR", help="also time the game from this other checkout")
    parser.add_argument("--child", choices=["game", "bare"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(HERE))
        cpu, widgets = asyncio.run((game if args.child == "game" else bare)(args.keys))
        print(f"{cpu:.3f} {widgets:.1f}")
        return 0
    apps = {"neuralforge": ("game", None), "bare app": ("bare", None)}
    if args.compare:
        apps["compared"] = ("game", os.path.abspath(args.compare))
    print(calibration_line("before"), flush=True)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in apps}
    for _ in range(args.runs):
        for name, (which, checkout) in apps.items():
            results[name].append(one_run(which, args.keys, checkout))
    print(calibration_line("after"))
    medians = {name: statistics.median(cpu for cpu, _ in runs) for name, runs in results.items()}
    for name, runs in results.items():
        cpus = [cpu for cpu, _ in runs]
        print(f"{name:<12} {medians[name]:5.1f} ms CPU a key (min {min(cpus):.1f}, max {max(cpus):.1f}), "
              f"{runs[0][1]:.0f} widgets rendered a key")
    for name in apps:
        if name != "bare app":
            print(f"{name} / bare app = {medians[name] / medians['bare app']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
