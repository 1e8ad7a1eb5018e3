"""The supervisor's Interactions page on a real store with mail stored as the fetcher stores
it: filters, full text, the builder (all/any, disabled conditions, hostile text), saved
searches, CSV, .eml zips against the blob store, deletion with tombstones, and spying."""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import io
import uuid
import zipfile
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, text

from app.context import AppContext
from app.errors import UserError
from app.mail.ingest import FetchedMessage, load_account, write_batch
from app.mail.prepare import prepare_batch
from app.services import interaction_admin
from app.services.accounts import add_account
from app.services.agents import add_agent
from app.services.operations import Operation, apply
from app.services.search import Condition
from storage.blobs import digest
from storage.models import FolderState, IngestTombstone, Interaction, Message, Note
from tests.ui.admin_helpers import admin_context, agent_id
from tests.ui.desk_world import make_desk_world
from ui.admin.interactions_page import InteractionsPage, SpyDialog

pytestmark = pytest.mark.gui

HOSTILE = "'; DROP TABLE interactions; --"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


def _plain(n: int, subject: str, body: str, sender: str = "anna@example.org") -> bytes:
    return (
        f"From: Customer {n} <{sender}>\r\nTo: support@acme.test\r\n"
        f"Subject: {subject}\r\nMessage-ID: <mail-{n}@example.org>\r\n"
        f"Date: Mon, 05 Jan 2026 09:0{n}:00 +0000\r\n\r\n{body}\r\n"
    ).encode()


def _with_attachment() -> bytes:
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = "Anna Rossi <anna@example.org>"
    message["To"] = "support@acme.test"
    message["Subject"] = "Refund for order 7"
    message["Message-ID"] = "<refund-7@example.org>"
    message["Date"] = "Mon, 05 Jan 2026 08:00:00 +0000"
    message.set_content("Please refund order 7; the receipt is attached.\n")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="receipt.pdf")
    return message.as_bytes()


RAWS = {
    "refund": _with_attachment(),
    "invoice": _plain(1, "Invoice question", "Which VAT rate applies?"),
    "hostile": _plain(2, HOSTILE, "Nothing to see.", "mallory@example.org"),
    "cotton": _plain(3, "Quote for 100% cotton_shirts", "Two hundred, please.", "bo@shop.test"),
}


def _store(ctx: AppContext, account_id: uuid.UUID, raws: list[bytes], first_uid: int) -> None:
    with ctx.store.write() as session:
        known = session.execute(
            select(FolderState).where(FolderState.account_id == account_id)
        ).first()
        if known is None:
            session.add(FolderState(account_id=account_id, folder="INBOX", uidvalidity=1))
    fetched = [FetchedMessage(uid=first_uid + i, raw=raw) for i, raw in enumerate(raws)]
    prepared = prepare_batch([(f.raw, f.uid) for f in fetched], False, str(ctx.blob_path))
    with ctx.store.connect() as conn:
        write_batch(conn, load_account(conn, account_id, 14), "INBOX", 1, fetched, prepared)


def _id_of(ctx: AppContext, raw: bytes) -> uuid.UUID:
    with ctx.store.read() as session:
        return session.execute(
            select(Message.interaction_id).where(Message.raw_hash == digest(raw))
        ).scalar_one()


@pytest.fixture
def ids(sqlite_ctx: AppContext) -> dict[str, uuid.UUID]:
    ctx = sqlite_ctx
    world = make_desk_world(ctx)
    sales = add_account(
        ctx.store,
        name="sales",
        email="sales@acme.test",
        username="sales",
        imap_host="imap.acme.test",
        smtp_host="smtp.acme.test",
        project="ACM",
    )
    add_agent(ctx.store, "sam", supervisor=True)
    _store(ctx, world.account_id, [RAWS["refund"], RAWS["invoice"], RAWS["hostile"]], 1)
    _store(ctx, sales.id, [RAWS["cotton"]], 1)
    found = {name: _id_of(ctx, raw) for name, raw in RAWS.items()}
    assert len(set(found.values())) == 4
    assert apply(ctx.store, Operation("claim", "alice", {"interaction": found["refund"]})).applied
    assert apply(
        ctx.store, Operation("tag", "sam", {"interaction": found["invoice"], "tag": "vat"})
    ).applied
    with ctx.store.write() as session:
        hostile = session.get(Interaction, found["hostile"])
        assert hostile is not None
        hostile.status, hostile.unread, hostile.language = "closed", False, "it"
        cotton = session.get(Interaction, found["cotton"])
        assert cotton is not None
        cotton.created_at = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    return found


