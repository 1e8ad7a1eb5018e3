"""Ingest from a real Dovecot into real stores: complete, threaded, idempotent, lossless."""

from __future__ import annotations

import base64
import collections
import random
import threading

import pytest
from sqlalchemy import func, select, update

from app.demo.corpus import generate_corpus, hostile_messages
from app.mail import fetcher, prepare, protocol_log
from app.mail.fetch import fetch_once
from app.mail.fetcher import MailboxSync, imap_settings
from app.mail.imap import connect, logout
from storage.blobs import digest
from storage.models import Attachment, Interaction, MailboxEntry, Message
from tests.app.mail.conftest import Mailbox, quick_options

pytestmark = pytest.mark.imap


def _counts(mailbox: Mailbox) -> tuple[int, int, int]:
    with mailbox.ctx.store.read() as session:
        return (
            session.execute(select(func.count()).select_from(Message)).scalar_one(),
            session.execute(select(func.count()).select_from(Interaction)).scalar_one(),
            session.execute(
                select(func.count()).select_from(MailboxEntry).where(MailboxEntry.gone_at.is_(None))
            ).scalar_one(),
        )


def test_corpus_is_ingested_completely_threaded_and_byte_exact(mailbox: Mailbox) -> None:
    corpus = generate_corpus(240, seed=7)
    mailbox.server.append_many(mailbox.user.name, [m.raw for m in corpus])
    flags_before = mailbox.server.flags(mailbox.user.name)

    report = fetch_once(mailbox.ctx, quick_options())

    assert report.errors == [] and report.result.new == 240
    messages, interactions, entries = _counts(mailbox)
    assert (messages, entries) == (240, 240)
    # Conversations are exactly the corpus's threads.
    with mailbox.ctx.store.read() as session:
        rows = session.execute(
            select(Message.message_id_hdr, Message.interaction_id, Message.raw_hash)
        ).all()
        languages = dict(session.execute(select(Interaction.id, Interaction.language)).all())
    by_message_id = {r.message_id_hdr: r.interaction_id for r in rows}
    groups: dict[str, set[object]] = collections.defaultdict(set)
    for m in corpus:
        groups[m.thread_key].add(by_message_id[m.message_id.strip("<>")])
    assert all(len(ids) == 1 for ids in groups.values()), "a thread was split"
    assert interactions == len(groups), "threads were merged"
    # Languages of conversations match what customers wrote.
    first_of_thread = {}
    for m in corpus:
        first_of_thread.setdefault(m.thread_key, m)
    hits = sum(
        languages[by_message_id[m.message_id.strip("<>")]] == m.language
        for m in first_of_thread.values()
    )
    assert hits / len(first_of_thread) >= 0.9
    # Raw bytes are kept byte-exact, and the server was only read.
    raw_by_hash = {r.raw_hash for r in rows}
    for m in corpus[:20]:
        assert mailbox.ctx.blobs.get(digest(m.raw)) == m.raw
    assert len(raw_by_hash) == 240
    assert mailbox.server.flags(mailbox.user.name) == flags_before


def test_a_reply_that_starts_a_conversation_gets_its_language_too(mailbox: Mailbox) -> None:
    # Replies are not cleaned for detection while parsing (they rarely start a
    # conversation); one whose original we never saw is detected as it is written.
    reply = (
        "From: Jürgen <j@example.de>\r\nTo: support@acme.test\r\nSubject: AW: Bestellung\r\n"
        "Message-ID: <r1@example.de>\r\nIn-Reply-To: <never-seen@acme.test>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hallo, meine Bestellung ist immer noch nicht angekommen. Können Sie bitte "
        "nachsehen, wo das Paket gerade ist?\r\n\r\nAm 01.12.26 schrieb Support:\r\n"
        "> Thank you for your order, it will be shipped tomorrow.\r\n"
    ).encode()
    assert prepare.prepare(reply).detect_text == ""  # left uncleaned: a reply
    mailbox.server.append(mailbox.user.name, reply)
    assert fetch_once(mailbox.ctx, quick_options()).result.new == 1
    with mailbox.ctx.store.read() as session:
        assert session.execute(select(Interaction.language)).scalar_one() == "de"


