"""Migration 0010 on a real central database at 0009 with mail in it: agents' roles may store
files in the blob table under their SHA-256 (a reply's attachments), and change none."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app.services.db_roles import grant_agent
from app.services.sync import CentralConfig
from storage.blobs import SqlBlobStore, digest
from storage.engine import Store
from storage.migrate import current_revision, downgrade, upgrade
from tests.app.workflow import make_world
from tests.servers.central import CentralCluster
from tests.servers.postgres import libpq_url

pytestmark = pytest.mark.pg

ROLE = "rd_alice_blobs"


def _connect(url: str, role: str) -> psycopg.Connection[Any]:
    as_role = make_url(url).set(username=role).render_as_string(hide_password=False)
    return psycopg.connect(libpq_url(as_role), autocommit=True)


def _denied(conn: psycopg.Connection[Any], query: str, params: Any = None) -> str:
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
        conn.execute(query, params)
    return str(caught.value)


INSERT = "INSERT INTO blobs (hash, size, data) VALUES (%s, %s, %s)"


def test_agents_insert_content_addressed_blobs_from_0010_and_never_change_them(
    cluster: CentralCluster,
) -> None:
    url = cluster.empty_database()
    store = Store(url)
    try:
        upgrade(store.engine, "0009")
        world = make_world(store)
        world.interaction()
        old = SqlBlobStore(store.engine).put(b"mail stored before 0010")
        grant_agent(CentralConfig(url, "test"), "alice", ROLE)
        attachment = b"%PDF-1.4 an invoice attached on alice's desk"
        key = digest(attachment)
        with _connect(url, ROLE) as conn:
            assert "permission denied" in _denied(conn, INSERT, (key, len(attachment), attachment))

        upgrade(store.engine, "0010")
        assert current_revision(store.engine) == "0010"
        assert SqlBlobStore(store.engine).get(old) == b"mail stored before 0010", "kept"
        with _connect(url, ROLE) as conn:
            conn.execute(INSERT, (key, len(attachment), attachment))
            # Again (a desk retrying after a cut): nothing happens, nothing fails.
            conn.execute(INSERT + " ON CONFLICT DO NOTHING", (key, len(attachment), attachment))
            # A false key or size would poison mail yet to come with that hash.
            forged = b"not the invoice"
            assert "row-level security" in _denied(conn, INSERT, (key[::-1], 15, forged))
            assert "row-level security" in _denied(conn, INSERT, (digest(forged), 3, forged))
            _denied(conn, "UPDATE blobs SET data = 'tampered'::bytea")
            _denied(conn, "DELETE FROM blobs")
            # Reading stays 0009's: a file no mail she sees refers to is not hers to read.
            assert conn.execute("SELECT count(*) FROM blobs").fetchone() == (0,)
        assert SqlBlobStore(store.engine).get(key) == attachment
        assert SqlBlobStore(store.engine).get(old) == b"mail stored before 0010"

        downgrade(store.engine, "0009")
        again = b"after the downgrade"
        with _connect(url, ROLE) as conn:
            assert "permission denied" in _denied(conn, INSERT, (digest(again), 19, again))
        upgrade(store.engine)
        with _connect(url, ROLE) as conn:
            conn.execute(INSERT, (digest(again), len(again), again))
    finally:
        store.dispose()


def test_a_blob_store_connected_as_an_agent_stores_a_reply_attachment(
    cluster: CentralCluster,
) -> None:
    """What TeamLink does for a queued reply: ``put_many`` through the agent's role."""
    url = cluster.migrated_database()
    owner = Store(url)
    try:
        make_world(owner)
        grant_agent(CentralConfig(url, "test"), "alice", ROLE)
    finally:
        owner.dispose()
    as_role = make_url(url).set(username=ROLE).render_as_string(hide_password=False)
    agent = Store(as_role)
    try:
        files = [b"first file " + uuid.uuid4().bytes, b"second file"]
        keys = SqlBlobStore(agent.engine).put_many(files)
        # Her role cannot read them back (no mail refers to them yet), so a repeat sends
        # them again: the conflict is skipped, not an error.
        assert SqlBlobStore(agent.engine).put_many(files) == keys
    finally:
        agent.dispose()
    owner = Store(url)
    try:
        assert [SqlBlobStore(owner.engine).get(k) for k in keys] == files
    finally:
        owner.dispose()
