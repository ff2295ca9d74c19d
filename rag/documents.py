"""Load articles from files and folders into `Document`s, skipping (with a reason) what cannot be read.

Offsets in chunks point into `Document.text`. For .txt/.md that is the file's own text, so a citation's
start/end can be checked against the file on disk; for .html/.pdf it is the extracted text. Web noise
is cleaned out of a copy (`Document.cleaned`, see rag/cleaning.py); `text` stays as loaded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import select
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .cleaning import Cleaned, clean
from .config import Settings
from .errors import DocumentError
from .sentences import split_sentences

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
_MB = 1024 * 1024
MAX_FILE_BYTES = Settings.max_upload_mb * _MB  # the setting's default; `rag index` and uploads pass theirs
PDF_PARSE_TIMEOUT_S = 30.0
PDF_MEMORY_LIMIT = 2048 * _MB  # address space of the PDF parsing process (decompression bombs)

_DATE_LINE = re.compile(r"^\s*(?:date|published|dated)\s*[:\-]?\s*(\d{4}-\d{2}-\d{2})\b\s*", re.I)
_BLOCK_TAGS = {"h1", "h2", "h3", "h4", "p", "li", "blockquote", "pre", "td"}
_ISO_DATE = re.compile(r"\b(20\d{2}|19\d{2})-(\d{2})-(\d{2})\b")


@dataclass(frozen=True)
class Document:
    source: str  # file name: what citations and evaluation match on
    path: str
    title: str
    date: str  # ISO date or ""
    text: str
    content_hash: str
    cleaned: Cleaned | None = None  # `text` without web noise; None: nothing to clean

    @property
    def clean(self) -> Cleaned:
        return self.cleaned or Cleaned(text=self.text)


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def find_files(paths: Iterable[Path]) -> tuple[list[Path], list[Skipped]]:
    """Expand files and folders into supported files, once each, not following symlink loops."""
    found: dict[str, Path] = {}
    skipped: list[Skipped] = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            skipped.append(Skipped(str(path), "no such file or folder"))
        elif path.is_dir():
            for candidate in _walk(path, skipped):
                found.setdefault(os.path.realpath(candidate), candidate)
        elif path.suffix.lower() in SUPPORTED_SUFFIXES:
            found.setdefault(os.path.realpath(path), path)
        else:
            skipped.append(Skipped(str(path), f"unsupported file type {path.suffix or '(none)'}"))
    return sorted(found.values(), key=lambda p: (p.name, str(p))), skipped


def _walk(root: Path, skipped: list[Skipped]) -> Iterator[Path]:
    seen_dirs: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen_dirs:
            skipped.append(Skipped(dirpath, "symlink loop: folder already visited"))
            dirnames[:] = []
            continue
        seen_dirs.add(real)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if Path(name).suffix.lower() in SUPPORTED_SUFFIXES:
                yield Path(dirpath) / name


def read_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentError(f"cannot read: {exc.strerror or exc}") from exc
    if size == 0:
        raise DocumentError("empty file")
    if size > max_bytes:
        raise DocumentError(too_large(size, max_bytes))
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read: {exc.strerror or exc}") from exc


def too_large(size: int, max_bytes: int) -> str:
    return f"too large ({size / _MB:.0f} MB; the limit is {max_bytes / _MB:.0f} MB)"


def load_document(path: Path, data: bytes | None = None) -> Document:
    """Parse one file. Raises DocumentError with a one-line reason when it cannot be used."""
    path = Path(path)
    data = read_bytes(path) if data is None else data
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        text = _decode_text(data)
        title_hint = ""
    elif suffix in (".html", ".htm"):
        title_hint, text = _html_text(_decode_text(data))
    elif suffix == ".pdf":
        title_hint, text = _pdf_text(data)
    else:
        raise DocumentError(f"unsupported file type {suffix or '(none)'}")
    if not text.strip():
        raise DocumentError("no readable text")
    date = _find_date(text)
    title = title_hint or _title_from_text(text, markdown=suffix == ".md", stem=path.stem) or path.stem
    return Document(
        source=path.name,
        path=str(path),
        title=title,
        date=date,
        text=text,
        content_hash=content_hash(data),
        cleaned=clean(text),
    )


def load_documents(paths: Iterable[Path]) -> tuple[list[Document], list[Skipped]]:
    files, skipped = find_files(paths)
    docs: list[Document] = []
    for path in files:
        try:
            docs.append(load_document(path))
        except DocumentError as exc:
            skipped.append(Skipped(str(path), str(exc)))
    return docs, skipped


def _decode_text(data: bytes) -> str:
    """UTF-8 first; Windows-1252 as the one fallback (old news exports); binary is refused."""
    if b"\x00" in data[:8192]:
        raise DocumentError("binary content (NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise DocumentError("not UTF-8 or Windows-1252 text") from exc
        log.warning("decoded as Windows-1252 (not valid UTF-8)")
    if _control_ratio(text) > 0.02:
        raise DocumentError("binary content, not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return bad / len(sample)


def _find_date(text: str) -> str:
    head = text[:600]
    match = _DATE_LINE.search(head) or _ISO_DATE.search(head)
    if not match:
        return ""
    return match.group(1) if match.re is _DATE_LINE else match.group(0)


def _title_from_text(text: str, markdown: bool = False, stem: str = "") -> str:
    """The first line long enough to be a headline, after a shorter one the file is named after ("OPEC"
    in opec.txt: "OPEC: The Organization of ..."): a label such as "NEWS" names no file, and a short
    name alone would tell the embedder less than the article's first sentence does."""
    named, slugged = "", slug(stem)
    for raw in text.splitlines()[:12]:
        line = _DATE_LINE.sub("", raw).strip()
        if markdown:
            line = line.lstrip("#").strip()
        if len(line.split()) < 3:
            if not named and slugged and slug(line) == slugged:
                named = line
            continue  # section labels such as "NEWS"
        if len(line) > 120:
            first = split_sentences(line)[0].text
            line = first if len(first) <= 120 else line[:117].rsplit(" ", 1)[0] + "…"
        return f"{named}: {line}" if named else line
    return named


