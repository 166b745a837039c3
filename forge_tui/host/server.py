"""`neuralforge serve`: the game over SSH, on asyncssh.

Public-key logins only (a roster of admitted keys, or ``--open``: any key, identity = its
fingerprint); one interactive PTY session = one game process with the player's own data
directory; no shell, exec, subsystem (SFTP, SCP) or forwarding of any kind.

Only `neuralforge serve` imports this module (asyncssh is not on the game's start-up path).
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from forge_tui.host import LabPolicy, lab_policy, runner_protections
from forge_tui.host.identity import HostPaths, Identity, Roster, fingerprint, load_roster, open_identity_id
from forge_tui.host.launcher import Launcher, LauncherError
from forge_tui.host.session import (
    TERMINAL_RESET,
    GameProcess,
    game_command,
    most_recent_run,
    session_env,
    terminal_name,
)

NOT_INTERACTIVE = (
    "Neural Forge is played in an interactive terminal: connect with `ssh -p {port} HOST` and no command. "
    "Commands, SFTP/SCP and forwarding are not offered here."
)

log = logging.getLogger("forge_tui.host")

SHUTDOWN = "The host is shutting down. Your progress is saved: connect again later to resume."


@dataclass
class ServeOptions:
    data: Path
    host: str = "127.0.0.1"
    port: int = 2222
    roster: Path | None = None  # admit only these keys; None with open_mode=True: any key
    open_mode: bool = False
    max_sessions: int = 60
    per_identity: int = 3
    idle_timeout: float = 30 * 60.0  # seconds without a keystroke before the session ends
    idle_warning: float = 60.0  # the warning comes this long before the end
    allow_unisolated_labs: bool = False
    failure_limit: int = 20  # failed logins from one address within failure_window ...
    failure_window: float = 60.0
    lockout: float = 300.0  # ... lock that address out this long
    login_timeout: float = 60.0
    keepalive_interval: float = 30.0  # a link that stops answering is dropped after 3 of these
    stop_grace: float = 2.0  # seconds a hung-up game gets before SIGKILL
    # Fork games from a pre-imported launcher (launcher.py) rather than exec each one;
    # NEURALFORGE_LAUNCHER=0 in the host's environment turns it off.
    launcher: bool = field(default_factory=lambda: os.environ.get("NEURALFORGE_LAUNCHER", "1") != "0")
    launcher_restarts: int = 3  # a launcher that dies is started again at most this many times


class FailureLimiter:
    """Failed login attempts per address; too many in a window locks the address out a while."""

    def __init__(self, limit: int, window: float, lockout: float, clock=time.monotonic):
        self.limit, self.window, self.lockout, self.clock = limit, window, lockout, clock
        self._failures: dict[str, list[float]] = {}
        self._locked_until: dict[str, float] = {}

    def failed(self, address: str) -> None:
        now = self.clock()
        recent = [t for t in self._failures.get(address, []) if now - t < self.window]
        recent.append(now)
        self._failures[address] = recent
        if len(recent) >= self.limit:
            self._locked_until[address] = now + self.lockout
            self._failures[address] = []

    def blocked(self, address: str) -> float:
        """Seconds this address stays locked out (0 when it may try)."""
        until = self._locked_until.get(address)
        if until is None:
            return 0.0
        left = until - self.clock()
        if left <= 0:
            del self._locked_until[address]
            return 0.0
        return left


def load_or_create_host_key(path: Path) -> tuple[asyncssh.SSHKey, bool]:
    """The host's ed25519 key, made on first start (mode 0600). Returns (key, created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, 0o600)
        return asyncssh.read_private_key(str(path)), False
    key = asyncssh.generate_private_key("ssh-ed25519", comment="neuralforge host key")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.export_private_key())
        handle.flush()
        os.fsync(handle.fileno())
    return key, True


