"""Proves the PostgreSQL fixtures hand out isolated, writable databases."""

from __future__ import annotations

import socket
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, inspect, text

from tests.servers import postgres
from tests.servers.postgres import (
    create_database,
    database_name,
    drop_database,
    find_or_start_postgres,
    start_throwaway_postgres,
)

pytestmark = pytest.mark.pg


def _databases(admin_url: str) -> set[str]:
    with postgres.connect(admin_url) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


@pytest.mark.parametrize("round_", [1, 2])
def test_pg_url_is_empty_and_writable(pg_url: str, round_: int) -> None:
    # Run twice: the second round would hit "relation already exists" if databases were shared.
    assert pg_url.startswith("postgresql+psycopg://")
    assert database_name(pg_url).startswith("relaydesk_t_")
    engine = create_engine(pg_url)
    try:
        assert inspect(engine).get_table_names() == []
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE ticket (id serial PRIMARY KEY, subject text)"))
            conn.execute(text("INSERT INTO ticket (subject) VALUES ('Ärger mit Rechnung')"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT subject FROM ticket")).scalar_one() == (
                "Ärger mit Rechnung"
            )
            assert conn.execute(text("SHOW server_encoding")).scalar_one() == "UTF8"
    finally:
        engine.dispose()


def test_pg_session_db_is_usable(pg_session_db: str) -> None:
    engine = create_engine(pg_session_db)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_database()")).scalar_one() == (
                database_name(pg_session_db)
            )
    finally:
        engine.dispose()


def test_drop_database_despite_open_connections(pg_admin_url: str) -> None:
    url = create_database(pg_admin_url)
    name = database_name(url)
    assert name in _databases(pg_admin_url)
    leaked = create_engine(url)
    with leaked.connect() as conn:
        conn.execute(text("SELECT 1"))
        # The pool keeps this session open after the block, like a test that forgot dispose().
    drop_database(pg_admin_url, name)
    assert name not in _databases(pg_admin_url)
    leaked.dispose()


def test_env_url_wins_and_bad_env_url_fails(
    pg_admin_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(postgres.ENV_URL, pg_admin_url)
    assert find_or_start_postgres(tmp_path) == pg_admin_url
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    monkeypatch.setenv(postgres.ENV_URL, f"postgresql+psycopg://postgres@127.0.0.1:{dead_port}/x")
    with pytest.raises(pytest.fail.Exception, match=postgres.ENV_URL):
        find_or_start_postgres(tmp_path)


def test_unavailable_skips_locally_and_fails_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        postgres.unavailable("no server")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no server"):
        postgres.unavailable("no server")


@pytest.mark.slow
def test_throwaway_cluster_starts_serves_and_stops(tmp_path: Path) -> None:
    # tmp_path is inside pytest's 0700 directory, which also exercises the fallback that keeps
    # the cluster reachable for the postgres OS user.
    cluster = start_throwaway_postgres(tmp_path)
    try:
        assert cluster.port != 5432
        with postgres.connect(cluster.url) as conn:
            assert conn.execute("SELECT current_user").fetchone() == ("postgres",)
        url = create_database(cluster.url)
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE t (x int)"))
                conn.execute(text("INSERT INTO t VALUES (42)"))
                assert conn.execute(text("SELECT x FROM t")).scalar_one() == 42
        finally:
            engine.dispose()
        drop_database(cluster.url, database_name(url))
    finally:
        cluster.stop()
    assert not cluster.base.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(postgres.libpq_url(cluster.url), connect_timeout=2).close()
