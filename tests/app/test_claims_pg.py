"""PostgreSQL's one-statement claim (app/services/claims_pg.py) against the general rule.

Both paths must leave the same rows: the interaction taken with its fence bumped, one claim
event, one recorded operation; repeats change nothing; a paused or unknown agent goes the
general way. The team-mode applier settles pushed claims the same way.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import event, func, select, text, update

from app.services import claims_pg, push
from app.services.operations import Operation, apply
from storage import leases, opqueue
from storage.engine import Store
from storage.models import Event, Interaction, Tag, utcnow
from storage.models import Operation as OperationRow
from storage.sync import NOTIFY_CHANNEL, OPERATIONS_CHANNEL
from tests.app.workflow import World, make_world
from tests.servers.postgres import libpq_url


@pytest.fixture
def world(pg_store_url: str) -> Iterator[World]:
    store = Store(pg_store_url)
    yield make_world(store)
    store.dispose()


def _claim_events(world: World) -> list[Event]:
    with world.store.read() as session:
        query = select(Event).where(Event.kind == "claim").order_by(Event.at, Event.change_seq)
        return list(session.execute(query).scalars())


def _op_row(world: World, op_id: uuid.UUID) -> OperationRow:
    with world.store.read() as session:
        row = session.get(OperationRow, op_id)
        assert row is not None
        return row


def _direct(world: World, actor: str, op_id: uuid.UUID) -> dict[str, object] | None:
    with world.store.statements() as conn:
        return claims_pg.claim_next(conn, actor, op_id, {}, utcnow(), "insert")


def test_the_one_statement_claim_leaves_the_rows_the_general_rule_leaves(world: World) -> None:
    first, second = world.interaction(age_min=20), world.interaction(age_min=10)
    world.interaction(account="sales")  # not alice's account
    # Logged out: the general rule runs (it makes her available, then in email).
    general = world.op("claim", "alice")
    assert general.result["id"] == str(first)
    # Now in email: the one statement takes the next one.
    op_id = uuid.uuid4()
    fast = _direct(world, "alice", op_id)
    assert fast == {"id": str(second), "fence": 1}

    row, alice = world.row(second), world.row(first).claimed_by_id
    assert row.claimed_by_id == alice and row.claim_fence == 1 and row.claimed_at is not None
    events = _claim_events(world)
    assert [e.interaction_id for e in events] == [first, second]
    assert events[1].data == {"op": str(op_id), "fence": 1}
    assert events[1].actor_id == alice
    assert set(events[0].data) == set(events[1].data)  # the same shape from both paths
    recorded = _op_row(world, op_id)
    assert (recorded.status, recorded.kind, recorded.actor_id) == ("applied", "claim", alice)
    assert recorded.result == {"id": str(second), "fence": 1}
    assert recorded.result.keys() == _op_row(world, general.op_id).result.keys()
    # Stamped for team-mode pulls like any write: change markers and the writing xid, one
    # transaction's for the three rows (the statement sets it, the trigger would have).
    with world.store.read() as session:
        stamps = session.execute(
            select(Interaction.change_seq, Interaction.change_xid).where(Interaction.id == second)
        ).one()
        xids = {
            session.execute(select(Event.change_xid).where(Event.id == events[1].id)).scalar(),
            session.execute(
                select(OperationRow.change_xid).where(OperationRow.id == op_id)
            ).scalar(),
        }
    assert stamps.change_seq > 0 and stamps.change_xid is not None
    assert xids == {stamps.change_xid}
    # Nothing left that alice may take: recorded with an empty result, nothing claimed.
    empty = apply(world.store, Operation("claim", "alice"))
    assert empty.applied and empty.result == {}
    assert len(_claim_events(world)) == 2


def test_a_claim_applied_directly_rings_no_applier(world: World) -> None:
    # Migration 0018: an operation inserted already applied is not for the appliers, even
    # while one waits for work; a pushed one, inserted pending, rings them.
    world.interaction(age_min=20)
    second = world.interaction(age_min=10)
    world.op("claim", "alice")  # the general rule: alice is in email status now
    with world.store.engine.connect() as conn:
        assert opqueue.enter_waiters(conn, uuid.uuid4(), 60)
    with psycopg.connect(libpq_url(world.store.url), autocommit=True) as listener:
        listener.execute(f"LISTEN {OPERATIONS_CHANNEL}")
        assert _direct(world, "alice", uuid.uuid4()) == {"id": str(second), "fence": 1}
        with world.store.statements() as conn:
            opqueue.push_pending(conn, [opqueue.QueuedOp(uuid.uuid4(), "note", "alice", {})])
            conn.exec_driver_sql(f"NOTIFY {OPERATIONS_CHANNEL}, 'marker'")
        heard = []
        for notice in listener.notifies(timeout=10):
            if notice.payload == "marker":
                break
            heard.append(notice.payload)
    # One transaction, one notice each, delivered in commit order: the push's alone.
    assert heard == ["operations"]


def test_a_repeated_operation_is_answered_from_its_record(world: World) -> None:
    world.interaction(age_min=20)
    world.interaction(age_min=10)
    world.op("claim", "alice")
    op = Operation("claim", "alice")
    once, again = apply(world.store, op), apply(world.store, op)
    assert once.applied and again == once
    assert len(_claim_events(world)) == 2
    with world.store.read() as session:
        held = session.execute(
            select(func.count()).where(Interaction.claimed_by_id.is_not(None))
        ).scalar_one()
    assert held == 2


def test_other_states_and_strangers_take_the_general_way(world: World) -> None:
    world.interaction(age_min=20)
    world.interaction(age_min=10)
    assert _direct(world, "alice", uuid.uuid4()) is None  # logged out: state must change
    assert _direct(world, "nobody", uuid.uuid4()) is None  # the general rule words it
    refused = apply(world.store, Operation("claim", "nobody"))
    assert refused.status == "rejected" and "nobody" in refused.reason
    world.op("claim", "alice")
    world.op("set_state", "alice", state="paused", reason="Lunch")
    assert _direct(world, "alice", uuid.uuid4()) is None  # paused: the general rule decides
    with world.store.read() as session:
        recorded = session.execute(select(func.count()).select_from(OperationRow)).scalar_one()
    assert recorded == 3  # the refusal, the claim, the state: the declined tries left none


def test_queues_and_accounts_bound_the_claim(world: World) -> None:
    world.interaction(account="sales", age_min=30)  # Default queue, but not carol's
    italian = world.interaction(account="sales", queue="Italian", age_min=5)
    world.interaction(account="support", queue="Italian", age_min=40)  # not her account
    world.interaction(account="sales", queue="Italian", age_min=1)
    assert world.op("claim", "carol").result["id"] == str(italian)
    taken = _direct(world, "carol", uuid.uuid4())
    assert taken is not None and taken["id"] != str(italian)
    row = world.row(uuid.UUID(str(taken["id"])))
    assert row.account_id == world.sales and row.claimed_by_id is not None
    assert _direct(world, "carol", uuid.uuid4()) == {}  # the rest is out of her reach


def test_a_dropped_pooled_connection_is_retried_without_a_double_claim(world: World) -> None:
    world.interaction(age_min=20)
    world.interaction(age_min=10)
    world.op("claim", "alice")
    with world.store.statements() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with world.store.engine.begin() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    # The pool hands out the dead connection (no ping on this path); the claim is retried.
    result = apply(world.store, Operation("claim", "alice"))
    assert result.applied and result.result["fence"] == 1
    assert len(_claim_events(world)) == 2


def test_the_applier_settles_a_pushed_claim_in_one_statement(world: World) -> None:
    first, second = world.interaction(age_min=20), world.interaction(age_min=10)
    world.op("claim", "alice")  # alice is in email now
    alice = world.row(first).claimed_by_id
    op_id = uuid.uuid4()
    with world.store.connect() as conn:
        row = {"id": op_id, "kind": "claim", "actor_id": alice, "payload": {}}
        opqueue.insert_pending(conn, [{**row, "created_at": utcnow()}])
    results = push.apply_batch(world.store)
    assert [(r.op_id, r.status, r.result) for r in results] == [
        (op_id, "applied", {"id": str(second), "fence": 1})
    ]
    recorded = _op_row(world, op_id)
    assert recorded.status == "applied" and recorded.applied_at is not None
    assert recorded.result == {"id": str(second), "fence": 1}
    assert _claim_events(world)[-1].data == {"op": str(op_id), "fence": 1}
    assert push.apply_batch(world.store) == []  # settled once; nothing pending


def test_switched_off_it_declines_and_the_general_rule_claims(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.interaction(age_min=20)
    world.interaction(age_min=10)
    world.op("claim", "alice")
    monkeypatch.setattr(claims_pg, "enabled", False)
    assert _direct(world, "alice", uuid.uuid4()) is None
    assert apply(world.store, Operation("claim", "alice")).result["fence"] == 1


def test_a_supervisor_takes_the_oldest_of_every_queue(world: World) -> None:
    world.interaction(account="sales", queue="Italian", age_min=30)
    oldest_left = world.interaction(account="support", age_min=20)
    world.interaction(account="sales", age_min=10)
    world.op("claim", "sam")  # the general rule: logged out -> in email, takes the oldest
    taken = _direct(world, "sam", uuid.uuid4())
    assert taken == {"id": str(oldest_left), "fence": 1}


def _queue(world: World, *ops: tuple[str, str, dict[str, object]]) -> list[uuid.UUID]:
    """Push ``(kind, agent, payload)`` rows into the central queue, oldest first."""
    rows = []
    with world.store.connect() as conn:
        for kind, agent, payload in ops:
            actor = conn.execute(text("SELECT id FROM agents WHERE name = :n"), {"n": agent})
            row = {"id": uuid.uuid4(), "kind": kind, "actor_id": actor.scalar_one()}
            rows.append({**row, "payload": payload, "created_at": utcnow()})
        opqueue.insert_pending(conn, rows)  # one push: the queue keeps this order
    return [row["id"] for row in rows]


def test_the_applier_takes_and_claims_each_pushed_claim_in_one_statement(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The group's 10 ms bound is not what is held here: on a loaded machine three claims
    # outlasted it and the last one committed alone.
    monkeypatch.setattr(push, "GROUP_S", 60.0)
    taken = [world.interaction(age_min=50 - i) for i in range(6)]
    world.op("claim", "alice")
    world.op("claim", "bob")  # both in email now
    ids = _queue(world, *[("claim", agent, {}) for agent in ("alice", "bob", "alice", "bob")])
    statements: list[str] = []
    event.listen(
        world.store._walking(),  # the pool of the applier's one-statement claims
        "before_cursor_execute",
        lambda *args: statements.append(args[2]),
    )
    results = push.apply_batch(world.store)
    assert [(r.op_id, r.status) for r in results] == [(i, "applied") for i in ids]
    assert [r.result["id"] for r in results] == [str(i) for i in taken[2:]], "oldest first"
    # One statement per claim (it picks, claims, audits and settles). The first commits on
    # its own; it saw more pending, so the claims behind it share one transaction (one
    # commit, which PostgreSQL serialises with its change notices, for all of them); the
    # last saw nothing more pending, so no statement looks at an empty queue.
    assert [s.split()[0] for s in statements] == ["WITH", "BEGIN", "WITH", "WITH", "WITH", "COMMIT"]
    with world.store.connect() as conn:
        xids = conn.execute(
            text("SELECT change_xid FROM interactions WHERE id = ANY(:ids)"),
            {"ids": [uuid.UUID(r.result["id"]) for r in results]},
        ).scalars()
        assert sorted(Counter(xids).values()) == [1, 3]
    for op_id, result in zip(ids, results, strict=True):
        recorded = _op_row(world, op_id)
        assert (recorded.status, recorded.result) == ("applied", result.result)
    events = {e.data["op"]: e for e in _claim_events(world) if "op" in e.data}
    assert {str(i) for i in ids} <= set(events)
    assert all(e.data["fence"] == 1 for e in events.values())


def test_other_operations_and_supervisors_go_the_general_way_in_order(world: World) -> None:
    first = world.interaction(age_min=50)
    world.interaction(account="sales", age_min=40)
    world.interaction(age_min=30)
    world.interaction(age_min=20)
    world.op("claim", "alice")
    world.op("claim", "sam")  # the supervisor: in email, takes the oldest of every queue
    ids = _queue(
        world,
        ("note", "alice", {"interaction": str(first), "body": "Called the customer"}),
        ("claim", "alice", {}),
        ("claim", "sam", {}),
        ("set_state", "bob", {"state": "paused", "reason": "Lunch"}),
        ("claim", "bob", {}),  # paused: the general rule answers
    )
    results = push.apply_batch(world.store)
    assert [r.op_id for r in results] == ids
    assert [r.status for r in results] == ["applied"] * 5
    assert results[1].result["fence"] == 1 and results[2].result["fence"] == 1
    assert results[4].status == "applied" and "id" not in results[4].result
    with world.store.read() as session:
        holders = dict(
            session.execute(
                text(
                    "SELECT a.name, count(*) FROM interactions i JOIN agents a "
                    "ON a.id = i.claimed_by_id GROUP BY a.name"
                )
            ).all()
        )
    assert holders == {"alice": 2, "sam": 2}


def test_an_agents_claim_waits_while_their_earlier_operation_is_being_applied(
    world: World,
) -> None:
    world.interaction(age_min=20)
    world.interaction(age_min=10)
    world.op("claim", "alice")
    world.op("claim", "bob")
    earlier, later, bobs = _queue(
        world, ("claim", "alice", {}), ("claim", "alice", {}), ("claim", "bob", {})
    )
    busy = world.store._sessions()  # another applier, in the middle of alice's first
    busy.begin()
    assert opqueue.claim_by_id(busy, earlier)
    try:
        results = push.apply_batch(world.store)
        assert [r.op_id for r in results] == [bobs], "alice's later claim must wait"
    finally:
        busy.rollback()
        busy.close()
    assert [r.op_id for r in push.apply_batch(world.store)] == [earlier, later]


def test_a_claim_under_a_lost_lease_writes_nothing(world: World) -> None:
    world.interaction(age_min=10)
    world.interaction(age_min=5)
    world.op("claim", "alice")
    (op_id,) = _queue(world, ("claim", "alice", {}))
    engine = world.store.engine
    fence = leases.try_acquire(engine, push.QUEUE_LEASE, "old", ttl_s=30)
    assert fence is not None
    with engine.begin() as conn:
        conn.execute(text("UPDATE leases SET expires_at = clock_timestamp() - interval '1 s'"))
    stale = leases.LeaseHold(push.QUEUE_LEASE, "old", fence, 30)
    with pytest.raises(leases.LeaseLost):
        push.apply_batch(world.store, lease=stale)
    assert _op_row(world, op_id).status == "pending"
    assert len(_claim_events(world)) == 1, "only the claim made before"
    new = leases.try_acquire(engine, push.QUEUE_LEASE, "new", ttl_s=30)
    assert new == fence + 1
    hold = leases.LeaseHold(push.QUEUE_LEASE, "new", new, 30)
    assert [r.result["fence"] for r in push.apply_batch(world.store, lease=hold)] == [1]


def test_a_statement_that_writes_nothing_wakes_nobody(world: World) -> None:
    # Every desk and applier listens: a notice for a statement that wrote no row (the
    # applier's claim on an empty queue) made appliers wake themselves in a loop. On the
    # applier's own connections, which announce their commits (``statements`` are quiet).
    with psycopg.connect(libpq_url(world.store.url), autocommit=True) as listener:
        listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
        with world.store.queue_statements() as conn:
            assert claims_pg.apply_next_claim(conn, utcnow()) is None
            conn.execute(update(Interaction).where(Interaction.id.is_(None)).values(subject="x"))
        with world.store.write() as session:
            session.add(Tag(name="marker"))  # a real change, committed after those
        notices: list[str] = []
        for notice in listener.notifies(timeout=10):
            notices.append(notice.payload)
            if notice.payload == "tags":
                break
    assert notices == ["tags"]


def test_a_claim_is_announced_after_its_commit_and_only_then(world: World) -> None:
    # The one statement commits quietly (storage/notices.py); the store announces it after.
    # A desk that hears the notice must find the claim in what it pulls.
    world.interaction(age_min=20)
    world.op("claim", "alice")  # the general rule's claim: she is in email status now
    taken = world.interaction(age_min=5)
    quiet: list[str] = []
    with world.store.statements() as conn:
        event.listen(conn.engine, "before_cursor_execute", lambda *a: quiet.append(a[2]))
    libpq = libpq_url(world.store.url)
    with psycopg.connect(libpq, autocommit=True) as listener:
        listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
        with psycopg.connect(libpq, autocommit=True) as early:
            # Nothing announced yet: a quiet commit's trigger says nothing.
            assert list(listener.notifies(timeout=0.2)) == []
            result = apply(world.store, Operation("claim", "alice"))
            assert result.result["id"] == str(taken)
            heard = []
            for notice in listener.notifies(timeout=10):
                heard.append(notice.payload)
                seen = early.execute(
                    "SELECT claimed_by_id IS NOT NULL FROM interactions WHERE id = %s",
                    (taken,),
                ).fetchone()
                assert seen == (True,), "heard before the claim could be pulled"
                if notice.payload == "events":
                    break
    assert heard == list(claims_pg.CHANGED_TABLES)
    assert len(quiet) == 1, "the claim ran as the one statement, on the quiet pool"


def _plan(
    world: World,
    statement: str,
    types: dict[str, str],
    values: dict[str, object] | None = None,
) -> str:
    """The plan PostgreSQL would cache for ``statement`` (its ``%(name)s`` parameters of the
    given types) on the statistics of this moment: the generic plan, or with ``values`` the
    custom plan for them."""
    names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", statement)))
    for n, name in enumerate(names, start=1):
        statement = statement.replace(f"%({name})s", f"${n}")
    with psycopg.connect(libpq_url(world.store.url)) as conn:
        mode = "force_generic_plan" if values is None else "force_custom_plan"
        conn.execute(f"SET plan_cache_mode = {mode}")
        conn.execute(f"PREPARE claim({', '.join(types[n] for n in names)}) AS {statement}")
        args = sql.SQL(", ").join(
            sql.SQL("{}::{}").format(
                sql.Literal(None if values is None else values[n]), sql.SQL(types[n])
            )
            for n in names
        )
        explain = sql.SQL("EXPLAIN EXECUTE claim({})").format(args)
        return "\n".join(row[0] for row in conn.execute(explain))


def test_claims_walk_the_claim_order_index_even_on_statistics_of_a_full_queue(
    world: World,
) -> None:
    # A backlog in one queue, analysed while every row is free: PostgreSQL costs a walk of
    # ix_interactions_age (created_at order, filtered) like one of the queue's free rows,
    # and a plan cached on those statistics walked past every row claimed since.
    with world.store.connect() as conn:
        account_id, project_id = conn.execute(
            text("SELECT id, project_id FROM email_accounts WHERE name = 'support'")
        ).one()
        queue_id = conn.execute(text("SELECT id FROM queues WHERE is_default")).scalar_one()
        rows = [
            {"id": uuid.uuid4(), "project": project_id, "account": account_id, "queue": queue_id}
            | {"n": n}
            for n in range(2000)
        ]
        conn.execute(
            text(
                "INSERT INTO interactions (id, change_seq, project_id, account_id, queue_id,"
                " subject, thread_subject, customer_email, customer_name, language, status,"
                " unread, claim_fence, message_count, unparseable_count, last_activity_at,"
                " created_at) VALUES (:id, 0, :project, :account, :queue, '', '', '', '', 'en',"
                " 'open', true, 0, 0, 0, now(), now() - make_interval(mins => :n))"
            ),
            rows,
        )
        conn.execute(text("ANALYZE interactions"))
    types = {
        "now": "timestamptz",
        "op": "uuid",
        "op_text": "text",
        "event": "uuid",
        "payload": "text",
        "actor": "text",
    }
    # The general rule (alice is logged out), as the ORM sends it.
    sent: list[tuple[str, dict[str, object]]] = []

    def record(conn: object, cursor: object, statement: str, params: object, *_: object) -> None:
        if "SKIP LOCKED" in statement and isinstance(params, dict):
            sent.append((statement, params))

    event.listen(world.store.engine, "before_cursor_execute", record)
    try:
        assert world.op("claim", "alice").result["fence"] == 1
    finally:
        event.remove(world.store.engine, "before_cursor_execute", record)
    [(general, values)] = sent
    kinds = {uuid.UUID: "uuid", dt.datetime: "timestamptz", int: "bigint", str: "text"}
    plans = {
        "an agent's claim": _plan(world, claims_pg._claim_sql("name", "insert"), types),
        "the applier's claim": _plan(world, claims_pg._next_claim_sql(False), types),
        # Its literal ids and status make custom plans the ones PostgreSQL keeps.
        "the general rule": _plan(
            world, general, {k: kinds[type(v)] for k, v in values.items()}, values
        ),
    }
    for which, plan in plans.items():
        assert "ix_interactions_claim_order" in plan, which
        assert "ix_interactions_age" not in plan, which


def _queue_ops(world: World, *ops: tuple[str, dict[str, object]]) -> list[uuid.UUID]:
    """Pending operations of alice's, as a desk pushes them."""
    with world.store.read() as session:
        alice = session.execute(text("SELECT id FROM agents WHERE name = 'alice'")).scalar_one()
    rows = [
        {"id": uuid.uuid4(), "kind": kind, "actor_id": alice, "payload": payload}
        for kind, payload in ops
    ]
    with world.store.connect() as conn:
        opqueue.insert_pending(conn, [{**row, "created_at": utcnow()} for row in rows])
    return [row["id"] for row in rows]


