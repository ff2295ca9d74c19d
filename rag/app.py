"""`rag chat`: the browser chat over the articles (Gradio), on one shared `Pipeline`.

- Chat: answers stream in; each [n] marker is a link that focuses its passage in the Sources panel;
  example questions on an empty chat; New chat; Copy; follow-ups (the conversation goes to the
  pipeline as history); first-token and total time in small print.
- Sources: the cited passages with title, date and file, the supporting sentence in <mark>, and the
  whole article in a dialog scrolled to it. A refused answer says so and lists what was searched.
- Your articles: upload .txt/.md/.html/.pdf (checked, saved under a safe name into the corpus
  folder, indexed with a progress bar); a library to view or remove articles.
- Settings (side panel): model, top k, temperature, retrieval scores; kept per browser.

Safety: every piece of article, upload or user text is escaped (rag/webui.py) and the Chatbot
sanitises on top; handlers catch their errors and show one friendly line, never a traceback or a
full path; off loopback the server refuses to start without a login. One answer is generated at a
time with a local model (queue with concurrency 1; `Settings.answer_slots` with an LLM server); a client that goes away has its generator closed,
which releases the model. The page loads nothing from the network (system fonts, no analytics).
"""

import ipaddress
import logging
import os
import re
import secrets
import threading
import time
from pathlib import Path
from typing import Any, Iterator

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402

from .answer import Answer, Partial, Status  # noqa: E402
from .answering import AskOptions, QuestionError, clean_question  # noqa: E402
from .config import Settings  # noqa: E402
from .documents import SUPPORTED_SUFFIXES, DocumentError, content_hash, load_document  # noqa: E402
from .embedding import EmbeddingError  # noqa: E402
from .indexing import IndexProgress, IndexReport  # noqa: E402
from .models import ModelError, discover_models  # noqa: E402
from .pipeline import Pipeline  # noqa: E402
from .errors import LaunchError  # noqa: E402
from .prompts import PromptError  # noqa: E402
from .store import IndexError_  # noqa: E402
from .webui import (  # noqa: E402
    CSS, EVIDENCE_JS, HEAD_JS, LIBRARY_JS, MONO_FONTS, SHOW_SCORES_JS, SYSTEM_FONTS, Turn, chat_messages,
    esc, render_article, render_article_missing, render_evidence, render_library, render_progress,
    render_status, render_upload_report, safe_filename, scrub, unique_path,
)

log = logging.getLogger(__name__)

USER_ERRORS = (QuestionError, ModelError, IndexError_, EmbeddingError, DocumentError, PromptError)
SHIPPED_EXAMPLES = {  # example questions for the articles that ship in corpus/
    "002_a3ce7c2eb21b0992.txt": "How many State Department employees took buyouts?",
    "001_4d4d9a555159c093.txt": "Who co-led the Department of Government Efficiency with Elon Musk?",
    "003_35891acf2a7fbcf7.txt": "What did Musk call Social Security on Joe Rogan's podcast?",
}
STATUS_WATCH_S = 15 * 60


# -- launching ---------------------------------------------------------------------------------

def is_loopback(host: str) -> bool:
    host = (host or "").strip().strip("[]").lower()
    if host in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name may resolve anywhere: treat it as reachable from outside


def parse_auth(auth: str) -> tuple[str, str] | None:
    auth = (auth or "").strip()
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user.strip() or not password:
        raise LaunchError("--auth / RAG_AUTH must look like user:password (both parts non-empty)")
    return user.strip(), password


def check_launch(settings: Settings) -> tuple[str, str] | None:
    """The login to require, or None on loopback without one. Off loopback a login is mandatory."""
    login = parse_auth(settings.auth)
    host = settings.host or "127.0.0.1"
    if not is_loopback(host) and login is None:
        raise LaunchError(
            f"refusing to listen on {host}: the chat would be open to the network without a login. "
            "Set --auth user:password (or RAG_AUTH), or use --host 127.0.0.1"
        )
    return login


def theme() -> gr.themes.Base:
    """The default look with system fonts only: Gradio's stock themes would fetch web fonts."""
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate", font=SYSTEM_FONTS, font_mono=MONO_FONTS)


