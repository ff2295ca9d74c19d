"""Example questions about the bundled articles, kept as data beside them (`corpus/examples.json`).

The file maps an article's file name to questions its text answers. The chat offers those whose
article is in the index; the benchmark and tests read the same file, so nobody keeps a copy in code.
"""

from __future__ import annotations

import json
from pathlib import Path

from .errors import ConfigError


def load_examples(path: Path) -> dict[str, list[str]]:
    """{article file name: [questions]}; empty when there is no such file (a corpus of one's own)."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
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
