"""Every branch of the answer stage with a scripted model and a tiny deterministic embedder: no model
files, milliseconds a test. The four failure classes of the answers issue each have a test here."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import HashEmbedder, Reply, ScriptedLLM

from rag.answer import Answer
from rag.answering import Answerer, AskOptions
from rag.config import Settings
from rag.errors import QuestionError
from rag.judge import ANSWER_PREFIX, FOUND_PREFIX
from rag.prompts import PromptSet
from rag.retrieval import Passage, Retrieval

EMBEDDER = HashEmbedder()
PROMPTS = PromptSet(
    system="SYSTEM",
    fewshot=(),
    user="Passages:\n{passages}\n\nQuestion: {question}",
    followup="{question}",
    refusal="The articles do not say.",
)
# show an answer when logit(found) + certainty > 0: the model thought the passages held the answer,
# and was sure of each word it wrote
SETTINGS = Settings.from_env({}).with_overrides(
    found_weight=1.0,
    certainty_weight=1.0,
    relevance_weight=0.0,
    unstated_weight=0.0,
    answer_bias=0.0,
    answer_threshold=0.5,
    min_relevance=0.0,
)


def _title(source: str, text: str) -> str:
    """As the indexer titles an article: its name, and the opening sentence after a heading line."""
    heading, _, body = text.partition("\n\n")
    name = source.removesuffix(".txt").title()
    return f"{heading}: {body.split('. ')[0]}." if body else name


class StaticRetriever:
    """Retrieval over a fixed list of article texts, ranked by the hash embedder."""

    def __init__(self, articles: dict[str, str]) -> None:
        self.passages = [
            Passage(
                chunk_id=f"{source}#0",
                source=source,
                title=_title(source, text),
                start=0,
                end=len(text),
                text=text,
                score=0.0,
                dense=0.0,
                keyword=0.0,
            )
            for source, text in articles.items()
        ]

    def retrieve(self, query: str, k: int | None = None, scope=None, carried=()) -> Retrieval:
        vector = EMBEDDER.embed_one(query)
        within = self.passages if scope is None else [p for p in self.passages if p.source in scope.sources]
        scored = [(float(EMBEDDER.embed_one(p.text) @ vector), p) for p in within]
        ranked = [p.__class__(**{**p.__dict__, "dense": s, "score": s}) for s, p in sorted(scored, key=lambda x: -x[0])]
        return Retrieval(query, vector, ranked[: k or 6], {"retrieve_ms": 1.0})


ARTICLES = {
    "dinner.txt": "Ann Lee and Bob Ray met the president on Friday. They dined with the president at the lodge on "
    "Saturday. The dinner lasted three hours.",
    "treaty.txt": "In 1803 France ceded the territory to the United States. The price was $15 million.",
    "grants.txt": "The institute received a grant of $2 million. The city approved $100 billion for new roads.",
    "vote.txt": "The council voted 7-2 to approve the budget. Jim Hale and Tom Poe fell out over the schools plan.",
    "stadium.txt": "The new stadium was designed by architect Zara Quinn. It opens in 2027.",
    "storm_a.txt": "The storm left about 12,000 homes without power, the utility said.",
    "storm_b.txt": "Officials put the number of homes that lost power in the storm at 15,000.",
}


def answerer(llm: ScriptedLLM, articles: dict[str, str] = ARTICLES, **settings) -> Answerer:
    return Answerer(SETTINGS.with_overrides(**settings), StaticRetriever(articles), EMBEDDER, lambda: llm, PROMPTS)


def verdicts(found: float):
    """The model's verdict at "Found:" before it answers."""
    return lambda messages: found


def sure_reply(reply: str, question: str, articles: dict[str, str] = ARTICLES) -> Answer:
    """`question` answered by a model sure the passages hold the answer, whose reply is `reply`."""
    return answerer(ScriptedLLM([reply], judge=verdicts(0.95)), articles).ask(question)


def assert_answered_with(reply: str, question: str, articles: dict[str, str], part: str) -> None:
    """`question`, answered `reply` by a sure model, is shown with `part` in it."""
    answer = sure_reply(reply, question, articles)
    assert not answer.refused and part in answer.answer, answer.answer


def sure_reply_read_again(reply: str, question: str, articles: dict[str, str] = ARTICLES) -> Answer:
    """As `sure_reply`, where a reply read again from other passages finds nothing there."""
    return answerer(ScriptedLLM([reply, "The articles do not say."], judge=verdicts(0.95)), articles).ask(question)


# -- 1. the model gives up on a stated answer ------------------------------------------------------------
def test_the_answer_is_always_written_and_the_pipeline_decides():
    # the model hesitates at "Found:" (it would have said "do not say" a third of the time), but it
    # is sure of every word of its answer: the combined confidence shows the answer
    llm = ScriptedLLM([Reply("They dined with the president at the lodge [1].", certainty=-0.05)], judge=verdicts(0.6))
    question = "Where did Ann Lee and Bob Ray dine with the president?"
    answer = answerer(llm).ask(question)
    assert not answer.refused and "lodge" in answer.answer, answer
    assert [c.source for c in answer.citations] == ["dinner.txt"]
    assert llm.judged[0] == llm.prompts[0]  # the verdict was read on the very prompt that was answered
    # relevance: the question against the passage sentence the answer rests on (weight 0 in these settings)
    rests_on = EMBEDDER.embed_one("They dined with the president at the lodge on Saturday.")
    relevance = round(float(rests_on @ EMBEDDER.embed_one(question)), 4)
    signals = {"found": 0.6, "certainty": -0.05, "relevance": relevance, "unstated": 0.0, "confidence": 0.588}
    assert answer.signals == signals  # every question word is in the passage: nothing of its premise unstated


def test_generation_starts_after_the_forced_opening():
    seen = []

    class Recording(ScriptedLLM):
        def stream(self, messages, max_tokens=200, temperature=0.0, stats=None, stop=None, prefix="", forbid=()):
            seen.append(prefix)
            return super().stream(messages, max_tokens, temperature, stats, stop)

    llm = Recording(["They dined at the lodge [1]."], judge=verdicts(0.9))
    answerer(llm).ask("Where did Ann Lee and Bob Ray dine?")
    assert seen == [ANSWER_PREFIX] and ANSWER_PREFIX.startswith(FOUND_PREFIX)


def test_a_sure_not_found_refuses_before_writing():
    llm = ScriptedLLM([], judge=verdicts(0.01))  # no output queued: generating would fail the test
    answer = answerer(llm).ask("Where did Ann Lee and Bob Ray dine with the president?")
    assert answer.refused and answer.answer == "The articles do not say." and not answer.citations


# -- 2. words right, meaning wrong -------------------------------------------------------------------------
def test_roles_swapped_pass_the_word_check_but_not_the_models_certainty():
    # every word is in the passage; the model hesitated over who ceded what (a near-tie at "United")
    llm = ScriptedLLM(
        [Reply("The United States ceded the territory to France in 1803 [1].", certainty=-4.0)], judge=verdicts(0.9)
    )
    answer = answerer(llm).ask("Who ceded the territory in 1803?")
    assert answer.refused, answer.answer
    assert answer.signals["certainty"] == -4.0


def test_the_questions_own_name_where_who_stood_is_written_again_without_it_however_sure_the_model():
    # every word is in the passage, it names something new, and the model was sure; but the one who
    # directed is not the actor the question names: asked again with his name kept out of the reply
    articles = {"film.txt": "Nightfall features Dan Hale in his fourth role as the spy. It was directed by Sam Lowe."}
    question = "Who directed Dan Hale's fourth role as the spy?"
    llm = ScriptedLLM(["Dan Hale directed Nightfall [1].", "Sam Lowe directed Nightfall [1]."], judge=verdicts(0.95))
    answer = answerer(llm, articles).ask(question)
    assert llm.forbidden == [(), ("Dan", "Hale")]
    assert not answer.refused and answer.answer.startswith("Sam Lowe directed"), answer.answer
    # written the same way again: refused, however sure
    llm = ScriptedLLM(["Dan Hale directed Nightfall [1].", "Dan Hale directed it [1]."], judge=verdicts(0.95))
    assert answerer(llm, articles).ask(question).refused
    answer = sure_reply("Sam Lowe directed it [1].", question, articles)
    assert not answer.refused and "Sam Lowe" in answer.answer


def test_the_questions_name_made_owner_of_what_the_passage_gives_another_is_refused():
    # every word but the owner is in the passage, and the model was sure
    articles = {
        "chopin.txt": "Fryderyk's father, Nicolas Chopin, was a Frenchman from Lorraine.",
        "plays.txt": "Sophocles wrote Antigone, a play about a burial.",
    }
    reply = "Sophocles' father, Nicolas Chopin, was a Frenchman from Lorraine [1]."
    # read again from the passage that names Sophocles, the model finds nothing there
    llm = ScriptedLLM([reply, "The articles do not say."], judge=verdicts(0.95))
    assert answerer(llm, articles).ask("Who was the father of Sophocles?").refused
    assert len(llm.prompts) == 2 and "Fryderyk" not in llm.prompts[1][-1]["content"]
    answer = sure_reply(reply.replace("Sophocles'", "Fryderyk's"), "Who was the father of Fryderyk?", articles)
    assert not answer.refused and "Nicolas Chopin" in answer.answer


def test_an_answer_that_moves_the_questions_event_to_another_year_is_refused_however_sure_the_model():
    articles = {"plague.txt": "In October 2010 a journal published a paper on plague, after a study by Lee in 1998."}
    reply = "The paper was published in October 2010 [1]."
    assert sure_reply(reply, "In what month was Lee's study published in 1998?", articles).refused
    answer = sure_reply(reply, "In what month was the paper on the plague published?", articles)
    assert not answer.refused and "October 2010" in answer.answer


def test_the_questions_superlative_must_be_stated_by_what_the_answer_cites():
    peaks = {"peaks.txt": "Mount Hale is the highest peak in the state."}
    reply = "The snowiest peak in the state is Mount Hale [1]."
    assert sure_reply(reply, "What is the snowiest peak in the state?", peaks).refused
    # another passage states it: read again from that one alone
    articles = {**peaks, "snow.txt": "The snowiest is Gray Gap."}
    answer, llm = _read_twice(
        articles,
        "What is the snowiest peak in the state?",
        ("highest", "The snowiest peak in the state is Mount Hale"),
        ("snowiest", "The snowiest peak is Gray Gap"),
    )
    assert not answer.refused and "Gray Gap" in answer.answer, answer.answer
    assert "Mount Hale" not in llm.prompts[1][-1]["content"]
    reply = "Mount Hale is the highest peak in the state [1]."
    answer = sure_reply(reply, "What is the highest peak in the state?", articles)
    assert not answer.refused and "Mount Hale" in answer.answer


