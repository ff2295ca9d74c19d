"""Prompt templates live as text files in `prompts/`; this module reads and fills them.

An installed wheel carries them as package data (`rag/prompt_templates/`, see setup.py); the default
`Settings.prompts_dir` points there when there is no checkout.

The system prompt and few-shot turns never change between questions, so they form a fixed prefix
that llama.cpp keeps in its KV cache; only passages and the question are new tokens per answer. The
follow-up rewrite prompt (`followup.txt`: a system turn, example turns, then the one turn that is
filled in) is built the same way: everything before its last turn is its fixed prefix.
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

    def answer_messages(self, passages: str, question: str, examples: bool = True) -> list[Message]:
        """The answer prompt; `examples=False` leaves out the worked examples (for a reply that retold
        them instead of the passages)."""
        return [
            {"role": "system", "content": self.system},
            *(self.fewshot if examples else ()),
            {"role": "user", "content": self.user.format(passages=passages, question=question)},
        ]

    def example_text(self) -> str:
        """Everything the worked examples say, to recognise a reply that copies them."""
        return "\n".join(turn["content"] for turn in self.fewshot)

    def followup_prefix(self) -> list[Message]:
        """The rewrite prompt's fixed part: the same for every follow-up, kept in the KV cache."""
        return _followup_turns(self.followup)[:-1]

    def followup_messages(self, question: str, previous_question: str, previous_answer: str) -> list[Message]:
        """The rewrite prompt for one follow-up: the fixed part, then the last exchange and the follow-up."""
        *fixed, last = _followup_turns(self.followup)
        filled = last["content"].format(
            question=question, previous_question=previous_question, previous_answer=previous_answer
        )
        return [*fixed, {"role": last["role"], "content": filled}]


@lru_cache(maxsize=8)
def load_prompts(directory: Path) -> PromptSet:
    def read(name: str) -> str:
        path = directory / name
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise PromptError(f"prompt template {path} is missing or unreadable") from exc

    followup = read("followup.txt")
    last = _followup_turns(followup)[-1]
    if last["role"] != "user" or "{question}" not in last["content"]:
        raise PromptError(
            f"prompt template {directory / 'followup.txt'} must end with a ### user turn holding {{question}}"
        )
    return PromptSet(
        system=read("system.txt"),
        fewshot=tuple(parse_turns(read("fewshot.txt"))),
        user=read("user.txt"),
        followup=followup,
        refusal=read("refusal.txt"),
    )


def parse_turns(text: str) -> list[Message]:
    """`### system` / `### user` / `### assistant` headed blocks into chat messages."""
    turns: list[Message] = []
    for match in re.finditer(
        r"^### (system|user|assistant)\s*\n(.*?)(?=^### (?:system|user|assistant)\s*$|\Z)", text, re.S | re.M
    ):
        turns.append({"role": match.group(1), "content": match.group(2).strip()})
    return turns


def _followup_turns(text: str) -> list[Message]:
    """The rewrite template's turns; a template without headings is one user turn."""
    return parse_turns(text) or [{"role": "user", "content": text}]
