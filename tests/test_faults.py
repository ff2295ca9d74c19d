"""Bad input and faults: each gives a clear one-line message and loses nothing already indexed.

Real files, real models, real subprocesses. Faults come from the operating system (permissions,
RLIMIT_FSIZE for a full disk, SIGKILL), never from patching our code; see tests/servers.py.
Consistency after a fault is checked against the files themselves: every file's chunk count equals
what the chunker makes of it, its record carries its current hash, no orphan or duplicate chunk.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS, TINY_MODEL, make_settings, rag_env
from servers import RAG, as_unprivileged, read_only_tree, read_only_works, run_rag, tree_digest, with_file_size_limit

import rag.documents as documents
from rag.answering import QuestionError, clean_question
from rag.chunking import chunk_document
from rag.documents import DocumentError, load_document
from rag.pipeline import Pipeline
from rag.store import IndexMismatchError, IndexStore
from rag.ui import build_app

QUESTION = "Who is Gerald Feierstein?"


# -- helpers -----------------------------------------------------------------------------------


def make_pdf(content: bytes) -> bytes:
    """A minimal one-page PDF whose page content stream is `content` (Flate-compressed)."""
    stream = zlib.compress(content, 9)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def text_pdf(lines: list[str]) -> bytes:
    return make_pdf(
        b"BT /F1 12 Tf 72 720 Td " + b"".join(b"(%s) Tj 0 -16 Td " % line.encode() for line in lines) + b"ET"
    )


def endless_pdf() -> bytes:
    """88 KB on disk, two million text operators inside: pypdf needs minutes for it (a parse that
    'hangs', as hostile or broken PDFs do)."""
    return make_pdf(b"BT /F1 12 Tf 72 720 Td " + b"(news) Tj 0 -1 Td " * 2_000_000 + b"ET")


def variant(source: Path, folder: Path, name: str, extra: str) -> Path:
    """A new article: an existing one with a distinct closing paragraph (so a distinct content hash)."""
    target = folder / name
    target.write_text(source.read_text(encoding="utf-8") + f"\n\n{extra}\n", encoding="utf-8")
    return target


def fresh_store(index_dir: Path) -> IndexStore:
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # read what is on disk now, not a cached view of it
    return IndexStore(make_settings(index_dir))


def assert_index_matches_files(index_dir: Path, files: list[Path]) -> dict[str, int]:
    """The index holds exactly `files`: per file, the chunks the chunker makes of its current content,
    under its current hash; no orphans, no duplicates; the keyword index agrees; no write in progress."""
    store = fresh_store(index_dir)
    params = store.stored_params()  # the chunk settings the index was built with
    got = store.collection().get(include=["metadatas"])
    ids = list(got["ids"])
    assert len(ids) == len(set(ids)), "duplicate chunk ids"
    counts: dict[str, int] = {}
    for meta in got["metadatas"]:
        counts[meta["source"]] = counts.get(meta["source"], 0) + 1
    records = store.files()
    by_name = {f.name: f for f in files}
    assert set(counts) == set(records) == set(by_name), (sorted(counts), sorted(records), sorted(by_name))
    for name, path in by_name.items():
        doc = load_document(path)
        expected = chunk_document(doc, int(params["chunk_chars"]), int(params["chunk_overlap_chars"]))
        assert counts[name] == records[name].chunks == len(expected), name
        assert records[name].content_hash == hashlib.sha256(path.read_bytes()).hexdigest(), name
        assert {c.chunk_id for c in expected} <= set(ids), name
    assert sum(counts.values()) == store.count()
    assert set(store.keyword().ids) == set(ids)
    assert not store.stored_params().get("writing")
    return counts


# -- questions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["", "   ", "\n\t  \r\n", "\x00\x07 \x1f", " \u3000 "])
def test_empty_and_whitespace_questions_are_refused_with_a_reason(tiny_pipeline, question):
    with pytest.raises(QuestionError, match="the question is empty"):
        tiny_pipeline.ask(question)


def test_a_100k_character_question_is_trimmed_with_a_notice(shared_index):
    pipeline = Pipeline(make_settings(shared_index, model=TINY_MODEL, max_tokens=8, k=2, max_evidence=2, n_threads=1))
    question = ("How many State Department employees took buyouts? " * 2000)[:100_000]
    limit = pipeline.settings.max_question_chars
    cleaned, notice = clean_question(question, limit)
    assert len(cleaned) <= limit and "only the first" in notice
    answer = pipeline.ask(question)
    assert len(answer.question) <= limit
    assert "only the first" in answer.notice and f"{len(answer.question):,}" in answer.notice
    assert answer.to_json()["notice"] == answer.notice  # the batch/JSON answer carries it too
    assert answer.answer  # and it still answers (or refuses) normally


# -- files -------------------------------------------------------------------------------------


@pytest.fixture
def messy_corpus(tmp_path) -> tuple[Path, list[Path], dict[str, str]]:
    """Good articles among every kind of bad file; returns (folder, good files, name -> expected reason)."""
    root = tmp_path / "messy"
    (root / "sub").mkdir(parents=True)
    good = [
        root / "ferry.txt",
        root / "council.md",
        root / "market.html",
        root / "harbour.pdf",
    ]
    good[0].write_text(
        "Harbour ferry returns after winter break\n\nThe Lakeview harbour ferry resumed service on "
        "Monday after a three month break. Officials counted 1,200 passengers on the first day.\n"
    )
    good[1].write_text(
        "# Council bans leaf blowers on Sundays\n\nThe Lakeview town council voted 4 to 3 to ban leaf "
        "blowers on Sundays, starting in July.\n"
    )
    good[2].write_text(
        "<html><head><title>Farmers market moves indoors</title></head><body><article>"
        "<p>The Lakeview farmers market moves into the old rail depot for the winter.</p>"
        "</article></body></html>"
    )
    good[3].write_bytes(
        text_pdf(
            ["Harbour dredging finished early", "Dredging of the Lakeview harbour channel finished two weeks early."]
        )
    )
    (root / "invalid.txt").write_bytes(b"Headline of a broken export\n" + bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 40)
    (root / "zero.txt").write_bytes(b"")
    (root / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(4000))
    with open(root / "huge.txt", "wb") as fh:  # real text, 50 MB
        block = b"The council met again on Tuesday to discuss the harbour budget. " * 16384
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(block)
    (root / "corrupt.pdf").write_bytes(good[3].read_bytes()[:300] + b"\x00garbage" * 50)
    (root / "endless.pdf").write_bytes(endless_pdf())
    (root / "reprint.txt").write_bytes(good[0].read_bytes())
    (root / "sub" / "ferry.txt").write_text("Another ferry story\n\nA different text under the same file name.\n")
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
    reasons = {
        "invalid.txt": "not UTF-8 or Windows-1252",
        "zero.txt": "empty file",
        "photo.txt": "binary content",
        "huge.txt": "too large (50 MB; the limit is 30 MB)",
        "corrupt.pdf": "corrupt or unreadable PDF",
        "endless.pdf": "PDF parsing took longer than 2 s",
        "reprint.txt": "duplicate of ferry.txt",
        "sub/ferry.txt": "same file name as",
        "sub/loop": "symlink loop",
    }
    return root, good, reasons


def _reasons(report, root: Path) -> dict[str, str]:
    return {
        str(Path(s.path).relative_to(root)) if Path(s.path).is_relative_to(root) else s.path: s.reason
        for s in report.failed
    }


def test_bad_files_are_skipped_with_reasons_and_good_ones_indexed(messy_corpus, tmp_path, monkeypatch):
    root, good, expected = messy_corpus
    monkeypatch.setattr(documents, "PDF_PARSE_TIMEOUT_S", 2.0)  # the product waits 30 s
    pipeline = Pipeline(make_settings(tmp_path / "index", model=TINY_MODEL))
    started = time.monotonic()
    report = pipeline.index([root])
    assert time.monotonic() - started < 120
    assert sorted(report.added) == sorted(p.name for p in good)
    reasons = _reasons(report, root)
    for name, reason in expected.items():
        assert name in reasons, (name, reasons)
        assert reason in reasons[name], (name, reasons[name])
    assert len(reasons) == len(expected), reasons
    assert_index_matches_files(tmp_path / "index", good)
    # a second run changes nothing, reports the same problems, loses nothing
    again = pipeline.index([root])
    assert again.skipped == len(good) and not again.changed
    assert set(_reasons(again, root)) == set(expected)
    assert_index_matches_files(tmp_path / "index", good)
    hits = pipeline.answerer.retriever.retrieve("harbour channel dredging finished").passages
    assert hits and hits[0].source == "harbour.pdf"


def _children_of(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry.name))
    return out


def test_a_pdf_parse_that_hangs_is_cut_off_and_its_process_killed(tmp_path, monkeypatch):
    path = tmp_path / "endless.pdf"
    path.write_bytes(endless_pdf())
    monkeypatch.setattr(documents, "PDF_PARSE_TIMEOUT_S", 2.0)
    before = set(_children_of(os.getpid()))
    started = time.monotonic()
    with pytest.raises(DocumentError, match="took longer than 2 s"):
        load_document(path)
    assert time.monotonic() - started < 10
    assert set(_children_of(os.getpid())) <= before  # the reader was killed, not left spinning
    good = tmp_path / "good.pdf"
    good.write_bytes(text_pdf(["Ferry timetable changes", "The winter timetable starts on Monday."]))
    assert "winter timetable" in load_document(good).text  # the next PDF gets a fresh reader


def test_cli_lists_skipped_files_and_still_succeeds(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.txt").write_text("Ferry returns\n\nThe Lakeview ferry resumed service on Monday.\n")
    (folder / "zero.txt").write_bytes(b"")
    with open(folder / "huge.txt", "wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # size is checked before anything is read
    result = run_rag(["index", str(folder)], rag_env(tmp_path / "index", RAG_MODEL=TINY_MODEL, COLUMNS="10000"))
    assert result.returncode == 0, result.stderr
    assert "1 added" in result.stdout and "2 skipped with errors" in result.stdout
    assert "zero.txt: empty file" in result.stderr
    assert "huge.txt: too large (50 MB; the limit is 30 MB)" in result.stderr
    assert "Traceback" not in result.stderr


# -- models ------------------------------------------------------------------------------------


def test_corrupt_model_file_is_one_line(shared_index, tmp_path):
    from rag.models import resolve_model

    real = resolve_model(TINY_MODEL, make_settings(shared_index)).path
    broken = tmp_path / "truncated.gguf"
    with open(real, "rb") as src:
        broken.write_bytes(src.read(2 * 1024 * 1024))  # a download cut short: right magic, missing tensors
    result = run_rag(["ask", "--model", str(broken), QUESTION], rag_env(shared_index))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "corrupt" in result.stderr and "Traceback" not in result.stderr


def test_missing_model_in_the_chat_is_a_friendly_status_and_answer(shared_index, tmp_path):
    missing = tmp_path / "private" / "models" / "gone.gguf"
    ui = build_app(Pipeline(make_settings(shared_index, model=str(missing))))
    ui.startup.run()
    text, kind = ui.ctx.status()
    assert kind == "error" and "not found" in text
    assert str(tmp_path) not in text and "Traceback" not in text
    final = list(ui.chat.respond(QUESTION, 6, 0.0, []))[-1]
    message = final[0][-1]["content"]
    assert "Sorry, no answer this time" in message and "not found" in message
    assert str(tmp_path) not in message


# -- the index ---------------------------------------------------------------------------------


def test_index_built_with_another_embedding_model_is_refused_for_questions(index_copy):
    store = fresh_store(index_copy)
    col = store.collection()
    col.modify(metadata={**col.metadata, "embed_model": "some-other-model"})
    result = run_rag(["ask", "--json", QUESTION], rag_env(index_copy, RAG_MODEL=TINY_MODEL))
    assert result.returncode == 2
    assert "some-other-model" in result.stderr and "rag index --rebuild" in result.stderr
    assert result.stdout == ""  # no answer from vectors that mean something else
    ui = build_app(Pipeline(make_settings(index_copy, model=TINY_MODEL)))
    message = list(ui.chat.respond(QUESTION, 6, 0.0, []))[-1][0][-1]["content"]
    assert "Sorry, no answer this time" in message and "rebuild" in message
    # an embedder of another size is caught at the search itself
    with pytest.raises(IndexMismatchError, match="384-dimensional"):
        store.dense_search(np.ones(768, dtype=np.float32), 3)


KILL_ENV = {"RAG_CHUNK_CHARS": "200", "RAG_CHUNK_OVERLAP_CHARS": "0"}  # many small chunks: several write batches


@pytest.fixture
def many_articles(tmp_path) -> Path:
    """16 articles, ~1,150 small chunks: more than one write batch of `rag index`."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(16):
        path = sorted(CORPUS.glob("*.txt"))[i % 5]
        variant(path, corpus, f"{i:02d}_{path.name}", f"Update {i}: the follow-up report number {i} was filed.")
    return corpus


