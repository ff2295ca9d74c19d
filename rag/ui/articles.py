"""The "Your articles" tab: upload files (checked, saved under a safe name, indexed with a progress
bar) and the library of indexed articles to view or remove. The work is done by rag/library.py."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as StillRunning
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from ..documents import SUPPORTED_SUFFIXES
from ..indexing import IndexProgress
from ..library import Added, Rejected, Saved
from . import render
from .assets import asset
from .context import AppContext
from .sources import SourcesPanel

POLL_S = 0.25  # how often the progress bar is redrawn while indexing


@dataclass(kw_only=True)
class _Progress:
    """Indexing progress as the indexer reports it, read by the page while it runs."""

    files: int
    total: int = 0
    done: int = 0

    def callbacks(self) -> IndexProgress:
        return IndexProgress(start=self._start, advance=self._advance)

    def _start(self, files: int, chunks: int) -> None:
        self.files, self.total = files, chunks

    def _advance(self, n: int) -> None:
        self.done += n

    def html(self) -> str:
        if not self.total:
            return render.progress(0, 0, "Reading and splitting the files…")
        return render.progress(
            self.done, self.total, f"Indexing {self.files} file(s): {self.done} of {self.total} passages embedded…"
        )


class ArticlesPanel:
    def __init__(self, ctx: AppContext, sources: SourcesPanel) -> None:
        self.ctx = ctx
        self.sources = sources
        self.tab: gr.Tab
        self.upload: gr.File
        self.report: gr.HTML
        self.library: gr.HTML

    def build(self) -> None:
        with gr.Tab("Your articles", id="library") as self.tab:
            gr.Markdown(
                f"Add **.txt, .md, .html or .pdf** files (up to {self.ctx.settings.max_upload_mb} MB each). "
                "They are saved in the articles folder and can be asked about as soon as indexing ends."
            )
            self.upload = gr.File(
                label="Add articles",
                file_count="multiple",
                type="filepath",
                file_types=list(SUPPORTED_SUFFIXES),
                elem_id="rag-upload",
            )
            self.report = gr.HTML("", elem_id="rag-upload-report", js_on_load=None)
            self.library = gr.HTML(
                render.library([]),
                elem_id="rag-library",
                js_on_load=asset("library.js"),
                server_functions=[self.sources.server_function()],
            )

    def wire(self, demo: gr.Blocks) -> None:
        """Uploads and removals take turns (one index writer); the library is re-read when shown."""
        private: dict[str, Any] = dict(api_visibility="private", show_progress="hidden")
        writing: dict[str, Any] = dict(concurrency_limit=1, concurrency_id="index", **private)
        self.upload.upload(self.add_files, [self.upload], [self.report, self.library, self.upload], **writing)
        self.library.click(self.library_event, None, [self.report, self.library], **writing)
        self.tab.select(self.library_html, None, [self.library], queue=False, **private)
        demo.load(self.library_html, None, [self.library], queue=False, **private)

    # -- handlers ------------------------------------------------------------------------------
    def library_html(self, note: str = "") -> str:
        try:
            records = self.ctx.library.records()
        except Exception as exc:  # noqa: BLE001 - the table says why it is empty
            return render.library([], note or self.ctx.messages.failure(exc, "listing the library"))
        return render.library(records, note)

    def add_files(self, files: list[Any] | None) -> Iterator[tuple[Any, Any, Any]]:
        """Check, save and index the uploaded files. Yields (report, library, cleared file input)."""
        paths = [path for path in map(_upload_path, files or []) if path is not None]
        if not paths:
            yield render.upload_report([], []), gr.skip(), None
            return
        rejected: list[Rejected] = []
        try:
            saved = self.ctx.library.save(paths)
            rejected = saved.rejected
            if not saved.paths:
                yield self._report([], rejected), self.library_html(), None
                return
            yield render.progress(0, 0, f"Reading {len(saved.paths)} file(s)…"), gr.skip(), gr.skip()
            added: Added | None = None
            for update in self._index(saved):
                if isinstance(update, Added):
                    added = update
                else:
                    yield update, gr.skip(), gr.skip()
            assert added is not None
            notes = (
                [
                    f"Saved in the articles folder, so `rag index` keeps them. {added.total_chunks} passages "
                    "in the index."
                ]
                if added.added
                else []
            )
            yield self._report(added.added, added.rejected, notes), self.library_html(), None
        except Exception as exc:  # noqa: BLE001 - nothing half-added stays (rag/library.py)
            problem = Rejected(name="(upload)", reason=self.ctx.messages.failure(exc, "adding articles"))
            yield self._report([], [*rejected, problem]), self.library_html(), None

    def _index(self, saved: Saved) -> Iterator[str | Added]:
        """Index in a worker thread; yield the progress bar while it runs, then what was added."""
        progress = _Progress(files=len(saved.paths))
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rag-upload-index")
        future = pool.submit(self.ctx.library.index_saved, saved, progress.callbacks())
        pool.shutdown(wait=False)
        last = None
        while True:
            try:
                added = future.result(timeout=POLL_S)
                break
            except StillRunning:
                html = progress.html()
                if html != last:
                    last = html
                    yield html
        yield render.progress(progress.total, progress.total, "Indexed.")
        yield added

    def _report(self, added: Sequence[str], rejected: Sequence[Rejected], notes: Sequence[str] = ()) -> str:
        shown = [Rejected(name=r.name, reason=self.ctx.messages.clean(r.reason)) for r in rejected]
        return render.upload_report(added, shown, notes)

    def remove_article(self, source: str) -> str:
        """Take an article out of the library; returns the note to show."""
        removal = self.ctx.library.remove(source)
        if removal is None:
            return f"{source} is not in the library (already removed?)."
        if removal.retired:
            return f"Removed “{removal.title}”. Its file was moved to .removed/ in the articles folder."
        return f"Removed “{removal.title}” from the library."

    def library_event(self, evt: gr.EventData) -> tuple[Any, Any]:
        """A button in the library table (library.js sends {action: "remove", source})."""
        data = getattr(evt, "_data", None) or {}
        if not isinstance(data, dict) or data.get("action") != "remove":
            return gr.skip(), gr.skip()
        source = str(data.get("source") or "")[:500]
        try:
            note = self.remove_article(source)
        except Exception as exc:  # noqa: BLE001
            note = f"Could not remove {source}: {self.ctx.messages.failure(exc, f'removing {source!r}')}"
        return render.upload_report([], [], [note]), self.library_html(note)


def _upload_path(file: Any) -> Path | None:
    """Where Gradio put an upload: a path string, or a file object with `.path` (or `.name`)."""
    where = file if isinstance(file, str) else getattr(file, "path", None) or getattr(file, "name", None)
    return Path(where) if isinstance(where, str) and where else None
