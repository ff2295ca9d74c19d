"""Checks of the answer object against CONTRACT.md, shared by the CLI and pipeline tests."""

import re

from conftest import CORPUS

KEYS = {"question", "answer", "refused", "citations", "model", "timings"}
CITATION_KEYS = {"n", "source", "title", "chunk_id", "text", "start", "end", "score"}


def assert_answer_object(obj: dict, corpus=CORPUS) -> None:
    assert KEYS <= set(obj), obj
    assert isinstance(obj["refused"], bool)
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", obj["answer"])}
    numbers = [c["n"] for c in obj["citations"]]
    assert markers == set(numbers), (obj["answer"], numbers)  # no dangling marker, no unused citation
    assert numbers == list(range(1, len(numbers) + 1))
    if obj["refused"]:
        assert obj["citations"] == [] and obj["answer"]
    for c in obj["citations"]:
        assert CITATION_KEYS <= set(c)
        path = corpus / c["source"]
        if path.exists():
            text = path.read_text(encoding="utf-8")
            assert text[c["start"] : c["end"]] == c["text"]
            assert c["start"] <= c.get("highlight_start", c["start"]) <= c.get("highlight_end", c["end"]) <= c["end"]
    for key in ("retrieve_ms", "total_ms"):
        assert key in obj["timings"]
