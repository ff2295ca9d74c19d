"""Follow-ups made standalone (rag/followup.py): rules where they are certain, the scripted model where
they are not, its rewrite checked; topic switches inherit nothing; the previous answer's citations
reach retrieval. A ScriptedLLM with nothing queued fails the test if the model is asked when it
should not be."""

from __future__ import annotations

import pytest
from conftest import PROJECT_ROOT, make_settings
from fakes import HashEmbedder, ScriptedLLM

from rag.answer import Answer, Status
from rag.errors import QuestionError
from rag.followup import (
    Exchange,
    Resolved,
    Rewriter,
    cited_chunks,
    last_exchange,
    needs_context,
    standalone_question,
    usable_rewrite,
)
from rag.pipeline import Pipeline
from rag.prompts import load_prompts
from rag.retrieval import Retriever

PROMPTS = load_prompts(PROJECT_ROOT / "prompts")
REPORT = [
    {"role": "user", "content": "What did the report find?"},
    {
        "role": "assistant",
        "content": "Senator Jane Holloway criticised the Harbour Authority [1].",
        "citations": [{"n": 1, "chunk_id": "report.txt#3"}],
    },
]
CLASH = [
    {"role": "user", "content": "Who clashed with Rubio at the cabinet meeting?"},
    {"role": "assistant", "content": "Elon Musk clashed with Rubio [1].", "citations": ["news.txt#7"]},
]


def turn(question: str, answer: str, citations: list | None = None, standalone: str = "") -> list[dict]:
    """The history of one exchange: the question (as resolved, if it was a follow-up), and the answer it
    got (with its citations)."""
    reply = {"role": "assistant", "content": answer} | ({"citations": citations} if citations else {})
    return [{"role": "user", "content": question} | ({"standalone": standalone} if standalone else {}), reply]


def model(*outputs: str) -> tuple[ScriptedLLM, Rewriter]:
    llm = ScriptedLLM(outputs)
    return llm, Rewriter(lambda: llm, PROMPTS, max_tokens=64)


# -- rules -------------------------------------------------------------------------------------------


def test_a_question_that_names_its_own_subject_is_asked_as_is_without_the_model():
    llm, rewrite = model()  # nothing queued: asking the model fails the test
    for question in (
        "How many State Department employees took buyouts?",
        "Which senator warned that Musk's theatrics could harm Republicans?",  # "that" joins a clause
        "Was there a vote on the Harbour budget?",
        "Who is Sikorski?",
    ):
        query = standalone_question(question, CLASH, rewrite)
        assert query.standalone == query.search == question and query.how is Resolved.AS_ASKED
        assert not query.resolved and query.carried == ()
    assert llm.prompts == []


def test_one_person_in_the_last_exchange_is_the_referent_by_rule():
    history = turn("Who chairs the harbour committee?", "Rosa Diaz chairs the harbour committee [2].", ["h#2"])
    llm, rewrite = model()
    query = standalone_question("What did she say about her budget?", history, rewrite)
    assert query.standalone == "What did Rosa Diaz say about Rosa Diaz's budget?"
    assert query.how is Resolved.RULE and query.search == query.standalone and query.resolved
    assert query.carried == ("h#2",) and llm.prompts == []


