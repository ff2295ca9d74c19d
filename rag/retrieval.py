"""Hybrid retrieval: dense (Chroma) and keyword (BM25) candidates fused by reciprocal rank fusion,
overlapping chunks of one article merged into one passage, top k returned with per-stage timings.

A follow-up also passes the chunks the previous answer cited (`carried`): they join the fusion as a
third ranking, so the passages the conversation stands on stay candidates for its next answer
without pushing out what the new question finds.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .config import Settings
from .embedding import Embedder
from .scope import Scope
from .sentences import Span
from .span import LocatedSpan
from .store import IndexStore, StoredChunk
from .textmap import Edits, restore, shifted, to_clean, to_original

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Passage(LocatedSpan):
    """A contiguous span of one article, made of one or more retrieved chunks.

    `text` is clean text (rag/cleaning.py); `start`/`end` are offsets in the article as loaded, and
    `edits` map offsets in `text` to it (see `to_original`, `source_span`)."""

    score: float  # fused rank score (higher is better)
    dense: float  # cosine similarity of the best chunk to the query
    keyword: float  # best BM25 score of its chunks (0 when only dense found it)
    first_ordinal: int = 0  # ordinal of its first chunk in the article
    lead: str = ""  # whitespace joining it to the chunk before (when they do not overlap)
    edits: Edits = ()  # what cleaning removed inside `text`, relative to its start
    lead_edits: Edits = ()  # what cleaning removed inside `lead`

    def to_original(self, offset: int, *, end: bool = False) -> int:
        """The article offset of an offset in `text` (`end=True` for the end of a span)."""
        return self.start + to_original(offset, self.edits, end=end)

    def source_span(self, span: Span) -> Span:
        """A span of `text` (offsets in `text`) as a span of the article: article offsets, original text."""
        start, end = self.to_original(span.start), self.to_original(span.end, end=True)
        return Span(start, end, restore(self.text, self.edits)[start - self.start : end - self.start])


@dataclass
class Retrieval:
    query: str
    query_vector: np.ndarray
    passages: list[Passage]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def best_dense(self) -> float:
        return max((p.dense for p in self.passages), default=0.0)


class Retriever:
    def __init__(self, store: IndexStore, embedder: Embedder, settings: Settings) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings

    def retrieve(
        self, query: str, k: int | None = None, scope: Scope | None = None, carried: Sequence[str] = ()
    ) -> Retrieval:
        """The top `k` passages for `query`; with `scope`, only from the articles it allows (both
        searches filter, so the top k are the scope's own; ScopeError when it allows none); `carried`
        chunks (the previous answer's) join the fusion as candidates."""
        k = k or self.settings.k
        depth = max(20, 4 * k)
        started = time.perf_counter()
        within = scope.select(self.store.files().values()) if scope is not None else None
        t0 = time.perf_counter()
        vector = self.embedder.embed_one(query)
        t1 = time.perf_counter()
        dense = self.store.dense_search(vector, depth, within)
        t2 = time.perf_counter()
        keyword = self.store.keyword().search(query, depth, within)
        t3 = time.perf_counter()
        passages = self._fuse(vector, dense, keyword, k, carried)
        t4 = time.perf_counter()
        timings = {
            "embed_ms": (t1 - t0) * 1000,
            "dense_ms": (t2 - t1) * 1000,
            "keyword_ms": (t3 - t2) * 1000,
            "fuse_ms": (t4 - t3) * 1000,
            "retrieve_ms": (t4 - started) * 1000,
        }
        if scope is not None:
            timings["scope_ms"] = (t0 - started) * 1000
        log.debug("retrieve %r: %s", query[:60], {key: round(v, 1) for key, v in timings.items()})
        return Retrieval(query, vector, passages, timings)

    def _fuse(
        self,
        vector: np.ndarray,
        dense: list[tuple[StoredChunk, float]],
        keyword: list[tuple[str, float]],
        k: int,
        carried: Sequence[str] = (),
    ) -> list[Passage]:
        fused = reciprocal_rank_fusion(
            [[c.chunk_id for c, _ in dense], [cid for cid, _ in keyword], list(carried)], self.settings.rrf_k
        )
        chunks = {c.chunk_id: c for c, _ in dense}
        cosine = {c.chunk_id: s for c, s in dense}
        bm25 = dict(keyword)
        ranked = sorted(fused, key=lambda cid: -fused[cid])[: 3 * k]
        missing = [cid for cid in ranked if cid not in chunks]
        for cid, (chunk, stored_vector) in self.store.get_chunks(missing).items():
            chunks[cid] = chunk
            cosine[cid] = float(stored_vector @ vector)
        candidates = [
            _passage(c, fused[cid], cosine.get(cid, 0.0), bm25.get(cid, 0.0))
            for cid in ranked
            if (c := chunks.get(cid))
        ]
        return self._with_antecedents(merge_overlapping(candidates)[:k])

    def _with_antecedents(self, passages: list[Passage]) -> list[Passage]:
        """A passage that opens with "He defended his record ..." needs the sentence before it: join
        the previous chunk of the article to it."""
        wanted = {
            f"{p.source}#{p.first_ordinal - 1}": i
            for i, p in enumerate(passages)
            if p.first_ordinal > 0 and _ANAPHORIC_START.match(p.text)
        }
        if not wanted:
            return passages
        for cid, (chunk, _) in self.store.get_chunks(list(wanted)).items():
            i = wanted[cid]
            before = _passage(chunk, 0.0, 0.0, 0.0)
            if _joinable(before, passages[i]):
                passages[i] = replace(_union(passages[i], before), chunk_id=passages[i].chunk_id)
        return passages


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int) -> dict[str, float]:
    """Each id's sum of 1 / (k + rank) over the rankings it is in (ranks from 1): an id ranked high
    by either search rises, and cosine and BM25 scores, which are not comparable, are never mixed."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


_ANAPHORIC_START = re.compile(r"^\W*(he|she|they|it|his|her|their|its|this|that|these|those|but|however|also)\b", re.I)


def _passage(c: StoredChunk, score: float, dense: float, keyword: float) -> Passage:
    return Passage(
        **c.located(),
        text=c.text,
        score=score,
        dense=dense,
        keyword=keyword,
        first_ordinal=c.ordinal,
        lead=c.lead,
        edits=c.edits,
        lead_edits=c.lead_edits,
    )


def _joinable(a: Passage, b: Passage) -> bool:
    """Same article, and overlapping or separated only by what was recorded between chunks."""
    if a.source != b.source:
        return False
    if b.start <= a.end and a.start <= b.end:
        return True
    return _follows(a, b) or _follows(b, a)


def _follows(a: Passage, b: Passage) -> bool:
    """`b` starts right after `a`, the recorded lead (whitespace, and noise cleaned out) between them."""
    return bool(b.lead or b.lead_edits) and b.start == a.end + len(restore(b.lead, b.lead_edits))


def merge_overlapping(passages: list[Passage]) -> list[Passage]:
    """Fold passages that overlap or touch within one article into the best-ranked one, in rank order."""
    merged: list[Passage] = []
    for p in passages:
        touching = [i for i, m in enumerate(merged) if _joinable(m, p)]
        if not touching:
            merged.append(p)
            continue
        keep = touching[0]  # the union takes the rank of its best part
        for i in touching:
            p = _union(merged[i], p) if i == keep else _union(p, merged[i])
        for i in reversed(touching[1:]):
            del merged[i]
        merged[keep] = p
        # a union can now reach another passage: fold those in too
        while (
            j := next((j for j, m in enumerate(merged) if j != keep and _joinable(m, merged[keep])), None)
        ) is not None:
            merged[keep] = _union(merged[keep], merged[j])
            del merged[j]
            keep -= j < keep
    return merged


def _union(a: Passage, b: Passage) -> Passage:
    first, second = (a, b) if a.start <= b.start else (b, a)
    if second.end <= first.end:
        text, end, edits = first.text, first.end, first.edits
    elif second.start > first.end:  # adjacent: the recorded whitespace joins them
        text, end = first.text + second.lead + second.text, second.end
        edits = (
            first.edits
            + shifted(second.lead_edits, len(first.text))
            + shifted(second.edits, len(first.text) + len(second.lead))
        )
    else:  # overlapping: the clean texts overlap where the original ones do
        cut = to_clean(first.end - second.start, second.edits)
        text, end = first.text + second.text[cut:], second.end
        edits = first.edits + shifted(tuple(e for e in second.edits if e[0] >= cut), len(first.text) - cut)
    return replace(
        a,
        start=first.start,
        end=end,
        text=text,
        score=a.score + b.score,
        dense=max(a.dense, b.dense),
        keyword=max(a.keyword, b.keyword),
        first_ordinal=first.first_ordinal,
        lead=first.lead,
        lead_edits=first.lead_edits,
        edits=edits,
    )
