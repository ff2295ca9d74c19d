"""The Sources, Your-articles and Settings panels' handlers, and the app's state, on the toy library."""

from __future__ import annotations

import gradio as gr
import pytest

from rag.ui.render import StatusKind
from rag.ui.state import AppState, Phase

from .toy_app import ARTICLES, toy_ui

# -- sources -------------------------------------------------------------------------------------


def test_article_view_marks_the_cited_span_and_tolerates_odd_requests(tmp_path):
    ui = toy_ui(tmp_path)
    text = ARTICLES["harbour.txt"]
    start = text.index("The harbour")
    view = ui.sources.article_view(
        {"source": "harbour.txt", "start": start, "end": start + 40, "hs": start + 4, "he": start + 21}
    )
    assert '<mark id="article-mark">harbour committee</mark>' in view and "Harbour committee news" in view
    for odd in (None, [], "harbour.txt", {"source": "harbour.txt", "start": "x", "end": [1], "hs": None}):
        shown = ui.sources.article_view(odd)
        assert "<mark" not in shown and ("Article not found" in shown or "77 crowns" in shown)
    assert "no longer in the library" in ui.sources.article_view({"source": "../../etc/passwd"})


# -- your articles -------------------------------------------------------------------------------


def test_upload_shows_progress_then_a_report_and_the_library(tmp_path):
    ui = toy_ui(tmp_path)
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "school <news>.md").write_text("# Village school news\n\nThe village school hired two teachers.\n")
    (incoming / "notes.exe").write_bytes(b"MZ")
    updates = list(ui.articles.add_files([str(p) for p in sorted(incoming.iterdir())]))
    assert any("<progress" in u[0] for u in updates[:-1])
    report, library, cleared = updates[-1]
    assert "Indexed and searchable now" in report and "school _news.md" in report
    assert "notes.exe" in report and "unsupported file type .exe" in report
    assert "Village school news" in library and cleared is None
    assert "Nothing to add" in next(ui.articles.add_files([]))[0]


def test_remove_from_the_library_table(tmp_path):
    ui = toy_ui(tmp_path)
    report, library = ui.articles.library_event(gr.EventData(None, {"action": "remove", "source": "ferry.txt"}))
    assert "Removed “Lakeview ferry news”" in report and "moved to .removed/" in library
    assert "ferry.txt" not in {r.source for r in ui.pipeline.library()}
    again, _ = ui.articles.library_event(gr.EventData(None, {"action": "remove", "source": "ferry.txt"}))
    assert "not in the library" in again
    for junk in (None, "remove", {"action": "drop", "source": "harbour.txt"}):
        assert ui.articles.library_event(gr.EventData(None, junk)) == (gr.skip(), gr.skip())
    assert "harbour.txt" in {r.source for r in ui.pipeline.library()}


# -- settings ------------------------------------------------------------------------------------


def test_browser_prefs_are_brought_into_range_on_load_and_save(tmp_path):
    ui = toy_ui(tmp_path, k=5, temperature=0.2)
    panel = ui.settings_panel
    k, temperature, scores, _model = panel.on_load({"k": 500, "temperature": -1, "show_scores": 1})
    assert (k, temperature, scores) == (50, 0.0, True)
    k, temperature, scores, _model = panel.on_load({"k": "many", "temperature": None})
    assert (k, temperature, scores) == (5, 0.2, False)  # the server's settings
    assert panel.save_prefs(0, 7.5, False) == {"k": 1, "temperature": 2.0, "show_scores": False}


def test_only_listed_models_can_be_switched_to(tmp_path):
    ui = toy_ui(tmp_path)
    status, dropdown, _ = next(ui.settings_panel.switch_model("../../etc/passwd"))
    assert "That model is not available" in status and dropdown["value"] == ui.ctx.settings.model
    status, _, line = next(ui.settings_panel.switch_model(ui.ctx.settings.model))  # already loaded: nothing to do
    assert status == line and "Loading" not in status and ui.state.phase is Phase.STARTING


def test_startup_makes_the_index_ready_and_loads_the_model(tmp_path):
    ui = toy_ui(tmp_path)
    ui.startup.run()
    assert ui.state.phase is Phase.READY and ui.ctx.status() == (
        "Ready · model " + ui.ctx.settings.model,
        StatusKind.READY,
    )


# -- state -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phase,kind,words",
    [
        (Phase.STARTING, StatusKind.BUSY, "Preparing the article index"),
        (Phase.MODEL, StatusKind.BUSY, "Loading the model m"),
        (Phase.SWITCHING, StatusKind.BUSY, "Loading the model m"),
        (Phase.ERROR, StatusKind.ERROR, "could not be loaded: gone"),
        (Phase.READY, StatusKind.READY, "Ready · model m"),
    ],
)
def test_status_line_follows_the_phase(phase, kind, words):
    text, shown = AppState(phase=phase, problem="gone").status("m")
    assert shown is kind and words in text


def test_an_index_problem_stays_on_the_status_line_when_the_model_is_ready():
    assert AppState(phase=Phase.READY, index_note="the index is corrupt").status("m") == (
        "the index is corrupt",
        StatusKind.ERROR,
    )


def test_generation_counts_answers_even_when_one_fails():
    state = AppState()
    with state.generation(), state.generation():
        assert state.generating == 2
    with pytest.raises(RuntimeError), state.generation():
        raise RuntimeError("bug")
    assert state.generating == 0 and state.peak_generating == 2
    assert Phase.READY == "ready"  # a StrEnum: tools that read the phase as text keep working