def test_he_after_a_who_question_is_the_person_its_answer_gave():
    history = turn(
        "Who signed the accord with Anwar Sadat?", "Sadat and Menachem Begin signed it with President Jimmy Carter [1]."
    )
    llm, rewrite = model()
    query = standalone_question("What office did he hold?", history, rewrite)
    assert (query.standalone, query.how) == ("What office did Menachem Begin hold?", Resolved.RULE)
    # the one who did it is named in full first, then by surname where the answer says what he did: as it calls him
    history = turn(
        "Who founded Apple with Steve Wozniak and later founded NeXT?",
        "Steven Paul Jobs was an American businessman [1]. Jobs co-founded Apple with his partner Steve Wozniak [1].",
    )
    llm, rewrite = model("Which company did Steve Wozniak buy in 1986?")
    query = standalone_question("Which company did he buy in 1986?", history, rewrite)
    assert (query.standalone, query.how) == ("Which company did Jobs buy in 1986?", Resolved.RULE)
    # "he" after "Who did Sadat meet?" may be either of two: the model's to say
    history = turn("Who did Anwar Sadat meet at the summit?", "Sadat met Menachem Begin [1].")
    llm, rewrite = model("What office did Menachem Begin hold?")
    assert standalone_question("What office did he hold?", history, rewrite).how is Resolved.MODEL
    # nor after one that sets someone aside: "he" may be the one set aside
    history = turn("Who, apart from Linus Pauling, won two prizes?", "Marie Curie won two prizes [1].")
    llm, rewrite = model("How many prizes did Linus Pauling win?")
    assert standalone_question("How many did he win alone?", history, rewrite).how is Resolved.MODEL


def test_a_person_named_in_the_possessive_is_substituted_by_name():
    history = turn("Which editor guided Harper Lee’s manuscript to its finished form?", "The articles do not say.")
    llm, rewrite = model()
    query = standalone_question("How did she describe her manuscript?", history, rewrite)
    assert query.standalone == "How did Harper Lee describe Harper Lee's manuscript?"
    assert query.how is Resolved.RULE and llm.prompts == []


def test_his_after_a_question_about_one_person_is_that_person_though_the_answer_names_others():
    history = turn(
        "Why was Ferdinand Marcos deposed?",
        "Marcos was deposed by the People Power Revolution and succeeded by Aquino's widow, Corazon Aquino [1].",
    )
    llm, rewrite = model()
    # a capitalised preposition opening the question ("Since", "Until") is no name owning "his"
    query = standalone_question("Since what year has his son been president?", history, rewrite)
    assert query.standalone == "Since what year has Ferdinand Marcos's son been president?"
    assert query.how is Resolved.RULE and llm.prompts == []
    # "she" may be the widow the answer named: the model's
    llm, rewrite = model("What did Corazon Aquino do next?")
    assert standalone_question("What did she do next?", history, rewrite).how is Resolved.MODEL
    # after a "who" question, "his" is the one its answer gave, not the one the question named
    history = turn("Who deposed Ferdinand Marcos?", "The People Power Revolution led by Corazon Aquino [1].")
    llm, rewrite = model("What was Corazon Aquino's office?")
    assert standalone_question("What was his office?", history, rewrite).how is not Resolved.RULE


def test_a_question_without_a_pronoun_is_not_the_rules_to_change():
    history = turn("Who was the first president?", "William Rainey Harper was the first president [1].")
    llm, rewrite = model("Who donated the land for the University of Chicago?")
    query = standalone_question("Who donated the land for the university?", history, rewrite)
    assert query.how is Resolved.GUESS and len(llm.prompts) == 1  # names nothing: the model's; "Chicago" is new


def test_two_names_that_could_be_people_are_not_certain():
    llm, rewrite = model("What did Senator Jane Holloway say?")
    query = standalone_question("What did she say?", REPORT, rewrite)  # "Harbour Authority" looks like a name too
    assert query.how is Resolved.MODEL and len(llm.prompts) == 1


@pytest.mark.parametrize(
    "question",
    [
        "Why?",
        "and in 2024?",
        "What about the senator?",
        "Why was that a problem?",
        "How much did it cost?",
        "What did they say?",
        "Who else was there?",
        "Which court ruled on the case?",
    ],
)
def test_what_leans_on_the_conversation_is_noticed(question):
    assert needs_context(question)


