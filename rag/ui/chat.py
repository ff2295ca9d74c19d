"""The chat panel: questions in, answers streamed out with [n] markers linked to the Sources panel;
example questions on an empty chat; New chat; follow-ups carry the conversation; each turn saved in
the history (written `unfinished` when asked, completed when answered: see rag/history.py); the
scope picker's articles and dates applied to each question.

Beside the chat event (`/chat`, what the page uses) is `/answer`: the same answer as the JSON answer
object of CONTRACT.md, for scripts, load tests and tests that should not read HTML. Both share one
concurrency group with model switching, so a local model writes one answer at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr
from gradio.components.chatbot import ExampleMessage

from ..answer import Answer, Partial, Status
from ..answering import AskOptions, clean_question
from ..config import LIMITS
from ..errors import QuestionError, RagError
from ..examples import load_examples
from ..history import TurnRef
from ..scope import Scope
from . import render
from .context import AppContext
from .conversation import Turn, history
from .feedback import FeedbackPanel
from .history import HistoryPanel
from .scope import ScopePanel
from .settings import SettingsPanel
from .sources import SourcesPanel

MAX_EXAMPLES = 3  # the shipped articles' questions always show; other articles fill up to this many
Update = tuple[Any, Any, Any]


class ChatPanel:
    def __init__(self, ctx: AppContext, sources: SourcesPanel, settings: SettingsPanel, history: HistoryPanel) -> None:
        self.ctx = ctx
        self.sources = sources
        self.settings = settings
        self.history = history
        self.scope = ScopePanel(ctx)
        self.feedback = FeedbackPanel(ctx, history)
        self.conv: gr.State
        self.chatbot: gr.Chatbot
        self.question: gr.Textbox
        self.send: gr.Button
        self.new_chat: gr.Button
        self.pending: gr.Textbox

    def build(self) -> None:
        self.conv = gr.State([])
        self.chatbot = gr.Chatbot(
            [],
            label="Conversation",
            show_label=False,
            elem_id="rag-chatbot",
            height="62vh",
            render_markdown=False,
            sanitize_html=True,
            latex_delimiters=[],
            allow_tags=False,
            buttons=[],
            feedback_options=("Like", "Dislike"),
            group_consecutive_messages=False,
            examples=self.examples(),
            autoscroll=True,
            placeholder="<strong>Ask about the articles.</strong><br>Every claim in an answer cites its source; "
            "click a marker like [1] to see the passage.",
        )
        self.feedback.build()
        self.scope.build_picker()
        self.scope.build_line()
        with gr.Row(equal_height=True):
            self.question = gr.Textbox(
                label="Your question",
                show_label=False,
                lines=1,
                max_lines=6,
                scale=6,
                elem_id="rag-question",
                placeholder="Ask a question about the articles (Enter sends, Shift+Enter adds a line)",
                autofocus=True,
            )
            self.send = gr.Button("Send", variant="primary", scale=1, min_width=90, elem_id="rag-send")
        with gr.Row():
            self.new_chat = gr.Button("New chat", size="sm", variant="secondary", elem_id="rag-new-chat")
        self.pending = gr.Textbox(visible=False, label="Question")  # the question being answered

    def wire(self, demo: gr.Blocks) -> None:
        """Show the question at once (never queued behind an answer), then answer it in the queue; the
        sidebar follows when the answer is saved."""
        private: dict[str, Any] = dict(api_visibility="private", show_progress="hidden")
        slots = self.ctx.settings.answer_slots  # 1 with a local model: one generation at a time, the rest queue
        answering: dict[str, Any] = dict(
            concurrency_limit=slots, concurrency_id="llm", show_progress="minimal", show_progress_on=[self.chatbot]
        )
        inputs = [
            self.pending,
            self.settings.k,
            self.settings.temperature,
            self.conv,
            self.history.owner,
            self.history.current,
            *self.scope.inputs,
        ]
        outputs = [self.chatbot, self.sources.evidence, self.conv, self.history.current]
        shown_outputs = [self.chatbot, self.pending, self.question]
        listed: dict[str, Any] = dict(
            fn=self.history.listing,
            inputs=[self.history.owner, self.history.current],
            outputs=self.history.outputs,
            queue=False,
            **private,
        )
        shown = gr.on(
            [self.question.submit, self.send.click],
            self.show_question,
            [self.question, self.conv],
            shown_outputs,
            concurrency_limit=None,
            validator=self.validate_question,
            **private,
        )
        asked = shown.success(self.respond, inputs, outputs, api_name="chat", **answering)
        asked.then(**listed)
        picked = self.chatbot.example_select(self.pick_example, [self.conv], shown_outputs, queue=False, **private)
        asked_example = picked.success(self.respond, inputs, outputs, api_visibility="private", **answering)
        asked_example.then(**listed)
        reset = [self.chatbot, self.sources.evidence, self.conv, self.pending, self.question, self.history.current]
        for clear in (self.new_chat.click, self.chatbot.clear):
            clear(self.reset, None, reset, queue=False, cancels=[asked, asked_example], **private).then(**listed)
        gr.api(self.answer, api_name="answer", concurrency_limit=slots, concurrency_id="llm")
        self.scope.wire(demo)
        self.feedback.wire(self.chatbot, self.conv)
        self.history.wire(demo, [self.chatbot, self.sources.evidence, self.conv])

    # -- handlers ------------------------------------------------------------------------------
    def validate_question(self, question: str, conv: list[Turn]) -> tuple[Any, Any]:
        """Before anything runs: an empty question gets a note under the box, the chat is untouched."""
        try:
            clean_question(question or "", self.ctx.settings.max_question_chars)
            valid = gr.validate(True, "")
        except QuestionError:
            valid = gr.validate(False, "Type a question about the articles first.")
        return valid, gr.validate(True, "")

    def show_question(self, question: str, conv: list[Turn]) -> Update:
        """The question with a placeholder answer; the question moves to the hidden `pending` box."""
        return render.chat_messages(conv or [], (question, "", self._waiting())), question, ""

    def pick_example(self, conv: list[Turn], evt: gr.SelectData) -> Update:
        value = evt.value if isinstance(evt.value, dict) else {"text": str(evt.value or "")}
        return self.show_question(str(value.get("text", "")), conv)

    def reset(self) -> tuple[Any, ...]:
        return [], self.sources.show([]), [], "", "", None

    def respond(
        self,
        question: str,
        k: float,
        temperature: float,
        conv: list[Turn],
        owner: str = "",
        current: str | None = None,
        sources: list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Answer `question` in the conversation `conv` (saved as `current` for `owner`), within the
        scope picked, streaming. Yields (chat, sources, conv, conversation id)."""
        conv = list(conv or [])
        try:
            clean_question(question or "", self.ctx.settings.max_question_chars)
        except QuestionError as exc:
            raise gr.Error(str(exc), title="Empty question", print_exception=False) from None
        saved = self._save_question(owner, current, question)
        current = saved.conversation_id if saved else current
        yield render.chat_messages(conv, (question, "", self._waiting(queued=False))), gr.skip(), conv, current
        answer, error = None, ""
        stream = None
        finished = False
        with self.ctx.state.generation():
            try:
                self.ctx.pipeline.check_embedder()
                options = self._options(k, temperature, self.scope.scope(sources, since, until))
                stream = self.ctx.pipeline.stream(question, history(conv), options)
                shown = ""
                for event in stream:
                    if isinstance(event, Answer):
                        answer = event
                    elif isinstance(event, Partial) and event.text != shown:
                        shown = event.text
                        yield (
                            render.chat_messages(conv, (question, shown, "Writing the answer…")),
                            gr.skip(),
                            conv,
                            current,
                        )
                    elif isinstance(event, Status):
                        yield render.chat_messages(conv, (question, shown, event.text)), gr.skip(), conv, current
                if answer is None:
                    error = "the answer stream ended early; please ask again"
                finished = True
            except GeneratorExit:
                self.ctx.state.stream_closed()  # the client went away: stop generating
                raise
            except Exception as exc:  # noqa: BLE001 - the page gets one line, the log the details
                error = self.ctx.messages.failure(exc, "answering")
                finished = True
            finally:
                if stream is not None:
                    stream.close()  # type: ignore[attr-defined]  # a generator: closing releases the model's lock
        if finished:
            self._save_answer(owner, saved, answer, error)
            conv.append(Turn(question=question, answer=answer, error=error, turn_id=saved.turn_id if saved else None))
            yield render.chat_messages(conv), self.sources.show(conv), conv, current

    def answer(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        k: int | None = None,
        temperature: float | None = None,
        sources: list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> dict[str, Any]:
        """The answer object (CONTRACT.md) for `question`. `history`: earlier turns as {role, content};
        `k` and `temperature` default to the server's settings; `sources` (article file names), `since`
        and `until` (YYYY-MM-DD) ask within chosen articles. Nothing is saved in the history."""
        try:
            turns = _checked_history(history)
            with self.ctx.state.generation():
                self.ctx.pipeline.check_embedder()
                options = self._options(k, temperature, Scope.of(sources or (), since, until))
                return self.ctx.pipeline.ask(question or "", turns, options).to_json()
        except QuestionError as exc:
            raise gr.Error(str(exc), title="Bad request", print_exception=False) from None
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback
            raise gr.Error(self.ctx.messages.failure(exc, "answering"), print_exception=False) from None

    # -- helpers -------------------------------------------------------------------------------
    def examples(self) -> list[ExampleMessage]:
        """Questions for an empty chat: the shipped ones whose article is indexed, then one per other
        article with a title."""
        try:
            records = self.ctx.library.records()
        except RagError as exc:  # the index cannot be read: the status line will say why
            self.ctx.messages.failure(exc, "listing the library for example questions")
            records = []
        try:
            shipped = load_examples(self.ctx.settings.corpus_dir)
        except RagError as exc:
            self.ctx.messages.failure(exc, "reading the example questions")
            shipped = {}
        sources = {r.source for r in records}
        picked: list[ExampleMessage] = [
            {"text": questions[0]} for name, questions in shipped.items() if name in sources and questions
        ]
        for r in records:
            if len(picked) >= MAX_EXAMPLES:
                break
            if r.source not in shipped and r.title:
                picked.append({"text": f"What does the article “{r.title[:80]}” report?"})
        return picked or [{"text": "What are these articles about?"}]

    def _waiting(self, queued: bool = True) -> str:
        if queued and self.ctx.state.generating:
            return "Waiting: another answer is being written; yours starts right after it (see the queue position)."
        if not self.ctx.pipeline.llm_loaded:
            return "Loading the model… the answer starts as soon as it is ready (first question only)."
        return "Searching the articles…"

    def _save_question(self, owner: str, current: str | None, question: str) -> TurnRef | None:
        """Write the question as an unfinished turn before answering it (a crash leaves it marked so)."""
        try:
            mine = self.history.mine(owner)
            return mine.ask(current, question) if mine is not None else None
        except RagError as exc:
            gr.Warning(f"This conversation is not being saved: {self.ctx.messages.failure(exc, 'saving a question')}")
            return None

    def _save_answer(self, owner: str, saved: TurnRef | None, answer: Answer | None, error: str) -> None:
        try:
            mine = self.history.mine(owner)
            if saved is not None and mine is not None:
                mine.finish(saved, answer, error)
        except RagError as exc:
            gr.Warning(f"This answer was not saved: {self.ctx.messages.failure(exc, 'saving an answer')}")

    @staticmethod
    def _options(k: Any, temperature: Any, scope: Scope | None = None) -> AskOptions:
        k_in, t_in = LIMITS["k"].clamp(k), LIMITS["temperature"].clamp(temperature)
        return AskOptions(k=None if k_in is None else int(k_in), temperature=t_in, scope=scope)


def _checked_history(history: Any) -> list[dict[str, Any]]:
    """{role, content} messages; a user message may carry the `standalone` question it was resolved to,
    an assistant message the `citations` of its answer object (checked when the follow-up reads them)."""
    if history is None:
        return []
    if not isinstance(history, list) or not all(
        isinstance(m, dict) and m.get("role") in ("user", "assistant") and isinstance(m.get("content"), str)
        for m in history
    ):
        raise QuestionError("history must be a list of {role: user|assistant, content: text}")
    extras = ("citations", "standalone")
    return [{"role": m["role"], "content": m["content"], **{k: m[k] for k in extras if m.get(k)}} for m in history]
