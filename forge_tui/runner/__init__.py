"""The runner: every subprocess the game starts (lab runs, boss fights, compilers) goes through here.

    sandbox = Sandbox.start()            # before Textual starts threads; returns at once
    result = await sandbox.run_python(path, workdir=tmp, limits=Limits(wall_s=5))
    result.outcome, result.message, result.output, result.results

A warm zygote (a small interpreter with numpy preloaded, see `zygote.py`) forks a fresh child per
run; the child applies the layers to itself (`layers.py`) and only then runs the player's code:
the protocol (JSON on a dedicated pipe, never pickle), POSIX limits, then every Linux layer this
machine offers (network, IPC and PID namespaces, seccomp, Landlock, cgroups, an unprivileged uid
or user namespace). Each layer is probed when the zygote starts and reported by `describe()`. The wall
timer belongs to the game; cancelling the awaiting task kills the whole process tree.
"""

from __future__ import annotations

import asyncio
import codecs
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from forge_tui.runner.answers import parse_line

HERE = Path(__file__).resolve().parent
OUTCOMES = ("ok", "exit", "signal", "timeout", "cpu", "memory", "output", "error")
LAYER_NAMES = (("rlimits", "rlimits"), ("netns", "netns"), ("seccomp", "seccomp"),
               ("landlock", "Landlock"), ("cgroups", "cgroups"), ("uid", "user"),
               ("sockets", "sockets"), ("ipc", "ipc"), ("pidns", "pidns"))
# What a lab can do where a layer is absent, said plainly in `doctor` and the serve banner.
WITHOUT = {
    "sockets": "a lab can reach this user's Unix sockets (tmux, ssh-agent, D-Bus)",
    "ipc": "a lab can reach this user's System V shared memory and message queues",
    "pidns": "stray processes may outlive a run",
}


@dataclass(frozen=True)
class Limits:
    wall_s: float = 10.0
    cpu_s: float = 10.0
    memory_mb: int = 1024
    processes: int = 32
    output_bytes: int = 256_000  # stdout+stderr kept; past this the run is killed ("output")
    result_bytes: int = 4_000_000  # the JSON result channel's cap
    file_mb: int = 16
    open_files: int = 64


@dataclass
class RunResult:
    outcome: str  # one of OUTCOMES
    exit_code: int | None
    signal: int | None
    message: str  # one line for a learner
    output: str  # captured stdout+stderr (capped)
    results: list = field(default_factory=list)  # JSON messages from the result channel, in order
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


class SandboxError(Exception):
    """The sandbox itself could not run (the zygote failed to start, say)."""


_SIGNAL_WORDS = {
    signal.SIGSEGV: "segmentation fault", signal.SIGABRT: "aborted", signal.SIGFPE: "arithmetic error",
    signal.SIGBUS: "bus error", signal.SIGILL: "illegal instruction", signal.SIGKILL: "killed",
    signal.SIGSYS: "a forbidden system call", signal.SIGTERM: "terminated", signal.SIGPIPE: "broken pipe",
}


def _forbidden_paths() -> list[str]:
    """What a sandboxed child must never read: saves, bosses, content, the game's own package."""
    from forge_tui import locations

    paths = [locations.data_directory(), locations.bosses_directory(), locations.levels_directory(),
             HERE.parent, HERE.parent.parent / "bosses", HERE.parent.parent / "saves"]
    if os.environ.get("NEURALFORGE_HOST_DATA"):  # set by `neuralforge serve` for its sessions
        paths.append(os.environ["NEURALFORGE_HOST_DATA"])
    return sorted({str(Path(p).expanduser().resolve()) for p in paths})


def platform_name() -> str:
    """The system labs run on: `sys.platform`, or NEURALFORGE_PLATFORM where a test plays another
    (`darwin`: every Linux layer off, as on a Mac)."""
    return os.environ.get("NEURALFORGE_PLATFORM") or sys.platform


def _zygote_command(config: dict) -> list[str]:
    config = {"platform": platform_name(), **config}
    return [sys.executable, "-I", str(HERE / "zygote.py"), json.dumps(config)]


def _zygote_env() -> dict[str, str]:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return env


