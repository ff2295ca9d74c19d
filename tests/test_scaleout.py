"""Serving a team: the index in a Chroma server, generation on an OpenAI-compatible LLM server, several
app instances on both. Real servers, started here on loopback and stopped afterwards:
`chroma run` (the chromadb package) and `python -m llama_cpp.server` (llama-cpp-python's server
extra) with the bundled tiny model.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import chromadb
import httpx
import pytest
from conftest import CORPUS, TINY_MODEL, make_settings, rag_env
from contract import assert_answer_object
from servers import chroma_server, free_port, llama_server, run_rag

from bench.loadtest import run_load, serve_for_load
from rag.errors import ScopeError, ServerUnreachableError
from rag.llm import GenerationStats, RemoteLLM
from rag.models import resolve_model
from rag.pipeline import Pipeline
from rag.scope import Scope
from rag.store import COLLECTION

API_KEY = "team-key-4d1f"  # the LLM server wants it; it must never show up in a message
QUESTION = "Who is Gerald Feierstein?"


@pytest.fixture(scope="module")
def chroma(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chroma-server")
    server = chroma_server(folder / "data", folder / "chroma.log").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory, shared_index):
    folder = tmp_path_factory.mktemp("llm-server")
    model = resolve_model(TINY_MODEL, make_settings(shared_index)).path
    server = llama_server(model, folder / "llm.log", alias=TINY_MODEL, api_key=API_KEY).start()
    yield server
    server.stop()


def team_settings(local: Path, chroma, llm_server, **extra):
    return make_settings(
        local,
        model=TINY_MODEL,
        chroma_url=chroma.url,
        llm_url=llm_server.url,
        llm_api_key=API_KEY,
        n_threads=1,
        **extra,
    )


def server_ids(chroma) -> set[str]:
    client = chromadb.HttpClient(host="127.0.0.1", port=chroma.port)
    return set(client.get_collection(COLLECTION).get(include=[])["ids"])


def test_cli_indexes_into_the_chroma_server_and_answers_through_the_llm_server(chroma, llm_server, tmp_path):
    local = tmp_path / "local"
    env = rag_env(
        local,
        RAG_MODEL=TINY_MODEL,
        RAG_LLM_API_KEY=API_KEY,
        RAG_MAX_TOKENS="12",
        RAG_K="2",
        RAG_MAX_EVIDENCE="2",
        RAG_N_THREADS="1",
    )
    first = run_rag(["index", "--chroma-url", chroma.url, str(CORPUS)], env)
    assert first.returncode == 0, first.stderr
    assert not (local / "chroma").exists()  # nothing embedded on this machine: the vectors live in the server
    assert len(server_ids(chroma)) > 100
    # the environment variable does what the option does; the second run is incremental, from the server
    again = run_rag(["index", str(CORPUS)], {**env, "RAG_CHROMA_URL": chroma.url})
    assert again.returncode == 0 and "0 added, 0 updated, 5 unchanged" in again.stdout

    asked = run_rag(["ask", "--json", "--chroma-url", chroma.url, "--llm-url", llm_server.url, QUESTION], env)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert_answer_object(answer)
    assert answer["model"] == TINY_MODEL
    assert "first_token_ms" in answer["timings"] or answer["refused"]


def test_instances_share_the_server_index_and_see_each_others_changes(chroma, llm_server, tmp_path):
    a = Pipeline(team_settings(tmp_path / "a", chroma, llm_server))
    a.index([CORPUS])
    b = Pipeline(team_settings(tmp_path / "b", chroma, llm_server))
    # B has no keyword index of its own yet: it is rebuilt from the server's documents
    keyword = b.store.keyword()
    assert set(keyword.ids) == server_ids(chroma)
    collection_id = b.store.collection().id
    assert b.store.keyword_dir.name == f"keyword-{collection_id}" and b.store.keyword_dir.is_dir()
    assert not (tmp_path / "b" / "keyword").exists()  # never confused with an embedded index's

    extra = tmp_path / "news"
    extra.mkdir()
    (extra / "lighthouse.txt").write_text(
        "Harbour lighthouse gets a new budget\n\nThe harbour committee approved "
        "a lighthouse budget of 77 crowns on Tuesday.\n"
    )
    a.index([extra])  # instance A adds an article ...
    time.sleep(2.2)  # ... instance B re-reads the index's state at most every 2 s
    hits = b.answerer.retriever.retrieve("lighthouse budget 77 crowns").passages
    assert hits and hits[0].source == "lighthouse.txt" and hits[0].keyword > 0  # found by both dense and keyword
    a.remove("lighthouse.txt")
    time.sleep(2.2)
    assert "lighthouse.txt" not in {r.source for r in b.library()}
    assert all(
        p.source != "lighthouse.txt" for p in b.answerer.retriever.retrieve("lighthouse budget 77 crowns").passages
    )

    a.index([CORPUS], rebuild=True)  # A rebuilds: a new collection on the server
    time.sleep(2.2)
    assert b.answerer.retriever.retrieve("State Department buyouts").passages  # B follows, no stale handle
    assert b.store.collection().id != collection_id
    assert b.store.keyword_dir.name == f"keyword-{b.store.collection().id}"


def test_remote_generation_streams(llm_server):
    llm = RemoteLLM(llm_server.url, TINY_MODEL, API_KEY)
    stats = GenerationStats()
    arrivals = []
    pieces = []
    for piece in llm.stream(
        [{"role": "user", "content": "Name three colours, one per line."}], max_tokens=24, temperature=0.0, stats=stats
    ):
        pieces.append(piece)
        arrivals.append(time.perf_counter())
    assert len(pieces) > 3 and stats.tokens == len(pieces)
    assert 0 < stats.first_token_ms <= stats.total_ms
    assert arrivals[-1] > arrivals[0]  # piece by piece, not one block at the end
    # the same again through the `/v1` form of the URL
    assert "".join(
        RemoteLLM(llm_server.url + "/v1", TINY_MODEL, API_KEY).stream(
            [{"role": "user", "content": "Name three colours, one per line."}], max_tokens=24, temperature=0.0
        )
    ) == "".join(pieces)


def test_llm_server_problems_are_one_clear_line(llm_server):
    messages = [{"role": "user", "content": "Say hello."}]
    with pytest.raises(ServerUnreachableError, match=r"refused the request \(401\).*RAG_LLM_API_KEY") as refused:
        list(RemoteLLM(llm_server.url, TINY_MODEL, "wrong-key").stream(messages, 8, 0.0))
    assert "wrong-key" not in str(refused.value)
    with pytest.raises(ServerUnreachableError, match="cannot reach the LLM server"):
        list(RemoteLLM(f"http://127.0.0.1:{free_port()}", TINY_MODEL).stream(messages, 8, 0.0))
    with pytest.raises(ServerUnreachableError) as hidden:
        list(RemoteLLM(f"http://alice:s3cret@127.0.0.1:{free_port()}", TINY_MODEL).stream(messages, 8, 0.0))
    assert "s3cret" not in str(hidden.value)


def test_an_interrupting_llm_server_is_never_taken_for_a_whole_answer(tmp_path, shared_index):
    """llama-cpp-python's server by default ends a running stream when another request arrives (it
    still sends [DONE]); such a cut-off answer must be an error, never passed on as complete."""
    model = resolve_model(TINY_MODEL, make_settings(shared_index)).path
    server = llama_server(model, tmp_path / "llm.log", alias=TINY_MODEL, interrupt=True).start()
    try:
        llm = RemoteLLM(server.url, TINY_MODEL)
        long_task = [{"role": "user", "content": "Count from 1 to 300, writing every number in words."}]
        errors: list[Exception] = []
        started = threading.Event()

        def first() -> None:
            try:
                for _ in llm.stream(long_task, max_tokens=400, temperature=0.0):
                    started.set()
            except ServerUnreachableError as exc:
                errors.append(exc)
            finally:
                started.set()

        worker = threading.Thread(target=first)
        worker.start()
        assert started.wait(120)
        second = "".join(llm.stream([{"role": "user", "content": "Say hello."}], max_tokens=8, temperature=0.0))
        worker.join(120)
        assert second
        assert errors and "stopped before the answer was complete" in str(errors[0]), errors
        assert "--interrupt_requests False" in str(errors[0])
    finally:
        server.stop()


def test_chroma_server_unreachable_or_gone_is_one_clear_line(tmp_path):
    closed = f"http://127.0.0.1:{free_port()}"
    result = run_rag(["ask", "--chroma-url", closed, QUESTION], rag_env(tmp_path / "local", RAG_MODEL=TINY_MODEL))
    assert result.returncode == 2
    assert "cannot reach the Chroma server" in result.stderr and result.stderr.strip().count("\n") == 0

    server = chroma_server(tmp_path / "data", tmp_path / "chroma.log").start()
    try:
        pipeline = Pipeline(make_settings(tmp_path / "local", model=TINY_MODEL, chroma_url=server.url))
        one = tmp_path / "one"
        one.mkdir()
        (one / "note.txt").write_text("Ferry returns\n\nThe Lakeview ferry resumed service on Monday.\n")
        pipeline.index([one])
        assert [r.source for r in pipeline.library()] == ["note.txt"]
    finally:
        server.stop()
    with pytest.raises(ServerUnreachableError, match="Chroma server at .* is not answering"):
        pipeline.library()


def test_a_team_two_app_instances_on_one_chroma_and_one_llm_server(chroma, llm_server, tmp_path):
    """The 'Serving a team' layout end to end: users on two app instances at once, every answer whole."""
    Pipeline(team_settings(tmp_path / "indexer", chroma, llm_server)).index([CORPUS])
    apps = []
    try:
        for name in ("one", "two"):
            settings = team_settings(
                tmp_path / name, chroma, llm_server, port=free_port(), max_tokens=16, k=2, max_evidence=2
            )
            assert settings.answer_slots == 4  # a server takes several requests; the instance does not serialise
            apps.append(serve_for_load(settings))
        results: dict[str, dict] = {}

        def users_on(url: str) -> None:
            results[url] = run_load(
                url, users=2, questions=[QUESTION, "How many State Department employees took buyouts?"]
            )

        threads = [threading.Thread(target=users_on, args=(url,)) for url, _, _ in apps]
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        for url, _, _ in apps:
            figures = results[url]
            assert figures["completed"] == 2 and not figures["errors"], figures
            assert figures["interleaved"] == 0 and figures["incomplete"] == 0
        answers = {a["question"]: set() for r in results.values() for a in r["answers"]}
        for r in results.values():
            for a in r["answers"]:
                answers[a["question"]].add(a["answer"])
        assert all(len(texts) == 1 for texts in answers.values()), answers  # same question, same answer everywhere
        for _, chat, _ in apps:
            assert chat.state.generating == 0
    finally:
        for _, _, close in apps:
            close()


def test_servers_listen_on_loopback_only(chroma, llm_server):
    for server in (chroma, llm_server):
        assert httpx.get(f"http://127.0.0.1:{server.port}/", timeout=5).status_code < 500
        from servers import listening_addresses

        assert listening_addresses(server.port) == {"127.0.0.1"}


def test_a_scope_filters_both_engines_on_the_chroma_server(chroma, tmp_path):
    pipeline = Pipeline(make_settings(tmp_path / "local", model=TINY_MODEL, chroma_url=chroma.url))
    pipeline.index([CORPUS])  # incremental: already there when the CLI test ran first
    retriever = pipeline.answerer.retriever
    one = "002_a3ce7c2eb21b0992.txt"
    everywhere = retriever.retrieve("Musk Rubio State Department buyouts DOGE", k=8)
    assert len({p.source for p in everywhere.passages}) > 1
    scoped = retriever.retrieve("Musk Rubio State Department buyouts DOGE", k=8, scope=Scope.of([one]))
    assert scoped.passages and {p.source for p in scoped.passages} == {one}
    march = retriever.retrieve("Musk", scope=Scope.of(since="2025-03-01", until="2025-03-31"))
    assert {p.source for p in march.passages} == {one}  # the one dated article
    with pytest.raises(ScopeError, match="no article in the library is dated"):
        retriever.retrieve("Musk", scope=Scope.of(since="2030-01-01"))
