"""Property-based tests (hypothesis) of the chunker and the citation parser, on any text at all.

tests/test_chunking.py and tests/test_citations.py hold examples and properties over small
alphabets; these add arbitrary Unicode, article-like prose, and round trips through the parser.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from rag.chunking import chunk_text, split_sentences
from rag.citations import MarkedSentence, Renumberer, parse_answer
from rag.sentences import ABBREVIATIONS

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- article-like text -----------------------------------------------------------------------

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüéß", min_size=3, max_size=10).filter(
    lambda w: w not in ABBREVIATIONS
)
TOKEN = st.one_of(
    WORD,
    WORD.map(str.capitalize),
    st.sampled_from(
        [
            "U.S.",
            "Dr.",
            "Sen.",
            "1,500",
            "3.2%",
            "H-1B",
            "“quoted”",
            "(aside)",
            "—",
            "Washington, D.C.",
            "J. Smith",
            "2025-03-07",
        ]
    ),
)
SENTENCE = st.builds(
    lambda words, end: " ".join(words) + end,
    st.lists(TOKEN, min_size=1, max_size=40),
    st.sampled_from([".", "!", "?", "…", ".”", '?"', ""]),
)
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=8).map(" ".join)
ARTICLE = st.builds(
    lambda paras, nl: nl.join(paras),
    st.lists(PARAGRAPH, min_size=0, max_size=8),
    st.sampled_from(["\n\n", "\n", "\r\n\r\n", "\n \n", "\n- "]),
)
ANY_TEXT = st.text(max_size=2500)  # any Unicode: control characters, combining marks, emoji, RTL


def _check_chunks(text: str, size: int, overlap: int) -> None:
    chunks = chunk_text("doc.txt", text, size=size, overlap=overlap)
    for n, c in enumerate(chunks):
        assert c.chunk_id == f"doc.txt#{n}" and c.ordinal == n and c.source == "doc.txt"
        assert text[c.start : c.end] == c.text  # offsets point into the article itself
        assert c.text and c.text == c.text.strip()
        assert len(c.text) <= size  # a long sentence is cut, never a chunk over the size
    starts = [c.start for c in chunks]
    ends = [c.end for c in chunks]
    assert starts == sorted(set(starts)) and ends == sorted(ends)  # always forward
    covered = bytearray(len(text))
    for c in chunks:
        covered[c.start : c.end] = b"\x01" * (c.end - c.start)
    assert all(covered[i] for i, ch in enumerate(text) if not ch.isspace()), "text lost between chunks"
    assert chunks == chunk_text("doc.txt", text, size=size, overlap=overlap)  # deterministic ids and bounds
    assert bool(chunks) == bool(text.strip())


@FAST
@given(ANY_TEXT, st.integers(min_value=1, max_value=900), st.integers(min_value=0, max_value=400))
@example("\u0301\u0301 \U0001f600.\n\n\x00\x1f\u202e abc", 1, 0)
@example("x" * 50, 7, 7)
def test_chunker_on_any_unicode(text, size, overlap):
    _check_chunks(text, size, overlap)


@FAST
@given(ARTICLE, st.integers(min_value=80, max_value=900), st.integers(min_value=0, max_value=300))
def test_chunker_on_article_like_text(text, size, overlap):
    _check_chunks(text, size, overlap)
    chunks = chunk_text("doc.txt", text, size=size, overlap=overlap)
    sentences = split_sentences(text)
    # sentence-aware: a chunk starts where a sentence (or a cut piece of a long one) starts
    piece_starts = {s.start for s in sentences}
    long_ones = [s for s in sentences if s.end - s.start > size]
    for c in chunks:
        assert c.start in piece_starts or any(s.start <= c.start < s.end for s in long_ones)


@FAST
@given(ANY_TEXT)
def test_sentences_are_ordered_trimmed_spans(text):
    spans = split_sentences(text, offset=7)
    last_end = 7
    for s in spans:
        assert text[s.start - 7 : s.end - 7] == s.text and s.text == s.text.strip() and s.text
        assert s.start >= last_end
        last_end = s.end


# -- the citation parser ---------------------------------------------------------------------

CLAIM_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9).filter(
    lambda w: w not in ABBREVIATIONS and w != "and"
)
CLAIM = st.lists(CLAIM_WORD, min_size=1, max_size=12).map(lambda ws: " ".join(ws).capitalize())
CITES = st.lists(st.integers(min_value=1, max_value=40), max_size=4, unique=True)


def _marker(cites: list[int], style: str) -> str:
    if style == "brackets":
        return "".join(f"[{n}]" for n in cites)
    if style == "list":
        return f"[{', '.join(map(str, cites))}]"
    if style == "spaced":
        return " ".join(f"[ {n} ]" for n in cites)
    if style == "lenticular":
        return "".join(f"【{n}】" for n in cites)
    return " ".join(f"(Passage {n})" for n in cites)


@FAST
@given(
    st.lists(st.tuples(CLAIM, CITES), min_size=1, max_size=6),
    st.sampled_from(["brackets", "list", "spaced", "lenticular", "passage"]),
    st.sampled_from(["before", "after"]),
    st.sampled_from([" ", "\n", "  "]),
)
def test_parser_recovers_sentences_and_their_citations(claims, style, place, gap):
    parts = []
    for text, cites in claims:
        if not cites:
            parts.append(f"{text}.")
        elif place == "before":
            parts.append(f"{text} {_marker(cites, style)}.")
        else:  # after the full stop: belongs to the sentence before it
            parts.append(f"{text}. {_marker(cites, style)}")
    parsed = parse_answer(gap.join(parts))
    assert [(s.text, s.cited) for s in parsed] == [(f"{text}.", list(cites)) for text, cites in claims]


@FAST
@given(st.lists(st.tuples(CLAIM, CITES), min_size=1, max_size=6))
def test_renumbering_is_by_first_use_and_survives_a_reparse(claims):
    renumber = Renumberer()
    rendered = " ".join(renumber.render(MarkedSentence(f"{text}.", list(cites))) for text, cites in claims)
    first_use = list(dict.fromkeys(n for _, cites in claims for n in cites))
    assert renumber.order == first_use
    reparsed = parse_answer(rendered)
    assert [s.text for s in reparsed] == [f"{text}." for text, _ in claims]
    shown = [n for s in reparsed for n in s.cited]
    assert sorted(set(shown)) == list(range(1, len(first_use) + 1))  # 1..k, no gaps
    assert list(dict.fromkeys(shown)) == list(range(1, len(first_use) + 1))  # numbered in order of first use
    for s, (_, cites) in zip(reparsed, claims):
        assert [renumber.order[n - 1] for n in s.cited] == list(cites)  # each maps back to its evidence


@FAST
@given(ANY_TEXT)
@example("[1][2]. [3] [99999999999999999999] 【】 (Passage ) [1-1000000] [0]")
def test_parser_never_crashes_on_any_text(text):
    for s in parse_answer(text):
        assert s.text and s.text == s.text.strip()
        assert not re.search(r"\[\s*\d+\s*\]", s.text)
        assert len(s.cited) == len(set(s.cited)) and all(n >= 0 for n in s.cited)
        assert len(s.cited) <= 11 * max(1, len(text))  # ranges are capped: "[1-1000000]" is not a million


@FAST
@given(CLAIM, st.integers(min_value=1, max_value=10), st.integers(min_value=0, max_value=30))
def test_ranges_expand_but_stay_capped(text, lo, width):
    (sentence,) = parse_answer(f"{text} [{lo}-{lo + width}].")
    assert sentence.cited == list(range(lo, min(lo + width, lo + 10) + 1))
    assume(width <= 10)
    assert len(sentence.cited) == width + 1
