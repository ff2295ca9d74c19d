"""The articles one can ask about, managed without a UI: list, add uploaded files, remove, read one.

Uploads come from strangers' browsers, so each file is checked before it touches the articles folder
(type, size, readable text, not already indexed) and saved under a harmless name that never
overwrites a file. A removed article's file moves to `.removed/` in that folder, so the next
`rag index` does not bring it back. The browser app is one user of this module; the CLI can be another.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .documents import SUPPORTED_SUFFIXES, content_hash, load_document, read_bytes, too_large
from .errors import DocumentError, IndexMissingError, RagError
from .indexing import IndexProgress
from .pipeline import Pipeline
from .store import FileRecord
from .textmap import restore

log = logging.getLogger(__name__)

RETIRED = ".removed"  # inside the articles folder; `rag index` skips dot-folders


@dataclass(frozen=True, kw_only=True)
class Rejected:
    """A file that was not added, and why (one line, no path)."""

    name: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class Saved:
    """Uploads written into the articles folder (not yet indexed), and those refused."""

    paths: list[Path]
    rejected: list[Rejected]


@dataclass(frozen=True, kw_only=True)
class Added:
    """What an upload ended as: articles now searchable, files refused, passages in the index."""

    added: list[str]
    rejected: list[Rejected]
    total_chunks: int


@dataclass(frozen=True, kw_only=True)
class Removal:
    source: str
    title: str
    retired: bool  # its file moved to `.removed/` in the articles folder


@dataclass(frozen=True, kw_only=True)
class Article:
    """An indexed article's record and its text as indexed (citation offsets point into it)."""

    record: FileRecord
    text: str