def describe_protections(report: dict, *, practice: bool = True) -> str:
    """One line: each layer ✓ or ✗ ("... sockets ✓ ipc ✓ pidns ✓"), why each absent one is
    absent and what that lets a lab do, and whether the judge is out of the owner's reach."""
    enabled = report.get("enabled", {})
    platform = report.get("platform", "linux")
    if not platform.startswith("linux"):
        return (f"rlimits {'✓' if enabled.get('rlimits') else '✗'} · not Linux ({platform}): no namespaces, "
                "seccomp, Landlock or cgroups, so a lab runs with your rights under time, memory and output "
                "limits, and its process group is killed when it ends · practice mode")
    parts = [f"{label} {'✓' if enabled.get(key) else '✗'}" for key, label in LAYER_NAMES]
    missing = [label for key, label in LAYER_NAMES if not enabled.get(key)]
    text = " ".join(parts)
    if missing:
        reasons = report.get("reasons", {})
        detail = "; ".join(f"{label}: {reasons.get(key, 'missing')}" + (f", so {WITHOUT[key]}" if key in WITHOUT else "")
                           for key, label in LAYER_NAMES if not enabled.get(key))
        text += f" (absent: {detail})"
    if practice:
        text += " · practice mode: this machine's owner can read the judge anyway"
    return text


