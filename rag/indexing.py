"""`rag index`: bring the index in line with files on disk, touching only what changed.

Unchanged files are recognised by content hash and cost one stat+read; changed files are re-chunked
and re-embedded; `prune` removes files that disappeared. A run cut off (even by kill -9) leaves a
mark in the index, and the next run repairs any half-written file before doing its own work.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .chunking import chunk_document
from .cleaning import describe_cleaned
from .config import Settings
from .documents import DocumentError, Skipped, content_hash, find_files, load_document, read_bytes
from .embedding import Embedder
from .errors import RagError
from .store import IndexParams, IndexStore

log = logging.getLogger(__name__)

_WRITE_EVERY = 1000  # chunks embedded before they are written: one Chroma call per ~1,000, not one per file
_EMBED_EVERY = (
    256  # chunks embedded in one call, across files: a one-chunk article would leave an embedding thread idle
)


@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: int = 0  # unchanged
    removed: list[str] = field(default_factory=list)
    failed: list[Skipped] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    chunks: int = 0  # chunks embedded in this run
    cleaned: dict[str, int] = field(default_factory=dict)  # web noise cleaned out of the files indexed, by kind
    total_chunks: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.repaired)

    def summary(self) -> str:
        cleaned = f"; cleaned out {describe_cleaned(self.cleaned)}" if self.cleaned else ""
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {self.skipped} unchanged, "
            f"{len(self.removed)} removed, {len(self.failed)} skipped with errors; "
            f"{self.chunks} chunks embedded, {self.total_chunks} in the index{cleaned}; {self.seconds:.1f} s"
        )


@dataclass(frozen=True)
class IndexProgress:
    """Callbacks for a progress display: total chunks to embed once known, then each batch done."""

    start: Callable[[int, int], None] = lambda files, chunks: None
    advance: Callable[[int], None] = lambda n: None
    message: Callable[[str], None] = lambda text: None


def index_params(settings: Settings, embedder: Embedder) -> IndexParams:
    return IndexParams(embedder.name, embedder.dimension, settings.chunk_chars, settings.chunk_overlap_chars)


def index_paths(
    paths: Iterable[Path],
    settings: Settings,
    store: IndexStore,
    embedder: Embedder,
    prune: bool = False,
    rebuild: bool = False,
    progress: IndexProgress = IndexProgress(),
) -> IndexReport:
    started = time.perf_counter()
    report = IndexReport()
    params = index_params(settings, embedder)
    if rebuild:
        store.reset()
    store.collection(params, create=True)
    if store.chunking_changed(params):
        progress.message("chunk settings changed: re-indexing every file")
        store.reset()
        store.collection(params, create=True)

    interrupted = store.begin_write()
    failed = True
    try:
        if interrupted:
            report.repaired = store.repair()
            if report.repaired:
                progress.message(f"repaired {len(report.repaired)} file(s) left half-written by an interrupted run")
        indexed = store.files()
        files, report.failed = find_files(paths)
        todo = []  # (path, data, is_new)
        seen_names: dict[str, Path] = {}
        names_on_disk = {p.name for p in files}
        seen_hashes = {r.content_hash: s for s, r in indexed.items() if s in names_on_disk}
        for path in files:
            if path.name in seen_names:
                report.failed.append(Skipped(str(path), f"same file name as {seen_names[path.name]}; rename one"))
                continue
            seen_names[path.name] = path
            try:
                data = read_bytes(path, settings.max_upload_bytes)
            except DocumentError as exc:
                report.failed.append(Skipped(str(path), str(exc)))
                continue
            digest = content_hash(data)
            record = indexed.get(path.name)
            if record and record.content_hash == digest:
                report.skipped += 1
                continue
            twin = seen_hashes.get(digest)
            if twin and twin != path.name:
                report.failed.append(Skipped(str(path), f"duplicate of {twin} (same content)"))
                continue
            seen_hashes[digest] = path.name
            todo.append((path, data, record is None))

        parsed = []
        for path, data, is_new in todo:
            try:
                doc = load_document(path, data)
            except DocumentError as exc:
                report.failed.append(Skipped(str(path), str(exc)))
                continue
            chunks = chunk_document(doc, settings.chunk_chars, settings.chunk_overlap_chars)
            if chunks:
                parsed.append((doc, chunks, is_new))
        progress.start(len(parsed), sum(len(c) for _, c, _ in parsed))
        pending: list[tuple] = []  # (doc, chunks, vectors, is_new): written together, see write_files

        def flush() -> None:
            store.write_files(
                [(d, c, v) for d, c, v, _ in pending], replace=[d.source for d, _, _, new in pending if not new]
            )
            for d, c, _, new in pending:
                (report.added if new else report.updated).append(d.source)
                report.chunks += len(c)
                for kind, n in d.clean.removed.items():
                    report.cleaned[kind] = report.cleaned.get(kind, 0) + n
                cleaned = f"; cleaned out {describe_cleaned(d.clean.removed)}" if d.clean.removed else ""
                log.info("indexed %s (%d chunks%s)", d.source, len(c), cleaned)
            pending.clear()

        for group in _groups(parsed, _EMBED_EVERY):
            texts = [embed_text(doc.title, c.text) for doc, chunks, _ in group for c in chunks]
            vectors = embedder.embed(texts, progress=progress.advance)
            at = 0
            for doc, chunks, is_new in group:
                pending.append((doc, chunks, vectors[at : at + len(chunks)], is_new))
                at += len(chunks)
            if sum(len(p[1]) for p in pending) >= _WRITE_EVERY:
                flush()
        flush()

        if prune:
            on_disk = set(seen_names)
            for source in sorted(set(indexed) - on_disk):
                store.remove_file(source)
                report.removed.append(source)
        failed = False
    finally:
        try:
            store.end_write(changed=report.changed or interrupted)
        except RagError as exc:
            if not failed:
                raise
            # the run's own error says more (e.g. disk full); the mark stays, the next run repairs
            log.warning("could not clear the index's writing mark: %s", exc)
    for skipped in report.failed:
        log.warning("skipped %s: %s", skipped.path, skipped.reason)
    store.keyword()  # rebuild now, not on the first question
    report.total_chunks = store.count()
    report.seconds = time.perf_counter() - started
    return report


def _groups(parsed: list[tuple], size: int) -> Iterator[list[tuple]]:
    """Whole files, about `size` chunks at a time."""
    group: list[tuple] = []
    count = 0
    for item in parsed:
        group.append(item)
        count += len(item[1])
        if count >= size:
            yield group
            group, count = [], 0
    if group:
        yield group


def embed_text(title: str, text: str) -> str:
    """What is embedded for a chunk: its text under its article's title, which names the story a
    passage belongs to. Public so that anything embedding chunks itself (the benchmark's cached
    distractors) makes the same vectors as `rag index`."""
    return f"{title}\n{text}" if title else text
