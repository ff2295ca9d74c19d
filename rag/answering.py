"""From a question (and history) to a checked, cited `Answer`, streamed as it is written.

Steps: standalone query -> question analysed once -> retrieval -> evidence sentences -> the model's
own verdict on whether they hold the answer (read at a reflection token) -> the answer, always
generated and streamed -> each sentence's citations checked and repaired, unsupported and empty
sentences dropped -> one calibrated confidence (rag/judge.py) decides: show or refuse.
Only checked sentences carry [n] markers while streaming, so what carries a marker is final.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace

from .answer import Answer, Citation, Partial, Status
from .citations import MarkedSentence, Renumberer, parse_answer
from .config import Settings
from .embedding import Embedder
from .errors import QuestionError
from .evidence import EvidenceSet, Sentence, nearest_cosine, select_evidence
from .followup import Rewriter, standalone_question
from .grounding import (
    CheckedSentence,
    SupportChecker,
    adds_nothing,
    is_refusal,
    shown_terms,
    spelt_as_cited,
    title_terms,
)
from .judge import ANSWER_PREFIX, FOUND_PREFIX, Signals, confidence, found_floor
from .llm import LLM, GenerationStats
from .nearest import nearest_passages
from .prompts import PromptSet
from .question import (
    OPEN_KINDS,
    AnswerKind,
    Question,
    analyse,
    counts,
    doer_unstated,
    fits_another_figure,
    gives_reason,
    head_names,
    moves_the_year,
    names_only_the_set_aside,
    new_names,
    supplies,
    swapped_names,
    tells_how,
    years_spanned,
)
from .render import join_sentences
from .retrieval import Retrieval, Retriever
from .scope import Scope
from .terms import (
    ASPECTUAL,
    centuries,
    centuries_dated,
    content_terms,
    dated_events,
    listed_spans,
    names_event,
    numbers,
    states_count,
    stem,
    unstated_names,
    verb_lemma,
    words,
    years,
)

log = logging.getLogger(__name__)

Event = Partial | Status | Answer


def final_answer(events: Iterator[Event]) -> Answer:
    """The Answer that ends an answer stream (what `ask` returns where nothing streams)."""
    for event in events:
        if isinstance(event, Answer):
            return event
    raise RuntimeError("the answer stream ended without an answer")  # pragma: no cover


_STOP = ["\n\n", "Question:", "Passages:", "Found:"]


@dataclass(frozen=True)
class AskOptions:
    k: int | None = None
    temperature: float | None = None
    scope: Scope | None = None  # search only these articles (rag/scope.py)


@dataclass(kw_only=True)
class _Turn:
    """What one answer has gathered so far, for the final Answer."""

    question: str
    search_query: str
    standalone: str
    notice: str
    timings: dict[str, float]
    searched: list[dict] = field(default_factory=list)
    model: str = ""

    def answer(
        self, text: str, *, refused: bool, signals: dict[str, float], citations: list[Citation] | None = None
    ) -> Answer:
        return Answer(
            question=self.question,
            answer=text,
            refused=refused,
            citations=citations or [],
            model=self.model,
            timings=self.timings,
            search_query=self.search_query,
            notice=self.notice,
            searched=self.searched,
            signals=signals,
            standalone=self.standalone,
        )


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
        self._example_terms = content_terms(prompts.example_text())

    # -- public --------------------------------------------------------------------------------
    def stream(
        self, question: str, history: list[dict[str, str]] | None = None, options: AskOptions = AskOptions()
    ) -> Iterator[Event]:
        started = time.perf_counter()
        text, notice = clean_question(question, self.settings.max_question_chars)
        rewrite = Rewriter(self._llm, self.prompts, self.settings.followup_max_tokens)
        query = standalone_question(text, history or [], rewrite)
        if query.resolved:
            yield Status(f"Searching for: {query.standalone}")
        asked = analyse(query.prompt, typed=text)
        retrieval = self.retriever.retrieve(query.search, options.k or self.settings.k, options.scope, query.carried)
        evidence = self.evidence(asked, retrieval)
        timings = dict(retrieval.timings, rewrite_ms=query.rewrite_ms)
        timings["evidence_ms"] = (time.perf_counter() - started) * 1000 - timings["retrieve_ms"] - query.rewrite_ms
        turn = _Turn(
            question=text,
            search_query=query.search,
            standalone=query.standalone if query.resolved else "",
            notice=notice,
            timings=timings,
            searched=nearest_passages(retrieval, self.embedder),
        )

        if not self._on_topic(asked, retrieval, evidence):
            turn.model = self._llm().name
            timings["total_ms"] = (time.perf_counter() - started) * 1000
            yield self._refusal(turn)
            return

        loading = time.perf_counter()
        llm = self._llm()
        timings["model_load_ms"] = (time.perf_counter() - loading) * 1000
        started += timings["model_load_ms"] / 1000  # loading once per process is not answering time
        turn.model = llm.name
        messages = self.prompts.answer_messages(evidence.prompt_block(), query.prompt)
        temperature = self.settings.temperature if options.temperature is None else options.temperature

        reading = time.perf_counter()
        found = llm.yes_probability(messages, prefix=FOUND_PREFIX)
        timings["found_ms"] = (time.perf_counter() - reading) * 1000
        floor = found_floor(self.settings, evidence.nearest(retrieval.query_vector))
        if found < floor:  # no certainty could save it: no need to write the answer
            log.info("found %.3f < %.3f: refused before answering", found, floor)
            timings["total_ms"] = (time.perf_counter() - started) * 1000
            yield self._refusal(turn, Signals(found=found, certainty=0.0))
            return

        checker = self._checker(evidence, asked)
        raw, checked, stats = yield from self._write(llm, messages, temperature, checker)
        timings.update(
            first_token_ms=timings["found_ms"] + stats.first_token_ms,
            generate_ms=stats.total_ms,
            tokens=stats.tokens,
            prompt_tokens=stats.prompt_tokens,
            queued_ms=stats.queued_ms,
        )
        log.info("evidence:\n%s", evidence.prompt_block())
        log.info("model said: %r (found %.3f)", raw, found)

        kept = self._keep(checked, asked, checker)
        if not kept and self._retells_examples(raw, evidence):
            log.info("the reply retells the prompt's examples: written again without them")
            messages = self.prompts.answer_messages(evidence.prompt_block(), query.prompt, examples=False)
            raw, checked, kept, stats = yield from self._write_again(
                llm, messages, temperature, checker, timings, "rewritten"
            )
        if not kept and (subject := _swapped(checked, asked)):
            # "Who directed Craig's fourth film?" answered "Daniel Craig directed Spectre": the small model
            # puts the name it was given where the one asked for belongs; written again without it
            log.info("the reply names the question's own %s as the one asked for: written again without them", subject)
            raw, checked, kept, stats = yield from self._write_again(
                llm, messages, temperature, checker, timings, "unswapped", forbid=subject
            )
        if not kept and (focus := _focused(checked, checker)):
            log.info("the reply rests on passages that never say what was asked: read again from %s", focus)
            evidence = _renumbered(evidence, focus)
            checker = self._checker(evidence, asked)
            messages = self.prompts.answer_messages(evidence.prompt_block(), query.prompt)
            found = llm.yes_probability(messages, prefix=FOUND_PREFIX)  # its verdict on what it now reads
            raw, checked, kept, stats = yield from self._write_again(
                llm, messages, temperature, checker, timings, "focused"
            )
        signals = _signals(found, stats, kept, retrieval, checker)
        sure = confidence(signals, self.settings)
        if kept and (acting := _acting(kept, asked, evidence, self.settings.evidence_window_chars)):
            log.info(
                "the answer never says what the question says was done (%s): read again from %s", _said(asked), acting
            )
            again = yield from self._read_from(
                llm, query.prompt, asked, evidence, acting, retrieval, temperature, timings, "acting"
            )
            # the model's confidence cannot tell the two apart (a reply about the wrong thing is often the
            # surer): the one that says what was done, in no fewer of the question's words, is shown if it may be
            if (
                again is not None
                and _answers_better(again[1], kept, asked)
                and (again_sure := confidence(again[2], self.settings)) >= self.settings.answer_threshold
            ):
                log.info("read again: shown (confidence %.3f; the first answer %.3f)", again_sure, sure)
                evidence, kept, signals = again
                sure = again_sure
        if kept and query.previous and _repeats(kept, asked, query.previous):
            untold = [e.n for e in evidence.items if e.n not in _cited(kept)]
            log.info("the answer repeats the previous one: read again from %s", untold)
            retold = yield from self._read_from(
                llm, query.prompt, asked, evidence, untold, retrieval, temperature, timings, "untold"
            )
            retold_sure = confidence(retold[2], self.settings) if retold is not None else 0.0
            # the other passages' answer is shown when it is the surer, or when it may be shown and states
            # more of what was asked: the repeat tells the user what they were just told
            if retold is not None and (
                retold_sure > sure
                or (retold_sure >= self.settings.answer_threshold and retold[2].unstated < signals.unstated)
            ):
                log.info("read again: shown (confidence %.3f; the repeat %.3f)", retold_sure, sure)
                evidence, kept, signals = retold
                sure = retold_sure
            elif asked.kind in OPEN_KINDS and (
                told := _drawn_from(kept, lambda text: not adds_nothing(text, asked, [query.previous]))
            ):
                # "Why was that a problem?" answered with the last answer's fact, whose sentence goes on
                # with the reason: the sentence, quoted, says what the repeat left out (a repeat that
                # holds the figure, date or name asked for is an answer: the last one held it too)
                log.info("the answer repeats the previous one; quoted the sentence it rests on")
                kept = told
        if (
            kept
            and asked.kind is AnswerKind.REASON
            and re.match(r"why (?:did|do|does)\b", text, re.I)  # typed so: a follow-up's "Why?" asks of the last answer
            and not _states_act(asked, rested := [s.text for s in _rested_sentences(kept)])
            and not any(gives_reason(t) for t in rested)
        ):
            # "Why did Elizabeth II abdicate in 2022?" answered "... until her death in 2022": the passages
            # say neither what was done nor any reason (an answer's own "resigned ... because" is not theirs)
            log.info("the passages the answer to why rests on say neither what was done nor a reason")
            kept = []
        if kept and asked.kind is AnswerKind.DATE and _dates_another_event(asked, kept):
            # "In what year was Getúlio Vargas assassinated?" answered "in 1954" from "... until his
            # suicide in 1954": the passage gives the year to another event
            log.info("the passages give the answer's year to another event than the question's")
            kept = []
        if kept and asked.kind is AnswerKind.PERSON and doer_unstated(asked, _cited_texts(kept, evidence)):
            log.info("the passages the answer cites give the act asked of only as a noun, with no doer")
            kept = []
        if kept and asked.counted and not asked.counted & _TIME_UNITS and not any(states_count(c.text) for c in kept):
            # "How many people died in the Great Famine?" answered "... a period of mass starvation in
            # Ireland from 1845 to 1852": years, and no count, even after reading again
            log.info("the answer to how many gives no count")
            kept = []
        log.info("signals %s -> confidence %.3f (threshold %.3f)", signals, sure, self.settings.answer_threshold)
        timings["total_ms"] = (time.perf_counter() - started) * 1000
        if not kept or sure < self.settings.answer_threshold:
            yield self._refusal(turn, signals)
            return
        yield self._final(turn, kept, evidence, signals, sure)

    def evidence(self, asked: Question, retrieval: Retrieval) -> EvidenceSet:
        """What the model is shown for `asked`, within the settings' budgets (also what
        `bench.evidence_recall` measures)."""
        return select_evidence(
            asked,
            retrieval,
            self.embedder,
            max_items=self.settings.max_evidence,
            max_chars=self.settings.evidence_chars,
            window_chars=self.settings.evidence_window_chars,
        )

    def ask(
        self, question: str, history: list[dict[str, str]] | None = None, options: AskOptions = AskOptions()
    ) -> Answer:
        return final_answer(self.stream(question, history, options))

    # -- steps ---------------------------------------------------------------------------------
    def _on_topic(self, asked: Question, retrieval: Retrieval, evidence: EvidenceSet) -> bool:
        """Retrieval-side refusal, before any model time: nothing near the question at all (no shared
        terms, low similarity), or a whole name the question is about that neither the evidence nor its
        articles' titles mention ("Who won the 2025 Super Bowl?" over articles that never say "Super
        Bowl": the model would answer from memory)."""
        if not evidence.items:
            return False
        shown = shown_terms(evidence)
        titled = shown.union(*(title_terms(e) for e in evidence.items))
        names = evidence.names()
        if unknown := unstated_names(asked.premise_names, titled, names) or [
            n for n in asked.placed_names if unstated_names([n], titled, names)
        ]:
            log.info("the evidence never mentions %s", unknown)
            return False
        # "the richest 10%" over passages that only give the richest 1%; a figure the follow-up's rewrite
        # carried over from the last (checked) answer is context, not a premise of the user's
        spanned = set().union(*(years_spanned(e.text) for e in evidence.items))  # "from 1948 to 1994" holds 1950
        dated = set().union(*(centuries_dated(e.text) for e in evidence.items)) & centuries(asked.text)
        if unstated := asked.premise_figures - shown - spanned - dated:
            log.info("the evidence never states %s", sorted(unstated))
            return False
        return evidence.best_lexical > 0 or retrieval.best_dense >= self.settings.min_relevance

    def _write(
        self,
        llm: LLM,
        messages: list[dict[str, str]],
        temperature: float,
        checker: SupportChecker,
        forbid: tuple[str, ...] = (),
    ) -> Generator[Partial, None, tuple[str, list[CheckedSentence], GenerationStats]]:
        """Stream the model's answer (without the words of `forbid`), checking each sentence as soon as
        the next one begins; only checked sentences are shown with markers. Returns the raw reply, its
        checked sentences and the generation's figures."""
        stats = GenerationStats()
        raw = ""
        checked: list[CheckedSentence] = []
        renumber = Renumberer()
        for piece in llm.stream(
            messages, self.settings.max_tokens, temperature, stats, stop=_STOP, prefix=ANSWER_PREFIX, forbid=forbid
        ):
            raw += piece
            sentences = parse_answer(_reply(raw))
            for sentence in sentences[len(checked) : max(0, len(sentences) - 1)]:
                checked.append(self._check(checker, sentence))
            yield Partial(self._display(checked, sentences[len(checked) :], renumber))
        for sentence in parse_answer(_reply(raw))[len(checked) :]:
            checked.append(self._check(checker, sentence))
        return raw, checked, stats

    def _write_again(
        self,
        llm: LLM,
        messages: list[dict[str, str]],
        temperature: float,
        checker: SupportChecker,
        timings: dict[str, float],
        step: str,
        forbid: tuple[str, ...] = (),
    ) -> Generator[Partial, None, tuple[str, list[CheckedSentence], list[CheckedSentence], GenerationStats]]:
        """A second reply after the first kept nothing: the reply, its checked and its kept sentences, and
        the generation's figures (its time recorded as `{step}_ms`)."""
        raw, checked, stats = yield from self._write(llm, messages, temperature, checker, forbid)
        timings.update({f"{step}_ms": stats.total_ms, "tokens": timings["tokens"] + stats.tokens})
        log.info("model said again: %r", raw)
        return raw, checked, self._keep(checked, checker.question, checker), stats

    def _read_from(
        self,
        llm: LLM,
        question: str,
        asked: Question,
        evidence: EvidenceSet,
        items: list[int],
        retrieval: Retrieval,
        temperature: float,
        timings: dict[str, float],
        step: str,
    ) -> Generator[Partial, None, tuple[EvidenceSet, list[CheckedSentence], Signals] | None]:
        """The question answered again from the evidence `items` alone, with the model's verdict on them and
        the answer's signals, for the caller to keep the surer of two answers: a follow-up that only
        retold the last answer, an answer that never says what the question asked about. None when
        nothing was left to read or the second reply kept nothing; its time is recorded as `{step}_ms`."""
        if not items:
            return None
        retry = _renumbered(evidence, items)
        checker = self._checker(retry, asked)
        messages = self.prompts.answer_messages(retry.prompt_block(), question)
        found = llm.yes_probability(messages, prefix=FOUND_PREFIX)
        _, _, retold, stats = yield from self._write_again(llm, messages, temperature, checker, timings, step)
        if not retold:
            return None
        return (
            retry,
            retold,
            _signals(found, stats, retold, retrieval, checker),
        )

    def _checker(self, evidence: EvidenceSet, asked: Question) -> SupportChecker:
        return SupportChecker(
            evidence, asked, self.settings.support_threshold, context_chars=self.settings.evidence_window_chars
        )

    def _retells_examples(self, raw: str, evidence: EvidenceSet) -> bool:
        """A small model sometimes answers with the facts of the prompt's worked examples ("The storm
        left about 12,000 homes without power") instead of the passages: at least half of its reply's
        content words are the examples' own and nowhere in the evidence."""
        said = content_terms(_reply(raw))
        shown = shown_terms(evidence)
        borrowed = (said & self._example_terms) - shown
        return bool(said) and len(borrowed) * 2 >= len(said)

    def _check(self, checker: SupportChecker, sentence: MarkedSentence) -> CheckedSentence:
        vector = self.embedder.embed_one(sentence.text) if sentence.text else None
        return checker.check(sentence, vector)

    @staticmethod
    def _keep(checked: list[CheckedSentence], asked: Question, checker: SupportChecker) -> list[CheckedSentence]:
        """Supported sentences that say something: no refusal phrase, no filler, no repetition. An
        answer that only restates the question, or none of whose sentences holds the kind of thing asked
        for, becomes the passage sentence it rests on where that one holds it; one that with what it
        cites never names what the question is about keeps nothing."""
        kept: list[CheckedSentence] = []
        restating: list[CheckedSentence] = []
        for c in checked:
            if not c.supported or is_refusal(c.text):
                log.info(
                    "dropped %r (supported %s, coverage %.2f, missing %s)", c.text, c.supported, c.coverage, c.missing
                )
            elif adds_nothing(c.text, asked, [k.text for k in kept]):
                log.info("dropped %r: it adds nothing to the question", c.text)
                restating.append(c)
            elif swapped_names(asked, c.text) or (asked.kind is AnswerKind.PERSON and checker.renames_the_subject(c)):
                log.info("dropped %r: it names the question's own subject as the one asked for", c.text)
            elif moves_the_year(asked, c.text, [r.text for r in c.rested]):
                log.info("dropped %r: it dates what the question sets in %s in another year", c.text, asked.figures)
            else:
                kept.append(c)

        def holds_kind(text: str) -> bool:
            return supplies(asked, text, answer=True)

        # a quote's "him", in an article filed under the person asked for, names them ("ranked him [Carlos
        # Slim]"); the model's own "him" is no answer to "who", so its sentence gives way to the quote
        named = checker.named_for_pronoun if asked.kind in (AnswerKind.PERSON, AnswerKind.OWNER) else _as_is
        if not kept and (kept := _drawn_from(restating, holds_kind, named)):
            log.info("the answer only restates the question; quoted the sentence it rests on")
        wanted = "name" if asked.named else asked.kind.value
        if kept and not any(holds_kind(c.text) for c in kept):
            if not (kept := _drawn_from(kept, holds_kind, named)):
                log.info("no kept sentence, nor the sentence it rests on, holds the %s asked for", wanted)
                return []
            log.info("the answer leaves out the %s asked for; quoted the sentence it rests on", wanted)
        if kept and asked.role and not any(asked.role <= content_terms(c.text) for c in kept):
            # "In what year did he become president of Finland?" answered "He became Finland's only field
            # marshal in 1933": another office; the passage it cites may give the one asked of ("... and
            # as the president of Finland (1944-1946)")
            cited = [replace(c, highlights=checker.sentences_of(c.cited)) for c in kept]
            if not (
                kept := _drawn_from(cited, lambda text: asked.role <= content_terms(text) and holds_kind(text), named)
            ):
                log.info("the answer gives another office than the one asked of")
                return []
            log.info("the answer gives another office than the one asked of; quoted the passage's sentence on it")
        if kept and asked.counted and not any(counts(asked, c.text) for c in kept):
            # "How many majors has he won?" answered "He has won 101 singles titles" from "... 101 singles
            # titles, including a record 24 majors": the small model takes the sentence's first figure
            if told := _drawn_from(kept, lambda text: counts(asked, text)):
                log.info("the answer's figures count something other than what was asked; quoted the sentence")
                kept = told
        if kept and asked.kind is AnswerKind.FIGURE:
            # "How many people died in Sichuan?" answered "69,197 people died in Sichuan" from "69,197 were
            # confirmed dead, including 68,636 in Sichuan province": the sentence's other figure is Sichuan's
            answered = " ".join(c.text for c in kept)
            if told := _drawn_from(kept, lambda text: fits_another_figure(asked, answered, text)):
                log.info("the sentence the answer rests on gives a figure that fits the question better; quoted it")
                kept = told
        if kept and asked.kind is AnswerKind.THING and not any(head_names(asked, c.text) for c in kept):
            # "After which war did England gain New York?" answered "The English gained New Amsterdam ..."
            # from "At the end of the Second Anglo-Dutch War, the English gained ...": the one asked for is
            # named there with the question's own noun, and the answer left it out
            said = content_terms(" ".join(c.text for c in kept)) | content_terms(asked.head)
            if told := _drawn_from(
                kept,
                lambda text: (
                    holds_kind(text) and any((content_terms(n) | numbers(n)) - said for n in head_names(asked, text))
                ),
            ):
                log.info("the answer never names the %s asked for; quoted the sentence it rests on", asked.head)
                kept = told
        if kept and asked.kind is AnswerKind.PERSON and re.match(r"(?:He|She)\b", kept[0].text):
            # "Who was once one of the RPF's commanders?" answered "He was previously a commander of the RPF"
            kept = [checker.named_for_pronoun(c) for c in kept]
        if kept and asked.kind is AnswerKind.THING and not any(new_names(asked, c.text) for c in kept):
            # "The group is the largest development bank" names the bank asked for by its kind only
            kept = [checker.named_for_description(c) for c in kept]
        elif asked.kind is AnswerKind.THING and asked.head and not any(head_names(asked, c.text) for c in kept):
            # "The war was a power struggle between the MPLA and UNITA": other names, but the war asked
            # for only by its kind, the question's own noun
            opens = f"the {asked.head} "
            kept = [checker.named_for_description(c) if c.text.lower().startswith(opens) else c for c in kept]
        if kept and asked.kind is AnswerKind.THING:  # "The CIS encourages ...": the thing asked for by initials
            kept = [checker.named_for_initials(c) for c in kept]
        if kept and asked.kind is AnswerKind.MANNER and not any(tells_how(asked, c.text) for c in kept):
            # "How did Vargas's second term come to an end?" answered "It came to an end in 1954" from
            # "... and from 1951 until his suicide in 1954": a date for "how"
            if told := _drawn_from(kept, lambda text: tells_how(asked, text)):
                log.info("the answer gives only when for how; quoted the sentence it rests on")
                kept = told
        if kept and asked.kind is AnswerKind.REASON and not any(gives_reason(c.text) for c in kept):
            # "Why did Pauling receive the Nobel Peace Prize?" answered "Pauling was awarded the Nobel Peace
            # Prize in 1962" from "For his peace activism, he was awarded ...": the reason left out
            if told := _drawn_from(kept, gives_reason):
                log.info("the answer leaves out the reason the sentence it rests on gives; quoted it")
                kept = told
            elif told := _drawn_from(_followed_by(kept, checker), gives_reason):
                # "Why did the Dust Bowl happen?" answered "The Dust Bowl was a period of severe dust
                # storms ..." from the sentence before "The phenomenon was caused by ..."
                log.info("the answer leaves out the reason the sentence after the one it rests on gives; quoted it")
                kept = told
        if kept and checker.gives_another_span(kept):
            # "When did his second period begin?" answered "from 1946" of "from 1946 to his overthrow in
            # 1955, and from 1973 until his death in 1974": the sentence, quoted, gives each span
            if told := _drawn_from(kept, lambda text: bool(listed_spans(text))):
                log.info("the answer gives another of the spans the sentence it rests on lists; quoted it")
                kept = told
        if kept and all(names_only_the_set_aside(asked, c.text) for c in kept):
            if told := _drawn_from(
                kept, lambda text: bool(new_names(asked, text)) and not names_only_the_set_aside(asked, text)
            ):
                log.info("the answer names only what the question sets aside; quoted the sentence it rests on")
                kept = told
        # what rules an answer out however well each sentence is supported: about someone or something
        # else, the premise given to another, the roles turned round, a rank or a fact the passages never join
        vetoes: tuple[tuple[Callable[[list[CheckedSentence]], list[str]], str], ...] = (
            (checker.unnamed, "the answer and the passages it cites never name %s"),
            (checker.misplaced_ordinals, "the passages the answer cites give the question's %s to something else"),
            (checker.reversed_roles, "the answer makes %s do what the passage it rests on does to them"),
            (checker.unstated_ranks, "the passages the answer cites never say %s"),
            (checker.spliced, "the passage holds the question's %s only far from the sentence the answer rests on"),
        )
        for veto, why in vetoes:
            if kept and (found := veto(kept)):
                log.info(why, found)
                return []
        return kept

    @staticmethod
    def _display(checked: list[CheckedSentence], pending: list[MarkedSentence], renumber: Renumberer) -> str:
        shown = [
            renumber.render(MarkedSentence(c.text, c.cited)) for c in checked if c.supported and not is_refusal(c.text)
        ]
        shown += [p.text for p in pending]
        return join_sentences(shown)

    def _refusal(self, turn: _Turn, signals: Signals | None = None) -> Answer:
        return turn.answer(self.prompts.refusal, refused=True, signals=signals.as_dict() if signals else {})

    def _final(
        self, turn: _Turn, kept: list[CheckedSentence], evidence: EvidenceSet, signals: Signals, sure: float
    ) -> Answer:
        renumber = Renumberer()
        parts = [
            renumber.render(MarkedSentence(spelt_as_cited(c.text, evidence.texts(c.cited)), c.cited)) for c in kept
        ]
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
            citations.append(
                Citation(
                    **ev.located(),
                    n=final_n,
                    text=ev.source_text,
                    score=round(ev.relevance, 3),
                    highlight_start=hs,
                    highlight_end=he,
                )
            )
        signed = {**signals.as_dict(), "confidence": round(sure, 3)}
        return turn.answer(join_sentences(parts), refused=False, signals=signed, citations=citations)


