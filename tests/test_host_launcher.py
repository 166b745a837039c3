"""Sessions forked from the pre-imported launcher (forge_tui/host/launcher.py): they play over a
real OpenSSH client, take the client's TERM/COLORTERM/ESCDELAY, inherit none of the launcher's
descriptors, die with their whole tree on a dropped link, and a killed launcher makes the host
exec sessions (and start a new launcher) without losing any session."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from pathlib import Path

import pytest

asyncssh = pytest.importorskip("asyncssh")

from forge_tui.host.launcher import refusal, supported  # noqa: E402
from forge_tui.host.server import ForgeHost, ServeOptions  # noqa: E402
from forge_tui.host.session import descendants, pid_alive  # noqa: E402
from test_host_labs import seed_player  # noqa: E402
from hostkit import Served, Terminal, is_launcher, needs_openssh, new_key, roster_line  # noqa: E402

pytestmark = pytest.mark.skipif(not supported(), reason="the launcher needs Linux pidfds")


def parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_bytes()
    return int(stat[stat.rfind(b")") + 2 :].split()[1])


def open_targets(pid: int) -> set[str]:
    found = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            found.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    return found


@pytest.fixture
async def hosts(tmp_path):
    started: list[ForgeHost] = []

    async def start(roster: list[str], **options) -> ForgeHost:
        roster_path = tmp_path / f"roster-{len(started)}"
        roster_path.write_text("\n".join(roster) + "\n")
        opts = ServeOptions(data=tmp_path / "host", port=0, roster=roster_path, stop_grace=1.0, launcher=True, **options)
        host = ForgeHost(opts, protections=None)
        await host.start()
        started.append(host)
        assert host.launcher is not None and host.launcher.alive
        return host

    yield start
    for host in started:
        await host.close()
    end = time.monotonic() + 5
    while time.monotonic() < end and any(pid_alive(pid) for pid in descendants(os.getpid())):
        await asyncio.sleep(0.05)
    assert [pid for pid in descendants(os.getpid()) if pid_alive(pid)] == []  # launcher included


def connect(host: ForgeHost, key, **kwargs):
    return asyncssh.connect("127.0.0.1", host.port, known_hosts=None, username="player", agent_path=None, client_keys=[key], **kwargs)


async def read_until(process, text: bytes, timeout: float = 20.0, seen: bytearray | None = None) -> bytes:
    seen = bytearray() if seen is None else seen
    end = time.monotonic() + timeout
    while text not in seen:
        left = end - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{text!r} never came; got {bytes(seen[-600:])!r}")
        try:
            chunk = await asyncio.wait_for(process.stdout.read(65536), left)
        except asyncio.TimeoutError:
            continue
        if not chunk:
            raise AssertionError(f"the session ended before {text!r}; got {bytes(seen[-600:])!r}")
        seen += chunk
    return bytes(seen)


async def drain(process, quiet: float = 0.5) -> None:
    while True:
        try:
            if not await asyncio.wait_for(process.stdout.read(65536), quiet):
                return
        except asyncio.TimeoutError:
            return


async def wait_until(condition, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


def the_game(host: ForgeHost, conn_count: int = 1):
    sessions = [s for s in host.sessions if s.game is not None and s.game.pid]
    assert len(sessions) == conn_count
    return sessions[-1].game


# --------------------------------------------------------------------------- the client's terminal


async def test_the_clients_term_colours_and_escdelay_reach_a_forked_game(hosts):
    ada = new_key()
    host = await hosts([roster_line(ada, "ada")])
    screens = {}
    for term, env in (("xterm", {}), ("xterm-256color", {}), ("xterm-256color", {"COLORTERM": "truecolor"})):
        async with connect(host, ada, env=env) as conn:
            process = await conn.create_process(term_type=term, term_size=(80, 24), encoding=None)
            screens[(term, bool(env))] = await read_until(process, b"New run")
            game = the_game(host)
            assert game.via == "launcher" and is_launcher(parent_of(game.pid))
            # nothing of the launcher's reached the game: its socket to the server, its pipes
            theirs = {t for t in open_targets(host.launcher.pid) if t.startswith(("socket:", "pipe:"))}
            assert theirs and not theirs & open_targets(game.pid)
            assert os.getsid(game.pid) == game.pid and os.getpgid(game.pid) == game.pid
        await wait_until(lambda: not host.sessions)
    # rich picks the colour system from TERM and COLORTERM, read in the forked child
    plain, eight_bit, truecolor = screens[("xterm", False)], screens[("xterm-256color", False)], screens[("xterm-256color", True)]
    assert b"38;5;" not in plain and b"38;2;" not in plain
    assert b"38;5;" in eight_bit and b"38;2;" not in eight_bit
    assert b"38;2;" in truecolor

    # ESCDELAY (read by textual.constants at import, in the launcher) is re-read per session: a
    # lone Esc is taken as the Escape key only after the client's delay.
    timings = {}
    for delay in ("25", "2500"):
        async with connect(host, ada, env={"ESCDELAY": delay}) as conn:
            process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None)
            await read_until(process, b"New run")
            assert the_game(host).via == "launcher"
            process.stdin.write(b"n")
            await read_until(process, b"Flavors")
            await drain(process)
            sent = time.monotonic()
            process.stdin.write(b"\x1b")  # back to the start screen and its list of runs
            await read_until(process, b"+ New run")
            timings[delay] = time.monotonic() - sent
        await wait_until(lambda: not host.sessions)
    assert timings["25"] < 1.5 and timings["2500"] >= 2.4, timings


def test_a_session_env_that_an_import_read_differently_is_refused():
    import_env = {"ESCDELAY": (None, ["textual.constants"]), "SOMETHING": ("a", ["some.module", "textual.constants"])}
    assert refusal(import_env, {"ESCDELAY": "10", "SOMETHING": "a"}) is None  # textual.constants is re-read
    why = refusal(import_env, {"SOMETHING": "b"})
    assert why and "SOMETHING" in why and "some.module" in why


# --------------------------------------------------------------------------- the end of a session


async def test_a_dropped_link_kills_the_forked_sessions_whole_tree(hosts):
    ada = new_key()
    host = await hosts([roster_line(ada, "ada")])
    seed_player(host.paths.data, "ada", "ada-run")  # resumes at module 1's lab
    conn = await connect(host, ada)
    process = await conn.create_process(term_type="xterm-256color", term_size=(120, 40), encoding=None)
    await read_until(process, b"Module 1 lab")
    game = the_game(host)
    assert game.via == "launcher"
    process.stdin.write(b"\x12")  # ctrl+r: run the lab, which starts the sandbox's processes
    assert await wait_until(lambda: any(pid_alive(p) for p in descendants(game.pid)), 15), "the lab started nothing"
    tree = [game.pid] + descendants(game.pid)
    launcher = host.launcher.pid
    conn.abort()  # no goodbye
    assert await wait_until(lambda: not any(pid_alive(pid) for pid in tree) and not host.sessions, 10)
    assert pid_alive(launcher) and host.launcher.alive  # the launcher serves on
    assert [pid for pid in descendants(launcher) if pid_alive(pid)] == []


async def test_a_killed_launcher_falls_back_to_exec_and_loses_no_session(hosts, caplog):
    caplog.set_level(logging.WARNING, logger="forge_tui.host")
    ada = new_key()
    host = await hosts([roster_line(ada, "ada")])
    first = await connect(host, ada)
    playing = await first.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None)
    await read_until(playing, b"New run")
    forked = the_game(host)
    assert forked.via == "launcher"
    old = host.launcher
    os.kill(old.pid, signal.SIGKILL)
    assert await wait_until(lambda: not old.alive, 5)
    assert any("launcher" in r.getMessage() and "lost" in r.getMessage() for r in caplog.records)

    # the session forked before the crash plays on
    playing.stdin.write(b"n")
    await read_until(playing, b"Flavors")

    # a new session starts by exec, and plays
    async with connect(host, ada) as conn:
        process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None)
        await read_until(process, b"New run")
        execd = next(s.game for s in host.sessions if s.game is not forked)
        assert execd.via == "exec" and parent_of(execd.pid) == os.getpid()
        process.stdin.write(b"n")
        await read_until(process, b"Flavors")
    # meanwhile a new launcher was started, and the next session is forked again
    assert await wait_until(lambda: host.launcher is not old and host.launcher is not None and host.launcher.alive, 15)
    async with connect(host, ada) as conn:
        process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None)
        await read_until(process, b"New run")
        again = next(s.game for s in host.sessions if s.game not in (forked,))
        assert again.via == "launcher" and parent_of(again.pid) == host.launcher.pid

    # the orphaned first session still ends cleanly: ctrl+q, its end seen through its pidfd
    playing.stdin.write(b"\x1b")
    await read_until(playing, b"New run")
    playing.stdin.write(b"\x11")
    await asyncio.wait_for(playing.wait_closed(), 10)
    assert await wait_until(lambda: not pid_alive(forked.pid) and not host.sessions, 10)
    first.close()


# --------------------------------------------------------------------------- a real OpenSSH client


@needs_openssh
def test_a_forked_session_plays_over_openssh_and_resumes(tmp_path):
    import subprocess

    key = tmp_path / "ada_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ada", "-f", str(key)], check=True)
    kind, blob, _ = key.with_suffix(".pub").read_text().split()
    roster = tmp_path / "roster"
    roster.write_text(f"{kind} {blob} ada\n")
    served = Served(tmp_path / "host", roster)
    ssh = (
        f"ssh -p {served.port} -i {key} -o IdentitiesOnly=yes -o StrictHostKeyChecking=no "
        f"-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -tt 127.0.0.1"
    )
    terminal = None
    try:
        [launcher] = served.launchers()
        terminal = Terminal(ssh)
        terminal.wait_for("New run")
        [game] = served.below()
        assert parent_of(game) == launcher  # forked, not exec'd
        terminal.keys("n")
        terminal.wait_for("Flavors")
        terminal.keys("a", "d", "a", "Enter", "Space", "Down", "Down", "Down", "Space", "C-s")
        assert "01 ○ open" in terminal.wait_for("Foundations")
        terminal.keys("Enter")
        terminal.wait_for("Hook")
        terminal.press_until("5", "Forge Gate")
        terminal.type_answer("8, 9")
        terminal.keys("Enter")
        assert "✓" in terminal.wait_for("is open")

        os.kill(terminal.pid, signal.SIGKILL)  # the link drops
        end = time.monotonic() + 10
        while time.monotonic() < end and served.below():
            time.sleep(0.1)
        assert served.below() == [] and not pid_alive(game)
        assert served.launchers() == [launcher]
        terminal.close()

        terminal = Terminal(ssh)
        shown = terminal.wait_for("Forge Gate")
        assert "The Vector Awakens" in shown
        # The game resumes in the answer box: Escape leaves the box, a second one goes to the map.
        shown = terminal.press_until("Escape", "1/16 gates", tries=3)
        assert "02 ○ open" in shown and "01 ◐ passed" in shown
        terminal.keys("C-q")
        end = time.monotonic() + 10
        while time.monotonic() < end and served.below():
            time.sleep(0.1)
        assert served.below() == []
    finally:
        if terminal is not None:
            terminal.close()
        served.stop()  # every process below the server, the launcher included, is gone
