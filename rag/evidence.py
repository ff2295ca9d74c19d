"""Evidence selection: from retrieved passages, keep the sentences that bear on the question.

A 1.5B model reads ~90 prompt tokens/s and is distracted by long context, so it gets the best
sentences with one sentence of context either side (a sentence window), numbered, not whole chunks.
Each evidence item keeps its character span in the article so the UI can highlight it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .chunking import Span, split_sentences
from .embedding import Embedder
from .question import OPEN_KINDS, AnswerKind, Question, new_people, supplies
from .retrieval import Passage, Retrieval
from .span import LocatedSpan
from .terms import content_terms, numbers, proper_names, spells


@dataclass(frozen=True, kw_only=True)
class Sentence:
    start: int  # offsets in the article
    end: int
    text: str
    vector: np.ndarray
    score: float


def nearest_cosine(sentences: Iterable[Sentence], vector: np.ndarray) -> float:
    """The cosine of `vector` and the sentence nearest to it (0.0 when there is none): the one measure of
    how near a question a set of sentences comes, for evidence, support and the judge's relevance."""
    return max((float(s.vector @ vector) for s in sentences), default=0.0)


@dataclass(frozen=True, kw_only=True)
class Evidence(LocatedSpan):
    """Sentences of one passage shown to the model; `text` is clean: what the model reads."""

    n: int  # the number the model sees
    source_text: str  # the article's own text at start:end, for the citation
    relevance: float  # best sentence score in it
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True, kw_only=True)
class EvidenceSet:
    items: list[Evidence]
    best_score: float  # best sentence relevance over all candidates
    best_lexical: float  # best share of question terms found in one sentence

    def by_n(self, n: int) -> Evidence | None:
        return next((e for e in self.items if e.n == n), None)

    def names(self) -> list[str]:
        """The proper names the items and their articles' titles give."""
        return [n for e in self.items for n in proper_names(f"{e.title}. {e.text}")]

    def texts(self, numbers: Iterable[int]) -> list[str]:
        """The texts of the items numbered `numbers` (those it holds)."""
        return [e.text for n in numbers if (e := self.by_n(n)) is not None]

    def beside(self, numbers: set[int], chars: int) -> set[int]:
        """The items numbered `numbers` and those within `chars` of one of them in the same article: a
        passage that says "she" or "the group" names whom it means in the sentences around it ("...
        fell into the hands of Tay Hohoff, a veteran editor" is followed by "she led Lee from one draft
        to the next")."""
        chosen = [e for e in self.items if e.n in numbers]
        return {
            e.n
            for e in self.items
            for c in chosen
            if e.source == c.source and e.start - chars <= c.end and c.start - chars <= e.end
        }

    def nearest(self, vector: np.ndarray) -> float:
        """The cosine of `vector` (the question's) and the evidence sentence nearest to it: an answer
        resting on these sentences is at most this relevant (rag/judge.py)."""
        return nearest_cosine((s for e in self.items for s in e.sentences), vector)

    def prompt_block(self) -> str:
        """Numbered passages for the prompt. Titles stay out: the small model quotes them as if they
        were reporting, and they cost prompt time; the date stays, for "when" questions."""
        return "\n".join(f"[{e.n}] {'(' + e.date + ') ' if e.date else ''}{e.text}" for e in self.items)


def sentence_terms(text: str, aliases: dict[str, set[str]] | None = None) -> set[str]:
    """A sentence's content terms; an alias in it ("DOGE") also counts as the words it stands for
    ("department", "government", "efficiency")."""
    terms = content_terms(text)
    for alias, meaning in (aliases or {}).items():
        if alias in terms:
            terms |= meaning
    return terms


def lexical_overlap(question_terms: set[str], terms: set[str], weights: dict[str, float] | None = None) -> float:
    """Share of the question's terms in a sentence's `terms`, each weighted (`rarity`: a term every
    candidate sentence holds tells them apart less than one only a few hold)."""
    if not question_terms:
        return 0.0
    weight = (weights or {}).get
    return sum(weight(t, 1.0) for t in question_terms & terms) / sum(weight(t, 1.0) for t in question_terms)


def rarity(question_terms: set[str], candidates: list[set[str]]) -> dict[str, float]:
    """Each question term's inverse document frequency over the candidate sentences (BM25's form, at
    least a small floor): "Rubio" in every sentence of a Rubio story weighs less than "ambition"."""
    n = len(candidates)
    held = {t: sum(t in c for c in candidates) for t in question_terms}
    return {t: max(0.1, math.log(1 + (n - df + 0.5) / (df + 0.5))) for t, df in held.items()}


_DEFINED = re.compile(r"((?:[A-Z][\w’'.-]*\s+(?:(?:of|for|and|the|on)\s+)*){1,7})\(([A-Z][A-Za-z]{1,7})\)")


