"""Follow-up questions: turn "Who did he lead it with?" into "Who did Vivek Ramaswamy lead DOGE with?".

A rule, not an LLM rewrite: with the answering prompt in its context the small model answers instead
of rewriting, and a separate rewrite prompt would evict the cached answer prefix (seconds per turn).
Pronouns are replaced by the entity the last exchange introduced: a person (a multi-word proper
name) for he/she/him/his/her, an organisation or thing (an acronym or other proper name) for it/its.
The search also carries the previous question, so retrieval stays on the conversation's topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .terms import CAP, is_person, proper_names, strip_markers

_CONTEXT_WORDS = re.compile(
    r"\b(he|she|him|her|his|hers|they|them|their|it|its|this|that|these|those|there|then|the same|the other)\b", re.I
)
_ABOUT = re.compile(rf"^\s*(?:who|what)\s+(?:is|was|are|were)\s+({CAP}(?:\s+{CAP})*)", re.I)
_PREPOSITIONS = {"to", "for", "about", "with", "and", "that", "in", "on", "at", "from", "by", "of", "as", "than"}


@dataclass(frozen=True)
class Query:
    search: str  # what retrieval sees
    prompt: str  # what the model is asked
    topic: str  # the question in its own words plus the one before: what answers are checked against


def needs_context(question: str) -> bool:
    return bool(_CONTEXT_WORDS.search(question)) or len(question.split()) <= 3


def last_turn(history: list[dict[str, str]]) -> tuple[str, str]:
    previous_q = next((str(m.get("content", "")) for m in reversed(history) if m.get("role") == "user"), "")
    previous_a = next((str(m.get("content", "")) for m in reversed(history) if m.get("role") == "assistant"), "")
    return previous_q.strip(), strip_markers(previous_a).strip()


def _referents(question: str, previous_q: str, previous_a: str) -> tuple[str | None, str | None]:
    """(person, thing) the pronouns most likely mean: what the answer introduced first, then the
    previous question's own subject; never something the new question already names."""
    said = question.lower()
    new = [n for n in proper_names(previous_a) if n.lower() not in previous_q.lower()]
    about = _ABOUT.match(previous_q)  # "Who is Vivek Ramaswamy?": the conversation is about him
    first = [about.group(1)] if about else []
    candidates = [n for n in first + new + proper_names(previous_q) if n.lower() not in said]
    person = next((n for n in candidates if is_person(n)), None) or next(
        (n for n in candidates if is_person(n, single=True)), None)
    thing = next((n for n in candidates if not is_person(n) and (n.isupper() or len(n.split()) > 1)), None)
    return person, thing


def resolve_pronouns(question: str, previous_q: str, previous_a: str) -> str:
    person, thing = _referents(question, previous_q, previous_a)

    def swap(match: re.Match) -> str:
        word = match.group(0)
        low = word.lower()
        after = question[match.end():].lstrip()
        next_word = re.match(r"[A-Za-z]+", after)
        possessive = low in ("his", "its") or (low == "her" and next_word and next_word.group(0).lower() not in _PREPOSITIONS)
        target = person if low in ("he", "she", "him", "his", "her") else thing
        if target is None:
            return word
        return f"{target}'s" if possessive else target

    return re.sub(r"\b(he|she|him|his|her|it|its)\b", swap, question, flags=re.I)


def standalone_question(question: str, history: list[dict[str, str]]) -> Query:
    previous_q, previous_a = last_turn(history)
    if not previous_q or not needs_context(question):
        return Query(question, question, question)
    rewritten = resolve_pronouns(question, previous_q, previous_a)
    return Query(f"{rewritten} {previous_q}", rewritten, f"{rewritten} {previous_q}")