@pytest.fixture
def page(
    qtbot: QtBot, sqlite_ctx: AppContext, ids: dict[str, uuid.UUID]
) -> Iterator[InteractionsPage]:
    with admin_context(sqlite_ctx, "sam") as admin:
        page = InteractionsPage(admin)
        qtbot.addWidget(page)
        qtbot.waitUntil(lambda: page.account.count() == 3, timeout=10_000)  # any + 2
        yield page


def _search(qtbot: QtBot, page: InteractionsPage) -> set[uuid.UUID]:
    with qtbot.waitSignal(page.searched, timeout=10_000) as searched:
        page.run_search()
    assert searched.args[0] >= 0, page.status.text()
    return {h.id for h in page.shown_hits()}


def _reset(page: InteractionsPage) -> None:
    for combo in (page.account, page.queue, page.agent, page.language):
        combo.setCurrentIndex(0)
    page.read_state.setCurrentIndex(0)
    page.status_filter.setCurrentIndex(0)
    page.use_from.setChecked(False)
    page.use_to.setChecked(False)
    page.tags.clear()
    page.text.clear()
    page.clear_conditions()


def test_filters_and_full_text_narrow_the_results(
    qtbot: QtBot, page: InteractionsPage, ids: dict[str, uuid.UUID]
) -> None:
    assert _search(qtbot, page) == set(ids.values())
    page.account.setCurrentIndex(page.account.findData("sales"))
    assert _search(qtbot, page) == {ids["cotton"]}
    _reset(page)
    page.status_filter.setCurrentIndex(page.status_filter.findData("closed"))
    assert _search(qtbot, page) == {ids["hostile"]}
    _reset(page)
    page.read_state.setCurrentIndex(page.read_state.findData(False))
    assert _search(qtbot, page) == {ids["hostile"]}
    page.read_state.setCurrentIndex(page.read_state.findData(True))
    assert _search(qtbot, page) == {ids["refund"], ids["invoice"], ids["cotton"]}
    _reset(page)
    page.agent.setCurrentIndex(page.agent.findData("alice"))
    assert _search(qtbot, page) == {ids["refund"]}
    _reset(page)
    page.tags.setText("vat")
    assert _search(qtbot, page) == {ids["invoice"]}
    _reset(page)
    page.language.setCurrentIndex(page.language.findData("it"))
    assert _search(qtbot, page) == {ids["hostile"]}
    _reset(page)
    page.use_from.setChecked(True)
    page.started_from.setDate(QDate(2025, 12, 1))
    assert _search(qtbot, page) == {ids["refund"], ids["invoice"], ids["hostile"]}
    _reset(page)
    page.text.setText("receipt attached")
    assert _search(qtbot, page) == {ids["refund"]}
    page.text.setText("VAT")
    assert _search(qtbot, page) == {ids["invoice"]}

    # A name that does not exist is refused with a sentence, not matched by nothing.
    _reset(page)
    page.tags.setText("no-such-tag")
    with qtbot.waitSignal(page.searched, timeout=10_000) as searched:
        page.run_search()
    assert searched.args == [-1]
    assert page.status.text() == "There is no tag named 'no-such-tag'."