def test_the_applier_keeps_one_connection_for_a_run_of_claims(world: World) -> None:
    # A pool checkout and return per claim cost as much as the claim. The applier keeps one
    # connection for consecutive claims and gives it back before the general rules take
    # theirs: with a pool of one it never waits for a second.
    first = world.interaction(age_min=30)
    for age in (20, 10, 5, 4, 3, 2):
        world.interaction(age_min=age)
    world.op("claim", "alice")  # in email from now on
    claim: tuple[str, dict[str, object]] = ("claim", {})
    note: tuple[str, dict[str, object]] = ("note", {"interaction": str(first), "body": "x"})
    ops = _queue_ops(world, claim, claim, claim, note, claim, claim, claim)
    small = Store(world.store.url, pool_size=1, max_overflow=0, pool_timeout=5)
    checkouts: list[object] = []
    for engine in (small._unpinged(), small._walking()):
        event.listen(engine, "checkout", lambda *args: checkouts.append(args))
    try:
        results = push.apply_batch(small)
    finally:
        small.dispose()
    assert [(r.op_id, r.status) for r in results] == [(op, "applied") for op in ops]
    # Three claims and the pick that handed the note on; the note; the next claim by the
    # general rules (after a note they go first); two claims and the pick that found the
    # queue empty. A checkout per statement made it nine.
    assert len(checkouts) == 4, len(checkouts)
    claims = results[:3] + results[4:]
    assert [r.result["fence"] for r in claims] == [1] * 6
    assert len({r.result["id"] for r in claims}) == 6