def _reply(raw: str) -> str:
    """The answer without a "Found: ..." opening, which a server that ignores prefill writes itself."""
    return re.sub(r"^\s*Found:\s*\w*\s*", "", raw) if raw.lstrip().startswith(FOUND_PREFIX) else raw


def _signals(
    found: float, stats: GenerationStats, kept: list[CheckedSentence], retrieval: Retrieval, checker: SupportChecker
) -> Signals:
    """What the answer decision weighs (rag/judge.py): the model's verdict before answering, its least
    sure token, how near the question the sentences the answer rests on are, and how much of the
    question the passages it cites never state."""
    return Signals(
        found=found,
        certainty=stats.lowest_logprob,
        relevance=_relevance(kept, retrieval),
        unstated=checker.unstated_share(kept),
    )


def _relevance(kept: list[CheckedSentence], retrieval: Retrieval) -> float:
    """How near the question the passage sentences the answer rests on are (the best of them)."""
    return nearest_cosine(_rested_sentences(kept), retrieval.query_vector)


def _rested_sentences(kept: list[CheckedSentence]) -> list[Sentence]:
    """The passage sentences an answer rests on (each kept sentence's highlights)."""
    return [s for c in kept for s in c.rested]


def _focused(checked: list[CheckedSentence], checker: SupportChecker) -> list[int]:
    """The evidence items to read again when the reply answered from passages that never name whom or
    what the question is about while others do ("In what year did Harper take office?" answered from
    "Hutchins took office in 1929" beside "Harper became the first president in 1891"), or never state
    the rank it asks for while others do ("What was the name of the band's third album?" answered from
    a sentence about the band's name beside "the third album Survivor"): a small model follows the
    question's other words to the wrong passage. Nothing when the reply refused."""
    cited = {n for c in checked if c.supported and not is_refusal(c.text) for n in c.cited}
    if not cited:
        return []
    for items in (checker.naming(), checker.ranking()):
        if items and not cited & set(items):
            return items
    return []