def test_builder_all_any_disable_reenable_and_hostile_text(
    qtbot: QtBot, page: InteractionsPage, ids: dict[str, uuid.UUID]
) -> None:
    page.add_condition(Condition("subject", "contains", "refund"))
    page.add_condition(Condition("account", "equals", "sales"))
    assert _search(qtbot, page) == set()
    page.match.setCurrentIndex(page.match.findData("any"))
    assert _search(qtbot, page) == {ids["refund"], ids["cotton"]}
    page.match.setCurrentIndex(page.match.findData("all"))
    # Unticking the condition in the list disables it; ticking it again restores it.
    item = page.conditions_list.item(1)
    item.setCheckState(Qt.CheckState.Unchecked)
    assert page.conditions[1].enabled is False
    assert _search(qtbot, page) == {ids["refund"]}
    page.conditions_list.item(1).setCheckState(Qt.CheckState.Checked)
    assert page.conditions[1].enabled is True
    assert _search(qtbot, page) == set()

    # Edit a condition through the editors, then delete it and clear all.
    page.conditions_list.setCurrentRow(1)
    assert page.field.currentData() == "account" and page.value.text() == "sales"
    page.value.setText("support")
    page.update_condition_button.click()
    assert page.conditions[1] == Condition("account", "equals", "support")
    assert _search(qtbot, page) == {ids["refund"]}
    page.remove_condition_button.click()
    assert page.conditions == [Condition("subject", "contains", "refund")]
    page.clear_conditions_button.click()
    assert page.conditions == [] and page.conditions_list.count() == 0

    # Typed text is a value: SQL and LIKE wildcards match literally.
    page.field.setCurrentIndex(page.field.findData("subject"))
    page.operator.setCurrentIndex(page.operator.findData("contains"))
    page.value.setText(HOSTILE)
    page.add_condition_button.click()
    assert _search(qtbot, page) == {ids["hostile"]}
    for wildcard in ("%", "_"):
        page.clear_conditions()
        page.add_condition(Condition("subject", "contains", wildcard))
        assert _search(qtbot, page) == {ids["cotton"]}
    page.clear_conditions()
    page.add_condition(Condition("customer", "ends_with", "%"))
    assert _search(qtbot, page) == set()
    page.clear_conditions()
    page.add_condition(Condition("started", "between", ("2025-05-01", "2025-07-01")))
    assert _search(qtbot, page) == {ids["cotton"]}
    page.clear_conditions()
    assert _search(qtbot, page) == set(ids.values())  # the table is still there


def test_saved_search_round_trip(
    qtbot: QtBot, page: InteractionsPage, ids: dict[str, uuid.UUID], sqlite_ctx: AppContext
) -> None:
    page.account.setCurrentIndex(page.account.findData("support"))
    page.text.setText("refund")
    page.match.setCurrentIndex(page.match.findData("any"))
    conditions = [
        Condition("subject", "starts_with", "Refund"),
        Condition("customer", "contains", HOSTILE, enabled=False),
    ]
    for condition in conditions:
        page.add_condition(condition)
    with qtbot.waitSignal(page.saved_searches_changed, timeout=10_000) as done:
        page.save_search_as("Support refunds")
    assert done.args == [True]
    qtbot.waitUntil(lambda: page.saved_names() == ["Support refunds"], timeout=10_000)

    _reset(page)
    page.match.setCurrentIndex(0)
    with qtbot.waitSignal(page.searched, timeout=10_000):
        page.load_saved("Support refunds")
    assert page.conditions == conditions
    assert page.text.text() == "refund" and page.account.currentData() == "support"
    assert page.match.currentData() == "any"
    assert page.conditions_list.item(1).checkState() == Qt.CheckState.Unchecked
    assert {h.id for h in page.shown_hits()} == {ids["refund"]}

    with qtbot.waitSignal(page.saved_searches_changed, timeout=10_000) as done:
        page.save_search_as("Support refunds")
    assert done.args == [False] and "already has a saved search" in page.status.text()
    with qtbot.waitSignal(page.saved_searches_changed, timeout=10_000) as done:
        page.rename_saved("Support refunds", "Refunds")
    assert done.args == [True]
    qtbot.waitUntil(lambda: page.saved_names() == ["Refunds"], timeout=10_000)
    with qtbot.waitSignal(page.saved_searches_changed, timeout=10_000) as done:
        page.delete_saved("Refunds")
    assert done.args == [True]
    qtbot.waitUntil(lambda: page.saved_names() == [], timeout=10_000)
    # Each supervisor has their own: alice's list is not sam's (and she may not ask).
    with pytest.raises(UserError, match="Only a supervisor"):
        interaction_admin.saved_search_names(sqlite_ctx.store, agent_id(sqlite_ctx, "alice"))