def test_an_applier_whose_kept_connection_dropped_claims_once_on_a_new_one(
    world: World,
) -> None:
    for age in (20, 10, 5):
        world.interaction(age_min=age)
    world.op("claim", "alice")
    small = Store(world.store.url, pool_size=1, max_overflow=0)
    try:
        with small.queue_statements() as conn:  # the one the applier keeps
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with world.store.engine.begin() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        ops = _queue_ops(world, ("claim", {}), ("claim", {}))
        # The first statement fails on the dead connection: the general rules apply that
        # claim on a new one, and the next goes the one-statement way again.
        results = push.apply_batch(small)
    finally:
        small.dispose()
    assert [(r.op_id, r.status) for r in results] == [(op, "applied") for op in ops]
    claimed = [e.interaction_id for e in _claim_events(world)]
    assert len(claimed) == len(set(claimed)) == 3


def test_a_group_of_claims_that_fails_midway_is_applied_again_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Claims behind the first share one transaction. One failing in the middle rolls the
    # whole group back: the claims before it are pending again, go again, and none is
    # applied twice; the failing one is refused with a reason, the queue goes on.
    monkeypatch.setattr(push, "GROUP_S", 60.0)  # grouped by the queue, not by the clock
    world.interaction(age_min=60)
    world.op("claim", "alice")  # takes that one; in email, her claims go the one-statement way
    taken = [world.interaction(age_min=age) for age in (50, 40, 30, 20)]
    ops = _queue_ops(world, *[("claim", {})] * 5)
    with world.store.connect() as conn:
        conn.execute(
            text(
                "CREATE FUNCTION refuse_third() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.id = '{ops[2]}' AND NEW.status = 'applied' THEN "
                "RAISE EXCEPTION 'the third claim fails'; END IF; RETURN NEW; END $$"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER refuse_third BEFORE UPDATE ON operations "
                "FOR EACH ROW EXECUTE FUNCTION refuse_third()"
            )
        )
    statements: list[str] = []
    event.listen(
        world.store._walking(),
        "before_cursor_execute",
        lambda *args: statements.append(args[2].split()[0]),
    )
    results = push.apply_batch(world.store)
    # 1 alone; 2 and 3 grouped, 3 fails: both rolled back. 2 again by the general rules, 3
    # fails alone and is refused; 4 alone, 5 grouped behind it.
    assert statements[:4] == ["WITH", "BEGIN", "WITH", "WITH"], statements
    assert "ROLLBACK" in statements
    assert [r.op_id for r in results] == ops
    statuses = [r.status for r in results]
    assert statuses == ["applied", "applied", "rejected", "applied", "applied"], results
    assert "internal error" in results[2].reason
    claimed = [r.result.get("id") for r in results if r.applied]
    assert claimed == [str(i) for i in taken], results
    assert [_op_row(world, op).status for op in ops] == statuses
    events = [str(e.interaction_id) for e in _claim_events(world) if e.interaction_id in taken]
    assert sorted(events) == sorted(claimed), "a claim was recorded twice"
    assert {world.row(i).claim_fence for i in taken} == {1}


