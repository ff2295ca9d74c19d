"""From a question (and history) to a checked, cited `Answer`, streamed as it is written.

Steps: standalone query -> retrieval -> evidence sentences -> LLM (streamed) -> per-sentence support
check and citation repair -> refusal when nothing supported remains -> competing figures added when
the articles disagree. Only verified sentences carry [n] markers, so what streams is what is final.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import Callable, Iterator

from .answer import Answer, Citation, Partial, Status
from .citations import MarkedSentence, Renumberer, parse_answer
from .config import Settings
from .embedding import Embedder
from .errors import QuestionError
from .answertype import QUESTION_WORDS, AnswerType, asks_for_person, expected_type, first_question, new_people, supplies
from .evidence import Evidence, EvidenceSet, Sentence, lexical_overlap, select_evidence
from .followup import standalone_question
from .grounding import CheckedSentence, SupportChecker, evidence_terms, is_refusal
from .llm import LLM, GenerationStats
from .prompts import PromptSet
from .retrieval import Retrieval, Retriever
from .terms import asked_names, content_terms, names, numbers

log = logging.getLogger(__name__)

Event = Partial | Status | Answer
EXTRACTIVE_MIN_OVERLAP = 0.75  # share of the question's terms a quoted sentence must contain


@dataclass(frozen=True)
class AskOptions:
    k: int | None = None
    temperature: float | None = None


def clean_question(question: str, limit: int) -> tuple[str, str]:
    """(question, notice): whitespace collapsed, control characters removed, trimmed to `limit`."""
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", question or "")
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise QuestionError("the question is empty: type a question about the articles")
    if len(text) > limit:
        cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
        return cut, f"Your question was {len(text):,} characters; only the first {len(cut):,} were used."
    return text, ""


class Answerer:
    def __init__(
        self, settings: Settings, retriever: Retriever, embedder: Embedder, llm: Callable[[], LLM], prompts: PromptSet
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.embedder = embedder
        self._llm = llm
        self.prompts = prompts

    # -- public --------------------------------------------------------------------------------
    def stream(self, question: str, history: list[dict[str, str]] | None = None, options: AskOptions = AskOptions()) -> Iterator[Event]:
        started = time.perf_counter()
        question, notice = clean_question(question, self.settings.max_question_chars)
        query = standalone_question(question, history or [])
        retrieval = self.retriever.retrieve(query.search, options.k or self.settings.k)
        evidence = select_evidence(
            query.search, retrieval, self.embedder, max_items=self.settings.max_evidence,
            max_chars=self.settings.evidence_chars, window_chars=self.settings.evidence_window_chars,
        )
        timings = dict(retrieval.timings)
        timings["evidence_ms"] = (time.perf_counter() - started) * 1000 - timings["retrieve_ms"]
        base = dict(question=question, model="", timings=timings, search_query=query.search, notice=notice,
                    searched=_searched(retrieval))

        if not self._relevant(query.topic, retrieval, evidence):
            timings["total_ms"] = (time.perf_counter() - started) * 1000
            yield self._refusal(base, self._llm_name())
            return

        loading = time.perf_counter()
        llm = self._llm()
        timings["model_load_ms"] = (time.perf_counter() - loading) * 1000
        started += timings["model_load_ms"] / 1000  # loading once per process is not answering time
        base["model"] = llm.name
        stats = GenerationStats()
        checker = SupportChecker(evidence, query.topic, self.settings.support_threshold)
        messages = self.prompts.answer_messages(evidence.prompt_block(), query.prompt)
        temperature = self.settings.temperature if options.temperature is None else options.temperature

        raw = ""
        checked: list[CheckedSentence] = []
        renumber = Renumberer()
        for piece in llm.stream(messages, self.settings.max_tokens, temperature, stats, stop=["\n\n\n", "Question:", "Passages:"]):
            raw += piece
            sentences = parse_answer(raw)
            for sentence in sentences[len(checked) : max(0, len(sentences) - 1)]:
                checked.append(self._check(checker, sentence))
            yield Partial(self._display(checked, sentences[len(checked):], renumber))
        for sentence in parse_answer(raw)[len(checked):]:
            checked.append(self._check(checker, sentence))

        timings.update(first_token_ms=stats.first_token_ms, generate_ms=stats.total_ms, tokens=stats.tokens,
                       prompt_tokens=stats.prompt_tokens, queued_ms=stats.queued_ms)
        log.info("evidence:\n%s", evidence.prompt_block())
        log.info("model said: %r", raw)
        kept = [c for c in checked if c.supported and not is_refusal(c.text)]
        for c in checked:
            if not c.supported and not is_refusal(c.text):
                log.info("dropped unsupported sentence %r (coverage %.2f, missing %s)", c.text, c.coverage, c.missing)
        if kept and not any(supplies(query.topic, c.text) for c in kept):
            log.info("answer does not supply the %s asked for: %r", expected_type(query.topic), [c.text for c in kept])
            kept = []
        if not kept:  # the model failed or gave up: quote a sentence that plainly answers, if there is one
            kept = self._extractive(query.prompt, evidence)
        if kept:
            kept += self._competing_figures(query.prompt, kept, evidence)
        timings["total_ms"] = (time.perf_counter() - started) * 1000
        if not kept:
            yield self._refusal(base, llm.name)
            return
        yield self._final(base, kept, evidence)

    def ask(self, question: str, history: list[dict[str, str]] | None = None, options: AskOptions = AskOptions()) -> Answer:
        for event in self.stream(question, history, options):
            if isinstance(event, Answer):
                return event
        raise RuntimeError("the answer stream ended without an answer")  # pragma: no cover

    # -- steps ---------------------------------------------------------------------------------
    def _llm_name(self) -> str:
        return getattr(self._llm(), "name", "")

    def _relevant(self, question: str, retrieval: Retrieval, evidence: EvidenceSet) -> bool:
        """Retrieval-side refusal: nothing near the question at all (no shared terms, low similarity), or
        a name the question asks about that the evidence never mentions ("Who won the 2025 Super Bowl?"
        over articles that never say "Super Bowl": the model would answer from memory)."""
        if not evidence.items:
            return False
        shown = set().union(*(evidence_terms(e) for e in evidence.items))
        asked = asked_names(first_question(question))
        unknown = [n for n in asked if content_terms(n).isdisjoint(shown)]
        # a lone capitalised word may be an adjective ("Polish", "European") or spelt another way
        # ("Zelenskyy"): only a whole unknown name, or nothing named known at all, rules the question out
        if any(len(n.split()) > 1 for n in unknown) or (asked and len(unknown) == len(asked)):
            log.info("the evidence never mentions %s", unknown)
            return False
        return evidence.best_lexical > 0 or retrieval.best_dense >= self.settings.min_relevance

    def _check(self, checker: SupportChecker, sentence: MarkedSentence) -> CheckedSentence:
        vector = self.embedder.embed_one(sentence.text) if sentence.text else None
        return checker.check(sentence, vector)

    @staticmethod
    def _display(checked: list[CheckedSentence], pending: list[MarkedSentence], renumber: Renumberer) -> str:
        shown = [renumber.render(MarkedSentence(c.text, c.cited)) for c in checked if c.supported and not is_refusal(c.text)]
        shown += [p.text for p in pending]
        return " ".join(shown)

    def _extractive(self, question: str, evidence: EvidenceSet) -> list[CheckedSentence]:
        """When the model's words did not hold up: quote the best evidence sentence, but only if it
        holds the kind of thing asked for and nearly every term of the question."""
        if expected_type(question) is None:
            return []
        q_terms = (content_terms(question) - QUESTION_WORDS) | numbers(question)
        person = asks_for_person(question)  # a quote that names no new person does not say who
        return _quote_best(
            evidence.items,
            lambda s: lexical_overlap(q_terms, s.text) >= EXTRACTIVE_MIN_OVERLAP and supplies(question, s.text)
            and (not person or bool(new_people(question, s.text))),
        )

    def _competing_figures(self, question: str, kept: list[CheckedSentence], evidence: EvidenceSet) -> list[CheckedSentence]:
        """Articles that disagree: for a question about a figure, quote another article's different figure
        for the same thing (it shares the answer's words and is nearly as relevant)."""
        if expected_type(question) is not AnswerType.FIGURE:
            return []
        stated = set().union(*(numbers(c.text) for c in kept))
        if not stated:
            return []
        cited_sources = {ev.source for c in kept for n in c.cited if (ev := evidence.by_n(n))}
        answer_terms = content_terms(" ".join(c.text for c in kept)) - names(question)

        def competes(s: Sentence) -> bool:
            figures = numbers(s.text) - numbers(question)
            return (bool(figures) and not figures & stated and s.score >= evidence.best_score - 0.45
                    and bool(answer_terms & content_terms(s.text)))

        others = [ev for ev in evidence.items if ev.source not in cited_sources]
        return _quote_best(others, competes, lambda t: f"Another article gives a different figure: “{t.rstrip('.')}”")

    def _refusal(self, base: dict, model: str) -> Answer:
        return Answer(answer=self.prompts.refusal, refused=True, citations=[], **{**base, "model": model})

    def _final(self, base: dict, kept: list[CheckedSentence], evidence: EvidenceSet) -> Answer:
        renumber = Renumberer()
        parts = [renumber.render(MarkedSentence(c.text, c.cited)) for c in kept]
        highlights: dict[int, tuple[int, int]] = {}
        for c in kept:
            for n, sents in c.highlights.items():
                if sents and n not in highlights:
                    highlights[n] = (sents[0].start, sents[0].end)
        citations = []
        for final_n, ev_n in enumerate(renumber.order, start=1):
            ev = evidence.by_n(ev_n)
            if ev is None:
                continue
            hs, he = highlights.get(ev_n, (ev.start, ev.end))
            citations.append(Citation(final_n, ev.source, ev.title, ev.chunk_id, ev.text, ev.start, ev.end,
                                      round(ev.relevance, 3), ev.date, hs, he))
        return Answer(answer=" ".join(parts), refused=False, citations=citations, **base)


def _searched(retrieval: Retrieval) -> list[dict]:
    return [
        {"source": p.source, "title": p.title, "score": round(p.dense, 3), "text": p.text[:300]}
        for p in retrieval.passages[:5]
    ]


def _quote_best(
    items: list[Evidence], accept: Callable[[Sentence], bool], wording: Callable[[str], str] = str,
) -> list[CheckedSentence]:
    """The best-scoring accepted evidence sentence, quoted as a supported, cited answer sentence."""
    found = [(s.score, ev, s) for ev in items for s in ev.sentences if accept(s)]
    if not found:
        return []
    _, ev, best = max(found, key=lambda f: f[0])
    quoted = CheckedSentence(wording(best.text), [ev.n], True, 1.0, 1.0)
    quoted.highlights = {ev.n: [s for s in ev.sentences if s.text == best.text]}
    return [quoted]
