"""Team mode, push side: a desk's operations reach the central database and come back settled.

1. ``submit`` keeps the operation in the desk's durable outbox (local SQLite) and returns at
   once: the UI shows it as pending.
2. ``push`` copies queued operations to the central ``operations`` table as pending rows keyed
   by their idempotency id; a push that is cut off, or a desk killed halfway, is simply done
   again, and the repeat inserts nothing.
3. A worker's appliers (``apply_batch``, ``start_appliers``) claim pending rows with
   ``FOR UPDATE SKIP LOCKED`` and apply each one in its own transaction with exactly the
   rules of standalone mode (``operations.run_rules``); the effect and the applied/rejected
   record commit together, so a worker killed mid-way leaves its operation pending for the
   next applier, and nothing is applied twice. One agent's operations apply in the order
   the agent made them, however many appliers run.
4. ``settle`` reads the outcomes back by id into the outbox, where ``outcome`` finds them.

A desk is shared by agents on shifts, and the outbox is the desk's: a link connected as an
agent's database role pushes and settles only that agent's operations (``actors_of``), since
row security lets the role queue and read no one else's. The others wait in the outbox, in
their order, until their own agent signs in at this desk again (``waiting_for_others``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Connection, or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.errors import ServerError, UserError
from app.services import claims_pg, operations
from app.services.operations import Operation, OpResult, Rejected
from app.services.queue_wake import Doorbell, QueueWake
from storage import leases, opqueue
from storage.blobs import SqlBlobStore
from storage.engine import Store, driver_row
from storage.ids import new_id
from storage.models import Agent, OpOutboxEntry, utcnow

T = TypeVar("T")

log = logging.getLogger("sync")

PUSH_BATCH = 200
APPLY_BATCH = 50
# How long an applier's place among the waiters holds (renewed at half): one that died
# listed makes pushes ring for at most this long.
WAITER_HOLD_S = 60.0
IDLE_WAIT_S = 0.2
QUEUE_LEASE = "operations"


@dataclass(frozen=True)
class PushReport:
    pushed: int  # reached the central queue in this push (repeats included)
    refused: int  # settled locally as rejected: the central database does not know the actor
    # Those refusals as outcomes, for whoever tells the agent (TeamLink's on_settled).
    refusals: tuple[OpResult, ...] = field(default=(), compare=False)
    # The operations this push queued centrally (their outcomes cannot be there yet).
    queued: frozenset[uuid.UUID] = field(default=frozenset(), compare=False)


# --- the desk ---------------------------------------------------------------------------------


_submitted: dict[str, int] = {}
_submitted_lock = threading.Lock()


def submissions(local: Store) -> int:
    """How many operations this process has kept in ``local``'s outbox (``submit``): a link
    that found the outbox idle takes its word for it while this number stays the same."""
    return _submitted.get(local.url, 0)


def submit(local: Store, op: Operation) -> uuid.UUID:
    """Keep ``op`` in the outbox (durably) for the next push; submitting it again is a no-op."""
    if op.kind not in operations.kinds():
        raise UserError(f"There is no operation called {op.kind!r}.")
    try:
        # UUIDs become strings, as apply() records them; anything else unserialisable is refused.
        payload = json.loads(json.dumps(op.payload, default=_uuid_text))
    except (TypeError, ValueError) as exc:
        raise UserError(f"The {op.kind} operation's payload cannot be queued: {exc}") from None
    outbox(local).enqueue(opqueue.QueuedOp(op.op_id, op.kind, str(op.actor), payload))
    with _submitted_lock:  # after the enqueue: a count that includes it finds it kept
        _submitted[local.url] = _submitted.get(local.url, 0) + 1
    return op.op_id


def outbox(local: Store) -> opqueue.DeskOutbox:
    """The desk's outbox on ``local``."""
    return opqueue.DeskOutbox(local.engine)


def _uuid_text(value: object) -> str:
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} values are not allowed")