def test_the_applier_takes_the_queue_on_connections_that_walk_its_indexes(world: World) -> None:
    # A plan cached while the queue looked empty may read every queued row and sort them
    # to take the oldest; under a backlog that collapsed the applier (17 ms a take). Its
    # connections plan without bitmap and sequential scans, set before any plan is made.
    with world.store.queue_statements() as conn:
        settings = conn.exec_driver_sql(
            "SELECT current_setting('enable_bitmapscan'), current_setting('enable_seqscan')"
        ).one()
        pick = claims_pg._next_claim_sql(False).replace("%(now)s", "$1").replace("%(event)s", "$2")
        conn.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        conn.exec_driver_sql(f"PREPARE pick(timestamptz, uuid) AS {pick}")
        plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN EXECUTE pick(now(), NULL)"))
        conn.exec_driver_sql("DEALLOCATE pick")
        conn.exec_driver_sql("RESET plan_cache_mode")
    assert tuple(settings) == ("off", "off")
    # The operations queue (nearly empty here, as on a new install) is walked in order.
    op_part = plan.split("CTE actor")[0]
    assert "Index Scan using ix_operations_pending on operations" in op_part, plan
    assert "Bitmap" not in op_part and "Sort" not in op_part, plan
    with world.store.statements() as conn:  # the others keep the planner's defaults
        assert conn.exec_driver_sql("SHOW enable_bitmapscan").scalar() == "on"