def _swapped(checked: list[CheckedSentence], asked: Question) -> tuple[str, ...]:
    """The words of the names a supported sentence of the reply puts where the question's "who" stood
    while the question already holds them (rag/question.py `swapped_names`); nothing when none does."""
    for c in checked:
        if c.supported and (names := swapped_names(asked, c.text)):
            return tuple(w for name in names for w in name.split())
    return ()


def _cited(kept: list[CheckedSentence]) -> set[int]:
    return {n for c in kept for n in c.cited}


def _acting(kept: list[CheckedSentence], asked: Question, evidence: EvidenceSet, context_chars: int) -> list[int]:
    """The evidence items to read again when neither the answer nor the passage sentences it rests on say
    what the question says was done, while other items do: "Who managed the band?" answered from "She
    struggled to speak about her depression because the band had just won a Grammy", where another
    passage reads "Managed by her father, ...". With the items beside those in their articles, which say
    whom "the group" means; never the items the answer cited. Nothing when no other item says it."""
    said = _said(asked)
    if not said or said & _rests_on(kept):
        return []
    cited = _cited(kept)
    acting = {e.n for e in evidence.items if e.n not in cited and said & content_terms(e.text)}
    return sorted(evidence.beside(acting, context_chars) - cited) if acting else []


def _act_words(asked: Question) -> list[str]:
    """The question's words, as typed, that say what was done (its acts)."""
    return [w for w in words(asked.text) if content_terms(w) & asked.acts]