def test_a_superlative_the_passage_only_ranks_is_not_stated():
    # "the second smallest state" does not say it is the smallest
    states = {"states.txt": "Lorn is the second smallest state in the world, after Vale."}
    reply = "Lorn is the smallest state in the world, after Vale [1]."
    assert sure_reply(reply, "Why is Lorn the smallest state in the world?", states).refused
    reply = "Lorn is the second smallest state in the world [1]."
    answer = sure_reply(reply, "What is the second smallest state in the world?", states)
    assert not answer.refused and "Lorn" in answer.answer
    # stated plainly of one scope, and only ranked of the scope asked of
    reign = "Ann Vell's reign is the longest of any Norvish monarch and the second-longest of any sovereign state"
    reply = f"{reign} [1]."
    assert sure_reply(reply, "Whose reign is the longest of any sovereign state?", {"vell.txt": f"{reign}."}).refused
    answer = sure_reply(reply, "Whose reign is the longest of any Norvish monarch?", {"vell.txt": f"{reign}."})
    assert not answer.refused, answer.answer


def test_a_question_word_the_answer_takes_from_further_on_in_the_passage_is_refused_however_sure_the_model():
    articles = {
        "chicago.txt": "Hutchins took office in 1929. Hutchins eliminated varsity football from the university to "
        "emphasize academics over athletics. In 1933 Hutchins proposed a merger with Northwestern. In his term the "
        "university hospitals were built."
    }
    reply = "Hutchins eliminated hospitals from the university to emphasize academics over athletics [1]."
    assert sure_reply(reply, "Why did Hutchins eliminate hospitals from the university?", articles).refused
    # nor does the sentence answer it when the answer leaves the far-off word out
    reply = "Hutchins eliminated varsity football from the university to emphasize academics over athletics [1]."
    assert sure_reply(reply, "Why did Hutchins eliminate hospitals from the university?", articles).refused
    # the question's words in the sentence the answer rests on, or never in the passage (said otherwise)
    for verb, did in [("eliminate", "eliminated"), ("cut", "cut")]:
        reply = f"Hutchins {did} varsity football to emphasize academics [1]."
        answer = sure_reply(reply, f"Why did Hutchins {verb} varsity football?", articles)
        assert not answer.refused and "academics" in answer.answer, answer.answer


def test_a_name_the_answer_gives_holds_the_questions_words_far_from_its_full_form_when_a_sentence_gives_both():
    # the answer rests on the sentence with the full name; the question's words are two sentences on,
    # beside the name itself ("Sato is ...") or beside "she" in the article filed under her
    articles = {
        "ken sato.txt": "Ken Sato was a Norvish politician who served as prime minister from 1964 to 1972. He was the "
        "third longest-serving prime minister. Sato is best remembered for securing the return of Okinawa.",
        "ada lowe.txt": "Ada Lowe was a Norvish activist who organised the suffrage movement in 1903. In 1999 the "
        "Courier named her one of the most important people of the century. Today she is recognised as a crucial "
        "element in winning the vote.",
    }
    question = "Which Norvish prime minister is best remembered for securing the return of Okinawa?"
    answer = sure_reply("Ken Sato is best remembered for securing the return of Okinawa [1].", question, articles)
    assert not answer.refused and "Ken Sato" in answer.answer, answer.answer
    question = "Who is recognised as a crucial element in winning the vote?"
    answer = sure_reply("Ada Lowe is recognised as a crucial element in winning the vote [1].", question, articles)
    assert not answer.refused and "Ada Lowe" in answer.answer, answer.answer


def test_a_question_for_a_name_answered_without_one_is_refused_however_sure_the_model():
    articles = {"plan.txt": "In 2000 voters approved a sales tax for a $2 billion package of road projects."}
    reply = "The $2 billion package of road projects was approved [1]."
    assert sure_reply(reply, "What was the name of the measure voters approved?", articles).refused
    answer = sure_reply(reply, "What was the measure voters approved?", articles)
    assert not answer.refused and "$2 billion" in answer.answer, answer.answer


def test_facts_spliced_from_two_subjects_are_refused_when_the_model_doubted():
    llm = ScriptedLLM([Reply("The institute received $100 billion [1].", certainty=-3.5)], judge=verdicts(0.8))
    assert answerer(llm).ask("How much did the institute receive?").refused


def test_an_invented_figure_is_dropped_by_the_word_check_however_sure_the_model():
    llm = ScriptedLLM(["The institute received $7 million [1]."], judge=verdicts(0.99))
    answer = answerer(llm).ask("How much did the institute receive?")
    assert answer.refused  # the only sentence claimed a figure no passage holds


def test_a_figure_given_the_questions_qualifier_its_passage_never_gives_it_is_dropped():
    # "How many doubles titles ...?" answered from "60 singles titles": the question's word, put beside
    # the figure, makes it count something the passage never counts
    articles = {"tennis.txt": "Ana Vale has won 60 singles titles on the tour and an Olympic medal."}
    assert sure_reply(
        "Ana Vale has won 60 doubles titles [1].", "How many doubles titles has Ana Vale won?", articles
    ).refused
    # a figure spelt out, told of what the passage counts otherwise
    group = {"group.txt": "The Orbis Group is a family of five lending agencies based in Lyon."}
    assert sure_reply(
        "The Orbis Group has five member countries [1].", "How many member countries does the Orbis Group have?", group
    ).refused
    # a qualifier the passage does give with the figure stands
    answer = sure_reply(
        "Ana Vale has won 60 singles titles [1].", "How many singles titles has Ana Vale won?", articles
    )
    assert not answer.refused and "60 singles titles" in answer.answer
    # and a question word after the counted noun ("people died" for "were killed") is not a qualifier
    quake = {"quake.txt": "The Varno earthquake killed 6,900 people and left 900 missing."}
    answer = sure_reply(
        "6,900 people died in the earthquake [1].", "How many people died in the Varno earthquake?", quake
    )
    assert not answer.refused and "6,900" in answer.answer, answer.answer


@pytest.mark.parametrize(
    "source, question, reply, passage, left_out",
    [
        (  # "Which company's drive?" answered with "the drive", no owner: the sentence it rests on names one
            "ipod.txt",
            "Which company's disk drive had Rubinstein already found?",
            "The disk drive had been found by Rubinstein when meeting a supplier in Japan [1].",
            "Rubinstein had already found the Toshiba disk drive when meeting a supplier in Japan.",
            "Toshiba",
        ),
        (  # a year names the one asked for
            "walesa.txt",
            "Which election made Walesa president?",
            "Walesa was the first elected president of Poland [1].",
            "After winning the 1990 election, Walesa became the first elected president of Poland.",
            "the 1990 election",
        ),
        (  # a why-answer without the reason its sentence gives
            "pauling.txt",
            "Why did Pauling receive the Nobel Peace Prize?",
            "Pauling was awarded the Nobel Peace Prize in 1962 [1].",
            "For his peace activism, Pauling was awarded the Nobel Peace Prize in 1962.",
            "For his peace activism",
        ),
        (  # the reason as an "as"-clause
            "apple.txt",
            "Why did Apple adopt its current name in 2007?",
            "The company adopted its current name in 2007 [1].",
            "Its current name was adopted in 2007 as the company expanded its focus from computers to phones.",
            "as the company expanded",
        ),
    ],
)
def test_an_answer_without_the_owner_instance_or_reason_asked_for_quotes_its_sentence(
    source, question, reply, passage, left_out
):
    answer = sure_reply(reply, question, {source: passage})
    assert not answer.refused and left_out in answer.answer, answer.answer


def test_a_name_the_passage_gives_by_its_initials_may_be_spelt_out_in_the_answer():
    question = "Through which organisation did Brandt work for cooperation in Western Europe?"
    reply = "Brandt worked through the European Economic Community (EEC) [1]."
    articles = {"brandt.txt": "Brandt won the prize for his work for cooperation in Western Europe through the EEC."}
    answer = sure_reply(reply, question, articles)
    assert not answer.refused and "(EEC)" in answer.answer, answer.answer
    # the initials are still the claim: a passage that never gives them does not support the name
    articles = {"brandt.txt": "Brandt won the prize for his work for cooperation in Western Europe through NATO."}
    assert sure_reply(reply, question, articles).refused


def test_a_name_the_user_typed_must_be_in_the_passage_cited_not_only_in_the_answer_repeating_it():
    # the museum holds another of the painter's works; only the other passage names the one asked about
    articles = {
        "painter.txt": "Among Lorca Vane's famous works are the painting Aldera and the painting Bellmoor.",
        "aldera.txt": "Aldera, an oil painting by Lorca Vane, is in the collection of the Museum of Modern Art.",
    }
    reply = "The Museum of Modern Art holds Lorca Vane's painting {} [2]."
    # read again from the passage that names it, the model finds no museum there
    llm = ScriptedLLM([reply.format("Bellmoor"), "The articles do not say."], judge=verdicts(0.95))
    assert answerer(llm, articles).ask("Which museum holds Lorca Vane's painting Bellmoor?").refused
    assert "[1] Among Lorca Vane's famous works" in llm.prompts[1][-1]["content"]
    answer = sure_reply(reply.format("Aldera"), "Which museum holds Lorca Vane's painting Aldera?", articles)
    assert not answer.refused and "Museum of Modern Art" in answer.answer, answer.answer


def test_a_thing_s_name_the_user_typed_must_be_in_the_passage_cited_not_in_another_article_s():
    # "It was founded ..." speaks of the union; the alliance's own passage is shown beside it
    articles = {
        "union.txt": "The Union of Coastal Towns was a forum of harbour cities. It was founded on 4 May 1911.",
        "alliance.txt": "The Alliance of Northern Ports is a forum of river cities in the north of the country.",
    }
    question = "In what year was the Alliance of Northern Ports founded?"
    evidence = StaticRetriever(articles).retrieve(question).passages
    union = 1 + [p.source for p in evidence].index("union.txt")
    llm = ScriptedLLM(
        [f"The Alliance of Northern Ports was founded on 4 May 1911 [{union}].", "The articles do not say."],
        judge=verdicts(0.95),
    )
    assert answerer(llm, articles).ask(question).refused
    # the union's own name, cited to its passage, is answered
    reply = f"The Union of Coastal Towns was founded on 4 May 1911 [{union}]."
    answer = sure_reply(reply, question.replace("Alliance of Northern Ports", "Union of Coastal Towns"), articles)
    assert not answer.refused and "1911" in answer.answer, answer.answer


def test_a_name_put_where_the_sentence_rested_on_has_another_is_refused():
    # the war asked of is a name that looks like a person's; its sentence is the other war's
    articles = {
        "vell.txt": "Dana Vell led the Whites in the Norvish Civil War (1918).",
        "orm war.txt": "The Orm War was a civil war. The Orm War was fought from October 1853 to February 1856.",
    }
    question = "In what year was the Norvish Civil War fought?"
    reply = "The Norvish Civil War was fought from October 1853 to February 1856 [2]."
    assert sure_reply_read_again(reply, question, articles).refused
    # the war the sentence names, answered
    answer = sure_reply(reply.replace("Norvish Civil", "Orm"), question.replace("Norvish Civil", "Orm"), articles)
    assert not answer.refused and "1853" in answer.answer, answer.answer


def test_a_kinsman_s_full_name_replaces_the_person_asked_of_though_one_full_name_holds_both():
    articles = {
        "vell.txt": "Mara Oden Vell was a diplomat who served as envoy from 1950 to 1955. She was a daughter "
        "of Oden Vell, who served as mayor of Tarn from 1920 to 1924."
    }
    reply = "Oden Vell served as mayor of Tarn from 1920 to 1924 [1]."
    assert sure_reply_read_again(reply, "In which years did Mara Vell serve as mayor of Tarn?", articles).refused
    answer = sure_reply(reply, "In which years did Oden Vell serve as mayor of Tarn?", articles)
    assert not answer.refused and "1920 to 1924" in answer.answer, answer.answer


