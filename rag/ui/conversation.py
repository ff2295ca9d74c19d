"""One browser tab's conversation: the questions asked and what came of each (kept in `gr.State`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..answer import Answer
from ..history import Conversation


@dataclass(frozen=True, kw_only=True)
class Turn:
    """One question and what came of it: an answer, a one-line reason why there is none, or (reopened
    from the history) the mark of an answer the server never finished."""

    question: str
    answer: Answer | None = None
    error: str = ""
    turn_id: int | None = None  # its row in the history, for feedback; None when it was not saved
    interrupted: bool = False


def history(turns: Sequence[Turn]) -> list[dict[str, Any]]:
    """The conversation as the pipeline reads it for follow-ups: answered turns only, a follow-up with
    the question it was resolved to, each answer with the chunks it cited (they stay candidates for
    the next answer's evidence)."""
    messages: list[dict[str, Any]] = []
    for turn in turns:
        if turn.answer is not None:
            resolved = {"standalone": turn.answer.standalone} if turn.answer.standalone else {}
            messages.append({"role": "user", "content": turn.question, **resolved})
            messages.append(
                {
                    "role": "assistant",
                    "content": turn.answer.answer,
                    "citations": [{"chunk_id": c.chunk_id} for c in turn.answer.citations],
                }
            )
    return messages


def reopened(conversation: Conversation) -> list[Turn]:
    """A saved conversation's turns as the chat shows them."""
    return [
        Turn(question=t.question, answer=t.answer, error=t.error, turn_id=t.id, interrupted=t.interrupted)
        for t in conversation.turns
    ]
