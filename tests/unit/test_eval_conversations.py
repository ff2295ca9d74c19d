"""`rag eval --conversations`: turns of three, each asked after the answers before it; an empty
questions file is fine (a conversations-only run); a topic switch is its own kind."""

from __future__ import annotations

import json

from rag.evaluation import _metrics, _resolved, load_items


def test_each_turn_follows_the_one_before_and_switches_are_their_own_kind(tmp_path):
    questions = tmp_path / "none.jsonl"
    questions.write_text("")
    conversations = tmp_path / "conversations.jsonl"
    turn = {"answers": ["x"], "sources": ["a"]}
    conv = {
        "id": "c1",
        "turns": [
            {"question": "Q1?", **turn},
            {"question": "Why?", **turn},
            {"question": "Who won the cup?", "switch": True, **turn},
        ],
    }
    conversations.write_text(json.dumps(conv) + "\n\n")
    items = load_items(questions, conversations)
    assert [i["id"] for i in items] == ["c1-1", "c1-2", "c1-3"]
    assert [i["kind"] for i in items] == ["followup-first", "followup", "switch"]
    assert items[0]["history"] == [] and items[1]["history_of"] == "c1-1" and items[2]["history_of"] == "c1-2"


def row(kind: str, question: str, search_query: str) -> dict:
    return {
        "kind": kind,
        "question": question,
        "search_query": search_query,
        "answerable": True,
        "correct": True,
        "recall_at_k": None,
        "rr": None,
        "cite_hit": True,
        "cites": 1,
        "cites_gold": 1,
        "refused": False,
        "flag_refused": False,
        "sent_supported": 1,
        "sentences": 1,
        "cit_good": 1,
        "cit_total": 1,
        "latency_ms": 1.0,
    }


def test_a_switch_searched_with_anything_but_itself_is_carry_over():
    rows = [
        row("switch", "Who won the cup?", "Who won the cup?"),
        row("switch", "Where is Lyon?", "Where is Lyon? Who won the cup?"),
        row("followup", "Why?", "Why did the team win the cup?"),
    ]
    assert _metrics(rows)["switch_carried_over"] == 0.5
    assert _metrics(rows[2:])["switch_carried_over"] is None


def test_a_follow_up_is_resolved_when_its_standalone_form_names_what_it_points_to(tmp_path):
    conversations = tmp_path / "conversations.jsonl"
    turn = {"answers": ["x"], "sources": ["a"]}
    conv = {
        "id": "c1",
        "turns": [{"question": "Who won?", **turn}, {"question": "Why?", "refers_to": ["Lyon"], **turn}],
    }
    conversations.write_text(json.dumps(conv) + "\n")
    questions = tmp_path / "none.jsonl"
    questions.write_text("")
    items = load_items(questions, conversations)
    assert items[0].get("refers_to") is None and items[1]["refers_to"] == ["Lyon"]
    assert _resolved(["Lyon", "the club"], "Why did Olympique Lyon win?") is True
    assert _resolved(["Lyon"], "Why?") is False and _resolved(None, "Why?") is None
    rows = [{**row("followup", "Why?", "Why?"), "resolved": r} for r in (True, False, None)]
    assert _metrics(rows)["followups_resolved"] == 0.5