def test_without_a_usable_rewrite_the_follow_up_is_searched_with_the_previous_question():
    history = turn("Who is Vivek Ramaswamy?", "He co-led DOGE with Elon Musk [1].")
    query = standalone_question("Who did he lead it with?", history)  # no model; he: Ramaswamy or Musk?
    assert query.how is Resolved.GUESS and query.standalone == "Who did he lead it with?" and not query.resolved
    assert query.search == "Who did he lead it with? Who is Vivek Ramaswamy?"


def test_a_refusal_is_not_read_as_an_answer():
    history = turn("Who chairs the harbour committee?", "The articles do not say.")
    assert last_exchange(history) == Exchange(question="Who chairs the harbour committee?")


def test_without_history_nothing_is_rewritten():
    query = standalone_question("Who did he lead it with?", [], model()[1])
    assert query.standalone == query.search == "Who did he lead it with?" and query.how is Resolved.AS_ASKED


# -- the model ---------------------------------------------------------------------------------------


def test_two_possible_people_go_to_the_model_with_the_fixed_prefix_first():
    llm, rewrite = model("What did Rubio say to Elon Musk?")
    query = standalone_question("What did the secretary say to him?", CLASH, rewrite)
    assert query.standalone == query.search == "What did Rubio say to Elon Musk?"
    assert query.how is Resolved.MODEL and query.carried == ("news.txt#7",)
    [messages] = llm.prompts
    prefix = PROMPTS.followup_prefix()
    assert llm.warmed == [prefix] and messages[: len(prefix)] == prefix  # the cached part comes first, unchanged
    assert prefix[0]["role"] == "system" and "Elon Musk clashed with Rubio." in messages[-1]["content"]
    assert "[1]" not in messages[-1]["content"] and "What did the secretary say to him?" in messages[-1]["content"]


@pytest.mark.parametrize(
    ("follow_up", "before", "standalone"),
    [
        ("and in 2024?", "How many people visited the museum in 2023?", "How many people visited the museum in 2024?"),
        (
            "What about 2020?",
            "Which service began showing it in November 2025?",
            "Which service began showing it in 2020?",
        ),
        ("And in 1950?", "What was the hall used as before 1453?", "What was the hall used as in 1950?"),
        # a span of years for a span of years
        (
            "And from 1991 to 1997?",
            "What office did Vale hold from 1994 to 1999?",
            "What office did Vale hold from 1991 to 1997?",
        ),
        # a phrase for the phrase opened by the same preposition
        ("And from Riga?", "How far is Tallinn from Stockholm?", "How far is Tallinn from Riga?"),
        # the phrase before ends where its verb starts, not at the next preposition
        (
            "And of new jobs?",
            "What share of China's urban employment comes from the private sector?",
            "What share of new jobs comes from the private sector?",
        ),
        ("And in Berlin?", "What did Ruiz do in Paris during the war?", "What did Ruiz do in Berlin during the war?"),
        # "those of ..." is one phrase, and no word pointing back
        (
            "And among those of all states?",
            "How does Vale's reign rank among those of Norvish monarchs?",
            "How does Vale's reign rank among those of all states?",
        ),
    ],
)
def test_another_date_or_phrase_is_the_question_before_asked_of_it_by_rule(follow_up, before, standalone):
    history = turn(before, "It was 80,000 [1].")
    query = standalone_question(follow_up, history, model()[1])  # nothing queued: the model is not asked
    assert (query.standalone, query.how) == (standalone, Resolved.RULE)


@pytest.mark.parametrize(
    ("follow_up", "before"),
    [
        ("And from which year?", "Of which party was Ruiz general secretary?"),  # asks something else
        ("And in Lyon?", "Which of the stadiums in Paris opened in 1998?"),  # two phrases opened by "in"
        ("And in Lyon?", "Which stadium did Norbuild build?"),  # none
        ("And for the drivers who left?", "What did the union win for the staff?"),  # a verb: another question
    ],
)
def test_another_phrase_goes_to_the_model_unless_it_has_one_counterpart(follow_up, before):
    llm, rewrite = model("What did the union win for the drivers?")
    assert standalone_question(follow_up, turn(before, "It was 80,000 [1]."), rewrite).how is not Resolved.RULE
    assert llm.prompts  # the model was asked


