"""The warm zygote: a small interpreter, numpy preloaded, that forks one sandboxed child per run.

Started by `Sandbox.start()` as `python -I zygote.py CONFIG_JSON` with its control socket on
fd 3 (SOCK_SEQPACKET). Self-contained: it loads `layers.py`, `nsinit.py`, `child.py` and `driver.py`
from its own folder by path; `forge_tui` is never importable here (`-I`, and Landlock in the children).

Control messages from the game (JSON, one per packet):
  {"op": "run", "id": n, "mode": "script" | "boss" | "exec", ...}  with four fds attached:
      stdin (read end), output (write end, stdout+stderr), results (write end, the child's fd 3),
      status (write end): the zygote writes "pid N\\n" after the fork, and
      "exit STATUS CPU_S OOM\\n" once the child is reaped and its whole tree is dead.
  {"op": "kill", "id": n}
The zygote's only message back on the socket is the start-up report (the probed protections).
When the game goes away (EOF on the socket), every run is killed and the zygote exits.
"""

from __future__ import annotations

import errno
import fcntl
import glob
import importlib.util
import io
import json
import os
import select
import signal
import socket
import stat
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
CONTROL_FD = 3
UID_BASE = 2_000_000_000


def _load(name: str, filename: str):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, filename))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


layers = _load("_nf_layers", "layers.py")
child_api = _load("neuralforge_child", "child.py")
driver = _load("_nf_driver", "driver.py")
nsinit = _load("_nf_nsinit", "nsinit.py")


# --- what the child may read ------------------------------------------------------------------
def _real(path: str) -> str:
    return os.path.realpath(path)


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _carve(root: str, forbidden: list[str], allowed_exact: set[str], out: list[str], listed: list[str],
          depth: int = 0) -> None:
    """Allow `root` minus the forbidden subtrees below it: rule on root when none lies below,
    else one rule per entry, recursing into entries that contain a forbidden path."""
    if any(_under(root, f) for f in forbidden) and root not in allowed_exact:
        return
    inside = [f for f in forbidden if _under(f, root) and f != root]
    if not inside or depth > 12:
        out.append(root)
        return
    listed.append(root)  # names only (imports need to list it), no file in it readable
    try:
        entries = sorted(os.listdir(root))
    except OSError:
        return
    for name in entries:
        entry = os.path.join(root, name)
        target = _real(entry)
        if any(_under(target, f) for f in forbidden) and target not in allowed_exact:
            continue
        if any(_under(f, entry) for f in inside) and os.path.isdir(entry) and not os.path.islink(entry):
            _carve(entry, forbidden, allowed_exact, out, listed, depth + 1)
        else:
            out.append(entry)


def _python_paths() -> list[str]:
    import sysconfig

    import numpy

    paths = {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]}
    paths.add(os.path.dirname(numpy.__file__))
    libs = os.path.join(os.path.dirname(os.path.dirname(numpy.__file__)), "numpy.libs")
    if os.path.isdir(libs):
        paths.add(libs)
    for libdir in {sysconfig.get_config_var("LIBDIR") or "", os.path.join(sys.base_prefix, "lib")}:
        paths.update(glob.glob(os.path.join(libdir, "libpython*.so*")))
    return sorted(_real(p) for p in paths if p and os.path.exists(p))


SYSTEM_READ = ["/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/local/lib", "/usr/bin", "/usr/sbin",
               "/usr/local/bin", "/usr/libexec", "/usr/include", "/usr/local/include",
               "/usr/share/zoneinfo", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
               "/etc/localtime", "/sys/devices/system/cpu", "/dev/urandom", "/dev/random", "/dev/zero"]
DEVICES_RW = ["/dev/null", "/dev/full"]


