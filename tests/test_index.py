"""Indexing with the real embedder and real Chroma, in tmp dirs."""

import shutil

import pytest
from conftest import CORPUS, TINY_MODEL, make_settings

from rag.errors import IndexCorruptError, IndexMismatchError
from rag.pipeline import Pipeline


@pytest.fixture
def corpus_copy(tmp_path):
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def consistent(pipeline: Pipeline) -> dict[str, int]:
    """Chunk counts per file from the collection, checked against each file's own record."""
    got = pipeline.store.collection().get(include=["metadatas"])
    counts: dict[str, int] = {}
    for meta in got["metadatas"]:
        counts[meta["source"]] = counts.get(meta["source"], 0) + 1
    records = pipeline.store.files()
    assert set(counts) == set(records)
    for source, record in records.items():
        assert counts[source] == record.chunks, source
    assert len(set(got["ids"])) == len(got["ids"])
    assert pipeline.store.keyword().ids and set(pipeline.store.keyword().ids) == set(got["ids"])
    return counts


def test_incremental_index(tmp_path, corpus_copy):
    pipeline = Pipeline(make_settings(tmp_path / "index", corpus_dir=corpus_copy, model=TINY_MODEL))
    first = pipeline.index([corpus_copy])
    assert len(first.added) == 5 and first.chunks > 50 and not first.failed
    counts = consistent(pipeline)

    again = pipeline.index([corpus_copy])
    assert again.skipped == 5 and again.chunks == 0 and not again.changed

    edited = corpus_copy / "002_a3ce7c2eb21b0992.txt"
    edited.write_text(edited.read_text() + "\nThe harbour committee approved a new lighthouse budget of 77 crowns.\n")
    third = pipeline.index([corpus_copy])
    assert third.updated == ["002_a3ce7c2eb21b0992.txt"] and third.skipped == 4
    after = consistent(pipeline)
    assert after["002_a3ce7c2eb21b0992.txt"] >= counts["002_a3ce7c2eb21b0992.txt"]
    hits = pipeline.store.keyword().search("lighthouse budget crowns", 3)
    assert hits and hits[0][0].startswith("002_a3ce7c2eb21b0992.txt#")

    (corpus_copy / "003_35891acf2a7fbcf7.txt").unlink()
    kept = pipeline.index([corpus_copy])
    assert not kept.removed and "003_35891acf2a7fbcf7.txt" in pipeline.store.files()
    pruned = pipeline.index([corpus_copy], prune=True)
    assert pruned.removed == ["003_35891acf2a7fbcf7.txt"]
    assert "003_35891acf2a7fbcf7.txt" not in consistent(pipeline)


def test_bad_files_are_skipped_with_a_reason(tmp_path, corpus_copy):
    (corpus_copy / "binary.txt").write_bytes(b"\x00\x01garbage" * 100)
    (corpus_copy / "zero.txt").write_bytes(b"")
    (corpus_copy / "copy.txt").write_bytes((corpus_copy / "000_040434da69da0a92.txt").read_bytes())
    pipeline = Pipeline(make_settings(tmp_path / "index", corpus_dir=corpus_copy, model=TINY_MODEL))
    report = pipeline.index([corpus_copy])
    assert len(report.added) == 5
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in report.failed}
    assert "binary" in reasons["binary.txt"]
    assert "empty" in reasons["zero.txt"]
    assert "duplicate" in reasons["copy.txt"]
    consistent(pipeline)


def test_other_embedding_model_asks_for_rebuild(index_copy):
    pipeline = Pipeline(make_settings(index_copy, model=TINY_MODEL))
    col = pipeline.store.collection()
    col.modify(metadata={**col.metadata, "embed_model": "some-other-model"})
    fresh = Pipeline(make_settings(index_copy, model=TINY_MODEL))
    with pytest.raises(IndexMismatchError, match="rebuild"):
        fresh.index([CORPUS])
    report = fresh.index([CORPUS], rebuild=True)
    assert len(report.added) == 5


def test_corrupt_index_gives_a_clear_error(tmp_path):
    index_dir = tmp_path / "index"
    (index_dir / "chroma").mkdir(parents=True)
    (index_dir / "chroma" / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(IndexCorruptError, match="rebuild"):
        Pipeline(make_settings(index_dir, model=TINY_MODEL)).store.collection()


def test_chunk_text_lives_in_metadata_and_old_indexes_still_read(tmp_path, corpus_copy):
    """Schema 2 keeps chunk text out of Chroma's documents (its full-text index made writes 2x slower);
    an index written before, with the text only in documents, reads and searches the same."""
    pipeline = Pipeline(make_settings(tmp_path / "index", corpus_dir=corpus_copy, model=TINY_MODEL))
    pipeline.index([corpus_copy])
    store = pipeline.store
    col = store.collection()
    got = col.get(include=["documents", "metadatas", "embeddings"])
    assert all(d is None for d in got["documents"]) and all(m["text"] for m in got["metadatas"])
    source = got["metadatas"][0]["source"]
    before = [c.text for c in store.chunks_of(source)]

    # rewrite every chunk the schema-1 way: text in documents, none in metadata
    old_metas = [{k: v for k, v in m.items() if k != "text"} for m in got["metadatas"]]
    col.delete(ids=got["ids"])
    col.add(
        ids=got["ids"],
        embeddings=got["embeddings"],
        documents=[m["text"] for m in got["metadatas"]],
        metadatas=old_metas,
    )
    assert [c.text for c in store.chunks_of(source)] == before
    rebuilt = store.rebuild_keyword()
    hits = rebuilt.search("Rubio Musk meeting", 3)
    assert hits and all(store.get_chunks([h[0]])[h[0]][0].text for h in hits)
    dense = store.dense_search(got["embeddings"][0], 1)
    assert dense[0][0].text == next(
        m["text"] for i, m in zip(got["ids"], got["metadatas"]) if i == dense[0][0].chunk_id
    )
