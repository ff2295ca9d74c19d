"""Feedback that becomes test data: thumbs up/down from the chat, exported as `rag eval` items.

The export speaks the dev.jsonl format (`id`, `question`, `answers`, `sources`, `kind`):
- an up-voted answer becomes an item whose gold answer is a short span of the answer itself (the
  rule in `gold_span`) and whose sources are the files it cited; an up-voted refusal becomes an
  `unanswerable` item (the person agreed the articles do not say);
- a down-voted answer becomes a `review` item carrying the comment and the answer that was given:
  its `answers` are empty until a person writes the right one and sets its kind. `rag eval` sets
  review items aside (and says how many) rather than scoring them as questions to refuse.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .evaluation import stem_of
from .history import Feedback
from .sentences import split_sentences
from .terms import content_terms, numbers, strip_markers

REVIEW = "review"
_TOKEN = re.compile(r"\$?\d[\d,.]*\d%?|\$?\d%?|[^\W\d_][\w'’-]*")


def eval_item(feedback: Feedback) -> dict[str, Any]:
    """One feedback record as an eval item (see the module docstring)."""
    answer = feedback.answer
    item: dict[str, Any] = {
        "id": f"feedback-{feedback.id}",
        "question": feedback.question,
        "answers": [],
        "sources": list(dict.fromkeys(stem_of(c.source) for c in answer.citations)),
        "answer_given": answer.answer,
    }
    if feedback.comment:
        item["comment"] = feedback.comment
    if feedback.vote < 0:
        item["kind"] = REVIEW
    elif answer.refused:
        item["kind"] = "unanswerable"
    else:
        item.update(kind="factoid", answers=[gold_span(feedback.question, answer.answer)])
    if answer.scope:
        item["scope"] = answer.scope
    return item


def gold_span(question: str, answer: str) -> str:
    """The part of an answer that answers: in its first sentence (markers removed), the longest run of
    words the question does not contain (a name, a figure), joined across single small words
    ("Department of Government Efficiency") but not across punctuation; the whole sentence when
    every word was in the question.

    "Who co-led DOGE with Musk?" / "Vivek Ramaswamy co-led DOGE with Musk [1]." -> "Vivek Ramaswamy".
    Short, so `rag eval` (which looks for it inside the answer) accepts other phrasings around it."""
    text = strip_markers(answer).strip()
    sentences = split_sentences(text)
    first = sentences[0].text.strip() if sentences else text
    asked_terms, asked_numbers = content_terms(question), numbers(question)
    tokens = list(_TOKEN.finditer(first))

    def new(token: str) -> bool:
        if token[0].isdigit() or token[0] == "$":
            return not numbers(token) <= asked_numbers
        terms = content_terms(token)
        return bool(terms) and not terms & asked_terms

    flags = [new(t.group(0)) for t in tokens]

    def joins(a: int, b: int) -> bool:  # only spaces between tokens a and b: punctuation ends a run
        return b < len(tokens) and not first[tokens[a].end() : tokens[b].start()].strip()

    def extends(j: int) -> int:  # how far the run ending at token j reaches next (0: it ends)
        if joins(j, j + 1) and flags[j + 1]:
            return 1
        small = j + 1 < len(tokens) and not content_terms(tokens[j + 1].group(0))
        return 2 if small and joins(j, j + 1) and joins(j + 1, j + 2) and flags[j + 2] else 0

    best: tuple[int, int] | None = None
    i = 0
    while i < len(tokens):
        if not flags[i]:
            i += 1
            continue
        j = i
        while step := extends(j):
            j += step
        span = (tokens[i].start(), tokens[j].end())
        if best is None or span[1] - span[0] > best[1] - best[0]:
            best = span
        i = j + 1
    return first[best[0] : best[1]] if best else first.rstrip(".")


def export_feedback(records: Iterable[Feedback]) -> list[dict[str, Any]]:
    return [eval_item(f) for f in records]


def write_jsonl(items: Iterable[dict[str, Any]], out: Any) -> int:
    n = 0
    for item in items:
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
        n += 1
    return n


def without_review(questions: Path, folder: Path) -> tuple[Path, int]:
    """The question file `rag eval` should run: `questions` itself, or (when it holds `review` items,
    which have no gold answer yet) a copy in `folder` without them; and how many were set aside."""
    try:
        lines = questions.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read {questions}: {exc.strerror or exc}") from exc
    kept = [line for line in lines if not _is_review(line)]
    aside = sum(1 for line in lines if line.strip()) - sum(1 for line in kept if line.strip())
    if not aside:
        return questions, 0
    if not any(line.strip() for line in kept):
        raise ConfigError(
            f"{questions} holds only `review` items ({aside}): give each its right answer and "
            "kind before evaluating with it"
        )
    copy = folder / questions.name
    copy.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return copy, aside


def _is_review(line: str) -> bool:
    try:
        item = json.loads(line)
    except ValueError:
        return False  # the evaluator reports malformed lines itself
    return isinstance(item, dict) and item.get("kind") == REVIEW
