"""Ingest-time clean-up of web-article noise, by the shape of the noise rather than lists of phrases.

Articles saved from the web carry footnote numbers glued to words ("support dramatically15.",
"completed”6.", "Minor.[citation needed]"), interface lines ("Table of Contents", "8 min read",
"Read More 👇", "Share this article") and repeated photo captions or credits. Left in, the digits
reach the keyword index, the prompt and the answer ("dramatically15"). The original file is never
changed: the clean text comes with an edit list (rag/textmap.py) that maps it back, so re-indexing
undoes any clean-up and citations still point into the article as loaded.

Kinds removed, counted per file: "footnote" (reference digits and bracketed reference tags),
"menu" (interface lines), "caption" (photo credits and lines repeated from earlier in the article).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from .sentences import NUMBER_ABBREVIATIONS
from .textmap import Edits, remove

KINDS = ("footnote", "menu", "caption")


@dataclass(frozen=True, kw_only=True)
class Cleaned:
    text: str
    edits: Edits = ()
    removed: dict[str, int] = field(default_factory=dict)  # kind -> pieces removed


_NOUNS = {"footnote": "footnote mark", "menu": "menu line", "caption": "caption line"}


def describe_cleaned(removed: dict[str, int]) -> str:
    """ "36 footnote marks, 5 menu lines" for a summary line."""
    kinds = sorted(removed, key=lambda k: KINDS.index(k) if k in KINDS else len(KINDS))
    return ", ".join(f"{removed[k]} {_NOUNS.get(k, k)}{'s' if removed[k] != 1 else ''}" for k in kinds if removed[k])


# -- footnotes -------------------------------------------------------------------------------------

_CLOSERS = "\"'”’)"
_SUPERSCRIPTS = "¹²³⁰⁴⁵⁶⁷⁸⁹"
# reference digits right after a word: "dramatically15." "relationship5 and" (not "COVID-19", "4th", "CO2")
_GLUED_TO_WORD = re.compile(rf"(?<![\w-])([A-Za-z]{{3,}})(\d{{1,3}}|[{_SUPERSCRIPTS}]+)(?=[.,;:!?{_CLOSERS}\]]|\s|$)")
# reference digits right after a word's punctuation: "end.12 Next", "completed”6.", "Safely!”5."
_GLUED_TO_PUNCT = re.compile(
    rf"(?<=[A-Za-z%)])([.,;:!?]?[{_CLOSERS}]?)(\d{{1,3}}|[{_SUPERSCRIPTS}]+)(?=[.,;:]?(?:\s|$))"
)
# a bracketed reference tag glued to what it annotates: "said.[3]", "Chopin,[n 1]", "Minor.[citation needed]"
_BRACKET_TAG = re.compile(r"(?<=[\w.,;:!?\"'”’)\]])\[(?:\d{1,3}|[a-z][a-z ?]{0,30}?(?: \d{1,3})?)\](?!\()")
_VOWEL = re.compile(r"[aeiouyAEIOUY]")


def footnote_marks(text: str) -> list[tuple[int, int]]:
    """[start, end) of each footnote mark in `text`: reference digits glued to a word or its
    punctuation, bracketed reference tags."""
    vocabulary = {w.lower() for w in re.findall(r"(?<![\w-])[A-Za-z]{3,}(?![\w-])", text)}
    return list(_footnotes(text, vocabulary))


def _footnotes(text: str, vocabulary: set[str]) -> Iterator[tuple[int, int]]:
    for m in _GLUED_TO_WORD.finditer(text):
        if _wordlike(m.group(1), vocabulary):
            yield m.start(2), m.end(2)
    for m in _GLUED_TO_PUNCT.finditer(text):
        if not m.group(1):
            continue  # a digit right after a letter is the word rule's call
        word = re.search(r"[A-Za-z]+$", text[max(0, m.start() - 12) : m.start()])
        if m.group(1)[0] in ".,;:" and (
            not word or len(word.group(0)) < 2 or word.group(0).lower() in NUMBER_ABBREVIATIONS
        ):
            continue  # "A.1", "No.5", "Jan.5": a label with its number
        yield m.start(2), m.end(2)
    for m in _BRACKET_TAG.finditer(text):
        yield m.start(), m.end()


def _wordlike(word: str, vocabulary: set[str]) -> bool:
    """A dictionary-ish word ("dramatically", "Politics", "law"), or one the article also uses without
    digits ("PACs"); not an acronym or a name with a number ("CO2", "GPT4", "Web3")."""
    if word.lower() in vocabulary:
        return True
    if re.fullmatch(r"[A-Z]{2,}s", word):
        return True  # a plural acronym ("PACs35"): model numbers come before the plural ("B-52s")
    shaped = word.islower() or (len(word) > 3 and word[0].isupper() and word[1:].islower())
    return shaped and bool(_VOWEL.search(word))


# -- interface lines -------------------------------------------------------------------------------

# the vocabulary of web page furniture: actions, page parts, share targets, reading-time units
_INTERFACE = frozenset(
    """advertisement advertisements advert ad ads sponsored promoted share shares sharing tweet email e-mail
    print copy link save bookmark click tap here subscribe subscribers subscription newsletter newsletters sign
    signup login log register account follow read reading more continue full story article articles
    comment comments reply replies table contents toggle menu home skip jump next previous prev back top related
    recommended trending popular latest news listen audio watch video videos photo photos gallery view
    views download app min mins minute minutes hour hours hr hrs ago updated cookie cookies accept privacy
    facebook twitter x linkedin whatsapp reddit pinterest telegram instagram youtube tiktok bluesky
    flipboard messenger show hide close open expand collapse see also load search""".split()
)
_FUNCTION = frozenset(
    "the this a an of to for on in at by our us your you and or with now it me my from up all".split()
)
_LINE = re.compile(r"[^\n]*(?:\n|$)")
_BULLET = re.compile(r"^[\s\-*•·|>#]+")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'-]*|\d+")
# an interface word glued to the heading after it by a collapsed widget: "ToggleThe Evolution of ..."
_GLUED_WIDGET = re.compile(r"^([A-Z][a-z]+)(?=[A-Z][a-z])")


def _is_interface_line(line: str) -> bool:
    """A short line with no sentence in it, made only of interface words, function words, numbers and
    symbols, with at least one interface word: "8 min read", "Read More 👇", "Table of Contents"."""
    body = _BULLET.sub("", line).strip()
    sentence = body.rstrip(_CLOSERS).endswith((".", "!", "?")) and len(body.split()) > 3
    if not body or len(body) > 60 or sentence:
        return False
    words = [w.lower() for w in _TOKEN.findall(body)]
    if not words or len(words) > 8:
        return False
    if any(not w.isdigit() and w not in _INTERFACE and w not in _FUNCTION for w in words):
        return False
    return any(w in _INTERFACE for w in words)


# -- captions and credits --------------------------------------------------------------------------

_NAME = r"[A-Z][\w.'’-]*"
# "Photo: Jane Doe/Getty Images", "Credit: Reuters", "Image by NASA"
_CREDIT_LABEL = re.compile(
    r"^(?:photo(?:graph)?|image|picture|illustration|credit|photo credit)s?\s*(?:by\b|:|\|)", re.I
)
# "Saul Loeb/AFP via Getty Images", "(AP Photo/Evan Vucci)"
_CREDIT_LINE = re.compile(rf"^\(?(?:{_NAME}\s+){{0,4}}{_NAME}\s?/\s?{_NAME}(?:\s+(?:via\s+)?{_NAME}){{0,4}}\)?$")


# words that make "Name/Name" a credit rather than a heading such as "Israel/Palestine Talks"
_CREDIT_WORDS = frozenset(
    "images image photo photos pictures press via getty ap afp reuters epa pool file staff".split()
)


def _is_credit_line(line: str) -> bool:
    body = line.strip()
    if not body or len(body.split()) > 15:
        return False
    if _CREDIT_LABEL.match(body):
        return True
    return bool(_CREDIT_LINE.match(body)) and any(w.lower() in _CREDIT_WORDS for w in re.findall(r"\w+", body))


# -- the clean-up ----------------------------------------------------------------------------------


def clean(text: str) -> Cleaned:
    """`text` without web noise, with the edits that map it back and what was removed, by kind."""
    removals: list[tuple[int, int, str]] = []
    seen_lines: set[str] = set()
    for m in _LINE.finditer(text):
        line = m.group(0)
        if not line:
            break
        body = line.strip()
        if not body:
            continue
        key = " ".join(unicodedata.normalize("NFKC", body).lower().split())
        kind = ""
        if _is_interface_line(body):
            kind = "menu"
        elif _is_credit_line(body) or key in seen_lines:
            kind = "caption"
        seen_lines.add(key)
        if kind:
            removals.append((m.start(), m.end(), kind))
            continue
        widget = _GLUED_WIDGET.match(line)
        if widget and widget.group(1).lower() in _INTERFACE:
            removals.append((m.start(), m.start() + widget.end(), "menu"))
    if removals and removals[-1][1] == len(text) and not text.endswith("\n"):
        # a removed last line takes the line break before it, not after it
        start, end, kind = removals[-1]
        removals[-1] = (max(0, start - 1) if text[start - 1 : start] == "\n" else start, end, kind)
    line_starts = [s for s, _, _ in removals]  # in text order, not overlapping
    for start, end in footnote_marks(text):
        i = bisect.bisect_right(line_starts, start) - 1
        if i < 0 or removals[i][1] < end:  # not inside a line removed already
            removals.append((start, end, "footnote"))
    if not removals:
        return Cleaned(text=text)
    clean_text, edits = remove(text, [(s, e) for s, e, _ in removals])
    counts: dict[str, int] = {}
    for _, _, kind in removals:
        counts[kind] = counts.get(kind, 0) + 1
    return Cleaned(text=clean_text, edits=edits, removed=counts)