class ForgeHost:
    """The SSH host: its options, its key, its players and its live sessions."""

    def __init__(self, options: ServeOptions, protections: dict | None | bool = True):
        self.options = options
        self.paths = HostPaths(options.data)
        self.roster: Roster | None = None
        self.limiter = FailureLimiter(options.failure_limit, options.failure_window, options.lockout)
        self.sessions: set[PlayerSession] = set()
        self.server: asyncssh.SSHAcceptor | None = None
        self.host_key: asyncssh.SSHKey | None = None
        self.key_created = False
        # True: ask the runner; None: no runner; a dict: this report (tests)
        self.protections = runner_protections() if protections is True else protections
        self.policy: LabPolicy | None = None
        self.launcher: Launcher | None = None
        self._launcher_restarts = 0
        self._launcher_starting: asyncio.Task | None = None

    # --- life ------------------------------------------------------------------------
    async def start(self) -> None:
        if self.options.open_mode == (self.options.roster is not None):
            raise ValueError("choose exactly one of a roster file or open mode")
        self.paths.prepare()
        if self.options.roster is not None:
            self.roster = load_roster(self.options.roster)
        self.host_key, self.key_created = load_or_create_host_key(self.paths.host_key)
        many = self.options.open_mode or len(self.roster.names) > 1  # type: ignore[union-attr]
        self.policy = lab_policy(self.protections, multiple_identities=many, allow_unisolated=self.options.allow_unisolated_labs)
        self.server = await asyncssh.create_server(
            lambda: Connection(self),
            self.options.host,
            self.options.port,
            server_host_keys=[self.host_key],
            encoding=None,
            line_editor=False,
            allow_pty=True,
            x11_forwarding=False,
            agent_forwarding=False,
            allow_scp=False,
            public_key_auth=True,
            password_auth=False,
            kbdint_auth=False,
            login_timeout=self.options.login_timeout,
            keepalive_interval=self.options.keepalive_interval,
            keepalive_count_max=3,
            server_version="NeuralForge",
        )
        if self.options.launcher:
            await self._start_launcher()

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.sockets[0].getsockname()[1]

    @property
    def fingerprint(self) -> str:
        assert self.host_key is not None
        return fingerprint(self.host_key.public_data)

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
        await asyncio.gather(*(session.end(SHUTDOWN) for session in list(self.sessions)), return_exceptions=True)
        if self._launcher_starting is not None:
            self._launcher_starting.cancel()
            await asyncio.gather(self._launcher_starting, return_exceptions=True)
        if self.launcher is not None:
            await self.launcher.close()

    # --- the session launcher ------------------------------------------------------
    def launch_mode(self) -> str:
        if self.launcher is not None and self.launcher.alive:
            return f"forked from a pre-imported launcher (pid {self.launcher.pid})"
        return "one fresh `python -m forge_tui.host.play` each" + ("" if not self.options.launcher else " (the launcher did not start)")

    async def _start_launcher(self) -> None:
        env = session_env(self.paths.data, "xterm-256color", {}, labs_allowed=bool(self.policy and self.policy.allowed))
        try:
            self.launcher = await Launcher.start(env)
        except (LauncherError, OSError) as err:
            log.warning("session launcher: %s; sessions start by exec", err)

    def session_launcher(self) -> Launcher | None:
        """The launcher for a new session: None (exec it) while none runs. A launcher that
        died is started again in the background, a bounded number of times."""
        launcher = self.launcher
        if launcher is not None and launcher.alive:
            return launcher
        if (
            launcher is not None
            and self._launcher_starting is None
            and self._launcher_restarts < self.options.launcher_restarts
        ):
            self._launcher_restarts += 1
            asyncio.get_running_loop().create_task(launcher.close())  # reap the dead one
            self._launcher_starting = asyncio.get_running_loop().create_task(self._restart_launcher())
        return None

    async def _restart_launcher(self) -> None:
        try:
            await self._start_launcher()
        finally:
            self._launcher_starting = None

    def banner(self) -> str:
        o = self.options
        if self.roster is not None:
            teachers = sorted({e.name for e in self.roster.entries if e.teacher})
            who = (
                f"roster {o.roster}: {len(self.roster)} keys, {len(self.roster.names)} players"
                + (f" (teachers: {', '.join(teachers)})" if teachers else "")
            )
        else:
            who = "open: any key is admitted; a new key is a new player (identity = the key's SHA-256 fingerprint)"
        if self.protections is None:
            shield = "no sandboxed runner available"
        else:
            shield = " ".join(f"{name} {'✓' if value and value is not False else '✗'}" for name, value in self.protections.items()) or "none reported"
        idle = f"{o.idle_timeout / 60:g} min" if o.idle_timeout else "off"
        shown_host = o.host if ":" not in o.host else f"[{o.host}]"
        return "\n".join(
            [
                f"Neural Forge host listening on {shown_host}:{self.port}",
                f"Host key      {self.fingerprint} (ed25519{', new' if self.key_created else ''}) {self.paths.host_key}",
                f"Players       {who}",
                f"Saves         {self.paths.players_dir}/<player>/",
                f"Limits        {o.max_sessions} sessions, {o.per_identity} per player, idle timeout {idle}",
                f"Protections   {shield}",
                f"Labs          {self.policy.reason if self.policy else '?'}",
                f"Sessions      {self.launch_mode()}",
                f"Players type  ssh -p {self.port} <this host>",
            ]
        )

    # --- sessions ------------------------------------------------------------------
    def admit(self, session: "PlayerSession") -> str | None:
        """Register a session, or say why it cannot start."""
        identity = session.identity
        assert identity is not None
        if len(self.sessions) >= self.options.max_sessions:
            return f"The host is full ({self.options.max_sessions} sessions). Try again in a few minutes."
        mine = sum(1 for s in self.sessions if s.identity and s.identity.id == identity.id)
        if mine >= self.options.per_identity:
            return (
                f"You already have {mine} sessions open with this key (the limit is {self.options.per_identity}). "
                "Close one and connect again."
            )
        self.sessions.add(session)
        return None

    def release(self, session: "PlayerSession") -> None:
        self.sessions.discard(session)