def probe_only(timeout: float = 30.0) -> dict:
    """Probe every layer in a short-lived process (no warm zygote kept): for `neuralforge doctor`."""
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        config = {"forbidden": _forbidden_paths(), "control_fd": child.fileno(), "probe_only": True}
        proc = subprocess.Popen(_zygote_command(config), pass_fds=(child.fileno(),), env=_zygote_env(),
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        child.close()
        parent.settimeout(timeout)
        try:
            data = parent.recv(1 << 16)
        except socket.timeout:
            data = b""
        _, err = proc.communicate(timeout=timeout)
    finally:
        parent.close()
    if not data:
        raise SandboxError(f"the sandbox probe failed: {err.decode(errors='replace').strip()[-300:]}")
    return json.loads(data)


class _Run:
    """One run's pipes, as the event loop sees them."""

    def __init__(self, limits: Limits, on_output, on_result):
        self.limits = limits
        self.on_output = on_output
        self.on_result = on_result
        self.output = bytearray()
        self.output_seen = 0
        self.result_buf = bytearray()
        self.result_seen = 0
        self.results: list = []
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.pid: int | None = None
        self.exit: tuple[int, float, bool] | None = None
        self.error: str | None = None
        self.killed: str | None = None
        self.status_buf = b""


class Sandbox:
    def __init__(self, proc: subprocess.Popen, control: socket.socket, *, practice: bool):
        self._proc = proc
        self._control = control
        self._practice = practice
        self._lock = threading.Lock()
        self._report: dict | None = None
        self._ids = itertools.count(1)
        self._closed = False

    # --- life cycle ---------------------------------------------------------------------------
    @classmethod
    def start(cls, *, practice: bool = True) -> "Sandbox":
        """Start the warm zygote and return at once (it imports numpy and probes in the
        background). Starts no thread and uses no preexec_fn: safe before or after Textual."""
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        config = {"forbidden": _forbidden_paths(), "control_fd": child.fileno()}
        try:
            proc = subprocess.Popen(_zygote_command(config), pass_fds=(child.fileno(),), env=_zygote_env(),
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
        finally:
            child.close()
        return cls(proc, parent, practice=practice)

    def _wait_ready(self, timeout: float = 60.0) -> dict:
        if self._report is not None:
            return self._report
        with self._lock:
            if self._report is None:
                self._control.settimeout(timeout)
                try:
                    data = self._control.recv(1 << 16)
                except (socket.timeout, OSError):
                    data = b""
                finally:
                    self._control.settimeout(None)
                if not data:
                    raise SandboxError("the sandbox did not start (its zygote exited or hung)")
                self._report = json.loads(data)
        return self._report

    async def _ready_async(self) -> dict:
        if self._report is not None:
            return self._report
        return await asyncio.get_running_loop().run_in_executor(None, self._wait_ready)

    def protections(self) -> dict[str, bool | str]:
        """Each layer as probed at start-up (True when it holds), plus the Landlock ABI, the way
        the child's identity is separated, and notes on what is absent."""
        report = self._wait_ready()
        out: dict[str, bool | str] = {key: bool(report["enabled"].get(key)) for key, _ in LAYER_NAMES}
        out["landlock_abi"] = str(report.get("landlock_abi", 0))
        out["signals_scoped"] = bool(report.get("signal_scoped")) or report.get("uid_mode") == "uid"
        out["identity"] = str(report.get("uid_mode"))
        for key, reason in report.get("reasons", {}).items():
            out[f"{key}_absent"] = str(reason)
        out["practice"] = self._practice
        return out

    def describe(self) -> str:
        return describe_protections(self._wait_ready(), practice=self._practice)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._control.close()
        except OSError:
            pass
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- public runs ----------------------------------------------------------------------------
    async def run_python(self, script: Path, *, workdir: Path, args: Sequence[str] = (), stdin: bytes = b"",
                         readable: Sequence[Path] = (), limits: Limits = Limits(),
                         on_output: Callable[[str], None] | None = None) -> RunResult:
        script = Path(script).resolve()
        workdir = Path(workdir).resolve()
        extra = [] if _inside(script, workdir) else [script]
        request = {"mode": "script", "script": str(script), "args": [str(a) for a in args]}
        return await self._run(request, workdir, stdin, [*extra, *readable], limits, on_output, None)

    def run_python_sync(self, script: Path, **kwargs) -> RunResult:
        return asyncio.run(self.run_python(script, **kwargs))

    async def run_command(self, argv: Sequence[str], *, workdir: Path, stdin: bytes = b"",
                          readable: Sequence[Path] = (), limits: Limits = Limits(),
                          on_output: Callable[[str], None] | None = None,
                          on_result: Callable[[object], None] | None = None) -> RunResult:
        """Run `argv` in `workdir`; `on_result` sees each message of the result channel (fd 3)
        as it arrives, and the result keeps them all in order."""
        request = {"mode": "exec", "argv": [str(a) for a in argv]}
        return await self._run(request, Path(workdir).resolve(), stdin, readable, limits, on_output, on_result)

    def run_command_sync(self, argv: Sequence[str], **kwargs) -> RunResult:
        return asyncio.run(self.run_command(argv, **kwargs))

    async def run_cases(self, lab: Path, cases: list[dict], *, workdir: Path, limits: Limits = Limits(),
                        on_output: Callable[[str], None] | None = None,
                        on_result: Callable[[object], None] | None = None) -> RunResult:
        """Run a boss's cases against a copy of `lab` (as `lab.py` in `workdir`) in ONE child.
        The child sends one message per case on the result channel; `on_result` sees each."""
        workdir = Path(workdir).resolve()
        target = workdir / "lab.py"
        shutil.copyfile(lab, target)
        payload = json.dumps({"cases": cases}, allow_nan=True).encode()
        request = {"mode": "boss", "lab": str(target)}
        return await self._run(request, workdir, payload, (), limits, on_output, on_result)

    # --- the machinery ------------------------------------------------------------------------------
    def _send(self, message: dict, fds: Sequence[int] = ()) -> None:
        data = json.dumps(message).encode()
        with self._lock:
            socket.send_fds(self._control, [data], list(fds))

    def _kill(self, run_id: int, state: _Run, reason: str) -> None:
        if state.killed is None:
            state.killed = reason
        if state.pid:
            try:
                os.killpg(state.pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            self._send({"op": "kill", "id": run_id})
        except OSError:
            pass

    async def _run(self, request: dict, workdir: Path, stdin: bytes, readable: Sequence[Path], limits: Limits,
                   on_output, on_result) -> RunResult:
        if self._closed:
            raise SandboxError("the sandbox is closed")
        report = await self._ready_async()
        if report.get("error"):
            raise SandboxError(f"the sandbox probe failed: {report['error']}")
        loop = asyncio.get_running_loop()
        run_id = next(self._ids)
        request = {**request, "op": "run", "id": run_id, "workdir": str(workdir),
                   "readable": [str(Path(p).resolve()) for p in readable], "limits": asdict(limits)}
        stdin_r, stdin_w = os.pipe()
        out_r, out_w = os.pipe()
        res_r, res_w = os.pipe()
        st_r, st_w = os.pipe()
        mine = [stdin_w, out_r, res_r, st_r]
        try:
            self._send(request, [stdin_r, out_w, res_w, st_w])
        except OSError as exc:
            for fd in (stdin_r, out_w, res_w, st_w, *mine):
                os.close(fd)
            raise SandboxError(f"the sandbox is not running ({exc})") from exc
        for fd in (stdin_r, out_w, res_w, st_w):
            os.close(fd)
        for fd in mine:
            os.set_blocking(fd, False)

        state = _Run(limits, on_output, on_result)
        started = time.monotonic()
        finished = loop.create_future()
        open_fds = {out_r, res_r, st_r}

        def close_reader(fd: int) -> None:
            if fd in open_fds:
                loop.remove_reader(fd)
                open_fds.discard(fd)
                os.close(fd)
                if not open_fds and not finished.done():
                    finished.set_result(None)

        def read(fd: int) -> bytes | None:
            try:
                return os.read(fd, 65536)
            except BlockingIOError:
                return None
            except OSError:
                return b""

        def on_out() -> None:
            data = read(out_r)
            if data is None:
                return
            if not data:
                close_reader(out_r)
                return
            state.output_seen += len(data)
            room = limits.output_bytes - len(state.output)
            kept = data[: max(room, 0)]
            state.output += kept
            if kept and state.on_output:
                text = state.decoder.decode(bytes(kept))
                if text:
                    try:
                        state.on_output(text)
                    except Exception:  # noqa: BLE001 - a UI callback must not break the run
                        pass
            if state.output_seen > limits.output_bytes:
                self._kill(run_id, state, "output")

        def on_res() -> None:
            data = read(res_r)
            if data is None:
                return
            if not data:
                close_reader(res_r)
                return
            state.result_seen += len(data)
            if state.result_seen > limits.result_bytes:
                self._kill(run_id, state, "results")
                return
            state.result_buf += data
            if b"\n" not in data:
                return
            *lines, rest = bytes(state.result_buf).split(b"\n")
            state.result_buf = bytearray(rest)
            for line in lines:
                try:
                    message = parse_line(line)  # within bounds, or a RefusedLine saying why not
                except ValueError:
                    continue  # a malformed line counts as no message
                state.results.append(message)
                if state.on_result:
                    try:
                        state.on_result(message)
                    except Exception:  # noqa: BLE001
                        pass

        def on_status() -> None:
            data = read(st_r)
            if data is None:
                return
            if not data:
                close_reader(st_r)
                return
            state.status_buf += data
            while b"\n" in state.status_buf:
                line, _, state.status_buf = state.status_buf.partition(b"\n")
                word, _, rest = line.decode().partition(" ")
                if word == "pid":
                    state.pid = int(rest)
                    if state.killed:
                        self._kill(run_id, state, state.killed)
                elif word == "exit":
                    status, cpu, oom = rest.split()
                    state.exit = (int(status), float(cpu), oom == "1")
                elif word == "error":
                    state.error = rest

        loop.add_reader(out_r, on_out)
        loop.add_reader(res_r, on_res)
        loop.add_reader(st_r, on_status)

        pending = memoryview(stdin)
        if pending:
            def on_writable() -> None:
                nonlocal pending
                try:
                    written = os.write(stdin_w, pending[: 1 << 16])
                except BlockingIOError:
                    return
                except OSError:
                    written = len(pending)
                pending = pending[written:]
                if not pending:
                    loop.remove_writer(stdin_w)
                    os.close(stdin_w)

            loop.add_writer(stdin_w, on_writable)
        else:
            os.close(stdin_w)
            stdin_w = -1

        timer = loop.call_later(limits.wall_s, lambda: self._kill(run_id, state, "timeout"))
        try:
            await asyncio.shield(finished)
        except asyncio.CancelledError:
            self._kill(run_id, state, "cancelled")
            try:
                await asyncio.wait_for(asyncio.shield(finished), 5)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                pass
            raise
        finally:
            timer.cancel()
            for fd in list(open_fds):
                close_reader(fd)
            if pending and stdin_w >= 0:
                loop.remove_writer(stdin_w)
                os.close(stdin_w)
        duration = time.monotonic() - started
        return _result(state, duration)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def _last_line(text: str) -> str:
    for line in reversed(text.strip().splitlines()):
        line = " ".join(line.split())
        if line:
            return line if len(line) <= 160 else line[:159] + "…"
    return ""


def _result(state: _Run, duration: float) -> RunResult:
    limits = state.limits
    output = bytes(state.output).decode("utf-8", errors="replace")
    if state.output_seen > len(state.output):
        output += f"\n[output cut at {limits.output_bytes:,} bytes]"

    def make(outcome: str, message: str, code=None, sig=None) -> RunResult:
        return RunResult(outcome, code, sig, message, output, state.results, duration)

    if state.exit is None:
        return make("error", f"the sandbox stopped unexpectedly{': ' + state.error if state.error else ''}")
    status, cpu, oom = state.exit
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    if state.killed == "timeout":
        return make("timeout", f"killed after {limits.wall_s:.1f} s (wall-time limit)", code, sig)
    if state.killed == "output":
        return make("output", f"killed: printed more than {limits.output_bytes:,} bytes (output limit)", code, sig)
    if state.killed == "results":
        return make("output", f"killed: sent more than {limits.result_bytes:,} bytes of results (limit)", code, sig)
    if state.killed == "cancelled":
        return make("error", "stopped", code, sig)
    if sig is not None:
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= limits.cpu_s - 0.05):
            return make("cpu", f"killed after {cpu:.1f} s of CPU time (CPU-time limit)", code, sig)
        if sig == signal.SIGKILL and oom:
            return make("memory", f"killed: used more than {limits.memory_mb} MB (memory limit)", code, sig)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else f"signal {sig}"
        words = _SIGNAL_WORDS.get(sig, "killed by a signal")
        return make("signal", f"crashed: {words} ({name})", code, sig)
    last = _last_line(output)
    if code == 0:
        return make("ok", "finished", code)
    if "MemoryError" in last:
        return make("memory", f"ran out of memory (limit {limits.memory_mb} MB): {last}", code)
    if code == 71:
        return make("error", last or "the sandbox could not start the run", code)
    return make("exit", f"exited with code {code}" + (f": {last}" if last else ""), code)
