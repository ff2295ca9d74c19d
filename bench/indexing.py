"""Indexing: `rag index` against raw `SentenceTransformer.encode` (torch) on the same chunks, like for
like: the whole command (wall clock) against a whole raw torch process (start, import, load, encode),
and the command's own indexing work against the encode call alone; re-running `rag index` on the
unchanged corpus; and whether the product's embedder keeps retrieval quality against torch's vectors
(same chunks, same questions).

The corpus is ~1,000 Wikipedia summaries written as .txt files into a scratch folder (every 10th
summary of the distractor data set).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from rag.chunking import chunk_text
from rag.config import Settings
from rag.documents import load_document
from rag.embedding import Embedder, model_dir
from rag.indexing import embed_text, index_paths
from rag.retrieval import Retriever
from rag.store import IndexStore

from .common import Section, at_least, at_most
from .data import wiki_summaries, wiki_text
from .indexes import bench_settings
from .retrieval import recall_at

_SUMMARY = re.compile(r"(\d+) chunks embedded, (\d+) in the index(?:; cleaned out [^;]*)?; ([\d.]+) s")


def settings_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that gives a `rag` subprocess exactly these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    for f in fields(settings):
        env["RAG_" + f.name.upper()] = str(getattr(settings, f.name))
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", **extra)
    return env


def rag_command() -> list[str]:
    """The `rag` console script of this environment (falls back to `python -m rag.cli`)."""
    script = Path(sys.executable).with_name("rag")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "rag.cli"]


def write_corpus(folder: Path, n_files: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, (title, summary) in enumerate(wiki_summaries()[::10][:n_files]):
        path = folder / f"wiki_{i:05d}.txt"
        path.write_text(wiki_text(title, summary), encoding="utf-8")
        paths.append(path)
    return paths


def _run_index(settings: Settings, corpus: Path) -> tuple[float, int, float]:
    """(wall seconds, chunks embedded, seconds the command reported) of one `rag index` run."""
    started = time.perf_counter()
    done = subprocess.run(
        rag_command() + ["index", str(corpus)], env=settings_env(settings), capture_output=True, text=True, timeout=1800
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"`rag index` failed ({done.returncode}): {done.stderr.strip()[-300:]}")
    match = _SUMMARY.search(" ".join(done.stdout.split()))
    if not match:
        raise RuntimeError(f"cannot read the summary of `rag index`: {done.stdout.strip()[-300:]}")
    return wall, int(match.group(1)), float(match.group(3))


def run_indexing(
    settings: Settings,
    embedder: Embedder,
    questions: list[dict[str, Any]],
    workdir: Path,
    n_files: int,
    say: Callable[[str], None],
    reps: int = 1,
) -> Section:
    """`reps` rounds of (`rag index` into a new folder, a raw torch process, the torch encode call on
    the same chunks), medians compared: alternating them lets the machine's noise hit both sides alike."""
    section = Section("indexing")
    corpus = workdir / "wiki-corpus"
    paths = write_corpus(corpus, n_files)

    # the same chunks, as `rag index` embeds them
    texts: list[str] = []
    docs = []
    for path in paths:
        doc = load_document(path)
        chunks_of = chunk_text(doc.source, doc.text, settings.chunk_chars, settings.chunk_overlap_chars)
        docs.append((doc, chunks_of))
        texts.extend(embed_text(doc.title, c.text) for c in chunks_of)

    importing = time.perf_counter()
    model = raw_sentence_transformer(settings)
    load_s = time.perf_counter() - importing
    model.encode(texts[:8], show_progress_bar=False)
    texts_file = workdir / "chunk-texts.json"
    texts_file.write_text(json.dumps(texts))
    commands, raw_times, raw_processes = [], [], []
    for round_ in range(1, reps + 1):
        local = bench_settings(settings, workdir / f"index-rag-{round_}")
        say(
            f"indexing {round_}/{reps}: `rag index` on {len(paths):,} files; a raw torch process encoding their "
            f"{len(texts):,} chunks; SentenceTransformer.encode on them in this process"
        )
        commands.append(_run_index(local, corpus))
        raw_processes.append(_run_raw_torch(settings, texts_file))
        t = time.perf_counter()
        torch_vectors = np.asarray(
            model.encode(texts, normalize_embeddings=True, show_progress_bar=False), dtype=np.float32
        )
        raw_times.append(time.perf_counter() - t)
    wall, chunks, reported = (
        float(np.median([c[0] for c in commands])),
        commands[0][1],
        float(np.median([c[2] for c in commands])),
    )
    raw_s = float(np.median(raw_times))
    raw_rate = len(texts) / raw_s
    raw_process_s = float(np.median(raw_processes))

    again_wall, again_chunks, _ = _run_index(local, corpus)
    store = IndexStore(local)
    t = time.perf_counter()
    again = index_paths([corpus], local, store, embedder)  # the command's work, timed without start-up
    again_inner = time.perf_counter() - t
    again_chunks += again.chunks

    t = time.perf_counter()
    ours = embedder.embed(texts)
    ours_s = time.perf_counter() - t
    cosine = np.sum(ours * torch_vectors, axis=1)

    # like for like: a whole process against a whole process, the work alone against the encode call alone
    cmd_rate, work_rate, raw_process_rate = chunks / wall, chunks / reported, len(texts) / raw_process_s
    section.add(
        "rag index chunks/s (whole command)",
        cmd_rate,
        "chunks/s",
        baseline=raw_process_rate,
        baseline_label="raw torch process: start, import, load, encode",
        target=">= 2 x raw",
        met=at_least(cmd_rate / raw_process_rate, 2.0),
        note=f"{chunks:,} chunks from {len(paths):,} files in {wall:.1f} s incl. start-up"
        + (f" (median of {', '.join(f'{c[0]:.1f}' for c in commands)} s)" if reps > 1 else "")
        + f"; {cmd_rate / raw_rate:.2f}x the encode call alone",
    )
    section.add(
        "rag index chunks/s (its indexing work)",
        work_rate,
        "chunks/s",
        baseline=raw_rate,
        baseline_label="raw ST.encode (torch), encode call only",
        target=">= 2 x raw",
        met=at_least(work_rate / raw_rate, 2.0),
        note=f"the time the command reports ({reported:.1f} s): read, chunk, embed, write, keyword index; "
        "not Python start-up, imports, opening the index",
    )
    section.add(
        f"embedder chunks/s in-process ({embedder.backend})",
        len(texts) / ours_s,
        "chunks/s",
        baseline=raw_rate,
        baseline_label="raw ST.encode (torch)",
    )
    per_1000 = 1000.0 / max(1, len(paths))
    floor = _read_and_hash(paths)
    section.add(
        "re-index unchanged, per 1,000 files (index work)",
        again_inner * per_1000,
        "s",
        baseline=floor * per_1000,
        baseline_label="read + sha256 of the files",
        target="<= 1 s",
        met=at_most(again_inner * per_1000, 1.0),
        note=f"index_paths in-process; {again_chunks} chunks re-embedded",
    )
    section.add(
        "re-index unchanged, whole command",
        again_wall,
        "s",
        note=f"{len(paths):,} files; includes ~1-2 s of Python start-up and imports",
    )
    section.add(
        "embedder vs torch vectors, mean cosine",
        float(cosine.mean()),
        "",
        note=f"min {float(cosine.min()):.4f} over {len(texts):,} chunks",
    )
    section.details.update(
        {
            "files": len(paths),
            "chunks": chunks,
            "rag_index_wall_s": [round(c[0], 2) for c in commands],
            "rag_index_reported_s": [round(c[2], 2) for c in commands],
            "reindex_wall_s": round(again_wall, 2),
            "reindex_inner_s": again_inner,
            "torch_model_load_s": round(load_s, 2),
            "torch_encode_s": [round(r, 2) for r in raw_times],
            "torch_process_s": [round(r, 2) for r in raw_processes],
            "embedder": embedder.name,
            "embedder_encode_s": round(ours_s, 2),
        }
    )

    if embedder.backend != "torch" and questions:
        say("indexing: recall@5 with the product's vectors vs torch's, same chunks")
        product = workdir / "index-product"
        product_recall, n = _recall_with(settings, embedder, product, (docs, ours), questions)
        torch_embedder = Embedder(
            settings.embed_model,
            settings.embed_batch_size,
            backend="torch",
            cache_dir=settings.cache_dir,
            threads=settings.threads,
        )
        torch_recall, _ = _recall_with(
            settings, torch_embedder, workdir / "index-torch", (docs, torch_vectors), questions
        )
        section.add(
            f"recall@5, {embedder.name} vs torch (~{n:,} chunks)",
            product_recall,
            "",
            baseline=torch_recall,
            baseline_label="torch vectors, same chunks",
            target="drop <= 0.05",
            met=None
            if product_recall is None or torch_recall is None
            else torch_recall - product_recall <= 0.05 + 1e-9,
        )
    return section


