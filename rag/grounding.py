"""Citation checking and repair: every kept answer sentence must be covered by the passages it cites.

A sentence's claims are its content words, numbers and names that the question did not already
supply. Citations are chosen as a small cover of those claims: the model's own citations first (when
they support anything), then the evidence that covers most of what is left (RAGFlow-style insertion).
Numbers and names must be covered exactly; the remaining words mostly; otherwise the sentence is
dropped. This check is lexical: it chooses citations and catches invented names and figures; whether
the words mean what the passage means is the judge's question (rag/judge.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from .citations import MarkedSentence
from .documents import slug
from .evidence import Evidence, EvidenceSet, Sentence, acronyms, defined_names, nearest_cosine
from .question import (
    AUXILIARIES,
    BE,
    DETERMINERS,
    PREPOSITIONS,
    AnswerKind,
    Question,
    denies,
    new_people,
    set_aside,
    years_spanned,
)
from .terms import (
    MONTHS,
    ORDINALS,
    abbreviates,
    abbreviations,
    centuries,
    centuries_dated,
    content_terms,
    counted_ordinal,
    counted_ordinals,
    figure_phrases,
    is_noun,
    is_person,
    is_verb,
    listed_spans,
    name_stated,
    names,
    new_forms,
    numbers,
    ordinary_word,
    proper_names,
    rank_terms,
    spans_terms,
    stated,
    stem,
    unstated_names,
    verb_lemma,
    words,
    years,
)

REFUSAL_PATTERN = re.compile(
    r"(articles? do(es)? not (say|mention|state|contain|provide|specify|include)|passages? do(es)? not|"
    r"not (mentioned|stated|specified|provided|covered|found) in|no (information|mention)|"
    r"(cannot|can't|could not|couldn't|unable to) (find|answer|determine|tell)|don't know|do not know|"
    r"not (enough|sufficient) information|is not (mentioned|given|stated))",
    re.I,
)

# words that carry no checkable claim: answer scaffolding, reporting verbs, talk about the sources
SCAFFOLD = content_terms(
    "according reported report reports reportedly stated states statement also however the article passage "
    "passages mention mentioned mentions note noted answer question based information provided text "
    "describes described indicates indicated suggests suggested source sources agree agrees true correct "
    "confirm confirms confirmed indeed yes given specific specifically exact exactly another different figure gives"
)


@dataclass(kw_only=True)
class CheckedSentence:
    text: str
    cited: list[int] = field(default_factory=list)  # evidence numbers, in citation order
    supported: bool = False
    coverage: float = 0.0
    similarity: float = 0.0
    repaired: bool = False
    missing: list[str] = field(default_factory=list)  # claims no passage covers
    highlights: dict[int, list[Sentence]] = field(default_factory=dict)  # evidence n -> supporting sentences

    @property
    def rested(self) -> list[Sentence]:
        """The passage sentences this sentence rests on, over all the evidence it cites."""
        return [s for found in self.highlights.values() for s in found]


def is_refusal(text: str) -> bool:
    return bool(REFUSAL_PATTERN.search(text))


def claims(sentence: str, question: Question) -> tuple[set[str], set[str]]:
    """(all claim terms, the strict ones: numbers and names) that `sentence` adds to `question`."""
    given = content_terms(question.text) | set(question.figures) | names(question.text)
    strict = (numbers(sentence) | names(sentence)) - given
    loose = (content_terms(sentence) - given - SCAFFOLD) | strict
    return loose, strict


def adds_nothing(sentence: str, question: Question, before: list[str]) -> bool:
    """Filler: a sentence that claims nothing beyond the question's own words and talk about the
    sources ("The sources agree that this is true."), or nothing the sentences before it did not say."""
    if denies(question, sentence):
        return False  # "Trump said there is no clash": the denial is the answer, in the question's own words
    loose, _ = claims(sentence, question)
    said = set().union(*(claims(b, question)[0] for b in before)) if before else set()
    if not loose and not before and new_forms(sentence, question.text):
        return False  # "Thatcherism" for "What were Thatcher's policies called?": one stem, another name
    return not loose or loose <= said


_CAPITALISED = re.compile(r"\b[A-ZÀ-Þ][^\W\d_]+\b")


def spelt_as_cited(text: str, cited: list[str]) -> str:
    """`text` with each capitalised word that its cited passages spell otherwise written as they spell it:
    "The Labour Party is strongest ..." from "Labor is strongest ...". The check counts both spellings
    as one term; the answer quotes the name as its sources have it. A word the passages only hold with
    another ending ("Americans" of "American") is the same name in another form, and stays."""
    spelt = {w.lower() for t in cited for w in words(t)}
    theirs: dict[str, str] = {}
    for t in cited:
        for w in _CAPITALISED.findall(t):
            theirs.setdefault(stem(w), w)

    def respell(match: re.Match[str]) -> str:
        word = match.group(0)
        other = theirs.get(stem(word))
        if word.lower() in spelt or other is None:
            return word
        a, b = word.lower(), other.lower()
        return word if a.startswith(b) or b.startswith(a) else other

    return _dates_as_cited(_CAPITALISED.sub(respell, text), cited)


_MONTH_DAY = re.compile(rf"\b({MONTHS}) (\d{{1,2}}), (\d{{4}})\b")  # "October 28, 1962"
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}}) ({MONTHS}),? (\d{{4}})\b")  # "28 October 1962"


def _dates_as_cited(text: str, cited: list[str]) -> str:
    """`text` with each full date written as its cited passages write it: "October 28, 1962" where they
    say "28 October 1962". The same day either way; the answer quotes its source."""
    theirs: dict[tuple[str, int, str], str] = {}
    for t in cited:
        theirs.update({(m[1], int(m[2]), m[3]): m[0] for m in _MONTH_DAY.finditer(t)})
        theirs.update({(m[2], int(m[1]), m[3]): m[0] for m in _DAY_MONTH.finditer(t)})
    text = _MONTH_DAY.sub(lambda m: theirs.get((m[1], int(m[2]), m[3]), m[0]), text)
    return _DAY_MONTH.sub(lambda m: theirs.get((m[2], int(m[1]), m[3]), m[0]), text)


def evidence_terms(ev: Evidence) -> set[str]:
    """What a passage states: its words, figures and names, and the ordinals it states by counting
    ("World War I": first)."""
    return content_terms(ev.text) | numbers(ev.text) | names(ev.text) | counted_ordinals(ev.text)


def shown_terms(evidence: EvidenceSet) -> set[str]:
    """Every term the model was shown, over all evidence items."""
    return set().union(*(evidence_terms(e) for e in evidence.items))


def _sentence_terms(text: str) -> set[str]:
    """What one sentence of a passage states (see `evidence_terms`), initials of its names too."""
    return content_terms(text) | names(text, initial=True) | counted_ordinals(text)


def title_terms(ev: Evidence) -> set[str]:
    """What an evidence item's article is about by its title: a passage from "Bruce Lee" that says
    "he starred in five films" is about Bruce Lee, though it never names him."""
    return names(ev.title, initial=True) | content_terms(ev.title)


class SupportChecker:
    """Decides, per answer sentence, which evidence supports it, repairing or dropping citations."""

    def __init__(
        self,
        evidence: EvidenceSet,
        question: Question,
        min_coverage: float = 0.6,
        min_similarity: float = 0.72,
        context_chars: int = 350,
    ):
        self.evidence = evidence
        self.question = question
        self.min_coverage = min_coverage
        self.min_similarity = min_similarity
        self.context_chars = context_chars  # passages this close in one article are one stretch of it
        self._terms = {e.n: evidence_terms(e) for e in evidence.items}
        self._all_terms = set().union(*self._terms.values()) if self._terms else set()
        self._question_strict = names(question.text) | set(question.premise_figures)
        # what the evidence is about: its words and its articles' titles ("He's in this awkward situation"
        # in an article titled "Rubio's Approach to Thriving" is about Rubio, though it never says so)
        self._titles = {e.n: title_terms(e) for e in evidence.items}
        # each item's figures, the years inside its spans too ("from 1948 to 1994" gives 1950)
        self._figures = {e.n: numbers(e.text) | years_spanned(e.text) for e in evidence.items}
        self._centuries = set().union(*(centuries_dated(e.text) for e in evidence.items))
        self._about = self._all_terms.union(*self._titles.values(), *self._figures.values())
        self._names = evidence.names()  # the names the passages and their titles give
        self._defined = acronyms([e.text for e in evidence.items])  # "International Criminal Court (ICC)"
        # "US" of "the United States": what the evidence's names of several capitalised words abbreviate to
        shown = proper_names(" ".join(e.text for e in evidence.items) + " " + " ".join(e.title for e in evidence.items))
        self._spelling = {
            a: n for n in shown if sum(w[0].isupper() for w in n.split()) >= 2 for a in abbreviations(n.split())
        }
        self._abbreviated = {stem(a) for a in self._spelling}
        # the question's own words, its names and scaffolding aside: what its premise says of them
        self._asked_words = question.terms - set().union(*(content_terms(n) for n in question.names)) - SCAFFOLD
        self._question_terms = content_terms(question.text)  # all its words, wh-words too

    def unnamed(self, answer: list[CheckedSentence]) -> list[str]:
        """The question's names that neither the answer nor the passages it cites (with their articles'
        titles, and the evidence beside them in the same article) state, when they rule the answer out
        (`unstated_names`), or that the answer replaces with another name (`_replaced`): "Who is the
        father of Sophocles?" answered "Sophocles' father, Nicolas Chopin, ..." from a passage about
        Fryderyk's father is supported sentence by sentence, and about someone else."""
        beside = self.evidence.beside({n for c in answer for n in c.cited}, self.context_chars)
        cited = self._spelt_out(self._stated_by(beside))
        about = cited.union(*(content_terms(c.text) | names(c.text, initial=True) for c in answer))
        named = self.question.premise_names
        # "US" of a passage that says "the United States"
        titles = [e.title for e in self.evidence.items if e.n in beside]
        cited_names = proper_names(" ".join(self.evidence.texts(beside) + titles))
        # a lone word that other passages state is a name spelt as the articles spell it, and no
        # adjective: "Since when has the Murdoch family chaired the Times?" answered from the Times' page.
        # One the user typed must be in the cited passages, however the answer repeats it: "The Museum
        # of Modern Art holds Guernica" from a passage on another painting
        typed = self.question.typed_names
        elsewhere = [
            n
            for n in named
            if " " not in n
            and not any(stated(t, cited if n in typed else about) for t in content_terms(n))
            and all(stated(t, self._about) for t in content_terms(n))
            and not abbreviates(n, cited_names)
        ]
        # a name of several words the user typed, that the answer gives to a passage of another article:
        # "The Association of Southeast Asian Nations was founded on 10 January 1920", citing the League
        # of Nations' "It was founded on 10 January 1920", while ASEAN's own passage is shown beside it
        elsewhere += [
            n
            for n in typed
            if " " in n
            and not is_person(n)  # a person goes by one of their names: "Lee" of "Harper Lee"
            and n in named
            and not name_stated(n, cited)
            and name_stated(n, self._about)
            and not abbreviates(n, cited_names)
        ]
        unstated = unstated_names(named, about, self._names)
        found = [
            *unstated,
            *elsewhere,
            *self._replaced(answer),
            *self._told_of_another(answer),
            *self._namesakes(answer),
            *self._figures_of_another(answer),
            *self._put_in_place(answer),
        ]
        return list(dict.fromkeys(found))

    def _figures_of_another(self, answer: list[CheckedSentence]) -> list[str]:
        """For "how many", the question's names whose figure the answer takes from a sentence that gives
        it to another name: "The Wall Street Journal had 2.5 million digital subscribers" from "the Post
        had ... 2.5 million digital subscribers, ... after The New York Times and The Wall Street Journal".
        A sentence's figure is told of the names before it, not of one that only comes after it."""
        if self.question.kind is not AnswerKind.FIGURE:
            return []
        # the one the question asks the figure of: its verb's subject ("did The Wall Street Journal have")
        question = self.question.text
        asked = [
            n for n in self.question.typed_names if n in self.question.premise_names and _after_auxiliary(question, n)
        ]
        own = set().union(*(content_terms(n) for n in self.question.names))
        told = []
        for c in answer:
            figures = numbers(c.text) - self.question.figures
            for s in c.rested:
                at = min((m.start() for f in figures for m in _figure_mentions(s.text, f)), default=-1)
                if at < 0:
                    continue
                before, after = s.text[:at], s.text[at:]
                # a capitalised word opening the sentence ("In 2023") names nothing
                named = [n for n in proper_names(before) if not (before.startswith(n) and ordinary_word(n))]
                others = [n for n in named if not content_terms(n) & own]  # "Richard Milhous Nixon" is Nixon
                told += [n for n in asked if n not in before and n in after and others]
        return told

    def _namesakes(self, answer: list[CheckedSentence]) -> list[str]:
        """The question's people whose name the passages give whole, while a sentence the answer rests on
        names only a longer name that holds its words apart: "When did Hjalmar Hammarskjöld die?" answered
        from "Dag Hjalmar Agne Carl Hammarskjöld ... until his death", in a passage that names his father
        "Hjalmar Hammarskjöld" (son and father). The sentence is about the one it names."""
        cited = " ".join(self.evidence.texts({n for c in answer for n in c.cited}))
        people = [n for n in self.question.typed_names if " " in n and is_person(n) and n in cited]
        told = []
        for c in answer:
            for s in c.rested:
                # another first name before the question's one: "Dag Hjalmar ...", not "Richard Milhous Nixon"
                longer = [q.split() for q in proper_names(s.text) if len(q.split()) > 2]
                told += [
                    p
                    for p in people
                    if p not in s.text and any(set(p.split()) <= set(q) and q[0] != p.split()[0] for q in longer)
                ]
        return told

    def _put_in_place(self, answer: list[CheckedSentence]) -> list[str]:
        """The question's names that an answer sentence puts where the sentence it rests on has another
        name, with the same words after it, while neither that sentence nor its article names them: "The
        Finnish Civil War was fought from October 1853" from "The Crimean War was fought between Russia
        and ... from October 1853"."""
        put = []
        for c in answer:
            for n, rested in c.highlights.items():
                shown = set(self._titles.get(n, set())).union(*(_sentence_terms(s.text) for s in rested))
                for name in self.question.premise_names:
                    if name not in c.text or name_stated(name, shown):
                        continue
                    follows = " ".join(c.text[c.text.find(name) + len(name) :].split()[:2])
                    if (
                        re.match(r"[a-z]+ [a-z]", follows)
                        and is_verb(follows.split()[0])
                        and any(
                            f"{other} {follows}" in s.text
                            # not the same one, named more or less fully ("Lee" of "Harper Lee")
                            and not (set(other.split()) <= set(name.split()) or set(name.split()) <= set(other.split()))
                            for s in rested
                            for other in proper_names(s.text)
                        )
                    ):
                        put.append(name)
        return put

    def sentences_of(self, cited: Iterable[int]) -> dict[int, list[Sentence]]:
        """Every sentence of the evidence items numbered `cited`, by number."""
        return {n: list(ev.sentences) for n in cited if (ev := self.evidence.by_n(n))}

    def _spelt_out(self, terms: set[str]) -> set[str]:
        """`terms` with the name each abbreviation among them stands for where the evidence defines it:
        a passage that says "the RPF" names the "Rwandan Patriotic Front (RPF)" of the one beside it."""
        return terms.union(*(self._defined[t] for t in terms if t in self._defined))

    def named_for_pronoun(self, sentence: CheckedSentence) -> CheckedSentence:
        """`sentence` with the person it gives only as "he", "him" or "she" named in brackets after the
        pronoun, where the article it cites is filed under that person and the question does not name
        them: "Who is the richest person in Latin America?" answered "... the Index ranked him [Carlos
        Slim] as the richest person in Latin America" from carlos_slim.txt; a quote alone does not say who."""
        pronoun = _PERSONAL.search(sentence.text)
        people = {h for h in self._cited_headings(sentence) if is_person(h)}
        if pronoun is None or len(people) != 1:
            return sentence
        person = people.pop()
        if content_terms(person) & (content_terms(sentence.text) | content_terms(self.question.text)):
            return sentence
        return _named_after(sentence, pronoun.end(), person)

    def named_for_description(self, sentence: CheckedSentence) -> CheckedSentence:
        """`sentence` with the thing it opens with only as "the group", "the company" named in brackets,
        where the article it cites is filed under a name with that word ("World Bank Group") and neither
        it nor the question names it: "What is the largest development bank in the world?" answered "The
        group [World Bank Group] is the largest development bank in the world" (the passage's own words)."""
        opening = _DESCRIPTION.match(sentence.text)
        cited = [e for n in sentence.cited if (e := self.evidence.by_n(n)) is not None and _heading(e)]
        if opening is None or len({_heading(e) for e in cited}) != 1:
            return sentence
        title = _heading(cited[0])
        # the kind is in the name, or the article's opening says the subject is one ("... is a Chinese
        # multinational technology company")
        kind = opening.group(1)
        lead = cited[0].title.split(": ", 1)[-1]
        if stem(kind) not in {stem(w.lower()) for w in words(title)} and not re.search(
            rf"\b(?:is|was|are|were)\s+(?:an?|the)\s+(?:[\w-]+\s+){{0,5}}{kind}\b", lead
        ):
            return sentence
        # a title the sentence or question gives, or a name of it the sentence gives ("of Jacksonville")
        if self._gives_name(sentence, title) or names(title, initial=True) & names(sentence.text):
            return sentence
        return _named_after(sentence, opening.end(), title)

    def named_for_initials(self, sentence: CheckedSentence) -> CheckedSentence:
        """`sentence` with initials that the passages it cites define, or their article's title spells,
        spelt out in brackets, where neither it nor the question gives the name: "Which organisation of
        states encourages cooperation ...?" answered "The CIS [Commonwealth of Independent States] ..."."""
        defined = defined_names(self.evidence.texts(self.evidence.beside(set(sentence.cited), self.context_chars)))
        # or the article's title spells them: "The CIS ..." from the page "Commonwealth of Independent States"
        for title in self._cited_headings(sentence):
            defined.update({short: title for short in abbreviations(title.split())})
        # initials standing alone, not the start of a longer name ("UEFA Champions League") nor an owner
        for match in re.finditer(r"\b[A-Z]{2,7}\b(?!\s+[A-Z]|['’])", sentence.text):
            name = defined.get(match.group(0))
            if (
                name
                and not self._gives_name(sentence, name)
                and not re.search(rf"\b{match.group(0)}\b", self.question.text)
            ):
                return _named_after(sentence, match.end(), name)
        return sentence

    def _gives_name(self, sentence: CheckedSentence, name: str) -> bool:
        """`sentence` or the question already spells `name` out: nothing to add in brackets."""
        return name.lower() in f"{sentence.text} {self.question.text}".lower()

    def renames_the_subject(self, sentence: CheckedSentence) -> bool:
        """For "who", `sentence` names as new people only parts of the name the article it cites is filed
        under, which also holds the question's person: "Josip Broz succeeded Tito" from josip_broz_tito.txt
        names Tito twice, and nobody else."""
        people = new_people(self.question, sentence.text)
        asked = [content_terms(n) for n in self.question.names]
        return bool(people) and any(
            any(a and a <= content_terms(h) for a in asked)
            and all(content_terms(p) <= content_terms(h) for p in people)
            for h in self._cited_headings(sentence)
            if is_person(h)
        )

    def _cited_headings(self, sentence: CheckedSentence) -> list[str]:
        """The names the articles `sentence` cites are filed under ("" for a headline)."""
        return [_heading(e) for n in sentence.cited if (e := self.evidence.by_n(n)) is not None]

    def unstated_ranks(self, answer: list[CheckedSentence]) -> list[str]:
        """The question's ranks (superlatives, ordinals) that the passages the answer cites (with their
        titles) never state: "What is the snowiest peak in Victoria?" answered "The snowiest peak in
        Victoria is Mount Bogong" from "Mount Bogong is the highest peak in Victoria" echoes the premise.
        A superlative the passages only rank ("the second smallest state") is not stated either."""
        return sorted(self.question.ranks - self._ranks_stated({n for c in answer for n in c.cited}))

    def _ranks_stated(self, cited: set[int]) -> set[str]:
        """The terms of the evidence items numbered `cited` (with their titles), less the superlatives
        they only hold after an ordinal the question lacks ("second smallest" for "smallest")."""
        stated = self._stated_by(cited)
        texts = self.evidence.texts(cited)
        asked = self.question.ranks
        unranked = " ".join(
            _RANKED.sub(lambda m: m.group(0) if content_terms(m.group(1)) <= asked else " ", t) for t in texts
        )
        ranked_only = set().union(*(rank_terms(t) for t in texts)) - rank_terms(unranked)
        return stated - ranked_only - self._ranked_in_scope(texts)

    def _ranked_in_scope(self, texts: list[str]) -> set[str]:
        """The question's superlatives with the scope after them ("longest of any sovereign state") that
        the passages give that scope only after an ordinal: "the longest of any British monarch, the
        second-longest of any sovereign state"."""
        found = set()
        unranked = [_RANKED.sub(" ", t) for t in texts]
        for m in re.finditer(r"\b(\w+est)((?:\s+[a-z]+){3})", self.question.text):
            best, scope = m.group(1), re.escape(m.group(2).strip())
            if any(r.group(2) == best for r in _RANKED.finditer(self.question.text)):
                continue  # the question ranks it too: "the second smallest state in the world"
            ranked = re.compile(rf"\b(?:{ORDINALS})[\s-]+{best}\s+{scope}\b", re.I)
            plain = re.compile(rf"(?<![\w-]){best}\s+{scope}\b", re.I)
            if any(ranked.search(t) for t in texts) and not any(plain.search(t) for t in unranked):
                found |= content_terms(best)
        return found

    def spliced(self, answer: list[CheckedSentence]) -> list[str]:
        """The question's words (its names aside) that the passage an answer sentence cites holds far off:
        not in the sentence it rests on nor those next to it, but further on. "Why did Hutchins eliminate
        hospitals?" answered "Hutchins eliminated hospitals ... to emphasize academics" from "Hutchins
        eliminated varsity football ... to emphasize academics", where "Hospitals" is two sentences on:
        every word is in the passage, and the answer joins two of its facts into one the passage never
        states; answered "Hutchins eliminated varsity football ...", it answers another question. Only a
        sentence that restates some of the question's words is read so. A word the passage never holds (a
        paraphrase: "starring" for "plays") is not this, nor is a name, which the sentences around may hold
        as "she" or "the group". Nor is a word of a passage sentence that also gives a name or figure the
        answer claims, as written or, speaking of the article's subject as "he" or "she", by its title: "Satō is
        best remembered for securing the return of Okinawa" holds the answer "Eisaku Satō" however far
        from the sentence with his full name."""
        asked = self._asked_words
        spliced: list[str] = []
        for c in answer:
            if not content_terms(c.text) & asked or not c.highlights:
                continue
            near = set().union(*(self._terms_around(n, rested) for n, rested in c.highlights.items()))
            near |= self._held_with(claims(c.text, self.question)[1], c.highlights)
            near |= set().union(*(spans_terms(s.text) for rested in c.highlights.values() for s in rested))
            spliced += sorted(t for t in asked & self._stated_by(c.highlights) if not stated(t, near))
        return list(dict.fromkeys(spliced))

    def _held_with(self, claimed: set[str], cited: Iterable[int]) -> set[str]:
        """The terms of the cited passages' sentences that give one of the `claimed` names or figures, a sentence
        speaking of someone as "he" or "she" giving its article's title."""
        held: set[str] = set()
        for n in cited:
            ev = self.evidence.by_n(n)
            for s in ev.sentences if ev else ():
                terms = _sentence_terms(s.text)
                if claimed & (terms | (self._titles[n] if _PERSONAL.search(s.text) else set())):
                    held |= terms
        return held

    def unstated_share(self, answer: list[CheckedSentence]) -> float:
        """The share of the question's words (its names and scaffolding aside) that the passages the
        answer cites, with their articles' titles, never state: the premise the answer takes as given
        without its sources saying so. "What is an example of an ineffective and absurd act according to
        Julia Butterfly Hill?" answered from a passage about her tree-sit that says nothing ineffective
        or absurd. A paraphrase ("starring" for "plays") counts too, so this is one signal of the answer
        decision (rag/judge.py), weighed with the model's own, not a rule."""
        asked = self._asked_words
        if not asked or not answer:
            return 0.0
        shown = self._stated_by(n for c in answer for n in c.cited)
        return sum(not stated(t, shown) for t in asked) / len(asked)

    def _terms_around(self, n: int, rested: list[Sentence]) -> set[str]:
        """The terms of evidence item `n`'s sentences `rested` and the sentence before and after each,
        with the article's title."""
        ev = self.evidence.by_n(n)
        if ev is None:
            return set()
        around = set(self._titles[n])
        for s in rested:
            at = next((i for i, t in enumerate(ev.sentences) if t.start == s.start), None)
            near = ev.sentences[max(0, at - 1) : at + 2] if at is not None else (s,)
            around |= set().union(*(_sentence_terms(t.text) for t in near))
        return around

    def _stated_by(self, cited: Iterable[int]) -> set[str]:
        """The terms of the evidence items numbered `cited`, with their articles' titles."""
        return set().union(*(self._terms[n] | self._titles[n] for n in set(cited) if n in self._terms))

    def naming(self) -> list[int]:
        """The evidence items (their numbers) that, with their articles' titles, state every name the
        question is about: where an answer about it can come from."""
        named = self.question.premise_names
        if not named:
            return []
        return [
            n
            for n, terms in self._terms.items()
            if all(name_stated(m, terms | self._titles[n]) or name_stated(self._spelt(m), terms) for m in named)
        ]

    def _spelt(self, name: str) -> str:
        """`name` with the initials in it that a name of the passages abbreviates to spelt out: "United
        Nations Secretary-General" of "UN Secretary-General"."""
        return re.sub(r"\b[A-Z]{2,6}\b", lambda m: self._spelling.get(m.group(0), m.group(0)), name)

    def ranking(self) -> list[int]:
        """The evidence items (their numbers) that, with their articles' titles, state every rank the
        question asks about ("third", "most populous"): where an answer to it can come from."""
        ranks = self.question.ranks
        return [n for n in self._terms if ranks <= self._ranks_stated({n})] if ranks else []

    def _replaced(self, answer: list[CheckedSentence]) -> list[str]:
        """The question's names whose place in the answer another name takes: "In what year did El Gizouli
        resign?" answered "Pachauri resigned in 2015" (the passage names both). A name is replaced when
        the answer never states it and a name the question lacks does the verb that the question's name
        did (the verb right after it), or opens the answer doing any verb where the question's name is
        the subject after its auxiliary ("What does Zelda say?" answered "Link grunts ..."), or stands
        where it stood after a verb and preposition ("Why did the protests begin in Egypt?" answered
        "They began in Tunisia"; "president of Zambia" for "president of Kenya"), or qualifies the noun it qualified
        ("Why did the French government issue ...?" answered "... issued by the British Government",
        "after Chinese independence" answered "after Malaysia's independence"); unless the evidence
        joins the two as one name ("Frédéric Chopin"), or the other is its initials ("ICC", "CCP": defined or not)."""
        text = " ".join(c.text for c in answer)
        said, asked = content_terms(text), content_terms(self.question.text)
        # "Frédéric Chopin" joins two words into one name; "Trump and Musk", "the Trump-Musk feud" name two
        joined = [
            content_terms(part) for n in self._names for part in re.split(r"\s+(?:and|And)\s+|(?<=[a-z])-(?=[A-Z])", n)
        ]
        replaced = []
        aside = set_aside(self.question)  # "Who, apart from Linus Pauling, won ...?": not who won
        # "When was Marcos deposed?": the name is done to, and "deposed ... by the revolution" is no rival
        done_to = bool(_BE_ANY.intersection(w.lower() for w in words(self.question.text)))
        for name in (n for n in self.question.premise_names if n not in aside):
            terms = content_terms(name)
            does = _verb_after(self.question.text, name)
            where = _verb_before(self.question.text, name)
            # "Which French republic ...?" asks which republic: another name before it is the answer
            modified = "" if _asked_which(self.question, name) else _noun_after(self.question.text, name)
            subject = does and _after_auxiliary(self.question.text, name)
            if not (does or where or modified) or name_stated(name, said):
                continue
            for other in proper_names(text):
                others = content_terms(other)
                if (
                    name_stated(other, asked)
                    or abbreviates(other, [name])
                    or terms <= set().union(*(self._defined.get(t, set()) for t in others))
                ):
                    continue  # the same name, by its initials
                if not (
                    (does and _verb_after(text, other, any_word=True) == does)
                    or (subject and _opens_with(answer, other) and _verb_after(text, other))
                    or (does and not done_to and _does_by(text, other, does))
                    or (where and _verb_before(text, other) == where)
                    or (modified and modified in (_noun_after(text, other, owner=True), _last_stem(other)))
                ):
                    continue
                if _kin(name, other, self._names) or not any(terms <= j and others <= j for j in joined):
                    replaced.append(name)
                    break
        return replaced

    def _told_of_another(self, answer: list[CheckedSentence]) -> list[str]:
        """The question's people that an answer sentence rests on a sentence about "he" or "she" for
        ("He served ...", "For his peace activism, he was awarded ..."), in an article filed under
        another person's name: "When did Thomas Mellon serve as Secretary of the
        Treasury?" answered from "He served as United States Secretary of the Treasury ..." in "Andrew
        Mellon", whose father Thomas the sentence before names. An article about one person goes on
        about that person."""
        typed = self.question.typed_names  # a name a follow-up's rewrite carried in may be spelt otherwise
        # the people the question asks of: who does its verb ("did Thomas Mellon serve")
        asked = self.question.text
        acting = [n for n in typed if n in self.question.premise_names and _verb_after(asked, n)]
        people = [n for n in acting if is_person(n) and not _attributive(asked, n)]
        told = []
        for c in answer:
            for n, rested in c.highlights.items():
                ev = self.evidence.by_n(n)
                heading = _heading(ev) if ev else ""
                if not heading or not rested or not is_person(heading):
                    continue
                if not all(_of_someone_unnamed(s.text) for s in rested):
                    continue
                titled = content_terms(heading)
                said = self._spelt_out(set().union(*(content_terms(s.text) for s in rested)))
                for p in people:
                    own = content_terms(" ".join(_proper_words(p)))  # not "General Secretary" of "Honecker ..."
                    # not named in the title, nor in the sentence itself ("He led the RPF, which invaded ...")
                    if not own <= titled and not own <= said:
                        told.append(p)
        return told

    def misplaced_ordinals(self, answer: list[CheckedSentence]) -> list[str]:
        """The question's "34th president" where the passages the answer cites give that ordinal only to
        another noun ("the 34th vice president"): the question's premise, told of something else."""
        asked = _ordinal_nouns(self.question.text)
        cited = " ".join(self.evidence.texts({n for c in answer for n in c.cited}))
        given = _ordinal_nouns(cited, through_names=True)
        told = {ordinal for ordinal, _ in given}
        misplaced = [f"{o} {n}" for o, n in asked if o in told and (o, n) not in given]
        # "the first leader" of a passage that calls him "the second and last leader": another ordinal
        # of the same noun, and never the question's
        given = _ordinal_words(cited)
        counted = {noun for _, noun in given}
        other = [(o, n) for o, n in _ordinal_words(self.question.text) if n in counted and (o, n) not in given]
        return misplaced + [f"{o} {n}" for o, n in other]

    def gives_another_span(self, answer: list[CheckedSentence]) -> bool:
        """The question's "second period" answered with the years of another span the sentence it rests
        on lists: "from 1946 to his overthrow in 1955" of "... from 1946 to his overthrow in 1955, and
        from 1973 until his death in 1974"."""
        wanted = counted_ordinal(self.question.text)
        return bool(wanted) and any(
            len(spans) >= wanted and given & set().union(*spans) and not given & spans[wanted - 1]
            for c in answer
            if (given := years(c.text))
            for spans in (listed_spans(s.text) for s in c.rested)
        )

    def reversed_roles(self, answer: list[CheckedSentence]) -> list[str]:
        """The names an answer sentence makes the doer of a verb that the sentence it rests on has them
        undergo: "Willi Stoph replaced Erich Honecker" from "In 1976, he replaced Willi Stoph as
        Chairman". Read from word order: the name right before the verb in the answer, right after it
        (or its article) in the passage, and nowhere before it there; or, in the passive, the name done to
        in the answer ("Corazon Aquino was succeeded by ...") after "by" in a passage ("... was succeeded
        as president by Aquino's widow, Corazon Aquino") and done to in none."""
        found = []
        for c in answer:
            cited = self.evidence.texts(c.cited)
            for name in proper_names(c.text):
                verb = _next_word(c.text, name)
                rest = c.text[c.text.find(name) + len(name) :]
                if verb.lower() in BE and (passive := _PASSIVE.match(rest)):
                    # "Corazon Aquino was succeeded by Bongbong Marcos" from "Marcos Sr. was succeeded
                    # as president by Aquino's widow, Corazon Aquino": the one done to, made the doer
                    done = stem(passive.group(1))
                    shown = [e.text for e in self.evidence.items]  # the model may cite the passage beside it
                    if any(_does_by(t, name, done) for t in shown) and not any(_done_to(t, name, done) for t in shown):
                        found.append(name)
                    # "Sadat was succeeded by Nasser" from "Nasser, ... whom he succeeded": the doer, done to
                    agent = next(iter(proper_names(rest[passive.end() :])), "")
                    if (
                        agent
                        and any(_undergoes(t, agent, done) for t in cited)
                        and not any(_does_by(t, agent, done) for t in shown)
                    ):
                        found.append(agent)
                    continue
                if not verb or verb.lower() in AUXILIARIES or verb.endswith("ing") or not is_verb(verb):
                    continue  # no finite verb right after the name ("the British, establishing ...")
                done = stem(verb)
                if any(_undergoes(t, name, done) and stem(_next_word(t, name)) != done for t in cited):
                    found.append(name)
        return list(dict.fromkeys(found))

    def check(self, sentence: MarkedSentence, vector: np.ndarray | None = None) -> CheckedSentence:
        loose, strict = claims(sentence.text, self.question)
        # "the European Economic Community (EEC)" where the passages say "the EEC": the model spelt out
        # what they abbreviate, and the initials are the claim to check
        defined = acronyms([sentence.text]).items()
        spelt = {t for short, name in defined if short in self._all_terms for t in name - {short}}
        loose, strict = loose - spelt, strict - spelt
        result = CheckedSentence(text=sentence.text)
        if not self.evidence.items:
            result.missing = sorted(loose)
            return result
        sims = {e.n: _best_similarity(e, vector) for e in self.evidence.items}
        covered: set[str] = set()
        chosen: list[int] = []
        model_cited = [n for n in sentence.cited if n in self._terms]
        for n in model_cited:
            gain = (loose & self._terms[n]) - covered
            if gain or (not loose and sims[n] >= self.min_similarity):
                chosen.append(n)
                covered |= gain
        while loose - covered:
            best = max(
                (n for n in self._terms if n not in chosen),
                key=lambda n: (len((loose & self._terms[n]) - covered), len(strict & self._terms[n]), sims[n]),
                default=None,
            )
            if best is None or not (loose & self._terms[best]) - covered:
                break
            chosen.append(best)
            covered |= (loose & self._terms[best]) - covered
        if not chosen:  # the sentence only restates the question's words
            best = max(sims, key=lambda n: sims[n])
            # ... but names a thing with them ("Deng Xiaoping Theory" for "Which theory is named after
            # Deng Xiaoping?"): cite the passage that gives the name as written
            if naming := [n for n in sims if self._gives_new_name(sentence.text, n)]:
                chosen.append(max(naming, key=lambda n: sims[n]))
            elif sims[best] >= self.min_similarity:
                chosen.append(best)
            else:  # or the passage it cites holds it word for word ("Thatcherism", which stems as "Thatcher")
                chosen += [n for n in model_cited if self._quotes(sentence.text, n)][:1]
        chosen = _drop_redundant(chosen, loose, self._terms)
        result.cited = chosen
        result.repaired = set(chosen) != set(model_cited)
        result.coverage = len(covered & loose) / len(loose) if loose else 1.0
        result.similarity = max((sims[n] for n in chosen), default=0.0)
        result.missing = sorted(loose - covered)
        # names and figures repeated from the question must at least appear in the articles shown:
        # "Who won the 2022 World Cup?" is not answered by passages that never mention it
        repeated = (names(sentence.text) | numbers(sentence.text)) & self._question_strict
        absent = {t for t in repeated if not stated(t, self._about) and t not in self._abbreviated}
        unbound = self._unbound_figures(sentence.text, strict) | self._premise_figures_uncited(sentence.text, chosen)
        # a century the passages date by its years: "the turn of the 20th century" of "between 1899 and 1901"
        dated = centuries(sentence.text) & self._centuries
        absent, unbound = absent - dated, unbound - dated
        strict_ok = strict <= covered and not absent and not unbound
        if absent or unbound:
            result.missing = sorted(set(result.missing) | absent | unbound)
        result.supported = (
            bool(chosen)
            and strict_ok
            and (
                result.coverage >= self.min_coverage
                or (result.coverage >= self.min_coverage - 0.2 and result.similarity >= self.min_similarity)
            )
        )
        result.highlights = {n: _supporting_sentences(self.evidence.by_n(n), loose, vector) for n in chosen}
        return result

    def _premise_figures_uncited(self, text: str, cited: list[int]) -> set[str]:
        """The question's figures that `text` repeats while the passages it cites (and those beside them
        in the same article) never give them: "Mandela introduced apartheid in 1948" for "Which prime
        minister introduced apartheid in 1948?", citing Mandela's passage, ties the question's date to a
        passage that never has it."""
        repeated = numbers(text) & self.question.premise_figures
        if not repeated or not cited:
            return set()
        near = self.evidence.beside(set(cited), self.context_chars)
        return repeated - set().union(*(self._figures[n] for n in near))

    def _gives_new_name(self, text: str, n: int) -> bool:
        """Evidence `n` holds, as written, a name of `text` that the question does not hold whole."""
        evidence = self.evidence.by_n(n)
        said = evidence.text if evidence else ""
        return any(
            name not in self.question.text and re.search(rf"\b{re.escape(name)}\b", said)
            for name in proper_names(text)
            if " " in name
        )

    def _quotes(self, text: str, n: int) -> bool:
        """`text` is a phrase of evidence `n`, word for word, with a word the question lacks."""
        phrase = " ".join(words(text)).lower()
        evidence = self.evidence.by_n(n)
        said = " ".join(words(evidence.text)).lower() if evidence else ""
        new = {w.lower() for w in words(text)} - {w.lower() for w in words(self.question.text)}
        return bool(phrase and new) and re.search(rf"\b{re.escape(phrase)}\b", said) is not None

    def _unbound_figures(self, text: str, strict: set[str]) -> set[str]:
        """New figures whose evidence never says what they count: "closed 1,500 consulates" when the
        only 1,500 in the passages is "1,500 early retirements". The words right after the figure in
        the answer must be in an evidence sentence that holds that figure, and so must a word of the
        question's that qualifies them: "107 doubles titles" for "How many doubles titles ...?" is not
        "107 singles titles"."""
        unbound = set()
        asked = self._question_terms
        for figure, following in figure_phrases(text):
            unit = set().union(*following)
            if figure not in strict or not unit:
                continue
            qualifier = following[0] & asked if len(following) == 2 else set()
            holding = [
                content_terms(s.text) for e in self.evidence.items for s in e.sentences if figure in numbers(s.text)
            ]
            if holding and not any(unit & terms and qualifier <= terms for terms in holding):
                unbound.add(f"{figure} {'/'.join(sorted(unit))}")
        return unbound


