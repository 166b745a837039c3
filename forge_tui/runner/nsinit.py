"""A run's own PID namespace: the runner's init (its PID 1) and the relay that answers for it.

The zygote's child unshares CLONE_NEWPID (with user, network and IPC namespaces) and calls
`relay(player)`:

    zygote
      └── relay    the pid the game knows, outside the namespace; it runs no player code
            └── init      PID 1 of the namespace: runner code already in memory; it forks the
                  │       player's process, reaps every orphan, and leaves when that process does
                  └── player    applies the layers to itself and runs the lab (never PID 1:
                                 init ignores the signals it has no handler for)

When init exits, the kernel kills every process left in the namespace, wherever it hid (its own
session, a double fork), before the relay's wait for init returns. The relay then leaves exactly
as the player's process left (the same exit code or the same signal), and the rusage the zygote
collects includes the whole tree's, so exit status, CPU seconds and the CPU, memory, output and
time-out outcomes read as they did without the namespace. A kill of the relay's process group
(the game's wall timer, a cancelled run) takes init, and the namespace with it; init also has a
parent-death signal for the relay.

Self-contained (standard library only): the zygote loads this file by path.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import resource
import signal
import struct
from typing import Callable, NoReturn

_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
STDIO = (0, 1, 2, 3)  # stdin, stdout, stderr, the result channel: the player's tree holds them


def relay(player: Callable[[], NoReturn]) -> NoReturn:
    """Fork the namespace's init (which forks `player`), wait for it, and leave the way the
    player's process left. Call right after unshare(CLONE_NEWPID), single-threaded."""
    report_r, report_w = (_above_stdio(fd) for fd in os.pipe2(os.O_CLOEXEC))
    init = os.fork()
    if init == 0:
        os.close(report_r)
        _init(player, report_w)
    os.close(report_w)
    _close(STDIO)
    _leave_like(_player_status(report_r, init))


def _init(player: Callable[[], NoReturn], report_w: int) -> NoReturn:
    """PID 1: fork the player's process, reap every child, and when the player's process has
    ended, write its wait status to `report_w` and exit (the kernel then empties the namespace)."""
    code = 71  # the relay reports this if init fails before the player's process ran
    try:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # as PID 1, a default signal is ignored
        player_pid = os.fork()
        if player_pid == 0:
            try:
                os.close(report_w)
                player()
            finally:
                os._exit(70)
        _close(STDIO)
        status = _reap_until(player_pid)
        os.write(report_w, struct.pack("=i", status))
        code = 0
    finally:
        os._exit(code)


def _reap_until(player_pid: int) -> int:
    """Reap children (orphans come to PID 1) until the player's process ends; its wait status."""
    while True:
        pid, status = os.waitpid(-1, 0)
        if pid == player_pid:
            return status


def _player_status(report_r: int, init: int) -> int:
    """The player's wait status as init reported it, once init (and so every process of the
    namespace) is gone; init's own status if it died before it could report (killed)."""
    data = b""
    while chunk := os.read(report_r, 4):
        data += chunk
    os.close(report_r)
    _, init_status = os.waitpid(init, 0)
    return struct.unpack("=i", data)[0] if len(data) == 4 else init_status


def _leave_like(status: int) -> NoReturn:
    """Exit with the same code, or die of the same signal (without a core dump)."""
    if os.WIFEXITED(status):
        os._exit(os.WEXITSTATUS(status))
    sig = os.WTERMSIG(status)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    if sig != signal.SIGKILL:
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {sig})
    os.kill(os.getpid(), sig)
    os.kill(os.getpid(), signal.SIGKILL)  # not reached: the signal ended this process
    os._exit(1)


def _above_stdio(fd: int) -> int:
    """The same pipe end on a descriptor that closing STDIO leaves alone."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


def _close(fds) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass
