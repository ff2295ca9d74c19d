"""`rag chat`: the browser app, assembled from its panels on one shared `Pipeline`, and served.

Layout: a status line over two tabs. "Chat" holds the chat panel beside the Sources panel; "Your
articles" holds uploads and the library; the saved conversations are a sidebar on the left, Settings
one on the right. Each panel builds its own components and wires its own events (chat.py with
scope.py and feedback.py, sources.py, articles.py, settings.py, history.py); this module only places
them, starts the background start-up and launches Gradio.

Safety: page text comes from autoescaped templates (render.py) and the Chatbot sanitises on top;
handlers show one line per error, never a traceback or a full path (messages.py); off loopback the
server refuses to start without a login (serving.py). One answer is generated at a time with a local
model (`Settings.answer_slots` with an LLM server); a client that goes away has its generator closed,
which releases the model. The page loads nothing from the network (system fonts, no analytics).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402

from ..config import Settings  # noqa: E402
from ..pipeline import Pipeline  # noqa: E402
from . import render  # noqa: E402
from .articles import ArticlesPanel  # noqa: E402
from .assets import MONO_FONTS, SYSTEM_FONTS, asset, head  # noqa: E402
from .chat import ChatPanel  # noqa: E402
from .context import AppContext  # noqa: E402
from .history import HistoryPanel  # noqa: E402
from .render import StatusKind  # noqa: E402
from .serving import check_launch  # noqa: E402
from .settings import SettingsPanel  # noqa: E402
from .sources import SourcesPanel  # noqa: E402
from .startup import Startup  # noqa: E402
from .state import AppState  # noqa: E402

STATUS_WATCH_S = 15 * 60  # a page stops following the start-up after this long


class ChatUI:
    """The Gradio app on `pipeline`, built at once; `launch()` serves it."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.ctx = AppContext.on(pipeline)
        self.startup = Startup(self.ctx)
        self.settings_panel = SettingsPanel(self.ctx)
        self.sources = SourcesPanel(self.ctx)
        self.history = HistoryPanel(self.ctx)
        self.chat = ChatPanel(self.ctx, self.sources, self.settings_panel, self.history)
        self.articles = ArticlesPanel(self.ctx, self.sources)
        self.status: gr.HTML  # the status line above the tabs
        self.demo = self._build()

    @property
    def pipeline(self) -> Pipeline:
        return self.ctx.pipeline

    @property
    def state(self) -> AppState:
        """Start-up phase and answer counts (what tests, the load test and the status line read)."""
        return self.ctx.state

    def _build(self) -> gr.Blocks:
        # delete_cache: Gradio's copies of uploaded files go after a day (ours live in the articles folder)
        with gr.Blocks(
            title="Ask the news", analytics_enabled=False, fill_width=True, delete_cache=(3600, 86400)
        ) as demo:
            self.settings_panel.build()
            self.history.build()
            gr.HTML(
                "<h1>Ask the news</h1><p>Answers come only from your articles, with a source for every claim.</p>",
                elem_id="rag-header",
                js_on_load=None,
            )
            self.status = gr.HTML(render.status(*self.ctx.status()), elem_id="rag-status", js_on_load=None)
            with gr.Tabs():
                with gr.Tab("Chat", id="chat"):
                    with gr.Row(equal_height=False):
                        with gr.Column(scale=3, min_width=360):
                            self.chat.build()
                        with gr.Column(scale=2, min_width=300):
                            self.sources.build()
                self.articles.build()
            self.chat.wire(demo)
            self.sources.wire()
            self.articles.wire(demo)
            self.settings_panel.wire(demo, self.status)
            demo.load(
                self.watch_status,
                None,
                [self.status],
                concurrency_limit=None,
                api_visibility="private",
                show_progress="hidden",
            )
        demo.queue(default_concurrency_limit=2, max_size=64)
        return demo

    def watch_status(self) -> Iterator[str]:
        """Page load: keep the status line current until the model is ready (or could not load)."""
        last = None
        deadline = time.monotonic() + STATUS_WATCH_S
        while not self.ctx.state.closed:
            text, kind = self.ctx.status()
            html = render.status(text, kind)
            if html != last:
                last = html
                yield html
            if kind in (StatusKind.READY, StatusKind.ERROR) or time.monotonic() > deadline:
                return
            time.sleep(0.5)

    def launch(self, *, block: bool = True, quiet: bool = False, warm: bool = True) -> str:
        """Check the settings, start the background start-up, serve; returns the local URL. With
        `block`, serves until Ctrl-C."""
        settings = self.ctx.settings
        login = check_launch(settings)
        if warm:
            self.startup.start()
        self.demo.launch(
            server_name=settings.host or "127.0.0.1",
            server_port=settings.port,
            auth=login,
            auth_message="Sign in to ask the news articles." if login else None,
            prevent_thread_lock=True,
            show_error=False,
            quiet=True,
            share=False,
            inbrowser=False,
            theme=theme(),
            css=asset("app.css"),
            head=head(),
            max_file_size=f"{settings.max_upload_mb}mb",
            footer_links=["api"],
            run_history=False,
            ssr_mode=False,
            pwa=False,
            enable_monitoring=False,
            mcp_server=False,
        )
        url = self.demo.local_url or f"http://{settings.host}:{settings.port}/"
        if not quiet:
            print(f"Chat running on {url}{'  (login required)' if login else ''}  (Ctrl-C to stop)", flush=True)
        if block:
            try:
                self.demo.block_thread()
            finally:
                self.close()
        return url

    def close(self) -> None:
        self.ctx.state.closed = True
        stop_heartbeats(self.demo)
        self.demo.close()
        self.history.close()


def stop_heartbeats(demo: gr.Blocks, timeout_s: float = 2.0) -> None:
    """Set Gradio's stop event on the server's own event loop. `Blocks.close()` sets it from the
    calling thread, and an asyncio Event is not thread-safe: with heartbeats waiting on it that raced
    ("deque mutated during iteration") under load. Once set here, close()'s own set() is a no-op."""
    event = getattr(getattr(demo, "app", None), "stop_event", None)
    servers = getattr(getattr(demo, "server", None), "servers", None) or []
    if event is None or event.is_set() or not servers:
        return
    loop = servers[0].get_loop()
    if not loop.is_running():
        return
    done = threading.Event()

    def set_on_loop() -> None:
        event.set()
        done.set()

    loop.call_soon_threadsafe(set_on_loop)
    done.wait(timeout_s)


def theme() -> gr.themes.Base:
    """The default look with system fonts only: Gradio's stock themes would fetch web fonts."""
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate", font=SYSTEM_FONTS, font_mono=MONO_FONTS)


def build_app(pipeline: Pipeline) -> ChatUI:
    """The app on `pipeline`, not yet served."""
    return ChatUI(pipeline)


def serve(settings: Settings) -> None:
    """`rag chat`: refuse unsafe settings first, then build the app on one pipeline and serve it."""
    check_launch(settings)
    build_app(Pipeline(settings)).launch(block=True)
