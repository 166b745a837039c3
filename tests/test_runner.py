"""The sandboxed runner: outcomes, the result channel, streaming, cancelling, and each layer."""

from __future__ import annotations

import asyncio
import ctypes
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import forge_tui
import prockit
from forge_tui.locations import bosses_directory
from forge_tui.runner import Limits, Sandbox, describe_protections, probe_only


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox.start()
    yield box
    box.close()


def script(tmp_path: Path, body: str, name: str = "main.py") -> Path:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    path = work / name
    path.write_text(textwrap.dedent(body))
    return path


def run(sandbox, path: Path, **kwargs):
    return sandbox.run_python_sync(path, workdir=path.parent, **kwargs)


def test_the_non_root_run_is_not_root():
    """.ci/run runs these tests again as an ordinary user, with NEURALFORGE_TEST_NONROOT=1."""
    if os.environ.get("NEURALFORGE_TEST_NONROOT") != "1":
        pytest.skip("not the non-root run")
    assert os.geteuid() != 0 and os.getuid() != 0


def test_start_is_quick_and_every_layer_is_probed(sandbox):
    started = time.perf_counter()
    box = Sandbox.start()
    assert time.perf_counter() - started < 0.5  # numpy loads in the zygote, not here
    try:
        protections = box.protections()
        for key in ("rlimits", "netns", "seccomp", "landlock", "cgroups", "uid", "sockets", "ipc", "pidns"):
            assert key in protections
        assert protections["rlimits"] is True
        assert "rlimits ✓" in box.describe()
        for label in ("sockets", "ipc", "pidns"):
            assert f"{label} {'✓' if protections[label] else '✗'}" in box.describe()
    finally:
        box.close()


def test_probe_only_reports_without_a_zygote():
    report = probe_only()
    assert report["enabled"]["rlimits"] is True
    assert set(report["enabled"]) >= {"netns", "seccomp", "landlock", "cgroups", "uid", "sockets", "ipc", "pidns"}


def test_describe_says_plainly_what_a_missing_layer_allows():
    enabled = {key: True for key in ("rlimits", "netns", "seccomp", "landlock", "cgroups", "uid", "sockets", "ipc")}
    text = describe_protections({"enabled": {**enabled, "pidns": False},
                                 "reasons": {"pidns": "no user namespace here"}})
    assert "sockets ✓ ipc ✓ pidns ✗" in text
    assert "no user namespace here" in text and "stray processes may outlive a run" in text


WITHOUT_NAMESPACES = """
import ctypes, json, platform, struct, sys, tempfile
from pathlib import Path

# A machine where no namespace can be made: unshare() fails with EPERM for this process and
# everything it starts (the zygote included), as where user namespaces are switched off.
UNSHARE = {"x86_64": 272, "aarch64": 97}[platform.machine()]
program = b"".join(struct.pack("=HBBI", *insn) for insn in [
    (0x20, 0, 0, 0), (0x15, 0, 1, UNSHARE), (0x06, 0, 0, 0x00050000 | 1), (0x06, 0, 0, 0x7FFF0000)])
libc = ctypes.CDLL(None, use_errno=True)
assert libc.prctl(38, 1, 0, 0, 0) == 0  # no_new_privs, so that anyone may install the filter
buf = ctypes.create_string_buffer(program, len(program))
fprog = struct.pack("=HxxxxxxQ", len(program) // 8, ctypes.addressof(buf))
assert libc.prctl(22, 2, ctypes.c_char_p(fprog), 0, 0) == 0, ctypes.get_errno()

from forge_tui.runner import Sandbox, describe_protections, probe_only
print(describe_protections(probe_only()))
work = Path(tempfile.mkdtemp())
(work / "main.py").write_text("print('still runs')")
with Sandbox.start() as box:
    result = box.run_python_sync(work / "main.py", workdir=work)
print(result.outcome, result.output.strip())
"""


