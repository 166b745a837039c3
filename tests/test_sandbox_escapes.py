"""Hostile labs that reach for something outside their sandbox, or try to outlive their run.

Each fights a tiny boss (`add` on two small arrays) in the real sandbox and must lose; the
ones that fork are found afterwards by the process name they give themselves (tests/prockit.py)
and none may be left running; the fight ends within its time limit plus a small margin; the
zygote serves the next fight. Run as root and as an ordinary user (.ci/run does both).
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import secrets
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

import prockit
from forge_tui.boss import fight, fight_sync, load_boss
from forge_tui.runner import Sandbox

HOSTILE = Path(__file__).resolve().parent / "hostile"
MARGIN_S = 3.0  # how long past its time limit a fight may take to end

BOSS_PY = '''
import numpy as np

ENTRY = "add"
TIME_LIMIT_S = 2.0


def _encode(array):
    return {"__ndarray__": array.tolist(), "dtype": str(array.dtype)}


def cases(rng):
    a, b = rng.standard_normal((4, 4)), rng.standard_normal((4, 4))
    return [{"name": "two small arrays", "summary": "4x4 + 4x4", "hint": "add element by element",
             "call": {"function": "add", "args": [_encode(a), _encode(b)], "kwargs": {}}}]


def judge(case, got):
    a, b = (np.array(x["__ndarray__"], dtype=x["dtype"]) for x in case["call"]["args"])
    got = np.asarray(got, dtype=float)
    ok = got.shape == a.shape and bool(np.allclose(got, a + b))
    return ok, "a + b", "matches" if ok else "differs from a + b"
'''


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox.start()
    yield box
    box.close()


@pytest.fixture
def boss(tmp_path):
    folder = tmp_path / "bosses" / "adder"
    folder.mkdir(parents=True)
    (folder / "boss.py").write_text(BOSS_PY)
    (folder / "reference.py").write_text("def add(a, b):\n    return a + b\n")
    return load_boss("adder", root=folder.parent)


def hostile(name: str, tmp_path: Path, **values) -> Path:
    text = (HOSTILE / f"{name}.py").read_text()
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    return path


def fight_in_time(sandbox, boss, lab: Path):
    """The fight's report; fails (instead of hanging) if it outlasts its limit plus the margin."""
    started = time.monotonic()
    try:
        report = asyncio.run(asyncio.wait_for(fight(boss, lab, sandbox), boss.time_limit_s + MARGIN_S + 5))
    except asyncio.TimeoutError:
        pytest.fail(f"the fight did not end within {boss.time_limit_s + MARGIN_S + 5:.0f} s")
    assert time.monotonic() - started < boss.time_limit_s + MARGIN_S
    assert not report.won, report.message
    assert report.cases[0].message
    os.kill(sandbox._proc.pid, 0)  # the zygote lives on
    return report


# --------------------------------------------------------------------------- outliving the run
def test_a_setsid_chain_dies_with_its_fight(sandbox, boss, tmp_path):
    mark = prockit.marker()
    try:
        report = fight_in_time(sandbox, boss, hostile("setsid_chain", tmp_path, MARK=mark))
        assert report.run.outcome == "timeout"
        assert prockit.gone(mark), f"{len(prockit.living(mark))} links of the chain outlived the fight"
    finally:
        prockit.kill_all(mark)
    assert fight_sync(boss, boss.reference_path, sandbox).won


def test_a_double_forked_daemon_dies_with_its_fight(sandbox, boss, tmp_path):
    mark = prockit.marker()
    try:
        report = fight_in_time(sandbox, boss, hostile("sleeping_daemon", tmp_path, MARK=mark))
        assert report.run.outcome == "ok"  # the lab itself finished; its daemon did not hold the fight
        assert prockit.gone(mark), "the daemon outlived the fight"
    finally:
        prockit.kill_all(mark)


# --------------------------------------------------------------------------- sockets and IPC outside
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_a_lab_cannot_make_the_players_tmux_run_a_command(sandbox, boss, tmp_path):
    name = f"nf-tmux-{secrets.token_hex(4)}"
    server, marker = Path("/tmp") / name, Path("/tmp") / f"{name}.ran"
    subprocess.run(["tmux", "-S", str(server), "new-session", "-d", "-s", "player", "sleep 60"], check=True)
    try:
        control = subprocess.run(["tmux", "-S", str(server), "run-shell", "true"], capture_output=True)
        assert control.returncode == 0, control.stderr  # the server takes commands from this user
        report = fight_in_time(sandbox, boss, hostile("tmux_socket", tmp_path, SOCKET=server, MARKER=marker))
        assert not marker.exists(), "tmux ran the lab's command outside the sandbox"
        assert "tmux said" in report.run.output
    finally:
        subprocess.run(["tmux", "-S", str(server), "kill-server"], capture_output=True)
        server.unlink(missing_ok=True)
        marker.unlink(missing_ok=True)


def test_a_lab_cannot_reach_an_abstract_socket_outside(sandbox, boss, tmp_path):
    name = f"nf-service-{secrets.token_hex(4)}"
    service = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    service.bind("\0" + name)
    service.listen(4)
    callers: list[bytes] = []

    def answer() -> None:
        service.settimeout(boss.time_limit_s + MARGIN_S)
        try:
            caller, _ = service.accept()
        except OSError:
            return
        with caller:
            callers.append(caller.recv(64))
            caller.sendall(b"granted")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        report = fight_in_time(sandbox, boss, hostile("abstract_socket", tmp_path, NAME=name))
        assert callers == [], "the lab reached a service outside the sandbox"
        assert "Error" in report.cases[0].message  # refused, in words
    finally:
        service.close()
        thread.join(timeout=boss.time_limit_s + MARGIN_S)


IPC_CREAT, IPC_EXCL, IPC_RMID = 0o1000, 0o2000, 0


def test_a_lab_cannot_read_the_players_shared_memory(sandbox, boss, tmp_path):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    key = secrets.randbits(30) | 1
    shmid = libc.shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0o666)  # anyone's, as far as modes go
    assert shmid >= 0, os.strerror(ctypes.get_errno())
    secret = f"SECRET-{secrets.token_hex(8)}".encode()
    try:
        address = libc.shmat(shmid, None, 0)
        ctypes.memmove(address, secret, len(secret))
        libc.shmdt(ctypes.c_void_p(address))
        report = fight_in_time(sandbox, boss, hostile("sysv_shm", tmp_path, KEY=key, SHMID=shmid))
        assert "STOLEN" not in report.run.output and secret.decode() not in report.run.output
        assert report.run.output.count("refused") == 2
    finally:
        libc.shmctl(shmid, IPC_RMID, None)
