"""The servers' port choice: distinct ports, each free when chosen."""

from __future__ import annotations

import socket

from tests.servers.ports import HOST, free_ports


def test_ports_chosen_together_are_distinct_and_free() -> None:
    ports = free_ports(64)
    assert len(set(ports)) == 64
    with socket.socket() as probe:
        probe.bind((HOST, ports[0]))  # nothing holds it any more
