"""`neuralforge`: play in the terminal, or drive the same engine from the shell.

Exit codes: 0 success; 1 a wrong gate answer; 2 a refusal (locked module, malformed
input, unknown run or module, damaged save).
"""

from __future__ import annotations

import argparse
import os
import sys

OK, WRONG, REFUSED = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neuralforge",
        description="Neural Forge: learn how large language models work by building them.",
        epilog="Run with no command to play. Saves live under $NEURALFORGE_HOME when set.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    play = sub.add_parser("play", help="play in the terminal (the default)", description="Start the game.")
    play.add_argument("--run", help="resume this run (name or id) straight away")

    new = sub.add_parser("new", help="create a run", description="Create a new run (sign up).")
    new.add_argument("--name", required=True, help="the run's name")
    new.add_argument("--flavors", required=True, help="exactly two of: hacker, mathematician, linguist, artist, scientist, builder (comma separated)")
    new.add_argument("--language", default="python", help="primary language: python (default), c, rust or triton")

    sub.add_parser("runs", help="list saved runs", description="List saved runs with their progress.")

    status = sub.add_parser("status", help="show a run's map", description="Show every module's state for a run.")
    status.add_argument("--run", help="run name or id (default: the most recently played)")

    gate = sub.add_parser(
        "gate",
        help="answer a module's Forge Gate",
        description="Submit a Forge Gate answer. Exit 0 accepted, 1 wrong, 2 locked or malformed.",
    )
    gate.add_argument("module", help="module number or id, e.g. 1 or vector-awakens")
    gate.add_argument("answer", help="your answer, quoted, e.g. \"8, 9\"")
    gate.add_argument("--run", help="run name or id (default: the most recently played)")

    sub.add_parser("doctor", help="check this machine", description="Report what this machine offers the game.")

    from importlib import import_module

    from forge_tui.commands import MODULES

    for name in MODULES:
        import_module(f"forge_tui.commands.{name}").add_parser(sub)
    return parser


def _game():
    from forge_tui.game import Game

    return Game()


def _say(message: str, *, err: bool = False) -> None:
    print(message, file=sys.stderr if err else sys.stdout)


def cmd_new(args) -> int:
    from forge_tui.flavors import parse_flavors
    from forge_tui.game import GameError
    from forge_tui.toolchains import languages

    try:
        flavors = parse_flavors(args.flavors)
    except ValueError as err:
        _say(f"neuralforge new: {err}", err=True)
        return REFUSED
    language = args.language.strip().lower()
    offered = {lang.id: lang for lang in languages()}
    if language not in offered:
        _say(f"neuralforge new: unknown language {language!r}; choose from {', '.join(offered)}", err=True)
        return REFUSED
    if not offered[language].available:
        _say(f"neuralforge new: {offered[language].name} is not available here: {offered[language].reason}", err=True)
        return REFUSED
    game = _game()
    try:
        run = game.new_run(args.name, flavors, language)
    except GameError as err:
        _say(f"neuralforge new: {err}", err=True)
        return REFUSED
    _say(f"Created run '{run.name}' (id {run.id}): {' + '.join(f.title() for f in run.flavors)}, {run.language}.")
    _say(f"Module 01 is open. Try: neuralforge gate 1 \"your answer\" --run {run.id}")
    return OK


def cmd_runs(args) -> int:
    game = _game()
    runs = game.store.list_runs()
    if not runs:
        _say("No runs yet. Start one with: neuralforge new --name NAME --flavors a,b")
        return OK
    total = len(game.catalog.modules)
    for summary in runs:
        note = game.store.last_note(summary.id)  # listing loads, and repairs, each run
        if note:
            _say(note.message, err=True)
        if summary.problem:
            _say(f"{summary.id:<16} {summary.problem}")
            continue
        flavors = "+".join(f.title() for f in summary.flavors)
        _say(
            f"{summary.id:<16} {summary.name:<20} {flavors:<22} {summary.language:<7} "
            f"{summary.gates_passed:>2}/{total} gates  last played {summary.last_played[:16].replace('T', ' ')}"
        )
    return OK


def _session(args):
    """The player's session on the run named by --run (or the latest played)."""
    from forge_tui.session import Session

    game = _game()
    return Session(game, game.store.resolve(args.run))  # a SaveError reaches main(): exit 2


