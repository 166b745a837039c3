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
    from pathlib import Path

    from forge_tui.boss import fight_sync, load_boss
    from forge_tui.languages import BY_ID
    from forge_tui.game import Game, GameError
    from forge_tui.labs import ensure_lab
    from forge_tui.locations import data_directory
    from forge_tui.runner import Sandbox, SandboxError
    from forge_tui.safetext import strip_controls

    sandbox = Sandbox.start()  # first: numpy loads in the zygote while the rest is read
    try:
        game = Game()
        try:
            module = game.catalog.module(args.module)
        except KeyError as err:
            return _err(err.args[0])
        run_state = game.store.resolve(args.run)
        try:
            game.require_playable(run_state, module)
        except GameError as err:
            return _err(str(err))
        boss = load_boss(module.id)
        if boss is None:
            return _err(f"module {module.number} ({module.title}) has no boss yet")
        if args.file:
            lab = Path(args.file)
            if not lab.is_file():
                return _err(f"no such file: {lab}")
        else:
            lab = ensure_lab(data_directory(), run_state.id, module, boss.lab_language(run_state.language))
        print(f"{module.boss_name or 'The boss'} (module {module.number}: {module.title})")
        print(f"Lab: {strip_controls(str(lab))}")
        try:
            print(f"Sandbox: {sandbox.describe()}")
        except SandboxError as err:
            return _err(str(err))

        def show(case) -> None:
            """One case, as text: what the lab sent back never drives the terminal."""
            if case.round > 1 and case.index == 0:
                print("Confirming the victory on fresh secret cases:")
            mark = "✓" if case.passed else "✗"
            lines = [f"  {mark} {case.index + 1:>2}. {case.name}: {case.summary}"]
            if not case.passed:
                lines.append(f"       {case.message}")
                if case.expected:
                    lines.append(f"       expected: {case.expected}")
                lines.append(f"       got: {case.got_summary}")
                if case.hint:
                    lines.append(f"       hint: {case.hint}")
            print(strip_controls("\n".join(lines)))

        try:
            report = fight_sync(boss, lab, sandbox, seed=args.seed, on_case=show)
        except SandboxError as err:
            return _err(str(err))
        print(strip_controls(report.message))
        print(f"({report.passed}/{len(report.cases)} cases, {report.duration_s * 1000:.0f} ms, "
              f"judged the {BY_ID[report.language].name} lab)")
        try:
            game.record_fight(run_state, module, report)
        except GameError as err:
            return _err(f"the victory could not be saved: {err}")
        return VICTORY if report.won else DEFEAT
    finally:
        sandbox.close()