def acronyms(texts: list[str]) -> dict[str, set[str]]:
    """Abbreviations the articles define, as "Department of Government Efficiency (DOGE)": the
    acronym's term -> the name's terms. A name whose initials do not spell it is not a definition."""
    return {t: content_terms(name) for short, name in defined_names(texts).items() for t in content_terms(short)}


def defined_names(texts: list[str]) -> dict[str, str]:
    """The abbreviations the articles define, as written: "CIS" -> "Commonwealth of Independent States"."""
    found: dict[str, str] = {}
    for text in texts:
        for match in _DEFINED.finditer(text):
            words = match.group(1).split()
            short = match.group(2).upper()
            for start in range(len(words)):  # the definition may start after other capitalised words
                name = words[start:]
                if not name[0][0].isupper():
                    continue
                if spells(name, short):
                    found[short] = " ".join(name)
                    break
    return found


def type_score(question: Question, sentence: str) -> float:
    """How strongly a sentence holds what the question asks for, for ranking evidence: a figure in
    digits for "how many" (in words, half), a person's full name for "who", a date for "when"; questions of
    other kinds rank on meaning and words alone."""
    if question.kind in OPEN_KINDS:
        return 0.0
    if not supplies(question, sentence):
        return 0.0
    if question.kind is AnswerKind.FIGURE and not numbers(sentence) - question.figures:
        return 0.5
    if question.kind is AnswerKind.PERSON and not new_people(question, sentence):
        return 0.3  # a new name, but no person's full name: "DOGE", "Congress"
    return 1.0


def select_evidence(
    question: Question,
    retrieval: Retrieval,
    embedder: Embedder,
    max_items: int,
    max_chars: int,
    window_chars: int,
) -> EvidenceSet:
    """The best sentences for the question, each with the sentence it leans on, at most `max_items`
    windows and `max_chars` in all (the settings' max_evidence, evidence_chars, evidence_window_chars)."""
    passages = retrieval.passages
    if not passages:
        return EvidenceSet(items=[], best_score=0.0, best_lexical=0.0)
    q_terms = set(question.terms) | set(question.figures)
    candidates: list[tuple[Passage, list[Span]]] = [(p, split_sentences(p.text)) for p in passages]  # offsets in p.text
    flat = [(pi, si, s) for pi, (_, spans) in enumerate(candidates) for si, s in enumerate(spans)]
    vectors = embedder.embed_recalled([s.text for _, _, s in flat])
    dense = vectors @ retrieval.query_vector
    aliases = acronyms([p.text for p in passages])
    terms = [sentence_terms(s.text, aliases) | _referents(candidates[pi][1], si) for pi, si, s in flat]
    weights = rarity(q_terms, terms)
    lexical = np.array([lexical_overlap(q_terms, t, weights) for t in terms])
    kind = question.kind
    # headings and photo credits ("Saul Loeb/AFP via Getty Images") name people but answer nothing
    heading = [is_heading(s.text) for _, _, s in flat]
    typed = np.array([0.0 if h else type_score(question, s.text) for h, (_, _, s) in zip(heading, flat)])
    prior = np.array([1.0 / (1 + pi) for pi, _, _ in flat])  # the retriever's view of the whole passage
    scores = 0.55 * dense + 0.35 * lexical + TYPE_WEIGHT * typed + 0.05 * prior
    index_of = {(pi, si): i for i, (pi, si, _) in enumerate(flat)}
    # a sentence holding the asked-for kind of thing right after a relevant one ("He defended his
    # record, citing 1,500 ...") is often the answer even though its own words match poorly
    context = scores.copy()
    for i, (pi, si, _) in enumerate(flat):
        if typed[i]:
            for back, weight in ((1, 0.8), (2, 0.6)):
                j = index_of.get((pi, si - back))
                # a sentence with its own figure is a candidate answer, not context (names are everywhere)
                if j is not None and not (kind is AnswerKind.FIGURE and typed[j]):
                    context[i] = max(context[i], weight * (scores[j] - TYPE_WEIGHT * typed[j]) + TYPE_WEIGHT * typed[i])
    scores = context
    order = np.argsort(-scores)

    # coverage first: the best distinct sentences alone, while the budget holds (a caption or quote
    # repeated on the page, or in two overlapping passages, is offered once, at its best rank) ...
    chosen: list[tuple[int, int]] = []
    offered: set[str] = set()
    used = 0
    for idx in order:
        if len(chosen) >= max_items or scores[idx] < scores[order[0]] - 0.25:
            break
        pi, si, sentence = flat[idx]
        key = " ".join(sentence.text.lower().split())
        size = sentence.end - sentence.start
        if key in offered or heading[idx] or (chosen and used + size > max_chars):
            continue
        chosen.append((pi, si))
        offered.add(key)
        used += size
    # ... then the sentences each leans on ("He defended his record ..." needs the one before), best
    # first, while the budget holds: context never crowds out a candidate answer
    windows: list[tuple[int, list[int]]] = []
    covered = set(chosen)
    for pi, si in chosen:
        spans = candidates[pi][1]
        group = _window(spans, si, window_chars)
        extra = sum(spans[g].end - spans[g].start for g in group if (pi, g) not in covered)
        if used + extra > max_chars:
            group = [si]
        else:
            used += extra
        windows.append((pi, group))
        covered.update((pi, g) for g in group)

    if kind is AnswerKind.FIGURE:
        # articles often disagree on figures: make sure a second article's figure is on the table
        def figures(pi: int, si: int) -> set[str]:
            return numbers(candidates[pi][1][si].text) - question.figures

        figure_sources = {candidates[pi][0].source for pi, group in windows for g in group if figures(pi, g)}
        for idx in order:
            pi, si, _ = flat[idx]
            if scores[idx] < scores[order[0]] - 0.45:
                break
            if figures(pi, si) and candidates[pi][0].source not in figure_sources and (pi, si) not in covered:
                windows.append((pi, _window(candidates[pi][1], si, window_chars)))
                break

    items: list[Evidence] = []
    for pi, group in _merge_windows(windows):
        passage, spans = candidates[pi]
        lo, hi = spans[group[0]].start, spans[group[-1]].end  # in passage.text (clean)
        cited = passage.source_span(Span(lo, hi, passage.text[lo:hi]))  # article offsets, original text
        start, end = cited.start, cited.end
        if any(e.source == passage.source and start < e.end and e.start < end for e in items):
            continue  # the same sentences reached through two passages of one article
        n = len(items) + 1
        sents = tuple(
            Sentence(
                start=passage.to_original(spans[g].start),
                end=passage.to_original(spans[g].end, end=True),
                text=spans[g].text,
                vector=vectors[index_of[(pi, g)]],
                score=float(scores[index_of[(pi, g)]]),
            )
            for g in group
        )
        text = passage.text[lo:hi]
        items.append(
            Evidence(
                **{**passage.located(), "start": start, "end": end},
                n=n,
                text=text,
                source_text=cited.text,
                relevance=max(x.score for x in sents),
                sentences=sents,
            )
        )
    return EvidenceSet(items=items, best_score=float(scores[order[0]]), best_lexical=float(lexical.max()))