def launch(demo: gr.Blocks, settings: Settings | None = None, *, block: bool = True, quiet: bool = False,
           warm: bool = True) -> str:
    """Check the settings, start the warm-up (index, embedder, model in a background thread), serve
    `demo`; returns the local URL. With `block`, serves until Ctrl-C."""
    chat: ChatApp = demo.rag_chat  # type: ignore[attr-defined]
    settings = settings or chat.pipeline.settings
    login = check_launch(settings)
    if warm:
        chat.start_warm_up()
    demo.launch(
        server_name=settings.host or "127.0.0.1", server_port=settings.port, auth=login,
        auth_message="Sign in to ask the news articles." if login else None,
        prevent_thread_lock=True, show_error=False, quiet=True, share=False, inbrowser=False,
        theme=theme(), css=CSS, head=HEAD_JS, max_file_size=f"{settings.max_upload_mb}mb",
        footer_links=["api"], run_history=False, ssr_mode=False, pwa=False, enable_monitoring=False,
        mcp_server=False,
    )
    url = demo.local_url or f"http://{settings.host}:{settings.port}/"
    if not quiet:
        print(f"Chat running on {url}{'  (login required)' if login else ''}  (Ctrl-C to stop)", flush=True)
    if block:
        try:
            demo.block_thread()
        finally:
            chat.closed = True
    return url


def serve(settings: Settings) -> None:
    """`rag chat`: refuse unsafe settings first, then build the app on one pipeline and serve it."""
    check_launch(settings)
    pipeline = Pipeline(settings)
    launch(build_app(pipeline), settings, block=True)


def build_app(pipeline: Pipeline) -> gr.Blocks:
    """The Gradio app on `pipeline` (not launched). `launch(demo)` serves it."""
    return ChatApp(pipeline).build()


def browser_secret(settings: Settings) -> str:
    """A stable key for the browser-side settings store (so they survive a server restart)."""
    path = settings.cache_dir / "webui-browser-key"
    try:
        key = path.read_text().strip()
        if len(key) >= 16:
            return key
    except OSError:
        pass
    key = secrets.token_urlsafe(24)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(key)
    except OSError:
        pass
    return key


# -- the app -----------------------------------------------------------------------------------

