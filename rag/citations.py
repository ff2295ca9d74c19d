"""Parse `[n]` markers out of a model's answer, and renumber the kept ones in order of first use.

Small models write markers in many shapes ("[1][2]", "[1, 2]", "(Passage 1)", "【1】", a marker after the
full stop); all are normalised to one list of evidence numbers per sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .chunking import split_sentences
from .render import render_sentence

_ALT_MARKERS = [
    (re.compile(r"【\s*(\d+)\s*】"), r"[\1]"),
    (re.compile(r"[\[(]\s*(?:passage|source|doc(?:ument)?)\s*#?\s*(\d+)\s*[\])]", re.I), r"[\1]"),
]
_MARKER = re.compile(r"\[\s*(\d+(?:\s*(?:,|;|-|–|and)\s*\d+)*)\s*\]")
_LEADING_MARKERS = re.compile(r"^(\s*\[\s*\d+(?:\s*(?:,|;|-|–|and)\s*\d+)*\s*\])+")


@dataclass
class MarkedSentence:
    text: str  # without markers
    cited: list[int] = field(default_factory=list)  # evidence numbers, in order, unique


def normalise_markers(text: str) -> str:
    for pattern, repl in _ALT_MARKERS:
        text = pattern.sub(repl, text)
    return text


def marker_numbers(inner: str) -> list[int]:
    nums: list[int] = []
    for part in re.split(r"\s*(?:,|;|and)\s*", inner):
        if re.fullmatch(r"\d+\s*[-–]\s*\d+", part):
            lo, hi = (int(x) for x in re.split(r"\s*[-–]\s*", part))
            nums.extend(range(lo, min(hi, lo + 10) + 1))
        elif part.strip().isdigit():
            nums.append(int(part))
    return nums


def parse_answer(text: str) -> list[MarkedSentence]:
    """Sentences with the evidence numbers each cites. A marker that opens a sentence ("... end. [2] Next")
    belongs to the sentence before it."""
    text = normalise_markers(text)
    sentences: list[MarkedSentence] = []
    for span in split_sentences(text):
        chunk = span.text
        lead = _LEADING_MARKERS.match(chunk)
        if lead and sentences:
            for m in _MARKER.finditer(lead.group(0)):
                _add(sentences[-1].cited, marker_numbers(m.group(1)))
            chunk = chunk[lead.end() :].strip()
            if not chunk:
                continue
        cited: list[int] = []
        for m in _MARKER.finditer(chunk):
            _add(cited, marker_numbers(m.group(1)))
        clean = re.sub(r"\s+([.,;:!?])", r"\1", _MARKER.sub("", chunk)).strip()
        if clean:
            sentences.append(MarkedSentence(clean, cited))
        elif sentences:
            _add(sentences[-1].cited, cited)
    return sentences


def _add(target: list[int], numbers: list[int]) -> None:
    for n in numbers:
        if n not in target:
            target.append(n)


class Renumberer:
    """Maps evidence numbers to answer citation numbers 1, 2, ... in order of first use."""

    def __init__(self) -> None:
        self.order: list[int] = []

    def number(self, evidence_n: int) -> int:
        if evidence_n not in self.order:
            self.order.append(evidence_n)
        return self.order.index(evidence_n) + 1

    def render(self, sentence: MarkedSentence) -> str:
        return render_sentence(sentence.text, [self.number(n) for n in sentence.cited])
