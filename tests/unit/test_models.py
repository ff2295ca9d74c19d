"""Finding the model behind `--model`, and the sha256 guard, on small files (no model is loaded)."""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

import pytest
from conftest import make_settings

from rag.errors import ConfigError, ModelChecksumError, ModelError, ModelMissingError
from rag.models import BundledModel, assemble_parts, ensure_bundled, resolve_model


@pytest.fixture
def settings(tmp_path):
    (tmp_path / "models").mkdir()
    return make_settings(tmp_path / "index", models_dir=tmp_path / "models", cache_dir=tmp_path / "cache")


def test_a_gguf_file_by_path_by_name_in_models_or_without_its_suffix(settings):
    gguf = settings.models_dir / "Tiny-Chat-Q4.gguf"
    gguf.write_bytes(b"GGUF" + b"\0" * 64)
    for spec in (str(gguf), "Tiny-Chat-Q4.gguf", "Tiny-Chat-Q4", f"  {gguf}  "):
        resolved = resolve_model(spec, settings)
        assert resolved.path == gguf and resolved.name == "Tiny-Chat-Q4"


def test_what_cannot_be_used_says_why(settings):
    with pytest.raises(ModelMissingError, match="not found"):
        resolve_model("no-such-model", settings)
    with pytest.raises(ModelMissingError, match="offline"):
        resolve_model("Qwen/Qwen2.5-7B-Instruct-GGUF", settings)
    with pytest.raises(ConfigError, match="no model given"):
        resolve_model("  ", settings)
    (settings.models_dir / "broken.gguf").write_bytes(b"not a gguf at all")
    with pytest.raises(ModelError, match="not a GGUF"):
        resolve_model("broken", settings)


def parts_of(tmp_path: Path, *blobs: bytes) -> list[Path]:
    paths = []
    for i, blob in enumerate(blobs):
        paths.append(tmp_path / f"part{i}.bin")
        paths[-1].write_bytes(blob)
    return paths


def test_assembly_verifies_size_and_sha256_and_leaves_nothing_half_made(tmp_path):
    parts = parts_of(tmp_path, b"GGUF-first-", b"second")
    digest = hashlib.sha256(b"GGUF-first-second").hexdigest()
    good = assemble_parts(parts, tmp_path / "out" / "good.gguf", digest, size=17)
    assert good.read_bytes() == b"GGUF-first-second"
    with pytest.raises(ModelChecksumError, match="sha256"):
        assemble_parts(parts, tmp_path / "out" / "bad.gguf", "0" * 64)
    with pytest.raises(ModelChecksumError, match="expected 99"):
        assemble_parts(parts, tmp_path / "out" / "short.gguf", digest, size=99)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["good.gguf", "good.gguf.verified"]


def installed_file_model(sha256: str) -> BundledModel:
    """A 'bundled model' whose one part is a file of an installed package (typer's __init__.py): the
    lookup through package metadata, the copy into the cache and the checks all run for real."""
    return BundledModel("file-model", "file-model-q0", "typer", 1, "typer/__init__.py", 0, sha256)


def test_a_bundled_model_is_assembled_once_and_reassembled_when_its_copy_changes(tmp_path):
    source = Path(str(metadata.distribution("typer").locate_file("typer/__init__.py")))
    model = installed_file_model(hashlib.sha256(source.read_bytes()).hexdigest())
    cached = ensure_bundled(model, tmp_path)
    assert cached == tmp_path / "file-model-q0.gguf" and cached.read_bytes() == source.read_bytes()
    assert ensure_bundled(model, tmp_path) == cached  # the stamp matches: not read again
    cached.write_bytes(b"tampered")
    assert ensure_bundled(model, tmp_path).read_bytes() == source.read_bytes()  # re-verified, rebuilt


def test_a_bundled_model_with_a_wrong_checksum_is_refused(tmp_path):
    with pytest.raises(ModelChecksumError, match="sha256"):
        ensure_bundled(installed_file_model("0" * 64), tmp_path)
    assert not list(tmp_path.glob("*.gguf"))


def test_a_bundled_model_whose_package_is_missing(tmp_path):
    missing = BundledModel("gone", "gone", "no-such-distribution-{i}", 2, "x/part{i:02d}.bin", 0, "0" * 64)
    with pytest.raises(ModelMissingError, match="not installed"):
        ensure_bundled(missing, tmp_path)
