"""The library without a UI: uploads checked and saved under safe names, indexed, removed, read back."""

from __future__ import annotations

import pytest
from fakes import HashEmbedder

from rag.library import Library, safe_filename, unique_path
from rag.pipeline import Pipeline

from .toy_app import ARTICLES, toy_pipeline


@pytest.fixture
def library(tmp_path):
    return Library(toy_pipeline(tmp_path, max_upload_mb=1))


def incoming(tmp_path, files: dict[str, bytes]):
    folder = tmp_path / "incoming"
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return [folder / name for name in files]


def test_save_refuses_what_cannot_be_an_article_and_keeps_the_rest(tmp_path, library):
    good = b"Tram news\n\nThe new tram line opens in June.\n"
    paths = incoming(
        tmp_path,
        {
            "tram.txt": good,
            "tram copy.txt": good,
            "huge.txt": b"word " * 300_000,
            "empty.txt": b"",
            "photo.txt": b"\x89PNG\r\n\x1a\n\x00\x00" * 50,
            "tool.exe": b"MZ",
            "reprint.txt": ARTICLES["ferry.txt"].encode(),
        },
    )
    saved = library.save(paths)
    reasons = {r.name: r.reason for r in saved.rejected}
    assert [p.name for p in saved.paths] == ["tram.txt"]
    assert reasons == {
        "tram copy.txt": "the same file is in this upload twice",
        "huge.txt": "too large (1 MB; the limit is 1 MB)",
        "empty.txt": "unreadable: empty file",
        "photo.txt": "unreadable: binary content (NUL bytes), not text",
        "tool.exe": "unsupported file type .exe: use .txt, .md, .html or .pdf",
        "reprint.txt": "already in the library as ferry.txt",
    }
    assert (library.folder / "tram.txt").read_bytes() == good


def test_saving_never_overwrites_and_indexing_makes_it_searchable(tmp_path, library):
    (library.folder / "tram.txt").write_text("an older file of that name, not indexed")
    saved = library.save(incoming(tmp_path, {"tram.txt": b"Tram news\n\nThe new tram line opens in June.\n"}))
    assert [p.name for p in saved.paths] == ["tram-2.txt"]
    added = library.index_saved(saved)
    assert added.added == ["tram-2.txt"] and added.total_chunks > 2
    assert "tram-2.txt" in {r.source for r in library.records()}


def test_a_failed_indexing_run_leaves_no_saved_upload_behind(tmp_path):
    class Broken(HashEmbedder):
        def embed(self, texts, progress=None):
            raise RuntimeError("embedding crashed")

    library = Library(Pipeline(toy_pipeline(tmp_path).settings, embedder=Broken()))  # the same index
    saved = library.save(incoming(tmp_path, {"tram.txt": b"Tram news\n\nThe new tram line opens in June.\n"}))
    with pytest.raises(RuntimeError, match="embedding crashed"):
        library.index_saved(saved)
    assert not (library.folder / "tram.txt").exists()


def test_remove_moves_the_file_aside_and_reading_back_survives_an_edited_file(library):
    article = library.article("harbour.txt")
    assert article.text == ARTICLES["harbour.txt"] and article.record.title == "Harbour committee news"
    (library.folder / "harbour.txt").write_text("edited since indexing")
    pieced = library.article("harbour.txt").text  # from the index's chunks at their offsets
    assert "lighthouse budget of 77 crowns" in pieced and pieced.startswith("Harbour committee news")
    removal = library.remove("ferry.txt")
    assert removal.title == "Lakeview ferry news" and removal.retired
    assert (library.folder / ".removed" / "ferry.txt").is_file() and not (library.folder / "ferry.txt").exists()
    assert library.remove("ferry.txt") is None and library.article("ferry.txt") is None


def test_safe_names_and_unique_paths(tmp_path):
    assert safe_filename("..\\..\\evil <x>.HTML") == "evil _x.html"
    assert safe_filename("noext") == "noext.txt" and safe_filename("...") == "article.txt"
    (tmp_path / "a.txt").touch()
    (tmp_path / "a-2.txt").touch()
    assert unique_path(tmp_path, "a.txt").name == "a-3.txt" and unique_path(tmp_path, "b.txt").name == "b.txt"
