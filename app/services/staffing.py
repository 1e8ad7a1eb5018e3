"""What the supervisor's admin pages read and change about people, queues and accounts.

Every change is a named operation (app/services/operations.py): ``add_agent``, ``set_role``,
``set_queue_membership``, ``set_account_membership``, ``add_queue``, ``rename_queue``,
``add_account`` and ``remove_account``. The handlers live here, beside the functions the CLI
and the tests call (``set_membership``, ``add_agent_as``…), which only build the operation and
apply it: one code path for the rules, standalone or on the central database in team mode.
Each handler checks that the actor is a supervisor; hiding a page is not a permission.

Secrets never travel in an operation: ``add_agent`` carries the password's scrypt hash, made
by the caller, and an account's mailbox password stays with the caller too, for the keyring
of the host that fetches (this one standalone, the worker in team mode).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app import secrets
from app.errors import UserError
from app.services.accounts import (
    AccountInfo,
    create_account,
    find_account,
    forget_account_secrets,
    get_account,
    tombstone_account,
)
from app.services.agents import (
    ROLES,
    AgentInfo,
    QueueInfo,
    create_agent,
    create_queue,
    find_agent,
    get_agent,
    hash_password,
)
from app.services.operations import OpContext, Operation, Rejected, apply_or_raise, handler
from storage.engine import Store
from storage.models import (
    Agent,
    AgentAccount,
    AgentQueue,
    EmailAccount,
    Interaction,
    Project,
    Queue,
    utcnow,
)

SKILL_RANGE = (1, 100)


@dataclass(frozen=True)
class AgentRow:
    id: uuid.UUID
    name: str
    full_name: str
    role: str
    accounts: tuple[str, ...]


@dataclass(frozen=True)
class Staffing:
    """Agents, queues and the agent x queue matrix (``skills``: None is a member without one)."""

    agents: tuple[AgentRow, ...]
    queues: tuple[QueueInfo, ...]
    members: dict[tuple[uuid.UUID, uuid.UUID], int | None]  # (agent, queue) -> skill
    accounts: tuple[str, ...]


ONLY_SUPERVISORS = "Only a supervisor may change accounts, agents and queues."
MIN_PASSWORD = 8
# Payload keys that would carry a secret: refused, so none lands in an operations row.
_SECRET_WORDS = ("password", "secret", "token", "oauth")


def require_supervisor(store: Store, actor: uuid.UUID) -> None:
    """For reads only a supervisor makes; changes check the role in their handler."""
    with store.read() as session:
        agent = session.get(Agent, actor)
        role = agent.role if agent is not None and agent.deleted_at is None else None
    if role != "supervisor":
        raise UserError(ONLY_SUPERVISORS)


def staffing(store: Store) -> Staffing:
    with store.read() as session:
        account_names = dict(
            session.execute(
                select(EmailAccount.id, EmailAccount.name).where(EmailAccount.deleted_at.is_(None))
            ).all()
        )
        per_agent: dict[uuid.UUID, list[str]] = {}
        for agent_id, account_id in session.execute(
            select(AgentAccount.agent_id, AgentAccount.account_id).where(
                AgentAccount.deleted_at.is_(None)
            )
        ):
            if account_id in account_names:
                per_agent.setdefault(agent_id, []).append(account_names[account_id])
        agents = tuple(
            AgentRow(a.id, a.name, a.full_name, a.role, tuple(sorted(per_agent.get(a.id, []))))
            for a in session.execute(
                select(Agent).where(Agent.deleted_at.is_(None)).order_by(Agent.name)
            ).scalars()
        )
        queues = tuple(
            QueueInfo(q.id, q.name, project, q.language, q.is_default)
            for q, project in session.execute(
                select(Queue, Project.name)
                .join(Project, Project.id == Queue.project_id)
                .where(Queue.deleted_at.is_(None))
                .order_by(Project.name, Queue.is_default.desc(), Queue.name)
            )
        )
        members = {
            (agent_id, queue_id): skill
            for agent_id, queue_id, skill in session.execute(
                select(AgentQueue.agent_id, AgentQueue.queue_id, AgentQueue.skill).where(
                    AgentQueue.deleted_at.is_(None)
                )
            )
        }
    return Staffing(agents, queues, members, tuple(sorted(account_names.values())))


# --- operations -------------------------------------------------------------------------------


def _supervisor_only(ctx: OpContext) -> None:
    if not ctx.supervisor:
        raise Rejected(ONLY_SUPERVISORS)


def _agent(ctx: OpContext, payload: dict[str, Any]) -> Agent:
    """The agent the payload names, by id (as the pages send it) or by name."""
    raw = payload.get("agent")
    if raw is None or raw == "":
        raise Rejected("Say which agent (payload key 'agent').")
    try:
        return find_agent(ctx.session, uuid.UUID(str(raw)))
    except ValueError:
        return find_agent(ctx.session, str(raw))


def _queue(ctx: OpContext, payload: dict[str, Any]) -> Queue:
    try:
        queue_id = uuid.UUID(str(payload.get("queue")))
    except ValueError:
        raise Rejected(f"{payload.get('queue')!r} is not a queue id.") from None
    queue = ctx.session.get(Queue, queue_id)
    if queue is None or queue.deleted_at is not None:
        raise Rejected("That queue no longer exists.")
    return queue


def _member(payload: dict[str, Any]) -> bool:
    member = payload.get("member")
    if not isinstance(member, bool):
        raise Rejected("Say whether the agent is a member (payload key 'member': true or false).")
    return member


def _skill(payload: dict[str, Any]) -> int | None:
    raw = payload.get("skill")
    if raw is None:
        return None
    low, high = SKILL_RANGE
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        raise Rejected(f"A skill level must be between {low} and {high} (got {raw}).")
    return raw


def _names(payload: dict[str, Any], key: str) -> list[str]:
    raw = payload.get(key) or []
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise Rejected(f"Payload key {key!r} must be a list of names.")
    return raw


@handler("set_queue_membership")
def _set_queue_membership(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Put an agent in a queue (with an optional skill level 1..100) or take them out."""
    _supervisor_only(ctx)
    member, skill = _member(payload), _skill(payload)
    agent, queue = _agent(ctx, payload), _queue(ctx, payload)
    row = ctx.session.execute(
        select(AgentQueue).where(AgentQueue.agent_id == agent.id, AgentQueue.queue_id == queue.id)
    ).scalar()
    if member:
        if row is None:
            ctx.session.add(AgentQueue(agent_id=agent.id, queue_id=queue.id, skill=skill))
        else:
            row.deleted_at, row.skill = None, skill
    elif row is not None and row.deleted_at is None:
        row.deleted_at = utcnow()
    ctx.event("queue.member", agent=agent.name, queue=queue.name, member=member, skill=skill)
    return {"agent": agent.name, "queue": queue.name, "member": member, "skill": skill}


