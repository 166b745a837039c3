"""Play the real game in tmux at 80x24 and 120x40, as a player would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed (CI installs it)")


class Tmux:
    def __init__(self, name: str, home, width: int, height: int):
        self.name = name
        command = f"cd {REPO} && NEURALFORGE_HOME={home} NEURALFORGE_ANIMATE=0 {sys.executable} -m forge_tui"
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), command], check=True
        )

    def keys(self, *keys: str) -> None:
        for key in keys:
            subprocess.run(["tmux", "send-keys", "-t", self.name, key], check=True)
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

    def press_until(self, key: str, text: str, before: str, tries: int = 20) -> str:
        """Press `key` until `text` shows. A key sent while a screen is still being mounted
        can land before its bindings exist, so it is pressed again, but only while the
        screen still shows `before` (the key has not taken effect yet)."""
        for _ in range(tries):
            self.keys(key)
            end = time.monotonic() + 2.0
            while time.monotonic() < end:
                shown = self.screen()
                if text in shown:
                    return shown
                time.sleep(0.2)
            if before not in self.screen():
                return self.wait_for(text)
        raise AssertionError(f"{text!r} never appeared after pressing {key!r}; the screen shows:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


@pytest.mark.parametrize("width, height", [(80, 24), (120, 40)])
def test_play_in_a_real_terminal(isolated_home, width, height):
    # Signup is covered key by key in test_tui.py; here the run comes from the CLI and the
    # real terminal shows what a player sees.
    subprocess.run(
        [sys.executable, "-m", "forge_tui", "new", "--name", "ada", "--flavors", "hacker,artist"],
        cwd=REPO,
        env={**os.environ, "NEURALFORGE_HOME": str(isolated_home)},
        check=True,
        capture_output=True,
    )
    tmux = Tmux(f"nf-test-{width}", isolated_home, width, height)
    try:
        tmux.wait_for("New run")
        shown = tmux.press_until("Enter", "Foundations", before="New run")
        assert "01 ○ open" in shown and "Modern LLMs" in shown
        tmux.press_until("Enter", "Hook", before="Foundations")
        tmux.press_until("5", "Forge Gate", before="Hook")
        # The first digit can arrive before the answer box has focus on a loaded machine (the
        # part switch is a message the app handles after the key): type it until it shows.
        tmux.press_until("8", "▊  8", before="Forge Gate", tries=3)
        for char in ", 9":
            tmux.keys(char)
        tmux.wait_for("8, 9")
        tmux.keys("Enter")
        shown = tmux.wait_for("is open")
        assert "✓" in shown
        tmux.keys("Escape")
        shown = tmux.wait_for("1/16 gates")
        assert "02 ○ open" in shown
    finally:
        tmux.close()
