from conftest import CORPUS
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.chunking import chunk_text, split_sentences


def test_sentences_respect_abbreviations_and_offsets():
    text = "Sen. Lindsey Graham spoke in Washington, D.C. on Monday. He said U.S. policy would change! Really?"
    spans = split_sentences(text)
    assert [s.text for s in spans] == [
        "Sen. Lindsey Graham spoke in Washington, D.C. on Monday.",
        "He said U.S. policy would change!",
        "Really?",
    ]
    for s in spans:
        assert text[s.start : s.end] == s.text


def test_chunks_are_sentence_aligned_overlapping_and_stable():
    text = (CORPUS / "004_52cee558051e1bed.txt").read_text(encoding="utf-8")
    chunks = chunk_text("004.txt", text, size=600, overlap=150)
    assert len(chunks) > 10
    assert [c.chunk_id for c in chunks] == [f"004.txt#{i}" for i in range(len(chunks))]
    assert chunks == chunk_text("004.txt", text, size=600, overlap=150)  # deterministic ids and bounds
    for a, b in zip(chunks, chunks[1:]):
        assert a.start < b.start  # always forward
        assert b.start <= a.end or not text[a.end : b.start].strip()  # overlap, or only whitespace between
    for c in chunks:
        assert text[c.start : c.end] == c.text
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("abc XYZ.!?\n,'\"")), max_size=3000),
    st.integers(min_value=20, max_value=800),
    st.integers(min_value=0, max_value=300),
)
def test_chunker_properties(text, size, overlap):
    chunks = chunk_text("doc", text, size=size, overlap=overlap)
    for c in chunks:
        assert text[c.start : c.end] == c.text
        assert c.text.strip() == c.text and c.text
    starts = [c.start for c in chunks]
    assert starts == sorted(set(starts))  # always moves forward, never repeats
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
