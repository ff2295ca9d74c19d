"""Prose lint: how an answer reads, counted, so a scored run says whether answers read like a careful writer's.

Kinds (each a Finding with its place in the answer):
- broken_abbreviation: "U. S", "the U.S [1]" (an abbreviation split or robbed of its stop);
- doubled_punctuation: ",,", "..", ", .", "?." (an ellipsis is fine);
- glued_digits: footnote digits carried over from a web article ("dramatically15");
- unbalanced_quotes: a quote or parenthesis without its partner;
- marker_after_punctuation: "... end. [1]" (the marker belongs before the final stop);
- marker_in_word: "Mus[1]k";
- space_before_punctuation: "River , " or "flows ."
- filler: a sentence with no content beyond the question's own words ("The sources agree that this is true.");
- repetition: a sentence with no content beyond the question and the sentences before it.
The rules are those rag/render.py applies, so a rendered answer lints clean.

Run over a batch of answers: `python -m rag.prose FILE.jsonl` (answer objects, one per line, as
`rag ask --jsonl -` prints them); prints counts per 1,000 answers by kind, with examples.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .cleaning import footnote_marks
from .grounding import is_refusal
from .question import analyse, denies
from .render import DOUBLED_PUNCT, MARKER, SPACE_BEFORE_PUNCT, balance
from .sentences import split_sentences
from .terms import content_terms, numbers, stem

KINDS = (
    "broken_abbreviation",
    "doubled_punctuation",
    "glued_digits",
    "unbalanced_quotes",
    "marker_after_punctuation",
    "marker_in_word",
    "space_before_punctuation",
    "filler",
    "repetition",
)

_BROKEN_ABBREVIATION = re.compile(r"\b[A-Z]\. [A-Z]\b(?![.\w])|\b(?:[A-Z]\.)+[A-Z]\b(?![.\w])")
_MARKER_AFTER_STOP = re.compile(r"(?<!\.)[.!?][\"”’')]*\s*(?:\[\d+\])+(?=\s*$|\s+[^\s\[.!?])")
_STOP_BEFORE_MARKER = re.compile(r"[,;:]\s*(?=(?:\s*\[\d+\])+\s*[.!?])")  # "the river, [1]."
_MARKER_IN_WORD = re.compile(r"[^\W_]\[\d+\][^\W_]")
_QUOTES = re.compile(r"[\"“”()]")
# words about the sources or the answer itself: they add nothing a reader did not already have
_META = frozenset(
    stem(w)
    for w in """source sources agree agrees true correct indeed confirm confirms information
    mention mentions mentioned state states stated report reports reported provide provided context document
    documents text detail details specific specifically fact answer question based given note clear clearly
    explicitly available""".split()
)


@dataclass(frozen=True, kw_only=True)
class Finding:
    kind: str
    start: int  # offsets in the answer text
    end: int
    text: str


def lint(answer: str, question: str = "", *, refused: bool = False) -> list[Finding]:
    """What in `answer` breaks the writing rules. Filler and repetition are judged against `question`;
    a refusal is not judged for them (it restates the question on purpose)."""
    found: list[Finding] = []

    def add(kind: str, start: int, end: int) -> None:
        if any(f.kind == kind and f.start <= end and start <= f.end for f in found):
            return  # one mistake found by two patterns (",," before a marker) counts once
        found.append(Finding(kind=kind, start=start, end=end, text=answer[max(0, start - 20) : end + 20]))

    for kind, pattern in (
        ("broken_abbreviation", _BROKEN_ABBREVIATION),
        ("doubled_punctuation", DOUBLED_PUNCT),
        ("doubled_punctuation", _STOP_BEFORE_MARKER),
        ("marker_after_punctuation", _MARKER_AFTER_STOP),
        ("marker_in_word", _MARKER_IN_WORD),
        ("space_before_punctuation", SPACE_BEFORE_PUNCT),
    ):
        for m in pattern.finditer(answer):
            add(kind, m.start(), max(m.end(), m.start() + 1))
    for start, end in footnote_marks(MARKER.sub(lambda m: " " * len(m.group(0)), answer)):
        add("glued_digits", start, end)
    if _unbalanced(answer):
        add("unbalanced_quotes", 0, len(answer))
    if not refused:
        _judge_content(answer, question, add)
    return sorted(found, key=lambda f: (f.start, f.kind))


def _unbalanced(answer: str) -> bool:
    quotes = "".join(_QUOTES.findall(answer))
    return balance(quotes) != quotes


def _judge_content(answer: str, question: str, add) -> None:
    asked = analyse(question)
    known = content_terms(question) | numbers(question) | _META
    for span in split_sentences(MARKER.sub("", answer)):
        words = content_terms(span.text) | numbers(span.text)
        new = words - known
        # "there is no clash" answers in the question's own words; "do not say who ..." does not
        if not new and (is_refusal(span.text) or not denies(asked, span.text)):
            kind = "filler" if not (words - content_terms(question) - numbers(question) - _META) else "repetition"
            start = answer.find(span.text[:20])
            add(kind, max(0, start), max(0, start) + len(span.text))
        known |= words


def lint_report(pairs: Iterable[Sequence]) -> dict:
    """Counts per 1,000 answers by kind over (question, answer) or (question, answer, refused) items,
    with up to three examples of each kind."""
    answers = 0
    counts = {kind: 0 for kind in KINDS}
    examples: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for item in pairs:
        question, answer = item[0], item[1]
        refused = bool(item[2]) if len(item) > 2 else False
        answers += 1
        for f in lint(answer, question, refused=refused):
            counts[f.kind] += 1
            if len(examples[f.kind]) < 3:
                examples[f.kind].append(f.text)
    per_1000 = {k: round(1000 * n / answers, 1) if answers else 0.0 for k, n in counts.items()}
    return {
        "answers": answers,
        "findings": sum(counts.values()),
        "counts": counts,
        "per_1000": per_1000,
        "examples": {k: v for k, v in examples.items() if v},
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m rag.prose FILE.jsonl   (answer objects, one per line; - for stdin)", file=sys.stderr)
        return 2
    try:
        stream = sys.stdin if args[0] == "-" else open(args[0], encoding="utf-8")
    except OSError as exc:
        print(f"cannot read {args[0]}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    items = []
    with stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                items.append((str(obj.get("question", "")), str(obj["answer"]), bool(obj.get("refused", False))))
            except (ValueError, KeyError, AttributeError) as exc:
                print(f"line {number}: not an answer object ({exc})", file=sys.stderr)
                return 2
    print(json.dumps(lint_report(items), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
