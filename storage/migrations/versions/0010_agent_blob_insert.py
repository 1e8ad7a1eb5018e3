"""agent blob insert: an agent's desk stores the attachments of its replies centrally

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 14:00:00

PostgreSQL only. A desk connected as its agent's role copies the files of a queued reply into
the central ``blobs`` table before it pushes the reply (``TeamLink._upload_attachments``);
0009 let agents only read that table, so the reply's files never arrived and the worker
refused it. Agents now INSERT into ``blobs``, never UPDATE or DELETE, and only a row whose
key is the SHA-256 of its bytes (``storage.blobs.digest``) and whose size is theirs: blobs
are shared by hash, so a row under a false key would poison mail yet to come with that hash.
What they may read stays 0009's (blobs of the mail they see). The SQL is written out here on
purpose: a migration must not change when app code does.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

AGENT = "relaydesk_agent"
POLICY = "relaydesk_agent_insert"
# pgcrypto is not needed: sha256(bytea) is built in since PostgreSQL 11.
CONTENT_ADDRESSED = "hash = encode(sha256(data), 'hex') AND size = length(data)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"GRANT INSERT ON blobs TO {AGENT}")
    op.execute(
        f"CREATE POLICY {POLICY} ON blobs FOR INSERT TO {AGENT} WITH CHECK ({CONTENT_ADDRESSED})"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP POLICY IF EXISTS {POLICY} ON blobs")
    op.execute(f"REVOKE INSERT ON blobs FROM {AGENT}")