_BEFORE_VERB = AUXILIARIES | frozenset(("who", "which"))


_ORDINAL_NOUN = re.compile(r"\b(\d+(?:st|nd|rd|th))\s+(\w+)(?=(?:\s+(\w+))?)", re.I)


def _figure_mentions(text: str, figure: str) -> list[re.Match[str]]:
    """Where `text` gives the canonical figure `figure` ("2.5 million", "130,000")."""
    return [
        m for m in re.finditer(r"\d[\d,.]*(?:\s+(?:million|billion|thousand))?", text) if figure in numbers(m.group(0))
    ]


def _ordinal_nouns(text: str, through_names: bool = False) -> set[tuple[str, str]]:
    """(ordinal, stem of the word after it) of each "34th president" in `text`; `through_names`, the word
    after a capitalised one too ("majli" of "the 17th Iranian Majlis", not "presid" of "34th vice president")."""
    found = set()
    for m in _ORDINAL_NOUN.finditer(text):
        found.add((m.group(1).lower(), stem(m.group(2))))
        if through_names and m.group(3) and m.group(2)[0].isupper():
            found.add((m.group(1).lower(), stem(m.group(3))))
    return found


_ORDINAL_WORD_NOUN = re.compile(rf"\b(first|{ORDINALS})(?:\s+and\s+(?:last|final))?\s+([a-z]+)\b", re.I)


