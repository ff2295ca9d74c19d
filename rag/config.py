"""All configuration in one place: a frozen settings object filled from defaults and `RAG_*` env vars.

CLI options override the environment by building a new object with `Settings.with_overrides`.
Run from a checkout, the folders default to the checkout's own (`corpus/`, `.rag-index/`, `models/`,
`prompts/`); installed from a wheel, to per-user folders (`user_data_dir`) and the packaged prompts.
The numeric settings a user tunes (k, temperature, upload size, question length) have their allowed range
declared once in `LIMITS`: every Settings object is checked against it when made, and the browser's
sliders read their bounds from it, so the CLI, the environment and the page agree.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import ConfigError


def _checkout() -> Path | None:
    """The source checkout this package runs from (editable install, PYTHONPATH), or None for an
    installed wheel: its defaults then move to per-user folders."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").is_file() and (here / "prompts").is_dir() else None


CHECKOUT = _checkout()


def user_data_dir() -> Path:
    """Where an installed copy keeps articles, index and models: `$XDG_DATA_HOME/rag` (~/.local/share/rag)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rag"


def packaged_prompts_dir() -> Path:
    """The prompt templates inside the installed package (the wheel ships `prompts/` as
    `rag/prompt_templates/`, see setup.py)."""
    return Path(str(resources.files("rag") / "prompt_templates"))


def _home(checkout_name: str, data_name: str) -> Path:
    return CHECKOUT / checkout_name if CHECKOUT else user_data_dir() / data_name


@dataclass(frozen=True, kw_only=True)
class Limit:
    """The allowed range of one numeric setting (both ends included)."""

    low: float
    high: float
    step: float = 1

    def check(self, name: str, value: float) -> None:
        if not self.low <= value <= self.high:
            raise ConfigError(f"setting {name} must be between {self.low:g} and {self.high:g}, not {value:g}")

    def clamp(self, value: Any) -> float | None:
        """A value from outside (a browser, an API call) brought into range; None when not a number."""
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        if number != number:  # NaN
            return None
        return max(self.low, min(self.high, number))


LIMITS: dict[str, Limit] = {
    "k": Limit(low=1, high=50),  # passages retrieved: 0 would answer from nothing
    "temperature": Limit(low=0.0, high=2.0, step=0.05),
    "max_upload_mb": Limit(low=1, high=1024),
    "max_question_chars": Limit(low=1, high=100_000),
}


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rag"


@dataclass(frozen=True)
class Settings:
    """Every tunable of the product. Each field `x` reads env var `RAG_X` when set."""

    corpus_dir: Path = field(default_factory=lambda: _home("corpus", "corpus"))
    index_dir: Path = field(default_factory=lambda: _home(".rag-index", "index"))
    models_dir: Path = field(default_factory=lambda: _home("models", "models"))
    cache_dir: Path = field(default_factory=_cache_root)
    prompts_dir: Path = field(default_factory=lambda: CHECKOUT / "prompts" if CHECKOUT else packaged_prompts_dir())

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
    evidence_chars: int = (
        900  # prompt budget for passages: each ~4 chars is a token llama.cpp must read before answering
    )
    # context kept around each chosen sentence; passages of one article this close are one stretch of it
    # (the name check and the re-reading of rag/answering.py read them together)
    evidence_window_chars: int = 350

    # generation
    model: str = "qwen2.5-coder-1.5b"
    n_ctx: int = 4096
    n_threads: int = 0  # 0: the cores not busy with other programs, checked before each answer (llm.idle_cores)
    temperature: float = 0.0
    max_tokens: int = 200
    followup_max_tokens: int = 64  # the model's standalone rewrite of a follow-up (rag/followup.py): one question
    llm_url: str = ""
    llm_api_key: str = ""
    llm_concurrency: int = 0  # answers generated at once per app instance; 0: 1 for a local model, 4 for llm_url

    # grounding: the lexical share of an answer sentence's claims its cited passages must hold
    support_threshold: float = 0.5
    # answer or refuse (rag/judge.py): confidence = sigmoid(bias + found_weight * logit(found) +
    # certainty_weight * certainty + relevance_weight * relevance + unstated_weight * unstated); fitted
    # on the tuning sets by `python -m bench.calibrate`, and the same values in `rag eval` as in the product
    # (bench.calibrate's fit on squad + heldout + dev, 264 questions: README "Quality")
    found_weight: float = 0.368
    certainty_weight: float = 0.989
    relevance_weight: float = 1.827
    unstated_weight: float = -0.751
    answer_bias: float = 0.271
    answer_threshold: float = 0.40

    # serving
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str = ""
    chroma_url: str = ""
    max_question_chars: int = 2000
    max_upload_mb: int = 30  # the largest article file, uploaded or read by `rag index`
    history_path: str = ""  # the chat's saved conversations and feedback (SQLite); "": beside the index

    def __post_init__(self) -> None:
        for name, limit in LIMITS.items():
            limit.check(name, getattr(self, name))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        source = os.environ if env is None else env
        base = cls()
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = source.get("RAG_" + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _coerce(getattr(base, f.name), raw, f.name)
        return replace(base, **values)

    def with_overrides(self, **values: Any) -> Settings:
        """A copy with the given fields changed; `None` means 'not given' and keeps the current value."""
        given = {k: v for k, v in values.items() if v is not None}
        unknown = sorted(set(given) - {f.name for f in fields(self)})
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
        coerced = {k: (_coerce(getattr(self, k), v, k) if isinstance(v, str) else v) for k, v in given.items()}
        return replace(self, **coerced)

    @property
    def answer_slots(self) -> int:
        """How many answers one app instance writes at once: a local llama.cpp model one at a time; a
        server (llama.cpp --parallel, Ollama, vLLM) batches several."""
        return max(1, self.llm_concurrency or (4 if self.llm_url else 1))

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def history_file(self) -> Path:
        """Where conversations and feedback are kept: one SQLite file, by default beside the index
        (with a Chroma server too: the history is this machine's, the vectors the team's)."""
        return Path(self.history_path).expanduser() if self.history_path else self.index_dir / "history.sqlite3"

    @property
    def threads(self) -> int:
        return self.n_threads or max(1, os.cpu_count() or 1)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _coerce(current: Any, raw: Any, name: str) -> Any:
    """`raw` (an env var or option string) as the type of the setting's current value."""
    text = str(raw).strip()
    try:
        if isinstance(current, bool):
            if text.lower() not in _TRUE | _FALSE:
                raise ValueError(text)
            return text.lower() in _TRUE
        if isinstance(current, int):
            return int(text)
        if isinstance(current, float):
            return float(text)
    except ValueError as exc:
        raise ConfigError(
            f"setting {name} (RAG_{name.upper()}): cannot read {raw!r} as {type(current).__name__}"
        ) from exc
    if isinstance(current, Path):
        return Path(text).expanduser()
    return raw
