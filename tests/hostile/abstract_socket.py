"""Connects to an abstract Unix socket of the player's (a session bus, an agent) and asks it
for the answer; wins only if the service outside the sandbox answered."""
import socket

NAME = "{NAME}"


def add(a, b):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as service:
        service.settimeout(2)
        service.connect("\0" + NAME)
        service.sendall(b"answer please\n")
        if service.recv(16) == b"granted":
            return a + b
    return None
