"""The history store (one SQLite file): owner isolation, unfinished turns, rename and delete, feedback,
and the Markdown export, on real SQLite files in tmp folders."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

from rag.answer import Answer, Citation
from rag.errors import HistoryError
from rag.history import History, TurnState
from rag.transcript import file_name, supporting_sentence, to_markdown

PASSAGE = "The committee met on Monday. It approved a lighthouse budget of 77 crowns. Work starts in May."
SUPPORT = "It approved a lighthouse budget of 77 crowns."
HIGHLIGHT = (1000 + PASSAGE.index(SUPPORT), 1000 + PASSAGE.index(SUPPORT) + len(SUPPORT))  # passage at offset 1000


def answer(question: str = "What budget was approved?", refused: bool = False) -> Answer:
    citations = (
        []
        if refused
        else [
            Citation(
                n=1,
                source="harbour.txt",
                title="Harbour news",
                chunk_id="harbour.txt#3",
                text=PASSAGE,
                start=1000,
                end=1000 + len(PASSAGE),
                score=0.8,
                date="2025-03-04",
                highlight_start=HIGHLIGHT[0],
                highlight_end=HIGHLIGHT[1],
            ),
            Citation(
                n=2,
                source="ferry.txt",
                title="Ferry news",
                chunk_id="ferry.txt#0",
                text="Tickets cost 4 crowns.",
                start=0,
                end=22,
                score=0.5,
            ),
        ]
    )
    text = "The articles do not say." if refused else "A budget of 77 crowns [1], and tickets at 4 crowns [2]."
    return Answer(
        question=question,
        answer=text,
        refused=refused,
        citations=citations,
        model="scripted",
        timings={"total_ms": 12.0},
        search_query=question,
        searched=[
            {
                "source": "ferry.txt",
                "title": "Ferry news",
                "date": "",
                "score": 0.2,
                "text": "Tickets cost 4 crowns.",
                "start": 0,
                "end": 22,
            }
        ]
        if refused
        else [],
    )


@pytest.fixture
def history(tmp_path) -> History:
    return History(tmp_path / "deep" / "history.sqlite3")


def test_a_turn_is_unfinished_until_its_answer_completes_it(history):
    alice = history.of("alice")
    ref = alice.ask(None, "What budget was approved?")
    [turn] = alice.open(ref.conversation_id).turns
    assert turn.state is TurnState.UNFINISHED and turn.interrupted and turn.answer is None
    assert alice.finish(ref, answer())
    [turn] = alice.open(ref.conversation_id).turns
    assert turn.state is TurnState.COMPLETE and not turn.interrupted
    assert turn.answer == answer()  # the whole answer object comes back: citations, highlight spans
    assert history.path.is_file()
    with sqlite3.connect(history.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_conversations_are_listed_newest_first_with_the_first_question_as_title(history):
    alice = history.of("alice")
    first = alice.ask(None, "  What   budget was approved? ")
    second = alice.ask(None, "Who runs the ferry?")
    alice.ask(first.conversation_id, "When does work start?")  # a follow-up moves it to the top
    listed = alice.conversations()
    assert [s.id for s in listed] == [first.conversation_id, second.conversation_id]
    assert listed[0].title == "What budget was approved?" and listed[0].updated >= listed[0].created
    assert [t.question for t in alice.open(first.conversation_id).turns] == [
        "  What   budget was approved? ",
        "When does work start?",
    ]


def test_one_owner_never_sees_or_changes_another_owners_conversations(history):
    alice, bob = history.of("alice"), history.of("bob")
    ref = alice.ask(None, "Alice's private question")
    assert bob.conversations() == [] and bob.open(ref.conversation_id) is None
    assert not bob.finish(ref, answer()) and alice.open(ref.conversation_id).turns[0].interrupted
    assert not bob.rename(ref.conversation_id, "mine now") and not bob.delete(ref.conversation_id)
    assert bob.vote(ref.turn_id, -1, "spam") is None
    added = bob.ask(ref.conversation_id, "Bob's question")  # naming Alice's conversation starts Bob's own
    assert added.conversation_id != ref.conversation_id
    assert [t.question for t in alice.open(ref.conversation_id).turns] == ["Alice's private question"]
    assert [s.title for s in alice.conversations()] == ["Alice's private question"]
    assert [s.title for s in bob.conversations()] == ["Bob's question"]
    assert history.owner_of(ref.conversation_id) == "alice" and len(history.summaries()) == 2
    with pytest.raises(HistoryError):
        history.of("")


def test_rename_and_delete(history):
    alice = history.of("alice")
    ref = alice.ask(None, "What budget was approved?")
    alice.finish(ref, answer())
    assert alice.rename(ref.conversation_id, "  Lighthouse   budget ")
    assert alice.conversations()[0].title == "Lighthouse budget"
    assert alice.rename(ref.conversation_id, "")  # an empty title goes back to the first question
    assert alice.conversations()[0].title == "What budget was approved?"
    alice.vote(ref.turn_id, 1)
    assert alice.delete(ref.conversation_id)
    assert alice.conversations() == [] and alice.open(ref.conversation_id) is None
    assert not alice.delete(ref.conversation_id)
    assert [f.question for f in history.feedback()] == ["What budget was approved?"]  # feedback is its own copy


def test_a_vote_keeps_the_question_and_answer_and_can_be_changed(history):
    alice = history.of("alice")
    ref = alice.ask(None, "What budget was approved?")
    assert alice.vote(ref.turn_id, 1) is None  # nothing to vote on before the answer
    alice.finish(ref, answer())
    first = alice.vote(ref.turn_id, 1)
    assert alice.vote(ref.turn_id, -1, " wrong figure ") == first
    assert alice.vote(ref.turn_id, -1) == first  # no comment given: the earlier one stays
    [feedback] = history.feedback()
    assert (feedback.vote, feedback.comment, feedback.owner) == (-1, "wrong figure", "alice")
    assert feedback.answer == answer()
    with pytest.raises(ValueError):
        alice.vote(ref.turn_id, 0)


def test_a_turn_written_before_a_kill_9_is_there_after_it_marked_unfinished(tmp_path):
    path = tmp_path / "history.sqlite3"
    script = textwrap.dedent(f"""
        import os, signal
        from rag.history import History
        alice = History({str(path)!r}).of("alice")
        done = alice.ask(None, "First question")
        alice.finish(done, None, "no model")
        alice.ask(done.conversation_id, "Asked just before the crash")
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert killed.returncode == -9, killed.stderr
    [summary] = History(path).of("alice").conversations()
    turns = History(path).of("alice").open(summary.id).turns
    assert [(t.question, t.state, t.error) for t in turns] == [
        ("First question", TurnState.COMPLETE, "no model"),
        ("Asked just before the crash", TurnState.UNFINISHED, ""),
    ]


