"""`neuralforge boss MODULE [--file F] [--run N]`: fight a module's boss from the shell.

Exit codes: 0 victory, 1 defeat, 2 error (unknown module, no boss yet, locked module, no sandbox).
A victory is recorded only when it counts (secret cases, confirmed on fresh ones: `boss.fight`);
the hidden `--seed` makes a practice fight, whose victory exits 0 and is never recorded.
"""

from __future__ import annotations

import sys

VICTORY, DEFEAT, ERROR = 0, 1, 2


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "boss",
        help="fight a module's boss with your lab",
        description="Judge your lab (or FILE) against the module's hidden cases in the sandbox. "
                    "Exit 0 victory, 1 defeat, 2 error.",
    )
    parser.add_argument("module", help="module number or id, e.g. 1 or vector-awakens")
    parser.add_argument("--file", help="judge this file instead of the run's lab: a .py lab, or a .c or .rs "
                                       "lab where the boss has a C or Rust path")
    parser.add_argument("--run", help="run name or id (default: the most recently played)")
    parser.add_argument("--seed", type=int, help=_hidden())
    parser.set_defaults(handler=run)


def _hidden():
    import argparse

    return argparse.SUPPRESS


def _err(message: str) -> int:
    print(f"neuralforge boss: {message}", file=sys.stderr)
    return ERROR


def run(args) -> int:
    import asyncio
    from pathlib import Path

    from forge_tui.game import Game, GameError
    from forge_tui.languages import BY_ID
    from forge_tui.runner import Sandbox, SandboxError
    from forge_tui.safetext import strip_controls
    from forge_tui.session import Session

    sandbox = Sandbox.start()  # first: numpy loads in the zygote while the rest is read
    try:
        game = Game()
        try:
            module = game.catalog.module(args.module)
            session = Session.open(game, args.run, sandbox=lambda: sandbox)
        except KeyError as err:
            return _err(err.args[0])
        except GameError as err:
            return _err(str(err))
        file = Path(args.file) if args.file else None
        if file is not None and not file.is_file():
            return _err(f"no such file: {file}")

        def begin(boss, lab, protections: str) -> None:
            print(f"{module.boss_name or 'The boss'} (module {module.number}: {module.title})")
            print(f"Lab: {strip_controls(str(lab))}")
            print(f"Sandbox: {protections}")

        def show(case) -> None:
            """One case, as text: what the lab sent back never drives the terminal."""
            if case.round > 1 and case.index == 0:
                print("Confirming the victory on fresh secret cases:")
            mark = "✓" if case.passed else "✗"
            lines = [f"  {mark} {case.index + 1:>2}. {case.name}: {case.summary}", *case.failure_lines(" " * 7)]
            print(strip_controls("\n".join(lines)))

        try:
            report = asyncio.run(session.fight(module, file=file, seed=args.seed, on_case=show, on_begin=begin))
        except (SandboxError, GameError) as err:
            return _err(str(err))
        print(strip_controls(report.message))
        print(f"({report.passed}/{len(report.cases)} cases, {report.duration_s * 1000:.0f} ms, "
              f"judged the {BY_ID[report.language].name} lab)")
        return VICTORY if report.won else DEFEAT
    finally:
        sandbox.close()
