"""The sandbox's layers, applied by a freshly forked child to itself before it runs player code.

This file is self-contained (standard library and ctypes only): the zygote loads it by path in
an interpreter started with `-I`, where `forge_tui` cannot be imported. Every function here runs
in a single-threaded process that is about to become sandboxed; none of it runs in the game.

Order, as the zygote applies them (each step needs the privileges the previous ones still leave):
  in the zygote's child: setsid -> join the run's cgroups -> user (unless a uid of its own),
  network, IPC and PID namespaces -> as root, the bridge to a work folder below a private one;
  in the player's process (PID 2 of that namespace, see `nsinit.py`): rlimits -> drop to the
  run's uid (when the Python files are world-readable) or drop all capabilities
  -> no_new_privs -> Landlock -> seccomp.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import resource
import stat
import struct

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long

# --- constants ------------------------------------------------------------------------------
CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18

PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2

SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1

FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1

FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
READ_ONLY = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
DEVICE_RW = FS_READ_FILE | FS_WRITE_FILE | FS_TRUNCATE | FS_IOCTL_DEV

# seccomp
SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
# (socket, socketpair, io_uring_setup, ptrace, bpf, perf_event_open, process_vm_readv, process_vm_writev)
SYSCALLS = {
    "x86_64": {"socket": 41, "socketpair": 53, "io_uring_setup": 425, "ptrace": 101, "bpf": 321,
               "perf_event_open": 298, "process_vm_readv": 310, "process_vm_writev": 311, "keyctl": 250},
    "aarch64": {"socket": 198, "socketpair": 199, "io_uring_setup": 425, "ptrace": 117, "bpf": 280,
                "perf_event_open": 241, "process_vm_readv": 270, "process_vm_writev": 271, "keyctl": 219},
}
AF_UNIX = 1
SOCK_STREAM, SOCK_SEQPACKET, SOCK_NONBLOCK, SOCK_CLOEXEC = 1, 5, 0o4000, 0o2000000
BPF_LD_W_ABS, BPF_ALU_AND_K, BPF_JEQ_K, BPF_JGE_K, BPF_RET_K = 0x20, 0x54, 0x15, 0x35, 0x06
STACK_BYTES = 64 * 1024 * 1024


class LayerError(Exception):
    """A layer that the start-up probe said works failed in a run: the run must not start."""


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


# --- session, namespaces, ids -----------------------------------------------------------------
def unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def enter_namespaces(user: bool, net: bool) -> None:
    """A new network namespace (no interfaces but a down loopback), inside a new user namespace
    when `user`: the child is root in it, mapped to its own outer uid, so RLIMIT_NPROC counts."""
    flags = (CLONE_NEWUSER if user else 0) | (CLONE_NEWNET if net else 0)
    if not flags:
        return
    uid, gid = os.geteuid(), os.getegid()
    unshare(flags)
    if user:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"0 {uid} 1")
        _write("/proc/self/gid_map", f"0 {gid} 1")


def enter_ipc_namespace() -> None:
    """System V shared memory, semaphores and message queues of its own: none of the user's."""
    unshare(CLONE_NEWIPC)


def enter_pid_namespace() -> None:
    """The next child forked is PID 1 of a new PID namespace (see nsinit.py); this process stays
    outside it. Needs CAP_SYS_ADMIN: root, or after entering a user namespace."""
    unshare(CLONE_NEWPID)


def global_pid() -> int:
    """This process's pid as /proc (mounted for the first PID namespace) names it."""
    return int(os.readlink("/proc/self"))


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    encode = (lambda text: None if text is None else text.encode())
    _check(_libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)),
           f"mount {target}")


def private_ancestor(path: str) -> str | None:
    """The topmost folder above `path` that other users cannot traverse (no o+x), or None."""
    parts = os.path.realpath(path).split("/")
    for i in range(2, len(parts)):
        ancestor = "/".join(parts[:i])
        if not os.stat(ancestor).st_mode & stat.S_IXOTH:
            return ancestor
    return None


