"""The "claim next" rule in one PostgreSQL statement: the hot path of a contact center.

``operations._claim_next`` states the rule once for every database: take the oldest open,
unclaimed interaction of the agent's queues and accounts (any, for a supervisor), bump its
fence, record the claim event. Through the ORM that costs a dozen round trips and ~3 ms of
Python per claim. On PostgreSQL, when the agent is already in email status (nothing else to
change: the common case once an agent works), the same rule runs here as one statement
whose CTEs read the agent and their memberships, lock the oldest free row of their queues
(SKIP LOCKED, walking the partial index of unclaimed rows per queue), update it, insert the
audit event and record the operation, atomically. A supervisor's claim takes one read more.

Anything else (an unknown agent, another state, no memberships) returns None and the caller
runs the general rule, which also words the refusals. tests/app/test_claims_pg.py holds the
two paths to the same rows.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql

from storage import opqueue
from storage.engine import CHANGE_SEQUENCE, CURRENT_XID, driver_row
from storage.ids import new_id
from storage.leases import LeaseHold, LeaseLost

Record = Literal["insert", "settle"]

# What a claim writes that desks pull: named to ``Store.announce`` after a quiet commit.
CHANGED_TABLES = ("interactions", "events")

# bench/claims.py switches this off to measure the general rule beside it in one run.
enabled = True

_ACTOR = """
SELECT a.id, a.role, a.state,
       ARRAY(SELECT q.queue_id FROM agent_queues q
             WHERE q.agent_id = a.id AND q.deleted_at IS NULL),
       ARRAY(SELECT c.account_id FROM agent_accounts c
             WHERE c.agent_id = a.id AND c.deleted_at IS NULL)
FROM agents a
WHERE a.{key} = %(actor)s AND a.deleted_at IS NULL
"""

_RESULT = (
    "COALESCE((SELECT json_build_object('id', id, 'fence', claim_fence) FROM claimed), '{}'::json)"
)

# How the operation is recorded: a new row (standalone ``apply``) or the pending row a desk
# pushed, settled (team mode's applier, which already holds it locked).
_RECORD = {
    "insert": f"""
    INSERT INTO operations (id, change_seq, change_xid, deleted_at, kind, actor_id, payload,
                            status, reason, result, created_at, applied_at)
    SELECT %(op)s::uuid, nextval('{CHANGE_SEQUENCE}'), {CURRENT_XID}, NULL, 'claim', actor.id,
           %(payload)s::json, 'applied', '', {_RESULT}, %(now)s::timestamptz,
           %(now)s::timestamptz
    FROM actor
    RETURNING id""",
    "settle": f"""
    UPDATE operations
    SET status = 'applied', reason = '', result = {_RESULT}, applied_at = %(now)s::timestamptz,
        change_seq = nextval('{CHANGE_SEQUENCE}')
    WHERE id = %(op)s::uuid AND status = 'pending' AND EXISTS (SELECT 1 FROM actor)
    RETURNING id""",
}

# For an agent (not a supervisor) in email status, everything in one statement: the agent,
# then per queue they belong to the oldest free interaction of their accounts (a LATERAL
# walk of ix_interactions_claim_order that stops at the first row it can lock: the order is
# storage.models.claim_order, which no other index gives, so a cached plan cannot walk
# ix_interactions_age past every claimed row instead), the oldest of those, and the writes.
# Anyone else: the actor CTE is empty, nothing is written, and the caller runs the general
# rule.
_AGENT_PICK = """candidates AS (
    SELECT c.id, c.created_at
    FROM agent_queues AS aq
    CROSS JOIN LATERAL (
        SELECT i.id, i.created_at FROM interactions AS i
        WHERE i.queue_id = aq.queue_id AND i.claimed_by_id IS NULL AND i.status = 'open'
          AND i.deleted_at IS NULL
          AND i.account_id IN (
              SELECT ac.account_id FROM agent_accounts AS ac
              WHERE ac.agent_id = aq.agent_id AND ac.deleted_at IS NULL
          )
        ORDER BY (i.created_at AT TIME ZONE 'UTC')
        LIMIT 1
        FOR UPDATE OF i SKIP LOCKED
    ) AS c
    WHERE aq.agent_id = (SELECT id FROM actor) AND aq.deleted_at IS NULL
), pick AS (
    SELECT id FROM candidates ORDER BY created_at LIMIT 1
)"""

_AGENT_CLAIM = (
    """
