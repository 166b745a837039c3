"""The process one SSH session runs: the game (or, for a teacher, the class table) on a PTY.

`python -m forge_tui.host.play [--run RUN] [--class-data DIR]`

The host starts it with NEURALFORGE_HOME set to the player's own folder, so every run the
player can name resolves inside that folder only. Mouse reporting stays off (no flood of
motion events over the network) unless the client sent NEURALFORGE_MOUSE=1.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="forge_tui.host.play")
    parser.add_argument("--run", help="resume this run straight away")
    parser.add_argument("--class-data", help="show the class table of the host data directory DIR")
    args = parser.parse_args(argv)
    mouse = os.environ.get("NEURALFORGE_MOUSE") == "1"
    if args.class_data:
        from forge_tui.host.classroom import ClassApp

        ClassApp(Path(args.class_data)).run(mouse=mouse)
        return 0
    from forge_tui.app import NeuralForgeApp

    NeuralForgeApp(resume=args.run).run(mouse=mouse)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