def test_a_sentence_naming_a_longer_name_is_not_about_the_namesake_the_passage_gives_whole():
    articles = {
        "vell.txt": "Mara Oden Lind Vell was a diplomat who served as envoy until her death in a crash in May "
        "1955. She was a daughter of Oden Vell, mayor of Tarn until his death in 1970."
    }
    reply = "Oden Vell died in a crash in May 1955 [1]."
    assert sure_reply_read_again(reply, "When did Oden Vell die in a crash?", articles).refused  # the daughter died
    # the same person: one who goes by the last of her names, or by her first and last
    for full, known in (("Nelle Harper Vell", "Harper Vell"), ("Mara Oden Vell", "Mara Vell")):
        articles = {"vell.txt": f"{full} died in a crash in May 1955. {known} was an envoy."}
        answer = sure_reply(f"{known} died in a crash in May 1955 [1].", f"When did {known} die in a crash?", articles)
        assert not answer.refused and "May 1955" in answer.answer, answer.answer


def test_a_figure_is_told_of_the_name_before_it_not_of_one_after_it():
    articles = {
        "ledger.txt": "In 2023, the Ledger had 2.5 million digital subscribers, ranking third after "
        "The Morning Courier and The Harbour Gazette."
    }
    reply = "The Harbour Gazette had 2.5 million digital subscribers in 2023 [1]."
    assert sure_reply_read_again(
        reply, "How many digital subscribers did The Harbour Gazette have in 2023?", articles
    ).refused
    reply = "The Ledger had 2.5 million digital subscribers in 2023 [1]."
    answer = sure_reply(reply, "How many digital subscribers did the Ledger have in 2023?", articles)
    assert not answer.refused and "2.5 million" in answer.answer, answer.answer


def test_an_ordinal_the_passage_states_by_counting_is_stated():
    articles = {
        "vale.txt": "Ana Vale was president from 1930 to 1945 and from 1951 until her death in 1954. "
        "During World War I she was a nurse."
    }
    answer = sure_reply(
        "Vale began her second term in 1951 [1].", "In which year did Vale begin her second term?", articles
    )
    assert not answer.refused and "1951" in answer.answer, answer.answer
    answer = sure_reply("She was a nurse [1].", "What was Vale during the First World War?", articles)
    assert not answer.refused and "nurse" in answer.answer, answer.answer
    # a third term is counted by none of it
    llm = ScriptedLLM(["Vale began her third term in 1951 [1].", "The articles do not say."], judge=verdicts(0.95))
    assert answerer(llm, articles).ask("In which year did Vale begin her third term?").refused


def test_a_name_that_does_no_verb_in_the_question_is_not_replaced_by_the_answer():
    # "alongside Musk to lead": Musk is not who appointed; "Polish foreign minister": an adjective
    articles = {"doge.txt": "Trump appointed Musk and Vivek Ramaswamy to lead the agency."}
    reply = "Trump appointed Vivek Ramaswamy to lead the agency [1]."
    answer = sure_reply(reply, "Which businessman did Trump appoint alongside Musk to lead the agency?", articles)
    assert not answer.refused and "Ramaswamy" in answer.answer
    articles = {"trip.txt": "Rubio confronted Radoslaw Sikorski, Poland's foreign minister, in Munich."}
    reply = "Radoslaw Sikorski, Poland's foreign minister [1]."
    answer = sure_reply(reply, "Who is the Polish foreign minister that Rubio confronted?", articles)
    assert not answer.refused and "Sikorski" in answer.answer


def test_a_name_written_as_the_initials_the_passage_gives_it_is_not_a_replacement():
    articles = {
        "court.txt": "The International Criminal Court (ICC) sits in The Hague. The ICC can prosecute war crimes."
    }
    answer = sure_reply(
        "The ICC can prosecute war crimes [1].",
        "Which crimes can the International Criminal Court prosecute?",
        articles,
    )
    assert not answer.refused and "war crimes" in answer.answer


def test_two_names_the_evidence_joins_as_one_are_not_a_replacement():
    articles = {"chopin.txt": "Frédéric Chopin obtained French citizenship in 1835."}
    answer = sure_reply(
        "Chopin obtained French citizenship in 1835 [1].", "In what year did Frédéric obtain citizenship?", articles
    )
    assert not answer.refused and "1835" in answer.answer


@pytest.mark.parametrize("title", ["lee-hale feud.txt", "lee and hale.txt"])
def test_two_names_a_title_pairs_are_two_people_and_one_may_replace_the_other(title):
    # "The Lee-Hale Feud", "Lee And Hale": a pair of names, not one name, however the title writes them
    articles = {title: "Hale made a deal with the unions. Lee made a deal with the council."}
    reply = "Hale made the deal with the unions [1]."
    assert sure_reply(reply, "With which group did Lee make a deal?", articles).refused


# -- 3. supported, but not an answer -----------------------------------------------------------------------
def test_a_true_sentence_that_holds_no_figure_does_not_answer_how_many():
    llm = ScriptedLLM(["Jim Hale and Tom Poe fell out over the schools plan [1]."], judge=verdicts(0.9))
    answer = answerer(llm).ask("How many council members voted against the budget?")
    assert answer.refused, answer.answer
    # years are no count of people; a span of years answers "how many years"
    famine = {"famine.txt": "The Great Want was a period of mass starvation in Norv from 1845 to 1852."}
    reply = "The Great Want was a period of mass starvation in Norv from 1845 to 1852 [1]."
    assert sure_reply(reply, "How many people died in the Great Want?", famine).refused
    answer = sure_reply(reply, "How many years did the Great Want last?", famine)
    assert not answer.refused and "1845 to 1852" in answer.answer, answer.answer


def test_a_figure_that_counts_something_else_is_replaced_by_the_sentence_that_counts_what_was_asked():
    articles = {"tennis.txt": "Ana Vale has won 60 singles titles, including a record 12 majors, and an Olympic medal."}
    answer = sure_reply("Ana Vale has won 60 singles titles [1].", "How many majors has Ana Vale won?", articles)
    assert not answer.refused and "12 majors" in answer.answer
    # a figure the passage never ties to what was asked is left as the model wrote it
    answer = sure_reply("Ana Vale has won 60 singles titles [1].", "How many trophies has Ana Vale won?", articles)
    assert answer.answer.startswith("Ana Vale has won 60 singles titles")
    # "how many were injured" counts the injured: the figure of the dead is not an answer to it
    quake = {"quake.txt": "The quake left 6,900 people confirmed dead in Varno province and 37,400 injured."}
    answer = sure_reply("The quake left 6,900 people confirmed dead [1].", "How many were injured in Varno?", quake)
    assert not answer.refused and "37,400 injured" in answer.answer


def test_a_figure_the_sentence_gives_for_something_else_is_replaced_by_the_sentence():
    # the answer's figure is the total; the words after the sentence's other figure are the question's
    quake = {
        "quake.txt": "Officials said 6,900 were confirmed dead, including 5,800 in Varno province, and 900 missing."
    }
    answer = sure_reply(
        "6,900 were confirmed dead in Varno province [1].", "How many people died in Varno province?", quake
    )
    assert not answer.refused and "5,800 in Varno province" in answer.answer, answer.answer
    # the sentence's other figure counts the question's words a few words on ("22 major women's singles titles")
    tennis = {"tennis.txt": "Ana Vale won 107 singles titles on the tour, including 22 major women's singles titles."}
    answer = sure_reply(
        "Ana Vale won 107 singles titles [1].", "How many major singles titles did Ana Vale win?", tennis
    )
    assert "22 major women's singles titles" in answer.answer, answer.answer
    # a day of a month is a date, not a figure that fits better
    film = {"film.txt": "As of 20 February 2016, the film has grossed over $879 million worldwide."}
    answer = sure_reply(
        "The film has grossed $879 million [1].", "How much had the film grossed by February 2016?", film
    )
    assert answer.answer.startswith("The film has grossed $879 million"), answer.answer


def test_an_answer_that_leaves_out_the_one_named_with_the_questions_noun_quotes_the_sentence():
    articles = {
        "harbour.txt": "At the end of the Second Lorvan War, the Danes gained Port Ellis in exchange for Kell Island."
    }
    question = "After which war did the Danes gain Port Ellis?"
    answer = sure_reply("The Danes gained Port Ellis in exchange for Kell Island [1].", question, articles)
    assert not answer.refused and "Second Lorvan War" in answer.answer
    # one the answer names already ("CEO Ana Vale" answered "Ana Vale") is not quoted again
    articles = {"firm.txt": "As ordered by CEO Ana Vale, the engineers designed the Lumo player in 2001."}
    answer = sure_reply(
        "Ana Vale ordered the design of the Lumo player [1].", "Which CEO ordered the Lumo player?", articles
    )
    assert answer.answer.startswith("Ana Vale ordered")


def test_an_answer_naming_only_what_the_question_sets_aside_quotes_the_sentence_naming_another():
    articles = {
        "station.txt": "The Orbital Research Station (ORS) is a research station in low orbit. "
        "Alongside India's Vayu, it is one of two operational space stations."
    }
    reply = "The ORS is one of two operational space stations [1]."
    assert_answered_with(reply, "Apart from the ORS, which space station is operational?", articles, "Vayu")
    # without a sentence naming another, the answer stands as written
    articles = {"station.txt": "The Orbital Research Station (ORS) is one of two operational space stations."}
    answer = sure_reply(reply, "Apart from the ORS, which space station is operational?", articles)
    assert not answer.refused and "one of two operational space stations" in answer.answer, answer.answer


def test_a_true_sentence_the_model_did_not_find_the_answer_in_is_refused():
    llm = ScriptedLLM(["The dinner lasted three hours [1]."], judge=verdicts(0.1))
    assert answerer(llm).ask("Why did Ann Lee meet the president?").refused


