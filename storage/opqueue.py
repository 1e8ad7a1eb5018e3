"""The operation queue's storage mechanics: the desk's outbox and the central pending rows.

A desk writes each operation to its local ``op_outbox`` first (so a crash or a cut network
loses nothing), then copies it to the central ``operations`` table as a *pending* row keyed
by the operation's idempotency id: a second push of the same id inserts nothing. Appliers
claim pending rows with ``FOR UPDATE SKIP LOCKED`` over the partial index of pending rows,
and the outcome (applied or rejected, with the reason) is read back by id.

What an operation means is not decided here: the rules are ``app/services/operations.py``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Integer,
    Select,
    Table,
    Update,
    bindparam,
    func,
    literal_column,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, aliased

from storage.engine import CHANGE_SEQUENCE, allocate_change_seqs, driver_cursor, driver_rows
from storage.models import Agent, Operation, OpOutboxEntry, utcnow

CHUNK = 500
"""Ids per IN list when reading outcomes back (far below any driver's parameter limit)."""


@dataclass(frozen=True)
class QueuedOp:
    """An operation as it travels: in the outbox, over the wire, out of the central queue."""

    op_id: uuid.UUID
    kind: str
    actor: str
    payload: dict[str, Any]
    created_at: Any = None


@dataclass(frozen=True)
class Outcome:
    op_id: uuid.UUID
    status: str
    reason: str
    result: dict[str, Any]


# --- the desk's outbox (local SQLite) ---------------------------------------------------------


class DeskOutbox:
    """The desk's ``op_outbox`` in driver SQL on its SQLite file.

    Every operation an agent makes passes here some six times (kept, read for the push,
    marked pushed, read as awaiting, settled, counted for the status bar), on the link's
    thread while other desks' changes wait for it. Through ORM sessions each look cost
    1-2 ms of CPU on a slow machine (36 ms a note, push and settle ticks together); as a
    statement on the raw connection it costs a tenth. Values are converted by the columns'
    own types, so rows read the same through the ORM (``entry``) as written here.
    """

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name != "sqlite":
            raise ValueError("the outbox is a desk's: its local store is SQLite")
        self.engine = engine
        self._bind, self._read = _converters(engine.dialect)

    def _cursor(self, *, write: bool = False) -> contextlib.AbstractContextManager[Any]:
        return driver_cursor(self.engine, write=write)

    def _ids(self, ids: Iterable[uuid.UUID]) -> list[Any]:
        return [self._bind["id"](i) for i in ids]

    def enqueue(self, op: QueuedOp) -> bool:
        """Keep ``op`` (state queued); False if that id is already here (a repeated submit)."""
        bind = self._bind
        with self._cursor(write=True) as cursor:
            cursor.execute(
                "INSERT INTO op_outbox (id, kind, actor, payload, state, attempts, last_error,"
                " reason, created_at) VALUES (?, ?, ?, ?, 'queued', 0, '', '', ?)"
                " ON CONFLICT (id) DO NOTHING",
                (
                    bind["id"](op.op_id),
                    op.kind,
                    op.actor,
                    bind["payload"](op.payload),
                    bind["created_at"](utcnow()),
                ),
            )
            return bool(cursor.rowcount == 1)

    def queued(self, limit: int, actors: Collection[str] | None = None) -> list[QueuedOp]:
        """The oldest operations not yet pushed, in the order they were made (of ``actors``)."""
        where, params = _of_actors(actors)
        # Insertion order (rowid), not the desk's clock: a clock stepped back (NTP) must not
        # push a release ahead of the claim it follows.
        with self._cursor() as cursor:
            rows = cursor.execute(
                "SELECT id, kind, actor, payload, created_at FROM op_outbox"
                f" WHERE state = 'queued'{where} ORDER BY rowid LIMIT ?",
                (*params, limit),
            ).fetchall()
        read = self._read
        return [
            QueuedOp(
                read["id"](i), kind, actor, read["payload"](payload) or {}, read["created_at"](at)
            )
            for i, kind, actor, payload, at in rows
        ]

    def mark_pushed(self, ids: Sequence[uuid.UUID], refused: Iterable[Outcome] = ()) -> None:
        """``ids`` reached the central queue; ``refused`` were settled there and then (the
        central database did not know their actor). One transaction."""
        now = self._bind["created_at"](utcnow())
        with self._cursor(write=True) as cursor:
            cursor.executemany(
                "UPDATE op_outbox SET state = 'pushed', pushed_at = ?, last_error = ''"
                " WHERE id = ? AND state = 'queued'",
                [(now, i) for i in self._ids(ids)],
            )
            self._settle(cursor, refused)

    def note_failed_push(self, ids: Sequence[uuid.UUID], error: str) -> None:
        """The push did not get through: the operations stay queued, with the reason."""
        with self._cursor(write=True) as cursor:
            cursor.executemany(
                "UPDATE op_outbox SET attempts = attempts + 1, last_error = ?"
                " WHERE id = ? AND state = 'queued'",
                [(error[:500], i) for i in self._ids(ids)],
            )

    def requeue(self, ids: Sequence[uuid.UUID]) -> None:
        """Pushed, yet the central database does not have them (restored from a backup, say)."""
        with self._cursor(write=True) as cursor:
            cursor.executemany(
                "UPDATE op_outbox SET state = 'queued', pushed_at = NULL"
                " WHERE id = ? AND state = 'pushed'",
                [(i,) for i in self._ids(ids)],
            )

    def awaiting(self, limit: int, actors: Collection[str] | None = None) -> list[uuid.UUID]:
        """Pushed operations (of ``actors``) whose outcome has not come back yet, oldest first."""
        where, params = _of_actors(actors)
        with self._cursor() as cursor:
            rows = cursor.execute(
                f"SELECT id FROM op_outbox WHERE state = 'pushed'{where}"
                " ORDER BY created_at, id LIMIT ?",
                (*params, limit),
            ).fetchall()
        return [self._read["id"](i) for (i,) in rows]

    def settle(self, outcomes: Iterable[Outcome]) -> int:
        """Copy outcomes into the outbox (once: a settled entry keeps its first outcome)."""
        with self._cursor(write=True) as cursor:
            return self._settle(cursor, outcomes)

    def settle_from_pulled(
        self, actors: Collection[str] | None = None, *, cursor: Any = None
    ) -> list[Outcome]:
        """Settle the awaited operations (of ``actors``) whose outcome the desk's pulled copy
        of the central ``operations`` table holds; the newly settled ones. One transaction:
        its own, or that of ``cursor`` (a pull's, see ``Puller.in_pull``)."""
        if cursor is None:
            with self._cursor(write=True) as own:
                return self.settle_from_pulled(actors, cursor=own)
        where, params = _of_actors(actors, "o.")
        read = self._read
        rows = cursor.execute(
            "SELECT c.id, c.status, c.reason, c.result FROM op_outbox o"
            " JOIN operations c ON c.id = o.id"
            f" WHERE o.state = 'pushed' AND c.status <> 'pending'{where}"
            " ORDER BY o.created_at, o.id",
            params,
        ).fetchall()
        found = [
            Outcome(read["id"](i), status, reason, read["payload"](result) or {})
            for i, status, reason, result in rows
        ]
        self._settle(cursor, found)
        return found

    def _settle(self, cursor: Any, outcomes: Iterable[Outcome]) -> int:
        bind = self._bind
        now = bind["created_at"](utcnow())
        count = 0
        for o in outcomes:
            cursor.execute(
                "UPDATE op_outbox SET state = 'settled', status = ?, reason = ?, result = ?,"
                " settled_at = ? WHERE id = ? AND state <> 'settled'",
                (o.status, o.reason, bind["result"](o.result), now, bind["id"](o.op_id)),
            )
            count += cursor.rowcount == 1
        return count

    def unsettled_by_actor(self) -> dict[str, int]:
        """Operations queued or pushed, outcome not back yet, per actor as the outbox names
        them (what the status bar shows as pending, and whose)."""
        with self._cursor() as cursor:
            rows = cursor.execute(
                "SELECT actor, count(*) FROM op_outbox"
                " WHERE state IN ('queued', 'pushed') GROUP BY actor"
            ).fetchall()
        return {actor: count for actor, count in rows}

    def any_unsettled(self) -> bool:
        """Whether any operation, anyone's, is queued or pushed (on the state index)."""
        with self._cursor() as cursor:
            row = cursor.execute(
                "SELECT 1 FROM op_outbox WHERE state IN ('queued', 'pushed') LIMIT 1"
            ).fetchone()
        return row is not None


def _same(value: Any) -> Any:
    return value


Converters = dict[str, Callable[[Any], Any]]


@functools.lru_cache(maxsize=8)
def _converters(dialect: Any) -> tuple[Converters, Converters]:
    """The outbox columns' own conversions on ``dialect``: to the database, and back."""
    columns = cast(Table, OpOutboxEntry.__table__).c
    to_db: Converters = {
        name: columns[name].type.dialect_impl(dialect).bind_processor(dialect) or _same
        for name in ("id", "payload", "result", "created_at")
    }
    from_db: Converters = {
        name: columns[name].type.dialect_impl(dialect).result_processor(dialect, None) or _same
        for name in ("id", "payload", "created_at")
    }
    return to_db, from_db


def _of_actors(actors: Collection[str] | None, prefix: str = "") -> tuple[str, tuple[str, ...]]:
    """The outbox's filter on ``actors`` (how it names their agent; None: anyone's)."""
    if actors is None:
        return "", ()
    names = tuple(sorted(actors))
    marks = ", ".join("?" * len(names))
    return f" AND {prefix}actor IN ({marks})", names


def entry(session: Session, op_id: uuid.UUID) -> OpOutboxEntry | None:
    return session.get(OpOutboxEntry, op_id)


# --- the central queue (PostgreSQL) -----------------------------------------------------------


def insert_pending(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Pending operations rows (id, kind, actor_id, payload, created_at); repeats are ignored.

    On PostgreSQL ``created_at`` becomes the time of arrival in the central database.

    Returns how many were new. The id is the primary key, so pushing a batch again after a
    cut connection (committed or not, the desk cannot know) changes nothing the second time.
    """
    if not rows:
        return 0
    table = cast(Table, Operation.__table__)
    base = [
        {
            "status": "pending",
            "reason": "",
            "result": None,
            "applied_at": None,
            "deleted_at": None,
            **row,
        }
        for row in rows
    ]
    if conn.dialect.name == "postgresql":
        # The central clock orders the queue, never a desk's: a desk hours behind must not
        # jump ahead of claims that reached the centre first. Rows of one push keep the
        # order they come in (the desk's own order) a microsecond apart.
        base = [{**row, "ordinal": n} for n, row in enumerate(base)]
        arrived = func.now() + bindparam("ordinal", type_=Integer) * literal_column(
            "interval '1 microsecond'"
        )
        stmt = postgresql.insert(table).values(
            change_seq=func.nextval(CHANGE_SEQUENCE), created_at=arrived
        )
        pg_stmt = stmt.on_conflict_do_nothing(index_elements=["id"]).returning(table.c.id)
        return len(conn.execute(pg_stmt, base).all())
    seqs = allocate_change_seqs(conn, len(base))
    stamped = [{**r, "change_seq": s} for r, s in zip(base, seqs, strict=True)]
    lite = sqlite.insert(table).on_conflict_do_nothing(index_elements=["id"]).returning(table.c.id)
    return len(conn.execute(lite, stamped).all())


# A desk's push on PostgreSQL, one statement in autocommit (one round trip, where the ORM
# took BEGIN, a look-up per actor, the INSERT and COMMIT): each operation's actor named by
# id or by name is resolved to a live agent; those found are queued as ``insert_pending``
# queues them (central arrival time, a microsecond apart in the push's order; a repeat of
# an id changes nothing); every operation comes back with its agent's id, NULL if unknown.
# Row security applies as to the INSERT it replaces: an agent's role queues only its own.
_PUSH_PENDING = f"""
WITH v AS (
    SELECT * FROM unnest(
        %(ids)s::uuid[], %(kinds)s::text[], %(names)s::text[], %(refs)s::uuid[],
        %(payloads)s::text[]
    ) WITH ORDINALITY AS v(id, kind, name, ref, payload, n)
), resolved AS (
    SELECT v.*, COALESCE(
        (SELECT a.id FROM agents a WHERE a.id = v.ref AND a.deleted_at IS NULL),
        (SELECT a.id FROM agents a
         WHERE v.ref IS NULL AND a.name = v.name AND a.deleted_at IS NULL LIMIT 1)
    ) AS actor_id
    FROM v
), queued AS (
    INSERT INTO operations (id, change_seq, kind, actor_id, payload, status, reason, result,
                            created_at, applied_at, deleted_at)
    SELECT id, nextval('{CHANGE_SEQUENCE}'), kind, actor_id, payload::json, 'pending', '',
           NULL, now() + (n - 1) * interval '1 microsecond', NULL, NULL
    FROM resolved WHERE actor_id IS NOT NULL ORDER BY n
    ON CONFLICT (id) DO NOTHING
)
SELECT id, actor_id FROM resolved ORDER BY n
"""

_UNNEST = """SELECT * FROM unnest(
        %(ids)s::uuid[], %(kinds)s::text[], %(names)s::text[], %(refs)s::uuid[],
        %(payloads)s::text[]
    ) WITH ORDINALITY AS v(id, kind, name, ref, payload, n)"""
if _UNNEST not in _PUSH_PENDING:
    raise AssertionError("_PUSH_ONE is made from _PUSH_PENDING's unnest")
_PUSH_ONE = _PUSH_PENDING.replace(
    _UNNEST,
    "SELECT %(id)s::uuid AS id, %(kind)s::text AS kind, %(name)s::text AS name, "
    "%(ref)s::uuid AS ref, %(payload)s::text AS payload, 1::bigint AS n",
)


def push_pending(conn: Connection, ops: Sequence[QueuedOp]) -> dict[uuid.UUID, uuid.UUID | None]:
    """Queue ``ops`` in the central (PostgreSQL) queue in one statement; run it on a
    connection in autocommit. Returns each operation's agent id, None where its actor names
    no live agent (that one is not queued)."""
    refs: list[uuid.UUID | None] = []
    for op in ops:
        try:
            refs.append(uuid.UUID(op.actor))
        except ValueError:
            refs.append(None)
    if len(ops) == 1:
        # Most pushes carry one operation (a desk pushes as its agent works). With arrays
        # PostgreSQL plans the statement again at every execution (a generic plan cannot
        # know the arrays' length and costs more than a custom one for one row): 0.35 ms
        # of the server's CPU per push where the generic plan of the same statement over
        # scalars takes 0.19 ms.
        one = {
            "id": ops[0].op_id,
            "kind": ops[0].kind,
            "name": ops[0].actor,
            "ref": refs[0],
            "payload": json.dumps(ops[0].payload),
        }
        return {row[0]: row[1] for row in driver_rows(conn, _PUSH_ONE, one)}
    params = {
        "ids": [op.op_id for op in ops],
        "kinds": [op.kind for op in ops],
        "names": [op.actor for op in ops],
        "refs": refs,
        "payloads": [json.dumps(op.payload) for op in ops],
    }
    # On the driver's cursor: every desk pushes each operation so, on the way to its latency.
    return {row[0]: row[1] for row in driver_rows(conn, _PUSH_PENDING, params)}


@functools.lru_cache(maxsize=16)
def claim_query(limit: int) -> Select[Any]:
    """The oldest pending operations free to apply, locked, skipping those others hold.

    The walk uses the partial index of pending rows (ix_operations_pending), so a long
    applied history costs nothing. Built once per limit: a fresh ``aliased()`` per call cost
    more than the query (~2.8 ms of Python) and, with new anonymous names each time, missed
    SQLAlchemy's compiled-statement cache.
    """
    earlier = aliased(Operation)
    # 'pending' as a literal: only then may a generic plan use the partial indexes on
    # pending rows (a parameter could be any status), see the end.
    pending: ColumnElement[str] = literal_column("'pending'")
    # One agent's operations apply in the order they were made (claim, reply, close), even
    # with several appliers: an operation waits while an earlier one of its agent is
    # pending, being applied included (SKIP LOCKED hides locked rows, this does not).
    #
    # OFFSET 0 keeps the check a probe of ix_operations_pending_actor for each row the walk
    # reaches: without it PostgreSQL may turn NOT EXISTS into an anti-join, and with stale
    # statistics (a queue that just filled) it hashed or rescanned every pending row for
    # each candidate (4.8 ms per pick with 1,500 pending, against 0.1 ms).
    waiting = (
        select(earlier.id)
        .where(
            earlier.status == pending,
            earlier.actor_id == Operation.actor_id,
            tuple_(earlier.created_at, earlier.id) < tuple_(Operation.created_at, Operation.id),
        )
        .offset(literal_column("0"))
        .exists()
    )
    # The status, LIMIT and OFFSET as literals, not parameters: a generic plan for
    # ``status = $1`` cannot use the partial indexes, never looks cheaper than a custom
    # plan, and PostgreSQL planned the pick again at every execution (the general path
    # runs it twice per operation).
    return (
        select(Operation.id, Operation.kind, Operation.actor_id, Operation.payload)
        .where(Operation.status == pending, ~waiting)
        .order_by(Operation.created_at, Operation.id)
        .limit(literal_column(str(int(limit))))
        .with_for_update(of=Operation, skip_locked=True)
    )


def claim_pending(session: Session, limit: int) -> list[QueuedOp]:
    """Lock up to ``limit`` pending operations (``claim_query``) until the transaction ends."""
    return [_queued(r) for r in session.execute(claim_query(limit)).all()]


@functools.lru_cache(maxsize=16)
def _claim_with_agents(limit: int) -> Select[Any]:
    """``claim_query`` with each operation's agent as an ORM entity (agents are not locked)."""
    return claim_query(limit).add_columns(Agent).outerjoin(Agent, Agent.id == Operation.actor_id)


def claim_pending_with_agents(session: Session, limit: int) -> list[tuple[QueuedOp, Agent | None]]:
    """``claim_pending``, with each operation's agent loaded into ``session`` by the same
    statement: rules that look their actor up (``session.get``) find it there without a round
    trip of their own, as long as the caller holds on to it (the session keeps objects only
    while something else refers to them)."""
    return [(_queued(r), r.Agent) for r in session.execute(_claim_with_agents(limit)).all()]


def _queued(row: Any) -> QueuedOp:
    return QueuedOp(row.id, row.kind, str(row.actor_id) if row.actor_id else "", row.payload or {})


def claim_by_id(session: Session, op_id: uuid.UUID) -> bool:
    """Lock that operation if it is still pending and no other applier holds it."""
    return (
        session.execute(
            select(Operation.id)
            .where(Operation.id == op_id, Operation.status == "pending")
            .with_for_update(skip_locked=True)
        ).first()
        is not None
    )


@functools.cache
def _settle_statement(postgresql: bool) -> Update:
    """``record_outcome``'s statement, built once: building it for every operation cost the
    applier more CPU than running it. On PostgreSQL the change marker comes from the
    sequence inline; elsewhere it is a parameter."""
    seq: Any = func.nextval(CHANGE_SEQUENCE) if postgresql else bindparam("settle_seq")
    return (
        update(Operation)
        .where(Operation.id == bindparam("settle_id"), Operation.status == "pending")
        .values(
            status=bindparam("settle_status"),
            reason=bindparam("settle_reason"),
            result=bindparam("settle_result"),
            applied_at=bindparam("settle_at"),
            change_seq=seq,
        )
        .execution_options(synchronize_session=False)
    )


def record_outcome(
    session: Session,
    op_id: uuid.UUID,
    status: str,
    reason: str,
    result: dict[str, Any],
    at: dt.datetime,
) -> None:
    """Settle a claimed pending row: applied with its result, or rejected with the reason."""
    conn = session.connection()
    postgresql = conn.dialect.name == "postgresql"
    params: dict[str, Any] = {
        "settle_id": op_id,
        "settle_status": status,
        "settle_reason": reason,
        "settle_result": result,
        "settle_at": at,
    }
    if not postgresql:
        params["settle_seq"] = allocate_change_seqs(conn, 1)[0]
    session.execute(_settle_statement(postgresql), params)


def outcomes(conn: Connection, ids: Sequence[uuid.UUID]) -> tuple[list[Outcome], list[uuid.UUID]]:
    """The outcomes of those of ``ids`` no longer pending, and the ids the database lacks.

    On PostgreSQL one driver statement per chunk (a desk asks after each operation it made)."""
    found: list[Outcome] = []
    present: set[uuid.UUID] = set()
    for chunk in _chunks(ids):
        if conn.dialect.name == "postgresql":
            rows: Sequence[Any] = conn.exec_driver_sql(
                "SELECT id, status, reason, result FROM operations WHERE id = ANY(%(ids)s)",
                {"ids": list(chunk)},
            ).all()
        else:
            rows = conn.execute(
                select(Operation.id, Operation.status, Operation.reason, Operation.result).where(
                    Operation.id.in_(chunk)
                )
            ).all()
        present.update(op_id for op_id, *_ in rows)
        found += [
            Outcome(op_id, status, reason, result or {})
            for op_id, status, reason, result in rows
            if status != "pending"
        ]
    return found, [i for i in ids if i not in present]


def pending_count(session: Session) -> int:
    return session.execute(
        select(func.count()).select_from(Operation).where(Operation.status == "pending")
    ).scalar_one()


def _chunks(ids: Sequence[uuid.UUID]) -> Iterable[Sequence[uuid.UUID]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


# --- appliers that wait (PostgreSQL; migration 0016) -----------------------------------------

WAITERS_LOCK = 5_265_232_487
"""The advisory lock between pushes (shared) and an applier entering ``operation_waiters``."""
LOCK_NOT_AVAILABLE = "55P03"  # SQLSTATE of a lock_timeout


def enter_waiters(
    conn: Connection, waiter: uuid.UUID, hold_s: float, lock_timeout_ms: int = 500
) -> bool:
    """List ``waiter`` as an applier about to wait, for ``hold_s``: pushes ring from now on.

    The exclusive lock waits for the pushes in flight, each of which read the list before it
    and stays quiet, so their operations are committed before this returns; the caller looks
    at the queue once more before it waits. Runs in its own transaction.

    False, listing nothing, when the pushes in flight did not end within
    ``lock_timeout_ms``: a push left in an open transaction (a psql session, say) must not
    stop the applier, which then looks at the queue at its idle poll instead.
    """
    try:
        with conn.begin():
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(lock_timeout_ms)}")
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%(lock)s)", {"lock": WAITERS_LOCK})
            conn.exec_driver_sql(
                "INSERT INTO operation_waiters (id, until) "
                "VALUES (%(id)s, clock_timestamp() + make_interval(secs => %(hold)s)) "
                "ON CONFLICT (id) DO UPDATE SET until = EXCLUDED.until",
                {"id": waiter, "hold": hold_s},
            )
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            return False
        raise
    return True


def leave_waiters(conn: Connection, waiter: uuid.UUID) -> None:
    """Take ``waiter`` off the list: pushes need not ring for it (it looks at the queue
    again before it next waits). Runs in its own transaction."""
    with conn.begin():
        conn.exec_driver_sql("DELETE FROM operation_waiters WHERE id = %(id)s", {"id": waiter})