def bridge(paths: list[str]) -> None:
    """Make each of `paths` reachable by any uid at its own absolute path, in a new mount
    namespace (root only): every private folder above one is covered by a fresh tmpfs (mode
    0711) that holds only the way down to the path, and the path itself is bind-mounted there.
    The rest of a private folder stays out of sight. Nothing is done when all are reachable."""
    needed: dict[str, str] = {}
    for path in sorted(os.path.realpath(p) for p in paths):
        ancestor = private_ancestor(path)
        inside = any(path.startswith(done.rstrip("/") + "/") for done in needed)
        if ancestor and not inside:
            needed[path] = ancestor
    if not needed:
        return
    unshare(CLONE_NEWNS)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing below propagates to the host
    held = {path: os.open(path, os.O_PATH | os.O_CLOEXEC) for path in needed}  # before the covers
    try:
        for ancestor in sorted(set(needed.values())):
            _mount("tmpfs", ancestor, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0711,size=1m")
        for path, fd in held.items():
            _make_way(needed[path], path, is_dir=stat.S_ISDIR(os.fstat(fd).st_mode))
            _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
    finally:
        for fd in held.values():
            os.close(fd)


def _make_way(cover: str, path: str, *, is_dir: bool) -> None:
    """Folders (0711) inside the tmpfs `cover` down to `path`, and a mount point for it."""
    parent = os.path.dirname(path)
    os.makedirs(parent, mode=0o711, exist_ok=True)
    folder = parent
    while folder != cover:
        os.chmod(folder, 0o711)
        folder = os.path.dirname(folder)
    if is_dir:
        os.makedirs(path, exist_ok=True)
    else:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def drop_to_uid(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise LayerError("the uid did not change")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> None:
    """No capabilities left, now or after an exec (bounding set emptied, no root magic)."""
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 and ctypes.get_errno() != errno.EINVAL:
            raise OSError(ctypes.get_errno(), "PR_CAPBSET_DROP")
    # SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP(+LOCKED) | KEEP_CAPS_LOCKED
    _libc.prctl(PR_SET_SECUREBITS, 0x2F, 0, 0, 0)
    header = _CapHeader(0x20080522, 0)
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def set_parent_death_signal() -> None:
    _libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)


# --- rlimits -------------------------------------------------------------------------------------
def set_rlimits(*, address_bytes: int | None, cpu_s: float, file_bytes: int, open_files: int,
                processes: int | None) -> None:
    cpu = max(1, int(cpu_s + 0.999))
    limits = [
        (resource.RLIMIT_CORE, 0, 0),
        (resource.RLIMIT_STACK, STACK_BYTES, STACK_BYTES),  # deep recursion ends in SIGSEGV, fast
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_FSIZE, file_bytes, file_bytes),
        (resource.RLIMIT_NOFILE, open_files, open_files),
    ]
    if address_bytes is not None:
        limits.append((resource.RLIMIT_AS, address_bytes, address_bytes))
    if processes is not None:
        limits.append((resource.RLIMIT_NPROC, processes, processes))
    for which, soft, hard in limits:
        resource.setrlimit(which, (soft, hard))


