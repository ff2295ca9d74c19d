"""The sentence splitter: examples of every hard case, and sentences generated from words, abbreviations,
initials, decimals and quotes that must split back into exactly themselves."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.sentences import _OPENERS, ABBREVIATIONS, ends_with_abbreviation, split_sentences


@pytest.mark.parametrize(
    "sentences",
    [
        ["Rubio is an ally of the U.S. [1].", "He spoke later."],
        ["He moved to the U.S. in 2019.", "Then he left."],
        ["He moved to the U.S.", "Then he left."],
        ["The U.S. Senate voted.", "The U.K. Parliament did too."],
        ["Dr. Smith arrived on Jan. 5 with No. 5 in hand.", "It was late."],
        ["Fruit, e.g. apples, is good.", "I agree."],
        ["J. R. R. Tolkien wrote it.", "George W. Bush read it.", "J. A. Smith did not."],
        ["It was orchestrated by J. P. Morgan.", "See p. 4 for more.", "He was Agent P.", "The end."],
        ["Growth was 3.5 percent.", "Revenue hit $1.2 billion.", "Fine."],
        ["He paused... then spoke.", "Wait… what?"],
        ["He said, “Go.”", "Then he left."],
        ['He said, "Go."', "Then he left."],
        ["“Is it over?” she asked.", "No."],
        ["He works at Acme Inc.", "The firm grew."],
        ["He left at 5 p.m. Tuesday.", "OK."],
        ["He was born in Washington, D.C.", "He grew up there."],
        ["See Fig. 3 and pp. 4-5 for details.", "Next."],
        ["He said no.", "Then he left."],
        ["The Khan (r. 1260–1294) ruled.", "FCC v. Pacifica Foundation was decided."],
        ["She was in her late 50s.", "Hohoff was impressed."],
        ["It sits at 19.2°E.", "This was new."],
        ["Prices rose 5%.", "Then they fell!", "Why?"],
        # a quotation the sentence goes on after, in lowercase, is part of it: where, who said it
        ["He posted “WE GET ALONG. ANY STATEMENT OTHER THAN THAT IS FAKE!!!” on Truth Social.", "Fine."],
        ["“Go home. Now,” she said.", "Then he left."],
        ['He said "It is over. Done." and left.', "Fine."],
        ["“We will win.", "We always win.”", "The crowd cheered."],
        ["A “quote.", "Never closed.", "Text here."],
    ],
)
def test_hard_cases_split_into_their_sentences(sentences):
    text = " ".join(sentences)
    assert [s.text for s in split_sentences(text)] == sentences


def test_lines_headings_and_list_items_stand_alone():
    text = "The Dynamics of Power\nFirst line of text. Second.\n- item one\n- item two\n1. numbered\n2. next\n\nEnd"
    assert [s.text for s in split_sentences(text)] == [
        "The Dynamics of Power",
        "First line of text.",
        "Second.",
        "- item one",
        "- item two",
        "1. numbered",
        "2. next",
        "End",
    ]


def test_a_hard_wrapped_line_continues_its_sentence():
    text = "The report, published on Monday, said\nthat prices rose. Then\nThe Next Heading"
    assert [s.text for s in split_sentences(text)] == [
        "The report, published on Monday, said\nthat prices rose.",
        "Then",
        "The Next Heading",
    ]


def test_offsets_are_shifted_and_slice_the_text():
    text = "  One sentence here.  And the U.S. another one!  "
    spans = split_sentences(text, offset=100)
    assert [s.text for s in spans] == ["One sentence here.", "And the U.S. another one!"]
    for s in spans:
        assert text[s.start - 100 : s.end - 100] == s.text


def test_abbreviation_at_the_end():
    assert ends_with_abbreviation("an ally of the U.S.") and ends_with_abbreviation("Acme Inc.")
    assert not ends_with_abbreviation("born in 1990.") and not ends_with_abbreviation("the end.")
    assert not ends_with_abbreviation("the U.S") and not ends_with_abbreviation("they chose Plan B.")


# -- generated sentences ---------------------------------------------------------------------------

_LOWER = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9).filter(lambda w: w not in ABBREVIATIONS)
_NAME = _LOWER.filter(lambda w: w not in _OPENERS).map(str.capitalize)
_OPENER = st.sampled_from(sorted(w.capitalize() for w in _OPENERS if len(w) > 1))
_INSIDE = st.one_of(
    _LOWER,
    _LOWER,
    _NAME,
    st.sampled_from(
        [
            "U.S. policy",
            "the U.K. Parliament",
            "Acme Inc. shares",
            "George W. Bush",
            "J. R. R. Tolkien",
            "J. P. Morgan",
            "Dr. Smith",
            "Sen. Graham",
            "No. 5",
            "Jan. 5",
            "e.g. apples",
            "5 p.m. Tuesday",
            "Washington, D.C. area",
            "3.5 percent",
            "$1.2 billion",
            "1,500",
            "2019",
            "“go now,” he said,",
            "“Is it over?” she asked",
            "paused... then",
            "(i.e. close)",
            "vs. Smith",
            "St. Louis",
            "H-1B",
            "COVID-19",
        ]
    ),
)
_END = st.sampled_from([".", "!", "?", "…", ".”", "?”"])
_ABBREVIATED_END = st.sampled_from(["the U.S.", "Acme Inc.", "Washington, D.C.", "5 p.m.", "and so on, etc."])


@st.composite
def _sentences(draw) -> list[str]:
    out: list[str] = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        after_abbreviation = bool(out) and ends_with_abbreviation(out[-1])
        first = draw(_OPENER if after_abbreviation else st.one_of(_OPENER, _NAME))
        words = [first] + draw(st.lists(_INSIDE, max_size=12))
        if draw(st.booleans()) and len(words) > 1:
            out.append(" ".join(words) + " " + draw(_ABBREVIATED_END))
        else:
            end = draw(_END)
            opening = "“" if end.endswith("”") else ""
            out.append(" ".join(words[:-1] + [opening + words[-1]]) + end if len(words) > 1 else first + end)
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_sentences(), st.sampled_from([" ", "  ", "\n", "\n\n", " \n "]))
def test_generated_sentences_split_back_into_themselves(sentences, gap):
    text = gap.join(sentences)
    spans = split_sentences(text)
    assert [s.text for s in spans] == sentences
    assert all(text[s.start : s.end] == s.text for s in spans)
