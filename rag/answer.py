"""The answer object that crosses every boundary (CLI, batch JSON, web app), per CONTRACT.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .span import LocatedSpan


@dataclass(frozen=True, kw_only=True)
class Citation(LocatedSpan):
    """A cited passage in the answer's numbering; `text` is the article's own text at start:end."""

    n: int
    score: float
    highlight_start: int = 0  # the supporting sentence inside the passage (article offsets)
    highlight_end: int = 0

    def to_json(self) -> dict[str, Any]:
        """The contract's citation object, its fields in the contract's order."""
        fields = ("n", "source", "title", "chunk_id", "text", "start", "end", "score", "date",
                  "highlight_start", "highlight_end")
        return {name: getattr(self, name) for name in fields}


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    citations: list[Citation]
    model: str
    timings: dict[str, float]
    id: str | None = None
    search_query: str = ""  # what was searched (follow-ups are rewritten)
    searched: list[dict[str, Any]] = field(default_factory=list)  # top passages looked at, for refusals
    notice: str = ""  # e.g. "question trimmed to 2000 characters"
    signals: dict[str, float] = field(default_factory=dict)  # what decided answer vs refusal (rag/judge.py)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id} if self.id is not None else {}
        out.update(
            question=self.question, answer=self.answer, refused=self.refused,
            citations=[c.to_json() for c in self.citations], model=self.model,
            timings={k: round(v, 1) if isinstance(v, float) else v for k, v in self.timings.items()},
            search_query=self.search_query,
        )
        if self.notice:
            out["notice"] = self.notice
        if self.signals:
            out["signals"] = self.signals
        return out


@dataclass(frozen=True)
class Partial:
    """A streaming update: the whole answer text as it stands now (markers appear once verified)."""

    text: str


@dataclass(frozen=True)
class Status:
    """A progress message while nothing can be shown yet (loading the model, searching)."""

    text: str
