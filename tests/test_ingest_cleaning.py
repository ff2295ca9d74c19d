"""A web-scraped article indexes clean (real Chroma, real keyword index, a hash embedder): no footnote
digits or menu lines in chunks or in the keyword index, what was removed recorded per file, and every
offset still pointing into the article as loaded."""

from __future__ import annotations

import hashlib

import pytest
from conftest import make_settings
from fakes import HashEmbedder

from rag.chunking import chunk_document
from rag.documents import load_document
from rag.indexing import index_paths
from rag.library import Library
from rag.pipeline import Pipeline
from rag.retrieval import _passage, merge_overlapping
from rag.sentences import split_sentences
from rag.store import _stored
from rag.textmap import restore, within

PARAGRAPHS = [
    "The tycoon and the president began as rivals. Their early meetings were cold, and the tycoon left two "
    "advisory councils in 2017 over the climate accord5. During the COVID-19 pandemic they found common cause.",
    "After the rally the tycoon raised his support dramatically15. He gave more than $200 million to super "
    "PACs35. The F-35 program, with 1,500 suppliers, was never mentioned.",
    "Officials said the relationship5 was “closer than ever”6. One adviser called it “a marriage of "
    "convenience.”[3] Growth reached 3.5 percent in 2019.",
    "The arrangement drew criticism.12 Critics said the ethics rules were bent. The office answered on Jan. 5 "
    "that No. 5 of its rules allowed it.",
]
CAPTION = "The tycoon speaks at a rally in Butler, Pennsylvania, on Oct. 5, 2024."
NOISY = (
    "\n".join(
        [
            "Inside the Unlikely Alliance",
            "- Jane Writer",
            "- 4 hours ago",
            "- 8 min read",
            "Table of Contents",
            "ToggleHow It Began",
            CAPTION,
            "Photo: Evan Vucci/AP Photo",
            PARAGRAPHS[0],
            "Share this article",
            "Read More 👇",
            PARAGRAPHS[1],
            CAPTION,
            "Saul Loeb/AFP via Getty Images",
            "Advertisement",
            PARAGRAPHS[2],
            "Click here to subscribe",
            PARAGRAPHS[3],
            CAPTION,
        ]
    )
    + "\n"
)


@pytest.fixture(params=[90, 0], ids=["overlapping", "adjacent"])
def indexed(tmp_path, request):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "web.txt").write_text(NOISY, encoding="utf-8")
    paragraphs = "".join(f"<p>{line}</p>" for line in NOISY.splitlines())
    (corpus / "web.html").write_text(f"<html><body><article>{paragraphs}</article></body></html>", encoding="utf-8")
    settings = make_settings(tmp_path / "index", corpus_dir=corpus, chunk_chars=260, chunk_overlap_chars=request.param)
    pipeline = Pipeline(settings)
    report = index_paths([corpus], settings, pipeline.store, HashEmbedder())
    return corpus, pipeline, report


def test_noise_is_recorded_per_file_and_in_the_summary(indexed):
    corpus, pipeline, report = indexed
    expected = {"footnote": 7, "menu": 8, "caption": 4}
    assert pipeline.store.files()["web.txt"].removed == expected
    assert pipeline.store.files()["web.html"].removed == expected
    assert report.cleaned == {kind: 2 * n for kind, n in expected.items()}
    assert "cleaned out 14 footnote marks, 16 menu lines, 8 caption lines" in report.summary()
    assert (
        hashlib.sha256((corpus / "web.txt").read_bytes()).hexdigest() == pipeline.store.files()["web.txt"].content_hash
    )