def _states_act(asked: Question, texts: list[str]) -> bool:
    """`texts` say what the question says was done, in any form of its verbs ("broke" for "break",
    "founded" for "found")."""
    if not asked.acts:
        return True
    forms = {f(w) for w in _act_words(asked) for f in (verb_lemma, stem)} - {""}
    said = " ".join(texts)
    return bool(asked.acts & content_terms(said)) or bool(
        forms & {f(w) for w in words(said) for f in (verb_lemma, stem)}
    )


def _dates_another_event(asked: Question, kept: list[CheckedSentence]) -> bool:
    """Every year the answer gives is one the passage sentences it rests on give only to an event of
    its subject that is not what the question says was done ("until his death in 2013" for "In what
    year did Chávez resign?"). A question that asks until when, or when a span began or ended, is
    answered by such a year."""
    done = {verb_lemma(w) for w in _act_words(asked)} - {""}
    if not done or done & ASPECTUAL or re.search(r"\b(?:until|till)\b", asked.text, re.I):
        return False
    given = years(" ".join(c.text for c in kept))
    rested = [s.text for s in _rested_sentences(kept)]
    if not given or not rested or _states_act(asked, rested):
        return False
    for year in given:
        for text in (t for t in rested if year in years(t)):
            events = dated_events(text).get(year)
            if not events or any(names_event(e, v) for e in events for v in done):
                return False
    return any(year in years(t) for t in rested for year in given)