@pytest.mark.skipif(platform.machine() not in ("x86_64", "aarch64"), reason="a seccomp filter for this CPU")
def test_without_namespaces_runs_keep_the_other_layers_and_doctor_says_what_is_missing(tmp_path):
    done = subprocess.run([sys.executable, "-c", WITHOUT_NAMESPACES], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TMPDIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    line, outcome = done.stdout.strip().splitlines()
    assert "pidns ✗" in line and "ipc ✗" in line and "stray processes may outlive a run" in line
    assert "seccomp ✓" in line and "sockets ✓" in line  # what does not need a namespace still holds
    assert outcome == "ok still runs"


def test_doctor_and_the_serve_banner_say_which_layers_hold(capsys):
    from forge_tui.cli import main
    from forge_tui.host import runner_protections

    main(["doctor"])
    [line] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Sandbox")]
    for label in ("sockets", "ipc", "pidns"):
        assert f"{label} ✓" in line or f"{label} ✗" in line, line
    assert {"sockets", "ipc", "pidns"} <= set(runner_protections())  # the banner lists each of these


def test_ok_output_and_results(sandbox, tmp_path):
    path = script(tmp_path, """
        import sys, numpy as np
        from neuralforge_child import send
        print("hello", sys.argv[1:])
        send({"sum": np.arange(4).sum(), "arr": np.eye(2), "nan": float("nan")})
        send([1, (2, 3)])
    """)
    result = run(sandbox, path, args=["x", "y"])
    assert result.outcome == "ok", result
    assert result.output == "hello ['x', 'y']\n"
    assert result.results[0]["sum"] == 6 and result.results[0]["arr"] == [[1.0, 0.0], [0.0, 1.0]]
    assert result.results[0]["nan"] != result.results[0]["nan"]
    assert result.results[1] == [1, [2, 3]]


def test_a_work_folder_below_a_private_folder(sandbox, tmp_path):
    """A home or pytest's tmp is private (0700): a run with its own uid (as root) still reaches
    its work folder there, and writes in it, without seeing the rest of the private folder."""
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    (private / "secret.txt").write_text("secret")
    path = script(private, f"""
        import os
        with open("made.txt", "w") as handle:
            handle.write("made")
        print("uid", os.getuid())
        try:
            print("READ", open({str(private / "secret.txt")!r}).read())
        except OSError as err:
            print("denied", type(err).__name__)
    """)
    result = run(sandbox, path)
    assert result.outcome == "ok", result
    assert (path.parent / "made.txt").read_text() == "made"
    assert "READ" not in result.output and "denied" in result.output
    if sandbox.protections()["identity"] == "uid":  # root: a uid of the run's own
        assert f"uid {os.getuid()}\n" not in result.output


def test_exit_code_and_last_line_in_message(sandbox, tmp_path):
    result = run(sandbox, script(tmp_path, "raise ValueError('bad shape')\n"))
    assert result.outcome == "exit" and result.exit_code == 1
    assert "ValueError: bad shape" in result.message
    result = run(sandbox, script(tmp_path, "import sys; sys.exit(3)\n"))
    assert (result.outcome, result.exit_code) == ("exit", 3)


def test_stdin_reaches_the_child(sandbox, tmp_path):
    path = script(tmp_path, "import sys; print(sys.stdin.read().upper())\n")
    assert run(sandbox, path, stdin=b"abc" * 50_000).output.strip() == "ABC" * 50_000


def test_environment_is_scrubbed(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_TOKEN", "hunter2")
    path = script(tmp_path, "import os; print(sorted(os.environ)); print(os.environ['HOME'] == os.getcwd())\n")
    result = run(sandbox, path)
    assert "SECRET_TOKEN" not in result.output and "NEURALFORGE_HOME" not in result.output
    assert result.output.splitlines()[1] == "True"


def test_output_streams_as_it_is_produced(sandbox, tmp_path):
    path = script(tmp_path, """
        import time
        for i in range(3):
            print("tick", i, flush=True)
            time.sleep(0.15)
    """)
    seen: list[tuple[float, str]] = []

    async def go():
        start = time.monotonic()
        result = await sandbox.run_python(path, workdir=path.parent,
                                          on_output=lambda text: seen.append((time.monotonic() - start, text)))
        return result

    result = asyncio.run(go())
    assert result.outcome == "ok"
    assert "".join(t for _, t in seen) == result.output
    assert seen[0][0] < result.duration_s - 0.2  # the first tick arrived well before the end


def test_cancelling_kills_the_whole_tree(sandbox, tmp_path):
    path = script(tmp_path, """
        import os, time
        if os.fork() == 0:
            os.setsid()
            print("GRANDCHILD", os.readlink("/proc/self"), flush=True)  # its pid outside its PID namespace
            time.sleep(60)
        time.sleep(60)
    """)
    lines: list[str] = []

    async def go():
        task = asyncio.create_task(sandbox.run_python(path, workdir=path.parent, on_output=lines.append))
        for _ in range(200):
            await asyncio.sleep(0.01)
            if "GRANDCHILD" in "".join(lines):
                break
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    started = time.monotonic()
    asyncio.run(go())
    assert time.monotonic() - started < 4
    pid = int("".join(lines).split()[1])
    deadline = time.monotonic() + 2
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] if os.path.exists(f"/proc/{pid}") else "X"
        if state in "ZX":
            break
        time.sleep(0.02)
    else:
        assert not os.path.exists(f"/proc/{pid}")


def test_cpu_limit(sandbox, tmp_path):
    result = run(sandbox, script(tmp_path, "while True: pass\n"), limits=Limits(wall_s=10, cpu_s=1))
    assert result.outcome == "cpu", result
    assert "CPU-time limit" in result.message


def test_file_size_limit(sandbox, tmp_path):
    path = script(tmp_path, "open('big', 'wb').write(b'x' * (3 * 1024 * 1024))\n")
    result = run(sandbox, path, limits=Limits(file_mb=1))
    assert result.outcome != "ok"
    assert os.path.getsize(path.parent / "big") <= 1024 * 1024


def test_reads_stdlib_and_numpy_lazily_but_not_the_game(sandbox, tmp_path, isolated_home):
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "save.json").write_text("{}")
    targets = [Path(forge_tui.__file__), bosses_directory() / "__init__.py", isolated_home / "save.json"]
    path = script(tmp_path, f"""
        import fractions, statistics, json, numpy.linalg, numpy.fft
        print("imports ok", statistics.mean([1, 2, 3]))
        for target in {[str(t) for t in targets]!r}:
            try:
                open(target).read()
                print("READ", target)
            except OSError as err:
                print("denied", type(err).__name__)
        try:
            import forge_tui
            print("IMPORTED forge_tui")
        except ImportError:
            print("no forge_tui")
    """)
    result = run(sandbox, path)
    assert result.outcome == "ok", result.output
    assert "imports ok 2" in result.output
    assert "READ" not in result.output and "IMPORTED" not in result.output
    # Landlock refuses (PermissionError); as a separate uid, a private folder is not even there.
    denials = result.output.count("denied PermissionError") + result.output.count("denied FileNotFoundError")
    assert denials == 3, result.output


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
def test_run_command_compiles_and_runs_c(sandbox, tmp_path):
    work = tmp_path / "c"
    work.mkdir()
    (work / "lab.c").write_text('#include <stdio.h>\nint main(void){printf("%d\\n", 6*7);return 0;}\n')
    result = sandbox.run_command_sync(["gcc", "-O1", "-o", "lab", "lab.c"], workdir=work,
                                      limits=Limits(wall_s=30, cpu_s=30, processes=16))
    assert result.outcome == "ok", result.output
    result = sandbox.run_command_sync(["./lab"], workdir=work)
    assert (result.outcome, result.output) == ("ok", "42\n")
    crash = work / "crash.c"
    crash.write_text("int main(void){ volatile int *p = 0; return *p; }\n")
    assert sandbox.run_command_sync(["gcc", "-o", "crash", "crash.c"], workdir=work,
                                    limits=Limits(wall_s=30, cpu_s=30)).ok
    result = sandbox.run_command_sync(["./crash"], workdir=work)
    assert result.outcome == "signal" and "SIGSEGV" in result.message


