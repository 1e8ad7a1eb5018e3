"""Team mode's database roles: an agent's login role, the worker's, and signing in with one.

Migration 0009 made the group roles ``relaydesk_agent`` and ``relaydesk_worker`` and the
row-level security that keys on ``agents.db_role``. Here a person holding the central
database's owner role gives an agent (or the worker) a login role in those groups; an agent
then signs in to team mode with that role, and the central database itself says who they are
and whether they are a supervisor (``relaydesk_current_agent()``), not a flag on the desk.
"""

from __future__ import annotations

import hmac
import logging
import re
import uuid
from dataclasses import replace
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.errors import AuthError, ConfigError, UserError
from app.services.session import SignedIn
from app.services.sync import LIBPQ_TIMEOUTS, CentralConfig, connect_url, store_password
from storage.engine import Store
from storage.models import Agent

log = logging.getLogger("db")

AGENT_GROUP = "relaydesk_agent"
WORKER_GROUP = "relaydesk_worker"
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_.\-]{0,62}$")


def default_role(agent_name: str) -> str:
    """``rd_`` and the agent's name, lower case, in the characters a role may hold."""
    cleaned = re.sub(r"[^a-z0-9_]+", "_", agent_name.lower()).strip("_") or "agent"
    return f"rd_{cleaned}"[:63]


def _check_role_name(role: str) -> None:
    if not _ROLE_NAME.match(role) or role.startswith("pg_"):
        raise UserError(
            f"{role!r} cannot be a database role here: use up to 63 lower-case letters, "
            "digits, '_', '.' or '-', starting with a letter, and not 'pg_'."
        )
    if role in (AGENT_GROUP, WORKER_GROUP):
        raise UserError(f"{role} is a group role; give the login role another name.")


def _conninfo(config: CentralConfig) -> str:
    return connect_url(config).set(drivername="postgresql").render_as_string(hide_password=False)


def _connect(config: CentralConfig) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(_conninfo(config), **LIBPQ_TIMEOUTS)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise AuthError(
            f"Cannot connect to the central database {config.display}: {reason}"
        ) from exc


def _require_schema(conn: psycopg.Connection[Any], config: CentralConfig) -> None:
    found = conn.execute("SELECT to_regprocedure('relaydesk_current_agent()')").fetchone()
    if found is None or found[0] is None:
        raise ConfigError(
            f"The central database {config.display} has no database roles yet; run "
            "`relaydesk db upgrade --central URL` as its owner first."
        )


def _ensure_login_role(
    conn: psycopg.Connection[Any], role: str, group: str, password: str | None
) -> bool:
    """Create ``role`` (LOGIN) or take the existing one; make it a member of ``group``.

    True when the role was created. A role that can do more than the group allows (a
    superuser, a role bypassing row security, the other group's member) is refused: granting
    it would not limit it.
    """
    row = conn.execute(
        "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles "
        "WHERE rolname = %s",
        (role,),
    ).fetchone()
    other = WORKER_GROUP if group == AGENT_GROUP else AGENT_GROUP
    created = row is None
    if row is not None:
        if any(row):
            raise UserError(
                f"The database role {role} is a superuser or may bypass row security or "
                "create roles or databases; give the agent a role of their own."
            )
        member = conn.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", (role, other)).fetchone()
        if member is not None and member[0]:
            raise UserError(f"The database role {role} is already a member of {other}.")
        conn.execute(sql.SQL("ALTER ROLE {} LOGIN").format(sql.Identifier(role)))
    else:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    if password:
        conn.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password))
        )
    conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(role)))
    return created


def grant_agent(
    config: CentralConfig, agent: str, role: str | None = None, password: str | None = None
) -> str:
    """Give ``agent`` (a name) the login role ``role`` in the agents' group; returns the role.

    Run as the central database's owner (it needs CREATEROLE). The mapping is
    ``agents.db_role``, written with a new change marker so desks pull it like any change.
    """
    role = role or default_role(agent)
    _check_role_name(role)
    with _connect(config) as conn:
        _require_schema(conn, config)
        found = conn.execute(
            "SELECT id FROM agents WHERE name = %s AND deleted_at IS NULL", (agent,)
        ).fetchone()
        if found is None:
            raise UserError(f"There is no agent named {agent!s:.100} in the central database.")
        agent_id: uuid.UUID = found[0]
        taken = conn.execute(
            "SELECT name FROM agents WHERE db_role = %s AND id <> %s", (role, agent_id)
        ).fetchone()
        if taken is not None:
            raise UserError(f"The database role {role} already belongs to agent {taken[0]}.")
        try:
            created = _ensure_login_role(conn, role, AGENT_GROUP, password)
        except psycopg.errors.InsufficientPrivilege as exc:
            raise AuthError(
                f"This connection to {config.display} may not create or grant roles ({exc}); "
                "connect as the database owner with CREATEROLE."
            ) from exc
        conn.execute(
            "UPDATE agents SET db_role = %s, change_seq = nextval('change_seq') WHERE id = %s",
            (role, agent_id),
        )
    log.info("database role %s %s for agent %s", role, "created" if created else "granted", agent)
    return role


