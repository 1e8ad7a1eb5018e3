"""Every frequent action in one table: its text, shortcut, menu, tooltip and cheat-sheet line.

Panels do not make their own QActions or shortcuts for these: they connect to the window's
ActionTable (``table.connect("reply", slot)``), so a key is bound once and the menu entry,
the tooltip and the cheat sheet always say the same thing. An action nobody has connected
stays disabled rather than pretending to work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenu,
    QMenuBar,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import QT_TRANSLATE_NOOP

CONTEXT = "Shortcuts"  # the translation context of every text in the table


@dataclass(frozen=True)
class ActionSpec:
    name: str
    text: str  # with & for the menu mnemonic; translated through CONTEXT
    keys: tuple[str, ...]  # portable QKeySequence strings; the first is the one shown
    tip: str
    menu: str
    toolbar: bool = False


MENUS = {
    "interaction": QT_TRANSLATE_NOOP("Shortcuts", "&Interaction"),
    "message": QT_TRANSLATE_NOOP("Shortcuts", "&Message"),
    "view": QT_TRANSLATE_NOOP("Shortcuts", "&View"),
    "help": QT_TRANSLATE_NOOP("Shortcuts", "&Help"),
}

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "accept",
        QT_TRANSLATE_NOOP("Shortcuts", "&Accept"),
        ("Ctrl+Shift+A",),
        QT_TRANSLATE_NOOP("Shortcuts", "Take the selected interaction: nobody else works on it"),
        "interaction",
        toolbar=True,
    ),
    ActionSpec(
        "next",
        QT_TRANSLATE_NOOP("Shortcuts", "&Next email"),
        ("Ctrl+Shift+N",),
        QT_TRANSLATE_NOOP("Shortcuts", "Accept the oldest interaction waiting for you"),
        "interaction",
        toolbar=True,
    ),
    ActionSpec(
        "release",
        QT_TRANSLATE_NOOP("Shortcuts", "Re&lease"),
        ("Ctrl+Shift+L",),
        QT_TRANSLATE_NOOP("Shortcuts", "Give the interaction back to its queue"),
        "interaction",
    ),
    ActionSpec(
        "transfer",
        QT_TRANSLATE_NOOP("Shortcuts", "&Transfer…"),
        ("Ctrl+Shift+T",),
        QT_TRANSLATE_NOOP("Shortcuts", "Hand the interaction to another queue or agent"),
        "interaction",
        toolbar=True,
    ),
    ActionSpec(
        "dispose",
        QT_TRANSLATE_NOOP("Shortcuts", "&Disposition…"),
        ("Ctrl+Shift+D",),
        QT_TRANSLATE_NOOP("Shortcuts", "Record how the interaction ended"),
        "interaction",
    ),
    ActionSpec(
        "close",
        QT_TRANSLATE_NOOP("Shortcuts", "&Close interaction"),
        ("Ctrl+Shift+W",),
        QT_TRANSLATE_NOOP("Shortcuts", "Close the interaction (after its disposition)"),
        "interaction",
        toolbar=True,
    ),
    ActionSpec(
        "mark_unread",
        QT_TRANSLATE_NOOP("Shortcuts", "Mark &unread"),
        ("Ctrl+Shift+U",),
        QT_TRANSLATE_NOOP("Shortcuts", "Show the interaction as unread again"),
        "interaction",
    ),
    ActionSpec(
        "tags",
        QT_TRANSLATE_NOOP("Shortcuts", "Ta&gs…"),
        ("Ctrl+Shift+G",),
        QT_TRANSLATE_NOOP("Shortcuts", "Add or remove the interaction's tags"),
        "interaction",
    ),
    ActionSpec(
        "reply",
        QT_TRANSLATE_NOOP("Shortcuts", "&Reply"),
        ("Ctrl+R",),
        QT_TRANSLATE_NOOP("Shortcuts", "Answer the customer"),
        "message",
        toolbar=True,
    ),
    ActionSpec(
        "reply_all",
        QT_TRANSLATE_NOOP("Shortcuts", "Reply &all"),
        ("Ctrl+Shift+R",),
        QT_TRANSLATE_NOOP("Shortcuts", "Answer the customer and everyone else on the message"),
        "message",
        toolbar=True,
    ),
    ActionSpec(
        "forward",
        QT_TRANSLATE_NOOP("Shortcuts", "&Forward"),
        ("Ctrl+L",),
        QT_TRANSLATE_NOOP("Shortcuts", "Send the message on to someone else"),
        "message",
        toolbar=True,
    ),
    ActionSpec(
        "send",
        QT_TRANSLATE_NOOP("Shortcuts", "&Send"),
        ("Ctrl+Return",),
        QT_TRANSLATE_NOOP("Shortcuts", "Send what you wrote (it can still be undone for a moment)"),
        "message",
    ),
    ActionSpec(
        "search",
        QT_TRANSLATE_NOOP("Shortcuts", "&Search"),
        ("Ctrl+F",),
        QT_TRANSLATE_NOOP("Shortcuts", "Filter the list by customer or subject"),
        "view",
    ),
    ActionSpec(
        "focus_sources",
        QT_TRANSLATE_NOOP("Shortcuts", "Go to &accounts and queues"),
        ("Ctrl+1",),
        QT_TRANSLATE_NOOP("Shortcuts", "Move the focus to the left pane"),
        "view",
    ),
    ActionSpec(
        "focus_list",
        QT_TRANSLATE_NOOP("Shortcuts", "Go to the &list"),
        ("Ctrl+2",),
        QT_TRANSLATE_NOOP("Shortcuts", "Move the focus to the interaction list"),
        "view",
    ),
    ActionSpec(
        "focus_reader",
        QT_TRANSLATE_NOOP("Shortcuts", "Go to the &thread"),
        ("Ctrl+3",),
        QT_TRANSLATE_NOOP("Shortcuts", "Move the focus to the reading pane"),
        "view",
    ),
    ActionSpec(
        "my_state",
        QT_TRANSLATE_NOOP("Shortcuts", "Change &my state…"),
        ("Ctrl+Shift+S",),
        QT_TRANSLATE_NOOP("Shortcuts", "Choose available, paused (with a reason) or logged out"),
        "view",
    ),
    ActionSpec(
        "cheat_sheet",
        QT_TRANSLATE_NOOP("Shortcuts", "&Keyboard shortcuts"),
        ("F1", "Ctrl+/"),
        QT_TRANSLATE_NOOP("Shortcuts", "Show every keyboard shortcut"),
        "help",
    ),
)


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def plain(text: str) -> str:
    """A menu text without its mnemonic ("&Reply" → "Reply"; "&&" stays one "&")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def mnemonic(text: str) -> str:
    """The letter after the single & ("Re&lease" → "l"); empty without one."""
    index = text.replace("&&", "\0\0").find("&")
    return text[index + 1].lower() if 0 <= index < len(text) - 1 else ""


