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
    followup = prompts.followup_messages("And then?", "When does it run?", "On Monday.")
    assert followup[:-1] == prompts.followup_prefix() and followup[0]["role"] == "system"  # the fixed part first
    assert "And then?" in followup[-1]["content"] and "When does it run?" in followup[-1]["content"]
    assert "{" not in followup[-1]["content"]


def test_a_followup_template_must_end_with_the_turn_it_fills(tmp_path):
    folder = tmp_path / "prompts"
    shutil.copytree(PROJECT_ROOT / "prompts", folder)
    (folder / "followup.txt").write_text("### system\nRewrite.\n### user\nNo placeholder here.\n")
    with pytest.raises(PromptError, match="followup.txt"):
        load_prompts(folder)


def test_fewshot_turns_are_parsed_by_their_headings():
    text = (
        "### system\nBe brief.\n### user\nFirst question?\n\n### assistant\nAn answer [1].\nSecond line.\n"
        "### user\nAgain?\n"
    )
    assert parse_turns(text) == [
        {"role": "system", "content": "Be brief."},
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
