"""BM25 keyword search over chunk texts (bm25s, Snowball stemming), persisted next to the vectors.

Exact names and figures ("H-1B", "1,500") are where dense retrieval with a small embedder is weakest,
so this index runs beside it and the two are fused.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
from collections.abc import Collection
from functools import cached_property
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

log = logging.getLogger(__name__)

_STEMMER = Stemmer.Stemmer("english")
_DIGIT_COMMA = re.compile(r"(?<=\d)[,](?=\d{3}\b)")


def normalise(text: str) -> str:
    """Lower-case, '1,500' -> '1500', hyphenated codes joined ('H-1B' -> 'h1b') as well as kept apart."""
    text = _DIGIT_COMMA.sub("", text.lower())
    joined = re.findall(r"\b\w+(?:-\w+)+\b", text)
    return text + (" " + " ".join(j.replace("-", "") for j in joined) if joined else "")


def tokenize(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(
        [normalise(t) for t in texts], stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False
    )


class KeywordIndex:
    def __init__(self, retriever: bm25s.BM25 | None, ids: list[str], generation: int) -> None:
        self._retriever = retriever
        self.ids = ids
        self.generation = generation

    @property
    def engine(self) -> bm25s.BM25 | None:
        """The bm25s index itself (None when empty), for measuring the raw engine beside this class."""
        return self._retriever

    @classmethod
    def build(cls, ids: list[str], texts: list[str], generation: int) -> KeywordIndex:
        if not ids:
            return cls(None, [], generation)
        retriever = bm25s.BM25()
        retriever.index(tokenize(texts), show_progress=False)
        return cls(retriever, list(ids), generation)

    def save(self, directory: Path) -> None:
        # a private temporary folder: several processes (app instances, `rag index`) may save at once
        tmp = directory.with_name(f"{directory.name}.tmp-{os.getpid()}-{threading.get_ident()}")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            tmp.mkdir(parents=True)
            if self._retriever is not None:
                self._retriever.save(str(tmp), show_progress=False)
            (tmp / "ids.json").write_text(json.dumps({"generation": self.generation, "ids": self.ids}))
            shutil.rmtree(directory, ignore_errors=True)
            tmp.rename(directory)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)  # left only when something failed

    @classmethod
    def load(cls, directory: Path) -> KeywordIndex | None:
        """The saved index, or None when absent or unreadable (the caller rebuilds it)."""
        try:
            meta = json.loads((directory / "ids.json").read_text())
            retriever = bm25s.BM25.load(str(directory), mmap=True, show_progress=False) if meta["ids"] else None
            return cls(retriever, list(meta["ids"]), int(meta["generation"]))
        except FileNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001 - any damage means: rebuild
            log.warning("keyword index at %s unreadable (%s); rebuilding", directory, exc)
            return None

    @cached_property
    def sources(self) -> np.ndarray:
        """Each chunk's article file name (a chunk id is `source#ordinal`), for masking by scope."""
        return np.array([cid.rpartition("#")[0] for cid in self.ids], dtype=object)

    def search(self, query: str, n: int, within: Collection[str] | None = None) -> list[tuple[str, float]]:
        """The top `n` chunks for `query`; with `within`, only chunks of those articles (every chunk
        is scored anyway, so masking is exact: no over-fetching and filtering afterwards)."""
        if self._retriever is None or not self.ids:
            return []
        tokens = tokenize([query])
        if not tokens or not tokens[0]:
            return []
        scores = np.asarray(self._retriever.get_scores(tokens[0]))
        if within is not None:
            scores = np.where(np.isin(self.sources, list(within)), scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
