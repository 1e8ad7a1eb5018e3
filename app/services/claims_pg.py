"""The "claim next" rule in two PostgreSQL round trips: the hot path of a contact center.

``operations._claim_next`` states the rule once for every database: take the oldest open,
unclaimed interaction of the agent's queues and accounts (any, for a supervisor), bump its
fence, record the claim event. Through the ORM that costs a dozen round trips and ~3 ms of
Python per claim. On PostgreSQL, when the agent is already in email status (nothing else to
change: the common case once an agent works), the same rule runs here as

1. one read of the agent with their queue and account ids, and
2. one statement whose CTEs lock the row (SKIP LOCKED, on the partial index of unclaimed
   rows), update it, insert the audit event and record the operation, atomically.

Anything else (an unknown agent, another state, no memberships) returns None and the caller
runs the general rule, which also words the refusals. tests/app/test_claims_pg.py holds the
two paths to the same rows.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any, Literal

from sqlalchemy import Connection

from storage.engine import CHANGE_SEQUENCE
from storage.ids import new_id

Record = Literal["insert", "settle"]

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
    INSERT INTO operations (id, change_seq, deleted_at, kind, actor_id, payload, status,
                            reason, result, created_at, applied_at)
    SELECT %(op)s::uuid, nextval('{CHANGE_SEQUENCE}'), NULL, 'claim', %(actor)s::uuid,
           %(payload)s::json, 'applied', '', {_RESULT}, %(now)s::timestamptz,
           %(now)s::timestamptz
    RETURNING id""",
    "settle": f"""
    UPDATE operations
    SET status = 'applied', reason = '', result = {_RESULT}, applied_at = %(now)s::timestamptz,
        change_seq = nextval('{CHANGE_SEQUENCE}')
    WHERE id = %(op)s::uuid AND status = 'pending'
    RETURNING id""",
}

_CLAIM = """
WITH pick AS (
    SELECT id FROM interactions
    WHERE claimed_by_id IS NULL AND status = 'open' AND deleted_at IS NULL{scope}
    ORDER BY created_at
    LIMIT 1
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE interactions AS i
    SET claimed_by_id = %(actor)s::uuid, claimed_at = %(now)s::timestamptz,
        claim_fence = i.claim_fence + 1, change_seq = nextval('{seq}')
    FROM pick
    WHERE i.id = pick.id
    RETURNING i.id, i.claim_fence
), audit AS (
    INSERT INTO events (id, change_seq, deleted_at, at, actor_id, kind, interaction_id,
                        ticket_id, data)
    SELECT %(event)s::uuid, nextval('{seq}'), NULL, %(now)s::timestamptz, %(actor)s::uuid,
           'claim', id, NULL, json_build_object('op', %(op_text)s::text, 'fence', claim_fence)
    FROM claimed
), record AS ({record}
)
SELECT (SELECT id FROM claimed), (SELECT claim_fence FROM claimed), (SELECT id FROM record)
"""


def _placeholders(prefix: str, count: int) -> str:
    return ", ".join(f"%({prefix}{n})s::uuid" for n in range(count))


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
    key = "id" if isinstance(actor, uuid.UUID) else "name"
    row = conn.exec_driver_sql(_ACTOR.format(key=key), {"actor": actor}).first()
    if row is None:
        return None
    agent_id, role, state, queue_ids, account_ids = row
    if state != "in_email":
        return None  # the general rule also moves the agent to email status and logs it
    scope = ""
    params: dict[str, Any] = {}
    if role != "supervisor":
        if not queue_ids or not account_ids:
            return None
        # One placeholder per id, not an array: with a single queue PostgreSQL then walks
        # ix_interactions_unclaimed (queue_id, created_at) in order and stops at the first
        # free row (operations._claim_next says the same of its literal ids).
        scope = (
            f"\n      AND queue_id IN ({_placeholders('q', len(queue_ids))})"
            f"\n      AND account_id IN ({_placeholders('a', len(account_ids))})"
        )
        params.update({f"q{n}": v for n, v in enumerate(queue_ids)})
        params.update({f"a{n}": v for n, v in enumerate(account_ids)})
    sql = _CLAIM.format(scope=scope, seq=CHANGE_SEQUENCE, record=_RECORD[record])
    params.update(
        actor=agent_id,
        now=now,
        op=op_id,
        op_text=str(op_id),
        event=new_id(),
        payload=json.dumps(payload),
    )
    claimed_id, fence, recorded = conn.exec_driver_sql(sql, params).one()
    if recorded is None:
        # settle: the caller's transaction holds the pending row, so this cannot happen;
        # if it did, the claim above must not commit without its record.
        raise RuntimeError(f"operation {op_id} is no longer pending")
    if claimed_id is None:
        return {}
    return {"id": str(claimed_id), "fence": fence}
