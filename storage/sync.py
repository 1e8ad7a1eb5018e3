"""Team-mode pull: copy rows changed in the central PostgreSQL into the local SQLite store.

Why not a ``change_seq`` cursor: sequence values are taken when a transaction writes, not when
it commits, so a pull can see seq 11 committed while seq 10 is still in flight and move its
cursor past 10 for good. Instead a trigger stamps every written row with its transaction's id
(``change_xid``) and a pull round reads only rows below ``pg_snapshot_xmin`` of a snapshot taken
when the round starts: every transaction below that bound has ended, so nothing can still
appear under it, and the next round starts exactly there.

A round is paged per table by primary key; each page is upserted in one local transaction
together with the round's progress, so a pull cut off anywhere (central stopped, client
killed, cancelled) resumes from the last committed page and loses nothing. Foreign keys are
not enforced while pulling: a parent updated after its child arrives in a later round, and the
central database, which does enforce them, is the authority.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    Uuid,
    delete,
    func,
    select,
    text,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.blobs import SqlBlobStore, digest
from storage.central_link import (
    CentralLink,
    StaleLink,
    fetch_all,
    fetch_one_native,
)
from storage.engine import KeptSqlite, StoreError, allocate_change_seqs, driver_cursor
from storage.migrate import current_revision, head_revision, known_revisions
from storage.models import Base, SyncState, UTCDateTime

log = logging.getLogger("sync")

NOTIFY_CHANNEL = "relaydesk_changes"
OPERATIONS_CHANNEL = "relaydesk_operations"  # new pending operations (migration 0014)
# Commits that end together share one change notice (migration 0017): its advisory locks.
ANNOUNCER_LOCK = 5_265_232_488
NOTICE_GATE = 5_265_232_489
PULL_KEY = "pull"
EPOCH_KEY = "epoch"
CENTRAL_ID_KEY = "central_id"
DEFAULT_BATCH = 5000

Progress = Callable[[int, int], None]
"""``progress(rows_done, rows_total)`` after each committed page."""

InPull = Callable[[Any, frozenset[str]], None]
"""``in_pull(cursor, tables)``: see ``Puller.in_pull``."""


class SchemaMismatch(StoreError):
    """Client and central database are at different schema revisions."""


class PullCancelled(Exception):
    """The caller asked to stop; every committed page is kept and the next pull resumes."""


def sync_tables() -> list[Table]:
    """The synchronised tables, parents before children."""
    return list(_sync_tables())


@functools.cache
def _sync_tables() -> tuple[Table, ...]:
    # Sorting the metadata's tables costs 0.7 ms, and every pull asks twice.
    return tuple(t for t in Base.metadata.sorted_tables if "change_xid" in t.c)


def _end_read(central: Connection) -> None:
    """End a read of the central database with COMMIT, not ROLLBACK: psycopg forgets (and
    deallocates) every prepared statement of a connection at each ROLLBACK, so the queries
    every pull repeats would be planned again each time (the opening's probe of 33 tables:
    1.3 ms of planning against 0.4 ms of running)."""
    central.commit()


def _redacted(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def check_central_schema(central: Engine) -> str:
    """The central revision when it equals this client's, else a SchemaMismatch saying which
    side to upgrade."""
    if central.dialect.name != "postgresql":
        raise SchemaMismatch(
            f"The central database must be PostgreSQL, not {central.dialect.name}."
        )
    ours = head_revision()
    theirs = current_revision(central)
    if theirs == ours:
        return ours
    where = _redacted(central)
    if theirs is None:
        raise SchemaMismatch(
            f"The central database {where} has no Relaydesk schema yet; create it with "
            f"`relaydesk db upgrade --central URL` (as the database owner)."
        )
    if theirs not in known_revisions():
        raise SchemaMismatch(
            f"The central database {where} is at schema {theirs}, newer than this Relaydesk "
            f"(schema {ours}); upgrade Relaydesk on this computer."
        )
    raise SchemaMismatch(
        f"The central database {where} is at schema {theirs} but this Relaydesk needs {ours}; "
        f"upgrade the central database with `relaydesk db upgrade --central URL`."
    )


def _get_value(conn: Connection, key: str) -> Any:
    value = conn.execute(select(SyncState.value).where(SyncState.key == key)).scalar()
    return None if value is None else value.get("v")


def _set_value(conn: Connection, key: str, value: Any) -> None:
    table = SyncState
    if conn.dialect.name == "sqlite":
        stmt = sqlite_insert(table).values(key=key, value={"v": value})
        conn.execute(
            stmt.on_conflict_do_update(index_elements=["key"], set_={"value": {"v": value}})
        )
        return
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    stmt_pg = pg_insert(table).values(key=key, value={"v": value})
    conn.execute(
        stmt_pg.on_conflict_do_update(index_elements=["key"], set_={"value": {"v": value}})
    )


def central_epoch(conn: Connection) -> int:
    return int(_get_value(conn, EPOCH_KEY) or 0)


def bump_epoch(conn: Connection) -> int:
    """Force every client into a full resnapshot (for a migration that rewrites data)."""
    epoch = central_epoch(conn) + 1
    _set_value(conn, EPOCH_KEY, epoch)
    return epoch


def hidden_columns(conn: Connection, tables: Iterable[Table]) -> dict[str, frozenset[str]]:
    """Columns of ``tables`` this connection's role may not read (an agent role may not read
    agents.password_hash); a pull fills them with NULL."""
    rows = conn.execute(
        text(
            "SELECT c.relname, a.attname FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE c.relnamespace = current_schema()::regnamespace "
            "AND c.relname = ANY(:tables) AND a.attnum > 0 AND NOT a.attisdropped "
            "AND NOT has_column_privilege(a.attrelid, a.attnum, 'SELECT')"
        ),
        {"tables": [t.name for t in tables]},
    ).all()
    hidden: dict[str, set[str]] = {}
    for table, column in rows:
        hidden.setdefault(table, set()).add(column)
    return {table: frozenset(columns) for table, columns in hidden.items()}


# The start of every pull in one statement (Puller._opening): the central id and epoch, what
# this role may see ({scope}: ``relaydesk_visibility()`` where the schema has row security,
# migration 0009, else ''), and the snapshot's (xmin, xmax): below xmin every transaction has
# ended, xmax is the next id. Rows that became visible without being written (the agent
# joined an account) carry old change_xids no incremental pull reaches: a change of scope
# means a full resnapshot. {probe}: for a desk already in sync, which tables changed
# between its cursor and this snapshot's xmin (see _probe_sql), in the same round trip.
_OPENING = (
    "SELECT (SELECT value FROM sync_state WHERE key = %(id_key)s), "
    "(SELECT value FROM sync_state WHERE key = %(epoch_key)s), {scope}, "
    "pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint, {probe}{pages} "
    "FROM pg_current_snapshot() AS s"
)
_OPENING_COLUMNS = 6
_PAGES = "{pages}"  # where the usual pull puts the first pages of the tables notices named
_SNAPSHOT_XMIN = "pg_snapshot_xmin(s)::text::bigint"

# The local side of a usual pull, as driver SQL (SyncState.value is JSON text in SQLite).
_LOAD_STATE = "SELECT value FROM sync_state WHERE key = ?"
_SAVE_STATE = (
    "INSERT INTO sync_state (key, value) VALUES (?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
_ALLOCATE_SEQS = "UPDATE change_counter SET value = value + ? WHERE id = 1 RETURNING value"


@dataclass(frozen=True)
class _Opening:
    central_id: str
    epoch: int
    scope: str
    xmin: int
    xmax: int
    changed: frozenset[str] | None  # tables with rows in [cursor, xmin); None: not probed

    @classmethod
    def from_row(cls, row: Any) -> _Opening:
        return cls(
            central_id="" if row[0] is None else str(row[0].get("v") or ""),
            epoch=0 if row[1] is None else int(row[1].get("v") or 0),
            scope=str(row[2] or ""),
            xmin=int(row[3]),
            xmax=int(row[4]),
            changed=None if row[5] is None else frozenset(row[5]),
        )

    def same_centre(self, state: PullState) -> bool:
        """The same central database, schema epoch and visible rows as ``state``'s."""
        return (self.central_id, self.epoch, self.scope) == (
            state.central_id,
            state.epoch,
            state.scope,
        )