def _cited_texts(kept: list[CheckedSentence], evidence: EvidenceSet) -> list[str]:
    """Every sentence of the passages an answer cites."""
    return [s.text for n in sorted({n for c in kept for n in c.cited}) if (e := evidence.by_n(n)) for s in e.sentences]


def _rests_on(kept: list[CheckedSentence]) -> set[str]:
    """The terms of an answer and of the passage sentences it rests on."""
    return content_terms(" ".join([c.text for c in kept] + [s.text for s in _rested_sentences(kept)]))


def _answers_better(again: list[CheckedSentence], first: list[CheckedSentence], asked: Question) -> bool:
    """`again` says what the question says was done, and holds no fewer of the question's words than `first`:
    "The Rhine merges with the Meuse outside of Germany" over "The Rhine roughly forms the German-Swiss
    border", but not "Elections were held in November 2006" over "Elections ... occur every four years"."""

    def told(kept: list[CheckedSentence]) -> int:
        return len(asked.terms & content_terms(" ".join(c.text for c in kept)))

    def named(kept: list[CheckedSentence]) -> set[str]:
        return new_names(asked, " ".join(c.text for c in kept))

    # "Lee wrote To Kill a Mockingbird" after "... a novel by Harper Lee": the same one, named less fully
    same = bool(named(again)) and named(again) <= named(first)
    return bool(_said(asked) & _rests_on(again)) and told(again) >= told(first) and not same