def cmd_status(args) -> int:
    session = _session(args)
    game, run = session.game, session.run
    note = game.store.last_note(run.id)
    if note:
        _say(note.message, err=True)
    gates, forged = game.counts(run)
    total = len(game.catalog.modules)
    flavors = " + ".join(f.title() for f in run.flavors)
    _say(f"Run '{run.name}' ({run.id}) · {flavors} · {run.language} · {gates}/{total} gates · {forged} forged")
    width = max(len(m.title) for m in game.catalog.modules) + 2
    for phase in game.catalog.phases:
        _say(f"\nPhase {phase.number}: {phase.name}")
        for module in phase.modules:
            _say(f"  {module.number} {module.title:<{width}} {session.state(module)}")
    return OK


def cmd_gate(args) -> int:
    from forge_tui.game import GameError

    session = _session(args)
    try:
        module = session.game.catalog.module(args.module)
    except KeyError as err:
        _say(f"neuralforge gate: {err.args[0]}", err=True)
        return REFUSED
    if not module.gate.has_password:
        _say(f"Module {module.number} ({module.title}) has no password: {module.gate.prompt.strip().splitlines()[0]}")
        return REFUSED
    try:
        outcome = session.submit_gate(module, args.answer)
    except GameError as err:
        _say(f"neuralforge gate: {err}", err=True)
        return REFUSED
    if outcome.malformed:
        _say(f"neuralforge gate: {outcome.message}", err=True)
        return REFUSED
    _say(outcome.message)
    if outcome.accepted:
        if outcome.opened:
            _say(f"Module {outcome.opened.number} ({outcome.opened.title}) is open.")
        return OK
    for number, hint in enumerate(outcome.hints, 1):
        _say(f"Hint {number}: {hint}")
    return WRONG


def cmd_doctor(args) -> int:
    import platform
    import shutil

    from forge_tui.content import ContentError, catalog
    from forge_tui.locations import data_directory, levels_directory
    from forge_tui.toolchains import languages, optional_extras, syntax_highlighting

    from rich.console import Console

    size = shutil.get_terminal_size((0, 0))
    colours = Console().color_system or "none"
    _say(f"Python        {platform.python_version()} ({sys.executable})")
    if size.columns and size.lines:
        fits = "fits" if size.columns >= 80 and size.lines >= 24 else "too small: the game needs at least 80x24"
        shape = f"{size.columns}x{size.lines} ({fits})"
    else:
        shape = "not a terminal (output is redirected)"
    _say(f"Terminal      {shape}; colours: {colours}; TERM={os.environ.get('TERM', 'not set')}")
    for lang in languages():
        _say(f"Language      {lang.name:<7} {'yes' if lang.available else 'no '}  {lang.reason}")
    for name, present in optional_extras().items():
        _say(f"Extra         {name:<7} {'installed' if present else 'not installed (optional: only the labs and kernels that use it need it)'}")
    ok, reason = syntax_highlighting()
    _say(f"Highlighting  {'yes' if ok else 'no '}  {reason}")
    from forge_tui.runner import SandboxError, describe_protections, probe_only

    try:
        _say(f"Sandbox       {describe_protections(probe_only())}")
    except SandboxError as err:
        _say(f"Sandbox       unavailable: {err}")
    _say(f"Saves         {data_directory()}")
    try:
        count = len(catalog().modules)
        _say(f"Content       {count} modules from {levels_directory()}")
    except ContentError as err:
        _say(f"Content       BROKEN: {err}")
        return REFUSED
    return OK


def cmd_play(args) -> int:
    from forge_tui.app import NeuralForgeApp

    NeuralForgeApp(resume=getattr(args, "run", None)).run()
    return OK


COMMANDS = {
    "new": cmd_new,
    "runs": cmd_runs,
    "status": cmd_status,
    "gate": cmd_gate,
    "doctor": cmd_doctor,
    "play": cmd_play,
    None: cmd_play,
}


# The game's own numpy work (unlock tools, judges) is small: one BLAS thread is faster than many
# on a busy machine (a tiny GPT forward pass measured 0.08 s with one thread, 0.92 s with the
# default under load), and a class host runs dozens of games. Set before numpy is first imported.
ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def main(argv: list[str] | None = None) -> int:
    for name in ONE_THREAD:
        os.environ.setdefault(name, "1")
    argv = sys.argv[1:] if argv is None else argv
    # Plain `neuralforge` plays at once: building every command's parser (and importing each
    # command's module) cost about 0.1 s of the first screen's time (benchmarks/startup.py).
    args = _parser().parse_args(argv) if argv else argparse.Namespace(command=None, version=False, run=None)
    if args.version:
        from forge_tui import __version__

        _say(f"neuralforge {__version__}")
        return OK
    from forge_tui.saves import SaveError

    handler = getattr(args, "handler", None) or COMMANDS[args.command]
    try:
        return handler(args)
    except SaveError as err:
        _say(f"neuralforge: {err}", err=True)
        return REFUSED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `neuralforge status | head`: the reader left; that is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK
