"""Tags of one interaction: tick known tags, type a new one; changes become tag/untag ops."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.desk import TagChoices

MAX_TAG = 100  # the tags.name column


class TagDialog(QDialog):
    def __init__(self, choices: TagChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Tags"))
        self._current = set(choices.current)
        self.tags = QListWidget()
        for name in sorted(set(choices.known) | self._current, key=str.casefold):
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = name in self._current
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.tags.addItem(item)
        self.new_tag = QLineEdit()
        self.new_tag.setMaxLength(MAX_TAG)
        self.new_tag.setPlaceholderText(self.tr("New tag"))
        self.new_tag.installEventFilter(self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Tick the tags this interaction carries.")))
        layout.addWidget(self.tags)
        layout.addWidget(self.new_tag)
        layout.addWidget(buttons)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter in the new-tag field adds a tag; the line edit would pass the key on to the
        # dialog, which would also press OK, so it is taken here.
        if (
            watched is self.new_tag
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.on_new_tag_return_pressed()
            return True
        return super().eventFilter(watched, event)

    def on_new_tag_return_pressed(self) -> None:
        # Enter in the field adds the tag (ticked) instead of closing the dialog.
        name = " ".join(self.new_tag.text().split())
        self.new_tag.clear()
        if not name:
            return
        for row in range(self.tags.count()):
            item = self.tags.item(row)
            if item.text().casefold() == name.casefold():
                item.setCheckState(Qt.CheckState.Checked)
                return
        item = QListWidgetItem(name)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked)
        self.tags.addItem(item)

    def changes(self) -> tuple[list[str], list[str]]:
        """(tags to add, tags to remove), compared with what the interaction had."""
        ticked = {
            self.tags.item(row).text()
            for row in range(self.tags.count())
            if self.tags.item(row).checkState() == Qt.CheckState.Checked
        }
        pending = " ".join(self.new_tag.text().split())
        if pending:
            ticked.add(pending)  # typed but not yet confirmed with Enter: still meant
        return sorted(ticked - self._current), sorted(self._current - ticked)