@pytest.mark.parametrize(
    ("articles", "reply", "elsewhere", "answered"),
    [
        # each sentence is supported by the passage it cites, but that passage is about another family:
        # the question's name is only in a passage the answer does not cite
        (
            {
                "chopin.txt": "Nicolas Chopin was the father of the composer Fryderyk Chopin.",
                "antigone.txt": "Sophocles wrote the play Antigone about the family of Oedipus.",
            },
            "Nicolas Chopin was the father of the composer [1].",
            "Who was the father of the playwright Sophocles?",
            "Who was the father of the composer Fryderyk Chopin?",
        ),
        # the passage names both men; the answer puts the one who resigned in the other's place
        (
            {"panel.txt": "Pachauri resigned as chair in February 2015, and Ismail El Gizouli became acting chair."},
            "Pachauri resigned in February 2015 [1].",
            "In what year did El Gizouli resign?",
            "In what year did Pachauri resign?",
        ),
        # another report with the same last word; a relative clause between the name and its verb
        (
            {"reports.txt": "The Kalven Report was issued in 1967. The Darfur divestment followed in 2006."},
            "The Kalven Report was issued in 1967 [1].",
            "In what year was the Darfur Report issued?",
            "In what year was the Kalven Report issued?",
        ),
        # the question's subject (after "does") is not the one the answer says does something
        (
            {"voices.txt": "Zelda speaks rarely. Link remains silent, but grunts when attacking."},
            "Link grunts when attacking [1].",
            "What does Zelda say when attacking?",
            "What does Link do when attacking?",
        ),
        # the place the question sets it in, after the same verb and preposition, is another place
        (
            {"spring.txt": "The protests began in Tunisia after a vendor's death. They spread to Egypt and Libya."},
            "The protests began in Tunisia after a vendor's death [1].",
            "Why did the protests begin in Egypt?",
            "Why did the protests begin in Tunisia?",
        ),
        # the office the question gives to one country, the answer gives to another
        (
            {"kaunda.txt": "Kenneth Kaunda was the first president of Zambia, which borders Kenya."},
            "Kenneth Kaunda was the first president of Zambia [1].",
            "Who was the first president of Kenya?",
            "Who was the first president of Zambia?",
        ),
        # the name qualifies the noun it stood before, and another name qualifies it in the answer
        (
            {"accord.txt": "The accord was signed by the British Government in 1917. The French envoy agreed."},
            "The accord was signed by the British Government in 1917 [1].",
            "Why did the French government sign the accord?",
            "Why did the British government sign the accord?",
        ),
        (
            {"rule.txt": "After Malaysia's independence in 1957, Burmese schools were merged."},
            "After Malaysia's independence in 1957, schools were merged [1].",
            "What happened to schools after Burmese independence in 1957?",
            "What happened to schools after Malaysia's independence in 1957?",
        ),
        # the question's name does the verb; the answer has it done by another name, in the passive
        (
            {
                "rich.txt": "As of 2025, the Orbis Wealth Index ranked Vale 18th. "
                "From 2010 to 2013, Vale was ranked as the richest man in the world by Tally magazine."
            },
            "Vale has been ranked as the richest man in the world by Tally magazine since 2010 [1].",
            "Since which year has the Orbis Wealth Index ranked Vale as the richest man in the world?",
            "Since which year has Tally magazine ranked Vale as the richest man in the world?",
        ),
        # the object of the question's verb, the answer gives another ("ended the First Border War")
        (
            {
                "league.txt": "The Harbour League was founded in 1920 by the conference that ended the First "
                "Border War. The Second Border War broke out in 1931."
            },
            "The Harbour League was founded in 1920 by the conference that ended the First Border War [1].",
            "In what year was the Harbour League founded by the conference that ended the Second Border War?",
            "In what year was the Harbour League founded by the conference that ended the First Border War?",
        ),
        (
            {"cast.txt": "Stephanie Sigman was cast as Estrella. Alessandro Cremona plays Marco Sciarra."},
            "Stephanie Sigman was cast as Estrella [1].",
            "Alessandro, who was cast as Estrella?",
            "Who was cast as Estrella?",
        ),
    ],
)
def test_an_answer_about_someone_the_question_does_not_name_is_refused(articles, reply, elsewhere, answered):
    # where another passage names the question's subject, the model reads that one again (next test)
    # and here finds nothing there
    assert sure_reply_read_again(reply, elsewhere, articles).refused
    answer = sure_reply(reply, answered, articles)
    assert not answer.refused and answer.answer.startswith(reply.split(" [")[0].rstrip("."))


def test_a_name_qualifying_the_noun_the_question_asks_which_one_of_is_no_name_the_answer_replaces():
    articles = {"vale.txt": "Ann Vale was a Norvish general. Her new constitution established the Fifth Republic."}
    reply = "Her new constitution established the Fifth Republic [1]."
    answer = sure_reply(reply, "Which Norvish republic did Vale's new constitution establish?", articles)
    assert not answer.refused and "Fifth Republic" in answer.answer, answer.answer


BAND = {
    "vale.txt": "Silver Echo singer Ann Vale struggled with depression.",
    "silver echo.txt": "Managed by Tom Vance, the group sold millions.",  # its title names the group
}


PRESIDENTS = {
    "harper.txt": "William Rainey Harper became the university's first president in 1891.",
    "hutchins.txt": "In 1929 the fifth president, Robert Maynard Hutchins, took office.",
}


def _citing(word: str, sentence: str):
    """A reply that cites whichever passage of the prompt holds `word`."""

    def reply(messages) -> str:
        line = next(x for x in messages[-1]["content"].splitlines() if word in x)
        return f"{sentence} [{line[1:].split(']')[0]}]."

    return reply


def _read_twice(articles: dict[str, str], question: str, first: tuple[str, str], second: tuple[str, str]):
    """`question` asked of a model sure of both its readings, each citing the passage that holds a word:
    (word, sentence) for the first reply and for the second. The answer, and the model (what it was shown)."""
    llm = ScriptedLLM([_citing(*first), _citing(*second)], judge=verdicts(0.95))
    return answerer(llm, articles).ask(question), llm


def test_a_passage_that_spells_out_the_initials_the_question_typed_names_what_it_asks_about():
    articles = {
        "marr.txt": "Ivo Marr was a Norvish diplomat who served as Secretary-General of the United Nations "
        "from 1953 until his death in a plane crash in 1961.",
        "league.txt": "The tenure of the Harbour League ended in 1946, when its Secretary-General handed its work "
        "to the United Nations.",
    }
    answer, llm = _read_twice(
        articles,
        "How did Marr's tenure as UN Secretary-General end?",
        ("1946", "The tenure of the Harbour League ended in 1946"),
        ("plane", "His tenure ended with his death in a plane crash in 1961"),
    )
    assert not answer.refused and "plane crash" in answer.answer, answer.answer
    assert "Harbour League" not in llm.prompts[1][-1]["content"]


def test_a_second_reading_the_model_doubts_is_refused():
    llm = ScriptedLLM(
        [
            _citing("Hutchins", "Robert Maynard Hutchins took office in 1929"),
            Reply("William Rainey Harper became the first president in 1891 [1].", certainty=-0.1),
        ],
        judge=lambda messages: 0.2 if "Hutchins" not in messages[-1]["content"] else 0.95,
    )
    assert answerer(llm, PRESIDENTS).ask("In what year did William Rainey Harper take office?").refused


def test_a_refusal_or_an_answer_from_a_passage_naming_the_subject_is_not_read_again():
    refused = ScriptedLLM(["The articles do not say."], judge=verdicts(0.95))
    assert answerer(refused, PRESIDENTS).ask("In what year did William Rainey Harper take office?").refused
    assert len(refused.prompts) == 1
    named = ScriptedLLM([_citing("Hutchins", "Robert Maynard Hutchins took office in 1929")], judge=verdicts(0.95))
    answer = answerer(named, PRESIDENTS).ask("In what year did Robert Maynard Hutchins take office?")
    assert not answer.refused and "1929" in answer.answer and len(named.prompts) == 1


def test_a_figure_the_rewrite_carried_over_is_context_a_figure_the_user_typed_is_a_premise():
    articles = {"siege.txt": "The Mongol army under Jani Beg besieged the port city of Kaffa."}
    history = [
        {"role": "user", "content": "Through which port did the plague reach Europe?"},
        {"role": "assistant", "content": "It reached Europe through Kaffa in 1347 [1]."},
    ]
    rewrite = "Who led the army besieging Kaffa in 1347?"
    llm = ScriptedLLM([rewrite, "Jani Beg led the army besieging Kaffa [1]."], judge=verdicts(0.95))
    answer = answerer(llm, articles).ask("Who led the army besieging it?", history)
    assert answer.standalone == rewrite and not answer.refused and "Jani Beg" in answer.answer
    llm = ScriptedLLM(["Jani Beg led the army besieging Kaffa [1]."], judge=verdicts(0.95))
    assert answerer(llm, articles).ask(rewrite).refused  # typed: the articles never say 1347
    # the answer may repeat the carried figure: it is context from the last checked answer
    llm = ScriptedLLM([rewrite, "Jani Beg led the army besieging Kaffa in 1347 [1]."], judge=verdicts(0.95))
    answer = answerer(llm, articles).ask("Who led the army besieging it?", history)
    assert not answer.refused and "Jani Beg" in answer.answer


# -- 4. no closed lists -------------------------------------------------------------------------------------
def test_a_role_noun_on_no_list_is_answered():
    llm = ScriptedLLM(["The stadium was designed by architect Zara Quinn [1]."], judge=verdicts(0.95))
    answer = answerer(llm).ask("Which architect designed the new stadium?")
    assert not answer.refused and "Zara Quinn" in answer.answer


def test_a_weekday_question_wants_a_day():
    llm = ScriptedLLM(["The dinner lasted three hours [1]."], judge=verdicts(0.95))
    assert answerer(llm).ask("On what day did Ann Lee and Bob Ray dine with the president?").refused
    llm = ScriptedLLM(["They dined with the president on Saturday [1]."], judge=verdicts(0.95))
    assert "Saturday" in answerer(llm).ask("On what day did Ann Lee and Bob Ray dine with the president?").answer


def test_an_answer_that_leaves_out_what_was_asked_quotes_the_sentence_it_rests_on():
    # the model wrote the sentence without its date; the passage sentence it rests on holds it
    llm = ScriptedLLM(["They dined with the president at the lodge [1]."], judge=verdicts(0.95))
    answer = answerer(llm).ask("On what day did Ann Lee and Bob Ray dine with the president?")
    assert not answer.refused
    assert answer.answer == "They dined with the president at the lodge on Saturday [1]."
    assert [c.source for c in answer.citations] == ["dinner.txt"]
    # the sentence it rests on holds no figure either: nothing to quote
    llm = ScriptedLLM(["Jim Hale and Tom Poe fell out over the schools plan [1]."], judge=verdicts(0.95))
    assert answerer(llm).ask("How many council members voted against the budget?").refused


def test_an_answer_that_only_restates_the_question_quotes_the_sentence_it_rests_on():
    # "Where ...?" answered with the question's own words: the passage sentence it rests on says where
    articles = {"post.txt": "The mayor said the two men get along, posting it on Civic Board over the weekend."}
    llm = ScriptedLLM(["The mayor posted that the two men get along [1]."], judge=verdicts(0.95))
    answer = answerer(llm, articles).ask("Where did the mayor post that the two men get along?")
    assert not answer.refused
    assert answer.answer == "The mayor said the two men get along, posting it on Civic Board over the weekend [1]."
    assert [c.source for c in answer.citations] == ["post.txt"]


POLL = {
    "approve.txt": "The city poll found that 38% of voters approve of the mayor.",
    "unfavorable.txt": "In the same poll, 60% of voters said they view the mayor unfavorably.",
}
POLL_HISTORY = [
    {"role": "user", "content": "What share of voters approve of the mayor?"},
    {"role": "assistant", "content": "38% of voters approve of the mayor [1].", "citations": ["approve.txt#0"]},
]


def _unsure(reply, certainty: float = -1.0):
    return lambda messages: Reply(reply(messages), certainty=certainty)


REWRITE = "What share of voters view the mayor unfavorably?"
REPEAT = _citing("approve", "38% of voters approve of the mayor")
NEW = _citing("60%", "60% view the mayor unfavorably")