def _ordinal_words(text: str) -> set[tuple[str, str]]:
    """(ordinal, stem of the noun right after it) of each "second and last leader" in `text`: an ordinal
    word told of a lower-case word."""
    return {(m.group(1).lower(), stem(m.group(2))) for m in _ORDINAL_WORD_NOUN.finditer(text) if m.group(2).islower()}


_BE_ANY = BE | frozenset(("be", "been", "being"))
_PASSIVE = re.compile(r" (?:is|are|was|were) (\w+ed)\b[^.;]{0,40}?\bby\b")  # " was succeeded ... by"


def _does_by(text: str, name: str, done: str) -> bool:
    """`text` makes `name` the doer of the verb `done` in the passive: "was succeeded as president by
    Aquino's widow, Corazon Aquino"."""
    for verb in re.finditer(r"\b\w+ed\b", text):
        agent = (
            re.match(r"[^.;]{0,40}?\bby\b([^.;]{0,40})", text[verb.end() :]) if stem(verb.group(0)) == done else None
        )
        if agent and name in proper_names(agent.group(1)):  # not "New York Times" of "New York Times Company"
            return True
    return False


def _asked_which(question: Question, name: str) -> bool:
    """`name` qualifies the noun the question asks which one of: "Which French republic ...?"."""
    head = re.escape(question.head)
    return (
        bool(head) and re.search(rf"\b(?:which|what)\s+{re.escape(name)}\s+{head}\b", question.text, re.I) is not None
    )


