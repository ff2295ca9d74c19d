"""Ask within chosen articles: a picker (articles from the library, a date range) above the question
box, and the scope in force shown right above the box with one button that removes it. The scope
applies to every next question until removed; the work is rag/scope.py's."""

from __future__ import annotations

from typing import Any

import gradio as gr

from ..errors import RagError
from ..scope import Scope
from . import render
from .context import AppContext


class ScopePanel:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.picker: gr.Accordion
        self.sources: gr.Dropdown
        self.since: gr.Textbox
        self.until: gr.Textbox
        self.line: gr.HTML
        self.clear: gr.Button

    @property
    def inputs(self) -> list[Any]:
        """The components a question reads its scope from (see `scope`)."""
        return [self.sources, self.since, self.until]

    def build_picker(self) -> None:
        with gr.Accordion("Ask within chosen articles", open=False, elem_id="rag-scope-picker") as self.picker:
            self.sources = gr.Dropdown(
                [],
                value=[],
                multiselect=True,
                label="Articles",
                elem_id="rag-scope-sources",
                info="Only these articles are searched; leave empty to search them all.",
            )
            with gr.Row():
                self.since = gr.Textbox(
                    label="Dated from", placeholder="YYYY-MM-DD", max_lines=1, elem_id="rag-scope-since"
                )
                self.until = gr.Textbox(
                    label="Dated until", placeholder="YYYY-MM-DD", max_lines=1, elem_id="rag-scope-until"
                )

    def build_line(self) -> None:
        with gr.Row(equal_height=True, elem_id="rag-scope-row"):
            self.line = gr.HTML("", elem_id="rag-scope", js_on_load=None)
            self.clear = gr.Button(
                "✕ Search all articles",
                size="sm",
                variant="secondary",
                visible=False,
                scale=0,
                min_width=170,
                elem_id="rag-scope-clear",
            )

    def wire(self, demo: gr.Blocks) -> None:
        private: dict[str, Any] = dict(api_visibility="private", show_progress="hidden", queue=False)
        gr.on(
            [self.sources.change, self.since.blur, self.since.submit, self.until.blur, self.until.submit],
            self.show,
            self.inputs,
            [self.line, self.clear],
            **private,
        )
        self.clear.click(self.remove, None, [*self.inputs, self.line, self.clear], **private)
        self.picker.expand(self.choices, [self.sources], [self.sources], **private)
        demo.load(self.choices, [self.sources], [self.sources], **private)

    # -- handlers ------------------------------------------------------------------------------
    def choices(self, chosen: list[str] | None = None) -> Any:
        """The library as (title (file), file) choices; chosen articles no longer there drop out."""
        try:
            records = self.ctx.library.records()
        except RagError as exc:
            self.ctx.messages.failure(exc, "listing the library for the scope picker")
            records = []
        names = [(f"{r.title or r.source} ({r.source})", r.source) for r in records]
        known = {source for _, source in names}
        return gr.update(choices=names, value=[s for s in chosen or [] if s in known])

    def show(self, sources: list[str] | None, since: str | None, until: str | None) -> tuple[str, Any]:
        """The line above the question box and whether its remove button shows."""
        try:
            scope = self.scope(sources, since, until)
        except RagError as exc:
            return render.scope_line([], error=self.ctx.messages.clean(str(exc))), gr.update(visible=True)
        if scope is None:
            return render.scope_line([]), gr.update(visible=False)
        titles = self._titles()
        dates = scope.dates() if scope.since or scope.until else ""
        return render.scope_line([titles.get(s, s) for s in scope.sources], dates), gr.update(visible=True)

    @staticmethod
    def remove() -> tuple[Any, ...]:
        return [], "", "", render.scope_line([]), gr.update(visible=False)

    @staticmethod
    def scope(sources: list[str] | None, since: str | None, until: str | None) -> Scope | None:
        """The scope the picker describes (None: every article); ScopeError for a date that is not one."""
        return Scope.of(sources or (), since, until)

    def _titles(self) -> dict[str, str]:
        try:
            return {r.source: r.title or r.source for r in self.ctx.library.records()}
        except RagError:
            return {}