def push(
    local: Store,
    central: Store,
    *,
    batch: int = PUSH_BATCH,
    actors: Collection[str] | None = None,
    before: Callable[[Sequence[opqueue.QueuedOp]], None] | None = None,
) -> PushReport:
    """Send every queued operation to the central queue, oldest first, a batch at a time.

    With ``actors`` (``actors_of``) only those operations go; the others stay queued as
    they are. ``before`` sees each batch before it goes (TeamLink stores the attachments
    of queued replies centrally); what it raises stops the push, the batch still queued.
    Raises ServerError when the central database cannot be reached; what was not pushed
    stays queued (with the error noted) and the next push picks it up.
    """
    pushed = 0
    refusals: list[OpResult] = []
    queued: set[uuid.UUID] = set()
    box = outbox(local)
    while True:
        ops = box.queued(batch, actors)
        if not ops:
            break
        if before is not None:
            before(ops)
        ids = [op.op_id for op in ops]
        try:
            accepted, unknown = _queue_centrally(central, ops)
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == "42501":
                # Row security: this desk's database role may not queue another agent's work.
                reason = f"The central database refused the operations ({_short(exc)})"
            else:
                reason = f"The central database is unreachable ({_short(exc)})"
            box.note_failed_push(ids, reason)
            raise ServerError(
                f"{reason}; {len(ids)} operations wait in the outbox and go with the next push."
            ) from exc
        # Only now, after the central commit: a desk killed in between pushes them again.
        box.mark_pushed(
            [op.op_id for op, _ in accepted],
            [opqueue.Outcome(op.op_id, "rejected", why, {}) for op, why in unknown],
        )
        pushed += len(accepted)
        queued.update(op.op_id for op, _ in accepted)
        refusals += [_result(op.op_id, "rejected", why, {}) for op, why in unknown]
        if len(ops) < batch:
            break
    return PushReport(pushed, len(refusals), tuple(refusals), frozenset(queued))


def _queue_centrally(
    central: Store, ops: Sequence[opqueue.QueuedOp]
) -> tuple[list[tuple[opqueue.QueuedOp, uuid.UUID]], list[tuple[opqueue.QueuedOp, str]]]:
    """Queue ``ops`` centrally; those whose actor is a known agent, and the others with why."""
    if central.dialect == "postgresql":
        # One statement in autocommit: the push is on the way to every operation's latency.
        # Idempotent (a known id is ignored), so a pool without a checkout ping may send it
        # again on a new connection when the kept one turns out dead.
        actors = _again_if_dropped(central, lambda conn: opqueue.push_pending(conn, ops))
        accepted = [(op, a) for op in ops if (a := actors.get(op.op_id)) is not None]
        unknown = [(op, _unknown_agent(op.actor)) for op in ops if actors.get(op.op_id) is None]
        return accepted, unknown
    with central.write() as session:
        accepted, unknown = _resolve_actors(session, ops)
        rows = [
            {
                "id": op.op_id,
                "kind": op.kind,
                "actor_id": actor_id,
                "payload": op.payload,
                "created_at": op.created_at or utcnow(),
            }
            for op, actor_id in accepted
        ]
        opqueue.insert_pending(session.connection(), rows)
    return accepted, unknown


def _again_if_dropped(central: Store, statement: Callable[[Connection], T]) -> T:
    """``statement`` on an autocommit connection of ``central``'s pool, once more on a new
    connection if the first was found dead (the server restarted while it sat in the pool:
    a pool may skip the checkout ping). Only for statements that may run twice."""
    for attempt in (1, 2):
        try:
            with central.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                return statement(conn)
        except DBAPIError as exc:
            if attempt == 2 or not exc.connection_invalidated:
                raise
    raise AssertionError("unreachable")


def _unknown_agent(actor: str) -> str:
    return f"There is no agent named {_agent_ref(actor)!s:.100}."


