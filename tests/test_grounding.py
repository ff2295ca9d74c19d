"""The support checker on hand-made evidence (real embedder; no LLM)."""

import numpy as np
import pytest

from rag.chunking import split_sentences
from rag.citations import MarkedSentence
from rag.embedding import Embedder
from rag.evidence import Evidence, EvidenceSet, Sentence
from rag.grounding import SupportChecker, is_refusal
from rag.answertype import AnswerType, expected_type, supplies


@pytest.fixture(scope="module")
def embedder():
    return Embedder()


def make_evidence(embedder, texts):
    items = []
    for n, (source, text) in enumerate(texts, start=1):
        spans = split_sentences(text)
        vectors = embedder.embed([s.text for s in spans])
        items.append(Evidence(n, source, f"Title {n}", "", f"{source}#0", 0, len(text), text, 1.0,
                              tuple(Sentence(s.start, s.end, s.text, v, 1.0) for s, v in zip(spans, vectors))))
    return EvidenceSet(items, 1.0, 1.0)


TEXTS = [
    ("a.txt", "The council voted 7-2 to approve the budget. It includes $4.2 million for road repairs."),
    ("b.txt", "Mayor Lena Ortiz defended the plan. She said roads had been neglected for a decade."),
    ("c.txt", "Officials said 15,000 homes lost power in the storm."),
]


def check(embedder, question, text, cited):
    ev = make_evidence(embedder, TEXTS)
    return SupportChecker(ev, question).check(MarkedSentence(text, cited), embedder.embed_one(text))


def test_supported_sentence_keeps_its_citation(embedder):
    r = check(embedder, "How much is set aside for roads?", "The budget includes $4.2 million for road repairs.", [1])
    assert r.supported and r.cited == [1] and not r.repaired


def test_wrong_citation_is_repaired(embedder):
    r = check(embedder, "Who defended the plan?", "Mayor Lena Ortiz defended the plan.", [3])
    assert r.supported and r.cited == [2] and r.repaired


def test_claim_spread_over_two_passages_cites_both(embedder):
    r = check(embedder, "What happened?", "Mayor Lena Ortiz defended a budget with $4.2 million for road repairs.", [2])
    assert r.supported and sorted(r.cited) == [1, 2]


def test_invented_number_or_name_is_unsupported(embedder):
    assert not check(embedder, "How much is set aside for roads?", "The budget includes $9.9 million for roads.", [1]).supported
    assert not check(embedder, "Who defended the plan?", "Mayor Jane Doe defended the plan.", [2]).supported


def test_off_topic_question_terms_must_appear_in_the_evidence(embedder):
    r = check(embedder, "Who won the 2022 World Cup?", "The council won the 2022 World Cup.", [1])
    assert not r.supported


def test_refusal_phrases():
    assert is_refusal("The articles do not say.")
    assert is_refusal("The passages do not mention his wife.")
    assert not is_refusal("The council approved the budget.")


def test_answer_types():
    assert expected_type("How many homes lost power?") is AnswerType.FIGURE
    assert expected_type("Whose deal did he blow up?") is AnswerType.NAME
    assert expected_type("When did he resign?") is AnswerType.DATE
    assert expected_type("Why did he resign?") is None
    assert supplies("How many homes lost power?", "About 15,000 homes.")
    assert not supplies("Who defended the plan?", "The plan was defended.")
    assert supplies("When did he resign?", "He resigned in 2017.")


def test_a_figure_must_count_what_its_evidence_counts(embedder):
    # the passages' 15,000 is homes that lost power: an answer that makes it something else is unsupported
    assert not check(embedder, "How many people were evacuated?", "Officials said 15,000 people were evacuated.", [3]).supported
    assert check(embedder, "How many homes lost power?", "Officials said 15,000 homes lost power.", [3]).supported


def test_answer_kinds_are_matched_not_just_present():
    # a count is not a percentage, a percentage question wants one
    assert not supplies("How many people were surveyed in the poll?", "38% of Americans approve of him.")
    assert supplies("How many people were surveyed in the poll?", "The poll surveyed 1,000 adults.")
    assert supplies("What share of voters approve?", "38% approve.")
    assert not supplies("What percentage of voters approve?", "The poll surveyed 1,000 adults.")
    # a person asked for by role wants a person the question does not already name
    assert expected_type("What was the judge's name?") is AnswerType.NAME
    assert expected_type("Which White House spokesperson said they met?") is AnswerType.NAME
    assert not supplies("What was the name of the staffer Musk accused Rubio of firing?",
                        "Musk accused Rubio of failing to downsize the State Department.")
    assert not supplies("Which spokesperson said Rubio had dinner with Trump?", "Marco Rubio said so.")
    assert supplies("Which spokesperson said Rubio had dinner with Trump?", "Karoline Leavitt said so.")
    # a follow-up's topic (new question, then the previous one): the first question decides the kind
    topic = "Who did she meet? How many homes lost power?"
    assert expected_type(topic) is AnswerType.NAME
    assert not supplies("What was the judge's name? Which judge backed by Musk lost?", "The judge's name is Musk.")
    # a weekday question wants a weekday
    assert not supplies("On what day of the week was the interview?", "It took place in February 2025.")
    assert supplies("On what day of the week was the interview?", "It took place on Thursday.")


def test_acronyms_the_articles_define_count_as_their_names():
    from rag.evidence import acronyms, lexical_overlap
    from rag.terms import content_terms

    aliases = acronyms(["Musk co-leads the Department of Government Efficiency (DOGE). "
                        "The U.S. Agency for International Development (USAID) was cut. He met reporters (AP)."])
    assert set(aliases) == {"doge", "usaid"}  # "(AP)" defines nothing
    question = content_terms("Who co-led the Department of Government Efficiency with Musk?")
    sentence = "His role as co-leader of DOGE, alongside Vivek Ramaswamy."
    assert lexical_overlap(question, sentence, aliases) > lexical_overlap(question, sentence)