def _opens_with(answer: list[CheckedSentence], name: str) -> bool:
    """An answer sentence starts with `name`: its subject."""
    return any(c.text.startswith(name) for c in answer)


_AUXILIARY = r"\b(?:do|does|did|will|would|can|could)\s+(?:[Tt]he\s+)?"


def _after_auxiliary(question: str, name: str) -> bool:
    """`name` is the subject of the question's verb, right after its auxiliary ("What does Zelda say
    ...?"), not an owner ("did Joseph Stalin's policies")."""
    owner = re.search(r"['’]s?$", name)
    return not owner and re.search(_AUXILIARY + re.escape(name), question) is not None


def _named_after(sentence: CheckedSentence, at: int, name: str) -> CheckedSentence:
    """`sentence` with `name` in brackets after its character `at`: "ranked him [Carlos Slim] as"."""
    return replace(sentence, text=f"{sentence.text[:at]} [{name}]{sentence.text[at:]}")


def _attributive(text: str, name: str) -> bool:
    """`name` stands after an article or ordinal, qualifying the noun after it, not a person: "the first
    South African head of state"."""
    before = [w.lower() for w in words(text[: max(text.find(name), 0)])][-1:]
    return bool(before) and (before[0] in _BEFORE_ATTRIBUTE or bool(_ORDINAL_WORD.match(before[0])))