@dataclass
class PullState:
    """Where this client stands against one central database (kept in the local store)."""

    central_id: str = ""
    epoch: int = 0
    cursor: int = 0  # every row with change_xid below this is here
    target: int | None = None  # the bound of the round in progress
    done: dict[str, str] = field(default_factory=dict)  # table -> last id pulled, or "*"
    full: bool = True  # a first sync or a resnapshot
    prune: bool = False  # a resnapshot: drop what the centre no longer has
    scope: str = ""  # what the central role may see (relaydesk_visibility); "" sees all

    @classmethod
    def load(cls, conn: Connection) -> PullState | None:
        raw = _get_value(conn, PULL_KEY)
        return None if raw is None else cls(**raw)

    def save(self, conn: Connection) -> None:
        _set_value(conn, PULL_KEY, self.__dict__.copy())

    @property
    def synced_once(self) -> bool:
        return self.cursor > 0 and not self.full


@dataclass(frozen=True)
class PullResult:
    rows: int
    batches: int
    cursor: int
    full: bool
    pruned: int = 0
    tables: dict[str, int] = field(default_factory=dict)  # rows pulled per table
    # The next transaction id when the round began. A change committed with an id between
    # the cursor and this was held back by an older transaction still open then: it comes
    # with a pull once the cursor reaches here, and no new notice may announce it.
    horizon: int = 0

    @property
    def held_back(self) -> bool:
        return self.cursor < self.horizon

    @property
    def changed(self) -> bool:
        return bool(self.rows or self.pruned)


