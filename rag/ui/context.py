"""What every panel's handlers share: the one pipeline, the app's state, the library, the saved
conversations and error lines."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Settings
from ..history import History
from ..library import Library
from ..pipeline import Pipeline
from .messages import PageMessages
from .render import StatusKind
from .state import AppState


@dataclass(frozen=True, kw_only=True)
class AppContext:
    pipeline: Pipeline
    state: AppState
    library: Library
    history: History
    messages: PageMessages

    @classmethod
    def on(cls, pipeline: Pipeline) -> AppContext:
        return cls(
            pipeline=pipeline,
            state=AppState(),
            library=Library(pipeline),
            history=History(pipeline.settings.history_file),
            messages=PageMessages(pipeline),
        )

    @property
    def settings(self) -> Settings:
        """The pipeline's current settings (switching the model replaces them)."""
        return self.pipeline.settings

    def status(self) -> tuple[str, StatusKind]:
        return self.state.status(self.settings.model)
