"""Asks the player's tmux server, through its socket file, to run a command outside the sandbox;
wins only if the command ran (the real attack copied the boss's reference the same way)."""
import os
import subprocess

SOCKET = "{SOCKET}"
MARKER = "{MARKER}"


def add(a, b):
    asked = subprocess.run(["tmux", "-S", SOCKET, "run-shell", f"touch {MARKER}"],
                           capture_output=True, text=True, timeout=5)
    print("tmux said:", asked.returncode, asked.stderr.strip(), flush=True)
    if os.path.exists(MARKER):
        return a + b
    return None
