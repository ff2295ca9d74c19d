"""Retrieval: latency of the whole retrieve step at ~1k, 10k and 100k chunks, and recall@5 of the gold
news article with distractors in the index.

Baseline: the raw engines the step is made of, called directly on the same index with the same
query: the embedding session (pre-tokenised input), Chroma's `collection.query` with the same
request, and bm25s (tokenise + `retrieve`). Their sum per query is the floor our code sits on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from rag.config import Settings
from rag.embedding import Embedder
from rag.retrieval import Retriever
from rag.store import IndexStore

from .common import Section, at_most, gold_rank, percentile
from .indexes import BuiltIndex, bench_settings, build_index, distractor_pool

RECALL_K = 5


def answerable(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [q for q in questions if q.get("sources") and q.get("kind") != "unanswerable"]


def recall_at(retriever: Retriever, questions: list[dict[str, Any]], k: int = RECALL_K) -> tuple[float | None, list]:
    graded = answerable(questions)
    ranks = []
    for q in graded:
        passages = retriever.retrieve(q["question"], k=k).passages
        ranks.append(gold_rank([p.source for p in passages], q["sources"]))
    if not graded:
        return None, ranks
    return sum(1 for r in ranks if r is not None and r <= k) / len(graded), ranks


def engine_floor(store: IndexStore, embedder: Embedder, query: str, depth: int) -> dict[str, float]:
    """One query through the raw engines: embedding session, Chroma query, bm25s."""
    from rag.keyword import tokenize

    out: dict[str, float] = {}
    embed = embedder.engine_call(query)  # tokenised already: the session run (or torch's encode) alone is timed
    t = time.perf_counter()
    vector = embed()
    out["embed_ms"] = (time.perf_counter() - t) * 1000
    col = store.collection()
    t = time.perf_counter()
    col.query(
        query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
        n_results=depth,
        include=["documents", "metadatas", "distances"],
    )
    out["dense_ms"] = (time.perf_counter() - t) * 1000
    retriever = store.keyword().engine
    if retriever is not None:
        t = time.perf_counter()
        tokens = tokenize([query])
        try:
            retriever.retrieve(tokens, k=min(depth, len(store.keyword().ids)), show_progress=False, n_threads=0)
        except ValueError:  # no query word in the vocabulary
            pass
        out["keyword_ms"] = (time.perf_counter() - t) * 1000
    out["floor_ms"] = sum(out.values())
    return out


def measure_index(
    built: BuiltIndex,
    settings: Settings,
    embedder: Embedder,
    questions: list[dict[str, Any]],
    reps: int,
) -> dict[str, Any]:
    local = bench_settings(settings, built.index_dir)
    store = IndexStore(local)
    retriever = Retriever(store, embedder, local)
    texts = [q["question"] for q in questions]
    k = local.k
    depth = max(20, 4 * k)
    for text in texts[:3]:  # warm: HNSW segment and keyword index loaded, caches filled
        retriever.retrieve(text, k)
        engine_floor(store, embedder, text, depth)
    latencies: list[float] = []
    floors: list[dict[str, float]] = []
    stages: dict[str, list[float]] = {"embed_ms": [], "dense_ms": [], "keyword_ms": [], "fuse_ms": []}
    for _ in range(reps):
        for text in texts:
            t = time.perf_counter()
            got = retriever.retrieve(text, k)
            latencies.append((time.perf_counter() - t) * 1000)
            for key in stages:
                stages[key].append(got.timings.get(key, 0.0))
            floors.append(engine_floor(store, embedder, text, depth))
    recall, ranks = recall_at(retriever, questions)
    return {
        "index": built.size_label,
        "chunks": built.chunks,
        "real_distractors": built.real_distractors,
        "derived_distractors": built.derived_distractors,
        "build_s": round(built.build_seconds, 1),
        "derived_fidelity": built.derived_fidelity,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "floor_p50_ms": percentile([f["floor_ms"] for f in floors], 50),
        "floor_p95_ms": percentile([f["floor_ms"] for f in floors], 95),
        "stages_p50_ms": {k_: percentile(v, 50) for k_, v in stages.items()},
        "engine_p50_ms": {
            k_: percentile([f.get(k_, 0.0) for f in floors], 50) for k_ in ("embed_ms", "dense_ms", "keyword_ms")
        },
        "recall_at_5": recall,
        "gold_ranks": ranks,
        "queries": len(latencies),
    }


def run_retrieval(
    settings: Settings,
    embedder: Embedder,
    questions: list[dict[str, Any]],
    sizes: list[int],
    cache_root: Path,
    say: Callable[[str], None],
    reps: int = 3,
    fidelity_sample: int = 200,
) -> tuple[Section, dict[int, BuiltIndex]]:
    section = Section("retrieval")
    items, vectors, pool = distractor_pool(settings, embedder, max(sizes), say)
    section.details["distractor_pool"] = pool
    built: dict[int, BuiltIndex] = {}
    news = build_index(settings, embedder, 0, items, vectors, cache_root, say)
    built[0] = news
    base = measure_index(news, settings, embedder, questions, 1)
    section.details["news_only"] = base
    base_recall = base["recall_at_5"]
    results = []
    for size in sizes:
        index = build_index(settings, embedder, size, items, vectors, cache_root, say, fidelity_sample)
        built[size] = index
        if index.build_seconds:
            say(f"  built the {index.size_label} index ({index.chunks:,} chunks) in {index.build_seconds:.0f} s")
        result = measure_index(index, settings, embedder, questions, reps)
        results.append(result)
        say(
            f"  {index.size_label}: p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms "
            f"(engines {result['floor_p95_ms']:.1f} ms), recall@5 {result['recall_at_5']}"
        )
    section.details["sizes"] = results
    biggest = max(sizes)
    for result in results:
        label = f"{result['index']} ({result['chunks']:,} chunks)"
        is_big = result["chunks"] >= 0.9 * biggest and biggest >= 100_000
        section.add(
            f"retrieve p50 @ {label}",
            result["p50_ms"],
            "ms",
            baseline=result["floor_p50_ms"],
            baseline_label="raw engines (embed+Chroma+bm25s)",
        )
        section.add(
            f"retrieve p95 @ {label}",
            result["p95_ms"],
            "ms",
            baseline=result["floor_p95_ms"],
            baseline_label="raw engines (embed+Chroma+bm25s)",
            target="<= 30 ms" if is_big else "",
            met=at_most(result["p95_ms"], 30.0) if is_big else None,
        )
        drop = None if result["recall_at_5"] is None or base_recall is None else base_recall - result["recall_at_5"]
        section.add(
            f"recall@5 @ {label}",
            result["recall_at_5"],
            "",
            baseline=base_recall,
            baseline_label=f"news only ({news.chunks} chunks)",
            target="drop <= 0.05" if is_big else "",
            met=(drop <= 0.05 + 1e-9) if (is_big and drop is not None) else None,
            note=f"drop {drop:+.3f}" if drop is not None else "no gold sources",
        )
        if result.get("derived_fidelity") is not None:
            section.notes.append(
                f"{result['index']}: {result['derived_distractors']:,} derived chunks; their cheap vectors have "
                f"mean cosine {result['derived_fidelity']:.3f} to real embeddings of their texts "
                f"({fidelity_sample} sampled)"
            )
    if not answerable(questions):
        section.notes.append("no dev questions with gold sources: recall not measured")
    return section, built