def _resolve_actors(
    session: Session, ops: Sequence[opqueue.QueuedOp]
) -> tuple[list[tuple[opqueue.QueuedOp, uuid.UUID]], list[tuple[opqueue.QueuedOp, str]]]:
    """Central agent ids for the operations' actors (names or ids), and those unknown."""
    known: dict[str, uuid.UUID | str] = {}
    for actor in {op.actor for op in ops}:
        try:
            ref: str | uuid.UUID = uuid.UUID(actor)
        except ValueError:
            ref = actor
        # Only the id: an agent's database role may not read every column (migration 0009).
        match = Agent.id == ref if isinstance(ref, uuid.UUID) else Agent.name == ref
        found = session.execute(select(Agent.id).where(match, Agent.deleted_at.is_(None))).scalar()
        known[actor] = found if found is not None else _unknown_agent(actor)
    accepted = [(op, a) for op in ops if isinstance(a := known[op.actor], uuid.UUID)]
    unknown = [(op, str(known[op.actor])) for op in ops if isinstance(known[op.actor], str)]
    return accepted, unknown


def settle(
    local: Store,
    central: Store,
    *,
    actors: Collection[str] | None = None,
    skip: Collection[uuid.UUID] = frozenset(),
) -> list[OpResult]:
    """Read back the outcomes of pushed operations (of ``actors``); the newly settled ones.

    Limit it to the operations the connection's role may read (``actors_of``): one it may
    not would look lost centrally and be queued again. ``skip``: operations pushed just now,
    whose outcomes cannot be there yet (asking would only cost the centre a query).
    """
    box = outbox(local)
    ids = [i for i in box.awaiting(100_000, actors) if i not in skip]
    if not ids:
        return []
    try:
        found, missing = _again_if_dropped(central, partial(opqueue.outcomes, ids=ids))
    except DBAPIError as exc:
        raise ServerError(
            f"The central database is unreachable ({_short(exc)}); "
            f"{len(ids)} operations are still waiting for their outcome."
        ) from exc
    box.settle(found)
    if missing:
        # Lost centrally (a restore from backup): the next push sends them again.
        log.warning("%d pushed operations are missing centrally: queued again", len(missing))
        box.requeue(missing)
    return [_result(o.op_id, o.status, o.reason, o.result) for o in found]


def settle_pulled(
    local: Store, *, actors: Collection[str] | None = None, cursor: Any = None
) -> list[OpResult]:
    """Settle pushed operations whose outcome a pull just brought; the newly settled ones.

    ``settle`` asks the centre before the pull, so its outcomes' effects come with that
    pull. An operation applied between the two arrived with the pull, effects and outcome
    in one snapshot (one central transaction writes both): read here, the desk does not
    show the claim done and still "waiting for the central database" until its next tick.
    With ``cursor`` (the pull's own, see ``Puller.in_pull``) the outcomes settle in the
    transaction that wrote their effects, so no reader sees the one without the other.
    """
    # The desk's pulled copy of the central operations; not there yet is not lost.
    found = outbox(local).settle_from_pulled(actors, cursor=cursor)
    return [_result(o.op_id, o.status, o.reason, o.result) for o in found]


def sync_operations(local: Store, central: Store) -> list[OpResult]:
    """Push what is queued, then settle what has come back (a desk's sync tick)."""
    push(local, central)
    return settle(local, central)


def outcome(local: Store, op_id: uuid.UUID) -> OpResult | None:
    """The operation's outcome once settled; None while it is queued or pushed."""
    with local.read() as session:
        row = opqueue.entry(session, op_id)
        if row is None:
            raise UserError(f"This desk has no operation {op_id} in its outbox.")
        if row.state != "settled":
            return None
        return _settled(row)


def _settled(row: OpOutboxEntry) -> OpResult:
    return _result(row.id, row.status or "rejected", row.reason, row.result or {})