@handler("set_account_membership")
def _set_account_membership(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Let an agent work an account's interactions, or stop them."""
    _supervisor_only(ctx)
    member = _member(payload)
    agent = _agent(ctx, payload)
    account = find_account(ctx.session, str(payload.get("account", "")))
    row = ctx.session.execute(
        select(AgentAccount).where(
            AgentAccount.agent_id == agent.id, AgentAccount.account_id == account.id
        )
    ).scalar()
    if member:
        if row is None:
            ctx.session.add(AgentAccount(agent_id=agent.id, account_id=account.id))
        else:
            row.deleted_at = None
    elif row is not None and row.deleted_at is None:
        row.deleted_at = utcnow()
    ctx.event("account.member", agent=agent.name, account=account.name, member=member)
    return {"agent": agent.name, "account": account.name, "member": member}


@handler("set_role")
def _set_role(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Make an agent a supervisor or a supervisor an agent; the desk never loses its last
    supervisor, and nobody demotes themselves (another supervisor has to)."""
    _supervisor_only(ctx)
    role = str(payload.get("role", ""))
    if role not in ROLES:
        raise Rejected(f"A role is one of {', '.join(ROLES)} (got {role!r}).")
    agent = _agent(ctx, payload)
    if agent.role == role:
        return {"agent": agent.name, "role": role}
    if role == "agent":
        if agent.id == ctx.actor.id:
            raise Rejected("You cannot take away your own supervisor role.")
        others = ctx.session.execute(
            select(func.count())
            .select_from(Agent)
            .where(Agent.role == "supervisor", Agent.deleted_at.is_(None), Agent.id != agent.id)
        ).scalar_one()
        if not others:
            raise Rejected(f"{agent.name} is the last supervisor; make another one first.")
    old, agent.role = agent.role, role
    ctx.event("agent.role", agent=agent.name, old=old, role=role)
    return {"agent": agent.name, "role": role}


@handler("add_agent")
def _add_agent(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """A new agent or supervisor; the payload carries the password's hash, never the password."""
    _supervisor_only(ctx)
    password_hash = payload.get("password_hash")
    info = create_agent(
        ctx.session,
        str(payload.get("name", "")),
        role=str(payload.get("role", "agent")),
        password_hash=None if password_hash is None else str(password_hash),
        queues=_names(payload, "queues"),
        accounts=_names(payload, "accounts"),
        full_name=str(payload.get("full_name", "")),
        email=str(payload.get("email", "")),
    )
    ctx.event("agent.add", **info.added_event())
    return info.as_json()


@handler("add_queue")
def _add_queue(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    _supervisor_only(ctx)
    language, project = payload.get("language"), payload.get("project")
    info, project_key = create_queue(
        ctx.session,
        str(payload.get("name", "")),
        language=str(language) if language else None,
        project=str(project) if project else None,
    )
    ctx.event("queue.add", queue=info.id, name=info.name, project=project_key)
    return info.as_json()


@handler("rename_queue")
def _rename_queue(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """The default queue can be renamed, never removed; any queue may be renamed."""
    _supervisor_only(ctx)
    new_name = str(payload.get("name", "")).strip()
    if not new_name or "/" in new_name or len(new_name) > 200:
        raise Rejected("A queue needs a name of at most 200 characters, without '/'.")
    row = _queue(ctx, payload)
    clash = ctx.session.execute(
        select(Queue.id).where(
            Queue.project_id == row.project_id,
            Queue.name == new_name,
            Queue.id != row.id,
            Queue.deleted_at.is_(None),
        )
    ).first()
    if clash is not None:
        raise Rejected(f"This project already has a queue named {new_name!r}.")
    old, row.name = row.name, new_name
    ctx.event("queue.rename", old=old, new=new_name)
    return {"queue": row.id, "old": old, "name": new_name}


@handler("add_account")
def _add_account(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """A new email account, stored without connecting; its secrets are not in the payload."""
    _supervisor_only(ctx)
    carried = [k for k in payload if any(word in k.lower() for word in _SECRET_WORDS)]
    if carried:
        raise Rejected(
            "An account's password or token never travels in an operation "
            f"({', '.join(sorted(carried))}): it is kept in the keyring of the host that fetches."
        )
    fields = dict(payload)
    for required in ("name", "email", "username"):
        fields[required] = str(fields.get(required) or "")
    info = create_account(ctx.session, **fields)
    ctx.event("account.add", account=info.id, name=info.name)
    return info.as_json()


@handler("remove_account")
def _remove_account(ctx: OpContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Remove an email account; its interactions stay for the reports. The keyring's secrets
    are the caller's to forget, on the host that keeps them (``forget_account_secrets``)."""
    _supervisor_only(ctx)
    name = str(payload.get("account", ""))
    account_id = tombstone_account(ctx.session, name)
    ctx.event("account.remove", account=account_id, name=name)
    return {"account": account_id, "name": name}


# --- the same changes for the CLI and the tests: build the operation, apply it -----------------


def set_membership(
    store: Store,
    actor: uuid.UUID,
    agent_id: uuid.UUID,
    queue_id: uuid.UUID,
    member: bool,
    skill: int | None = None,
) -> None:
    """Put an agent in a queue (with an optional skill level 1..100) or take them out."""
    apply_or_raise(store, membership_operation(actor, agent_id, queue_id, member, skill))


def membership_operation(
    actor: uuid.UUID,
    agent_id: uuid.UUID,
    queue_id: uuid.UUID,
    member: bool,
    skill: int | None = None,
) -> Operation:
    payload = {"agent": str(agent_id), "queue": str(queue_id), "member": member, "skill": skill}
    return Operation("set_queue_membership", actor, payload)


def add_agent_operation(
    actor: uuid.UUID,
    name: str,
    *,
    supervisor: bool,
    password: str,
    accounts: Sequence[str] = (),
) -> Operation:
    """The ``add_agent`` operation, the password hashed here (a slow hash: call it off the
    GUI thread). Raises UserError for a password that is too short."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"Choose a password of at least {MIN_PASSWORD} characters.")
    payload = {
        "name": name,
        "role": "supervisor" if supervisor else "agent",
        "password_hash": hash_password(password),
        "accounts": list(accounts),
    }
    return Operation("add_agent", actor, payload)


def add_agent_as(
    store: Store,
    actor: uuid.UUID,
    name: str,
    *,
    supervisor: bool,
    password: str,
    accounts: Sequence[str] = (),
) -> AgentInfo:
    op = add_agent_operation(
        actor, name, supervisor=supervisor, password=password, accounts=accounts
    )
    return get_agent(store, apply_or_raise(store, op)["name"])


def add_queue_as(
    store: Store, actor: uuid.UUID, name: str, *, language: str | None, project: str | None = None
) -> QueueInfo:
    payload = {"name": name, "language": language or None, "project": project}
    result = apply_or_raise(store, Operation("add_queue", actor, payload))
    return QueueInfo(
        uuid.UUID(result["id"]), result["name"], result["project"], result["language"], False
    )


def rename_queue(store: Store, actor: uuid.UUID, queue_id: uuid.UUID, new_name: str) -> None:
    """The default queue can be renamed, never removed; any queue may be renamed."""
    payload = {"queue": str(queue_id), "name": new_name}
    apply_or_raise(store, Operation("rename_queue", actor, payload))


def set_account_membership(
    store: Store, actor: uuid.UUID, agent_id: uuid.UUID, account: str, member: bool
) -> None:
    """Let an agent work an account's interactions, or stop them."""
    apply_or_raise(store, account_membership_operation(actor, agent_id, account, member))


def account_membership_operation(
    actor: uuid.UUID, agent_id: uuid.UUID, account: str, member: bool
) -> Operation:
    payload = {"agent": str(agent_id), "account": account, "member": member}
    return Operation("set_account_membership", actor, payload)


def set_role(store: Store, actor: uuid.UUID, agent_id: uuid.UUID, role: str) -> None:
    """Make an agent a supervisor or a supervisor an agent; the desk never loses its last
    supervisor, and nobody demotes themselves (another supervisor has to)."""
    apply_or_raise(store, Operation("set_role", actor, {"agent": str(agent_id), "role": role}))


def add_account_operation(actor: uuid.UUID, fields: dict[str, Any]) -> Operation:
    """The ``add_account`` operation for ``fields`` as app/services/accounts.py takes them,
    without the password (the caller keeps it for the keyring)."""
    return Operation("add_account", actor, {k: v for k, v in fields.items() if k != "password"})


def add_account_as(store: Store, actor: uuid.UUID, **fields: Any) -> AccountInfo:
    """Add an email account as a supervisor; the password, if given, goes to this
    machine's keyring once the account exists (standalone: this machine fetches)."""
    password = fields.get("password")
    result = apply_or_raise(store, add_account_operation(actor, fields))
    if password is not None:
        keep_account_password(uuid.UUID(result["id"]), password)
    return get_account(store, result["name"])


def keep_account_password(account_id: uuid.UUID, password: str) -> None:
    """Put a new account's mailbox password in this machine's keyring."""
    secrets.set_secret(account_id, "password", password)


@dataclass(frozen=True)
class AccountUsage:
    """What removing an account touches, for the confirmation a supervisor answers."""

    name: str
    email: str
    interactions: int


def account_usage(store: Store, name: str) -> AccountUsage:
    with store.read() as session:
        account = find_account(session, name)
        count = session.execute(
            select(func.count())
            .select_from(Interaction)
            .where(Interaction.account_id == account.id, Interaction.deleted_at.is_(None))
        ).scalar_one()
        return AccountUsage(account.name, account.email, int(count))


def remove_account_as(store: Store, actor: uuid.UUID, name: str) -> None:
    """Remove an email account as a supervisor; its interactions stay for the reports, and
    its secrets leave this machine's keyring."""
    result = apply_or_raise(store, Operation("remove_account", actor, {"account": name}))
    forget_account_secrets(uuid.UUID(result["account"]))
