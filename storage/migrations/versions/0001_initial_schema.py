"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 08:16:17.348421
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Change markers come from one sequence so concurrent writers never block each other.
        op.execute("CREATE SEQUENCE IF NOT EXISTS change_seq")
    op.create_table('agents',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('state_reason', sa.String(length=200), nullable=False),
    sa.Column('state_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agents')),
    sa.UniqueConstraint('name', name=op.f('uq_agents_name'))
    )
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agents_change_seq'), ['change_seq'], unique=False)

    op.create_table('change_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_counter'))
    )
    op.execute("INSERT INTO change_counter (id, value) VALUES (1, 0)")
    op.create_table('contact_lists',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_lists')),
    sa.UniqueConstraint('name', name=op.f('uq_contact_lists_name'))
    )
    with op.batch_alter_table('contact_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_lists_change_seq'), ['change_seq'], unique=False)

    op.create_table('projects',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=3), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('new_email_list_size', sa.Integer(), nullable=False),
    sa.Column('lock_emails_to_agents', sa.Boolean(), nullable=False),
    sa.Column('change_preferred_user', sa.Boolean(), nullable=False),
    sa.Column('auto_response_template_id', sa.Uuid(), nullable=True),
    sa.Column('default_sender_account_id', sa.Uuid(), nullable=True),
    sa.Column('auto_response_period_s', sa.Integer(), nullable=False),
    sa.Column('agents_create_contacts', sa.Boolean(), nullable=False),
    sa.Column('search_within_tickets', sa.Boolean(), nullable=False),
    sa.Column('shared_ticket_handling', sa.Boolean(), nullable=False),
    sa.Column('display_address', sa.Boolean(), nullable=False),
    sa.Column('display_template_cc', sa.Boolean(), nullable=False),
    sa.Column('display_template_bcc', sa.Boolean(), nullable=False),
    sa.Column('language_detection', sa.Boolean(), nullable=False),
    sa.Column('language_queues', sa.Boolean(), nullable=False),
    sa.Column('auto_delete', sa.Boolean(), nullable=False),
    sa.Column('auto_delete_days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('key', name=op.f('uq_projects_key')),
    sa.UniqueConstraint('name', name=op.f('uq_projects_name'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_change_seq'), ['change_seq'], unique=False)

    op.create_table('settings',
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('scope_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settings')),
    sa.UniqueConstraint('scope', 'scope_id', 'key', name=op.f('uq_settings_scope_scope_id_key'))
    )
    with op.batch_alter_table('settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settings_change_seq'), ['change_seq'], unique=False)

    op.create_table('tags',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('name', name=op.f('uq_tags_name'))
    )
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tags_change_seq'), ['change_seq'], unique=False)

    op.create_table('agent_state_spans',
    sa.Column('agent_id', sa.Uuid(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_agent_state_spans_agent_id_agents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_state_spans'))
    )
    with op.batch_alter_table('agent_state_spans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_state_spans_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agent_state_spans_change_seq'), ['change_seq'], unique=False)

    op.create_table('contacts',
    sa.Column('list_id', sa.Uuid(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=64), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['list_id'], ['contact_lists.id'], name=op.f('fk_contacts_list_id_contact_lists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_list_id'), ['list_id'], unique=False)

    op.create_table('email_accounts',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=5), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('default_contact_list_id', sa.Uuid(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('service', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('imap_host', sa.String(length=255), nullable=True),
    sa.Column('imap_port', sa.Integer(), nullable=True),
    sa.Column('imap_security', sa.String(length=8), nullable=False),
    sa.Column('imap_auth', sa.String(length=8), nullable=False),
    sa.Column('imap_username', sa.String(length=320), nullable=False),
    sa.Column('imap_mailbox', sa.String(length=255), nullable=False),
    sa.Column('connect_timeout', sa.Integer(), nullable=False),
    sa.Column('auth_timeout', sa.Integer(), nullable=False),
    sa.Column('smtp_host', sa.String(length=255), nullable=True),
    sa.Column('smtp_port', sa.Integer(), nullable=True),
    sa.Column('smtp_security', sa.String(length=8), nullable=False),
    sa.Column('smtp_auth', sa.String(length=8), nullable=False),
    sa.Column('smtp_username', sa.String(length=320), nullable=False),
    sa.Column('provider_saves_sent', sa.Boolean(), nullable=False),
    sa.Column('sent_folder', sa.String(length=255), nullable=False),
    sa.Column('mark_as_unread', sa.Boolean(), nullable=False),
    sa.Column('wait_for_agent', sa.Integer(), nullable=False),
    sa.Column('wait_for_queue', sa.Integer(), nullable=False),
    sa.Column('transfer_to_queue', sa.Boolean(), nullable=False),
    sa.Column('transfer_to_queue_timeout', sa.Integer(), nullable=False),
    sa.Column('transfer_to_agent', sa.Boolean(), nullable=False),
    sa.Column('transfer_to_agent_timeout', sa.Integer(), nullable=False),
    sa.Column('mandatory_disposition', sa.Boolean(), nullable=False),
    sa.Column('pause_while_disposing', sa.Boolean(), nullable=False),
    sa.Column('notification_sound', sa.Boolean(), nullable=False),
    sa.Column('notification_shake', sa.Boolean(), nullable=False),
    sa.Column('notification_template', sa.Text(), nullable=False),
    sa.Column('template_font_family', sa.String(length=100), nullable=False),
    sa.Column('template_font_size', sa.Integer(), nullable=False),
    sa.Column('template_body', sa.Text(), nullable=False),
    sa.Column('template_logo_hash', sa.String(length=64), nullable=True),
    sa.Column('action_plan', sa.JSON(), nullable=True),
    sa.Column('service_start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['default_contact_list_id'], ['contact_lists.id'], name=op.f('fk_email_accounts_default_contact_list_id_contact_lists')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_email_accounts_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_accounts')),
    sa.UniqueConstraint('name', name=op.f('uq_email_accounts_name'))
    )
    with op.batch_alter_table('email_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_accounts_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_email_accounts_default_contact_list_id'), ['default_contact_list_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_email_accounts_project_id'), ['project_id'], unique=False)

    op.create_table('operations',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['agents.id'], name=op.f('fk_operations_actor_id_agents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operations'))
    )
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operations_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_operations_change_seq'), ['change_seq'], unique=False)

    op.create_table('queues',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_queues_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queues')),
    sa.UniqueConstraint('project_id', 'name', name=op.f('uq_queues_project_id_name'))
    )
    with op.batch_alter_table('queues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queues_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_queues_project_id'), ['project_id'], unique=False)

    op.create_table('ticket_counters',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.String(length=8), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_ticket_counters_project_id_projects')),
    sa.PrimaryKeyConstraint('project_id', 'day', name=op.f('pk_ticket_counters'))
    )
    op.create_table('ticket_types',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('export_value', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_ticket_types_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_types'))
    )
    with op.batch_alter_table('ticket_types', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_types_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_types_project_id'), ['project_id'], unique=False)

    op.create_table('agent_accounts',
    sa.Column('agent_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['email_accounts.id'], name=op.f('fk_agent_accounts_account_id_email_accounts')),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_agent_accounts_agent_id_agents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_accounts')),
    sa.UniqueConstraint('agent_id', 'account_id', name=op.f('uq_agent_accounts_agent_id_account_id'))
    )
    with op.batch_alter_table('agent_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_accounts_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agent_accounts_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agent_accounts_change_seq'), ['change_seq'], unique=False)

    op.create_table('agent_queues',
    sa.Column('agent_id', sa.Uuid(), nullable=False),
    sa.Column('queue_id', sa.Uuid(), nullable=False),
    sa.Column('skill', sa.Integer(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_agent_queues_agent_id_agents')),
    sa.ForeignKeyConstraint(['queue_id'], ['queues.id'], name=op.f('fk_agent_queues_queue_id_queues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_queues')),
    sa.UniqueConstraint('agent_id', 'queue_id', name=op.f('uq_agent_queues_agent_id_queue_id'))
    )
    with op.batch_alter_table('agent_queues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_queues_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agent_queues_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_agent_queues_queue_id'), ['queue_id'], unique=False)

    op.create_table('canned_answers',
    sa.Column('account_id', sa.Uuid(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['email_accounts.id'], name=op.f('fk_canned_answers_account_id_email_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_canned_answers'))
    )
    with op.batch_alter_table('canned_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_canned_answers_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_canned_answers_change_seq'), ['change_seq'], unique=False)

    op.create_table('contact_addresses',
    sa.Column('contact_id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_contact_addresses_contact_id_contacts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_addresses'))
    )
    with op.batch_alter_table('contact_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_addresses_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_addresses_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_addresses_email'), ['email'], unique=False)

    op.create_table('contact_attributes',
    sa.Column('contact_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('personal', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_contact_attributes_contact_id_contacts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_attributes'))
    )
    with op.batch_alter_table('contact_attributes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_attributes_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_attributes_contact_id'), ['contact_id'], unique=False)

    op.create_table('folder_states',
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('folder', sa.String(length=255), nullable=False),
    sa.Column('uidvalidity', sa.BigInteger(), nullable=True),
    sa.Column('uidnext', sa.BigInteger(), nullable=False),
    sa.Column('highestmodseq', sa.BigInteger(), nullable=True),
    sa.Column('last_full_check_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_fetch_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['email_accounts.id'], name=op.f('fk_folder_states_account_id_email_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_folder_states')),
    sa.UniqueConstraint('account_id', 'folder', name=op.f('uq_folder_states_account_id_folder'))
    )
    with op.batch_alter_table('folder_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_folder_states_change_seq'), ['change_seq'], unique=False)

    op.create_table('ingest_tombstones',
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('folder', sa.String(length=255), nullable=True),
    sa.Column('uidvalidity', sa.BigInteger(), nullable=True),
    sa.Column('uid', sa.BigInteger(), nullable=True),
    sa.Column('message_id_hdr', sa.String(length=998), nullable=True),
    sa.Column('raw_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['email_accounts.id'], name=op.f('fk_ingest_tombstones_account_id_email_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ingest_tombstones'))
    )
    with op.batch_alter_table('ingest_tombstones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ingest_tombstones_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ingest_tombstones_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_ingest_tombstones_message_id_hdr'), ['message_id_hdr'], unique=False)
        batch_op.create_index(batch_op.f('ix_ingest_tombstones_raw_hash'), ['raw_hash'], unique=False)

    op.create_table('project_sender_accounts',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['email_accounts.id'], name=op.f('fk_project_sender_accounts_account_id_email_accounts')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_sender_accounts_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_sender_accounts')),
    sa.UniqueConstraint('project_id', 'account_id', name=op.f('uq_project_sender_accounts_project_id_account_id'))
    )
    with op.batch_alter_table('project_sender_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_sender_accounts_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_sender_accounts_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_sender_accounts_project_id'), ['project_id'], unique=False)

    op.create_table('templates',
    sa.Column('project_id', sa.Uuid(), nullable=True),
    sa.Column('account_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('cc', sa.Text(), nullable=False),
    sa.Column('bcc', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['email_accounts.id'], name=op.f('fk_templates_account_id_email_accounts')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_templates_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_templates'))
    )
    with op.batch_alter_table('templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_templates_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_templates_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_templates_project_id'), ['project_id'], unique=False)

    op.create_table('tickets',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('type_id', sa.Uuid(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('responsible_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_count', sa.Integer(), nullable=False),
    sa.Column('received_count', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_tickets_project_id_projects')),
    sa.ForeignKeyConstraint(['responsible_id'], ['agents.id'], name=op.f('fk_tickets_responsible_id_agents')),
    sa.ForeignKeyConstraint(['type_id'], ['ticket_types.id'], name=op.f('fk_tickets_type_id_ticket_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('number', name=op.f('uq_tickets_number'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tickets_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_responsible_id'), ['responsible_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_type_id'), ['type_id'], unique=False)

    op.create_table('dispositions',
    sa.Column('account_id', sa.Uuid(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('template_id', sa.Uuid(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['email_accounts.id'], name=op.f('fk_dispositions_account_id_email_accounts')),
    sa.ForeignKeyConstraint(['template_id'], ['templates.id'], name=op.f('fk_dispositions_template_id_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispositions'))
    )
    with op.batch_alter_table('dispositions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispositions_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispositions_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispositions_template_id'), ['template_id'], unique=False)

    op.create_table('project_templates',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('template_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_templates_project_id_projects')),
    sa.ForeignKeyConstraint(['template_id'], ['templates.id'], name=op.f('fk_project_templates_template_id_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_templates')),
    sa.UniqueConstraint('project_id', 'template_id', name=op.f('uq_project_templates_project_id_template_id'))
    )
    with op.batch_alter_table('project_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_templates_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_templates_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_templates_template_id'), ['template_id'], unique=False)

    op.create_table('interactions',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('queue_id', sa.Uuid(), nullable=True),
    sa.Column('contact_id', sa.Uuid(), nullable=True),
    sa.Column('ticket_id', sa.Uuid(), nullable=True),
    sa.Column('disposition_id', sa.Uuid(), nullable=True),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('thread_subject', sa.String(length=255), nullable=False),
    sa.Column('customer_email', sa.String(length=320), nullable=False),
    sa.Column('customer_name', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('unread', sa.Boolean(), nullable=False),
    sa.Column('claimed_by_id', sa.Uuid(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claim_fence', sa.BigInteger(), nullable=False),
    sa.Column('preferred_agent_id', sa.Uuid(), nullable=True),
    sa.Column('message_count', sa.Integer(), nullable=False),
    sa.Column('unparseable_count', sa.Integer(), nullable=False),
    sa.Column('first_message_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_message_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['email_accounts.id'], name=op.f('fk_interactions_account_id_email_accounts')),
    sa.ForeignKeyConstraint(['claimed_by_id'], ['agents.id'], name=op.f('fk_interactions_claimed_by_id_agents')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['agents.id'], name=op.f('fk_interactions_closed_by_id_agents')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_interactions_contact_id_contacts')),
    sa.ForeignKeyConstraint(['disposition_id'], ['dispositions.id'], name=op.f('fk_interactions_disposition_id_dispositions')),
    sa.ForeignKeyConstraint(['preferred_agent_id'], ['agents.id'], name=op.f('fk_interactions_preferred_agent_id_agents')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_interactions_project_id_projects')),
    sa.ForeignKeyConstraint(['queue_id'], ['queues.id'], name=op.f('fk_interactions_queue_id_queues')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_interactions_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interactions'))
    )
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index('ix_interactions_account_activity', ['account_id', 'last_activity_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_interactions_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interactions_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_interactions_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interactions_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_interactions_queue_status', ['queue_id', 'status', 'claimed_by_id'], unique=False)
        batch_op.create_index('ix_interactions_thread_lookup', ['account_id', 'thread_subject', 'customer_email'], unique=False)
        batch_op.create_index(batch_op.f('ix_interactions_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_index('ix_interactions_unclaimed', ['queue_id', 'created_at'], unique=False, postgresql_where=sa.text("claimed_by_id IS NULL AND status = 'open'"), sqlite_where=sa.text("claimed_by_id IS NULL AND status = 'open'"))

    op.create_table('events',
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('interaction_id', sa.Uuid(), nullable=True),
    sa.Column('ticket_id', sa.Uuid(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['agents.id'], name=op.f('fk_events_actor_id_agents')),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_events_interaction_id_interactions')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_events_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_interaction_id'), ['interaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('interaction_tags',
    sa.Column('interaction_id', sa.Uuid(), nullable=False),
    sa.Column('tag_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_interaction_tags_interaction_id_interactions')),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_interaction_tags_tag_id_tags')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interaction_tags')),
    sa.UniqueConstraint('interaction_id', 'tag_id', name=op.f('uq_interaction_tags_interaction_id_tag_id'))
    )
    with op.batch_alter_table('interaction_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interaction_tags_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_interaction_tags_interaction_id'), ['interaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interaction_tags_tag_id'), ['tag_id'], unique=False)

    op.create_table('messages',
    sa.Column('interaction_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('direction', sa.String(length=4), nullable=False),
    sa.Column('message_id_hdr', sa.String(length=998), nullable=True),
    sa.Column('in_reply_to', sa.String(length=998), nullable=True),
    sa.Column('references', sa.Text(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('from_email', sa.String(length=320), nullable=False),
    sa.Column('from_name', sa.String(length=200), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=True),
    sa.Column('raw_hash', sa.String(length=64), nullable=False),
    sa.Column('raw_size', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('parse_error', sa.Text(), nullable=True),
    sa.Column('defects', sa.Text(), nullable=False),
    sa.Column('auto_submitted', sa.Boolean(), nullable=False),
    sa.Column('is_report', sa.Boolean(), nullable=False),
    sa.Column('attachment_count', sa.Integer(), nullable=False),
    sa.Column('sent_by_id', sa.Uuid(), nullable=True),
    sa.Column('delivery_state', sa.String(length=16), nullable=True),
    sa.Column('delivery_detail', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['email_accounts.id'], name=op.f('fk_messages_account_id_email_accounts')),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_messages_interaction_id_interactions')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['agents.id'], name=op.f('fk_messages_sent_by_id_agents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('account_id', 'raw_hash', name=op.f('uq_messages_account_id_raw_hash'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_in_reply_to'), ['in_reply_to'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_interaction_id'), ['interaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_message_id_hdr'), ['message_id_hdr'], unique=False)

    op.create_table('notes',
    sa.Column('interaction_id', sa.Uuid(), nullable=False),
    sa.Column('agent_id', sa.Uuid(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_notes_agent_id_agents')),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_notes_interaction_id_interactions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notes'))
    )
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notes_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notes_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_notes_interaction_id'), ['interaction_id'], unique=False)

    op.create_table('timers',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('interaction_id', sa.Uuid(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('fired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_timers_interaction_id_interactions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timers'))
    )
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timers_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index('ix_timers_due', ['fired_at', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_timers_interaction_id'), ['interaction_id'], unique=False)

    op.create_table('attachments',
    sa.Column('message_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('original_filename', sa.Text(), nullable=False),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('content_id', sa.String(length=998), nullable=True),
    sa.Column('inline', sa.Boolean(), nullable=False),
    sa.Column('dangerous', sa.Boolean(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('blob_hash', sa.String(length=64), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_attachments_message_id_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_blob_hash'), ['blob_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_message_id'), ['message_id'], unique=False)

    op.create_table('mailbox_entries',
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('folder', sa.String(length=255), nullable=False),
    sa.Column('uidvalidity', sa.BigInteger(), nullable=False),
    sa.Column('uid', sa.BigInteger(), nullable=False),
    sa.Column('message_id', sa.Uuid(), nullable=False),
    sa.Column('modseq', sa.BigInteger(), nullable=True),
    sa.Column('flags', sa.Text(), nullable=False),
    sa.Column('missing_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('gone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['email_accounts.id'], name=op.f('fk_mailbox_entries_account_id_email_accounts')),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_mailbox_entries_message_id_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailbox_entries')),
    sa.UniqueConstraint('account_id', 'folder', 'uidvalidity', 'uid', name=op.f('uq_mailbox_entries_account_id_folder_uidvalidity_uid'))
    )
    with op.batch_alter_table('mailbox_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailbox_entries_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_mailbox_entries_message_id'), ['message_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('mailbox_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailbox_entries_message_id'))
        batch_op.drop_index(batch_op.f('ix_mailbox_entries_change_seq'))

    op.drop_table('mailbox_entries')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_message_id'))
        batch_op.drop_index(batch_op.f('ix_attachments_change_seq'))
        batch_op.drop_index(batch_op.f('ix_attachments_blob_hash'))

    op.drop_table('attachments')
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timers_interaction_id'))
        batch_op.drop_index('ix_timers_due')
        batch_op.drop_index(batch_op.f('ix_timers_change_seq'))

    op.drop_table('timers')
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notes_interaction_id'))
        batch_op.drop_index(batch_op.f('ix_notes_change_seq'))
        batch_op.drop_index(batch_op.f('ix_notes_agent_id'))

    op.drop_table('notes')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_message_id_hdr'))
        batch_op.drop_index(batch_op.f('ix_messages_interaction_id'))
        batch_op.drop_index(batch_op.f('ix_messages_in_reply_to'))
        batch_op.drop_index(batch_op.f('ix_messages_change_seq'))

    op.drop_table('messages')
    with op.batch_alter_table('interaction_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interaction_tags_tag_id'))
        batch_op.drop_index(batch_op.f('ix_interaction_tags_interaction_id'))
        batch_op.drop_index(batch_op.f('ix_interaction_tags_change_seq'))

    op.drop_table('interaction_tags')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_events_interaction_id'))
        batch_op.drop_index(batch_op.f('ix_events_change_seq'))
        batch_op.drop_index(batch_op.f('ix_events_at'))
        batch_op.drop_index(batch_op.f('ix_events_actor_id'))

    op.drop_table('events')
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_unclaimed', postgresql_where=sa.text("claimed_by_id IS NULL AND status = 'open'"), sqlite_where=sa.text("claimed_by_id IS NULL AND status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_interactions_ticket_id'))
        batch_op.drop_index('ix_interactions_thread_lookup')
        batch_op.drop_index('ix_interactions_queue_status')
        batch_op.drop_index(batch_op.f('ix_interactions_project_id'))
        batch_op.drop_index(batch_op.f('ix_interactions_contact_id'))
        batch_op.drop_index(batch_op.f('ix_interactions_change_seq'))
        batch_op.drop_index(batch_op.f('ix_interactions_account_id'))
        batch_op.drop_index('ix_interactions_account_activity')

    op.drop_table('interactions')
    with op.batch_alter_table('project_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_templates_template_id'))
        batch_op.drop_index(batch_op.f('ix_project_templates_project_id'))
        batch_op.drop_index(batch_op.f('ix_project_templates_change_seq'))

    op.drop_table('project_templates')
    with op.batch_alter_table('dispositions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispositions_template_id'))
        batch_op.drop_index(batch_op.f('ix_dispositions_change_seq'))
        batch_op.drop_index(batch_op.f('ix_dispositions_account_id'))

    op.drop_table('dispositions')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_type_id'))
        batch_op.drop_index(batch_op.f('ix_tickets_responsible_id'))
        batch_op.drop_index(batch_op.f('ix_tickets_project_id'))
        batch_op.drop_index(batch_op.f('ix_tickets_change_seq'))

    op.drop_table('tickets')
    with op.batch_alter_table('templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_templates_project_id'))
        batch_op.drop_index(batch_op.f('ix_templates_change_seq'))
        batch_op.drop_index(batch_op.f('ix_templates_account_id'))

    op.drop_table('templates')
    with op.batch_alter_table('project_sender_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_sender_accounts_project_id'))
        batch_op.drop_index(batch_op.f('ix_project_sender_accounts_change_seq'))
        batch_op.drop_index(batch_op.f('ix_project_sender_accounts_account_id'))

    op.drop_table('project_sender_accounts')
    with op.batch_alter_table('ingest_tombstones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ingest_tombstones_raw_hash'))
        batch_op.drop_index(batch_op.f('ix_ingest_tombstones_message_id_hdr'))
        batch_op.drop_index(batch_op.f('ix_ingest_tombstones_change_seq'))
        batch_op.drop_index(batch_op.f('ix_ingest_tombstones_account_id'))

    op.drop_table('ingest_tombstones')
    with op.batch_alter_table('folder_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_folder_states_change_seq'))

    op.drop_table('folder_states')
    with op.batch_alter_table('contact_attributes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_attributes_contact_id'))
        batch_op.drop_index(batch_op.f('ix_contact_attributes_change_seq'))

    op.drop_table('contact_attributes')
    with op.batch_alter_table('contact_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_addresses_email'))
        batch_op.drop_index(batch_op.f('ix_contact_addresses_contact_id'))
        batch_op.drop_index(batch_op.f('ix_contact_addresses_change_seq'))

    op.drop_table('contact_addresses')
    with op.batch_alter_table('canned_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_canned_answers_change_seq'))
        batch_op.drop_index(batch_op.f('ix_canned_answers_account_id'))

    op.drop_table('canned_answers')
    with op.batch_alter_table('agent_queues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_queues_queue_id'))
        batch_op.drop_index(batch_op.f('ix_agent_queues_change_seq'))
        batch_op.drop_index(batch_op.f('ix_agent_queues_agent_id'))

    op.drop_table('agent_queues')
    with op.batch_alter_table('agent_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_accounts_change_seq'))
        batch_op.drop_index(batch_op.f('ix_agent_accounts_agent_id'))
        batch_op.drop_index(batch_op.f('ix_agent_accounts_account_id'))

    op.drop_table('agent_accounts')
    with op.batch_alter_table('ticket_types', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_types_project_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_types_change_seq'))

    op.drop_table('ticket_types')
    op.drop_table('ticket_counters')
    with op.batch_alter_table('queues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queues_project_id'))
        batch_op.drop_index(batch_op.f('ix_queues_change_seq'))

    op.drop_table('queues')
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operations_change_seq'))
        batch_op.drop_index(batch_op.f('ix_operations_actor_id'))

    op.drop_table('operations')
    with op.batch_alter_table('email_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_accounts_project_id'))
        batch_op.drop_index(batch_op.f('ix_email_accounts_default_contact_list_id'))
        batch_op.drop_index(batch_op.f('ix_email_accounts_change_seq'))

    op.drop_table('email_accounts')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_list_id'))
        batch_op.drop_index(batch_op.f('ix_contacts_change_seq'))

    op.drop_table('contacts')
    with op.batch_alter_table('agent_state_spans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_state_spans_change_seq'))
        batch_op.drop_index(batch_op.f('ix_agent_state_spans_agent_id'))

    op.drop_table('agent_state_spans')
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tags_change_seq'))

    op.drop_table('tags')
    with op.batch_alter_table('settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settings_change_seq'))

    op.drop_table('settings')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_change_seq'))

    op.drop_table('projects')
    with op.batch_alter_table('contact_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_lists_change_seq'))

    op.drop_table('contact_lists')
    op.drop_table('change_counter')
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agents_change_seq'))

    op.drop_table('agents')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS change_seq")
