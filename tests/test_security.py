"""Security of the chat server, tested from the outside as an attacker would: the `rag chat` command,
raw HTTP against Gradio's routes and queue (the same calls the page makes), and gradio_client.

- it binds 127.0.0.1 by default; another address needs a login or it refuses to start;
- uploads: names cannot escape the articles folder, sizes and types are limited, and a request
  cannot make the server read a file of its own choosing;
- the index, the corpus and system files are not served;
- article text (titles, passages, whole articles) reaches the page as text, never as HTML;
- error messages carry no secrets (API keys, passwords) and no full paths or server addresses.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest
from conftest import TINY_MODEL, make_settings, rag_env
from gradio_client import Client
from gradio_client.exceptions import AppError
from servers import RAG, free_port, listening_addresses, run_rag, wait_until

from rag.config import Settings
from rag.errors import IndexStoreError, ModelError
from rag.pipeline import Pipeline
from rag.ui import build_app
from rag.ui.messages import PageMessages
from rag.ui.state import Phase

EVIL_TITLE = '<img src=x onerror="window.__pwned=1">Harbour pilots strike'
EVIL_BODY = (
    "The harbour pilots went on strike on Monday <script>window.__pwned=2</script> after talks failed. "
    "Union leader Mara Quist said <b onmouseover=alert(1)>pilots</b> would return when pay rose 9 percent."
)


def call_event(url: str, fn_index: int, data: list, http: httpx.Client | None = None) -> dict:
    """Run one event through Gradio's queue exactly as the page does; the final message."""
    http = http or httpx.Client(timeout=300)
    session = uuid.uuid4().hex[:12]
    joined = http.post(
        url + "gradio_api/queue/join",
        json={"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None, "trigger_id": None},
    )
    assert joined.status_code == 200, joined.text
    with http.stream("GET", url + f"gradio_api/queue/data?session_hash={session}") as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                msg = json.loads(line[5:])
                if msg.get("msg") == "process_completed":
                    return msg
    raise AssertionError("the event never completed")


@pytest.fixture(scope="module")
def served(shared_index, tmp_path_factory):
    """One app on a private copy of the index, uploads limited to 1 MB, its articles folder in tmp."""
    root = tmp_path_factory.mktemp("secure")
    index = root / "index"
    shutil.copytree(shared_index, index)
    corpus = root / "corpus"
    corpus.mkdir()
    settings = make_settings(
        index, model=TINY_MODEL, port=free_port(), max_upload_mb=1, max_tokens=12, k=3, max_evidence=3, n_threads=1
    ).with_overrides(corpus_dir=corpus)
    ui = build_app(Pipeline(settings))
    url = ui.launch(block=False, quiet=True)
    assert wait_until(lambda: ui.state.phase in (Phase.READY, Phase.ERROR), 240), ui.ctx.status()
    assert ui.state.phase is Phase.READY, ui.ctx.status()
    config = httpx.get(url + "config").json()
    upload_id = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == "rag-upload")
    upload_fn = next(d["id"] for d in config["dependencies"] if [upload_id, "upload"] in d["targets"])
    yield url, ui, upload_fn
    ui.close()


# -- binding and login ---------------------------------------------------------------------------


def test_default_settings_listen_on_loopback():
    assert Settings.from_env({}).host == "127.0.0.1"


