"""The SSH host's parts that need no network: roster, fingerprints, limits, lab policy, the
game process on a PTY, per-identity folders and the teacher's table."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import stat
import subprocess
import sys
import time

import pytest

from conftest import REPO
from forge_tui.host import lab_policy
from forge_tui.host.identity import (
    HostPaths,
    Identity,
    RosterError,
    fingerprint,
    open_identity_id,
    parse_roster,
)


def make_key(tmp_path, name: str) -> tuple[str, str]:
    """(public key line, ssh-keygen's fingerprint) of a fresh ed25519 key."""
    path = tmp_path / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path)], check=True)
    shown = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", str(path)], capture_output=True, text=True, check=True)
    return (path.with_suffix(".pub")).read_text().strip(), shown.stdout.split()[1]


needs_keygen = pytest.mark.skipif(not os.path.exists("/usr/bin/ssh-keygen"), reason="openssh-client not installed")


@needs_keygen
def test_roster_fingerprints_match_ssh_keygen(tmp_path):
    ada, ada_fp = make_key(tmp_path, "ada")
    grace, grace_fp = make_key(tmp_path, "grace")
    kind, blob, _ = ada.split()
    text = f"# the class\n\n{kind} {blob} Ada\nrestrict {grace.split()[0]} {grace.split()[1]} grace teacher\n"
    roster = parse_roster(text)
    assert roster.names == ["ada", "grace"]
    import base64

    found = roster.lookup(base64.b64decode(blob))
    assert found == Identity(id="ada", name="ada", fingerprint=ada_fp, teacher=False)
    teacher = roster.lookup(base64.b64decode(grace.split()[1]))
    assert teacher.teacher and teacher.fingerprint == grace_fp
    assert roster.lookup(b"\x00\x00\x00\x0bssh-ed25519" + b"x" * 36) is None


@needs_keygen
@pytest.mark.parametrize(
    "line, complaint",
    [
        ("ssh-ed25519", "missing"),
        ("ssh-ed25519 !!notbase64!!", "base64"),
        ("not-a-key-line at all", "no public key type"),
        ("ssh-rsa {blob} ada", "does not match"),
        ("ssh-ed25519 {blob}", "name"),
        ("ssh-ed25519 {blob} ../../etc", "name"),
        ("ssh-ed25519 {blob} key-ada", "name"),
    ],
)
def test_bad_roster_lines_are_named(tmp_path, line, complaint):
    public, _ = make_key(tmp_path, "k")
    with pytest.raises(RosterError, match=complaint) as caught:
        parse_roster("# ok\n" + line.format(blob=public.split()[1]) + "\n", source="class.txt")
    assert "class.txt line 2" in str(caught.value)


@needs_keygen
def test_one_key_cannot_belong_to_two_players(tmp_path):
    public, _ = make_key(tmp_path, "k")
    kind, blob, _ = public.split()
    with pytest.raises(RosterError, match="already listed for 'ada'"):
        parse_roster(f"{kind} {blob} ada\n{kind} {blob} bob\n")


@needs_keygen
@pytest.mark.parametrize(
    "after_key, name, teacher",
    [
        ("", "alan", False),  # the .pub file as it is: user@host names the user
        ("turing", "turing", False),  # a name after the comment wins
        ("turing teacher", "turing", True),
        ("Turing TEACHER", "turing", True),
        ("teacher", "alan", True),  # the .pub file, then teacher
    ],
)
def test_a_pasted_pub_file_names_its_player(tmp_path, after_key, name, teacher):
    path = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "Alan@laptop", "-f", str(path)], check=True)
    pasted = path.with_suffix(".pub").read_text().strip()  # 'ssh-ed25519 AAAA… Alan@laptop'
    roster = parse_roster(f"{pasted} {after_key}\n".replace(" \n", "\n"))
    [entry] = roster.entries
    assert (entry.name, entry.teacher) == (name, teacher)


