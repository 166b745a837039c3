"""`neuralforge lab MODULE --path | --run-lab | --check [--file F] [--run N]`: the lab, from the shell.

`--path` prints the lab file's path (creating it from the module's starter if missing);
`--run-lab` runs it in the sandbox, streaming its output; exit 0 when it ran cleanly, 1 otherwise;
`--check` runs the module's graded lab checks, one line per check starting with ✓ or ✗; exit 0 when
all pass, 1 when any fails. Exit 2 on an error (unknown module, no starter, no checks, no sandbox).
"""

from __future__ import annotations

import sys

OK, FAILED, ERROR = 0, 1, 2


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "lab",
        help="print or run a module's lab file",
        description="Print the path of your lab file for a module, or run it in the sandbox.",
    )
    parser.add_argument("module", help="module number or id, e.g. 1 or vector-awakens")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--path", action="store_true", help="print the lab file's path")
    action.add_argument("--run-lab", action="store_true", help="run the lab in the sandbox")
    action.add_argument("--check", action="store_true", help="run the module's graded lab checks")
    parser.add_argument("--file", help="with --check: check this Python file instead of the run's lab")
    parser.add_argument("--run", help="run name or id (default: the most recently played)")
    parser.set_defaults(handler=run)


def _err(message: str) -> int:
    print(f"neuralforge lab: {message}", file=sys.stderr)
    return ERROR


def run(args) -> int:
    from forge_tui.game import Game
    from forge_tui.labs import ensure_lab
    from forge_tui.locations import data_directory

    sandbox = None
    if args.run_lab or args.check:
        from forge_tui.runner import Sandbox

        sandbox = Sandbox.start()  # before anything else: the zygote warms up meanwhile
    try:
        game = Game()
        try:
            module = game.catalog.module(args.module)
        except KeyError as err:
            return _err(err.args[0])
        run_state = game.store.resolve(args.run)
        if args.check:
            return _check(game, run_state, module, sandbox, args.file)
        try:
            path = ensure_lab(data_directory(), run_state.id, module, run_state.language)
        except FileNotFoundError as err:
            return _err(str(err))
        if args.path:
            print(path)
            return OK
        return _run_lab(sandbox, path)
    finally:
        if sandbox is not None:
            sandbox.close()


def _run_lab(sandbox, path) -> int:
    import asyncio

    from forge_tui.labrun import run_lab
    from forge_tui.runner import SandboxError
    from forge_tui.safetext import strip_controls

    def stream(text: str) -> None:
        """The lab's output as it comes, as text: its control sequences never reach the terminal."""
        sys.stdout.write(strip_controls(text))
        sys.stdout.flush()

    try:
        result = asyncio.run(run_lab(sandbox, path, on_output=stream))
    except SandboxError as err:
        return _err(str(err))
    print(f"\n[{strip_controls(result.message)} in {result.duration_s:.2f} s]")
    return OK if result.ok else FAILED


def _check(game, run_state, module, sandbox, file: str | None) -> int:
    from pathlib import Path

    from forge_tui.game import GameError
    from forge_tui.labcheck import check_lab_sync, load_checks
    from forge_tui.labs import ensure_lab
    from forge_tui.locations import data_directory
    from forge_tui.runner import SandboxError
    from forge_tui.safetext import strip_controls

    try:
        game.require_playable(run_state, module)
    except GameError as err:
        return _err(str(err))
    checks = load_checks(module.id)
    if checks is None:
        return _err(f"module {module.number} ({module.title}) has no lab checks yet")
    if file:
        lab = Path(file)
        if not lab.is_file():
            return _err(f"no such file: {lab}")
    else:
        lab = ensure_lab(data_directory(), run_state.id, module, "python")

    def show(result) -> None:
        """One check, as text: what the lab sent back never drives the terminal."""
        mark = "✓" if result.passed else "✗"
        lines = [f"{mark} {result.name}: {result.summary}" if result.summary else f"{mark} {result.name}"]
        if not result.passed:
            lines.append(f"    {result.message}")
            if result.expected:
                lines.append(f"    expected: {result.expected}")
            lines.append(f"    got: {result.got_summary}")
            if result.hint:
                lines.append(f"    hint: {result.hint}")
        print(strip_controls("\n".join(lines)))

    try:
        report = check_lab_sync(checks, lab, sandbox, on_check=show)
    except SandboxError as err:
        return _err(str(err))
    print(strip_controls(report.message))
    if not file:
        try:
            game.record_checks(run_state, module, report.passed_names, report.total)
        except GameError as err:
            return _err(f"the result could not be saved: {err}")
    return OK if report.all_passed else FAILED
