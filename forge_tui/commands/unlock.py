"""`neuralforge unlock NAME [--run N]` opens an earned unlock tool full-screen;
`neuralforge unlock --list` lists every unlock of the curriculum with its module and state.

Exit codes: 0 opened or listed; 2 unknown name, not yet built, not yet earned, unknown run.
"""

from __future__ import annotations

import sys

OK, REFUSED = 0, 2


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "unlock",
        help="open an earned unlock tool",
        description="Open an unlock tool (earned by forging its module), or list them all.",
    )
    parser.add_argument("name", nargs="?", help="the tool's name (MatrixLab), or its module's number or id")
    parser.add_argument("--run", help="run name or id (default: the most recently played)")
    parser.add_argument("--list", action="store_true", help="list every unlock with its module and state")
    parser.set_defaults(handler=run)


def _err(message: str) -> None:
    print(f"neuralforge unlock: {message}", file=sys.stderr)


def run(args) -> int:
    from forge_tui.game import Game
    from forge_tui.saves import SaveError
    from forge_tui.unlocks import EARNED, NOT_BUILT, all_unlocks, find_unlock, unlock_state

    game = Game()
    if args.list:
        try:
            player = game.store.resolve(args.run)
        except SaveError as err:
            if args.run:
                _err(str(err))
                return REFUSED
            player = None
        if player is not None:
            print(f"Unlocks for run '{player.name}' ({player.id}):")
        else:
            print("Unlocks (no run yet, so none earned):")
        for spec in all_unlocks(game.catalog):
            module = game.catalog.module(spec.module_id)
            state = unlock_state(spec, player, game)
            print(f"  {module.number}  {spec.name:<14} {state:<14} {module.short}")
        return OK
    if not args.name:
        _err("name a tool (see: neuralforge unlock --list)")
        return REFUSED
    try:
        spec = find_unlock(args.name, game.catalog)
    except KeyError as err:
        _err(err.args[0])
        return REFUSED
    module = game.catalog.module(spec.module_id)
    if not spec.built:
        _err(f"{spec.name} (module {module.number}, {module.title}) is not built yet")
        return REFUSED
    try:
        player = game.store.resolve(args.run)
    except SaveError as err:
        _err(str(err))
        return REFUSED
    if unlock_state(spec, player, game) != EARNED:
        _err(
            f"{spec.name} is not earned yet in run '{player.name}': forge module {module.number} "
            f"({module.title}) by passing its gate and defeating its boss"
        )
        return REFUSED
    if not has_terminal():
        _err(f"{spec.name} is a full-screen tool: open it from an interactive terminal "
             "(standard input and output are not a terminal here)")
        return REFUSED
    ToolApp(spec, player).run()
    return OK


def has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def ToolApp(spec, run=None):  # noqa: N802 - a factory, so textual loads only when a tool opens
    from textual.app import App

    class _ToolApp(App):
        TITLE = f"Neural Forge · {spec.name}"

        def on_mount(self) -> None:
            screen = spec.open()
            if run is not None:
                screen.run = run  # "your code" mode runs this run's lab, not the latest one
            self.push_screen(screen, callback=lambda _: self.exit())

    return _ToolApp()
