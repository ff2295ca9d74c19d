"""Should this answer be shown, or refused? The model's own certainty, read from its token probabilities.

The answer prompt's replies open with "Found: yes|no" (prompts/fewshot.txt): a reflection token in the
spirit of Self-RAG, read here from an instruction model through its few-shot format instead of a
fine-tune. P(yes) there, before a word of the answer is written, is the model's verdict on whether
the passages hold the answer; it costs nothing extra, because it is read off the prompt evaluation
that generation needs anyway. The answer is then always generated after "Found: yes", and the
lowest probability among the tokens the model chose says how sure it was of what it wrote (a
distractor picked from a passage is often a near-tie). A third signal is not the model's: how near the
passage sentence the answer rests on is to the question, in the embedder's space (a true sentence
about something else, "the highest temperature recorded" for "the snowiest peak", is far from it).
A fourth is the premise's: the share of the question's own words that the passages the answer cites
never state (an answer that takes as given what its sources do not say). All go into one logistic
score whose weights and threshold live in Settings, fitted on the tuning sets by
`python -m bench.calibrate`.

A separate judge question after the answer was measured too (README "Quality"): asked in the same
conversation the model agrees with itself; asked afresh it adds little over these two signals and
costs a second prompt evaluation (1.5-2.5 s on 2 cores), so the default does not ask it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .config import Settings

FOUND_PREFIX = "Found:"  # the opening of every few-shot reply: the model's own verdict comes next
ANSWER_PREFIX = "Found: yes\n"  # the answer is always generated; the pipeline decides whether to show it
# the order of `Signals.features()`; each has its `{name}_weight` in Settings
FEATURES = ("found", "certainty", "relevance", "unstated")


@dataclass(frozen=True, kw_only=True)
class Signals:
    """What the answer stage measured about one answer."""

    found: float  # P(yes) at "Found:", before answering
    certainty: float  # the lowest log-probability among the answer's chosen tokens (0: sure of every one)
    relevance: float = 0.0  # cosine of the question and the passage sentence the answer rests on (at most 1)
    unstated: float = 0.0  # share of the question's words (names aside) the passages the answer cites never state

    def features(self) -> tuple[float, float, float, float]:
        return _logit(self.found), self.certainty, self.relevance, self.unstated

    def as_dict(self) -> dict[str, float]:
        return {
            "found": round(self.found, 4),
            "certainty": round(self.certainty, 4),
            "relevance": round(self.relevance, 4),
            "unstated": round(self.unstated, 4),
        }

    @classmethod
    def from_dict(cls, values: dict[str, float]) -> Signals | None:
        """Signals as an Answer carries them; None when the answer never reached the model."""
        if not all(name in values for name in FEATURES):
            return None
        return cls(**{name: float(values[name]) for name in FEATURES})


def found_floor(settings: Settings, relevance_bound: float = 1.0) -> float:
    """The P(found) below which no certainty could reach the threshold: below it the answer is refused
    before a word is written (certainty is at most 0, a model sure of every token; relevance at most
    `relevance_bound`, the evidence's sentence nearest the question, since the answer rests on one; the
    unstated share between 0 and 1)."""
    best_rest = max(settings.relevance_weight * relevance_bound, 0.0) + max(settings.unstated_weight, 0.0)
    z = (
        (_logit(settings.answer_threshold) - settings.answer_bias - best_rest) / settings.found_weight
        if settings.found_weight > 0
        else -50.0
    )
    return 1.0 / (1.0 + math.exp(-z))


def weights(settings: Settings) -> tuple[float, ...]:
    """The settings' weight of each signal, in the order of FEATURES (`{name}_weight`)."""
    return tuple(getattr(settings, f"{name}_weight") for name in FEATURES)


def confidence(signals: Signals, settings: Settings) -> float:
    """The calibrated probability that the answer is right and answers the question."""
    z = settings.answer_bias
    for weight, feature in zip(weights(settings), signals.features(), strict=True):
        z += weight * feature
    return 1.0 / (1.0 + math.exp(-z))


def _logit(p: float, eps: float = 1e-4) -> float:
    p = min(1 - eps, max(eps, p))
    return math.log(p / (1 - p))