class Puller:
    """Pulls from ``central`` (PostgreSQL) into ``local`` (the SQLite store's engine)."""

    def __init__(self, local: Engine, central: Engine, *, batch_size: int = DEFAULT_BATCH) -> None:
        if local.dialect.name != "sqlite":
            raise StoreError("The local store of a team client is SQLite.")
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        self.local = local
        self.central = central
        self.batch_size = batch_size
        self._lock = threading.Lock()  # one pull at a time per client
        self.last_round_tables: list[str] = []  # the tables the last round read
        self._hidden: dict[str, frozenset[str]] = {}
        self._opening_sql: str | None = None  # built at the first pull (see _opening)
        self._quick_template = ""  # the usual pull's opening, with _PAGES where pages go
        self._quick_sql: dict[tuple[str, ...], str] = {}  # by the tables paged with it
        self._link = CentralLink(central)  # a usual pull's own connection (see _quick_pull)
        self._local_link = KeptSqlite(local)  # and its own local one, for the write
        self._hinted: set[str] = set()  # tables change notices named since the last pull
        # The state as this Puller's last usual pull left it: every desk pulls at every
        # change, and reading it back from the file cost more than the pull's other reads.
        # None after anything else (a full round, an error): the next pull reads the file.
        self._kept: PullState | None = None
        # Called with a DB-API cursor inside the local transaction that ends a round, and the
        # names of the tables the round wrote: what must change together with the pulled rows
        # (a desk's outbox settling the outcomes that came with them) goes here, so no reader
        # of the store sees the one without the other.
        self.in_pull: InPull | None = None

    def hint(self, table: str) -> None:
        """A change notice named ``table``: the next usual pull reads its page together with
        the opening, in one round trip. Only a hint: the opening's probe still decides what
        changed (a notice may be lost, or name a table this desk does not pull)."""
        self._hinted.add(table)  # from the listener's thread; set.add holds the GIL

    def hinted(self) -> bool:
        """Whether a change notice named a table since the last usual pull began."""
        return bool(self._hinted)

    def close(self) -> None:
        """Close the connection kept for usual pulls (the engines stay their owner's)."""
        with self._lock:
            self._link.close()
            self._local_link.close()

    def state(self) -> PullState | None:
        kept = self._kept
        return dataclasses.replace(kept) if kept is not None else self._load_state()

    def pull(
        self, progress: Progress | None = None, cancel: Callable[[], bool] | None = None
    ) -> PullResult:
        with self._lock:
            return self._pull(progress, cancel)

    def _opening(self, central: Connection, state: PullState | None) -> _Opening:
        """Central id, epoch, what this role may see and the snapshot bounds, in one round
        trip (every pull starts here: 20 desks pull on every change); for a desk already in
        sync, which tables changed since its cursor too. The role's hidden columns are read
        once per Puller: a desk's link is made for one role."""
        if self._opening_sql is None:
            has_scope = central.execute(
                text("SELECT to_regprocedure('relaydesk_visibility()') IS NOT NULL")
            ).scalar()
            self._opening_sql = _OPENING.format(
                scope="relaydesk_visibility()" if has_scope else "''", probe="{probe}", pages=_PAGES
            )
            self._hidden = hidden_columns(central, sync_tables())
        params: dict[str, Any] = {"id_key": CENTRAL_ID_KEY, "epoch_key": EPOCH_KEY}
        probe = "NULL"
        if state is not None and state.synced_once and state.target is None:
            names = tuple(t.name for t in sync_tables())
            probe = f"ARRAY({_probe_sql(names, (), _SNAPSHOT_XMIN)})"
            params["cursor"] = state.cursor
        sql = self._opening_sql.format(probe=probe, pages="")
        return _Opening.from_row(central.exec_driver_sql(sql, params).one())

    def _pull(self, progress: Progress | None, cancel: Callable[[], bool] | None) -> PullResult:
        loaded, self._kept = self._kept or self._load_state(), None
        if loaded is not None and loaded.synced_once and loaded.target is None:
            quick = self._quick_pull(loaded, cancel)
            if quick is not None:
                if progress and quick.rows:
                    progress(quick.rows, quick.rows)
                return quick
        # One connection for the whole of a usual pull (a few rows of a few tables): the
        # opening with its probe, then one page per changed table. A full round pages
        # through its own connections, the next page fetched while this one is written.
        with self.central.connect() as central:
            opening = self._opening(central, loaded)
            state = loaded
            if state is None or not opening.same_centre(state):
                if state is not None:
                    log.info(
                        "full resnapshot: central %s epoch %s (was %s epoch %s)%s",
                        opening.central_id, opening.epoch, state.central_id, state.epoch,
                        " and what this role may see changed" if state.scope != opening.scope
                        else "",
                    )  # fmt: skip
                state = PullState(
                    central_id=opening.central_id,
                    epoch=opening.epoch,
                    prune=state is not None,
                    scope=opening.scope,
                )
            horizon = 0
            changed = None
            if state.target is None:
                target, horizon = opening.xmin, opening.xmax
                if target <= state.cursor and not state.full:
                    _end_read(central)
                    return PullResult(0, 0, state.cursor, False, horizon=horizon)
                state.target = target
                state.done = {}
                changed = opening.changed if state is loaded else None
                if state.full:  # a later round is one local transaction (see _round)
                    self._save(state)
            if not state.full:
                result = self._round(state, progress, cancel, central, changed)
                return dataclasses.replace(result, horizon=horizon)
            _end_read(central)
        result = self._round(state, progress, cancel)
        return dataclasses.replace(result, horizon=horizon)

    def _save(self, state: PullState) -> None:
        with self.local.begin() as conn:
            state.save(conn)

    def _load_state(self) -> PullState | None:
        # Driver SQL: every desk reads it on every change notice.
        with driver_cursor(self.local) as cursor:
            row = cursor.execute(_LOAD_STATE, (PULL_KEY,)).fetchone()
        return None if row is None else PullState(**json.loads(row[0])["v"])

    def _quick_pull(self, state: PullState, cancel: Callable[[], bool] | None) -> PullResult | None:
        """The usual pull of a desk in sync, on its own connection (``CentralLink``): the
        opening with its probe and, as more columns of the same statement (so in its
        snapshot), the first page of every table the change notices named (``hint``) as a
        JSON array: one statement, one round trip. A changed table no notice named costs a
        second (its page, and any other such, in one pipeline). Then one local transaction.
        None when it is not usual after all (another centre, epoch or scope; a page full: a
        desk back after a long absence): the paged path takes it from the start."""
        if self._opening_sql is None:
            return None  # the first pull of this Puller reads the role's columns and scope
        try:
            with self._link.session() as conn:
                read = self._quick_read(conn, state)
        except StaleLink:
            log.info("the kept central connection had dropped; connecting again")
            with self._link.session() as conn:
                read = self._quick_read(conn, state)
        if read is None:
            return None
        opening, pages = read
        if opening.xmin <= state.cursor:
            self._kept = state
            return PullResult(0, 0, state.cursor, False, horizon=opening.xmax)
        if cancel is not None and cancel():
            raise PullCancelled  # before anything is written: the next pull brings it whole
        total = sum(len(rows) for _, rows in pages)
        state.cursor = opening.xmin
        # Driver SQL on the pull's own connection: every desk writes here at every change of
        # any desk. Foreign keys off, as every pull (see the module's text).
        with self._local_link.cursor(write=True) as cursor:
            last = 0
            if total:
                last = cursor.execute(_ALLOCATE_SEQS, (total,)).fetchone()[0]
            seq = last - total
            for table, rows in pages:
                if rows:
                    cursor.executemany(
                        _plan(table).upsert, [(*row, seq + n) for n, row in enumerate(rows, 1)]
                    )
                    seq += len(rows)
            if self.in_pull is not None:
                self.in_pull(cursor, frozenset(table.name for table, rows in pages if rows))
            cursor.execute(_SAVE_STATE, (PULL_KEY, json.dumps({"v": state.__dict__})))
        self._kept = state
        self.last_round_tables = [table.name for table, _ in pages]
        per_table = {table.name: len(rows) for table, rows in pages if rows}
        log.info("pulled %d rows up to %d", total, state.cursor)
        return PullResult(
            total, len(per_table), state.cursor, False, tables=per_table, horizon=opening.xmax
        )

    def _quick_read(
        self, conn: Any, state: PullState
    ) -> tuple[_Opening, list[tuple[Table, list[Any]]]] | None:
        assert self._opening_sql is not None
        if not self._quick_template:
            names = tuple(t.name for t in sync_tables())
            probe = f"ARRAY({_probe_sql(names, (), _SNAPSHOT_XMIN)})"
            sql = self._opening_sql.format(probe=probe, pages=_PAGES)
            for name, number in (("id_key", 1), ("epoch_key", 2), ("cursor", 3)):
                sql = sql.replace(f"%({name})s", f"${number}")
            self._quick_template = sql
        hinted, self._hinted = self._hinted, set()
        ahead = tuple(t for t in sync_tables() if t.name in hinted)
        read: dict[str, list[Any]] = {}
        if ahead:
            # The notices said which tables changed: their first pages are columns of the
            # opening, so one statement reads them in its snapshot, in one round trip.
            limit = self.batch_size
            row = fetch_one_native(
                conn, self._quick_sql_with(ahead), (CENTRAL_ID_KEY, EPOCH_KEY, state.cursor, limit)
            )
            assert row is not None
            opening = _Opening.from_row(row)
            for table, page in zip(ahead, row[_OPENING_COLUMNS:], strict=True):
                read[table.name] = [tuple(values) for values in page or ()]  # JSON arrays
        else:
            params = (CENTRAL_ID_KEY, EPOCH_KEY, state.cursor)
            opening = _Opening.from_row(fetch_one_native(conn, self._quick_sql_with(()), params))
        if not opening.same_centre(state):
            return None
        if opening.xmin <= state.cursor:
            return opening, []
        changed = opening.changed or frozenset()
        tables = [t for t in sync_tables() if t.name in changed]
        # What changed unannounced: its pages in a second round trip, up to the same bound
        # (every transaction below the opening's xmin has ended, so any snapshot sees them).
        window = {"cursor": state.cursor, "target": opening.xmin, "limit": self.batch_size}
        missing = [t for t in tables if t.name not in read]
        statements = [(self._page(t), window) for t in missing]
        if statements:
            read.update(zip((t.name for t in missing), fetch_all(conn, statements), strict=True))
        pages = [read[t.name] for t in tables]
        if any(len(rows) >= self.batch_size for rows in pages):
            return None
        return opening, list(zip(tables, pages, strict=True))

    def _page(self, table: Table) -> str:
        return _plan(table, self._hidden.get(table.name, frozenset())).select_first

    def _quick_sql_with(self, tables: tuple[Table, ...]) -> str:
        """The usual pull's opening with the first pages of ``tables`` as more columns."""
        key = tuple(t.name for t in tables)
        sql = self._quick_sql.get(key)
        if sql is None:
            pages = "".join(
                ", " + _plan(t, self._hidden.get(t.name, frozenset())).json_first for t in tables
            )
            sql = self._quick_sql[key] = self._quick_template.replace(_PAGES, pages)
        return sql

    def _count(self, state: PullState, tables: list[Table]) -> int:
        total = 0
        with self.central.connect() as conn:
            for table in tables:
                query = select(func.count()).select_from(table).where(*self._window(table, state))
                total += int(conn.execute(query).scalar_one())
            _end_read(conn)
        return total

    def _changed(self, central: Connection, state: PullState, tables: list[Table]) -> list[Table]:
        """Those of ``tables`` with rows in the round's window (what this role may see)."""
        if not tables:
            return []
        assert state.target is not None
        params: dict[str, Any] = {"cursor": state.cursor, "target": state.target}
        resumed = [t for t in tables if state.done.get(t.name)]
        for index, table in enumerate(resumed):
            params[f"last{index}"] = uuid.UUID(state.done[table.name])
        sql = _probe_sql(tuple(t.name for t in tables), tuple(t.name for t in resumed))
        names = {row[0] for row in central.exec_driver_sql(sql, params)}
        return [t for t in tables if t.name in names]

    @staticmethod
    def _window(table: Table, state: PullState) -> list[Any]:
        assert state.target is not None
        conditions = [table.c.change_xid >= state.cursor, table.c.change_xid < state.target]
        last = state.done.get(table.name)
        if last:
            conditions.append(table.c.id > uuid.UUID(last))
        return conditions

    def _round(
        self,
        state: PullState,
        progress: Progress | None,
        cancel: Callable[[], bool] | None,
        central: Connection | None = None,
        changed: frozenset[str] | None = None,
    ) -> PullResult:
        """One round; ``central``: the pull's connection, which fetches each table's first
        page up front and ends its read before anything is written locally (no thread
        hand-over for the usual few rows); ``changed``: the tables the opening's probe
        found changed."""
        tables = [t for t in sync_tables() if state.done.get(t.name) != "*"]
        if not state.full:
            # A round after the first usually carries a few rows of a few tables: one query
            # says which, instead of a query and a local commit for each of the 33 tables.
            if changed is not None:
                tables = [t for t in tables if t.name in changed]
            elif central is not None:
                tables = self._changed(central, state, tables)
            else:
                with self.central.connect() as conn:
                    tables = self._changed(conn, state, tables)
                    _end_read(conn)
        self.last_round_tables = [t.name for t in tables]
        total = self._count(state, tables) if progress else 0
        firsts: dict[str, list[Any]] = {}
        if central is not None:
            for table in tables:
                window = (state.cursor, state.target)
                firsts[table.name] = self._fetch_on(
                    central, table, *window, state.done.get(table.name)
                )
            _end_read(central)
        done_rows = 0
        batches = 0
        per_table: dict[str, int] = {}
        with self.local.connect() as local:
            # PRAGMA foreign_keys is a no-op inside a transaction: set it on the driver's
            # connection before the first page begins, and restore it before pooling it again.
            _pull_pragmas(local, pulling=True)
            # The next page travels from PostgreSQL while this one is written to SQLite.
            prefetch: ThreadPoolExecutor | None = None

            def fetch(table: Table, last: str | None, first: bool) -> Future[list[Any]]:
                nonlocal prefetch
                window = (state.cursor, state.target)
                if first and table.name in firsts:
                    ready: Future[list[Any]] = Future()
                    ready.set_result(firsts.pop(table.name))
                    return ready
                if prefetch is None:
                    prefetch = ThreadPoolExecutor(1, thread_name_prefix="pull-fetch")
                return prefetch.submit(self._fetch, table, *window, last)

            # A round after the first (usually a few rows) is one local transaction: cut off,
            # it is simply pulled again. A full round, and one that grows past a page (a desk
            # back after a day offline), commits page by page instead, so it resumes and
            # never holds the store's write lock for long.
            whole = None if state.full else local.begin()

            def page() -> Any:
                one = whole is not None and whole.is_active
                return contextlib.nullcontext() if one else local.begin()

            try:
                for table in tables:
                    pending = fetch(table, state.done.get(table.name), True)
                    while True:
                        rows = pending.result()
                        finished = len(rows) < self.batch_size
                        if not finished:
                            last = str(uuid.UUID(rows[-1][0]))
                            pending = fetch(table, last, False)
                        with page():
                            if rows:
                                self._upsert(local, table, rows)
                                state.done[table.name] = str(uuid.UUID(rows[-1][0]))
                            if finished:
                                state.done[table.name] = "*"
                            if whole is None or not whole.is_active:
                                state.save(local)
                        if (
                            whole is not None
                            and whole.is_active
                            and (done_rows + len(rows) >= self.batch_size)
                        ):
                            state.save(local)
                            whole.commit()  # big after all: a page at a time from here
                        if rows:
                            batches += 1
                            done_rows += len(rows)
                            per_table[table.name] = per_table.get(table.name, 0) + len(rows)
                            if progress:
                                progress(done_rows, max(total, done_rows))
                        if cancel is not None and cancel():
                            raise PullCancelled
                        if finished:
                            break
                pruned = self._prune(local) if state.prune else 0
                assert state.target is not None
                with page():
                    state.cursor = state.target
                    state.target = None
                    state.done = {}
                    full = state.full
                    state.full = False
                    state.prune = False
                    if self.in_pull is not None:
                        driver = local.connection.driver_connection
                        assert driver is not None  # a live connection, in this transaction
                        cursor = driver.cursor()
                        try:
                            self.in_pull(cursor, frozenset(per_table))
                        finally:
                            cursor.close()
                    state.save(local)
                if whole is not None and whole.is_active:
                    whole.commit()
            finally:
                if whole is not None and whole.is_active:
                    whole.rollback()
                if prefetch is not None:
                    prefetch.shutdown(wait=True, cancel_futures=True)
                _pull_pragmas(local, pulling=False)
        log.info("pulled %d rows in %d batches up to %d", done_rows, batches, state.cursor)
        return PullResult(done_rows, batches, state.cursor, full, pruned, per_table)

    def _fetch(
        self, table: Table, cursor: int, target: int | None, last: str | None
    ) -> list[tuple[Any, ...]]:
        with self.central.connect() as conn:
            rows = self._fetch_on(conn, table, cursor, target, last)
            _end_read(conn)
            return rows

    def _fetch_on(
        self, conn: Connection, table: Table, cursor: int, target: int | None, last: str | None
    ) -> list[tuple[Any, ...]]:
        """One page as tuples already in the local store's column format (see _TablePlan)."""
        plan = _plan(table, self._hidden.get(table.name, frozenset()))
        assert target is not None
        params: dict[str, Any] = {"cursor": cursor, "target": target}
        sql = plan.select_first
        if last:
            sql = plan.select_next
            params["last"] = uuid.UUID(last)
        params["limit"] = self.batch_size
        # Driver SQL: no per-value processing, but SQLAlchemy's error wrapping and
        # invalidation of a connection the server dropped.
        return [tuple(r) for r in conn.exec_driver_sql(sql, params)]

    @staticmethod
    def _upsert(local: Connection, table: Table, rows: list[tuple[Any, ...]]) -> None:
        plan = _plan(table)  # the upsert is the same whatever the select hides
        # Local change markers: the store's own readers watch them to see what moved.
        seqs = allocate_change_seqs(local, len(rows))
        local.exec_driver_sql(
            plan.upsert, [(*row, seq) for row, seq in zip(rows, seqs, strict=True)]
        )

    def _prune(self, local: Connection) -> int:
        """After a full snapshot: drop rows that came from a central database but are not in
        this one (a different central, or rows purged there). Local-only rows (no change_xid,
        e.g. operations not yet pushed) stay."""
        removed = 0
        for table in reversed(sync_tables()):
            with self.central.connect() as central:
                keep = set(central.execute(select(table.c.id)).scalars())
                _end_read(central)
            with local.begin():
                ours = local.execute(select(table.c.id).where(table.c.change_xid.is_not(None)))
                gone = [i for i in ours.scalars() if i not in keep]
                for chunk in _chunks(gone, 500):
                    removed += local.execute(delete(table).where(table.c.id.in_(chunk))).rowcount
        return removed