@needs_keygen
@pytest.mark.parametrize(
    "comment, complaint",
    [
        ("@laptop", "the comment '@laptop' gives the name ''"),
        ("jöhn@laptop", "the comment 'jöhn@laptop' gives the name 'jöhn'"),
        ("ada user@laptop", "the name 'user@laptop' must be"),  # several words: the last is the name
        ("key-1@laptop", "not 'key-'"),
        ("ada!", "the name 'ada!' must be"),
    ],
)
def test_a_bad_name_in_a_key_comment_says_which_line_and_why(tmp_path, comment, complaint):
    public, _ = make_key(tmp_path, "k")
    kind, blob, _ = public.split()
    with pytest.raises(RosterError) as caught:
        parse_roster(f"# the class\n\n{kind} {blob} {comment}\n", source="class.txt")
    message = str(caught.value)
    assert message.startswith("class.txt line 3: ") and complaint in message
    assert "the player's name is the last word of the line" in message


@needs_keygen
def test_a_name_from_user_at_host_is_not_shared_by_two_keys(tmp_path):
    first, second, third = (make_key(tmp_path, name)[0].split()[:2] for name in ("a", "b", "c"))
    line = lambda key, comment: f"{key[0]} {key[1]} {comment}"  # noqa: E731
    with pytest.raises(RosterError, match=r"class.txt line 2: the name 'pi' is on line 1 too, and line 2 takes it "
                                          r"from the comment 'pi@raspberrypi'"):
        parse_roster(f"{line(first, 'pi@raspberrypi')}\n{line(second, 'pi@raspberrypi')}\n", source="class.txt")
    with pytest.raises(RosterError, match="class.txt line 2: the name 'ada' is on line 1 too, and line 1 takes it"):
        parse_roster(f"{line(first, 'ada@laptop')}\n{line(second, 'ada')}\n", source="class.txt")
    # one player's two keys, both named at the end of the line; the same key twice
    roster = parse_roster(f"{line(first, 'pi@a ada')}\n{line(second, 'pi@b ada')}\n{line(third, 'pi@c')}\n"
                          f"{line(third, 'pi@c')}\n")
    assert roster.names == ["ada", "pi"]


def test_open_identities_and_player_folders(tmp_path):
    blob = b"\x00\x00\x00\x0bssh-ed25519" + bytes(range(36))
    ident = open_identity_id(blob)
    assert ident.startswith("key-") and len(ident) == 28
    paths = HostPaths(tmp_path / "host")
    paths.prepare()
    home = paths.ensure_player(Identity(ident, ident, fingerprint(blob)))
    assert home == tmp_path / "host" / "players" / ident
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE(paths.players_dir.stat().st_mode) == 0o700
    for bad in ("..", "../x", "a/b", "", "KEY-1", "key-zz"):
        with pytest.raises(ValueError):
            paths.player_home(bad)
    record = paths.known_identities()[ident]
    assert record["fingerprints"] == [fingerprint(blob)] and record["first_seen"] <= record["last_seen"]


def test_failure_limiter_locks_an_address_then_lets_it_go():
    from forge_tui.host.server import FailureLimiter

    now = [100.0]
    limiter = FailureLimiter(limit=3, window=10, lockout=60, clock=lambda: now[0])
    limiter.failed("10.0.0.1")
    now[0] += 20  # outside the window: the first failure is forgotten
    limiter.failed("10.0.0.1")
    limiter.failed("10.0.0.1")
    assert limiter.blocked("10.0.0.1") == 0
    limiter.failed("10.0.0.1")
    assert limiter.blocked("10.0.0.1") == pytest.approx(60)
    assert limiter.blocked("10.0.0.2") == 0
    now[0] += 61
    assert limiter.blocked("10.0.0.1") == 0