def _index_and_kill(corpus: Path, index_dir: Path) -> None:
    """Start `rag index`, SIGKILL it the moment its first batch of files has been written."""
    proc = subprocess.Popen(
        [RAG, "index", "-v", str(corpus)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=rag_env(index_dir, RAG_MODEL=TINY_MODEL, **KILL_ENV),
    )
    try:
        for line in proc.stderr:  # type: ignore[union-attr]
            if "rag.indexing: indexed " in line:
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.wait(60)
        proc.stderr.close()  # type: ignore[union-attr]
    assert proc.returncode == -signal.SIGKILL, f"rag index ended by itself ({proc.returncode}) before the kill"


def _stale(index_dir: Path, files: list[Path]) -> list[str]:
    """Files whose current content is not (yet) what the index holds."""
    records = fresh_store(index_dir).files()
    return [
        p.name
        for p in files
        if p.name not in records or records[p.name].content_hash != hashlib.sha256(p.read_bytes()).hexdigest()
    ]


def test_kill_9_during_index_then_the_next_run_finishes_consistent(many_articles, tmp_path):
    index_dir = tmp_path / "index"
    env = rag_env(index_dir, RAG_MODEL=TINY_MODEL, **KILL_ENV)
    files = sorted(many_articles.glob("*.txt"))
    _index_and_kill(many_articles, index_dir)
    assert fresh_store(index_dir).stored_params().get("writing") == 1  # the mark of the cut-off run
    assert _stale(index_dir, files), "the kill came after every file was written"
    done = run_rag(["index", str(many_articles)], env)
    assert done.returncode == 0, done.stderr
    assert_index_matches_files(index_dir, files)

    # killed in the middle of updating every file: the next run brings them all up to date
    for path in files:
        path.write_text(path.read_text(encoding="utf-8") + "\nCorrection: an earlier version misstated a date.\n")
    _index_and_kill(many_articles, index_dir)
    assert _stale(index_dir, files), "the kill came after every update was written"
    done = run_rag(["index", str(many_articles)], env)
    assert done.returncode == 0, done.stderr
    assert_index_matches_files(index_dir, files)


def test_half_written_file_and_orphan_chunks_are_repaired(index_copy, tmp_path):
    """The state a run killed between two write batches of a large file leaves: some chunks, no
    chunk #0 (the file record, written last). Made with the store's own client, then repaired."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    extra = variant(CORPUS / "004_52cee558051e1bed.txt", corpus, "long.txt", "A closing note on the committee.")
    pipeline = Pipeline(make_settings(index_copy, model=TINY_MODEL))
    store = pipeline.store
    doc = load_document(extra)
    chunks = chunk_document(doc, pipeline.settings.chunk_chars, pipeline.settings.chunk_overlap_chars)
    vectors = pipeline.embedder.embed([c.text for c in chunks])
    store.begin_write()
    store.collection().add(
        ids=[c.chunk_id for c in chunks[1:]],
        embeddings=vectors[1:],
        documents=[c.text for c in chunks[1:]],
        metadatas=[store._chunk_metadata(doc, c, len(chunks)) for c in chunks[1:]],
    )
    store.collection().add(
        ids=["gone.txt#3"],
        embeddings=vectors[:1],
        documents=["orphan"],
        metadatas=[{"source": "gone.txt", "ordinal": 3, "start": 0, "end": 6}],
    )
    report = pipeline.index([corpus])
    assert sorted(report.repaired) == ["gone.txt", "long.txt"]
    assert report.added == ["long.txt"]
    assert_index_matches_files(index_copy, sorted(corpus.glob("*.txt")))


def test_read_only_index_is_reported_and_left_untouched(index_copy, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    variant(CORPUS / "002_a3ce7c2eb21b0992.txt", corpus, "new.txt", "A late addition.")
    env = rag_env(index_copy, RAG_MODEL=TINY_MODEL)
    before = tree_digest(index_copy)
    with read_only_tree(index_copy):
        if not read_only_works(index_copy):
            pytest.skip("this user cannot be kept from writing into a read-only folder")
        for args in (["index", str(corpus)], ["ask", "--json", QUESTION]):
            result = run_rag(args, env, preexec_fn=as_unprivileged())
            assert result.returncode == 2, (args, result.stderr)
            assert "is read-only" in result.stderr and "writable" in result.stderr, result.stderr
            assert "--rebuild" not in result.stderr and "corrupt" not in result.stderr  # never advise wiping it
            assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert tree_digest(index_copy) == before  # nothing was changed
    result = run_rag(["index", str(corpus)], env)  # writable again: the index carries on
    assert result.returncode == 0, result.stderr
    assert "1 added, 0 updated, 5 unchanged" in result.stdout
    assert_index_matches_files(index_copy, sorted(corpus.glob("*.txt")))


def test_full_disk_during_index_keeps_what_was_indexed(index_copy, tmp_path):
    """RLIMIT_FSIZE stands in for a full disk: writes that would grow a file past the limit fail
    (EFBIG), as they would with ENOSPC; no root, loop device or tmpfs needed."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    for i, path in enumerate(sorted(CORPUS.glob("*.txt"))[:3]):
        variant(path, corpus, f"extra_{i}.txt", f"Addendum {i}: the committee will meet again next month.")
    env = rag_env(index_copy, RAG_MODEL=TINY_MODEL)
    limit = max(p.stat().st_size for p in index_copy.rglob("*") if p.is_file()) + 16 * 1024
    result = run_rag(["index", str(corpus)], env, preexec_fn=with_file_size_limit(limit))
    assert result.returncode == 2, (result.stdout, result.stderr)
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: the index at") and "disk is full or a file size limit was reached" in last
    assert "what was indexed before is kept" in last and "Traceback" not in result.stderr
    # the five articles indexed before are all still there, whole
    records = fresh_store(index_copy).files()
    assert {p.name for p in CORPUS.glob("*.txt")} <= set(records)
    # space again: the next run finishes and the index matches the files
    result = run_rag(["index", str(corpus)], env)
    assert result.returncode == 0, result.stderr
    assert_index_matches_files(index_copy, sorted(corpus.glob("*.txt")))
