"""Evidence from a cleaned article cites the original text at its original offsets."""

from conftest import make_settings
from fakes import HashEmbedder
from test_ingest_cleaning import NOISY

from rag.evidence import select_evidence
from rag.indexing import index_paths
from rag.pipeline import Pipeline
from rag.question import analyse
from rag.retrieval import Retriever


def test_evidence_offsets_point_into_the_original(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "web.txt").write_text(NOISY, encoding="utf-8")
    settings = make_settings(tmp_path / "index", corpus_dir=corpus, chunk_chars=260, chunk_overlap_chars=90)
    pipeline = Pipeline(settings)
    emb = HashEmbedder()
    index_paths([corpus], settings, pipeline.store, emb)
    checked = 0
    for q in [
        "support dramatically rally tycoon",
        "relationship closer than ever marriage",
        "criticism ethics rules office",
    ]:
        r = Retriever(pipeline.store, emb, settings).retrieve(q, 4)
        ev = select_evidence(analyse(q), r, emb, 4, 2000, 600)
        for e in ev.items:
            assert NOISY[e.start : e.end] == e.source_text
            assert "dramatically15" not in e.text
            for s in e.sentences:
                assert e.start <= s.start < s.end <= e.end
                checked += 1
    assert checked