def test_lab_policy_needs_filesystem_isolation_for_a_class():
    confined = lab_policy({"rlimits": True, "landlock": "ABI 7", "cgroups": False}, multiple_identities=True)
    assert confined.allowed and confined.isolation == ("landlock",)
    bare = {"rlimits": True, "landlock": False, "mount_namespace": "unavailable: no userns"}
    refused = lab_policy(bare, multiple_identities=True)
    assert not refused.allowed and "--allow-unisolated-labs" in refused.reason
    assert lab_policy(bare, multiple_identities=True, allow_unisolated=True).allowed
    assert lab_policy(bare, multiple_identities=False).allowed
    assert not lab_policy(None, multiple_identities=True).allowed
    assert lab_policy({"mount_namespace": True}, multiple_identities=True).isolation == ("mount_namespace",)


def test_session_env_is_scrubbed_and_takes_only_listed_client_settings(tmp_path, monkeypatch):
    from forge_tui.host.session import session_env

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "hunter2")
    env = session_env(
        tmp_path,
        "xterm-truecolor",
        {"LD_PRELOAD": "/tmp/evil.so", "PYTHONPATH": "/tmp", "LANG": "fr_FR.UTF-8", "NEURALFORGE_HOME": "/"},
        labs_allowed=False,
        identity="ada",
    )
    assert "AWS_SECRET_ACCESS_KEY" not in env and "LD_PRELOAD" not in env
    assert env["NEURALFORGE_HOME"] == str(tmp_path) and env["HOME"] == str(tmp_path)
    assert env["PYTHONPATH"] == str(REPO) and env["LANG"] == "fr_FR.UTF-8"
    assert env["COLORTERM"] == "truecolor" and env["NEURALFORGE_LABS"] == "0"


@pytest.mark.parametrize(
    "term, given",
    [
        ("xterm-256color", "xterm-256color"),
        ("screen.xterm-256color", "screen.xterm-256color"),
        ("rxvt-unicode-256color", "rxvt-unicode-256color"),
        ("st+x", "st+x"),
        ("vt100", "vt100"),
        ("", "xterm-256color"),
        (None, "xterm-256color"),
        ("../../../tmp/evil", "xterm-256color"),
        ("/usr/share/terminfo/x/xterm", "xterm-256color"),
        ("xterm\n", "xterm-256color"),
        ("xterm\x1b]0;pwned\x07", "xterm-256color"),
        ("xterm; rm -rf ~", "xterm-256color"),
        ("-xterm", "xterm-256color"),
        ("x" * 65, "xterm-256color"),
        ("é-term", "xterm-256color"),
    ],
)
def test_the_clients_term_reaches_the_game_only_when_well_formed(tmp_path, term, given):
    from forge_tui.host.session import session_env

    assert session_env(tmp_path, term, {})["TERM"] == given


def test_a_player_cannot_name_another_players_run(tmp_path):
    """Every CLI path resolves runs inside the player's own folder only."""
    from forge_tui.host.session import session_env
    from forge_tui.saves import RunNotFound, Store

    paths = HostPaths(tmp_path / "host")
    paths.prepare()
    ada = paths.ensure_player(Identity("ada", "ada", "SHA256:a"))
    bob = paths.ensure_player(Identity("bob", "bob", "SHA256:b"))
    Store(ada).create_run("ada-secret", ["hacker", "artist"], "python")
    with pytest.raises(RunNotFound):
        Store(bob).resolve("ada-secret")
    env = session_env(bob, "xterm", {}, identity="bob")
    shown = subprocess.run(
        [sys.executable, "-m", "forge_tui", "status", "--run", "ada-secret"], env=env, cwd=bob, capture_output=True, text=True
    )
    assert shown.returncode == 2 and "no run" in shown.stderr.lower()
    shown = subprocess.run([sys.executable, "-m", "forge_tui", "runs"], env=env, cwd=bob, capture_output=True, text=True)
    assert "ada-secret" not in shown.stdout