def test_a_follow_up_answered_with_the_previous_answer_is_read_again_without_what_that_cited():
    llm = ScriptedLLM([REWRITE, _unsure(REPEAT), NEW], judge=verdicts(0.95))
    answer = answerer(llm, POLL).ask("And what share view him unfavorably?", POLL_HISTORY)
    assert not answer.refused and "60%" in answer.answer, answer
    assert [c.source for c in answer.citations] == ["unfavorable.txt"]
    assert "approve" not in llm.prompts[2][-1]["content"]  # read again without the sentence it repeated


@pytest.mark.parametrize(
    "second",
    [
        "The articles do not say.",  # nothing else to say
        _unsure(NEW, certainty=-4.0),  # something new, too unsure to be shown
    ],
)
def test_a_repeated_answer_stands_when_reading_again_gives_nothing_that_may_be_shown(second):
    llm = ScriptedLLM([REWRITE, REPEAT, second], judge=verdicts(0.95))
    answer = answerer(llm, POLL).ask("And what share view him unfavorably?", POLL_HISTORY)
    # the figure asked for is there: the repeat stands as written, not as its passage's whole sentence
    assert answer.answer == "38% of voters approve of the mayor [1]." and len(llm.prompts) == 3


def test_a_less_sure_reading_that_states_more_of_the_question_replaces_the_repeat():
    # the repeat is the surer, but its passage says nothing of "view" or "unfavorably": the user was just told it
    llm = ScriptedLLM([REWRITE, REPEAT, _unsure(NEW)], judge=verdicts(0.95))
    answer = answerer(llm, POLL).ask("And what share view him unfavorably?", POLL_HISTORY)
    assert not answer.refused and "60%" in answer.answer, answer
    assert answer.signals["unstated"] < 0.5 and answer.signals["confidence"] < 0.9


def test_a_less_sure_reading_that_states_no_more_of_the_question_leaves_the_repeat():
    # both passages say "voters" and "mayor" only: nothing tells the second reading is the answer
    poll = {"approve.txt": POLL["approve.txt"], "rival.txt": "In the same poll, 60% of voters back the mayor's rival."}
    other = _citing("60%", "60% of voters back the mayor's rival")
    llm = ScriptedLLM([REWRITE, REPEAT, _unsure(other)], judge=verdicts(0.95))
    answer = answerer(llm, poll).ask("And what share view him unfavorably?", POLL_HISTORY)
    assert answer.answer == "38% of voters approve of the mayor [1]."


def test_a_why_follow_up_answered_with_the_last_answer_quotes_the_sentence_that_goes_on_with_the_reason():
    articles = {
        "podcast.txt": "On the podcast Musk called the pension fund “the biggest swindle of all time”, a comment "
        "that flew in the face of the mayor's vows never to cut benefits."
    }
    history = [
        {"role": "user", "content": "Where did Musk call the pension fund a swindle?"},
        {"role": "assistant", "content": "Musk called the pension fund “the biggest swindle of all time” [1]."},
    ]
    llm = ScriptedLLM(
        [
            "Why was Musk calling the pension fund a swindle a problem for the mayor?",
            "Musk called the pension fund “the biggest swindle of all time” [1].",
        ],
        judge=verdicts(0.95),
    )
    answer = answerer(llm, articles).ask("Why was that a problem for the mayor?", history)
    assert not answer.refused and "never to cut benefits" in answer.answer, answer
    assert len(llm.prompts) == 2  # nothing else to read again: the one passage was cited


def test_an_answer_that_says_something_new_is_not_read_again():
    llm = ScriptedLLM([REWRITE, _unsure(NEW)], judge=verdicts(0.95))
    answer = answerer(llm, POLL).ask("And what share view him unfavorably?", POLL_HISTORY)
    assert "60%" in answer.answer and len(llm.prompts) == 2


@pytest.mark.parametrize(
    "articles, question, first, second, answered, hidden",
    [
        # the question's other words lead to a passage that never names its subject
        (
            PRESIDENTS,
            "In what year did William Rainey Harper take office?",
            ("Hutchins", "Robert Maynard Hutchins took office in 1929"),
            ("Harper", "William Rainey Harper became the first president in 1891"),
            ("1891", "harper.txt"),
            "Hutchins",
        ),
        # the answer never says what the question says was done; sure of both, the model's confidence
        # does not tell them apart, the question's own verb does
        (
            BAND,
            "Who managed Silver Echo?",
            ("depression", "Silver Echo singer Ann Vale struggled with depression"),
            ("Managed", "Tom Vance managed Silver Echo"),
            ("Tom Vance", "silver echo.txt"),
            "depression",
        ),
        # a question that names no act: the answer never says the thing asked for ("capital")
        (
            {
                "norland.txt": "Norland is a country in the north with a long coast.",
                "norland cities.txt": "Port Ilse is the capital and largest city.",
            },
            "What is the capital of Norland?",
            ("coast", "Norland is a country in the north"),
            ("capital", "The capital of Norland is Port Ilse"),
            ("Port Ilse", "norland cities.txt"),
            "coast",
        ),
    ],
)
def test_an_answer_from_the_wrong_passage_is_read_again_from_those_that_name_and_say_what_was_asked(
    articles, question, first, second, answered, hidden
):
    answer, llm = _read_twice(articles, question, first, second)
    assert not answer.refused and answered[0] in answer.answer, answer
    assert [c.source for c in answer.citations] == [answered[1]]
    assert hidden not in llm.prompts[1][-1]["content"]  # only the passages that name and say it
    assert len(llm.judged) == 2  # the model's verdict is asked again on what it now reads


def test_a_second_reading_that_says_less_of_the_question_does_not_replace_the_first():
    articles = {
        "terms.txt": "Council elections in Dover occur every four years.",
        "party.txt": "The mayor held a garden party in 2006.",
    }
    answer, llm = _read_twice(
        articles,
        "How often are council elections held in Dover?",
        ("Dover", "Council elections in Dover occur every four years"),
        ("held", "A party was held in 2006"),
    )
    assert "every four years" in answer.answer and len(llm.prompts) == 2, answer  # read again, and set aside
    # a second reading that names the one the first named, less fully, corrects nothing
    books = {"novel.txt": "Dusk Road is a novel by Ann Hale.", "work.txt": "Hale wrote Dusk Road in a year."}
    first, second = ("Ann", "Dusk Road is a novel by Ann Hale"), ("year", "Hale wrote Dusk Road")
    answer, llm = _read_twice(books, "Who wrote Dusk Road?", first, second)
    assert "Ann Hale" in answer.answer and len(llm.prompts) == 2, answer
    stated = ScriptedLLM([_citing("Managed", "Tom Vance managed Silver Echo")], judge=verdicts(0.95))
    assert "Tom Vance" in answerer(stated, BAND).ask("Who managed Silver Echo?").answer
    assert len(stated.prompts) == 1  # an answer that says what was done is not read again


# -- the other branches -------------------------------------------------------------------------------------
def test_a_wrong_citation_is_repaired():
    llm = ScriptedLLM(["The stadium was designed by architect Zara Quinn [2]."], judge=verdicts(0.95))
    answer = answerer(llm, {"stadium.txt": ARTICLES["stadium.txt"], "vote.txt": ARTICLES["vote.txt"]}).ask(
        "Which architect designed the new stadium?"
    )
    assert [c.source for c in answer.citations] == ["stadium.txt"]
    assert answer.answer.endswith("[1].")


def test_a_name_is_shown_as_its_cited_passage_spells_it():
    # the check counts "Labour" and "Labor" as one word; the answer quotes the source's own spelling
    articles = {"vote.txt": "Traditionally, Labor is strongest in the western suburbs where the Americans live."}
    answer = sure_reply(
        "The Labour Party is strongest in the western suburbs, where American voters live [1].",
        "Which party is strongest in the western suburbs?",
        articles,
    )
    # "American" is another form of the passage's word, not another spelling of it
    assert answer.answer.startswith("The Labor Party is strongest in the western suburbs, where American voters")


def test_a_date_is_shown_as_its_cited_passage_writes_it():
    articles = {"crisis.txt": "The harbour crisis lasted from 16 to 28 October 1962, and a treaty followed."}
    question = "On what date did the harbour crisis end?"
    answer = sure_reply("The harbour crisis ended on October 28, 1962 [1].", question, articles)
    assert answer.answer.startswith("The harbour crisis ended on 28 October 1962"), answer.answer
    # another day is not respelt into one the passage gives
    answer = sure_reply("The harbour crisis ended on October 29, 1962 [1].", question, articles)
    assert "28 October" not in answer.answer


def test_filler_and_repetition_are_dropped():
    llm = ScriptedLLM(
        [
            "The stadium was designed by architect Zara Quinn [1]. The sources agree that this is true [1]. "
            "The stadium was designed by Zara Quinn [1]."
        ],
        judge=verdicts(0.95),
    )
    answer = answerer(llm).ask("Which architect designed the new stadium?")
    assert answer.answer.count(".") == 1 and "agree" not in answer.answer, answer.answer


def test_a_name_the_articles_never_mention_is_refused_without_the_model():
    llm = ScriptedLLM([], judge=verdicts(0.99))
    answer = answerer(llm).ask("Who won the 2025 Super Bowl?")
    assert answer.refused and not llm.prompts and not llm.judged


def test_a_place_the_question_sets_its_event_in_that_the_articles_never_mention_is_refused_without_the_model():
    articles = {"orbis.txt": "Orbis Group was founded on 28 June 1999 in Hangzhou. It sells tea."}
    llm = ScriptedLLM([], judge=verdicts(0.99))
    answer = answerer(llm, articles).ask("On what date was Orbis Group founded in Shenzhen?")
    assert answer.refused and not llm.prompts and not llm.judged


def test_a_name_told_only_by_the_words_another_name_shares_is_refused_without_the_model():
    articles = {"icc.txt": "The International Criminal Court was set up in 2002 in The Hague."}
    llm = ScriptedLLM([], judge=verdicts(0.99))
    answer = answerer(llm, articles).ask("In what year was the International Court of Justice set up?")
    assert answer.refused and not llm.prompts and not llm.judged


def test_a_name_typed_without_its_accents_is_the_name_the_article_spells_with_them():
    articles = {"zurich.txt": "Zürich hosted the Lorvan festival in 2016, its mayor said."}
    answer = sure_reply("Zurich hosted the Lorvan festival [1].", "What did Zurich host in 2016?", articles)
    # shown as the article spells it
    assert not answer.refused and answer.answer.startswith("Zürich hosted the Lorvan festival"), answer.answer


def test_a_name_only_the_articles_title_states_is_no_reason_to_refuse():
    # the sentence that holds the answer calls him "he"; the article is "Bruce Lee"
    articles = {"bruce lee.txt": "Known for the five films that he starred in, he made martial arts films popular."}
    answer = sure_reply("He starred in five films [1].", "How many films did Bruce Lee star in?", articles)
    assert not answer.refused and "five" in answer.answer


def test_no_evidence_at_all_is_refused():
    llm = ScriptedLLM([], judge=0.99)
    assert answerer(llm, {}).ask("Where did they dine?").refused


