"""How many players one machine holds over SSH, side by side with a bare Textual app.

`neuralforge serve --open` runs in its own process on a random 127.0.0.1 port. N clients
connect (ramped up), each on an 80x24 PTY: sign up (a new run), then walk the map with arrow
keys. For every arrow key the client times keystroke -> the first bytes of the screen update.

In the same run, for every N, the same server (same launcher, same PTY path) is started again
with NEURALFORGE_PLAY_APP=benchmarks.bare_app:make_app, the one setting that makes each session
play another app than the game (forge_tui/host/play.py): a bare Textual app, one screen whose
highlight the arrow keys move. The same N clients connect and walk it. The game's p95 as a ratio
to the bare app's is the figure that survives a shared, noisy machine (goal: 1.5x or less at
N = 60); the absolute p95 has its own goal (100 ms). The two alternate in order from one N to
the next. Per N and app it prints p50/p95 latency, the memory of the session processes (PSS and
RSS each), the CPU the host used while the players walked, the CPU the sessions and the server use
while every player sits idle (--idle seconds, no key pressed), the CPU one key costs its session
and the server (the idle rate taken out), and the p95 of each key's place in the walk (every
walk starts at once, so the first keys of all N players arrive in the same second); a CPU calibration line (a fixed
Python loop, the load average) comes before and after. Everything is bounded: a fixed number of
keys per client, a timeout on every wait, loopback only.

    python benchmarks/ssh_load.py [--sessions 10,25,50,60] [--keys 20] [--pause 0.5] [--idle 10] [--apps game,bare]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import asyncssh  # noqa: E402
from bare_app import MARKER  # noqa: E402
from calibration import line as calibration_line  # noqa: E402

from forge_tui.host.session import descendants  # noqa: E402

SERVE = (
    "import argparse, sys\n"
    "from forge_tui.commands import serve\n"
    "parser = argparse.ArgumentParser(); serve.add_parser(parser.add_subparsers())\n"
    "args = parser.parse_args(sys.argv[1:])\n"
    "raise SystemExit(args.handler(args))\n"
)
ARROWS = [b"\x1b[C", b"\x1b[B", b"\x1b[D", b"\x1b[A"]  # right, down, left, up: stays on the map
GOAL_P95_MS = 100.0
GOAL_RATIO = 1.5  # the game's p95 over the bare app's, at N = 60
BARE_APP = "benchmarks.bare_app:make_app"
APPS = ("game", "bare")
WAIT_S = 30.0
KEY_WAIT_S = 5.0
RAMP_S = 0.5  # seconds between two players' arrivals


def start_server(data: Path, max_sessions: int, app: str) -> tuple[subprocess.Popen, int]:
    """`neuralforge serve` on a free loopback port; every session plays the game, or the bare app."""
    env = dict(os.environ, PYTHONPATH=str(REPO), NEURALFORGE_ANIMATE="0")
    env.pop("NEURALFORGE_PLAY_APP", None)
    if app == "bare":
        env["NEURALFORGE_PLAY_APP"] = BARE_APP
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE, "serve", "--open", "--port", "0", "--data", str(data), "--max-sessions", str(max_sessions)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=REPO,
    )
    banner = ""
    while "Players type" not in banner:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit(f"serve did not start:\n{banner}")
        banner += line
    port = int(re.search(r"listening on 127\.0\.0\.1:(\d+)", banner).group(1))
    return proc, port


def memory_kib(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in KiB."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return pss, rss


def is_launcher(pid: int) -> bool:
    """The host's pre-imported session launcher (forge_tui/host/launcher.py), not a game."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return b"forge_tui.host.launcher" in handle.read().split(b"\0")
    except OSError:
        return False


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return total / ticks