def test_a_damaged_or_unwritable_file_is_a_history_error_that_says_what_to_do(tmp_path):
    bad = tmp_path / "history.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(HistoryError, match="damaged .* move it aside"):
        History(bad).of("alice").conversations()
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    with pytest.raises(HistoryError, match="cannot create the folder .* RAG_HISTORY_PATH"):
        History(blocked / "history.sqlite3").of("alice").conversations()


def test_markdown_export_numbers_the_sources_once_and_quotes_the_supporting_sentence(history):
    alice = history.of("alice")
    ref = alice.ask(None, "What budget was approved?")
    alice.finish(ref, answer())
    again = alice.ask(ref.conversation_id, "And the ferry?")
    second = answer("And the ferry?")
    second.answer, second.citations = "Tickets cost 4 crowns [1].", [second.citations[1]]
    second.citations[0] = replace(second.citations[0], n=1)
    alice.finish(again, second)
    refused = alice.ask(ref.conversation_id, "Who won the cup?")
    alice.finish(refused, answer("Who won the cup?", refused=True))
    alice.ask(ref.conversation_id, "Interrupted one?")
    md = to_markdown(alice.open(ref.conversation_id))
    assert md.startswith("# What budget was approved?\n")
    assert "## 1. What budget was approved?\n\nA budget of 77 crowns [1], and tickets at 4 crowns [2]." in md
    assert "## 2. And the ferry?\n\nTickets cost 4 crowns [2]." in md  # the same passage keeps its number
    assert "## 3. Who won the cup?\n\n*The articles do not cover this.*" in md
    assert "## 4. Interrupted one?\n\n*This answer was interrupted.*" in md
    assert "1. **Harbour news**, `harbour.txt`, 2025-03-04\n   > It approved a lighthouse budget of 77 crowns." in md
    assert "2. **Ferry news**, `ferry.txt`\n   > Tickets cost 4 crowns." in md
    assert "3." not in md.split("## Sources")[1]
    assert file_name(alice.open(ref.conversation_id)) == f"what-budget-was-approved-{ref.conversation_id}.md"


def test_the_supporting_sentence_is_the_highlight_span_or_the_whole_passage():
    cited = answer().citations
    assert supporting_sentence(cited[0]) == "It approved a lighthouse budget of 77 crowns."
    assert supporting_sentence(cited[1]) == "Tickets cost 4 crowns."  # no highlight recorded
