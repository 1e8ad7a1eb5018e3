"""Interactions search on a million messages: full text, filters and builder, top 50, p95.

    python -m bench.search [--messages 1000000] [--runs 30] [--regenerate] [--postgresql]
    python -m bench.search --ingest-cost

The store is generated once with Core bulk inserts in one transaction (the FTS5 index is
then filled by one INSERT ... SELECT, ``storage.search_index.bulk_load_sqlite``) and cached
in ``/tmp/relaydesk-bench-search-<messages>``. Words are drawn from a Zipf-like
vocabulary of 30,000 made-up words plus a few domain words of known frequency, so each
query's number of matching messages is known. Prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import json
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from app.context import AppContext, open_local
from app.services import accounts
from app.services.agents import add_agent, add_queue
from app.services.fulltext import Filters, InteractionSearch, find
from app.services.search import Condition
from storage.engine import Store, allocate_change_seqs
from storage.ids import new_id
from storage.models import (
    Agent,
    EmailAccount,
    Interaction,
    InteractionTag,
    Message,
    Queue,
    Tag,
)
from storage.search_index import TRIGGERS, bulk_load_sqlite

BATCH = 20_000
LANGUAGES = ("en", "it", "de", "fr", "es")
# word -> share of messages whose body contains it
DOMAIN_WORDS = {
    "order": 0.10,
    "refund": 0.03,
    "invoice": 0.02,
    "broken": 0.01,
    "warranty": 0.003,
    "zeppelin": 0.0001,
}
START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
    words: set[str] = set()
    while len(words) < 30_000:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    ordered = sorted(words)
    rng.shuffle(ordered)
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(ordered))))
    return ordered, weights


def _setup(ctx: AppContext) -> dict[str, list[uuid.UUID]]:
    store = ctx.store
    accounts.add_project(store, "Bench", "BEN", "UTC")
    for name in ("support", "sales", "billing", "returns"):
        accounts.add_account(
            store,
            name=name,
            email=f"{name}@bench.test",
            username=name,
            smtp_host="smtp.test",
            project="BEN",
        )
    for language in LANGUAGES[1:]:
        add_queue(store, f"queue-{language}", language=language, project="BEN")
    for n in range(12):
        add_agent(store, f"agent{n:02d}", accounts=["support", "sales"])
    with store.write() as session:
        for name in ("vip", "complaint", "legal", "press", "urgent", "spam", "followup", "b2b"):
            session.add(Tag(name=name))
    with store.read() as session:
        return {
            "project": list(session.execute(select(EmailAccount.project_id).limit(1)).scalars()),
            "accounts": list(session.execute(select(EmailAccount.id)).scalars()),
            "queues": list(session.execute(select(Queue.id)).scalars()),
            "agents": list(session.execute(select(Agent.id)).scalars()),
            "tags": list(session.execute(select(Tag.id)).scalars()),
        }


def _batches(
    ids: dict[str, list[uuid.UUID]], messages: int, seed: int
) -> Iterator[tuple[list[dict[str, Any]], ...]]:
    """(interactions, messages, interaction tags) rows, BATCH messages at a time."""
    rng = random.Random(seed)
    words, cumulative = _vocabulary(rng)
    # One big Zipf-distributed stream of words; each body is a slice of it at a random place
    # (drawing words one message at a time made generation CPU-bound).
    stream = rng.choices(words, cum_weights=cumulative, k=4_000_000)
    project = ids["project"][0]
    span_s = 2 * 365 * 86400
    made = 0
    step = span_s / messages
    clock = 0.0
    while made < messages:
        interactions: list[dict[str, Any]] = []
        message_rows: list[dict[str, Any]] = []
        tag_rows: list[dict[str, Any]] = []
        while len(message_rows) < BATCH and made < messages:
            count = min(rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6)), messages - made)
            interaction_id = new_id()
            language = rng.choice(LANGUAGES)
            customer = f"{rng.choice(words)}.{rng.choice(words)}@{rng.choice(words)}.test"
            start = rng.randrange(len(stream) - 8)
            subject = " ".join(stream[start : start + rng.randint(3, 8)])
            first = START + dt.timedelta(seconds=clock)
            for n in range(count):
                clock += step
                at = START + dt.timedelta(seconds=clock)
                start = rng.randrange(len(stream) - 120)
                body = stream[start : start + rng.randint(30, 120)]
                for word, share in DOMAIN_WORDS.items():
                    if rng.random() < share:
                        body.insert(rng.randrange(len(body)), word)
                message_rows.append(
                    {
                        "id": new_id(),
                        "interaction_id": interaction_id,
                        "account_id": None,
                        "direction": "in" if n % 2 == 0 else "out",
                        "subject": subject if n == 0 else f"Re: {subject}",
                        "from_email": customer,
                        "from_name": customer.split("@")[0].replace(".", " ").title(),
                        "recipients": {},
                        "received_at": at,
                        "text_body": " ".join(body),
                        "raw_hash": uuid.uuid4().hex * 2,
                        "language": language,
                    }
                )
            account = rng.choice(ids["accounts"])
            for row in message_rows[-count:]:
                row["account_id"] = account
            status = "closed" if rng.random() < 0.7 else "open"
            claimed = rng.choice(ids["agents"]) if rng.random() < 0.6 else None
            interactions.append(
                {
                    "id": interaction_id,
                    "project_id": project,
                    "account_id": account,
                    "queue_id": rng.choice(ids["queues"]),
                    "subject": subject,
                    "thread_subject": subject[:255],
                    "customer_email": customer,
                    "customer_name": "",
                    "language": language,
                    "status": status,
                    "unread": rng.random() < 0.2,
                    "claimed_by_id": claimed,
                    "message_count": count,
                    "first_message_at": first,
                    "last_message_at": at,
                    "last_activity_at": at,
                    "created_at": first,
                    "closed_at": at if status == "closed" else None,
                }
            )
            if rng.random() < 0.1:
                for tag in rng.sample(ids["tags"], rng.randint(1, 2)):
                    tag_rows.append(
                        {"id": new_id(), "interaction_id": interaction_id, "tag_id": tag}
                    )
            made += count
        yield interactions, message_rows, tag_rows


def generate(ctx: AppContext, messages: int, seed: int = 7) -> None:
    """Core bulk inserts in one transaction; on SQLite the full-text index is filled by one
    INSERT ... SELECT at the end instead of row by row (storage.search_index)."""
    tables: tuple[Any, ...] = (Interaction.__table__, Message.__table__, InteractionTag.__table__)
    made = 0
    ids = _setup(ctx)
    with ctx.store.connect() as conn:
        loading = bulk_load_sqlite(conn) if ctx.store.is_sqlite else contextlib.nullcontext()
        if ctx.store.is_sqlite:
            # A page cache that holds the indexes being filled (the default is 2 MB).
            conn.exec_driver_sql("PRAGMA cache_size = -500000")
        with loading:
            for batch in _batches(ids, messages, seed):
                for table, rows in zip(tables, batch, strict=True):
                    if not rows:
                        continue
                    seqs = allocate_change_seqs(conn, len(rows))
                    for row, seq in zip(rows, seqs, strict=True):
                        row["change_seq"] = seq
                    conn.execute(insert(table), rows)
                made += len(batch[1])
                print(f"\r{made:,} messages", end="", file=sys.stderr, flush=True)
            print("\nindexing", file=sys.stderr, flush=True)
    with ctx.store.connect() as conn:
        conn.execute(text("ANALYZE"))
        if ctx.store.is_sqlite:
            conn.execute(text("INSERT INTO message_fts (message_fts) VALUES ('optimize')"))


def prepare(messages: int, regenerate: bool) -> Path:
    data_dir = Path(f"/tmp/relaydesk-bench-search-{messages}")
    ctx = open_local(data_dir)
    with ctx.store.read() as session:
        have = session.execute(select(func.count()).select_from(Message)).scalar_one()
    if have != messages or regenerate:
        ctx.close()
        for path in data_dir.iterdir():
            path.unlink()
        ctx = open_local(data_dir)
        started = time.perf_counter()
        generate(ctx, messages)
        print(f"generated {messages:,} messages in {time.perf_counter() - started:.1f} s")
    ctx.close()
    return data_dir


QUERIES: dict[str, Callable[[random.Random], InteractionSearch]] = {
    # full text alone
    "text: common word (10% of messages)": lambda r: InteractionSearch("order"),
    "text: rare word (0.01%)": lambda r: InteractionSearch("zeppelin"),
    "text: two words": lambda r: InteractionSearch("refund invoice"),
    "text: three words": lambda r: InteractionSearch("order refund broken"),
    # full text with the page's filters
    "text + open + language": lambda r: InteractionSearch(
        "refund", Filters(status="open", language=r.choice(LANGUAGES))
    ),
    "text + unread + queue": lambda r: InteractionSearch(
        "invoice", Filters(unread=True, queue=f"queue-{r.choice(LANGUAGES[1:])}")
    ),
    "text + agent + closed + since": lambda r: InteractionSearch(
        "order",
        Filters(
            agent=f"agent{r.randrange(12):02d}", status="closed", started_from=dt.date(2025, 1, 1)
        ),
    ),
    "text + tag": lambda r: InteractionSearch("broken", Filters(tags=("vip",))),
    "text + account + builder": lambda r: InteractionSearch(
        "refund",
        Filters(account="sales"),
        (Condition("messages", "greater_than", "2"),),
    ),
    # no full text: filters and builder
    "filters: open + unread + language": lambda r: InteractionSearch(
        "", Filters(status="open", unread=True, language=r.choice(LANGUAGES))
    ),
    "builder: subject contains (any of two)": lambda r: InteractionSearch(
        "",
        conditions=(
            Condition("subject", "contains", "ba"),
            Condition("customer", "ends_with", "ko.test"),
        ),
        match="any",
    ),
    "builder: queue equals + started between": lambda r: InteractionSearch(
        "",
        conditions=(
            Condition("queue", "equals", "queue-it"),
            Condition("started", "between", ("2024-06-01", "2024-06-30")),
        ),
    ),
}


def measure(store: Store, runs: int) -> dict[str, Any]:
    rng = random.Random(11)
    figures: dict[str, Any] = {}
    for name, make in QUERIES.items():
        find(store, make(rng), 50)  # warm the page cache once
        times: list[float] = []
        found = 0
        for _ in range(runs):
            search = make(rng)
            started = time.perf_counter()
            found = len(find(store, search, 50))
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        figures[name] = {
            "hits": found,
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
            "max_ms": round(times[-1], 1),
        }
    return figures


def on_postgresql(messages: int, runs: int) -> dict[str, Any]:
    """The same data and queries in a throwaway PostgreSQL database (GIN expression index)."""
    import tempfile

    from storage.blobs import open_local_blob_store
    from storage.migrate import ensure_current
    from tests.servers.postgres import (
        create_database,
        database_name,
        drop_database,
        find_or_start_postgres,
    )

    scratch = Path(tempfile.mkdtemp(prefix="relaydesk-bench-search-pg-"))
    admin = find_or_start_postgres(scratch)
    url = create_database(admin, prefix="relaydesk_bench_search_")
    store = Store(url)
    try:
        ensure_current(store.engine)
        ctx = AppContext(scratch, store, open_local_blob_store(scratch / "blobs.sqlite3"))
        started = time.perf_counter()
        generate(ctx, messages)
        print(f"generated {messages:,} messages in {time.perf_counter() - started:.1f} s")
        return measure(store, runs)
    finally:
        store.dispose()
        drop_database(admin, database_name(url))


def ingest_cost(messages: int = 2000, batch: int = 200, runs: int = 3) -> dict[str, Any]:
    """What indexing adds to ingest's write phase: the demo corpus written with
    ``write_batch`` (Core bulk, one transaction per batch) into fresh stores, without the
    index, indexed row by row by the trigger, and indexed in bulk (what ingest does).
    Variants alternate; medians of ``runs``, in microseconds per message."""
    from app.demo.corpus import generate_corpus
    from app.mail import ingest, prepare

    corpus = generate_corpus(messages, seed=3)
    fetched = [ingest.FetchedMessage(uid=n + 1, raw=m.raw) for n, m in enumerate(corpus)]
    bulk = ingest.indexing_inserted_messages
    samples: dict[str, list[float]] = {"no_index": [], "row_trigger": [], "bulk": []}
    for _ in range(runs):
        for variant, spent in samples.items():
            data_dir = Path(f"/tmp/relaydesk-bench-search-ingest-{variant}")
            if data_dir.exists():
                for path in data_dir.iterdir():
                    path.unlink()
            ctx = open_local(data_dir)
            accounts.add_project(ctx.store, "Bench", "BEN", "UTC")
            account_id = accounts.add_account(
                ctx.store,
                name="support",
                email="support@acme.test",
                username="s",
                project="BEN",
                imap_host="imap.test",
            ).id
            if variant == "no_index":
                with ctx.store.connect() as conn:
                    for name in TRIGGERS:
                        conn.execute(text(f"DROP TRIGGER {name}"))
            prepared = prepare.prepare_batch(
                [(f.raw, f.uid) for f in fetched], False, str(ctx.blob_path)
            )
            replacement: Any = (
                bulk if variant == "bulk" else lambda _conn, _rows: contextlib.nullcontext()
            )
            ingest.indexing_inserted_messages = replacement
            took = 0.0
            try:
                for start in range(0, messages, batch):
                    started = time.perf_counter()
                    with ctx.store.connect() as conn:
                        account = ingest.load_account(conn, account_id, 14)
                        ingest.write_batch(
                            conn,
                            account,
                            "INBOX",
                            1,
                            fetched[start : start + batch],
                            prepared[start : start + batch],
                            detect=lambda _text: "en",
                        )
                    took += time.perf_counter() - started
            finally:
                ingest.indexing_inserted_messages = bulk
                ctx.close()
            spent.append(took / messages * 1e6)
    return {"messages": messages} | {
        f"{variant}_us": round(statistics.median(spent)) for variant, spent in samples.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument(
        "--postgresql", action="store_true", help="generate into a throwaway PostgreSQL instead"
    )
    parser.add_argument(
        "--ingest-cost", action="store_true", help="only: what indexing adds to ingest writes"
    )
    args = parser.parse_args()
    if args.ingest_cost:
        print(json.dumps(ingest_cost(), indent=2))
        return
    if args.postgresql:
        figures = on_postgresql(args.messages, args.runs)
    else:
        ctx = open_local(prepare(args.messages, args.regenerate))
        try:
            figures = measure(ctx.store, args.runs)
        finally:
            ctx.close()
    worst = max(f["p95_ms"] for f in figures.values())
    print(json.dumps({"messages": args.messages, "worst_p95_ms": worst, **figures}, indent=2))


if __name__ == "__main__":
    main()
