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
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .chunking import CHUNKER_VERSION, Chunk
from .cleaning import KINDS
from .config import Settings
from .documents import Document
from .errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    IndexStoreError,
    RagError,
    ServerUnreachableError,
)
from .keyword import KeywordIndex
from .span import LocatedSpan
from .textmap import Edits, dumps, loads

log = logging.getLogger(__name__)

COLLECTION = "chunks"
SCHEMA_VERSION = 3  # 3: clean text and its edits (2: chunk text in the metadata; 1: in Chroma's documents; all read)
_ADD_BATCH = 1000
_GET_PAGE = 5000  # rows per `collection.get` when reading everything (see _get_all)
_REFRESH_S = 2.0  # how often the collection's metadata is re-read (other processes may have written)


@dataclass(frozen=True)
class FileRecord:
    source: str
    path: str
    title: str
    date: str
    content_hash: str
    chunks: int
    removed: dict[str, int] = field(default_factory=dict)  # web noise cleaned out, by kind (rag/cleaning.py)


@dataclass(frozen=True, kw_only=True)
class StoredChunk(LocatedSpan):
    ordinal: int = 0
    lead: str = ""  # whitespace joining it to the previous chunk (see Chunk.lead)
    edits: Edits = ()  # cleaning's edits inside the chunk and in its lead (see Chunk)
    lead_edits: Edits = ()


