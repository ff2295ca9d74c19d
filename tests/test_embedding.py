"""Embedding backends: the local ONNX export, its int8 variant's name, and `auto` keeping an index's kind."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import CORPUS, TINY_MODEL, make_settings

from rag.embedding import Embedder, EmbeddingError, backend_of_index, export_dir, variant_name
from rag.pipeline import Pipeline

TEXTS = [
    "Who co-led the Department of Government Efficiency with Elon Musk?",
    "The council voted 7-2 on Tuesday to approve the budget, which includes $4.2 million for road repairs.",
    "H-1B visas",
]


def test_variant_names_and_index_kinds():
    assert variant_name("m", "onnx-int8") == "m@onnx-int8"
    assert variant_name("m", "onnx") == variant_name("m", "torch") == "m"
    assert backend_of_index("m", "m") == "onnx"
    assert backend_of_index("m", "m@onnx-int8") == "onnx-int8"
    assert backend_of_index("m", "other") is None and backend_of_index("m", None) is None
    with pytest.raises(EmbeddingError, match="backend"):
        Embedder(backend="cuda")


def test_onnx_backends_agree_and_name_their_vectors():
    fp32 = Embedder(backend="onnx")
    int8 = Embedder(backend="onnx-int8")
    assert fp32.name == "all-MiniLM-L6-v2" and int8.name == "all-MiniLM-L6-v2@onnx-int8"
    a, b = fp32.embed(TEXTS), int8.embed(TEXTS)
    assert a.shape == b.shape == (3, 384) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    assert float(np.min(np.sum(a * b, axis=1))) > 0.98
    # one text per run: a vector never depends on the texts embedded with it
    assert np.allclose(int8.embed_one(TEXTS[1]), b[1], atol=1e-6)
    assert np.allclose(fp32.embed_one(TEXTS[1]), a[1], atol=1e-4)
    assert int8.embed([]).shape == (0, 384)


def test_export_is_keyed_by_the_model_files(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    first = export_dir(folder, tmp_path)
    (folder / "config.json").write_text('{"changed": true}')
    assert export_dir(folder, tmp_path) != first


def test_auto_reads_an_index_with_its_own_kind_and_rebuild_takes_the_fastest(tmp_path):
    index = tmp_path / "index"
    Pipeline(make_settings(index, model=TINY_MODEL, embed_backend="onnx")).index([CORPUS])
    auto = Pipeline(make_settings(index, model=TINY_MODEL))
    assert auto.embedder.name == "all-MiniLM-L6-v2" and auto.embedder.backend in ("onnx", "torch")
    report = auto.index([CORPUS])
    assert report.skipped == 5  # no mismatch, nothing re-embedded
    rebuilt = auto.index([CORPUS], rebuild=True)
    assert len(rebuilt.added) == 5 and auto.embedder.name.endswith("@onnx-int8")
    assert Pipeline(make_settings(index, model=TINY_MODEL)).embedder.name == auto.embedder.name


def test_recalled_vectors_match_fresh_ones_and_stay_bounded(monkeypatch):
    import rag.embedding as embedding

    monkeypatch.setattr(embedding, "RECENT_TEXTS", 3)
    embedder = Embedder()
    calls: list[int] = []
    real = embedder.embed
    monkeypatch.setattr(embedder, "embed", lambda texts, progress=None: calls.append(len(texts)) or real(texts))
    first = embedder.embed_recalled(TEXTS[:3] + TEXTS[:1])  # a repeated text is embedded once
    assert calls == [3] and first.shape == (4, 384) and np.allclose(first[0], first[3])
    again = embedder.embed_recalled(TEXTS[:3])
    assert calls == [3] and np.allclose(again, first[:3])  # all remembered
    embedder.embed_recalled(["a fourth text"])  # pushes out the least recently used
    assert len(embedder._recent) == 3 and TEXTS[0] not in embedder._recent
    assert np.allclose(embedder.embed_recalled([TEXTS[1]]), first[1])  # still remembered
    assert embedder.embed_recalled([]).shape == (0, 384)


def test_vectors_do_not_depend_on_their_companions():
    int8 = Embedder(backend="onnx-int8")
    alone = int8.embed([TEXTS[1]])[0]
    assert np.array_equal(int8.embed(TEXTS)[1], alone)  # texts embedded side by side, on two threads
    assert np.array_equal(int8.embed_recalled(TEXTS[::-1])[1], alone)  # evidence ranking is repeatable
