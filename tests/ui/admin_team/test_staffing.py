"""Admin mode in team mode: agents, queues and accounts changed in the real pages are
operations the central database applies (or refuses), and the pages show the outcome once it
is pulled back; no password reaches the central database and the mailbox password is left
to the worker host, as the account dialog says."""

from __future__ import annotations

import dataclasses
import json
import uuid

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app import secrets
from app.services.accounts import list_accounts
from app.services.agents import verify_password
from app.services.staffing import staffing
from storage.engine import Store
from storage.models import Agent, EmailAccount
from storage.models import Operation as OperationRow
from tests.app.workflow import World
from tests.ui.admin_team.conftest import WAIT_MS
from ui.admin.mode import AdminPanel
from ui.admin.settings_pages import AddAccountDialog

pytestmark = [pytest.mark.gui, pytest.mark.pg, pytest.mark.slow]


def _operations(central: Store) -> list[tuple[str, str, str, str]]:
    with central.read() as session:
        rows = session.execute(
            select(
                OperationRow.kind, OperationRow.status, OperationRow.payload, OperationRow.result
            )
        ).all()
    return [
        (kind, status, json.dumps(payload), json.dumps(result))
        for kind, status, payload, result in rows
    ]


def _applied(central: Store, kind: str) -> int:
    return sum(1 for k, status, _p, _r in _operations(central) if k == kind and status == "applied")


def test_people_and_queues_change_on_the_central_database(
    qtbot: QtBot,
    admin_panel: AdminPanel,
    central_world: tuple[Store, World],
) -> None:
    central, _world = central_world
    page = admin_panel.staffing
    qtbot.waitUntil(lambda: page.matrix.rowCount() == 4, timeout=WAIT_MS)
    data = staffing(central)
    alice = [a.name for a in data.agents].index("alice")
    italian = [q.name for q in data.queues].index("Italian")
    assert page.matrix.item(alice, italian).checkState() == Qt.CheckState.Unchecked

    # A tick in the queue matrix: set_queue_membership, applied centrally, shown after.
    with qtbot.waitSignal(page.changed, timeout=WAIT_MS) as changed:
        page.matrix.item(alice, italian).setCheckState(Qt.CheckState.Checked)
    assert changed.args == [True], page.status.text()
    assert page.status.text() == "alice is now in Italian."
    assert _applied(central, "set_queue_membership") == 1
    (row,) = [a for a in staffing(central).agents if a.name == "alice"]
    assert (row.id, data.queues[italian].id) in staffing(central).members
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        pass  # the reload from the desk's store, which has pulled the change by now
    assert page.matrix.item(alice, italian).checkState() == Qt.CheckState.Checked

    # A new agent: the password travels as a hash only.
    page.agent_name.setText("dora")
    page.agent_password.setText("dora-secret-626")
    with qtbot.waitSignal(page.changed, timeout=WAIT_MS) as changed:
        qtbot.mouseClick(page.add_agent_button, Qt.MouseButton.LeftButton)
    assert changed.args == [True], page.status.text()
    assert page.status.text() == "Agent dora added."
    with central.read() as session:
        dora = session.execute(select(Agent).where(Agent.name == "dora")).scalar_one()
        assert verify_password("dora-secret-626", dora.password_hash)
    assert _applied(central, "add_agent") == 1
    assert not any("dora-secret-626" in p + r for _k, _s, p, r in _operations(central))
    qtbot.waitUntil(lambda: page.agents.rowCount() == 5, timeout=WAIT_MS)
    assert "dora" in [page.agents.item(r, 0).text() for r in range(page.agents.rowCount())]

    # Refused centrally: sam may not demote himself; the page says why and nothing changes.
    names = [page.agents.item(r, 0).text() for r in range(page.agents.rowCount())]
    page.agents.selectRow(names.index("sam"))
    with qtbot.waitSignal(page.changed, timeout=WAIT_MS) as changed:
        qtbot.mouseClick(page.role_button, Qt.MouseButton.LeftButton)
    assert changed.args == [False]
    assert page.status.text() == "You cannot take away your own supervisor role."
    assert [s for k, s, _p, _r in _operations(central) if k == "set_role"] == ["rejected"]

    # A queue renamed on the desk is renamed centrally and in the page's list.
    qtbot.waitUntil(lambda: page.rename_choice.count() == 2, timeout=WAIT_MS)
    page.rename_choice.setCurrentIndex(page.rename_choice.findText("Acme / Italian"))
    page.rename_name.setText("Italiano")
    with qtbot.waitSignal(page.changed, timeout=WAIT_MS) as changed:
        qtbot.mouseClick(page.rename_button, Qt.MouseButton.LeftButton)
    assert changed.args == [True], page.status.text()
    assert {q.name for q in staffing(central).queues} == {"Default", "Italiano"}
    qtbot.waitUntil(lambda: page.rename_choice.findText("Acme / Italiano") >= 0, timeout=WAIT_MS)


