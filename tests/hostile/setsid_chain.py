"""A chain of processes: each link leaves its session (setsid), starts the next one and lingers,
while the lab keeps the fight waiting. No link is an orphan or in the lab's process group, and
every one holds the output pipe: one that outlived the run would keep the game waiting forever."""
import ctypes
import os
import time

ctypes.CDLL(None).prctl(15, b"{MARK}", 0, 0, 0)  # PR_SET_NAME: how the test finds every link


def chain(links):
    for _ in range(links):
        os.setsid()
        try:
            if os.fork() > 0:
                break
        except OSError:  # the process limit
            break
    time.sleep(600)


if os.fork() == 0:
    chain(40)


def add(a, b):
    time.sleep(600)
    return a + b
