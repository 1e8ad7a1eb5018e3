"""Saved searches: a supervisor's named interactions searches, kept as data per owner.

Saving, renaming and deleting are operations of their owner (``save_search``,
``rename_search``, ``delete_search``), so in team mode they are kept centrally and follow
the supervisor from desk to desk.

A saved search is the JSON of an ``InteractionSearch`` (words, filters, builder conditions
and all/any), never SQL: it is checked when saved and compiled afresh each time it runs, so a
later version of the builder reads it the same way and nothing typed can reach the SQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UserError
from app.services.fulltext import Hit, InteractionSearch, find
from app.services.operations import OpContext, Operation, apply_or_raise, handler
from storage.engine import Store
from storage.models import Agent, SavedSearch, utcnow

MAX_NAME = 200


@dataclass(frozen=True)
class SavedSearchInfo:
    id: uuid.UUID
    owner: str
    name: str
    search: InteractionSearch
    updated_at: dt.datetime


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise UserError(f"A saved search needs a name of 1 to {MAX_NAME} characters.")
    return name


def _owner(session: Session, owner: str) -> Agent:
    agent = session.execute(
        select(Agent).where(Agent.name == owner, Agent.deleted_at.is_(None))
    ).scalar_one_or_none()
    if agent is None:
        raise UserError(f"There is no agent named {owner!r}.")
    return agent


def _row(session: Session, owner_id: uuid.UUID, name: str) -> SavedSearch | None:
    return session.execute(
        select(SavedSearch).where(SavedSearch.owner_id == owner_id, SavedSearch.name == name)
    ).scalar_one_or_none()


def _info(row: SavedSearch, owner: str) -> SavedSearchInfo:
    return SavedSearchInfo(
        row.id, owner, row.name, InteractionSearch.from_json(row.query), row.updated_at
    )


def save_op(
    owner: str | uuid.UUID, name: str, search: InteractionSearch, *, replace: bool = False
) -> Operation:
    """The ``save_search`` operation: ``search`` kept under ``name`` for ``owner``."""
    search.check()
    return Operation(
        "save_search",
        owner,
        {"name": _clean_name(name), "search": search.as_json(), "replace": replace},
    )


@handler("save_search")
def _save_search(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    name = _clean_name(str(payload.get("name", "")))
    query = payload.get("search")
    if not isinstance(query, dict):
        raise UserError("Say which search to keep (payload key 'search').")
    search = InteractionSearch.from_json(query)  # what is stored must read back
    search.check()
    owner, now = ctx.actor, utcnow()
    row = _row(ctx.session, owner.id, name)
    if row is not None and row.deleted_at is None and not payload.get("replace"):
        raise UserError(
            f"{owner.name} already has a saved search named {name!r}: choose another name "
            "or replace it."
        )
    if row is None:
        row = SavedSearch(owner_id=owner.id, name=name, query=query, created_at=now)
        ctx.session.add(row)
    row.query = search.as_json()
    row.deleted_at = None  # a name deleted before can be used again
    row.updated_at = now
    ctx.session.flush()
    ctx.event("saved_search.save", name=name)
    return {"id": str(row.id), "name": name, "updated_at": now.isoformat()}


def save(
    store: Store, owner: str, name: str, search: InteractionSearch, *, replace: bool = False
) -> SavedSearchInfo:
    """Keep ``search`` under ``name`` for ``owner``; an existing name needs ``replace``."""
    result = apply_or_raise(store, save_op(owner, name, search, replace=replace))
    return SavedSearchInfo(
        uuid.UUID(result["id"]),
        owner,
        result["name"],
        search,
        dt.datetime.fromisoformat(result["updated_at"]),
    )


def list_saved(store: Store, owner: str) -> list[SavedSearchInfo]:
    """The owner's saved searches, by name."""
    with store.read() as session:
        agent = _owner(session, owner)
        rows = session.execute(
            select(SavedSearch)
            .where(SavedSearch.owner_id == agent.id, SavedSearch.deleted_at.is_(None))
            .order_by(SavedSearch.name)
        ).scalars()
        return [_info(row, owner) for row in rows]


def load(store: Store, owner: str, name: str) -> SavedSearchInfo:
    with store.read() as session:
        agent = _owner(session, owner)
        row = _row(session, agent.id, _clean_name(name))
        if row is None or row.deleted_at is not None:
            raise UserError(f"{owner} has no saved search named {name!r}.")
        return _info(row, owner)


def rename_op(owner: str | uuid.UUID, name: str, new_name: str) -> Operation:
    return Operation(
        "rename_search", owner, {"name": _clean_name(name), "new_name": _clean_name(new_name)}
    )


@handler("rename_search")
def _rename_search(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    name = _clean_name(str(payload.get("name", "")))
    new_name = _clean_name(str(payload.get("new_name", "")))
    owner = ctx.actor
    row = _row(ctx.session, owner.id, name)
    if row is None or row.deleted_at is not None:
        raise UserError(f"{owner.name} has no saved search named {name!r}.")
    if new_name != name:
        clash = _row(ctx.session, owner.id, new_name)
        if clash is not None and clash.deleted_at is None:
            raise UserError(f"{owner.name} already has a saved search named {new_name!r}.")
        if clash is not None:  # a tombstone holding the name: it stays, under another name
            clash.name = f"(deleted {clash.id})"
            ctx.session.flush()
        row.name = new_name
        row.updated_at = utcnow()
        ctx.session.flush()
        ctx.event("saved_search.rename", name=name, new_name=new_name)
    return {"id": str(row.id), "name": new_name}


def rename(store: Store, owner: str, name: str, new_name: str) -> SavedSearchInfo:
    apply_or_raise(store, rename_op(owner, name, new_name))
    return load(store, owner, new_name)


def delete_op(owner: str | uuid.UUID, name: str) -> Operation:
    return Operation("delete_search", owner, {"name": _clean_name(name)})


@handler("delete_search")
def _delete_search(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    name = _clean_name(str(payload.get("name", "")))
    owner = ctx.actor
    row = _row(ctx.session, owner.id, name)
    if row is None or row.deleted_at is not None:
        raise UserError(f"{owner.name} has no saved search named {name!r}.")
    row.deleted_at = utcnow()  # a tombstone for sync; the name can be used again
    ctx.event("saved_search.delete", name=name)
    return {"name": name}


def delete(store: Store, owner: str, name: str) -> None:
    """Remove a saved search (the ``delete_search`` operation)."""
    apply_or_raise(store, delete_op(owner, name))


def run(store: Store, owner: str, name: str, limit: int = 50) -> list[Hit]:
    """Run a saved search as it is stored now."""
    return find(store, load(store, owner, name).search, limit)
