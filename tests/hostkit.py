"""Shared pieces of the SSH hosting tests: keys, `neuralforge serve` in its own process, and
a real OpenSSH client in a detached tmux session."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO
from forge_tui.host.session import descendants, pid_alive

needs_openssh = pytest.mark.skipif(
    shutil.which("ssh") is None or shutil.which("tmux") is None or shutil.which("ssh-keygen") is None,
    reason="needs openssh-client and tmux (CI installs them)",
)

SERVE = (
    "import argparse, sys\n"
    "from forge_tui.commands import serve\n"
    "parser = argparse.ArgumentParser(); serve.add_parser(parser.add_subparsers())\n"
    "args = parser.parse_args(sys.argv[1:])\n"
    "raise SystemExit(args.handler(args))\n"
)


def _cmdline(pid: int) -> list[bytes]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return []


def is_launcher(pid: int) -> bool:
    """The host's session launcher (forge_tui/host/launcher.py), which lives as long as the server."""
    return b"forge_tui.host.launcher" in _cmdline(pid)


def new_key():
    import asyncssh

    return asyncssh.generate_private_key("ssh-ed25519")


def roster_line(key, name: str, *extra: str) -> str:
    kind, blob = key.export_public_key().decode().split()[:2]
    return " ".join([kind, blob, name, *extra])


def make_key(folder: Path, name: str) -> tuple[Path, str]:
    """An OpenSSH key file for the real client, and its roster line."""
    key = folder / f"{name}_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    kind, blob, _ = key.with_suffix(".pub").read_text().split()
    return key, f"{kind} {blob} {name}"


def ssh_command(port: int, key: Path) -> str:
    return (
        f"ssh -p {port} -i {key} -o IdentitiesOnly=yes -o StrictHostKeyChecking=no "
        f"-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -tt 127.0.0.1"
    )


class Served:
    """`neuralforge serve` in its own process on a random port; stop() leaves nothing behind."""

    def __init__(self, data: Path, roster: Path):
        env = dict(os.environ, PYTHONPATH=str(REPO), NEURALFORGE_ANIMATE="0")
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE, "serve", "--port", "0", "--roster", str(roster), "--data", str(data)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=REPO,
        )
        self.banner = ""
        while "Players type" not in self.banner:
            line = self.process.stdout.readline()
            if not line:
                self.stop()
                raise AssertionError(f"serve did not start: {self.banner}")
            self.banner += line
        self.port = int(re.search(r"listening on 127\.0\.0\.1:(\d+)", self.banner).group(1))

    def below(self) -> list[int]:
        """Every live process below the server but its session launcher: games and what they started."""
        return [pid for pid in descendants(self.process.pid) if pid_alive(pid) and not is_launcher(pid)]

    def games(self) -> list[int]:
        """The game processes (python -m forge_tui.host.play) below the server."""
        return [pid for pid in self.below() if b"forge_tui.host.play" in _cmdline(pid)]

    def launchers(self) -> list[int]:
        return [pid for pid in descendants(self.process.pid) if is_launcher(pid) and pid_alive(pid)]

    def wait_no_games(self, timeout: float = 10) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.below():
            time.sleep(0.1)
        assert self.below() == [], "a game (or a lab it started) outlived its session"

    def stop(self) -> None:
        below = descendants(self.process.pid)
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        leftovers = [pid for pid in below if pid_alive(pid)]
        for pid in leftovers:
            os.kill(pid, signal.SIGKILL)
        assert not leftovers, f"processes {leftovers} outlived the server"


class Terminal:
    """A command (an OpenSSH client) in a detached tmux session."""

    def __init__(self, command: str, width: int = 80, height: int = 24):
        self.name = f"nf-ssh-{os.getpid()}-{secrets.token_hex(3)}"
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), f"exec {command}"],
            check=True,
        )
        self.pid = int(subprocess.run(["tmux", "display", "-p", "-t", self.name, "#{pane_pid}"], capture_output=True, text=True).stdout)

    def keys(self, *keys: str, literal: bool = False) -> None:
        for key in keys:
            subprocess.run(["tmux", "send-keys", "-t", self.name, *(["-l"] if literal else []), key], check=True)
            time.sleep(0.25)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True).stdout

    def wait_for(self, text: str, timeout: float = 20) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")

    def press_until(self, key: str, text: str, tries: int = 4) -> str:
        """Press a key until the screen shows text (a key pressed while a screen mounts can be missed)."""
        for _ in range(tries):
            self.keys(key)
            try:
                return self.wait_for(text, timeout=5)
            except AssertionError:
                continue
        return self.wait_for(text, timeout=1)

    def type_answer(self, text: str, box: str = "▊  ") -> None:
        """Type into an answer box that has just been shown: its first character can arrive before
        the box has focus on a loaded machine (the part switch is a message handled after the key),
        so it is typed until the box shows it; then the rest."""
        for _ in range(3):
            self.keys(text[0], literal=True)
            try:
                self.wait_for(box + text[0], timeout=3)
                break
            except AssertionError:
                continue
        for char in text[1:]:
            self.keys(char, literal=True)

    def drop(self) -> None:
        """The link goes away without a goodbye: the ssh client is killed."""
        os.kill(self.pid, signal.SIGKILL)

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)
