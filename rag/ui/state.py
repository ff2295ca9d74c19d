"""What the app as a whole is doing, shared by every browser session: start-up phase and answer counts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

from .render import StatusKind


class Phase(StrEnum):
    STARTING = "starting"
    INDEX = "index"  # making the index ready (a first run indexes the articles folder)
    MODEL = "model"  # loading the generation model
    READY = "ready"
    ERROR = "error"  # the model could not be loaded: `problem` says why
    SWITCHING = "switching"  # Settings is loading another model


@dataclass(kw_only=True)
class AppState:
    phase: Phase = Phase.STARTING
    problem: str = ""  # why the model could not be loaded, as shown on the page
    index_note: str = ""  # first indexing under way, or why the index could not be prepared
    generating: int = 0  # answers being written now
    peak_generating: int = 0
    closed_streams: int = 0  # answers whose client went away (generation stopped early)
    closed: bool = False  # the server is shutting down
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @contextmanager
    def generation(self) -> Iterator[None]:
        """Count an answer being written while the block runs."""
        with self._lock:
            self.generating += 1
            self.peak_generating = max(self.peak_generating, self.generating)
        try:
            yield
        finally:
            with self._lock:
                self.generating -= 1

    def stream_closed(self) -> None:
        with self._lock:
            self.closed_streams += 1

    def status(self, model: str) -> tuple[str, StatusKind]:
        """(text, kind) for the status line above the chat."""
        if self.phase in (Phase.STARTING, Phase.INDEX):
            return self.index_note or "Preparing the article index…", StatusKind.BUSY
        if self.phase in (Phase.MODEL, Phase.SWITCHING):
            return (
                f"Loading the model {model}… You can already ask: the answer starts as soon as it is ready.",
                StatusKind.BUSY,
            )
        if self.phase is Phase.ERROR:
            return f"The model could not be loaded: {self.problem}", StatusKind.ERROR
        if self.index_note:
            return self.index_note, StatusKind.ERROR
        return f"Ready · model {model}", StatusKind.READY
