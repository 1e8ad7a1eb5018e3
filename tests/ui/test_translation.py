"""The Italian translation ships compiled, covers the window, and the window speaks it."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.ui.test_shortcuts import menu_clashes
from ui.i18n import (
    LANGUAGE_ENV,
    ROOT,
    SOURCES,
    _tool,
    choose_language,
    install_translators,
    release,
    translations_dir,
    uninstall,
)
from ui.main_window import MainWindow
from ui.models.interaction_list import Column

TS = translations_dir() / "relaydesk_it.ts"
QM = translations_dir() / "relaydesk_it.qm"
FIX = "run `python -m ui.i18n`, translate what is new in Qt Linguist, and run it again"


def _unfinished(ts: Path) -> list[str]:
    root = ET.parse(ts).getroot()
    return [
        f"{context.findtext('name')}: {message.findtext('source')!r}"
        for context in root.iter("context")
        for message in context.iter("message")
        if message.find("translation") is not None
        and message.find("translation").get("type") in ("unfinished", "vanished", "obsolete")  # type: ignore[union-attr]
    ]


def test_the_compiled_translation_is_there_and_not_stale(tmp_path: Path) -> None:
    assert TS.is_file(), f"{TS} is missing"
    assert QM.is_file(), f"{QM} is missing: {FIX}"
    fresh = tmp_path / "fresh.qm"
    release(TS, fresh)
    assert QM.read_bytes() == fresh.read_bytes(), f"{QM.name} is older than {TS.name}: {FIX}"


def test_every_string_of_the_window_is_translated(tmp_path: Path) -> None:
    assert _unfinished(TS) == []
    # The sources as they are now, against the .ts: a new or changed string shows up here.
    copy = tmp_path / "relaydesk_it.ts"
    shutil.copy(TS, copy)
    subprocess.run(
        [_tool("pyside6-lupdate"), *SOURCES, "-no-obsolete", "-silent", "-ts", str(copy)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert _unfinished(copy) == [], FIX


def test_the_language_comes_from_the_option_then_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(LANGUAGE_ENV, "it_IT.UTF-8")
    assert choose_language() == "it"
    assert choose_language("en") == "en"
    assert choose_language("pt-BR") == "pt"
    monkeypatch.setenv(LANGUAGE_ENV, "../../etc")
    assert choose_language() not in ("", "../../etc")


@pytest.fixture
def italian(qapp: QApplication) -> Iterator[None]:
    translators = install_translators(qapp, "it")
    assert translators, "the Italian translation did not load"
    yield
    uninstall(qapp, translators)


@pytest.mark.gui
def test_the_window_starts_in_italian(qtbot: QtBot, data_dir: Path, italian: None) -> None:
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    window.show()
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["&Interazione", "&Messaggio", "&Visualizza", "&Aiuto"]
    assert window.actions_table["reply"].text() == "&Rispondi"
    assert menu_clashes(window) == []
    assert window.actions_table["reply"].toolTip() == "Rispondi (Ctrl+R)"
    header = window._model.headerData
    assert header(Column.SUBJECT, Qt.Orientation.Horizontal) == "Oggetto"
    assert header(Column.CUSTOMER, Qt.Orientation.Horizontal) == "Cliente"
    assert window._model._waiting_formats[0].format(days=2, hours=3) == "2g 3h"
    assert window._filter.placeholderText() == "Filtra per cliente o oggetto (Ctrl+F)"
    pane = window._navigation
    assert pane.tree.headerItem().text(0) == "Account e code"
    assert pane.state.itemText(pane.state.findData("paused")) == "In pausa"
    qtbot.waitUntil(lambda: "Ancora nessuna email" in window._empty.text(), timeout=10_000)
    assert pane.tree.topLevelItem(0).text(0) == "Tutte le interazioni"
    window.shutdown()


@pytest.mark.gui
def test_english_needs_no_translation(qtbot: QtBot, qapp: QApplication, data_dir: Path) -> None:
    assert install_translators(qapp, "en") == []
    window = MainWindow(data_dir)
    qtbot.addWidget(window)
    assert window.menuBar().actions()[0].text() == "&Interaction"
    qtbot.waitUntil(lambda: "No email yet" in window._empty.text(), timeout=10_000)
    window.shutdown()
