"""The read side of the agent desktop: keyset pages, quick filter, sanitised threads."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.context import AppContext
from app.services import reading
from app.services.reading import ListQuery
from storage.models import Interaction, Message
from tests.ui import data


def _all_by_keyset(ctx: AppContext, query: ListQuery, limit: int) -> list[reading.InteractionRow]:
    rows: list[reading.InteractionRow] = []
    after = None
    while True:
        page = reading.interaction_page(ctx.store, query, limit=limit, after=after)
        rows.extend(page)
        if len(page) < limit:
            return rows
        after = page[-1].key


def test_keyset_pages_cover_every_row_once_in_order(sqlite_ctx: AppContext) -> None:
    data.seed_interactions(sqlite_ctx.store, 250)
    for query in (ListQuery(), ListQuery(sort="customer", descending=False), ListQuery("ticket")):
        rows = _all_by_keyset(sqlite_ctx, query, 40)
        total = reading.count_interactions(sqlite_ctx.store, query)
        assert len({r.id for r in rows}) == 250 == total
        keys = [r.key for r in rows]
        assert keys == sorted(keys, reverse=query.descending)
        # a jump by offset lands on the same rows as walking there
        assert (
            reading.interaction_page(sqlite_ctx.store, query, limit=40, offset=120) == rows[120:160]
        )
        # and paging backwards from a key gives the rows just before it
        before = reading.interaction_page(sqlite_ctx.store, query, limit=40, before=rows[160].key)
        assert before == rows[120:160]


def test_list_rows_fill_joined_columns(sqlite_ctx: AppContext) -> None:
    data.seed_interactions(sqlite_ctx.store, 30)
    rows = reading.interaction_page(sqlite_ctx.store, ListQuery(descending=False), limit=30)
    assert rows[0].subject == "Order 0000000 question"
    assert (rows[0].claimed_by, rows[0].ticket, rows[0].tags) == ("marta", "T-0001", ("vip",))
    assert (rows[1].claimed_by, rows[1].ticket, rows[1].tags) == ("", "", ())
    assert rows[0].queue and rows[0].customer == data.CUSTOMERS[0]
    assert [r.unread for r in rows[:4]] == [False, True, True, True]


def test_quick_filter_matches_customer_and_subject_literally(sqlite_ctx: AppContext) -> None:
    data.seed_interactions(sqlite_ctx.store, 100)
    store = sqlite_ctx.store
    assert reading.count_interactions(store, ListQuery(text="chloé")) == 20
    assert reading.count_interactions(store, ListQuery(text="0000042")) == 1
    assert reading.count_interactions(store, ListQuery(text="customer42@")) == 1
    assert reading.count_interactions(store, ListQuery(text="Order question")) == 100
    assert reading.count_interactions(store, ListQuery(text="%")) == 0
    rows = reading.interaction_page(store, ListQuery(text="rossi"), limit=100)
    assert {r.customer for r in rows} == {"Anna Rossi"}


def test_hostile_html_is_sanitised() -> None:
    clean = reading.sanitize_html(data.hostile_html().decode().split("\r\n\r\n", 1)[1])
    html = clean.html.lower()
    assert "<script" not in html and "alert" not in html
    assert not re.search(r"\son\w+\s*=", html)
    assert not re.search(r"src\s*=\s*[\"']?https?:", html)
    assert "url(" not in html and "<form" not in html and "<iframe" not in html
    assert "javascript:" not in html
    assert clean.remote_urls == (
        "http://track.evil.test/pixel.gif",
        "https://cdn.evil.test/logo.png",
    )
    assert "Hello <b>agent</b>" in clean.html
    allowed = reading.sanitize_html('<img src="https://cdn.evil.test/logo.png">', allow_remote=True)
    assert 'src="https://cdn.evil.test/logo.png"' in allowed.html


def test_thread_has_messages_attachments_cid_images_and_notes(sqlite_ctx: AppContext) -> None:
    seeded = data.make_account(sqlite_ctx.store)
    data.ingest(sqlite_ctx, seeded, [data.cid_image(), data.dangerous_attachment()])
    with sqlite_ctx.store.read() as session:
        interactions = {
            subject: iid
            for iid, subject in session.execute(select(Interaction.id, Interaction.subject))
        }
    data.add_note(sqlite_ctx.store, interactions["Our logo"], "Customer is a VIP")
    thread = reading.load_thread(sqlite_ctx.store, sqlite_ctx.blobs, interactions["Our logo"])
    (message,) = thread.messages
    assert 'src="cid:logo@example.test"' in (message.html or "")
    (attachment,) = message.attachments
    assert attachment.inline and attachment.content_id == "logo@example.test"
    assert message.cid_map == {"logo@example.test": attachment.id}
    assert message.images[attachment.id] == data.PNG
    assert [n.body for n in thread.notes] == ["Customer is a VIP"]

    exe = reading.load_thread(sqlite_ctx.store, sqlite_ctx.blobs, interactions["Invoice"])
    (attachment,) = exe.messages[0].attachments
    assert (attachment.filename, attachment.dangerous, attachment.size) == ("invoice.exe", True, 64)


def test_charset_override_and_raw_source(sqlite_ctx: AppContext) -> None:
    seeded = data.make_account(sqlite_ctx.store)
    raw = data.mislabelled_charset()
    data.ingest(sqlite_ctx, seeded, [raw])
    with sqlite_ctx.store.read() as session:
        message_id = session.execute(select(Message.id)).scalar_one()
    store, blobs = sqlite_ctx.store, sqlite_ctx.blobs
    assert data.RUSSIAN not in reading.render_message(store, blobs, message_id).text
    fixed = reading.render_message(store, blobs, message_id, charset_override="windows-1251")
    assert data.RUSSIAN in fixed.text and fixed.charset_override == "windows-1251"
    assert reading.message_source(store, blobs, message_id) == raw
