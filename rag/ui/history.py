"""The conversations sidebar: this owner's saved conversations (newest first, title and date), reopened
with their sources, renamed, deleted, exported as Markdown. The store is rag/history.py.

Who the owner is: with a login (`--auth`), the logged-in user; without one, this browser, by a random
id kept in its local storage (encrypted, like the preferences). The owner is worked out on the server
at page load and kept in server-side session state, so no request can name someone else's.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from ..errors import RagError
from ..history import Conversation, OwnerHistory
from ..transcript import file_name, to_markdown, when
from . import render
from .context import AppContext
from .conversation import Turn, reopened
from .settings import browser_secret

OWNER_KEY = "rag-chat-owner-v1"
_BROWSER_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


class HistoryPanel:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.browser_id: gr.BrowserState
        self.owner: gr.State  # "user:NAME" or "browser:ID", set at page load
        self.current: gr.State  # the open conversation's id, None for a new chat
        self.list: gr.Radio
        self.note: gr.HTML
        self.tools: gr.Group
        self.title: gr.Textbox
        self.rename_button: gr.Button
        self.delete_button: gr.Button
        self.confirm_button: gr.Button  # deleting takes a second click: it cannot be undone
        self.export: gr.DownloadButton
        self._exports: Path | None = None

    def build(self) -> None:
        self.browser_id = gr.BrowserState("", storage_key=OWNER_KEY, secret=browser_secret(self.ctx.settings))
        self.owner = gr.State("")
        self.current = gr.State(None)
        with gr.Sidebar(label="Conversations", open=True, position="left", width=300, elem_id="rag-history"):
            gr.Markdown("## Your conversations")
            self.list = gr.Radio(
                [], value=None, label="Your conversations", show_label=False, elem_id="rag-history-list"
            )
            self.note = gr.HTML("", elem_id="rag-history-note", js_on_load=None)
            with gr.Group(visible=False, elem_id="rag-history-tools") as self.tools:
                self.title = gr.Textbox(label="Title of this conversation", max_lines=1, elem_id="rag-history-title")
                with gr.Row():
                    self.rename_button = gr.Button("Rename", size="sm", elem_id="rag-history-rename")
                    self.delete_button = gr.Button("Delete…", size="sm", elem_id="rag-history-delete")
                self.confirm_button = gr.Button(
                    "Yes, delete this conversation",
                    size="sm",
                    variant="stop",
                    visible=False,
                    elem_id="rag-history-confirm",
                )
                self.export = gr.DownloadButton(
                    "Export as Markdown", value=None, size="sm", elem_id="rag-history-export"
                )

    def wire(self, demo: gr.Blocks, chat_outputs: list[Any]) -> None:
        """`chat_outputs`: the chat's (chatbot, sources, turns) that opening or deleting redraws."""
        private: dict[str, Any] = dict(api_visibility="private", show_progress="hidden", queue=False)
        shown = self.outputs
        demo.load(self.identify, [self.browser_id], [self.owner, self.browser_id], **private).then(
            self.listing, [self.owner, self.current], shown, **private
        )
        self.list.input(self.open, [self.owner, self.list], [*chat_outputs, self.current, *shown], **private)
        self.rename_button.click(self.rename, [self.owner, self.current, self.title], shown, **private)
        self.title.submit(self.rename, [self.owner, self.current, self.title], shown, **private)
        self.delete_button.click(lambda: gr.update(visible=True), None, [self.confirm_button], **private)
        self.confirm_button.click(
            self.delete, [self.owner, self.current], [*chat_outputs, self.current, *shown], **private
        )

    @property
    def outputs(self) -> list[Any]:
        """The sidebar's components, as `listing` fills them."""
        return [self.list, self.tools, self.title, self.export, self.note, self.confirm_button]

    # -- who is asking -------------------------------------------------------------------------
    @staticmethod
    def identify(browser_id: Any, request: gr.Request) -> tuple[str, Any]:
        """(owner, this browser's id to keep): the logged-in user, or this browser (a new random id the
        first time)."""
        user = getattr(request, "username", None)
        if user:
            return f"user:{user}", gr.skip()
        if isinstance(browser_id, str) and _BROWSER_ID.fullmatch(browser_id):
            return f"browser:{browser_id}", gr.skip()
        fresh = secrets.token_urlsafe(18)
        return f"browser:{fresh}", fresh

    # -- handlers ------------------------------------------------------------------------------
    def listing(self, owner: str, current: str | None, note: str = "") -> tuple[Any, ...]:
        """The sidebar for `owner`, with `current` open (see `outputs`)."""
        hidden = gr.update(visible=False)
        if not owner:
            return gr.update(choices=[], value=None), hidden, "", None, note, hidden
        try:
            mine = self._mine(owner)
            summaries = mine.conversations()
            opened = mine.open(current) if current else None
        except RagError as exc:
            problem = self._problem(exc, "listing conversations")
            return gr.update(choices=[], value=None), hidden, "", None, problem, hidden
        choices = [(f"{s.title} · {when(s.updated)}", s.id) for s in summaries]
        if opened is None:
            return gr.update(choices=choices, value=None), hidden, "", None, note, hidden
        return (
            gr.update(choices=choices, value=opened.summary.id),
            gr.update(visible=True),
            opened.summary.title,
            self._export_file(opened),
            note,
            hidden,
        )

    def open(self, owner: str, conversation_id: str | None) -> tuple[Any, ...]:
        """Reopen a conversation: the chat, its sources, its turns, its id, and the sidebar."""
        try:
            found = self._mine(owner).open(conversation_id) if owner and conversation_id else None
        except RagError as exc:
            return (
                gr.skip(),
                gr.skip(),
                gr.skip(),
                gr.skip(),
                *self.listing(owner, None, self._problem(exc, "opening a conversation")),
            )
        if found is None:
            return (
                gr.skip(),
                gr.skip(),
                gr.skip(),
                None,
                *self.listing(owner, None, render.note("That conversation is no longer there.")),
            )
        turns = reopened(found)
        return (
            render.chat_messages(turns),
            render.evidence(turns),
            turns,
            found.summary.id,
            *self.listing(owner, found.summary.id),
        )

    def rename(self, owner: str, current: str | None, title: str) -> tuple[Any, ...]:
        try:
            if owner and current:
                self._mine(owner).rename(current, title)
        except RagError as exc:
            return self.listing(owner, current, self._problem(exc, "renaming a conversation"))
        return self.listing(owner, current)

    def delete(self, owner: str, current: str | None) -> tuple[Any, ...]:
        """Delete the open conversation; the chat starts afresh."""
        try:
            if owner and current:
                self._mine(owner).delete(current)
        except RagError as exc:
            return (
                gr.skip(),
                gr.skip(),
                gr.skip(),
                current,
                *self.listing(owner, current, self._problem(exc, "deleting a conversation")),
            )
        empty: list[Turn] = []
        return (
            render.chat_messages(empty),
            render.evidence(empty),
            empty,
            None,
            *self.listing(owner, None, render.note("Conversation deleted.")),
        )

    # -- helpers -------------------------------------------------------------------------------
    def mine(self, owner: str) -> OwnerHistory | None:
        """`owner`'s history, or None before the page has said who it is."""
        return self._mine(owner) if owner else None

    def _mine(self, owner: str) -> OwnerHistory:
        return self.ctx.history.of(owner)

    def _problem(self, exc: RagError, doing: str) -> str:
        return render.note(self.ctx.messages.failure(exc, doing))

    def _export_file(self, conversation: Conversation) -> str:
        """The conversation as a Markdown file for the download button (in a temporary folder of
        this app's, which Gradio serves from)."""
        if self._exports is None:
            self._exports = Path(tempfile.mkdtemp(prefix="rag-exports-"))
        path = self._exports / file_name(conversation)
        path.write_text(to_markdown(conversation), encoding="utf-8")
        return str(path)

    def close(self) -> None:
        if self._exports is not None:
            shutil.rmtree(self._exports, ignore_errors=True)