def address_space_bytes() -> int | None:
    """This process's current virtual size (the preloaded interpreter the run starts from), or
    None where /proc cannot tell (not Linux: no address-space limit is set there)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * resource.getpagesize()
    except OSError:
        return None


# --- Landlock ---------------------------------------------------------------------------------
def landlock_abi() -> int:
    try:
        version = _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                                ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    except Exception:
        return 0
    return int(version) if version > 0 else 0


def _fs_rights(abi: int) -> int:
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= FS_REFER
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


def landlock_restrict(abi: int, rules: list[tuple[str, str]]) -> None:
    """Confine the filesystem to `rules`: (path, "ro" | "rw" | "dev" | "list"); deny TCP bind/connect
    (ABI 4) and signals or abstract sockets reaching outside the sandbox (ABI 6)."""
    handled_fs = _fs_rights(abi)
    handled_net = (NET_BIND_TCP | NET_CONNECT_TCP) if abi >= 4 else 0
    scoped = (SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL) if abi >= 6 else 0
    if abi >= 6:
        attr, size = struct.pack("=QQQ", handled_fs, handled_net, scoped), 24
    elif abi >= 4:
        attr, size = struct.pack("=QQ", handled_fs, handled_net), 16
    else:
        attr, size = struct.pack("=Q", handled_fs), 8
    buf = ctypes.create_string_buffer(attr, len(attr))
    ruleset = _check(_libc.syscall(SYS_LANDLOCK_CREATE_RULESET, buf, ctypes.c_size_t(size), ctypes.c_uint32(0)),
                     "landlock_create_ruleset")
    try:
        wanted = {"ro": READ_ONLY, "rw": handled_fs, "dev": DEVICE_RW, "list": FS_READ_DIR}
        for path, kind in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue  # a path that is not on this machine
            try:
                is_dir = stat.S_ISDIR(os.fstat(fd).st_mode)
                access = wanted[kind] & handled_fs
                if not is_dir:
                    access &= FILE_RIGHTS
                rule = ctypes.create_string_buffer(struct.pack("=Qi", access, fd), 12)
                _check(_libc.syscall(SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset),
                                     ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH), rule, ctypes.c_uint32(0)),
                       f"landlock_add_rule {path}")
            finally:
                os.close(fd)
        _check(_libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)),
               "landlock_restrict_self")
    finally:
        os.close(ruleset)


def no_new_privs() -> None:
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "PR_SET_NO_NEW_PRIVS")


# --- seccomp ----------------------------------------------------------------------------------
def _machine() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def seccomp_available() -> bool:
    return _machine() in AUDIT_ARCH and os.path.exists("/proc/sys/kernel/seccomp/actions_avail")


def _seccomp_program() -> bytes:
    """A classic-BPF filter. socket() -> EACCES for every address family: no Unix socket (path or
    abstract), netlink, vsock or internet socket can be made, so no service outside the sandbox
    (tmux, ssh-agent, D-Bus, /dev/log) can be reached. socketpair() -> only AF_UNIX stream or
    seqpacket pairs (multiprocessing, asyncio): a datagram one could still sendto() a path.
    io_uring (which bypasses seccomp), ptrace, bpf, perf, cross-process memory and keyrings
    -> EPERM; other ABIs killed."""
    machine = _machine()
    numbers = SYSCALLS[machine]
    eacces = SECCOMP_RET_ERRNO | errno.EACCES
    eperm = SECCOMP_RET_ERRNO | errno.EPERM
    denied = [numbers[n] for n in ("io_uring_setup", "ptrace", "bpf", "perf_event_open",
                                   "process_vm_readv", "process_vm_writev", "keyctl")]
    prog: list[tuple] = [
        (BPF_LD_W_ABS, 0, 0, 4),  # arch
        (BPF_JEQ_K, 1, 0, AUDIT_ARCH[machine]),
        (BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        (BPF_LD_W_ABS, 0, 0, 0),  # nr
    ]
    if machine == "x86_64":  # the x32 ABI
        prog += [(BPF_JGE_K, 0, 1, 0x40000000), (BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS)]
    prog += [(BPF_JEQ_K, "eacces", 0, numbers["socket"]), (BPF_JEQ_K, "pair", 0, numbers["socketpair"])]
    prog += [(BPF_JEQ_K, "eperm", 0, nr) for nr in denied]
    prog += [
        (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
        "pair",
        (BPF_LD_W_ABS, 0, 0, 16),  # args[0], low word: the address family
        (BPF_JEQ_K, 0, "eacces", AF_UNIX),
        (BPF_LD_W_ABS, 0, 0, 24),  # args[1], low word: the type, with its flags
        (BPF_ALU_AND_K, 0, 0, ~(SOCK_NONBLOCK | SOCK_CLOEXEC)),
        (BPF_JEQ_K, "allow", 0, SOCK_STREAM),
        (BPF_JEQ_K, "allow", "eacces", SOCK_SEQPACKET),
        "allow",
        (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
        "eperm",
        (BPF_RET_K, 0, 0, eperm),
        "eacces",
        (BPF_RET_K, 0, 0, eacces),
    ]
    return _assemble(prog)


def _assemble(prog: list) -> bytes:
    """Classic BPF from (code, jt, jf, k) tuples, where a jump may name a label (a string in the
    list) instead of an offset."""
    labels: dict[str, int] = {}
    for item in prog:
        if isinstance(item, str):
            labels[item] = len([i for i in prog[: prog.index(item)] if not isinstance(i, str)])
    code = [item for item in prog if not isinstance(item, str)]

    def offset(target, index: int) -> int:
        return target if isinstance(target, int) else labels[target] - index - 1

    return b"".join(struct.pack("=HBBI", op, offset(jt, i), offset(jf, i), k & 0xFFFFFFFF)
                    for i, (op, jt, jf, k) in enumerate(code))


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def seccomp_install() -> None:
    program = _seccomp_program()
    buf = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buf, ctypes.c_void_p))
    _check(_libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0), "seccomp")


# --- System V IPC: the probe's check that a run's IPC namespace is its own -----------------------
IPC_CREAT, IPC_EXCL, IPC_RMID = 0o1000, 0o2000, 0


def sysv_segment() -> tuple[int, int] | None:
    """A small shared-memory segment of this user's, open to all by its mode: (key, id), or None
    where this kernel has no System V IPC."""
    key = int.from_bytes(os.urandom(4), "little") & 0x3FFFFFFF | 1
    shmid = _libc.shmget(ctypes.c_int(key), ctypes.c_size_t(4096), ctypes.c_int(IPC_CREAT | IPC_EXCL | 0o666))
    return (key, shmid) if shmid >= 0 else None


def sysv_visible(key: int) -> bool:
    return _libc.shmget(ctypes.c_int(key), ctypes.c_size_t(0), ctypes.c_int(0)) >= 0


def sysv_remove(shmid: int) -> None:
    _libc.shmctl(ctypes.c_int(shmid), ctypes.c_int(IPC_RMID), None)


# --- cgroups ------------------------------------------------------------------------------------
def cgroup_mounts() -> dict[str, str]:
    """{"unified": path, "pids": path, "memory": path} for the hierarchies mounted here, each
    already joined to this process's own cgroup in that hierarchy."""
    mounts: dict[str, str] = {}
    try:
        with open("/proc/self/mountinfo") as handle:
            for line in handle:
                left, _, right = line.partition(" - ")
                fields, extra = left.split(), right.split()
                if len(extra) < 3:
                    continue
                if extra[0] == "cgroup2":
                    mounts.setdefault("unified", fields[4])
                elif extra[0] == "cgroup":
                    for option in extra[2].split(","):
                        if option in ("pids", "memory"):
                            mounts.setdefault(option, fields[4])
        own: dict[str, str] = {}
        with open("/proc/self/cgroup") as handle:
            for line in handle:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                if controllers == "":
                    own["unified"] = path
                for name in controllers.split(","):
                    own[name] = path
    except OSError:
        return {}
    return {name: os.path.join(base, own.get(name, "/").lstrip("/")) for name, base in mounts.items()}