def settled_outcomes(local: Store, op_ids: Collection[uuid.UUID]) -> list[OpResult]:
    """The outcomes of those of ``op_ids`` already settled in the desk's outbox (ids not
    queued yet, or still waiting, are left out), in the order given.

    A window reading the store after a pull may find an operation's effect before the link
    has handed on its outcome: read after the effect, this finds the outcome too (a pull
    settles in the transaction that writes the effect, ``TeamLink.tick``)."""
    found: list[OpResult] = []
    with local.read() as session:
        for op_id in op_ids:
            row = opqueue.entry(session, op_id)
            if row is not None and row.state == "settled":
                found.append(_settled(row))
    return found


def outbox_idle(local: Store) -> bool:
    """Whether the outbox holds no unsettled operation, anyone's. Driver SQL on the outbox's
    state index: every desk asks at every change notice, nearly always of another desk's
    work, and then has nothing to push or settle."""
    return not outbox(local).any_unsettled()


def pending_count(local: Store, actors: Collection[str] | None = None) -> int:
    """Operations (of ``actors``) not settled yet (for the status bar)."""
    return pending_counts(local, actors)[0]


def pending_counts(
    local: Store, actors: Collection[str] | None
) -> tuple[int, tuple[tuple[str, int], ...]]:
    """The status bar's counts in one look at the outbox: the operations of ``actors`` not
    settled yet (anyone's with None), and ``waiting_for_others``."""
    counts = outbox(local).unsettled_by_actor()
    if actors is None:
        return sum(counts.values()), ()
    mine = sum(n for actor, n in counts.items() if actor in actors)
    others = {actor: n for actor, n in counts.items() if actor not in actors}
    return mine, _others_named(local, others)


def actors_of(
    local: Store, *, role: str = "", agent: uuid.UUID | None = None
) -> frozenset[str] | None:
    """How the outbox names the agent a link connected as ``role`` pushes for; None: anyone.

    Row security lets an agent's database role queue and read only that agent's operations
    (migration 0009; a supervisor's role too reads all but queues only its own), so such a
    link must push and settle only theirs. The agent is ``agent`` (who signed in with the
    role) or else whom the desk's copy of the agents table gives the role; a role that is no
    agent's (the central database's owner: no row security) pushes everyone's operations.
    """
    with local.read() as session:
        if agent is not None:
            found = session.execute(select(Agent.name).where(Agent.id == agent)).scalar()
            names = {str(agent)} | ({found} if found is not None else set())
            return frozenset(names)
        if not role:
            return None
        row = session.execute(
            select(Agent.id, Agent.name).where(Agent.db_role == role, Agent.deleted_at.is_(None))
        ).first()
    return frozenset({str(row.id), row.name}) if row is not None else None


def waiting_for_others(local: Store, actors: Collection[str] | None) -> tuple[tuple[str, int], ...]:
    """Unsettled operations of agents other than ``actors``, per agent: (their name, count).

    Another agent's operations wait here until that agent signs in at this desk again; the
    name says who must come back ("" when the desk's copy does not know the agent).
    """
    return pending_counts(local, actors)[1]


def _others_named(local: Store, others: dict[str, int]) -> tuple[tuple[str, int], ...]:
    """``waiting_for_others`` from the unsettled counts of agents other than this link's."""
    if not others:
        return ()
    with local.read() as session:
        refs = {actor: _agent_ref(actor) for actor in others}
        ids = [ref for ref in refs.values() if isinstance(ref, uuid.UUID)]
        names = [ref for ref in refs.values() if isinstance(ref, str)]
        rows = session.execute(
            select(Agent.id, Agent.name, Agent.full_name).where(
                or_(Agent.id.in_(ids), Agent.name.in_(names))
            )
        ).all()
    known: dict[uuid.UUID | str, str] = {}
    for row in rows:
        known[row.id] = known[row.name] = row.full_name or row.name
    totals: dict[str, int] = {}
    for actor, n in others.items():
        name = known.get(refs[actor], "")
        totals[name] = totals.get(name, 0) + n
    return tuple(sorted(totals.items(), key=lambda item: (item[0] == "", item[0].casefold())))


