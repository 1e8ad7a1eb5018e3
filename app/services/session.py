"""Signing in to the desktop, the first supervisor, and who may enter admin mode.

The role check lives here (and, in team mode, in the central database's permissions), not
in the window: hiding a button is not a permission.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from app import policy
from app.errors import AuthError, UserError
from app.services.agents import add_agent, verify_password
from storage.engine import Store
from storage.models import Agent, Event


@dataclass(frozen=True)
class SignedIn:
    agent_id: uuid.UUID
    name: str
    full_name: str
    supervisor: bool
    # Team mode: the database role the agent signed in with (the desk's link connects as it).
    db_role: str | None = None


def needs_first_supervisor(store: Store) -> bool:
    """A new store has nobody who could sign in: the first start creates a supervisor."""
    with store.read() as session:
        count = session.execute(
            select(func.count())
            .select_from(Agent)
            .where(Agent.role == "supervisor", Agent.deleted_at.is_(None))
        ).scalar_one()
    return count == 0


def create_first_supervisor(store: Store, name: str, password: str) -> SignedIn:
    if not needs_first_supervisor(store):
        raise UserError("There is already a supervisor; sign in as them to add people.")
    if len(password) < 8:
        raise UserError("Choose a password of at least 8 characters.")
    add_agent(store, name, supervisor=True, password=password)
    return sign_in(store, name, password)


def sign_in(store: Store, name: str, password: str) -> SignedIn:
    """Check the password (a salted scrypt hash); the same sentence for any failure."""
    with store.read() as session:
        agent = session.execute(
            select(Agent).where(Agent.name == name, Agent.deleted_at.is_(None))
        ).scalar()
    ok = agent is not None and verify_password(password, agent.password_hash)
    with store.write() as session:
        session.add(
            Event(kind="signin", actor_id=agent.id, data={})
            if ok and agent is not None
            else Event(kind="signin.failed", data={"name": name[:100]})
        )
    if not ok or agent is None:
        raise AuthError("The name or the password is not right.")
    return SignedIn(agent.id, agent.name, agent.full_name, agent.role == "supervisor")


def may_enter_admin_mode(store: Store, agent_id: uuid.UUID) -> None:
    """Raise unless this agent may switch on admin mode (supervisors, if IT allows it)."""
    with store.read() as session:
        agent = session.get(Agent, agent_id)
        role = agent.role if agent is not None and agent.deleted_at is None else None
    if role != "supervisor":
        raise AuthError("Only supervisors can switch on admin mode.")
    if not policy.current().allow_local_admin:
        raise AuthError("Your IT policy does not allow admin mode on this desktop.")
