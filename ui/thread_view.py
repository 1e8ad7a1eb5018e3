"""The reading pane: one interaction's messages and internal notes in one column.

HTML arrives sanitised by app/services/reading.py. Each message renders in its own
QTextBrowser whose ``loadResource`` only ever answers from memory: ``cid:`` images come from
bytes a task fetched with the thread, blocked remote images get a grey placeholder, and
nothing else (http, file paths) is loaded at all. Remote content is never fetched: the bar
above a message offers to show the blocked addresses instead, so an agent can judge them
without telling a tracker the mail was read.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QFontDatabase, QImage, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.services import reading
from app.services.reading import AttachmentInfo, NoteInfo, Thread, ThreadMessage
from ui.tasks import TaskRunner


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def _when(message: ThreadMessage) -> str:
    moment = message.sent_at or message.received_at
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


class MessageBrowser(QTextBrowser):
    """Renders one sanitised message; resources come from memory only, never the network."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setReadOnly(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._cid_map: dict[str, uuid.UUID] = {}
        self._images: dict[uuid.UUID, bytes] = {}
        self._fitted_width = -1
        self.anchorClicked.connect(self.on_self_anchor_clicked)
        self.resource_requests: list[str] = []  # every URL the document asked for (tests)
        placeholder = QImage(24, 24, QImage.Format.Format_RGB32)
        placeholder.fill(QColor("#c8c8c8"))
        self._blocked_image = placeholder

    def show_message(self, message: ThreadMessage, parse_error_text: str) -> None:
        self._cid_map = dict(message.cid_map)
        self._images = dict(message.images)
        if message.parse_error and not message.text and not message.html:
            self.setPlainText(parse_error_text)
        elif message.html:
            self.setHtml(message.html)
        else:
            self.setPlainText(message.text)
        self._fitted_width = -1
        self._fit()

    def loadResource(self, kind: int, url: QUrl | str) -> Any:
        address = url.toString() if isinstance(url, QUrl) else str(url)
        self.resource_requests.append(address)
        scheme, _, rest = address.partition(":")
        scheme = scheme.lower()
        if scheme == "cid":
            attachment_id = self._cid_map.get(QUrl.fromPercentEncoding(rest.encode()).lower())
            data = self._images.get(attachment_id) if attachment_id else None
            if data is not None:
                image = QImage.fromData(data)
                if not image.isNull():
                    return image
            return self._blocked_image
        if scheme == reading.BLOCKED_SCHEME:
            return self._blocked_image
        # Anything else (http, file paths, qrc): a mail gets nothing from this machine.
        return None

    def on_self_anchor_clicked(self, url: QUrl) -> None:
        # Links open in the agent's browser, never in here (this view runs no scripts).
        if url.scheme().lower() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        width = self.viewport().width()
        if width == self._fitted_width:
            return
        self._fitted_width = width
        document = self.document()
        document.setTextWidth(width)
        height = int(document.size().height()) + 2 * self.frameWidth() + 6
        self.setFixedHeight(max(height, 24))


