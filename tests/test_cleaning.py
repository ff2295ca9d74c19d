"""Web-noise clean-up: footnote marks, interface lines and repeated captions go; real numbers, headings
and bylines stay; the edit map restores the original and maps every clean offset back into it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.cleaning import clean, describe_cleaned, footnote_marks
from rag.textmap import dumps, loads, remove, restore, to_clean, to_original, within


def _marks(text: str) -> list[str]:
    return [text[s:e] for s, e in footnote_marks(text)]


@pytest.mark.parametrize(
    "text, marks",
    [
        ("Musk intensified his support dramatically15. This incident", ["15"]),
        ("a “first buddy” relationship within the administration5. What began", ["5"]),
        ("the future direction of US Politics1. As this", ["1"]),
        ("to pro-Trump super PACs35.\nThis financial", ["35"]),
        ("was “not good for America or the world”5. This public", ["5"]),
        ("supporting reopening the plant “Fast & Safely!”5. These moments", ["5"]),
        ("the end.12 Next comes", ["12"]),
        ("eliminating roles deemed redundant or unnecessary56. The scale", ["56"]),
        ("the relationship5 and the rest", ["5"]),
        ("as he said.[3] Then", ["[3]"]),
        ("Fryderyk Franciszek Chopin,[n 1] was a Polish composer", ["[n 1]"]),
        (
            "the people of Asia Minor.[citation needed][original research?]\n",
            ["[citation needed]", "[original research?]"],
        ),
        ("into its current[when?] four divisions", ["[when?]"]),
    ],
)
def test_footnote_marks_are_found(text, marks):
    assert _marks(text) == marks


@pytest.mark.parametrize(
    "text",
    [
        "During the COVID-19 pandemic, the F-35 and the G7 met.",
        "He upgraded to Windows 11, bought 1,500 shares at 3.5 percent in 2024.",
        "It happened in 2019. The next year B-52s flew; the 4th unit emitted CO2.",
        "Models such as GPT-4 and GPT4 and the MP3 format, H1-B visas and the A380.",
        "Web3 fans met at 10:30 on Jan.5 to discuss No.1 and Fig.3 and p.5.",
        "He won $1.2 billion, about 8½ months after the ’90s ended (1990–1999).",
        "He paid [21st] century prices; the [TAR's] figures; see [i.e., human-induced] change.",
        "Pressure rose to 28.5°E and 3.5%. Section 2.3 covers it.",
    ],
)
def test_real_numbers_are_not_footnotes(text):
    assert _marks(text) == []


def test_interface_lines_go_headings_and_bylines_stay():
    text = (
        "Is The Trump-Musk Relationship Sputtering?\n- Howie Klein\n- 4 hours ago\n- 8 min read\n"
        "Table of Contents\nToggleThe Evolution of an Unlikely Partnership\nBody text starts here.\n"
        "Read More 👇\nShare this article\nClick here to subscribe\nAdvertisement\n"
        "The Dynamics of Power\nShared Vision or Mutual Benefit?\nFollow the money\n"
        "Musk did not respond to requests for comment.\n"
    )
    result = clean(text)
    assert result.text == (
        "Is The Trump-Musk Relationship Sputtering?\n- Howie Klein\n"
        "The Evolution of an Unlikely Partnership\nBody text starts here.\n"
        "The Dynamics of Power\nShared Vision or Mutual Benefit?\nFollow the money\n"
        "Musk did not respond to requests for comment.\n"
    )
    assert result.removed == {"menu": 8}
    assert restore(result.text, result.edits) == text


def test_credits_and_repeated_captions_go_once_seen():
    caption = "Marco Rubio is shown in the Oval Office on Feb. 24, 2025."
    text = (
        f"{caption}\n\nThe meeting went well.\n\n{caption}\n\nPhoto: Jane Doe/Getty Images\n"
        "Saul Loeb/AFP via Getty Images\nIsrael/Palestine Talks Resume\nThe talks went on."
    )
    result = clean(text)
    assert result.text == f"{caption}\n\nThe meeting went well.\n\n\nIsrael/Palestine Talks Resume\nThe talks went on."
    assert result.removed == {"caption": 3}
    assert restore(result.text, result.edits) == text


def test_a_removed_last_line_takes_the_line_break_before_it():
    result = clean("The story ends here.\nShare this article")
    assert result.text == "The story ends here." and result.removed == {"menu": 1}


def test_clean_text_is_returned_as_is():
    text = "Nothing to clean here. The U.S. economy grew 3.5 percent in 2024."
    result = clean(text)
    assert result.text == text and result.edits == () and result.removed == {}


def test_offsets_map_back_at_both_edges_of_a_removal():
    original = "He rose dramatically15. Then end.12 Next"
    result = clean(original)
    assert result.text == "He rose dramatically. Then end. Next"
    sentence = result.text.index("dramatically.")
    end = sentence + len("dramatically.")
    assert original[to_original(sentence, result.edits) : to_original(end, result.edits, end=True)] == "dramatically15."
    stop = result.text.index("end.") + len("end.")
    assert original[: to_original(stop, result.edits, end=True)].endswith("end.")  # the sentence ends at "."
    nxt = result.text.index("Next")
    assert original[to_original(nxt, result.edits) :] == "Next"  # the next one starts after "12 "
    assert to_clean(original.index("12"), result.edits) == stop
    assert describe_cleaned(result.removed) == "2 footnote marks"


def test_edits_survive_the_index_metadata_round_trip():
    edits = ((3, "15"), (40, "Share this article\n"), (41, "“é”"))
    assert loads(dumps(edits)) == edits and dumps(()) == "" and loads("") == () and loads(None) == ()


_RANGES = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12)), max_size=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="ab .\n”5", min_size=0, max_size=60), _RANGES, st.data())
def test_any_removal_maps_back_exactly(text, ranges, data):
    clean_text, edits = remove(text, [(s, min(len(text), s + n)) for s, n in ranges if s <= len(text)])
    assert restore(clean_text, edits) == text
    for c in range(len(clean_text)):  # each clean character is the original character it maps to
        assert text[to_original(c, edits)] == clean_text[c]
        assert to_clean(to_original(c, edits), edits) == c
    start = data.draw(st.integers(0, len(clean_text)))
    end = data.draw(st.integers(start, len(clean_text)))
    local = within(edits, start, end)
    o_start, o_end = to_original(start, edits), to_original(end, edits, end=True)
    if start < end:  # a span's own edits restore its original text from its original start
        assert restore(clean_text[start:end], local) == text[o_start:o_end]
        assert all(o_start + to_original(c - start, local) == to_original(c, edits) for c in range(start, end))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=800))
def test_cleaning_any_text_is_reversible(text):
    result = clean(text)
    assert restore(result.text, result.edits) == text
    assert sum(result.removed.values()) >= (1 if result.edits else 0)