_BEFORE_ATTRIBUTE = DETERMINERS | frozenset(("first", "last"))
_ORDINAL_WORD = re.compile(rf"^(?:{ORDINALS}|\d+(?:st|nd|rd|th))$")


def _done_to(text: str, name: str, done: str) -> bool:
    """`text` has `name` undergo the verb `done` in the passive: "Aquino was succeeded by ..."."""
    at = text.find(name)
    passive = _PASSIVE.match(text[at + len(name) :]) if at >= 0 else None
    return passive is not None and stem(passive.group(1)) == done


def _kin(name: str, other: str, shown: Iterable[str]) -> bool:
    """`other` is another person of `name`'s family: the same last name after another first one, and
    the passages give it whole as a name of its own ("He was a son of Hjalmar Hammarskjöld" beside "Dag
    Hjalmar Agne Carl Hammarskjöld"), so the one full name that holds both words joins no two names."""
    a, b = (re.sub(r"['’]s$", "", n).split() for n in (name, other))
    return len(a) > 1 and len(b) > 1 and a[-1] == b[-1] and a[0] != b[0] and other in shown


def _next_word(text: str, name: str) -> str:
    """The word right after `name`'s first mention in `text` ("" when none)."""
    at = text.find(name)
    following = re.match(r" (\w+)", text[at + len(name) :]) if at >= 0 else None
    return following.group(1) if following else ""


