"""All configuration in one place: a frozen settings object filled from defaults and `RAG_*` env vars.

CLI options override the environment by building a new object with `Settings.with_overrides`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


def _project_root() -> Path:
    """The checkout when running from one (editable install), else the working directory."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").exists() else Path.cwd()


PROJECT_ROOT = _project_root()
PROMPTS_DIR = PROJECT_ROOT / "prompts" if (PROJECT_ROOT / "prompts").is_dir() else Path(__file__).parent / "prompts"


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rag"


@dataclass(frozen=True)
class Settings:
    """Every tunable of the product. Each field `x` reads env var `RAG_X` when set."""

    corpus_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "corpus")
    index_dir: Path = field(default_factory=lambda: PROJECT_ROOT / ".rag-index")
    models_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "models")
    cache_dir: Path = field(default_factory=_cache_root)
    prompts_dir: Path = PROMPTS_DIR

    # embeddings and chunking
    embed_model: str = "all-MiniLM-L6-v2"
    embed_backend: str = "auto"  # auto | onnx | torch
    embed_batch_size: int = 32
    chunk_chars: int = 600
    chunk_overlap_chars: int = 150

    # retrieval
    k: int = 6
    rrf_k: int = 60
    min_relevance: float = 0.22
    max_evidence: int = 6
    evidence_chars: int = 900  # prompt budget for passages: each ~4 chars is a token llama.cpp must read before answering
    evidence_window_chars: int = 350  # context kept around each chosen sentence

    # generation
    model: str = "qwen2.5-coder-1.5b"
    n_ctx: int = 4096
    n_threads: int = 0  # 0: the cores not busy with other programs, checked before each answer (llm.idle_cores)
    temperature: float = 0.0
    max_tokens: int = 200
    llm_url: str = ""
    llm_api_key: str = ""
    llm_concurrency: int = 0  # answers generated at once per app instance; 0: 1 for a local model, 4 for llm_url

    # grounding: the lexical share of an answer sentence's claims its cited passages must hold
    support_threshold: float = 0.5
    # answer or refuse (rag/judge.py): confidence = sigmoid(bias + weights . (logit found, logit judged,
    # coverage)); fitted on the tuning sets by `python -m bench.calibrate`, the same values in `rag eval`
    found_floor: float = 0.0  # below this P(found) the answer is refused before it is written
    found_weight: float = 1.0
    judge_weight: float = 0.0
    coverage_weight: float = 0.0
    answer_bias: float = 0.0
    answer_threshold: float = 0.5

    # serving
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str = ""
    chroma_url: str = ""
    max_question_chars: int = 2000
    max_upload_mb: int = 20

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        base = cls()
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get("RAG_" + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _coerce(getattr(base, f.name), raw, f.name)
        return replace(base, **values)

    def with_overrides(self, **values: Any) -> "Settings":
        """A copy with the given fields changed; `None` means 'not given' and keeps the current value."""
        given = {k: v for k, v in values.items() if v is not None}
        coerced = {k: (_coerce(getattr(self, k), v, k) if isinstance(v, str) else v) for k, v in given.items()}
        return replace(self, **coerced)

    @property
    def answer_slots(self) -> int:
        """How many answers one app instance writes at once: a local llama.cpp model one at a time; a
        server (llama.cpp --parallel, Ollama, vLLM) batches several."""
        return max(1, self.llm_concurrency or (4 if self.llm_url else 1))

    @property
    def threads(self) -> int:
        return self.n_threads or max(1, os.cpu_count() or 1)


def _coerce(current: Any, raw: Any, name: str) -> Any:
    try:
        if isinstance(current, bool):
            return str(raw).strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(current, int):
            return int(raw)
        if isinstance(current, float):
            return float(raw)
        if isinstance(current, Path):
            return Path(raw).expanduser()
    except ValueError as exc:
        raise ValueError(f"setting {name}: cannot read {raw!r} as {type(current).__name__}") from exc
    return raw
