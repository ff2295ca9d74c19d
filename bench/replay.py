"""Run the tuning sets through the real pipeline with every model call recorded, so that a change to the
answer stage is measured on all of them in minutes: a prompt seen before gets the reply the model gave
it (text, and how sure it was of its least likely token), and only prompts the change altered reach the
model. This is how the README's "replayed by prompt" figures are made.

    python -m bench.replay base                 # every tuning set, with the default model
    python -m bench.replay mine dev squad       # some of them
    python -m bench.replay mine --against base  # then the items whose answer or verdict changed

Each set is indexed once (kept under the replay folder), scored with `rag eval`'s scoring, and written as
`{tag}-{set}.json`; the summary counts right answers plus refused unanswerable questions, and later
conversation turns. Replies are kept in one SQLite file: recorded on this machine's model, they are
this machine's; a record from another build of llama.cpp may differ (measure the base run again there).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.config import Settings
from rag.llm import LLM, GenerationStats, Message, load_llm

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TUNING = ROOT / "tests" / "data"


@dataclass(frozen=True, kw_only=True)
class EvalSet:
    questions: Path | None  # None: a set of conversations only
    conversations: Path | None
    corpus: Path


SETS = {
    "dev": EvalSet(
        questions=SHARED / "eval/dev.jsonl",
        conversations=SHARED / "eval/dev_conversations.jsonl",
        corpus=ROOT / "corpus",
    ),
    "held": EvalSet(
        questions=TUNING / "heldout.jsonl", conversations=TUNING / "heldout_conversations.jsonl", corpus=ROOT / "corpus"
    ),
    "cn": EvalSet(questions=None, conversations=TUNING / "conversations_news.jsonl", corpus=ROOT / "corpus"),
    "cs": EvalSet(
        questions=None, conversations=TUNING / "conversations_squad.jsonl", corpus=SHARED / "eval/squad/corpus"
    ),
    "squad": EvalSet(
        questions=SHARED / "eval/squad/questions.jsonl", conversations=None, corpus=SHARED / "eval/squad/corpus"
    ),
    "wiki": EvalSet(
        questions=TUNING / "wiki_tuning/questions.jsonl",
        conversations=TUNING / "wiki_tuning/conversations.jsonl",
        corpus=TUNING / "wiki_tuning/corpus",
    ),
    **{
        f"wiki{n}": EvalSet(
            questions=TUNING / f"wiki_tuning{n}/questions.jsonl",
            conversations=TUNING / f"wiki_tuning{n}/conversations.jsonl",
            corpus=TUNING / f"wiki_tuning{n}/corpus",
        )
        for n in (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
    },
}


class RecordedLLM:
    """An LLM whose replies are kept by everything that decides them (messages, prefix, limits, banned
    words); the model itself is loaded only when a call was never seen (`load` makes it)."""

    def __init__(self, record: Path, load: Callable[[], LLM], name: str = "recorded") -> None:
        self._db = sqlite3.connect(record)
        self._db.execute("CREATE TABLE IF NOT EXISTS reply (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self._load = load
        self._model: LLM | None = None
        self.name = name
        self.busy = False
        self.seen = 0
        self.asked = 0

    def _model_now(self) -> LLM:
        if self._model is None:
            self._model = self._load()
            self.name = self._model.name
        return self._model

    def _through(self, call: list[Any], ask: Callable[[], Any]) -> Any:
        """The recorded reply to `call`; a call never seen is `ask`ed of the model and recorded."""
        key = hashlib.sha256(json.dumps(call, sort_keys=True).encode()).hexdigest()
        row = self._db.execute("SELECT value FROM reply WHERE key = ?", (key,)).fetchone()
        if row is not None:
            self.seen += 1
            return json.loads(row[0])
        self.asked += 1
        value = ask()
        self._db.execute("INSERT OR REPLACE INTO reply VALUES (?, ?)", (key, json.dumps(value)))
        self._db.commit()
        return value

    def stream(
        self,
        messages: list[Message],
        max_tokens: int,
        temperature: float,
        stats: GenerationStats | None = None,
        stop: list[str] | None = None,
        prefix: str = "",
        forbid: Sequence[str] = (),
    ) -> Iterator[str]:
        def generate() -> dict[str, Any]:
            live = GenerationStats()
            model = self._model_now()
            pieces = list(
                model.stream(messages, max_tokens, temperature, live, stop=stop, prefix=prefix, forbid=forbid)
            )
            return {"pieces": pieces, "lowest_logprob": live.lowest_logprob}

        call = ["stream", messages, max_tokens, temperature, stop, prefix, list(forbid)]
        kept = self._through(call, generate)
        stats = stats if stats is not None else GenerationStats()
        stats.lowest_logprob = kept["lowest_logprob"]
        for piece in kept["pieces"]:
            stats.token(time.perf_counter())
            yield piece

    def yes_probability(self, messages: list[Message], prefix: str = "") -> float:
        return float(
            self._through(["yes", messages, prefix], lambda: self._model_now().yes_probability(messages, prefix))
        )

    def warm(self, messages: list[Message]) -> None:
        """Nothing to warm: a recorded reply costs no prompt evaluation, and a new one warms itself."""


def right(item: dict[str, Any]) -> bool:
    """A right answer to an answerable question, or a refusal of an unanswerable one."""
    return bool(item["correct"] if item["answerable"] else item["refused"])


def summary(name: str, report: dict[str, Any]) -> str:
    items = report["items"]
    later = [i for i in items if i["kind"] in ("followup", "switch")]
    line = f"{name:<6} {sum(map(right, items))}/{len(items)}"
    if later:
        line += f"  later turns {sum(map(right, later))}/{len(later)}"
    o = report["overall"]
    return line + f"  accuracy {o['accuracy']}  refused {o['refusal_accuracy']}  false refusals {o['false_refusal']}"


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The items whose answer changed: `+` now right, `-` now wrong, `~` another answer, the same verdict."""
    was = {i["id"]: i for i in before["items"]}
    lines = []
    for item in after["items"]:
        old = was.get(item["id"])
        if old is None or (old["answer"] == item["answer"] and right(old) == right(item)):
            continue
        mark = "~" if right(old) == right(item) else ("+" if right(item) else "-")
        lines += [
            f"{mark} {item['id']} | {item['question']}",
            f"    was: {old['answer']}",
            f"    now: {item['answer']}",
        ]
    return lines


