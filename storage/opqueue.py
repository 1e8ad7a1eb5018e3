"""The operation queue's storage mechanics: the desk's outbox and the central pending rows.

A desk writes each operation to its local ``op_outbox`` first (so a crash or a cut network
loses nothing), then copies it to the central ``operations`` table as a *pending* row keyed
by the operation's idempotency id: a second push of the same id inserts nothing. Appliers
claim pending rows with ``FOR UPDATE SKIP LOCKED`` over the partial index of pending rows,
and the outcome (applied or rejected, with the reason) is read back by id.

What an operation means is not decided here: the rules are ``app/services/operations.py``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Integer,
    Select,
    Table,
    bindparam,
    func,
    literal_column,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from storage.engine import CHANGE_SEQUENCE, allocate_change_seqs
from storage.models import Operation, OpOutboxEntry, utcnow

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


def enqueue(session: Session, op: QueuedOp) -> bool:
    """Keep ``op`` in the outbox; False if that id is already there (a repeated submit).

    One INSERT that ignores a known id: every action an agent takes in team mode comes here
    first, and the look-up, the object and the flush cost three times as much.
    """
    table = cast(Table, OpOutboxEntry.__table__)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(
        id=op.op_id,
        kind=op.kind,
        actor=op.actor,
        payload=op.payload,
        state="queued",
        created_at=utcnow(),
    )
    added = session.execute(statement.on_conflict_do_nothing(index_elements=["id"]))
    return bool(cast(Any, added).rowcount == 1)


def _of(actors: Collection[str] | None) -> Any:
    """Only the operations of ``actors`` (how the outbox names their agent); None: anyone's."""
    return OpOutboxEntry.actor.in_(sorted(actors)) if actors is not None else true()


def queued(session: Session, limit: int, actors: Collection[str] | None = None) -> list[QueuedOp]:
    """The oldest operations not yet pushed, in the order they were made (of ``actors``)."""
    rows = session.execute(
        select(
            OpOutboxEntry.id,
            OpOutboxEntry.kind,
            OpOutboxEntry.actor,
            OpOutboxEntry.payload,
            OpOutboxEntry.created_at,
        )
        .where(OpOutboxEntry.state == "queued", _of(actors))
        # Insertion order (SQLite's rowid), not the desk's clock: a clock stepped back (NTP)
        # must not push a release ahead of the claim it follows.
        .order_by(literal_column("rowid"))
        .limit(limit)
    ).all()
    return [QueuedOp(r.id, r.kind, r.actor, r.payload or {}, r.created_at) for r in rows]


def mark_pushed(session: Session, ids: Sequence[uuid.UUID]) -> None:
    for chunk in _chunks(ids):
        session.execute(
            update(OpOutboxEntry)
            .where(OpOutboxEntry.id.in_(chunk), OpOutboxEntry.state == "queued")
            .values(state="pushed", pushed_at=utcnow(), last_error="")
        )


def note_failed_push(session: Session, ids: Sequence[uuid.UUID], error: str) -> None:
    """The push did not get through: the operations stay queued, with the reason."""
    for chunk in _chunks(ids):
        session.execute(
            update(OpOutboxEntry)
            .where(OpOutboxEntry.id.in_(chunk), OpOutboxEntry.state == "queued")
            .values(attempts=OpOutboxEntry.attempts + 1, last_error=error[:500])
        )


def requeue(session: Session, ids: Sequence[uuid.UUID]) -> None:
    """Pushed, yet the central database does not have them (restored from a backup, say)."""
    for chunk in _chunks(ids):
        session.execute(
            update(OpOutboxEntry)
            .where(OpOutboxEntry.id.in_(chunk), OpOutboxEntry.state == "pushed")
            .values(state="queued", pushed_at=None)
        )


def awaiting(
    session: Session, limit: int, actors: Collection[str] | None = None
) -> list[uuid.UUID]:
    """Pushed operations (of ``actors``) whose outcome has not come back yet, oldest first."""
    return list(
        session.execute(
            select(OpOutboxEntry.id)
            .where(OpOutboxEntry.state == "pushed", _of(actors))
            .order_by(OpOutboxEntry.created_at, OpOutboxEntry.id)
            .limit(limit)
        ).scalars()
    )


