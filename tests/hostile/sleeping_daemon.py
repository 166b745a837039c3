"""A double-forked daemon that keeps the output pipe open and sleeps past the fight."""
import ctypes
import os
import time

ctypes.CDLL(None).prctl(15, b"{MARK}", 0, 0, 0)  # PR_SET_NAME: how the test finds it

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(600)
    os._exit(0)


def add(a, b):
    return a - b
