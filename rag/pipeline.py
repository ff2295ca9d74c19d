"""The one object behind the CLI, the batch mode and the web app: wires the steps together once.

Heavy parts (embedder, index, LLM) load lazily and once, under locks, so the web page can come up
before the model has finished loading and two requests never load a model twice. `ensure_ready` is
the one place that turns "no index yet" into a first indexing run, for the CLI and the app alike.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

from .answer import Answer
from .answering import Answerer, AskOptions, Event, final_answer
from .config import Settings
from .embedding import Embedder
from .errors import IndexMissingError
from .indexing import IndexProgress, IndexReport, index_params, index_paths
from .llm import LLM, load_llm
from .prompts import load_prompts
from .retrieval import Retriever
from .store import FileRecord, IndexStore

log = logging.getLogger(__name__)


class Pipeline:
    """`embedder` and `llm`, when given, are used instead of loading the configured models: a
    benchmark's recording wrapper, or the scripted stand-ins of the unit tests."""

    def __init__(
        self, settings: Settings | None = None, *, embedder: Embedder | None = None, llm: LLM | None = None
    ) -> None:
        self.settings = settings or Settings.from_env()
        self.prompts = load_prompts(self.settings.prompts_dir)
        self._lock = threading.RLock()
        self._llm_lock = threading.Lock()
        self._index_lock = threading.Lock()
        self._embedder: Embedder | None = embedder
        self._embedder_given = embedder is not None
        self._store: IndexStore | None = None
        self._llm: LLM | None = llm

    # -- parts ---------------------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = self._make_embedder(self._indexed_embedder())
            return self._embedder

    def _make_embedder(self, indexed: str | None) -> Embedder:
        s = self.settings
        return Embedder(
            s.embed_model,
            s.embed_batch_size,
            backend=s.embed_backend,
            cache_dir=s.cache_dir,
            threads=s.threads,
            indexed=indexed,
        )

    def _indexed_embedder(self) -> str | None:
        """The embedder the existing index was built with (`auto` keeps reading it with its own kind)."""
        if self.settings.embed_backend != "auto":
            return None
        try:
            return self.store.stored_params().get("embed_model")
        except Exception:  # noqa: BLE001 - no index yet, or unreadable: the store reports that itself
            return None

    @property
    def store(self) -> IndexStore:
        with self._lock:
            if self._store is None:
                self._store = IndexStore(self.settings)
            return self._store

    @property
    def llm_loaded(self) -> bool:
        return self._llm is not None

    def llm(self) -> LLM:
        with self._llm_lock:
            if self._llm is None:
                llm = load_llm(self.settings)
                llm.warm(self.prompts.answer_messages("", ""))
                self._llm = llm
            return self._llm

    def use_model(self, model: str) -> None:
        """Switch the generation model (web settings); the old one is released first."""
        with self._llm_lock:
            if self._llm is not None and self.settings.model == model:
                return
            self.settings = self.settings.with_overrides(model=model)
            self._llm = None
        self.llm()

    @property
    def answerer(self) -> Answerer:
        retriever = Retriever(self.store, self.embedder, self.settings)
        return Answerer(self.settings, retriever, self.embedder, self.llm, self.prompts)

    # -- readiness -----------------------------------------------------------------------------
    def ensure_ready(self, on_first_index: Callable[[Path], None] = lambda corpus: None) -> IndexReport | None:
        """Make the index answerable: index the corpus folder when there is no index yet or it is empty
        (what the README promises on first use; `on_first_index` is told before it starts), then refuse
        an index built by another embedder. Returns the first run's report, or None."""
        try:
            empty = self.store.collection().count() == 0
        except IndexMissingError:
            empty = True
        report = None
        corpus = self.settings.corpus_dir
        if empty and corpus.is_dir():
            on_first_index(corpus)
            report = self.index([corpus])
            log.info("first-run index: %s", report.summary())
        self.check_embedder()
        return report

    def check_embedder(self) -> None:
        """Refuse to search an index built by another embedding model: its vectors mean something else
        (IndexMismatchError). Cheap; the app repeats it before each answer, as the index may be rebuilt."""
        self.store.check_params(index_params(self.settings, self.embedder))

    def load_search(self) -> None:
        """Load the keyword index and run the embedder once, so the first question does not wait for them."""
        self.store.keyword()
        self.embedder.embed_one("warm up")

    # -- operations ----------------------------------------------------------------------------
    def index(
        self,
        paths: list[Path] | None = None,
        prune: bool = False,
        rebuild: bool = False,
        progress: IndexProgress = IndexProgress(),
    ) -> IndexReport:
        with self._index_lock:
            if rebuild and self.settings.embed_backend == "auto" and not self._embedder_given:
                with self._lock:  # everything is re-embedded: take the fastest embedder, not the old index's
                    self._embedder = self._make_embedder(None)
            return index_paths(
                paths or [self.settings.corpus_dir],
                self.settings,
                self.store,
                self.embedder,
                prune=prune,
                rebuild=rebuild,
                progress=progress,
            )

    def stream(
        self, question: str, history: list[dict[str, str]] | None = None, options: AskOptions = AskOptions()
    ) -> Iterator[Event]:
        """The answer's events; the final Answer records the scope it was asked within."""
        stream = self.answerer.stream(question, history, options)
        try:
            for event in stream:
                if isinstance(event, Answer) and options.scope is not None:
                    event.scope = options.scope.to_json()
                yield event
        finally:
            if isinstance(stream, Generator):
                stream.close()  # a consumer that stops early releases the model at once

    def ask(
        self, question: str, history: list[dict[str, str]] | None = None, options: AskOptions = AskOptions()
    ) -> Answer:
        return final_answer(self.stream(question, history, options))

    def library(self) -> list[FileRecord]:
        return sorted(self.store.files().values(), key=lambda r: r.source)

    def remove(self, source: str) -> None:
        with self._index_lock:
            store = self.store
            with store.changing():
                store.remove_file(source)
