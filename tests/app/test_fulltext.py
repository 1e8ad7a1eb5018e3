"""Full-text interactions search on SQLite FTS5 and PostgreSQL: words, filters, builder,
hostile input, index upkeep on ingest, edit and delete, and the index an upgrade builds."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text, update

from app import cli
from app.context import AppContext, open_local
from app.errors import UserError
from app.mail.ingest import FetchedMessage, load_account, write_batch
from app.mail.prepare import prepare_batch
from app.services.exports import delete_interaction
from app.services.fulltext import (
    Filters,
    InteractionSearch,
    find,
    fts5_query,
    pg_query,
    phrases,
)
from app.services.search import Condition
from storage.engine import Store
from storage.models import Agent, Interaction, InteractionTag, Message, Queue, Tag
from storage.search_index import bulk_load_sqlite, rebuild_sqlite
from tests.app.workflow import T0, World, add_message, make_world

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture
def world(ctx: AppContext) -> World:
    return make_world(ctx.store)


def _conversation(
    world: World,
    subject: str,
    body: str,
    *,
    sender: str = "customer@example.test",
    name: str = "",
    minutes: int = 0,
    account: str = "support",
) -> uuid.UUID:
    interaction = world.interaction(account=account, subject=subject)
    add_message(
        world.store,
        interaction,
        "in",
        T0 + dt.timedelta(minutes=minutes),
        subject=subject,
        text_body=body,
        from_email=sender,
        from_name=name,
    )
    return interaction


def _ids(world: World, typed: str = "", limit: int = 50, **filters: object) -> list[uuid.UUID]:
    return [h.id for h in find(world.store, InteractionSearch(typed, Filters.of(**filters)), limit)]


def test_words_are_found_in_subject_body_and_sender(world: World) -> None:
    refund = _conversation(world, "Money back?", "I want a refund for order 1234", minutes=1)
    late = _conversation(
        world, "Parcel late", "Still waiting", sender="alice.smith@example.org", minutes=2
    )
    named = _conversation(world, "Hello", "Nothing here", name="Zoë Straße", minutes=3)
    assert _ids(world, "refund") == [refund]
    assert _ids(world, "REFUND 1234") == [refund], "every word, any case"
    assert _ids(world, "refund 9999") == [], "a missing word means no match"
    assert _ids(world, "money") == [refund], "the subject counts"
    assert _ids(world, "alice") == [late], "the sender's address counts, word by word"
    assert _ids(world, "alice.smith@example.org") == [late]
    assert _ids(world, "smith@example.com") == [], "typed together: a phrase, so .org != .com"
    assert _ids(world, "Straße") == [named], "the sender's name counts, letters beyond ASCII"
    hit = find(world.store, InteractionSearch("refund"))[0]
    assert (hit.subject, hit.account, hit.status, hit.unread) == (
        "Money back?",
        "support",
        "open",
        True,
    )


def test_newest_matching_message_first_each_interaction_once(world: World) -> None:
    old = _conversation(world, "Invoice", "invoice question", minutes=1)
    new = _conversation(world, "Invoice again", "invoice copy", minutes=2)
    add_message(world.store, old, "in", T0 + dt.timedelta(minutes=3), text_body="invoice reply")
    add_message(world.store, new, "out", T0 + dt.timedelta(minutes=4), text_body="no match")
    assert _ids(world, "invoice") == [old, new], "old now has the newest matching message"
    assert _ids(world, "invoice", limit=1) == [old]
    assert _ids(world, "") == [new, old], "without words: newest activity first"


def test_filters_narrow_the_words(world: World) -> None:
    a = _conversation(world, "Refund A", "refund", minutes=1)
    b = _conversation(world, "Refund B", "refund", minutes=2, account="sales")
    c = _conversation(world, "Refund C", "refund", minutes=3)
    _conversation(world, "Other", "nothing", minutes=4)
    with world.store.write() as session:
        alice = session.execute(select(Agent.id).where(Agent.name == "alice")).scalar_one()
        italian = session.execute(select(Queue.id).where(Queue.name == "Italian")).scalar_one()
        session.execute(
            update(Interaction)
            .where(Interaction.id == a)
            .values(status="closed", unread=False, claimed_by_id=alice, language="it")
        )
        session.execute(
            update(Interaction)
            .where(Interaction.id == b)
            .values(queue_id=italian, created_at=T0 - dt.timedelta(days=10))
        )
        vip = Tag(name="vip")
        session.add(vip)
        session.flush()
        session.add(InteractionTag(interaction_id=c, tag_id=vip.id))
    assert _ids(world, "refund") == [c, b, a]
    assert _ids(world, "refund", status="closed") == [a]
    assert _ids(world, "refund", status="open") == [c, b]
    assert _ids(world, "refund", unread="read") == [a]
    assert _ids(world, "refund", unread=True) == [c, b]
    assert _ids(world, "refund", agent="alice") == [a]
    assert _ids(world, "refund", language="IT") == [a]
    assert _ids(world, "refund", queue="Italian") == [b]
    assert _ids(world, "refund", account="sales") == [b]
    assert _ids(world, "refund", tags="vip") == [c]
    before = (T0 - dt.timedelta(days=5)).date()
    assert _ids(world, "refund", started_to=before) == [b]
    assert _ids(world, "refund", started_from=before.isoformat()) == [c, a]
    assert _ids(world, "refund", status="open", account="support") == [c]
    assert _ids(world, "", queue="Italian") == [b], "filters without words"
    with pytest.raises(UserError, match="no queue named 'Nowhere'"):
        _ids(world, "refund", queue="Nowhere")
    with pytest.raises(UserError, match="no tag named 'gold'"):
        _ids(world, "refund", tags=["vip", "gold"])
    with pytest.raises(UserError, match="Status is open or closed"):
        Filters.of(status="pending")
    with pytest.raises(UserError, match="end date must not be before"):
        Filters.of(started_from="2026-02-01", started_to="2026-01-01")
    with pytest.raises(UserError, match="needs a date like"):
        Filters.of(started_from="yesterday")


def test_builder_conditions_combine_with_words(world: World) -> None:
    a = _conversation(world, "Broken screen", "refund please", minutes=1)
    b = _conversation(world, "Late parcel", "refund please", minutes=2, account="sales")
    _conversation(world, "Broken lamp", "no words", minutes=3)
    broken = Condition("subject", "contains", "broken")
    sales = Condition("account", "equals", "sales")

    def run(*conditions: Condition, match: str = "all") -> list[uuid.UUID]:
        search = InteractionSearch("refund", conditions=conditions, match=match)
        return [h.id for h in find(world.store, search)]

    assert run(broken) == [a]
    assert run(broken, sales) == []
    assert run(broken, sales, match="any") == [b, a]
    assert run(broken, sales.disabled()) == [a]
    assert run(broken.disabled(), sales.disabled()) == [b, a]
    with pytest.raises(UserError, match="no field 'secret'"):
        run(Condition("secret", "equals", "x"))


# (typed, found?) against a message "refund for my order"; None: refused with a sentence
HOSTILE: list[tuple[str, bool | None]] = [
    ('"', None),
    ('""refund""', True),
    ("'", None),
    ("refund'", True),
    ("refund OR nothing", False),  # OR is a word to find, not an operator
    ("NOT refund", False),
    ("refund AND", False),
    ("NEAR(refund order)", False),
    ("refund*", True),
    ("^refund", True),
    ("subject:refund", False),  # no column filters: the phrase "subject refund"
    ("body : refund", False),
    ("refund\x00", True),
    ("\x00", None),
    ("'; DROP TABLE messages; --", False),
    ("(((refund", True),
    ("refund -order", True),
    ("+refund", True),
    ("\\refund", True),
    ("%refund%", True),
    ("refund_order", False),  # typed together: a phrase, and these words are not adjacent
    ("for-my order", True),
    ("order my", True),
    ("{subject body}: refund", False),
    ("refund \u202e\u200b", True),
    ("!@#$%^&*()", None),
]


def test_hostile_text_is_only_ever_words(world: World) -> None:
    refund = _conversation(world, "Money", "refund for my order", minutes=1)
    for typed, found in HOSTILE:
        if found is None:
            with pytest.raises(UserError, match="Type a word or number"):
                _ids(world, typed)
        else:
            assert _ids(world, typed) == ([refund] if found else []), typed
    with world.store.read() as session:
        assert session.execute(select(func.count()).select_from(Message)).scalar_one() == 1


def test_fts5_query_quotes_every_phrase() -> None:
    groups = phrases('say "hello" AND x:y\x00 NEAR(a)')
    assert groups == [["say"], ["hello"], ["AND"], ["x", "y"], ["NEAR", "a"]]
    assert fts5_query(groups) == '"say" "hello" "AND" "x y" "NEAR a"'
    with pytest.raises(UserError, match="at most 32 words"):
        phrases(" ".join(["w"] * 33))
    with pytest.raises(UserError, match="at most 100 letters"):
        phrases("x" * 101)


def test_deleting_an_interaction_takes_it_out_of_the_index(ctx: AppContext, world: World) -> None:
    gone = _conversation(world, "Refund", "refund wanted", minutes=1)
    kept = _conversation(world, "Refund too", "refund also", minutes=2)
    assert _ids(world, "refund") == [kept, gone]
    delete_interaction(ctx.store, ctx.blobs, gone, None)
    assert _ids(world, "refund") == [kept]
    assert _ids(world, "wanted") == []
    if ctx.store.is_sqlite:  # nothing of it is left in the index itself either
        with ctx.store.read() as session:
            docs = session.execute(text("SELECT count(*) FROM message_search")).scalar_one()
            ghost = session.execute(
                text("SELECT count(*) FROM message_fts WHERE message_fts MATCH 'wanted'")
            ).scalar_one()
        assert (docs, ghost) == (1, 0)


def test_an_edited_message_is_found_by_its_new_words(world: World) -> None:
    interaction = _conversation(world, "Question", "colour of the lamp", minutes=1)
    with world.store.write() as session:
        message = session.execute(
            select(Message).where(Message.interaction_id == interaction)
        ).scalar_one()
        message.text_body = "size of the chair"
    assert _ids(world, "colour") == []
    assert _ids(world, "chair") == [interaction]


def _raw(subject: str, body: str, message_id: str) -> bytes:
    return (
        f"From: Pat Customer <pat@customer.test>\r\nTo: support@acme.test\r\n"
        f"Subject: {subject}\r\nMessage-ID: <{message_id}@customer.test>\r\n"
        f"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\n\r\n{body}\r\n"
    ).encode()


def test_ingested_mail_is_searchable_in_the_same_transaction(ctx: AppContext, world: World) -> None:
    raws = [
        _raw("Broken kettle", "The kettle leaks water everywhere", "m1"),
        _raw("Invoice", "Please send the invoice again", "m2"),
    ]
    fetched = [FetchedMessage(uid=n + 1, raw=raw) for n, raw in enumerate(raws)]
    prepared = prepare_batch([(f.raw, f.uid) for f in fetched], False, str(ctx.blob_path))
    with ctx.store.connect() as conn:
        account = load_account(conn, world.support, 14)
        outcome = write_batch(conn, account, "INBOX", 1, fetched, prepared)
        if ctx.store.is_sqlite:  # indexed inside the batch's own transaction
            found = conn.execute(
                text("SELECT count(*) FROM message_fts WHERE message_fts MATCH 'kettle'")
            ).scalar_one()
            assert found == 1
    assert outcome.new_messages == 2
    kettle = _ids(world, "kettle leaks")
    assert len(kettle) == 1
    assert find(world.store, InteractionSearch("kettle"))[0].subject == "Broken kettle"
    assert len(_ids(world, "pat customer")) == 2, "the sender, name and address"


def test_a_store_made_before_full_text_gets_its_index_on_upgrade(data_dir: Path) -> None:
    shutil.copy(DATA / "store-0001.sqlite3", data_dir / "relaydesk.sqlite3")
    ctx = open_local(data_dir)
    try:
        hits = find(ctx.store, InteractionSearch("order"))
        assert [h.subject for h in hits] == ["Order 1234 missing"]
        assert find(ctx.store, InteractionSearch("where is my order")) == hits
        assert find(ctx.store, InteractionSearch("parcel")) == []
    finally:
        ctx.close()


def test_postgresql_answers_from_the_gin_index(pg_store_url: str) -> None:
    """The query's document expression must stay the one migration 0005 indexed."""
    store = Store(pg_store_url)
    query = pg_query([["refund"]], [Interaction.deleted_at.is_(None)], 50)
    try:
        with store.engine.connect() as conn:
            conn.execute(text("SET enable_seqscan = off"))
            compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
            plan = "\n".join(r[0] for r in conn.execute(text(f"EXPLAIN {compiled}")))
    finally:
        store.dispose()
    assert "ix_messages_full_text" in plan, plan


