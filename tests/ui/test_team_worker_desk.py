"""A supervisor's desktop opted in as the team's worker host (``run_team_worker``): its
background worker fetches into the central database and applies the desks' operations,
with the mailbox password from this computer's keyring. Real Dovecot, real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.context import AppContext, open_local
from app.services.agents import add_agent, find_agent
from app.settings import set_value
from storage import opqueue
from storage.blobs import SqlBlobStore
from storage.engine import Store
from storage.ids import new_id
from storage.models import Interaction, Message, Note
from storage.models import Operation as OperationRow
from tests.app.mail.conftest import make_account, wait_until
from tests.servers.central import CentralCluster
from tests.servers.dovecot import ImapUser
from ui.background import BackgroundWorker

pytestmark = [pytest.mark.imap, pytest.mark.pg]

MAIL = (
    b"From: Anna <anna@example.org>\r\nTo: support@acme.test\r\nSubject: Parcel\r\n"
    b"Message-ID: <desk-worker@example.org>\r\n\r\nWhere is my parcel?\r\n"
)


def _count(store: Store, model: type) -> int:
    with store.read() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _desk(data_dir: Path, url: str, *, run_worker: bool) -> None:
    ctx = open_local(data_dir)
    try:
        with ctx.store.write() as session:
            set_value(session, "global", "central_url", url)
            set_value(session, "global", "run_team_worker", run_worker)
    finally:
        ctx.close()


def test_a_desktop_opted_in_runs_the_teams_worker(
    cluster: CentralCluster,
    data_dir: Path,
    imap_user: ImapUser,
    trust_test_certificate: None,
    no_policy: None,
) -> None:
    url = cluster.migrated_database()
    central = Store(url)
    # The account lives centrally; its password only in this computer's keyring.
    make_account(AppContext(data_dir, central, SqlBlobStore(central.engine)), imap_user)
    add_agent(central, "sam", supervisor=True, accounts=["support"])
    imap_user.server.append(imap_user.name, MAIL)
    _desk(data_dir, url, run_worker=True)
    worker = BackgroundWorker(data_dir)
    worker.start()
    try:
        wait_until(lambda: _count(central, Message) == 1, timeout=60)
        with central.read() as session:
            interaction = session.execute(select(Interaction.id)).scalar_one()
            actor = find_agent(session, "sam").id
        # A desk's pushed operation is applied by this desktop's worker.
        with central.connect() as conn:
            opqueue.insert_pending(
                conn,
                [
                    {
                        "id": new_id(),
                        "kind": "note",
                        "actor_id": actor,
                        "payload": {"interaction": str(interaction), "body": "Called her"},
                    }
                ],
            )
        wait_until(lambda: _count(central, Note) == 1, timeout=60)
        with central.read() as session:
            status = session.execute(select(OperationRow.status)).scalar_one()
        assert status == "applied"
        assert worker.team_mode and worker.team_worker and worker.error == ""
    finally:
        worker.stop()
        central.dispose()
    assert not worker.running


def test_a_desktop_not_opted_in_leaves_the_work_to_the_teams_worker(
    cluster: CentralCluster, data_dir: Path, no_policy: None
) -> None:
    _desk(data_dir, cluster.migrated_database(), run_worker=False)
    worker = BackgroundWorker(data_dir)
    worker.start()
    worker.stop()
    assert worker.team_mode and not worker.team_worker and worker.stats is None
