"""Subcommands that live in their own modules.

Each module here defines `add_parser(subparsers)` (registering its argparse parser, with
`set_defaults(handler=run)`) and `run(args) -> int`. Keep their top-level imports light:
every `neuralforge` invocation imports them to build the parser.
"""

# Modules listed here are wired into `neuralforge` by forge_tui.cli.
MODULES: tuple[str, ...] = ("unlock", "bench", "boss", "lab", "serve", "classroom", "dev")