class Player:
    def __init__(self, number: int, port: int):
        self.number = number
        self.port = port
        self.buffer = bytearray()
        self.latencies: list[float] = []
        self.conn = None
        self.process = None
        self.connect_s = 0.0
        self.first_key_ms = 0.0

    async def wait_for(self, text: bytes, timeout: float = WAIT_S) -> None:
        end = time.monotonic() + timeout
        while text not in self.buffer:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"player {self.number}: {text!r} never came: {bytes(self.buffer[-1500:])!r}")
            try:
                chunk = await asyncio.wait_for(self.process.stdout.read(65536), left)
            except asyncio.TimeoutError:
                continue
            if not chunk:
                raise ConnectionError(f"player {self.number}: session ended: {bytes(self.buffer[-300:])!r}")
            self.buffer += chunk

    async def drain(self, quiet: float = 0.03) -> None:
        """Read what the last update still had in flight, so the next read is the new update."""
        while True:
            try:
                chunk = await asyncio.wait_for(self.process.stdout.read(65536), quiet)
            except asyncio.TimeoutError:
                break
            if not chunk:
                raise ConnectionError(f"player {self.number}: session ended")
        self.buffer.clear()

    async def send(self, data: bytes, pause: float = 0.15) -> None:
        self.process.stdin.write(data)
        await asyncio.sleep(pause)

    async def join(self, app: str) -> None:
        """Connect and wait for the first screen; in the game, sign up (a new run) too."""
        started = time.monotonic()
        key = asyncssh.generate_private_key("ssh-ed25519")
        self.conn = await asyncssh.connect(
            "127.0.0.1", self.port, known_hosts=None, client_keys=[key], agent_path=None, username="player"
        )
        self.process = await self.conn.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None)
        await self.wait_for(b"New run" if app == "game" else MARKER.encode())
        self.connect_s = time.monotonic() - started
        if app == "bare":
            return
        for attempt in range(4):
            if await self.sign_up(attempt):
                return
            await self.send(b"\x1b", 1.0)  # back to the start screen, and again
            await self.wait_for(b"New run")
        raise TimeoutError(f"player {self.number}: could not sign up")

    async def sign_up(self, attempt: int) -> bool:
        """One try at the signup form; under load a key can land before the focus moved."""
        pause = 0.3 * (attempt + 1)
        await self.send(b"n", pause)
        await self.wait_for(b"Flavors")
        await asyncio.sleep(pause)
        for char in f"p{self.number}".encode():
            await self.send(bytes([char]), 0.05)
        await self.send(b"\r", 2 * pause)  # the focus moves to the flavors list
        await self.send(b" ", pause)  # first flavor
        for _ in range(3):
            await self.send(b"\x1b[B", 0.1)
        await self.send(b" ", pause)  # fourth flavor
        self.buffer.clear()
        await self.send(b"\x13")  # ctrl+s: create the run
        try:
            return await self.wait_for_any(b"Foundations", b" chosen)", b"Give the run", timeout=15) == b"Foundations"
        except TimeoutError:
            return False

    async def wait_for_any(self, *texts: bytes, timeout: float = WAIT_S) -> bytes:
        end = time.monotonic() + timeout
        while True:
            for text in texts:
                if text in self.buffer:
                    return text
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"player {self.number}: none of {texts!r} came")
            try:
                chunk = await asyncio.wait_for(self.process.stdout.read(65536), left)
            except asyncio.TimeoutError:
                continue
            if not chunk:
                raise ConnectionError(f"player {self.number}: session ended")
            self.buffer += chunk

    async def walk(self, keys: int, pause: float) -> None:
        """Time ``keys`` arrow keys; one first key before them is timed apart (a cold code path
        in the game makes the first move on the map ~150 ms slower, load or not)."""
        for index in range(-1, keys):
            await asyncio.sleep(pause * random.uniform(0.5, 1.5))
            await self.drain()
            sent = time.monotonic()
            self.process.stdin.write(ARROWS[(index + 1) % len(ARROWS)])  # right, down, left, up: each one moves
            try:
                chunk = await asyncio.wait_for(self.process.stdout.read(65536), KEY_WAIT_S)
            except asyncio.TimeoutError:
                chunk = b""
            took = (time.monotonic() - sent) * 1000 if chunk else KEY_WAIT_S * 1000  # no update counts as the wait
            if index < 0:
                self.first_key_ms = took
            else:
                self.latencies.append(took)

    async def leave(self) -> None:
        if self.conn is not None:
            self.conn.close()
            await self.conn.wait_closed()