def _undergoes(text: str, name: str, done: str) -> bool:
    """`text` has `name` right after a form of the verb `done` ("replaced Willi Stoph"), or names it
    before a relative clause whose object it is ("Gamal Abdel Nasser, ... whom he succeeded")."""
    for match in re.finditer(re.escape(name), text):
        before = [w.lower() for w in words(text[: match.start()])][-2:]
        if before and before[-1] in DETERMINERS:
            before = before[:-1]
        if before and stem(before[-1]) == done:
            return True
        after = text[match.end() :].split(".")[0]
        for whom in _WHOM.finditer(after):  # the nearest name before the clause, not after a preposition
            if stem(whom.group(1)) == done and not proper_names(after[: whom.start()]):
                return True
    return False


_WHOM = re.compile(r"(?:,|\band)\s+whom (?:he|she|they) (\w+)")


def _verb_after(text: str, name: str, any_word: bool = False) -> str:
    """The stem of the verb `name` does in `text`: the word right after it, auxiliaries and a relative
    pronoun aside ("El Gizouli resign", "Saarinen was contracted", "Alessandro, who was cast"); "" when
    that word is no verb (unless `any_word`)."""
    at = text.find(name)
    following = words(text[at + len(name) :]) if at >= 0 else []
    word = next((w for w in following if w.lower() not in _BEFORE_VERB), "")
    return stem(word) if word and (any_word or is_verb(word)) else ""


