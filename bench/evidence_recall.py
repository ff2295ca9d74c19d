"""How often evidence selection keeps the answer: for each answerable question, is a gold string in the
retrieved passages, and is it still in the evidence the model reads (first item, first three, any)?

No model runs, so a set of 200 questions takes seconds: the way to judge a change to `rag/evidence.py`
before spending a scored run on it.

    python -m bench.evidence_recall ../shared/eval/squad/questions.jsonl --index-dir /tmp/squad-index
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rag.config import Settings
from rag.evaluation import norm
from rag.pipeline import Pipeline
from rag.question import analyse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path, help="eval JSONL (question, answers)")
    parser.add_argument("--index-dir", type=Path, help="the set's index (default: the settings' own)")
    args = parser.parse_args()
    settings = Settings.from_env()
    if args.index_dir:
        settings = settings.with_overrides(index_dir=args.index_dir)
    pipeline = Pipeline(settings)
    pipeline.load_search()
    answerer = pipeline.answerer
    counts = dict.fromkeys(("retrieved", "evidence", "first", "top3"), 0)
    lost = []
    items = [json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()]
    items = [item for item in items if item.get("answers")]
    for item in items:
        asked = analyse(item["question"])
        retrieval = answerer.retriever.retrieve(item["question"], settings.k)
        evidence = answerer.evidence(asked, retrieval)
        golds = [norm(g) for g in item["answers"]]
        holds = [any(g in norm(e.text) for g in golds) for e in evidence.items]
        found = any(g in norm(p.text) for p in retrieval.passages for g in golds)
        counts["retrieved"] += found
        counts["evidence"] += any(holds)
        counts["first"] += bool(holds and holds[0])
        counts["top3"] += any(holds[:3])
        if found and not any(holds):
            lost.append(item["id"])
    n = len(items)
    print(f"{args.questions}: {n} answerable questions; gold string in")
    for name, count in counts.items():
        print(f"  {name:>9}: {count / n:.3f}" if n else f"  {name:>9}: -")
    print(f"retrieved but not in the evidence: {', '.join(lost) or 'none'}")


if __name__ == "__main__":
    main()
