"""The chat's saved conversations, scope picker and feedback, through the panels' handlers on the toy
library (HashEmbedder, ScriptedLLM, real Chroma and a real SQLite history in a tmp folder)."""

from __future__ import annotations

import gradio as gr
import pytest

from rag.history import TurnState

from .toy_app import CITED, QUESTION, text_of, toy_ui

ALICE, BOB = "browser:alice-0123456789abcdef", "browser:bob-0123456789abcdef00"


def ask(ui, question=QUESTION, owner=ALICE, current=None, conv=None, scope=(None, "", "")):
    """The last update of one answered question: (chat, sources, turns, conversation id)."""
    return list(ui.chat.respond(question, 4, 0.0, conv or [], owner, current, *scope))[-1]


def test_an_answered_question_is_saved_complete_and_listed_newest_first(tmp_path):
    ui = toy_ui(tmp_path, [CITED, CITED])
    steps = list(ui.chat.respond(QUESTION, 4, 0.0, [], ALICE, None))
    current = steps[0][3]
    assert current is not None  # the conversation exists from the first update: a crash keeps the question
    [turn] = ui.ctx.history.of(ALICE).open(current).turns
    _, _, conv, same = steps[-1]
    assert same == current and conv[0].turn_id == turn.id
    saved = ui.ctx.history.of(ALICE).open(current).turns[0]
    assert saved.state is TurnState.COMPLETE and saved.answer.citations == conv[0].answer.citations
    later = ask(ui, "What does the ferry cost?")[3]
    listed, tools, title, export, note, confirm = ui.history.listing(ALICE, current)
    assert [value for _, value in listed["choices"]] == [later, current] and listed["value"] == current
    assert listed["choices"][1][0].startswith(QUESTION + " · 20")  # title and date
    assert tools["visible"] and title == QUESTION and export.endswith(f"-{current}.md")
    assert "[1]" in open(export).read() and "harbour.txt" in open(export).read()


def test_reopening_redraws_the_answer_and_its_sources_and_follow_ups_join_it(tmp_path):
    ui = toy_ui(tmp_path, [CITED, "When does work on the lighthouse start?", CITED])  # the follow-up is rewritten
    current = ask(ui, QUESTION)[3]
    chat, sources, turns, opened, listed, *_ = ui.history.open(ALICE, current)
    assert opened == current and [t.question for t in turns] == [QUESTION]
    assert '<a class="cite" href="#ev-0-1"' in text_of(chat[1]) and "<mark>" in sources and "harbour.txt" in sources
    ask(ui, "When does the work start?", current=current, conv=turns)
    assert len(ui.ctx.history.of(ALICE).open(current).turns) == 2 and len(ui.ctx.history.of(ALICE).conversations()) == 1
    follow_up = ui.ctx.history.of(ALICE).open(current).turns[1].answer
    assert follow_up is not None and follow_up.standalone == "When does work on the lighthouse start?"


def test_an_unfinished_turn_reopens_marked_as_interrupted(tmp_path):
    ui = toy_ui(tmp_path)
    ref = ui.ctx.history.of(ALICE).ask(None, QUESTION)  # the server died before the answer was written
    chat, sources, turns, *_ = ui.history.open(ALICE, ref.conversation_id)
    assert turns[0].interrupted and "This answer was interrupted." in text_of(chat[1])
    assert "this answer was interrupted" in sources


def test_one_browser_never_sees_or_opens_anothers_conversations(tmp_path):
    ui = toy_ui(tmp_path, [CITED])
    alices = ask(ui, QUESTION)[3]
    listed = ui.history.listing(BOB, alices)[0]
    assert listed["choices"] == [] and listed["value"] is None
    chat, sources, turns, current, *_rest, note, _ = ui.history.open(BOB, alices)
    assert (chat, turns, current) == (gr.skip(), gr.skip(), None) and "no longer there" in note
    ui.history.rename(BOB, alices, "stolen")
    ui.history.delete(BOB, alices)
    assert [s.title for s in ui.ctx.history.of(ALICE).conversations()] == [QUESTION]


def test_rename_and_delete_from_the_sidebar(tmp_path):
    ui = toy_ui(tmp_path, [CITED])
    current = ask(ui, QUESTION)[3]
    listed, _, title, *_ = ui.history.rename(ALICE, current, "Lighthouse money")
    assert title == "Lighthouse money" and listed["choices"][0][0].startswith("Lighthouse money · ")
    chat, sources, turns, after, listed, tools, *_, note, _ = ui.history.delete(ALICE, current)
    assert (chat, turns, after, listed["choices"]) == ([], [], None, []) and "deleted" in note
    assert not tools["visible"]


