"""Stand-ins for the two models, for unit tests of each pipeline step that run in milliseconds.

`ScriptedLLM` plays back canned outputs and records every prompt it was given (as simonw/llm's
MockModel does); `HashEmbedder` turns words into fixed pseudo-random directions, so texts sharing
words are near each other and every vector is the same on every run and machine. Real-model tests
stay for the end-to-end path.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

Message = dict[str, str]


@dataclass(frozen=True)
class Reply:
    """A canned output with how sure the model was of its least likely token (a log-probability)."""

    text: str
    certainty: float = 0.0


class ScriptedLLM:
    """A queue of canned outputs, streamed word by word; `prompts` holds every message list seen.

    An output may be a string, a `Reply` (text and certainty), or a callable taking the messages (for
    replies that depend on the prompt). `judge` answers `yes_probability` calls the same way: a float,
    or a callable taking the messages. An empty queue is a test bug, not a silent empty answer."""

    name = "scripted"

    def __init__(
        self,
        outputs: Sequence[str | Callable[[list[Message]], str]] = (),
        judge: float | Callable[[list[Message]], float] = 1.0,
    ) -> None:
        self.outputs = deque(outputs)
        self.prompts: list[list[Message]] = []
        self.judged: list[list[Message]] = []
        self.warmed: list[list[Message]] = []
        self.forbidden: list[tuple[str, ...]] = []  # each stream call's forbidden words
        self.judge = judge
        self.busy = False

    def stream(
        self,
        messages: list[Message],
        max_tokens: int = 200,
        temperature: float = 0.0,
        stats=None,
        stop: list[str] | None = None,
        prefix: str = "",
        forbid: Sequence[str] = (),
    ) -> Iterator[str]:
        self.prompts.append(messages)
        self.forbidden.append(tuple(forbid))
        if not self.outputs:
            raise AssertionError(f"ScriptedLLM ran out of outputs; last prompt: {messages[-1]['content'][:200]!r}")
        output = self.outputs.popleft()
        reply = output(messages) if callable(output) else output
        reply = reply if isinstance(reply, Reply) else Reply(reply)
        if stats is not None:
            stats.lowest_logprob = reply.certainty
        for piece in re.findall(r"\S+\s*|\s+", reply.text):
            if stats is not None:
                stats.token(0.0)
            yield piece

    def yes_probability(self, messages: list[Message], prefix: str = "") -> float:
        self.judged.append(messages)
        return self.judge(messages) if callable(self.judge) else float(self.judge)

    def warm(self, messages: list[Message]) -> None:
        self.warmed.append(messages)


class HashEmbedder:
    """Bag-of-words vectors from word hashes: deterministic, fast, and similar for texts sharing words."""

    name = "hash-embedder"
    model_name = "hash-embedder"
    dimension = 64

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", str(text).lower()):
                seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "little")
                out[i] += np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32)
            norm = float(np.linalg.norm(out[i]))
            out[i] = out[i] / norm if norm else out[i]
            if norm == 0.0:
                out[i, 0] = 1.0
        if progress:
            progress(len(texts))
        return out

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def embed_recalled(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed(texts)