def _said(asked: Question) -> frozenset[str]:
    """What an answer must say to answer: what the question says was done, or, when it names no act,
    the thing it asks for ("capital" of "What is the capital of Kuwait?")."""
    if asked.acts or asked.kind is not AnswerKind.THING:  # "In what year ...": the year is the answer's
        return asked.acts
    return frozenset(content_terms(asked.head))


def _repeats(kept: list[CheckedSentence], asked: Question, previous: str) -> bool:
    """Every sentence claims nothing beyond the question and the previous answer."""
    return all(adds_nothing(c.text, asked, [previous]) for c in kept)


def _renumbered(evidence: EvidenceSet, keep: list[int]) -> EvidenceSet:
    items = [replace(e, n=i) for i, e in enumerate((e for e in evidence.items if e.n in keep), start=1)]
    return EvidenceSet(items=items, best_score=evidence.best_score, best_lexical=evidence.best_lexical)


# what "how many years" counts: a span of years answers it
_TIME_UNITS = frozenset(content_terms("years months weeks days hours minutes times"))


def _as_is(sentence: CheckedSentence) -> CheckedSentence:
    return sentence


def _followed_by(kept: list[CheckedSentence], checker: SupportChecker) -> list[CheckedSentence]:
    """`kept` resting instead on the passage sentence right after each one it rests on."""
    passages = checker.sentences_of({n for c in kept for n in c.highlights})
    return [
        replace(c, highlights={n: [after for s, after in zip(passages[n], passages[n][1:]) if s.start in starts]})
        for c in kept
        for n, rested in c.highlights.items()
        if n in passages and (starts := {s.start for s in rested})
    ]


def _drawn_from(
    kept: list[CheckedSentence],
    holds: Callable[[str], bool],
    named: Callable[[CheckedSentence], CheckedSentence] = _as_is,
) -> list[CheckedSentence]:
    """The passage sentence an answer rests on, quoted, when it `holds` what the answer left out (the
    kind of thing asked for; more than the previous answer said): "When will the center be finished?"
    answered "The center will be housed at the university [1]" from "With an estimated completion date
    of 2020, the center will be housed at the university." A small model often drops the one part of
    the sentence that was asked for. `named` names who the quote gives only as "him"."""
    for c in kept:
        for n, sentences in c.highlights.items():
            for s in sentences:
                quoted = named(CheckedSentence(text=s.text, cited=[n], supported=True, coverage=1.0, similarity=1.0))
                if holds(quoted.text):
                    quoted.highlights = {n: [s]}
                    return [quoted]
    return []
