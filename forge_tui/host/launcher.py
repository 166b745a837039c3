"""A pre-imported session launcher: game processes forked from one process that loaded the game.

Starting a game with ``python -m forge_tui.host.play`` costs ~0.3 s of CPU, half of it imports;
on a host where a class connects at once those start-ups crowd the keystrokes of the players
already in. `neuralforge serve` therefore starts one launcher (a fresh interpreter, never a
fork of the threaded asyncio server) that imports Textual, the game's app, screens, widgets and
content catalog without starting any thread, then serves fork requests on a socket:

    server -> launcher   {"id", "args", "env", "cwd"} + the PTY slave fd (SCM_RIGHTS)
    launcher -> server   {"id", "pid"} + a pidfd of the child | {"id", "error"}
                         {"exit": pid, "status": code} once the launcher reaped it
                         {"ready": ...} once, after the imports

The child becomes a session leader with the PTY slave as its controlling terminal on 0/1/2,
closes every other descriptor, takes the session's environment and directory, and runs
`forge_tui.host.play.main(args)`; it ends through the interpreter's normal exit (threads
joined, atexit handlers run). The server gets a pidfd for each child, so it learns of the
child's end even if the launcher has died; a launcher that is gone makes the server fall back
to the exec path (session.GameProcess), never losing a session.

Environment read at import time: the launcher records which variables each module read while
it preloaded. A session whose environment differs in one of them is refused (the server then
execs it) unless that module can re-read it: ``textual.constants`` (ESCDELAY, TEXTUAL_*) is
reloaded in the child, so a client's ESCDELAY still takes effect.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import sys
from collections.abc import MutableMapping
from typing import Mapping

log = logging.getLogger("forge_tui.host")

MAX_MESSAGE = 256 * 1024
# Room the launcher's command line and environment keep so that a child can show its own in
# /proc/PID/cmdline and /proc/PID/environ (ps, the host's tests): see _show_in_proc.
ARGV_ROOM = 512
ENV_ROOM = 8192
ROOM_VARIABLE = "NEURALFORGE_LAUNCHER_ROOM"
READY_TIMEOUT = 30.0
PLAY_MODULE = "forge_tui.host.play"
# Modules that read the environment at import time and can simply be imported again in a child.
RELOADABLE = ("textual.constants",)


class LauncherError(Exception):
    """The launcher could not start a session (the caller execs it instead)."""


def supported() -> bool:
    return hasattr(os, "pidfd_open") and hasattr(socket, "send_fds") and sys.platform.startswith("linux")


# ============================================================================ the launcher process


class _TracedEnviron(MutableMapping):
    """os.environ while the launcher imports: every variable a module reads is recorded."""

    def __init__(self, real):
        self.real = real
        self.reads: dict[str, set[str]] = {}
        self.recording = True

    def _note(self, key) -> None:
        if not self.recording:
            return
        frame = sys._getframe(2)
        while frame is not None and frame.f_globals.get("__name__") in (__name__, "os", "_collections_abc", "typing"):
            frame = frame.f_back
        module = frame.f_globals.get("__name__", "?") if frame is not None else "?"
        self.reads.setdefault(str(key), set()).add(module)

    def __getitem__(self, key):
        self._note(key)
        return self.real[key]

    def get(self, key, default=None):
        self._note(key)
        return self.real.get(key, default)

    def __contains__(self, key):
        self._note(key)
        return key in self.real

    def __setitem__(self, key, value):
        self.real[key] = value

    def __delitem__(self, key):
        del self.real[key]

    def __iter__(self):
        return iter(self.real)

    def __len__(self):
        return len(self.real)

    def copy(self):
        return dict(self.real)


def preload_modules() -> list[str]:
    """What the launcher imports: the play entry point, the app, every screen and widget."""
    import pkgutil

    names = ["textual.constants", "forge_tui.app", PLAY_MODULE, "forge_tui.host.classroom", "forge_tui.labrun",
             "forge_tui.session", "forge_tui.unlocks.palette"]  # the app imports these two on first use
    for package in ("forge_tui.screens", "forge_tui.widgets"):
        module = __import__(package, fromlist=["__path__"])
        names += [f"{package}.{info.name}" for info in pkgutil.iter_modules(module.__path__)]
    return names


def preload() -> dict[str, tuple[str | None, list[str]]]:
    """Import the game; returns {variable: (value at import, [modules that read it])}."""
    import importlib

    traced = _TracedEnviron(os.environ)
    os.environ = traced  # type: ignore[assignment]
    try:
        for name in preload_modules():
            importlib.import_module(name)
        from forge_tui.content import catalog

        catalog()  # parsed once here, shared by every session (lru_cache)
    finally:
        traced.recording = False
        os.environ = traced.real  # modules that kept a reference to the tracer still see the real one
    return {key: (os.environ.get(key), sorted(modules)) for key, modules in traced.reads.items()}


def refusal(import_env: Mapping[str, tuple[str | None, list[str]]], env: Mapping[str, str]) -> str | None:
    """Why a session with ``env`` cannot be forked from this launcher (None: it can)."""
    for key, (value, modules) in import_env.items():
        if env.get(key) != value and any(module not in RELOADABLE for module in modules):
            return f"{key} differs from the launcher's and {', '.join(m for m in modules if m not in RELOADABLE)} read it at import"
    return None


def _reload_constants(import_env, env) -> None:
    """Re-read the variables of RELOADABLE modules that differ in this session."""
    import importlib

    changed = {m for key, (value, modules) in import_env.items() if env.get(key) != value for m in modules}
    for name in RELOADABLE:
        if name not in changed or name not in sys.modules:
            continue
        module = sys.modules[name]
        before = {k: v for k, v in vars(module).items() if k.isupper()}
        importlib.reload(module)
        after = {k: v for k, v in vars(module).items() if k.isupper()}
        moved = {k for k in after if k in before and after[k] != before[k]}
        if not moved:
            continue
        for other in list(sys.modules.values()):  # `from textual.constants import X` copies
            if other is module or not getattr(other, "__name__", "").startswith(name.split(".")[0]):
                continue
            for k in moved:
                if getattr(other, k, None) is before[k]:
                    setattr(other, k, after[k])


def _show_in_proc(argv: list[str], env: Mapping[str, str]) -> bool:
    """Write this process's command line and environment over the launcher's in place (as
    setproctitle does), so /proc/PID/cmdline and /proc/PID/environ tell the truth about a
    session. False (nothing written) where they do not fit the room the launcher kept."""
    import ctypes

    try:
        with open("/proc/self/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        arg_start, arg_end, env_start, env_end = (int(fields[n - 3]) for n in (48, 49, 50, 51))
    except (OSError, IndexError, ValueError):
        return False
    new_argv = b"".join(os.fsencode(a) + b"\0" for a in argv)
    new_env = b"".join(os.fsencode(f"{k}={v}") + b"\0" for k, v in env.items())
    if len(new_argv) > arg_end - arg_start or len(new_env) > env_end - env_start or not (arg_start and env_start):
        return False
    ctypes.memmove(arg_start, new_argv.ljust(arg_end - arg_start, b"\0"), arg_end - arg_start)
    ctypes.memmove(env_start, new_env.ljust(env_end - env_start, b"\0"), env_end - env_start)
    # Where allowed (CAP_SYS_RESOURCE, e.g. a host run as root) the blocks shrink to fit, so the
    # kernel shows exactly these arguments; elsewhere they read with empty ones after them.
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
        prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
        PR_SET_MM, PR_SET_MM_ARG_END, PR_SET_MM_ENV_END = 35, 9, 11
        prctl(PR_SET_MM, PR_SET_MM_ARG_END, arg_start + len(new_argv), 0, 0)
        prctl(PR_SET_MM, PR_SET_MM_ENV_END, env_start + len(new_env), 0, 0)
    except (OSError, AttributeError):
        pass
    return True


def _child_setup(request: dict, slave: int, import_env) -> None:
    """In the forked child: become the session on the PTY (raises on failure)."""
    import fcntl
    import io
    import locale
    import termios

    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        if slave != fd:
            os.dup2(slave, fd)
    if slave > 2:
        os.close(slave)
    env = {str(k): str(v) for k, v in request["env"].items()}
    os.environ.clear()  # libc's environ no longer points into the original block ...
    os.environ.update(env)
    play = sys.modules[PLAY_MODULE]
    _show_in_proc([sys.executable, "-m", PLAY_MODULE, *request["args"]], env)  # ... so it can be rewritten
    os.chdir(request["cwd"] or "/")
    if sys.path and sys.path[0] == _STARTUP_CWD:  # as `python -m` in the session's directory
        sys.path[0] = os.getcwd()
    try:
        locale.setlocale(locale.LC_CTYPE, "")
    except locale.Error:
        pass
    encoding = locale.getencoding()
    if encoding.lower() in ("ascii", "ansi_x3.4-1968", "646"):
        encoding = "utf-8"  # as Python's own C-locale coercion would

    def stream(fd: int, mode: str, errors: str):
        raw = io.open(fd, mode + "b", buffering=-1 if mode == "r" else 0, closefd=False)
        if mode == "w":
            raw = io.BufferedWriter(raw)
        return io.TextIOWrapper(raw, encoding=encoding, errors=errors, line_buffering=(mode == "w"), write_through=False)

    sys.stdin = sys.__stdin__ = stream(0, "r", "strict")
    sys.stdout = sys.__stdout__ = stream(1, "w", "strict")
    sys.stderr = sys.__stderr__ = stream(2, "w", "backslashreplace")
    sys.dont_write_bytecode = env.get("PYTHONDONTWRITEBYTECODE", "") != ""
    sys.argv = [play.__file__, *request["args"]]
    _reload_constants(import_env, env)


def _serve(sock: socket.socket, import_env) -> tuple[dict, int] | None:
    """Answer fork requests until the server goes away. Returns (request, slave) in a child."""
    import select
    import signal

    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_w)
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    poller.register(wake_r, select.POLLIN)

    def send(message: dict, fds: list[int] = ()) -> None:
        socket.send_fds(sock, [json.dumps(message).encode()], list(fds))

    def reap() -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            send({"exit": pid, "status": os.waitstatus_to_exitcode(status)})

    while True:
        for fd, _ in poller.poll():
            if fd == wake_r:
                try:
                    while os.read(wake_r, 512):
                        pass
                except BlockingIOError:
                    pass
                reap()
                continue
            data, fds, _, _ = socket.recv_fds(sock, MAX_MESSAGE, 4)
            if not data:
                return None  # the server closed its end: the launcher's work is done
            request = None
            try:
                request = json.loads(data)
                if len(fds) != 1:
                    raise ValueError("a request carries exactly one descriptor (the PTY slave)")
                why = refusal(import_env, request["env"])
                if why:
                    raise LauncherError(why)
            except Exception as err:  # noqa: BLE001 - a bad request is answered, never fatal
                for extra in fds:
                    os.close(extra)
                send({"id": request.get("id") if isinstance(request, dict) else None, "error": str(err)})
                continue
            slave = fds[0]
            ready_r, ready_w = os.pipe()
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:  # the child: leave the launcher's loop (the caller sets up and plays)
                os.close(ready_r)
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                os.close(wake_r)
                os.close(wake_w)
                os.close(sock.detach())
                try:
                    _child_setup(request, slave, import_env)
                    os.closerange(3, ready_w)
                    os.closerange(ready_w + 1, os.sysconf("SC_OPEN_MAX"))
                    os.write(ready_w, b"\0")
                    os.close(ready_w)
                except BaseException as err:  # noqa: BLE001 - told to the launcher, then gone
                    try:
                        os.write(ready_w, f"session set-up failed: {err!r}".encode()[:4000])
                    finally:
                        os._exit(127)
                return request, slave
            os.close(slave)
            os.close(ready_w)
            answer = b""
            while True:
                try:
                    chunk = os.read(ready_r, 4096)
                except InterruptedError:
                    continue
                if not chunk:
                    break
                answer += chunk
            os.close(ready_r)
            if answer != b"\0":
                send({"id": request["id"], "error": answer.decode(errors="replace") or "the session process died at set-up"})
                continue
            pidfd = os.pidfd_open(pid)  # taken before any reaping: it names this very process
            try:
                send({"id": request["id"], "pid": pid}, [pidfd])
            finally:
                os.close(pidfd)


_STARTUP_CWD = os.getcwd()


def launcher_main(fd: int) -> int:
    sock = socket.socket(fileno=fd)
    sock.setblocking(True)
    import threading

    os.environ.pop(ROOM_VARIABLE, None)  # its bytes stay in the block the kernel shows
    try:
        import_env = preload()
    except Exception as err:  # noqa: BLE001 - reported; the server execs sessions instead
        socket.send_fds(sock, [json.dumps({"error": f"preload failed: {err!r}"}).encode()], [])
        return 1
    if threading.active_count() != 1:  # forking with threads would copy their locks mid-use
        socket.send_fds(sock, [json.dumps({"error": "a preloaded module started a thread"}).encode()], [])
        return 1
    import gc

    gc.collect()
    gc.freeze()  # the children share the preloaded objects' pages; the collector leaves them be
    socket.send_fds(
        sock,
        [json.dumps({"ready": True, "pid": os.getpid(), "modules": len(sys.modules), "import_env": import_env}).encode()],
        [],
    )
    child = _serve(sock, import_env)
    if child is None:
        return 0
    request, _ = child
    return sys.modules[PLAY_MODULE].main(list(request["args"]))


# ============================================================================ the server's side


class LaunchedProcess:
    """A game process forked by the launcher, shaped like asyncio.subprocess.Process for
    GameProcess: ``pid``, ``returncode``, ``await wait()``."""

    UNKNOWN_STATUS = 1  # the launcher died before it could reap the process

    def __init__(self, launcher: "Launcher", pid: int, pidfd: int):
        self.launcher = launcher
        self.pid = pid
        self.returncode: int | None = None
        self._pidfd: int | None = pidfd
        self._gone = False  # the pidfd said the process ended
        self._done = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().add_reader(pidfd, self._ended)

    def _ended(self) -> None:
        self._close_pidfd()
        self._gone = True
        if not self.launcher.alive:
            self._finish(self.UNKNOWN_STATUS)
        else:  # the launcher reaps it in a moment and reports the status
            asyncio.get_running_loop().call_later(5.0, self._finish, self.UNKNOWN_STATUS)

    def _close_pidfd(self) -> None:
        if self._pidfd is not None:
            asyncio.get_running_loop().remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = None

    def _launcher_lost(self) -> None:
        if self._gone:
            self._finish(self.UNKNOWN_STATUS)

    def _finish(self, status: int) -> None:
        if self._done.done():
            return
        self._close_pidfd()
        self.returncode = status
        self._done.set_result(status)
        self.launcher.processes.pop(self.pid, None)

    async def wait(self) -> int:
        return await asyncio.shield(self._done)


class Launcher:
    """The server's handle on the launcher process."""

    def __init__(self, process: asyncio.subprocess.Process, sock: socket.socket):
        self.process = process
        self.sock = sock
        self.alive = True
        self.info: dict = {}
        self.processes: dict[int, LaunchedProcess] = {}
        self._pending: dict[int, asyncio.Future] = {}
        self._next = 0
        self._ready = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().add_reader(sock.fileno(), self._readable)

    @property
    def pid(self) -> int:
        return self.process.pid

    @classmethod
    async def start(cls, env: Mapping[str, str], *, timeout: float = READY_TIMEOUT) -> "Launcher":
        """Start a launcher with ``env`` (a session environment without the client's settings)."""
        if not supported():
            raise LauncherError("needs Linux pidfds and SCM_RIGHTS (Python 3.9+, Linux 5.3+)")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", __name__, str(theirs.fileno()), " " * ARGV_ROOM,
                stdin=asyncio.subprocess.DEVNULL,
                env={**env, ROOM_VARIABLE: "." * ENV_ROOM},
                pass_fds=[theirs.fileno()],
                start_new_session=True,  # no terminal of the server's, no Ctrl-C of its
                close_fds=True,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        ours.setblocking(False)
        launcher = cls(process, ours)
        try:
            launcher.info = await asyncio.wait_for(asyncio.shield(launcher._ready), timeout)
        except (asyncio.TimeoutError, LauncherError) as err:
            await launcher.close()
            raise LauncherError(f"the launcher did not start: {err or 'timed out'}") from None
        return launcher

    # --- messages ----------------------------------------------------------------------
    def _readable(self) -> None:
        while self.alive:
            try:
                data, fds, _, _ = socket.recv_fds(self.sock, MAX_MESSAGE, 4)
            except BlockingIOError:
                return
            except OSError as err:
                self._lost(f"{err}")
                return
            if not data:
                self._lost("it exited")
                return
            try:
                self._handle(json.loads(data), fds)
            except Exception as err:  # noqa: BLE001 - a garbled launcher is a lost launcher
                for fd in fds:
                    os.close(fd)
                self._lost(f"bad message: {err!r}")
                return

    def _handle(self, message: dict, fds: list[int]) -> None:
        if "ready" in message:
            if not self._ready.done():
                self._ready.set_result(message)
        elif "exit" in message:
            process = self.processes.get(message["exit"])
            if process is not None:
                process._finish(int(message["status"]))
        elif message.get("id") is None and "error" in message:
            if not self._ready.done():
                self._ready.set_exception(LauncherError(message["error"]))
            else:
                log.warning("session launcher: %s", message["error"])
        else:
            waiter = self._pending.pop(message["id"], None)
            if "pid" in message:
                process = LaunchedProcess(self, int(message["pid"]), fds[0])
                self.processes[process.pid] = process
                fds = fds[1:]
                result: object = process
            else:
                result = LauncherError(message.get("error", "no answer"))
            for fd in fds:
                os.close(fd)
            if waiter is not None and not waiter.done():
                waiter.set_result(result)

    def _lost(self, why: str) -> None:
        if not self.alive:
            return
        self.alive = False
        loop = asyncio.get_running_loop()
        loop.remove_reader(self.sock.fileno())
        self.sock.close()
        if self._ready.done():
            log.warning("session launcher (pid %s) lost: %s; new sessions start by exec", self.process.pid, why)
        else:
            self._ready.set_exception(LauncherError(why))
        for waiter in self._pending.values():
            if not waiter.done():
                waiter.set_result(LauncherError(f"the launcher was lost: {why}"))
        self._pending.clear()
        for process in list(self.processes.values()):
            process._launcher_lost()

    # --- requests ----------------------------------------------------------------------
    async def spawn(self, args: list[str], env: Mapping[str, str], cwd: str | None, slave: int, *, timeout: float = 10.0) -> LaunchedProcess:
        """Fork a session running ``forge_tui.host.play.main(args)`` on the PTY ``slave``."""
        if not self.alive:
            raise LauncherError("the launcher is not running")
        self._next += 1
        ident = self._next
        payload = json.dumps({"id": ident, "args": list(args), "env": dict(env), "cwd": cwd}).encode()
        if len(payload) > MAX_MESSAGE:
            raise LauncherError("request too large")
        waiter = asyncio.get_running_loop().create_future()
        self._pending[ident] = waiter
        try:
            socket.send_fds(self.sock, [payload], [slave])
        except OSError as err:  # EPIPE, ECONNRESET, EAGAIN on a wedged launcher
            self._pending.pop(ident, None)
            if not isinstance(err, BlockingIOError):
                self._lost(f"{err}")
            raise LauncherError(f"could not reach the launcher: {err}") from None
        try:
            result = await asyncio.wait_for(waiter, timeout)
        except asyncio.TimeoutError:
            self._pending.pop(ident, None)
            raise LauncherError("the launcher did not answer") from None
        if isinstance(result, LauncherError):
            raise result
        return result  # type: ignore[return-value]

    async def close(self, timeout: float = 5.0) -> None:
        """Close the socket (the launcher exits at its end) and wait for it."""
        if self.alive:
            self.alive = False
            asyncio.get_running_loop().remove_reader(self.sock.fileno())
            self.sock.close()
            for process in list(self.processes.values()):
                process._launcher_lost()
        if self.process.returncode is None:
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except asyncio.TimeoutError:
                self.process.kill()
                await self.process.wait()


def play_arguments(argv: list[str]) -> list[str] | None:
    """The arguments of a `python -m forge_tui.host.play ...` command line (None: another program)."""
    if len(argv) >= 3 and argv[0] == sys.executable and argv[1:3] == ["-m", PLAY_MODULE]:
        return list(argv[3:])
    return None


if __name__ == "__main__":
    raise SystemExit(launcher_main(int(sys.argv[1])))
