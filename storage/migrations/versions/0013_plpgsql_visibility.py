"""plpgsql visibility: the row-security functions keep their plans

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 19:20:00

PostgreSQL only. Migration 0009's functions (who the connected role is, its accounts and
queues, and ``relaydesk_visibility()``, which every pull's opening statement calls) were SQL
functions. A SECURITY DEFINER SQL function is never inlined, and its body is planned again
at every call: ``relaydesk_visibility()`` alone cost 0.3 ms of server CPU per pull, and
1.5 ms of wall time, for a statement that otherwise runs in 0.25 ms; the row-security
policies call the others in every query of an agent's role. The same functions in PL/pgSQL
keep their plans for the session. Same names, arguments, results and privileges (CREATE OR
REPLACE keeps them, and the policies that call them).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.migrate import revision_module

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

FUNCTIONS = """
CREATE OR REPLACE FUNCTION relaydesk_agent_of(r name) RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
BEGIN
    -- db_role is unique: one agent at most.
    RETURN (SELECT a.id FROM agents a
            WHERE a.db_role = r AND a.deleted_at IS NULL
              AND pg_has_role(session_user, r, 'MEMBER'));
END
$$;

CREATE OR REPLACE FUNCTION relaydesk_supervisor(r name) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
BEGIN
    RETURN (SELECT coalesce(bool_or(a.role = 'supervisor'), false) FROM agents a
            WHERE a.db_role = r AND a.deleted_at IS NULL
              AND pg_has_role(session_user, r, 'MEMBER'));
END
$$;

CREATE OR REPLACE FUNCTION relaydesk_accounts_of(r name) RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT m.account_id FROM agent_accounts m JOIN agents a ON a.id = m.agent_id
    WHERE a.db_role = r AND a.deleted_at IS NULL AND m.deleted_at IS NULL
      AND pg_has_role(session_user, r, 'MEMBER');
END
$$;

CREATE OR REPLACE FUNCTION relaydesk_queues_of(r name) RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT m.queue_id FROM agent_queues m JOIN agents a ON a.id = m.agent_id
    WHERE a.db_role = r AND a.deleted_at IS NULL AND m.deleted_at IS NULL
      AND pg_has_role(session_user, r, 'MEMBER');
END
$$;

-- The agent the connected role signs in as (NULL for the owner and the worker).
CREATE OR REPLACE FUNCTION relaydesk_current_agent() RETURNS uuid
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN relaydesk_agent_of(current_user);
END
$$;

-- What decides which rows this role sees: a pull starts over when it changes.
CREATE OR REPLACE FUNCTION relaydesk_visibility() RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    me uuid := relaydesk_agent_of(current_user);
BEGIN
    IF me IS NULL THEN
        RETURN '';
    END IF;
    RETURN md5(
        me::text
        || relaydesk_supervisor(current_user)::text
        || coalesce((SELECT string_agg(x::text, ',' ORDER BY x)
                     FROM relaydesk_accounts_of(current_user) x), '')
        || '/'
        || coalesce((SELECT string_agg(x::text, ',' ORDER BY x)
                     FROM relaydesk_queues_of(current_user) x), ''));
END
$$;
"""


def _schema() -> str:
    name = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one()
    return '"' + str(name).replace('"', '""') + '"'


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTIONS.format(schema=_schema()))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # Back to 0009's SQL functions, from 0009 itself.
    previous = revision_module("0009")
    op.execute(previous.FUNCTIONS.format(schema=_schema()))
