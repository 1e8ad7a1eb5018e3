"""Team mode in the real window: after an agent signs in with their database role, the desk's
link connects as that role, not as the one the configured URL names (IT's, here a role with no
password and no rights). Against a private PostgreSQL that asks every role but the owner for
its password, with the worker's appliers running as the owner."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from app.context import AppContext, open_local
from app.services import push
from app.services.agents import add_agent
from app.services.db_roles import grant_agent
from app.services.settings import list_settings
from app.services.sync import CentralConfig
from app.services.team import TeamLink, link_role
from app.settings import set_value
from storage.blobs import SqlBlobStore
from storage.engine import Store
from storage.models import Interaction, Message, OpOutboxEntry
from storage.models import Operation as OperationRow
from tests.app.workflow import make_interaction, make_world
from tests.servers.central import CentralCluster
from tests.servers.postgres import libpq_url
from tests.ui.team_desk import sign_in_with_role
from ui.agent_desk import AgentDesk
from ui.main_window import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.pg, pytest.mark.slow]

WAIT_MS = 60_000
DESK_ROLE = "rd_frontdesk"  # what IT's central_url names: no password, no rights
DANA_ROLE, DANA_PASSWORD = "rd_dana", "dana-database-525"
SAM_ROLE, SAM_PASSWORD = "rd_sam", "sam-database-626"


class Centre:
    """The central database as the worker (its owner) sees it."""

    def __init__(self, url: str, store: Store, support: uuid.UUID, sales: uuid.UUID) -> None:
        self.url = url
        self.store = store
        self.support = support  # an interaction Dana's role may see
        self.sales = sales  # one only a supervisor's may


@pytest.fixture
def centre(cluster: CentralCluster, data_dir: Path, no_policy: None) -> Iterator[Centre]:
    url = cluster.migrated_database()
    central = Store(url)
    world = make_world(central)
    support = world.interaction()
    sales = make_interaction(central, "sales", subject="A quote for Carol")
    add_agent(central, "dana", accounts=["support"])
    owner = CentralConfig(url, "test")
    grant_agent(owner, "dana", DANA_ROLE, DANA_PASSWORD)
    grant_agent(owner, "sam", SAM_ROLE, SAM_PASSWORD)
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {DESK_ROLE} LOGIN")  # in no group: may read nothing
    # Like production: every role but the owner gives a password (scram-sha-256).
    owner_role = make_url(cluster.admin_url).username or "postgres"
    (cluster.server.data_dir / "pg_hba.conf").write_text(
        "local all all trust\n"
        f"host all {owner_role} 127.0.0.1/32 trust\n"
        "host all all 127.0.0.1/32 scram-sha-256\n"
    )
    cluster._pg_ctl("reload")
    ctx = open_local(data_dir)
    try:
        with ctx.store.write() as session:
            desk_url = make_url(url).set(username=DESK_ROLE).render_as_string(False)
            set_value(session, "global", "central_url", desk_url)
    finally:
        ctx.close()
    stop = threading.Event()
    threads = push.start_appliers(central, stop, threads=1, blobs=SqlBlobStore(central.engine))
    try:
        yield Centre(url, central, support, sales)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        central.dispose()


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path, centre: Centre) -> Iterator[MainWindow]:
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.shutdown()


@pytest.fixture
def local(window: MainWindow, data_dir: Path) -> Iterator[AppContext]:
    """The desk's own store, read beside the window."""
    ctx = open_local(data_dir)
    yield ctx
    ctx.close()


def _link(window: MainWindow) -> TeamLink:
    link = window.team_link
    assert link is not None
    return link


def _linked_as(window: MainWindow, role: str) -> bool:
    link = window.team_link
    return link is not None and link_role(link) == role and link.status.online


def _sign_in(qtbot: QtBot, window: MainWindow, role: str, password: str) -> None:
    desk = window._desk
    if desk.agent is not None:  # the one before signs out; the link stays as it is
        link = window.team_link
        with qtbot.waitSignal(desk.signed_in, timeout=WAIT_MS) as out:
            qtbot.mouseClick(desk.sign_out_button, Qt.MouseButton.LeftButton)
        assert out.args == [None] and window.team_link is link
        assert not window.admin_mode.toggle.isEnabled()
    sign_in_with_role(qtbot, window, role, password)


