"""Shared pieces of the benchmark: result rows, percentiles, timers, the questions it asks."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent  # the checkout the benchmark runs from
DEV_QUESTIONS = ROOT.parent / "shared" / "eval" / "dev.jsonl"  # ../shared/eval/dev.jsonl
EXAMPLES = ROOT / "corpus" / "examples.json"  # the bundled articles' example questions


@dataclass
class Row:
    """One figure of the table, with the raw engine's figure measured beside it in the same run."""

    section: str
    metric: str
    value: float | None
    unit: str = ""
    baseline: float | None = None
    baseline_label: str = ""
    target: str = ""  # e.g. ">= 0.95 x raw", "<= 2.5 s"
    met: bool | None = None  # None: no target, or not measured
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["ratio"] = None if self.ratio is None else round(self.ratio, 3)
        return out


@dataclass
class Section:
    name: str
    rows: list[Row] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""

    def add(self, metric: str, value: float | None, unit: str = "", **kw: Any) -> Row:
        row = Row(self.name, metric, value, unit, **kw)
        self.rows.append(row)
        return row


def percentile(values: Iterable[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default) of `values`, None when empty."""
    data = sorted(float(v) for v in values)
    if not data:
        return None
    pos = (len(data) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def at_most(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def at_least(value: float | None, limit: float) -> bool | None:
    return None if value is None else value >= limit


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    @property
    def ms(self) -> float:
        return self.seconds * 1000.0


def load_dev_questions(path: Path | None = None) -> list[dict[str, Any]]:
    """The dev questions, or [] when the file is absent (the caller says so)."""
    path = path or DEV_QUESTIONS
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [json.loads(line) for line in lines if line.strip()]


def example_questions(path: Path = EXAMPLES) -> list[dict[str, Any]]:
    """The bundled articles' example questions (`corpus/examples.json`: file name -> questions) in the
    dev questions' shape, each with its article as the gold source."""
    data = json.loads(path.read_text(encoding="utf-8"))
    pairs = [(name, question) for name, questions in data.items() for question in questions]
    return [
        {"id": f"example{i}", "question": question, "sources": [stem(name)], "kind": "factoid"}
        for i, (name, question) in enumerate(pairs, start=1)
    ]


def stem(source: str) -> str:
    return source.rsplit(".", 1)[0]


def gold_rank(passage_sources: list[str], gold: list[str]) -> int | None:
    """1-based rank of the first passage from a gold article, None when none is retrieved."""
    wanted = {stem(g) for g in gold}
    for rank, source in enumerate(passage_sources, start=1):
        if stem(source) in wanted:
            return rank
    return None
