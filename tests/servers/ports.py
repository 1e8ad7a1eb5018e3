"""Free loopback ports for the servers the tests start."""

from __future__ import annotations

import contextlib
import socket

HOST = "127.0.0.1"


def free_ports(count: int, host: str = HOST) -> list[int]:
    """``count`` distinct ports that nothing listens on now.

    All are bound at once: the kernel may hand out a port again as soon as the socket that
    had it closes, and a Dovecot given one port twice refused to start ("duplicate
    listener"). Another process (a second test worker) may still take a port before the
    server binds it; DovecotServer picks new ones when its first start fails so.
    """
    with contextlib.ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind((host, 0))
        return [int(probe.getsockname()[1]) for probe in probes]


def free_port(host: str = HOST) -> int:
    return free_ports(1, host)[0]