def test_accounts_are_added_staffed_and_removed_centrally(
    qtbot: QtBot,
    admin_panel: AdminPanel,
    central_world: tuple[Store, World],
) -> None:
    central, _world = central_world
    page = admin_panel.accounts
    qtbot.waitUntil(lambda: page.accounts.count() == 2, timeout=WAIT_MS)

    # The dialog asks for no password in team mode: it says where the password goes instead.
    dialog = AddAccountDialog(page._admin, page)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.password.isVisible()
    assert dialog.worker_note.isVisible()
    assert "/etc/relaydesk/credentials/<account id>.password" in dialog.worker_note.text()
    dialog.name.setText("billing")
    dialog.email.setText("billing@acme.test")
    dialog.username.setText("billing")
    dialog.smtp_host.setText("smtp.acme.test")
    dialog.added.connect(page.on_dialog_added)
    with qtbot.waitSignal(dialog.added, timeout=WAIT_MS) as added:
        dialog.on_buttons_accepted()
    info = added.args[0]
    assert _applied(central, "add_account") == 1
    with central.read() as session:
        row = session.execute(
            select(EmailAccount).where(EmailAccount.name == "billing")
        ).scalar_one()
        assert str(row.id) == info["id"] and row.smtp_host == "smtp.acme.test"
    assert secrets.get_secret(row.id, "password") is None  # nothing kept on this desk
    qtbot.waitUntil(
        lambda: f"/etc/relaydesk/credentials/{info['id']}.password" in page.verify_result.text(),
        timeout=WAIT_MS,
    )
    assert page.accounts.currentItem().text() == "billing"
    # Checking the connection needs the password, which only the worker host has.
    with qtbot.waitSignal(page.verified, timeout=WAIT_MS):
        page.verify_button.click()
    assert page.verify_result.text() == (
        "In team mode the worker host keeps this account's password: check the connection "
        "there with “relaydesk account verify billing”."
    )

    # Who works on it: the agents dialog sends one operation per ticked agent.
    page.agents_button.click()
    agents_dialog = page.agents_dialog
    assert agents_dialog is not None
    qtbot.waitUntil(lambda: agents_dialog.agents.count() == 4, timeout=WAIT_MS)
    for r in range(agents_dialog.agents.count()):
        if agents_dialog.agents.item(r).text() in ("alice", "bob"):
            agents_dialog.agents.item(r).setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(agents_dialog.changed, timeout=WAIT_MS) as changed:
        agents_dialog.save_button.click()
    assert changed.args == [2]
    assert _applied(central, "set_account_membership") == 2
    members = {a.name: a.accounts for a in staffing(central).agents}
    assert "billing" in members["alice"] and "billing" in members["bob"]

    # Removing it keeps the confirmation with the usage count, then is applied centrally.
    questions: list[str] = []
    page.confirm = lambda title, question: questions.append(question) or True
    with qtbot.waitSignal(page.removed, timeout=WAIT_MS) as removed:
        qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert removed.args == ["billing"]
    assert questions and "billing (billing@acme.test)" in questions[0]
    assert "It has 0 interaction(s)" in questions[0]
    assert _applied(central, "remove_account") == 1
    assert [a.name for a in list_accounts(central)] == ["sales", "support"]
    qtbot.waitUntil(lambda: page.accounts.count() == 2, timeout=WAIT_MS)
    assert page.verify_result.text() == "Email account billing deleted."


def test_on_the_teams_worker_desk_an_accounts_password_is_kept_here(
    qtbot: QtBot, admin_panel: AdminPanel, central_world: tuple[Store, World]
) -> None:
    """A desktop that runs the team's worker (run_team_worker) is the worker host: the
    dialog asks for the password and keeps it in this computer's keyring, never centrally."""
    central, _world = central_world
    page = admin_panel.accounts
    worker_desk = dataclasses.replace(page._admin, worker_here=True)
    dialog = AddAccountDialog(worker_desk, page)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.password.isVisible() and not dialog.worker_note.isVisible()
    dialog.name.setText("returns")
    dialog.email.setText("returns@acme.test")
    dialog.username.setText("returns")
    dialog.password.setText("returns-secret-77")
    dialog.smtp_host.setText("smtp.acme.test")
    with qtbot.waitSignal(dialog.added, timeout=WAIT_MS) as added:
        dialog.on_buttons_accepted()
    account_id = uuid.UUID(added.args[0]["id"])
    qtbot.waitUntil(
        lambda: secrets.get_secret(account_id, "password") == "returns-secret-77",
        timeout=WAIT_MS,
    )
    with central.read() as session:
        payloads = session.execute(select(OperationRow.payload)).scalars().all()
    assert not any("returns-secret-77" in str(p) for p in payloads)
