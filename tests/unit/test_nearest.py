"""What a refusal shows (the nearest passages by their closest sentence), and scoped questions through
the whole pipeline: the answer object records the scope and carries `searched` when it refuses."""

from __future__ import annotations

import json

import pytest

from rag.answer import Answer
from rag.answering import AskOptions
from rag.errors import ScopeError
from rag.nearest import closest_sentences, nearest_passages
from rag.scope import Scope

from .toy_app import CITED, QUESTION, toy_pipeline

LONG = {
    "harbour.txt": "Harbour committee news\n\nThe committee met on a rainy Monday in the town hall. Members discussed "
    "the parking rules at length. Finally the harbour committee approved a lighthouse budget of 77 "
    "crowns. Coffee was served afterwards.\n",
}


def test_each_searched_passage_is_shown_by_its_sentence_closest_to_the_question(tmp_path):
    pipeline = toy_pipeline(tmp_path)
    (pipeline.settings.corpus_dir / "harbour.txt").write_text(LONG["harbour.txt"])
    pipeline.index()
    retrieval = pipeline.answerer.retriever.retrieve("lighthouse budget approved")
    shown = closest_sentences(retrieval, pipeline.embedder)
    assert shown and shown[0].source == "harbour.txt"
    assert shown[0].text == "Finally the harbour committee approved a lighthouse budget of 77 crowns."
    for n in shown:  # offsets point into the article as loaded, like a citation's
        article = (pipeline.settings.corpus_dir / n.source).read_text()
        assert article[n.start : n.end] == n.text
    as_json = nearest_passages(retrieval, pipeline.embedder, limit=1)
    assert len(as_json) == 1 and set(as_json[0]) == {"source", "title", "date", "score", "text", "start", "end"}
    json.dumps(as_json)


def test_a_refusal_carries_the_nearest_passages_in_its_json_and_an_answer_does_not(tmp_path):
    pipeline = toy_pipeline(tmp_path, [CITED])
    refused = pipeline.ask("Who won the ice hockey final in Oslo?")
    assert refused.refused
    data = refused.to_json()
    assert data["searched"] and data["searched"] == refused.searched
    assert {s["source"] for s in data["searched"]} <= {"harbour.txt", "ferry.txt"}
    answered = pipeline.ask(QUESTION)
    assert not answered.refused and "searched" not in answered.to_json()
    saved = json.loads(json.dumps(answered.to_json()))  # what a saved conversation keeps
    assert Answer.from_json(saved).to_json() == saved and Answer.from_json(saved).citations == answered.citations


def test_a_scoped_question_searches_only_its_articles_and_records_the_scope(tmp_path):
    pipeline = toy_pipeline(tmp_path, [CITED, "The ferry tickets cost 4 crowns [1]."])
    scope = Scope.of(["ferry.txt"])
    refused = pipeline.ask(QUESTION, options=AskOptions(scope=scope))  # the budget is in harbour.txt only
    assert refused.refused and refused.scope == {"sources": ["ferry.txt"], "since": None, "until": None}
    assert refused.to_json()["scope"] == refused.scope
    assert {s["source"] for s in refused.searched} == {"ferry.txt"}
    answered = pipeline.ask(QUESTION, options=AskOptions(scope=Scope.of(["harbour.txt"])))
    assert not answered.refused and {c.source for c in answered.citations} == {"harbour.txt"}
    assert "scope" not in pipeline.ask("What does the ferry cost?", options=AskOptions()).to_json()


def test_a_scope_that_allows_no_article_is_an_error_before_the_model_runs(tmp_path):
    pipeline = toy_pipeline(tmp_path)
    with pytest.raises(ScopeError, match="no article in the library is dated"):
        pipeline.ask(QUESTION, options=AskOptions(scope=Scope.of(since="2020-01-01")))
    assert pipeline.llm().prompts == []
