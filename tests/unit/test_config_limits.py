"""Numeric settings have one declared range (config.LIMITS), checked whenever Settings are made."""

from __future__ import annotations

import math

import pytest

from rag.config import LIMITS, Settings
from rag.documents import read_bytes
from rag.errors import ConfigError, DocumentError


@pytest.mark.parametrize(
    "name,value",
    [
        ("k", 0),
        ("k", -3),
        ("k", 51),
        ("temperature", -0.1),
        ("temperature", 2.5),
        ("max_upload_mb", 0),
        ("max_question_chars", 0),
    ],
)
def test_out_of_range_values_are_a_config_error_from_code_and_environment(name, value):
    with pytest.raises(ConfigError, match=f"setting {name} must be between"):
        Settings.from_env({}).with_overrides(**{name: value})
    with pytest.raises(ConfigError, match=f"setting {name} must be between"):
        Settings.from_env({f"RAG_{name.upper()}": str(value)})


def test_the_defaults_and_the_ends_of_each_range_are_accepted():
    Settings()
    for name, limit in LIMITS.items():
        kind = type(getattr(Settings(), name))
        Settings().with_overrides(**{name: kind(limit.low)})
        Settings().with_overrides(**{name: kind(limit.high)})


def test_values_from_outside_are_clamped_not_trusted():
    k = LIMITS["k"]
    assert (k.clamp(0), k.clamp(99), k.clamp("7"), k.clamp(None), k.clamp("x"), k.clamp(math.nan)) == (
        1,
        50,
        7,
        None,
        None,
        None,
    )


def test_one_file_size_limit_for_uploads_and_indexing(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (2 * 1024 * 1024))
    settings = Settings().with_overrides(max_upload_mb=1)
    with pytest.raises(DocumentError, match="too large .* the limit is 1 MB"):
        read_bytes(big, settings.max_upload_bytes)
    assert len(read_bytes(big)) == big.stat().st_size  # the default limit (30 MB)