def _site_dirs() -> list[str]:
    import site
    import sysconfig

    found = set(site.getsitepackages()) | {site.getusersitepackages()}
    found |= {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    for base in {sys.prefix, sys.base_prefix, sys.exec_prefix, "/usr", "/usr/local"}:
        for name in ("site-packages", "dist-packages"):
            found.update(glob.glob(os.path.join(base, "lib*", "python3*", name)))
            found.update(glob.glob(os.path.join(base, "lib*", "python3", name)))
    found.update(p for p in sys.path if p.endswith(("site-packages", "dist-packages")))
    return [_real(p) for p in found if p]


def static_rules(forbidden_extra: list[str]) -> list[tuple[str, str]]:
    python = _python_paths()
    forbidden = sorted({_real(p) for p in forbidden_extra if p} | set(_site_dirs()) | {_real(HERE)})
    allowed_exact = set(python)
    out: list[str] = []
    listed: list[str] = []
    for root in python + [_real(p) for p in SYSTEM_READ if os.path.exists(p)]:
        _carve(root, forbidden, allowed_exact, out, listed)
    rules = [(p, "ro") for p in dict.fromkeys(out)] + [(p, "list") for p in dict.fromkeys(listed)]
    rules += [(p, "dev") for p in DEVICES_RW if os.path.exists(p)]
    return rules


def _world_readable(path: str) -> bool:
    """Can a process with another uid reach (and read) `path`?"""
    path = _real(path)
    parts = path.split("/")
    for i in range(1, len(parts)):
        ancestor = "/".join(parts[:i]) or "/"
        mode = os.stat(ancestor).st_mode
        if not mode & stat.S_IXOTH:
            return False
    mode = os.stat(path).st_mode
    return bool(mode & stat.S_IROTH) and (not stat.S_ISDIR(mode) or bool(mode & stat.S_IXOTH))


def _refuse(exc: BaseException) -> None:
    """A layer that the probe said holds failed in a run: say so, and never run the player's code."""
    os.write(2, f"sandbox: a protection failed to apply ({exc}); the run did not start\n".encode())
    os._exit(71)


def _checks(report: dict, workdir: str, secret: str, segment: tuple[int, int] | None, landlock_abi: int) -> dict:
    """From inside the probe's confined process: does each layer that says it holds, hold?
    Returns the corrections (name -> why not) and the new keys (sockets, signal_scoped)."""
    found: dict[str, object] = {}
    if report.get("landlock") is True:
        try:
            open(secret).read()
            found["landlock"] = "a file outside the allowed folders was readable"
        except OSError:
            pass
        try:
            with open(os.path.join(workdir, "w"), "w") as handle:
                handle.write("x")
        except OSError as exc:
            found["landlock"] = f"its own folder was not writable ({exc})"
    if report.get("seccomp") is True:
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
            found["seccomp"] = "an internet socket could be opened"
        except OSError:
            pass
        found["sockets"] = _sockets_refused()
    else:
        found["sockets"] = "no seccomp filter here"
    if report.get("ipc") is True and segment and layers.sysv_visible(segment[0]):
        found["ipc"] = "a shared-memory segment of this user was visible"
    if report.get("pidns") is True and os.getppid() != 1:
        found["pidns"] = "the run's process was not a child of its namespace's init"
    found["signal_scoped"] = landlock_abi >= 6 and found.get("landlock", report.get("landlock")) is True
    return found


def _sockets_refused() -> bool | str:
    """True when no socket can be made and no datagram socketpair, while a stream pair works."""
    attempts = (("a Unix socket", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)),
                ("a datagram socketpair", lambda: socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)[0]))
    for what, make in attempts:
        try:
            make().close()
            return f"{what} could be made"
        except PermissionError:
            pass
    try:
        for end in socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM):
            end.close()
    except OSError as exc:
        return f"a stream socketpair failed too ({exc})"
    return True


# --- the zygote's state -----------------------------------------------------------------------
LINUX_LAYERS = ("cgroups", "netns", "ipc", "pidns", "uid", "bridge", "capabilities", "landlock", "seccomp")


