"""`python -m bench` (`make bench`, or `rag bench` from a checkout): run the benchmark, print its table.

Options: `--quick` (small sizes, a smoke run), `--json FILE` (also write the results), `--model NAME`,
`-v`. Settings come from `RAG_*` variables as for `rag`; a section that fails makes the exit code 1.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from rag.config import Settings
from rag.errors import RagError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, dest="json_path", help="also write the results here")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--model", help="GGUF path, file in models/, or a bundled name [env RAG_MODEL]")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from rich.console import Console

    from . import run_bench

    out = Console() if Console().is_terminal or os.environ.get("COLUMNS") else Console(width=160)
    try:
        run_bench(Settings.from_env().with_overrides(model=args.model), args.json_path, quick=args.quick, console=out)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
