"""`rag eval`: retrieval, answer, refusal and citation quality on a question set, in-process.

Citation recall/precision follow ALCE (Gao et al. 2023), judged by our own support checker:
recall = share of answer sentences supported by the passages they cite; precision = share of
citations whose passage supports its sentence (a citation that adds nothing is imprecise).
Answer accuracy uses the reference scorer's normalisation so the numbers agree with it.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

import numpy as np

from .answer import Answer
from .chunking import split_sentences
from .citations import MarkedSentence, parse_answer
from .evidence import Evidence, EvidenceSet, Sentence
from .grounding import SupportChecker, is_refusal
from .prose import lint_report
from .question import analyse


def norm(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"(\d),(\d)", r"\1\2", text)
    return re.sub(r"\s+", " ", text)


def stem_of(source: str) -> str:
    return os.path.splitext(os.path.basename(source))[0]


def load_items(questions: Path, conversations: Path | None) -> list[dict[str, Any]]:
    """Questions, plus the turns of conversations: each later turn is asked after our own answers to the
    turns before it (`history_of`: the previous turn); a turn marked `"switch": true` changes the topic;
    `"refers_to"` lists words of which the turn, made standalone, must hold one (who "he" is)."""
    items = [json.loads(line) for line in questions.read_text().splitlines() if line.strip()]
    for item in items:
        item.setdefault("history", [])
    if conversations:
        for line in conversations.read_text().splitlines():
            if not line.strip():
                continue
            conv = json.loads(line)
            turns = conv["turns"]
            items.append(
                {
                    "id": f"{conv['id']}-1",
                    "question": turns[0]["question"],
                    "answers": turns[0]["answers"],
                    "sources": turns[0]["sources"],
                    "kind": "followup-first",
                    "history": [],
                }
            )
            for i, turn in enumerate(turns[1:], start=2):
                items.append(
                    {
                        "id": f"{conv['id']}-{i}",
                        "question": turn["question"],
                        "answers": turn["answers"],
                        "sources": turn["sources"],
                        "kind": "switch" if turn.get("switch") else "followup",
                        "history_of": f"{conv['id']}-{i - 1}",
                        "refers_to": turn.get("refers_to"),
                    }
                )
    return items


def citation_scores(pipeline, answer: Answer) -> tuple[int, int, int, int]:
    """(supported sentences, sentences, supporting citations, citations) for one answer."""
    if answer.refused or not answer.citations:
        return 0, 0, 0, 0
    by_n = {c.n: c for c in answer.citations}
    evidence = EvidenceSet(
        items=[
            Evidence(
                **c.located(),
                n=c.n,
                text=c.text,
                source_text=c.text,
                relevance=c.score,
                sentences=tuple(
                    Sentence(start=s.start, end=s.end, text=s.text, vector=v, score=0.0)
                    for s, v in _embedded(pipeline, c.text, c.start)
                ),
            )
            for c in answer.citations
        ],
        best_score=0.0,
        best_lexical=0.0,
    )
    checker = SupportChecker(evidence, analyse(answer.question))
    supported = sentences = good = total = 0
    for sentence in parse_answer(answer.answer):
        if is_refusal(sentence.text):
            continue
        sentences += 1
        cited = [n for n in sentence.cited if n in by_n]
        vector = pipeline.embedder.embed_one(sentence.text)
        whole = checker.check(MarkedSentence(sentence.text, cited), vector)
        # recall: supported by exactly its own citations, no repair allowed
        own = whole.supported and set(whole.cited) <= set(cited) and bool(cited)
        supported += own
        for n in cited:
            total += 1
            alone = checker.check(MarkedSentence(sentence.text, [n]), vector)
            good += n in alone.cited and alone.coverage > 0
    return supported, sentences, good, total


def _embedded(pipeline, text: str, offset: int):
    spans = split_sentences(text, offset)
    vectors = pipeline.embedder.embed([s.text for s in spans]) if spans else np.zeros((0, 1))
    return list(zip(spans, vectors))


def run_eval(pipeline, questions: Path, conversations: Path | None = None) -> dict[str, Any]:
    items = load_items(questions, conversations)
    answers: dict[str, Answer] = {}
    histories: dict[str, list[dict[str, Any]]] = {}
    rows = []
    for item in items:
        history = item.get("history", [])
        if "history_of" in item:
            before = answers[item["history_of"]]
            history = [
                *histories[item["history_of"]],
                {"role": "user", "content": before.question, "standalone": before.standalone},
                {
                    "role": "assistant",
                    "content": before.answer,
                    "citations": [{"chunk_id": c.chunk_id} for c in before.citations],
                },
            ]
        histories[item["id"]] = history
        started = time.perf_counter()
        answer = pipeline.ask(item["question"], history)
        latency = (time.perf_counter() - started) * 1000
        answer.id = item["id"]
        answers[item["id"]] = answer
        retrieval = pipeline.answerer.retriever.retrieve(answer.search_query)
        rows.append(_score_item(pipeline, item, answer, retrieval.passages, latency))
    return _summarise(rows)


def _score_item(pipeline, item: dict[str, Any], answer: Answer, passages, latency: float) -> dict[str, Any]:
    gold_sources = set(item.get("sources") or [])
    answerable = bool(item.get("answers"))
    ranks = [i for i, p in enumerate(passages) if stem_of(p.source) in gold_sources]
    first_rank = ranks[0] if ranks else None
    refused = answer.refused or bool(is_refusal(answer.answer))
    correct = answerable and any(norm(a) in norm(answer.answer) for a in item["answers"])
    cited = [stem_of(c.source) for c in answer.citations]
    sup, sents, good, total = citation_scores(pipeline, answer)
    return {
        "id": item["id"],
        "kind": item.get("kind", "factoid"),
        "answerable": answerable,
        "recall_at_k": (first_rank is not None) if answerable and gold_sources else None,
        "rr": (1.0 / (first_rank + 1) if first_rank is not None else 0.0) if answerable and gold_sources else None,
        "correct": correct,
        "refused": refused,
        "flag_refused": answer.refused,
        "cite_hit": any(c in gold_sources for c in cited) if answerable else None,
        "cites": len(cited),
        "cites_gold": sum(c in gold_sources for c in cited),
        "sent_supported": sup,
        "sentences": sents,
        "cit_good": good,
        "cit_total": total,
        "latency_ms": latency,
        "first_token_ms": answer.timings.get("first_token_ms", 0.0),
        "answer": answer.answer,
        "question": item["question"],
        "signals": answer.signals,
        "standalone": answer.standalone,
        "search_query": answer.search_query,
        "resolved": _resolved(item.get("refers_to"), answer.standalone or item["question"]),
    }


def _resolved(refers_to: list[str] | None, standalone: str) -> bool | None:
    """Whether the follow-up, as it was answered, names what it points back to (None: not labelled)."""
    return any(r.lower() in standalone.lower() for r in refers_to) if refers_to else None


def _rate(num: float, den: float) -> float | None:
    return round(num / den, 3) if den else None


def _metrics(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ans = [r for r in rows if r["answerable"]]
    una = [r for r in rows if not r["answerable"]]
    retr = [r for r in ans if r["recall_at_k"] is not None]
    lat = [r["latency_ms"] for r in rows]
    labelled = [r for r in rows if r.get("resolved") is not None]
    switches = [r for r in rows if r["kind"] == "switch"]  # a new topic: searched with anything else is carry-over
    return {
        "n": len(rows),
        "recall_at_k": _rate(sum(r["recall_at_k"] for r in retr), len(retr)),
        "mrr": _rate(sum(r["rr"] for r in retr), len(retr)),
        "accuracy": _rate(sum(r["correct"] for r in ans), len(ans)),
        "cite_hit": _rate(sum(bool(r["cite_hit"]) for r in ans), len(ans)),
        "cite_precision_gold": _rate(sum(r["cites_gold"] for r in ans), sum(r["cites"] for r in ans)),
        "refusal_accuracy": _rate(sum(r["refused"] for r in una), len(una)),
        "false_refusal": _rate(sum(r["flag_refused"] for r in ans), len(ans)),
        "citation_recall": _rate(sum(r["sent_supported"] for r in rows), sum(r["sentences"] for r in rows)),
        "citation_precision": _rate(sum(r["cit_good"] for r in rows), sum(r["cit_total"] for r in rows)),
        "followups_resolved": _rate(sum(r["resolved"] for r in labelled), len(labelled)),
        "switch_carried_over": _rate(sum(r["search_query"] != r["question"] for r in switches), len(switches)),
        "latency_mean_ms": round(float(np.mean(lat)), 1) if lat else None,
        "latency_p95_ms": round(float(np.percentile(lat, 95)), 1) if lat else None,
    }


def _summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    kinds = sorted({r["kind"] for r in rows})
    return {
        "overall": _metrics(rows),
        "by_kind": {k: _metrics([r for r in rows if r["kind"] == k]) for k in kinds},
        "prose": lint_report((r["question"], r["answer"], r["refused"]) for r in rows),
        "items": rows,
    }


def print_report(report: dict[str, Any], console) -> None:
    from rich.table import Table

    for row in report["items"]:
        mark = (
            ("OK " if row["correct"] else "BAD") if row["answerable"] else ("REFUSED" if row["refused"] else "ANSWERED")
        )
        console.print(f"{row['id']:<10} {mark:<8} {row['answer'][:110]}", highlight=False, markup=False)
    slices = [("all", report["overall"])] + list(report["by_kind"].items())
    table = Table(title="rag eval")
    table.add_column("metric")
    for name, _ in slices:
        table.add_column(name, justify="right")
    for metric in report["overall"]:
        table.add_row(metric.replace("_", " "), *["–" if m[metric] is None else str(m[metric]) for _, m in slices])
    console.print(table)
    prose = report.get("prose")
    if prose:
        found = ", ".join(f"{kind} {n}" for kind, n in prose["per_1000"].items() if n) or "none"
        console.print(f"prose lint over {prose['answers']} answers, per 1,000: {found}", highlight=False)
        for kind, texts in prose["examples"].items():
            console.print(f"  {kind}: " + " | ".join(texts), highlight=False, markup=False)
