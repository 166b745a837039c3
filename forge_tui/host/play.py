"""The process one SSH session runs: the game (or, for a teacher, the class table) on a PTY.

`python -m forge_tui.host.play [--run RUN] [--class-data DIR]`

The host starts it with NEURALFORGE_HOME set to the player's own folder, so every run the
player can name resolves inside that folder only. Mouse reporting stays off (no flood of
motion events over the network) unless the client sent NEURALFORGE_MOUSE=1.

On a host that refuses labs (NEURALFORGE_LABS=0: no filesystem isolation between players),
the game gets a sandbox that starts nothing: no zygote is warmed for the session and any run
that reaches it fails with the host's reason, whatever screen asked.

NEURALFORGE_PLAY_APP=module:function, a setting of the host (never a client's), makes every
session play the app that factory returns instead of the game, through the same server,
launcher and PTY. Only `benchmarks/ssh_load.py` sets it: it serves a bare Textual app
(`benchmarks.bare_app:make_app`) as the baseline the game's keystroke latency is set against.
"""

from __future__ import annotations

import argparse
import importlib
import os
from pathlib import Path


class LabsOff:
    """The game's sandbox on a host that refuses labs: starts no process, refuses every run."""

    def __init__(self, reason: str):
        self.reason = reason

    def describe(self) -> str:
        return f"none: {self.reason}"

    def protections(self) -> dict:
        return {}

    def close(self) -> None:
        pass

    def _refuse(self, *args, **kwargs):
        from forge_tui.runner import SandboxError

        raise SandboxError(self.reason)

    async def _refuse_async(self, *args, **kwargs):
        self._refuse()

    run_python = run_command = run_cases = _refuse_async
    run_python_sync = run_command_sync = _refuse


def game_sandbox():
    """None (the app starts the real runner when it needs it), or LabsOff where labs are refused."""
    from forge_tui.labrun import labs_refused

    reason = labs_refused()
    return LabsOff(reason) if reason else None


PLAY_APP = "NEURALFORGE_PLAY_APP"


def named_app_factory(name: str):
    """The function `module:function` names (an app factory); raises ValueError when `name`
    is not of that form, ImportError or AttributeError when nothing answers to it."""
    module, _, function = name.partition(":")
    if not module or not function:
        raise ValueError(f"{PLAY_APP} must be module:function, not {name!r}")
    return getattr(importlib.import_module(module), function)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="forge_tui.host.play")
    parser.add_argument("--run", help="resume this run straight away")
    parser.add_argument("--class-data", help="show the class table of the host data directory DIR")
    args = parser.parse_args(argv)
    mouse = os.environ.get("NEURALFORGE_MOUSE") == "1"
    if os.environ.get(PLAY_APP):
        named_app_factory(os.environ[PLAY_APP])().run(mouse=mouse)
        return 0
    if args.class_data:
        from forge_tui.host.classroom import ClassApp

        ClassApp(Path(args.class_data)).run(mouse=mouse)
        return 0
    from forge_tui.app import NeuralForgeApp

    NeuralForgeApp(resume=args.run, sandbox=game_sandbox()).run(mouse=mouse)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