def test_attachments_are_stored_once_however_often_they_arrive(mailbox: Mailbox) -> None:
    corpus = [m for m in generate_corpus(400, seed=3) if m.has_attachment][:40]
    mailbox.server.append_many(mailbox.user.name, [m.raw for m in corpus])
    fetch_once(mailbox.ctx, quick_options())
    with mailbox.ctx.store.read() as session:
        hashes = session.execute(select(Attachment.blob_hash)).scalars().all()
    assert hashes, "the corpus has attachments"
    stored = set(mailbox.ctx.blobs.keys())
    assert set(hashes) <= stored
    # every distinct attachment once, plus one raw blob per message
    assert len(stored) == len(set(hashes) | {digest(m.raw) for m in corpus})


def test_a_second_run_adds_nothing(mailbox: Mailbox) -> None:
    mailbox.server.append_many(mailbox.user.name, [m.raw for m in generate_corpus(60, seed=1)])
    assert fetch_once(mailbox.ctx, quick_options()).result.new == 60
    before = _counts(mailbox)
    again = fetch_once(mailbox.ctx, quick_options())
    assert (again.result.new, again.result.updated) == (0, 0)
    assert _counts(mailbox) == before


def test_new_mail_joins_its_open_conversation(mailbox: Mailbox) -> None:
    corpus = generate_corpus(80, seed=11)
    threads = collections.Counter(m.thread_key for m in corpus)
    key = next(k for k, n in threads.items() if n >= 2)
    thread = [m for m in corpus if m.thread_key == key]
    mailbox.server.append(mailbox.user.name, thread[0].raw)
    fetch_once(mailbox.ctx, quick_options())
    for m in thread[1:]:
        mailbox.server.append(mailbox.user.name, m.raw)
        fetch_once(mailbox.ctx, quick_options())
    with mailbox.ctx.store.read() as session:
        row = session.execute(select(Interaction)).scalar_one()
    assert row.message_count == len(thread)


def test_hostile_and_malformed_messages_are_all_stored_and_visible(mailbox: Mailbox) -> None:
    hostile = hostile_messages()
    good = generate_corpus(5, seed=2)
    mailbox.server.append_many(
        mailbox.user.name, [raw for _, raw in hostile] + [m.raw for m in good]
    )
    report = fetch_once(mailbox.ctx, quick_options())
    assert report.errors == []
    messages, _, entries = _counts(mailbox)
    assert messages == entries == len(hostile) + 5
    with mailbox.ctx.store.read() as session:
        names = session.execute(select(Attachment.filename)).scalars().all()
    assert all("/" not in n and "\\" not in n and "\u202e" not in n for n in names)


