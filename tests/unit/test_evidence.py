"""Evidence selection with the tiny deterministic embedder: which sentences reach the model, and in
which order, under the prompt budget."""

from __future__ import annotations

from fakes import HashEmbedder

from rag.evidence import select_evidence
from rag.question import analyse
from rag.retrieval import Passage, Retrieval

EMBEDDER = HashEmbedder()


def retrieval(question: str, articles: dict[str, str]) -> Retrieval:
    passages = [
        Passage(chunk_id=f"{s}#0", source=s, start=0, end=len(t), text=t, score=0.0, dense=0.0, keyword=0.0)
        for s, t in articles.items()
    ]
    return Retrieval(question, EMBEDDER.embed_one(question), passages)


LEANING = {
    "fair.txt": "Organisers of the harvest fair in the old market town spent most of the summer arguing with the "
    "county about parking, fencing, insurance, stalls and the noise from the evening concerts. "
    "They said the harvest fair drew 5,000 visitors.",
    "council.txt": "The council said the harvest fair drew 4,000 visitors.",
}
QUESTION = "How many visitors did the harvest fair draw?"


def texts(question: str, articles: dict[str, str], max_chars: int) -> str:
    return select_evidence(analyse(question), retrieval(question, articles), EMBEDDER, 6, max_chars, 400).prompt_block()


def test_context_never_crowds_out_a_candidate_answer():
    # room for both candidate sentences, not for the long sentence the first one leans on
    block = texts(QUESTION, LEANING, max_chars=130)
    assert "5,000 visitors" in block and "4,000 visitors" in block
    assert "parking" not in block


def test_context_is_added_when_the_budget_holds():
    block = texts(QUESTION, LEANING, max_chars=600)
    assert "5,000 visitors" in block and "4,000 visitors" in block
    assert "parking" in block  # "They said ..." with the sentence that says who "they" are


def test_a_sentence_after_a_relevant_one_does_not_outrank_it_on_the_relevant_ones_words():
    # the second sentence holds a date and follows a relevant sentence, but the first holds the date asked for
    question = "When did the composer Ada Brill die?"
    articles = {"brill.txt": "The composer Ada Brill died in 1849 in Paris. In 1830 she had toured Vienna."}
    ev = select_evidence(analyse(question), retrieval(question, articles), EMBEDDER, 6, 900, 400)
    scores = {s.text: s.score for e in ev.items for s in e.sentences}
    died, toured = (next(v for k, v in scores.items() if word in k) for word in ("1849", "1830"))
    assert died > toured


def test_a_sentence_that_leans_back_matches_the_names_it_leans_on():
    # the answer is the last sentence of a quote: it says "he" and "his", the question names the speaker
    question = "Who did Mara Quill say blocks the ambition of the mayor?"
    articles = {
        "town.txt": "The mayor has run the town for years. "
        "“He is in a bind,” said Mara Quill, a former councillor. "
        "“He does things he thinks are wrong. "
        "He has to go along because the unions and the bankers block his ambition.”",
        "other.txt": "The mayor opened a bridge in May.",
    }
    ev = select_evidence(analyse(question), retrieval(question, articles), EMBEDDER, 6, 900, 0)
    scores = {s.text: s.score for e in ev.items for s in e.sentences}
    answer, speaker = (next(v for k, v in scores.items() if word in k) for word in ("bankers", "Mara Quill"))
    assert answer > speaker  # it leans on the sentence that names the speaker, so it matches her name too