def shown_keys(spec: ActionSpec) -> str:
    """The shortcuts as the platform writes them (Ctrl on Linux/Windows, ⌘ on macOS)."""
    return ", ".join(
        QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText) for key in spec.keys
    )


class ActionTable:
    """The window's QActions, built once from ACTIONS."""

    def __init__(self, window: QWidget) -> None:
        self._window = window
        self._actions: dict[str, QAction] = {}
        self._specs = {spec.name: spec for spec in ACTIONS}
        for spec in ACTIONS:
            action = QAction(_tr(spec.text), window)
            action.setObjectName(f"action_{spec.name}")
            action.setShortcuts([QKeySequence(key) for key in spec.keys])
            # Window-wide: the key works wherever the focus is inside the main window.
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            tip = _tr(spec.tip)
            keys = shown_keys(spec)
            action.setToolTip(f"{plain(_tr(spec.text))} ({keys})")
            action.setStatusTip(tip)
            action.setWhatsThis(tip)
            action.setEnabled(False)
            window.addAction(action)
            self._actions[spec.name] = action

    def __getitem__(self, name: str) -> QAction:
        return self._actions[name]

    def __iter__(self) -> Iterator[ActionSpec]:
        return iter(ACTIONS)

    def connect(self, name: str, slot: Callable[[], object]) -> QAction:
        """Give an action its work; it is enabled from now on."""
        action = self._actions[name]
        action.triggered.connect(lambda _checked=False: slot())
        action.setEnabled(True)
        return action

    def fill_menus(self, menubar: QMenuBar) -> dict[str, QMenu]:
        menus: dict[str, QMenu] = {}
        for spec in ACTIONS:
            menu = menus.get(spec.menu)
            if menu is None:
                menu = menubar.addMenu(_tr(MENUS[spec.menu]))
                menu.setObjectName(f"menu_{spec.menu}")
                # Tooltips in menus carry the shortcut for those who hover.
                menu.setToolTipsVisible(True)
                menus[spec.menu] = menu
            menu.addAction(self._actions[spec.name])
        return menus

    def fill_toolbar(self, toolbar: QToolBar) -> None:
        for spec in ACTIONS:
            if spec.toolbar:
                toolbar.addAction(self._actions[spec.name])


class CheatSheet(QDialog):
    """Every shortcut on one page, grouped as in the menus; non-modal, closes with Esc."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.setModal(False)
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Action"), self.tr("Keys"), self.tr("What it does")]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setShowGrid(False)
        for spec in ACTIONS:
            row = self.table.rowCount()
            self.table.insertRow(row)
            self.table.setItem(row, 0, QTableWidgetItem(plain(_tr(spec.text))))
            self.table.setItem(row, 1, QTableWidgetItem(shown_keys(spec)))
            self.table.setItem(row, 2, QTableWidgetItem(_tr(spec.tip)))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        hint = QLabel(self.tr("Press F1 or Ctrl+/ to open this list again."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.resize(640, 420)

    def rows(self) -> list[tuple[str, str, str]]:
        """What the sheet shows, row by row (for tests and screenshots)."""
        rows = []
        for r in range(self.table.rowCount()):
            cells = [self.table.item(r, c) for c in range(3)]
            texts = [cell.text() if cell is not None else "" for cell in cells]
            rows.append((texts[0], texts[1], texts[2]))
        return rows