def _agent_ref(actor: str) -> uuid.UUID | str:
    try:
        return uuid.UUID(actor)
    except ValueError:
        return actor


def _result(op_id: uuid.UUID, status: str, reason: str, result: dict[str, object]) -> OpResult:
    return OpResult(op_id, "applied" if status == "applied" else "rejected", reason, dict(result))


def _short(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0][:200] if exc.orig else type(exc).__name__


# --- the worker -------------------------------------------------------------------------------


@dataclass
class Route:
    """Which way an applier tries the next operation first. The one statement of an
    agent's claim, tried on an operation of another kind, only finds that it is not one:
    a statement more on the way of every note, reply or transfer. So after an operation of
    another kind the general rules go first (they apply a claim too, in four round trips
    instead of one), and the first claim they meet switches back."""

    general_first: bool = False


def apply_batch(
    central: Store,
    *,
    limit: int = APPLY_BATCH,
    blobs: SqlBlobStore | None = None,
    lease: leases.LeaseHold | None = None,
    route: Route | None = None,
) -> list[OpResult]:
    """Apply up to ``limit`` pending operations, oldest first, each in its own transaction.

    Each transaction claims the oldest pending row that no other applier holds (SKIP
    LOCKED), applies it and records the outcome, so its locks last one operation: concurrent
    appliers never wait on each other's batches. (One transaction per batch, a savepoint per
    operation, was tried first: two appliers' batches locked the same agents' rows in
    different orders and PostgreSQL broke the deadlocks only after deadlock_timeout.) With
    ``lease``, every transaction commits only while that lease is still ours (LeaseLost
    otherwise, and it writes nothing). ``route``: which way to try first, kept by an
    applier from batch to batch (see Route).
    """
    results: list[OpResult] = []
    fused = central.dialect == "postgresql" and claims_pg.enabled
    route = route if route is not None else Route()
    with _KeptStatements(central) as kept:
        while len(results) < limit:
            if fused and not route.general_first:
                # An agent's claim next (most of the queue) in one statement; anything else
                # goes on below, in its own transaction with the general rules.
                nxt = _next_claim(kept, lease)
                if nxt is not None and nxt.result is not None:
                    results.append(OpResult(nxt.op_id, "applied", "", nxt.result))
                    if not nxt.more:
                        break  # the queue was empty: one pushed since rings the bell
                    # A backlog: the claims behind it share one commit.
                    group, nxt = _claim_group(kept, lease, limit - len(results))
                    results += group
                    if nxt is _FULL:
                        continue
                if nxt is None:
                    break
                kept.release()  # the general path takes a connection of its own
                route.general_first = True
            taken = _apply_general(central, blobs, lease, results)
            if taken is None:
                break
            if operations.is_claim_next(taken.kind, taken.payload):
                route.general_first = False  # claims again: the one statement first
    return results


def _apply_general(
    central: Store,
    blobs: SqlBlobStore | None,
    lease: leases.LeaseHold | None,
    results: list[OpResult],
) -> opqueue.QueuedOp | None:
    """The oldest free pending operation, in its own transaction with the general rules;
    its outcome goes to ``results``. Returns it (None when none was free)."""
    claimed: opqueue.QueuedOp | None = None
    try:
        # The unpinged pool: a dropped connection fails the transaction (nothing was
        # applied) and the applier tries again a tick later.
        with central.hot_write() as session:
            if lease is not None:
                leases.check(session, lease)
            batch = opqueue.claim_pending_with_agents(session, 1)
            if not batch:
                return None
            # The agent, held here, stays in the session for the rules' look-up.
            claimed, _agent = batch[0]
            results.append(_apply_claimed(session, claimed, blobs))
        return claimed
    except Rejected as exc:
        reason = exc.reason
    except UserError as exc:
        reason = str(exc)
    except DBAPIError as exc:
        # All rolled back: the row is pending again for whoever tries next.
        if claimed is None or exc.connection_invalidated:
            raise
        if _transient(exc):
            log.warning("operation %s left pending: %s", claimed.op_id, _short(exc))
            return claimed
        log.exception("operation %s (%s) failed", claimed.op_id, claimed.kind)
        reason = f"The {claimed.kind} operation failed with an internal error (logged)."
    except leases.LeaseLost:
        raise
    except Exception:
        if claimed is None:
            raise
        # A bug in a rule must not stall the queue behind this operation forever.
        log.exception("operation %s (%s) failed", claimed.op_id, claimed.kind)
        reason = f"The {claimed.kind} operation failed with an internal error (logged)."
    # Whatever the rules began is rolled back; the refusal is recorded on its own.
    assert claimed is not None
    refused = _record_rejection(central, claimed.op_id, reason, lease)
    if refused is not None:
        results.append(refused)
    return claimed


