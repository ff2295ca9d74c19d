"""Prompt templates live as text files in `prompts/`; this module reads and fills them.

An installed wheel carries them as package data (`rag/prompt_templates/`, see setup.py); the default
`Settings.prompts_dir` points there when there is no checkout.

The system prompt and few-shot turns never change between questions, so they form a fixed prefix
that llama.cpp keeps in its KV cache; only passages and the question are new tokens per answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import PromptError

Message = dict[str, str]


@dataclass(frozen=True)
class PromptSet:
    system: str
    fewshot: tuple[Message, ...]
    user: str
    followup: str
    refusal: str

    def answer_messages(self, passages: str, question: str) -> list[Message]:
        return [
            {"role": "system", "content": self.system},
            *self.fewshot,
            {"role": "user", "content": self.user.format(passages=passages, question=question)},
        ]

    def followup_question(self, question: str, previous_question: str, previous_answer: str) -> str:
        return self.followup.format(question=question, previous_question=previous_question, previous_answer=previous_answer)


@lru_cache(maxsize=8)
def load_prompts(directory: Path) -> PromptSet:
    def read(name: str) -> str:
        path = directory / name
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise PromptError(f"prompt template {path} is missing or unreadable") from exc

    return PromptSet(
        system=read("system.txt"),
        fewshot=tuple(parse_turns(read("fewshot.txt"))),
        user=read("user.txt"),
        followup=read("followup.txt"),
        refusal=read("refusal.txt"),
    )


def parse_turns(text: str) -> list[Message]:
    """`### user` / `### assistant` headed blocks into chat messages."""
    turns: list[Message] = []
    for match in re.finditer(r"^### (user|assistant)\s*\n(.*?)(?=^### (?:user|assistant)\s*$|\Z)", text, re.S | re.M):
        turns.append({"role": match.group(1), "content": match.group(2).strip()})
    return turns