async def test_game_process_on_a_pty_resizes_and_leaves_no_orphans(tmp_path):
    from forge_tui.host.session import GameProcess, pid_alive

    script = (
        "import os, signal, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], start_new_session=True)\n"
        "print('child', child.pid, flush=True)\n"
        "signal.signal(signal.SIGWINCH, lambda *a: print('size', *os.get_terminal_size(), flush=True))\n"
        "print('tty', os.isatty(0), 'size', *os.get_terminal_size(), flush=True)\n"
        "for line in sys.stdin: print('got', line.strip(), flush=True)\n"
    )
    out = bytearray()
    ended = asyncio.get_running_loop().create_future()
    game = GameProcess(
        [sys.executable, "-c", script],
        {"PATH": os.environ["PATH"]},
        (90, 30),
        out.extend,
        lambda status: ended.done() or ended.set_result(status),
    )
    await game.start()

    async def wait_for(text: bytes) -> None:
        for _ in range(200):
            if text in out:
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"{text!r} never came: {bytes(out)!r}")

    await wait_for(b"tty True size 90 30")
    game.resize(120, 40)
    await wait_for(b"size 120 40")
    game.write(b"hello\r")
    await wait_for(b"got hello")
    child = int(out.split(b"child ")[1].split()[0])
    assert pid_alive(child)
    started = time.monotonic()
    await game.stop(grace=1.0)
    assert time.monotonic() - started < 3
    assert not pid_alive(game.pid) and not pid_alive(child)  # the detached grandchild went too
    assert (await asyncio.wait_for(ended, 2)) != 0


def test_class_table_and_csv(tmp_path):
    from forge_tui.content import catalog
    from forge_tui.game import Game
    from forge_tui.host.classroom import class_rows, csv_text, render_table

    paths = HostPaths(tmp_path / "host")
    paths.prepare()
    ada = paths.ensure_player(Identity("ada", "ada", "SHA256:a"))
    paths.ensure_player(Identity("zed", "zed", "SHA256:z"))
    game = Game(ada)
    run = game.store.create_run("Ada L", ["hacker", "artist"], "python")
    first = game.catalog.modules[0]
    assert game.submit_gate(run, first, "8, 9").accepted  # judged by the real checker
    game.store.update(run.id, lambda s: setattr(s.progress(first.id), "boss_defeated", True))
    game.visit(game.store.load(run.id), game.catalog.modules[1], "math")
    rows = class_rows(paths.data)
    assert [(r.player, r.run, r.modules_forged, r.gates_passed, r.bosses_defeated) for r in rows] == [
        ("ada", "Ada L", 1, 1, 1),
        ("zed", "", 0, 0, 0),
    ]
    second = game.catalog.modules[1]
    assert rows[0].current_module == f"{second.number} {second.title}"
    assert rows[1].note == "no run yet"
    parsed = list(csv.DictReader(io.StringIO(csv_text(rows))))
    assert parsed[0]["player"] == "ada" and parsed[0]["gates_passed"] == "1" and parsed[0]["last_active"].startswith("20")
    table = render_table(rows, len(catalog().modules))
    assert "Ada L" in table and f"1/{len(catalog().modules)}" in table and "2 players" in table


def test_class_command_writes_csv(tmp_path, capsys):
    import argparse

    from forge_tui.commands import classroom

    paths = HostPaths(tmp_path / "host")
    paths.prepare()
    paths.ensure_player(Identity("ada", "ada", "SHA256:a"))
    parser = argparse.ArgumentParser()
    classroom.add_parser(parser.add_subparsers())
    out = tmp_path / "class.csv"
    args = parser.parse_args(["class", "--data", str(paths.data), "export", "--csv", str(out)])
    assert args.handler(args) == 0
    assert out.read_text().splitlines()[0] == "player,run,modules_forged,gates_passed,bosses_defeated,current_module,last_active,note"
    args = parser.parse_args(["class", "--data", str(tmp_path / "nowhere")])
    assert args.handler(args) == 2


def test_serve_is_not_on_the_start_up_path():
    code = (
        "import sys, forge_tui.cli, forge_tui.app, forge_tui.commands.serve, forge_tui.commands.classroom, forge_tui.host.play;"
        "print(sorted(m for m in sys.modules if m.startswith(('asyncssh', 'cryptography'))))"
    )
    shown = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "[]"
