"""KV-cache snapshots of fixed prompt prefixes (rag/llm.py) on a real, tiny model: after the follow-up
rewrite prompt has taken llama.cpp's cache, the answer prompt's prefix is restored, not read again,
and the model computes exactly what it computes from a live cache."""

from __future__ import annotations

import re

import pytest
from conftest import PROJECT_ROOT, TINY_MODEL, make_settings

from rag.judge import FOUND_PREFIX
from rag.llm import LocalLLM, load_llm
from rag.prompts import load_prompts

PROMPTS = load_prompts(PROJECT_ROOT / "prompts")
QUESTION = PROMPTS.answer_messages("[1] The Lakeview ferry runs on Mondays.", "When does the ferry run?")
REWRITE = PROMPTS.followup_messages("And on holidays?", "When does the ferry run?", "On Mondays.")


@pytest.fixture(scope="module")
def llm(tmp_path_factory) -> LocalLLM:
    model = load_llm(make_settings(tmp_path_factory.mktemp("llm"), model=TINY_MODEL, n_threads=1))
    assert isinstance(model, LocalLLM)
    return model


def evaluated(llm: LocalLLM, monkeypatch) -> list[int]:
    """Counts of the tokens llama.cpp reads from here on (the real evaluation still runs)."""
    counts: list[int] = []
    inner = llm.llama.eval

    def counting(tokens):
        counts.append(len(tokens))
        return inner(tokens)

    monkeypatch.setattr(llm.llama, "eval", counting)
    return counts


def test_the_answer_prefix_comes_back_from_its_snapshot_after_a_rewrite(llm, monkeypatch):
    answer_prefix = PROMPTS.answer_messages("", "")
    llm.warm(answer_prefix)
    live = llm.yes_probability(QUESTION, prefix=FOUND_PREFIX)  # from the live cache

    llm.warm(PROMPTS.followup_prefix())  # the rewrite's own fixed part: evaluated once, then kept
    rewrite_read = evaluated(llm, monkeypatch)
    "".join(llm.stream(REWRITE, 4, 0.0, stop=["\n"]))
    fixed = len(llm.prompt_tokens(PROMPTS.followup_prefix()))
    assert sum(rewrite_read) < fixed / 2  # the rewrite read its conversation turn, not its fixed part

    monkeypatch.undo()
    answer_read = evaluated(llm, monkeypatch)
    restored = llm.yes_probability(QUESTION, prefix=FOUND_PREFIX)
    assert restored == live  # the same cache, bit for bit
    assert sum(answer_read) < len(llm.prompt_tokens(answer_prefix)) / 2  # its prefix was not read again


def test_warming_a_kept_prefix_again_reads_nothing(llm, monkeypatch):
    llm.warm(PROMPTS.followup_prefix())
    llm.warm(PROMPTS.answer_messages("", ""))
    reads = evaluated(llm, monkeypatch)
    llm.warm(PROMPTS.followup_prefix())
    llm.warm(PROMPTS.answer_messages("", ""))
    assert reads == []


def test_forbidden_words_are_never_written(llm):
    echo = [{"role": "user", "content": "Repeat exactly: Why was that a problem? That was the question."}]
    free = "".join(llm.stream(echo, 24, 0.0, stop=["\n"]))
    banned = "".join(llm.stream(echo, 24, 0.0, stop=["\n"], forbid=["that"]))
    assert re.search(r"\bthat\b", free, re.I)  # the model writes it when it may (else the ban proves nothing)
    assert banned.strip() and not re.search(r"\bthat\b", banned, re.I)  # still a reply, without the word