class SourceDialog(QDialog):
    """The message's raw source, as stored (for support cases and garbled mail)."""

    def __init__(self, raw: bytes, subject: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.raw = raw
        self.setWindowTitle(self.tr("Source of “{subject}”").format(subject=subject))
        self.resize(800, 600)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        # Undecodable bytes show as U+FFFD; ``raw`` keeps the exact bytes.
        self.text.setPlainText(raw.decode("utf-8", "replace"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)


class MessageCard(QFrame):
    """One message: a header that folds it, the body, its attachments and tools."""

    open_requested = Signal(object)  # AttachmentInfo
    save_requested = Signal(object)  # AttachmentInfo
    source_requested = Signal(object)  # message id
    charset_requested = Signal(object, object)  # message id, charset or None

    def __init__(self, message: ThreadMessage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.message = message
        self._toggle = QToolButton()
        self._toggle.setCheckable(True)
        self._toggle.setAutoRaise(True)
        self._toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._toggle.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._toggle.toggled.connect(self.on_toggle_toggled)

        self.body = QWidget()
        self._recipients = QLabel()
        self._recipients.setWordWrap(True)
        self._recipients.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.remote_bar = QFrame()
        self.remote_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.remote_bar.setAutoFillBackground(True)
        self.remote_bar.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self._remote_label = QLabel(
            self.tr("Remote images in this message are blocked to protect your privacy.")
        )
        self._remote_label.setWordWrap(True)
        self.show_remote_button = QPushButton(self.tr("Show remote addresses"))
        self.show_remote_button.clicked.connect(self.on_show_remote_button_clicked)
        self.remote_addresses = QLabel()
        self.remote_addresses.setWordWrap(True)
        self.remote_addresses.setTextFormat(Qt.TextFormat.PlainText)
        self.remote_addresses.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.remote_addresses.hide()
        bar = QVBoxLayout(self.remote_bar)
        bar_row = QHBoxLayout()
        bar_row.addWidget(self._remote_label, 1)
        bar_row.addWidget(self.show_remote_button)
        bar.addLayout(bar_row)
        bar.addWidget(self.remote_addresses)

        self.browser = MessageBrowser()
        self._attachments = QVBoxLayout()
        self.attachment_buttons: dict[uuid.UUID, tuple[QPushButton, QPushButton]] = {}

        self.charset = QComboBox()
        self.charset.addItem(self.tr("Automatic"), None)
        for name in reading.CHARSETS:
            self.charset.addItem(name, name)
        self.charset.setToolTip(self.tr("Read the message in another charset if it looks garbled"))
        self.charset.activated.connect(self.on_charset_activated)
        self.source_button = QPushButton(self.tr("View source"))
        self.source_button.clicked.connect(self.on_source_button_clicked)
        tools = QHBoxLayout()
        tools.addWidget(QLabel(self.tr("Charset:")))
        tools.addWidget(self.charset)
        tools.addStretch(1)
        tools.addWidget(self.source_button)

        body = QVBoxLayout(self.body)
        body.setContentsMargins(8, 0, 8, 8)
        body.addWidget(self._recipients)
        body.addWidget(self.remote_bar)
        body.addWidget(self.browser)
        body.addLayout(self._attachments)
        body.addLayout(tools)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self._toggle)
        layout.addWidget(self.body)
        self.set_message(message)
        self.set_expanded(False)

    @property
    def expanded(self) -> bool:
        return self._toggle.isChecked()

    def set_expanded(self, expanded: bool) -> None:
        self._toggle.setChecked(expanded)
        self.on_toggle_toggled(expanded)

    def set_message(self, message: ThreadMessage) -> None:
        self.message = message
        sender = (
            f"{message.from_name} <{message.from_email}>"
            if message.from_name
            else (message.from_email)
        )
        # Arrows every common UI font has (DejaVu, Segoe UI, SF): sent out, came in.
        arrow = "→" if message.direction == "out" else "←"
        self._toggle.setText(f"{arrow} {sender} · {_when(message)} — {message.subject}")
        recipients = self.tr("To: {to}").format(to=", ".join(message.to))
        if message.cc:
            recipients += "\n" + self.tr("Cc: {cc}").format(cc=", ".join(message.cc))
        self._recipients.setText(recipients)
        self.remote_bar.setVisible(bool(message.remote_urls))
        self.remote_addresses.setText("\n".join(message.remote_urls))
        self.remote_addresses.hide()
        self.browser.show_message(
            message, self.tr("This message could not be read; its raw source is kept.")
        )
        self._fill_attachments(message.attachments)

    def _fill_attachments(self, attachments: tuple[AttachmentInfo, ...]) -> None:
        while self._attachments.count():
            item = self._attachments.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.attachment_buttons.clear()
        for attachment in attachments:
            if (
                attachment.inline
                and attachment.content_id
                and (attachment.content_id.lower() in self.message.cid_map)
            ):
                continue  # shown in the text already
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            label = QLabel(f"{attachment.filename} ({human_size(attachment.size)})")
            label.setToolTip(attachment.content_type)
            if attachment.dangerous:
                label.setText(label.text() + " ⚠")
                label.setToolTip(self.tr("This file type can run programs on this computer."))
            open_button = QPushButton(self.tr("Open"))
            save_button = QPushButton(self.tr("Save…"))
            open_button.clicked.connect(lambda _=False, a=attachment: self.open_requested.emit(a))
            save_button.clicked.connect(lambda _=False, a=attachment: self.save_requested.emit(a))
            line.addWidget(label, 1)
            line.addWidget(open_button)
            line.addWidget(save_button)
            self._attachments.addWidget(row)
            self.attachment_buttons[attachment.id] = (open_button, save_button)

    def on_toggle_toggled(self, checked: bool) -> None:
        self._toggle.setArrowType(Qt.ArrowType.DownArrow if checked else Qt.ArrowType.RightArrow)
        self.body.setVisible(checked)

    def on_show_remote_button_clicked(self) -> None:
        self.remote_addresses.setVisible(not self.remote_addresses.isVisible())

    def on_charset_activated(self, index: int) -> None:
        self.charset_requested.emit(self.message.id, self.charset.itemData(index))

    def on_source_button_clicked(self) -> None:
        self.source_requested.emit(self.message.id)


class NoteCard(QFrame):
    """An internal note: marked as such, and never mistaken for mail to the customer."""

    def __init__(self, note: NoteInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note = note
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        when = note.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        title = QLabel(
            self.tr("Internal note · {agent} · {when}").format(
                agent=note.agent or self.tr("unknown agent"), when=when
            )
        )
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.body = QLabel(note.body)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.body)


class ThreadView(QScrollArea):
    """The selected interaction's thread; asks app/ for everything through tasks."""

    thread_loaded = Signal(object)  # Thread
    message_rendered = Signal(object)  # ThreadMessage, after a charset change
    source_shown = Signal(object)  # SourceDialog
    attachment_opened = Signal(object)  # Path handed to the desktop
    attachment_saved = Signal(object)  # Path
    failed = Signal(str)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._ctx: AppContext | None = None
        self._interaction_id: uuid.UUID | None = None
        self._open_dir: Path | None = None
        self._source_dialog: SourceDialog | None = None
        self.cards: list[MessageCard] = []
        self.notes: list[NoteCard] = []
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._content = QWidget()
        self._layout = QVBoxLayout(self._content)
        self._layout.setContentsMargins(6, 6, 6, 6)
        self._subject = QLabel()
        self._subject.setWordWrap(True)
        font = self._subject.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self._subject.setFont(font)
        self._placeholder = QLabel(self.tr("Select an interaction to read its thread."))
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout.addWidget(self._placeholder)
        self._layout.addWidget(self._subject)
        self._layout.addStretch(1)
        self._subject.hide()
        self.setWidget(self._content)

    @property
    def interaction_id(self) -> uuid.UUID | None:
        return self._interaction_id

    def set_context(self, ctx: AppContext | None) -> None:
        self._ctx = ctx

    def set_signed_out(self, signed_out: bool) -> None:
        """What the empty pane says: after a sign-out, that the next agent signs in first."""
        self._placeholder.setText(
            self.tr("Signed out. Sign in to work, or select an interaction to read its thread.")
            if signed_out
            else self.tr("Select an interaction to read its thread.")
        )

    def show_interaction(self, interaction_id: uuid.UUID | None) -> None:
        self._interaction_id = interaction_id
        ctx = self._ctx
        if interaction_id is None or ctx is None:
            self._clear()
            self._placeholder.show()
            return
        self._tasks.query(
            lambda: reading.load_thread(ctx.store, ctx.blobs, interaction_id),
            self.on_thread_done,
            self.on_task_failed,
            key="thread",
        )

    def plain_text(self) -> str:
        """What the pane shows, as text (for tests and screenshots)."""
        parts = [self._subject.text()]
        for card in self.cards:
            parts.append(card.browser.toPlainText())
        parts.extend(note.body.text() for note in self.notes)
        return "\n".join(parts)

    # --- building ---------------------------------------------------------------------------

    def _clear(self) -> None:
        for widget in [*self.cards, *self.notes]:
            self._layout.removeWidget(widget)
            widget.deleteLater()
        self.cards = []
        self.notes = []
        self._subject.clear()
        self._subject.hide()

    def on_thread_done(self, thread: Thread) -> None:
        if thread.interaction_id != self._interaction_id:
            return
        self._clear()
        self._placeholder.hide()
        self._subject.setText(thread.subject)
        self._subject.show()
        entries: list[tuple[Any, QWidget]] = []
        for message in thread.messages:
            card = MessageCard(message)
            card.open_requested.connect(self.on_card_open_requested)
            card.save_requested.connect(self.on_card_save_requested)
            card.source_requested.connect(self.on_card_source_requested)
            card.charset_requested.connect(self.on_card_charset_requested)
            self.cards.append(card)
            entries.append((message.received_at, card))
        for note in thread.notes:
            note_card = NoteCard(note)
            self.notes.append(note_card)
            entries.append((note.created_at, note_card))
        entries.sort(key=lambda entry: entry[0])
        at = self._layout.indexOf(self._subject) + 1
        for offset, (_, widget) in enumerate(entries):
            self._layout.insertWidget(at + offset, widget)
        # The newest message is what the agent answers; older ones fold away until asked for.
        for card in self.cards:
            card.set_expanded(card is self.cards[-1])
        self.thread_loaded.emit(thread)

    def card_for(self, message_id: uuid.UUID) -> MessageCard | None:
        return next((c for c in self.cards if c.message.id == message_id), None)

    # --- attachments, source, charset ----------------------------------------------------------

    def on_card_open_requested(self, attachment: AttachmentInfo) -> None:
        ctx = self._ctx
        if ctx is None:
            return
        if attachment.dangerous:
            answer = QMessageBox.warning(
                self,
                self.tr("Open a dangerous attachment?"),
                self.tr(
                    "“{name}” is a file type that can run programs on this computer. Open it "
                    "only if you trust the sender and expected this file."
                ).format(name=attachment.filename),
                QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Open:
                return
        if self._open_dir is None:
            self._open_dir = Path(tempfile.mkdtemp(prefix="relaydesk-open-"))
        # One folder per attachment: two attachments may share a file name.
        target = self._open_dir / str(attachment.id) / (Path(attachment.filename).name or "file")
        self._tasks.query(
            lambda: reading.save_attachment(ctx.store, ctx.blobs, attachment.id, target),
            self.on_open_file_written,
            self.on_task_failed,
        )

    def on_open_file_written(self, path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        self.attachment_opened.emit(path)

    def on_card_save_requested(self, attachment: AttachmentInfo) -> None:
        ctx = self._ctx
        if ctx is None:
            return
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save attachment"), attachment.filename
        )
        if not chosen:
            return
        target = Path(chosen)
        self._tasks.query(
            lambda: reading.save_attachment(ctx.store, ctx.blobs, attachment.id, target),
            self.attachment_saved.emit,
            self.on_task_failed,
        )

    def on_card_source_requested(self, message_id: uuid.UUID) -> None:
        ctx = self._ctx
        card = self.card_for(message_id)
        if ctx is None or card is None:
            return
        subject = card.message.subject
        self._tasks.query(
            lambda: reading.message_source(ctx.store, ctx.blobs, message_id),
            lambda raw: self.on_source_loaded(raw, subject),
            self.on_task_failed,
        )

    def on_source_loaded(self, raw: bytes, subject: str) -> None:
        # One source window at a time; a new one replaces the last (parented: no leak).
        if self._source_dialog is not None:
            self._source_dialog.close()
            self._source_dialog.deleteLater()
        dialog = SourceDialog(raw, subject, self)
        self._source_dialog = dialog
        dialog.show()
        self.source_shown.emit(dialog)

    def on_card_charset_requested(self, message_id: uuid.UUID, charset: str | None) -> None:
        ctx = self._ctx
        if ctx is None:
            return
        self._tasks.query(
            lambda: reading.render_message(
                ctx.store, ctx.blobs, message_id, charset_override=charset
            ),
            self.on_message_rendered,
            self.on_task_failed,
            key=f"render:{message_id}",
        )

    def on_message_rendered(self, message: ThreadMessage) -> None:
        card = self.card_for(message.id)
        if card is not None:
            card.set_message(message)
            self.message_rendered.emit(message)

    def on_task_failed(self, error: BaseException) -> None:
        self.failed.emit(str(error))


__all__ = ["MessageBrowser", "MessageCard", "NoteCard", "SourceDialog", "ThreadView"]