def make_cgroups(mounts: dict[str, str], name: str, *, processes: int, memory_bytes: int) -> dict[str, str]:
    made: dict[str, str] = {}
    for kind, base in mounts.items():
        path = os.path.join(base, name)
        try:
            os.makedirs(path, exist_ok=True)
            if kind == "pids":
                _write(os.path.join(path, "pids.max"), str(processes))
            elif kind == "memory":
                _write(os.path.join(path, "memory.limit_in_bytes"), str(memory_bytes))
            elif kind == "unified":
                if not os.path.exists(os.path.join(path, "cgroup.kill")):
                    raise OSError(errno.ENOENT, "no cgroup.kill")
                for control, value in (("pids.max", processes), ("memory.max", memory_bytes)):
                    if os.path.exists(os.path.join(path, control)):
                        _write(os.path.join(path, control), str(value))
            made[kind] = path
        except OSError:
            remove_cgroup(path)
    return made


def join_cgroups(paths: dict[str, str]) -> None:
    for path in paths.values():
        _write(os.path.join(path, "cgroup.procs"), str(os.getpid()))


def cgroup_pids(path: str) -> list[int]:
    try:
        with open(os.path.join(path, "cgroup.procs")) as handle:
            return [int(x) for x in handle.read().split()]
    except (OSError, ValueError):
        return []


def kill_cgroups(paths: dict[str, str]) -> None:
    """Kill every process in the run's cgroups (v2 cgroup.kill; v1 by listing, until empty)."""
    if "unified" in paths:
        try:
            _write(os.path.join(paths["unified"], "cgroup.kill"), "1")
        except OSError:
            pass
    for kind in ("pids", "memory", "unified"):
        if kind not in paths:
            continue
        for _ in range(200):
            pids = cgroup_pids(paths[kind])
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, 9)
                except OSError:
                    pass


def memory_oom(paths: dict[str, str]) -> bool:
    """Did the memory cgroup hit its limit (v1 failcnt / oom_kill, v2 memory.events)?"""
    try:
        if "memory" in paths:
            with open(os.path.join(paths["memory"], "memory.oom_control")) as handle:
                for line in handle:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill" and int(value) > 0:
                        return True
        if "unified" in paths and os.path.exists(os.path.join(paths["unified"], "memory.events")):
            with open(os.path.join(paths["unified"], "memory.events")) as handle:
                for line in handle:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill" and int(value) > 0:
                        return True
    except (OSError, ValueError):
        pass
    return False


def remove_cgroup(path: str) -> None:
    """Remove a run's cgroup, killing anything still in it (a dying process can hold it a moment)."""
    import time

    for _ in range(100):
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError as err:
            if err.errno == errno.ENOTEMPTY:
                return  # child cgroups remain: not ours to remove here
            for pid in cgroup_pids(path):
                try:
                    os.kill(pid, 9)
                except OSError:
                    pass
            time.sleep(0.002)