class Library:
    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    @property
    def folder(self) -> Path:
        return self.pipeline.settings.corpus_dir

    def records(self) -> list[FileRecord]:
        """The indexed articles by file name; none before the first `rag index`."""
        try:
            return self.pipeline.library()
        except IndexMissingError:
            return []

    # -- adding --------------------------------------------------------------------------------
    def save(self, paths: Sequence[Path]) -> Saved:
        """Check each file and write the good ones into the articles folder under safe, new names."""
        known = {r.content_hash: r.source for r in self.records()}
        taken: set[str] = set()
        saved: list[Path] = []
        rejected: list[Rejected] = []
        try:
            for path in paths:
                name = safe_filename(Path(path).name)
                checked = self._check(Path(path), name, known, taken)
                if isinstance(checked, Rejected):
                    rejected.append(checked)
                    continue
                self.folder.mkdir(parents=True, exist_ok=True)
                saved.append(_write_new(unique_path(self.folder, name), checked))
        except BaseException:  # a full disk, say: no upload is left half-saved
            for done in saved:
                done.unlink(missing_ok=True)
            raise
        return Saved(paths=saved, rejected=rejected)

    def _check(self, path: Path, name: str, known: dict[str, str], taken: set[str]) -> bytes | Rejected:
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            kind = suffix or "(none)"
            return Rejected(name=name, reason=f"unsupported file type {kind}: use .txt, .md, .html or .pdf")
        limit = self.pipeline.settings.max_upload_bytes
        try:
            size = path.stat().st_size
        except OSError:
            return Rejected(name=name, reason="unreadable: the upload could not be read")
        if size > limit:
            return Rejected(name=name, reason=too_large(size, limit))
        try:
            data = read_bytes(path, limit)
            load_document(Path(name), data)
        except DocumentError as exc:
            return Rejected(name=name, reason=f"unreadable: {exc}")
        digest = content_hash(data)
        if digest in known:
            return Rejected(name=name, reason=f"already in the library as {known[digest]}")
        if digest in taken:
            return Rejected(name=name, reason="the same file is in this upload twice")
        taken.add(digest)
        return data

    def index_saved(self, saved: Saved, progress: IndexProgress = IndexProgress()) -> Added:
        """Index saved uploads. A file the indexer cannot use is refused and deleted again; if indexing
        fails outright, every saved file not in the index is deleted, so no half-added upload stays."""
        try:
            report = self.pipeline.index(list(saved.paths), progress=progress)
        except BaseException:
            self._forget_unindexed(saved.paths)
            raise
        rejected = list(saved.rejected)
        ours = {str(p) for p in saved.paths}
        for failure in report.failed:
            rejected.append(Rejected(name=Path(failure.path).name, reason=f"unreadable: {failure.reason}"))
            if failure.path in ours:
                Path(failure.path).unlink(missing_ok=True)
        return Added(added=report.added + report.updated, rejected=rejected, total_chunks=report.total_chunks)

    def add(self, paths: Sequence[Path], progress: IndexProgress = IndexProgress()) -> Added:
        saved = self.save(paths)
        if not saved.paths:
            return Added(added=[], rejected=saved.rejected, total_chunks=0)
        return self.index_saved(saved, progress)

    def _forget_unindexed(self, paths: Sequence[Path]) -> None:
        try:
            indexed = {r.source for r in self.records()}
        except RagError:
            indexed = set()
        for path in paths:
            if path.name not in indexed:
                path.unlink(missing_ok=True)

    # -- removing and reading ------------------------------------------------------------------
    def remove(self, source: str) -> Removal | None:
        """Take an article out of the index (None when it is not there); its file, if it lies in the
        articles folder, moves to `.removed/`."""
        record = {r.source: r for r in self.records()}.get(source)
        if record is None:
            return None
        self.pipeline.remove(source)
        return Removal(source=source, title=record.title or source, retired=self._retire(record.path))

    def _retire(self, path: str) -> bool:
        try:
            file = Path(path).resolve()
            folder = self.folder.resolve()
            if not path or not file.is_file() or not file.is_relative_to(folder):
                return False
            retired = folder / RETIRED
            retired.mkdir(exist_ok=True)
            os.replace(file, unique_path(retired, file.name))
            return True
        except OSError:
            log.exception("could not move a removed article's file")
            return False

    def article(self, source: str) -> Article | None:
        """The article as indexed: from its file when unchanged, else pieced together from its chunks."""
        store = self.pipeline.store
        record = store.files().get(source)
        if record is None:
            return None
        path = Path(record.path)
        try:
            if path.is_file() and path.suffix.lower() in (".txt", ".md"):
                data = path.read_bytes()
                if content_hash(data) == record.content_hash:
                    text = data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
                    return Article(record=record, text=text)
        except OSError:
            pass
        text = ""
        for chunk in store.chunks_of(source):  # the original text of each, cleaned-out noise put back
            gap = restore(chunk.lead, chunk.lead_edits)
            if gap and chunk.start - len(gap) == len(text):
                text += gap
            if chunk.start > len(text):
                text += " " * (chunk.start - len(text))
            text = text[: chunk.start] + restore(chunk.text, chunk.edits) if chunk.end > len(text) else text
        return Article(record=record, text=text)


def safe_filename(name: str, default_suffix: str = ".txt") -> str:
    """A browser-supplied file name reduced to a harmless basename: no folders, no `..`, no control or
    shell-special characters, no leading dot, at most 120 characters, the extension kept."""
    base = re.split(r"[/\\]", str(name or ""))[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = re.sub(r"[^\w.\- ]+", "_", base, flags=re.UNICODE)
    base = re.sub(r"\s+", " ", base).strip(" ._")
    base = re.sub(r"\.{2,}", ".", base)
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = suffix.lower()[:8]
    stem = stem.strip(" ._")[:110] or "article"
    return f"{stem}.{suffix}" if suffix else f"{stem}{default_suffix}"


def _write_new(target: Path, data: bytes) -> Path:
    """Write a file that must not exist yet (never overwrites); nothing is left if writing fails."""
    with open(target, "xb") as fh:
        try:
            fh.write(data)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    return target


def unique_path(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/stem-2.ext`, `-3`, … when taken."""
    path = folder / name
    stem, suffix = path.stem, path.suffix
    i = 2
    while path.exists():
        path = folder / f"{stem}-{i}{suffix}"
        i += 1
    return path
