"""Fit the answer-or-refuse decision (rag/judge.py) on tuning sets, and print its frontier.

Each set is run through the real pipeline with the decision switched off (every checked answer is
shown), so every item yields its signals and whether the answer it would show is right. A logistic
regression over `Signals.features()` then gives the weights, and each threshold's accuracy, refusal
rate on unanswerable questions and false-refusal rate are printed per set: the frontier the default
threshold is chosen from. The weights go into `rag/config.py`'s defaults by hand, with the run that
produced them quoted in the README.

    python -m bench.calibrate ../shared/eval/dev.jsonl:corpus \
        ../shared/eval/squad/questions.jsonl:../shared/eval/squad/corpus

`--in-use` prints the frontier of the weights the product runs with instead (each run is cached, so
this costs no model time after a first run).

`--replay TAG` reads the items of a `bench.replay` run instead (every tuning set, conversations too), made
with the decision off (`RAG_ANSWER_THRESHOLD=0 python -m bench.replay TAG`); `--cv` then also prints
each threshold's right-or-refused count when each set's weights are fitted on the other sets alone.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.config import Settings
from rag.evaluation import norm
from rag.judge import FEATURES, Signals, weights
from rag.pipeline import Pipeline


@dataclass(frozen=True, kw_only=True)
class Item:
    set_name: str
    answerable: bool
    correct: bool  # the answer that would be shown holds a gold string
    shown: bool  # the checks left an answer to show at all (else it is refused whatever the weights)
    features: tuple[float, ...]


def run_set(questions: Path, corpus: Path, settings: Settings, cache: Path | None) -> list[Item]:
    """Every question of one set, asked with the decision off; cached per set when `cache` is given."""
    if cache and (cached := cached_items(cache)) is not None:
        return cached
    items = []
    with tempfile.TemporaryDirectory(prefix="rag-calibrate-") as tmp:
        scoped = settings.with_overrides(index_dir=Path(tmp), corpus_dir=corpus, answer_threshold=0.0)
        pipeline = Pipeline(scoped)
        pipeline.index([corpus])
        for line in questions.read_text().splitlines():
            if not line.strip():
                continue
            question = json.loads(line)
            answer = pipeline.ask(question["question"])
            signals = Signals.from_dict(answer.signals)
            golds = question.get("answers") or []
            items.append(
                Item(
                    set_name=questions.stem,
                    answerable=bool(golds),
                    shown=not answer.refused,
                    correct=bool(golds) and not answer.refused and any(norm(g) in norm(answer.answer) for g in golds),
                    features=signals.features() if signals else tuple(0.0 for _ in FEATURES),
                )
            )
    if cache:
        cache.write_text(json.dumps([item.__dict__ for item in items]))
    return items


def cached_items(cache: Path) -> list[Item] | None:
    """One set's cached run; None when there is none, or it has fewer signals than the decision now
    weighs (a run from before a signal was added is asked again)."""
    if not cache.is_file():
        return None
    items = [Item(**{**row, "features": tuple(row["features"])}) for row in json.loads(cache.read_text())]
    return items if all(len(i.features) == len(FEATURES) for i in items) else None


def replayed_items(tag: str, folder: Path = Path("test-artifacts/replay")) -> dict[str, list[Item]]:
    """The items of `bench.replay` run `tag`, by set: a run with the decision off shows every answer
    the checks leave, so each one's signals and correctness are known."""
    return {
        report.stem.removeprefix(f"{tag}-"): [
            _replayed(report.stem, row) for row in json.loads(report.read_text())["items"]
        ]
        for report in sorted(folder.glob(f"{tag}-*.json"))
    }


def _replayed(set_name: str, row: dict[str, Any]) -> Item:
    """One replayed item: shown when the checks left an answer that reached the decision (it has signals)."""
    signals = None if row["refused"] else Signals.from_dict(row.get("signals") or {})
    return Item(
        set_name=set_name,
        answerable=row["answerable"],
        correct=bool(row["correct"]) and not row["refused"],
        shown=signals is not None,
        features=signals.features() if signals else tuple(0.0 for _ in FEATURES),
    )


def right_or_refused(items: list[Item], scores: np.ndarray, threshold: float) -> int:
    """Right answers shown plus unanswerable questions refused."""
    shown = scores >= threshold
    return sum((s and i.correct) or (not s and not i.answerable) for s, i in zip(shown, items, strict=True))