def settle(session: Session, outcomes: Iterable[Outcome]) -> int:
    """Copy outcomes into the outbox (once: a settled entry keeps its first outcome)."""
    count = 0
    now = utcnow()
    for outcome in outcomes:
        done = session.execute(
            update(OpOutboxEntry)
            .where(OpOutboxEntry.id == outcome.op_id, OpOutboxEntry.state != "settled")
            .values(
                state="settled",
                status=outcome.status,
                reason=outcome.reason,
                result=outcome.result,
                settled_at=now,
            )
            .returning(OpOutboxEntry.id)
        ).first()
        count += done is not None
    return count


def entry(session: Session, op_id: uuid.UUID) -> OpOutboxEntry | None:
    return session.get(OpOutboxEntry, op_id)


def unsettled_count(session: Session, actors: Collection[str] | None = None) -> int:
    """What the status bar shows as pending: queued or pushed, outcome not back yet."""
    return session.execute(
        select(func.count())
        .select_from(OpOutboxEntry)
        .where(OpOutboxEntry.state.in_(("queued", "pushed")), _of(actors))
    ).scalar_one()


def unsettled_by_actor(session: Session) -> dict[str, int]:
    """Unsettled operations per actor, as the outbox names them."""
    rows = session.execute(
        select(OpOutboxEntry.actor, func.count())
        .where(OpOutboxEntry.state.in_(("queued", "pushed")))
        .group_by(OpOutboxEntry.actor)
    ).all()
    return {actor: count for actor, count in rows}


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
    params = {
        "ids": [op.op_id for op in ops],
        "kinds": [op.kind for op in ops],
        "names": [op.actor for op in ops],
        "refs": refs,
        "payloads": [json.dumps(op.payload) for op in ops],
    }
    return {row[0]: row[1] for row in conn.exec_driver_sql(_PUSH_PENDING, params)}


@functools.lru_cache(maxsize=16)
def claim_query(limit: int) -> Select[Any]:
    """The oldest pending operations free to apply, locked, skipping those others hold.

    The walk uses the partial index of pending rows (ix_operations_pending), so a long
    applied history costs nothing. Built once per limit: a fresh ``aliased()`` per call cost
    more than the query (~2.8 ms of Python) and, with new anonymous names each time, missed
    SQLAlchemy's compiled-statement cache.
    """
    earlier = aliased(Operation)
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
            earlier.status == "pending",
            earlier.actor_id == Operation.actor_id,
            tuple_(earlier.created_at, earlier.id) < tuple_(Operation.created_at, Operation.id),
        )
        .offset(0)
        .exists()
    )
    return (
        select(Operation.id, Operation.kind, Operation.actor_id, Operation.payload)
        .where(Operation.status == "pending", ~waiting)
        .order_by(Operation.created_at, Operation.id)
        .limit(limit)
        .with_for_update(of=Operation, skip_locked=True)
    )


def claim_pending(session: Session, limit: int) -> list[QueuedOp]:
    """Lock up to ``limit`` pending operations (``claim_query``) until the transaction ends."""
    rows = session.execute(claim_query(limit)).all()
    return [
        QueuedOp(r.id, r.kind, str(r.actor_id) if r.actor_id else "", r.payload or {}) for r in rows
    ]


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
    seq: Any = (
        func.nextval(CHANGE_SEQUENCE)
        if conn.dialect.name == "postgresql"
        else allocate_change_seqs(conn, 1)[0]
    )
    session.execute(
        update(Operation)
        .where(Operation.id == op_id, Operation.status == "pending")
        .values(status=status, reason=reason, result=result, applied_at=at, change_seq=seq)
        .execution_options(synchronize_session=False)
    )


def outcomes(session: Session, ids: Sequence[uuid.UUID]) -> tuple[list[Outcome], list[uuid.UUID]]:
    """The outcomes of those of ``ids`` no longer pending, and the ids the database lacks."""
    found: list[Outcome] = []
    present: set[uuid.UUID] = set()
    for chunk in _chunks(ids):
        rows = session.execute(
            select(Operation.id, Operation.status, Operation.reason, Operation.result).where(
                Operation.id.in_(chunk)
            )
        ).all()
        present.update(r.id for r in rows)
        found += [
            Outcome(r.id, r.status, r.reason, r.result or {}) for r in rows if r.status != "pending"
        ]
    return found, [i for i in ids if i not in present]


def pending_count(session: Session) -> int:
    return session.execute(
        select(func.count()).select_from(Operation).where(Operation.status == "pending")
    ).scalar_one()


def _chunks(ids: Sequence[uuid.UUID]) -> Iterable[Sequence[uuid.UUID]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
