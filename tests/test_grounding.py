"""The support checker on hand-made evidence (real embedder; no LLM)."""

from dataclasses import replace

import pytest

from rag.chunking import split_sentences
from rag.citations import MarkedSentence
from rag.embedding import Embedder
from rag.evidence import Evidence, EvidenceSet, Sentence
from rag.grounding import CheckedSentence, SupportChecker, adds_nothing, is_refusal
from rag.question import analyse


@pytest.fixture(scope="module")
def embedder():
    return Embedder()


def make_evidence(embedder, texts, titles=()):
    items = []
    for n, (source, text) in enumerate(texts, start=1):
        spans = split_sentences(text)
        vectors = embedder.embed([s.text for s in spans])
        items.append(
            Evidence(
                n=n,
                source=source,
                title=titles[n - 1] if titles else f"Title {n}",
                date="",
                chunk_id=f"{source}#0",
                start=0,
                end=len(text),
                text=text,
                source_text=text,
                relevance=1.0,
                sentences=tuple(
                    Sentence(start=s.start, end=s.end, text=s.text, vector=v, score=1.0) for s, v in zip(spans, vectors)
                ),
            )
        )
    return EvidenceSet(items=items, best_score=1.0, best_lexical=1.0)


TEXTS = [
    ("a.txt", "The council voted 7-2 to approve the budget. It includes $4.2 million for road repairs."),
    ("b.txt", "Mayor Lena Ortiz defended the plan. She said roads had been neglected for a decade."),
    ("c.txt", "Officials said 15,000 homes lost power in the storm."),
]


def check(embedder, question, text, cited):
    ev = make_evidence(embedder, TEXTS)
    return SupportChecker(ev, analyse(question)).check(MarkedSentence(text, cited), embedder.embed_one(text))


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
    assert not check(
        embedder, "How much is set aside for roads?", "The budget includes $9.9 million for roads.", [1]
    ).supported
    assert not check(embedder, "Who defended the plan?", "Mayor Jane Doe defended the plan.", [2]).supported


def test_off_topic_question_terms_must_appear_in_the_evidence(embedder):
    r = check(embedder, "Who won the 2022 World Cup?", "The council won the 2022 World Cup.", [1])
    assert not r.supported


def test_a_name_from_the_question_may_stand_in_the_articles_title(embedder):
    """ "He's in this awkward situation" in an article about Rubio: the sentence never names him, its title does."""
    texts = [
        ("r.txt", "“He's in this awkward situation,” remarked Gerald Feierstein, a former U.S. ambassador to Yemen.")
    ]
    question = analyse("Which former ambassador commented on Rubio's awkward situation?")
    answer = "Gerald Feierstein, a former U.S. ambassador to Yemen, commented on Rubio's awkward situation."
    for title, supported in (("Rubio's Approach to Thriving", True), ("A Diplomat's Memoir", False)):
        ev = make_evidence(embedder, texts, titles=[title])
        result = SupportChecker(ev, question).check(MarkedSentence(answer, [1]), embedder.embed_one(answer))
        assert result.supported is supported, (title, result.missing)


def test_a_name_from_the_question_may_stand_in_the_evidence_as_its_people_or_place(embedder):
    ev = make_evidence(embedder, [("s.txt", "Private schools in India are called independent schools.")])
    for people, supported in (("Indian", True), ("Nepali", False)):
        answer = f"A private {people} school is called an independent school."
        question = analyse(f"What is a private {people} school called?")
        result = SupportChecker(ev, question).check(MarkedSentence(answer, [1]), embedder.embed_one(answer))
        assert result.supported is supported, (people, result.missing)


