"""The answer object that crosses every boundary (CLI, batch JSON, web app), per CONTRACT.md."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
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
        fields = (
            "n",
            "source",
            "title",
            "chunk_id",
            "text",
            "start",
            "end",
            "score",
            "date",
            "highlight_start",
            "highlight_end",
        )
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
    standalone: str = ""  # a follow-up as resolved from the conversation ("" when asked as is)
    searched: list[dict[str, Any]] = field(default_factory=list)  # top passages looked at, for refusals
    notice: str = ""  # e.g. "question trimmed to 2000 characters"
    signals: dict[str, float] = field(default_factory=dict)  # what decided answer vs refusal (rag/judge.py)
    scope: dict[str, Any] | None = None  # the articles it was asked within (rag/scope.py Scope.to_json)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id} if self.id is not None else {}
        out.update(
            question=self.question,
            answer=self.answer,
            refused=self.refused,
            citations=[c.to_json() for c in self.citations],
            model=self.model,
            timings={k: round(v, 1) if isinstance(v, float) else v for k, v in self.timings.items()},
            search_query=self.search_query,
        )
        if self.standalone:
            out["standalone"] = self.standalone
        if self.notice:
            out["notice"] = self.notice
        if self.signals:
            out["signals"] = self.signals
        if self.scope is not None:
            out["scope"] = self.scope
        if self.refused:
            out["searched"] = self.searched  # the nearest passages, so the reader can judge the refusal
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answer:
        """An answer object as `to_json` wrote it (a saved conversation's turn). Keys it does not know
        are ignored, missing optional ones take their defaults."""
        names = {f.name for f in fields(Citation)}
        return cls(
            question=str(data.get("question", "")),
            answer=str(data.get("answer", "")),
            refused=bool(data.get("refused")),
            model=str(data.get("model", "")),
            citations=[Citation(**{k: v for k, v in c.items() if k in names}) for c in data.get("citations") or []],
            timings=dict(data.get("timings") or {}),
            id=data.get("id"),
            search_query=str(data.get("search_query", "")),
            standalone=str(data.get("standalone", "")),
            searched=list(data.get("searched") or []),
            notice=str(data.get("notice", "")),
            signals=dict(data.get("signals") or {}),
            scope=data.get("scope"),
        )


@dataclass(frozen=True)
class Partial:
    """A streaming update: the whole answer text as it stands now (markers appear once verified)."""

    text: str


@dataclass(frozen=True)
class Status:
    """A progress message while nothing can be shown yet (loading the model, searching)."""

    text: str