@functools.lru_cache(maxsize=64)
def _probe_sql(
    tables: tuple[str, ...], resumed: tuple[str, ...], target: str = "%(target)s"
) -> str:
    """Which of ``tables`` have rows in the round's window: one driver-SQL statement, built
    once (building and compiling 33 SQLAlchemy selects cost more than the query). EXISTS
    over the id alone: ``SELECT *`` needs every column, and an agent's role may not read
    some (agents.password_hash). ``resumed`` tables continue after their last pulled id;
    ``target``: the window's end, a parameter or (in the opening) the snapshot's xmin."""
    parts = []
    for name in tables:
        after = ""
        if name in resumed:
            after = f" AND id > %(last{resumed.index(name)})s"
        parts.append(
            f"SELECT '{name}' WHERE EXISTS (SELECT id FROM \"{name}\" WHERE change_xid >= "
            f"%(cursor)s AND change_xid < {target}{after})"
        )
    return " UNION ALL ".join(parts)


@dataclass(frozen=True)
class _TablePlan:
    """Raw SQL for one table's pages, bypassing per-value Python conversion (the first sync
    of 100,000 interactions must take seconds): PostgreSQL renders each value as text in the
    exact form SQLAlchemy stores it in SQLite (UUIDs as 32 hex digits, UTC datetimes as
    'YYYY-MM-DD HH:MM:SS.ffffff', JSON as its text, booleans as 0/1)."""

    select_first: str
    select_next: str
    upsert: str
    # The first page as one JSON array of rows, each an array of those values: a scalar
    # subquery of the usual pull's opening (see Puller._quick_sql_with); ``$3`` the
    # cursor, ``$4`` the limit, ``s`` the opening's snapshot.
    json_first: str


