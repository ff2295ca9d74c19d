"""The index: a Chroma collection of chunk vectors plus a bm25s keyword index beside it.

Each file's chunk #0 carries the file's record (content hash, title, date, chunk count), so the list of
indexed files is read from the collection itself: embedded or on a Chroma server, one source of truth.
A file's chunks are written with chunk #0 last; a file whose chunk #0 is missing or whose chunk count
is wrong was cut off mid-write and is repaired on the next `rag index`.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from .chunking import Chunk
from .config import Settings
from .documents import Document
from .keyword import KeywordIndex

log = logging.getLogger(__name__)

COLLECTION = "chunks"
SCHEMA_VERSION = 1
_ADD_BATCH = 1000
_REFRESH_S = 2.0  # how often the collection's metadata is re-read (other processes may have written)


class IndexError_(Exception):
    """The index cannot be used as it is; the message says what to run."""


class IndexMismatchError(IndexError_):
    pass


@dataclass(frozen=True)
class FileRecord:
    source: str
    path: str
    title: str
    date: str
    content_hash: str
    chunks: int


@dataclass(frozen=True)
class StoredChunk:
    chunk_id: str
    source: str
    title: str
    date: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class IndexParams:
    """What the vectors depend on: a change here means re-embedding, never mixing."""

    embed_model: str
    dimension: int
    chunk_chars: int
    chunk_overlap_chars: int

    def as_metadata(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION, "embed_model": self.embed_model, "dimension": self.dimension,
            "chunk_chars": self.chunk_chars, "chunk_overlap_chars": self.chunk_overlap_chars,
        }


def open_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url if "//" in settings.chroma_url else f"http://{settings.chroma_url}")
        try:
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1", port=url.port or 8000, ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # noqa: BLE001
            raise IndexError_(f"cannot reach the Chroma server at {settings.chroma_url}: {exc}") from exc
    path = settings.index_dir / "chroma"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexError_(f"cannot create the index folder {settings.index_dir}: {exc.strerror or exc}") from exc
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:  # noqa: BLE001 - sqlite/rust errors of many kinds
        if _is_read_only(exc, path) or _is_full(exc):
            raise IndexError_(_failure_message(exc, str(settings.index_dir), "open")) from exc
        raise IndexError_(
            f"the index at {settings.index_dir} is corrupt or unreadable ({type(exc).__name__}); run `rag index --rebuild`"
        ) from exc


class IndexStore:
    """Reads and writes chunks; owns the collection and the keyword index."""

    def __init__(self, settings: Settings, client: Any = None) -> None:
        self.settings = settings
        self.client = client or open_client(settings)
        self.keyword_dir = settings.index_dir / "keyword"
        self._collection = None
        self._keyword: KeywordIndex | None = None

    # -- collection lifecycle ------------------------------------------------------------------
    def collection(self, params: IndexParams | None = None, create: bool = False):
        """The chunk collection. With `params`, refuse one built by another embedder or chunker."""
        if self._collection is None:
            try:
                if create:
                    self._collection = self.client.get_or_create_collection(
                        COLLECTION, configuration={"hnsw": {"space": "cosine"}},
                        metadata={**(params.as_metadata() if params else {}), "generation": 0},
                        embedding_function=None,
                    )
                else:
                    self._collection = self.client.get_collection(COLLECTION, embedding_function=None)
            except Exception as exc:  # noqa: BLE001
                if not create and _is_not_found(exc):
                    raise IndexError_(
                        f"no index yet at {self.location}: run `rag index` first"
                    ) from exc
                raise IndexError_(f"the index at {self.location} is unreadable ({exc}); run `rag index --rebuild`") from exc
        if params is not None:
            self.check_params(params)
        return self._collection

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.settings.index_dir)

    def stored_params(self) -> dict[str, Any]:
        return dict(self.collection().metadata or {})

    def check_params(self, params: IndexParams) -> None:
        meta = self.stored_params()
        if meta.get("embed_model") != params.embed_model or meta.get("dimension") != params.dimension:
            raise IndexMismatchError(
                f"the index at {self.location} was built with embedding model {meta.get('embed_model')!r}, "
                f"not {params.embed_model!r}: run `rag index --rebuild` to re-embed everything"
            )

    def chunking_changed(self, params: IndexParams) -> bool:
        meta = self.stored_params()
        return (meta.get("chunk_chars"), meta.get("chunk_overlap_chars")) != (params.chunk_chars, params.chunk_overlap_chars)

    def reset(self) -> None:
        """Drop everything (for --rebuild)."""
        try:
            self.client.delete_collection(COLLECTION)
        except Exception:  # noqa: BLE001 - absent already
            pass
        self._collection = None
        self._keyword = None
        shutil.rmtree(self.keyword_dir, ignore_errors=True)

    # -- files ---------------------------------------------------------------------------------
    def files(self) -> dict[str, FileRecord]:
        """Indexed files, from each file's chunk #0."""
        got = self.collection().get(where={"ordinal": 0}, include=["metadatas"])
        records = {}
        for meta in got["metadatas"] or []:
            records[meta["source"]] = FileRecord(
                meta["source"], meta.get("path", ""), meta.get("title", ""), meta.get("date", ""),
                meta.get("content_hash", ""), int(meta.get("file_chunks", 0)),
            )
        return records

    def replace_file(self, doc: Document, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Write one file's chunks, replacing any it had; chunk #0 (the file record) goes in last."""
        col = self.collection()
        self.remove_file(doc.source)
        order = list(range(1, len(chunks))) + [0]
        for start in range(0, len(order), _ADD_BATCH):
            batch = order[start : start + _ADD_BATCH]
            col.add(
                ids=[chunks[i].chunk_id for i in batch],
                embeddings=vectors[batch],
                documents=[chunks[i].text for i in batch],
                metadatas=[self._chunk_metadata(doc, chunks[i], len(chunks)) for i in batch],
            )

    @staticmethod
    def _chunk_metadata(doc: Document, chunk: Chunk, total: int) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "source": doc.source, "ordinal": chunk.ordinal, "start": chunk.start, "end": chunk.end,
            "title": doc.title, "date": doc.date,
        }
        if chunk.ordinal == 0:
            meta.update(content_hash=doc.content_hash, file_chunks=total, path=doc.path)
        return meta

    def remove_file(self, source: str) -> None:
        self.collection().delete(where={"source": source})

    def repair(self) -> list[str]:
        """Remove chunks of files that were cut off mid-write (no chunk #0, or a short count)."""
        col = self.collection()
        got = col.get(include=["metadatas"])
        counts: dict[str, int] = {}
        for meta in got["metadatas"] or []:
            counts[meta["source"]] = counts.get(meta["source"], 0) + 1
        records = self.files()
        broken = [s for s, n in counts.items() if s not in records or records[s].chunks != n]
        for source in broken:
            self.remove_file(source)
        return broken

    def begin_write(self) -> bool:
        """Mark the index as being written; returns True when a previous write never finished."""
        meta = dict(self.collection().metadata or {})
        interrupted = bool(meta.get("writing"))
        meta["writing"] = 1
        self.collection().modify(metadata=meta)
        return interrupted

    def end_write(self, changed: bool) -> None:
        """Clear the writing mark; a change bumps the generation so keyword indexes rebuild."""
        meta = dict(self.collection().metadata or {})
        meta["writing"] = 0
        if changed:
            meta["generation"] = int(meta.get("generation", 0)) + 1
        self.collection().modify(metadata=meta)

    def count(self) -> int:
        return self.collection().count()

    # -- reading -------------------------------------------------------------------------------
    def dense_search(self, vector: np.ndarray, n: int) -> list[tuple[StoredChunk, float]]:
        col = self.collection()
        total = col.count()
        if total == 0:
            return []
        res = col.query(
            query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1), n_results=min(n, total),
            include=["documents", "metadatas", "distances"],
        )
        out = []
        for cid, doc, meta, dist in zip(res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0]):
            out.append((_stored(cid, doc, meta), 1.0 - float(dist)))
        return out

    def get_chunks(self, ids: Iterable[str]) -> dict[str, tuple[StoredChunk, np.ndarray]]:
        """Chunks by id, with their stored vectors (no re-embedding needed to score them)."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            return {}
        res = self.collection().get(ids=ids, include=["documents", "metadatas", "embeddings"])
        return {
            cid: (_stored(cid, doc, meta), np.asarray(vec, dtype=np.float32))
            for cid, doc, meta, vec in zip(res["ids"], res["documents"], res["metadatas"], res["embeddings"])
        }

    def chunks_of(self, source: str) -> list[StoredChunk]:
        res = self.collection().get(where={"source": source}, include=["documents", "metadatas"])
        chunks = [_stored(cid, doc, meta) for cid, doc, meta in zip(res["ids"], res["documents"], res["metadatas"])]
        return sorted(chunks, key=lambda c: c.start)

    # -- keyword index -------------------------------------------------------------------------
    def keyword(self) -> KeywordIndex:
        """The keyword index, rebuilt from the collection when missing or older than it."""
        generation = int(self.stored_params().get("generation", 0))
        if self._keyword is not None and self._keyword.generation == generation:
            return self._keyword
        loaded = KeywordIndex.load(self.keyword_dir)
        if loaded is None or loaded.generation != generation:
            loaded = self.rebuild_keyword(generation)
        self._keyword = loaded
        return loaded

    def rebuild_keyword(self, generation: int | None = None) -> KeywordIndex:
        if generation is None:
            generation = int(self.stored_params().get("generation", 0))
        res = self.collection().get(include=["documents", "metadatas"])
        titles = [m.get("title", "") for m in res["metadatas"] or []]
        texts = [f"{t}\n{d}" if t else d for t, d in zip(titles, res["documents"] or [])]
        index = KeywordIndex.build(list(res["ids"]), texts, generation)
        try:
            index.save(self.keyword_dir)
        except OSError as exc:
            log.warning("could not save the keyword index (%s); it will be rebuilt next start", exc)
        self._keyword = index
        return index


def _stored(cid: str, doc: str, meta: dict[str, Any]) -> StoredChunk:
    return StoredChunk(
        cid, meta["source"], meta.get("title", ""), meta.get("date", ""), int(meta["start"]), int(meta["end"]), doc
    )


def _is_not_found(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return "notfound" in text.replace(" ", "") or "does not exist" in text or "not found" in text

