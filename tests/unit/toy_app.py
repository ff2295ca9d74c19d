"""A toy library for the UI's unit tests: two short articles indexed with the HashEmbedder in a tmp
folder (real Chroma and bm25s), a ScriptedLLM for the model, and the app's panels on top."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from conftest import make_settings
from fakes import HashEmbedder, ScriptedLLM

from rag.pipeline import Pipeline
from rag.ui import ChatUI

ARTICLES = {
    "harbour.txt": "Harbour committee news\n\nThe harbour committee approved a lighthouse budget of 77 crowns. "
    "Work starts in May.\n",
    "ferry.txt": "Lakeview ferry news\n\nThe Lakeview ferry resumed service on Monday after a storm. "
    "Tickets cost 4 crowns.\n",
}
QUESTION = "What lighthouse budget did the harbour committee approve?"
CITED = "The harbour committee approved a lighthouse budget of 77 crowns [1]."


def toy_pipeline(tmp_path: Path, outputs: Sequence = (), examples: dict | None = None, **overrides) -> Pipeline:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    if examples is not None:
        (corpus / "examples.json").write_text(json.dumps(examples), encoding="utf-8")
    settings = make_settings(tmp_path / "index", corpus_dir=corpus, chunk_chars=80, chunk_overlap_chars=20, **overrides)
    pipeline = Pipeline(settings, embedder=HashEmbedder(), llm=ScriptedLLM(list(outputs)))
    pipeline.ensure_ready()
    return pipeline


def toy_ui(tmp_path: Path, outputs: Sequence = (), examples: dict | None = None, **overrides) -> ChatUI:
    """The whole app (built, not served) on the toy library."""
    return ChatUI(toy_pipeline(tmp_path, outputs, examples, **overrides))


def text_of(message: dict) -> str:
    return str(message["content"])
