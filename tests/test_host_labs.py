"""Labs on a shared SSH host: one player's lab cannot touch another's files, a dropped link
mid-edit loses nothing, a player sees only their own runs, and a host that cannot isolate labs
refuses to run them.

The first two tests drive `neuralforge serve` (its own process, on a random loopback port) with
a real OpenSSH client in tmux; the last two use asyncssh clients against an in-process host.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

asyncssh = pytest.importorskip("asyncssh")

from forge_tui.game import Game  # noqa: E402
from forge_tui.host import lab_policy, runner_protections  # noqa: E402
from forge_tui.host.identity import HostPaths, Identity  # noqa: E402
from forge_tui.host.server import ForgeHost, ServeOptions  # noqa: E402
from forge_tui.host.session import descendants, pid_alive  # noqa: E402
from forge_tui.labs import ensure_lab  # noqa: E402
from forge_tui.locations import bosses_directory  # noqa: E402
from hostkit import Served, Terminal, make_key, needs_openssh, new_key, roster_line, ssh_command  # noqa: E402

# --------------------------------------------------------------------------- the class's folders


def seed_player(data: Path, name: str, run_name: str, *, at_lab: bool = True):
    """A player's folder as the host makes it, with one run; at_lab: left at module 1's Lab part."""
    paths = HostPaths(data)
    paths.prepare()
    home = paths.ensure_player(Identity(name, name, f"SHA256:{name}"))
    game = Game(home)
    run = game.store.create_run(run_name, ["hacker", "artist"], "python")
    module = game.catalog.module(1)
    if at_lab:
        run = game.visit(run, module, "lab")
    lab = ensure_lab(home, run.id, module, "python")
    return home, run, lab


def tree_snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under folder: its bytes and mtime (ns); a change of either shows."""
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def game_environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)


HOSTILE_LAB = '''\
import errno
import os

DENIED, LEAKED = [], []


def attempt(name, action):
    try:
        got = action()
    except OSError as err:
        DENIED.append(f"{{name}}={{errno.errorcode.get(err.errno, err.errno)}}")
    else:
        LEAKED.append(f"{{name}}:{{str(got)[:40]!r}}")


def write_into(path, mode, text):
    with open(path, mode) as handle:
        return handle.write(text)


attempt("bob-save", lambda: open({bob_save!r}).read())
attempt("bob-lab", lambda: open({bob_lab!r}).read())
attempt("host-key", lambda: open({host_key!r}).read())
attempt("players", lambda: os.listdir({players!r}))
attempt("bob-write", lambda: write_into({bob_new!r}, "w", "pwned by ada"))
attempt("bob-append", lambda: write_into({bob_save!r}, "a", " "))
if DENIED:  # without isolation nothing is denied, and the reference below wins the fight
    raise PermissionError(" ".join(DENIED) + (" LEAK " + " ".join(LEAKED) if LEAKED else ""))

'''
ATTEMPTS = ("bob-save", "bob-lab", "host-key", "players", "bob-write", "bob-append")


# --------------------------------------------------------------------------- `neuralforge serve` + OpenSSH

@pytest.fixture
def classroom(tmp_path):
    """A roster of two players (ada, bob), `neuralforge serve` started on demand, and cleanup:
    every tmux client closed and the server (and every game below it) stopped."""
    keys = {name: make_key(tmp_path, name) for name in ("ada", "bob")}
    roster = tmp_path / "roster"
    roster.write_text("".join(line + "\n" for _, line in keys.values()))
    data = tmp_path / "host"
    opened: list = []

    def serve() -> Served:
        served = Served(data, roster)
        opened.append(served)
        return served

    def connect(served: Served, name: str) -> Terminal:
        terminal = Terminal(ssh_command(served.port, keys[name][0]), width=120, height=40)
        opened.insert(0, terminal)
        return terminal

    yield data, serve, connect
    for thing in opened:
        if isinstance(thing, Terminal):
            thing.close()
    for thing in opened:
        if isinstance(thing, Served):
            thing.stop()


