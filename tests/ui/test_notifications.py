"""New offers reach the agent: the in-window bar always, the tray where there is one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.context import AppContext
from app.services.agents import add_agent
from app.services.notices import offers_for
from app.services.operations import Operation, apply
from app.services.session import SignedIn, sign_in
from storage.models import EmailAccount, Interaction
from tests.ui.data import Seeded, ingest, make_account
from ui.main_window import MainWindow
from ui.notifications import NotificationBar, OfferNotifier, notice_text, sound_path
from ui.tasks import TaskRunner

TEMPLATE = "{{ customer.name }} wrote to {{ account.name }}: {{ interaction.subject }}"


def _mail(subject: str, message_id: str, sender: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: support@acme.test\r\nSubject: {subject}\r\n"
        f"Date: Mon, 05 Jan 2026 10:00:00 +0000\r\nMessage-ID: <{message_id}>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nHello, my order is late.\r\n"
    ).encode()


def _configure(ctx: AppContext, seeded: Seeded, template: str, *, shake: bool) -> None:
    with ctx.store.write() as session:
        account = session.get(EmailAccount, seeded.account_id)
        assert account is not None
        account.notification_template = template
        account.notification_shake = shake
        account.notification_sound = True


def _desk(
    ctx: AppContext, template: str = TEMPLATE, *, shake: bool = True
) -> tuple[Seeded, SignedIn]:
    seeded = make_account(ctx.store)
    _configure(ctx, seeded, template, shake=shake)
    add_agent(ctx.store, "alice", password="correct horse", accounts=["support"])
    assert apply(ctx.store, Operation("set_state", "alice", {"state": "available"})).applied
    return seeded, sign_in(ctx.store, "alice", "correct horse")


def test_offers_are_news_once_and_worded_by_the_account_template(ctx: AppContext) -> None:
    seeded, alice = _desk(ctx)
    ingest(
        ctx, seeded, [_mail("Broken blender", "b1@example.org", "Anna Rossi <anna@example.org>")]
    )
    first = offers_for(ctx.store, alice.agent_id, ())
    (notice,) = first.new
    assert notice.text == "Anna Rossi wrote to support: Broken blender"
    assert (notice.sound, notice.shake, notice.template_error) == (True, True, "")
    assert first.offered == {notice.interaction_id}
    # Asked again with what is known: nothing new.
    assert offers_for(ctx.store, alice.agent_id, first.offered).new == ()
    ingest(
        ctx,
        seeded,
        [_mail("Second question", "b2@example.org", "Bruno Keller <bruno@example.org>")],
        first_uid=2,
    )
    second = offers_for(ctx.store, alice.agent_id, first.offered)
    assert [n.subject for n in second.new] == ["Second question"]
    assert len(second.offered) == 2


def test_a_broken_template_still_tells_the_agent_in_default_words(ctx: AppContext) -> None:
    seeded, alice = _desk(ctx, "Hi {{ customer.nmae }}")
    ingest(ctx, seeded, [_mail("Refund", "r1@example.org", "Chloé Martin <chloe@example.org>")])
    (notice,) = offers_for(ctx.store, alice.agent_id, ()).new
    assert notice.text == ""
    assert "nmae" in notice.template_error
    assert notice_text(notice) == "Chloé Martin: Refund"


def test_other_agents_work_is_not_offered(ctx: AppContext) -> None:
    seeded, alice = _desk(ctx)
    ingest(ctx, seeded, [_mail("Taken", "t1@example.org", "Eva Novak <eva@example.org>")])
    with ctx.store.read() as session:
        interaction_id = session.execute(select(Interaction.id)).scalar_one()
    add_agent(ctx.store, "bob", accounts=["support"])
    assert offers_for(ctx.store, alice.agent_id, ()).offered == {interaction_id}
    assert apply(ctx.store, Operation("claim", "bob", {"id": interaction_id})).applied
    assert offers_for(ctx.store, alice.agent_id, ()).new == ()


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.shutdown()


@pytest.mark.gui
def test_new_mail_for_the_signed_in_agent_shows_in_the_window(
    qtbot: QtBot, sqlite_ctx: AppContext, window: MainWindow
) -> None:
    seeded, alice = _desk(sqlite_ctx)
    ingest(sqlite_ctx, seeded, [_mail("Old one", "o1@example.org", "Dmitri <d@example.org>")])
    qtbot.waitUntil(lambda: window._model.rowCount() == 1, timeout=10_000)
    notifier, bar = window._notifier, window._offer_bar
    window.set_signed_in(alice)
    # What already waited at sign-in is the baseline, not news.
    qtbot.waitUntil(lambda: notifier.known is not None and len(notifier.known) == 1, timeout=10_000)
    assert bar.isHidden() and notifier.shakes == 0
    # The window notices changes against the store version of its first poll.
    qtbot.waitUntil(lambda: window._version is not None, timeout=10_000)

    with qtbot.waitSignal(notifier.offers_arrived, timeout=20_000) as arrived:
        ingest(
            sqlite_ctx,
            seeded,
            [_mail("Broken blender", "b1@example.org", "Anna Rossi <anna@example.org>")],
            first_uid=2,
        )
        for _ in range(5):  # a burst of changes: looked at once more, news told once
            notifier.check()
    (notice,) = arrived.args[0]
    qtbot.waitUntil(lambda: notifier.known is not None and len(notifier.known) == 2)
    assert len(bar.notices) == 1
    assert bar.isVisible()
    assert bar.text.text() == "Anna Rossi wrote to support: Broken blender"
    assert notifier.shakes == 1 and notifier.sounds == 1
    assert notifier.shaking is not None

    bar.open_button.click()
    assert bar.isHidden()
    qtbot.waitUntil(lambda: window._reader.interaction_id == notice.interaction_id, timeout=10_000)


@pytest.mark.gui
def test_the_bar_counts_what_piled_up_and_dismisses(qtbot: QtBot) -> None:
    from app.services.notices import OfferNotice

    bar = NotificationBar()
    qtbot.addWidget(bar)
    bar.show()

    def notice(n: int) -> OfferNotice:
        return OfferNotice(uuid.uuid4(), "support", f"C{n}", f"S{n}", "", False, False)

    bar.add([notice(1)])
    assert bar.text.text() == "C1: S1"
    bar.add([notice(2), notice(3)])
    assert bar.text.text() == "C3: S3 (and 2 more)"
    bar.dismiss_button.click()
    assert bar.isHidden() and bar.notices == []
    # What someone else accepted meanwhile leaves the bar; when nothing is left, so does it.
    first, second = notice(4), notice(5)
    bar.add([first, second])
    bar.retain(frozenset({first.interaction_id}))
    assert bar.text.text() == "C4: S4" and bar.isVisible()
    bar.retain(frozenset())
    assert bar.isHidden() and bar.notices == []


def test_the_offer_sound_is_shipped() -> None:
    data = Path(sound_path()).read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE" and len(data) > 1000


@pytest.mark.gui
def test_tray_message_where_the_platform_has_a_tray(qtbot: QtBot) -> None:
    if not OfferNotifier.tray_available():
        pytest.skip("this platform (e.g. offscreen, or a desktop without a tray) has no tray")
    from PySide6.QtWidgets import QWidget

    from app.services.notices import OfferNotice

    host = QWidget()
    qtbot.addWidget(host)
    tasks = TaskRunner()
    bar = NotificationBar(host)
    notifier = OfferNotifier(tasks, host, bar)
    notifier.notify([OfferNotice(uuid.uuid4(), "support", "Anna", "Hi", "", False, False)])
    assert notifier._tray is not None and notifier._tray.isVisible()
    tasks.shutdown()


def test_supervisors_set_the_template_and_a_broken_one_is_refused(ctx: AppContext) -> None:
    from app.services.settings import change_setting
    from app.settings import SettingError

    seeded, alice = _desk(ctx, "")
    with pytest.raises(SettingError, match="nmae"):
        change_setting(ctx.store, "notification_template", "{{ customer.nmae }}", account="support")
    change_setting(
        ctx.store,
        "notification_template",
        "New for {{ queue.name }}: {{ interaction.subject }}",
        account="support",
    )
    ingest(ctx, seeded, [_mail("Invoice", "i1@example.org", "Eva <eva@example.org>")])
    (notice,) = offers_for(ctx.store, alice.agent_id, ()).new
    assert notice.text == "New for Default: Invoice"


def test_a_paused_or_logged_out_agent_is_not_disturbed(ctx: AppContext) -> None:
    seeded, alice = _desk(ctx)
    ingest(ctx, seeded, [_mail("Hello", "h1@example.org", "Eva <eva@example.org>")])
    for state, reason in (("paused", "Lunch"), ("logged_out", "")):
        change = Operation("set_state", "alice", {"state": state, "reason": reason})
        assert apply(ctx.store, change).applied
        offers = offers_for(ctx.store, alice.agent_id, ())
        assert len(offers.new) == 1 and offers.news == ()
    assert apply(ctx.store, Operation("set_state", "alice", {"state": "available"})).applied
    assert len(offers_for(ctx.store, alice.agent_id, ()).news) == 1