TYPE_WEIGHT = 0.3  # how much holding the asked-for kind of thing (a person, a figure, a date) lifts a sentence
_LEANS_BACK = re.compile(
    r"^\W*(?:\S+\s+){0,5}?(he|she|they|it|his|her|their|its|this|that|these|those|such|the same|but|however|also|"
    r"still|yet|then)\b",
    re.I,
)
_HEADING = re.compile(r"^[^.!?]{0,90}$")  # a short line with no sentence punctuation: a heading or caption


def _referents(spans: list[Span], si: int, reach: int = 2) -> set[str]:
    """The names a sentence that leans back ("He's got to go along with it ...") may mean, taken from the
    sentences it leans on (at most `reach` back): its words match a question that names them
    ("Who did Gerald Feierstein say ...?") as if it named them itself."""
    return set().union(*(content_terms(" ".join(proper_names(spans[i].text))) for i in _leaned_on(spans, si, reach)))


def _leaned_on(spans: list[Span], si: int, reach: int) -> list[int]:
    """The sentences before sentence `si` that it leans on, nearest first, at most `reach`: while a
    sentence leans back ("He said ..."), the one before it."""
    found: list[int] = []
    while si > 0 and len(found) < reach and _LEANS_BACK.match(spans[si].text):
        si -= 1
        found.append(si)
    return found


def is_heading(text: str) -> bool:
    return bool(_HEADING.match(text.strip())) and len(text.split()) < 14


def _window(spans: list[Span], si: int, limit: int) -> list[int]:
    """The sentence, plus the sentences it leans on ("He defended his record ..." needs the one before),
    while the window stays within `limit` characters. Sentences that lean on it are left out: when
    one of them answers, it ranks on its own (see the context boost) and brings this one back."""
    lo, end = si, spans[si].end
    for before in _leaned_on(spans, si, si):
        # the chosen sentence's own antecedent may stretch the window to twice its size: without it
        # "Trump announced this initiative" does not say which initiative
        if end - spans[before].start > (2 * limit if before == si - 1 else limit):
            break
        lo = before
    return list(range(lo, si + 1))


def _merge_windows(windows: list[tuple[int, list[int]]]) -> list[tuple[int, list[int]]]:
    """Windows of one passage that overlap or touch become one, kept at the rank of the first."""
    merged: list[tuple[int, list[int]]] = []
    for pi, group in windows:
        for i, (mpi, mgroup) in enumerate(merged):
            if mpi == pi and group[0] <= mgroup[-1] + 1 and mgroup[0] <= group[-1] + 1:
                merged[i] = (pi, list(range(min(group[0], mgroup[0]), max(group[-1], mgroup[-1]) + 1)))
                break
        else:
            merged.append((pi, group))
    return merged
