"""Zips of original .eml files, and deletion with ingest tombstones, on real mail."""

from __future__ import annotations

import collections
import email
import io
import zipfile

import pytest
from sqlalchemy import func, select

from app.demo.corpus import generate_corpus
from app.mail.fetch import fetch_once
from app.mail.parse import parse_message
from app.services.exports import delete_interaction, eml_zip, strip_attachments
from storage.blobs import digest
from storage.models import Interaction, Message
from tests.app.mail.conftest import Mailbox, quick_options

pytestmark = pytest.mark.imap


def test_strip_attachments_keeps_every_other_byte() -> None:
    with_files = [m for m in generate_corpus(300, seed=5) if m.has_attachment]
    assert with_files
    for m in with_files[:25]:
        stripped = strip_attachments(m.raw)
        parsed = parse_message(stripped)
        original = parse_message(m.raw)
        assert [a for a in parsed.attachments if not a.inline] == []
        assert parsed.text == original.text and parsed.subject == original.subject
        # Headers are the same bytes; nothing was re-encoded.
        assert stripped.split(b"\r\n\r\n", 1)[0] == m.raw.split(b"\r\n\r\n", 1)[0]
        assert email.message_from_bytes(stripped).is_multipart()
    plain = generate_corpus(5, seed=6)[0].raw
    assert strip_attachments(plain) == plain


def test_zip_holds_the_exact_originals_then_delete_leaves_tombstones(mailbox: Mailbox) -> None:
    corpus = generate_corpus(200, seed=21)
    counts = collections.Counter(m.thread_key for m in corpus)
    key = next(
        k
        for k, n in counts.items()
        if n >= 2 and any(m.has_attachment for m in corpus if m.thread_key == k)
    )
    thread = [m for m in corpus if m.thread_key == key]
    others = [m for m in corpus if m.thread_key != key][:3]
    mailbox.server.append_many(mailbox.user.name, [m.raw for m in thread + others])
    fetch_once(mailbox.ctx, quick_options())
    ctx = mailbox.ctx
    with ctx.store.read() as session:
        interaction_id = session.execute(
            select(Message.interaction_id).where(
                Message.message_id_hdr == thread[0].message_id.strip("<>")
            )
        ).scalar_one()
    full = zipfile.ZipFile(
        io.BytesIO(eml_zip(ctx.store, ctx.blobs, interaction_id, attachments=True))
    )
    assert full.namelist() == [f"{n:03d}.eml" for n in range(1, len(thread) + 1)]
    assert [full.read(n) for n in full.namelist()] == [m.raw for m in thread]
    light = zipfile.ZipFile(
        io.BytesIO(eml_zip(ctx.store, ctx.blobs, interaction_id, attachments=False))
    )
    assert sum(len(light.read(n)) for n in light.namelist()) < sum(len(m.raw) for m in thread)

    assert delete_interaction(ctx.store, ctx.blobs, interaction_id, None) == len(thread)
    for m in thread:
        assert not ctx.blobs.has(digest(m.raw))
    # A resync (new UIDVALIDITY) brings back the others but never the deleted conversation.
    mailbox.server.reset_uidvalidity(mailbox.user.name)
    report = fetch_once(ctx, quick_options())
    assert report.errors == [] and report.result.new == 0
    with ctx.store.read() as session:
        live = session.execute(
            select(func.count()).select_from(Message).where(Message.deleted_at.is_(None))
        ).scalar_one()
        gone = session.get(Interaction, interaction_id)
    assert live == len(others) and gone is not None and gone.deleted_at is not None
