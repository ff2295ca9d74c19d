"""The browser chat's server side, through real clients: gradio_client, raw HTTP, and the handlers.

One app on the tiny model (answer content does not matter here) serves the client tests; the upload
and library tests call the panels' handlers on a private copy of the index, with uploads in a tmp
folder. The JSON endpoint (`/answer`) is the probe where the answer matters, not its HTML.
"""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import httpx
import pytest
from conftest import TINY_MODEL, make_settings
from gradio_client import Client
from gradio_client.exceptions import AppError
from servers import free_port, wait_until

from rag.answer import Answer, Citation
from rag.errors import LaunchError
from rag.library import Article, safe_filename
from rag.pipeline import Pipeline
from rag.redaction import scrub
from rag.store import FileRecord
from rag.ui import build_app, render, serve
from rag.ui.articles import ArticlesPanel
from rag.ui.context import AppContext
from rag.ui.conversation import Turn
from rag.ui.serving import check_launch, is_loopback, parse_auth
from rag.ui.sources import SourcesPanel
from rag.ui.state import Phase

QUESTION = "How many State Department employees took buyouts?"
EVIL = "<img src=x onerror=window.__xss=1> <script>window.__xss=2</script>"


@pytest.fixture(scope="module")
def served(shared_index, tmp_path_factory):
    """The app on the tiny model with short answers, on a free loopback port."""
    settings = make_settings(shared_index, model=TINY_MODEL, port=free_port(), max_tokens=32).with_overrides(
        corpus_dir=tmp_path_factory.mktemp("uploads")
    )
    ui = build_app(Pipeline(settings))
    url = ui.launch(block=False, quiet=True)
    assert wait_until(lambda: ui.state.phase in (Phase.READY, Phase.ERROR), 180), ui.ctx.status()
    assert ui.state.phase is Phase.READY, ui.ctx.status()
    yield url, ui
    ui.close()


def _text(message: dict) -> str:
    """A Chatbot message's content as text (Gradio 6 sends a list of typed parts)."""
    content = message["content"]
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def _last_answer(result) -> str:
    chatbot = result[0]
    assert chatbot[-1]["role"] == "assistant"
    return _text(chatbot[-1])


def test_answers_through_gradio_client_with_history(served):
    url, _ = served
    assert url.startswith("http://127.0.0.1:")
    client = Client(url, verbose=False)
    first = client.predict(QUESTION, api_name="/chat")
    chatbot, evidence = first
    assert [m["role"] for m in chatbot] == ["user", "assistant"]
    assert QUESTION in _text(chatbot[0])
    answer = _last_answer(first)
    assert 'class="rag-answer' in answer and "rag-pending" not in answer
    assert "first token" in answer or "total" in answer  # timing in small print
    # the evidence panel: cited passages with a highlight, or (refused) what was searched
    assert "<mark>" in evidence or "The nearest passages it found" in evidence
    # a follow-up in the same session carries the conversation
    second = client.predict("And what did he say about it?", api_name="/chat")
    assert [m["role"] for m in second[0]] == ["user", "assistant"] * 2
    assert 'data-turn="1"' in second[1]