def test_csv_export_of_selected_or_all_rows_with_and_without_bom(
    qtbot: QtBot, page: InteractionsPage, ids: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    _search(qtbot, page)
    page.select_interactions([ids["hostile"], ids["cotton"]])
    page.bom.setChecked(True)
    target = tmp_path / "chosen.csv"
    with qtbot.waitSignal(page.exported, timeout=10_000) as exported:
        page.export_to(target)
    assert exported.args == [str(target)]
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(interaction_admin.CSV_COLUMNS)
    assert {r["subject"] for r in rows} == {HOSTILE, "Quote for 100% cotton_shirts"}
    assert {uuid.UUID(r["id"]) for r in rows} == {ids["hostile"], ids["cotton"]}

    page.table.clearSelection()
    page.bom.setChecked(False)
    with qtbot.waitSignal(page.exported, timeout=10_000):
        page.export_to(target)
    raw = target.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert {uuid.UUID(r["id"]) for r in rows} == set(ids.values())
    by_id = {uuid.UUID(r["id"]): r for r in rows}
    assert by_id[ids["refund"]]["agent"] == "alice"
    assert by_id[ids["refund"]]["account"] == "support"
    assert by_id[ids["hostile"]]["status"] == "closed"
    assert by_id[ids["invoice"]]["unread"] == "yes"


def test_zip_holds_the_original_bytes_and_the_light_one_lacks_the_attachment(
    qtbot: QtBot,
    page: InteractionsPage,
    ids: dict[str, uuid.UUID],
    sqlite_ctx: AppContext,
    tmp_path: Path,
) -> None:
    _search(qtbot, page)
    page.select_interactions([ids["refund"]])
    full, light = tmp_path / "full.zip", tmp_path / "light.zip"
    with qtbot.waitSignal(page.downloaded, timeout=10_000) as done:
        page.download_to(full, attachments=True)
    assert done.args == [str(full)]
    with zipfile.ZipFile(full) as archive:
        assert archive.namelist() == ["001.eml"]
        data = archive.read("001.eml")
    assert data == sqlite_ctx.blobs.get(digest(RAWS["refund"])) == RAWS["refund"]

    with qtbot.waitSignal(page.downloaded, timeout=10_000) as done:
        page.download_to(light, attachments=False)
    assert done.args == [str(light)]
    with zipfile.ZipFile(light) as archive:
        stripped = archive.read("001.eml")
    assert b"receipt.pdf" not in stripped and b"receipt.pdf" in data
    parsed = email.message_from_bytes(stripped, policy=email.policy.default)
    assert [p.get_filename() for p in parsed.walk() if p.get_filename()] == []
    assert "the receipt is attached" in parsed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # Headers are byte for byte the original's.
    assert stripped.split(b"\r\n\r\n", 1)[0] == data.split(b"\r\n\r\n", 1)[0]

    page.select_interactions([ids["refund"], ids["invoice"]])
    with qtbot.waitSignal(page.downloaded, timeout=10_000) as done:
        page.download_to(tmp_path / "two.zip", attachments=True)
    assert done.args == [""] and page.status.text() == "Select one interaction first."


def test_delete_asks_first_then_removes_for_good(
    qtbot: QtBot, page: InteractionsPage, ids: dict[str, uuid.UUID], sqlite_ctx: AppContext
) -> None:
    _search(qtbot, page)
    asked: list[str] = []

    def refuse(title: str, text_: str) -> bool:
        asked.append(text_)
        return False

    page.confirm = refuse
    page.select_interactions([ids["refund"]])
    page.delete_button.click()
    assert asked == [
        "Delete “Refund for order 7” and all its messages permanently? This cannot be undone."
    ]
    assert sqlite_ctx.blobs.has(digest(RAWS["refund"]))

    page.confirm = lambda title, text_: True
    with (
        qtbot.waitSignal(page.searched, timeout=10_000),
        qtbot.waitSignal(page.deleted, timeout=10_000) as deleted,
    ):
        page.delete_button.click()
    assert deleted.args == [1]
    assert {h.id for h in page.shown_hits()} == set(ids.values()) - {ids["refund"]}
    store = sqlite_ctx.store
    with store.read() as session:
        row = session.get(Interaction, ids["refund"])
        assert row is not None and row.deleted_at is not None
        tombstones = session.execute(
            select(func.count())
            .select_from(IngestTombstone)
            .where(IngestTombstone.raw_hash == digest(RAWS["refund"]))
        ).scalar_one()
        assert tombstones == 1
        event = session.execute(
            text("SELECT count(*) FROM events WHERE kind = 'interaction.delete'")
        ).scalar_one()
        assert event == 1
    assert not sqlite_ctx.blobs.has(digest(RAWS["refund"]))
    # Fetched again (a resync), the deleted mail stays gone.
    with store.read() as session:
        support = session.execute(
            select(Interaction.account_id).where(Interaction.id == ids["invoice"])
        ).scalar_one()
    _store(sqlite_ctx, support, [RAWS["refund"]], 50)
    with store.read() as session:
        live = session.execute(
            select(func.count())
            .select_from(Message)
            .where(Message.raw_hash == digest(RAWS["refund"]), Message.deleted_at.is_(None))
        ).scalar_one()
    assert live == 0


def test_spy_reads_without_claiming_and_adds_a_note(
    qtbot: QtBot, page: InteractionsPage, ids: dict[str, uuid.UUID], sqlite_ctx: AppContext
) -> None:
    _search(qtbot, page)
    page.select_interactions([ids["invoice"]])
    with qtbot.waitSignal(page.spy_opened, timeout=5_000) as opened:
        page.spy_button.click()
    dialog = opened.args[0]
    assert isinstance(dialog, SpyDialog)
    qtbot.waitUntil(
        lambda: "Which VAT rate applies?" in dialog.thread_view.plain_text(), timeout=10_000
    )
    with (
        qtbot.waitSignal(dialog.thread_view.thread_loaded, timeout=10_000),
        qtbot.waitSignal(dialog.noted, timeout=10_000) as noted,
    ):
        dialog.note.setPlainText("Checked the VAT answer with finance.")
        dialog.add_note_button.click()
    assert noted.args == [True]
    assert [n.body.text() for n in dialog.thread_view.notes] == [
        "Checked the VAT answer with finance."
    ]
    with sqlite_ctx.store.read() as session:
        note = session.execute(select(Note)).scalar_one()
        assert note.interaction_id == ids["invoice"]
        assert note.agent_id == page._admin.supervisor
        row = session.get(Interaction, ids["invoice"])
        assert row is not None and row.claimed_by_id is None and row.unread is True

    # A supervisor may note an interaction another agent holds.
    spy = page.spy(ids["refund"])
    with qtbot.waitSignal(spy.noted, timeout=10_000) as noted:
        spy.add_note("Alice is on it.")
    assert noted.args == [True]
    with qtbot.waitSignal(spy.noted, timeout=10_000) as noted:
        spy.add_note("   ")
    assert noted.args == [False] and spy.status.text() == "A note cannot be empty."


def test_an_agent_is_refused_by_app(
    qtbot: QtBot, sqlite_ctx: AppContext, ids: dict[str, uuid.UUID], tmp_path: Path
) -> None:
    with admin_context(sqlite_ctx, "alice") as admin:
        page = InteractionsPage(admin)
        qtbot.addWidget(page)
        with qtbot.waitSignal(page.searched, timeout=10_000) as searched:
            page.run_search()
        assert searched.args == [-1]
        assert page.status.text() == (
            "Only a supervisor may search, export or delete interactions; alice is an agent."
        )
        store, blobs, alice = sqlite_ctx.store, sqlite_ctx.blobs, admin.supervisor
        with pytest.raises(UserError, match="Only a supervisor"):
            interaction_admin.delete_interactions(store, blobs, alice, [ids["invoice"]])
        with pytest.raises(UserError, match="Only a supervisor"):
            interaction_admin.export_eml_zip(
                store, blobs, alice, ids["invoice"], tmp_path / "x.zip", attachments=True
            )
        assert not (tmp_path / "x.zip").exists()
        with store.read() as session:
            row = session.get(Interaction, ids["invoice"])
            assert row is not None and row.deleted_at is None