_GENERAL = claims_pg.Next(uuid.UUID(int=0), None)
"""The next operation is for the general path (or the fused statement could not say)."""
_FULL = claims_pg.Next(uuid.UUID(int=1), None)
"""A group of claims ended at its size or time: more may be pending."""

GROUP_CLAIMS = 16
GROUP_S = 0.010


class _KeptStatements:
    """One autocommit connection kept across a batch's one-statement claims: a pool
    checkout and return for each claim cost the applier as much CPU as the claim's own
    execution. Given back before the general path takes a connection of its own (so an
    applier never holds two) and after an error."""

    def __init__(self, central: Store) -> None:
        self.central = central
        self._held = contextlib.ExitStack()
        self._conn: Connection | None = None

    def connection(self) -> Connection:
        if self._conn is None:
            self._conn = self._held.enter_context(self.central.queue_statements())
        return self._conn

    def release(self) -> None:
        self._conn = None
        self._held.close()

    def abandon(self) -> None:
        """Roll back a transaction begun on the kept connection, and give it back."""
        conn = self._conn
        if conn is not None and not conn.invalidated:
            with contextlib.suppress(DBAPIError):
                driver_row(conn, "ROLLBACK")
        self.release()

    def __enter__(self) -> _KeptStatements:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _next_claim(kept: _KeptStatements, lease: leases.LeaseHold | None) -> claims_pg.Next | None:
    """``claims_pg.apply_next_claim`` in autocommit; None when nothing is pending."""
    try:
        return claims_pg.apply_next_claim(kept.connection(), utcnow(), lease)
    except DBAPIError as exc:
        kept.release()  # dropped by the pool if the error broke it
        # One statement, so nothing was written. A dropped connection or a deadlock: the
        # general path below tries again (and raises what it cannot handle); any other
        # error is logged, and that path words it for the operation it concerns.
        if not (exc.connection_invalidated or _transient(exc)):
            log.warning("fused claim failed, using the general path: %s", _short(exc))
        return _GENERAL


def _claim_group(
    kept: _KeptStatements, lease: leases.LeaseHold | None, most: int
) -> tuple[list[OpResult], claims_pg.Next | None]:
    """After a claim applied in its own statement, the claims queued behind it in one
    transaction, up to ``most`` (and GROUP_CLAIMS, and GROUP_S): one commit for them all.
    Returns their results once committed, and how the group ended: None (nothing pending),
    _FULL (more may be), or the operation for the general path (_GENERAL: also after an
    error, every claim of the group rolled back and pending again)."""
    group: list[OpResult] = []
    ended: claims_pg.Next | None = _FULL
    deadline = time.monotonic() + GROUP_S
    conn = kept.connection()
    try:
        driver_row(conn, "BEGIN")
        while len(group) < min(most, GROUP_CLAIMS) and time.monotonic() < deadline:
            nxt = claims_pg.apply_next_claim(conn, utcnow(), lease)
            if nxt is None or nxt.result is None:
                ended = nxt
                break
            group.append(OpResult(nxt.op_id, "applied", "", nxt.result))
            if not nxt.more:
                ended = None
                break
        driver_row(conn, "COMMIT")
    except leases.LeaseLost:
        kept.abandon()
        raise
    except DBAPIError as exc:
        kept.abandon()
        if not (exc.connection_invalidated or _transient(exc)):
            log.warning("grouped claims failed, using the general path: %s", _short(exc))
        return [], _GENERAL
    return group, ended