def _noun_after(text: str, name: str, owner: bool = False) -> str:
    """The stem of the lower-case noun right after `name` in `text`, which `name` qualifies ("govern"
    of "the French government"; with `owner`, "independ" of "Malaysia's independence" too); ""
    when there is none."""
    at = text.find(name)
    # "Jani Beg's army" is his, not a kind of army; "TV news" and "CEO pay" are kinds: an initialism
    # is as often a common noun
    owned = bool(re.search(r"['’]s?$", name))
    rest = text[at + len(name) :] if at >= 0 and (owner or not owned) and not name.isupper() else ""
    if owner:
        rest = re.sub(r"^['’]s?(?=\s)", "", rest)
    match = re.match(r" ([a-z]+)\b", rest)
    word = match.group(1) if match else ""
    return stem(word) if word and is_noun(word) and not is_verb(word) else ""


def _last_stem(name: str) -> str:
    """The stem of a name's last word when it has more than one ("govern" of "British Government")."""
    parts = name.split()
    return stem(parts[-1]) if len(parts) > 1 else ""


def _verb_before(text: str, name: str) -> tuple[str, str] | None:
    """The verb and preposition that set `name` in `text` ("begin", "in" of "began in Egypt"), or the
    noun that owns it ("presid", "of" of "president of Kenya"); None when neither stands right before it."""
    at = text.find(name)
    before = [w.lower() for w in words(text[:at])][-3:] if at > 0 else []
    if before and before[-1] in DETERMINERS:
        before = before[:-1]
    if len(before) >= 2 and before[-1] in PREPOSITIONS and (lemma := verb_lemma(before[-2])):
        return lemma, before[-1]
    if len(before) >= 2 and before[-1] == "of" and is_noun(before[-2]):
        return stem(before[-2]), "of"  # "the first president of Kenya": the office is Kenya's
    owner = re.match(r"['’]s\b", text[at + len(name) :]) or re.search(r"['’]s$", name)  # "directed Dan Hale's role"
    verb = before[-1] if before and not owner and before[-1] not in AUXILIARIES else ""
    if verb and (lemma := verb_lemma(verb)) and not is_noun(verb):
        return lemma, ""  # "the conference that ended the Second World War": its object
    return None


