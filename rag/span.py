"""The one record of "a stretch of an article" that every step passes on: chunk, stored chunk,
passage, evidence and citation all are one, with what each step adds beside it.

`start`/`end` are character offsets in the article as loaded (what `rag index` read, before any
clean-up), so a citation can always be found and highlighted in the file. `text` is what that step
works on: for chunks and passages the cleaned text (see rag/cleaning.py and each record's `edits`),
for evidence the cleaned sentences the model reads, for a citation the article's own text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class ArticleSpan:
    source: str  # the article's file name
    start: int
    end: int
    text: str


@dataclass(frozen=True, kw_only=True)
class LocatedSpan(ArticleSpan):
    """A span as the index knows it: which chunk it came through, and its article's title and date."""

    chunk_id: str
    title: str = ""
    date: str = ""

    def located(self) -> dict[str, Any]:
        """Where this span is, without its text: the fields a later step's record copies over."""
        return {
            "source": self.source,
            "chunk_id": self.chunk_id,
            "title": self.title,
            "date": self.date,
            "start": self.start,
            "end": self.end,
        }