@needs_openssh
def test_a_lab_cannot_reach_another_players_files_or_the_host_key(classroom):
    policy = lab_policy(runner_protections(), multiple_identities=True)
    if not policy.allowed:
        pytest.skip(f"this machine cannot isolate labs ({policy.reason}); test_labs_refused covers it")
    data, serve, connect = classroom
    paths = HostPaths(data)
    paths.prepare()
    secret = f"BOB-SECRET-{secrets.token_hex(8)}"
    bob_home, bob_run, bob_lab = seed_player(data, "bob", "bob-private-run", at_lab=False)
    bob_lab.write_text(f"# {secret}\n" + bob_lab.read_text())
    ada_home, ada_run, ada_lab = seed_player(data, "ada", "ada-run")

    served = serve()  # makes the host key; both players exist before anyone connects
    assert "labs run confined to their workspace" in served.banner
    host_key = paths.host_key.read_text()
    key_body = "".join(host_key.splitlines()[1:-1])[:40]
    bob_save = bob_home / "runs" / bob_run.id / "state.json"
    targets = dict(
        bob_save=str(bob_save),
        bob_lab=str(bob_lab),
        host_key=str(paths.host_key),
        players=str(paths.players_dir),
        bob_new=str(bob_home / "pwned.txt"),
    )
    assert all(Path(p).exists() for name, p in targets.items() if name != "bob_new")
    reference = (bosses_directory() / "vector-awakens" / "reference.py").read_text()
    ada_lab.write_text(HOSTILE_LAB.format(**targets) + reference)

    bobs = connect(served, "bob")  # bob plays at the same time, on his map
    bobs.wait_for("bob-private-run")
    bobs.wait_for("The Vector Awakens")
    time.sleep(0.5)
    before = tree_snapshot(bob_home)
    host_dir_before = tree_snapshot(paths.host_dir)

    terminal = connect(served, "ada")
    terminal.wait_for("lab.py")  # resumed at module 1's Lab part, the hostile lab in the editor
    games = {game_environ(pid)["NEURALFORGE_IDENTITY"]: pid for pid in served.games()}
    assert sorted(games) == ["ada", "bob"]
    assert game_environ(games["ada"])["NEURALFORGE_LABS"] == "1"
    terminal.keys("C-b")
    shown = terminal.wait_for("Defeat", timeout=40)
    shown = terminal.wait_for("your lab failed to import")
    for name in ATTEMPTS:  # each attempt was refused by the sandbox, not missed
        assert re.search(rf"{name}=(EACCES|EPERM)\b", shown), (name, shown)
    assert "LEAK" not in shown and secret not in shown and key_body not in shown
    assert "Victory" not in shown

    # Nothing of bob's changed or appeared, the host's folder is as it was, nothing leaked to ada.
    assert tree_snapshot(bob_home) == before
    assert tree_snapshot(paths.host_dir).keys() == host_dir_before.keys()
    assert paths.host_key.read_text() == host_key
    for path in ada_home.rglob("*"):
        if path.is_file():
            text = path.read_bytes()
            assert secret.encode() not in text and key_body.encode() not in text, path
    state = Game(ada_home).store.load(ada_run.id)
    assert not state.progress("vector-awakens").boss_defeated

    assert secret not in bobs.screen() and "pwned" not in bobs.screen()
    terminal.keys("C-q")
    bobs.keys("C-q")
    served.wait_no_games()

    # The control: the same lab with no sandbox around it reads and writes all of it, so the
    # refusals above came from the isolation, not from a wrong path.
    control = subprocess.run(
        [sys.executable, "-c", f"import runpy; runpy.run_path({str(ada_lab)!r}); print('imported')"],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert control.returncode == 0 and "imported" in control.stdout, control.stderr
    assert (bob_home / "pwned.txt").read_text() == "pwned by ada"


@needs_openssh
def test_a_dropped_link_mid_edit_resumes_at_the_lab_with_the_edit(classroom):
    data, serve, connect = classroom
    ada_home, ada_run, ada_lab = seed_player(data, "ada", "ada-run")
    served = serve()
    edit = f"# kept-{secrets.token_hex(4)}"

    terminal = connect(served, "ada")
    terminal.wait_for("lab.py")
    terminal.wait_for("def dot(u, v):")  # the editor shows the starter and has the focus
    terminal.keys(edit, literal=True)
    terminal.keys("Enter")
    end = time.monotonic() + 5  # the editor saves about 0.4 s after the last keystroke
    while time.monotonic() < end and not ada_lab.read_text().startswith(edit):
        time.sleep(0.05)
    assert ada_lab.read_text().startswith(edit + "\n"), ada_lab.read_text()[:200]
    games = served.games()
    assert len(games) == 1

    terminal.drop()  # mid-edit, no goodbye
    served.wait_no_games()
    assert not any(pid_alive(pid) for pid in games)
    terminal.close()

    terminal = connect(served, "ada")  # the same key again
    terminal.wait_for(edit)
    shown = terminal.wait_for("lab.py")  # the Lab part: the lab file's status line, the editor
    assert edit in shown and "def dot(u, v):" in shown
    state = Game(ada_home).store.load(ada_run.id)
    assert state.position == {"module": "vector-awakens", "part": "lab"}
    assert ada_lab.read_text().startswith(edit + "\n")
    terminal.keys("C-q")
    served.wait_no_games()


# --------------------------------------------------------------------------- asyncssh clients, in-process host


@pytest.fixture
async def hosts(tmp_path):
    """In-process hosts on random loopback ports; every one and every game it started stopped after."""
    started: list[ForgeHost] = []

    async def start(roster: list[str], protections=None, **options) -> ForgeHost:
        roster_path = tmp_path / f"roster-{len(started)}"
        roster_path.write_text("\n".join(roster) + "\n")
        opts = ServeOptions(data=tmp_path / "host", port=0, roster=roster_path, stop_grace=1.0, **options)
        host = ForgeHost(opts, protections=protections)
        await host.start()
        started.append(host)
        return host

    yield start
    for host in started:
        games = [s.game.pid for s in host.sessions if s.game and s.game.pid]
        await host.close()
        assert not any(pid_alive(pid) for pid in games)
    end = time.monotonic() + 5
    while time.monotonic() < end and any(pid_alive(pid) for pid in descendants(os.getpid())):
        await asyncio.sleep(0.05)
    assert [pid for pid in descendants(os.getpid()) if pid_alive(pid)] == []


def connect(host: ForgeHost, key):
    return asyncssh.connect("127.0.0.1", host.port, known_hosts=None, username="player", agent_path=None, client_keys=[key])


async def read_until(process, text: bytes, seen: bytearray, timeout: float = 20.0) -> bytes:
    end = time.monotonic() + timeout
    while text not in seen:
        left = end - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{text!r} never came; got {bytes(seen[-800:])!r}")
        try:
            chunk = await asyncio.wait_for(process.stdout.read(65536), left)
        except asyncio.TimeoutError:
            continue
        if not chunk:
            raise AssertionError(f"the session ended before {text!r}; got {bytes(seen[-800:])!r}")
        seen += chunk
    return bytes(seen)


async def drain(process, seen: bytearray, seconds: float) -> None:
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        try:
            chunk = await asyncio.wait_for(process.stdout.read(65536), left)
        except asyncio.TimeoutError:
            return
        if not chunk:
            return
        seen += chunk


def session_of(host: ForgeHost, name: str):
    [session] = [s for s in host.sessions if s.identity.id == name]
    return session


async def test_a_player_sees_and_reaches_only_their_own_runs(hosts, tmp_path):
    ada, bob = new_key(), new_key()
    data = tmp_path / "host"
    HostPaths(data).prepare()
    bob_home, bob_run, _ = seed_player(data, "bob", "bob-hidden-run", at_lab=False)
    ada_home, ada_run, _ = seed_player(data, "ada", "ada-own-run", at_lab=False)
    host = await hosts([roster_line(ada, "ada"), roster_line(bob, "bob")])
    async with connect(host, ada) as conn:
        # The client asks for bob's folder and labs on: the host keeps only its own settings.
        process = await conn.create_process(
            term_type="xterm-256color",
            term_size=(100, 30),
            encoding=None,
            env={"NEURALFORGE_HOME": str(bob_home), "NEURALFORGE_LABS": "1", "HOME": str(bob_home)},
        )
        seen = bytearray()
        await read_until(process, b"Foundations", seen)  # the map of ada's most recent run
        game = session_of(host, "ada").game.pid
        env = game_environ(game)
        assert env["NEURALFORGE_HOME"] == str(ada_home) == env["HOME"]
        assert env["NEURALFORGE_IDENTITY"] == "ada" and env["NEURALFORGE_LABS"] == "0"
        assert os.readlink(f"/proc/{game}/cwd") == str(ada_home)
        argv = [arg for arg in Path(f"/proc/{game}/cmdline").read_bytes().split(b"\0") if arg]
        assert argv[-2:] == [b"--run", ada_run.id.encode()]
        process.stdin.write(b"\x1b")  # escape: back to the start screen's list of runs
        listed = bytearray()
        await read_until(process, b"New run", listed)
        await drain(process, listed, 0.5)
        assert b"ada-own-run" in listed
        seen += listed
        assert b"bob-hidden-run" not in seen and bob_run.id.encode() not in seen
        # No shell and no command: the CLI's --run is out of reach over SSH.
        result = await conn.run(f"python -m forge_tui status --run {bob_run.id}", encoding=None)
        assert result.exit_status == 1 and result.stdout == b""
        assert b"interactive terminal" in result.stderr and b"bob-hidden-run" not in result.stderr
        process.stdin.write(b"\x11")
        await asyncio.wait_for(process.wait_closed(), 10)


def no_landlock_report() -> dict:
    """What the runner's probe says on a host without Landlock or a mount namespace."""
    return {"enabled": {"rlimits": True, "netns": True, "seccomp": True, "landlock": False, "cgroups": False, "uid": False}}


async def open_lab_session(host: ForgeHost, key):
    conn = await connect(host, key)
    process = await conn.create_process(term_type="xterm-256color", term_size=(100, 30), encoding=None)
    seen = bytearray()
    await read_until(process, b"lab.py", seen)  # resumed at module 1's Lab part
    await read_until(process, b"LAB-STARTED", seen)  # the lab's first line, in the editor
    return conn, process, seen


async def test_labs_refused_without_isolation_say_why_and_start_nothing(hosts, tmp_path, monkeypatch):
    from forge_tui import runner

    monkeypatch.setattr(runner, "probe_only", no_landlock_report)  # the host's runner: no Landlock
    ada, bob = new_key(), new_key()
    data = tmp_path / "host"
    HostPaths(data).prepare()
    ada_home, ada_run, ada_lab = seed_player(data, "ada", "ada-run")
    # A lab that prints one line (made at run time, so the editor never shows it) and stops.
    ada_lab.write_text('print("LAB-STARTED", "RAN" + "-" + "OK")\nraise SystemExit(0)\n' + ada_lab.read_text())
    lab_before = ada_lab.read_bytes()
    roster = [roster_line(ada, "ada"), roster_line(bob, "bob")]

    host = await hosts(roster, protections=True)
    assert host.protections["landlock"] is False and not host.policy.allowed
    assert "labs are OFF for this class" in host.banner() and "--allow-unisolated-labs" in host.banner()
    conn, process, seen = await open_lab_session(host, ada)
    async with conn:
        game = session_of(host, "ada").game.pid
        assert game_environ(game)["NEURALFORGE_LABS"] == "0"
        process.stdin.write(b"\x12")  # ctrl+r: run the lab
        await read_until(process, b"switched off", seen)
        process.stdin.write(b"\x02")  # ctrl+b: fight the boss
        await drain(process, seen, 1.5)
        shown = bytes(seen)
        assert shown.count(b"switched off") >= 2 and b"allow-unisolated-labs" in shown
        assert b"$ run" not in shown and b"RAN-OK" not in shown and b"Fighting" not in shown
        assert [pid for pid in descendants(game) if pid_alive(pid)] == []  # no sandbox, no lab
        process.stdin.write(b"\x11")
        await asyncio.wait_for(process.wait_closed(), 10)
    await host.close()
    assert ada_lab.read_bytes() == lab_before
    assert not Game(ada_home).store.load(ada_run.id).progress("vector-awakens").boss_defeated

    # The teacher's explicit flag: the same key press now runs the lab.
    allowed = await hosts(roster, protections=True, allow_unisolated_labs=True)
    assert allowed.policy.allowed and "--allow-unisolated-labs" in allowed.policy.reason
    conn, process, seen = await open_lab_session(allowed, ada)
    async with conn:
        game = session_of(allowed, "ada").game.pid
        assert game_environ(game)["NEURALFORGE_LABS"] == "1"
        process.stdin.write(b"\x12")
        await read_until(process, b"$ run lab.py", seen)
        await read_until(process, b"RAN-OK", seen, timeout=30)
        assert b"switched off" not in seen
        process.stdin.write(b"\x11")
        await asyncio.wait_for(process.wait_closed(), 10)


def test_a_game_on_a_host_that_refuses_labs_has_a_sandbox_that_starts_nothing(monkeypatch):
    from forge_tui.host.play import LabsOff, game_sandbox
    from forge_tui.runner import SandboxError

    monkeypatch.setenv("NEURALFORGE_LABS", "1")
    assert game_sandbox() is None  # the app starts the real runner when it needs one
    monkeypatch.setenv("NEURALFORGE_LABS", "0")
    sandbox = game_sandbox()
    assert isinstance(sandbox, LabsOff) and "--allow-unisolated-labs" in sandbox.describe()
    with pytest.raises(SandboxError, match="switched off"):
        asyncio.run(sandbox.run_cases(Path("lab.py"), [], workdir=Path(".")))
    with pytest.raises(SandboxError, match="switched off"):
        sandbox.run_python_sync(Path("lab.py"), workdir=Path("."))
