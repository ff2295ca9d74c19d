"""Parsing of the model's [n] markers (pure text: no model needed)."""

import re

from hypothesis import given
from hypothesis import strategies as st

from rag.citations import Renumberer, parse_answer


def test_marker_shapes_are_normalised():
    text = "Ramaswamy co-led DOGE [2][3]. The figure was 1,500 [1, 4]. Another claim (Passage 5). Last one.【2】"
    sents = parse_answer(text)
    assert [s.cited for s in sents] == [[2, 3], [1, 4], [5], [2]]
    assert sents[0].text == "Ramaswamy co-led DOGE."
    assert sents[3].text == "Last one."


def test_marker_after_full_stop_belongs_to_previous_sentence():
    sents = parse_answer("He left in 2017. [3] Then he returned [1].")
    assert [(s.text, s.cited) for s in sents] == [("He left in 2017.", [3]), ("Then he returned.", [1])]


def test_ranges_and_uncited():
    sents = parse_answer("Both said so [1-3]. No source here.")
    assert sents[0].cited == [1, 2, 3]
    assert sents[1].cited == []


def test_renumbering_by_first_use():
    r = Renumberer()
    a, b = parse_answer("First [4]. Second [2][4].")
    assert r.render(a) == "First [1]."
    assert r.render(b) == "Second [2][1]."
    assert r.order == [4, 2]


@given(st.text(alphabet=st.sampled_from(list("ab .[]0123,-")), max_size=300))
def test_parser_never_crashes_and_strips_markers(text):
    for s in parse_answer(text):
        assert not re.search(r"\[\s*\d+\s*\]", s.text)
        assert all(n >= 0 for n in s.cited)