def test_missing_program_is_a_clear_exit(sandbox, tmp_path):
    result = sandbox.run_command_sync(["no-such-program-here"], workdir=tmp_path)
    assert result.outcome == "exit" and result.exit_code == 127
    assert "could not start" in result.message


def test_concurrent_runs(sandbox, tmp_path):
    paths = [script(tmp_path, f"import time; time.sleep(0.3); print({i})\n", name=f"s{i}.py") for i in range(3)]

    async def go():
        return await asyncio.gather(*(sandbox.run_python(p, workdir=p.parent) for p in paths))

    started = time.monotonic()
    results = asyncio.run(go())
    assert [r.output.strip() for r in results] == ["0", "1", "2"]
    assert time.monotonic() - started < 1.5


def test_memory_limit(sandbox, tmp_path):
    path = script(tmp_path, "hoard = []\nwhile True:\n    hoard.append(bytearray(32 * 1024 * 1024))\n")
    result = run(sandbox, path, limits=Limits(memory_mb=256))
    assert result.outcome == "memory", result
    assert "256 MB" in result.message


def test_output_limit(sandbox, tmp_path):
    path = script(tmp_path, "while True:\n    print('x' * 1000)\n")
    result = run(sandbox, path, limits=Limits(output_bytes=50_000))
    assert result.outcome == "output"
    assert len(result.output) < 51_000 + 100


