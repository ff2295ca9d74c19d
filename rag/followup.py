"""Follow-up questions: make "Who did he lead it with?" searchable and answerable on its own.

A rule, not an LLM rewrite: an extra generation would cost seconds and evict the cached prompt
prefix. When the new question leans on the conversation (pronouns, very short), the search query
adds the previous question and the names in the previous answer, and the model is shown the
previous exchange next to the new question (prompts/followup.txt).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .prompts import PromptSet
from .terms import strip_markers

_ANAPHORA = re.compile(
    r"\b(he|she|him|her|his|hers|they|them|their|theirs|it|its|this|that|these|those|there|then|the same|"
    r"the other|the former|the latter|the two|both|either|such)\b",
    re.I,
)
_NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,3}")


@dataclass(frozen=True)
class Query:
    search: str  # what retrieval sees
    prompt: str  # what the model is asked
    topic: str  # the question in its own words plus the one before: what answers are checked against


def needs_context(question: str) -> bool:
    return bool(_ANAPHORA.search(question)) or len(question.split()) <= 4


def last_turn(history: list[dict[str, str]]) -> tuple[str, str]:
    previous_q = next((str(m.get("content", "")) for m in reversed(history) if m.get("role") == "user"), "")
    previous_a = next((str(m.get("content", "")) for m in reversed(history) if m.get("role") == "assistant"), "")
    return previous_q.strip(), strip_markers(previous_a).strip()


def standalone_question(question: str, history: list[dict[str, str]], prompts: PromptSet) -> Query:
    previous_q, previous_a = last_turn(history)
    if not previous_q or not needs_context(question):
        return Query(question, question, question)
    names = [n for n in dict.fromkeys(_NAME.findall(previous_a)) if n.lower() not in previous_q.lower()][:4]
    search = " ".join([question, previous_q, *names])
    prompt = prompts.followup_question(question, previous_q, previous_a[:400])
    return Query(search, prompt, f"{question} {previous_q}")
