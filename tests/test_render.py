"""Answer rendering: markers before the final stop, no doubled punctuation, balanced quotes, normal spaces;
and a rendered sentence reads back through the splitter and the citation parser unchanged."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.citations import parse_answer
from rag.prose import lint
from rag.render import join_sentences, render_sentence, tidy
from rag.sentences import split_sentences


@pytest.mark.parametrize(
    "text, markers, rendered",
    [
        # the marker follows the claim and precedes the final stop; an abbreviation keeps its own stop
        ("Rubio is an ally of the U.S.", [1], "Rubio is an ally of the U.S. [1]."),
        ("Rubio is an ally of the U.S", [1], "Rubio is an ally of the U.S. [1]."),
        ("Rubio is an ally of the U. S.", [1], "Rubio is an ally of the U.S. [1]."),
        ("Rubio is an ally of the U. S, and Musk is not.", [1], "Rubio is an ally of the U.S., and Musk is not [1]."),
        ("George W. Bush and J. R. R. Tolkien met.", [1], "George W. Bush and J. R. R. Tolkien met [1]."),
        ("He works at Acme Inc.", [2], "He works at Acme Inc. [2]."),
        ("He was born in 1990.", [1], "He was born in 1990 [1]."),
        ("They chose Plan B.", [1], "They chose Plan B [1]."),
        ("They chose Plan B", [1], "They chose Plan B [1]."),
        ("Acme Inc", [1], "Acme Inc [1]."),
        ("It grew 5%.", [1, 2], "It grew 5% [1][2]."),
        ("Wow!", [3], "Wow [3]!"),
        ("The line ends without a stop", [1], "The line ends without a stop [1]."),
        ("The figures are:", [1], "The figures are [1]."),
        # after a closing quote, before the final period; a quoted question keeps its mark
        ("He said “no.”", [2], "He said “no” [2]."),
        ('He said "no."', [2], 'He said "no" [2].'),
        ("He said “no”.", [2], "He said “no” [2]."),
        ("He asked “why?”", [1], "He asked “why?” [1]."),
        ("They called it the “U.S.”", [1], "They called it the “U.S.” [1]."),
        # doubled and stray punctuation
        ("The Vistula River,,", [1], "The Vistula River [1]."),
        ("The river , which is long , flows .", [1], "The river, which is long, flows [1]."),
        ("It ended. .", [1], "It ended [1]."),
        ("Really?.", [], "Really?"),
        ("He paused... then left.", [1], "He paused... then left [1]."),
        # quotes and parentheses balanced, whitespace normal
        ("He said “no to the plan.", [1], "He said no to the plan [1]."),
        ("The plan (an aside was long.", [1], "The plan an aside was long [1]."),
        ('He said "no to it.', [1], "He said no to it [1]."),
        ("  spaced \n out   text .", [4], "spaced out text [4]."),
        # markers already in the text join the others at the end
        ("An ally of the U.S. [1].", [], "An ally of the U.S. [1]."),
        ("Text [2] and more.", [1], "Text and more [2][1]."),
        ("", [1], ""),
    ],
)
def test_render_sentence(text, markers, rendered):
    assert render_sentence(text, markers) == rendered


def test_join_sentences():
    assert join_sentences(["A claim [1].", "  ", "Another one [2].\n"]) == "A claim [1]. Another one [2]."
    assert join_sentences([]) == ""


def test_tidy_keeps_an_ellipsis_and_abbreviations():
    assert tidy("He said... that the U.S., he thought, was fine.") == "He said... that the U.S., he thought, was fine."


_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=8)
_PIECE = st.one_of(
    _WORD, _WORD, st.sampled_from(["the U.S.", "“no,”", "3.5", ",", ",,", " ,", "(aside)", "“open", "paused... then"])
)
_ENDING = st.sampled_from([".", "..", "!", "?", ",", "", ".”", "?”", " .", "the U.S.", "Acme Inc."])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.lists(_PIECE, min_size=1, max_size=10),
            _ENDING,
            st.lists(st.integers(1, 9), min_size=1, max_size=3, unique=True),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_rendered_answers_read_back_and_lint_clean(claims):
    rendered = [render_sentence("Claim " + " ".join(words) + " " + end, cites) for words, end, cites in claims]
    answer = join_sentences(rendered)
    # one sentence per claim, each with its markers, and nothing for the lint (content aside)
    assert [s.text for s in split_sentences(answer)] == rendered
    assert [s.cited for s in parse_answer(answer)] == [list(cites) for _, _, cites in claims]
    assert [f.kind for f in lint(answer, refused=True) if f.kind != "glued_digits"] == []