def test_rag_chat_binds_loopback_by_default_and_enforces_its_login(shared_index, tmp_path):
    port = free_port()
    log = open(tmp_path / "chat.log", "wb")
    proc = subprocess.Popen(
        [RAG, "chat", "--port", str(port), "--auth", "alice:correct-horse"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=rag_env(shared_index, RAG_MODEL=TINY_MODEL, RAG_N_THREADS="1"),
        start_new_session=True,
    )
    try:
        assert wait_until(lambda: listening_addresses(port), 120), (tmp_path / "chat.log").read_text()
        assert listening_addresses(port) == {"127.0.0.1"}  # not 0.0.0.0, not ::
        url = f"http://127.0.0.1:{port}/"
        assert httpx.get(url + "config").status_code in (401, 403)
        assert httpx.post(
            url + "gradio_api/queue/join", json={"data": [], "fn_index": 0, "session_hash": "x"}
        ).status_code in (401, 403)
        assert httpx.post(url + "login", data={"username": "alice", "password": "wrong"}).status_code in (400, 401)
        api = Client(url, auth=("alice", "correct-horse"), verbose=False).view_api(
            print_info=False, return_format="dict"
        )
        assert "/chat" in api["named_endpoints"]
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()
    output = (tmp_path / "chat.log").read_text()
    assert "correct-horse" not in output  # the password is never printed


@pytest.mark.parametrize(
    "args,env,message",
    [
        (["--host", "0.0.0.0"], {}, "refusing to listen on 0.0.0.0"),
        ([], {"RAG_HOST": "::"}, "refusing to listen on ::"),
        (["--host", "192.168.77.5"], {"RAG_AUTH": "alice:"}, "must look like user:password"),
    ],
)
def test_rag_chat_off_loopback_refuses_to_start_without_a_login(shared_index, args, env, message):
    port = free_port()
    result = run_rag(
        ["chat", "--port", str(port), *args], rag_env(shared_index, RAG_MODEL=TINY_MODEL, **env), timeout=120
    )
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert not listening_addresses(port)


# -- uploads -----------------------------------------------------------------------------------


def test_upload_names_cannot_escape_the_articles_folder(served, tmp_path):
    url, ui, upload_fn = served
    marker = uuid.uuid4().hex[:8]
    name = f"../../../../tmp/escape-{marker}.md"
    body = b"# Tugboat crews sign new contract\n\nThe Lakeview tugboat crews signed a two year contract on Friday.\n"
    uploaded = httpx.post(url + "gradio_api/upload", files=[("files", (name, body, "text/markdown"))])
    assert uploaded.status_code == 200
    (cached,) = uploaded.json()
    assert ".." not in Path(cached).parts and not Path(f"/tmp/escape-{marker}.md").exists()
    done = call_event(url, upload_fn, [[{"path": cached, "orig_name": name, "meta": {"_type": "gradio.FileData"}}]])
    assert done["success"], done
    report = done["output"]["data"][0]
    corpus = ui.ctx.settings.corpus_dir
    saved = corpus / f"escape-{marker}.md"
    assert saved.is_file() and saved.read_bytes() == body  # in the articles folder, under its plain name
    assert not Path(f"/tmp/escape-{marker}.md").exists()
    assert all(p.resolve().is_relative_to(corpus.resolve()) for p in corpus.rglob("*"))
    assert f"escape-{marker}.md" in report and str(corpus) not in report and "/tmp/" not in report
    assert f"escape-{marker}.md" in {r.source for r in ui.pipeline.library()}


def test_uploads_have_size_and_type_limits(served):
    url, ui, upload_fn = served
    before = sorted(ui.ctx.settings.corpus_dir.rglob("*"))
    big = httpx.post(url + "gradio_api/upload", files=[("files", ("big.txt", b"word " * 300_000, "text/plain"))])
    assert big.status_code == 413 and "maximum allowed size" in big.text  # refused before it is stored
    exe = httpx.post(
        url + "gradio_api/upload", files=[("files", ("tool.exe", b"MZ\x90\x00" * 100, "application/octet-stream"))]
    )
    assert exe.status_code == 200
    done = call_event(
        url, upload_fn, [[{"path": exe.json()[0], "orig_name": "tool.exe", "meta": {"_type": "gradio.FileData"}}]]
    )
    assert not done["success"] and "Invalid file type" in json.dumps(done)
    disguised = httpx.post(
        url + "gradio_api/upload", files=[("files", ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00" * 50, "text/plain"))]
    )
    done = call_event(
        url,
        upload_fn,
        [[{"path": disguised.json()[0], "orig_name": "photo.txt", "meta": {"_type": "gradio.FileData"}}]],
    )
    assert done["success"] and "binary content" in done["output"]["data"][0]  # a .txt that is not text
    assert sorted(ui.ctx.settings.corpus_dir.rglob("*")) == before  # nothing saved


def test_a_request_cannot_make_the_server_read_its_own_files(served):
    url, ui, upload_fn = served
    before = sorted(ui.ctx.settings.corpus_dir.rglob("*"))
    secret_files = ["/etc/passwd", str(ui.ctx.settings.index_dir / "chroma" / "chroma.sqlite3")]
    for path in secret_files:
        done = call_event(
            url, upload_fn, [[{"path": path, "orig_name": "passwd.txt", "meta": {"_type": "gradio.FileData"}}]]
        )
        assert not done["success"], done  # Gradio refuses files it did not receive as uploads
        assert "root:" not in json.dumps(done)
    assert sorted(ui.ctx.settings.corpus_dir.rglob("*")) == before


def test_index_corpus_and_system_files_are_not_served(served):
    url, ui, _ = served
    s = ui.ctx.settings
    for path in [
        "/etc/passwd",
        s.index_dir / "chroma" / "chroma.sqlite3",
        s.index_dir / "keyword" / "ids.json",
        Path(__file__),
        s.cache_dir / "webui-browser-key",
    ]:
        for route in ("gradio_api/file=", "file="):
            assert httpx.get(url + route + str(path)).status_code in (403, 404), (route, path)


# -- article text is text --------------------------------------------------------------------------


def test_article_html_never_renders_end_to_end(served, tmp_path):
    url, ui, _ = served
    folder = tmp_path / "hostile"
    folder.mkdir()
    import html as html_lib

    (folder / "pilots.html").write_text(
        f"<html><head><title>{html_lib.escape(EVIL_TITLE)}</title></head><body><article>"
        f"<p>{html_lib.escape(EVIL_BODY)}</p></article></body></html>"
    )
    (folder / "pilots-notes.txt").write_text(f"{EVIL_TITLE}\n\n{EVIL_BODY}\n")
    report = ui.pipeline.index([folder])
    assert sorted(report.added) == ["pilots-notes.txt", "pilots.html"]

    chatbot, evidence = Client(url, verbose=False).predict("Why did the harbour pilots go on strike?", api_name="/chat")
    page = json.dumps(chatbot) + evidence + ui.articles.library_html()
    page += ui.sources.article_view({"source": "pilots-notes.txt", "start": 0, "end": 40})
    page += ui.sources.article_view({"source": "pilots.html", "start": 0, "end": 40})
    for raw in ("<script", "<img", "<b onmouseover", 'onerror="window'):
        assert raw not in page, raw
    assert "&lt;script&gt;window.__pwned=2&lt;/script&gt;" in page  # shown as the characters it is
    assert "&lt;img src=x onerror=" in page


# -- errors ------------------------------------------------------------------------------------


def test_error_messages_carry_no_secrets_paths_or_addresses(shared_index, tmp_path):
    dead_port = free_port()
    private = tmp_path / "very-private-folder"
    index = private / "index"
    shutil.copytree(shared_index, index)
    settings = make_settings(
        index,
        model=TINY_MODEL,
        port=free_port(),
        llm_url=f"http://127.0.0.1:{dead_port}",
        llm_api_key="sk-live-SECRET-123",
        auth="alice:pw-SECRET-456",
        n_threads=1,
    )
    ui = build_app(Pipeline(settings))
    url = ui.launch(block=False, quiet=True)
    try:
        assert wait_until(lambda: ui.state.phase in (Phase.READY, Phase.ERROR), 240)
        client = Client(url, auth=("alice", "pw-SECRET-456"), verbose=False)
        chatbot, _ = client.predict("Who is Gerald Feierstein?", api_name="/chat")
        shown = json.dumps(chatbot) + ui.ctx.status()[0]
        assert "Sorry, no answer this time" in shown and "cannot reach the LLM server" in shown
        http = httpx.Client(timeout=120)
        assert http.post(url + "login", data={"username": "alice", "password": "pw-SECRET-456"}).status_code == 200
        chat_fn = next(d["id"] for d in http.get(url + "config").json()["dependencies"] if d.get("api_name") == "chat")
        bad = call_event(url, chat_fn, [{"not": "a question"}, "many", ["x"], {"t": 1}], http)  # a malformed request
        assert not bad["success"]
        shown += json.dumps(bad) + http.get(url + "no/such/page").text
        with pytest.raises(AppError) as empty:
            client.predict("   ", api_name="/chat")
        shown += str(empty.value)
        with pytest.raises(AppError) as unreachable:
            client.predict("Who is Gerald Feierstein?", api_name="/answer")
        assert "cannot reach the LLM server" in str(unreachable.value)
        shown += str(unreachable.value)
        for leak in ("SECRET", str(private), str(tmp_path), f":{dead_port}", "Traceback", 'File "', "/work/"):
            assert leak not in shown, leak
    finally:
        ui.close()


def test_server_addresses_and_url_logins_stay_off_the_page(shared_index):
    settings = make_settings(shared_index, llm_url="http://bob:hunter2@10.1.2.3:8080", chroma_url="db.internal:8000")
    messages = PageMessages(Pipeline(settings))
    shown = messages.failure(
        ModelError("cannot reach the LLM server at http://10.1.2.3:8080/v1/chat/completions: refused"), "test"
    )
    shown += messages.failure(
        ModelError("the LLM server at http://bob:hunter2@10.1.2.3:8080/v1/chat/completions answered 500: x"), "test"
    )
    shown += messages.failure(
        IndexStoreError("the Chroma server at db.internal:8000 is not answering (timed out)"), "test"
    )
    assert "cannot reach the LLM server: refused" in shown and "the Chroma server is not answering" in shown
    for leak in ("hunter2", "bob", "10.1.2.3", "db.internal", "8080", "/v1/"):
        assert leak not in shown, leak
