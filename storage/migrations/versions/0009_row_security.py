"""row security: agents' and the worker's database roles, forced row-level security

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 10:30:00

Both dialects: ``agents.db_role`` names the PostgreSQL login role an agent connects with.

PostgreSQL only: two group roles, ``relaydesk_agent`` and ``relaydesk_worker`` (NOLOGIN,
created once per cluster), their grants, and FORCE ROW LEVEL SECURITY on the tables holding
mail, so an agent who connects with psql reads only the accounts and queues they belong to
and inserts only their own pending operations. The owner running this migration keeps
ownership and sees everything (a policy names it, since FORCE binds the owner too). The SQL
is written out here on purpose: a migration must not change when app code does.

Membership lookups are SECURITY DEFINER functions taking the role name: policies call them
with ``current_user`` (inside a definer function current_user would be its owner), and they
answer only for a role the session may act as, so nobody learns another agent's accounts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

AGENT = "relaydesk_agent"
WORKER = "relaydesk_worker"

# The central blob table belongs to storage/blobs.py's own metadata; made here (if the
# worker has not yet) so its owner is the schema owner and its grants and policy exist.
BLOBS_DDL = """
CREATE TABLE IF NOT EXISTS blobs (
    hash VARCHAR(64) NOT NULL PRIMARY KEY,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL
)
"""

FUNCTIONS = """
CREATE OR REPLACE FUNCTION relaydesk_agent_of(r name) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    SELECT a.id FROM agents a
    WHERE a.db_role = r AND a.deleted_at IS NULL AND pg_has_role(session_user, r, 'MEMBER')
$$;

CREATE OR REPLACE FUNCTION relaydesk_supervisor(r name) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    SELECT coalesce(bool_or(a.role = 'supervisor'), false) FROM agents a
    WHERE a.db_role = r AND a.deleted_at IS NULL AND pg_has_role(session_user, r, 'MEMBER')
$$;

CREATE OR REPLACE FUNCTION relaydesk_accounts_of(r name) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    SELECT m.account_id FROM agent_accounts m JOIN agents a ON a.id = m.agent_id
    WHERE a.db_role = r AND a.deleted_at IS NULL AND m.deleted_at IS NULL
      AND pg_has_role(session_user, r, 'MEMBER')
$$;

CREATE OR REPLACE FUNCTION relaydesk_queues_of(r name) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    SELECT m.queue_id FROM agent_queues m JOIN agents a ON a.id = m.agent_id
    WHERE a.db_role = r AND a.deleted_at IS NULL AND m.deleted_at IS NULL
      AND pg_has_role(session_user, r, 'MEMBER')
$$;

-- The agent the connected role signs in as (NULL for the owner and the worker).
CREATE OR REPLACE FUNCTION relaydesk_current_agent() RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT relaydesk_agent_of(current_user) $$;

-- What decides which rows this role sees: a pull starts over when it changes.
CREATE OR REPLACE FUNCTION relaydesk_visibility() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN relaydesk_agent_of(current_user) IS NULL THEN '' ELSE md5(
        relaydesk_agent_of(current_user)::text
        || relaydesk_supervisor(current_user)::text
        || coalesce((SELECT string_agg(x::text, ',' ORDER BY x)
                     FROM relaydesk_accounts_of(current_user) x), '')
        || '/'
        || coalesce((SELECT string_agg(x::text, ',' ORDER BY x)
                     FROM relaydesk_queues_of(current_user) x), '')
    ) END
$$;
"""

FUNCTION_NAMES = (
    "relaydesk_visibility()",
    "relaydesk_current_agent()",
    "relaydesk_queues_of(name)",
    "relaydesk_accounts_of(name)",
    "relaydesk_supervisor(name)",
    "relaydesk_agent_of(name)",
)

# Scalar subqueries: evaluated once per statement, not once per row.
ME = "(SELECT relaydesk_agent_of(current_user))"
SUPERVISOR = "(SELECT relaydesk_supervisor(current_user))"
MY_ACCOUNTS = "(SELECT relaydesk_accounts_of(current_user))"
MY_QUEUES = "(SELECT relaydesk_queues_of(current_user))"
# Subqueries on tables under row security see only what the agent sees.
SEEN_INTERACTIONS = "(SELECT i.id FROM interactions i)"
SEEN_MESSAGES = "(SELECT m.id FROM messages m)"

# What an agent may SELECT from each table under row security (supervisors: everything).
AGENT_READS = {
    "email_accounts": f"id IN {MY_ACCOUNTS}",
    # Like app/services/agents.py can_work_on: the account and the queue, or held by them.
    "interactions": (
        f"(account_id IN {MY_ACCOUNTS} AND queue_id IN {MY_QUEUES}) OR claimed_by_id = {ME}"
    ),
    "messages": f"interaction_id IN {SEEN_INTERACTIONS}",
    "attachments": f"message_id IN {SEEN_MESSAGES}",
    "outbox": f"message_id IN {SEEN_MESSAGES}",
    "mailbox_entries": f"account_id IN {MY_ACCOUNTS}",
    "folder_states": f"account_id IN {MY_ACCOUNTS}",
    "ingest_tombstones": f"account_id IN {MY_ACCOUNTS}",
    "notes": f"interaction_id IN {SEEN_INTERACTIONS}",
    "interaction_tags": f"interaction_id IN {SEEN_INTERACTIONS}",
    "timers": f"interaction_id IN {SEEN_INTERACTIONS}",
    "events": f"actor_id = {ME} OR interaction_id IN {SEEN_INTERACTIONS}",
    "tickets": (f"responsible_id = {ME} OR id IN (SELECT i.ticket_id FROM interactions i)"),
    "operations": f"actor_id = {ME}",
    "settings": (
        "scope IN ('global', 'project') "
        f"OR (scope = 'account' AND scope_id IN {MY_ACCOUNTS}) "
        f"OR (scope = 'agent' AND scope_id = {ME})"
    ),
    "canned_answers": f"account_id IS NULL OR account_id IN {MY_ACCOUNTS}",
    "dispositions": f"account_id IS NULL OR account_id IN {MY_ACCOUNTS}",
    "templates": f"account_id IS NULL OR account_id IN {MY_ACCOUNTS}",
    "saved_searches": f"owner_id = {ME}",
    "blobs": (
        "EXISTS (SELECT 1 FROM messages m WHERE m.raw_hash = blobs.hash) "
        "OR EXISTS (SELECT 1 FROM attachments a WHERE a.blob_hash = blobs.hash) "
        "OR EXISTS (SELECT 1 FROM email_accounts e WHERE e.template_logo_hash = blobs.hash)"
    ),
}

# The only write an agent makes: their own operations, pending, for the worker to apply.
AGENT_INSERTS = {"operations": f"actor_id = {ME} AND status = 'pending'"}

# Never readable by agents: the application's sign-in hashes (they sign in with their role).
AGENT_HIDDEN_COLUMNS = {"agents": ("password_hash",)}

ENSURE_ROLE = """
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
        -- Another database of the cluster may be creating it at this very moment.
        BEGIN
            CREATE ROLE {role} NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END;
    END IF;
