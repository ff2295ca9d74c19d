"""The Sources panel: each answer's cited passages (supporting sentence marked) or, for a refusal,
what was searched; and the whole article, fetched by the browser when asked for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

from . import render
from .assets import asset
from .context import AppContext
from .conversation import Turn

_MAX_OFFSET = 10**9


class SourcesPanel:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.evidence: gr.HTML

    def build(self) -> None:
        self.evidence = gr.HTML(
            render.evidence([]),
            elem_id="rag-evidence",
            js_on_load=asset("evidence.js"),
            server_functions=[self.server_function()],
            max_height=None,
        )

    def wire(self) -> None:
        """Nothing of its own: the chat fills it; the browser opens articles through `article_view`."""

    @staticmethod
    def show(turns: list[Turn]) -> str:
        return render.evidence(turns)

    def article_view(self, request: Any) -> str:
        """The whole article as HTML, the cited passage marked. `request` comes from the browser:
        {source, start, end, hs, he}; anything odd in it gets "not found", never an error page."""
        request = request if isinstance(request, dict) else {}
        source = str(request.get("source") or "")[:500]
        try:
            found = self.ctx.library.article(source)
        except Exception as exc:  # noqa: BLE001 - the dialog shows "not found"; the log has the reason
            self.ctx.messages.failure(exc, f"showing the article {source!r}")
            return render.article(None, "This article")
        span = render.Span(**{key: _offset(request.get(key)) for key in ("start", "end", "hs", "he")})
        return render.article(found, source, span)

    def server_function(self) -> Callable[[Any], str]:
        """`article_view` as a plain function named for the browser (`server.article_view(...)`):
        Gradio registers component server functions by their name."""

        def article_view(request: Any) -> str:
            return self.article_view(request)

        return article_view


def _offset(value: Any) -> int | None:
    try:
        return max(0, min(_MAX_OFFSET, int(value)))
    except (TypeError, ValueError):
        return None
