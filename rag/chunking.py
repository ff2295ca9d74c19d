"""Sentence-aware, overlapping chunks of an article's clean text, with offsets into the article as loaded.

Chunks are cut on the cleaned text (rag/cleaning.py) so that web noise never reaches the index; each
chunk keeps its start/end in the original text and the edits inside it (rag/textmap.py), so a
citation's offsets still point into the file and the original passage can be restored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .sentences import Span, split_sentences
from .span import ArticleSpan
from .textmap import Edits, to_original, within

if TYPE_CHECKING:
    from .documents import Document

__all__ = ["CHUNKER_VERSION", "Chunk", "Span", "chunk_document", "chunk_text", "split_sentences"]


@dataclass(frozen=True, kw_only=True)
class Chunk(ArticleSpan):
    """A piece of an article as cut for indexing; `text` is clean (see rag/cleaning.py)."""

    chunk_id: str
    ordinal: int
    lead: str = ""  # whitespace between the previous chunk's end and this start, when they do not overlap
    edits: Edits = ()  # what cleaning removed inside the chunk, relative to its start (see rag/textmap.py)
    lead_edits: Edits = ()  # what cleaning removed between the previous chunk and this one, relative to `lead`


# bump when chunk bounds or metadata change: indexes re-chunk on the next `rag index`
# (4: no sentence end inside a quotation that the sentence goes on after)
CHUNKER_VERSION = 4


def chunk_document(doc: Document, size: int = 600, overlap: int = 150) -> list[Chunk]:
    """The chunks of an article's clean text (the article's own text when nothing was cleaned)."""
    return chunk_text(doc.source, doc.clean.text, size, overlap, doc.clean.edits)


def chunk_text(source: str, text: str, size: int = 600, overlap: int = 150, edits: Edits = ()) -> list[Chunk]:
    """Pack whole sentences into chunks of about `size` characters; consecutive chunks share about
    `overlap` characters of whole sentences. A sentence longer than `size` is cut at word boundaries.
    `edits` map `text` back to the original (rag/textmap.py); chunk offsets are original offsets."""
    sentences = [piece for s in split_sentences(text) for piece in _cut_long(s, size)]
    chunks: list[Chunk] = []
    prev_end = 0  # clean end of the previous chunk
    i = 0
    while i < len(sentences):
        j = i
        end = sentences[i].end
        while j + 1 < len(sentences) and sentences[j + 1].end - sentences[i].start <= size:
            j += 1
            end = sentences[j].end
        start = sentences[i].start
        gap = bool(chunks) and prev_end <= start
        chunks.append(
            Chunk(
                chunk_id=f"{source}#{len(chunks)}",
                source=source,
                ordinal=len(chunks),
                start=to_original(start, edits),
                end=to_original(end, edits, end=True),
                text=text[start:end],
                lead=text[prev_end:start] if gap else "",
                edits=within(edits, start, end),
                lead_edits=within(edits, prev_end, start, inclusive=True) if gap else (),
            )
        )
        prev_end = end
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
