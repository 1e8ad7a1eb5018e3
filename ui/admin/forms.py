"""A settings form generated from the settings registry (app/settings.py).

Each declared setting becomes one row: a check box (on/off), a list (choices) or a line edit
(numbers and text; a spin box would silently clamp what was typed, and the registry's refusal
sentence is what the supervisor should read). The same declaration validates the input and
words the refusal shown next to the field; settings IT's policy locks are shown read-only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.settings import SettingError, SettingSpec


def ask_yes_no(parent: QWidget, title: str, question: str) -> bool:
    """A confirmation whose default is the safe answer (pages keep it replaceable for tests)."""
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


class _Field:
    """One setting's editor, its refusal line and, when locked, its lock note."""

    def __init__(self, spec: SettingSpec, parent: QWidget) -> None:
        self.spec = spec
        self.editor: QCheckBox | QComboBox | QLineEdit
        if spec.type is bool:
            self.editor = QCheckBox(parent)
        elif spec.choices:
            combo = QComboBox(parent)
            combo.addItems(list(spec.choices))
            self.editor = combo
        else:
            line = QLineEdit(parent)
            if spec.max_length is not None:
                # Longer than allowed can still be pasted and refused with the sentence;
                # this only keeps a runaway paste from filling memory.
                line.setMaxLength(max(spec.max_length * 4, 32))
            if spec.minimum is not None or spec.max_length is not None:
                line.setPlaceholderText(spec.describe_range())
            self.editor = line
        self.editor.setObjectName(f"setting_{spec.key}")
        ranged = spec.minimum is not None or spec.max_length is not None or spec.choices
        tip = f"{spec.help} ({spec.describe_range()})" if ranged else spec.help
        self.editor.setToolTip(tip)
        self.error = QLabel(parent)
        self.error.setObjectName(f"error_{spec.key}")
        self.error.setWordWrap(True)
        font = self.error.font()
        font.setBold(True)
        self.error.setFont(font)
        self.error.hide()
        self.lock = QLabel(
            QCoreApplication.translate("SettingsForm", "Locked by your IT policy"), parent
        )
        self.lock.setObjectName(f"lock_{spec.key}")
        self.lock.hide()
        self.loaded: Any = None

    def set_value(self, value: Any) -> None:
        self.loaded = value
        if isinstance(self.editor, QCheckBox):
            self.editor.setChecked(bool(value))
        elif isinstance(self.editor, QComboBox):
            index = self.editor.findText(str(value))
            self.editor.setCurrentIndex(max(index, 0))
        else:
            self.editor.setText("" if value is None else str(value))

    def raw(self) -> Any:
        if isinstance(self.editor, QCheckBox):
            return self.editor.isChecked()
        if isinstance(self.editor, QComboBox):
            return self.editor.currentText()
        return self.editor.text()

    def set_locked(self, locked: bool) -> None:
        self.editor.setEnabled(not locked)
        self.lock.setVisible(locked)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))


class SettingsForm(QWidget):
    """Rows for ``specs``; ``changes()`` validates and returns what differs from what was loaded."""

    edited = Signal()

    def __init__(self, specs: Iterable[SettingSpec], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fields: dict[str, _Field] = {}
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for spec in specs:
            field = _Field(spec, self)
            self._fields[spec.key] = field
            row = QWidget(self)
            column = QVBoxLayout(row)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(1)
            line = QHBoxLayout()
            line.addWidget(field.editor, 1)
            line.addWidget(field.lock)
            column.addLayout(line)
            column.addWidget(field.error)
            label = QLabel(spec.label or spec.key, self)
            label.setToolTip(spec.help)
            label.setBuddy(field.editor)
            layout.addRow(label, row)
            editor = field.editor
            if isinstance(editor, QCheckBox):
                editor.toggled.connect(self.on_editor_edited)
            elif isinstance(editor, QComboBox):
                editor.currentIndexChanged.connect(self.on_editor_edited)
            else:
                editor.textEdited.connect(self.on_editor_edited)

    def field(self, key: str) -> QCheckBox | QComboBox | QLineEdit:
        return self._fields[key].editor

    def error_text(self, key: str) -> str:
        label = self._fields[key].error
        return label.text() if not label.isHidden() else ""

    def is_locked(self, key: str) -> bool:
        return not self._fields[key].editor.isEnabled()

    def keys(self) -> list[str]:
        return list(self._fields)

    def load(self, values: dict[str, Any], locked: Iterable[str] = ()) -> None:
        """Show stored values; ``locked`` keys are read-only with a lock note."""
        locked = set(locked)
        for key, field in self._fields.items():
            field.set_value(values.get(key, field.spec.default))
            field.set_locked(key in locked)
            field.show_error("")

    def changes(self) -> dict[str, Any] | None:
        """The validated values that differ from what was loaded; None if any is refused.

        Every refused field shows the registry's sentence; nothing is sent while one does.
        """
        changed: dict[str, Any] = {}
        refused = False
        for key, field in self._fields.items():
            if not field.editor.isEnabled():
                continue
            raw = field.raw()
            if field.loaded is None and raw == "":
                field.show_error("")  # unset (an account without SMTP, say) and left unset
                continue
            try:
                value = field.spec.validate(raw)
            except SettingError as exc:
                field.show_error(str(exc))
                refused = True
                continue
            field.show_error("")
            if value != field.loaded:
                changed[key] = value
        return None if refused else changed

    def show_refusal(self, key: str, message: str) -> None:
        """A refusal from app/ (the operation's reason) shown at its field."""
        if key in self._fields:
            self._fields[key].show_error(message)

    def on_editor_edited(self, *_args: object) -> None:
        self.edited.emit()
