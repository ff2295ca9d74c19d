"""The bench's machinery on tiny sizes. No timing thresholds here: `make bench` measures, tests check
that the figures are produced, carry their baselines and reach the JSON file."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import CORPUS, PROJECT_ROOT, TINY_MODEL, make_settings, rag_env

from bench import BenchPlan, run_bench
from bench.common import Row, Section, example_questions, gold_rank, load_dev_questions, percentile
from bench.data import Item, derived_items, take_chunks, wiki_items, wiki_summaries
from bench.report import fmt, summary
from rag.chunking import Chunk
from rag.documents import Document


def test_percentile_and_gold_rank():
    assert percentile([], 50) is None
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == pytest.approx(3.85)  # numpy's linear interpolation
    assert gold_rank(["a.txt", "001_x.txt", "002_y.txt"], ["002_y"]) == 3
    assert gold_rank(["a.txt"], ["002_y"]) is None


def test_rows_ratios_and_summary():
    section = Section("s")
    section.add("faster", 20.0, "tok/s", baseline=10.0, target=">= 2 x", met=True)
    section.add("slower", 5.0, "s", baseline=None, target="<= 1 s", met=False)
    section.add("info", None)
    assert section.rows[0].ratio == 2.0 and section.rows[1].ratio is None
    assert summary([section]) == {"targets": 2, "met": 1, "missed": 1, "unmeasured": 0}
    assert Row("s", "m", 0.5).as_json()["ratio"] is None
    assert fmt(None) == "–" and fmt(1234.5, "ms") == "1,234 ms" and fmt(0.25) == "0.250"


def test_missing_dev_questions_are_an_empty_list(tmp_path):
    assert load_dev_questions(tmp_path / "absent.jsonl") == []


def test_example_questions_are_data_beside_the_corpus(tmp_path):
    shipped = example_questions()
    assert shipped and all((CORPUS / f"{q['sources'][0]}.txt").is_file() for q in shipped)
    own = tmp_path / "examples.json"
    own.write_text(json.dumps({"a.txt": ["Who?", "When?"], "b.md": ["Where?"]}))
    assert [(q["question"], q["sources"]) for q in example_questions(own)] == [
        ("Who?", ["a"]),
        ("When?", ["a"]),
        ("Where?", ["b"]),
    ]
    assert len({q["id"] for q in example_questions(own)}) == 3


def test_wiki_summaries_are_read_from_the_installed_package():
    summaries = wiki_summaries()
    assert len(summaries) > 9000
    title, text = summaries[0]
    assert title and len(text) > 50


def test_derived_chunks_mix_two_real_chunks_with_a_unit_vector():
    def item(i: int, text: str):
        doc = Document(f"w{i}.txt", "", f"Title {i}", "", text, str(i))
        return Item(
            doc, [Chunk(chunk_id=f"w{i}.txt#0", source=f"w{i}.txt", ordinal=0, start=0, end=len(text), text=text)]
        )

    real = [
        item(0, "Alpha one. Alpha two. Alpha three. Alpha four."),
        item(1, "Beta one. Beta two. Beta three. Beta four."),
        item(2, "Gamma one. Gamma two."),
    ]
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(3, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    made = list(derived_items(real, vectors, 20, chunk_chars=600, seed=3, per_article=8))
    assert [len(item.chunks) for item, _, _ in made] == [8, 8, 4]  # 20 chunks in articles of 8
    again = list(derived_items(real, vectors, 20, chunk_chars=600, seed=3, per_article=8))
    assert [i.doc.text for i, _, _ in made] == [i.doc.text for i, _, _ in again]  # deterministic
    for derived, item_vectors, origins in made:
        assert len({c.chunk_id for c in derived.chunks}) == len(derived.chunks)
        for n, (chunk, vector, (a, b, weight)) in enumerate(zip(derived.chunks, item_vectors, origins)):
            assert chunk.ordinal == n and chunk.chunk_id == f"{derived.doc.source}#{n}"
            assert derived.doc.text[chunk.start : chunk.end] == chunk.text  # offsets point into the article
            assert a != b and 0 < weight < 1
            first_words = {t.split()[0] for t in real[a].chunks[0].text.split(". ")}
            assert chunk.text.split()[0] in first_words  # starts with chunk a
            assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5
            expected = weight * vectors[a] + (1 - weight) * vectors[b]
            assert float(vector @ (expected / np.linalg.norm(expected))) == pytest.approx(1.0, abs=1e-5)


def test_take_chunks_takes_whole_articles():
    settings = make_settings(CORPUS)
    items = wiki_items(settings, limit=50)
    taken = take_chunks(items, 30)
    assert sum(len(i.chunks) for i in taken) >= 30
    assert sum(len(i.chunks) for i in taken[:-1]) < 30


def test_quick_bench_retrieval_and_generation(tmp_path, capsys):
    """The retrieval and generation sections end to end on tiny sizes, with the tiny model."""
    from rich.console import Console

    settings = make_settings(tmp_path / "unused-index", model=TINY_MODEL)
    plan = BenchPlan(sizes=(250,), index_files=10, reps=1, questions=2, raw_requests=2, fidelity_sample=5)
    out = tmp_path / "bench.json"
    console = Console(width=200, record=True)
    run_bench(settings, out, quick=True, console=console, sections=("retrieval", "generation"), plan=plan)
    data = json.loads(out.read_text())
    assert set(data["sections"]) == {"retrieval", "generation"}
    assert all(not s["error"] for s in data["sections"].values())
    retrieval = {r["metric"]: r for r in data["sections"]["retrieval"]["rows"]}
    p95 = next(r for m, r in retrieval.items() if m.startswith("retrieve p95"))
    assert p95["value"] > 0 and p95["baseline"] > 0 and p95["ratio"] > 0
    recall = next(r for m, r in retrieval.items() if m.startswith("recall@5"))
    assert 0 <= recall["value"] <= 1 and recall["baseline"] is not None
    generation = {r["metric"]: r for r in data["sections"]["generation"]["rows"]}
    rate = generation["tokens/s (decode)"]
    assert rate["target"] and (rate["value"] is None or rate["value"] > 0)
    assert generation["time to first token p50"]["target"] == "<= 2.5 s"
    assert data["machine"]["cpus"] >= 1 and data["method"]
    text = console.export_text()
    assert "retrieve p95" in text and "baseline" in text


def test_load_section_serves_concurrent_users_against_one_at_a_time(tmp_path):
    from rich.console import Console

    settings = make_settings(tmp_path / "unused-index", model=TINY_MODEL, n_threads=1, max_tokens=24)
    plan = BenchPlan(sizes=(), index_files=0, reps=1, questions=2, raw_requests=0, fidelity_sample=0, users=3)
    out = tmp_path / "bench.json"
    run_bench(settings, out, quick=True, console=Console(width=200), sections=("load",), plan=plan)
    rows = {r["metric"]: r for r in json.loads(out.read_text())["sections"]["load"]["rows"]}
    assert rows["answers/s with 3 users"]["value"] > 0 and rows["answers/s with 3 users"]["baseline"] > 0
    assert rows["latency p95, 3 users"]["baseline"] > 0
    assert rows["complete, un-interleaved answers"]["met"] is True  # 3 of 3, while a fourth client hung up


@pytest.mark.slow
def test_bench_quick_command(tmp_path):
    """`python -m bench --quick` as `make bench` runs it (every section, the tiny model).

    The tiny model is never sure enough that the articles answer, so the pipeline would refuse every
    question before writing; threshold 0 makes it write each answer, which is what generation times."""
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--json", str(out)],
        cwd=PROJECT_ROOT,
        env=rag_env(tmp_path / "index", RAG_MODEL=TINY_MODEL, RAG_ANSWER_THRESHOLD="0"),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(out.read_text())
    assert set(data["sections"]) == {"indexing", "retrieval", "generation", "start-up", "load"}
    for section in data["sections"].values():
        assert not section["error"]
        assert any(r["baseline"] is not None for r in section["rows"])
    assert "start-up" in done.stdout and "peak RSS" in done.stdout


def test_llama_threads_follow_the_idle_cores(tmp_path):
    """n_threads=0: each answer uses the cores other programs leave idle; an explicit count is kept."""
    from rag.llm import idle_cores, load_llm

    assert 1 <= idle_cores(4) <= 4 and idle_cores(1) == 1
    adaptive = load_llm(make_settings(tmp_path, model=TINY_MODEL))
    list(adaptive.stream([{"role": "user", "content": "Say hi."}], max_tokens=3, temperature=0.0))
    assert 1 <= adaptive.threads_used <= make_settings(tmp_path).threads
    pinned = load_llm(make_settings(tmp_path, model=TINY_MODEL, n_threads=1))
    list(pinned.stream([{"role": "user", "content": "Say hi."}], max_tokens=3, temperature=0.0))
    assert pinned.threads_used == 1


@pytest.mark.parametrize("cleaned", [{}, {"menu": 1}, {"footnote": 36, "menu": 5}])
def test_the_index_summary_is_read_with_or_without_a_clean_up_note(cleaned):
    from bench.indexing import _SUMMARY
    from rag.indexing import IndexReport

    line = IndexReport(chunks=1286, total_chunks=1300, cleaned=cleaned, seconds=9.4).summary()
    match = _SUMMARY.search(line)
    assert match and match.groups() == ("1286", "1300", "9.4"), line
