"""How an answer sentence is written out: one set of rules, applied to every sentence and to the answer.

A reader judges an answer by how it reads before checking a source. The rules:
- citation markers follow the claim and precede the sentence's final punctuation ("... the U.S. [1].",
  not "U.S [1].."); after a closing quote, before the final period (`said “no” [1].`);
- no doubled or stray punctuation (",,", "..", ", .", " ,"), an ellipsis excepted; "U. S" rejoined;
- quotes and parentheses balanced: an unmatched one is dropped;
- whitespace normal: single spaces, none before punctuation.
rag/prose.py counts breaches of the same rules in finished answers.
"""

from __future__ import annotations

import re

from .sentences import ends_with_abbreviation

MARKER = re.compile(r"\s*\[(\d+)\]")
SPACE_BEFORE_PUNCT = re.compile(r"(?<=\S)[ \t]+(?=[,;:!?]|\.(?!\.\.))")
# ",,"  ", ."  ",."  ".." (an ellipsis is not doubled)  ". ."  "?."
DOUBLED_PUNCT = re.compile(r"[,;:]\s*(?=[,;:.!?])|(?<!\.)\.(?=\.(?!\.))|(?<=[.!?])\s+(?=[.!?])|(?<=[!?])\.(?!\.)")
# a two-letter initialism split or robbed of its stop where a clause ends: "the U. S [1]", "the U.S, and"
# (not "George W. Bush", "J. R. R. Tolkien")
_SPLIT_INITIALISM = re.compile(r"\b([A-Z])\. ?([A-Z])\b\.?(?=\s*(?:\[|$)|[,;:])")
_ELLIPSIS = re.compile(r"\.{4,}|…\.+")
_FINAL = re.compile(r"([.!?…]*)([\"”’')\]]*)([.!?…,;:]*)$")
_PAIRS = {"“": "”", "(": ")"}
_CLOSING = {close: open_ for open_, close in _PAIRS.items()}


def render_sentence(text: str, markers: list[int]) -> str:
    """`text` with its citation markers placed and the rules above applied. Markers already in the
    text are moved to the end with the others."""
    found = [int(n) for n in MARKER.findall(text)]
    numbers = list(dict.fromkeys(found + list(markers)))
    body = tidy(MARKER.sub("", text))
    if not body or not numbers:
        return body
    claim, final = _split_final(body)
    return f"{claim} {''.join(f'[{n}]' for n in numbers)}{final}"


def join_sentences(sentences: list[str]) -> str:
    """Rendered sentences as one answer: single spaces between them, empty ones left out."""
    return tidy(" ".join(s.strip() for s in sentences if s.strip()))


def tidy(text: str) -> str:
    """Normal whitespace, no doubled punctuation, balanced quotes and parentheses."""
    text = _SPLIT_INITIALISM.sub(r"\1.\2.", " ".join(balance(text).split()))
    for _ in range(3):  # ". ." becomes ".." becomes "."
        text, n = DOUBLED_PUNCT.subn("", text)
        if not n:
            break
    return SPACE_BEFORE_PUNCT.sub("", _ELLIPSIS.sub("...", text))


def _split_final(body: str) -> tuple[str, str]:
    """The sentence without its final punctuation, and the punctuation that goes after the markers.
    A closing quote stays with the claim; a "?", "!" or ellipsis inside it belongs to the quotation;
    the full stop of a closing abbreviation ("U.S.") stays with the word and the sentence gets its own."""
    match = _FINAL.search(body)
    assert match is not None  # every part of the pattern may be empty: it always matches at the end
    inner, closers, outer = match.groups()
    claim = body[: match.start()]
    if not closers:
        inner, outer = "", inner + outer
    if inner not in ("", ".", ".."):
        claim += inner
    run = outer.strip(",;:")
    if "?" in run or "!" in run:
        final = "".join(ch for ch in run if ch in "?!")
    else:
        final = "..." if "…" in run or "..." in run else "."
    had_stop = (inner + run).startswith(".")
    if final != "..." and ends_with_abbreviation(claim + ".") and (had_stop or "." in claim.rsplit(" ", 1)[-1]):
        claim += "."  # "the U.S." or "the U.S.!": the abbreviation keeps its stop ("the U.S" gets it back)
    return (claim + closers).rstrip(), final


def balance(text: str) -> str:
    """Drop quotes and parentheses that have no partner."""
    drop: set[int] = set()
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if ch in _PAIRS:
            stack.append((ch, i))
        elif ch in _CLOSING:
            if stack and stack[-1][0] == _CLOSING[ch]:
                stack.pop()
            else:
                drop.add(i)
    drop.update(i for _, i in stack)
    straight = [i for i, ch in enumerate(text) if ch == '"']
    if len(straight) % 2:
        edge = [i for i in straight if i in (0, len(text) - 1)]
        drop.add(edge[0] if edge else straight[-1])
    return "".join(ch for i, ch in enumerate(text) if i not in drop) if drop else text
