"""Named operations: the one entry point through which agents and supervisors change things.

``apply(store, Operation(...))`` runs the operation's handler in one write transaction,
records it under its idempotency id with its outcome, and writes an audit event for what it
changed. Applying the same id again returns the recorded result without doing anything, so a
client may resend after a timeout, and team mode can carry the same operations to the
central database unchanged.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from sqlalchemy import (
    ColumnElement,
    Insert,
    Select,
    Table,
    Uuid,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    true,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from app.errors import UserError
from app.services import claims_pg, timers
from app.services.accounts import find_account, find_project
from app.services.agents import (
    can_work_on,
    find_agent,
    find_queue,
    member_of,
    memberships,
    not_held_by_others,
)
from app.services.tickets import allocate_ticket_number, recompute_ticket_facts
from app.settings import Scope, apply_to_row, set_value
from storage.blobs import SqlBlobStore
from storage.engine import CHANGE_SEQUENCE, CURRENT_XID, Store, allocate_change_seqs
from storage.ids import new_id
from storage.models import (
    Agent,
    AgentStateSpan,
    Disposition,
    EmailAccount,
    Event,
    Interaction,
    InteractionTag,
    Note,
    Project,
    Tag,
    Ticket,
    TicketType,
    claim_order,
    utcnow,
)
from storage.models import Operation as OperationRow

Status = Literal["applied", "rejected"]
AGENT_STATES = ("logged_out", "available", "paused", "in_email")
# Agents choose these; "in_email" follows from holding interactions.
CHOOSABLE_STATES = ("logged_out", "available", "paused")
DISPOSING = "Disposing"


@dataclass(frozen=True)
class Operation:
    """A change asked for by an agent or supervisor (``actor``: name or id)."""

    kind: str
    actor: str | uuid.UUID
    payload: dict[str, Any] = field(default_factory=dict)
    op_id: uuid.UUID = field(default_factory=new_id)


@dataclass(frozen=True)
class OpResult:
    op_id: uuid.UUID
    status: Status
    reason: str
    result: dict[str, Any]

    @property
    def applied(self) -> bool:
        return self.status == "applied"

    def as_json(self) -> dict[str, Any]:
        return {
            "op_id": str(self.op_id),
            "status": self.status,
            "reason": self.reason,
            "result": self.result,
        }


class Rejected(Exception):
    """A rule or permission refused the operation; ``reason`` is shown to the person.

    A UserError raised inside a handler (an unknown name, say) counts as a rejection too.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class OpContext:
    """What a handler works with: the transaction, the acting agent and the events to write."""

    session: Session
    actor: Agent
    op: Operation
    events: list[dict[str, Any]] = field(default_factory=list)
    blobs: SqlBlobStore | None = None

    def blob_store(self) -> SqlBlobStore:
        if self.blobs is None:
            raise Rejected(f"The {self.op.kind} operation needs the message store.")
        return self.blobs

    @property
    def supervisor(self) -> bool:
        return self.actor.role == "supervisor"

    def event(
        self,
        kind: str,
        *,
        interaction: uuid.UUID | None = None,
        ticket: uuid.UUID | None = None,
        **data: Any,
    ) -> None:
        self.events.append(
            {
                "id": new_id(),
                "kind": kind,
                "actor_id": self.actor.id,
                "interaction_id": interaction,
                "ticket_id": ticket,
                "data": {"op": str(self.op.op_id), **_jsonable(data)},
            }
        )