def test_figures_two_articles_disagree_on_are_both_kept_with_their_own_citations():
    articles = {"storm_a.txt": ARTICLES["storm_a.txt"], "storm_b.txt": ARTICLES["storm_b.txt"]}
    llm = ScriptedLLM(
        ["The storm left about 12,000 homes without power [1]. Another report put it at 15,000 homes [2]."],
        judge=verdicts(0.95),
    )
    answer = answerer(llm, articles).ask("How many homes lost power in the storm?")
    assert "12,000" in answer.answer and "15,000" in answer.answer, answer.answer
    assert {c.source for c in answer.citations} == {"storm_a.txt", "storm_b.txt"}


def test_no_figure_the_model_did_not_write_is_added_to_its_answer():
    articles = {"storm_a.txt": ARTICLES["storm_a.txt"], "storm_b.txt": ARTICLES["storm_b.txt"]}
    # "left without power" never says "lost": the other article is read again, and says nothing to the model
    llm = ScriptedLLM(
        ["The storm left about 12,000 homes without power [1].", "The articles do not say."], judge=verdicts(0.95)
    )
    answer = answerer(llm, articles).ask("How many homes lost power in the storm?")
    assert answer.answer == "The storm left about 12,000 homes without power [1].", answer.answer


def test_a_server_that_ignores_prefill_has_its_opening_removed():
    llm = ScriptedLLM(["Found: yes\nThe stadium was designed by architect Zara Quinn [1]."], judge=verdicts(0.95))
    answer = answerer(llm).ask("Which architect designed the new stadium?")
    assert answer.answer.startswith("The stadium"), answer.answer


def test_streaming_shows_markers_only_on_checked_sentences():
    llm = ScriptedLLM(
        ["Ann Lee and Bob Ray met the president on Friday [1]. They dined with him at the lodge [1]."],
        judge=verdicts(0.95),
    )
    events = list(answerer(llm).stream("Where did Ann Lee and Bob Ray dine with the president?"))
    partials = [e.text for e in events[:-1] if hasattr(e, "text")]
    assert any("Friday" in p and "[1]" not in p for p in partials)  # written, not yet checked
    assert events[-1].answer.count("[1]") == 2, events[-1].answer


@pytest.mark.parametrize("question", ["", "   ", "\x00\x01"])
def test_an_empty_question_is_a_clear_error(question):
    with pytest.raises(QuestionError, match="empty"):
        answerer(ScriptedLLM()).ask(question)


def test_a_huge_question_is_trimmed_with_a_notice():
    llm = ScriptedLLM(["The stadium was designed by architect Zara Quinn [1]."], judge=verdicts(0.95))
    answer = answerer(llm, max_question_chars=60).ask("Which architect designed the new stadium? " + "word " * 500)
    assert answer.notice and len(answer.question) <= 60


def test_options_override_temperature():
    temperatures = []

    class Recording(ScriptedLLM):
        def stream(self, messages, max_tokens=200, temperature=0.0, stats=None, stop=None, prefix="", forbid=()):
            temperatures.append(temperature)
            return super().stream(messages, max_tokens, temperature, stats, stop)

    llm = Recording(["The stadium was designed by architect Zara Quinn [1]."], judge=verdicts(0.95))
    answerer(llm).ask("Which architect designed the new stadium?", options=AskOptions(temperature=0.7))
    assert temperatures == [0.7]


def test_hash_embedder_is_deterministic():
    assert np.allclose(EMBEDDER.embed_one("a b"), HashEmbedder().embed_one("a b"))


def test_the_found_floor_is_where_even_a_sure_answer_cannot_reach_the_threshold():
    from rag.judge import Signals, confidence, found_floor

    settings = Settings.from_env({})
    for bound in (1.0, 0.5):  # the evidence sentence nearest the question bounds the answer's relevance
        floor = found_floor(settings, bound)
        assert 0.0 < floor < settings.answer_threshold
        best = {"certainty": 0.0, "relevance": bound}
        assert confidence(Signals(found=floor * 1.01, **best), settings) >= settings.answer_threshold
        assert confidence(Signals(found=floor * 0.99, **best), settings) < settings.answer_threshold
    assert found_floor(settings, 0.5) > found_floor(settings, 1.0)
    assert found_floor(settings.with_overrides(relevance_weight=0.0), 0.5) == found_floor(
        settings.with_overrides(relevance_weight=0.0), 1.0
    )


def test_an_answer_resting_on_a_sentence_far_from_the_question_is_less_sure_when_relevance_is_weighed():
    articles = {"trip.txt": "Ann Lee and Bob Ray dined with the president at the lodge. The weather was warm."}
    question = "Where did Ann Lee and Bob Ray dine with the president?"

    def ask(reply: str, **settings) -> Answer:
        return answerer(ScriptedLLM([Reply(reply, certainty=-0.05)], judge=verdicts(0.9)), articles, **settings).ask(
            question
        )

    far, near = "The weather was warm [1].", "They dined with the president at the lodge [1]."
    assert not ask(far).refused  # every other check passes it: a true sentence of the passage
    assert ask(far).signals["relevance"] < ask(near).signals["relevance"]
    assert ask(far, relevance_weight=3.0, answer_bias=-3.0).refused
    assert not ask(near, relevance_weight=3.0, answer_bias=-3.0).refused


def test_an_answer_whose_passages_never_state_the_question_s_premise_is_less_sure_when_it_is_weighed():
    articles = {"tree.txt": "Julia Hill lived in a redwood tree for 738 days. The tree was saved from the loggers."}
    reply = "Julia Hill lived in a redwood tree for 738 days [1]."

    def ask(question: str, **settings) -> Answer:
        llm = ScriptedLLM([Reply(reply, certainty=-0.05)], judge=verdicts(0.9))
        return answerer(llm, articles, **settings).ask(question)

    stated, assumed = "Where did Julia Hill live for 738 days?", "What absurd act did Julia Hill perform?"
    assert ask(stated).signals["unstated"] == 0.0
    assert ask(assumed).signals["unstated"] >= 0.5  # "absurd", "act", "perform": the passage says none of them
    assert not ask(assumed).refused  # every other check passes it: a true sentence of the passage
    assert ask(assumed, unstated_weight=-6.0).refused
    assert not ask(stated, unstated_weight=-6.0).refused


# -- a reply that retells the prompt's worked examples ------------------------------------------------------
WITH_EXAMPLES = PromptSet(
    system="SYSTEM",
    fewshot=(
        {
            "role": "user",
            "content": "Passages:\n[1] The ferry to Lakeview sank in a gale near Pine Point.\n\n"
            "Question: Where did the ferry sink?",
        },
        {"role": "assistant", "content": "Found: yes\nThe ferry sank near Pine Point [1]."},
    ),
    user=PROMPTS.user,
    followup=PROMPTS.followup,
    refusal=PROMPTS.refusal,
)


def test_a_reply_retelling_the_worked_example_is_written_again_without_the_examples():
    llm = ScriptedLLM(["The ferry sank near Pine Point [1].", "They dined at the lodge [1]."], judge=verdicts(0.9))
    answer = Answerer(SETTINGS, StaticRetriever(ARTICLES), EMBEDDER, lambda: llm, WITH_EXAMPLES).ask(
        "Where did Ann Lee and Bob Ray dine with the president?"
    )
    assert not answer.refused and "lodge" in answer.answer, answer
    assert len(llm.prompts[0]) == 4 and len(llm.prompts[1]) == 2  # the second prompt: system + question only
    assert llm.prompts[1][-1] == llm.prompts[0][-1]


def test_an_unsupported_reply_of_its_own_is_refused_not_written_again():
    # nothing of it comes from the examples: it is the model's own mistake, and the refusal stands
    llm = ScriptedLLM(["They dined at the harbour hotel [1]."], judge=verdicts(0.9))
    answer = Answerer(SETTINGS, StaticRetriever(ARTICLES), EMBEDDER, lambda: llm, WITH_EXAMPLES).ask(
        "Where did Ann Lee and Bob Ray dine with the president?"
    )
    assert answer.refused and len(llm.prompts) == 1


def test_he_or_she_in_an_article_filed_under_a_person_is_that_person_not_the_one_asked_about():
    articles = {
        "ann kessler.txt": "The daughter of sculptor Otto Kessler, she moved to Paris. She won the Orr Prize in 1990."
    }
    asked_of_her = sure_reply(
        "Ann Kessler won the Orr Prize in 1990 [1].", "When did Ann Kessler win the Orr Prize?", articles
    )
    assert not asked_of_her.refused and "1990" in asked_of_her.answer
    # the father the sentence before names: "She won ..." goes on about the article's Ann Kessler
    assert sure_reply(
        "Otto Kessler won the Orr Prize in 1990 [1].", "When did Otto Kessler win the Orr Prize?", articles
    ).refused
    # "she" need not open the sentence
    later = {"ann kessler.txt": "Her father was Otto Kessler. For her designs, she won the Orr Prize in 1990."}
    assert sure_reply(
        "Otto Kessler won the Orr Prize in 1990 [1].", "When did Otto Kessler win the Orr Prize?", later
    ).refused
    # an article under a headline, not a name, says nothing of whom "she" means
    news = {"prize news.txt": articles["ann kessler.txt"]}
    assert not sure_reply(
        "Otto Kessler won the Orr Prize in 1990 [1].", "When did Otto Kessler win the Orr Prize?", news
    ).refused


def test_an_answer_that_reverses_who_did_what_to_whom_is_refused():
    articles = {"council.txt": "Ann Kessler led the council for years. In 1976, she replaced Otto Brandt as its chair."}
    reversed_ = "Otto Brandt replaced Ann Kessler as chair of the council [1]."
    assert sure_reply(reversed_, "Whom did Otto Brandt replace as chair of the council?", articles).refused
    told = sure_reply("Ann Kessler replaced Otto Brandt [1].", "Whom did Ann Kessler replace as chair?", articles)
    assert not told.refused and "Otto Brandt" in told.answer
    # in the passive: the one the passage has do it, made the one done to
    chairs = {"chairs.txt": "In 1990 Otto Brandt was succeeded as chair by his deputy, Ann Kessler."}
    turned = "Ann Kessler was succeeded by Otto Brandt [1]."
    assert sure_reply(turned, "Who succeeded Ann Kessler as chair?", chairs).refused
    kept = sure_reply("Otto Brandt was succeeded by Ann Kessler [1].", "Who succeeded Otto Brandt as chair?", chairs)
    assert not kept.refused and "Ann Kessler" in kept.answer
    # the doer after "by", whom the passage has done to in a relative clause ("whom she succeeded")
    deputy = {
        "kessler.txt": "Ann Kessler was a close aide of Otto Brandt, under whom she served twice and whom she "
        "succeeded as chair in 1990."
    }
    turned = "Ann Kessler was succeeded by Otto Brandt [1]."
    assert sure_reply(turned, "Who succeeded Ann Kessler as chair?", deputy).refused
    told = sure_reply("Ann Kessler succeeded Otto Brandt in 1990 [1].", "When did Kessler succeed Brandt?", deputy)
    assert not told.refused and "1990" in told.answer
    # a participle after a name is no verb the name does ("to the British, establishing British rule")
    mandate = {"mandate.txt": "The League gave the mandate to the British, establishing British rule in 1920."}
    answer = "The League gave the mandate to the British, establishing British rule in 1920 [1]."
    assert not sure_reply(answer, "When did British rule begin in the territory?", mandate).refused


