import os
import time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        print(f"DAEMON {os.readlink('/proc/self')}", flush=True)  # its pid outside the run's PID namespace
        os.close(1)
        os.close(2)
        time.sleep(120)
    os._exit(0)
time.sleep(0.3)


def add(a, b):
    return a - b