def test_answer_endpoint_returns_the_answer_object(served):
    url, _ = served
    client = Client(url, verbose=False)
    assert "/answer" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    answer = client.predict(QUESTION, api_name="/answer")
    assert answer["question"] == QUESTION and answer["model"].startswith(TINY_MODEL)
    assert isinstance(answer["answer"], str) and answer["answer"] and isinstance(answer["refused"], bool)
    assert answer["timings"]["total_ms"] > 0
    marked = {int(n) for n in re.findall(r"\[(\d+)\]", answer["answer"])}
    assert {c["n"] for c in answer["citations"]} == marked  # every [n] cited, nothing extra (CONTRACT.md)
    for c in answer["citations"]:
        assert set(c) >= {"n", "source", "title", "chunk_id", "text", "start", "end", "score"}
    follow_up = client.predict(
        "And what did he say about it?",
        [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": answer["answer"]}],
        api_name="/answer",
    )
    assert follow_up["search_query"] != "And what did he say about it?"  # the history reached the rewriter


@pytest.mark.parametrize(
    "args,message",
    [
        (("   \n ",), "question is empty"),
        ((QUESTION, [{"role": "robot", "content": "x"}]), "history must be a list"),
    ],
)
def test_answer_endpoint_refuses_bad_requests_in_one_line(served, args, message):
    url, _ = served
    with pytest.raises(AppError) as err:
        Client(url, verbose=False).predict(*args, api_name="/answer")
    assert message in str(err.value)
    assert "Traceback" not in str(err.value) and 'File "' not in str(err.value)


def test_empty_question_is_a_friendly_error(served):
    url, _ = served
    client = Client(url, verbose=False)
    with pytest.raises(AppError) as err:
        client.predict("   \n ", api_name="/chat")
    message = str(err.value)
    assert "question is empty" in message
    assert "Traceback" not in message and 'File "' not in message


def test_chat_and_answer_endpoint_share_one_generation_slot(served):
    url, ui = served
    ui.state.peak_generating = 0
    a, b = Client(url, verbose=False), Client(url, verbose=False)
    job_a = a.submit(QUESTION, api_name="/chat")
    job_b = b.submit("Who co-led the Department of Government Efficiency with Elon Musk?", api_name="/answer")
    while not (job_a.done() and job_b.done()):
        time.sleep(0.1)
    answer = _last_answer(job_a.result(timeout=5))
    assert 'class="rag-answer' in answer and "rag-pending" not in answer
    assert job_b.result(timeout=5)["answer"]
    assert ui.state.peak_generating == 1  # the queue let one generation run at a time
    assert ui.state.generating == 0


def test_client_that_disconnects_mid_answer_frees_the_slot(served):
    url, ui = served
    config = httpx.get(url + "config").json()
    chat = next(d for d in config["dependencies"] if d.get("api_name") == "chat")
    defaults = {c["id"]: c.get("props", {}).get("value") for c in config["components"]}
    closed_before = ui.state.closed_streams
    session = "disconnect-test"
    joined = httpx.post(
        url + "gradio_api/queue/join",
        json={
            "data": [QUESTION] + [defaults.get(i) for i in chat["inputs"][1:]],  # the page's other inputs as loaded
            "fn_index": chat["id"],
            "session_hash": session,
            "event_data": None,
            "trigger_id": None,
        },
    )
    assert joined.status_code == 200, joined.text
    with httpx.stream("GET", url + f"gradio_api/queue/data?session_hash={session}", timeout=60) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:") and json.loads(line[5:]).get("msg") == "process_generating":
                break  # the answer has started streaming: hang up now
    assert wait_until(lambda: ui.state.generating == 0, 60), "the generation was not stopped"
    assert ui.state.closed_streams == closed_before + 1  # closed early, not finished
    assert not getattr(ui.pipeline.llm(), "busy", False)  # the model's lock is free again
    assert Client(url, verbose=False).predict(QUESTION, api_name="/answer")["answer"]


def test_switching_the_model_loads_it_with_a_message(served):
    url, ui = served
    settings = ui.settings_panel
    other = "qwen2.5-coder-0.5b"
    assert other in settings.model_choices() and TINY_MODEL in settings.model_choices()
    assert "not available" in next(settings.switch_model("no-such-model"))[0]
    try:
        steps = list(settings.switch_model(other))
        assert f"Loading the model {other}" in steps[0][0]
        assert "is loaded" in steps[-1][0] and ui.pipeline.llm_loaded
        answer = Client(url, verbose=False).predict(QUESTION, api_name="/answer")
        assert other in answer["model"]  # the model that wrote it
    finally:
        list(settings.switch_model(TINY_MODEL))
    assert ui.pipeline.settings.model == TINY_MODEL


def test_a_broken_model_is_one_friendly_line_and_the_old_model_stays(shared_index, tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "broken.gguf").write_bytes(b"GGUF" + bytes(64))
    ui = build_app(Pipeline(make_settings(shared_index, model=TINY_MODEL, models_dir=models)))
    assert "broken.gguf" in ui.settings_panel.model_choices()
    steps = [step[0] for step in ui.settings_panel.switch_model("broken.gguf")]
    assert "Loading the model broken.gguf" in steps[0]
    assert "Could not load broken.gguf" in steps[-1] and "corrupt" in steps[-1]
    assert str(tmp_path) not in "".join(steps) and "Traceback" not in "".join(steps)
    assert ui.ctx.settings.model == TINY_MODEL and ui.pipeline.llm_loaded and ui.state.phase is Phase.READY


def test_page_needs_no_web_fonts_or_remote_scripts(served):
    url, _ = served
    page = httpx.get(url).text
    assert "fonts.googleapis" not in page and "fonts.gstatic" not in page
    assert "window.ragChat" in page  # our script is in the page head, not fetched


def test_off_loopback_needs_a_login(shared_index):
    open_host = make_settings(shared_index, host="0.0.0.0", auth="")
    with pytest.raises(LaunchError, match="--auth"):
        check_launch(open_host)
    with pytest.raises(LaunchError, match="refusing to listen on 0.0.0.0"):
        serve(open_host)  # refuses before loading anything
    assert check_launch(open_host.with_overrides(auth="alice:s3cret")) == ("alice", "s3cret")
    assert check_launch(make_settings(shared_index)) is None  # loopback: no login needed
    with pytest.raises(LaunchError):
        parse_auth("no-colon")
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.20", "example.com", "::"))


def test_login_is_enforced_when_given(shared_index):
    settings = make_settings(shared_index, model=TINY_MODEL, port=free_port(), auth="alice:s3cret")
    ui = build_app(Pipeline(settings))
    url = ui.launch(block=False, quiet=True, warm=False)
    try:
        assert httpx.get(url + "config").status_code in (401, 403)
        assert Client(url, auth=("alice", "s3cret"), verbose=False).view_api(print_info=False, return_format="dict")
    finally:
        ui.close()


def test_closing_sets_the_stop_event_on_the_servers_own_loop_and_ends_heartbeat_streams(shared_index):
    """A browser tab holds a heartbeat stream waiting on Gradio's asyncio stop event. `Blocks.close()`
    sets that event from the calling thread, which is not thread-safe (it raced under load: "deque
    mutated during iteration"); our close() sets it first on the server's loop, so close()'s own set()
    finds it set and does nothing."""
    ui = build_app(Pipeline(make_settings(shared_index, model=TINY_MODEL, port=free_port())))
    url = ui.launch(block=False, quiet=True, warm=False)
    event = ui.demo.app.stop_event
    setters: list[str] = []
    original_set = event.set

    def recording_set() -> None:
        if not event.is_set():
            setters.append(threading.current_thread().name)
        original_set()

    event.set = recording_set
    lines: list[str] = []
    ended = threading.Event()

    def listen() -> None:
        with httpx.stream("GET", url + "gradio_api/heartbeat/abc123", timeout=10) as response:
            lines.extend(response.iter_lines())
        ended.set()

    reader = threading.Thread(target=listen, daemon=True)
    try:
        reader.start()
        assert wait_until(lambda: any("ALIVE" in line for line in lines) or ended.is_set(), 10)
        assert any("ALIVE" in line for line in lines)
    finally:
        ui.close()
    assert len(setters) == 1 and setters[0] != threading.current_thread().name, setters
    assert ended.wait(5), "the heartbeat stream was still open after close()"


def test_uploads_are_checked_saved_indexed_and_removable(index_copy, tmp_path):
    corpus = tmp_path / "corpus"
    pipeline = Pipeline(make_settings(index_copy, model=TINY_MODEL, max_upload_mb=1).with_overrides(corpus_dir=corpus))
    ctx = AppContext.on(pipeline)
    sources = SourcesPanel(ctx)
    articles = ArticlesPanel(ctx, sources)
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    good = incoming / "Lakeview <council> decision.md"
    good.write_text(
        "# Lakeview Council Bans Leaf Blowers on Sundays\n\ndate 2025-05-01\n\n"
        "The Lakeview town council voted 4 to 3 to ban leaf blowers on Sundays, starting in July.\n"
    )
    (incoming / "tool.exe").write_bytes(b"MZ\x90\x00")
    (incoming / "huge.txt").write_text("word " * 300_000)  # 1.5 MB > 1 MB limit
    (incoming / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (incoming / "copy.txt").write_text(
        (Path(__file__).parent.parent / "corpus" / "002_a3ce7c2eb21b0992.txt").read_text()
    )
    files = [str(p) for p in sorted(incoming.iterdir())]
    updates = list(articles.add_files(files))
    report, library = updates[-1][0], updates[-1][1]
    assert any("<progress" in u[0] for u in updates if isinstance(u[0], str))  # a progress bar was shown
    assert "Lakeview _council_ decision.md" in report
    assert "tool.exe" in report and "unsupported file type .exe" in report
    assert "huge.txt" in report and "too large" in report and "1 MB" in report
    assert "binary.txt" in report and "unreadable" in report
    assert "copy.txt" in report and "already in the library" in report
    assert str(tmp_path) not in report  # no full paths on the page
    saved = corpus / "Lakeview _council_ decision.md"
    assert saved.is_file() and sorted(p.name for p in corpus.iterdir()) == [saved.name]
    assert "Lakeview Council Bans Leaf Blowers on Sundays" in library
    # searchable the moment indexing ends
    hits = pipeline.answerer.retriever.retrieve("Lakeview leaf blowers ban Sundays").passages
    assert hits and hits[0].source == saved.name
    view = sources.article_view({"source": saved.name, "start": 0, "end": 20})
    assert "Lakeview" in view and "<mark" in view
    # removed from the library; the file moves aside so `rag index` does not bring it back
    note = articles.remove_article(saved.name)
    assert "Removed" in note
    assert saved.name not in {r.source for r in pipeline.library()}
    assert not saved.exists() and (corpus / ".removed" / saved.name).is_file()


def test_safe_file_names():
    assert safe_filename("../../etc/passwd") == "passwd.txt"
    assert safe_filename("..\\..\\Windows\\win.ini") == "win.ini"
    assert safe_filename("/abs/path/Report.PDF") == "Report.pdf"
    assert safe_filename(".bashrc") == "bashrc.txt"
    assert safe_filename("a<b>|c\x00.html") == "a_b_c.html"
    assert safe_filename("") == "article.txt"
    assert "/" not in safe_filename("x/" * 200 + "y.md") and len(safe_filename("z" * 500 + ".md")) <= 120


def test_html_escapes_articles_and_links_only_real_markers():
    cite = Citation(
        n=1,
        source="evil.txt",
        title=f"Title {EVIL}",
        chunk_id="evil.txt#0",
        text=f"before {EVIL} after",
        start=100,
        end=160,
        score=0.5,
        date="2025-01-01",
        highlight_start=107,
        highlight_end=150,
    )
    answer = Answer(
        question=f"q {EVIL}",
        answer=f"It says {EVIL} [1] and [7].",
        refused=False,
        citations=[cite],
        model="m",
        timings={"first_token_ms": 1200.0, "total_ms": 3400.0},
    )
    turn = Turn(question=f"q {EVIL}", answer=answer)
    page = "".join(m["content"] for m in render.chat_messages([turn])) + render.evidence([turn])
    record = FileRecord("evil.txt", "/x/evil.txt", "t " + EVIL, "", "hash", 1)
    page += render.article(
        Article(record=record, text="x" * 100 + cite.text + EVIL), span=render.Span(start=100, end=160, hs=107, he=150)
    )
    assert "<img" not in page and "<script" not in page
    assert "&lt;img src=x onerror=window.__xss=1&gt;" in page
    assert '<a class="cite" href="#ev-0-1"' in page and "[7]" in page and "#ev-0-7" not in page
    assert "first token 1.2 s" in page and "total 3.4 s" in page
    assert "<mark" in page and 'id="ev-0-1"' in page
    refused = Answer(
        question="q",
        answer="The articles do not say.",
        refused=True,
        citations=[],
        model="m",
        timings={"total_ms": 10.0},
        search_query="tesla deliveries 2024",
        searched=[{"source": "a.txt", "title": f"T {EVIL}", "score": 0.1, "text": EVIL}],
    )
    turns = [Turn(question="q", answer=refused)]
    shown = render.chat_messages(turns)[1]["content"] + render.evidence(turns)
    assert "do not cover" in shown and "tesla deliveries 2024" in shown and "<img" not in shown


def test_error_messages_lose_paths_and_secrets():
    text = scrub(
        "cannot read /home/me/private/notes/a.txt with key sk-123 at /srv/idx/chroma",
        secrets=["sk-123"],
        folders={"/srv/idx": "the index folder"},
    )
    assert "/home/me" not in text and "a.txt" in text and "sk-123" not in text and "/srv/idx" not in text
