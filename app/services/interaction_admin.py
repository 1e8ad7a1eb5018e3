"""What the supervisor's Interactions page asks of app/: search, CSV, .eml zips, deletion.

Every function checks that the acting agent is a supervisor before it reads or changes
anything: the page is only shown in admin mode, but hiding a page is not a permission.
Deleting is the ``delete_interactions`` operation, so in team mode the central database
deletes (and checks the role again).
Searching, saving searches and the zips build on fulltext.py, saved_searches.py and
exports.py; this module adds the role check, the page's choices and the file writing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

from app.errors import UserError
from app.services import exports, saved_searches
from app.services.fulltext import Filters, Hit, InteractionSearch, find
from app.services.operations import OpContext, Operation, Rejected, apply_or_raise, handler
from app.services.reports import to_csv
from app.services.search import Condition
from storage.blobs import SqlBlobStore
from storage.engine import Store
from storage.models import Agent, EmailAccount, Interaction, Queue, Tag

CSV_COLUMNS = (
    "id",
    "subject",
    "customer",
    "account",
    "queue",
    "agent",
    "language",
    "status",
    "unread",
    "started_at",
    "last_activity_at",
)


def supervisor_name(store: Store, actor: uuid.UUID) -> str:
    """The actor's name, if they are a supervisor; a UserError with the reason otherwise."""
    with store.read() as session:
        agent = session.get(Agent, actor)
        if agent is None or agent.deleted_at is not None:
            raise UserError("Sign in again: your agent account no longer exists.")
        if agent.role != "supervisor":
            raise UserError(
                f"Only a supervisor may search, export or delete interactions; "
                f"{agent.name} is an agent."
            )
        return agent.name


@dataclass(frozen=True)
class FilterChoices:
    """The names the page's filter lists offer (live rows only, sorted)."""

    accounts: tuple[str, ...]
    queues: tuple[str, ...]
    agents: tuple[str, ...]
    languages: tuple[str, ...]
    tags: tuple[str, ...]


def filter_choices(store: Store, actor: uuid.UUID) -> FilterChoices:
    supervisor_name(store, actor)

    def names(column: Any, deleted: Any) -> tuple[str, ...]:
        query = select(column).where(deleted.is_(None)).distinct().order_by(column)
        return tuple(str(v) for v in session.execute(query).scalars() if v)

    with store.read() as session:
        return FilterChoices(
            accounts=names(EmailAccount.name, EmailAccount.deleted_at),
            queues=names(Queue.name, Queue.deleted_at),
            agents=names(Agent.name, Agent.deleted_at),
            languages=names(Interaction.language, Interaction.deleted_at),
            tags=names(Tag.name, Tag.deleted_at),
        )


def make_search(
    text: str,
    filters: dict[str, Any],
    conditions: Sequence[Condition],
    match: str,
) -> InteractionSearch:
    """An InteractionSearch from the page's loose values, checked (UserError with a reason)."""
    search = InteractionSearch(text.strip(), Filters.of(**filters), tuple(conditions), match)
    search.check()
    return search


def find_interactions(
    store: Store, actor: uuid.UUID, search: InteractionSearch, limit: int = 500
) -> list[Hit]:
    supervisor_name(store, actor)
    return find(store, search, limit)


def csv_rows(hits: Sequence[Hit]) -> list[dict[str, Any]]:
    return [
        {
            "id": str(h.id),
            "subject": h.subject,
            "customer": h.customer,
            "account": h.account,
            "queue": h.queue,
            "agent": h.agent,
            "language": h.language,
            "status": h.status,
            "unread": "yes" if h.unread else "no",
            "started_at": h.started_at.isoformat(),
            "last_activity_at": h.last_activity_at.isoformat(),
        }
        for h in hits
    ]


def _write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target and rename: a failed export never leaves half a file."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def export_csv(
    store: Store, actor: uuid.UUID, hits: Sequence[Hit], path: Path, *, bom: bool
) -> int:
    """The rows as RFC 4180 CSV in UTF-8 (a BOM on request); returns the rows written."""
    supervisor_name(store, actor)
    if not hits:
        raise UserError("There are no interactions to export: search first.")
    _write_atomically(path, to_csv(csv_rows(hits), bom=bom).encode("utf-8"))
    return len(hits)


def export_eml_zip(
    store: Store,
    blobs: SqlBlobStore,
    actor: uuid.UUID,
    interaction_id: uuid.UUID,
    path: Path,
    *,
    attachments: bool,
) -> Path:
    """The conversation as numbered .eml files in a zip at ``path``."""
    supervisor_name(store, actor)
    _write_atomically(path, exports.eml_zip(store, blobs, interaction_id, attachments=attachments))
    return path


@handler("delete_interactions")
def _delete_interactions(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Delete conversations for good (supervisors). Payload: interactions (ids).

    Ingest tombstones keep a resync from bringing the mail back; the blobs nobody else
    needs are deleted from the message store once the transaction has committed (never
    before: a rollback must not leave rows pointing at missing blobs).
    """
    if not ctx.supervisor:
        raise Rejected(f"Only a supervisor may delete interactions; {ctx.actor.name} is an agent.")
    raw = payload.get("interactions")
    if not isinstance(raw, list) or not raw:
        raise Rejected("Say which interactions to delete (a list of ids).")
    try:
        ids = list(dict.fromkeys(uuid.UUID(str(i)) for i in raw))
    except ValueError:
        raise Rejected("The interactions to delete must be interaction ids.") from None
    blobs = ctx.blob_store()
    unused: set[str] = set()
    messages = 0
    for interaction_id in ids:
        count, hashes = exports.delete_interaction_rows(ctx.session, interaction_id)
        ctx.event("interaction.delete", interaction=interaction_id, messages=count)
        messages += count
        unused |= hashes
    if unused:
        event.listen(ctx.session, "after_commit", lambda _s: blobs.delete(unused), once=True)
    return {"deleted": len(ids), "messages": messages}


def delete_interactions_op(actor: uuid.UUID, interaction_ids: Sequence[uuid.UUID]) -> Operation:
    return Operation(
        "delete_interactions", actor, {"interactions": [str(i) for i in interaction_ids]}
    )


def delete_interactions(
    store: Store, blobs: SqlBlobStore, actor: uuid.UUID, interaction_ids: Sequence[uuid.UUID]
) -> int:
    """Delete each conversation for good (the ``delete_interactions`` operation); how many."""
    result = apply_or_raise(store, delete_interactions_op(actor, interaction_ids), blobs=blobs)
    return int(result["deleted"])


# --- saved searches, owned by the signed-in supervisor ----------------------------------------


def saved_search_names(store: Store, actor: uuid.UUID) -> list[str]:
    return [s.name for s in saved_searches.list_saved(store, supervisor_name(store, actor))]


def save_search_op(
    actor: uuid.UUID, name: str, search: InteractionSearch, *, replace: bool
) -> Operation:
    return saved_searches.save_op(actor, name, search, replace=replace)


def load_search(store: Store, actor: uuid.UUID, name: str) -> InteractionSearch:
    return saved_searches.load(store, supervisor_name(store, actor), name).search


def rename_search_op(actor: uuid.UUID, name: str, new_name: str) -> Operation:
    return saved_searches.rename_op(actor, name, new_name)


def delete_search_op(actor: uuid.UUID, name: str) -> Operation:
    return saved_searches.delete_op(actor, name)
