"""BM25 keyword search (rag/keyword.py) on toy texts: normalisation, ranking, persistence."""

from __future__ import annotations

from rag.keyword import KeywordIndex, normalise, tokenize

IDS = ["a#0", "b#0", "c#0"]
TEXTS = [
    "The H-1B visa quota rose to 1,500 this year.",
    "Ferry tickets cost four crowns on the Lakeview line.",
    "Visa rules for students changed; the ferry kept its schedule.",
]


def test_figures_and_hyphenated_codes_are_normalised_both_ways():
    assert "1500" in normalise("rose to 1,500 people")
    text = normalise("The H-1B visa")
    assert "h-1b" in text and "h1b" in text
    assert tokenize(["The ferries and the running"]) == [["ferri", "run"]]  # stop words out, stems in


def test_search_ranks_the_text_with_the_rare_terms_first():
    index = KeywordIndex.build(IDS, TEXTS, generation=3)
    hits = index.search("H1B visa 1500", 3)
    assert hits[0][0] == "a#0" and all(score > 0 for _, score in hits)
    assert {cid for cid, _ in index.search("ferry", 3)} == {"b#0", "c#0"}
    assert index.search("zeppelin", 3) == [] and index.search("the", 3) == []  # unknown or stop word only
    assert len(index.search("visa ferry", 1)) == 1


def test_an_empty_index_finds_nothing():
    empty = KeywordIndex.build([], [], generation=0)
    assert empty.search("anything", 5) == [] and empty.engine is None


def test_saved_and_loaded_with_its_generation(tmp_path):
    KeywordIndex.build(IDS, TEXTS, generation=7).save(tmp_path / "keyword")
    loaded = KeywordIndex.load(tmp_path / "keyword")
    assert loaded is not None and loaded.generation == 7 and loaded.ids == IDS
    assert loaded.search("H1B", 1)[0][0] == "a#0"
    assert KeywordIndex.load(tmp_path / "absent") is None
    (tmp_path / "keyword" / "ids.json").write_text("{broken")
    assert KeywordIndex.load(tmp_path / "keyword") is None  # damaged: the caller rebuilds it