class ChatApp:
    """Handlers and state shared by all browser sessions (per-session state lives in gr.State)."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self._lock = threading.Lock()
        self.phase = "starting"  # starting | index | model | ready | error | switching
        self.problem = ""
        self.index_note = ""
        self.generating = 0  # answers being written now
        self.peak_generating = 0
        self.closed_streams = 0  # answers whose client went away (generator closed early)
        self.closed = False
        self._warm: threading.Thread | None = None

    @property
    def settings(self) -> Settings:
        return self.pipeline.settings

    # -- start-up ------------------------------------------------------------------------------
    def start_warm_up(self) -> None:
        """Load index, embedder and model in the background, so the page is up at once."""
        with self._lock:
            if self._warm is not None:
                return
            self._warm = threading.Thread(target=self._warm_up, name="rag-warm-up", daemon=True)
        self._warm.start()

    def _warm_up(self) -> None:
        try:
            self.phase = "index"
            self._ensure_index()
            self.pipeline.store.keyword()
            self.pipeline.embedder.embed_one("warm up")
            self.check_index()
        except Exception as exc:  # noqa: BLE001 - shown on the page as one line, logged in full
            log.exception("preparing the index failed")
            self.index_note = self.friendly(exc)
        try:
            self.phase = "model"
            self.pipeline.llm()
            self.phase = "ready"
        except Exception as exc:  # noqa: BLE001
            log.exception("loading the model failed")
            self.problem = self.friendly(exc)
            self.phase = "error"

    def _ensure_index(self) -> None:
        """First run without an index: index the corpus folder (what `rag index` would do)."""
        try:
            count = self.pipeline.store.collection().count()
        except IndexError_ as exc:
            if "no index yet" not in str(exc):
                raise
            count = 0
        corpus = self.settings.corpus_dir
        if count == 0 and corpus.is_dir():
            self.index_note = "Indexing the articles for the first time…"
            report = self.pipeline.index([corpus])
            log.info("first-run index: %s", report.summary())
            self.index_note = ""

    def check_index(self) -> None:
        """Refuse to answer from an index built by another embedding model (IndexMismatchError)."""
        from .indexing import index_params

        self.pipeline.store.check_params(index_params(self.settings, self.pipeline.embedder))

    def status(self) -> tuple[str, str]:
        """(text, kind) for the status line above the chat."""
        name = self.settings.model
        if self.phase in ("starting", "index"):
            return self.index_note or "Preparing the article index…", "busy"
        if self.phase in ("model", "switching"):
            return (f"Loading the model {name}… You can already ask: the answer starts as soon as it is ready.", "busy")
        if self.phase == "error":
            return f"The model could not be loaded: {self.problem}", "error"
        if self.index_note:
            return self.index_note, "error"
        return f"Ready · model {name}", "ready"

    def watch_status(self) -> Iterator[str]:
        """Page load: keep the status line current until the model is ready."""
        last = None
        deadline = time.monotonic() + STATUS_WATCH_S
        while not self.closed:
            text, kind = self.status()
            html = render_status(text, kind)
            if html != last:
                last = html
                yield html
            if kind in ("ready", "error") or time.monotonic() > deadline:
                return
            time.sleep(0.5)

    # -- errors --------------------------------------------------------------------------------
    def friendly(self, exc: BaseException) -> str:
        """One line for the page: the user-facing message of our own errors, a generic line for
        anything else; no secrets, no full paths either way."""
        if isinstance(exc, USER_ERRORS):
            text = str(exc)
        elif isinstance(exc, OSError):
            text = f"a file could not be read or written ({exc.strerror or type(exc).__name__})"
        else:
            text = "something went wrong on the server; the details are in its log"
        s = self.settings
        folders = {str(p): p.name for p in (s.index_dir, s.corpus_dir, s.models_dir, s.cache_dir, s.prompts_dir)}
        # the servers behind the app: their addresses are the operator's business, not the page's
        servers = {s.llm_url: "the LLM server", s.chroma_url: "the Chroma server"}
        for url, label in servers.items():
            if url:
                full = url if "//" in url else f"http://{url}"
                folders.update({_strip_login(full).rstrip("/"): label, full.rstrip("/"): label, url.rstrip("/"): label})
        login = s.auth.partition(":")[2] if s.auth else ""
        text = scrub(text, secrets=[login, s.llm_api_key], folders=folders)
        text = re.sub(r"(the (?:LLM|Chroma) server)(?:/v1)?(?:/[\w./-]*)?", r"\1", text)
        return re.sub(r"\bthe (LLM|Chroma) server at the \1 server\b", r"the \1 server", text)

    # -- chat ----------------------------------------------------------------------------------
    @staticmethod
    def history(conv: list[Turn]) -> list[dict[str, str]]:
        messages: list[dict[str, str]] = []
        for turn in conv:
            if turn.answer is not None:
                messages.append({"role": "user", "content": turn.question})
                messages.append({"role": "assistant", "content": turn.answer.answer})
        return messages

    def _waiting_status(self) -> str:
        if self.generating:
            return "Waiting: another answer is being written; yours starts right after it (see the queue position)."
        if not self.pipeline.llm_loaded:
            return "Loading the model… the answer starts as soon as it is ready (first question only)."
        return "Searching the articles…"

    def validate_question(self, question: str, conv: list[Turn]):
        """Before anything runs: an empty question gets a note under the box, the chat is untouched."""
        try:
            clean_question(question or "", self.settings.max_question_chars)
            valid = gr.validate(True, "")
        except QuestionError:
            valid = gr.validate(False, "Type a question about the articles first.")
        return valid, gr.validate(True, "")

    def show_question(self, question: str, conv: list[Turn]):
        """Instant feedback (queued without a limit, so it never waits behind an answer): the question
        appears with a placeholder answer, and moves to the hidden `pending` box the answer step reads."""
        conv = conv or []
        return chat_messages(conv, (question, "", self._waiting_status())), question, ""

    def pick_example(self, conv: list[Turn], evt: gr.SelectData):
        value = evt.value if isinstance(evt.value, dict) else {"text": str(evt.value or "")}
        return self.show_question(str(value.get("text", "")), conv)

    def respond(self, question: str, k: float, temperature: float, conv: list[Turn]):
        """Answer `question` in the conversation `conv`, streaming. Yields (chat, sources, conv)."""
        conv = list(conv or [])
        try:
            clean_question(question or "", self.settings.max_question_chars)
        except QuestionError as exc:
            raise gr.Error(esc(str(exc)), title="Empty question", print_exception=False) from None
        options = AskOptions(k=_int_or_none(k, 1, 50), temperature=_float_or_none(temperature, 0.0, 2.0))
        history = self.history(conv)
        status = "Searching the articles…" if self.pipeline.llm_loaded else \
            "Loading the model… the answer starts as soon as it is ready (first question only)."
        yield chat_messages(conv, (question, "", status)), gr.skip(), conv

        turn = Turn(question)
        stream = None
        finished = False
        with self._lock:
            self.generating += 1
            self.peak_generating = max(self.peak_generating, self.generating)
        try:
            self.check_index()
            stream = self.pipeline.stream(question, history, options)
            shown = ""
            for event in stream:
                if isinstance(event, Answer):
                    turn.answer = event
                elif isinstance(event, Partial) and event.text != shown:
                    shown = event.text
                    yield chat_messages(conv, (question, shown, "Writing the answer…")), gr.skip(), conv
                elif isinstance(event, Status):
                    yield chat_messages(conv, (question, shown, event.text)), gr.skip(), conv
            if turn.answer is None:
                turn.error = "the answer stream ended early; please ask again"
            finished = True
        except GeneratorExit:
            with self._lock:
                self.closed_streams += 1
            log.info("client went away mid-answer; generation stopped")
            raise
        except Exception as exc:  # noqa: BLE001 - the page gets one friendly line, the log the trace
            log.exception("answering failed")
            turn.error = self.friendly(exc)
            finished = True
        finally:
            if stream is not None:
                stream.close()  # releases the model's lock at once when we stop early
            with self._lock:
                self.generating -= 1
        if finished:
            conv.append(turn)
            yield chat_messages(conv), render_evidence(conv), conv

    def new_chat(self):
        return [], render_evidence([]), [], "", ""

    # -- settings ------------------------------------------------------------------------------
    def default_prefs(self) -> dict[str, Any]:
        return {"k": self.settings.k, "temperature": self.settings.temperature, "show_scores": False}

    def on_load(self, prefs: dict | None):
        """Page load: restore this browser's settings, show the current model and the library."""
        p = {**self.default_prefs(), **(prefs if isinstance(prefs, dict) else {})}
        k = _int_or_none(p.get("k"), 1, 20) or self.settings.k
        temperature = _float_or_none(p.get("temperature"), 0.0, 1.5)
        return (k, self.settings.temperature if temperature is None else temperature, bool(p.get("show_scores")),
                gr.update(choices=self.model_choices(), value=self.settings.model), self.library_html())

    @staticmethod
    def save_prefs(k: float, temperature: float, show_scores: bool) -> dict[str, Any]:
        return {"k": _int_or_none(k, 1, 20), "temperature": _float_or_none(temperature, 0.0, 1.5),
                "show_scores": bool(show_scores)}

    def model_choices(self) -> list[str]:
        try:
            names = discover_models(self.settings)
        except Exception:  # noqa: BLE001
            log.exception("listing models failed")
            names = []
        if self.settings.model not in names:
            names.insert(0, self.settings.model)
        return names

    def switch_model(self, name: str):
        """Settings: load another model (for everyone; waits for the answer being written)."""
        name = (name or "").strip()
        current = self.settings.model
        if not name or (name == current and self.pipeline.llm_loaded):
            yield render_status(*self.status()), gr.update(value=current), render_status(*self.status())
            return
        if name not in self.model_choices():
            yield render_status("That model is not available.", "error"), gr.update(value=current), gr.skip()
            return
        self.phase = "switching"
        busy = render_status(f"Loading the model {name}…", "busy")
        yield busy, gr.update(interactive=False), busy
        try:
            self.pipeline.use_model(name)
            self.problem = ""
            self.phase = "ready"
        except Exception as exc:  # noqa: BLE001
            log.exception("switching to model %s failed", name)
            problem = self.friendly(exc)
            yield render_status(f"Could not load {name}: {problem} Going back to {current}…", "error"), gr.skip(), gr.skip()
            try:
                self.pipeline.use_model(current)  # leave the app with a model that works
                self.phase = "ready"
            except Exception as again:  # noqa: BLE001
                log.exception("going back to model %s failed", current)
                self.problem = self.friendly(again)
                self.phase = "error"
            yield (render_status(f"Could not load {name}: {problem}", "error"),
                   gr.update(interactive=True, value=self.settings.model), render_status(*self.status()))
            return
        done = render_status(f"Model {name} is loaded and answers the next question.", "ready")
        yield done, gr.update(interactive=True, value=name), render_status(*self.status())

    # -- articles ------------------------------------------------------------------------------
    def library_html(self, note: str = "") -> str:
        try:
            records = self.pipeline.library()
        except IndexError_ as exc:
            if "no index yet" in str(exc):
                return render_library([], note)
            return render_library([], note or self.friendly(exc))
        except Exception as exc:  # noqa: BLE001
            log.exception("listing the library failed")
            return render_library([], note or self.friendly(exc))
        return render_library(records, note)

    def article_view(self, request: Any) -> str:
        """The whole article as HTML (escaped), the cited passage marked (a component server function)."""
        try:
            request = request if isinstance(request, dict) else {}
            source = str(request.get("source") or "")[:500]
            record, text = self.pipeline.article_text(source)
            if record is None:
                return render_article_missing(source)
            nums = [_int_or_none(request.get(key), 0, 10**9) for key in ("start", "end", "hs", "he")]
            return render_article(record.title, record.date, record.source, text, *nums)
        except Exception:  # noqa: BLE001
            log.exception("showing an article failed")
            return render_article_missing("This article")

    def check_upload(self, path: Path, known: dict[str, str], taken: set[str]) -> tuple[str, bytes | None, str]:
        """(safe name, content, reason). Content is None when the file is refused, with the reason."""
        name = safe_filename(path.name)
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            return name, None, f"unsupported file type {suffix or '(none)'}: use .txt, .md, .html or .pdf"
        try:
            size = path.stat().st_size
        except OSError:
            return name, None, "unreadable: the upload could not be read"
        limit = self.settings.max_upload_mb
        if size > limit * 1024 * 1024:
            return name, None, f"too large ({size / 1024 / 1024:.1f} MB; the limit is {limit} MB)"
        if size == 0:
            return name, None, "unreadable: the file is empty"
        data = path.read_bytes()
        try:
            load_document(Path(name), data)
        except DocumentError as exc:
            return name, None, f"unreadable: {self.friendly(exc)}"
        digest = content_hash(data)
        if digest in known:
            return name, None, f"already in the library as {known[digest]}"
        if digest in taken:
            return name, None, "the same file is in this upload twice"
        taken.add(digest)
        return name, data, ""

    def add_files(self, files: list[Any] | None):
        """Upload: check each file, save it under a safe name in the corpus folder, index the new ones
        with a progress bar. Yields (report, library, cleared file input)."""
        paths = [Path(f if isinstance(f, str) else getattr(f, "path", None) or getattr(f, "name", "")) for f in (files or [])]
        paths = [p for p in paths if str(p)]
        if not paths:
            yield render_upload_report([], []), gr.skip(), None
            return
        rejected: list[tuple[str, str]] = []
        saved: list[Path] = []
        try:
            try:
                known = {r.content_hash: r.source for r in self.pipeline.library()}
            except IndexError_:
                known = {}
            corpus = self.settings.corpus_dir
            corpus.mkdir(parents=True, exist_ok=True)
            taken: set[str] = set()
            for path in paths:
                name, data, reason = self.check_upload(path, known, taken)
                if data is None:
                    rejected.append((name, reason))
                    continue
                target = unique_path(corpus, name)
                with open(target, "xb") as fh:  # never overwrites
                    fh.write(data)
                saved.append(target)
            if not saved:
                yield render_upload_report([], rejected), self.library_html(), None
                return
            yield render_progress(0, 0, f"Reading {len(saved)} file(s)…"), gr.skip(), gr.skip()
            report: IndexReport | None = None
            for update in self._index_with_progress(saved):
                if isinstance(update, IndexReport):
                    report = update
                else:
                    yield update, gr.skip(), gr.skip()
            assert report is not None
            saved_names = {p.name for p in saved}
            for failure in report.failed:
                failed_name = Path(failure.path).name
                rejected.append((failed_name, f"unreadable: {self.friendly(DocumentError(failure.reason))}"))
                if failed_name in saved_names:
                    (corpus / failed_name).unlink(missing_ok=True)
            added = report.added + report.updated
            notes = [f"Saved in the articles folder, so `rag index` keeps them. {report.total_chunks} passages in the index."] if added else []
            yield render_upload_report(added, rejected, notes), self.library_html(), None
        except Exception as exc:  # noqa: BLE001
            log.exception("adding articles failed")
            for path in saved:
                if path.exists() and path.name not in {r.source for r in self._safe_library()}:
                    path.unlink(missing_ok=True)
            rejected.append(("(upload)", self.friendly(exc)))
            yield render_upload_report([], rejected), self.library_html(), None

    def _safe_library(self) -> list:
        try:
            return self.pipeline.library()
        except Exception:  # noqa: BLE001
            return []

    def _index_with_progress(self, paths: list[Path]) -> Iterator[Any]:
        """Run the indexer in a thread; yield progress HTML while it works, then its report."""
        state: dict[str, Any] = {"done": 0, "total": 0, "files": len(paths), "message": "", "report": None, "error": None}

        def start(files: int, chunks: int) -> None:
            state["files"], state["total"] = files, chunks

        def advance(n: int) -> None:
            state["done"] += n

        def message(text: str) -> None:
            state["message"] = text

        def work() -> None:
            try:
                state["report"] = self.pipeline.index(paths, progress=IndexProgress(start, advance, message))
            except BaseException as exc:  # noqa: BLE001 - handed to the page below
                state["error"] = exc

        worker = threading.Thread(target=work, name="rag-upload-index", daemon=True)
        worker.start()
        last = None
        while worker.is_alive():
            worker.join(0.25)
            total, done = state["total"], state["done"]
            text = (f"Indexing {state['files']} file(s): {done} of {total} passages embedded…" if total
                    else "Reading and splitting the files…")
            html = render_progress(done, total, text)
            if html != last:
                last = html
                yield html
        if state["error"] is not None:
            raise state["error"]
        total = state["total"]
        yield render_progress(total, total, "Indexed.")
        yield state["report"]

    def remove_article(self, source: str) -> str:
        """Remove an article from the index; its file, if in the corpus folder, moves to
        `corpus/.removed/` so the next `rag index` does not add it back. Returns a note."""
        records = {r.source: r for r in self.pipeline.library()}
        record = records.get(source)
        if record is None:
            return f"{source} is not in the library (already removed?)."
        self.pipeline.remove(source)
        title = record.title or record.source
        if self._retire_file(record.path):
            return f"Removed “{title}”. Its file was moved to .removed/ in the articles folder."
        return f"Removed “{title}” from the library."

    def _retire_file(self, path: str) -> bool:
        try:
            file = Path(path).resolve()
            corpus = self.settings.corpus_dir.resolve()
            if not path or not file.is_file() or not file.is_relative_to(corpus):
                return False
            retired = corpus / ".removed"
            retired.mkdir(exist_ok=True)
            os.replace(file, unique_path(retired, file.name))
            return True
        except OSError:
            log.exception("could not move a removed article's file")
            return False

    def library_event(self, evt: gr.EventData):
        data = getattr(evt, "_data", None) or {}
        if not isinstance(data, dict) or data.get("action") != "remove":
            return gr.skip(), gr.skip()
        source = str(data.get("source") or "")[:500]
        try:
            note = self.remove_article(source)
        except Exception as exc:  # noqa: BLE001
            log.exception("removing %s failed", source)
            note = f"Could not remove {source}: {self.friendly(exc)}"
        return render_upload_report([], [], [note]), self.library_html(note)

    def examples(self) -> list[dict[str, str]]:
        try:
            records = self.pipeline.library()
        except Exception:  # noqa: BLE001 - no index yet: generic examples
            records = []
        sources = {r.source for r in records}
        picked = [{"text": q} for s, q in SHIPPED_EXAMPLES.items() if s in sources]
        for r in records:
            if len(picked) >= 3:
                break
            if r.source not in SHIPPED_EXAMPLES and r.title:
                picked.append({"text": f"What does the article “{r.title[:80]}” report?"})
        return picked or [{"text": "What are these articles about?"}]

    # -- layout --------------------------------------------------------------------------------
    def build(self) -> gr.Blocks:
        s = self.settings
        chat = self

        def article_view(request: Any) -> str:  # component server function (plain function, not a method)
            return chat.article_view(request)

        # delete_cache: Gradio's copies of uploaded files go after a day (ours live in the corpus folder)
        with gr.Blocks(title="Ask the news", analytics_enabled=False, fill_width=True,
                       delete_cache=(3600, 86400)) as demo:
            conv = gr.State([])
            prefs = gr.BrowserState(self.default_prefs(), storage_key="rag-chat-settings-v1", secret=browser_secret(s))

            with gr.Sidebar(label="Settings", open=False, position="right", elem_id="rag-settings"):
                gr.Markdown("## Settings")
                model = gr.Dropdown(self.model_choices(), value=s.model, label="Model",
                                    info="Shared by everyone using this app; switching loads it (can take a minute).",
                                    elem_id="rag-model")
                model_status = gr.HTML("", elem_id="rag-model-status")
                k = gr.Slider(1, 20, value=s.k, step=1, label="Passages to search (top k)", elem_id="rag-k")
                temperature = gr.Slider(0.0, 1.5, value=s.temperature, step=0.05, label="Temperature",
                                        info="0 gives the most faithful, repeatable answers.", elem_id="rag-temperature")
                show_scores = gr.Checkbox(False, label="Show retrieval scores", elem_id="rag-show-scores")

            gr.HTML('<h1>Ask the news</h1><p>Answers come only from your articles, with a source for every claim.</p>',
                    elem_id="rag-header", js_on_load=None)
            status = gr.HTML(render_status(*self.status()), elem_id="rag-status", js_on_load=None)

            with gr.Tabs():
                with gr.Tab("Chat", id="chat"):
                    with gr.Row(equal_height=False):
                        with gr.Column(scale=3, min_width=360):
                            chatbot = gr.Chatbot(
                                [], label="Conversation", show_label=False, elem_id="rag-chatbot", height="62vh",
                                render_markdown=False, sanitize_html=True, latex_delimiters=[], allow_tags=False,
                                buttons=[], feedback_options=None, group_consecutive_messages=False,
                                examples=self.examples(), autoscroll=True,
                                placeholder="<strong>Ask about the articles.</strong><br>Every claim in an answer cites "
                                            "its source; click a marker like [1] to see the passage.",
                            )
                            with gr.Row(equal_height=True):
                                question = gr.Textbox(
                                    label="Your question", show_label=False, lines=1, max_lines=6, scale=6,
                                    placeholder="Ask a question about the articles (Enter sends, Shift+Enter adds a line)",
                                    elem_id="rag-question", autofocus=True,
                                )
                                send = gr.Button("Send", variant="primary", scale=1, min_width=90, elem_id="rag-send")
                            with gr.Row():
                                new_chat = gr.Button("New chat", size="sm", variant="secondary", elem_id="rag-new-chat")
                            pending = gr.Textbox(visible=False, label="Question")
                        with gr.Column(scale=2, min_width=300):
                            evidence = gr.HTML(render_evidence([]), elem_id="rag-evidence", js_on_load=EVIDENCE_JS,
                                               server_functions=[article_view], max_height=None)
                with gr.Tab("Your articles", id="library") as library_tab:
                    gr.Markdown(
                        f"Add **.txt, .md, .html or .pdf** files (up to {s.max_upload_mb} MB each). They are saved "
                        "in the articles folder and can be asked about as soon as indexing ends."
                    )
                    upload = gr.File(label="Add articles", file_count="multiple", type="filepath",
                                     file_types=list(SUPPORTED_SUFFIXES), elem_id="rag-upload")
                    upload_report = gr.HTML("", elem_id="rag-upload-report", js_on_load=None)
                    library = gr.HTML(render_library([]), elem_id="rag-library", js_on_load=LIBRARY_JS,
                                      server_functions=[article_view])

            # chat: show the question at once, then answer in the queue, one generation at a time
            ask_inputs = [pending, k, temperature, conv]
            ask_outputs = [chatbot, evidence, conv]
            slots = s.answer_slots  # 1 with a local model: one generation at a time, the rest queue
            answer_opts = dict(concurrency_limit=slots, concurrency_id="llm", show_progress="minimal",
                               show_progress_on=[chatbot])
            shown = gr.on([question.submit, send.click], self.show_question, [question, conv], [chatbot, pending, question],
                          concurrency_limit=None, api_visibility="private", show_progress="hidden",
                          validator=self.validate_question)  # queued (validators run in the queue), never waits
            asked = shown.success(self.respond, ask_inputs, ask_outputs, api_name="chat", **answer_opts)
            picked = chatbot.example_select(self.pick_example, [conv], [chatbot, pending, question], queue=False,
                                            api_visibility="private", show_progress="hidden")
            asked_example = picked.success(self.respond, ask_inputs, ask_outputs, api_visibility="private", **answer_opts)
            reset_outputs = [chatbot, evidence, conv, pending, question]
            new_chat.click(self.new_chat, None, reset_outputs, queue=False, cancels=[asked, asked_example],
                           api_visibility="private")
            chatbot.clear(self.new_chat, None, reset_outputs, queue=False, cancels=[asked, asked_example],
                          api_visibility="private")

            # settings
            model.input(self.switch_model, [model], [model_status, model, status], concurrency_limit=slots,
                        concurrency_id="llm", api_visibility="private", show_progress="hidden")
            gr.on([k.change, temperature.change, show_scores.change], self.save_prefs, [k, temperature, show_scores],
                  [prefs], queue=False, api_visibility="private", show_progress="hidden")
            show_scores.change(None, [show_scores], None, js=SHOW_SCORES_JS, api_visibility="private")

            # articles
            upload.upload(self.add_files, [upload], [upload_report, library, upload], concurrency_limit=1,
                          concurrency_id="index", api_visibility="private", show_progress="hidden")
            library.click(self.library_event, None, [upload_report, library], concurrency_limit=1,
                          concurrency_id="index", api_visibility="private", show_progress="hidden")
            library_tab.select(self.library_html, None, [library], queue=False, api_visibility="private",
                               show_progress="hidden")

            demo.load(self.on_load, [prefs], [k, temperature, show_scores, model, library], queue=False,
                      api_visibility="private", show_progress="hidden")
            demo.load(self.watch_status, None, [status], concurrency_limit=None, api_visibility="private",
                      show_progress="hidden")

        demo.queue(default_concurrency_limit=2, max_size=64)
        demo.rag_chat = self  # type: ignore[attr-defined]
        return demo


def _strip_login(url: str) -> str:
    return re.sub(r"(://)[^/\s@]+@", r"\1", url)


def _int_or_none(value: Any, lo: int, hi: int) -> int | None:
    try:
        return max(lo, min(hi, int(value)))
    except (TypeError, ValueError):
        return None


def _float_or_none(value: Any, lo: float, hi: float) -> float | None:
    try:
        return max(lo, min(hi, float(value)))
    except (TypeError, ValueError):
        return None