def test_another_thing_takes_the_place_of_the_word_that_pointed_back_as_typed():
    history = turn(
        "How many awards did it earn?",
        "Salt Roads earned five awards [1].",
        standalone="How many awards did Salt Roads earn?",
    )
    query = standalone_question("And her third novel?", history, model()[1])
    # as typed: the standalone form names the novel, not the word the follow-up's thing takes the place of
    assert (query.standalone, query.how) == ("How many awards did her third novel earn?", Resolved.RULE)
    for follow_up in ("And how many sold?", "And in which year?"):  # a question of its own: the model's
        llm, rewrite = model("How many copies of Salt Roads sold?")
        assert standalone_question(follow_up, history, rewrite).how is not Resolved.RULE and llm.prompts


def test_another_date_goes_to_the_model_when_the_question_before_has_none_or_several():
    for before in ("When were the troops withdrawn?", "How many troops were there in 2003 and 2004?"):
        history = turn(before, "In May [1].")
        _, rewrite = model("How many troops were there in 2014?")
        assert standalone_question("And in 2014?", history, rewrite).how is Resolved.MODEL


def test_why_and_ellipsis_are_completed_by_the_model():
    _, rewrite = model("Why did Senator Jane Holloway criticise the Harbour Authority?")
    query = standalone_question("Why?", REPORT, rewrite)
    assert query.standalone == "Why did Senator Jane Holloway criticise the Harbour Authority?" and query.resolved


def test_an_opening_conjunction_is_not_shown_to_the_model():
    llm, rewrite = model("On which network was the interview with Musk?")
    query = standalone_question("And on which network was it?", CLASH, rewrite)
    assert query.standalone == "On which network was the interview with Musk?"
    assert "Follow-up: On which network was it?" in llm.prompts[0][-1]["content"]  # the model copies "And ..."


def test_a_possessive_after_a_name_in_the_question_points_at_that_name():
    llm, rewrite = model()
    question = "When did the Lakeview ferry resume its service?"  # "its": the ferry, named before it
    query = standalone_question(question, REPORT, rewrite)
    assert query.standalone == query.search == question and query.how is Resolved.AS_ASKED and llm.prompts == []
    assert needs_context("When did it resume its service?") and needs_context("Which CEO ordered its development?")


def test_the_previous_question_is_read_as_it_was_resolved():
    history = turn(
        "Which writer was she friends with?",
        "Truman Capote [1].",
        standalone="Which writer was Harper Lee friends with?",
    )
    llm, rewrite = model("Where did Harper Lee work as a clerk?")
    query = standalone_question("Where did she work as a clerk?", history, rewrite)
    assert "User: Which writer was Harper Lee friends with?" in llm.prompts[0][-1]["content"]
    assert query.standalone == "Where did Harper Lee work as a clerk?"


@pytest.mark.parametrize(
    "reply",
    [
        "Senator Jane Holloway criticised the Harbour Authority.",  # an answer, not a question
        "Why did Mayor Tom Baker criticise the Harbour Authority?",  # a name the conversation never had
        "Why did the senator criticise it in 2019?",  # a figure the conversation never had
        "Why?",  # unchanged: nothing resolved
        "What did the report find?",  # the previous question again
        "",
    ],
)
def test_an_unusable_rewrite_falls_back_to_the_guess(reply):
    _, rewrite = model(reply)
    query = standalone_question("Why?", REPORT, rewrite)
    assert query.how is Resolved.GUESS and query.standalone == "Why?"
    assert query.search == "Why? What did the report find?"
    assert query.carried == ("report.txt#3",)


