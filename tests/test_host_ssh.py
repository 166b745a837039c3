"""`neuralforge serve` over real SSH: asyncssh clients for the refusals and limits, and a real
OpenSSH client in tmux for a player's whole visit (sign up, a gate, a dropped link, resume)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import stat
import subprocess
import time

import pytest

asyncssh = pytest.importorskip("asyncssh")

from forge_tui.host.identity import RosterError  # noqa: E402
from forge_tui.host.server import ForgeHost, ServeOptions  # noqa: E402
from forge_tui.host.session import descendants, pid_alive  # noqa: E402
from hostkit import Served, Terminal, needs_openssh, new_key, roster_line  # noqa: E402


@pytest.fixture
async def hosts(tmp_path):
    """Start hosts on random loopback ports; every one (and every game it started) is stopped after."""
    started: list[ForgeHost] = []

    async def start(roster: list[str] | None = None, **options) -> ForgeHost:
        roster_path = None
        if roster is not None:
            roster_path = tmp_path / f"roster-{len(started)}"
            roster_path.write_text("\n".join(roster) + "\n")
        opts = ServeOptions(data=tmp_path / "host", port=0, roster=roster_path, open_mode=roster is None, stop_grace=1.0, **options)
        host = ForgeHost(opts, protections=None)
        await host.start()
        started.append(host)
        return host

    yield start
    for host in started:
        games = [s.game.pid for s in host.sessions if s.game and s.game.pid]
        await host.close()
        assert not any(pid_alive(pid) for pid in games)
    assert [pid for pid in descendants(os.getpid()) if pid_alive(pid)] == []  # no orphans of any game


def connect(host: ForgeHost, key=None, **kwargs):
    options = dict(known_hosts=None, username="player", agent_path=None, client_keys=[key] if key else None)
    options.update(kwargs)
    return asyncssh.connect("127.0.0.1", host.port, **options)


async def read_until(process, text: bytes, timeout: float = 20.0) -> bytes:
    seen = bytearray()
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


async def game_session(conn):
    return await conn.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None)


# --------------------------------------------------------------------------- refusals


async def test_unknown_key_is_refused_in_roster_mode(hosts):
    ada, eve = new_key(), new_key()
    host = await hosts([roster_line(ada, "ada")])
    with pytest.raises(asyncssh.PermissionDenied):
        async with connect(host, eve):
            pass
    assert not (host.paths.players_dir / "ada").exists()
    async with connect(host, ada) as conn:  # the listed key is admitted
        assert conn is not None


async def test_a_roster_of_pasted_pub_files_starts_and_admits_its_players(hosts):
    alan, grace = new_key(), new_key()
    alan.set_comment("alan@laptop")
    grace.set_comment("grace@lab-pc")
    pasted = [key.export_public_key().decode().strip() for key in (alan, grace)]  # as the .pub files read
    host = await hosts([pasted[0], pasted[1] + " hopper teacher"])
    assert host.roster.names == ["alan", "hopper"]
    assert host.roster.lookup(grace.public_data).teacher
    async with connect(host, alan) as conn:
        assert conn is not None


async def test_serve_refuses_a_roster_naming_the_bad_line(hosts):
    alan = new_key()
    alan.set_comment("alan@laptop")
    with pytest.raises(RosterError, match=r"line 2: the comment '@laptop' gives the name ''"):
        await hosts(["# the class", alan.export_public_key().decode().strip().replace("alan@", "@")])


async def test_password_and_keyboard_interactive_logins_are_refused(hosts):
    ada = new_key()
    host = await hosts([roster_line(ada, "ada")])
    with pytest.raises(asyncssh.PermissionDenied):
        async with connect(host, None, password="ada", preferred_auth="password"):
            pass
    with pytest.raises(asyncssh.PermissionDenied):
        async with connect(host, None, password="ada", preferred_auth="keyboard-interactive"):
            pass


async def test_exec_request_gets_nothing_but_a_message(hosts):
    ada = new_key()
    host = await hosts([roster_line(ada, "ada")])
    async with connect(host, ada) as conn:
        result = await conn.run("cat /etc/passwd", encoding=None)
        assert result.exit_status == 1
        assert result.stdout == b""
        assert b"interactive terminal" in result.stderr and b"root:" not in result.stderr
        shell = await conn.run(encoding=None)  # a shell without a PTY is refused the same way
        assert shell.exit_status == 1 and b"interactive terminal" in shell.stderr
    assert host.sessions == set()


async def test_sftp_scp_and_forwarding_are_refused(hosts):
    ada = new_key()
    host = await hosts([roster_line(ada, "ada")])
    async with connect(host, ada) as conn:
        with pytest.raises((asyncssh.Error, OSError)):
            async with conn.start_sftp_client() as sftp:
                await sftp.listdir("/")
        with pytest.raises(asyncssh.ChannelOpenError, match="no port forwarding"):
            await conn.open_connection("127.0.0.1", host.port)
        with pytest.raises(asyncssh.ChannelListenError):
            await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", 22)
        scp = await conn.run("scp -f /etc/passwd", encoding=None)
        assert scp.exit_status == 1 and b"root:" not in scp.stdout


async def test_failed_logins_lock_the_address_out(hosts):
    ada, eve = new_key(), new_key()
    host = await hosts([roster_line(ada, "ada")], failure_limit=3, lockout=60)
    for _ in range(2):
        with pytest.raises(asyncssh.PermissionDenied):
            async with connect(host, eve):
                pass
    with pytest.raises(asyncssh.PermissionDenied):  # now even the listed key waits out the lockout
        async with connect(host, ada):
            pass
    assert host.limiter.blocked("127.0.0.1") > 0


# --------------------------------------------------------------------------- sessions


async def test_open_mode_makes_a_player_per_key_and_keeps_the_host_key(hosts, tmp_path):
    one, two = new_key(), new_key()
    host = await hosts(None)
    key_file = host.paths.host_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    for key in (one, two):
        async with connect(host, key) as conn:
            process = await game_session(conn)
            await read_until(process, b"New run")
            process.stdin.write(b"\x11")  # ctrl+q: the game quits, the session ends with it
            await asyncio.wait_for(process.wait_closed(), 10)
            assert process.exit_status == 0
    folders = sorted(p.name for p in host.paths.players_dir.iterdir())
    assert len(folders) == 2 and all(re.fullmatch(r"key-[0-9a-f]{24}", f) for f in folders)
    first = host.fingerprint
    await host.close()
    again = await hosts(None)
    assert again.fingerprint == first and not again.key_created


async def test_session_limits_end_with_a_message(hosts):
    ada, bob = new_key(), new_key()
    host = await hosts([roster_line(ada, "ada"), roster_line(bob, "bob")], per_identity=1, max_sessions=2)
    async with connect(host, ada) as first, connect(host, ada) as second, connect(host, bob) as third:
        playing = await game_session(first)
        await read_until(playing, b"New run")
        refused = await game_session(second)
        shown = await read_until(refused, b"Close one")
        assert b"already have 1 sessions" in shown
        await asyncio.wait_for(refused.wait_closed(), 5)
        assert refused.exit_status == 1
        bobs = await game_session(third)
        await read_until(bobs, b"New run")
        async with connect(host, bob) as fourth:
            full = await game_session(fourth)  # the host's limit is checked first
            assert b"The host is full (2 sessions)" in await read_until(full, b"Try again")
        assert len(host.sessions) == 2


async def test_host_full_is_said(hosts):
    ada, bob = new_key(), new_key()
    host = await hosts([roster_line(ada, "ada"), roster_line(bob, "bob")], max_sessions=1)
    async with connect(host, ada) as first, connect(host, bob) as second:
        await read_until(await game_session(first), b"New run")
        shown = await read_until(await game_session(second), b"Try again")
        assert b"The host is full (1 sessions)" in shown


async def test_idle_session_is_warned_then_ended(hosts):
    ada = new_key()
    host = await hosts([roster_line(ada, "ada")], idle_timeout=4.0, idle_warning=2.0)
    async with connect(host, ada) as conn:
        process = await game_session(conn)
        await read_until(process, b"New run")
        game = next(iter(host.sessions)).game
        shown = await read_until(process, b"Session ended after", timeout=15)
        assert b"unless you press a key" in shown and b"progress is saved" in shown
        await asyncio.wait_for(process.wait_closed(), 5)
        assert process.exit_status == 1
    assert not pid_alive(game.pid) and host.sessions == set()


async def test_teacher_key_sees_the_class_table(hosts):
    from forge_tui.host.identity import HostPaths, Identity
    from forge_tui.saves import Store

    ada, grace = new_key(), new_key()
    host = await hosts([roster_line(ada, "ada"), roster_line(grace, "grace", "teacher")])
    home = HostPaths(host.paths.data).ensure_player(Identity("ada", "ada", "SHA256:x"))
    Store(home).create_run("Lovelace", ["hacker", "artist"], "python")
    async with connect(host, grace) as conn:
        process = await game_session(conn)
        shown = await read_until(process, b"Lovelace")
        assert b"The class" in shown


async def test_dropped_link_stops_the_game(hosts):
    ada = new_key()
    host = await hosts([roster_line(ada, "ada")])
    conn = await connect(host, ada)
    process = await game_session(conn)
    await read_until(process, b"New run")
    game = next(iter(host.sessions)).game
    conn.abort()  # the link goes away without a goodbye
    for _ in range(100):
        if not pid_alive(game.pid) and not host.sessions:
            break
        await asyncio.sleep(0.05)
    assert not pid_alive(game.pid) and host.sessions == set()


# --------------------------------------------------------------------------- a real OpenSSH client


@needs_openssh
def test_a_class_day_over_openssh(tmp_path):
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
        # An exec request gets only the refusal, from a real OpenSSH client too.
        refused = subprocess.run(ssh.replace("-tt ", "") + " cat /etc/passwd", shell=True, capture_output=True, text=True, timeout=20)
        assert refused.returncode == 1 and refused.stdout == "" and "interactive terminal" in refused.stderr

        terminal = Terminal(ssh)
        terminal.wait_for("New run")
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

        # The window changes size: the game redraws at the new size at once.
        subprocess.run(["tmux", "resize-window", "-t", terminal.name, "-x", "100", "-y", "30"], check=True)
        end = time.monotonic() + 10
        while time.monotonic() < end and not terminal.screen().splitlines()[-1:][0].rstrip().endswith("palette"):
            time.sleep(0.2)
        lines = terminal.screen().splitlines()
        assert len(lines) == 30 and len(lines[-1].rstrip()) > 90, lines[-1]

        # The link drops (the client is killed, no goodbye): the game and everything under it ends.
        games = served.below()
        assert games, "a game process runs for the session"
        os.kill(terminal.pid, signal.SIGKILL)
        end = time.monotonic() + 10
        while time.monotonic() < end and served.below():
            time.sleep(0.1)
        assert served.below() == [] and not any(pid_alive(pid) for pid in games)
        terminal.close()

        # Reconnect with the same key: back at the gate of module 01, with the progress kept.
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
        served.stop()
