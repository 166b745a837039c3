"""`neuralforge class`: the teacher's view of a hosted class (a table, or CSV)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "class",
        help="the class table of a host (teacher)",
        description="Each player of this host: modules forged, gates passed, bosses defeated, current module, last active.",
    )
    parser.add_argument("--data", type=Path, help="the host's data directory (default: the one `neuralforge serve` uses)")
    actions = parser.add_subparsers(dest="class_action", metavar="ACTION")
    export = actions.add_parser("export", help="write the class table as CSV", description="Write the class table as CSV.")
    export.add_argument("--csv", required=True, help="the CSV file to write ('-' for standard output)")
    export.add_argument("--data", type=Path, dest="export_data", help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)
    return parser


def run(args) -> int:
    import sys

    from forge_tui.commands.serve import default_host_data
    from forge_tui.content import catalog
    from forge_tui.host.classroom import class_rows, render_table, write_csv
    from forge_tui.safetext import strip_controls

    data = (getattr(args, "export_data", None) or args.data or default_host_data()).expanduser()
    if not (data / "players").is_dir():
        print(f"neuralforge class: {data} is not a host's data directory (no players/ folder yet)", file=sys.stderr)
        return 2
    rows = class_rows(data)
    if getattr(args, "class_action", None) == "export":
        if args.csv == "-":
            write_csv(rows, sys.stdout)
        else:
            with open(args.csv, "w", encoding="utf-8", newline="") as out:
                write_csv(rows, out)
            print(f"Wrote {len(rows)} rows to {args.csv}.")
        return 0
    print(strip_controls(render_table(rows, len(catalog().modules))))
    return 0
