"""`Pipeline.ensure_ready`, the one path from "no index yet" to an answerable index (CLI and app)."""

from __future__ import annotations

import pytest
from conftest import make_settings
from fakes import HashEmbedder

from rag.errors import IndexMismatchError, IndexMissingError
from rag.pipeline import Pipeline

from .toy_app import ARTICLES


class OtherEmbedder(HashEmbedder):
    name = model_name = "another-embedder"


def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text)
    return folder


def test_first_use_indexes_the_articles_folder_once(tmp_path):
    settings = make_settings(tmp_path / "index", corpus_dir=corpus(tmp_path))
    told = []
    pipeline = Pipeline(settings, embedder=HashEmbedder())
    report = pipeline.ensure_ready(told.append)
    assert told == [settings.corpus_dir] and sorted(report.added) == sorted(ARTICLES)
    assert Pipeline(settings, embedder=HashEmbedder()).ensure_ready(told.append) is None  # already indexed
    assert told == [settings.corpus_dir]


def test_no_index_and_no_articles_folder_says_to_run_rag_index(tmp_path):
    pipeline = Pipeline(make_settings(tmp_path / "index", corpus_dir=tmp_path / "missing"), embedder=HashEmbedder())
    with pytest.raises(IndexMissingError, match="rag index"):
        pipeline.ensure_ready()


def test_an_index_of_another_embedder_is_refused(tmp_path):
    settings = make_settings(tmp_path / "index", corpus_dir=corpus(tmp_path))
    Pipeline(settings, embedder=HashEmbedder()).ensure_ready()
    with pytest.raises(IndexMismatchError, match="hash-embedder"):
        Pipeline(settings, embedder=OtherEmbedder()).ensure_ready()
