"""Hybrid retrieval's own logic: rank fusion, joining passages, and the whole step on a toy index."""

from __future__ import annotations

import pytest
from conftest import make_settings
from fakes import HashEmbedder

from rag.indexing import index_paths
from rag.retrieval import Passage, Retriever, merge_overlapping, reciprocal_rank_fusion
from rag.store import IndexStore

ARTICLE = "One two three. Four five six. Seven eight nine. Ten eleven twelve."


def passage(
    start: int,
    end: int,
    score: float = 1.0,
    source: str = "a.txt",
    lead: str = "",
    ordinal: int = 0,
    text: str | None = None,
) -> Passage:
    return Passage(
        chunk_id=f"{source}#{ordinal}",
        source=source,
        title="A",
        date="",
        start=start,
        end=end,
        text=ARTICLE[start:end] if text is None else text,
        score=score,
        dense=score / 10,
        keyword=score,
        first_ordinal=ordinal,
        lead=lead,
    )


def test_rank_fusion_sums_reciprocal_ranks_over_both_lists():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]], k=60)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["a"] == pytest.approx(1 / 61) and fused["d"] == pytest.approx(1 / 62)
    assert sorted(fused, key=lambda i: -fused[i]) == ["b", "a", "d", "c"]  # found by both beats first in one
    assert reciprocal_rank_fusion([[], []], k=60) == {}


def test_a_smaller_k_weighs_the_top_ranks_more():
    flat, steep = reciprocal_rank_fusion([["a", "b"]], k=60), reciprocal_rank_fusion([["a", "b"]], k=1)
    assert steep["a"] / steep["b"] > flat["a"] / flat["b"]


def test_overlapping_passages_merge_into_the_best_ranked_one():
    best, other = passage(15, 47, score=3.0, ordinal=1), passage(0, 29, score=1.0, ordinal=0)
    [merged] = merge_overlapping([best, other])
    assert (merged.start, merged.end) == (0, 47) and merged.text == ARTICLE[0:47]
    assert merged.chunk_id == best.chunk_id and merged.score == 4.0 and merged.first_ordinal == 0
    assert merged.dense == max(best.dense, other.dense) and merged.keyword == 3.0


def test_adjacent_passages_join_with_the_recorded_whitespace():
    first, second = passage(0, 14), passage(15, 29, lead=" ", ordinal=1)
    [joined] = merge_overlapping([second, first])
    assert joined.text == ARTICLE[0:29] and (joined.start, joined.end) == (0, 29)


def test_passages_of_other_articles_or_with_a_gap_stay_apart():
    gap = [passage(0, 14), passage(30, 47, ordinal=2)]  # no lead recorded: something lies between them
    assert len(merge_overlapping(gap)) == 2
    other = [passage(0, 29), passage(15, 47, source="b.txt")]
    assert [p.source for p in merge_overlapping(other)] == ["a.txt", "b.txt"]


def test_a_union_that_reaches_a_third_passage_folds_it_in():
    parts = [passage(0, 14), passage(30, 47, ordinal=2), passage(10, 35, ordinal=1)]
    [whole] = merge_overlapping(parts)
    assert (whole.start, whole.end) == (0, 47) and whole.text == ARTICLE[0:47]


def test_retrieve_on_a_toy_index(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "harbour.txt").write_text(
        "Harbour committee news\n\nThe harbour committee approved a lighthouse "
        "budget of 77 crowns. Work on the lighthouse starts in May.\n"
    )
    (corpus / "ferry.txt").write_text(
        "Lakeview ferry news\n\nThe Lakeview ferry resumed service on Monday. Tickets cost four crowns for adults.\n"
    )
    settings = make_settings(tmp_path / "index", corpus_dir=corpus, k=2)
    embedder = HashEmbedder()
    store = IndexStore(settings)
    index_paths([corpus], settings, store, embedder)
    got = Retriever(store, embedder, settings).retrieve("lighthouse budget")
    assert got.passages[0].source == "harbour.txt" and len(got.passages) <= 2
    assert got.passages[0].keyword > 0 and got.best_dense == max(p.dense for p in got.passages)
    assert set(got.timings) >= {"embed_ms", "dense_ms", "keyword_ms", "fuse_ms", "retrieve_ms"}
    text = (corpus / "harbour.txt").read_text()
    assert all(text[p.start : p.end] == p.text for p in got.passages if p.source == "harbour.txt")


def test_the_previous_answers_chunks_stay_candidates(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    articles = {
        "harbour.txt": "Harbour news\n\nThe harbour committee approved a lighthouse budget of 77 crowns.\n",
        "history.txt": "Lighthouse history\n\nThe old lighthouse was built in 1880 by the harbour board.\n",
        "budget.txt": "Budget news\n\nThe town budget for roads was cut by a third this spring.\n",
        "ferry.txt": "Ferry news\n\nThe Lakeview ferry resumed service on Monday with new timetables.\n",
    }
    for name, text in articles.items():
        (corpus / name).write_text(text)
    settings = make_settings(tmp_path / "index", corpus_dir=corpus, k=3)
    embedder = HashEmbedder()
    store = IndexStore(settings)
    index_paths([corpus], settings, store, embedder)
    retriever = Retriever(store, embedder, settings)
    plain = retriever.retrieve("lighthouse budget")
    assert "ferry.txt" not in [p.source for p in plain.passages]
    carried = retriever.retrieve("lighthouse budget", carried=["ferry.txt#0", "gone.txt#4"])  # one no longer indexed
    assert "ferry.txt" in [p.source for p in carried.passages] and len(carried.passages) == 3
    assert carried.passages[0].source == "harbour.txt"  # what the question finds still leads
