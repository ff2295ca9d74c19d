"""Example questions about articles, kept as data beside them (`examples.json` in the articles folder).

The file maps an article's file name to questions its text answers; the bundled `corpus/` has one.
The chat offers those whose article is in the index; the benchmark reads the same file, so nobody
keeps a copy of the questions in code. A folder of one's own articles may have one too, or none.
"""

from __future__ import annotations

import json
from pathlib import Path

from .errors import ConfigError

EXAMPLES_FILE = "examples.json"  # in the articles folder; not an article (`rag index` skips .json)


def load_examples(folder: Path) -> dict[str, list[str]]:
    """{article file name: [questions]} from the articles folder's examples.json; empty without one."""
    path = Path(folder) / EXAMPLES_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the example questions in {path}: {exc}") from exc
    if not isinstance(raw, dict) or not all(
        isinstance(name, str) and isinstance(questions, list) and all(isinstance(q, str) for q in questions)
        for name, questions in raw.items()
    ):
        raise ConfigError(f"{path} must map article file names to lists of questions")
    return {name: [q.strip() for q in questions if q.strip()] for name, questions in raw.items()}
