"""Prompt templates: read from the folder, filled, and a missing one named."""

from __future__ import annotations

import shutil

import pytest
from conftest import PROJECT_ROOT

from rag.errors import PromptError
from rag.prompts import load_prompts, parse_turns


def test_the_project_prompts_load_and_fill():
    prompts = load_prompts(PROJECT_ROOT / "prompts")
    messages = prompts.answer_messages("[1] The ferry runs on Monday.", "When does the ferry run?")
    assert messages[0]["role"] == "system" and messages[-1]["role"] == "user"
    assert "When does the ferry run?" in messages[-1]["content"]
    assert "[1] The ferry runs on Monday." in messages[-1]["content"]
    assert len(messages) == 2 + len(prompts.fewshot) and prompts.refusal
    followup = prompts.followup_question("And then?", "When does it run?", "On Monday [1].")
    assert "And then?" in followup and "When does it run?" in followup


def test_fewshot_turns_are_parsed_by_their_headings():
    text = "### user\nFirst question?\n\n### assistant\nAn answer [1].\nSecond line.\n### user\nAgain?\n"
    assert parse_turns(text) == [
        {"role": "user", "content": "First question?"},
        {"role": "assistant", "content": "An answer [1].\nSecond line."},
        {"role": "user", "content": "Again?"},
    ]
    assert parse_turns("no headings at all") == []


def test_a_missing_template_is_named(tmp_path):
    folder = tmp_path / "prompts"
    shutil.copytree(PROJECT_ROOT / "prompts", folder)
    (folder / "user.txt").unlink()
    with pytest.raises(PromptError, match="user.txt"):
        load_prompts(folder)
