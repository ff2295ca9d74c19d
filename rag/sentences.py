"""One sentence splitter for articles and answers.

Sentences are the unit everywhere downstream (chunk bounds, evidence windows, citation parsing,
highlighting), so a split inside "the U.S. [1]." or "George W. Bush" shows up as a broken answer.
A full stop ends a sentence unless the word before it is an abbreviation, an initial or a list
number; for abbreviations that can also end a sentence ("U.S.", "Inc.", "p.m.") the next word
decides: a capitalised function word ("The", "He", "But") opens a new sentence, a name does not.
Nothing ends before a lowercase word, nor inside a quotation that the sentence goes on after in
lowercase ("“... FAKE NEWS!!!” on Truth Social"). Every line break ends a sentence (headings, list items,
captions stand alone) unless the next line continues it in lowercase (hard-wrapped PDF text).

pysbd was measured on the bundled and SQuAD corpora: under 2,000 sentences/s against over 80,000 for
this splitter, and no release since 2021; at its speed splitting alone would cost about a quarter of
indexing time (~150 chunks/s). The rules here are tested on generated text (tests/test_sentences.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


# a candidate end: terminal punctuation with any closing quotes or brackets, before whitespace; or a line break
_CANDIDATE = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n")
_WORD_BEFORE = re.compile(r"(?<![^\W_])([A-Za-z][A-Za-z.]*)$")
_NEXT_WORD = re.compile(r"\s*(\S*)")
_MARKER_THEN_STOP = re.compile(r"(?:\[\d+\])+[.!?]")

# never end a sentence: titles before a name, Latin abbreviations before what they introduce
_TITLES = frozenset(
    "mr mrs ms messrs mme dr prof sen rep gov gen col lt sgt capt cmdr adm maj cpl pvt brig rev hon pres "
    "supt insp det fr".split()
)
_NEVER_FINAL = frozenset("e.g i.e vs cf viz".split())
# before a number only: "No. 5", "Fig. 3", "pp. 4-5", "Jan. 5"
NUMBER_ABBREVIATIONS = frozenset(
    "no nos fig figs p pp vol vols ch chap sec art approx ca est ed eq op para ref tel ext pt pts "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# may end a sentence: the next word decides
_AMBIGUOUS = frozenset("inc corp co ltd llc plc bros jr sr esq etc dept univ assn ave blvd rd st mt ft".split())
# capitalised function words: after an ambiguous abbreviation they open a new sentence, a name does not
_OPENERS = frozenset(
    "the a an he she it they we i you this that these those there then but and or so yet in on at for from "
    "with by as after before when while if his her its their our my your some many most several both each "
    "every one two three no not however meanwhile still also now later since although though because "
    "despite during under over what who why how where which such other another all any according earlier "
    "today yesterday last next instead thus here".split()
)

ABBREVIATIONS = (
    _TITLES | _NEVER_FINAL | NUMBER_ABBREVIATIONS | _AMBIGUOUS
)  # words whose full stop may not end a sentence


def split_sentences(text: str, offset: int = 0) -> list[Span]:
    """Sentences of `text` as spans (offsets shifted by `offset`), whitespace trimmed, none empty."""
    spans: list[Span] = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        if not _ends_sentence(text, match) or _quotation_goes_on(text, start, match.end()):
            continue
        _append_trimmed(spans, text, start, match.end(), offset)
        start = match.end()
    _append_trimmed(spans, text, start, len(text), offset)
    return spans


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    nxt = _NEXT_WORD.match(text, match.end())
    after = nxt.group(1) if nxt else ""  # the next word, "" at the end of the text
    if match.group(0) == "\n":
        # a hard-wrapped line: no closing punctuation, and the next line carries on in lowercase
        return not (after[:1].islower() and _last_char(text, match.start()) not in ".!?…:;\"'”’)]")
    if not after or after[0].islower():
        return not after  # nothing starts a sentence in lowercase ("“Go?” she asked", "e.g. apples")
    if _MARKER_THEN_STOP.match(after):
        return False  # an answer's citation and its stop: 'He asked “why?” [1].'
    if match.group(0).rstrip("\"'”’)]") != ".":
        return True  # "!", "?", an ellipsis: the capital after it opens a sentence
    return not _is_abbreviation(text, match.start(), after)


_QUOTE_REACH = 250  # how far ahead a quotation open at a candidate end may close


def _quotation_goes_on(text: str, start: int, end: int) -> bool:
    """Whether a quotation open at `end` (opened since `start`, the sentence's start) closes on the same
    line and the sentence carries on after it in lowercase: 'Trump posted “WE GET ALONG. ANY STATEMENT
    OTHER THAN THAT IS FAKE NEWS!!!” on Truth Social.' is one sentence, where it was posted included."""
    so_far = text[start:end]
    if so_far.count("“") > so_far.count("”"):
        close = text.find("”", end, end + _QUOTE_REACH)
    elif so_far.count('"') % 2:
        close = text.find('"', end, end + _QUOTE_REACH)
    else:
        return False
    if close < 0 or "\n" in text[end:close]:
        return False
    after = re.match(r"[\"”’'),;:]*\s+(\S)", text[close:])
    return after is not None and after.group(1).islower()


def _is_abbreviation(text: str, dot: int, after: str) -> bool:
    """Whether the full stop at `dot` belongs to the word before it rather than ending a sentence."""
    found = _WORD_BEFORE.search(text, max(0, dot - 16), dot)
    if not found:
        return _is_list_number(text, dot)
    word = found.group(1)
    key = word.lower()
    if key in _TITLES and word[0].isupper() or key in _NEVER_FINAL:
        return True
    if key in NUMBER_ABBREVIATIONS and not (len(word) == 1 and word.isupper()):  # "p. 4", not "J. P. Morgan"
        return after[0].isdigit()
    if key in _AMBIGUOUS or _is_initialism(word):
        return not _opens_sentence(after)
    return False


def ends_with_abbreviation(text: str) -> bool:
    """Whether the full stop ending `text` belongs to an abbreviation ("the U.S.", "Acme Inc.")
    that a sentence can end on, so a further full stop would not be doubled punctuation."""
    if not text.endswith("."):
        return False
    found = _WORD_BEFORE.search(text, max(0, len(text) - 17), len(text) - 1)
    if not found:
        return False
    word = found.group(1)
    return word.lower() in _AMBIGUOUS or ("." in word and _is_initialism(word))  # not an initial: "Plan B."


def _is_initialism(word: str) -> bool:
    """ "W" (an initial), "U.S", "D.C", "a.m": single letters joined by full stops."""
    letters = word.split(".")
    return all(len(part) == 1 for part in letters)


def _opens_sentence(token: str) -> bool:
    """Whether the word after an ambiguous abbreviation opens a sentence: a capitalised function word,
    also inside an opening quote ("the U.S. “We will"), but not a name or another initial."""
    if re.match(r"[A-Z]\.", token):
        return False  # another initial: "J. R. R. Tolkien", "J. A. Smith"
    word = re.match(r"[\"“‘'(]*([A-Z][a-z]*)\b", token)
    return word is not None and word.group(1).lower() in _OPENERS


def _last_char(text: str, end: int) -> str:
    """The last character before `end` that is not whitespace ("." when there is none)."""
    i = end - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return text[i] if i >= 0 else "."


def _is_list_number(text: str, dot: int) -> bool:
    """ "1." or "12." alone at the start of a line is a list item's number, not a sentence."""
    line_start = text.rfind("\n", max(0, dot - 8), dot) + 1
    return (line_start > 0 or dot < 8) and bool(re.fullmatch(r"[ \t]*\d{1,3}", text[line_start:dot]))


def _append_trimmed(spans: list[Span], text: str, start: int, end: int, offset: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    s = start + lead
    spans.append(Span(offset + s, offset + s + len(stripped), stripped))