def _local_interactions(local: AppContext) -> set[uuid.UUID]:
    with local.store.read() as session:
        return set(session.execute(select(Interaction.id)).scalars())


def _desk_offline_as_its_url_role(qtbot: QtBot, window: MainWindow) -> TeamLink:
    qtbot.waitUntil(lambda: window.team_link is not None, timeout=WAIT_MS)
    first = _link(window)
    assert link_role(first) == DESK_ROLE
    qtbot.waitUntil(lambda: first.status.contacted, timeout=WAIT_MS)
    assert not first.status.online, "the URL's role has no password: it cannot connect"
    qtbot.waitUntil(window._offline_banner.isVisible, timeout=WAIT_MS)
    return first


def test_the_link_follows_the_signed_in_role_from_agent_to_supervisor(
    qtbot: QtBot, window: MainWindow, centre: Centre, local: AppContext
) -> None:
    desk = window._desk
    first = _desk_offline_as_its_url_role(qtbot, window)

    _sign_in(qtbot, window, DANA_ROLE, DANA_PASSWORD)
    assert desk.agent is not None and desk.agent.db_role == DANA_ROLE
    dana = desk.agent.agent_id
    qtbot.waitUntil(lambda: _linked_as(window, DANA_ROLE), timeout=WAIT_MS)
    assert not first.is_alive(), "the URL role's link was stopped"
    assert desk.operations.team_link is _link(window), "the desk's operations go the new way"
    qtbot.waitUntil(lambda: not window._offline_banner.isVisible(), timeout=WAIT_MS)
    # The new link's first statuses (its first sync's progress) hide the banner too: its
    # connected status follows them through the event queue.
    qtbot.waitUntil(
        lambda: "Central database connected" in window._team_status.label.text(),
        timeout=WAIT_MS,
    )
    # Her role's rows: her queue's interaction, not the sales account's.
    qtbot.waitUntil(lambda: centre.support in _local_interactions(local), timeout=WAIT_MS)
    assert centre.sales not in _local_interactions(local)

    # Her accept is pushed as her role (row security lets only her queue it) and applied.
    desk.show_interaction(centre.support)
    qtbot.waitUntil(desk.accept_button.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(desk.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.state is not None and desk.state.mine, timeout=WAIT_MS)
    with centre.store.read() as session:
        row = session.get(Interaction, centre.support)
        assert row is not None and row.claimed_by_id == dana, "claimed centrally"

    # Sam, a supervisor, signs in at the same desk: his role may see everything, so the
    # first pull as his role is a full snapshot and the sales account's mail arrives.
    dana_link = _link(window)
    _sign_in(qtbot, window, SAM_ROLE, SAM_PASSWORD)
    assert desk.agent is not None and desk.agent.supervisor
    qtbot.waitUntil(lambda: _linked_as(window, SAM_ROLE), timeout=WAIT_MS)
    assert not dana_link.is_alive()
    qtbot.waitUntil(lambda: centre.sales in _local_interactions(local), timeout=WAIT_MS)

    # An admin change goes through his role's link and the central database applies it.
    mode = window.admin_mode
    qtbot.waitUntil(mode.toggle.isEnabled, timeout=WAIT_MS)
    with qtbot.waitSignal(mode.entered, timeout=WAIT_MS):
        mode.toggle.trigger()
    panel = mode.panel
    assert panel is not None
    page = panel.accounts
    qtbot.waitUntil(lambda: page.accounts.count() == 2, timeout=WAIT_MS)
    page.accounts.setCurrentItem(page.accounts.findItems("sales", Qt.MatchFlag.MatchExactly)[0])
    qtbot.waitUntil(lambda: page.page.form.field("wait_for_agent") is not None, timeout=WAIT_MS)
    with qtbot.waitSignal(page.page.loaded, timeout=WAIT_MS):
        pass
    field = page.page.form.field("wait_for_agent")
    assert isinstance(field, QLineEdit)
    field.selectAll()
    field.del_()
    field.insert("77")
    with qtbot.waitSignal(page.page.saved, timeout=WAIT_MS) as saved:
        qtbot.mouseClick(page.page.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == [True]
    values = {r.key: r.value for r in list_settings(centre.store, account="sales")}
    assert values["wait_for_agent"] == 77
    with centre.store.read() as session:
        actors = session.execute(
            select(OperationRow.actor_id).where(OperationRow.kind == "change_setting")
        ).scalars()
        assert list(actors) == [desk.agent.agent_id], "queued as Sam, through his role"


def test_a_reply_with_an_attachment_reaches_the_central_blob_table_through_her_role(
    qtbot: QtBot, window: MainWindow, centre: Centre, tmp_path: Path
) -> None:
    desk = window._desk
    _desk_offline_as_its_url_role(qtbot, window)
    _sign_in(qtbot, window, DANA_ROLE, DANA_PASSWORD)
    qtbot.waitUntil(lambda: _linked_as(window, DANA_ROLE), timeout=WAIT_MS)
    desk.show_interaction(centre.support)
    qtbot.waitUntil(desk.accept_button.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(desk.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.state is not None and desk.state.mine, timeout=WAIT_MS)

    composer = desk.composer
    qtbot.waitUntil(composer.send_button.isEnabled, timeout=WAIT_MS)
    if not composer.to.text():
        composer.to.setText("customer@example.test")
    composer.body.setPlainText("Your invoice is attached.")
    invoice = tmp_path / "invoice.pdf"
    invoice.write_bytes(b"%PDF-1.4 Dana's invoice, only on her desk so far")
    with qtbot.waitSignal(composer.attachments_changed, timeout=WAIT_MS):
        composer.add_files([invoice])
    blob = composer.content()["attachments"][0]["blob"]
    with qtbot.waitSignal(composer.sent, timeout=WAIT_MS) as sent:
        qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    message = uuid.UUID(str(sent.args[0]["message"]))
    assert SqlBlobStore(centre.store.engine).has(blob), "stored centrally through her role"
    with centre.store.read() as session:
        reply = session.execute(
            select(OperationRow).where(OperationRow.kind == "reply")
        ).scalar_one()
        assert (reply.status, reply.reason) == ("applied", "")
        out = session.get(Message, message)
        assert out is not None and out.interaction_id == centre.support
        assert out.attachment_count == 1


def _set_login(centre: Centre, role: str, *, login: bool) -> None:
    """Let ``role`` log in or not; refused, its open sessions end (its desk is cut off)."""
    with psycopg.connect(libpq_url(centre.url), autocommit=True) as conn:
        conn.execute(f"ALTER ROLE {role} {'LOGIN' if login else 'NOLOGIN'}")
        if not login:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                (role,),
            )


def _showing(desk: AgentDesk, interaction: uuid.UUID) -> bool:
    return desk.state is not None and desk.state.interaction_id == interaction


def _outbox_of(local: AppContext, ids: list[uuid.UUID]) -> list[tuple[str, int, str]]:
    with local.store.read() as session:
        rows = {
            r.id: (r.state, r.attempts, r.status or "")
            for r in session.execute(select(OpOutboxEntry).where(OpOutboxEntry.id.in_(ids)))
            .scalars()
            .all()
        }
    return [rows[i] for i in ids]


def test_what_an_agent_leaves_queued_waits_for_her_while_the_next_agents_work_goes(
    qtbot: QtBot, window: MainWindow, centre: Centre, local: AppContext
) -> None:
    desk = window._desk
    _desk_offline_as_its_url_role(qtbot, window)
    _sign_in(qtbot, window, DANA_ROLE, DANA_PASSWORD)
    assert desk.agent is not None
    dana = desk.agent.agent_id
    qtbot.waitUntil(lambda: _linked_as(window, DANA_ROLE), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: centre.support in _local_interactions(local), timeout=WAIT_MS)
    dana_link = _link(window)

    # Her desk loses the central database: what she does waits in the outbox.
    _set_login(centre, DANA_ROLE, login=False)
    desk.show_interaction(centre.support)
    qtbot.waitUntil(
        lambda: _showing(desk, centre.support) and desk.accept_button.isEnabled(), timeout=WAIT_MS
    )
    qtbot.mouseClick(desk.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dana_link.status.online, timeout=WAIT_MS)
    composer = desk.composer
    qtbot.mouseClick(desk.new_email_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(composer.send_button.isEnabled, timeout=WAIT_MS)
    qtbot.keyClicks(composer.to, "carol@example.test")
    qtbot.keyClicks(composer.subject, "Your parcel")
    qtbot.keyClicks(composer.body, "It left the depot this morning.")
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dana_link.status.pending == 2, timeout=WAIT_MS)
    with local.store.read() as session:
        hers = list(
            session.execute(
                select(OpOutboxEntry.id)
                .where(OpOutboxEntry.actor == str(dana))
                # rowid: the order she made them in
                .order_by(text("rowid"))
            ).scalars()
        )
    assert len(hers) == 2

    # Sam signs in at the same desk, online: his accept goes, hers wait (not refused).
    _sign_in(qtbot, window, SAM_ROLE, SAM_PASSWORD)
    qtbot.waitUntil(lambda: _linked_as(window, SAM_ROLE), timeout=WAIT_MS)
    assert not dana_link.is_alive()
    left = _outbox_of(local, hers)
    assert [state for state, _, _ in left] == ["queued", "queued"]
    qtbot.waitUntil(lambda: centre.sales in _local_interactions(local), timeout=WAIT_MS)
    desk.show_interaction(centre.sales)
    qtbot.waitUntil(
        lambda: _showing(desk, centre.sales) and desk.accept_button.isEnabled(), timeout=WAIT_MS
    )
    qtbot.mouseClick(desk.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.state is not None and desk.state.mine, timeout=WAIT_MS)
    sam_link = _link(window)
    qtbot.waitUntil(lambda: sam_link.status.pending == 0, timeout=WAIT_MS)
    assert sam_link.status.others == (("dana", 2),)
    # The status bar tells Sam the truth: nothing of his pending, two of Dana's waiting here.
    label = window._team_status.label
    qtbot.waitUntil(lambda: "2 operations of other agents waiting" in label.text(), timeout=WAIT_MS)
    assert "pending" not in label.text()
    assert "dana: 2 operations" in label.toolTip()
    assert _outbox_of(local, hers) == left, "untouched while Sam's link runs"
    with centre.store.read() as session:
        queued_centrally = session.execute(
            select(OperationRow.id).where(OperationRow.id.in_(hers))
        ).all()
        assert queued_centrally == []
        support = session.get(Interaction, centre.support)
        assert support is not None and support.claimed_by_id is None

    # Dana can connect again and signs in: hers go, in the order she made them, once each.
    _set_login(centre, DANA_ROLE, login=True)
    _sign_in(qtbot, window, DANA_ROLE, DANA_PASSWORD)
    qtbot.waitUntil(lambda: _linked_as(window, DANA_ROLE), timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: all(state == "settled" for state, _, _ in _outbox_of(local, hers)),
        timeout=WAIT_MS,
    )
    assert [status for _, _, status in _outbox_of(local, hers)] == ["applied", "applied"]
    assert _link(window).status.others == ()
    with centre.store.read() as session:
        rows = session.execute(
            select(OperationRow.id, OperationRow.kind, OperationRow.status)
            .where(OperationRow.actor_id == dana)
            .order_by(OperationRow.created_at, OperationRow.id)
        ).all()
        assert [(r.id, r.kind, r.status) for r in rows] == [
            (hers[0], "claim", "applied"),
            (hers[1], "new_email", "applied"),
        ]
        support = session.get(Interaction, centre.support)
        assert support is not None and support.claimed_by_id == dana
        sent = session.execute(
            select(Interaction).where(Interaction.subject == "Your parcel")
        ).scalar_one()
        assert sent.claimed_by_id == dana