# --- what lies outside the sandbox: sockets, System V IPC, processes that outlive a run ------------
SOCKET_ATTEMPTS = """
import asyncio, errno, multiprocessing, socket

def attempt(name, action):
    try:
        print(name, action())
    except OSError as err:
        print(name, errno.errorcode.get(err.errno, err.errno))

def connect(family, address, kind=socket.SOCK_STREAM):
    with socket.socket(family, kind) as s:
        s.settimeout(2)
        s.connect(address)
    return "connected"

def pair(kind):
    a, b = socket.socketpair(socket.AF_UNIX, kind)
    with a, b:
        a.sendall(b"ping")
        return b.recv(4).decode()

def mp_pipe():
    a, b = multiprocessing.Pipe()
    a.send("ping")
    return b.recv()

attempt("unix-path", lambda: connect(socket.AF_UNIX, PATH))
attempt("unix-abstract", lambda: connect(socket.AF_UNIX, "\\0" + NAME))
attempt("unix-dgram", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"x", PATH))
attempt("netlink", lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0).getsockname())
attempt("vsock", lambda: socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM).fileno() and "opened")
attempt("inet", lambda: connect(socket.AF_INET, ("127.0.0.1", 9)))
attempt("dgram-pair", lambda: pair(socket.SOCK_DGRAM))
attempt("dgram-pair-cloexec", lambda: pair(socket.SOCK_DGRAM | socket.SOCK_CLOEXEC))
attempt("stream-pair", lambda: pair(socket.SOCK_STREAM))
attempt("stream-pair-flags", lambda: pair(socket.SOCK_STREAM | socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC))
attempt("seqpacket-pair", lambda: pair(socket.SOCK_SEQPACKET))
attempt("multiprocessing-pipe", mp_pipe)
attempt("asyncio", lambda: asyncio.run(asyncio.sleep(0, "ran")))
"""


def test_no_socket_reaches_outside_the_sandbox(sandbox, tmp_path):
    """A lab must reach no Unix socket of this user (tmux, ssh-agent, D-Bus), abstract or not,
    nor netlink, vsock or the internet: socket() is refused, and so is a datagram socketpair
    (it could send to /dev/log). Stream and seqpacket socketpairs (multiprocessing, asyncio) work."""
    name = f"nf-test-{secrets.token_hex(4)}"
    path = Path("/tmp") / f"{name}.sock"
    listeners = [socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(2)]
    try:
        listeners[0].bind(str(path))
        os.chmod(path, 0o777)  # any uid may connect, as far as modes go
        listeners[1].bind("\0" + name)
        for listener in listeners:
            listener.listen(4)
            listener.setblocking(False)
        lab = script(tmp_path, f"PATH, NAME = {str(path)!r}, {name!r}\n" + SOCKET_ATTEMPTS)
        result = run(sandbox, lab)
        assert result.outcome == "ok", result
        said = dict(line.split(" ", 1) for line in result.output.splitlines())
        for refused in ("unix-path", "unix-abstract", "unix-dgram", "netlink", "vsock", "inet",
                        "dgram-pair", "dgram-pair-cloexec"):
            assert said[refused] == "EACCES", (refused, result.output)
        for works in ("stream-pair", "stream-pair-flags", "seqpacket-pair", "multiprocessing-pipe"):
            assert said[works] == "ping", (works, result.output)
        assert said["asyncio"] == "ran"
        for listener in listeners:  # and no connection came in
            with pytest.raises(BlockingIOError):
                listener.accept()
    finally:
        for listener in listeners:
            listener.close()
        path.unlink(missing_ok=True)