def grant_worker(config: CentralConfig, role: str, password: str | None = None) -> str:
    """Make ``role`` a login role in the worker's group: it writes the domain tables."""
    _check_role_name(role)
    with _connect(config) as conn:
        _require_schema(conn, config)
        taken = conn.execute("SELECT name FROM agents WHERE db_role = %s", (role,)).fetchone()
        if taken is not None:
            raise UserError(f"The database role {role} belongs to agent {taken[0]}.")
        try:
            _ensure_login_role(conn, role, WORKER_GROUP, password)
        except psycopg.errors.InsufficientPrivilege as exc:
            raise AuthError(
                f"This connection to {config.display} may not create or grant roles ({exc}); "
                "connect as the database owner with CREATEROLE."
            ) from exc
    log.info("database role %s granted the worker's rights", role)
    return role


def sign_in_team(config: CentralConfig) -> SignedIn:
    """Who the central database says this connection's role is, and whether a supervisor.

    Team mode's sign-in: the database checked the role's password when it let us in, and
    the answer comes from its own tables, so a desk cannot claim another agent or admin mode.
    """
    user = connect_url(config).username or "(default)"
    with _connect(config) as conn:
        _require_schema(conn, config)
        row = conn.execute(
            "SELECT a.id, a.name, a.full_name, relaydesk_supervisor(current_user) "
            "FROM agents a WHERE a.id = relaydesk_current_agent()"
        ).fetchone()
    if row is None:
        raise AuthError(
            f"The database role {user} is not an agent's; a supervisor gives it to one with "
            "`relaydesk db grant-agent NAME --role ROLE`."
        )
    return SignedIn(agent_id=row[0], name=row[1], full_name=row[2], supervisor=bool(row[3]))


def role_of(config: CentralConfig) -> str:
    """The database role the configured URL names ("" when it names none)."""
    return make_url(config.url).username or ""


def sign_in_role(
    config: CentralConfig, role: str, password: str, *, local: Store | None = None
) -> SignedIn:
    """An agent signs in at a team-mode desk with their database role and its password.

    The central database checks the password (a wrong one is an AuthError saying so) and says
    whose role it is (``sign_in_team``); only then is the password kept in the keyring, under
    this server, database and role, so the desk can connect as the agent from now on.

    With ``local`` (the desk's store), an agent can still sign in while the central database
    cannot be reached: with the password it last accepted for this role (kept in the
    keyring), as the agent the desk's last pull says holds the role. A server that answered
    and refused is never overruled.
    """
    role = role.strip()
    if not role:
        raise UserError("Type your database role (your supervisor gave it to you).")
    if not password:
        raise UserError("Type the password of your database role.")
    url = make_url(config.url).set(username=role, password=None)
    keyed = url.render_as_string(hide_password=False)
    trying = CentralConfig(url.set(password=password).render_as_string(False), config.source)
    try:
        signed = sign_in_team(trying)
    except AuthError as exc:
        if local is None or not _unreachable(exc):
            raise
        return _sign_in_offline(local, CentralConfig(keyed, config.source), role, password, exc)
    store_password(keyed, password)
    log.info("signed in to team mode as database role %s (agent %s)", role, signed.name)
    return replace(signed, db_role=role)


# Connection failures that mean "not reached"; anything else (a refused password, an unknown
# role) is the server's answer. Listed, so an unknown failure counts as a refusal.
_UNREACHABLE = (
    "connection refused",
    "timeout expired",
    "timed out",
    "could not translate host name",
    "no route to host",
    "network is unreachable",
    "server closed the connection",
)


def _unreachable(exc: AuthError) -> bool:
    cause = exc.__cause__
    text = str(cause).lower() if isinstance(cause, psycopg.OperationalError) else ""
    return any(reason in text for reason in _UNREACHABLE)


def _sign_in_offline(
    local: Store, keyed: CentralConfig, role: str, password: str, exc: AuthError
) -> SignedIn:
    known = connect_url(keyed).password
    if not known or not hmac.compare_digest(known.encode(), password.encode()):
        raise AuthError(
            f"{exc} Offline, this desk signs in only with the password the central database "
            f"last accepted here for {role}."
        ) from exc
    with local.read() as session:
        agent = session.execute(
            select(Agent).where(Agent.db_role == role, Agent.deleted_at.is_(None))
        ).scalar()
        if agent is None:
            raise AuthError(
                f"{exc} Offline, and this desk's copy has no agent with the role {role}."
            ) from exc
        signed = SignedIn(
            agent.id, agent.name, agent.full_name, agent.role == "supervisor", db_role=role
        )
    log.warning("signed in offline as database role %s (agent %s)", role, signed.name)
    return signed