def raw_sentence_transformer(settings: Settings) -> Any:
    """The raw engine in this process: sentence-transformers on torch, loaded from the same folder."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(
        str(model_dir(settings.embed_model)), device="cpu", backend="torch", local_files_only=True
    )


_RAW_TORCH = """
import json, sys
from sentence_transformers import SentenceTransformer
model = SentenceTransformer(sys.argv[1], device="cpu", backend="torch", local_files_only=True)
model.encode(json.load(open(sys.argv[2])), normalize_embeddings=True, show_progress_bar=False)
"""


def _run_raw_torch(settings: Settings, texts_file: Path) -> float:
    """Wall seconds of a fresh Python process that loads the model with sentence-transformers (torch)
    and encodes the chunk texts: the raw engine as a whole command."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _RAW_TORCH, str(model_dir(settings.embed_model)), str(texts_file)],
        env=settings_env(settings),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the raw torch process failed ({done.returncode}): {done.stderr.strip()[-300:]}")
    return time.perf_counter() - started


def _read_and_hash(paths: list[Path]) -> float:
    t = time.perf_counter()
    for path in paths:
        hashlib.sha256(path.read_bytes()).hexdigest()
    return time.perf_counter() - t


def _recall_with(settings: Settings, embedder: Embedder, index_dir: Path, data, questions) -> tuple[float | None, int]:
    """recall@5 over the news corpus (embedded by `embedder`) plus `data`: (docs, their vectors)."""
    local = bench_settings(settings, index_dir)
    store = IndexStore(local)
    index_paths([settings.corpus_dir], local, store, embedder)  # the news articles, with this embedder
    if data is not None:
        docs, vectors = data
        rows, pos = [], 0
        for doc, chunks in docs:
            rows.append((doc, chunks, vectors[pos : pos + len(chunks)]))
            pos += len(chunks)
        with store.changing():
            store.write_files(rows)
    recall, _ = recall_at(Retriever(store, embedder, local), questions)
    return recall, store.count()
