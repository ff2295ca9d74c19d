"""Feedback as test data: the eval items an up- or down-vote becomes, the gold-span rule, and the
question file `rag eval` runs once review items are set aside."""

from __future__ import annotations

import io
import json

import pytest

from rag.errors import ConfigError
from rag.feedback import eval_item, export_feedback, gold_span, without_review, write_jsonl
from rag.history import History

from .test_history import answer

DEV_KEYS = {"id", "question", "answers", "sources", "kind"}  # CONTRACT.md's evaluation file format


@pytest.mark.parametrize(
    ("question", "given", "gold"),
    [
        ("Who co-led DOGE with Musk?", "Vivek Ramaswamy co-led DOGE with Musk [1].", "Vivek Ramaswamy"),
        (
            "How many State Department employees took buyouts?",
            "About 1,500 State Department employees took buyouts [1]. It was more than planned [2].",
            "1,500",
        ),
        (
            "What is DOGE?",
            "DOGE is the Department of Government Efficiency [2].",
            "Department of Government Efficiency",
        ),
        (
            "Who is Gerald Feierstein?",
            "Gerald Feierstein is a former U.S. ambassador to Yemen [1].",
            "ambassador to Yemen",
        ),
        ("What budget was approved?", "A budget of 77 crowns [1], and tickets at 4 crowns [2].", "tickets at 4 crowns"),
        ("Who is Musk?", "Musk is Musk [1].", "Musk is Musk"),  # nothing new: the whole first sentence
    ],
)
def test_the_gold_answer_is_the_longest_run_of_words_the_question_lacks(question, given, gold):
    assert gold_span(question, given) == gold


def test_votes_become_eval_items_in_the_dev_format(tmp_path):
    history = History(tmp_path / "history.sqlite3")
    alice = history.of("alice")
    for question, refused, vote, comment in [
        ("What budget was approved?", False, 1, ""),
        ("Who won the cup?", True, 1, ""),
        ("How much do ferry tickets cost?", False, -1, "it is 5 crowns now"),
    ]:
        ref = alice.ask(None, question)
        alice.finish(ref, answer(question, refused=refused))
        alice.vote(ref.turn_id, vote, comment)
    up, refusal, down = export_feedback(history.feedback())
    assert all(DEV_KEYS <= set(item) for item in (up, refusal, down))
    assert up == {
        "id": up["id"],
        "question": "What budget was approved?",
        "answers": ["tickets at 4 crowns"],
        "sources": ["harbour", "ferry"],
        "kind": "factoid",
        "answer_given": answer().answer,
    }
    assert up["answers"][0] in up["answer_given"]  # `rag eval` finds the gold inside a right answer
    assert refusal["kind"] == "unanswerable" and refusal["answers"] == [] and refusal["sources"] == []
    assert down["kind"] == "review" and down["answers"] == [] and down["comment"] == "it is 5 crowns now"
    assert len({up["id"], refusal["id"], down["id"]}) == 3
    out = io.StringIO()
    assert write_jsonl([up, down], out) == 2
    assert [json.loads(line)["kind"] for line in out.getvalue().splitlines()] == ["factoid", "review"]


def test_a_scoped_answer_keeps_its_scope_in_the_item():
    from rag.history import Feedback

    scoped = answer()
    scoped.scope = {"sources": ["harbour.txt"], "since": None, "until": None}
    item = eval_item(Feedback(id=7, owner="a", vote=1, comment="", question="Q?", answer=scoped, created=0.0))
    assert item["scope"] == scoped.scope and item["id"] == "feedback-7"


def test_eval_runs_a_copy_without_review_items_and_says_how_many(tmp_path):
    lines = [
        {"id": "a", "question": "Q1?", "answers": ["x"], "sources": [], "kind": "factoid"},
        {"id": "b", "question": "Q2?", "answers": [], "sources": [], "kind": "review", "comment": "wrong"},
        {"id": "c", "question": "Q3?", "answers": [], "sources": [], "kind": "unanswerable"},
    ]
    path = tmp_path / "feedback.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in lines) + "\n")
    folder = tmp_path / "run"
    folder.mkdir()
    used, aside = without_review(path, folder)
    assert aside == 1 and used.parent == folder
    assert [json.loads(line)["id"] for line in used.read_text().splitlines()] == ["a", "c"]
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps(lines[0]) + "\n")
    assert without_review(plain, folder) == (plain, 0)
    only_review = tmp_path / "review.jsonl"
    only_review.write_text(json.dumps(lines[1]) + "\n")
    with pytest.raises(ConfigError, match="only `review` items"):
        without_review(only_review, folder)
