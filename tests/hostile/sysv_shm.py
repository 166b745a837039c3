"""Reads a System V shared-memory segment of the player's, by its key and by its id, and wins
with what it finds there."""
import ctypes
import os

KEY = {KEY}
SHMID = {SHMID}
SHM_RDONLY = 0o10000

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p


def read_segment(shmid):
    address = libc.shmat(shmid, None, SHM_RDONLY)
    if address is None or address == ctypes.c_void_p(-1).value:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return ctypes.string_at(address, 32)


def add(a, b):
    for shmid in (libc.shmget(KEY, 0, 0), SHMID):
        try:
            print("STOLEN", read_segment(shmid), flush=True)
            return a + b
        except OSError as err:
            print("refused", err, flush=True)
    return None
