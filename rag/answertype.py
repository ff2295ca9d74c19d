"""What kind of thing a question asks for (a figure, a name, a date), and whether a text supplies it.

Used three ways: evidence sentences holding the right kind of thing rank higher; an answer that
never supplies it did not answer; the extractive fallback only quotes a sentence that does.
"""

from __future__ import annotations

import re
from enum import Enum

from .terms import content_terms, has_number_word, is_person, names, numbers, percentages, proper_names


class AnswerType(str, Enum):
    FIGURE = "figure"
    NAME = "name"
    DATE = "date"


_FIGURE = re.compile(
    r"\b(how (many|much|long|old|often|large|big)|what (share|percentage|percent|proportion|number|amount|figure|sum|margin)|"
    r"by what margin|what (dollar|price)|how many)\b", re.I)
_LEADING_WH = re.compile(r"^\W*(?:(?:in|on|at|for|with|by|to|from|of|and|but|so)\s+)?(who|whom|whose|when)\b", re.I)
_PERSON_NOUNS = ("person|senator|official|spokesperson|spokeswoman|spokesman|republican|democrat|billionaire|"
                 "inventor|judge|minister|leader|lawmaker|candidate|adviser|advisor|reporter|anchor|host|ally|rival|"
                 "appointee|envoy|ambassador|secretary|staffer|aide|employee|executive|ceo|founder|author|journalist|"
                 "commentator|donor|nominee|governor|mayor|lawyer|attorney|diplomat|economist|analyst|pollster|"
                 "director|chief|officer|member|wife|husband|spouse|partner|son|daughter|mother|father|brother|"
                 "sister|child|children|girlfriend|boyfriend|fiancée|fiancee")
_NAME = re.compile(
    r"\b(what is the name|what was the name|what's the name|(?:'s|’s|his|her|their|its) (?:full |first |last )?name\b|"
    r"which (?:[\w-]+ ){0,2}?(news|network|newspaper|platform|country|city|state|agency|department|company|outlet|president|"
    r"publication|organization|group|firm|party|program|show|podcast|magazine|conference|event|social media|"
    rf"{_PERSON_NOUNS}))\b", re.I)
# asks for a person by role: answered by a person's full name, not by someone the question names
_PERSON_BY_ROLE = re.compile(
    rf"\bwhich (?:[\w-]+ ){{0,2}}?({_PERSON_NOUNS})\b|\bname of (?:[\w’'-]+ ){{0,3}}?({_PERSON_NOUNS})\b|"
    rf"\b({_PERSON_NOUNS})['’]s (?:full )?name\b", re.I)
_COUNT = re.compile(r"\bhow many\b", re.I)
_SHARE = re.compile(r"\b(what|which) (share|percentage|percent|proportion|fraction)\b|\bhow many percent", re.I)
_WHOSE = re.compile(r"^\W*(?:(?:in|on|at|for|with|by|to|from|of)\s+)?whose\b", re.I)
_POSSESSIVE = re.compile(r"\b[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*(?:['’]s?|s['’])(?=\s|$)|\b(?:of|by|belonging to|owned by)\s+[A-Z]")
# words that only say what kind of answer is wanted
QUESTION_WORDS = content_terms("many much name kind type share percentage percent number amount figure year date day "
                               "time long people person thing way")
_DATE = re.compile(r"\b(what (year|date|day|month|time)|which (year|date|day|month))\b", re.I)
_WEEKDAY_ASKED = re.compile(r"\bday of the week\b|\bwhich weekday\b", re.I)
_WEEKDAY = re.compile(r"monday|tuesday|wednesday|thursday|friday|saturday|sunday")
_DATE_TEXT = re.compile(
    r"\b(1[89]\d{2}|20\d{2})\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b|"
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|last (week|month|year)|"
    r"(early|late|mid)[- ]\w+)\b", re.I)