IPC_CREAT, IPC_EXCL, IPC_RMID = 0o1000, 0o2000, 0
IPC_ATTEMPTS = """
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p

def said(result):
    return "found" if result not in (-1, None, ctypes.c_void_p(-1).value) else errno.errorcode[ctypes.get_errno()]

print("shm-key", said(libc.shmget(KEY, 0, 0)))
print("shm-id", said(libc.shmat(SHMID, None, 0o10000)))
print("msg-key", said(libc.msgget(KEY, 0)))
"""


def test_system_v_ipc_of_the_same_user_is_out_of_reach(sandbox, tmp_path):
    """Shared memory and message queues that this user made (open to all, as far as modes go)
    are out of a lab's reach, by key and by id: each run has its own IPC namespace."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    key = secrets.randbits(30) | 1
    shmid = libc.shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0o666)
    queue = libc.msgget(key, IPC_CREAT | IPC_EXCL | 0o666)
    assert shmid >= 0 and queue >= 0, os.strerror(ctypes.get_errno())
    try:
        lab = script(tmp_path, f"KEY, SHMID = {key}, {shmid}\n" + IPC_ATTEMPTS)
        result = run(sandbox, lab)
        assert result.outcome == "ok", result
        assert result.output.splitlines() == ["shm-key ENOENT", "shm-id EINVAL", "msg-key ENOENT"]
    finally:
        libc.shmctl(shmid, IPC_RMID, None)
        libc.msgctl(queue, IPC_RMID, None)


CHAIN = """
import ctypes, os, time
ctypes.CDLL(None).prctl(15, MARK, 0, 0, 0)  # PR_SET_NAME: every link carries it

def chain(links, linger):
    for _ in range(links):
        os.setsid()
        try:
            if os.fork() > 0:
                time.sleep(linger)
                os._exit(0)
        except OSError:
            break
    time.sleep(600)

if os.fork() == 0:
    chain(40, LINGER)
print("pid", os.getpid(), flush=True)
"""


def run_chain(sandbox, tmp_path, mark: str, *, linger: float, tail: str = "", wall_s: float = 5.0):
    lab = script(tmp_path, f"MARK, LINGER = {mark.encode()!r}, {linger}\n" + CHAIN + tail)
    go = sandbox.run_python(lab, workdir=lab.parent, limits=Limits(wall_s=wall_s))
    try:
        return asyncio.run(asyncio.wait_for(go, wall_s + 5))
    except asyncio.TimeoutError:
        pytest.fail(f"the run did not end within {wall_s + 5:.0f} s")


@pytest.mark.parametrize("linger", [0.0, 600.0])
def test_no_process_of_a_run_outlives_it(sandbox, tmp_path, linger):
    """A chain of processes, each leaving its session and starting the next (then exiting, or
    lingering), ends when the lab's own process ends: the run is over, nothing survives."""
    mark = prockit.marker()
    try:
        result = run_chain(sandbox, tmp_path, mark, linger=linger)
        assert result.outcome == "ok", result  # over with the lab's process, not at the wall-time limit
        assert result.output.startswith("pid ") and result.output != "pid 1\n"  # never the namespace's init
        assert prockit.gone(mark), f"{len(prockit.living(mark))} processes outlived the run"
    finally:
        prockit.kill_all(mark)


def test_a_run_stopped_at_its_wall_time_takes_every_process_with_it(sandbox, tmp_path):
    mark = prockit.marker()
    try:
        result = run_chain(sandbox, tmp_path, mark, linger=600.0, tail="time.sleep(600)\n", wall_s=1.0)
        assert result.outcome == "timeout", result
        assert prockit.gone(mark), f"{len(prockit.living(mark))} processes outlived the run"
    finally:
        prockit.kill_all(mark)