class Connection(asyncssh.SSHServer):
    """One client connection: authentication and what it may open."""

    def __init__(self, host: ForgeHost):
        self.host = host
        self.address = "?"
        self.identity: Identity | None = None
        self._candidate: Identity | None = None
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        peer = conn.get_extra_info("peername")
        self.address = str(peer[0]) if peer else "?"

    def connection_lost(self, exc: Exception | None) -> None:
        if self.identity is None:
            self.host.limiter.failed(self.address)

    def begin_auth(self, username: str) -> bool:
        assert self._conn is not None
        left = self.host.limiter.blocked(self.address)
        if left:
            self._conn.send_auth_banner(f"Too many failed logins from {self.address}; try again in {left:.0f} s.\r\n")
        elif self.host.roster is not None:
            self._conn.send_auth_banner(
                "Neural Forge: this class admits the keys on its roster only. "
                "If you are refused, send your public key (~/.ssh/id_ed25519.pub) to your teacher.\r\n"
            )
        return True

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def host_based_auth_supported(self) -> bool:
        return False

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        if self.host.limiter.blocked(self.address):
            return False
        blob = key.public_data
        if self.host.roster is not None:
            identity = self.host.roster.lookup(blob)
            if identity is None:
                self.host.limiter.failed(self.address)
                return False
        else:
            ident = open_identity_id(blob)
            identity = Identity(id=ident, name=ident, fingerprint=fingerprint(blob))
        self._candidate = identity
        return True

    def auth_completed(self) -> None:
        self.identity = self._candidate

    def session_requested(self):
        if self.identity is None:
            return False
        return PlayerSession(self.host, self.identity)

    # Forwarding of any kind: refused, with a reason where the protocol carries one.
    def connection_requested(self, dest_host, dest_port, orig_host, orig_port):
        raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, "Neural Forge offers no port forwarding")

    def unix_connection_requested(self, dest_path):
        raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, "Neural Forge offers no forwarding")

    def server_requested(self, listen_host, listen_port):
        return False

    def unix_server_requested(self, listen_path):
        return False