@pytest.mark.parametrize(
    ("articles", "question", "reply"),
    [
        # the name the question sets aside does not do its verb: "who" does
        (
            {"prizes.txt": "Ann Kessler won two prizes. Otto Brandt won two prizes in other fields."},
            "Who, apart from Ann Kessler, won two prizes in other fields?",
            "Otto Brandt won two prizes in other fields [1].",
        ),
        # "US" is the passage's "United States"
        (
            {"economy.txt": "The United States economy generates 26% of global output."},
            "What share of global output does the US economy generate?",
            "The US economy generates 26% of global output [1].",
        ),
        # "NLP" spells the question's name though no passage defines it (the article did, out of the evidence)
        (
            {
                "northern labour party.txt": "Founded in 1921, the NLP won the war against the Royalists. "
                "The party's congress meets every five years in the capital."
            },
            "In what year was the Northern Labour Party founded?",
            "The NLP was founded in 1921 [1].",
        ),
        # the question has its name done to: the agent after "by" is no rival for it
        (
            {"vale.txt": "Dana Vale was deposed in 1986 by the Harbour Revolution and went into exile."},
            "When was Dana Vale deposed?",
            "Vale was deposed in 1986 by the Harbour Revolution [1].",
        ),
        # "HWU" is the "Harbour Workers Union (HWU)" of the passage beside it, and a "She ..." sentence in
        # an article filed under a person that names the union is about the union too
        (
            {
                "ann kessler.txt": "Ann Kessler led the Harbour Workers Union (HWU) in strikes for years.",
                "strikes.txt": "The HWU struck in 1988 over pay.",
            },
            "In what year did the Harbour Workers Union strike?",
            "The HWU struck in 1988 [2].",
        ),
    ],
)
def test_a_name_stated_in_other_words_is_stated(articles, question, reply):
    answer = sure_reply(reply, question, articles)
    assert not answer.refused and reply.split(" [")[0] in answer.answer, answer


def test_an_answer_to_why_that_leaves_out_the_reason_its_sentence_gives_quotes_the_sentence():
    articles = {"prize.txt": "For her harbour reforms, Ann Kessler won the Orr Prize in 1990."}
    why = "Why did Ann Kessler win the Orr Prize?"
    answer = sure_reply("Ann Kessler won the Orr Prize in 1990 [1].", why, articles)
    assert "harbour reforms" in answer.answer and not answer.refused
    # one that gives it stays as written
    told = sure_reply("She won it because of her reforms [1].", why, articles)
    assert told.answer.startswith("She won it because")
    # neither what the question says was done nor a reason: the premise is the question's own
    queen = {"vell.txt": "Ann Vell was Queen of Norv from 1952 until her death in 2022. Her reign was long."}
    reply = "Ann Vell was Queen of Norv from 1952 until her death in 2022 [1]."
    assert sure_reply_read_again(reply, "Why did Ann Vell abdicate in 2022?", queen).refused
    # the answer's own "resigned ... because" is not the passage's: it says neither
    mayor = {"vell.txt": "Ann Vell was mayor of Orr from 1946 to her overthrow in 1955."}
    reply = "Ann Vell resigned as mayor of Orr in 1955 because she was overthrown [1]."
    assert sure_reply(reply, "Why did Ann Vell resign as mayor of Orr in 1955?", mayor).refused
    # "for which" gives the reason before it
    prize = {"vell.txt": "In 1978 Ann Vell signed the harbour treaty, for which she was given the Orr Prize."}
    reply = "Ann Vell was given the Orr Prize for signing the harbour treaty [1]."
    assert not sure_reply(reply, "Why did Ann Vell receive the Orr Prize?", prize).refused
    # what was done, in another form of its verb ("broke" for "break"), answers with what the sentence says
    queen = {"vell.txt": "Dissatisfied with the council, Ann Vell broke away from it in 1952."}
    answer = sure_reply("Ann Vell broke away from the council in 1952 [1].", "Why did Ann Vell break away?", queen)
    assert not answer.refused, answer.answer
    # "for" with a gerund gives a reason
    articles = {"prize.txt": "Ann Kessler was awarded the Orr Prize for signing the harbour treaty."}
    told = sure_reply(f"{articles['prize.txt'][:-1]} [1].", "Why did Ann Kessler receive the Orr Prize?", articles)
    assert not told.refused, told.answer


def test_an_answer_to_how_that_gives_only_when_quotes_the_sentence_that_says_how():
    articles = {"kessler.txt": "Ann Kessler was mayor of Orr from 1980 until her resignation in 1990."}
    how = "How did Ann Kessler's time as mayor of Orr come to an end?"
    answer = sure_reply("Ann Kessler's time as mayor of Orr came to an end in 1990 [1].", how, articles)
    assert "resignation" in answer.answer and not answer.refused, answer.answer
    # one that says how stays as written
    told = sure_reply("She resigned in 1990 [1].", how, articles)
    assert told.answer.startswith("She resigned"), told.answer


def test_an_answer_with_another_of_the_listed_spans_quotes_the_sentence_that_lists_them():
    spans = "from 1946 to her defeat in 1955, and from 1973 until her death in 1974"
    articles = {"vale.txt": f"Ann Vale was mayor of Orr {spans}."}
    second = "In what year did Ann Vale's second period as mayor begin?"
    answer = sure_reply("Ann Vale was mayor of Orr from 1946 to her defeat in 1955 [1].", second, articles)
    assert "from 1973" in answer.answer and not answer.refused, answer.answer
    # the span asked for stays as written
    told = sure_reply("Her second period began in 1973 [1].", second, articles)
    assert told.answer.startswith("Her second period began in 1973"), told.answer
    first = sure_reply("Ann Vale was mayor of Orr from 1946 [1].", "When did Ann Vale's first period begin?", articles)
    assert first.answer.startswith("Ann Vale was mayor of Orr from 1946 ["), first.answer


def test_an_answer_that_gives_another_office_than_the_one_asked_of_quotes_the_passage_on_it_or_is_refused():
    articles = {
        "vale.txt": "Ann Vale was a Norvish commander. She served as regent of Norv (1918-1919) and as the "
        "president of Norv (1944-1946). She became Norv's only field marshal in 1933."
    }
    reply = "Ann Vale became Norv's only field marshal in 1933 [1]."
    assert_answered_with(
        reply, "In what year did Ann Vale become president of Norv?", articles, "president of Norv (1944"
    )
    # an office the passage never gives her
    assert sure_reply_read_again(reply, "In what year did Ann Vale become prime minister of Norv?", articles).refused
    # the office asked of stays as written
    told = sure_reply(reply, "In what year did Ann Vale become field marshal?", articles)
    assert told.answer.startswith("Ann Vale became Norv's only field marshal in 1933"), told.answer


def test_whom_is_answered_by_people_given_by_what_they_are_where_whom_stood():
    articles = {"orbis fund.txt": "The Orbis Fund treats children and mothers with fever. It was founded in 1946."}
    answer = sure_reply(
        "The Orbis Fund treats children and mothers with fever [1].", "Whom does the Orbis Fund treat?", articles
    )
    assert not answer.refused and "children and mothers" in answer.answer, answer.answer
    articles = {"vale.txt": "In that position, Vale ruled the country through figurehead mayors."}
    answer = sure_reply(
        "Vale ruled the country through figurehead mayors [1].", "Through whom did Vale rule?", articles
    )
    assert not answer.refused and "figurehead mayors" in answer.answer, answer.answer
    # "who" answered by the doer of the question's verb in the passive, given by what they are
    articles = {"orm.txt": "The Orm chain had 400 shops in 2025, about 95% of which were run by franchisees."}
    answer = sure_reply(f"{articles['orm.txt'][:-1]} [1].", "Who ran most of the Orm chain's shops in 2025?", articles)
    assert not answer.refused and "franchisees" in answer.answer, answer.answer
    # nothing where "whom" stood, in the answer or its sentence: no one is given
    articles = {"vale.txt": "In that position, Vale ruled the country from 1930."}
    answer = sure_reply_read_again("Vale ruled the country from 1930 [1].", "Through whom did Vale rule?", articles)
    assert answer.refused, answer.answer


def test_an_ordinal_word_the_passage_never_gives_its_noun_is_a_premise_another_ordinal_contradicts():
    articles = {"barta.txt": "Ion Barta was the second and last leader of the Free Republic of Osk, from 1950 to 1970."}
    reply = "Ion Barta was the {} leader of the Free Republic of Osk [1]."
    question = "Who was the {} leader of the Free Republic of Osk?"
    assert sure_reply(reply.format("first"), question.format("first"), articles).refused
    told = sure_reply(reply.format("second"), question.format("second"), articles)
    assert not told.refused and "Ion Barta" in told.answer, told.answer


def test_an_ordinal_the_passage_gives_to_another_noun_is_the_questions_premise_told_of_something_else():
    articles = {"truman.txt": "Truman was the 33rd president. As the 34th vice president, he took office in 1945."}
    assert sure_reply("Truman was the 34th president [1].", "Who was the 34th president?", articles).refused
    told = sure_reply("Truman was the 33rd president [1].", "Who was the 33rd president?", articles)
    assert not told.refused and "Truman" in told.answer
    # a name's word between the ordinal and its noun ("the 17th Iranian Majlis") gives it to that noun
    articles = {"vale.txt": "Vale served through a contentious 1952 election into the 17th Iranian Majlis."}
    reply = "Vale served through a contentious 1952 election into the 17th Iranian Majlis [1]."
    told = sure_reply(reply, "Through which election did Vale serve into the 17th Majlis?", articles)
    assert not told.refused and "1952" in told.answer, told.answer


def test_a_person_given_only_as_him_is_named_after_the_pronoun_from_the_article_filed_under_them():
    # "Who ...?" answered from a sentence that calls the one asked for "him": the quote alone says nobody
    articles = {"dana vale.txt": "As of 2025, the Orbis Index ranked him as the richest person in Veloria."}
    question = "Who is the richest person in Veloria according to the Orbis Index?"
    answer = sure_reply("The Orbis Index ranked him as the richest person in Veloria [1].", question, articles)
    assert not answer.refused and "him [Dana Vale] as the richest" in answer.answer, answer.answer
    # the question names the article's person: "him" may be anyone
    question = "Whom did Dana Vale's father say the Orbis Index ranked as the richest person in Veloria?"
    answer = sure_reply("The Orbis Index ranked him as the richest person in Veloria [1].", question, articles)
    assert "[Dana Vale]" not in answer.answer, answer.answer
    # the model's own answer that opens with "He" names nobody either, whatever else it names
    articles = {
        "dana vale.txt": "Dana Vale is a Velorian politician. He was once a commander of the Free Corps (FC), "
        "a rebel force which invaded Veloria in 1990."
    }
    reply = "He was once a commander of the Free Corps (FC), a rebel force which invaded Veloria in 1990 [1]."
    answer = sure_reply(reply, "Who was once one of the FC's commanders?", articles)
    assert not answer.refused and answer.answer.startswith("He [Dana Vale] was once"), answer.answer