def expected_type(question: str) -> AnswerType | None:
    """Only interrogative who/when count: "What did Trump say when asked ..." asks for neither. A
    follow-up's topic is the new question then the previous one: the first question decides."""
    question = first_question(question)
    leading = _LEADING_WH.match(question)
    if _FIGURE.search(question):
        return AnswerType.FIGURE
    if _DATE.search(question) or (leading and leading.group(1).lower() == "when"):
        return AnswerType.DATE
    if _NAME.search(question) or leading:
        return AnswerType.NAME
    return None


def first_question(text: str) -> str:
    return re.split(r"(?<=\?)\s+", text.strip(), maxsplit=1)[0]


def supplies(question: str, text: str, kind: AnswerType | None = None) -> bool:
    """Does `text` hold a figure / name / date that the question itself does not already contain?"""
    kind = kind or expected_type(question)
    if kind is None:
        return True
    asked = first_question(question)
    if kind is AnswerType.FIGURE:
        new = numbers(text) - numbers(question)
        if _COUNT.search(asked) and not _SHARE.search(asked):
            new -= percentages(text)  # "how many people" is not answered by "38% of Americans"
        elif _SHARE.search(asked):
            new &= percentages(text)  # "what share" is answered by a percentage
        if new:
            return True
        # "one" is as often a pronoun as a count: a figure in words must at least be about the question's topic
        topic = content_terms(question) - names(question, initial=True) - QUESTION_WORDS
        return has_number_word(text) and bool(topic & content_terms(text))
    if kind is AnswerType.NAME:
        if _PERSON_BY_ROLE.search(asked):
            return bool(new_people(question, text))
        new = names(text, initial=True) - names(question, initial=True)
        if _WHOSE.match(question):  # "Whose deal ...?" is answered by an owner: "Mike Johnson's deal"
            return bool(new) and bool(_POSSESSIVE.search(text))
        return bool(new)
    found = {m.group(0).lower() for m in _DATE_TEXT.finditer(text)}
    known = {m.group(0).lower() for m in _DATE_TEXT.finditer(question)}
    if _WEEKDAY_ASKED.search(asked):  # "On what day of the week ...?" is not answered by "February 2025"
        found = {f for f in found if _WEEKDAY.fullmatch(f)}
    return bool(found - known)


_PERSON_QUESTION = re.compile(r"^\W*(?:(?:in|on|at|for|with|by|to|from|of|and|but|so)\s+)?(who|whom)\b", re.I)


_IDENTITY = re.compile(r"^\W*who\s+(is|was|are|were)\s+[A-Z]", re.I)


def asks_for_person(question: str) -> bool:
    """"Who co-led DOGE?" and "Which senator ...?" ask for a person; "Who is Gerald Feierstein?" asks
    what a named person is."""
    asked = first_question(question)
    return bool(_PERSON_BY_ROLE.search(asked) or (_PERSON_QUESTION.search(asked) and not _IDENTITY.match(asked)))


def new_people(question: str, text: str) -> list[str]:
    """People's full names in `text` that the question does not name, not even by surname
    ("Marco Rubio" is not new to a question about Rubio)."""
    def parts(s: str) -> set[str]:
        return set(re.findall(r"[a-z]{2,}", s.lower()))

    asked = parts(question)
    # "Fox News’ Bret Baier": an owner's name and a person's are two names
    found = [piece.strip() for n in proper_names(text) for piece in re.split(r"['’]s?\s+", n)]
    return [n for n in found if n and is_person(n) and not asked & parts(n)]


def type_score(question: str, sentence: str, kind: AnswerType | None = None) -> float:
    """How strongly a sentence holds what the question asks for, for ranking evidence: a new person's
    full name for "who", a figure in digits for "how many", a date for "when"; weaker kinds score less."""
    kind = kind or expected_type(question)
    if kind is None or not supplies(question, sentence, kind):
        return 0.0
    if kind is AnswerType.FIGURE:
        return 1.0 if numbers(sentence) - numbers(question) else 0.5
    if kind is AnswerType.NAME and (_PERSON_QUESTION.search(question) or _PERSON_BY_ROLE.search(question)):
        return 1.0 if new_people(question, sentence) else 0.3
    return 1.0
