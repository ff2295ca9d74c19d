"""What kind of thing a question asks for (a figure, a name, a date), and whether a text supplies it.

Used three ways: evidence sentences holding the right kind of thing rank higher; an answer that
never supplies it did not answer; the extractive fallback only quotes a sentence that does.
"""

from __future__ import annotations

import re
from enum import Enum

from .terms import has_number_word, names, numbers


class AnswerType(str, Enum):
    FIGURE = "figure"
    NAME = "name"
    DATE = "date"


_FIGURE = re.compile(
    r"\b(how (many|much|long|old|often|large|big)|what (share|percentage|percent|proportion|number|amount|figure|sum|margin)|"
    r"by what margin|what (dollar|price)|how many)\b", re.I)
_NAME = re.compile(
    r"\b(who|whom|whose|what is the name|what was the name|what's the name|which (person|senator|official|outlet|company|"
    r"news|network|newspaper|platform|country|city|state|agency|department|spokesperson|spokeswoman|spokesman|"
    r"republican|democrat|billionaire|inventor|judge|minister|leader|lawmaker|candidate|president|adviser|advisor|reporter|"
    r"anchor|host|publication|organization|group|firm|party|program|show|podcast|magazine|conference|event|ally|rival|"
    r"appointee|member|envoy|ambassador|secretary|social media))\b", re.I)
_DATE = re.compile(r"\b(when|what (year|date|day|month|time)|which (year|date|day|month))\b", re.I)
_DATE_TEXT = re.compile(
    r"\b(1[89]\d{2}|20\d{2})\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b|"
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|last (week|month|year)|"
    r"(early|late|mid)[- ]\w+)\b", re.I)


def expected_type(question: str) -> AnswerType | None:
    if _FIGURE.search(question):
        return AnswerType.FIGURE
    if _DATE.search(question):
        return AnswerType.DATE
    if _NAME.search(question):
        return AnswerType.NAME
    return None


def supplies(question: str, text: str, kind: AnswerType | None = None) -> bool:
    """Does `text` hold a figure / name / date that the question itself does not already contain?"""
    kind = kind or expected_type(question)
    if kind is None:
        return True
    if kind is AnswerType.FIGURE:
        return bool(numbers(text) - numbers(question)) or has_number_word(text)
    if kind is AnswerType.NAME:
        return bool(names(text, initial=True) - names(question, initial=True))
    found = {m.group(0).lower() for m in _DATE_TEXT.finditer(text)}
    asked = {m.group(0).lower() for m in _DATE_TEXT.finditer(question)}
    return bool(found - asked)