class NotLinux:
    """The C library of a system without Linux's calls: any Linux-only call raises, so a layer
    that is meant to be off there cannot be applied by mistake."""

    def __init__(self, platform: str):
        self.platform = platform

    def __getattr__(self, name: str):
        raise OSError(errno.ENOSYS, f"{name}() is a Linux call, and this is {self.platform}")


class Zygote:
    def __init__(self, config: dict):
        self.config = config
        self.platform = str(config.get("platform", "linux"))
        self.linux = self.platform.startswith("linux")
        self.rules = static_rules(config.get("forbidden", []))
        self.root = os.geteuid() == 0
        self.landlock_abi = layers.landlock_abi() if self.linux else 0
        self.mounts = layers.cgroup_mounts() if self.root and self.linux else {}
        self.uid_mode = self.linux and self.root and all(_world_readable(p) for p in _python_paths())
        self.bridge_ok = False  # can a run's uid be given a way into a private folder? (probe)
        self.base_as = layers.address_space_bytes()
        self.runs: dict[int, dict] = {}  # pid -> run
        self.by_id: dict[int, int] = {}  # run id -> pid
        self.counter = 0
        self.enabled: dict[str, bool] = {}
        self.reasons: dict[str, str] = {}
        self.cgroup_prefix = f"neuralforge-{os.getpid()}"

    # --- per-run resources ---
    def next_uid(self) -> int:
        self.counter += 1
        return UID_BASE + (os.getpid() % 30_000_000) * 64 + self.counter % 64

    def uid_for(self, request: dict) -> int | None:
        """A fresh uid for this run, or None: not root, no uid drop here, or a work folder below
        a private one where the bridge cannot be made (that run keeps uid 0, without capabilities)."""
        if not (self.uid_mode and self.enabled.get("uid")):
            return None
        paths = [request["workdir"], *request.get("readable", [])]
        if not self.bridge_ok and any(layers.private_ancestor(p) for p in paths):
            return None
        return self.next_uid()

    def cgroups_for(self, run_id: int, limits: dict) -> dict[str, str]:
        if not self.enabled.get("cgroups", True) or not self.mounts:
            return {}
        memory = (int(limits.get("memory_mb", 1024)) + 64) * 1024 * 1024
        processes = int(limits.get("processes", 32)) + (2 if self.enabled.get("pidns") else 0)  # relay, init
        mounts = {k: os.path.join(v, self.cgroup_prefix) for k, v in self.mounts.items()}
        return layers.make_cgroups(mounts, f"run-{run_id}", processes=processes, memory_bytes=memory)

    # --- the child side of a fork ---
    def enter(self, request: dict, cgroups: dict[str, str], uid: int | None, probing: bool = False) -> dict:
        """In the zygote's child (the pid the game knows): its own session, the run's cgroups,
        the namespaces, and, for a uid of the run's own, the way into the work folder. Returns
        what held (name -> True, or why not); outside the probe a failure raises LayerError."""
        workdir = request["workdir"]
        done: dict[str, object] = {}
        attempt = self._attempter(done, probing)
        want = self._wanted(probing)
        os.setsid()
        if self.linux:
            layers.set_parent_death_signal()
        if cgroups and want("cgroups"):
            attempt("cgroups", lambda: layers.join_cgroups(cgroups))
        use_userns = not self.uid_mode
        if want("netns"):
            attempt("netns", lambda: layers.enter_namespaces(user=use_userns, net=True))
        if want("ipc"):
            attempt("ipc", layers.enter_ipc_namespace)
        if want("pidns"):
            attempt("pidns", layers.enter_pid_namespace)
        if uid is not None:
            # The run's uid must reach its folder even below a private one (a home, pytest's tmp).
            attempt("bridge", lambda: layers.bridge([workdir, *request.get("readable", [])]))
            for dirpath, dirnames, filenames in os.walk(workdir):
                for name in [dirpath] + [os.path.join(dirpath, n) for n in dirnames + filenames]:
                    os.lchown(name, uid, uid)
        done["userns"] = use_userns and done.get("netns") is True
        return done

    def confine(self, request: dict, uid: int | None, entered: dict, probing: bool = False) -> dict:
        """In the player's process, before any player code: rlimits, the run's uid (or no
        capabilities), no_new_privs, Landlock, seccomp. Returns what held, like `enter`."""
        limits = request.get("limits", {})
        workdir = request["workdir"]
        done: dict[str, object] = {}
        attempt = self._attempter(done, probing)
        want = self._wanted(probing)
        exec_mode = request.get("mode") == "exec"
        memory = int(limits.get("memory_mb", 1024)) * 1024 * 1024
        address = memory if exec_mode else (None if self.base_as is None else self.base_as + memory)
        count_processes = uid is not None or entered.get("userns") is True
        # In a user namespace the relay and init count against the limit too (nsinit.py).
        runner = 2 if entered.get("userns") is True and entered.get("pidns") is True else 0
        attempt("rlimits", lambda: layers.set_rlimits(
            address_bytes=address, cpu_s=float(limits.get("cpu_s", 10.0)),
            file_bytes=int(limits.get("file_mb", 16)) * 1024 * 1024,
            open_files=int(limits.get("open_files", 64)),
            processes=int(limits.get("processes", 32)) + runner if count_processes else None))
        if not self.linux:
            return done  # rlimits only: the rest are Linux's
        if uid is not None:
            attempt("uid", lambda: layers.drop_to_uid(uid))
        elif entered.get("userns") is True:
            attempt("uid", layers.drop_capabilities)
        elif self.root:  # neither a uid of its own nor a user namespace: root, without capabilities
            attempt("capabilities", layers.drop_capabilities)
            done["uid"] = "the run keeps uid 0 (without capabilities): no user namespace here"
        layers.set_parent_death_signal()
        layers.no_new_privs()
        if self.landlock_abi and want("landlock"):
            rules = list(self.rules)
            rules += [(p, "ro") for p in request.get("readable", [])]
            rules.append((workdir, "rw"))
            rules.append((f"/proc/{layers.global_pid()}", "ro"))
            attempt("landlock", lambda: layers.landlock_restrict(self.landlock_abi, rules))
        if layers.seccomp_available() and want("seccomp"):
            attempt("seccomp", layers.seccomp_install)
        return done

    def _wanted(self, probing: bool):
        """Which layers to apply: every one in the probe, the probed ones in a run; on a system
        that is not Linux, none of Linux's."""
        def want(name: str) -> bool:
            if not self.linux and name in LINUX_LAYERS:
                return False
            return True if probing else self.enabled.get(name, False)
        return want

    @staticmethod
    def _attempter(done: dict, probing: bool):
        def attempt(name: str, action) -> None:
            try:
                action()
                done[name] = True
            except Exception as exc:  # noqa: BLE001 - reported, and fatal outside the probe
                done[name] = f"{type(exc).__name__}: {exc}"
                if not probing:
                    raise layers.LayerError(f"{name}: {exc}") from exc
        return attempt

    def child_main(self, request: dict, fds: list[int], cgroups: dict[str, str], uid: int | None) -> None:
        """The zygote's child: the run's pipes as stdio, then `enter`; the player's process is
        this one, or PID 2 of the run's own PID namespace (nsinit.py) where one was made."""
        try:
            stdin_r, out_w, res_w = fds[:3]
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.dup2(stdin_r, 0)
            os.dup2(out_w, 1)
            os.dup2(out_w, 2)
            os.dup2(res_w, child_api.RESULT_FD)
            os.closerange(4, 1 << 16)
            entered = self.enter(request, cgroups, uid)
            if entered.get("pidns") is True:
                nsinit.relay(lambda: self.player_main(request, uid, entered))
        except BaseException as exc:  # noqa: BLE001 - never back into the zygote's loop
            _refuse(exc)
        self.player_main(request, uid, entered)

    def player_main(self, request: dict, uid: int | None, entered: dict) -> None:
        """The player's process: `confine`, then the driver (or exec) with a scrubbed environment."""
        code = 70
        try:
            try:
                self.confine(request, uid, entered)
            except Exception as exc:  # noqa: BLE001
                _refuse(exc)
            workdir = request["workdir"]
            os.chdir(workdir)
            env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir,
                   "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8",
                   "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
            env.update({str(k): str(v) for k, v in request.get("env", {}).items()})
            if request["mode"] == "exec":
                signal.signal(signal.SIGPIPE, signal.SIG_DFL)
                argv = request["argv"]
                try:
                    os.execvpe(argv[0], argv, env)
                except OSError as exc:
                    os.write(2, f"could not start {argv[0]}: {exc.strerror}\n".encode())
                    os._exit(127)
            os.environ.clear()
            os.environ.update(env)
            sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
            sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8",
                                          errors="backslashreplace", line_buffering=True)
            sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                          errors="backslashreplace", line_buffering=True)
            sys.path[:] = [workdir] + [p for p in sys.path if p and not p.endswith(("site-packages", "dist-packages"))]
            sys.path_importer_cache.clear()
            code = driver.main(request)
        except BaseException:  # noqa: BLE001
            try:
                os.write(2, traceback.format_exc().encode("utf-8", "replace"))
            except OSError:
                pass
            code = 70
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except BaseException:  # noqa: BLE001
                    pass
            os._exit(code if isinstance(code, int) else 1)

    # --- probe ---
    def probe(self) -> dict:
        """Fork a child that applies every layer, then checks them from the inside. As root with
        a uid per run, the probe's work folder lies below a private one first, to test the
        bridge (layers.bridge); where the bridge fails, the probe is made again in a plain folder
        and runs below a private folder keep uid 0, without capabilities (`uid_for`)."""
        report = self._probe_once(below_private=self.uid_mode)
        if self.uid_mode:
            self.bridge_ok = report.get("bridge") is True
            if not self.bridge_ok and not report.get("error"):
                report = self._probe_once(below_private=False)
        return self._summary(report)

    def _probe_once(self, *, below_private: bool) -> dict:
        parent = tempfile.mkdtemp(prefix="neuralforge-probe-")  # 0700
        workdir = os.path.join(parent, "work") if below_private else parent
        if below_private:
            os.mkdir(workdir)
        secret_dir = tempfile.mkdtemp(prefix="neuralforge-probe-secret-")
        secret = os.path.join(secret_dir, "secret.txt")
        with open(secret, "w") as handle:
            handle.write("secret")
        segment = layers.sysv_segment() if self.linux else None
        cgroups = self.cgroups_for(0, {})
        uid = self.next_uid() if self.uid_mode else None
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            self._probe_child({"workdir": workdir, "limits": {}}, cgroups, uid, write_fd,
                              secret=secret, segment=segment)
        os.close(write_fd)
        data = b""
        while chunk := os.read(read_fd, 65536):
            data += chunk
        os.close(read_fd)
        os.waitpid(pid, 0)
        self.cleanup(pid, cgroups, uid)
        if segment:
            layers.sysv_remove(segment[1])
        for path in (os.path.join(workdir, "w"), secret):
            try:
                os.unlink(path)
            except OSError:
                pass
        for folder in dict.fromkeys((workdir, parent, secret_dir)):
            os.rmdir(folder)
        return json.loads(data or b"{}")

    def _probe_child(self, request: dict, cgroups: dict[str, str], uid: int | None, write_fd: int, *,
                     secret: str, segment: tuple[int, int] | None) -> None:
        report: dict = {}
        write_fd = fcntl.fcntl(write_fd, fcntl.F_DUPFD, 10)  # above the stdio that the relay closes
        try:
            report.update(self.enter(request, cgroups, uid, probing=True))

            def player() -> None:
                try:
                    report.update(self.confine(request, uid, report, probing=True))
                    report.update(_checks(report, request["workdir"], secret, segment, self.landlock_abi))
                except BaseException as exc:  # noqa: BLE001
                    report["error"] = repr(exc)
                os.write(write_fd, json.dumps(report).encode())
                os._exit(0)

            if report.get("pidns") is True:
                nsinit.relay(player)
            player()
        except BaseException as exc:  # noqa: BLE001
            report["error"] = repr(exc)
        os.write(write_fd, json.dumps(report).encode())
        os._exit(0)

    def _summary(self, report: dict) -> dict:
        """Record what held (self.enabled, self.reasons) and build the start-up report."""
        for name in ("rlimits", "netns", "uid", "landlock", "seccomp", "cgroups", "sockets", "ipc", "pidns"):
            value = report.get(name, False)
            self.enabled[name] = value is True
            if value is not True:
                self.reasons[name] = value or "not available on this machine"
        if not self.mounts:
            self.enabled["cgroups"] = False
            self.reasons["cgroups"] = "no writable cgroup hierarchy (needs root or a delegated cgroup)"
        if not self.landlock_abi:
            self.reasons["landlock"] = "this kernel has no Landlock"
        if not self.linux:
            for name in ("netns", "uid", "landlock", "seccomp", "cgroups", "sockets", "ipc", "pidns"):
                self.enabled[name] = False
                self.reasons[name] = f"not Linux ({self.platform})"
        elif not layers.seccomp_available():
            self.reasons["seccomp"] = "no seccomp filter support for this CPU here"
        return {
            "enabled": self.enabled, "reasons": self.reasons, "landlock_abi": self.landlock_abi,
            "uid_mode": "uid" if self.uid_mode else ("userns" if self.enabled.get("netns") else "none"),
            "signal_scoped": bool(report.get("signal_scoped")), "rules": len(self.rules),
            "root": self.root, "error": report.get("error"), "platform": self.platform,
        }

    # --- tree cleanup ---
    def _orphans(self) -> list[int]:
        found = []
        for path in glob.glob(f"/proc/{os.getpid()}/task/*/children"):
            try:
                with open(path) as handle:
                    found += [int(x) for x in handle.read().split()]
            except OSError:
                pass
        return [p for p in found if p not in self.runs]

    def cleanup(self, pid: int, cgroups: dict[str, str], uid: int | None) -> None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        layers.kill_cgroups(cgroups)
        if uid is not None:
            self._kill_uid(uid)
        # Orphans reparent to this zygote (a child subreaper): none may outlive its run.
        for _ in range(20):
            orphans = self._orphans()
            if not orphans:
                break
            for orphan in orphans:
                try:
                    os.kill(orphan, signal.SIGKILL)
                except OSError:
                    pass
            self.reap_unknown()
        for path in cgroups.values():
            layers.remove_cgroup(path)

    def _kill_uid(self, uid: int) -> None:
        """kill(-1) as the run's uid: every process that uid owns, wherever it hid."""
        helper = os.fork()
        if helper == 0:
            try:
                os.setresgid(uid, uid, uid)
                os.setresuid(uid, uid, uid)
                os.kill(-1, signal.SIGKILL)
            except BaseException:  # noqa: BLE001
                pass
            os._exit(0)
        os.waitpid(helper, 0)

    def reap_unknown(self) -> None:
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.finish(pid, status, usage)

    def finish(self, pid: int, status: int, usage) -> None:
        run = self.runs.pop(pid, None)
        if run is None:
            return
        self.by_id.pop(run["id"], None)
        oom = layers.memory_oom(run["cgroups"])
        self.cleanup(pid, run["cgroups"], run["uid"])
        cpu = usage.ru_utime + usage.ru_stime
        try:
            os.write(run["status"], f"exit {status} {cpu:.3f} {int(oom)}\n".encode())
        except OSError:
            pass
        os.close(run["status"])

    # --- requests ---
    def start_run(self, request: dict, fds: list[int]) -> None:
        status_fd = fds[3]
        run_id = int(request["id"])
        try:
            cgroups = self.cgroups_for(run_id, request.get("limits", {}))
            uid = self.uid_for(request)
            pid = os.fork()
        except OSError as exc:
            for fd in fds[:3]:
                os.close(fd)
            os.write(status_fd, f"error {exc}\n".encode())
            os.close(status_fd)
            return
        if pid == 0:
            os.close(status_fd)
            self.child_main(request, fds, cgroups, uid)
        for fd in fds[:3]:
            os.close(fd)
        self.runs[pid] = {"id": run_id, "status": status_fd, "cgroups": cgroups, "uid": uid}
        self.by_id[run_id] = pid
        os.write(status_fd, f"pid {pid}\n".encode())

    def kill_run(self, run_id: int) -> None:
        pid = self.by_id.get(run_id)
        if pid is None:
            return
        run = self.runs[pid]
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        layers.kill_cgroups(run["cgroups"])
        if run["uid"] is not None:
            self._kill_uid(run["uid"])

    def serve(self, control: socket.socket) -> None:
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        try:
            while True:
                try:
                    ready, _, _ = select.select([control, wake_r], [], [])
                except InterruptedError:
                    continue
                if wake_r in ready:
                    os.read(wake_r, 4096)
                    self.reap_unknown()
                if control in ready:
                    try:
                        data, fds, _, _ = socket.recv_fds(control, 1 << 16, 8)
                    except InterruptedError:
                        continue
                    if not data:
                        break
                    request = json.loads(data)
                    if request.get("op") == "run" and len(fds) == 4:
                        self.start_run(request, fds)
                    else:
                        for fd in fds:
                            os.close(fd)
                        if request.get("op") == "kill":
                            self.kill_run(int(request["id"]))
                self.reap_unknown()
        finally:
            for pid in list(self.runs):
                self.kill_run(self.runs[pid]["id"])
            deadline = time.monotonic() + 2
            while self.runs and time.monotonic() < deadline:
                self.reap_unknown()
                time.sleep(0.005)
            for run_dirs in self.mounts.values():
                prefix = os.path.join(run_dirs, self.cgroup_prefix)
                for leftover in glob.glob(os.path.join(prefix, "run-*")):
                    layers.remove_cgroup(leftover)

    def sweep_stale(self) -> None:
        """Remove the cgroups of zygotes that died without cleaning up (killed, say)."""
        for base in self.mounts.values():
            for path in glob.glob(os.path.join(base, "neuralforge-*")):
                try:
                    pid = int(path.rsplit("-", 1)[1])
                except ValueError:
                    continue
                if pid == os.getpid() or os.path.exists(f"/proc/{pid}"):
                    continue
                for leftover in glob.glob(os.path.join(path, "run-*")):
                    layers.remove_cgroup(leftover)
                layers.remove_cgroup(path)


def main() -> None:
    config = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    control = socket.socket(fileno=int(config.get("control_fd", CONTROL_FD)))
    import numpy  # noqa: F401 - the reason this process exists: children start with it loaded

    if str(config.get("platform", "linux")).startswith("linux"):
        layers._libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans come back to us
    else:
        layers._libc = NotLinux(str(config["platform"]))  # a Mac's libc has none of Linux's calls
    # No parent-death signal here (it follows the starting *thread*); the game's end closes the
    # control socket, even when it is killed, and the zygote then kills every run and leaves.
    zygote = Zygote(config)
    zygote.sweep_stale()
    try:
        report = zygote.probe()
        control.sendall(json.dumps({"op": "ready", **report}).encode())
        if not config.get("probe_only"):
            zygote.serve(control)
    finally:
        for base in zygote.mounts.values():
            layers.remove_cgroup(os.path.join(base, zygote.cgroup_prefix))


if __name__ == "__main__":
    main()
