"""The index on a tmp folder: real Chroma and bm25s, the HashEmbedder in place of the network."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_settings
from fakes import HashEmbedder

from rag.errors import IndexCorruptError, IndexMismatchError, IndexMissingError, ServerUnreachableError
from rag.indexing import index_params, index_paths
from rag.store import IndexParams, IndexStore

ARTICLES = {
    "harbour.txt": "Harbour committee news\n\nThe harbour committee approved a lighthouse budget of 77 crowns. "
    "Work starts in May.\n",
    "ferry.txt": "Lakeview ferry news\n\nThe Lakeview ferry resumed service on Monday after a storm. "
    "Tickets cost 4 crowns.\n",
    "school.md": "# Village school news\n\nThe village school hired two teachers. The mayor opened a library.\n",
}


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def corpus(tmp_path) -> Path:
    return write(tmp_path / "corpus", ARTICLES)


@pytest.fixture
def settings(tmp_path, corpus):
    return make_settings(tmp_path / "index", corpus_dir=corpus, chunk_chars=80, chunk_overlap_chars=20)


def test_round_trip_add_skip_update_prune(settings, corpus):
    embedder = HashEmbedder()
    store = IndexStore(settings)
    first = index_paths([corpus], settings, store, embedder)
    assert sorted(first.added) == sorted(ARTICLES) and not first.failed and first.chunks == first.total_chunks
    records = store.files()
    assert set(records) == set(ARTICLES)
    assert all(r.chunks >= 1 and len(r.content_hash) == 64 for r in records.values())
    assert records["school.md"].title == "Village school news"

    again = index_paths([corpus], settings, IndexStore(settings), embedder)  # a new process, same folder
    assert again.skipped == 3 and again.chunks == 0 and not again.changed

    write(corpus, {"ferry.txt": ARTICLES["ferry.txt"] + "The ferry gained a night crossing.\n"})
    (corpus / "school.md").unlink()
    third = index_paths([corpus], settings, store, embedder, prune=True)
    assert third.updated == ["ferry.txt"] and third.removed == ["school.md"] and third.skipped == 1
    assert set(store.files()) == {"harbour.txt", "ferry.txt"}
    assert store.count() == third.total_chunks


def test_chunks_read_back_with_their_offsets(settings, corpus):
    store = IndexStore(settings)
    index_paths([corpus], settings, store, HashEmbedder())
    text = (corpus / "harbour.txt").read_text()
    chunks = store.chunks_of("harbour.txt")
    assert [c.ordinal for c in chunks] == list(range(len(chunks))) and len(chunks) > 1
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text and chunk.title == "Harbour committee news"
    got = store.get_chunks([chunks[0].chunk_id, "no-such-id"])
    assert list(got) == [chunks[0].chunk_id] and got[chunks[0].chunk_id][1].shape == (HashEmbedder.dimension,)


def test_dense_and_keyword_search_find_the_matching_article(settings, corpus):
    embedder = HashEmbedder()
    store = IndexStore(settings)
    index_paths([corpus], settings, store, embedder)
    dense = store.dense_search(embedder.embed_one("lighthouse budget crowns"), 3)
    assert dense[0][0].source == "harbour.txt" and dense[0][1] >= dense[-1][1]
    keyword = store.keyword().search("lighthouse budget", 3)
    assert keyword and keyword[0][0].startswith("harbour.txt#")
    assert store.keyword().search("zeppelin", 3) == []


def test_keyword_index_follows_changes_made_by_another_process(settings, corpus):
    embedder = HashEmbedder()
    reader = IndexStore(settings)
    index_paths([corpus], settings, reader, embedder)
    assert reader.keyword().search("zeppelin", 3) == []
    write(corpus, {"airship.txt": "Airship landing news\n\nA zeppelin landed in the square.\n"})
    index_paths([corpus], settings, IndexStore(settings), embedder)  # the other writer
    reader.refresh(force=True)
    assert reader.keyword().search("zeppelin", 3)[0][0].startswith("airship.txt#")


def test_no_index_yet_is_its_own_error(settings):
    with pytest.raises(IndexMissingError, match="no index yet"):
        IndexStore(settings).collection()


def test_a_corrupt_index_asks_for_a_rebuild(settings):
    (settings.index_dir / "chroma").mkdir(parents=True)
    (settings.index_dir / "chroma" / "chroma.sqlite3").write_bytes(b"not a database" * 200)
    with pytest.raises(IndexCorruptError, match="rag index --rebuild"):
        IndexStore(settings).collection()


def test_vectors_of_another_embedder_are_never_mixed(settings, corpus):
    store = IndexStore(settings)
    index_paths([corpus], settings, store, HashEmbedder())
    other = IndexParams("another-embedder", HashEmbedder.dimension, settings.chunk_chars, settings.chunk_overlap_chars)
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        store.check_params(other)
    store.check_params(index_params(settings, HashEmbedder()))  # its own embedder is fine


def test_an_unreachable_chroma_server_is_named(tmp_path):
    from servers import free_port

    settings = make_settings(tmp_path / "index", chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ServerUnreachableError, match="Chroma server"):
        IndexStore(settings).collection()
