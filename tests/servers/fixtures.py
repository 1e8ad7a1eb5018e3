"""Pytest fixtures for real-server tests: Dovecot IMAP users and PostgreSQL databases."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests.servers.dovecot import DovecotServer, ImapUser
from tests.servers.postgres import (
    create_database,
    database_name,
    drop_database,
    find_or_start_postgres,
    stop_throwaway_clusters,
)
from tests.servers.smtp import SmtpServer, start_smtp

__all__ = [
    "ImapUser",
    "dovecot",
    "dovecot_factory",
    "imap_user",
    "pg_admin_url",
    "pg_session_db",
    "pg_url",
    "smtp_server",
    "smtps_server",
    "trust_test_certificate",
]

DovecotFactory = Callable[..., DovecotServer]


def _dovecot_unavailable(reason: str) -> NoReturn:
    # Same policy as PostgreSQL: a missing server must not silently hide tests on CI.
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Dovecot unavailable on CI: {reason}", pytrace=False)
    pytest.skip(f"Dovecot unavailable: {reason}")


def _require_dovecot() -> None:
    if not (shutil.which("dovecot") or Path("/usr/sbin/dovecot").exists()):
        _dovecot_unavailable("no dovecot binary (apt-get install dovecot-imapd)")
    if not shutil.which("openssl"):
        _dovecot_unavailable("no openssl binary to make the test certificate")


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """The shared server (CONDSTORE on). Use `imap_user` for an isolated mailbox on it."""
    _require_dovecot()
    server = DovecotServer()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def dovecot_factory() -> Iterator[DovecotFactory]:
    """`factory(**DovecotServer kwargs)` -> a started private server, closed after the test."""
    _require_dovecot()
    servers: list[DovecotServer] = []

    def factory(**kwargs: Any) -> DovecotServer:
        server = DovecotServer(**kwargs)
        servers.append(server)
        server.start()
        return server

    yield factory
    for server in servers:
        server.close()


@pytest.fixture
def imap_user(dovecot: DovecotServer) -> ImapUser:
    """A new user with an empty INBOX (created on first login) on the session server."""
    name = f"agent-{secrets.token_hex(5)}@example.test"
    password = secrets.token_urlsafe(12)
    dovecot.add_user(name, password)
    return ImapUser(name, password, dovecot)


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Admin URL of a reachable PostgreSQL (see `find_or_start_postgres` for the order).

    Under pytest-xdist only the first worker takes that order; every other worker starts a
    cluster of its own. A pull reads below the oldest transaction of the whole cluster, so
    on one server each worker's open transactions held the other's pulls back (a test that
    pulled once found an applied operation not yet there)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    url = find_or_start_postgres(tmp_path_factory.mktemp("pg"), force_throwaway=worker != "gw0")
    yield url
    stop_throwaway_clusters()


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh, empty database for this test; dropped afterwards even if connections leak."""
    url = create_database(pg_admin_url)
    yield url
    drop_database(pg_admin_url, database_name(url))


@pytest.fixture(scope="session")
def pg_session_db(pg_admin_url: str) -> Iterator[str]:
    """One database shared by the whole session, for tests that clean up after themselves."""
    url = create_database(pg_admin_url)
    yield url
    drop_database(pg_admin_url, database_name(url))


@pytest.fixture
def smtp_server(dovecot: DovecotServer) -> Iterator[SmtpServer]:
    """aiosmtpd with STARTTLS (the test certificate) and AUTH for user smtp@example.test."""
    root = dovecot.cert_path.parent
    yield from start_smtp(dovecot.cert_path, root / "key.pem", {"smtp@example.test": "smtp-pw"})


@pytest.fixture
def smtps_server(dovecot: DovecotServer) -> Iterator[SmtpServer]:
    """The same with TLS from the first byte (port 465 style)."""
    root = dovecot.cert_path.parent
    yield from start_smtp(
        dovecot.cert_path, root / "key.pem", {"smtp@example.test": "smtp-pw"}, implicit_tls=True
    )


@pytest.fixture
def trust_test_certificate(dovecot: DovecotServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app uses the platform trust store; SSL_CERT_FILE points it at the test CA."""
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.cert_path))
