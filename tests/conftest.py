"""Shared fixtures: real embedder, real Chroma, real (small) models; indexes live in tmp dirs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rag.config import Settings  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parent.parent  # the checkout under test
CORPUS = PROJECT_ROOT / "corpus"
TINY_MODEL = "smollm2-135m"  # fast; exercises the pipeline, answers poorly
DEFAULT_MODEL = "qwen2.5-coder-1.5b"  # the product default, for tests that need a real cited answer
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def make_settings(index_dir: Path, **overrides) -> Settings:
    base = Settings.from_env({})  # ignore the developer's RAG_* variables
    return base.with_overrides(**{"index_dir": index_dir, "corpus_dir": CORPUS, **overrides})


@pytest.fixture(scope="session")
def shared_index(tmp_path_factory) -> Path:
    """The project corpus indexed once per test session (real embedder, real Chroma)."""
    from rag.pipeline import Pipeline

    index_dir = tmp_path_factory.mktemp("index")
    Pipeline(make_settings(index_dir, model=TINY_MODEL)).index([CORPUS])
    return index_dir


@pytest.fixture
def index_copy(shared_index, tmp_path) -> Path:
    """A private copy of the shared index, for tests that change it."""
    target = tmp_path / "index"
    shutil.copytree(shared_index, target)
    return target


@pytest.fixture(scope="session")
def tiny_pipeline(shared_index):
    from rag.pipeline import Pipeline

    return Pipeline(make_settings(shared_index, model=TINY_MODEL))


@pytest.fixture(scope="session")
def default_pipeline(shared_index):
    from rag.pipeline import Pipeline

    return Pipeline(make_settings(shared_index, model=DEFAULT_MODEL))


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def rag_env(index_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for running the `rag` command in a subprocess against `index_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_INDEX_DIR=str(index_dir), RAG_CORPUS_DIR=str(CORPUS), HF_HUB_OFFLINE="1", **extra)
    return env