def test_limits_and_punctuation_only_are_refused(world: World) -> None:
    with pytest.raises(UserError, match="between 1 and 1000"):
        find(world.store, InteractionSearch("x"), 0)
    with pytest.raises(UserError, match="Type a word or number"):
        find(world.store, InteractionSearch("?!*"))


def test_cli_search_prints_json_and_refuses_bad_input(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = open_local(data_dir)
    world = make_world(ctx.store)
    refund = _conversation(world, "Refund please", "refund for order 7", minutes=1)
    _conversation(world, "Other", "nothing", minutes=2)
    ctx.close()
    base = ["--data-dir", str(data_dir), "search"]
    assert cli.main([*base, "refund", "--status", "open", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == [str(refund)]
    assert cli.main([*base, "--where", "subject", "starts_with", "refund", "--json"]) == 0
    assert [r["subject"] for r in json.loads(capsys.readouterr().out)] == ["Refund please"]
    assert cli.main([*base, "refund", "--queue", "Nowhere"]) == 1
    assert "no queue named 'Nowhere'" in capsys.readouterr().err
    assert cli.main([*base, "refund", "--save", "mine", "--owner", "sam"]) == 0
    assert "saved" in capsys.readouterr().out
    assert cli.main([*base, "--saved", "mine", "--owner", "sam", "--json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == [str(refund)]


def test_bulk_load_indexes_at_the_end_and_puts_the_triggers_back(sqlite_ctx: AppContext) -> None:
    world = make_world(sqlite_ctx.store)
    interaction = world.interaction(subject="Bulk")
    rows = [
        {
            "id": uuid.uuid4(),
            "change_seq": n,
            "interaction_id": interaction,
            "account_id": world.support,
            "subject": f"Bulk {n}",
            "text_body": f"word{n} common",
            "raw_hash": f"{n:064d}",
            "recipients": {},
        }
        for n in range(3)
    ]
    with sqlite_ctx.store.connect() as conn, bulk_load_sqlite(conn):
        conn.execute(insert(Message), rows)
        unindexed = conn.execute(text("SELECT count(*) FROM message_search")).scalar_one()
    assert unindexed == 0, "no row-by-row indexing inside the load"
    assert _ids(world, "word2 common") == [interaction]
    with sqlite_ctx.store.read() as session:
        triggers = session.execute(
            text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
        ).scalar_one()
    assert triggers == 3
    # The rebuilt entries delete cleanly: the same expressions as the triggers' own.
    delete_interaction(sqlite_ctx.store, sqlite_ctx.blobs, interaction, None)
    with sqlite_ctx.store.read() as session:
        ghost = session.execute(
            text("SELECT count(*) FROM message_fts WHERE message_fts MATCH 'common'")
        ).scalar_one()
    assert ghost == 0


def test_rebuild_recovers_a_lost_index(sqlite_ctx: AppContext) -> None:
    world = make_world(sqlite_ctx.store)
    refund = _conversation(world, "Refund", "refund please", minutes=1)
    with sqlite_ctx.store.connect() as conn:
        conn.execute(text("INSERT INTO message_fts (message_fts) VALUES ('delete-all')"))
    assert _ids(world, "refund") == []
    with sqlite_ctx.store.connect() as conn:
        assert rebuild_sqlite(conn) == 1
    assert _ids(world, "refund") == [refund]


def test_random_hostile_text_never_reaches_the_engines_as_syntax(world: World) -> None:
    """Deterministic fuzz: FTS5 and tsquery syntax, quotes, NUL, controls, odd Unicode."""
    refund = _conversation(world, "Money", "refund for my order", minutes=1)
    pieces = [
        '"', "'", "*", "^", ":", "(", ")", "{", "}", "-", "+", "AND", "OR", "NOT", "NEAR",
        "&", "|", "!", "<->", "\\", "%", "_", "\x00", "\x1f", "\u202e", "\u0301", "\ufffd",
        "ß", "İ", "²", "🙂", " ", "\t", "refund", "order", "x",
    ]  # fmt: skip
    rng = random.Random(4)
    for _ in range(300):
        typed = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        try:
            hits = _ids(world, typed)
        except UserError as exc:  # the only refusals: nothing to look for, or too much
            assert "Type a word or number" in str(exc) or "at most" in str(exc), typed
            continue
        assert hits in ([], [refund]), typed