_DESCRIPTION = re.compile(r"The ([a-z]+)\b")  # "The group is ...": an article's subject by its kind
_PERSONAL = re.compile(r"\b(?:he|him|she|He|She)\b")


def _heading(ev: Evidence) -> str:
    """The name an article is filed under and headed with ("Andrew Mellon" of andrew_mellon.txt,
    titled "Andrew Mellon: Andrew William Mellon, ..."); "" for a headline."""
    heading = ev.title.split(": ", 1)[0]
    return heading if slug(heading) == slug(ev.source.rsplit(".", 1)[0].rsplit("/", 1)[-1]) else ""


def _proper_words(name: str) -> list[str]:
    """The words of `name` that English has only as names ("Honecker", not "General")."""
    return [w for w in name.split() if not ordinary_word(w)]


_HE_SHE = re.compile(r"\b(?:he|she)\b", re.I)


def _of_someone_unnamed(text: str) -> bool:
    """`text` tells of someone as "he" or "she" ("For his peace activism, he was awarded ...")."""
    return bool(_HE_SHE.search(text))


_RANKED = re.compile(rf"\b({ORDINALS})[\s-]+(\w+est)\b", re.I)  # "second smallest", "third-largest"


def _best_similarity(ev: Evidence, vector: np.ndarray | None) -> float:
    return nearest_cosine(ev.sentences, vector) if vector is not None else 0.0


def _drop_redundant(chosen: list[int], loose: set[str], terms: dict[int, set[str]]) -> list[int]:
    """Citation precision: drop a citation whose covered claims the others already cover."""
    kept = list(chosen)
    for n in reversed(chosen):
        others = set().union(*(terms[m] & loose for m in kept if m != n)) if len(kept) > 1 else set()
        if len(kept) > 1 and (terms[n] & loose) <= others:
            kept.remove(n)
    return kept


def _supporting_sentences(ev: Evidence | None, loose: set[str], vector: np.ndarray | None) -> list[Sentence]:
    """The sentences of `ev` that carry the claim: most claim terms, then most similar."""
    if ev is None or not ev.sentences:
        return []

    def key(s: Sentence) -> tuple[int, float]:
        overlap = len(loose & (content_terms(s.text) | numbers(s.text) | names(s.text)))
        return overlap, float(s.vector @ vector) if vector is not None else 0.0

    best = max(ev.sentences, key=key)
    return [best]
