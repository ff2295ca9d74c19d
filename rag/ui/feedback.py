"""Thumbs up/down on each answer, with an optional comment: saved in the history file with the question,
the answer and its citations, for `rag feedback export` (rag/feedback.py) to turn into test data."""

from __future__ import annotations

from typing import Any

import gradio as gr

from ..errors import RagError
from . import render
from .context import AppContext
from .conversation import Turn
from .history import HistoryPanel


class FeedbackPanel:
    def __init__(self, ctx: AppContext, history: HistoryPanel) -> None:
        self.ctx = ctx
        self.history = history
        self.target: gr.State  # (turn id, vote) the comment box adds to
        self.row: gr.Row
        self.comment: gr.Textbox
        self.send: gr.Button
        self.note: gr.HTML

    def build(self) -> None:
        self.target = gr.State(None)
        with gr.Row(visible=False, equal_height=True, elem_id="rag-feedback") as self.row:
            self.comment = gr.Textbox(
                label="What was right or wrong? (optional)", max_lines=4, scale=5, elem_id="rag-feedback-comment"
            )
            self.send = gr.Button("Send comment", size="sm", scale=1, min_width=120, elem_id="rag-feedback-send")
        self.note = gr.HTML("", elem_id="rag-feedback-note", js_on_load=None)

    def wire(self, chatbot: gr.Chatbot, turns: gr.State) -> None:
        private: dict[str, Any] = dict(api_visibility="private", show_progress="hidden", queue=False)
        outputs = [self.target, self.row, self.comment, self.note]
        chatbot.like(self.vote, [turns, self.history.owner], outputs, **private)
        gr.on(
            [self.send.click, self.comment.submit],
            self.add_comment,
            [self.target, self.comment, self.history.owner],
            outputs,
            **private,
        )

    def vote(self, turns: list[Turn], owner: str, evt: gr.LikeData) -> tuple[Any, ...]:
        """A thumb on an answer: saved at once; the comment box opens for an optional word on it."""
        vote = {True: 1, False: -1}.get(evt.liked) if isinstance(evt.liked, bool) else None
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        answered = isinstance(index, int) and index % 2 == 1 and index // 2 < len(turns or [])  # question, answer, …
        turn = turns[index // 2] if answered else None
        if vote is None or turn is None:
            return None, gr.update(visible=False), "", ""
        if turn.turn_id is None or turn.answer is None:
            return None, gr.update(visible=False), "", render.note("Only a saved answer can be rated.")
        try:
            mine = self.history.mine(owner)
            saved = mine.vote(turn.turn_id, vote) if mine is not None else None
        except RagError as exc:
            return None, gr.update(visible=False), "", render.note(self.ctx.messages.failure(exc, "saving feedback"))
        if saved is None:
            return None, gr.update(visible=False), "", render.note("Only a saved answer can be rated.")
        thanks = "Thanks: noted as helpful." if vote > 0 else "Thanks: noted as not helpful."
        return (turn.turn_id, vote), gr.update(visible=True), "", render.note(f"{thanks} Add a comment if you like.")

    def add_comment(self, target: Any, comment: str, owner: str) -> tuple[Any, ...]:
        if not (isinstance(target, (list, tuple)) and len(target) == 2):
            return None, gr.update(visible=False), "", ""
        turn_id, vote = target
        try:
            mine = self.history.mine(owner)
            if mine is not None:
                mine.vote(int(turn_id), int(vote), comment or "")
        except RagError as exc:
            return target, gr.skip(), gr.skip(), render.note(self.ctx.messages.failure(exc, "saving a comment"))
        return None, gr.update(visible=False), "", render.note("Thanks: your comment was saved with the answer.")