def fit(items: list[Item], l2: float = 1.0, steps: int = 20000, rate: float = 0.05) -> np.ndarray:
    """Logistic regression (bias first) of `correct` on the features, over the items the checks show."""
    shown = [i for i in items if i.shown]
    x = np.array([(1.0, *i.features) for i in shown])
    y = np.array([float(i.correct) for i in shown])
    scale = np.r_[1.0, np.maximum(np.abs(x[:, 1:]).max(axis=0), 1e-9)]
    xs = x / scale
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-xs @ w))
        w -= rate * (xs.T @ (p - y) / len(y) + l2 * np.r_[0.0, w[1:]] / len(y))
    return w / scale


def confidences(items: list[Item], w: np.ndarray) -> np.ndarray:
    z = np.array([w[0] + float(np.dot(w[1:], i.features)) for i in items])
    return np.where([i.shown for i in items], 1 / (1 + np.exp(-z)), -1.0)


def frontier(items: list[Item], scores: np.ndarray, thresholds: list[float]) -> list[dict]:
    rows = []
    answerable = np.array([i.answerable for i in items])
    correct = np.array([i.correct for i in items])
    for t in thresholds:
        show = scores >= t
        rows.append(
            {
                "threshold": t,
                "accuracy": round(float(np.mean(show[answerable] & correct[answerable])), 3)
                if answerable.any()
                else None,
                "refusal_ok": round(float(np.mean(~show[~answerable])), 3) if (~answerable).any() else None,
                "false_refusal": round(float(np.mean(~show[answerable])), 3) if answerable.any() else None,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", help="QUESTIONS.jsonl:CORPUS_DIR, one per tuning set")
    parser.add_argument("--cache", type=Path, default=Path("test-artifacts"), help="where each set's run is kept")
    parser.add_argument("--fresh", action="store_true", help="ask every question again")
    parser.add_argument(
        "--in-use", action="store_true", help="the frontier of the weights in Settings (the product's), not fitted ones"
    )
    parser.add_argument("--replay", metavar="TAG", help="read the sets from a bench.replay run made with threshold 0")
    parser.add_argument("--cv", action="store_true", help="with --replay: leave-one-set-out fits, per threshold")
    args = parser.parse_args()
    settings = Settings.from_env()
    args.cache.mkdir(parents=True, exist_ok=True)
    by_set: dict[str, list[Item]] = replayed_items(args.replay) if args.replay else {}
    for spec in [] if args.replay else args.sets:
        questions, corpus = (Path(p) for p in spec.split(":", 1))
        cache = args.cache / f"calibration-{questions.stem}.json"
        if args.fresh:
            cache.unlink(missing_ok=True)
        by_set[questions.stem] = run_set(questions, corpus, settings, cache)
    everything = [i for items in by_set.values() for i in items]
    in_use = (settings.answer_bias, *weights(settings))
    w = np.array(in_use) if args.in_use else fit(everything)
    named = ", ".join(f"{name} {v:.3f}" for name, v in zip(FEATURES, w[1:]))
    print(f"{'weights in use' if args.in_use else 'fitted weights'}: bias {w[0]:.3f}, {named}")
    thresholds = [round(t, 2) for t in np.arange(0.0, 1.0, 0.05)]
    if args.replay:
        # each set scored by weights fitted on the other sets alone: what a refit would gain on unseen text
        held_out = (
            {
                name: confidences(items, fit([i for other, rest in by_set.items() if other != name for i in rest]))
                for name, items in by_set.items()
            }
            if args.cv
            else {}
        )
        scores = confidences(everything, w)
        print(f"\nall {len(everything)} items\nthreshold  right or refused  refusal_ok  false_refusal  held-out fits")
        for row in frontier(everything, scores, thresholds):
            t = row["threshold"]
            fitted = sum(right_or_refused(by_set[name], held, t) for name, held in held_out.items()) if args.cv else ""
            right = right_or_refused(everything, scores, t)
            print(f"{t:9.2f}  {right:>16}  {row['refusal_ok']:>10}  {row['false_refusal']:>13}  {fitted:>13}")
    report: dict[str, dict[str, Any]] = {"weights": dict(zip(("bias", *FEATURES), map(float, w))), "frontier": {}}
    for name, items in by_set.items():
        rows = frontier(items, confidences(items, w), thresholds)
        report["frontier"][name] = rows
        print(f"\n{name} ({len(items)} questions)\nthreshold  accuracy  refusal_ok  false_refusal")
        for row in rows:
            accuracy, refusal, false = (str(row[k]) for k in ("accuracy", "refusal_ok", "false_refusal"))
            print(f"{row['threshold']:9.2f}  {accuracy:>8}  {refusal:>10}  {false:>13}")
    (args.cache / "calibration.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
