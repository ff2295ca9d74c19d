"""Settings: defaults, `RAG_*` coercion, overrides, and where things live without a checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import config
from rag.config import CHECKOUT, Settings, user_data_dir
from rag.errors import ConfigError


def test_env_values_are_read_as_the_type_of_each_setting():
    s = Settings.from_env(
        {
            "RAG_K": " 9 ",
            "RAG_TEMPERATURE": "0.3",
            "RAG_MODEL": "smollm2-135m",
            "RAG_INDEX_DIR": "~/idx",
            "RAG_PORT": "",
            "RAG_UNRELATED": "x",
        }
    )
    assert s.k == 9 and s.temperature == 0.3 and s.model == "smollm2-135m"
    assert s.index_dir == Path.home() / "idx"  # ~ expanded
    assert s.port == Settings().port  # empty means unset


def test_booleans_accept_the_usual_spellings_and_nothing_else():
    assert [config._coerce(False, raw, "flag") for raw in ("1", "yes", "ON", " true ")] == [True] * 4
    assert [config._coerce(True, raw, "flag") for raw in ("0", "off", "False", "no")] == [False] * 4
    with pytest.raises(ConfigError, match="flag"):
        config._coerce(False, "maybe", "flag")


@pytest.mark.parametrize(("name", "raw"), [("RAG_K", "six"), ("RAG_K", "1.5"), ("RAG_TEMPERATURE", "warm")])
def test_a_value_of_the_wrong_type_is_a_config_error_naming_the_variable(name, raw):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: raw})


def test_overrides_coerce_strings_and_keep_what_is_not_given():
    base = Settings.from_env({})
    s = base.with_overrides(k="3", model=None, index_dir=Path("/tmp/x"))
    assert s.k == 3 and s.model == base.model and s.index_dir == Path("/tmp/x")
    assert base.k == Settings().k  # frozen: the original is unchanged
    with pytest.raises(ConfigError, match="no_such_setting"):
        base.with_overrides(no_such_setting=1)


def test_answer_slots_and_threads():
    assert Settings(llm_url="").answer_slots == 1 and Settings(llm_url="http://x").answer_slots == 4
    assert Settings(llm_concurrency=2).answer_slots == 2
    assert Settings(n_threads=3).threads == 3 and Settings(n_threads=0).threads >= 1


def test_a_checkout_keeps_everything_in_the_checkout():
    assert CHECKOUT is not None  # the tests run from one
    s = Settings()
    assert s.corpus_dir == CHECKOUT / "corpus" and s.index_dir == CHECKOUT / ".rag-index"
    assert s.models_dir == CHECKOUT / "models" and s.prompts_dir == CHECKOUT / "prompts"


def test_without_a_checkout_data_goes_to_the_per_user_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "CHECKOUT", None)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    s = Settings()
    assert user_data_dir() == tmp_path / "data" / "rag"
    assert (s.corpus_dir, s.index_dir, s.models_dir) == (
        tmp_path / "data/rag/corpus",
        tmp_path / "data/rag/index",
        tmp_path / "data/rag/models",
    )
    assert s.cache_dir == tmp_path / "cache" / "rag"
    assert s.prompts_dir == config.packaged_prompts_dir()
    monkeypatch.delenv("XDG_DATA_HOME")
    assert user_data_dir() == Path.home() / ".local" / "share" / "rag"