@dataclass(frozen=True)
class IndexParams:
    """What the vectors depend on: a change here means re-embedding, never mixing."""

    embed_model: str
    dimension: int
    chunk_chars: int
    chunk_overlap_chars: int

    def as_metadata(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "embed_model": self.embed_model,
            "dimension": self.dimension,
            "chunk_chars": self.chunk_chars,
            "chunk_overlap_chars": self.chunk_overlap_chars,
            "chunker": CHUNKER_VERSION,
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
                host=url.hostname or "127.0.0.1",
                port=url.port or 8000,
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # noqa: BLE001
            raise ServerUnreachableError(f"cannot reach the Chroma server at {settings.chroma_url}: {exc}") from exc
    path = settings.index_dir / "chroma"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexStoreError(f"cannot create the index folder {settings.index_dir}: {exc.strerror or exc}") from exc
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:  # noqa: BLE001 - sqlite/rust errors of many kinds
        if _is_read_only(exc, path) or _is_full(exc):
            raise _failure(exc, str(settings.index_dir), "open") from exc
        raise IndexCorruptError(
            f"the index at {settings.index_dir} is corrupt or unreadable ({type(exc).__name__}); "
            "run `rag index --rebuild`"
        ) from exc


class IndexStore:
    """Reads and writes chunks; owns the collection and the keyword index."""

    def __init__(self, settings: Settings, client: Any = None) -> None:
        self.settings = settings
        self.client = client or open_client(settings)
        self._collection = None
        self._refreshed = 0.0
        self._refresh_lock = threading.Lock()
        self._keyword: KeywordIndex | None = None

    @property
    def keyword_dir(self) -> Path:
        """Where the keyword index is kept. For a Chroma server, one per server collection (its id
        changes when the index is rebuilt), so an embedded index's keyword files are never mixed in."""
        base = self.settings.index_dir / "keyword"
        if self.settings.chroma_url and self._collection is not None:
            return base.with_name(f"keyword-{self._collection.id}")
        return base

    # -- collection lifecycle ------------------------------------------------------------------
    def collection(self, params: IndexParams | None = None, create: bool = False):
        """The chunk collection. With `params`, refuse one built by another embedder or chunker."""
        if self._collection is None:
            try:
                if create:
                    self._collection = self.client.get_or_create_collection(
                        COLLECTION,
                        configuration={"hnsw": {"space": "cosine"}},
                        metadata={**(params.as_metadata() if params else {}), "generation": 0},
                        embedding_function=None,
                    )
                else:
                    self._collection = self.client.get_collection(COLLECTION, embedding_function=None)
            except Exception as exc:  # noqa: BLE001
                if not create and _is_not_found(exc):
                    raise IndexMissingError(f"no index yet at {self.location}: run `rag index` first") from exc
                if _is_read_only(exc) or _is_full(exc) or _is_unreachable(exc):
                    raise _failure(exc, self.location, "write" if create else "read") from exc
                raise IndexCorruptError(
                    f"the index at {self.location} is unreadable ({exc}); run `rag index --rebuild`"
                ) from exc
            self._refreshed = time.monotonic()
        if params is not None:
            self.check_params(params)
        return self._collection

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.settings.index_dir)

    def refresh(self, force: bool = False) -> None:
        """Re-read the collection (at most every few seconds): another process may have changed it, e.g.
        `rag index` beside a running chat, or another app instance on the same Chroma server. A newer
        generation then rebuilds the keyword index; a rebuilt collection (new id) is picked up."""
        if self._collection is None or (not force and time.monotonic() - self._refreshed < _REFRESH_S):
            return
        with self._refresh_lock:
            if not force and time.monotonic() - self._refreshed < _REFRESH_S:
                return
            self._refreshed = time.monotonic()
            try:
                with self._guard("read"):
                    self._collection = self.client.get_collection(COLLECTION, embedding_function=None)
            except RagError:
                raise
            except Exception as exc:  # noqa: BLE001
                if _is_not_found(exc):
                    self._collection = None
                    raise IndexMissingError(f"the index at {self.location} was removed: run `rag index`") from exc
                raise

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        """Storage failures (disk full, read-only folder, server gone) as one-line errors of the family."""
        try:
            yield
        except RagError:
            raise
        except Exception as exc:  # noqa: BLE001 - filtered just below
            if not _is_storage_failure(exc):
                raise
            raise _failure(exc, self.location, action) from exc

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
        stored = (meta.get("chunk_chars"), meta.get("chunk_overlap_chars"), meta.get("chunker", 1))
        return stored != (params.chunk_chars, params.chunk_overlap_chars, CHUNKER_VERSION)

    def reset(self) -> None:
        """Drop everything (for --rebuild)."""
        keyword_dir = self.keyword_dir
        try:
            self.client.delete_collection(COLLECTION)
        except Exception:  # noqa: BLE001 - absent already
            pass
        self._collection = None
        self._keyword = None
        shutil.rmtree(keyword_dir, ignore_errors=True)

    # -- files ---------------------------------------------------------------------------------
    def files(self) -> dict[str, FileRecord]:
        """Indexed files, from each file's chunk #0."""
        self.collection()
        self.refresh()
        with self._guard("read"):
            got = _get_all(self.collection(), where={"ordinal": 0}, include=["metadatas"])
        records = {}
        for meta in got["metadatas"] or []:
            records[meta["source"]] = FileRecord(
                meta["source"],
                meta.get("path", ""),
                meta.get("title", ""),
                meta.get("date", ""),
                meta.get("content_hash", ""),
                int(meta.get("file_chunks", 0)),
                {kind: int(meta[f"removed_{kind}"]) for kind in KINDS if meta.get(f"removed_{kind}")},
            )
        return records

    def write_files(
        self,
        items: Sequence[tuple[Document, Sequence[Chunk], np.ndarray]],
        replace: Iterable[str] = (),
    ) -> None:
        """Write many files' chunks in few Chroma calls (each call costs ~50 ms whatever its size, so
        one call per file made indexing 1,000 small files take a minute).

        The chunk text goes in the metadata, not in Chroma's `documents`: documents feed Chroma's
        full-text index, which this tool never queries (bm25s does keyword search), and cost more
        than half of each write (1,286 chunks: 0.90 s with documents, 0.44 s without).

        The chunks of the files named in `replace` are deleted first. Each file's chunk #0 follows its
        other chunks, so a write cut off between calls is repaired like a single file's.
        """
        col = self.collection()
        replace = list(dict.fromkeys(replace))
        for start in range(0, len(replace), 500):
            with self._guard("write"):
                col.delete(where={"source": {"$in": replace[start : start + 500]}})
        ids: list[str] = []
        vectors: list[np.ndarray] = []
        metas: list[dict[str, Any]] = []
        limit = self._write_batch()

        def flush() -> None:
            if ids:
                with self._guard("write"):
                    col.add(ids=list(ids), embeddings=np.vstack(vectors), metadatas=list(metas))
                ids.clear()
                vectors.clear()
                metas.clear()

        for doc, chunks, doc_vectors in items:
            for i in list(range(1, len(chunks))) + [0]:
                ids.append(chunks[i].chunk_id)
                vectors.append(np.asarray(doc_vectors[i], dtype=np.float32).reshape(1, -1))
                metas.append(self._chunk_metadata(doc, chunks[i], len(chunks)))
                if len(ids) >= limit:
                    flush()
        flush()

    def _write_batch(self) -> int:
        """Chunks per `add` call: as many as the client accepts, up to 5,000."""
        try:
            return max(1, min(5000, int(self.client.get_max_batch_size())))
        except Exception:  # noqa: BLE001 - a server without the call
            return _ADD_BATCH

    @staticmethod
    def _chunk_metadata(doc: Document, chunk: Chunk, total: int) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "source": doc.source,
            "ordinal": chunk.ordinal,
            "start": chunk.start,
            "end": chunk.end,
            "lead": chunk.lead,
            "title": doc.title,
            "date": doc.date,
            "text": chunk.text,
        }
        if chunk.edits:
            meta["edits"] = dumps(chunk.edits)
        if chunk.lead_edits:
            meta["lead_edits"] = dumps(chunk.lead_edits)
        if chunk.ordinal == 0:
            meta.update(content_hash=doc.content_hash, file_chunks=total, path=doc.path)
            meta.update({f"removed_{kind}": n for kind, n in doc.clean.removed.items()})
        return meta

    def remove_file(self, source: str) -> None:
        with self._guard("write"):
            self.collection().delete(where={"source": source})

    def repair(self) -> list[str]:
        """Remove chunks of files that were cut off mid-write (no chunk #0, or a short count)."""
        col = self.collection()
        with self._guard("read"):
            got = _get_all(col, include=["metadatas"])
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
        self.collection()
        self.refresh(force=True)  # the mark another process may have left is in the stored metadata
        meta = dict(self.collection().metadata or {})
        interrupted = bool(meta.get("writing"))
        meta["writing"] = 1
        with self._guard("write"):
            self.collection().modify(metadata=meta)
        return interrupted

    def end_write(self, changed: bool) -> None:
        """Clear the writing mark; a change bumps the generation so keyword indexes rebuild."""
        meta = dict(self.collection().metadata or {})
        meta["writing"] = 0
        if changed:
            meta["generation"] = int(meta.get("generation", 0)) + 1
        with self._guard("write"):
            self.collection().modify(metadata=meta)

    @contextmanager
    def changing(self) -> Iterator[None]:
        """A write that changes the index: marked while it runs, the keyword index rebuilt after it."""
        self.begin_write()
        try:
            yield
        finally:
            self.end_write(changed=True)
        self.keyword()

    def count(self) -> int:
        with self._guard("read"):
            return self.collection().count()

    # -- reading -------------------------------------------------------------------------------
    def dense_search(
        self,
        vector: np.ndarray,
        n: int,
        within: Collection[str] | None = None,
    ) -> list[tuple[StoredChunk, float]]:
        """The `n` chunks nearest to `vector`; with `within`, only chunks of those article files."""
        self.collection()
        self.refresh()
        col = self.collection()
        vector = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        dimension = (col.metadata or {}).get("dimension")
        if dimension and int(dimension) != vector.shape[1]:
            raise IndexMismatchError(
                f"the index at {self.location} holds {dimension}-dimensional vectors from embedding model "
                f"{(col.metadata or {}).get('embed_model')!r}, but the embedder in use makes {vector.shape[1]}: "
                "run `rag index --rebuild`, or use the embedding model the index was built with"
            )
        with self._guard("read"):  # no count() first: Chroma returns what it has, and counting 100k rows cost 6 ms
            res = col.query(
                query_embeddings=vector,
                n_results=n,
                include=["documents", "metadatas", "distances"],
                where=None if within is None else {"source": {"$in": sorted(within)}},
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
        with self._guard("read"):
            res = self.collection().get(ids=ids, include=["documents", "metadatas", "embeddings"])
        return {
            cid: (_stored(cid, doc, meta), np.asarray(vec, dtype=np.float32))
            for cid, doc, meta, vec in zip(res["ids"], res["documents"], res["metadatas"], res["embeddings"])
        }

    def chunks_of(self, source: str) -> list[StoredChunk]:
        with self._guard("read"):
            res = self.collection().get(where={"source": source}, include=["documents", "metadatas"])
        chunks = [_stored(cid, doc, meta) for cid, doc, meta in zip(res["ids"], res["documents"], res["metadatas"])]
        return sorted(chunks, key=lambda c: c.start)

    # -- keyword index -------------------------------------------------------------------------
    def keyword(self) -> KeywordIndex:
        """The keyword index, rebuilt from the collection when missing or older than it."""
        self.collection()
        self.refresh()
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
        with self._guard("read"):
            res = _get_all(self.collection(), include=["documents", "metadatas"])
        titles = [m.get("title", "") for m in res["metadatas"] or []]
        bodies = [_text(d, m) for d, m in zip(res["documents"] or [], res["metadatas"] or [])]
        texts = [f"{t}\n{d}" if t else d for t, d in zip(titles, bodies)]
        index = KeywordIndex.build(list(res["ids"]), texts, generation)
        try:
            index.save(self.keyword_dir)
        except OSError as exc:
            log.warning("could not save the keyword index (%s); it will be rebuilt next start", exc)
        self._keyword = index
        return index


def _get_all(col: Any, **kwargs: Any) -> dict[str, list]:
    """`collection.get` in pages: one call over a large collection fails inside Chroma's SQLite
    ("too many SQL variables", seen at 100,000 chunks)."""
    out: dict[str, list] = {"ids": [], "documents": [], "metadatas": []}
    offset = 0
    while True:
        res = col.get(limit=_GET_PAGE, offset=offset, **kwargs)
        ids = list(res["ids"] or [])
        out["ids"].extend(ids)
        for key in ("documents", "metadatas"):
            if res.get(key) is not None:
                out[key].extend(res[key])
        if len(ids) < _GET_PAGE:
            return out
        offset += _GET_PAGE


def _text(doc: str | None, meta: dict[str, Any]) -> str:
    """A chunk's text: in its metadata since schema 2, in Chroma's document before."""
    return str(meta["text"]) if "text" in meta else doc or ""


def _stored(cid: str, doc: str | None, meta: dict[str, Any]) -> StoredChunk:
    return StoredChunk(
        chunk_id=cid,
        source=meta["source"],
        title=meta.get("title", ""),
        date=meta.get("date", ""),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=_text(doc, meta),
        ordinal=int(meta.get("ordinal", 0)),
        lead=str(meta.get("lead", "")),
        edits=loads(meta.get("edits")),
        lead_edits=loads(meta.get("lead_edits")),
    )


def _is_not_found(exc: Exception) -> bool:
    from chromadb.errors import NotFoundError

    return isinstance(exc, NotFoundError)


# -- storage failures as one line ------------------------------------------------------------------


def _errnos(exc: BaseException) -> set[int]:
    found = set()
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno:
            found.add(exc.errno)
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return found


def _is_read_only(exc: BaseException, path: Path | None = None) -> bool:
    text = str(exc).lower()
    if _errnos(exc) & {errno.EROFS, errno.EACCES, errno.EPERM}:
        return True
    if "readonly" in text or "read-only" in text or "permission denied" in text:
        return True
    return path is not None and path.exists() and not os.access(path, os.W_OK)


def _is_full(exc: BaseException) -> bool:
    text = str(exc).lower()
    if _errnos(exc) & {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}:
        return True
    return any(s in text for s in ("disk is full", "no space left", "file too large", "disk i/o error", "quota"))


def _is_unreachable(exc: BaseException) -> bool:
    try:
        import httpx

        if isinstance(exc, (httpx.TransportError, ConnectionError)):
            return True
    except ImportError:  # pragma: no cover
        pass
    return "could not connect to a chroma server" in str(exc).lower()


def _is_storage_failure(exc: BaseException) -> bool:
    from chromadb.errors import ChromaError

    return isinstance(exc, (ChromaError, OSError, ConnectionError)) or _is_unreachable(exc) or _is_full(exc)


def _failure(exc: BaseException, location: str, action: str) -> RagError:
    """The error of the family for a failed read or write: an unreachable server, or the store's own."""
    message = _failure_message(exc, location, action)
    return ServerUnreachableError(message) if _is_unreachable(exc) else IndexStoreError(message)


def _failure_message(exc: BaseException, location: str, action: str) -> str:
    """One line for a failed read or write of the index: what happened and what to do."""
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    if _is_unreachable(exc):
        return (
            f"the Chroma server at {location} is not answering ({detail}): "
            "start it, or check --chroma-url / RAG_CHROMA_URL"
        )
    if _is_read_only(exc):
        return (
            f"the index at {location} is read-only ({detail}): make the folder writable, or point --index-dir at a "
            "writable copy (the index needs write access even to answer questions); nothing in it was changed"
        )
    if _is_full(exc):
        return (
            f"the index at {location} could not be written: the disk is full or a file size limit was reached "
            f"({detail}); what was indexed before is kept: free some space and run `rag index` again"
        )
    done = "written" if action == "write" else "read"
    return f"the index at {location} could not be {done} ({type(exc).__name__}: {detail})"