_PLANS: dict[tuple[str, frozenset[str]], _TablePlan] = {}


def _pg_value(column: Any, hidden: frozenset[str] = frozenset()) -> str:
    name = f'"{column.name}"'
    kind = column.type
    if column.name in hidden:
        if not column.nullable:
            raise StoreError(
                f"The central role may not read {column.table.name}.{column.name}, "
                "which a local store cannot leave empty."
            )
        return "NULL"
    if isinstance(kind, UTCDateTime | DateTime):
        return f"to_char({name} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
    if isinstance(kind, Uuid):
        return f"replace({name}::text, '-', '')"
    if isinstance(kind, JSON):
        return f"{name}::text"
    if isinstance(kind, Boolean):
        return f"{name}::int"
    if isinstance(kind, Integer | String):  # Text and BigInteger included
        return name
    raise StoreError(f"No pull conversion for {column.table.name}.{column.name} ({kind}).")


def _plan(table: Table, hidden: frozenset[str] = frozenset()) -> _TablePlan:
    plan = _PLANS.get((table.name, hidden))
    if plan is not None:
        return plan
    # id first (the page's last key), change_seq last (replaced by a local marker).
    columns = [table.c.id, *(c for c in table.c if c.name not in ("id", "change_seq"))]
    values = ", ".join(_pg_value(c, hidden) for c in columns)
    base = (
        f'SELECT {values} FROM "{table.name}" '
        "WHERE change_xid >= %(cursor)s AND change_xid < %(target)s"
    )
    names = [c.name for c in columns] + ["change_seq"]
    quoted = ", ".join(f'"{n}"' for n in names)
    updates = ", ".join(f'"{n}" = excluded."{n}"' for n in names if n != "id")
    if len(columns) > 100:  # PostgreSQL's limit on a function's arguments
        raise StoreError(f"{table.name} has more columns than json_build_array() takes.")
    plan = _TablePlan(
        json_first=(
            f"(SELECT json_agg(p.r) FROM (SELECT json_build_array({values}) AS r "
            f'FROM "{table.name}" WHERE change_xid >= $3 AND change_xid < {_SNAPSHOT_XMIN} '
            "ORDER BY id LIMIT $4) AS p)"
        ),
        select_first=f"{base} ORDER BY id LIMIT %(limit)s",
        select_next=f"{base} AND id > %(last)s ORDER BY id LIMIT %(limit)s",
        upsert=(
            f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" * len(names))}) '
            f"ON CONFLICT (id) DO UPDATE SET {updates}"
        ),
    )
    _PLANS[(table.name, hidden)] = plan
    return plan


