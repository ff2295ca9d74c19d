"""Asking within chosen articles: the scope record, and retrieval honouring it in both engines
(Chroma's `where` and the bm25s mask) on a toy index with the HashEmbedder."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import make_settings
from fakes import HashEmbedder

from rag.errors import ScopeError
from rag.indexing import index_paths
from rag.retrieval import Retriever
from rag.scope import Scope, parse_date, scope_from_json
from rag.store import FileRecord, IndexStore

ARTICLES = {
    "march.txt": "Harbour budget in March\ndate 2025-03-04\n\nThe harbour committee approved a lighthouse budget "
    "of 77 crowns. The lighthouse work starts in May.\n",
    "april.txt": "Harbour budget in April\ndate 2025-04-09\n\nThe harbour committee cut the lighthouse budget "
    "to 60 crowns. The lighthouse keeper objected.\n",
    "undated.txt": "Ferry news\n\nThe ferry to the lighthouse island resumed service. Tickets cost 4 crowns.\n",
}


def record(source: str, day: str) -> FileRecord:
    return FileRecord(source=source, path="", title=source, date=day, content_hash="", chunks=1)


RECORDS = [record("march.txt", "2025-03-04"), record("april.txt", "2025-04-09"), record("undated.txt", "")]


@pytest.fixture
def retriever(tmp_path) -> Retriever:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text)
    settings = make_settings(tmp_path / "index", corpus_dir=corpus, k=6, chunk_chars=80, chunk_overlap_chars=20)
    embedder = HashEmbedder()
    store = IndexStore(settings)
    index_paths([corpus], settings, store, embedder)
    return Retriever(store, embedder, settings)


def test_a_scope_of_files_and_dates_selects_the_records_it_allows():
    assert Scope.of(["corpus/march.txt", "april.txt", "march.txt"]).sources == ("march.txt", "april.txt")
    assert Scope.of(since="2025-04-01").select(RECORDS) == {"april.txt"}
    assert Scope.of(until="2025-03-31").select(RECORDS) == {"march.txt"}  # undated articles are outside any range
    both = Scope.of(["march.txt", "april.txt"], since="2025-03-01", until="2025-03-31")
    assert both.select(RECORDS) == {"march.txt"}
    assert Scope.of(["undated.txt"]).select(RECORDS) == {"undated.txt"}


def test_no_scope_is_none_and_a_scope_round_trips_through_json():
    assert Scope.of() is None and Scope.of([" "], "", None) is None
    scope = Scope.of(["march.txt"], since="2025-03-01")
    assert scope.to_json() == {"sources": ["march.txt"], "since": "2025-03-01", "until": None}
    assert scope_from_json(scope.to_json()) == scope and scope_from_json(None) is None


def test_a_scope_that_matches_nothing_says_why():
    with pytest.raises(ScopeError, match="not in the library: nope.txt"):
        Scope.of(["nope.txt", "march.txt"]).select(RECORDS)
    with pytest.raises(ScopeError, match="no article in the library is dated from 2026-01-01 on"):
        Scope.of(since="2026-01-01").select(RECORDS)
    with pytest.raises(ScopeError, match="of the 1 chosen article.s., none .* until 2025-01-01"):
        Scope.of(["march.txt"], until="2025-01-01").select(RECORDS)
    with pytest.raises(ScopeError, match="2025-05-01 is after 2025-04-01"):
        Scope.of(since="2025-05-01", until="2025-04-01")


def test_dates_are_read_as_yyyy_mm_dd_and_anything_else_is_refused():
    assert parse_date("2025-03-04", "since") == date(2025, 3, 4)
    assert parse_date("2025-03-04 00:00:00", "since") == date(2025, 3, 4)  # a date picker's value
    assert parse_date("", "since") is None and parse_date(None, "until") is None
    for bad in ("March 4", "2025-13-01", "2025-3-4", "20250304"):
        with pytest.raises(ScopeError, match="the until date .* is not a date: write it as YYYY-MM-DD"):
            parse_date(bad, "until")


def test_retrieval_without_a_scope_finds_every_article(retriever):
    sources = {p.source for p in retriever.retrieve("lighthouse budget crowns").passages}
    assert sources == {"march.txt", "april.txt", "undated.txt"}


def test_both_engines_search_only_the_scoped_articles(retriever):
    scope = Scope.of(["april.txt"])
    within = scope.select(retriever.store.files().values())
    dense = retriever.store.dense_search(retriever.embedder.embed_one("lighthouse budget"), 20, within)
    keyword = retriever.store.keyword().search("lighthouse budget", 20, within)
    assert dense and {c.source for c, _ in dense} == {"april.txt"}
    assert keyword and {cid.rpartition("#")[0] for cid, _ in keyword} == {"april.txt"}
    got = retriever.retrieve("lighthouse budget 77 crowns", scope=scope)  # 77 is only in march.txt
    assert got.passages and {p.source for p in got.passages} == {"april.txt"}
    assert "scope_ms" in got.timings


def test_a_date_range_scopes_retrieval_too(retriever):
    got = retriever.retrieve("lighthouse budget", scope=Scope.of(since="2025-03-01", until="2025-03-31"))
    assert {p.source for p in got.passages} == {"march.txt"}


def test_a_scope_matching_no_indexed_article_is_an_error_not_an_empty_search(retriever):
    with pytest.raises(ScopeError, match="not in the library"):
        retriever.retrieve("lighthouse", scope=Scope.of(["gone.txt"]))