def replay(name: str, settings: Settings, folder: Path, llm: RecordedLLM) -> dict[str, Any]:
    from rag.evaluation import run_eval
    from rag.pipeline import Pipeline

    chosen = SETS[name]
    index = folder / f"index-{name}"
    scoped = settings.with_overrides(corpus_dir=chosen.corpus, index_dir=index)
    if not index.exists():
        Pipeline(scoped).index([chosen.corpus], prune=True)
    empty = folder / "no-questions.jsonl"
    empty.touch()
    return run_eval(Pipeline(scoped, llm=llm), chosen.questions or empty, chosen.conversations)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tag", help="the name this run's reports are written under")
    parser.add_argument("sets", nargs="*", help=f"of {', '.join(SETS)} (default: all)")
    parser.add_argument("--folder", type=Path, default=ROOT / "test-artifacts" / "replay", help="reports and indexes")
    parser.add_argument("--record", type=Path, help="the recorded replies (default: FOLDER/replies.sqlite)")
    parser.add_argument("--against", help="an earlier run's tag: print the items whose answer changed since")
    args = parser.parse_args(argv)
    if unknown := sorted(set(args.sets) - set(SETS)):
        parser.error(f"no such set: {', '.join(unknown)} (the sets: {', '.join(SETS)})")
    args.folder.mkdir(parents=True, exist_ok=True)
    settings = Settings.from_env()
    llm = RecordedLLM(args.record or args.folder / "replies.sqlite", lambda: load_llm(settings), settings.model)
    total = 0
    for name in args.sets or list(SETS):
        started = time.perf_counter()
        report = replay(name, settings, args.folder, llm)
        (args.folder / f"{args.tag}-{name}.json").write_text(json.dumps(report, default=str))
        total += sum(map(right, report["items"]))
        print(f"{summary(name, report)}  ({time.perf_counter() - started:.0f} s)", flush=True)
        earlier = args.folder / f"{args.against}-{name}.json"
        if args.against and earlier.is_file() and (changed := changes(json.loads(earlier.read_text()), report)):
            print("\n".join(changed), flush=True)
    print(f"right or refused: {total}  (model calls recorded before: {llm.seen}, new: {llm.asked})")


if __name__ == "__main__":
    main()
