"""A real MTA for delivery-report tests: Debian's Exim, run from its own configuration in a
temporary directory on a free loopback port, bouncing mail for unknown local users.

Exim here is "the customer's mail server": it accepts any recipient at ``customers.test``,
fails the unknown ones when it routes them (as any MTA that accepts first and checks later
does) and writes the RFC 3464 bounce to the envelope sender. Mail for every other domain —
that bounce, addressed to our account — is relayed to a plain aiosmtpd capture server, from
which the test takes it and puts it into the account's Dovecot mailbox.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session

from tests.servers.ports import free_port

HOST = "127.0.0.1"
LOCAL_DOMAIN = "customers.test"
START_TIMEOUT = 20.0
_POLL = 0.01


def exim_binary() -> str | None:
    for candidate in ("exim4", "exim"):
        found = shutil.which(candidate) or (
            f"/usr/sbin/{candidate}" if Path(f"/usr/sbin/{candidate}").exists() else None
        )
        if found:
            return found
    return None


@dataclass
class _Capture:
    """What the MTA relays onwards (its bounces); ``arrived`` is set on each message."""

    messages: list[Envelope] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:
        self.messages.append(envelope)
        self.arrived.set()
        return "250 OK"


@dataclass
class EximMta:
    host: str
    port: int
    root: Path
    capture: _Capture

    def log_tail(self, lines: int = 30) -> str:
        text = ""
        for name in ("mainlog", "paniclog", "rejectlog", "exim.stderr"):
            path = self.root / "log" / name
            if path.exists():
                text += f"--- {name}\n" + "\n".join(path.read_text().splitlines()[-lines:]) + "\n"
        return text

    def wait_for_relayed(self, count: int = 1, timeout: float = 30.0) -> list[Envelope]:
        """Block until ``count`` messages were relayed to the capture server (its bounces)."""
        deadline = time.monotonic() + timeout
        while len(self.capture.messages) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"the MTA relayed nothing within {timeout} s\n{self.log_tail()}"
                )
            self.capture.arrived.wait(remaining)
            self.capture.arrived.clear()
        return list(self.capture.messages)


def _config(root: Path, port: int, capture_port: int, transport_user: str) -> str:
    return f"""
primary_hostname = mta.{LOCAL_DOMAIN}
qualify_domain = {LOCAL_DOMAIN}
domainlist local_domains = {LOCAL_DOMAIN}
daemon_smtp_ports = {port}
local_interfaces = {HOST}
spool_directory = {root}/spool
log_file_path = {root}/log/%slog
pid_file_path = {root}/exim.pid
exim_user = root
exim_group = root
never_users =
trusted_users = root
host_lookup =
rfc1413_hosts =
rfc1413_query_timeout = 0s
tls_advertise_hosts =
keep_environment =
acl_smtp_rcpt = acl_check_rcpt

begin acl

acl_check_rcpt:
  # Accept first, check later: the failure becomes a bounce, not an SMTP refusal.
  accept

begin routers

unknown_local_user:
  driver = redirect
  domains = +local_domains
  allow_fail
  data = :fail: 550 5.1.1 <$local_part@$domain>: user unknown

elsewhere:
  driver = manualroute
  domains = ! +local_domains
  transport = to_capture
  route_list = * {HOST}
  self = send

begin transports

to_capture:
  driver = smtp
  port = {capture_port}
  hosts_avoid_tls = *
  allow_localhost
  # Exim never runs a transport as root.
  user = {transport_user}
"""


def _greets(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1.0) as s:
            return s.recv(64).startswith(b"220")
    except OSError:
        return False


def _transport_user() -> str:
    for name in ("Debian-exim", "exim", "mail", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("no unprivileged user for Exim's transport")


def start_exim(root: Path, binary: str) -> Iterator[EximMta]:
    """Yield a running Exim (and its capture server); both stopped afterwards."""
    capture = _Capture()
    controller = Controller(capture, hostname=HOST, port=free_port())
    controller.start()
    port = free_port()
    user = _transport_user()
    # Exim's transport runs unprivileged and opens files in the spool, so the path to it
    # must be open to that user (pytest's own temporary directories are not).
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    for parent in root.parents:
        if parent.stat().st_mode & 0o005 != 0o005:
            raise RuntimeError(f"{parent} is closed to other users; give Exim another root")
    (root / "spool").mkdir(exist_ok=True)
    shutil.chown(root / "spool", user)
    (root / "log").mkdir(exist_ok=True)
    config = root / "exim.conf"
    config.write_text(_config(root, port, controller.port, user))
    mta = EximMta(HOST, port, root, capture)
    with open(root / "log" / "exim.stderr", "ab") as err:
        proc = subprocess.Popen(
            # -bdf: the listening daemon in the foreground. Without -q there is no queue
            # runner: the process that received a message delivers it (and its bounce) at once.
            [binary, "-C", str(config), "-bdf"],
            stdin=subprocess.DEVNULL,
            stdout=err,
            stderr=err,
            start_new_session=True,  # stop() signals the daemon and its delivery children
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _greets(port):
            if proc.poll() is not None:
                raise RuntimeError(f"exim exited with {proc.returncode}\n{mta.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"exim did not become ready\n{mta.log_tail()}")
            time.sleep(_POLL)
        yield mta
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        controller.stop()
