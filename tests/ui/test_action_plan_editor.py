"""The action-plan editor on a real store: a plan built with the widgets is saved through the
supervisor's operation and then routes new mail; refusals come back as a sentence."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QTime
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.context import AppContext
from app.services import routing
from storage.models import EmailAccount, InteractionTag, Queue, Tag
from tests.app.workflow import World, make_world
from tests.ui.admin_helpers import admin_context
from ui.admin.action_plan_editor import ActionPlanDialog, days_text, step_named, step_text
from ui.admin.settings_pages import AccountsPage, AdminContext

pytestmark = pytest.mark.gui

MONDAY_10 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # in Rome, the project's zone
SATURDAY_10 = dt.datetime(2026, 3, 7, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(sqlite_ctx: AppContext) -> World:
    return make_world(sqlite_ctx.store)


@pytest.fixture
def admin(sqlite_ctx: AppContext, world: World) -> Iterator[AdminContext]:
    with admin_context(sqlite_ctx, "sam") as context:
        yield context


def _open(qtbot: QtBot, admin: AdminContext, account: str = "support") -> ActionPlanDialog:
    dialog = ActionPlanDialog(admin, account)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=10_000)
    return dialog


def _stored(world: World, account: str = "support") -> object:
    with world.store.read() as session:
        return session.execute(
            select(EmailAccount.action_plan).where(EmailAccount.name == account)
        ).scalar_one()


def _set_days(dialog: ActionPlanDialog, days: set[str]) -> None:
    for day, box in dialog.days.items():
        box.setChecked(day in days)


def _choose(dialog: ActionPlanDialog, action: str, target: str | None = None) -> None:
    dialog.action.setCurrentIndex(dialog.action.findData(action))
    if target is not None:
        dialog.target.setCurrentText(target)


def _items(dialog: ActionPlanDialog) -> list[str]:
    return [dialog.steps.item(r).text() for r in range(dialog.steps.count())]


def _save(qtbot: QtBot, dialog: ActionPlanDialog) -> None:
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def _refusal(qtbot: QtBot, dialog: ActionPlanDialog) -> str:
    with qtbot.waitSignal(dialog.refused, timeout=10_000) as refused:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == refused.args[0]
    return str(refused.args[0])


def _queue_and_tags(world: World, interaction: uuid.UUID) -> tuple[str, list[str]]:
    with world.store.read() as session:
        queue = session.execute(
            select(Queue.name).where(Queue.id == world.row(interaction).queue_id)
        ).scalar_one()
        tags = session.execute(
            select(Tag.name)
            .join(InteractionTag, InteractionTag.tag_id == Tag.id)
            .where(InteractionTag.interaction_id == interaction)
        ).scalars()
        return queue, list(tags)


def test_pure_texts() -> None:
    assert days_text(["mon", "tue", "wed", "thu", "fri"]) == "Mon–Fri"
    assert days_text(["sun", "sat"]) == "Sat, Sun"
    assert step_text(
        {"action": "queue", "queue": "Italian", "intervals": [{"days": ["sat", "sun"]}]}
    ) == ("Route to queue Italian · Sat, Sun, all day")
    assert step_named("Step 12: there is no queue 'x' in this project.") == 11
    assert step_named("The fallback must route to a queue") is None


def test_a_plan_built_in_the_editor_routes_new_mail(
    qtbot: QtBot, sqlite_ctx: AppContext, admin: AdminContext, world: World
) -> None:
    dialog = _open(qtbot, admin)
    assert dialog.steps.count() == 0 and "Europe/Rome" in dialog.heading.text()

    # 1: route to Italian on weekdays 09:00-18:00
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    _choose(dialog, "queue", "Italian")
    qtbot.mouseClick(dialog.add_interval_button, Qt.MouseButton.LeftButton)
    dialog.from_time.setTime(QTime(9, 0))
    dialog.to_time.setTime(QTime(18, 0))
    # 2: tag weekend mail, all day on Saturdays and Sundays; then moved first
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    _choose(dialog, "tag", "weekend")
    qtbot.mouseClick(dialog.add_interval_button, Qt.MouseButton.LeftButton)
    _set_days(dialog, {"sat", "sun"})
    dialog.all_day.setChecked(True)
    # 3: a step added by mistake, then deleted
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    _choose(dialog, "close")
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    dialog.steps.setCurrentRow(1)
    qtbot.mouseClick(dialog.up_button, Qt.MouseButton.LeftButton)
    assert dialog.steps.currentRow() == 0 and not dialog.up_button.isEnabled()
    dialog.fallback_action.setCurrentIndex(dialog.fallback_action.findData("queue"))
    dialog.fallback_target.setCurrentText("Default")
    assert _items(dialog) == [
        "Tag weekend · Sat, Sun, all day",
        "Route to queue Italian · Mon–Fri 09:00–18:00",
    ]

    _save(qtbot, dialog)
    assert _stored(world) == {
        "applications": [
            {"action": "tag", "tag": "weekend", "intervals": [{"days": ["sat", "sun"]}]},
            {
                "action": "queue",
                "queue": "Italian",
                "intervals": [
                    {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "18:00"}
                ],
            },
        ],
        "fallback": {"action": "queue", "queue": "Default"},
    }

    weekday, weekend = world.interaction(), world.interaction()
    routing.on_new_interactions(sqlite_ctx, [weekday], MONDAY_10)
    routing.on_new_interactions(sqlite_ctx, [weekend], SATURDAY_10)
    assert _queue_and_tags(world, weekday) == ("Italian", [])
    assert _queue_and_tags(world, weekend) == ("Default", ["weekend"])

    # Opened again, the editor shows the stored plan and gives it back unchanged.
    again = _open(qtbot, admin)
    assert _items(again) == _items(dialog)
    assert again.plan() == _stored(world)
    again.steps.setCurrentRow(1)
    assert (again.from_time.time(), again.to_time.time()) == (QTime(9, 0), QTime(18, 0))


def test_refusals_are_sentences_and_change_nothing(
    qtbot: QtBot, admin: AdminContext, world: World
) -> None:
    dialog = _open(qtbot, admin)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    _choose(dialog, "tag", "evening")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    _choose(dialog, "queue", "Italian")
    qtbot.mouseClick(dialog.add_interval_button, Qt.MouseButton.LeftButton)
    dialog.from_time.setTime(QTime(18, 0))
    dialog.to_time.setTime(QTime(9, 0))
    dialog.steps.setCurrentRow(0)
    assert _refusal(qtbot, dialog) == (
        "Step 2: an interval ends at 09:00 before it starts at 18:00; choose a later 'to' time."
    )
    assert dialog.steps.currentRow() == 1  # the step the sentence names
    assert dialog.result() != dialog.DialogCode.Accepted

    # Midnight as the end works: 18:00 until the end of the day.
    dialog.to_time.setTime(QTime(0, 0))
    assert _items(dialog)[1] == "Route to queue Italian · Mon–Fri 18:00–24:00"
    dialog.target.setCurrentText("Nope")
    assert _refusal(qtbot, dialog) == "Step 2: there is no queue 'Nope' in this project."
    assert _stored(world) is None

    dialog.target.setCurrentText("Italian")
    _save(qtbot, dialog)
    assert _stored(world)["applications"][1]["intervals"][0]["to"] == "24:00"  # type: ignore[index]

    # Emptied, the plan is removed.
    again = _open(qtbot, admin)
    for _ in range(2):
        qtbot.mouseClick(again.remove_button, Qt.MouseButton.LeftButton)
    assert again.plan() is None
    _save(qtbot, again)
    assert _stored(world) is None


def test_app_refuses_an_agent_even_with_the_editor_open(
    qtbot: QtBot, sqlite_ctx: AppContext, world: World
) -> None:
    with admin_context(sqlite_ctx, "alice") as admin:
        dialog = _open(qtbot, admin)
        dialog.fallback_action.setCurrentIndex(dialog.fallback_action.findData("close"))
        assert not dialog.fallback_target.isEnabled()
        assert _refusal(qtbot, dialog) == ("Only a supervisor may change an account's action plan.")
    assert _stored(world) is None


def test_the_accounts_page_opens_the_plan_of_the_chosen_account(
    qtbot: QtBot, admin: AdminContext, world: World
) -> None:
    page = AccountsPage(admin)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.accounts.count() == 2, timeout=10_000)
    page.accounts.setCurrentRow([page.accounts.item(r).text() for r in range(2)].index("sales"))
    assert page.plan_button.isEnabled()
    qtbot.mouseClick(page.plan_button, Qt.MouseButton.LeftButton)
    dialog = page.plan_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=10_000)
    assert "sales" in dialog.heading.text()
    dialog.fallback_action.setCurrentIndex(dialog.fallback_action.findData("close"))
    _save(qtbot, dialog)
    assert _stored(world, "sales") == {"applications": [], "fallback": {"action": "close"}}
    assert _stored(world, "support") is None
