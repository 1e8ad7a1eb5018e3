"""Saved searches: a supervisor's named interactions searches, kept as data per owner.

A saved search is the JSON of an ``InteractionSearch`` (words, filters, builder conditions
and all/any), never SQL: it is checked when saved and compiled afresh each time it runs, so a
later version of the builder reads it the same way and nothing typed can reach the SQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UserError
from app.services.fulltext import Hit, InteractionSearch, find
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


def save(
    store: Store, owner: str, name: str, search: InteractionSearch, *, replace: bool = False
) -> SavedSearchInfo:
    """Keep ``search`` under ``name`` for ``owner``; an existing name needs ``replace``."""
    name = _clean_name(name)
    search.check()
    query = search.as_json()
    InteractionSearch.from_json(query)  # what is stored must read back
    now = utcnow()
    with store.write() as session:
        agent = _owner(session, owner)
        row = _row(session, agent.id, name)
        if row is not None and row.deleted_at is None and not replace:
            raise UserError(
                f"{owner} already has a saved search named {name!r}: choose another name "
                "or replace it."
            )
        if row is None:
            row = SavedSearch(owner_id=agent.id, name=name, query=query, created_at=now)
            session.add(row)
        row.query = query
        row.deleted_at = None  # a name deleted before can be used again
        row.updated_at = now
        session.flush()
        return SavedSearchInfo(row.id, owner, name, search, now)


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


def rename(store: Store, owner: str, name: str, new_name: str) -> SavedSearchInfo:
    name, new_name = _clean_name(name), _clean_name(new_name)
    with store.write() as session:
        agent = _owner(session, owner)
        row = _row(session, agent.id, name)
        if row is None or row.deleted_at is not None:
            raise UserError(f"{owner} has no saved search named {name!r}.")
        if new_name == name:
            return _info(row, owner)
        clash = _row(session, agent.id, new_name)
        if clash is not None and clash.deleted_at is None:
            raise UserError(f"{owner} already has a saved search named {new_name!r}.")
        if clash is not None:  # a tombstone holding the name: it stays, under another name
            clash.name = f"(deleted {clash.id})"
            session.flush()
        row.name = new_name
        row.updated_at = utcnow()
        session.flush()
        return _info(row, owner)


def delete(store: Store, owner: str, name: str) -> None:
    """Remove a saved search (a tombstone for sync; the name can be used again)."""
    with store.write() as session:
        agent = _owner(session, owner)
        row = _row(session, agent.id, _clean_name(name))
        if row is None or row.deleted_at is not None:
            raise UserError(f"{owner} has no saved search named {name!r}.")
        row.deleted_at = utcnow()


def run(store: Store, owner: str, name: str, limit: int = 50) -> list[Hit]:
    """Run a saved search as it is stored now."""
    return find(store, load(store, owner, name).search, limit)
