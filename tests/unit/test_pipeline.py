"""The whole pipeline in milliseconds: real index and answer stage, the two models replaced by the
fakes (HashEmbedder, ScriptedLLM) through Pipeline's `embedder` and `llm` arguments."""

from __future__ import annotations

import pytest
from conftest import make_settings
from contract import assert_answer_object
from fakes import HashEmbedder, ScriptedLLM

from rag.pipeline import Pipeline

HARBOUR = (
    "Harbour committee news\n\nThe harbour committee approved a lighthouse budget of 77 crowns on Monday. "
    "Work on the lighthouse starts in May.\n"
)
FERRY = "Lakeview ferry news\n\nThe Lakeview ferry resumed service on Monday. Tickets cost four crowns for adults.\n"


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    (folder / "ferry.txt").write_text(FERRY, encoding="utf-8")
    return folder


def test_a_question_is_answered_from_the_articles_with_a_checked_citation(tmp_path, corpus):
    llm = ScriptedLLM(["The harbour committee approved a lighthouse budget of 77 crowns [1]."])
    pipeline = Pipeline(make_settings(tmp_path / "index", corpus_dir=corpus), embedder=HashEmbedder(), llm=llm)
    assert len(pipeline.index([corpus]).added) == 2
    answer = pipeline.ask("How much was the lighthouse budget?")
    assert_answer_object(answer.to_json(), corpus=corpus)
    assert not answer.refused and answer.model == "scripted" and "77 crowns" in answer.answer
    assert [c.source for c in answer.citations] == ["harbour.txt"]
    [prompt] = llm.prompts  # one generation, and it saw the question and the evidence
    assert "How much was the lighthouse budget?" in prompt[-1]["content"]
    assert "lighthouse budget of 77 crowns" in prompt[-1]["content"]


def test_a_given_embedder_is_kept_when_the_index_is_rebuilt(tmp_path, corpus):
    embedder = HashEmbedder()
    pipeline = Pipeline(make_settings(tmp_path / "index", corpus_dir=corpus), embedder=embedder, llm=ScriptedLLM())
    pipeline.index([corpus])
    report = pipeline.index([corpus], rebuild=True)
    assert len(report.added) == 2 and pipeline.embedder is embedder
    assert pipeline.store.stored_params()["embed_model"] == "hash-embedder"
