"""Light and dark palettes: the state colours stay readable in both, and follow a switch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.services.session import SignedIn
from storage.models import Agent
from tests.ui.data import seed_interactions
from ui.main_window import MainWindow
from ui.models.interaction_list import Column
from ui.theme import (
    MIN_CONTRAST,
    SLA_AT_RISK_AFTER,
    State,
    ThemeWatcher,
    contrast_ratio,
    dark_palette,
    force_color_scheme,
    is_dark,
    light_palette,
    row_state,
    state_colors,
)

pytestmark = pytest.mark.gui


@pytest.fixture
def scheme(qapp: QApplication) -> Iterator[None]:
    """Whatever a test forces, the next test starts with the platform's own palette."""
    palette = QPalette(qapp.palette())
    yield
    qapp.styleHints().unsetColorScheme()
    qapp.setPalette(palette)


def _backgrounds(palette: QPalette) -> list[QColor]:
    return [palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.AlternateBase)]


def test_contrast_ratio_matches_wcag() -> None:
    black, white = QColor("#000000"), QColor("#ffffff")
    assert contrast_ratio(black, white) == pytest.approx(21.0)
    assert contrast_ratio(white, white) == pytest.approx(1.0)
    # WCAG's own example: #777 on white is just under AA (4.48).
    assert contrast_ratio(QColor("#777777"), white) == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("scheme_name", ["light", "dark"])
def test_forced_scheme_keeps_every_state_readable(
    qapp: QApplication, scheme: None, scheme_name: str
) -> None:
    wanted = Qt.ColorScheme.Dark if scheme_name == "dark" else Qt.ColorScheme.Light
    force_color_scheme(wanted)
    palette = qapp.palette()
    assert is_dark(palette) == (scheme_name == "dark")
    colors = state_colors(palette)
    assert set(colors) == set(State)
    for state, color in colors.items():
        for background in _backgrounds(palette):
            assert contrast_ratio(color, background) >= MIN_CONTRAST, (state, scheme_name)
        # Still tells the states apart from plain text, not just black or white.
        assert color != palette.color(QPalette.ColorRole.Text), state
    assert len({c.name() for c in colors.values()}) == len(State)


def test_an_unfriendly_palette_gets_its_colours_corrected(qapp: QApplication) -> None:
    # A mid-grey base where none of the starting hues reads: they are pushed until they do.
    palette = QPalette(light_palette())
    palette.setColor(QPalette.ColorRole.Base, QColor("#b0b0b0"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#a8a8a8"))
    for color in state_colors(palette).values():
        assert min(contrast_ratio(color, b) for b in _backgrounds(palette)) >= MIN_CONTRAST
    palette = QPalette(dark_palette())
    palette.setColor(QPalette.ColorRole.Base, QColor("#404040"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#484848"))
    for color in state_colors(palette).values():
        assert min(contrast_ratio(color, b) for b in _backgrounds(palette)) >= MIN_CONTRAST


def test_row_states() -> None:
    now = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)
    fresh, old = now - dt.timedelta(minutes=5), now - SLA_AT_RISK_AFTER

    def state(**kw: object) -> State | None:
        args: dict[str, object] = {
            "status": "open",
            "unread": True,
            "claimed_by": "",
            "created_at": fresh,
            "me": "marta",
            "now": now,
        }
        args.update(kw)
        return row_state(**args)  # type: ignore[arg-type]

    assert state() == State.UNREAD
    assert state(unread=False) is None
    assert state(claimed_by="marta") == State.MINE
    assert state(claimed_by="bob") == State.OTHERS
    assert state(created_at=old) == State.SLA_AT_RISK
    assert state(created_at=old, claimed_by="marta") == State.MINE
    assert state(status="closed", claimed_by="marta") is None
    assert state(claimed_by="marta", me="") == State.OTHERS


def test_the_list_follows_a_switch_to_dark_and_back(
    qtbot: QtBot, qapp: QApplication, scheme: None, sqlite_ctx: AppContext, data_dir: Path
) -> None:
    force_color_scheme(Qt.ColorScheme.Light)
    seed_interactions(sqlite_ctx.store, 30)  # every 7th claimed by marta
    with sqlite_ctx.store.read() as session:
        marta = session.query(Agent).filter_by(name="marta").one()
        signed_in = SignedIn(marta.id, "marta", "", False)
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    model = window._model
    qtbot.waitUntil(lambda: model.rowCount() == 30, timeout=10_000)
    window.set_signed_in(signed_in)
    mine = next(r for r in range(30) if model.row_at(r) and model.row_at(r).claimed_by == "marta")  # type: ignore[union-attr]

    def foreground(row: int) -> QColor:
        return model.index(row, Column.SUBJECT).data(Qt.ItemDataRole.ForegroundRole)

    light = foreground(mine)
    assert light == state_colors(qapp.palette())[State.MINE]
    watcher = ThemeWatcher()
    with qtbot.waitSignal(watcher.changed, timeout=5_000):
        force_color_scheme(Qt.ColorScheme.Dark)
    qtbot.waitUntil(lambda: foreground(mine) != light, timeout=5_000)
    dark = foreground(mine)
    # Widgets take the new palette from posted events.
    qtbot.waitUntil(lambda: is_dark(window._list.palette()), timeout=5_000)
    view_palette = window._list.palette()
    for background in _backgrounds(view_palette):
        assert contrast_ratio(dark, background) >= MIN_CONTRAST
    # Every coloured row on screen reads on the dark list.
    for row in range(30):
        color = foreground(row)
        if color is not None:
            assert (
                contrast_ratio(color, view_palette.color(QPalette.ColorRole.Base)) >= MIN_CONTRAST
            )
    force_color_scheme(Qt.ColorScheme.Light)
    qtbot.waitUntil(lambda: foreground(mine) == light, timeout=5_000)
    assert not is_dark(QGuiApplication.palette())
    window.shutdown()


def test_an_os_switch_to_dark_is_followed(qtbot: QtBot, qapp: QApplication, scheme: None) -> None:
    force_color_scheme(Qt.ColorScheme.Light)
    watcher = ThemeWatcher()
    light = dict(watcher.colors)
    # What a desktop does when it switches: Qt reports the new scheme. The offscreen platform
    # cannot emit colorSchemeChanged itself, so the slot is called as the signal would.
    with qtbot.waitSignal(watcher.changed, timeout=5_000):
        watcher.on_hints_color_scheme_changed(Qt.ColorScheme.Dark)
    assert is_dark(qapp.palette())
    assert watcher.colors != light
    for color in watcher.colors.values():
        for background in _backgrounds(qapp.palette()):
            assert contrast_ratio(color, background) >= MIN_CONTRAST
    # And a platform that switches the palette itself (most do) is followed too.
    with qtbot.waitSignal(watcher.changed, timeout=5_000):
        qapp.setPalette(light_palette())
    assert watcher.colors == light
