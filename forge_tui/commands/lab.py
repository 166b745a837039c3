"""`neuralforge lab MODULE --path | --run-lab | --check [--file F] | --reset [--run N]`: the lab, from the shell.

`--path` prints the lab file's path (creating it from the module's starter if missing);
`--run-lab` runs it in the sandbox, streaming its output; exit 0 when it ran cleanly, 1 otherwise;
`--check` runs the module's graded lab checks, one line per check starting with ✓ or ✗; exit 0 when
all pass, 1 when any fails; `--reset` puts the starter back, keeping the lab as a backup file.
Exit 2 on an error (unknown module, locked module, no starter, no checks, no sandbox).
"""

from __future__ import annotations

import sys

OK, FAILED, ERROR = 0, 1, 2


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "lab",
        help="print, run, check or reset a module's lab file",
        description="Print the path of your lab file for a module, run it or its checks in the sandbox, "
                    "or reset it to the starter.",
    )
    parser.add_argument("module", help="module number or id, e.g. 1 or vector-awakens")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--path", action="store_true", help="print the lab file's path")
    action.add_argument("--run-lab", action="store_true", help="run the lab in the sandbox")
    action.add_argument("--check", action="store_true", help="run the module's graded lab checks")
    action.add_argument("--reset", action="store_true",
                        help="put the starter back (your lab is kept as a timestamped backup)")
    parser.add_argument("--file", help="with --check: check this file (.py, or .c/.rs where the module's checks "
                                       "judge that language) instead of the run's lab")
    parser.add_argument("--run", help="run name or id (default: the most recently played)")
    parser.set_defaults(handler=run)


def _err(message: str) -> int:
    print(f"neuralforge lab: {message}", file=sys.stderr)
    return ERROR


def run(args) -> int:
    from forge_tui.game import Game, GameError
    from forge_tui.runner import SandboxError
    from forge_tui.session import Session

    sandbox = None
    if args.run_lab or args.check:
        from forge_tui.runner import Sandbox

        sandbox = Sandbox.start()  # before anything else: the zygote warms up meanwhile
    try:
        game = Game()
        try:
            module = game.catalog.module(args.module)
            session = Session.open(game, args.run, sandbox=lambda: sandbox)
        except KeyError as err:
            return _err(err.args[0])
        except GameError as err:
            return _err(str(err))
        try:
            if args.check:
                return _check(session, module, args.file)
            if args.reset:
                backup = session.reset_lab(module)
                print(f"Reset {session.lab_path(module)} to the starter; your version is kept as {backup}")
                return OK
            path = session.lab_path(module)
            if args.path:
                print(path)
                return OK
            return _run_lab(session, module)
        except (GameError, SandboxError, FileNotFoundError) as err:
            return _err(str(err))
    finally:
        if sandbox is not None:
            sandbox.close()


def _run_lab(session, module) -> int:
    import asyncio

    from forge_tui.safetext import strip_controls

    def stream(text: str) -> None:
        sys.stdout.write(strip_controls(text))
        sys.stdout.flush()

    result = asyncio.run(session.run_lab(module, on_output=stream))
    print(f"\n[{strip_controls(result.message)} in {result.duration_s:.2f} s]")
    return OK if result.ok else FAILED


def _check(session, module, file: str | None) -> int:
    import asyncio
    from pathlib import Path

    from forge_tui.safetext import strip_controls

    if file and not Path(file).is_file():
        return _err(f"no such file: {file}")

    def show(result) -> None:
        mark = "✓" if result.passed else "✗"
        lines = [f"{mark} {result.name}" + (f": {result.summary}" if result.summary else ""),
                 *result.failure_lines(" " * 4)]
        print(strip_controls("\n".join(lines)), flush=True)

    report = asyncio.run(session.check_lab(module, file=Path(file) if file else None, on_check=show))
    print(strip_controls(report.message))
    return OK if report.all_passed else FAILED
