"""Start-up in the background: the page is served at once while the index, the embedder and the model
come up; the status line follows the phases (state.Phase)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from .context import AppContext
from .state import Phase

log = logging.getLogger(__name__)


class Startup:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Run `run` in a background thread, once."""
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self.run, name="rag-warm-up", daemon=True)
        self._thread.start()

    def run(self) -> None:
        """Index if needed and load search, then the model. A failing index still lets the model load
        (the status line says what is wrong); a failing model ends in Phase.ERROR with the reason."""
        state, pipeline = self.ctx.state, self.ctx.pipeline
        try:
            state.phase = Phase.INDEX
            pipeline.ensure_ready(self._first_index)
            state.index_note = ""
            pipeline.load_search()
        except Exception as exc:  # noqa: BLE001 - shown on the page as one line
            state.index_note = self.ctx.messages.failure(exc, "preparing the index")
        try:
            state.phase = Phase.MODEL
            pipeline.llm()
            state.phase = Phase.READY
        except Exception as exc:  # noqa: BLE001
            state.problem = self.ctx.messages.failure(exc, "loading the model")
            state.phase = Phase.ERROR

    def _first_index(self, corpus: Path) -> None:
        self.ctx.state.index_note = "Indexing the articles for the first time…"