def test_a_rewrite_that_keeps_what_points_back_is_asked_again_with_those_words_forbidden():
    llm, rewrite = model("Why was that a problem?", "Why was the senator's criticism a problem?")
    query = standalone_question("Why was that a problem?", REPORT, rewrite)
    assert llm.forbidden == [(), ("that",)]  # the copy kept "that": the second try may not write it
    assert query.standalone == "Why was the senator's criticism a problem?" and query.how is Resolved.MODEL
    llm, rewrite = model("Why was that a problem?", "Why was it a problem?")  # the second try fails too
    query = standalone_question("Why was that a problem?", REPORT, rewrite)
    assert query.how is Resolved.GUESS and len(llm.prompts) == 2  # two tries at most
    llm, rewrite = model("What did the report find?")  # unusable, but it keeps no word of the follow-up's
    assert standalone_question("What did it say?", REPORT, rewrite).how is Resolved.GUESS and len(llm.prompts) == 1


def test_a_rewrite_must_resolve_what_points_back():
    exchange = Exchange(question="Who did Rubio criticise?", answer="Rubio criticised Radoslaw Sikorski.")
    assert usable_rewrite("What did he say to him?", "What did he say to him?", exchange) is None
    assert usable_rewrite("What did Rubio say to him?", "What did he say to him?", exchange)
    assert usable_rewrite("What did he say to Rubio?", "What did he say to him?", exchange)  # one of two is progress
    panama = Exchange(question="Which country did Rubio press?", answer="Panama.")
    asked = "What were Trump's threats there about?"
    assert usable_rewrite("What were Trump's threats there about Panama?", asked, panama)  # no fewer, but a word taken
    assert usable_rewrite(asked, asked, panama) is None
    # the follow-up less its conjunction resolves nothing
    office = Exchange(question="What office did Vale hold from 1994 to 1999?", answer="Vale was president.")
    assert usable_rewrite("From 1991 to 1997?", "And from 1991 to 1997?", office) is None


def test_a_rewrite_must_keep_the_follow_ups_own_words_and_figures():
    exchange = Exchange(question="How many people visited the museum in 2023?", answer="About 80,000 people.")
    assert usable_rewrite("How many people visited the museum?", "and in 2024?", exchange) is None
    assert usable_rewrite("How many people visited the museum in 2024?", "and in 2024?", exchange)
    assert usable_rewrite("What did the museum charge in 2023?", "What was the ticket price then?", exchange) is None


def test_a_rewrite_may_retell_the_event_it_points_to_when_it_asks_the_same_from_the_conversations_words():
    exchange = Exchange(question="Which anchor asked Musk whether he would leave government?", answer="Bret Baier.")
    asked = "On what day of the week did that interview take place?"
    retold = "On what day of the week did Bret Baier ask Musk whether he would leave government?"
    assert usable_rewrite(retold, asked, exchange) == retold
    # another question (who, not what day), or a word the conversation never had, are not the follow-up
    assert usable_rewrite("Who asked Musk whether he would leave government?", asked, exchange) is None
    assert usable_rewrite("On what day of the week did Bret Baier praise Musk?", asked, exchange) is None


# -- the history -------------------------------------------------------------------------------------


def test_the_last_exchange_and_its_citations_are_read_from_the_history():
    later = [
        {"role": "user", "content": "When was that?"},
        {"role": "assistant", "content": "In March [2].", "citations": [{"chunk_id": "a#1"}, "a#1"]},
    ]
    exchange = last_exchange([*CLASH, *later])
    assert exchange == Exchange(question="When was that?", answer="In March.", cited=("a#1",))
    assert last_exchange([]) is None
    assert last_exchange([{"role": "user", "content": "Who won?"}]) == Exchange(question="Who won?")


@pytest.mark.parametrize("citations", ["a#1", [{"n": 1}], [3]])
def test_malformed_citations_in_the_history_are_a_clear_error(citations):
    with pytest.raises(QuestionError, match="citation"):
        cited_chunks({"role": "assistant", "content": "x", "citations": citations})