async def trial(n: int, keys: int, pause: float, app: str, idle_s: float = 10.0) -> dict:
    with tempfile.TemporaryDirectory(prefix="nf-ssh-load-") as tmp:
        server, port = start_server(Path(tmp), n + 5, app)
        players = [Player(i, port) for i in range(n)]
        try:
            joined = time.monotonic()
            # ramp up: a class does not press Enter in the same millisecond
            async def staggered(player: Player) -> None:
                await asyncio.sleep(player.number * RAMP_S)
                await player.join(app)

            await asyncio.gather(*(staggered(p) for p in players))
            ramp_s = time.monotonic() - joined
            await asyncio.sleep(5.0)  # let every session's start-up work finish
            below = descendants(server.pid)
            launchers = [pid for pid in below if is_launcher(pid)]
            games = [pid for pid in below if pid not in launchers]
            memory = [memory_kib(pid) for pid in games]
            launcher_pss = sum(memory_kib(pid)[0] for pid in launchers)
            host_pids = [server.pid] + launchers + games
            # idle: every player on the first screen after sign-up (the game's map), no key pressed
            idle_before, idle_server_before, idle_start = cpu_seconds(games), cpu_seconds([server.pid]), time.monotonic()
            await asyncio.sleep(idle_s)
            idle_wall = time.monotonic() - idle_start
            idle_cores = (cpu_seconds(games) - idle_before) / idle_wall
            idle_server_cores = (cpu_seconds([server.pid]) - idle_server_before) / idle_wall
            cpu_before, wall_before, client_before = cpu_seconds(host_pids), time.monotonic(), sum(os.times()[:2])
            sessions_before, server_before = cpu_seconds(games), cpu_seconds([server.pid])
            await asyncio.gather(*(p.walk(keys, pause) for p in players))
            cpu_used = cpu_seconds(host_pids) - cpu_before
            sessions_used = cpu_seconds(games) - sessions_before
            server_used = cpu_seconds([server.pid]) - server_before
            client_cpu = sum(os.times()[:2]) - client_before
            wall = time.monotonic() - wall_before
            server_pss = memory_kib(server.pid)[0]
        finally:
            await asyncio.gather(*(p.leave() for p in players), return_exceptions=True)
            server.terminate()
            server.wait(30)
    latencies = sorted(ms for p in players for ms in p.latencies)
    timed_keys = n * (keys + 1)
    quantiles = statistics.quantiles(latencies, n=100)
    game_memory = [m for pid, m in zip(games, memory) if m[0]]
    return {
        "app": app,
        "n": n,
        "samples": len(latencies),
        "p50": statistics.median(latencies),
        "p95": quantiles[94],
        "max": latencies[-1],
        "connect_p50": statistics.median(p.connect_s for p in players),
        "first_key_p50": statistics.median(p.first_key_ms for p in players),
        "ramp_s": ramp_s,
        "pss_mib": statistics.mean(m[0] for m in game_memory) / 1024 if game_memory else 0.0,
        "rss_mib": statistics.mean(m[1] for m in game_memory) / 1024 if game_memory else 0.0,
        "processes": len(games),
        "server_pss_mib": server_pss / 1024,
        "launcher_pss_mib": launcher_pss / 1024,
        "launcher": bool(launchers),
        "cpu_cores": cpu_used / wall,
        "client_cores": client_cpu / wall,
        "idle_cores": idle_cores,
        "idle_server_cores": idle_server_cores,
        # a key's CPU in its session (the idle rate taken out) and in the server (relaying it)
        "key_session_ms": (sessions_used - idle_cores * wall) / timed_keys * 1000,
        "key_server_ms": (server_used - idle_server_cores * wall) / timed_keys * 1000,
        # the tail once every player's walk is under way: the walks start together, so the first
        # keys of all N players arrive in the same second (a class told "go")
        "p95_settled": statistics.quantiles([ms for p in players for ms in p.latencies[3:]] if keys > 4 else latencies, n=100)[94],
        # the p95 of each key's place in the walk (1st, 2nd, ... timed key): does the tail sit early?
        "p95_by_key": [statistics.quantiles([p.latencies[i] for p in players], n=20)[18]
                       for i in range(min(len(p.latencies) for p in players))] if n >= 2 else [],
    }