WITH actor AS (
    SELECT id FROM agents
    WHERE {key} = %(actor)s AND deleted_at IS NULL AND state = 'in_email'
      AND role <> 'supervisor'
), """
    + _AGENT_PICK
    + """{writes}
SELECT (SELECT id FROM actor), (SELECT id FROM claimed), (SELECT claim_fence FROM claimed),
       (SELECT id FROM record)
"""
)

# A supervisor takes from every queue: the agent read first, then the writes.
_SUPERVISOR_CLAIM = """
WITH actor AS (
    SELECT id FROM agents
    WHERE id = %(actor)s::uuid AND deleted_at IS NULL AND state = 'in_email'
), pick AS (
    SELECT id FROM interactions
    WHERE claimed_by_id IS NULL AND status = 'open' AND deleted_at IS NULL
    ORDER BY created_at
    LIMIT 1
    FOR UPDATE SKIP LOCKED
){writes}
SELECT (SELECT id FROM actor), (SELECT id FROM claimed), (SELECT claim_fence FROM claimed),
       (SELECT id FROM record)
"""

_WRITES = """, claimed AS (
    UPDATE interactions AS i
    SET claimed_by_id = (SELECT id FROM actor), claimed_at = %(now)s::timestamptz,
        claim_fence = i.claim_fence + 1, change_seq = nextval('{seq}'), change_xid = {xid}
    FROM pick
    WHERE i.id = pick.id
    RETURNING i.id, i.claim_fence
), audit AS (
    INSERT INTO events (id, change_seq, change_xid, deleted_at, at, actor_id, kind,
                        interaction_id, ticket_id, data)
    SELECT %(event)s::uuid, nextval('{seq}'), {xid}, NULL, %(now)s::timestamptz,
           (SELECT id FROM actor), 'claim', id, NULL,
           json_build_object('op', %(op_text)s::text, 'fence', claim_fence)
    FROM claimed
), record AS ({record}
)"""


def claim_next(
    conn: Connection,
    actor: str | uuid.UUID,
    op_id: uuid.UUID,
    payload: dict[str, Any],
    now: dt.datetime,
    record: Record,
) -> dict[str, Any] | None:
    """The claim's result (``{}`` when nothing is free), or None: use the general rule.

    ``conn`` must be PostgreSQL. With ``record="insert"`` it should be in autocommit: the
    claim is then one statement and one implicit transaction; a repeated ``op_id`` fails on
    the primary key and changes nothing (the caller reads the recorded outcome). With
    ``"settle"`` it runs inside the caller's transaction, which holds the pending row locked.
    """
    if not enabled:
        return None
    params: dict[str, Any] = {
        "now": now,
        "op": op_id,
        "op_text": str(op_id),
        "event": new_id(),
        "payload": json.dumps(payload),
    }
    key = "id" if isinstance(actor, uuid.UUID) else "name"
    params["actor"] = actor
    row = _one(conn, _claim_sql(key, record), params)
    if row[0] is None:
        # Not an agent in email status: perhaps a supervisor, who takes from every queue.
        found = driver_row(conn, _ACTOR.format(key=key), {"actor": actor})
        if found is None:
            return None
        found_id, role, state = found[:3]
        if role != "supervisor" or state != "in_email":
            return None  # the general rule decides (state changes, refusals, wording)
        params["actor"] = found_id
        row = _one(conn, _claim_sql("supervisor", record), params)
        if row[0] is None:
            return None
    _agent, claimed_id, fence, recorded = row
    if recorded is None:
        # settle: the caller's transaction holds the pending row, so this cannot happen;
        # if it did, the claim above must not commit without its record.
        raise RuntimeError(f"operation {op_id} is no longer pending")
    if claimed_id is None:
        return {}
    return {"id": str(claimed_id), "fence": fence}


# Team mode's applier, for the commonest operation: take the oldest free pending operation
# of the central queue ({op}: opqueue.claim_query, the general path's own pick) and, when it
# is a plain agent's claim next, apply and settle it in the same statement, in autocommit:
# one round trip and one implicit transaction per operation instead of BEGIN, a pick, the
# claim and COMMIT. {lease}: with the queue's lease, the statement writes only while the
# lease row, share-locked by this very statement, still names our holder and fence.
_LEASE = """lease AS (
    SELECT 1 FROM leases
    WHERE name = %(lease)s AND holder = %(holder)s AND fence = %(fence)s
      AND expires_at > clock_timestamp()
    FOR SHARE
), """

_NEXT_CLAIM = (
    """