Handler = Callable[[OpContext, dict[str, Any]], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


# Modules that register more operations with @handler; imported on first use, because they
# build on this one (replies need the outbox, which needs the blob store).
_EXTENSIONS = (
    "app.services.replies",
    "app.services.contact_ops",
    "app.services.action_plans",
    "app.services.staffing",
    "app.services.content",
    "app.services.project_admin",
    "app.services.interaction_admin",
    "app.services.contact_io",
    "app.services.saved_searches",
)


@functools.cache
def _load_extensions() -> None:
    # Once per process: this runs before every operation's rules.
    for module in _EXTENSIONS:
        importlib.import_module(module)


def kinds() -> list[str]:
    _load_extensions()
    return sorted(_HANDLERS)


def apply(store: Store, op: Operation, *, blobs: SqlBlobStore | None = None) -> OpResult:
    """Apply ``op`` once: applied with a result, or rejected with a reason; never half-done.

    No look-up of the id first: the operations row is inserted last and its id is the
    primary key, so a repeat fails there, rolls back whatever the handler did, and gets the
    recorded outcome. That keeps the hot path (claims) one round trip shorter.
    """
    try:
        fast = _fast_claim(store, op)
    except IntegrityError:
        fast = _repeat(store, op.op_id)
    if fast is not None:
        return fast
    try:
        with store.write() as session:
            actor, result, events = run_rules(session, op, blobs=blobs)
            now = utcnow()
            record = {
                "id": op.op_id,
                "kind": op.kind,
                "actor_id": actor.id,
                "payload": _jsonable(op.payload),
                "status": "applied",
                "reason": "",
                "result": result,
                "created_at": now,
                "applied_at": now,
            }
            _insert_stamped(session, OperationRow, [record])
            record_events(session, events, now)
            return OpResult(op.op_id, "applied", "", result)
    except Rejected as exc:
        return _reject(store, op, exc.reason)
    except UserError as exc:
        # A service refused inside the handler (unknown name, exhausted counter): same thing.
        return _reject(store, op, str(exc))
    except IntegrityError:
        # Applied before, or concurrently (the id is the primary key): that outcome counts.
        return _repeat(store, op.op_id)


def _repeat(store: Store, op_id: uuid.UUID) -> OpResult:
    """The recorded outcome of an operation whose id was already taken (inside ``except``)."""
    with store.read() as session:
        done = _recorded(session, op_id)
    if done is None:
        raise  # the IntegrityError being handled: not a repeat after all
    return done


def is_claim_next(kind: str, payload: Mapping[str, Any]) -> bool:
    """A claim of the oldest free interaction (no interaction named)."""
    return kind == "claim" and payload.get("interaction") is None


def _fast_claim(store: Store, op: Operation) -> OpResult | None:
    """PostgreSQL's claim-next in one statement (app/services/claims_pg.py), or None."""
    if store.dialect != "postgresql" or not is_claim_next(op.kind, op.payload):
        return None
    for attempt in (1, 2):
        try:
            with store.statements() as conn:
                result = claims_pg.claim_next(
                    conn, op.actor, op.op_id, _jsonable(op.payload), utcnow(), "insert"
                )
            if result:
                # The statement's commit was quiet (see Store.statements): announce it now.
                store.announce(*claims_pg.CHANGED_TABLES)
            return None if result is None else OpResult(op.op_id, "applied", "", result)
        except DBAPIError as exc:
            # A dropped pooled connection (no ping before use): once more on a new one. If
            # the first try did commit, the repeat fails on the op id and reads that outcome.
            if attempt == 2 or not exc.connection_invalidated:
                raise
    return None


def run_rules(
    session: Session, op: Operation, *, blobs: SqlBlobStore | None = None
) -> tuple[Agent, dict[str, Any], list[dict[str, Any]]]:
    """The operation's rules inside the caller's transaction: actor, result, audit events.

    Raises Rejected (or a UserError) when refused. Recording the outcome is the caller's:
    ``apply`` inserts the operations row; team mode's queue (app/services/push.py) updates
    the pending row a desk pushed. One implementation of the rules for both.
    """
    _load_extensions()
    actor = _actor(session, op.actor)
    run = _HANDLERS.get(op.kind)
    if run is None:
        raise Rejected(f"There is no operation called {op.kind!r}.")
    ctx = OpContext(session, actor, op, blobs=blobs)
    result = _jsonable(run(ctx, dict(op.payload)))
    session.flush()
    return actor, result, ctx.events


def record_events(session: Session, events: list[dict[str, Any]], at: dt.datetime) -> None:
    """Write the audit events ``run_rules`` collected."""
    _insert_stamped(session, Event, [{**e, "at": at} for e in events])


@functools.cache
def _stamped_insert(table: Table) -> Insert:
    """A table's insert with its change marker from the sequence and the transaction's id,
    built once (PostgreSQL)."""
    return insert(table).values(
        change_seq=func.nextval(CHANGE_SEQUENCE), change_xid=literal_column(CURRENT_XID)
    )


def _insert_stamped(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Core inserts with change markers (the flush hook only stamps ORM objects)."""
    if not rows:
        return
    table = model.__table__
    rows = [{"deleted_at": None, **r} for r in rows]
    if session.get_bind().dialect.name == "postgresql":
        # The sequence inline: no extra round trip to reserve markers first. On the
        # session's connection, past the ORM's bulk machinery, which these rows do not need.
        session.connection().execute(_stamped_insert(table), rows[0] if len(rows) == 1 else rows)
        return
    seqs = allocate_change_seqs(session.connection(), len(rows))
    session.execute(
        insert(table), [{**r, "change_seq": seq} for r, seq in zip(rows, seqs, strict=True)]
    )


def apply_or_raise(
    store: Store, op: Operation, *, blobs: SqlBlobStore | None = None
) -> dict[str, Any]:
    """For the CLI: the result, or the rejection as a one-line UserError."""
    outcome = apply(store, op, blobs=blobs)
    if not outcome.applied:
        raise UserError(outcome.reason)
    return outcome.result


def _recorded(session: Session, op_id: uuid.UUID) -> OpResult | None:
    row = session.execute(
        select(OperationRow.status, OperationRow.reason, OperationRow.result).where(
            OperationRow.id == op_id
        )
    ).first()
    if row is None:
        return None
    status: Status = "applied" if row.status == "applied" else "rejected"
    return OpResult(op_id, status, row.reason, row.result or {})


def _reject(store: Store, op: Operation, reason: str) -> OpResult:
    """Record the refusal in its own transaction: whatever the handler began is rolled back."""
    try:
        with store.write() as session:
            done = _recorded(session, op.op_id)
            if done is not None:
                return done
            try:
                actor_id: uuid.UUID | None = _actor(session, op.actor).id
            except Rejected:
                actor_id = None
            session.add(
                OperationRow(
                    id=op.op_id,
                    kind=op.kind[:32],
                    actor_id=actor_id,
                    payload=_jsonable(op.payload),
                    status="rejected",
                    reason=reason,
                    result={},
                )
            )
    except IntegrityError:
        with store.read() as session:
            done = _recorded(session, op.op_id)
        if done is None:
            raise
        return done
    return OpResult(op.op_id, "rejected", reason, {})


def _actor(session: Session, actor: str | uuid.UUID) -> Agent:
    try:
        return find_agent(session, actor)
    except UserError as exc:
        raise Rejected(str(exc)) from None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


# --- shared rules -----------------------------------------------------------------------------


def _uuid(payload: dict[str, Any], key: str, what: str) -> uuid.UUID:
    raw = payload.get(key)
    if raw is None:
        raise Rejected(f"Say which {what} (payload key {key!r}).")
    try:
        return raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))
    except ValueError:
        raise Rejected(f"{raw!r} is not an {what} id.") from None


@functools.cache
def _lock_query(supervisor: bool, visible: bool) -> Select[Any]:
    """The read of ``_lock_interaction``, built once per kind of actor: building it again for
    every operation (with the actor's id inside) cost the applier as much CPU as its
    execution. ``visible``: also whether the interaction is on the actor's list."""
    actor = bindparam("lock_actor_id", type_=Uuid)
    works = true() if supervisor else member_of(actor)
    columns: list[ColumnElement[bool]] = [works]
    if visible:
        columns.append(true() if supervisor else not_held_by_others(actor))
    query: Select[Any] = select(Interaction).add_columns(*columns)
    return (
        query.where(
            Interaction.id == bindparam("lock_interaction_id", type_=Uuid),
            Interaction.deleted_at.is_(None),
        )
        .with_for_update(of=Interaction)
        .execution_options(populate_existing=True)
    )


def _lock_interaction(
    ctx: OpContext, payload: dict[str, Any], *, visible: bool = False
) -> tuple[Interaction, bool]:
    """The addressed interaction, row-locked until commit (PostgreSQL; SQLite holds the db),
    if the actor works on it; with ``visible``, whether it is on the actor's list (True
    otherwise). One query: both are columns of the same read."""
    interaction_id = _uuid(payload, "interaction", "interaction")
    row = ctx.session.execute(
        _lock_query(ctx.supervisor, visible),
        {"lock_actor_id": ctx.actor.id, "lock_interaction_id": interaction_id},
    ).first()
    if row is None:
        raise Rejected(f"There is no interaction {interaction_id}.")
    if not row[1]:
        raise Rejected("You do not work on this interaction's account and queue.")
    return row[0], bool(row[2]) if visible else True


def _agent_name(session: Session, agent_id: uuid.UUID) -> str:
    return session.execute(select(Agent.name).where(Agent.id == agent_id)).scalar_one()


def _taken(ctx: OpContext, interaction: Interaction) -> Rejected:
    assert interaction.claimed_by_id is not None
    return Rejected(f"Already taken by {_agent_name(ctx.session, interaction.claimed_by_id)}.")


def _check_fence(interaction: Interaction, payload: dict[str, Any]) -> None:
    fence = payload.get("fence")
    if fence is not None and int(fence) != interaction.claim_fence:
        raise Rejected(
            "This interaction changed hands since you accepted it "
            f"(claim {fence}, now {interaction.claim_fence}); reload it."
        )


def _held(ctx: OpContext, payload: dict[str, Any], *, open_only: bool = True) -> Interaction:
    """The interaction, if the actor holds it (or is a supervisor) and the fence matches."""
    interaction, _ = _lock_interaction(ctx, payload)
    if open_only and interaction.status != "open":
        raise Rejected("This interaction is closed.")
    if not ctx.supervisor and interaction.claimed_by_id != ctx.actor.id:
        if interaction.claimed_by_id is not None:
            raise _taken(ctx, interaction)
        raise Rejected("Accept this interaction first.")
    _check_fence(interaction, payload)
    return interaction


def held_interaction(ctx: OpContext, payload: dict[str, Any]) -> Interaction:
    """For operations registered elsewhere: the interaction the actor holds (fence checked)."""
    return _held(ctx, payload)


def _seen(ctx: OpContext, payload: dict[str, Any]) -> Interaction:
    """The interaction, if it is on the actor's list (tags, notes, read state)."""
    interaction, visible = _lock_interaction(ctx, payload, visible=True)
    if not visible:
        raise _taken(ctx, interaction)
    return interaction


def _account(session: Session, interaction: Interaction) -> EmailAccount:
    account = session.get(EmailAccount, interaction.account_id)
    assert account is not None
    return account


def set_agent_state(ctx: OpContext, agent: Agent, state: str, reason: str = "") -> bool:
    """Move ``agent`` to ``state``, closing the open time span; False if nothing changed."""
    if agent.state == state and agent.state_reason == reason:
        return False
    now = utcnow()
    span = ctx.session.execute(
        select(AgentStateSpan).where(
            AgentStateSpan.agent_id == agent.id, AgentStateSpan.ended_at.is_(None)
        )
    ).scalar()
    if span is not None:
        span.ended_at = now
    ctx.session.add(AgentStateSpan(agent_id=agent.id, state=state, reason=reason, started_at=now))
    ctx.event("agent.state", agent=agent.name, old=agent.state, state=state, reason=reason)
    agent.state, agent.state_reason, agent.state_since = state, reason, now
    return True


def _after_letting_go(ctx: OpContext, agent_id: uuid.UUID | None) -> None:
    """An agent who no longer holds any open interaction is available again."""
    if agent_id is None:
        return
    agent = ctx.session.get(Agent, agent_id)
    assert agent is not None
    ctx.session.flush()
    holding = ctx.session.execute(
        select(func.count())
        .select_from(Interaction)
        .where(Interaction.claimed_by_id == agent_id, Interaction.status == "open")
    ).scalar_one()
    paused_disposing = agent.state == "paused" and agent.state_reason == DISPOSING
    if paused_disposing or (agent.state == "in_email" and holding == 0):
        set_agent_state(ctx, agent, "in_email" if holding else "available")


def _take(ctx: OpContext, interaction: Interaction, agent: Agent) -> None:
    interaction.claimed_by_id = agent.id
    interaction.claimed_at = utcnow()
    interaction.claim_fence += 1
    if agent.state != "in_email":
        set_agent_state(ctx, agent, "in_email")


# --- claiming ---------------------------------------------------------------------------------


@handler("claim")
def _claim(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Accept a named interaction, or with no interaction named the oldest one available."""
    if payload.get("interaction") is None:
        return _claim_next(ctx)
    interaction, _ = _lock_interaction(ctx, payload)
    if interaction.status != "open":
        raise Rejected("This interaction is closed.")
    if interaction.claimed_by_id == ctx.actor.id:
        return {"id": interaction.id, "fence": interaction.claim_fence}
    if interaction.claimed_by_id is not None:
        raise _taken(ctx, interaction)
    _take(ctx, interaction, ctx.actor)
    ctx.event("claim", interaction=interaction.id, fence=interaction.claim_fence)
    return {"id": interaction.id, "fence": interaction.claim_fence}


def _claim_next(ctx: OpContext) -> dict[str, Any]:
    # An explicit request for work: the agent is available from now on, work or not.
    if ctx.actor.state == "logged_out":
        set_agent_state(ctx, ctx.actor, "available")
    where: list[ColumnElement[bool]] = [
        Interaction.claimed_by_id.is_(None),
        Interaction.status == "open",
        Interaction.deleted_at.is_(None),
    ]
    if not ctx.supervisor:
        queue_ids, account_ids = memberships(ctx.session, ctx.actor)
        if not queue_ids or not account_ids:
            return {}
        # Literal ids, not subqueries: with them PostgreSQL walks a queue's free rows in
        # claim order and stops at the first; a semi-join sorts them all.
        where += [Interaction.queue_id.in_(queue_ids), Interaction.account_id.in_(account_ids)]
    # On PostgreSQL, in the order that only ix_interactions_claim_order gives (see
    # storage.models.CLAIM_ORDER_INDEX); SQLite walks ix_interactions_unclaimed.
    order = Interaction.created_at
    if ctx.session.get_bind().dialect.name == "postgresql":
        order = claim_order(Interaction.created_at)
    # SKIP LOCKED: concurrent claimers each take a different row instead of queueing on one.
    # SQLite renders no FOR UPDATE; its BEGIN IMMEDIATE already made us the only writer.
    pick = (
        select(Interaction.id)
        .where(*where)
        .order_by(order)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    table = cast(
        Table, Interaction.__table__
    )  # Core: the ORM bulk-update path costs more than the SQL
    claimed = ctx.session.execute(
        update(table)
        .where(table.c.id == pick)
        .values(
            claimed_by_id=ctx.actor.id,
            claimed_at=utcnow(),
            claim_fence=table.c.claim_fence + 1,
            change_seq=_next_change_seq(ctx.session),
        )
        .returning(table.c.id, table.c.claim_fence)
    ).first()
    if claimed is None:
        return {}
    if ctx.actor.state != "in_email":
        set_agent_state(ctx, ctx.actor, "in_email")
    ctx.event("claim", interaction=claimed.id, fence=claimed.claim_fence)
    return {"id": claimed.id, "fence": claimed.claim_fence}


def _next_change_seq(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.nextval(CHANGE_SEQUENCE)
    return allocate_change_seqs(session.connection(), 1)[0]


@handler("release")
def _release(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    interaction = _held(ctx, payload)
    holder = interaction.claimed_by_id
    if holder is None:
        return {"id": interaction.id, "fence": interaction.claim_fence}
    interaction.claimed_by_id = None
    interaction.claimed_at = None
    interaction.claim_fence += 1
    _after_letting_go(ctx, holder)
    ctx.event("release", interaction=interaction.id, fence=interaction.claim_fence)
    return {"id": interaction.id, "fence": interaction.claim_fence}


@handler("transfer")
def _transfer(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Hand the interaction to a named agent or put it back in a (possibly other) queue."""
    interaction = _held(ctx, payload)
    account = _account(ctx.session, interaction)
    to_agent, to_queue = payload.get("to_agent"), payload.get("to_queue")
    if (to_agent is None) == (to_queue is None):
        raise Rejected("Transfer to an agent or to a queue (one of them).")
    holder = interaction.claimed_by_id
    if to_agent is not None:
        if not account.transfer_to_agent:
            raise Rejected(f"Transfers to agents are off for account {account.name}.")
        target = find_agent(ctx.session, to_agent)
        if target.id == holder:
            raise Rejected(f"{target.name} already holds this interaction.")
        if not can_work_on(ctx.session, target, interaction):
            raise Rejected(f"{target.name} does not work on this account and queue.")
        interaction.claim_fence += 1
        interaction.claimed_by_id = target.id
        interaction.claimed_at = utcnow()
        if target.state == "available":
            set_agent_state(ctx, target, "in_email")
        detail: dict[str, Any] = {"to_agent": target.name}
    else:
        if not account.transfer_to_queue:
            raise Rejected(f"Transfers to queues are off for account {account.name}.")
        queue = find_queue(ctx.session, str(to_queue))
        if queue.project_id != interaction.project_id:
            raise Rejected(f"Queue {queue.name} belongs to another project.")
        interaction.queue_id = queue.id
        interaction.claimed_by_id = None
        interaction.claimed_at = None
        interaction.claim_fence += 1
        detail = {"to_queue": queue.name}
    _after_letting_go(ctx, holder)
    # Not accepted within the account's timeout, it returns to the sender as unread.
    timeout = account.transfer_to_agent_timeout if to_agent else account.transfer_to_queue_timeout
    interaction.unread = True
    timers.schedule(
        ctx.session,
        "transfer_timeout",
        utcnow() + dt.timedelta(seconds=timeout),
        interaction_id=interaction.id,
        payload={
            "from": str(holder) if holder else None,
            "fence": interaction.claim_fence,
            "to": "agent" if to_agent is not None else "queue",
        },
    )
    ctx.event("transfer", interaction=interaction.id, fence=interaction.claim_fence, **detail)
    return {"id": interaction.id, "fence": interaction.claim_fence, **detail}


# --- disposing and closing --------------------------------------------------------------------


def _disposition(session: Session, account: EmailAccount, name: str) -> Disposition:
    """A disposition of this account, or a global one; the account's own wins a name clash."""
    rows = session.execute(
        select(Disposition).where(
            Disposition.name == name,
            Disposition.active.is_(True),
            Disposition.deleted_at.is_(None),
            (Disposition.account_id == account.id) | Disposition.account_id.is_(None),
        )
    ).scalars()
    found = sorted(rows, key=lambda d: d.account_id is None)
    if not found:
        raise Rejected(f"There is no disposition {name!r} for account {account.name}.")
    return found[0]


@handler("start_disposing")
def _start_disposing(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """The agent opens the disposition chooser: paused meanwhile, if the account says so."""
    interaction = _held(ctx, payload)
    account = _account(ctx.session, interaction)
    paused = False
    holder_id = interaction.claimed_by_id
    holder = ctx.session.get(Agent, holder_id) if holder_id else None
    if account.pause_while_disposing and holder is not None:
        paused = set_agent_state(ctx, holder, "paused", DISPOSING)
    return {"id": interaction.id, "paused": paused}


@handler("dispose")
def _dispose(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    interaction = _held(ctx, payload)
    disposition = _disposition(
        ctx.session, _account(ctx.session, interaction), str(payload.get("disposition", ""))
    )
    result: dict[str, Any] = {"id": interaction.id, "disposition": disposition.name}
    if interaction.disposition_id != disposition.id:
        interaction.disposition_id = disposition.id
        ctx.event("dispose", interaction=interaction.id, disposition=disposition.name)
        if disposition.template_id is not None:
            # The disposition's email to the customer (VCC "disposition emails").
            from app.services.replies import disposition_email

            message = disposition_email(ctx, interaction, disposition.template_id)
            if message is not None:
                result["message"] = message
    return result


@handler("close")
def _close(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    interaction = _held(ctx, payload)
    account = _account(ctx.session, interaction)
    name = payload.get("disposition")
    if name:
        interaction.disposition_id = _disposition(ctx.session, account, str(name)).id
    if account.mandatory_disposition and interaction.disposition_id is None:
        raise Rejected(f"Choose a disposition first: account {account.name} requires one.")
    interaction.status = "closed"
    interaction.closed_at = utcnow()
    interaction.closed_by_id = ctx.actor.id
    _after_letting_go(ctx, interaction.claimed_by_id)
    ctx.event(
        "close",
        interaction=interaction.id,
        ticket=interaction.ticket_id,
        disposition=str(name) if name else None,
    )
    return {"id": interaction.id, "status": "closed"}


# --- tickets ----------------------------------------------------------------------------------


def _ticket_type(session: Session, project_id: uuid.UUID, name: str) -> TicketType:
    kind = session.execute(
        select(TicketType).where(
            TicketType.project_id == project_id,
            TicketType.deleted_at.is_(None),
            (TicketType.label == name) | (TicketType.export_value == name),
        )
    ).scalar()
    if kind is None:
        raise Rejected(f"There is no ticket type {name!r} in this project.")
    return kind


def _may_handle(ctx: OpContext, ticket: Ticket) -> None:
    if ctx.supervisor or ticket.responsible_id in (None, ctx.actor.id):
        return
    project = ctx.session.get(Project, ticket.project_id)
    assert project is not None
    if not project.shared_ticket_handling:
        raise Rejected(f"Ticket {ticket.number} belongs to another agent.")


def _find_ticket(ctx: OpContext, number: str, project_id: uuid.UUID | None = None) -> Ticket:
    ticket = ctx.session.execute(
        select(Ticket).where(Ticket.number == number, Ticket.deleted_at.is_(None))
    ).scalar()
    if ticket is None or (project_id is not None and ticket.project_id != project_id):
        raise Rejected(f"There is no ticket {number!r} in this project.")
    _may_handle(ctx, ticket)
    return ticket


@handler("assign_ticket")
def _assign_ticket(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Put the interaction on a new ticket (``new``) or an existing one (``ticket``)."""
    interaction = _held(ctx, payload, open_only=False)
    new, number = bool(payload.get("new")), payload.get("ticket")
    if new == (number is not None):
        raise Rejected("Assign to a new ticket or to an existing one (one of them).")
    previous = interaction.ticket_id
    if new:
        project = ctx.session.get(Project, interaction.project_id)
        assert project is not None
        kind = payload.get("type")
        type_id = _ticket_type(ctx.session, project.id, str(kind)).id if kind else None
        now = utcnow()
        ticket = Ticket(
            project_id=project.id,
            number=allocate_ticket_number(ctx.session, project, now),
            type_id=type_id,
            title=str(payload.get("title") or interaction.subject),
            responsible_id=ctx.actor.id,
            created_at=now,
        )
        ctx.session.add(ticket)
        ctx.session.flush()
        ctx.event("ticket.create", ticket=ticket.id, number=ticket.number)
    else:
        ticket = _find_ticket(ctx, str(number), interaction.project_id)
        if ticket.id == previous:
            return {"ticket": ticket.number, "ticket_id": ticket.id, "new": False}
    interaction.ticket_id = ticket.id
    recompute_ticket_facts(ctx.session, ticket.id)
    if previous is not None:
        recompute_ticket_facts(ctx.session, previous)
    ctx.event("ticket.assign", interaction=interaction.id, ticket=ticket.id, number=ticket.number)
    return {"ticket": ticket.number, "ticket_id": ticket.id, "new": new}


@handler("update_ticket")
def _update_ticket(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Edit a ticket's title, type or responsible agent."""
    ticket = _find_ticket(ctx, str(payload.get("ticket", "")))
    changed: dict[str, Any] = {}
    if "title" in payload:
        title = str(payload["title"]).strip()
        if not title:
            raise Rejected("A ticket title cannot be empty.")
        ticket.title = changed["title"] = title
    if "type" in payload:
        kind = payload["type"]
        kind_row = _ticket_type(ctx.session, ticket.project_id, str(kind)) if kind else None
        ticket.type_id = kind_row.id if kind_row else None
        changed["type"] = kind
    if "responsible" in payload:
        name = payload["responsible"]
        ticket.responsible_id = find_agent(ctx.session, name).id if name else None
        changed["responsible"] = name
    if changed:
        ctx.event("ticket.update", ticket=ticket.id, **changed)
    return {"ticket": ticket.number, **changed}


# --- tags, notes, read state ------------------------------------------------------------------


def _tag_name(payload: dict[str, Any]) -> str:
    name = str(payload.get("tag", "")).strip()
    if not name or len(name) > 100:
        raise Rejected("A tag needs a name of at most 100 characters.")
    return name


@handler("tag")
def _tag(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    interaction = _seen(ctx, payload)
    name = _tag_name(payload)
    tag = ctx.session.execute(select(Tag).where(Tag.name == name)).scalar()
    if tag is None:
        tag = Tag(name=name)
        ctx.session.add(tag)
        ctx.session.flush()
    tag.deleted_at = None
    link = ctx.session.execute(
        select(InteractionTag).where(
            InteractionTag.interaction_id == interaction.id, InteractionTag.tag_id == tag.id
        )
    ).scalar()
    if link is None:
        ctx.session.add(InteractionTag(interaction_id=interaction.id, tag_id=tag.id))
    elif link.deleted_at is not None:
        link.deleted_at = None  # tombstones keep the row; tagging again revives it
    else:
        return {"id": interaction.id, "tag": name}
    ctx.event("tag", interaction=interaction.id, tag=name)
    return {"id": interaction.id, "tag": name}


@handler("untag")
def _untag(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    interaction = _seen(ctx, payload)
    name = _tag_name(payload)
    link = ctx.session.execute(
        select(InteractionTag)
        .join(Tag, Tag.id == InteractionTag.tag_id)
        .where(
            InteractionTag.interaction_id == interaction.id,
            Tag.name == name,
            InteractionTag.deleted_at.is_(None),
        )
    ).scalar()
    if link is not None:
        link.deleted_at = utcnow()
        ctx.event("untag", interaction=interaction.id, tag=name)
    return {"id": interaction.id, "tag": name}


@handler("note")
def _note(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """An internal note: stored with the interaction, never sent to the customer."""
    interaction = _seen(ctx, payload)
    body = str(payload.get("body", "")).strip()
    if not body:
        raise Rejected("A note cannot be empty.")
    # A Core insert, not an ORM object and a flush: the worker applies notes all day.
    note_id = new_id()
    row = {"id": note_id, "interaction_id": interaction.id, "agent_id": ctx.actor.id}
    _insert_stamped(ctx.session, Note, [{**row, "body": body, "created_at": utcnow()}])
    ctx.event("note", interaction=interaction.id, note=note_id)
    return {"id": interaction.id, "note": note_id}


@handler("mark_unread")
def _mark_unread(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    interaction = _seen(ctx, payload)
    unread = bool(payload.get("unread", True))
    account = _account(ctx.session, interaction)
    # Reading always counts; making it unread again is the account's "mark as unread".
    if unread and not interaction.unread and not account.mark_as_unread and not ctx.supervisor:
        raise Rejected(f"Marking as unread is off for account {account.name}.")
    if interaction.unread != unread:
        interaction.unread = unread
        ctx.event("mark_unread", interaction=interaction.id, unread=unread)
    return {"id": interaction.id, "unread": unread}


@handler("change_preferred")
def _change_preferred(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Hand an interaction to a named agent (the project's "change preferred user")."""
    interaction = _held(ctx, payload)
    project = ctx.session.get(Project, interaction.project_id)
    if project is None or not project.change_preferred_user:
        raise Rejected("Changing the preferred agent is off for this project.")
    target = find_agent(ctx.session, str(payload.get("agent", "")))
    if not can_work_on(ctx.session, target, interaction):
        raise Rejected(f"{target.name} does not work on this account and queue.")
    holder = interaction.claimed_by_id
    interaction.preferred_agent_id = target.id
    interaction.claimed_by_id = target.id
    interaction.claimed_at = utcnow()
    interaction.claim_fence += 1
    interaction.unread = True
    _after_letting_go(ctx, holder)
    ctx.event("change_preferred", interaction=interaction.id, agent=target.name)
    return {"id": interaction.id, "fence": interaction.claim_fence, "agent": target.name}


# --- agents and settings ----------------------------------------------------------------------


@handler("set_state")
def _set_state(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """An agent changes their own state; a supervisor may change anyone's."""
    agent = ctx.actor
    if payload.get("agent") is not None:
        agent = find_agent(ctx.session, payload["agent"])
        if agent.id != ctx.actor.id and not ctx.supervisor:
            raise Rejected("Only a supervisor may change another agent's state.")
    state = str(payload.get("state", ""))
    if state not in CHOOSABLE_STATES:
        raise Rejected(f"State must be one of {', '.join(CHOOSABLE_STATES)} (got {state!r}).")
    reason = str(payload.get("reason", "")).strip()[:200] if state == "paused" else ""
    set_agent_state(ctx, agent, state, reason)
    return {"agent": agent.name, "state": state, "reason": reason}


@handler("change_setting")
def _change_setting(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Supervisors change global, project and account settings (validated by the registry)."""
    if not ctx.supervisor:
        raise Rejected("Only a supervisor may change settings.")
    key = str(payload.get("key", ""))
    project, account = payload.get("project"), payload.get("account")
    scope: Scope = "project" if project else "account" if account else "global"
    # The registry's refusals (UserError) come back as the rejection's reason.
    if scope == "global":
        value = set_value(ctx.session, "global", key, payload.get("value"))
        target = "global"
    else:
        row: Project | EmailAccount = (
            find_project(ctx.session, str(project))
            if project
            else find_account(ctx.session, str(account))
        )
        apply_to_row(row, scope, {key: payload.get("value")})
        value, target = getattr(row, key), str(row.id)
    ctx.event("setting.change", scope=scope, target=target, key=key, value=value)
    return {"key": key, "value": value, "scope": scope}