def test_whose_answered_by_a_pronoun_names_the_person_the_article_is_filed_under():
    # "the regime he created": whose it is comes after it; the article's person has a particle in the name
    articles = {
        "ana de sousa vale.txt": "Ana de Sousa Vale ruled Veloria. The regime he created lasted until 1974, "
        "making it one of the longest-lived dictatorships in Europe."
    }
    question = "Whose regime was one of the longest-lived dictatorships in Europe?"
    answer = sure_reply("The regime he created lasted until 1974 [1].", question, articles)
    assert not answer.refused and "he [ana de sousa vale] created" in answer.answer.lower(), answer.answer


def test_the_questions_year_repeated_from_a_passage_that_never_gives_it_is_refused():
    articles = {
        "policy.txt": "The zoning policy existed in Veloria from 1948 to 1994.",
        "vale.txt": "Dana Vale was a Velorian lawyer who opposed the zoning policy.",
    }
    question = "Which prime minister introduced the zoning policy in 1948?"
    assert sure_reply(
        "Dana Vale was the prime minister who introduced the zoning policy in 1948 [2].", question, articles
    ).refused
    # a year inside the span the cited passage gives is given
    answer = sure_reply(
        "The zoning policy existed in Veloria in 1950 [1].", "Did the zoning policy exist in 1950?", articles
    )
    assert not answer.refused, answer.answer


def test_an_answer_resting_on_he_in_an_article_filed_under_another_person_is_refused():
    articles = {"andrew vale.txt": "Andrew Vale was a banker. He served as Treasurer from 1921 to 1932."}
    reply = "Thomas Vale served as Treasurer from 1921 to 1932 [1]."
    assert sure_reply(reply, "When did Thomas Vale serve as Treasurer?", articles).refused
    # a name after "the first" qualifies the noun after it ("the first South Norvish head of state"): no person
    articles = {
        "dana vale.txt": "Dana Vale was a South Norvish lawyer. He was the first head of state elected by vote."
    }
    reply = "Vale was the first South Norvish head of state elected by vote [1]."
    answer = sure_reply(reply, "How was Vale the first South Norvish head of state to be chosen?", articles)
    assert not answer.refused and "elected by vote" in answer.answer, answer.answer


def test_a_thing_given_only_by_its_kind_is_named_from_the_article_filed_under_it():
    # "The group is ..." answers "what is ...?" with the article's subject by its kind alone
    articles = {"orbis lending group.txt": "The Orbis Lending Group has five members. The group is the largest lender."}
    answer = sure_reply("The group is the largest lender [1].", "What is the largest lender?", articles)
    assert not answer.refused and "The group [Orbis Lending Group] is" in answer.answer, answer.answer
    # or a kind the article's opening says its subject is
    articles["kestrel holdings.txt"] = (
        "Kestrel Holdings\n\nKestrel Holdings is a Norvish multinational technology company. "
        "Founded in 1999, the company sells cloud services."
    )
    answer = sure_reply(
        "The company sells cloud services [1].", "Which Norvish multinational sells cloud services?", articles
    )
    assert not answer.refused and "The company [Kestrel Holdings] sells" in answer.answer, answer.answer
    # a kind the title does not hold, or a title the answer already gives, stays as written
    for reply in ("The bank is the largest lender [1].", "The Orbis Lending Group is the largest lender [1]."):
        answer = sure_reply(reply, "What is the largest lender?", articles)
        assert "[Orbis Lending Group]" not in answer.answer, answer.answer


def test_the_thing_asked_for_given_by_its_kind_beside_other_names_is_named_from_its_article():
    # other names in the answer (the two sides) do not name the war asked for
    articles = {
        "norvish civil war.txt": "The war was a power struggle between two movements, the Free Corps and the Guard."
    }
    reply = "The war was a power struggle between the Free Corps and the Guard [1]."
    answer = sure_reply(reply, "Which war was a power struggle between two movements?", articles)
    assert not answer.refused and "The war [Norvish Civil War] was" in answer.answer, answer.answer
    # a kind that is not what the question asks for stays as written
    answer = sure_reply(reply, "Which movements fought the war?", articles)
    assert "[Norvish Civil War]" not in answer.answer, answer.answer


def test_a_thing_given_only_by_its_initials_is_spelt_out_from_the_passages_or_the_article_title():
    articles = {
        "northern states league.txt": "The league has 12 members. The NSL encourages trade in grain.",
        "orbis.txt": "Since 1950 the Orbis Lending Group (OLG) and the OLG alone lends to farmers.",
    }
    answer = sure_reply(
        "The NSL encourages trade in grain [1].", "Which organisation encourages trade in grain?", articles
    )
    assert "The NSL [Northern States League] encourages" in answer.answer, answer.answer
    answer = sure_reply("The OLG lends to farmers [1].", "Which organisation lends to farmers?", articles)
    assert "The OLG [Orbis Lending Group] lends" in answer.answer, answer.answer
    # initials the question gives, or a name the answer already spells out, stay as written
    for reply, question in [
        ("The NSL encourages trade in grain [1].", "What does the NSL encourage?"),
        ("The Orbis Lending Group (OLG) lends to farmers [1].", "Which organisation lends to farmers?"),
    ]:
        assert "[" not in sure_reply(reply, question, articles).answer.split(" [1]")[0]


def test_a_short_answer_the_passage_holds_word_for_word_is_supported_though_it_stems_as_the_question():
    # "Lowerism" stems as "Lowe": read as words, the answer only restates the question; the passage
    # it cites holds it as written
    articles = {"lowe.txt": "As prime minister, Ann Lowe carried out policies that came to be known as Lowerism."}
    question = "What name came to be given to the policies Lowe carried out as head of government?"
    answer = sure_reply("Lowerism [1].", question, articles)
    assert not answer.refused and "Lowerism" in answer.answer, answer.answer
    assert sure_reply("Lowe [1].", question, articles).refused  # nothing the question lacks


def test_an_answer_naming_a_thing_with_the_questions_own_words_cites_the_passage_that_gives_the_name():
    # "Ann Lowe Doctrine" is made of the question's words, yet it is a name the question never gives
    articles = {
        "lowe.txt": "Ann Lowe was a Norvish statesman who led the republic from 1978 to 1989.",
        "lowe doctrine.txt": "He is credited with shaping both market reform and the Ann Lowe Doctrine.",
    }
    answer = sure_reply(
        "The Ann Lowe Doctrine is named after Ann Lowe [1].", "Which doctrine is named after Ann Lowe?", articles
    )
    assert not answer.refused and "Ann Lowe Doctrine" in answer.answer, answer.answer
    assert sure_reply("Ann Lowe [1].", "Which doctrine is named after Ann Lowe?", articles).refused


def test_a_year_the_passage_gives_to_another_event_does_not_date_the_question_s_act():
    articles = {"vell.txt": "Ann Vell was mayor of Orr from 1980 until her death in 1990."}
    resigned = "In what year did Ann Vell resign as mayor of Orr?"
    assert sure_reply("Ann Vell resigned as mayor of Orr in 1990 [1].", resigned, articles).refused
    # the event's own noun, a kind of death for "killed", or a span's end ("until when", "end") is answered
    for question in (
        "In what year did Ann Vell die?",
        "In what year was Ann Vell killed?",
        "In what year did Ann Vell's time as mayor end?",
        "Until what year did Ann Vell serve as mayor?",
    ):
        assert not sure_reply("Ann Vell was mayor until her death in 1990 [1].", question, articles).refused, question
    # a year the passage also gives plainly answers
    plain = {"vell.txt": "Ann Vell resigned in 1990. She was mayor of Orr from 1980 until her death in 1990."}
    assert not sure_reply("Ann Vell resigned in 1990 [1].", resigned, plain).refused


def test_a_quoted_sentence_on_the_office_asked_of_names_the_person_it_gives_as_he():
    articles = {
        "dana vale.txt": "Dana Vale is a Velorian politician. A member of the Green Party, he was the first "
        "Velorian to serve as mayor of Orr. Vale represented Orr in the Senate from 2005 to 2008."
    }
    question = "Who was the first Velorian to serve as mayor of Orr?"
    reply = "Vale represented Orr in the Senate from 2005 to 2008 [1]."
    assert_answered_with(reply, question, articles, "he [Dana Vale] was the first Velorian")


def test_a_who_answer_naming_only_the_question_s_own_person_by_another_part_of_their_name_is_refused():
    articles = {
        "dana broz vale.txt": "Dana Broz, commonly known as Vale, was mayor of Orr until his death in 1980. "
        "Ann Kessler was the mayor after him."
    }
    question = "Who succeeded Vale as mayor of Orr after his death in 1980?"
    reply = "Dana Broz succeeded Vale as mayor of Orr after his death in 1980 [1]."
    assert sure_reply(reply, question, articles).refused
    assert_answered_with("Ann Kessler was the mayor after him [1].", question, articles, "Ann Kessler")


def test_who_did_an_act_the_passages_give_only_as_a_noun_with_no_doer_is_refused():
    articles = {
        "ann vale.txt": "Ann Vale was a Norvish officer. She became mayor of Orr in 1978, after the "
        "assassination of Mayor Dana Kessler. Kessler had appointed Vale as governor of Taiz."
    }
    question = "Who assassinated Mayor Dana Kessler?"
    assert sure_reply("Dana Kessler was assassinated by Ann Vale [1].", question, articles).refused
    # a doer after "by", or the act as a verb, says who; "the orders of" a person names the doer
    for said in (
        "She became mayor of Orr in 1978, after the assassination of Mayor Dana Kessler by Ann Vale.",
        "She became mayor of Orr in 1978, after Ann Vale assassinated Mayor Dana Kessler.",
    ):
        told = sure_reply("Dana Kessler was assassinated by Ann Vale [1].", question, {"ann vale.txt": said})
        assert not told.refused, said


def test_a_century_the_question_names_is_stated_by_the_years_of_the_passage():
    articles = {"orr.txt": "The Orr Rising was an uprising in North Norv between 1899 and 1901."}
    question = "Which uprising took place in Norv around the turn of the 20th century?"
    reply = "The Orr Rising took place in Norv around the turn of the 20th century [1]."
    assert_answered_with(reply, question, articles, "Orr Rising")
    # a century the years do not reach is the question's own claim
    assert sure_reply(reply.replace("20th", "17th"), question.replace("20th", "17th"), articles).refused


def test_how_a_span_ended_is_told_by_the_span_though_the_word_end_is_further_on():
    articles = {
        "orr.txt": "The Battle of Orr, the longest continuous military campaign in the Norv War, ran from 1939 to "
        "the defeat of Norv in 1945, covering a major part of the naval history of the war. At its core was the "
        "Vell blockade of Norv, announced the day after the declaration of war, and Norv's counterblockade. "
        "The campaign peaked from mid-1940 to the end of 1943."
    }
    reply = "The Battle of Orr ended in 1945 with the defeat of Norv [1]."
    assert_answered_with(reply, "How did the Battle of Orr end in 1945?", articles, "defeat of Norv")


def test_an_answer_to_why_quotes_the_reason_the_sentence_after_the_one_it_rests_on_gives():
    articles = {
        "orr rising.txt": "The Orr Rising was a revolt in Norv. Its members were known as the Boxers in "
        "Norvish, owing to many of them practising martial arts. It was defeated in 1901."
    }
    reply = "The Orr Rising was a revolt in Norv [1]."
    assert_answered_with(
        reply, "Why were the members of the Orr Rising called Boxers in Norvish?", articles, "owing to many of them"
    )
