"""Team mode's sign-in with a database role, against a private PostgreSQL that asks for passwords
and goes away: the keyring keeps what the server accepted, and offline only that is accepted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.context import AppContext, open_local
from app.errors import AuthError
from app.services.agents import add_agent
from app.services.db_roles import grant_agent, sign_in_role
from app.services.sync import CentralConfig, CentralSync, connect_url
from storage.engine import Store
from storage.models import Agent
from tests.app.workflow import make_world
from tests.servers.central import CentralCluster

pytestmark = [pytest.mark.pg, pytest.mark.slow]

ROLE, PASSWORD = "rd_erin", "erin-database-636"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[AppContext]:
    ctx = open_local(tmp_path / "desk")
    yield ctx
    ctx.close()


def _require_passwords(cluster: CentralCluster) -> None:
    """The private cluster trusts every login; make it ask agents' roles for their password."""
    owner = make_url(cluster.admin_url).username or "postgres"
    (cluster.server.data_dir / "pg_hba.conf").write_text(
        "local all all trust\n"
        f"host all {owner} 127.0.0.1/32 trust\n"
        "host all all 127.0.0.1/32 scram-sha-256\n"
    )
    cluster._pg_ctl("reload")


def test_signing_in_with_a_role_keeps_its_password_and_offline_only_that_one_works(
    cluster: CentralCluster, desk: AppContext
) -> None:
    url = cluster.migrated_database()
    owner = CentralConfig(url, "settings")
    central = Store(url)
    try:
        make_world(central)
        add_agent(central, "erin", accounts=["support"], full_name="Erin Vale")
        with central.read() as session:
            erin = session.execute(select(Agent.id).where(Agent.name == "erin")).scalar_one()
    finally:
        central.dispose()
    grant_agent(owner, "erin", ROLE, PASSWORD)
    _require_passwords(cluster)
    sync = CentralSync(desk.store, owner)
    try:
        sync.pull()  # the desk's copy knows whose role rd_erin is
    finally:
        sync.close()
    as_role = CentralConfig(make_url(url).set(username=ROLE).render_as_string(False), "test")

    # A wrong password: the server's answer, and nothing is kept.
    with pytest.raises(AuthError, match="password authentication failed"):
        sign_in_role(owner, ROLE, "not-it", local=desk.store)
    assert connect_url(as_role).password is None, "a refused password is not kept"

    signed = sign_in_role(owner, ROLE, PASSWORD, local=desk.store)
    assert (signed.agent_id, signed.name, signed.full_name, signed.supervisor) == (
        erin,
        "erin",
        "Erin Vale",
        False,
    )
    assert connect_url(as_role).password == PASSWORD

    cluster.crash()
    offline = sign_in_role(owner, ROLE, PASSWORD, local=desk.store)
    assert offline == signed, "offline: the password the server accepted, the desk's copy"
    with pytest.raises(AuthError, match="last accepted here"):
        sign_in_role(owner, ROLE, "guessing", local=desk.store)
    with pytest.raises(AuthError, match="Cannot connect"):
        sign_in_role(owner, ROLE, PASSWORD)  # no local store: no offline sign-in
