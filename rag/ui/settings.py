"""The Settings side panel: the model (shared by everyone: switching loads it for all), and this
browser's own preferences (top k, temperature, retrieval scores), kept in its local storage."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from typing import Any

import gradio as gr

from ..config import LIMITS, Settings
from ..models import discover_models
from . import render
from .assets import asset
from .context import AppContext
from .render import StatusKind
from .state import Phase

log = logging.getLogger(__name__)

PREFS_KEY = "rag-chat-settings-v1"


class SettingsPanel:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.model: gr.Dropdown
        self.model_status: gr.HTML
        self.k: gr.Slider
        self.temperature: gr.Slider
        self.show_scores: gr.Checkbox
        self.prefs: gr.BrowserState

    def build(self) -> None:
        s = self.ctx.settings
        k, temperature = LIMITS["k"], LIMITS["temperature"]
        self.prefs = gr.BrowserState(self.default_prefs(), storage_key=PREFS_KEY, secret=browser_secret(s))
        with gr.Sidebar(label="Settings", open=False, position="right", elem_id="rag-settings"):
            gr.Markdown("## Settings")
            self.model = gr.Dropdown(
                self.model_choices(),
                value=s.model,
                label="Model",
                elem_id="rag-model",
                info="Shared by everyone using this app; switching loads it (can take a minute).",
            )
            self.model_status = gr.HTML("", elem_id="rag-model-status")
            self.k = gr.Slider(
                k.low, k.high, value=s.k, step=k.step, label="Passages to search (top k)", elem_id="rag-k"
            )
            self.temperature = gr.Slider(
                temperature.low,
                temperature.high,
                value=s.temperature,
                step=temperature.step,
                label="Temperature",
                info="0 gives the most faithful, repeatable answers.",
                elem_id="rag-temperature",
            )
            self.show_scores = gr.Checkbox(False, label="Show retrieval scores", elem_id="rag-show-scores")

    def wire(self, demo: gr.Blocks, status: gr.HTML) -> None:
        private: dict[str, Any] = dict(api_visibility="private", show_progress="hidden")
        self.model.input(
            self.switch_model,
            [self.model],
            [self.model_status, self.model, status],
            concurrency_limit=self.ctx.settings.answer_slots,
            concurrency_id="llm",
            **private,
        )
        gr.on(
            [self.k.change, self.temperature.change, self.show_scores.change],
            self.save_prefs,
            [self.k, self.temperature, self.show_scores],
            [self.prefs],
            queue=False,
            **private,
        )
        self.show_scores.change(None, [self.show_scores], None, js=asset("show_scores.js"), api_visibility="private")
        demo.load(
            self.on_load, [self.prefs], [self.k, self.temperature, self.show_scores, self.model], queue=False, **private
        )

    # -- this browser's preferences ------------------------------------------------------------
    def default_prefs(self) -> dict[str, Any]:
        return {"k": self.ctx.settings.k, "temperature": self.ctx.settings.temperature, "show_scores": False}

    def on_load(self, prefs: dict | None) -> tuple[Any, ...]:
        """Page load: this browser's settings (brought into range: they may predate a change of
        limits), and the current model."""
        p = {**self.default_prefs(), **(prefs if isinstance(prefs, dict) else {})}
        k = LIMITS["k"].clamp(p.get("k"))
        temperature = LIMITS["temperature"].clamp(p.get("temperature"))
        return (
            self.ctx.settings.k if k is None else int(k),
            self.ctx.settings.temperature if temperature is None else temperature,
            bool(p.get("show_scores")),
            gr.update(choices=self.model_choices(), value=self.ctx.settings.model),
        )

    @staticmethod
    def save_prefs(k: float, temperature: float, show_scores: bool) -> dict[str, Any]:
        k_in = LIMITS["k"].clamp(k)
        return {
            "k": None if k_in is None else int(k_in),
            "temperature": LIMITS["temperature"].clamp(temperature),
            "show_scores": bool(show_scores),
        }

    # -- the model -----------------------------------------------------------------------------
    def model_choices(self) -> list[str]:
        try:
            names = discover_models(self.ctx.settings)
        except Exception as exc:  # noqa: BLE001 - the current model stays selectable
            self.ctx.messages.failure(exc, "listing models")
            names = []
        if self.ctx.settings.model not in names:
            names.insert(0, self.ctx.settings.model)
        return names

    def switch_model(self, name: str) -> Iterator[tuple[Any, Any, Any]]:
        """Load another model for everyone (it waits for the answer being written). Yields
        (model status, model dropdown, status line); on failure the previous model comes back."""
        ctx = self.ctx
        name = (name or "").strip()
        current = ctx.settings.model
        if not name or (name == current and ctx.pipeline.llm_loaded):
            line = render.status(*ctx.status())
            yield line, gr.update(value=current), line
            return
        if name not in self.model_choices():
            yield render.status("That model is not available.", StatusKind.ERROR), gr.update(value=current), gr.skip()
            return
        ctx.state.phase = Phase.SWITCHING
        busy = render.status(f"Loading the model {name}…", StatusKind.BUSY)
        yield busy, gr.update(interactive=False), busy
        try:
            ctx.pipeline.use_model(name)
            ctx.state.problem = ""
            ctx.state.phase = Phase.READY
        except Exception as exc:  # noqa: BLE001 - one line on the page, the old model back
            problem = ctx.messages.failure(exc, f"switching to the model {name}")
            yield (
                render.status(f"Could not load {name}: {problem} Going back to {current}…", StatusKind.ERROR),
                gr.skip(),
                gr.skip(),
            )
            self._restore(current)
            yield (
                render.status(f"Could not load {name}: {problem}", StatusKind.ERROR),
                gr.update(interactive=True, value=ctx.settings.model),
                render.status(*ctx.status()),
            )
            return
        done = render.status(f"Model {name} is loaded and answers the next question.", StatusKind.READY)
        yield done, gr.update(interactive=True, value=name), render.status(*ctx.status())

    def _restore(self, model: str) -> None:
        try:
            self.ctx.pipeline.use_model(model)
            self.ctx.state.phase = Phase.READY
        except Exception as exc:  # noqa: BLE001
            self.ctx.state.problem = self.ctx.messages.failure(exc, f"going back to the model {model}")
            self.ctx.state.phase = Phase.ERROR


def browser_secret(settings: Settings) -> str:
    """A stable key for the browser-side settings store, so they survive a server restart."""
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
