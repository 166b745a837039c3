"""`neuralforge serve`: host the game over SSH for a class (asyncssh is imported only here)."""

from __future__ import annotations

import argparse
from pathlib import Path


def default_host_data() -> Path:
    """Where a host keeps its key and its players' saves unless --data says otherwise."""
    from forge_tui.locations import data_directory

    return data_directory() / "serve"


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "serve",
        help="host the game over SSH for a class",
        description=(
            "Host Neural Forge over SSH. Players connect with `ssh -p PORT HOST` and play with nothing "
            "installed; each key is a player with their own saves. Public-key logins only."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for a class)")
    parser.add_argument("--port", type=int, default=2222, help="port to listen on (default 2222)")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--roster", type=Path, help="authorized_keys-style file: only these keys play; the comment names the player ('teacher' after the name marks a teacher)")
    who.add_argument("--open", action="store_true", help="admit any key; a new key is a new player")
    parser.add_argument("--max-sessions", type=int, default=60, help="sessions at once on this host (default 60)")
    parser.add_argument("--per-player", type=int, default=3, help="sessions at once per player (default 3)")
    parser.add_argument("--idle-timeout", type=float, default=30.0, help="minutes without a key press before a session ends (default 30; 0 = never)")
    parser.add_argument("--data", type=Path, help="the host's data directory: host key and every player's saves (default: <saves>/serve)")
    parser.add_argument(
        "--allow-unisolated-labs",
        action="store_true",
        help="run labs for several players even where the runner cannot confine them to their own files",
    )
    parser.add_argument(
        "--no-launcher",
        action="store_true",
        help="start each session as a fresh interpreter instead of forking it from the pre-imported launcher (slower; for debugging)",
    )
    parser.set_defaults(handler=run)
    return parser


def run(args) -> int:
    import asyncio
    import signal
    import sys

    try:
        from forge_tui.host.server import ForgeHost, ServeOptions
    except ImportError as err:
        print(f"neuralforge serve: needs the asyncssh package ({err}); install it with: pip install asyncssh", file=sys.stderr)
        return 2
    from forge_tui.host.identity import RosterError

    if args.max_sessions < 1 or args.per_player < 1 or args.idle_timeout < 0:
        print("neuralforge serve: --max-sessions and --per-player must be at least 1, --idle-timeout at least 0", file=sys.stderr)
        return 2
    idle = args.idle_timeout * 60
    options = ServeOptions(
        data=(args.data or default_host_data()).expanduser(),
        host=args.host,
        port=args.port,
        roster=args.roster,
        open_mode=args.open,
        max_sessions=args.max_sessions,
        per_identity=args.per_player,
        idle_timeout=idle,
        idle_warning=min(60.0, idle / 2),
        allow_unisolated_labs=args.allow_unisolated_labs,
    )
    if args.no_launcher:
        options.launcher = False

    async def main() -> int:
        host = ForgeHost(options)
        try:
            await host.start()
        except RosterError as err:
            print(f"neuralforge serve: {err}", file=sys.stderr)
            return 2
        except OSError as err:
            print(f"neuralforge serve: cannot listen on {args.host}:{args.port}: {err.strerror or err}", file=sys.stderr)
            return 2
        print(host.banner(), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        print("Stopping: ending every session (all progress is saved).", flush=True)
        await host.close()
        return 0

    return asyncio.run(main())
