"""The composer: reply, reply all, forward or a new email, sent through the durable outbox.

What the agent types is saved to the store a moment after they stop typing (a draft per
agent and interaction, restored when the composer opens again, after a crash too). Agents
share a desk on shifts: when one leaves (``leave``), what they typed is saved as their draft
and the composer empties, so the next agent never sees it; it comes back when they return.
Sending applies the ``reply`` (or ``new_email``) operation; the message then waits in the
outbox for the undo window, and "Undo" cancels it and puts the text back in the composer.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.services import desk
from app.services.desk import (
    ComposerSetup,
    DeskState,
    NewEmailSender,
    Preview,
    SavedDraft,
    StagedAttachment,
)
from app.services.operations import Operation, OpResult
from app.services.replies import CannedAnswerView
from storage.models import utcnow
from ui.desk_operations import DeskOperations
from ui.tasks import TaskRunner
from ui.thread_view import human_size

DRAFT_DELAY_MS = 800  # typing pauses this long before the draft is written
CANNED_DELAY_MS = 200
MODES = ("reply", "reply_all", "forward", "new")
# Marks a new-email draft its agent left unfinished (signed out, or closed the window): it
# opens again when they next sign in here, after a restart too. Cleared once it is open.
REOPEN_KEY = "reopen_on_sign_in"


def _local_files(mime: QMimeData) -> list[Path]:
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class BodyEdit(QPlainTextEdit):
    """The text; files dropped on it become attachments instead of their path as text."""

    files_dropped = Signal(list)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return bool(_local_files(source)) or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        files = _local_files(source)
        if files:
            self.files_dropped.emit(files)
            return
        super().insertFromMimeData(source)


class Composer(QWidget):
    sent = Signal(object)  # the operation's result
    changed = Signal()  # the store changed (a message queued or cancelled)
    draft_saved = Signal()
    attachments_changed = Signal()
    undo_finished = Signal(bool)  # True when the send was cancelled
    new_email_resumed = Signal()  # the new email the agent left unfinished opened again

    def __init__(
        self,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        operations: DeskOperations | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._operations = operations or DeskOperations(tasks, self)
        self._ctx: AppContext | None = None
        self._agent_id: uuid.UUID | None = None
        self._state: DeskState | None = None
        self._mode = "reply"
        self._loading = False
        self._attachments: list[StagedAttachment] = []
        self._new_senders: list[NewEmailSender] = []
        self._pending_message: uuid.UUID | None = None
        self._undo_until: dt.datetime | None = None
        self._sent_snapshot: dict[str, Any] | None = None
        # Agents who left this desk while writing a new email: it reopens when they return.
        self._left_writing_new: set[uuid.UUID] = set()
        self.setAcceptDrops(True)

        self.heading = QLabel()
        self.sender_account = QComboBox()
        self.to = QLineEdit()
        self.cc = QLineEdit()
        self.bcc = QLineEdit()
        self.subject = QLineEdit()
        self.template = QComboBox()
        self.to.setPlaceholderText(self.tr("name@example.com, …"))
        form = QFormLayout()
        form.addRow(self.tr("From"), self.sender_account)
        form.addRow(self.tr("To"), self.to)
        form.addRow(self.tr("Cc"), self.cc)
        form.addRow(self.tr("Bcc"), self.bcc)
        form.addRow(self.tr("Subject"), self.subject)
        form.addRow(self.tr("Template"), self.template)

        self.body = BodyEdit()
        self.body.setPlaceholderText(self.tr("Write your answer…"))
        self.body.files_dropped.connect(self.on_body_files_dropped)

        self.canned_search = QLineEdit()
        self.canned_search.setClearButtonEnabled(True)
        self.canned_search.setPlaceholderText(self.tr("Search canned answers"))
        self.canned_search.textChanged.connect(self.on_canned_search_text_changed)
        self.canned = QListWidget()
        self.canned.itemActivated.connect(self.on_canned_item_activated)
        self.insert_canned = QPushButton(self.tr("Insert"))
        self.insert_canned.clicked.connect(self.on_insert_canned_clicked)
        self._canned_delay = QTimer(self)
        self._canned_delay.setSingleShot(True)
        self._canned_delay.setInterval(CANNED_DELAY_MS)
        self._canned_delay.timeout.connect(self.on_canned_delay_timeout)
        canned_box = QWidget()
        canned_layout = QVBoxLayout(canned_box)
        canned_layout.setContentsMargins(0, 0, 0, 0)
        canned_layout.addWidget(QLabel(self.tr("Canned answers")))
        canned_layout.addWidget(self.canned_search)
        canned_layout.addWidget(self.canned, 1)
        canned_layout.addWidget(self.insert_canned)

        self.attachments = QListWidget()
        self.attachments.setMaximumHeight(80)
        self.attach_button = QPushButton(self.tr("Attach files…"))
        self.attach_button.clicked.connect(self.on_attach_button_clicked)
        self.remove_attachment = QPushButton(self.tr("Remove"))
        self.remove_attachment.clicked.connect(self.on_remove_attachment_clicked)

        self.preview_button = QPushButton(self.tr("Preview"))
        self.preview_button.setToolTip(self.tr("The message as the customer will get it"))
        self.preview_button.clicked.connect(self.on_preview_button_clicked)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.hide()
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.clicked.connect(self.on_send_button_clicked)
        self.discard_button = QPushButton(self.tr("Discard draft"))
        self.discard_button.clicked.connect(self.on_discard_button_clicked)

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        palette = self.error.palette()
        palette.setColor(QPalette.ColorRole.WindowText, Qt.GlobalColor.darkRed)
        self.error.setPalette(palette)
        self.error.hide()
        self.notice = QLabel()
        self.notice.setWordWrap(True)

        # The undo bar: a countdown while the message waits in the outbox.
        self.undo_bar = QFrame()
        self.undo_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.undo_bar.setAutoFillBackground(True)
        self.undo_bar.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.undo_label = QLabel()
        self.undo_button = QPushButton(self.tr("Undo"))
        self.undo_button.clicked.connect(self.on_undo_button_clicked)
        undo_layout = QHBoxLayout(self.undo_bar)
        undo_layout.addWidget(self.undo_label, 1)
        undo_layout.addWidget(self.undo_button)
        self.undo_bar.hide()
        self._countdown = QTimer(self)
        self._countdown.setInterval(250)
        self._countdown.timeout.connect(self.on_countdown_timeout)

        self._draft_delay = QTimer(self)
        self._draft_delay.setSingleShot(True)
        self._draft_delay.setInterval(DRAFT_DELAY_MS)
        self._draft_delay.timeout.connect(self.on_draft_delay_timeout)
        for edit in (self.to, self.cc, self.bcc, self.subject):
            edit.textChanged.connect(self.on_field_changed)
        self.body.textChanged.connect(self.on_field_changed)
        self.sender_account.currentIndexChanged.connect(self.on_field_changed)
        self.template.currentIndexChanged.connect(self.on_field_changed)

        writing = QWidget()
        writing_layout = QVBoxLayout(writing)
        writing_layout.setContentsMargins(0, 0, 0, 0)
        writing_layout.addLayout(form)
        writing_layout.addWidget(self.body, 1)
        attach_row = QHBoxLayout()
        attach_row.addWidget(self.attachments, 1)
        attach_buttons = QVBoxLayout()
        attach_buttons.addWidget(self.attach_button)
        attach_buttons.addWidget(self.remove_attachment)
        attach_buttons.addStretch()
        attach_row.addLayout(attach_buttons)
        writing_layout.addLayout(attach_row)
        writing_layout.addWidget(self.preview, 1)
        split = QSplitter()
        split.addWidget(writing)
        split.addWidget(canned_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)

        buttons = QHBoxLayout()
        buttons.addWidget(self.notice, 1)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.undo_bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self._set_enabled(False)

    # --- opening ------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def interaction_id(self) -> uuid.UUID | None:
        return None if self._mode == "new" or self._state is None else self._state.interaction_id

    def set_context(self, ctx: AppContext, agent_id: uuid.UUID) -> None:
        """Who writes here from now on; another agent's text is put away first (``leave``)."""
        if self._agent_id is not None and self._agent_id != agent_id:
            self.leave()
        self._ctx, self._agent_id = ctx, agent_id
        if agent_id in self._left_writing_new:
            # They left in the middle of a new email: it is where they left it.
            self._left_writing_new.discard(agent_id)
            self.open_for(None, "new")
        elif self._mode != "new":
            # Left before this window opened (a restart): the mark is on their draft.
            self._tasks.query(
                lambda: desk.load_draft(ctx.store, agent_id, None),
                lambda draft: self.on_new_draft_checked(draft, agent_id),
                lambda error: self.on_task_failed(error) if self._for_me(agent_id) else None,
            )

    def on_new_draft_checked(self, draft: SavedDraft | None, agent_id: uuid.UUID) -> None:
        if not self._for_me(agent_id) or self._mode == "new":
            return
        if draft is not None and draft.content.get(REOPEN_KEY):
            self.open_for(None, "new")
            self.new_email_resumed.emit()

    def leave(self) -> None:
        """The agent signs out: their text is saved as their draft and the composer empties.

        Nothing typed is lost (the draft is theirs, under their id) and nothing of it stays
        on screen for the next agent; answers still on their way for the one who left (a
        draft being loaded, a send's outcome) reach nobody (``_for_me``).
        """
        agent_id = self._agent_id
        if agent_id is None:
            return
        self._put_away()  # written as this agent's: the task holds their id and text
        self._agent_id = None
        self._state = None
        self._mode = "reply"
        self._countdown.stop()
        self.undo_bar.hide()  # their message's undo is theirs
        self.undo_button.setEnabled(True)
        self._pending_message = None
        self._undo_until = None
        self._sent_snapshot = None
        self._clear_fields()
        self._loading = True
        try:
            self.sender_account.clear()
            self.template.clear()
        finally:
            self._loading = False
        self._new_senders = []
        self.canned.clear()
        self.canned_search.clear()
        self._canned_delay.stop()
        self._set_enabled(False)
        self.heading.clear()
        self.notice.setText("")

    def _put_away(self) -> None:
        """Save what is typed as the agent's draft; an unfinished new email is marked to reopen."""
        agent_id = self._agent_id
        if agent_id is None:
            return
        if self._mode == "new" and self._holds_anything():
            self._left_writing_new.add(agent_id)
            self._draft_delay.stop()
            self._save_draft(reopen=True)
        else:
            self.flush_draft()

    def _for_me(self, agent_id: uuid.UUID | None) -> bool:
        """Whether an answer asked for by ``agent_id`` may still be shown here."""
        return agent_id is not None and agent_id == self._agent_id

    def set_idle(self) -> None:
        """Nothing to answer here (not held by the agent): keep the draft, clear the view."""
        if self._state is None and not self.send_button.isEnabled():
            return
        self.flush_draft()
        self._state = None
        self._mode = "reply"
        self._clear_fields()
        self._set_enabled(False)
        # The desk's line above says why (held by someone else, waiting, closed).
        self.heading.clear()
        self.notice.setText("")

    def update_state(self, state: DeskState) -> None:
        """Newer facts (a new claim fence, say) about the interaction being answered."""
        if self._state is not None and self._state.interaction_id == state.interaction_id:
            self._state = state

    def _set_enabled(self, on: bool) -> None:
        for widget in (
            self.sender_account,
            self.to,
            self.cc,
            self.bcc,
            self.subject,
            self.template,
            self.body,
            self.attach_button,
            self.remove_attachment,
            self.send_button,
            self.preview_button,
            self.discard_button,
            self.canned_search,
            self.insert_canned,
        ):
            widget.setEnabled(on)

    def open_for(self, state: DeskState | None, mode: str, *, resume: bool = False) -> None:
        """Start writing: a reply mode needs the interaction; "new" does not.

        A saved draft of the interaction comes back. With ``resume`` (the interaction was
        just opened) it comes back as it was, in its own mode; asked for another mode (the
        agent chose "Reply all" over a saved reply), its text and files move into that one.
        """
        if mode not in MODES:
            raise ValueError(mode)
        ctx, agent_id = self._ctx, self._agent_id
        if ctx is None or agent_id is None:
            return
        if mode != "new" and state is None:
            return
        self.flush_draft()
        self._state, self._mode = state, mode
        self._clear_fields()
        self._set_enabled(False)
        self._show_heading()
        self.notice.setText(self.tr("Loading…"))
        slot = self.interaction_id

        def load() -> tuple[Any, SavedDraft | None, Preview | None, str]:
            setup: Any
            if mode == "new":
                setup = desk.new_email_senders(ctx.store, agent_id)
            else:
                assert state is not None
                setup = desk.composer_setup(ctx.store, state.project_id, state.account_id)
            draft = desk.load_draft(ctx.store, agent_id, slot)
            chosen = mode
            saved_mode = draft.content.get("mode") if draft is not None else None
            if resume and mode != "new" and saved_mode in MODES and saved_mode != "new":
                chosen = str(saved_mode)
            shown = None
            if mode != "new" and saved_mode != chosen:
                # No draft in this mode: addressed as the client would address it.
                assert state is not None
                shown = desk.preview(
                    ctx.store,
                    ctx.blobs,
                    interaction_id=state.interaction_id,
                    agent_id=agent_id,
                    mode=chosen,
                )
            return setup, draft, shown, chosen

        self._tasks.query(
            load,
            lambda loaded: self.on_loaded(loaded) if self._for_me(agent_id) else None,
            lambda error: self.on_task_failed(error) if self._for_me(agent_id) else None,
            key="composer-open",
        )

    def on_loaded(self, loaded: tuple[Any, SavedDraft | None, Preview | None, str]) -> None:
        setup, draft, shown, mode = loaded
        if mode != self._mode:
            self._mode = mode  # resumed in the draft's own mode
            self._show_heading()
        self._loading = True
        try:
            self.sender_account.clear()
            self.template.clear()
            self.template.addItem(self.tr("No template"), None)
            if isinstance(setup, ComposerSetup):
                for choice in setup.senders:
                    self.sender_account.addItem(choice.label, str(choice.account_id))
                for template in setup.templates:
                    self.template.addItem(template.name, str(template.id))
                if setup.default_sender is not None:
                    self.sender_account.setCurrentIndex(
                        self.sender_account.findData(str(setup.default_sender))
                    )
            else:
                self._new_senders = list(setup)
                for sender in self._new_senders:
                    self.sender_account.addItem(sender.label, str(sender.account_id))
            if draft is not None:
                self._restore(draft.content)
                when = draft.updated_at.astimezone().strftime("%H:%M")
                self.notice.setText(self.tr("Draft restored (saved {time}).").format(time=when))
            else:
                self.notice.setText("")
            if shown is not None:
                # The draft was written in another mode: its text stays, the addressing follows.
                self.to.setText(shown.to)
                self.cc.setText(shown.cc)
                self.subject.setText(shown.subject)
        finally:
            self._loading = False
        self._set_enabled(True)
        self.template.setEnabled(self._mode != "new")
        self.refresh_canned()
        self.body.setFocus(Qt.FocusReason.OtherFocusReason)
        if shown is not None and draft is not None:
            self.on_field_changed()  # saved again, in the mode now shown
        elif mode == "new" and draft is not None and draft.content.get(REOPEN_KEY):
            self._save_draft()  # open again: the mark goes, the text stays

    def _show_heading(self) -> None:
        titles = {
            "reply": self.tr("Reply"),
            "reply_all": self.tr("Reply all"),
            "forward": self.tr("Forward"),
            "new": self.tr("New email"),
        }
        state = self._state
        about = f" — {state.subject}" if state is not None and self._mode != "new" else ""
        self.heading.setText(f"<b>{titles[self._mode]}</b>{about}")

    def _clear_fields(self) -> None:
        self._loading = True
        try:
            for edit in (self.to, self.cc, self.bcc, self.subject):
                edit.clear()
            self.body.clear()
            self.preview.clear()
            self.preview.hide()
            self._attachments = []
            self._show_attachments()
            self.error.hide()
        finally:
            self._loading = False

    # --- drafts -------------------------------------------------------------------------

    def content(self) -> dict[str, Any]:
        """What the composer holds, as plain values (saved as the draft)."""
        return {
            "mode": self._mode,
            "sender": self.sender_account.currentData(),
            "to": self.to.text(),
            "cc": self.cc.text(),
            "bcc": self.bcc.text(),
            "subject": self.subject.text(),
            "template": self.template.currentData(),
            "body": self.body.toPlainText(),
            "attachments": [
                {
                    "blob": a.blob,
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": a.size,
                }
                for a in self._attachments
            ],
        }

    def _restore(self, content: dict[str, Any]) -> None:
        self.to.setText(str(content.get("to", "")))
        self.cc.setText(str(content.get("cc", "")))
        self.bcc.setText(str(content.get("bcc", "")))
        self.subject.setText(str(content.get("subject", "")))
        self.body.setPlainText(str(content.get("body", "")))
        sender = self.sender_account.findData(content.get("sender"))
        if sender >= 0:
            self.sender_account.setCurrentIndex(sender)
        template = self.template.findData(content.get("template"))
        if template >= 0:
            self.template.setCurrentIndex(template)
        self._attachments = [
            StagedAttachment(
                str(a["blob"]), str(a["filename"]), str(a["content_type"]), int(a["size"])
            )
            for a in content.get("attachments", [])
        ]
        self._show_attachments()

    def _holds_anything(self) -> bool:
        fields = (self.to, self.cc, self.bcc, self.subject)
        return self._has_text() or any(edit.text().strip() for edit in fields)

    def _has_text(self) -> bool:
        return bool(self.body.toPlainText().strip() or self._attachments)

    def on_field_changed(self, *_args: Any) -> None:
        if not self._loading and self._agent_id is not None:
            self._draft_delay.start()

    def on_draft_delay_timeout(self) -> None:
        self._save_draft()

    def flush_draft(self) -> None:
        """Write a pending draft now (the composer switches or the window closes)."""
        if self._draft_delay.isActive():
            self._draft_delay.stop()
            self._save_draft()

    def _save_draft(self, *, reopen: bool = False) -> None:
        ctx, agent_id = self._ctx, self._agent_id
        if ctx is None or agent_id is None or (self._mode != "new" and self._state is None):
            return
        slot, content = self.interaction_id, self.content()
        if reopen:
            content[REOPEN_KEY] = True
        self._tasks.op(
            lambda: desk.save_draft(ctx.store, agent_id, slot, content),
            self.on_draft_written,
            self.on_task_failed,
        )

    def on_draft_written(self, _when: dt.datetime) -> None:
        self.draft_saved.emit()

    def on_discard_button_clicked(self) -> None:
        ctx, agent_id = self._ctx, self._agent_id
        if ctx is None or agent_id is None:
            return
        self._draft_delay.stop()
        slot = self.interaction_id
        self._clear_fields()
        self._tasks.op(
            lambda: desk.discard_draft(ctx.store, agent_id, slot),
            lambda _none: self.notice.setText(self.tr("Draft discarded.")),
            self.on_task_failed,
        )

    # --- canned answers -------------------------------------------------------------------

    def on_canned_search_text_changed(self, _text: str) -> None:
        self._canned_delay.start()

    def on_canned_delay_timeout(self) -> None:
        self.refresh_canned()

    def refresh_canned(self) -> None:
        ctx, state = self._ctx, self._state
        if ctx is None or state is None:
            self.canned.clear()
            return
        text = self.canned_search.text()
        self._tasks.query(
            lambda: desk.find_canned(ctx.store, state.account_id, text),
            self.on_canned_loaded,
            self.on_task_failed,
            key="canned",
        )

    def on_canned_loaded(self, answers: list[CannedAnswerView]) -> None:
        self.canned.clear()
        for answer in answers:
            origin = self.tr("account") if answer.origin == "account" else self.tr("global")
            item = QListWidgetItem(f"{answer.title}  ({origin})")
            item.setData(Qt.ItemDataRole.UserRole, str(answer.id))
            item.setToolTip(answer.body[:500])
            self.canned.addItem(item)
        if answers:
            self.canned.setCurrentRow(0)

    def on_canned_item_activated(self, _item: QListWidgetItem) -> None:
        self.on_insert_canned_clicked()

    def on_insert_canned_clicked(self) -> None:
        ctx, agent_id, state = self._ctx, self._agent_id, self._state
        item = self.canned.currentItem()
        if ctx is None or agent_id is None or state is None or item is None:
            return
        answer_id = uuid.UUID(item.data(Qt.ItemDataRole.UserRole))
        self._tasks.query(
            lambda: desk.fill_canned(ctx.store, answer_id, state.interaction_id, agent_id),
            lambda text: self.on_canned_filled(text) if self._for_me(agent_id) else None,
            self.on_task_failed,
        )

    def on_canned_filled(self, text: str) -> None:
        self.body.insertPlainText(text)
        self.body.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- attachments ----------------------------------------------------------------------

    def on_attach_button_clicked(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, self.tr("Attach files"))
        self.add_files([Path(p) for p in paths])

    def on_body_files_dropped(self, paths: list[Path]) -> None:
        self.add_files(paths)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _local_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = _local_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.add_files(files)

    def add_files(self, paths: list[Path]) -> None:
        ctx, agent_id = self._ctx, self._agent_id
        if ctx is None or not paths:
            return
        for path in paths:
            self._tasks.op(
                functools.partial(desk.stage_attachment, ctx.blobs, path),
                lambda staged: (
                    self.on_attachment_staged(staged) if self._for_me(agent_id) else None
                ),
                self.on_task_failed,
            )

    def on_attachment_staged(self, staged: StagedAttachment) -> None:
        self._attachments.append(staged)
        self._show_attachments()
        self.on_field_changed()
        self.attachments_changed.emit()

    def on_remove_attachment_clicked(self) -> None:
        row = self.attachments.currentRow()
        if 0 <= row < len(self._attachments):
            del self._attachments[row]
            self._show_attachments()
            self.on_field_changed()
            self.attachments_changed.emit()

    def _show_attachments(self) -> None:
        self.attachments.clear()
        for staged in self._attachments:
            self.attachments.addItem(f"{staged.filename}  ({human_size(staged.size)})")
        self.attachments.setVisible(bool(self._attachments))

    @property
    def attachment_names(self) -> list[str]:
        return [a.filename for a in self._attachments]

    # --- preview and sending ------------------------------------------------------------

    def _template_id(self) -> uuid.UUID | None:
        data = self.template.currentData()
        return uuid.UUID(data) if data else None

    def _sender_id(self) -> uuid.UUID | None:
        data = self.sender_account.currentData()
        return uuid.UUID(data) if data else None

    def on_preview_button_clicked(self) -> None:
        ctx, agent_id, state = self._ctx, self._agent_id, self._state
        if ctx is None or agent_id is None:
            return
        if self._mode == "new" or state is None:
            self.preview.setPlainText(self.body.toPlainText())
            self.preview.show()
            return
        mode, body, to, cc = self._mode, self.body.toPlainText(), self.to.text(), self.cc.text()
        subject, template, sender = self.subject.text(), self._template_id(), self._sender_id()
        self._tasks.query(
            lambda: desk.preview(
                ctx.store,
                ctx.blobs,
                interaction_id=state.interaction_id,
                agent_id=agent_id,
                mode=mode,
                body=body,
                to=to,
                cc=cc,
                subject=subject,
                template_id=template,
                sender_account_id=sender,
            ),
            lambda shown: self.on_preview_loaded(shown) if self._for_me(agent_id) else None,
            self.on_task_failed,
            key="composer-preview",
        )

    def on_preview_loaded(self, shown: Preview) -> None:
        self.preview.setPlainText(shown.text)
        self.preview.show()

    def on_send_button_clicked(self) -> None:
        ctx, agent_id, state = self._ctx, self._agent_id, self._state
        if ctx is None or agent_id is None:
            return
        self.error.hide()
        self.flush_draft()
        attachments = [a.as_payload() for a in self._attachments]
        if self._mode == "new":
            index = self.sender_account.currentIndex()
            if not 0 <= index < len(self._new_senders):
                self._show_error(self.tr("Choose the account to send from."))
                return
            op = Operation(
                "new_email",
                agent_id,
                {
                    "account": self._new_senders[index].name,
                    "to": self.to.text(),
                    "cc": self.cc.text(),
                    "bcc": self.bcc.text(),
                    "subject": self.subject.text(),
                    "body": self.body.toPlainText(),
                    "attachments": attachments,
                },
            )
        else:
            assert state is not None
            template, sender = self._template_id(), self._sender_id()
            op = Operation(
                "reply",
                agent_id,
                {
                    "interaction": state.interaction_id,
                    "fence": state.fence,
                    "mode": self._mode,
                    "body": self.body.toPlainText(),
                    "to": self.to.text(),
                    "cc": self.cc.text(),
                    "bcc": self.bcc.text(),
                    "subject": self.subject.text() or None,
                    "template": str(template) if template else None,
                    "sender_account": str(sender) if sender else None,
                    "attachments": attachments,
                },
            )
        snapshot = {"slot": self.interaction_id, "content": self.content()}
        self._sent_snapshot = snapshot
        slot, mode = self.interaction_id, self._mode
        self.send_button.setEnabled(False)

        def after(outcome: OpResult) -> tuple[OpResult, dt.datetime | None]:
            deadline = None
            if outcome.applied:
                desk.discard_draft(ctx.store, agent_id, slot)
                message = uuid.UUID(str(outcome.result["message"]))
                deadline = desk.send_deadline(ctx.store, message)
            return outcome, deadline

        def done(sent: tuple[OpResult, dt.datetime | None]) -> None:
            if not self._for_me(agent_id):
                # They left the desk meanwhile (team mode: outcomes may come much later); a
                # refused message's text stays their draft, a sent one's draft was dropped.
                return
            self._sent_snapshot = snapshot  # what "Undo" puts back: this message's text
            self.on_send_done(sent, slot=slot, mode=mode)

        def failed(error: BaseException) -> None:
            if self._for_me(agent_id):
                self.on_send_failed(error)

        if self._operations.run(ctx, op, done, failed, then=after):
            self.notice.setText(self.tr("Sent; waiting for the central database…"))

    def on_send_done(
        self,
        sent: tuple[OpResult, dt.datetime | None],
        *,
        slot: uuid.UUID | None = None,
        mode: str | None = None,
    ) -> None:
        outcome, deadline = sent
        # In team mode the outcome may come long after (offline): the agent may be writing
        # something else by then, which must stay as it is.
        here = mode is None or (mode == self._mode and slot == self.interaction_id)
        if here:
            self.send_button.setEnabled(True)
        if not outcome.applied:
            # Refused: everything the agent wrote stays where it is.
            self._show_error(outcome.reason)
            return
        if here:
            self._clear_fields()
        self._pending_message = uuid.UUID(str(outcome.result["message"]))
        self._undo_until = deadline
        if deadline is not None and deadline > utcnow():
            self.undo_bar.show()
            self.on_countdown_timeout()
            self._countdown.start()
        else:
            self.notice.setText(self.tr("Handed to the outbox."))
        self.sent.emit(outcome.result)
        self.changed.emit()

    def on_send_failed(self, error: BaseException) -> None:
        self.send_button.setEnabled(True)
        self.on_task_failed(error)

    def on_countdown_timeout(self) -> None:
        until = self._undo_until
        left = (until - utcnow()).total_seconds() if until is not None else 0
        if left <= 0:
            self._countdown.stop()
            self.undo_bar.hide()
            self._pending_message = None
            self.notice.setText(self.tr("Handed to the outbox."))
            return
        self.undo_label.setText(self.tr("Sending in {n} s").format(n=int(left + 0.999)))

    def on_undo_button_clicked(self) -> None:
        ctx, agent_id, message = self._ctx, self._agent_id, self._pending_message
        if ctx is None or agent_id is None or message is None:
            return
        self.undo_button.setEnabled(False)
        snapshot = self._sent_snapshot

        def after(outcome: OpResult) -> OpResult:
            if outcome.applied and snapshot is not None:
                desk.save_draft(ctx.store, agent_id, snapshot["slot"], snapshot["content"])
            return outcome

        cancel = Operation("cancel_send", agent_id, {"message": message})
        self._operations.run(
            ctx,
            cancel,
            # Gone meanwhile: the text went back to their draft (``after``), not on screen.
            lambda outcome: self.on_undo_done(outcome) if self._for_me(agent_id) else None,
            self.on_task_failed,
            then=after,
        )

    def on_undo_done(self, outcome: OpResult) -> None:
        self.undo_button.setEnabled(True)
        self._countdown.stop()
        self.undo_bar.hide()
        self._pending_message = None
        if not outcome.applied:
            self._show_error(outcome.reason)
            self.undo_finished.emit(False)
            return
        snapshot = self._sent_snapshot
        if snapshot is not None:
            self._loading = True
            try:
                self._restore(snapshot["content"])
            finally:
                self._loading = False
        self.notice.setText(self.tr("Not sent: the message is back in the composer."))
        self.changed.emit()
        self.undo_finished.emit(True)

    # --- errors -------------------------------------------------------------------------

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def on_task_failed(self, error: BaseException) -> None:
        self.notice.setText("")
        self._show_error(str(error))
        self._set_enabled(
            self._ctx is not None and (self._state is not None or self._mode == "new")
        )

    def shutdown(self) -> None:
        self._countdown.stop()
        self._put_away()  # closing the window leaves the desk too