def slug(text: str) -> str:
    """Letters and digits in lower case, accents dropped, runs of anything else one "_": "Les
    Demoiselles d'Avignon" and les_demoiselles_d_avignon are one slug."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


def _html_text(html: str) -> tuple[str, str]:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    h1 = tree.css_first("h1")
    if not title and h1:
        title = h1.text(strip=True)
    tree.strip_tags(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "svg", "iframe"])
    root = tree.css_first("article") or tree.css_first("main") or tree.body or tree.root
    if root is None:
        return title, ""
    blocks: list[str] = []
    for node in root.css(", ".join(sorted(_BLOCK_TAGS))):
        if any(child.tag in _BLOCK_TAGS for child in list(node.traverse(include_text=False))[1:]):
            continue  # a container: its block children carry the text
        text = re.sub(r"\s+", " ", node.text(separator=" ")).strip()
        if text:
            blocks.append(text)
    if not blocks:
        blocks = [re.sub(r"[ \t]+", " ", line).strip() for line in root.text(separator="\n").splitlines()]
        blocks = [b for b in blocks if b]
    return title, "\n\n".join(blocks)


def _pdf_text(data: bytes) -> tuple[str, str]:
    """Extract a PDF's text in a separate reader process, killed after PDF_PARSE_TIMEOUT_S: some PDFs
    make the parser loop or decompress without end, and a thread could not be stopped (it would keep
    a core busy for good in a long-running chat server)."""
    outcome = _PDF_READER.parse(data, PDF_PARSE_TIMEOUT_S)
    if outcome[0] == "error":
        raise DocumentError(f"corrupt or unreadable PDF ({outcome[1]})")
    return outcome[1], outcome[2]


class _PdfReader:
    """One long-lived `python` child that parses PDFs sent on its stdin (started on first use, so
    the interpreter start is paid once per process, not per file). A parse over time gets the child
    killed; the next PDF starts a fresh one. One parse at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            root = str(Path(__file__).resolve().parent.parent)
            code = (
                f"import sys; sys.path.insert(0, {root!r}); "
                "from rag.documents import _pdf_worker_main; _pdf_worker_main()"
            )
            try:
                self._proc = subprocess.Popen(
                    [sys.executable, "-c", code],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    close_fds=True,
                )
            except OSError as exc:
                raise DocumentError(f"could not start the PDF reader ({exc.strerror or exc})") from exc
        return self._proc

    def _stop(self) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait()
            for stream in (self._proc.stdin, self._proc.stdout):
                try:
                    stream.close()  # type: ignore[union-attr]
                except OSError:
                    pass
            self._proc = None

    def parse(self, data: bytes, timeout: float) -> tuple:
        with self._lock:
            proc = self._start()
            deadline = time.monotonic() + timeout
            try:
                proc.stdin.write(len(data).to_bytes(8, "big") + data)  # type: ignore[union-attr]
                proc.stdin.flush()  # type: ignore[union-attr]
                size = int.from_bytes(_read_exactly(proc, 8, deadline), "big")
                return tuple(json.loads(_read_exactly(proc, size, deadline)))
            except TimeoutError:
                self._stop()
                raise DocumentError(f"PDF parsing took longer than {timeout:.0f} s; skipped") from None
            except (OSError, EOFError, ValueError) as exc:
                self._stop()
                raise DocumentError("corrupt or unreadable PDF (the reader crashed on it)") from exc


def _read_exactly(proc: subprocess.Popen, n: int, deadline: float) -> bytes:
    out = bytearray()
    fd = proc.stdout.fileno()  # type: ignore[union-attr]
    while len(out) < n:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise TimeoutError
        block = os.read(fd, min(n - len(out), 1 << 20))
        if not block:
            raise EOFError("the PDF reader exited")
        out += block
    return bytes(out)


_PDF_READER = _PdfReader()


def _pdf_worker_main() -> None:
    """The PDF reader process: read (length, bytes) requests on stdin, answer (length, JSON) on stdout."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (PDF_MEMORY_LIMIT, PDF_MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass
    stdin = sys.stdin.buffer
    stdout = os.fdopen(os.dup(1), "wb")  # the reply channel; stray prints from the parser go to stderr
    os.dup2(2, 1)
    while True:
        head = stdin.read(8)
        if len(head) < 8:
            return  # the indexer is gone
        data = stdin.read(int.from_bytes(head, "big"))
        reply = json.dumps(_parse_pdf(data)).encode("utf-8")
        stdout.write(len(reply).to_bytes(8, "big") + reply)
        stdout.flush()


def _parse_pdf(data: bytes) -> list:
    try:
        import io

        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        meta_title = ""
        try:
            meta_title = (reader.metadata.title or "") if reader.metadata else ""
        except Exception:  # noqa: BLE001 - broken metadata must not lose the text
            meta_title = ""
        pages = [page.extract_text() or "" for page in reader.pages]
        return ["ok", str(meta_title).strip(), "\n\n".join(p.strip() for p in pages if p.strip())]
    except MemoryError:
        return ["error", "needs too much memory to read"]
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on corrupt input
        return ["error", type(exc).__name__]