def _apply_claimed(
    session: Session, queued: opqueue.QueuedOp, blobs: SqlBlobStore | None
) -> OpResult:
    """The rules and the applied record in the caller's transaction; raises when refused."""
    # Pushed rows carry the central agent id (resolved at push); none means refused.
    actor: str | uuid.UUID = uuid.UUID(queued.actor) if queued.actor else ""
    op = Operation(queued.kind, actor, queued.payload, queued.op_id)
    now = utcnow()
    claim_next = operations.is_claim_next(op.kind, op.payload)
    if actor and claim_next and session.get_bind().dialect.name == "postgresql":
        # The hot path: the same rule in one statement that also settles the pending row.
        conn = session.connection()
        fast = claims_pg.claim_next(conn, actor, op.op_id, op.payload, now, "settle")
        if fast is not None:
            return OpResult(op.op_id, "applied", "", fast)
    _actor, result, events = operations.run_rules(session, op, blobs=blobs)
    opqueue.record_outcome(session, op.op_id, "applied", "", result, now)
    operations.record_events(session, events, now)
    return OpResult(op.op_id, "applied", "", result)


def _record_rejection(
    central: Store, op_id: uuid.UUID, reason: str, lease: leases.LeaseHold | None
) -> OpResult | None:
    """Record the refusal, unless another applier settled the operation meanwhile."""
    with central.write() as session:
        if lease is not None:
            leases.check(session, lease)
        if not opqueue.claim_by_id(session, op_id):
            return None
        opqueue.record_outcome(session, op_id, "rejected", reason, {}, utcnow())
    return OpResult(op_id, "rejected", reason, {})


def _transient(exc: DBAPIError) -> bool:
    """Deadlock or serialisation failure: worth trying again as it is."""
    return getattr(exc.orig, "sqlstate", None) in ("40P01", "40001")