class PlayerSession(asyncssh.SSHServerSession):
    """An SSH session channel bridged to one game process on a PTY."""

    def __init__(self, host: ForgeHost, identity: Identity):
        self.host = host
        self.identity = identity
        self.chan: asyncssh.SSHServerChannel | None = None
        self.term = ""
        self.size = (80, 24)
        self.has_pty = False
        self.refusal: str | None = None
        self.game: GameProcess | None = None
        self.last_input = time.monotonic()
        self.warned = False
        self.admitted = False
        self._ending: asyncio.Task | None = None
        self._idle: asyncio.Task | None = None
        self._ended = False
        self._stopping = False  # end() is stopping the game: its exit does not close the channel

    # --- requests ------------------------------------------------------------------
    def connection_made(self, chan) -> None:
        self.chan = chan

    def pty_requested(self, term_type, term_size, term_modes) -> bool:
        self.has_pty = True
        self.term = terminal_name(term_type)
        columns, rows = term_size[0], term_size[1]
        self.size = (columns or 80, rows or 24)
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command) -> bool:
        self.refusal = NOT_INTERACTIVE.format(port=self.host.port)  # the command is never run
        return True

    def subsystem_requested(self, subsystem) -> bool:
        self.refusal = NOT_INTERACTIVE.format(port=self.host.port)
        return True

    def break_received(self, msec) -> bool:
        return False

    def signal_received(self, signal) -> None:
        return None

    def session_started(self) -> None:
        asyncio.get_running_loop().create_task(self._start())

    async def _start(self) -> None:
        assert self.chan is not None
        if self.refusal or not self.has_pty:
            message = self.refusal or NOT_INTERACTIVE.format(port=self.host.port)
            try:
                self.chan.write_stderr(message.encode() + b"\r\n")
                self.chan.exit(1)
            except (BrokenPipeError, OSError, asyncssh.Error):
                pass  # the client left already
            return
        refusal = self.host.admit(self)
        if refusal:
            self._say_and_exit(refusal, 1)
            return
        self.admitted = True
        try:
            home = self.host.paths.ensure_player(self.identity)
            if self.identity.teacher:
                argv = game_command(class_data=self.host.paths.data)
            else:
                argv = game_command(most_recent_run(home))
            env = session_env(
                home,
                self.term,
                self.chan.get_environment(),
                labs_allowed=bool(self.host.policy and self.host.policy.allowed),
                identity=self.identity.id,
            )
            self.game = GameProcess(
                argv, env, self.size, self._output, self._game_exited, cwd=home, launcher=self.host.session_launcher()
            )
            await self.game.start()
        except Exception as err:  # the player sees why, the host keeps serving
            self.host.release(self)
            self._say_and_exit(f"The game could not start: {err}", 1)
            return
        if self.host.options.idle_timeout:
            self._idle = asyncio.get_running_loop().create_task(self._watch_idle())

    # --- data -----------------------------------------------------------------------
    def data_received(self, data, datatype) -> None:
        self.last_input = time.monotonic()
        self.warned = False
        if self.game is not None and datatype is None:
            self.game.write(data)

    def terminal_size_changed(self, width, height, pixwidth, pixheight) -> None:
        self.size = (width or self.size[0], height or self.size[1])
        if self.game is not None:
            self.game.resize(*self.size)

    def pause_writing(self) -> None:
        if self.game is not None:
            self.game.pause_output()

    def resume_writing(self) -> None:
        if self.game is not None:
            self.game.resume_output()

    def _output(self, data: bytes) -> None:
        if self.chan is not None and not self._ended:
            try:
                self.chan.write(data)
            except (BrokenPipeError, OSError, asyncssh.Error):
                pass

    # --- the end ----------------------------------------------------------------------
    def _say_and_exit(self, message: str, status: int) -> None:
        if self.chan is None or self._ended:
            return
        self._ended = True
        try:
            self.chan.write(TERMINAL_RESET + message.encode() + b"\r\n")
            self.chan.exit(status)
        except (BrokenPipeError, OSError, asyncssh.Error):
            pass

    def _game_exited(self, status: int) -> None:
        self.host.release(self)
        if self._idle is not None and not self._stopping:  # when stopping, end() may be the idle task
            self._idle.cancel()
        if not self._ended and not self._stopping and self.chan is not None:
            self._ended = True
            try:
                self.chan.exit(max(0, status))
            except (BrokenPipeError, OSError, asyncssh.Error):
                pass

    def eof_received(self) -> bool:
        # A client that closes its input (ssh -n, stdin at its end) keeps its session: the game
        # (or the refusal message) ends it, and a closed link ends it through connection_lost.
        return True

    def connection_lost(self, exc) -> None:
        # A dropped link or a closed client: hang up the game. Every change is already saved.
        self._ended = True
        self._schedule_end(None)

    def _schedule_end(self, message: str | None) -> None:
        if self._ending is None:
            self._ending = asyncio.get_running_loop().create_task(self.end(message))

    async def end(self, message: str | None) -> None:
        """Stop the game (SIGHUP, then SIGKILL after a grace), and say why when there is a reason."""
        if self._idle is not None and self._idle is not asyncio.current_task():
            self._idle.cancel()
        self._stopping = True
        if self.game is not None:
            await self.game.stop(self.host.options.stop_grace)
        self.host.release(self)
        if message:
            self._say_and_exit(message, 1)

    async def _watch_idle(self) -> None:
        options = self.host.options
        step = max(0.1, min(5.0, options.idle_warning / 4 if options.idle_warning else options.idle_timeout / 4))
        while True:
            await asyncio.sleep(step)
            idle = time.monotonic() - self.last_input
            if idle >= options.idle_timeout:
                minutes = options.idle_timeout / 60
                self._ending = asyncio.current_task()
                await self.end(f"Session ended after {minutes:g} min without a key press. Your progress is saved: connect again to resume.")
                return
            if not self.warned and idle >= options.idle_timeout - options.idle_warning:
                self.warned = True
                left = options.idle_timeout - idle
                rows = self.size[1]
                note = f" Idle: this session ends in {left:.0f} s unless you press a key (your progress is saved). "
                self._output(b"\x07\x1b7\x1b[%d;1H\x1b[2K\x1b[7m%s\x1b[0m\x1b8" % (rows, note[: self.size[0]].encode()))


async def serve(options: ServeOptions, *, ready=None) -> None:
    """Run the host until cancelled (SIGINT/SIGTERM in `neuralforge serve`)."""
    host = ForgeHost(options)
    await host.start()
    if ready is not None:
        ready(host)
    try:
        await asyncio.Event().wait()
    finally:
        await host.close()