def test_chunks_and_keyword_index_hold_the_clean_text(indexed):
    _, pipeline, _ = indexed
    store = pipeline.store
    chunks = store.chunks_of("web.txt")
    text = " ".join(c.text for c in chunks)
    for noise in (
        "dramatically15",
        "PACs35",
        "relationship5",
        "[3]",
        "criticism.12",
        "Table of Contents",
        "8 min read",
        "Share this",
        "Read More",
        "Advertisement",
        "Getty",
        "Toggle",
        "Photo:",
    ):
        assert noise not in text, noise
    for kept in (
        "COVID-19",
        "F-35",
        "1,500",
        "3.5 percent",
        "in 2019.",
        "Jan. 5",
        "No. 5",
        "- Jane Writer",
        "How It Began",
    ):
        assert kept in text, kept
    assert text.count(CAPTION) >= 1 and "Rally" not in text
    assert store.keyword().search("dramatically15", 5) == []
    assert store.keyword().search("dramatically", 5)


@pytest.mark.parametrize("source", ["web.txt", "web.html"])
def test_every_offset_points_into_the_original(indexed, source):
    corpus, pipeline, _ = indexed
    original = load_document(corpus / source).text
    chunks = pipeline.store.chunks_of(source)
    assert len(chunks) >= 4 and any(c.edits for c in chunks)
    assert any(c.lead_edits for c in chunks) or pipeline.settings.chunk_overlap_chars
    for before, chunk in zip([None, *chunks], chunks):
        assert restore(chunk.text, chunk.edits) == original[chunk.start : chunk.end]
        if before is not None and (chunk.lead or chunk.lead_edits):
            assert restore(chunk.lead, chunk.lead_edits) == original[before.end : chunk.start]
    # passages merged from any run of chunks map each sentence back to the original text
    passages = [_passage(c, 1.0 / (i + 1), 0.0, 0.0) for i, c in enumerate(chunks)]
    for lo in range(len(passages)):
        for merged in (merge_overlapping(passages[lo:]), merge_overlapping(passages[lo:][::-1])):
            assert len(merged) == 1
            p = merged[0]
            assert restore(p.text, p.edits) == original[p.start : p.end]
            for sentence in split_sentences(p.text):
                mapped = p.source_span(sentence)
                assert original[mapped.start : mapped.end] == mapped.text
                assert restore(sentence.text, within(p.edits, sentence.start, sentence.end)) == mapped.text


def test_a_sentence_maps_to_its_original_with_the_noise(indexed):
    corpus, pipeline, _ = indexed
    original = (corpus / "web.txt").read_text(encoding="utf-8")
    chunk = next(c for c in pipeline.store.chunks_of("web.txt") if "dramatically." in c.text)
    p = _passage(chunk, 1.0, 0.0, 0.0)
    sentence = next(s for s in split_sentences(p.text) if "dramatically." in s.text)
    mapped = p.source_span(sentence)
    assert mapped.text == "After the rally the tycoon raised his support dramatically15."
    assert original[mapped.start : mapped.end] == mapped.text
    assert p.to_original(sentence.start) == mapped.start


def test_article_view_pieced_from_chunks_is_the_original(indexed):
    corpus, pipeline, _ = indexed
    original = load_document(corpus / "web.html").text
    article = Library(pipeline).article("web.html")  # an .html file: pieced together from its chunks
    assert article is not None
    text = article.text
    chunks = pipeline.store.chunks_of("web.html")
    first, last = chunks[0].start, chunks[-1].end
    assert text[first:last] == original[first:last]


def test_chunks_of_a_document_are_cut_on_its_clean_text(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(NOISY, encoding="utf-8")
    doc = load_document(path)
    assert doc.text == NOISY and "dramatically15" not in doc.clean.text
    chunks = chunk_document(doc, 260, 90)
    assert [c.chunk_id for c in chunks] == [f"a.txt#{i}" for i in range(len(chunks))]
    assert all(restore(c.text, c.edits) == NOISY[c.start : c.end] for c in chunks)


def test_chunks_of_an_older_index_read_without_edits():
    old = _stored("a.txt#0", None, {"source": "a.txt", "start": 3, "end": 9, "text": "abcdef", "lead": ""})
    assert old.edits == () and old.lead_edits == ()
    assert _passage(old, 1.0, 0.0, 0.0).source_span(split_sentences("abcdef")[0]).start == 3
