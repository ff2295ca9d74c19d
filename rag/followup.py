"""Follow-up questions: make "Who did he lead it with?" searchable and answerable on its own.

A rule, not an LLM call: an extra generation would cost seconds and evict the cached prompt prefix.
When the new question leans on the conversation (pronouns, very short), the search query adds the
previous question and the names in the previous answer, and the model is told what came before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .terms import strip_markers

_ANAPHORA = re.compile(
    r"\b(he|she|him|her|his|hers|they|them|their|theirs|it|its|this|that|these|those|there|then|the same|"
    r"the other|the former|the latter|the two|both|either|such)\b",
    re.I,
)
_NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+(?:[A-Z][\w’'-]+|of|the|for)){0,4}(?<!\bof)(?<!\bthe)(?<!\bfor)")


@dataclass(frozen=True)
class Query:
    search: str  # what retrieval sees
    prompt: str  # what the model is asked


def needs_context(question: str) -> bool:
    return bool(_ANAPHORA.search(question)) or len(question.split()) <= 4


def standalone_question(question: str, history: list[dict[str, str]]) -> Query:
    previous_q = next((m.get("content", "") for m in reversed(history) if m.get("role") == "user"), "")
    previous_a = next((m.get("content", "") for m in reversed(history) if m.get("role") == "assistant"), "")
    if not previous_q or not needs_context(question):
        return Query(question, question)
    previous_a = strip_markers(previous_a)
    names = [n for n in dict.fromkeys(_NAME.findall(previous_a)) if n.lower() not in previous_q.lower()][:4]
    search = " ".join([question, previous_q, *names])
    prompt = f"{question} (This follows the earlier question: {previous_q.strip()})"
    return Query(search, prompt)