def test_the_evidence_beside_a_cited_passage_in_its_article_may_name_whom_it_means(embedder):
    """ "... fell into the hands of Tay Hohoff" names no author; the sentence after the next one in the
    same article does ("she guided Harper Lee"): the answer is about the question's subject. The same
    sentence far away in the article, or in another article, does not vouch for the cited passage."""
    editor = "The draft fell into the hands of Tay Hohoff, a veteran editor."
    guided = "For two years she guided Harper Lee from one draft to the next."
    question = analyse("Which editor guided Harper Lee's manuscript?")
    answer = CheckedSentence(text=editor, cited=[1], supported=True)
    for source, start, named in (("lee.txt", 120, True), ("lee.txt", 2000, False), ("other.txt", 120, False)):
        ev = make_evidence(embedder, [("lee.txt", editor), (source, guided)])
        ev.items[1] = replace(ev.items[1], start=start, end=start + len(guided))
        checker = SupportChecker(ev, question, context_chars=350)
        assert (checker.unnamed([answer]) == []) is named, (source, start)


def test_refusal_phrases():
    assert is_refusal("The articles do not say.")
    assert is_refusal("The passages do not mention his wife.")
    assert not is_refusal("The council approved the budget.")


def test_a_figure_must_count_what_its_evidence_counts(embedder):
    # the passages' 15,000 is homes that lost power: an answer that makes it something else is unsupported
    assert not check(
        embedder, "How many people were evacuated?", "Officials said 15,000 people were evacuated.", [3]
    ).supported
    assert check(embedder, "How many homes lost power?", "Officials said 15,000 homes lost power.", [3]).supported


def test_filler_adds_nothing_beyond_the_question():
    asked = analyse("Who defended the plan?")
    assert adds_nothing("The sources agree that this is true.", asked, [])
    assert adds_nothing("The plan was defended.", asked, [])
    assert adds_nothing("Lena Ortiz defended the plan.", asked, ["Mayor Lena Ortiz defended the plan."])
    assert not adds_nothing("Mayor Lena Ortiz defended the plan.", asked, [])


def test_acronyms_the_articles_define_count_as_their_names():
    from rag.evidence import acronyms, lexical_overlap, sentence_terms
    from rag.terms import content_terms

    aliases = acronyms(
        [
            "Musk co-leads the Department of Government Efficiency (DOGE). "
            "The U.S. Agency for International Development (USAID) was cut. He met reporters (AP)."
        ]
    )
    assert set(aliases) == {"doge", "usaid"}  # "(AP)" defines nothing
    question = content_terms("Who co-led the Department of Government Efficiency with Musk?")
    sentence = "His role as co-leader of DOGE, alongside Vivek Ramaswamy."
    assert lexical_overlap(question, sentence_terms(sentence, aliases)) > lexical_overlap(
        question, sentence_terms(sentence)
    )


def test_a_rare_question_term_weighs_more_than_one_every_candidate_holds():
    from rag.evidence import lexical_overlap, rarity, sentence_terms
    from rag.terms import content_terms

    question = content_terms("Who stands between Rubio and his ambition?")
    candidates = [
        sentence_terms(t)
        for t in (
            "Rubio met Musk at the White House.",
            "Rubio criticised the Polish foreign minister.",
            "Musk and Trump stand between Rubio and his ambition of being president.",
            "Rubio stands by the president.",
        )
    ]
    weights = rarity(question, candidates)
    assert weights["ambit"] > weights["stand"] > weights["rubio"] > 0
    plain = [lexical_overlap(question, c) for c in candidates]
    weighed = [lexical_overlap(question, c, weights) for c in candidates]
    assert weighed[2] == 1.0 and plain[2] == 1.0  # every term: the whole share either way
    # the sentence with only the name every sentence holds counts for less once rarity is weighed
    assert weighed[0] < plain[0]
    assert weighed[3] - weighed[0] > plain[3] - plain[0]


def test_a_denial_in_the_questions_own_words_is_an_answer():
    asked = analyse("What did Trump say about the alleged clash?")
    assert not adds_nothing('Trump said, "there is no clash".', asked, [])
    assert adds_nothing("Trump said that about the alleged clash.", asked, [])
