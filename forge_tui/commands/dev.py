"""`neuralforge dev check [PATH ...]`: validate content folders before they ship.

With no PATH, every shipped level and boss folder is checked. Prints one line per problem,
`file [field]: what is wrong`; exit 0 when there are none, 1 when there are, 2 on an error.
"""

from __future__ import annotations

import sys

OK, PROBLEMS, ERROR = 0, 1, 2


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("dev", help="tools for content authors",
                                   description="Tools for people who write levels, bosses and checks.")
    sub = parser.add_subparsers(dest="dev_command", metavar="COMMAND", required=True)
    check = sub.add_parser(
        "check", help="validate level and boss folders",
        description="Validate level folders (schema, every derivation step by sympy, the gate's answer) and "
                    "boss folders (the reference wins and passes the lab checks; the starter and every wrong "
                    "solution lose). Exit 0 when all is well, 1 when a problem was found.")
    check.add_argument("paths", nargs="*", metavar="PATH", help="a level or boss folder (default: all shipped)")
    check.set_defaults(handler=run)


def run(args) -> int:
    from pathlib import Path

    from forge_tui.devcheck import check_path, shipped_folders
    from forge_tui.locations import bosses_directory, levels_directory
    from forge_tui.runner import Sandbox, SandboxError

    levels = levels_directory()
    paths = [Path(p) for p in args.paths] or shipped_folders(levels, bosses_directory())
    missing = [p for p in paths if not p.is_dir()]
    if missing:
        print(f"neuralforge dev check: no such folder: {missing[0]}", file=sys.stderr)
        return ERROR
    sandboxes: list = []

    def sandbox():
        if not sandboxes:
            sandboxes.append(Sandbox.start())
        return sandboxes[0]

    found = []
    try:
        for path in paths:
            problems = check_path(path, levels=levels, sandbox_factory=sandbox,
                                  say=lambda text: print(text, flush=True))
            for problem in problems:
                print(f"  ✗ {problem}", flush=True)
            found += problems
    except SandboxError as err:
        print(f"neuralforge dev check: the sandbox could not run: {err}", file=sys.stderr)
        return ERROR
    finally:
        for box in sandboxes:
            box.close()
    print(f"{len(paths)} folders checked: " + (f"{len(found)} problems" if found else "no problems"))
    return PROBLEMS if found else OK
