"""Follow-up questions rewritten by rule (rag/followup.py): pronouns take the entity the last exchange
introduced; the search also carries the previous question."""

from __future__ import annotations

from rag.followup import last_turn, needs_context, resolve_pronouns, standalone_question

DOGE = [
    {"role": "user", "content": "Who is Vivek Ramaswamy?"},
    {"role": "assistant", "content": "He co-led DOGE with Elon Musk [1]."},
]


def test_pronouns_become_the_person_and_the_thing_of_the_last_exchange():
    query = standalone_question("Who did he lead it with?", DOGE)
    assert query.prompt == "Who did Vivek Ramaswamy lead DOGE with?"
    assert query.search == "Who did Vivek Ramaswamy lead DOGE with? Who is Vivek Ramaswamy?"
    assert query.topic == query.search


def test_possessives_keep_their_s():
    assert standalone_question("And his age?", DOGE).prompt == "And Vivek Ramaswamy's age?"
    assert (
        resolve_pronouns("Where is its office?", "What is NATO?", "NATO is an alliance [1].")
        == "Where is NATO's office?"
    )


def test_a_person_the_answer_introduced_is_the_referent():
    history = [
        {"role": "user", "content": "What did the report find?"},
        {"role": "assistant", "content": "Senator Jane Holloway criticised the Harbour Authority [2]."},
    ]
    assert standalone_question("What did she say?", history).prompt == "What did Senator Jane Holloway say?"


def test_a_standalone_question_is_left_alone():
    question = "How many State Department employees took buyouts?"
    assert not needs_context(question)
    query = standalone_question(question, DOGE)
    assert query.search == query.prompt == query.topic == question


def test_without_history_nothing_is_rewritten():
    query = standalone_question("Who did he lead it with?", [])
    assert query.search == query.prompt == "Who did he lead it with?"


def test_short_questions_need_context_and_markers_are_stripped_from_the_last_answer():
    assert needs_context("Who won?")
    assert last_turn([]) == ("", "")
    question, answer = last_turn(DOGE)
    assert question == "Who is Vivek Ramaswamy?" and "[1]" not in answer and "DOGE" in answer
