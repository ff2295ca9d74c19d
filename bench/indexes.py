"""Indexes of a chosen size for the benchmark: the news corpus plus distractors, cached.

The news articles go in through the product's own `index_paths`; distractor articles are written
with `IndexStore.write_files` (what `rag index` calls) from vectors embedded once and cached. A
built index is kept under `cache_dir/bench/` with a `complete` mark, so later runs reuse it;
delete that folder to rebuild.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.chunking import CHUNKER_VERSION
from rag.config import Settings
from rag.documents import find_files, read_bytes
from rag.embedding import Embedder
from rag.indexing import embed_text, index_paths
from rag.store import IndexStore

from .data import DATA_VERSION, LAYOUT_VERSION, Item, cached_vectors, derived_items, take_chunks, wiki_items


@dataclass
class BuiltIndex:
    size_label: str
    index_dir: Path
    chunks: int  # chunks in the index
    real_distractors: int
    derived_distractors: int
    build_seconds: float  # 0 when reused from the cache
    derived_fidelity: float | None = None  # mean cosine of cheap vs real vectors on a sample


def corpus_key(corpus_dir: Path) -> str:
    files, _ = find_files([corpus_dir])
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(read_bytes(path)).digest())
    return digest.hexdigest()[:12]


def bench_settings(settings: Settings, index_dir: Path) -> Settings:
    return settings.with_overrides(index_dir=index_dir, chroma_url="")


def build_index(
    settings: Settings,
    embedder: Embedder,
    target_chunks: int,
    items: list[Item],
    vectors: np.ndarray,
    cache_root: Path,
    say: Callable[[str], None] = lambda text: None,
    fidelity_sample: int = 0,
) -> BuiltIndex:
    """An index of the news corpus plus distractors, about `target_chunks` chunks in all.

    Real summary chunks come first; when they run out, derived chunks (see data.py) fill up.
    `vectors` holds the real chunks' vectors in `items` order.
    """
    chunker = CHUNKER_VERSION
    key = hashlib.sha256(
        f"{DATA_VERSION}.{LAYOUT_VERSION}|{embedder.name}|{settings.chunk_chars}|{settings.chunk_overlap_chars}|"
        f"{chunker}|{corpus_key(settings.corpus_dir)}|{target_chunks}".encode()
    ).hexdigest()[:12]
    index_dir = cache_root / f"index-{target_chunks}-{key}"
    label = _label(target_chunks)
    mark = index_dir / "complete"
    if mark.is_file():
        info = mark.read_text().split()
        return BuiltIndex(
            label,
            index_dir,
            int(info[0]),
            int(info[1]),
            int(info[2]),
            0.0,
            float(info[3]) if len(info) > 3 and info[3] != "-" else None,
        )
    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    local = bench_settings(settings, index_dir)
    store = IndexStore(local)
    report = index_paths([settings.corpus_dir], local, store, embedder)
    news = report.total_chunks
    want = max(0, target_chunks - news)
    written_real = _trim(take_chunks(items, want), want) if want else []  # whole articles only
    n_real = sum(len(i.chunks) for i in written_real)
    real_vectors = vectors[:n_real]
    n_derived = max(0, want - n_real)
    say(f"building the {label}-chunk index: {news} news + {n_real:,} summary + {n_derived:,} derived chunks")
    with store.changing():
        store.write_files(_with_vectors(written_real, real_vectors))
        fidelity = None
        if n_derived:
            derived = derived_items(items, vectors, n_derived, settings.chunk_chars)
            sample: list[tuple[str, str, np.ndarray]] = []

            def tracked() -> Iterable[tuple]:
                for item, item_vectors, _ in derived:
                    for chunk, vector in zip(item.chunks, item_vectors):
                        if len(sample) < fidelity_sample:
                            sample.append((item.doc.title, chunk.text, vector))
                    yield item.doc, item.chunks, item_vectors

            _write_streaming(store, tracked())
            if sample:  # how close the cheap vectors are to what the network makes of those texts
                real_vecs = embedder.embed([embed_text(t, s) for t, s, _ in sample])
                fidelity = float(np.mean([float(r @ v) for r, (_, _, v) in zip(real_vecs, sample)]))
    total = store.count()
    seconds = time.perf_counter() - started
    mark.write_text(f"{total} {n_real} {n_derived} {fidelity if fidelity is not None else '-'}\n")
    return BuiltIndex(label, index_dir, total, n_real, n_derived, seconds, fidelity)


def _trim(items: list[Item], n_chunks: int) -> list[Item]:
    out, left = [], n_chunks
    for item in items:
        if left <= 0:
            break
        if len(item.chunks) <= left:
            out.append(item)
            left -= len(item.chunks)
        else:  # a whole article is needed for its file record: drop it and stop
            break
    return out


def _with_vectors(items: list[Item], vectors: np.ndarray) -> list[tuple]:
    out, pos = [], 0
    for item in items:
        out.append((item.doc, item.chunks, vectors[pos : pos + len(item.chunks)]))
        pos += len(item.chunks)
    return out


def _write_streaming(store: IndexStore, rows: Iterable[tuple], group: int = 1000) -> None:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= group:
            store.write_files(batch)
            batch = []
    if batch:
        store.write_files(batch)


def _label(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def distractor_pool(
    settings: Settings, embedder: Embedder, max_chunks: int, say: Callable[[str], None] = lambda text: None
) -> tuple[list[Item], np.ndarray, dict]:
    """The real summary articles needed for indexes up to `max_chunks`, with their cached vectors."""
    items = wiki_items(settings)
    available = sum(len(i.chunks) for i in items)
    needed = take_chunks(items, min(max_chunks, available))
    n = sum(len(i.chunks) for i in needed)
    say(f"distractors: {len(needed):,} Wikipedia summaries, {n:,} chunks (of {available:,})")
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 15:
            last[0] = time.perf_counter()
            say(f"  embedding distractors: {done:,}/{total:,}")

    vectors, seconds, embedded = cached_vectors(settings, embedder, needed, progress)
    info = {
        "summaries": len(needed),
        "chunks": n,
        "embedded_now": embedded,
        "embed_seconds": round(seconds, 1),
        "chunks_per_s": round(embedded / seconds, 1) if seconds else None,
    }
    return needed, vectors, info
