"""A naive RAG pipeline, the baseline our answer stage is measured against on the same questions.

Fixed 700-character chunks, MiniLM top 4 by cosine, one prompt, the same model; no keyword search,
no evidence selection, no checking. It speaks the batch protocol of `rag ask --jsonl -`, so the
reference scorer runs it unchanged:

    python ../shared/eval/score.py QUESTIONS.jsonl --cmd "python -m bench.naive --corpus DIR"
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

from rag.config import Settings
from rag.documents import find_files, load_document
from rag.embedding import Embedder
from rag.llm import load_llm

CHUNK_CHARS = 700
TOP = 4
SYSTEM = (
    "Answer the question using only the numbered passages. Cite the passage you use as [n]. "
    "If the passages do not contain the answer, reply: The articles do not say."
)
REFUSAL = re.compile(r"do not say|does not say|not (mentioned|stated|provided)|no information", re.I)


def chunks(corpus: Path) -> list[dict]:
    files, _ = find_files([corpus])
    out = []
    for path in files:
        text = load_document(path).text
        for start in range(0, len(text), CHUNK_CHARS):
            piece = text[start : start + CHUNK_CHARS]
            if piece.strip():
                out.append({"source": path.name, "start": start, "end": start + len(piece), "text": piece})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    args = parser.parse_args()
    settings = Settings.from_env()
    embedder = Embedder(settings.embed_model, cache_dir=settings.cache_dir)
    pieces = chunks(args.corpus)
    vectors = embedder.embed([p["text"] for p in pieces])
    llm = load_llm(settings)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        question = str(request.get("question", ""))
        top = np.argsort(-(vectors @ embedder.embed_one(question)))[:TOP]
        passages = "\n\n".join(f"[{n}] {pieces[i]['text']}" for n, i in enumerate(top, start=1))
        messages = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Passages:\n{passages}\n\nQuestion: {question}"},
        ]
        answer = "".join(llm.stream(messages, settings.max_tokens, 0.0)).strip()
        cited = sorted({int(n) for n in re.findall(r"\[(\d+)\]", answer) if 1 <= int(n) <= len(top)})
        citations = [{"n": n, **pieces[top[n - 1]]} for n in cited]
        print(
            json.dumps(
                {
                    "id": request.get("id"),
                    "question": question,
                    "answer": answer,
                    "refused": bool(REFUSAL.search(answer)),
                    "citations": citations,
                    "model": llm.name,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
