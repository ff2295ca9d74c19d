"""What a refusal shows: the passages it searched, each by its sentence closest to the question.

A refusal that lists what it looked at lets the reader judge ("the articles do cover this, in other
words") instead of trusting a bare "not found". The first 300 characters of a passage are usually a
headline or a by-line; the sentence nearest the question is what the reader needs. Its vectors are
the ones evidence selection has just computed (`embed_recalled` remembers them), so this costs
almost nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import numpy as np

from .retrieval import Retrieval
from .sentences import split_sentences
from .terms import content_terms

SHOWN = 5  # passages listed under a refusal
_MIN_WORDS = 4  # shorter "sentences" are headings, credits, list stubs: taken only when nothing else is


class _Embeds(Protocol):
    def embed_recalled(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True, kw_only=True)
class Nearest:
    """One searched passage as a refusal shows it: its article and its sentence closest to the question."""

    source: str
    title: str
    date: str
    score: float  # the passage's similarity to the question (cosine)
    text: str  # the closest sentence, as in the article
    start: int  # its offsets in the article
    end: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def nearest_passages(retrieval: Retrieval, embedder: _Embeds, limit: int = SHOWN) -> list[dict[str, Any]]:
    """The top `limit` passages of `retrieval`, each with the sentence closest to the question
    (embedding similarity, plus the share of the question's words it holds), as JSON-ready dicts
    for `Answer.searched`."""
    return [n.to_json() for n in closest_sentences(retrieval, embedder, limit)]


def closest_sentences(retrieval: Retrieval, embedder: _Embeds, limit: int = SHOWN) -> list[Nearest]:
    passages = retrieval.passages[:limit]
    spans = [(i, s) for i, p in enumerate(passages) for s in split_sentences(p.text) if s.text.strip()]
    if not spans:
        return []
    dense = embedder.embed_recalled([s.text for _, s in spans]) @ retrieval.query_vector
    asked = content_terms(retrieval.query)
    best: dict[int, tuple[float, int]] = {}
    for j, ((i, span), similarity) in enumerate(zip(spans, dense)):
        shared = len(asked & content_terms(span.text)) / len(asked) if asked else 0.0
        score = float(similarity) + 0.5 * shared - (1.0 if len(span.text.split()) < _MIN_WORDS else 0.0)
        if i not in best or score > best[i][0]:
            best[i] = (score, j)
    out = []
    for i, p in enumerate(passages):
        if i not in best:
            continue
        sentence = p.source_span(spans[best[i][1]][1])
        out.append(
            Nearest(
                source=p.source,
                title=p.title,
                date=p.date,
                score=round(p.dense, 3),
                text=sentence.text,
                start=sentence.start,
                end=sentence.end,
            )
        )
    return out
