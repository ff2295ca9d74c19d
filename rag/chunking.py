"""Sentence splitting and sentence-aware, overlapping chunks with character offsets into the source.

Sentences are the unit everywhere downstream (evidence selection, citation checks), so one splitter
serves the chunker, the answer checker and the evidence highlighter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "st", "jr", "sr",
    "inc", "corp", "co", "ltd", "vs", "etc", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.g", "i.e", "a.m", "p.m", "d.c",
}
# a candidate boundary: terminal punctuation, optional closing quotes/brackets, then whitespace
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n\s*\n|\n(?=\s*[-*•]\s)|\n")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    source: str
    ordinal: int
    start: int
    end: int
    text: str
    lead: str = ""  # whitespace between the previous chunk's end and this start, when they do not overlap


CHUNKER_VERSION = 2  # bump when chunk bounds or metadata change: indexes re-chunk on the next `rag index`


def split_sentences(text: str, offset: int = 0) -> list[Span]:
    """Sentences of `text` as spans (offsets shifted by `offset`), whitespace trimmed, none empty."""
    spans: list[Span] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if match.group(0)[0] == "." and _is_abbreviation(text, match.start()):
            continue
        _append_trimmed(spans, text, start, end, offset)
        start = end
    _append_trimmed(spans, text, start, len(text), offset)
    return spans


def _is_abbreviation(text: str, dot: int) -> bool:
    word = re.search(r"([A-Za-z.]+)$", text[max(0, dot - 12):dot])
    if not word:
        return False
    token = word.group(1).lower().strip(".")
    if token in _ABBREVIATIONS:
        return True
    return len(token) == 1 and token.isalpha()  # initials: "J. Smith"


def _append_trimmed(spans: list[Span], text: str, start: int, end: int, offset: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    s = start + lead
    spans.append(Span(offset + s, offset + s + len(stripped), stripped))


def chunk_text(source: str, text: str, size: int = 600, overlap: int = 150) -> list[Chunk]:
    """Pack whole sentences into chunks of about `size` characters; consecutive chunks share about
    `overlap` characters of whole sentences. A sentence longer than `size` is cut at word boundaries."""
    sentences = [piece for s in split_sentences(text) for piece in _cut_long(s, size)]
    chunks: list[Chunk] = []
    i = 0
    while i < len(sentences):
        j = i
        end = sentences[i].end
        while j + 1 < len(sentences) and sentences[j + 1].end - sentences[i].start <= size:
            j += 1
            end = sentences[j].end
        start = sentences[i].start
        lead = text[chunks[-1].end : start] if chunks and chunks[-1].end <= start else ""
        chunks.append(Chunk(f"{source}#{len(chunks)}", source, len(chunks), start, end, text[start:end], lead))
        if j + 1 >= len(sentences):
            break
        # step back over whole sentences to create the overlap, but always move forward
        nxt = j + 1
        while nxt - 1 > i and sentences[j].end - sentences[nxt - 1].start <= overlap:
            nxt -= 1
        i = nxt
    return chunks


def _cut_long(span: Span, size: int) -> list[Span]:
    if span.end - span.start <= size:
        return [span]
    pieces: list[Span] = []
    text, base = span.text, span.start
    pos = 0
    while pos < len(text):
        cut = min(len(text), pos + size)
        if cut < len(text):
            space = text.rfind(" ", pos + size // 2, cut)
            cut = space if space > pos else cut
        piece = text[pos:cut].strip()
        if piece:
            lead = len(text[pos:cut]) - len(text[pos:cut].lstrip())
            pieces.append(Span(base + pos + lead, base + pos + lead + len(piece), piece))
        pos = cut
    return pieces