class Applier:
    """Applies the central queue until stopped; several may run, in threads or processes.

    With a ``keeper`` (the queue's lease) it applies only while holding the lease, and every
    operation's transaction is fenced by it.
    """

    def __init__(
        self,
        central: Store,
        *,
        blobs: SqlBlobStore | None = None,
        keeper: leases.LeaseKeeper | None = None,
        wake: Doorbell | None = None,
        batch: int = APPLY_BATCH,
        idle_wait_s: float = IDLE_WAIT_S,
    ) -> None:
        self.central = central
        self.blobs = blobs
        self.keeper = keeper
        self.wake = wake  # rung when an operation was queued (queue_wake.QueueWake)
        self.batch = batch
        self.idle_wait_s = idle_wait_s
        self.applied = 0
        self.rejected = 0
        self.errors = 0
        self.route = Route()  # kept from batch to batch: the kind of the last operation
        # In operation_waiters (PostgreSQL), so that pushes ring the bell: since when.
        self._waiter = new_id()
        self._listed_at: float | None = None
        self._held_open = False  # a push held open kept us off the list (logged once)

    def step(self) -> int:
        """One batch; how many operations it settled."""
        hold = None
        if self.keeper is not None:
            hold = self.keeper.hold
            if hold is None:
                return 0
        results = apply_batch(
            self.central, limit=self.batch, blobs=self.blobs, lease=hold, route=self.route
        )
        for result in results:
            if result.applied:
                self.applied += 1
            else:
                self.rejected += 1
        return len(results)

    def run(self, stop: threading.Event) -> None:
        try:
            self._run(stop)
        finally:
            self._leave_waiters()

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                done = self.step()
                if done >= self.batch:
                    if self.wake is not None:
                        self._leave_waiters()  # busy: desks' pushes need not ring
                        self.wake.ring()  # more than a batch waits: a hand more helps
                    continue
                if done and self.wake is None:
                    continue  # no notices: look again before the idle wait
                if self.wake is not None and self._enter_waiters():
                    continue  # pushes ring from now on; one more look for those before
                # Fewer than a batch: the batch stopped at an empty queue. An operation
                # pushed since rang the bell (a ring nobody heard is kept), so wait for it
                # rather than look at the queue once more for nothing.
            except leases.LeaseLost as exc:
                log.warning("operation queue: %s", exc)
            except DBAPIError as exc:
                self.errors += 1
                log.warning("operation queue: central database unreachable (%s)", _short(exc))
            except Exception:
                # A bug must not silently end the worker's applying: log it, go on.
                self.errors += 1
                log.exception("operation queue: applier failed")
            if self.keeper is not None and self.keeper.hold is None:
                self.keeper.held.wait(self.idle_wait_s)
            if self.wake is None:
                stop.wait(self.idle_wait_s)
            else:
                # A desk's push wakes one of us at once; the idle wait is the safety net.
                self.wake.wait(self.idle_wait_s)

    def _enter_waiters(self) -> bool:
        """Make sure pushes ring while we wait; True when the listing is new (or renewed),
        and the queue must be looked at once more before waiting (migration 0016)."""
        if self.central.dialect != "postgresql":
            return False
        now = time.monotonic()
        if self._listed_at is not None and now - self._listed_at < WAITER_HOLD_S / 2:
            return False
        with self.central.engine.connect() as conn:
            if not opqueue.enter_waiters(conn, self._waiter, WAITER_HOLD_S):
                if not self._held_open:  # once, not at every idle poll while it lasts
                    log.warning(
                        "operation queue: a transaction that queued an operation is held "
                        "open; looking at the queue every %g s until it ends",
                        self.idle_wait_s,
                    )
                self._held_open = True
                return False
        self._held_open = False
        self._listed_at = now
        return True

    def _leave_waiters(self) -> None:
        if self._listed_at is None:
            return
        self._listed_at = None
        try:
            with self.central.engine.connect() as conn:
                opqueue.leave_waiters(conn, self._waiter)
        except DBAPIError as exc:  # the listing lapses by itself (WAITER_HOLD_S)
            log.info("operation queue: could not leave the waiters (%s)", _short(exc))


def start_appliers(
    central: Store,
    stop: threading.Event,
    *,
    threads: int = 2,
    blobs: SqlBlobStore | None = None,
    lease_name: str | None = None,
    lease_ttl_s: float = leases.DEFAULT_TTL_S,
    idle_wait_s: float = IDLE_WAIT_S,
) -> list[threading.Thread]:
    """The worker's hook: ``threads`` appliers (and the queue's lease keeper, if named).

    On PostgreSQL one LISTEN connection wakes them when desks push (app/services/
    queue_wake.py), so an operation waits milliseconds, not the idle poll, to be applied.
    """
    started: list[threading.Thread] = []
    keeper = None
    if lease_name is not None:
        keeper = leases.LeaseKeeper(central.engine, lease_name, ttl_s=lease_ttl_s)
        started.append(keeper.start(stop))
    wake = None
    if central.dialect == "postgresql":
        listener = QueueWake(central.engine)
        started.append(listener.start(stop))
        wake = listener.bell
    for n in range(threads):
        # One bell for all: a notice wakes one waiting applier; a busy one looks at the
        # queue again anyway before it waits, and rings for help past a full batch.
        applier = Applier(central, blobs=blobs, keeper=keeper, wake=wake, idle_wait_s=idle_wait_s)
        thread = threading.Thread(target=applier.run, args=(stop,), daemon=True, name=f"apply-{n}")
        thread.start()
        started.append(thread)
    return started