def test_a_message_the_parser_chokes_on_is_kept_raw_and_flagged(
    mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = generate_corpus(12, seed=5)
    poisoned = corpus[3]
    real_parse = prepare.parse_message

    def parse(raw: bytes) -> object:
        if raw == poisoned.raw:
            raise RecursionError("simulated parser bug")
        return real_parse(raw)

    monkeypatch.setattr(prepare, "parse_message", parse)
    mailbox.server.append_many(mailbox.user.name, [m.raw for m in corpus])
    report = fetch_once(mailbox.ctx, quick_options(batch_size=5))
    assert report.errors == [] and report.result.new == 12 and report.result.unparseable == 1
    with mailbox.ctx.store.read() as session:
        bad = session.execute(select(Message).where(Message.parse_error.is_not(None))).scalar_one()
        owner = session.get(Interaction, bad.interaction_id)
    assert "simulated parser bug" in (bad.parse_error or "")
    assert mailbox.ctx.blobs.get(bad.raw_hash) == poisoned.raw
    assert owner is not None and owner.unparseable_count == 1 and owner.message_count >= 1


def test_uidvalidity_change_resynchronises_without_duplicates(mailbox: Mailbox) -> None:
    corpus = generate_corpus(50, seed=9)
    mailbox.server.append_many(mailbox.user.name, [m.raw for m in corpus])
    fetch_once(mailbox.ctx, quick_options())
    # An agent closed one conversation: the resync must not undo that.
    with mailbox.ctx.store.write() as session:
        closed_id = session.execute(select(Interaction.id).limit(1)).scalar_one()
        session.execute(
            update(Interaction).where(Interaction.id == closed_id).values(status="closed")
        )
    before_messages, before_interactions, _ = _counts(mailbox)
    old = mailbox.server.uidvalidity(mailbox.user.name)
    new = mailbox.server.reset_uidvalidity(mailbox.user.name)
    assert new != old
    mailbox.server.append(mailbox.user.name, generate_corpus(1, seed=99)[0].raw)

    report = fetch_once(mailbox.ctx, quick_options())

    assert report.errors == [] and report.result.new == 1
    messages, interactions, live_entries = _counts(mailbox)
    assert (messages, interactions) == (before_messages + 1, before_interactions + 1)
    assert live_entries == 51
    with mailbox.ctx.store.read() as session:
        assert session.get(Interaction, closed_id).status == "closed"  # type: ignore[union-attr]
        retired = session.execute(
            select(func.count()).select_from(MailboxEntry).where(MailboxEntry.uidvalidity == old)
        ).scalar_one()
    assert retired == 50


def test_two_fetchers_at_once_never_duplicate(mailbox: Mailbox) -> None:
    corpus = generate_corpus(150, seed=4)
    mailbox.server.append_many(mailbox.user.name, [m.raw for m in corpus])
    target = imap_settings(mailbox.ctx, mailbox.account_id)
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run() -> None:
        client = connect(target.settings)
        try:
            start.wait()
            MailboxSync(mailbox.ctx, target, quick_options(batch_size=20)).sync(client)
        except BaseException as exc:
            errors.append(exc)
        finally:
            logout(client)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert _counts(mailbox)[0] == 150 and _counts(mailbox)[2] == 150


def _with_attachment(n: int, megabytes: int) -> bytes:
    blob = base64.encodebytes(random.Random(n).randbytes(megabytes * 1024 * 1024))
    return (
        (
            f"From: scanner{n}@example.org\r\nTo: support@acme.test\r\nSubject: Invoice {n}\r\n"
            f"Message-ID: <scan{n}@example.org>\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
            "--b\r\nContent-Type: text/plain\r\n\r\nThe scanned invoice is attached.\r\n"
            f'--b\r\nContent-Type: application/pdf; name="invoice{n}.pdf"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode()
        + blob.replace(b"\n", b"\r\n")
        + b"--b--\r\n"
    )


@pytest.mark.parametrize(
    ("window", "expected"),
    [(5000, ["2", "2", "1"]), (3, ["2", "1", "1", "1"])],
    ids=["one-window", "windows-of-3"],
)
def test_big_mail_is_fetched_in_batches_of_bounded_size(
    mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch, window: int, expected: list[str]
) -> None:
    # Four messages of 4.2 MB (3 MB attached, in base64) with a budget of 9 MB a batch: two
    # batches of two, however many fetch_batch_size allows (50 here); the fifth (11 MB) is
    # over the budget on its own and comes alone. Sizes are asked a window at a time, and a
    # batch does not cross a window.
    monkeypatch.setattr(fetcher, "BATCH_BYTES", 9 * 1024 * 1024)
    monkeypatch.setattr(fetcher, "SIZE_WINDOW", window)
    mailbox.server.append_many(
        mailbox.user.name,
        [_with_attachment(n, 3) for n in range(4)] + [_with_attachment(9, 8)],
    )
    protocol_log.clear(mailbox.account_id)
    with protocol_log.capture(mailbox.account_id):
        assert fetch_once(mailbox.ctx, quick_options()).result.new == 5
    sent = [line.text for line in protocol_log.lines(mailbox.account_id) if line.direction == "C"]
    bodies = [text for text in sent if "BODY.PEEK[]" in text]
    assert [text.split("<")[1].split(" ")[0] for text in bodies] == expected, bodies
    assert sum("RFC822.SIZE" in text for text in sent) == (1 if window > 5 else 2)
    with mailbox.ctx.store.read() as session:
        sizes = session.execute(select(Attachment.size).order_by(Attachment.size)).scalars().all()
    assert sizes == [3 * 1024 * 1024] * 4 + [8 * 1024 * 1024]


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        ({1: 5, 2: 5, 3: 5, 4: 5}, [[1, 2], [3, 4]]),  # by bytes (budget 10)
        ({1: 1, 2: 1, 3: 1, 4: 1}, [[1, 2, 3], [4]]),  # by count (3)
        ({1: 2, 2: 50, 3: 2, 4: 2}, [[1], [2], [3, 4]]),  # one over budget, alone
        ({}, [[1, 2, 3], [4]]),  # sizes unknown: by count
    ],
)
def test_batches_keep_order_count_and_budget(
    sizes: dict[int, int], expected: list[list[int]]
) -> None:
    assert fetcher.batches([1, 2, 3, 4], sizes, 3, 10) == expected