WITH {lease}op AS (
{op}
), actor AS (
    SELECT a.id FROM agents AS a JOIN op ON a.id = op.actor_id
    WHERE op.kind = 'claim' AND (op.payload ->> 'interaction') IS NULL
      AND a.deleted_at IS NULL AND a.state = 'in_email' AND a.role <> 'supervisor'{lease_ok}
), """
    + _AGENT_PICK
    + """{writes}
SELECT op.id, (SELECT id FROM actor), (SELECT id FROM claimed), (SELECT claim_fence FROM claimed),
       (SELECT id FROM record), {lease_held},
       EXISTS (SELECT 1 FROM operations AS other
               WHERE other.status = 'pending' AND other.id IS DISTINCT FROM op.id)
FROM (SELECT) AS one LEFT JOIN op ON true
"""
)


@dataclass(frozen=True)
class Next:
    """What ``apply_next_claim`` did with the oldest free pending operation."""

    op_id: uuid.UUID
    result: dict[str, Any] | None  # applied with this result; None: for the general rule
    # Whether another operation was pending when the statement began (the statement's
    # snapshot: one pushed since rings the appliers' bell).
    more: bool = True


def apply_next_claim(
    conn: Connection, now: dt.datetime, lease: LeaseHold | None = None
) -> Next | None:
    """The oldest free pending operation: applied here if it is a plain agent's claim next
    (the same rule as ``claim_next``), else left for the general rule; None when none is
    free. ``conn`` in autocommit, or in a transaction of the caller's (``push`` groups
    claims so). Raises LeaseLost, writing nothing, when ``lease`` is no
    longer ours."""
    params: dict[str, Any] = {"now": now, "event": new_id()}
    if lease is not None:
        params.update(lease=lease.name, holder=lease.holder, fence=lease.fence)
    op_id, actor, claimed_id, fence, recorded, held, more = _one(
        conn, _next_claim_sql(lease is not None), params
    )
    if not held:
        assert lease is not None
        raise LeaseLost(f"Lease {lease.name} (fence {lease.fence}) is no longer ours.")
    if op_id is None:
        return None
    if actor is None:
        return Next(op_id, None, more)
    if recorded is None:  # the row is locked by this statement: cannot happen
        raise RuntimeError(f"operation {op_id} is no longer pending")
    result = {} if claimed_id is None else {"id": str(claimed_id), "fence": fence}
    return Next(op_id, result, more)


def _one(conn: Connection, statement: str, params: dict[str, Any]) -> tuple[Any, ...]:
    """The row of a statement that returns exactly one (its last SELECT has no FROM)."""
    row = driver_row(conn, statement, params)
    assert row is not None
    return row


@functools.cache
def _claim_sql(key: Literal["id", "name", "supervisor"], record: Record) -> str:
    """``claim_next``'s statements, put together once (a claim's client CPU is dear)."""
    writes = _WRITES.format(seq=CHANGE_SEQUENCE, xid=CURRENT_XID, record=_RECORD[record])
    if key == "supervisor":
        return _SUPERVISOR_CLAIM.format(writes=writes)
    return _AGENT_CLAIM.format(key=key, writes=writes)


@functools.cache
def _next_claim_sql(leased: bool) -> str:
    writes = _WRITES.format(seq=CHANGE_SEQUENCE, xid=CURRENT_XID, record=_RECORD["settle"])
    # The operation is the one the statement picked, not a parameter.
    writes = writes.replace("%(op)s::uuid", "(SELECT id FROM op)")
    writes = writes.replace("%(op_text)s::text", "(SELECT id::text FROM op)")
    pick = opqueue.claim_query(1).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    parts = {"lease": "", "lease_ok": "", "lease_held": "true"}
    if leased:
        parts = {
            "lease": _LEASE,
            "lease_ok": "\n      AND EXISTS (SELECT 1 FROM lease)",
            "lease_held": "EXISTS (SELECT 1 FROM lease)",
        }
    return _NEXT_CLAIM.format(writes=writes, op=pick, **parts)
