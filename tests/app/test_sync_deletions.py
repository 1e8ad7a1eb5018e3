"""Deletions on the central database reach a desk: after a purge or a delete there and a
pull here, the desk's rows are tombstoned with their text gone, its full-text index no
longer finds the words and its blob cache no longer holds the mail's bytes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.context import AppContext, open_local
from app.services import retention
from app.services.exports import delete_interaction
from app.services.fulltext import InteractionSearch, find
from app.services.sync import CentralConfig, CentralSync, keep_held_blobs
from app.services.team import TeamLink
from storage.blobs import SqlBlobStore
from storage.engine import Store
from storage.models import Agent, Attachment, EmailAccount, Interaction, Message, Project
from storage.sync import CentralBlobs
from tests.servers.central import CentralCluster

OLD = dt.datetime.now(dt.UTC) - dt.timedelta(days=90)


@pytest.fixture
def desk(data_dir: Path) -> Iterator[AppContext]:
    ctx = open_local(data_dir)
    yield ctx
    ctx.close()


def _local_fts(desk: AppContext, word: str) -> list[uuid.UUID]:
    """The messages the desk's FTS5 index finds for ``word`` (the index itself, no filters)."""
    with desk.store.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.message_id FROM message_fts JOIN message_search AS s "
                "ON s.doc = message_fts.rowid WHERE message_fts MATCH :word"
            ),
            {"word": word},
        ).scalars()
        return [uuid.UUID(str(r)) for r in rows]


@pytest.mark.parametrize(("how", "via"), [("purge", "sync"), ("delete", "team link")])
def test_a_central_deletion_reaches_the_desk(
    shared_cluster: CentralCluster, desk: AppContext, how: str, via: str
) -> None:
    central = Store(shared_cluster.migrated_database())
    central_blobs = SqlBlobStore(central.engine)
    raw_gone, raw_kept, only_gone, shared = central_blobs.put_many(
        [
            b"From: c@example.test\r\nSubject: Zanzibar\r\n\r\nzanzibar refund",
            b"From: d@example.test\r\nSubject: Kettle\r\n\r\nkettle broken",
            b"%PDF-1.7 passport scan",
            b"%PDF-1.7 terms and conditions",
        ]
    )
    try:
        with central.write() as session:
            project = Project(name="Acme", key="ACM", auto_delete=True, auto_delete_days=30)
            session.add(project)
            session.flush()
            account = EmailAccount(project_id=project.id, name="s", key="S", email="s@a.test")
            agent = Agent(name="alice")
            session.add_all([account, agent])
            session.flush()
            ids: dict[str, uuid.UUID] = {}
            for name, raw, words, attachments, old in (
                ("gone", raw_gone, "zanzibar refund", (only_gone, shared), True),
                ("kept", raw_kept, "kettle broken", (shared,), False),
            ):
                interaction = Interaction(
                    project_id=project.id,
                    account_id=account.id,
                    subject=words,
                    claimed_by_id=agent.id,
                    status="closed" if old else "open",
                    closed_at=OLD if old else None,
                    created_at=OLD if old else dt.datetime.now(dt.UTC),
                    last_message_at=OLD if old else None,
                )
                session.add(interaction)
                session.flush()
                message = Message(
                    interaction_id=interaction.id,
                    account_id=account.id,
                    raw_hash=raw,
                    subject=words,
                    text_body=words,
                    html_body=f"<p>{words}</p>",
                )
                session.add(message)
                session.flush()
                for n, blob in enumerate(attachments):
                    session.add(
                        Attachment(
                            message_id=message.id, position=n, filename="a.pdf", blob_hash=blob
                        )
                    )
                ids[name], ids[f"{name}_message"] = interaction.id, message.id
            agent_id = agent.id

        config = CentralConfig(central.engine.url.render_as_string(False), "test")
        # `relaydesk sync` builds its CentralSync; the desktop's team link builds one too.
        link = None
        if via == "team link":
            link = TeamLink(desk.store, config, interval=3600, blobs=desk.blobs)
            sync = link.sync
        else:
            sync = CentralSync(desk.store, config, blobs=desk.blobs)
        try:
            assert sync.pull() is not None
            held = CentralBlobs(desk.blobs, central_blobs)
            assert keep_held_blobs(desk.store, held, agent_id) == 4  # both held by alice
            assert _local_fts(desk, "zanzibar") == [ids["gone_message"]]

            if how == "purge":
                assert retention.purge(central, central_blobs).interactions == [ids["gone"]]
            else:
                assert delete_interaction(central, central_blobs, ids["gone"], None) == 1
            assert not central_blobs.has(raw_gone) and central_blobs.has(shared)
            result = sync.pull()
            assert result is not None and result.tables.get("messages") == 1
        finally:
            sync.close()
            if link is not None:
                link.central.dispose()

        with desk.store.read() as session:
            gone = session.get(Interaction, ids["gone"])
            message = session.get(Message, ids["gone_message"])
            assert gone is not None and gone.deleted_at is not None and gone.subject == ""
            assert message is not None and message.deleted_at is not None
            assert (message.subject, message.text_body, message.html_body) == ("", "", None)
            attachments = session.execute(
                select(Attachment.deleted_at).where(Attachment.message_id == ids["gone_message"])
            ).scalars()
            assert all(at is not None for at in attachments)
            kept = session.get(Message, ids["kept_message"])
            assert kept is not None and kept.deleted_at is None and kept.text_body

        assert _local_fts(desk, "zanzibar") == [] and _local_fts(desk, "refund") == []
        assert _local_fts(desk, "kettle") == [ids["kept_message"]]
        assert find(desk.store, InteractionSearch(text="zanzibar")) == []
        with desk.store.engine.connect() as conn:
            indexed = conn.execute(
                text("SELECT count(*) FROM message_search WHERE message_id = :id"),
                {"id": ids["gone_message"].hex},
            ).scalar_one()
        assert indexed == 0

        # The desk's cache lets go of what only the deleted mail used; shared bytes stay.
        assert not desk.blobs.has(raw_gone), "the deleted message's raw bytes are still cached"
        assert not desk.blobs.has(only_gone)
        assert desk.blobs.has(raw_kept) and desk.blobs.has(shared)
    finally:
        central_blobs.dispose()
        central.dispose()