def report(result: dict) -> str:
    return (
        f"N={result['n']:<3} {result['app']:<4} keys={result['samples']:<5} p50={result['p50']:6.1f} ms  p95={result['p95']:6.1f} ms  "
        f"max={result['max']:6.0f} ms  first key p50={result['first_key_p50']:.0f} ms  "
        f"session PSS={result['pss_mib']:5.1f} MiB (RSS {result['rss_mib']:5.1f}) x{result['processes']}  "
        f"server PSS={result['server_pss_mib']:.0f} MiB  "
        f"launcher {'PSS=%.0f MiB' % result['launcher_pss_mib'] if result['launcher'] else 'off (exec)'}  "
        f"host CPU={result['cpu_cores']:.2f} cores  clients CPU={result['client_cores']:.2f} cores  "
        f"first screen p50={result['connect_p50']:.2f} s (ramp {result['ramp_s']:.0f} s)\n"
        f"      idle: sessions {result['idle_cores']:.3f} cores, server {result['idle_server_cores']:.3f} cores · "
        f"per key: session {result['key_session_ms']:.1f} ms CPU, server {result['key_server_ms']:.1f} ms CPU"
        + f"\n      p95 by the key's place in the walk: {' '.join(f'{ms:.0f}' for ms in result['p95_by_key'])} ms"
        + f" · p95 from the 4th key on: {result['p95_settled']:.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="10,25,50,60", help="N values to try, in order (default 10,25,50,60)")
    parser.add_argument("--keys", type=int, default=20, help="arrow keys per player per trial (default 20)")
    parser.add_argument("--pause", type=float, default=0.5, help="mean seconds between a player's keys (default 0.5)")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds the host's idle CPU is measured, every player joined and no key pressed (default 10)")
    parser.add_argument("--apps", default="game,bare", help="which apps to serve (default game,bare; the ratio is judged only with both)")
    args = parser.parse_args()
    random.seed(1)
    print(f"{datetime.now():%Y-%m-%d %H:%M:%S} · launcher {'off' if os.environ.get('NEURALFORGE_LAUNCHER') == '0' else 'on'} · {platform.node()} · {platform.processor() or platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()}")
    print(calibration_line("before"), flush=True)
    met = True
    for index, n in enumerate(int(x) for x in args.sessions.split(",") if x.strip()):
        apps = [app for app in APPS if app in args.apps.split(",")]
        order = apps if index % 2 == 0 else apps[::-1]  # neither app always goes first
        results = {app: asyncio.run(trial(n, args.keys, args.pause, app, args.idle)) for app in order}
        for app in order:
            print(report(results[app]), flush=True)
        if len(results) < 2:
            continue
        game, bare = results["game"]["p95"], results["bare"]["p95"]
        ratio = game / bare
        verdicts = [f"p95 {'within' if game <= GOAL_P95_MS else 'OVER'} {GOAL_P95_MS:.0f} ms"]
        if n >= 60:
            verdicts.append(f"ratio {'within' if ratio <= GOAL_RATIO else 'OVER'} {GOAL_RATIO}x")
            met = met and ratio <= GOAL_RATIO
        print(f"N={n:<3} game p95 / bare p95 = {game:.1f} / {bare:.1f} ms = {ratio:.2f}x  ({', '.join(verdicts)})", flush=True)
    print(calibration_line("after"))
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
