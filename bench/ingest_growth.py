"""Does storing a batch get dearer as the mailbox grows? ``write_batch`` alone, batch by batch.

    python -m bench.ingest_growth [--messages 20000] [--batch 200]

One account in a fresh local store; the generated corpus written as the fetcher writes it
(parsed beforehand, language detection left out: this measures the store). Prints the mean
time of a batch in the first and the last tenth of the run, and the total, as JSON. A
lookup that reads the whole account per batch shows as a last tenth many times the first.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from app.context import open_local
from app.demo.corpus import generate_corpus
from app.mail.ingest import FetchedMessage, load_account, write_batch
from app.mail.prepare import prepare_batch
from app.services.accounts import add_account
from storage.models import FolderState


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    ctx = open_local(Path(tempfile.mkdtemp(prefix="relaydesk-growth-")))
    account_id = add_account(
        ctx.store,
        name="support",
        email="support@acme.test",
        username="support",
        imap_host="imap.acme.test",
    ).id
    with ctx.store.write() as session:
        session.add(FolderState(account_id=account_id, folder="INBOX", uidvalidity=1))
    corpus = generate_corpus(args.messages, seed=3)
    times: list[float] = []
    for start in range(0, args.messages, args.batch):
        fetched = [
            FetchedMessage(uid=start + i + 1, raw=m.raw)
            for i, m in enumerate(corpus[start : start + args.batch])
        ]
        prepared = prepare_batch([(f.raw, f.uid) for f in fetched], False, str(ctx.blob_path))
        began = time.perf_counter()
        with ctx.store.connect() as conn:
            account = load_account(conn, account_id, 14)
            write_batch(conn, account, "INBOX", 1, fetched, prepared, detect=lambda _: "en")
        times.append(time.perf_counter() - began)
    tenth = max(1, len(times) // 10)
    print(
        json.dumps(
            {
                "messages": args.messages,
                "batch": args.batch,
                "first_tenth_ms_per_batch": round(1000 * sum(times[:tenth]) / tenth, 1),
                "last_tenth_ms_per_batch": round(1000 * sum(times[-tenth:]) / tenth, 1),
                "total_s": round(sum(times), 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
