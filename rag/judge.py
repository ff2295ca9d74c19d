"""Should this answer be shown, or refused? The model judges, through its token probabilities.

Two reflection questions, in the spirit of Self-RAG's reflection tokens (read here from an
instruction model through its few-shot format instead of a fine-tune), each one forward pass and
no decoding:
- found: before answering, the reply opens with "Found: yes|no" (prompts/fewshot.txt), and P(yes)
  there says whether the passages state the answer. It costs nothing extra: it is read off the prompt
  evaluation that generation needs anyway, and the answer is then generated after "Found: yes".
- judged: after answering, the judge question (prompts/judge.txt) is asked in the same conversation;
  only its own tokens are new to the KV cache.
Together with the lexical coverage of the answer's claims by its cited passages, they make one
logistic score whose weights and threshold live in Settings, fitted on the tuning sets by
`python -m bench.calibrate` (see README "Quality").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .config import Settings

FOUND_PREFIX = "Found:"  # the opening of every few-shot reply: the model's own verdict comes next
ANSWER_PREFIX = "Found: yes\n"  # the answer is always generated; the pipeline decides whether to show it


@dataclass(frozen=True, kw_only=True)
class Signals:
    """What the answer stage measured about one answer, each in [0, 1]."""

    found: float  # P(yes) at "Found:", before answering
    judged: float  # P(yes) to the judge question, after answering
    coverage: float  # share of the kept sentences' claims their cited passages hold (0 when none kept)

    def features(self) -> tuple[float, float, float]:
        return _logit(self.found), _logit(self.judged), self.coverage


def confidence(signals: Signals, settings: Settings) -> float:
    """The calibrated probability that the answer is right and answers the question."""
    found, judged, coverage = signals.features()
    z = (settings.answer_bias + settings.found_weight * found + settings.judge_weight * judged
         + settings.coverage_weight * coverage)
    return 1.0 / (1.0 + math.exp(-z))


def _logit(p: float, eps: float = 1e-4) -> float:
    p = min(1 - eps, max(eps, p))
    return math.log(p / (1 - p))
