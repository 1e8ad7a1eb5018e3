"""A private PostgreSQL cluster for team-mode tests, with a migrated template database.

Private because a pull waits for the oldest open transaction of the whole cluster: on the
shared test server, other suites' transactions would hold the tests' pulls back. Copying a
migrated template makes a central database in a fraction of the time migrating one takes.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.engine import Store
from storage.migrate import ensure_current
from tests.servers.postgres import (
    FAST_BUT_CRASH_SAFE,
    ThrowawayPostgres,
    connect,
    create_database,
    start_throwaway_postgres,
)

TEMPLATE = "relaydesk_central_template"


class CentralCluster:
    def __init__(self, tmp_root: Path) -> None:
        self.server: ThrowawayPostgres = start_throwaway_postgres(tmp_root)
        self._template_ready = False

    @property
    def admin_url(self) -> str:
        return self.server.url

    def empty_database(self) -> str:
        return create_database(self.server.url)

    def migrated_database(self) -> str:
        """A new database at the schema head, with its own central identity."""
        if not self._template_ready:
            url = make_url(self.server.url).set(database=TEMPLATE).render_as_string(False)
            with connect(self.server.url) as conn:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(
                        sql.Identifier(TEMPLATE)
                    )
                )
            store = Store(url)
            ensure_current(store.engine)
            store.dispose()  # a template must have no sessions while it is copied
            self._template_ready = True
        name = f"relaydesk_c_{uuid.uuid4().hex[:12]}"
        with connect(self.server.url) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(TEMPLATE)
                )
            )
        url = make_url(self.server.url).set(database=name).render_as_string(False)
        store = Store(url)
        try:
            with store.engine.begin() as conn:
                conn.execute(
                    text("UPDATE sync_state SET value = CAST(:v AS json) WHERE key = 'central_id'"),
                    {"v": f'{{"v": "{uuid.uuid4()}"}}'},
                )
        finally:
            store.dispose()
        return url

    def crash(self) -> None:
        """Stop the server at once, like a crash or a cut cable (no goodbye to clients)."""
        self._pg_ctl("-m", "immediate", "-w", "stop")

    def restart(self) -> None:
        """Start it again on the same port and data (its transaction ids go on)."""
        server = self.server
        opts = (
            f"-p {server.port} -k {server.base} -c listen_addresses=127.0.0.1 {FAST_BUT_CRASH_SAFE}"
        )
        self._pg_ctl("-l", str(server.log_path), "-o", opts, "-w", "-t", "60", "start")

    def _pg_ctl(self, *args: str) -> None:
        server = self.server
        res = server._run(str(server.bindir / "pg_ctl"), "-D", str(server.data_dir), *args)
        if res.returncode != 0:
            raise RuntimeError(f"pg_ctl {args}: {res.stdout}\n{res.stderr}\n{server.log_tail()}")

    def stop(self) -> None:
        self.server.stop()
