"""One game process per SSH session, on its own pseudo-terminal.

The process is a session leader with the PTY as its controlling terminal, so a window change
(TIOCSWINSZ on the master) reaches it as SIGWINCH, and ending it is a matter of hanging up its
process group. Everything here is standard library: no asyncssh.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import pty
import re
import signal
import struct
import sys
import termios
from pathlib import Path
from typing import Callable, Mapping

import forge_tui
from forge_tui.host.launcher import Launcher, LauncherError, play_arguments

log = logging.getLogger("forge_tui.host")
# Environment a client may set with SendEnv/SetEnv; everything else it sends is ignored.
CLIENT_ENV = ("COLORTERM", "LANG", "LC_ALL", "LC_CTYPE", "NO_COLOR", "NEURALFORGE_MOUSE", "ESCDELAY")
# Settings of the host that pass on to every game process (NEURALFORGE_PLAY_APP: see host/play.py).
HOST_ENV = ("NEURALFORGE_ANIMATE", "NEURALFORGE_CONTENT", "NEURALFORGE_PLAY_APP")
# What a client's TERM may be (a terminfo name: xterm-256color, screen.xterm-256color, rxvt-unicode);
# anything else (a path, control characters, a 4 KB string) gives the game DEFAULT_TERM instead.
TERM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
DEFAULT_TERM = "xterm-256color"
# Restores a terminal a killed game left in the alternate screen with mouse reporting on.
TERMINAL_RESET = b"\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?2004l\x1b[?1049l\x1b[?25h\x1b[0m\r\n"


def most_recent_run(home: Path) -> str | None:
    """The id of the run played last in this data directory, if any is readable."""
    from forge_tui.saves import SaveError, Store

    try:
        runs = Store(home).list_runs()
    except SaveError:
        return None
    return next((summary.id for summary in runs if not summary.problem), None)


def terminal_name(term: object) -> str:
    """The client's terminal type if it is a well-formed terminal name, else DEFAULT_TERM."""
    return term if isinstance(term, str) and TERM_NAME.fullmatch(term) else DEFAULT_TERM


def game_command(run_id: str | None = None, *, class_data: Path | None = None) -> list[str]:
    argv = [sys.executable, "-m", "forge_tui.host.play"]
    if class_data is not None:
        return argv + ["--class-data", str(class_data)]
    return argv + (["--run", run_id] if run_id else [])


def session_env(
    home: Path,
    term: str,
    client_env: Mapping[str, str] | None = None,
    *,
    labs_allowed: bool = True,
    identity: str = "",
) -> dict[str, str]:
    """A fresh environment for a game process: nothing of the host's own leaks through."""
    package_root = str(Path(forge_tui.__file__).resolve().parent.parent)
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TERM": terminal_name(term),
        "PYTHONPATH": package_root,
        "PYTHONDONTWRITEBYTECODE": "1",
        "NEURALFORGE_HOME": str(home),
        "NEURALFORGE_LABS": "1" if labs_allowed else "0",
        # many sessions share the host's cores: load sympy and the lab zygote on first use
        "NEURALFORGE_WARM_UP": "0",
        "NEURALFORGE_IDENTITY": identity,
    }
    if Path(home).parent.name == "players":
        # the whole host folder (host key, every player): the runner carves it out of what a
        # lab may read even if a teacher put it under a directory labs are allowed to read
        env["NEURALFORGE_HOST_DATA"] = str(Path(home).resolve().parent.parent)
    for name in HOST_ENV:
        if name in os.environ:
            env[name] = os.environ[name]
    for name, value in (client_env or {}).items():
        if name in CLIENT_ENV and value.isprintable() and len(value) < 200:
            env[name] = value
    if "COLORTERM" not in env and any(word in env["TERM"] for word in ("truecolor", "24bit", "direct")):
        env["COLORTERM"] = "truecolor"
    return env


def set_size(fd: int, columns: int, rows: int) -> None:
    """Set a terminal's window size (the kernel tells the foreground group with SIGWINCH)."""
    columns = max(1, min(int(columns or 80), 1000))
    rows = max(1, min(int(rows or 24), 1000))
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def get_size(fd: int) -> tuple[int, int]:
    rows, columns, _, _ = struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))
    return columns, rows


def _take_terminal() -> None:  # runs in the child between fork and exec, after setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (children first), read from /proc; [] where there is none."""
    parents: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        parents.setdefault(int(fields[1]), []).append(int(entry))
    found: list[int] = []
    queue = [pid]
    while queue:
        for child in parents.get(queue.pop(0), []):
            if child not in found:
                found.append(child)
                queue.append(child)
    return found