def test_the_owner_is_the_logged_in_user_or_this_browsers_random_id(tmp_path):
    ui = toy_ui(tmp_path)
    assert ui.history.identify("whatever", gr.Request(username="alice")) == ("user:alice", gr.skip())
    kept = "k" * 24
    assert ui.history.identify(kept, gr.Request()) == (f"browser:{kept}", gr.skip())
    owner, fresh = ui.history.identify("", gr.Request())
    assert owner == f"browser:{fresh}" and len(fresh) >= 16
    other = ui.history.identify("<script>", gr.Request())[1]  # anything odd in the browser's store: a new id
    assert other not in (fresh, "<script>")


def test_a_question_before_the_page_knows_its_owner_is_answered_but_not_saved(tmp_path):
    ui = toy_ui(tmp_path, [CITED])
    _, _, conv, current = ask(ui, QUESTION, owner="")
    assert conv[0].answer is not None and current is None and ui.ctx.history.summaries() == []


def test_a_vote_and_its_comment_are_saved_with_the_answer(tmp_path):
    ui = toy_ui(tmp_path, [CITED])
    _, _, conv, _ = ask(ui, QUESTION)
    target, row, comment, note = ui.chat.feedback.vote(
        conv, ALICE, gr.LikeData(None, {"index": 1, "value": "", "liked": False})
    )
    assert target == (conv[0].turn_id, -1) and row["visible"] and "not helpful" in note
    *_, note = ui.chat.feedback.add_comment(target, "The budget was 80 crowns.", ALICE)
    assert "comment was saved" in note
    [feedback] = ui.ctx.history.feedback()
    assert (feedback.vote, feedback.comment, feedback.question) == (-1, "The budget was 80 crowns.", QUESTION)
    assert feedback.answer.citations == conv[0].answer.citations
    assert ui.chat.feedback.vote(conv, BOB, gr.LikeData(None, {"index": 1, "value": "", "liked": True}))[0] is None
    assert ui.chat.feedback.vote(conv, ALICE, gr.LikeData(None, {"index": 0, "value": "", "liked": True}))[0] is None
    assert len(ui.ctx.history.feedback()) == 1


def test_the_scope_line_names_the_chosen_articles_and_dates_and_can_be_removed(tmp_path):
    ui = toy_ui(tmp_path)
    choices = ui.chat.scope.choices(["ferry.txt", "gone.txt"])
    assert ("Harbour committee news (harbour.txt)", "harbour.txt") in choices["choices"]
    assert choices["value"] == ["ferry.txt"]
    line, clear = ui.chat.scope.show(["ferry.txt"], "2025-01-01", "")
    assert "Asking within:" in line and "Lakeview ferry news" in line and "from 2025-01-01 on" in line
    assert clear["visible"]
    line, clear = ui.chat.scope.show([], "", "")
    assert line == "" and not clear["visible"]
    line, _ = ui.chat.scope.show([], "yesterday", "")
    assert "rag-scope-error" in line and "YYYY-MM-DD" in line
    assert ui.chat.scope.remove()[:3] == ([], "", "")


def test_a_scoped_question_cites_only_the_chosen_article_and_a_bad_scope_says_why(tmp_path):
    ui = toy_ui(tmp_path, [CITED])
    chat, sources, conv, _ = ask(ui, QUESTION, scope=(["ferry.txt"], "", ""))
    assert conv[0].answer.refused and conv[0].answer.scope["sources"] == ["ferry.txt"]
    assert "ferry.txt" in sources and "harbour.txt" not in sources  # what it searched: the chosen article only
    chat, _, conv, _ = ask(ui, QUESTION, scope=(["harbour.txt"], "", ""))
    assert {c.source for c in conv[0].answer.citations} == {"harbour.txt"}
    chat, _, conv, _ = ask(ui, QUESTION, scope=([], "2030-01-01", ""))
    assert conv[0].answer is None and "no article in the library is dated from 2030-01-01 on" in text_of(chat[-1])


def test_the_answer_endpoint_takes_a_scope_and_saves_nothing(tmp_path):
    ui = toy_ui(tmp_path, [CITED])
    answer = ui.chat.answer(QUESTION, sources=["harbour.txt"])
    assert answer["scope"] == {"sources": ["harbour.txt"], "since": None, "until": None}
    assert ui.ctx.history.summaries() == []


def test_a_history_that_cannot_be_written_still_answers_and_says_so(tmp_path):
    (tmp_path / "a-file").write_text("")
    ui = toy_ui(tmp_path, [CITED], history_path=str(tmp_path / "a-file" / "history.sqlite3"))
    with pytest.warns(UserWarning, match="This conversation is not being saved: cannot create the folder"):
        _, _, conv, current = ask(ui)
    assert conv[0].answer is not None and conv[0].turn_id is None and current is None
    assert "cannot create the folder" in ui.history.listing(ALICE, None)[4]  # the sidebar says why it is empty