END $$
"""


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _synced_tables() -> list[str]:
    inspector = sa.inspect(op.get_bind())
    return sorted(
        name
        for name in inspector.get_table_names()
        if any(c["name"] == "change_seq" for c in inspector.get_columns(name))
    )


def upgrade() -> None:
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("db_role", sa.String(length=63), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_agents_db_role"), ["db_role"])
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = _ident(bind.execute(sa.text("SELECT current_schema()")).scalar_one())
    owner = _ident(bind.execute(sa.text("SELECT current_user")).scalar_one())
    op.execute(BLOBS_DDL)
    for role in (AGENT, WORKER):
        op.execute(ENSURE_ROLE.format(role=role))
    op.execute(f"GRANT USAGE ON SCHEMA {schema} TO {AGENT}, {WORKER}")

    # The worker writes every table, those of later migrations too.
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {WORKER}")
    op.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {WORKER}")
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {WORKER}"
    )
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {WORKER}"
    )

    # Agents read what they pull, and the schema and sync bookkeeping; write operations only.
    inspector = sa.inspect(bind)
    for table in [*_synced_tables(), "sync_state", "alembic_version", "blobs"]:
        hidden = AGENT_HIDDEN_COLUMNS.get(table)
        if hidden:
            columns = [c["name"] for c in inspector.get_columns(table) if c["name"] not in hidden]
            cols = ", ".join(_ident(c) for c in columns)
            op.execute(f"GRANT SELECT ({cols}) ON {_ident(table)} TO {AGENT}")
        else:
            op.execute(f"GRANT SELECT ON {_ident(table)} TO {AGENT}")
    op.execute(f"GRANT INSERT ON operations TO {AGENT}")
    op.execute(f"GRANT USAGE ON SEQUENCE change_seq TO {AGENT}")

    op.execute(FUNCTIONS.format(schema=schema))
    for signature in FUNCTION_NAMES:
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {AGENT}, {WORKER}")

    for table, reads in AGENT_READS.items():
        op.execute(f"ALTER TABLE {_ident(table)} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {_ident(table)} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY relaydesk_all ON {_ident(table)} TO {owner}, {WORKER} "
            "USING (true) WITH CHECK (true)"
        )
        op.execute(
            f"CREATE POLICY relaydesk_agent_read ON {_ident(table)} FOR SELECT TO {AGENT} "
            f"USING ({SUPERVISOR} OR {reads})"
        )
    for table, check in AGENT_INSERTS.items():
        op.execute(
            f"CREATE POLICY relaydesk_agent_insert ON {_ident(table)} FOR INSERT TO {AGENT} "
            f"WITH CHECK ({check})"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = _ident(bind.execute(sa.text("SELECT current_schema()")).scalar_one())
        for table in AGENT_READS:
            for policy in ("relaydesk_all", "relaydesk_agent_read", "relaydesk_agent_insert"):
                op.execute(f"DROP POLICY IF EXISTS {policy} ON {_ident(table)}")
            op.execute(f"ALTER TABLE {_ident(table)} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {_ident(table)} DISABLE ROW LEVEL SECURITY")
        for signature in FUNCTION_NAMES:
            op.execute(f"DROP FUNCTION IF EXISTS {signature}")
        # The roles are the cluster's (other databases may use them): only our grants go.
        op.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
            f"REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {WORKER}"
        )
        op.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
            f"REVOKE USAGE, SELECT, UPDATE ON SEQUENCES FROM {WORKER}"
        )
        op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {AGENT}, {WORKER}")
        op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {AGENT}, {WORKER}")
        op.execute(f"REVOKE ALL ON SCHEMA {schema} FROM {AGENT}, {WORKER}")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_agents_db_role"), type_="unique")
        batch_op.drop_column("db_role")
