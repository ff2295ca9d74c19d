"""The answer object that crosses every boundary (CLI, batch JSON, web app), per CONTRACT.md."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Citation:
    n: int
    source: str  # article file name
    title: str
    chunk_id: str
    text: str  # the cited passage
    start: int  # character offsets of `text` in the article
    end: int
    score: float
    date: str = ""
    highlight_start: int = 0  # the supporting sentence inside the passage (article offsets)
    highlight_end: int = 0


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
    standalone: str = ""  # a follow-up as resolved from the conversation ("" when asked as is)
    searched: list[dict[str, Any]] = field(default_factory=list)  # top passages looked at, for refusals
    notice: str = ""  # e.g. "question trimmed to 2000 characters"
    signals: dict[str, float] = field(default_factory=dict)  # what decided answer vs refusal (rag/judge.py)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id} if self.id is not None else {}
        out.update(
            question=self.question, answer=self.answer, refused=self.refused,
            citations=[asdict(c) for c in self.citations], model=self.model,
            timings={k: round(v, 1) if isinstance(v, float) else v for k, v in self.timings.items()},
            search_query=self.search_query,
        )
        if self.standalone:
            out["standalone"] = self.standalone
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