class GameProcess:
    """A program on a new PTY, bridged to callbacks: bytes out, an exit status at the end."""

    def __init__(
        self,
        argv: list[str],
        env: Mapping[str, str],
        size: tuple[int, int],
        on_output: Callable[[bytes], None],
        on_exit: Callable[[int], None],
        cwd: Path | None = None,
        launcher: Launcher | None = None,
    ):
        self.argv = list(argv)
        self.launcher = launcher  # forks `forge_tui.host.play` pre-imported; None: always exec
        self.via = ""  # "launcher" or "exec", once started
        self.env = dict(env)
        self.size = size
        self.on_output = on_output
        self.on_exit = on_exit
        self.cwd = cwd
        self.process = None  # an asyncio.subprocess.Process, or a launcher.LaunchedProcess
        self.master: int | None = None
        self._pending = bytearray()  # keystrokes waiting for room in the PTY
        self._reading = False
        self._closing = False
        self._waiter: asyncio.Task | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        master, slave = pty.openpty()
        try:
            set_size(slave, *self.size)
            args = play_arguments(self.argv) if self.launcher is not None else None
            if args is not None and self.launcher.alive:
                try:
                    self.process = await self.launcher.spawn(args, self.env, str(self.cwd) if self.cwd else None, slave)
                    self.via = "launcher"
                    return self._started(loop, master)
                except LauncherError as err:
                    log.warning("session launcher: %s; this session starts by exec", err)
            self.via = "exec"
            self.process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=self.env,
                cwd=str(self.cwd) if self.cwd else None,
                start_new_session=True,
                preexec_fn=_take_terminal,
                close_fds=True,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        self._started(loop, master)

    def _started(self, loop: asyncio.AbstractEventLoop, master: int) -> None:
        os.set_blocking(master, False)
        self.master = master
        self.resume_output()
        self._waiter = loop.create_task(self._wait())

    async def _wait(self) -> None:
        assert self.process is not None
        status = await self.process.wait()
        # Drain what the program wrote just before it ended.
        self._drain()
        self._close_master()
        if not self._closing:
            self._kill_leftovers()
        self.on_exit(status)

    # --- data in and out ---------------------------------------------------------
    def _drain(self) -> None:
        while self.master is not None:
            try:
                data = os.read(self.master, 65536)
            except BlockingIOError:
                return
            except OSError:  # EIO: the slave side is closed
                return
            if not data:
                return
            self.on_output(data)

    def _readable(self) -> None:
        if self.master is None:
            return
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return
        except OSError:
            self.pause_output()
            return
        if data:
            self.on_output(data)
        else:
            self.pause_output()

    def pause_output(self) -> None:
        if self._reading and self.master is not None:
            asyncio.get_running_loop().remove_reader(self.master)
        self._reading = False

    def resume_output(self) -> None:
        if not self._reading and self.master is not None:
            asyncio.get_running_loop().add_reader(self.master, self._readable)
            self._reading = True

    def write(self, data: bytes) -> None:
        if self.master is None or not data:
            return
        self._pending += data
        self._flush()

    def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending and self.master is not None:
            try:
                sent = os.write(self.master, self._pending)
            except BlockingIOError:
                loop.add_writer(self.master, self._flush)
                return
            except OSError:
                self._pending.clear()
                return
            del self._pending[:sent]
        if self.master is not None:
            loop.remove_writer(self.master)

    def resize(self, columns: int, rows: int) -> None:
        self.size = (columns, rows)
        if self.master is not None:
            set_size(self.master, columns, rows)

    # --- the end -------------------------------------------------------------------
    def _close_master(self) -> None:
        if self.master is None:
            return
        loop = asyncio.get_running_loop()
        self.pause_output()
        loop.remove_writer(self.master)
        os.close(self.master)
        self.master = None

    def _signal_tree(self, sig: int) -> list[int]:
        """Send ``sig`` to the game's process group and to every process below it."""
        if self.process is None:
            return []
        pid = self.process.pid
        tree = descendants(pid)
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        for child in tree:
            try:
                os.kill(child, sig)
            except (ProcessLookupError, PermissionError):
                pass
        return tree

    def _kill_leftovers(self) -> None:
        """After the game ended: anything it left in its group or below it is killed."""
        self._signal_tree(signal.SIGKILL)

    async def stop(self, grace: float = 2.0) -> int | None:
        """Hang up the game (SIGHUP to its group and its descendants), then kill what is left.

        Returns the exit status. Every change is already saved, so a hang-up loses nothing.
        """
        if self.process is None:
            return None
        self._closing = True
        if self.process.returncode is None:
            tree = self._signal_tree(signal.SIGHUP)
            try:
                await asyncio.wait_for(asyncio.shield(self.process.wait()), grace)
            except asyncio.TimeoutError:
                pass
            tree += self._signal_tree(signal.SIGKILL)
            await self.process.wait()
            for child in tree:  # children reparented elsewhere: make sure they are gone
                try:
                    os.kill(child, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            for _ in range(50):  # SIGKILL is delivered at once, but dying takes the kernel a moment
                if not any(pid_alive(child) for child in tree):
                    break
                await asyncio.sleep(0.02)
        else:
            self._kill_leftovers()
        if self._waiter is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._waiter), grace)
            except asyncio.TimeoutError:
                self._waiter.cancel()
        self._close_master()
        return self.process.returncode


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie waiting for its parent is not alive
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
        return stat[stat.rfind(b")") + 2 : stat.rfind(b")") + 3] != b"Z"
    except OSError:
        return False


__all__ = [
    "CLIENT_ENV",
    "GameProcess",
    "TERMINAL_RESET",
    "descendants",
    "game_command",
    "get_size",
    "most_recent_run",
    "pid_alive",
    "session_env",
    "set_size",
]