# -- through the pipeline ----------------------------------------------------------------------------

HARBOUR = (
    "Harbour committee news\n\nCommittee chair Rosa Diaz said the lighthouse budget of 77 crowns was approved "
    "on Monday. Work on the lighthouse starts in May.\n"
)
FERRY = "Lakeview ferry news\n\nThe Lakeview ferry resumed service on Monday. Tickets cost four crowns for adults.\n"


def test_a_resolved_follow_up_is_shown_searched_and_answered_with_the_previous_passages(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    (corpus / "ferry.txt").write_text(FERRY, encoding="utf-8")
    llm = ScriptedLLM(
        [
            "The lighthouse budget was 77 crowns [1].",
            "When does work on the lighthouse start?",  # the rewrite of "When does that start?"
            "Work on the lighthouse starts in May [1].",
        ]
    )
    pipeline = Pipeline(make_settings(tmp_path / "index", corpus_dir=corpus), embedder=HashEmbedder(), llm=llm)
    pipeline.index([corpus])
    first = pipeline.ask("How much was the lighthouse budget?")
    assert not first.refused and not first.standalone
    history = [
        {"role": "user", "content": first.question},
        {"role": "assistant", "content": first.answer, "citations": [c.__dict__ for c in first.citations]},
    ]
    seen: list[tuple[str, tuple[str, ...]]] = []
    retrieve = Retriever.retrieve

    def recording(self, query, k=None, scope=None, carried=()):  # the real retrieval, with what it was asked noted
        seen.append((query, tuple(carried)))
        return retrieve(self, query, k, scope, carried)

    monkeypatch.setattr(Retriever, "retrieve", recording)
    events = list(pipeline.stream("When does that start?", history))
    assert Status("Searching for: When does work on the lighthouse start?") in events
    answer = events[-1]
    assert isinstance(answer, Answer) and not answer.refused and "May" in answer.answer
    assert answer.standalone == answer.search_query == "When does work on the lighthouse start?"
    assert answer.to_json()["standalone"] == answer.standalone
    assert Answer.from_json(answer.to_json()).standalone == answer.standalone  # a reopened conversation keeps it
    assert seen == [("When does work on the lighthouse start?", tuple(c.chunk_id for c in first.citations))]
    assert "When does work on the lighthouse start?" in llm.prompts[-1][-1]["content"]  # the answer prompt


def test_she_after_a_whose_question_is_the_one_person_the_answer_named():
    history = turn(
        "Whose work is recognised as crucial to winning the vote?", "Ada Lowe's work is recognised as crucial [1]."
    )
    llm, rewrite = model()
    query = standalone_question("What did the Courier say she shaped?", history, rewrite)
    assert query.standalone == "What did the Courier say Ada Lowe shaped?"
    assert query.how is Resolved.RULE and llm.prompts == []
    # two people in the answer: either may be "she", so the model's
    history = turn("Whose work is recognised as crucial?", "Ada Lowe's and Eve Hale's work is recognised [1].")
    llm, rewrite = model("What did the Courier say Eve Hale shaped?")
    assert standalone_question("What did the Courier say she shaped?", history, rewrite).how is Resolved.MODEL


def test_that_office_is_the_office_the_question_before_asked_of():
    history = turn("In what year did Ann Vale become mayor of Orr?", "Ann Vale became mayor of Orr in 1953 [1].")
    llm, rewrite = model("Until when did Ann Vale hold that office?")
    query = standalone_question("And until when did she hold that office?", history, rewrite)
    assert query.standalone == "Until when did Ann Vale hold the office of mayor of Orr?", query.standalone
    # a question before that names no office leaves it to the words as they are
    history = turn("Who led the Orr council?", "Ann Vale led it [1].")
    llm, rewrite = model("Until when did Ann Vale hold that office?")
    query = standalone_question("Until when did she hold that office?", history, rewrite)
    assert "that office" in query.standalone