# A first sync writes a dozen indexes per table: keep them in memory, and checkpoint the WAL
# (two fsyncs each time) every 64 MiB instead of every 4 MiB. SQLite's defaults come back after.
_PULL_PRAGMAS = {"foreign_keys": "OFF", "cache_size": "-65536", "wal_autocheckpoint": "16384"}
_USUAL_PRAGMAS = {"foreign_keys": "ON", "cache_size": "-2000", "wal_autocheckpoint": "1000"}


def _pull_pragmas(conn: Connection, *, pulling: bool) -> None:
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        for name, value in (_PULL_PRAGMAS if pulling else _USUAL_PRAGMAS).items():
            cursor.execute(f"PRAGMA {name}={value}")
    finally:
        cursor.close()


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class CentralBlobs:
    """Blobs on demand: the local blob file first, else the central blob table (then kept)."""

    def __init__(self, local: SqlBlobStore, central: SqlBlobStore) -> None:
        self.local = local
        self.central = central

    def get(self, key: str) -> bytes:
        try:
            return self.local.get(key)
        except KeyError:
            pass
        data = self.central.get(key)  # KeyError when the centre lacks it too
        if digest(data) != key:
            raise StoreError(f"The central blob {key} is damaged (its content has another hash).")
        self.local.put(data)
        return data

    def has(self, key: str) -> bool:
        return self.local.has(key) or self.central.has(key)

    def prefetch(self, keys: Iterable[str]) -> int:
        """Copy the blobs this client does not hold yet; returns how many were fetched."""
        fetched = 0
        for key in keys:
            if not self.local.has(key):
                self.get(key)
                fetched += 1
        return fetched
